// Dev server (make dev: http://localhost:5173): the demo app, a runtime
// config.json, and the DEV-ONLY sign-in endpoint. `apply: 'serve'` keeps the
// plugin (and with it the endpoint) out of every production build.
//
//   INVITES_API           where the API runs (default http://127.0.0.1:9000); the
//                         dev server proxies /v1 to it, so the page calls its own origin
//   INVITES_WEB_API_BASE  apiBaseUrl to hand the page instead (e.g. the API's own
//                         URL, to go through CORS as a deployed frontend does)
//   INVITES_DEV_AUTH_SECRET  dev auth secret (default: ../.local/dev/auth-secret)
//   INVITES_WEB_NO_WATCH=1  no file watcher (the browser suite)
//   INVITES_WEB_OIDC_AUTHORITY, INVITES_WEB_OIDC_CLIENT_ID  sign in through this
//                         OpenID Connect provider instead (scripts/oidc-provider.mjs)

import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const api = process.env.INVITES_API ?? 'http://127.0.0.1:9000';

function devSecret(): string | null {
  if (process.env.INVITES_DEV_AUTH_SECRET) return process.env.INVITES_DEV_AUTH_SECRET;
  const file = resolve(__dirname, '../.local/dev/auth-secret');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** An HS256 JWT exactly as the functions' dev auth checks it. */
function devToken(secret: string, claims: Record<string, unknown>): string {
  const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64(JSON.stringify({ ...claims, iss: 'invites-dev', exp: Math.floor(Date.now() / 1000) + 12 * 3600 }));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

function devOnly(): Plugin {
  return {
    name: 'invites-dev-only',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/config.json', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        // With a local OpenID Connect provider (make dev OIDC=1), the
        // production sign-in path instead of the dev sign-in.
        const authority = process.env.INVITES_WEB_OIDC_AUTHORITY;
        res.end(
          JSON.stringify({
            apiBaseUrl: process.env.INVITES_WEB_API_BASE ?? '',
            signInUrl: '/signin?returnTo={returnTo}',
            resourceUrl: '/resources/{resourceId}',
            devSignIn: !authority && devSecret() !== null,
            oidc: authority ? { authority, clientId: process.env.INVITES_WEB_OIDC_CLIENT_ID ?? 'invites-web' } : undefined,
          }),
        );
      });
      server.middlewares.use('/__dev/token', (req, res) => {
        const secret = devSecret();
        if (req.method !== 'POST' || !secret) {
          res.statusCode = secret ? 405 : 503;
          res.end(secret ? 'POST only' : 'dev auth is off: no INVITES_DEV_AUTH_SECRET');
          return;
        }
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          let input: { sub?: unknown; email?: unknown; name?: unknown; verified?: unknown };
          try {
            input = JSON.parse(body || '{}');
          } catch {
            res.statusCode = 400;
            res.end('JSON body expected');
            return;
          }
          const { sub, email, name, verified } = input;
          if (typeof sub !== 'string' || !sub.trim()) {
            res.statusCode = 422;
            res.end('sub is required');
            return;
          }
          const claims: Record<string, unknown> = { sub: sub.trim() };
          if (email) Object.assign(claims, { email, email_verified: verified !== false });
          if (name) claims.name = name;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ token: devToken(secret, claims) }));
        });
      });
    },
  };
}

export default defineConfig({
  plugins: [devOnly()],
  // A second dev server beside the first (the browser suite's OIDC app) keeps its own optimizer cache.
  cacheDir: process.env.INVITES_WEB_CACHE_DIR ?? 'node_modules/.vite',
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    strictPort: true,
    host: '127.0.0.1',
    proxy: { '/v1': api },
    // The browser suite's servers need no reloading: no file watchers (a
    // machine's inotify watches are shared with cargo lambda watch).
    watch: process.env.INVITES_WEB_NO_WATCH ? null : undefined,
  },
  build: { target: 'es2022' },
});
