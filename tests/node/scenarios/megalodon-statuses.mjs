// megalodon 10: post, reply, favourite, the home timeline page by page (max_id), and notifications.
import generator from 'megalodon';
import { env, report, run, server } from '../lib/harness.mjs';

await run(async () => {
  const author = generator('mastodon', server, env('AUTHOR_TOKEN'));
  const reader = generator('mastodon', server, env('READER_TOKEN'));
  const authorMe = (await author.verifyAccountCredentials()).data;
  await reader.followAccount(authorMe.id);

  const posted = [];
  for (let i = 1; i <= 5; i++) {
    posted.push((await author.postStatus(`megalodon post ${i}`, { visibility: 'public' })).data);
  }
  report('posted', { ids: posted.map((s) => s.id) });
  const reply = (await reader.postStatus('Thanks for post 5', { in_reply_to_id: posted[4].id })).data;
  report('reply', { inReplyToId: reply.in_reply_to_id });
  const liked = (await reader.favouriteStatus(posted[3].id)).data;
  report('favourite', { favourited: liked.favourited, favouritesCount: liked.favourites_count });

  await new Promise((resolve) => setTimeout(resolve, 1500)); // the fan-out job runs after the post commits
  const pages = [];
  let maxId;
  for (let i = 0; i < 4; i++) {
    const page = await reader.getHomeTimeline({ limit: 2, max_id: maxId });
    if (page.data.length === 0) {
      break;
    }
    pages.push(page.data.map((s) => s.id));
    maxId = page.data[page.data.length - 1].id;
  }
  report('home_pages', { pages });
  const notifications = (await author.getNotifications({ limit: 20 })).data;
  report('notifications', { types: notifications.map((n) => n.type), from: notifications.map((n) => n.account.username) });
});
