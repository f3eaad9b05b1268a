// masto.js 8 streaming over WebSocket (the token as subprotocol, multiplexed subscriptions).
import { createRestAPIClient, createStreamingAPIClient } from 'masto';
import { env, report, run, server } from '../lib/harness.mjs';

/** Reads a subscription from the start into a list (masto.js hands an event only to a waiting reader). */
const collect = (subscription) => {
  const events = [];
  (async () => {
    for await (const e of subscription) {
      events.push(e);
    }
  })();
  return async (test, what) => {
    for (;;) {
      const found = events.find(test);
      if (found) {
        return found;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
};

await run(async () => {
  const author = createRestAPIClient({ url: server, accessToken: env('AUTHOR_TOKEN') });
  const reader = createRestAPIClient({ url: server, accessToken: env('READER_TOKEN') });
  const instance = await reader.v2.instance.fetch();
  const streaming = createStreamingAPIClient({ streamingApiUrl: instance.configuration.urls.streaming, accessToken: env('READER_TOKEN') });

  const local = collect(streaming.public.local.subscribe());
  const tag = collect(streaming.hashtag.subscribe({ tag: 'streamtest' }));
  const user = collect(streaming.user.subscribe());
  // Let the subscriptions reach the server before posting.
  await new Promise((resolve) => setTimeout(resolve, 1500));

  const authorMe = await author.v1.accounts.verifyCredentials();
  const posted = await author.v1.statuses.create({ status: 'Streaming to masto.js #streamtest' });
  const fromLocal = await local((e) => e.event === 'update' && e.payload.id === posted.id);
  report('public_local', { event: fromLocal.event, id: fromLocal.payload.id, stream: fromLocal.stream });
  const fromTag = await tag((e) => e.event === 'update' && e.payload.id === posted.id);
  report('hashtag', { event: fromTag.event, id: fromTag.payload.id, stream: fromTag.stream });

  const mine = await reader.v1.statuses.create({ status: 'Mine, to be liked' });
  await author.v1.statuses.$select(mine.id).favourite();
  const note = await user((e) => e.event === 'notification');
  report('user_notification', { type: note.payload.type, from: note.payload.account.username, statusId: note.payload.status?.id, expectedStatusId: mine.id, expectedFrom: authorMe.username });

  await author.v1.statuses.$select(posted.id).remove();
  const deleted = await local((e) => e.event === 'delete');
  report('delete', { payload: deleted.payload, expected: posted.id });
  streaming.close();
});
