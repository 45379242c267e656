// What more than one spec of the browser suite needs.

import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';

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
