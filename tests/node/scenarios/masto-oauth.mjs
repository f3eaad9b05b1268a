// masto.js 8: registers an app, signs in through the consent page with PKCE (S256), and reads who it is.
import { createOAuthAPIClient, createRestAPIClient } from 'masto';
import { authorizeInBrowser, env, pkce, report, run, server } from '../lib/harness.mjs';

await run(async () => {
  const redirectUri = 'http://127.0.0.1:9/masto-callback';
  const scopes = 'read write follow push';
  const anonymous = createRestAPIClient({ url: server });
  const app = await anonymous.v1.apps.create({ clientName: 'masto.js harness', redirectUris: redirectUri, scopes, website: 'https://example.org' });
  report('app', { hasClientId: Boolean(app.clientId), hasSecret: Boolean(app.clientSecret) });

  const { verifier, challenge } = pkce();
  const authorize = new URL('/oauth/authorize', server);
  authorize.search = new URLSearchParams({
    client_id: app.clientId, redirect_uri: redirectUri, response_type: 'code', scope: scopes,
    code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  const code = await authorizeInBrowser(authorize.toString(), redirectUri, env('EMAIL'), env('PASSWORD'));

  const oauth = createOAuthAPIClient({ url: server });
  const token = await oauth.token.create({
    grantType: 'authorization_code', clientId: app.clientId, clientSecret: app.clientSecret, redirectUri, code, scope: scopes,
    codeVerifier: verifier,
  });
  report('token', { scope: token.scope, tokenType: token.tokenType });

  const me = await createRestAPIClient({ url: server, accessToken: token.accessToken }).v1.accounts.verifyCredentials();
  report('verify_credentials', { username: me.username, acct: me.acct, token: token.accessToken });
});
