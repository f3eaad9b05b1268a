// megalodon 10: registers an app, signs in through the consent page (megalodon sends no PKCE), reads who it is.
import generator from 'megalodon';
import { authorizeInBrowser, env, report, run, server } from '../lib/harness.mjs';

await run(async () => {
  const redirectUri = 'http://127.0.0.1:9/megalodon-callback';
  const client = generator('mastodon', server);
  const app = await client.registerApp('megalodon harness', { scopes: ['read', 'write', 'follow'], redirect_uris: redirectUri, website: 'https://example.org' });
  report('app', { hasClientId: Boolean(app.client_id), hasUrl: Boolean(app.url) });
  const code = await authorizeInBrowser(app.url, redirectUri, env('EMAIL'), env('PASSWORD'));
  const token = await client.fetchAccessToken(app.client_id, app.client_secret, code, redirectUri);
  report('token', { scope: token.scope });
  const me = await generator('mastodon', server, token.access_token).verifyAccountCredentials();
  report('verify_credentials', { username: me.data.username, token: token.access_token });
});
