// The hosted web app's Content-Security-Policy against the built bundle:
// web/dist (web-test.sh builds it) served by Vite's preview server with the
// very policy template.yaml gives CloudFront (WebSecurityHeaders), and the
// pages people reach from an e-mail opened in Chromium. Any violation the
// page reports fails the test; a canary inline script proves the listener
// would see one.

import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { PreviewServer } from 'vite';
import { invitation, serveBuilt } from './helpers';

/** template.yaml's policy, with the values CloudFormation substitutes. */
function templatePolicy(): string {
  const template = readFileSync('../template.yaml', 'utf8');
  const policy = /ContentSecurityPolicy: !Sub\s*\n\s*- "([^"]+)"/.exec(template)?.[1];
  if (!policy) throw new Error('template.yaml: WebSecurityHeaders has no ContentSecurityPolicy');
  return (
    policy
      .replaceAll('${AWS::Region}', 'eu-central-1')
      .replaceAll('${AWS::URLSuffix}', 'amazonaws.com')
      .replaceAll('${Edge}', '')
      .replaceAll('${Idp}', 'https://cognito-idp.eu-central-1.amazonaws.com')
      // Served here over plain HTTP: CloudFront redirects to HTTPS and sends HSTS.
      .replace(/;\s*upgrade-insecure-requests/, '')
  );
}

let server: PreviewServer;
let origin = '';
const policy = templatePolicy();

test.beforeAll(async () => {
  // What deploy writes next to index.html (no OIDC section: the pages
  // below are the signed-out ones an e-mailed link opens).
  const config = { apiBaseUrl: '', signInUrl: '/signin?returnTo={returnTo}', resourceUrl: '/resources/{resourceId}' };
  ({ server, origin } = await serveBuilt({
    root: '.',
    config,
    proxyApi: true,
    headers: { 'content-security-policy': policy, 'referrer-policy': 'no-referrer' },
  }));
});

test.afterAll(async () => {
  await server?.close();
});

/** Every violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    (window as any).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sample})`),
    );
  });
  return () => page.evaluate(() => (window as any).__csp as string[]);
}

test('the built bundle has no inline script for the CSP to block', () => {
  const index = readFileSync('dist/index.html', 'utf8');
  const inline = [...index.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(([, attrs, body]) => !/\bsrc=/.test(attrs) || body.trim());
  expect(inline.map(([tag]) => tag.slice(0, 80)), 'inline <script> in dist/index.html').toEqual([]);
  expect(index, 'inline event handler in dist/index.html').not.toMatch(/\son[a-z]+=/i);
  expect(index).not.toMatch(/javascript:/i);
  expect(policy).toMatch(/script-src 'self'(;| )/);
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
});

test("the hosted app's other security headers: no referrer, HSTS for at least a year", () => {
  const template = readFileSync('../template.yaml', 'utf8');
  expect(template).toMatch(/ReferrerPolicy: \{ReferrerPolicy: no-referrer, Override: true\}/);
  const hsts = /StrictTransportSecurity: \{AccessControlMaxAgeSec: (\d+), IncludeSubdomains: true/.exec(template);
  expect(Number(hsts?.[1])).toBeGreaterThanOrEqual(31_536_000);
  expect(template).toMatch(/X-Content-Type-Options|ContentTypeOptions: \{Override: true\}/);
});

test("the e-mailed link's landing page and the home page under the hosted app's CSP", async ({ page }) => {
  const { link, resourceName } = await invitation('Policy check');

  const violations = await watchViolations(page);
  const response = await page.goto(`${origin}/invite${link.hash}`);
  expect(response?.headers()['content-security-policy']).toBe(policy);
  expect(response?.headers()['referrer-policy']).toBe('no-referrer');
  // The scripts ran: the landing page shows the invitation.
  await expect(page.getByRole('heading', { name: new RegExp(resourceName) })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(await violations(), 'CSP violations on the landing page').toEqual([]);

  await page.goto(`${origin}/`);
  await expect(page.locator('main')).not.toBeEmpty();
  await page.waitForLoadState('networkidle');
  expect(await violations(), 'CSP violations on the home page').toEqual([]);

  // The canary: an inline script is blocked, and the listener sees it.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ranInline = true';
    document.body.append(s);
  });
  await expect.poll(violations).toContainEqual(expect.stringMatching(/^script-src-elem blocked inline/));
  expect(await page.evaluate(() => (window as any).__ranInline)).toBeUndefined();
  console.log(`csp: 0 violations on the landing page and the home page; the canary inline script was blocked (${policy.length} characters of policy)`);
});
