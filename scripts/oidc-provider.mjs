// A real OpenID Connect provider for local runs and the browser suite: npm
// `oidc-provider` (a certified implementation) with its development login
// and consent pages, RS256 keys made at start, the e-mail claims in the ID
// token, and one public client for the web app (code flow with PKCE), so
// the production sign-in path runs before any deploy (README "Signing in
// locally").
//
//   node scripts/oidc-provider.mjs PORT WEB_ORIGIN [KEY_FILE]
//
// Accounts: sign in with any e-mail address as the login (any password);
// it is the user id too, and verified unless it starts with "unverified". KEY_FILE receives the private signing key (a JWK), for
// tests that mint tokens the provider would never issue (expired, for
// another audience).
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Installed by scripts/setup.sh into .local/node (infra/local/package.json).
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { default: Provider } = await import(pathToFileURL(join(root, '.local/node/node_modules/oidc-provider/lib/index.js')).href);

const [port, webOrigin, keyFile] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
if (!port || !webOrigin) {
  console.error('usage: node scripts/oidc-provider.mjs PORT WEB_ORIGIN [KEY_FILE]');
  process.exit(2);
}
const CLIENT_ID = 'invites-web';
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { ...privateKey.export({ format: 'jwk' }), kid: `local-${Date.now().toString(36)}`, alg: 'RS256', use: 'sig' };
if (keyFile) writeFileSync(keyFile, JSON.stringify({ issuer, clientId: CLIENT_ID, key }));

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      token_endpoint_auth_method: 'none', // a public client: PKCE protects the code
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [`${webOrigin}/signin/callback`],
      post_logout_redirect_uris: [`${webOrigin}/`],
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [key] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The API reads the e-mail claims from the ID token, as with Cognito.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['local-only-cookie-key'] },
  ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Interaction: 600, Grant: 3600 },
  // The development login page makes the login the account id (and `sub`).
  async findAccount(_ctx, login) {
    const email = String(login).trim().toLowerCase();
    return {
      accountId: login,
      async claims() {
        return { sub: login, email, email_verified: !email.startsWith('unverified'), name: email.split('@')[0] };
      },
    };
  },
});
provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error:', err));
provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider ${issuer} (client ${CLIENT_ID}, redirect ${webOrigin}/signin/callback)`));
