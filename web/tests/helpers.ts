// What more than one spec of the browser suite needs.

import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { preview, type PreviewServer } from 'vite';

export const API = process.env.INVITES_E2E_API!;

/** A dev token (HS256 with the local secret), as `invites-dev token` makes. */
export function devToken(claims: object): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${createHmac('sha256', process.env.INVITES_DEV_AUTH_SECRET!).update(body).digest('base64url')}`;
}

/** A call to the local API as `token`'s holder; the JSON answer (or null). */
export async function call(token: string, method: string, path: string, body?: object): Promise<{ status: number; json: any }> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export interface AxeEntry {
  screen: string;
  critical: number;
  serious: number;
  moderate: number;
  minor: number;
}

/** An axe scan (WCAG 2.0/2.1 A and AA) of what the page shows now, added to `summary`: 0 serious or critical. */
export async function axeScan(page: Page, screen: string, summary: AxeEntry[] = []): Promise<void> {
  await page.waitForLoadState('networkidle');
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const count = (impact: string) => result.violations.filter((v) => v.impact === impact).length;
  const entry = { screen, critical: count('critical'), serious: count('serious'), moderate: count('moderate'), minor: count('minor') };
  summary.push(entry);
  console.log(`axe ${screen}: ${entry.critical} critical, ${entry.serious} serious, ${entry.moderate} moderate, ${entry.minor} minor`);
  for (const v of result.violations) console.log(`  ${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(entry.serious + entry.critical, `serious or critical violations on ${screen}`).toBe(0);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * A built app (its `dist`) served by Vite's preview server on a free port,
 * with `config.json` answered as a deployment writes it, and optional
 * response headers and a proxy for the API. Returns the server and its origin.
 */
export async function serveBuilt(options: {
  root: string;
  config: object;
  headers?: Record<string, string>;
  proxyApi?: boolean;
}): Promise<{ server: PreviewServer; origin: string }> {
  const port = await freePort();
  const server = await preview({
    configFile: false,
    root: options.root,
    logLevel: 'warn',
    build: { outDir: 'dist' },
    preview: {
      host: '127.0.0.1',
      port,
      strictPort: true,
      proxy: options.proxyApi ? { '/v1': API } : undefined,
      headers: options.headers,
    },
    plugins: [
      {
        name: 'config-json',
        configurePreviewServer(s) {
          s.middlewares.use('/config.json', (_req, res) => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify(options.config));
          });
        },
      },
    ],
  });
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** A resource and a pending invite to it, made through the API as its owner: the invite's link. */
export async function invitation(tag: string): Promise<{ link: URL; resourceName: string; guest: string }> {
  const run = Date.now().toString(36).slice(-5);
  const slug = tag.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const owner = devToken({ sub: `${slug}-owner-${run}`, email: `${slug}-owner.${run}@example.com`, email_verified: true, name: `${tag} Owner` });
  const resourceName = `${tag} ${run}`;
  const resource = await call(owner, 'POST', '/v1/resources', { name: resourceName });
  expect(resource.status).toBe(201);
  const guest = `${slug}-guest.${run}@example.com`;
  const created = await call(owner, 'POST', `/v1/resources/${resource.json.id}/invites`, { email: guest, role: 'read_only' });
  expect(created.status).toBe(201);
  return { link: new URL(created.json.url), resourceName, guest };
}
