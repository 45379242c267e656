// The production sign-in path, locally (scripts/web-test.sh starts it): a
// real OpenID Connect provider (npm oidc-provider, scripts/oidc-provider.mjs)
// with its login and consent pages and RS256 keys; the web app signing in
// through it with oidc-client-ts (authorization code with PKCE); the API
// behind a stand-in for API Gateway's JWT authorizer (invites-dev api-front
// --jwt-issuer), so the functions read the claims as deployed, with no dev
// auth. Same table as the rest of the suite.

import { expect, test } from '@playwright/test';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { axeScan, invitation, type AxeEntry } from './helpers';

const WEB = process.env.OIDC_WEB_URL;
const API = process.env.OIDC_API;
const scans: AxeEntry[] = [];

test.describe.configure({ mode: 'serial' });
test.skip(!WEB, 'OIDC_WEB_URL unset: scripts/web-test.sh starts the provider and the app');

const b64 = (v: object | Buffer) => Buffer.from(v instanceof Buffer ? v : JSON.stringify(v)).toString('base64url');

/** A token signed with the provider's own key, with whatever claims a test needs. */
function mint(claims: Record<string, unknown>): string {
  const { key } = JSON.parse(readFileSync(process.env.OIDC_KEY_FILE!, 'utf8'));
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64(claims)}`;
  return `${input}.${b64(sign('sha256', Buffer.from(input), createPrivateKey({ key, format: 'jwk' })))}`;
}

async function me(token: string): Promise<number> {
  return (await fetch(`${API}/v1/me/invites`, { headers: { authorization: `Bearer ${token}` } })).status;
}

test('signed in through the OpenID Connect provider, the invitee accepts an e-mailed invite and signs out', async ({ page }) => {
  const { link, resourceName, guest } = await invitation('OIDC story');
  await page.goto(`${WEB}/invite${link.hash}`);
  await expect(page.getByRole('heading', { name: new RegExp(`invited you to ${resourceName}`) })).toBeVisible();
  await page.locator('invite-landing').getByRole('link', { name: 'Sign in or create an account' }).click();

  // The provider's own pages: sign in with the invited address, then consent.
  await page.waitForURL((u) => u.pathname.startsWith('/interaction/'));
  await page.locator('input[name=login]').fill(guest);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: /sign-in/i }).click();
  await page.getByRole('button', { name: 'Continue' }).click();

  // Back on the landing page, fragment and all, signed in: accept.
  await page.waitForURL((u) => `${u.origin}${u.pathname}` === `${WEB}/invite`);
  await expect(page.getByTestId('who')).toContainText(guest);
  await axeScan(page, 'OIDC: the landing page signed in through the provider', scans);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/resources/'));

  // The token in use is the provider's (RS256, its issuer), and the API took it through the authorizer.
  const token = (await page.evaluate(() => sessionStorage.getItem('invites-token')))!;
  const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
  expect(header.alg).toBe('RS256');
  expect(payload).toMatchObject({ email: guest, email_verified: true, aud: 'invites-web' });
  const mine = await fetch(`${API}/v1/me/resources`, { headers: { authorization: `Bearer ${token}` } });
  expect(mine.status).toBe(200);
  expect(JSON.stringify(await mine.json())).toContain(resourceName);

  // Sign out: the provider's session ends too, then back to the app, signed out.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: /yes, sign me out/i }).click();
  await page.waitForURL((u) => `${u.origin}${u.pathname}` === `${WEB}/`);
  await expect(page.locator('header').getByRole('link', { name: 'Sign in' })).toBeVisible();
  console.log(`oidc: signed in at the provider as ${guest}, accepted, signed out; the API read the RS256 ID token's claims`);
});

test('tokens the JWT authorizer refuses: expired, for another audience, not signed by the issuer', async () => {
  const { issuer, clientId } = JSON.parse(readFileSync(process.env.OIDC_KEY_FILE!, 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: clientId, sub: 'oidc-minted', email: 'minted@example.com', email_verified: true, iat: now };
  expect(await me(mint({ ...claims, exp: now + 300 })), 'a valid token passes (so the refusals below are the checks)').toBe(200);
  const expired = await fetch(`${API}/v1/me/invites`, { headers: { authorization: `Bearer ${mint({ ...claims, exp: now - 60 })}` } });
  expect(expired.status).toBe(401);
  expect(await expired.json()).toEqual({ message: 'Unauthorized' });
  expect(await me(mint({ ...claims, aud: 'another-client', exp: now + 300 }))).toBe(401);
  const forged = mint({ ...claims, exp: now + 300 }).replace(/\.[^.]+$/, `.${b64(Buffer.alloc(256, 1))}`);
  expect(await me(forged)).toBe(401);
  expect(await me(mint({ ...claims, iss: 'https://elsewhere.example.com', exp: now + 300 }))).toBe(401);
  console.log('oidc: the JWT authorizer stand-in refused an expired token, another audience, a forged signature and another issuer (401), and let a valid one through');
});
