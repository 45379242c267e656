// The seed story through the UI, in Debian's chromium against the local stack
// (scripts/web-test.sh): an owner invites, copies a link, resends; the invitee
// opens the e-mailed link, signs in and accepts; the wrong-account,
// not-verified, revoked and declined screens; roles, removal, leaving, the
// audit trail. Every screen reached is scanned with axe (0 serious/critical).

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

test.describe.configure({ mode: 'serial' });

const INBOX = process.env.INVITES_SES_INBOX_URL!;
const WEB = process.env.WEB_URL ?? 'http://127.0.0.1:5173';
const SHOTS = process.env.UPDATE_SCREENSHOTS ? '../docs/screenshots' : 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });
const run = Date.now().toString(36);
const addr = (who: string) => `${who}-${run}@example.com`;
const OWNER = { sub: `owner-${run}`, email: addr('owner'), name: 'Site Owner' };
const ADMIN = { sub: `admin-${run}`, email: addr('ann'), name: 'Ann Admin' };
const READER = { sub: `reader-${run}`, email: addr('rita'), name: 'Rita Reader' };
const GUEST = addr('guest');
const scans: { screen: string; serious: number; critical: number; total: number }[] = [];
let rid = '';

async function signIn(page: Page, who: { sub: string; email: string; name: string }, returnTo = '/', verified = true) {
  await page.goto(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
  await page.getByLabel('User id').fill(who.sub);
  await page.getByLabel('E-mail', { exact: true }).fill(who.email);
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('E-mail verified').setChecked(verified);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

async function scan(page: Page, screen: string) {
  await page.waitForLoadState('networkidle');
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  const count = (impact: string) => result.violations.filter((v) => v.impact === impact).length;
  const entry = { screen, serious: count('serious'), critical: count('critical'), total: result.violations.length };
  scans.push(entry);
  console.log(`axe ${screen}: ${entry.critical} critical, ${entry.serious} serious, ${entry.total} in all`);
  for (const v of result.violations) console.log(`  ${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(entry.serious + entry.critical, `serious or critical violations on ${screen}`).toBe(0);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** The e-mails the SES emulator holds for an address, oldest first. */
async function mails(to: string): Promise<{ subject: string; text: string; html: string }[]> {
  const store = await (await fetch(`${INBOX}/store`)).json();
  return store.emails
    .filter((e: any) => e.destination.to.includes(to))
    .map((e: any) => ({ subject: e.subject, text: e.body.text as string, html: e.body.html as string }));
}

/** The e-mail is a screen too: its HTML part rendered at desktop width and at 375 px. */
async function emailShots(page: Page, to: string, name: string) {
  const mail = (await mails(to)).at(-1)!;
  const view = await page.context().newPage();
  await view.setContent(mail.html);
  for (const [width, suffix] of [[1280, 'desktop'], [375, '375']] as const) {
    await view.setViewportSize({ width, height: 900 });
    // The long raw link wraps: nothing is wider than the screen.
    expect(await view.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await view.screenshot({ path: `${SHOTS}/email-${name}-${suffix}.png`, fullPage: true });
  }
  await view.close();
}

/** The invite link of the newest e-mail to `to`, opened at this test's origin. */
async function linkFor(to: string, count = 1): Promise<string> {
  await expect.poll(async () => (await mails(to)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(count);
  const text = (await mails(to)).at(-1)!.text;
  const url = new URL(text.match(/https?:\/\/\S+#token=\S+/)![0]);
  return new URL(`${url.pathname}${url.search}${url.hash}`, WEB).href;
}

function invitesRow(page: Page, email: string) {
  return page.locator('invite-admin').locator(`tr[data-email="${email}"]`);
}

async function menu(page: Page, email: string, item: string) {
  await page.getByRole('button', { name: `Actions for ${email}` }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

test('the owner creates a resource and invites people', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, OWNER);
  await scan(page, 'home (signed in, empty)');
  await page.getByLabel('Name', { exact: true }).fill('Marketing site');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resource\?rid=/);
  rid = new URL(page.url()).searchParams.get('rid')!;
  await expect(page.getByText('0 of 10 seats used')).toBeVisible();

  // A clear error next to the field.
  await page.getByLabel('E-mail address').fill('not-an-address');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('Enter a valid e-mail address')).toBeVisible();
  await expect(page.getByLabel('E-mail address')).toHaveAttribute('aria-invalid', 'true');
  await scan(page, 'users & invites: field error');

  await page.getByLabel('E-mail address').fill(ADMIN.email);
  await page.getByLabel('Role').selectOption('admin');
  await page.getByLabel('Personal message (optional)').fill('Welcome aboard, Ann!');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${ADMIN.email}.`)).toBeVisible();
  await page.getByLabel('E-mail address').fill(READER.email);
  await page.getByLabel('Role').selectOption('read_only');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${READER.email}.`)).toBeVisible();
  await page.getByLabel('E-mail address').fill(READER.email);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('An invitation to this address is already pending.')).toBeVisible();

  await expect(invitesRow(page, ADMIN.email)).toContainText('Pending');
  await expect(invitesRow(page, READER.email)).toContainText('Pending');
  await expect(page.getByText('2 of 10 seats used')).toBeVisible();

  // Copy link: clipboard plus a visible confirmation.
  await menu(page, ADMIN.email, 'Copy invite link');
  await expect(page.getByText('Invite link copied.')).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('#token=');
  await scan(page, 'users & invites: pending');

  // Resend keeps the link.
  const first = await linkFor(ADMIN.email);
  await menu(page, ADMIN.email, 'Resend invite');
  await expect(page.getByText(`Invitation resent to ${ADMIN.email}. The link stays the same.`)).toBeVisible();
  expect(await linkFor(ADMIN.email, 2)).toBe(first);
  await emailShots(page, ADMIN.email, 'en');
  expect(new URL(copied).hash).toBe(new URL(first).hash);
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, 'users-and-invites');
  // Again at once: the wait is shown.
  await menu(page, ADMIN.email, 'Resend invite');
  await expect(page.getByText(/Too many attempts. Try again in/)).toBeVisible();
  await expect(invitesRow(page, ADMIN.email)).toContainText(/Sent|Queued/);

  // The ⋯ menu works from the keyboard.
  await page.getByRole('button', { name: `Actions for ${READER.email}` }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Resend invite' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Copy invite link' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
});

test('the invitee opens the e-mailed link, signs in and accepts', async ({ page }) => {
  const link = await linkFor(ADMIN.email);
  const mail = (await mails(ADMIN.email))[0];
  expect(mail.subject).toContain('Marketing site');
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Site Owner invited you to Marketing site' })).toBeVisible();
  await expect(page.getByText('Welcome aboard, Ann!')).toBeVisible();
  await expect(page.getByText(/Sign in or create an account with a\*\*\*@example.com/)).toBeVisible();
  await scan(page, 'landing: signed out');
  await page.setViewportSize({ width: 1280, height: 800 });
  await shot(page, 'landing-desktop');
  await page.setViewportSize({ width: 375, height: 800 });
  await shot(page, 'landing-375');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Signed in with another verified address: the wrong-account screen.
  await page.getByRole('link', { name: 'Sign in or create an account' }).click();
  await page.getByLabel('User id').fill(`someone-${run}`);
  await page.getByLabel('E-mail', { exact: true }).fill(addr('someone'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/invite#token=/);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('heading', { name: 'This invitation is for another account' })).toBeVisible();
  await expect(page.getByText(`You are signed in as ${addr('someone')}`)).toBeVisible();
  await scan(page, 'landing: wrong account');
  await shot(page, 'landing-wrong-account');

  // Not verified.
  await signIn(page, ADMIN, new URL(link).pathname + new URL(link).hash, false);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('heading', { name: 'Verify your e-mail address first' })).toBeVisible();
  await scan(page, 'landing: not verified');

  // The right account: accept and land on the resource.
  await signIn(page, ADMIN, new URL(link).pathname + new URL(link).hash);
  await scan(page, 'landing: pending, signed in');
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL(/\/resource\?rid=/);
  await expect(page.getByText('Marketing site · Administrator')).toBeVisible();
  await scan(page, 'resource after accept');

  // The link again: already used.
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'This invitation was already used' })).toBeVisible();
  await scan(page, 'landing: already used');
});

test('the reader accepts from "my invitations"; a guest declines; a revoked link', async ({ page }) => {
  await signIn(page, READER);
  const mine = page.locator('my-invitations');
  await expect(mine.locator('li[data-resource="Marketing site"]')).toBeVisible();
  await scan(page, 'home: my invitations');
  await mine.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByText('Joined Marketing site.')).toBeVisible();
  await expect(page.locator('my-resources').getByRole('button', { name: 'Leave Marketing site' })).toBeVisible();

  // The owner invites a guest, who declines through the link.
  await signIn(page, OWNER, `/resource?rid=${rid}`);
  await page.getByLabel('E-mail address').fill(GUEST);
  await page.getByLabel('E-mail language').selectOption('de');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${GUEST}.`)).toBeVisible();
  const guestLink = await linkFor(GUEST);
  expect((await mails(GUEST))[0].subject).toBe('Site Owner hat Sie zu Marketing site eingeladen');
  await emailShots(page, GUEST, 'de');
  await page.goto(guestLink);
  await page.getByRole('button', { name: 'Decline' }).click();
  await scan(page, 'landing: confirm decline');
  await page.getByRole('dialog').getByRole('button', { name: 'Decline' }).click();
  await expect(page.getByRole('heading', { name: 'You declined the invitation' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'This invitation was declined' })).toBeVisible();
  await scan(page, 'landing: declined');

  // A revoked link.
  const late = addr('late');
  await page.goto(`/resource?rid=${rid}`);
  await page.getByLabel('E-mail address').fill(late);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${late}.`)).toBeVisible();
  const lateLink = await linkFor(late);
  await menu(page, late, 'Delete');
  await expect(page.getByRole('dialog')).toContainText('Deleting is permanent');
  await expect(page.getByRole('dialog')).toContainText('no notification is sent');
  await scan(page, 'users & invites: delete confirmation');
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(`Invitation to ${late} deleted.`)).toBeVisible();
  await page.goto(lateLink);
  await expect(page.getByRole('heading', { name: 'This invitation was withdrawn' })).toBeVisible();
  await scan(page, 'landing: revoked');
  await shot(page, 'landing-revoked');
  await page.goto('/invite#token=AQGnot-a-real-token');
  await expect(page.getByRole('heading', { name: 'This invitation link does not work' })).toBeVisible();
  await scan(page, 'landing: not found');
});

test('roles, removal, leaving and the audit trail', async ({ page }) => {
  await signIn(page, OWNER, `/resource?rid=${rid}`);
  await page.getByRole('tab', { name: 'Members' }).click();
  await expect(page.locator('tr[data-user]')).toHaveCount(3);
  await expect(page.locator(`tr[data-user="${OWNER.sub}"] select`)).toHaveCount(0);
  await scan(page, 'users & invites: members');
  await page.getByLabel(`Role of ${READER.name}`).selectOption('admin');
  await expect(page.getByText('Role changed to Administrator.')).toBeVisible();
  await page.getByRole('button', { name: `Remove: ${ADMIN.name}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByText(`${ADMIN.name} was removed.`)).toBeVisible();
  await expect(page.locator('tr[data-user]')).toHaveCount(2);

  // The reader (now admin) leaves.
  await signIn(page, READER);
  await page.locator('my-resources').getByRole('button', { name: 'Leave Marketing site' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Leave' }).click();
  await expect(page.getByText('You left Marketing site.')).toBeVisible();
  await scan(page, 'home: my resources after leaving');

  await signIn(page, OWNER, `/resource?rid=${rid}`);
  await page.getByRole('tab', { name: 'Audit trail' }).click();
  const actions = await page.locator('tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
  for (const a of ['resource.created', 'invite.created', 'invite.link_copied', 'invite.resent', 'invite.accepted', 'invite.declined', 'invite.revoked', 'member.role_changed', 'member.removed', 'member.left']) {
    expect(actions, a).toContain(a);
  }
  await scan(page, 'users & invites: audit');

  // German.
  await page.goto(`/resource?rid=${rid}&lang=de`);
  await expect(page.getByRole('heading', { name: 'Benutzer & Einladungen' })).toBeVisible();
  await scan(page, 'users & invites: German');
  await page.goto('/?lang=en');
});

test.afterAll(() => {
  console.log(`axe: ${scans.length} screens scanned, ${scans.reduce((n, s) => n + s.serious + s.critical, 0)} serious or critical violations`);
});
