// megalodon 10: a post with an image, and search v2 with resolve.
import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import generator from 'megalodon';
import { env, png, report, run, server } from '../lib/harness.mjs';

await run(async () => {
  const author = generator('mastodon', server, env('AUTHOR_TOKEN'));
  const reader = generator('mastodon', server, env('READER_TOKEN'));
  // megalodon uploads a file stream, as an app reading from disk would.
  const path = join(await mkdtemp(join(tmpdir(), 'megalodon-')), 'square.png');
  await writeFile(path, await png());
  const file = createReadStream(path);
  const media = (await author.uploadMedia(file, { description: 'A blue square' })).data;
  report('media', { id: media.id, type: media.type, description: media.description });
  const status = (await author.postStatus('A megalodon post with a picture', { media_ids: [media.id] })).data;
  report('status_with_media', { attachments: status.media_attachments.map((m) => ({ id: m.id, type: m.type, description: m.description })) });
  const found = (await reader.search(status.url, { type: 'statuses', resolve: true })).data;
  report('search_status', { ids: found.statuses.map((s) => s.id), expected: status.id });
});
