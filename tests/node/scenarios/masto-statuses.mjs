// masto.js 8: post, reply, favourite, the home timeline page by page, and notifications.
import { createRestAPIClient } from 'masto';
import { env, report, run, server } from '../lib/harness.mjs';

await run(async () => {
  const author = createRestAPIClient({ url: server, accessToken: env('AUTHOR_TOKEN') });
  const reader = createRestAPIClient({ url: server, accessToken: env('READER_TOKEN') });
  const authorMe = await author.v1.accounts.verifyCredentials();
  await reader.v1.accounts.$select(authorMe.id).follow();

  const posted = [];
  for (let i = 1; i <= 5; i++) {
    posted.push(await author.v1.statuses.create({ status: `masto post ${i} #harness`, visibility: 'public' }));
  }
  report('posted', { ids: posted.map((s) => s.id) });

  const reply = await reader.v1.statuses.create({ status: `@${authorMe.username} thanks for post 5`, inReplyToId: posted[4].id });
  report('reply', { inReplyToId: reply.inReplyToId, inReplyToAccountId: reply.inReplyToAccountId });

  const liked = await reader.v1.statuses.$select(posted[3].id).favourite();
  report('favourite', { favourited: liked.favourited, favouritesCount: liked.favouritesCount });

  // The reader's home timeline, two at a time, following the Link headers masto.js reads.
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the fan-out job runs after the post commits
  const pages = [];
  for await (const page of reader.v1.timelines.home.list({ limit: 2 })) {
    pages.push(page.map((s) => s.id));
    if (pages.length === 4) {
      break;
    }
  }
  report('home_pages', { pages });

  const notifications = await author.v1.notifications.list({ limit: 20 });
  report('notifications', { types: notifications.map((n) => n.type), from: notifications.map((n) => n.account.username) });
});
