// megalodon 10 streaming over WebSocket (one stream a connection, the token in the query), and Mastodon's
// server-sent events read with Node's own fetch (megalodon has no SSE client).
import generator from 'megalodon';
import { env, report, run, server } from '../lib/harness.mjs';

const once = (emitter, event, test = () => true) => new Promise((resolve, reject) => {
  emitter.on(event, (value) => test(value) && resolve(value));
  emitter.on('error', (e) => reject(new Error(`stream error: ${e?.message ?? e}`)));
});

/** Polls for what the event handlers collected (they run from the start, so nothing is missed while awaiting). */
const until = async (find, what) => {
  for (;;) {
    const found = find();
    if (found) {
      return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

await run(async () => {
  const author = generator('mastodon', server, env('AUTHOR_TOKEN'));
  const reader = generator('mastodon', server, env('READER_TOKEN'));
  const local = await reader.localStreaming();
  const localOpen = once(local, 'connect');
  const user = await reader.userStreaming();
  const userOpen = once(user, 'connect');
  await Promise.all([localOpen, userOpen]);

  const sse = await fetch(new URL('/api/v1/streaming/public/local', server), { headers: { Authorization: `Bearer ${env('READER_TOKEN')}` } });
  report('sse_open', { status: sse.status, type: sse.headers.get('content-type') });
  const events = sse.body.pipeThrough(new TextDecoderStream()).getReader();

  const updated = [];
  local.on('update', (s) => updated.push(s));
  const notified = [];
  user.on('notification', (n) => notified.push(n));
  const posted = (await author.postStatus('Streaming to megalodon')).data;
  const update = await until(() => updated.find((s) => s.id === posted.id), 'the WebSocket update');
  report('ws_update', { id: update.id, expected: posted.id, content: update.content });

  let text = '';
  while (!text.includes(`"id":"${posted.id}"`)) {
    const { value, done } = await events.read();
    if (done) {
      throw new Error('the event stream ended');
    }
    text += value;
  }
  const block = text.split('\n\n').find((b) => b.includes(`"id":"${posted.id}"`));
  const event = block.split('\n').find((l) => l.startsWith('event: ')).slice(7);
  const data = JSON.parse(block.split('\n').find((l) => l.startsWith('data: ')).slice(6));
  report('sse_update', { event, id: data.id, expected: posted.id });
  await events.cancel();

  const mine = (await reader.postStatus('Mine, for megalodon to hear about')).data;
  await author.favouriteStatus(mine.id);
  const notification = await until(() => notified.find((n) => n.type === 'favourite'), 'the notification');
  report('ws_notification', { type: notification.type, from: notification.account.username });
  local.stop();
  user.stop();
});
