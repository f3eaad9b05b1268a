// masto.js 8: a post with an image (media v2, then polled until processed, as masto.js does), and search v2 with
// resolve for a post's and a person's address.
import { createRestAPIClient } from 'masto';
import { env, png, report, run, server } from '../lib/harness.mjs';

await run(async () => {
  const author = createRestAPIClient({ url: server, accessToken: env('AUTHOR_TOKEN') });
  const reader = createRestAPIClient({ url: server, accessToken: env('READER_TOKEN') });
  const media = await author.v2.media.create({ file: new Blob([await png()], { type: 'image/png' }), description: 'A blue square' });
  report('media', { id: media.id, type: media.type, hasUrl: Boolean(media.url), description: media.description });
  const status = await author.v1.statuses.create({ status: 'A post with a picture', mediaIds: [media.id] });
  report('status_with_media', {
    attachments: status.mediaAttachments.map((m) => ({ id: m.id, type: m.type, description: m.description, url: m.url })),
  });
  const image = await fetch(status.mediaAttachments[0].url);
  report('media_file', { status: image.status, type: image.headers.get('content-type') });

  const me = await author.v1.accounts.verifyCredentials();
  const byUrl = await reader.v2.search.list({ q: status.url, resolve: true });
  report('search_status', { ids: byUrl.statuses.map((s) => s.id), expected: status.id });
  const byHandle = await reader.v2.search.list({ q: `@${me.acct}`, resolve: true, type: 'accounts' });
  report('search_account', { usernames: byHandle.accounts.map((a) => a.username), expected: me.username });
});
