// The seed story through the UI, in Debian's chromium against the local stack
// (scripts/web-test.sh): an owner invites, copies a link, resends; the invitee
// opens the e-mailed link, signs in and accepts; the wrong-account,
// not-verified, expired, already-a-member, revoked, declined and not-found
// screens; roles, removal, leaving, the audit trail. Every screen reached is
// scanned with axe (0 serious/critical), and a summary per screen is printed.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { API, axeScan, call, devToken, type AxeEntry } from './helpers';
import { LOCALES } from '../src/config';

test.describe.configure({ mode: 'serial' });

// What the page itself reports goes to the output, so that a failure in CI
// says whether a script threw or a request never completed (a blank page
// after a redirect was seen once). `net::ERR_ABORTED` for modules of a page
// the story has just navigated away from is expected.
test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.log(`page error on ${page.url()}: ${e.message}`));
  page.on('requestfailed', (r) => console.log(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
});

const INBOX = process.env.INVITES_SES_INBOX_URL!;
const WEB = process.env.WEB_URL ?? 'http://127.0.0.1:5173';
const SHOTS = process.env.UPDATE_SCREENSHOTS ? '../docs/screenshots' : 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });
const run = Date.now().toString(36).slice(-5);
const addr = (who: string) => `${who}.${run}@example.com`;
const OWNER = { sub: `owner-${run}`, email: addr('owner'), name: 'Site Owner' };
const ADMIN = { sub: `ann-${run}`, email: addr('ann'), name: 'Ann Admin' };
const READER = { sub: `rita-${run}`, email: addr('rita'), name: 'Rita Reader' };
const GUEST = addr('guest');
const scans: AxeEntry[] = [];
let rid = '';

/** What the operator's billing backend does (IAM-signed in AWS; a dev service token locally). */
async function setPlan(resourceId: string, plan: { seatLimit?: number; invitesEnabled?: boolean }) {
  const res = await fetch(`${API}/v1/service/resources/${resourceId}/plan`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${devToken({ sub: 'billing', scope: 'invites:service' })}`, 'content-type': 'application/json' },
    body: JSON.stringify(plan),
  });
  expect(res.status).toBe(200);
}

async function signIn(page: Page, who: { sub: string; email: string; name: string }, returnTo = '/', verified = true) {
  await page.goto(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
  await page.getByLabel('User id').fill(who.sub);
  await page.getByLabel('E-mail', { exact: true }).fill(who.email);
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('E-mail verified').setChecked(verified);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

const scan = (page: Page, screen: string) => axeScan(page, screen, scans);

async function shot(page: Page, name: string, width = 1280) {
  await page.setViewportSize({ width, height: 800 });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
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

/** The invite link of the newest e-mail to `to`, opened at this test's origin (path and fragment kept). */
async function linkFor(to: string, count = 1): Promise<string> {
  await expect.poll(async () => (await mails(to)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(count);
  const text = (await mails(to)).at(-1)!.text;
  const url = new URL(text.match(/https?:\/\/\S+#token=\S+/)![0]);
  return new URL(`${url.pathname}${url.search}${url.hash}`, WEB).href;
}

/**
 * SES reports a hard bounce of the newest e-mail to `to`: the sample SNS
 * event `events/ses-bounce-hard.json`, aimed at that message, handed to the
 * running `delivery-events` function (the local SES emulator publishes no
 * events). The invite id comes from the API, as the signed-in owner.
 */
async function bounce(page: Page, to: string) {
  const messageId = (await (await fetch(`${INBOX}/store`)).json()).emails.filter((e: any) => e.destination.to.includes(to)).at(-1).messageId;
  const token = await page.evaluate(() => sessionStorage.getItem('invites-token'));
  const list = await (await fetch(`${API}/v1/resources/${rid}/invites?status=pending`, { headers: { authorization: `Bearer ${token}` } })).json();
  const iid = list.items.find((i: any) => i.email === to).id;
  const sample = JSON.parse(readFileSync('../events/ses-bounce-hard.json', 'utf8'));
  const message = JSON.parse(sample.Records[0].Sns.Message);
  message.mail.messageId = messageId;
  message.mail.tags.resourceId = [rid];
  message.mail.tags.inviteId = [iid];
  sample.Records[0].Sns.Message = JSON.stringify(message);
  const r = await fetch(`${API}/2015-03-31/functions/delivery-events/invocations`, { method: 'POST', body: JSON.stringify(sample) });
  expect(r.status).toBe(200);
}

const inApp = (link: string) => new URL(link).pathname + new URL(link).hash;

function invitesRow(page: Page, email: string) {
  return page.locator('invite-admin').locator(`tr[data-email="${email}"]`);
}

async function menu(page: Page, email: string, item: string) {
  await page.getByRole('button', { name: `Actions for ${email}` }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

async function invite(page: Page, email: string, role: 'admin' | 'read_only' = 'read_only') {
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${email}.`)).toBeVisible();
}

test('the owner creates a resource and invites people', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await scan(page, 'home (signed out)');
  await signIn(page, OWNER);
  await scan(page, 'home: resources (signed in, none yet)');
  await page.getByLabel('Resource name').fill('Marketing site');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resources\/\w+$/);
  rid = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByText('0 of 10 seats used')).toBeVisible();
  await scan(page, 'users & invites: empty');

  // Reminders: on by default, per invite; an owner can turn them off for the resource.
  const perInvite = page.getByLabel('Send one reminder before it expires');
  await expect(perInvite).toBeChecked();
  const remindAll = page.getByRole('switch', { name: 'Remind invitees before their invitation expires' });
  await remindAll.uncheck();
  await expect(page.getByText('No more reminders for this resource.')).toBeVisible();
  await expect(perInvite).toBeDisabled();
  await expect(page.getByText('Reminders are off for this resource')).toBeVisible();
  await remindAll.check();
  await expect(page.getByText('Invitees get one reminder before their invitation expires.')).toBeVisible();
  await expect(perInvite).toBeEnabled();
  await expect(perInvite).toBeChecked();

  // A clear error next to the field.
  await page.getByLabel('E-mail address').fill('not-an-address');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('Enter a valid e-mail address')).toBeVisible();
  await expect(page.getByLabel('E-mail address')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('E-mail address')).toBeFocused();
  await scan(page, 'users & invites: field error');

  await page.getByLabel('E-mail address').fill(ADMIN.email);
  await page.getByLabel('Role', { exact: true }).selectOption('admin');
  await page.getByLabel('Personal message (optional)').fill('Welcome aboard, Ann! You will look after the site with me.');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${ADMIN.email}.`)).toBeVisible();
  await invite(page, READER.email);
  await page.getByLabel('E-mail address').fill(READER.email);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('An invitation to this address is already pending.')).toBeVisible();
  await page.getByLabel('E-mail address').fill('');

  await expect(invitesRow(page, ADMIN.email)).toContainText('Pending');
  await expect(invitesRow(page, READER.email)).toContainText('Pending');
  await expect(page.getByText('2 of 10 seats used')).toBeVisible();

  // Copy link: clipboard plus a visible confirmation, and the link in a field.
  await menu(page, ADMIN.email, 'Copy invite link');
  await expect(page.getByText('Invite link copied.')).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('#token=');
  await expect(page.getByLabel('Invite link')).toHaveValue(copied);
  await scan(page, 'users & invites: pending, link copied');

  // Resend keeps the link.
  const first = await linkFor(ADMIN.email);
  expect(new URL(copied).hash).toBe(new URL(first).hash);
  await menu(page, ADMIN.email, 'Resend invite');
  await expect(page.getByText(`Invitation resent to ${ADMIN.email}. The link stays the same.`)).toBeVisible();
  expect(await linkFor(ADMIN.email, 2)).toBe(first);
  await emailShots(page, ADMIN.email, 'en');
  // Again at once: the wait is shown.
  await menu(page, ADMIN.email, 'Resend invite');
  await expect(page.getByText(/Too many attempts. Try again in \d+ minutes?\./)).toBeVisible();
  await expect(invitesRow(page, ADMIN.email)).toContainText(/Sent|Queued/);
  await scan(page, 'users & invites: rate limited');

  // Change an invite's role from its menu (and back).
  await menu(page, READER.email, 'Change role to Administrator');
  await expect(page.getByText(`The invitation to ${READER.email} now grants Administrator.`)).toBeVisible();
  await expect(invitesRow(page, READER.email)).toContainText('Administrator');
  await menu(page, READER.email, 'Change role to Read-only');
  await expect(invitesRow(page, READER.email)).toContainText('Read-only');

  // The ⋯ menu works from the keyboard; Escape closes it and focus returns.
  const more = page.getByRole('button', { name: `Actions for ${READER.email}` });
  await more.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Resend invite' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Copy invite link' })).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByRole('menuitem', { name: 'Delete' })).toBeFocused();
  await scan(page, 'users & invites: row menu open');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(more).toBeFocused();

  // Filter tabs.
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await expect(page.getByRole('button', { name: 'All', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Accepted', exact: true }).click();
  await expect(page.getByText('Nothing here.')).toBeVisible();
  await page.getByRole('button', { name: 'Pending', exact: true }).click();
  await expect(invitesRow(page, READER.email)).toBeVisible();

  await shot(page, 'users-and-invites');
  await shot(page, 'users-and-invites-375', 375);
  await page.setViewportSize({ width: 375, height: 800 });
  await scan(page, 'users & invites: 375 px');
  await page.setViewportSize({ width: 1280, height: 800 });
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
  await shot(page, 'landing-desktop');
  await shot(page, 'landing-375', 375);

  // Signed in with another verified address: the wrong-account screen. The
  // token stays in the page across the sign-in: no request carries it (not
  // even as returnTo), and the landing page has it back afterwards.
  const token = new URL(link).hash.replace(/^#token=/, '');
  const requested: string[] = [];
  const record = (r: { url(): string }) => requested.push(r.url());
  page.on('request', record);
  await page.getByRole('link', { name: 'Sign in or create an account' }).click();
  await page.getByLabel('User id').fill(`someone-${run}`);
  await page.getByLabel('E-mail', { exact: true }).fill(addr('someone'));
  await page.getByLabel('Name').fill('Sam Someone');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/invite#token=/);
  page.off('request', record);
  expect(requested.some((u) => new URL(u).pathname === '/signin'), 'the sign-in page was loaded').toBe(true);
  expect(requested.filter((u) => u.includes(token)), 'requests that carried the invite token').toEqual([]);
  await expect(page.getByText(`Signed in as ${addr('someone')}.`)).toBeVisible();
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('heading', { name: 'This invitation is for another account' })).toBeVisible();
  await expect(page.getByText(`You are signed in as ${addr('someone')}, but the invitation was sent to a***@example.com.`)).toBeVisible();
  await scan(page, 'landing: wrong account');
  await shot(page, 'landing-wrong-account');
  // "Switch account" goes to sign-in and comes back to this link.
  const landingPath = new URL(link).pathname + new URL(link).search;
  await expect(page.locator('invite-landing').getByRole('link', { name: 'Switch account' })).toHaveAttribute('href', `/signin?returnTo=${encodeURIComponent(landingPath)}`);

  // Not verified.
  await signIn(page, ADMIN, inApp(link), false);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('heading', { name: 'Verify your e-mail address first' })).toBeVisible();
  await scan(page, 'landing: not verified');
  await shot(page, 'landing-not-verified');

  // The states the clock or another account makes, shown from the API's real answers changed in flight.
  await page.route('**/v1/invites/lookup', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...(await response.json()), status: 'expired' } });
  });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'This invitation has expired' })).toBeVisible();
  await expect(page.getByText(/The invitation to Marketing site ran out on .+\. Ask Site Owner to send you a new one\./)).toBeVisible();
  await scan(page, 'landing: expired');
  await shot(page, 'landing-expired');
  await page.unroute('**/v1/invites/lookup');
  await page.route('**/v1/invites/accept', (route) =>
    route.fulfill({ status: 409, json: { error: { code: 'already_member', message: 'already a member' } } }),
  );
  await signIn(page, ADMIN, inApp(link));
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('heading', { name: 'You already have access' })).toBeVisible();
  await scan(page, 'landing: already a member');
  await page.unroute('**/v1/invites/accept');

  // The right account: accept and go where the invite's redirectUrl says
  // (the real answer, with a redirectUrl as an invite made with one returns it).
  await page.reload();
  await expect(page.getByText(`Signed in as ${ADMIN.email}.`)).toBeVisible();
  await scan(page, 'landing: pending, signed in');
  const welcome = new URL(`/resources/${rid}?welcome=1`, page.url()).href;
  // Once only: removing a route (unroute) while the next page's requests are
  // in flight can leave them paused, a page that never runs its script (the
  // blank page this story met in full runs).
  await page.route(
    '**/v1/invites/accept',
    async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), redirectUrl: welcome } });
    },
    { times: 1 },
  );
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL(welcome);
  await expect(page.getByText('Marketing site · Administrator')).toBeVisible();
  await scan(page, 'resource after accept (users & invites as admin)');

  // The link again: already used.
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'This invitation was already used' })).toBeVisible();
  await scan(page, 'landing: already used');
});

test('the reader accepts from "my invitations"; a guest declines; a revoked link', async ({ page }) => {
  await signIn(page, READER, '/me');
  const mine = page.locator('my-invitations');
  await expect(mine.locator('li[data-resource="Marketing site"]')).toBeVisible();
  await scan(page, 'my invitations and resources');
  await shot(page, 'my-invitations');
  await mine.getByRole('button', { name: 'Accept Marketing site' }).click();
  await expect(page.getByText('Joined Marketing site.')).toBeVisible();
  await expect(page.locator('my-resources').getByRole('button', { name: 'Leave Marketing site' })).toBeVisible();

  // The owner invites a guest (German e-mail), who declines through the link.
  await signIn(page, OWNER, `/resources/${rid}`);
  await page.getByLabel('E-mail address').fill(GUEST);
  await page.getByLabel('E-mail language', { exact: true }).selectOption('de');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${GUEST}.`)).toBeVisible();
  const guestLink = await linkFor(GUEST);
  expect((await mails(GUEST))[0].subject).toBe('Site Owner hat Sie zu Marketing site eingeladen');
  await emailShots(page, GUEST, 'de');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(`${guestLink.replace('#', '?lang=de#')}`);
  await expect(page.getByRole('heading', { name: 'Site Owner hat Sie zu Marketing site eingeladen' })).toBeVisible();
  await scan(page, 'landing: German, signed out');
  await shot(page, 'landing-de-375', 375);
  await page.goto(`${guestLink.replace('#', '?lang=en#')}`);
  await page.getByRole('button', { name: 'Decline' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await scan(page, 'landing: confirm decline');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Decline' })).toBeFocused();
  await page.getByRole('button', { name: 'Decline' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Decline' }).click();
  await expect(page.getByRole('heading', { name: 'You declined the invitation' })).toBeVisible();
  await scan(page, 'landing: declined just now');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'This invitation was declined' })).toBeVisible();
  await scan(page, 'landing: declined');

  // A revoked link.
  const late = addr('late');
  await signIn(page, OWNER, `/resources/${rid}`);
  await invite(page, late);
  const lateLink = await linkFor(late);
  await menu(page, late, 'Delete');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Deleting is permanent');
  await expect(dialog).toContainText('stops working at once');
  await expect(dialog).toContainText('no notification is sent');
  await scan(page, 'users & invites: delete confirmation');
  await dialog.getByRole('button', { name: 'Delete invitation' }).click();
  await expect(page.getByText(`Invitation to ${late} deleted.`)).toBeVisible();
  await expect(invitesRow(page, late)).toHaveCount(0);
  await page.goto(lateLink);
  await expect(page.getByRole('heading', { name: 'This invitation was withdrawn' })).toBeVisible();
  await scan(page, 'landing: revoked');
  await shot(page, 'landing-revoked');
  await page.goto('/invite#token=AQGnot-a-real-token');
  await expect(page.getByRole('heading', { name: 'This invitation link does not work' })).toBeVisible();
  await scan(page, 'landing: not found');
  await page.goto('/invite');
  await expect(page.getByRole('heading', { name: 'No invitation here' })).toBeVisible();
  await scan(page, 'landing: no token');
  // Older links carry the token in the query string.
  await page.goto(`/invite?token=${encodeURIComponent(new URLSearchParams(new URL(lateLink).hash.slice(1)).get('token')!)}`);
  await expect(page.getByRole('heading', { name: 'This invitation was withdrawn' })).toBeVisible();

  // An e-mail that bounces: SES's event shows in the list, the invite is
  // undeliverable, its link says so, and a resend asks before sending anyway.
  const gone = addr('nobody');
  await signIn(page, OWNER, `/resources/${rid}`);
  await invite(page, gone);
  const goneLink = await linkFor(gone);
  await bounce(page, gone);
  await page.locator('invite-admin').getByRole('button', { name: /^Undeliverable/ }).click();
  const row = invitesRow(page, gone);
  await expect(row).toContainText('Bounced');
  await expect(row).toContainText('does not exist or refuses mail');
  await expect(row).toContainText('550 5.1.1');
  await scan(page, 'users & invites: bounced');
  await shot(page, 'users-and-invites-bounced');
  await menu(page, gone, 'Resend');
  const ask = page.getByRole('dialog');
  await expect(ask).toContainText('bounced for good or was marked as spam');
  await scan(page, 'users & invites: send anyway?');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toContainText('Undeliverable');
  await page.goto(goneLink);
  await expect(page.getByRole('heading', { name: 'This invitation is on hold' })).toBeVisible();
  await scan(page, 'landing: undeliverable');
});

test('roles, removal, leaving and the audit trail', async ({ page }) => {
  // Ann (an admin) sends an invitation of her own before she is removed.
  const ann = devToken({ sub: ADMIN.sub, email: ADMIN.email, email_verified: true, name: ADMIN.name });
  const sent = await fetch(`${API}/v1/resources/${rid}/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ann}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: addr('handed'), role: 'read_only' }),
  });
  expect(sent.status, await sent.text()).toBe(201);
  await signIn(page, OWNER, `/resources/${rid}`);
  await page.getByRole('tab', { name: 'Invites' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Members' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('tr[data-user]')).toHaveCount(3);
  await expect(page.locator(`tr[data-user="${OWNER.sub}"] select`)).toHaveCount(0);
  await expect(page.locator(`tr[data-user="${OWNER.sub}"] button`)).toHaveCount(0);
  await scan(page, 'users & invites: members');
  await page.getByLabel(`Role of ${READER.name}`).selectOption('admin');
  await expect(page.getByText(`${READER.name} is now Administrator.`)).toBeVisible();
  await shot(page, 'members');
  await page.getByRole('button', { name: `Remove ${ADMIN.name}` }).click();
  await expect(page.getByRole('dialog')).toContainText(`${ADMIN.name} loses access to Marketing site at once.`);
  await scan(page, 'users & invites: remove confirmation');
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByText(`${ADMIN.name} was removed.`)).toBeVisible();
  await expect(page.locator('tr[data-user]')).toHaveCount(2);
  // What she handed out stopped with her access, and the list says why.
  await page.getByRole('tab', { name: 'Invites' }).click();
  const handed = page.locator(`tr[data-email="${addr('handed')}"]`);
  await expect(handed.locator('.badge.withdrawn')).toHaveText('Stopped');
  await expect(handed).toContainText(`${ADMIN.name} no longer manages this resource`);
  await handed.getByRole('button', { name: `Actions for ${addr('handed')}` }).click();
  await expect(page.getByRole('menuitem', { name: 'Resend invite' })).toHaveCount(0);
  await expect(page.getByRole('menuitem')).not.toHaveCount(0);
  await page.keyboard.press('Escape');
  await scan(page, 'users & invites: an invitation stopped with its sender');

  // The reader (now admin) leaves; the owner cannot.
  await signIn(page, READER, '/me');
  await page.locator('my-resources').getByRole('button', { name: 'Leave Marketing site' }).click();
  await expect(page.getByRole('dialog')).toContainText('You lose access at once.');
  await page.getByRole('dialog').getByRole('button', { name: 'Leave' }).click();
  await expect(page.getByText('You left Marketing site.')).toBeVisible();
  await scan(page, 'my resources after leaving');

  await signIn(page, OWNER, `/resources/${rid}`);
  await page.getByRole('tab', { name: 'Audit trail' }).click();
  const rows = page.locator('tr[data-action]');
  await expect(rows.first()).toBeVisible();
  // Paged with the cursor: load everything.
  const loadMore = page.getByRole('button', { name: 'Load more' });
  while (await loadMore.isVisible()) {
    const before = await rows.count();
    await loadMore.click();
    await expect.poll(() => rows.count()).toBeGreaterThan(before);
  }
  const actions = await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-action')));
  for (const a of ['resource.created', 'resource.updated', 'invite.created', 'invite.link_copied', 'invite.resent', 'invite.role_changed', 'invite.accepted', 'invite.declined', 'invite.revoked', 'member.role_changed', 'member.removed', 'member.left']) {
    expect(actions, a).toContain(a);
  }
  // Newest first, in words.
  // (People who have left are named by the address their invitation went to: audit entries carry ids only.)
  await expect(rows.first()).toContainText(`${READER.email} left the resource`);
  await expect(page.getByText(`Site Owner invited ${ADMIN.email} as Administrator`)).toBeVisible();
  // (Ann is named: her own invitation carries her name.)
  await expect(page.getByText(`Site Owner removed ${ADMIN.name}. The invitations and team links they made stopped working.`)).toBeVisible();
  await expect(page.getByText(`Site Owner changed the role of ${READER.email} from Read-only to Administrator`)).toBeVisible();
  await expect(page.getByText(`Site Owner deleted the invitation to ${addr('late')}`)).toBeVisible();
  await expect(page.getByText('Site Owner turned reminders off')).toBeVisible();
  await scan(page, 'users & invites: audit');
  await shot(page, 'audit');

  // The audit trail downloaded as CSV: every entry, and no cell a spreadsheet would run.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-${rid}-\\d{4}-\\d{2}-\\d{2}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.split('\r\n').filter(Boolean);
  expect(lines[0]).toBe('id,at,action,actor,subject,detail');
  expect(lines.length - 1).toBeGreaterThanOrEqual(actions.length);
  expect(lines.some((l) => l.includes(',member.left,'))).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: `Downloaded ${lines.length - 1} entries.` })).toBeVisible();
  await scan(page, 'users & invites: audit downloaded');

  // German.
  await page.goto(`/resources/${rid}?lang=de`);
  await expect(page.getByRole('heading', { name: 'Benutzer & Einladungen' })).toBeVisible();
  await scan(page, 'users & invites: German');
  await page.goto('/?lang=en');
});

test("a role of the deployment's own catalogue: invited, mailed, shown, and granting only at or below itself", async ({ page }) => {
  // The stack runs with tests/fixtures/roles.json: admin, editor (German: Redakteur), read_only.
  const EDITOR = { sub: `eddie-${run}`, email: addr('eddie'), name: 'Eddie Editor' };
  await signIn(page, OWNER);
  await page.getByLabel('Resource name').fill('Newsroom');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resources\/\w+$/);
  const newsroom = new URL(page.url()).pathname.split('/').at(-1)!;
  // The owner may grant every role of the catalogue, lowest first; each is explained.
  const picker = page.getByLabel('Role', { exact: true });
  await expect(picker.locator('option')).toHaveText(['Read-only', 'Editor', 'Administrator']);
  await expect(page.locator('#role-hint')).toContainText('Editor: Can write articles and invite editors and readers');
  await page.getByLabel('E-mail address').fill(EDITOR.email);
  await picker.selectOption('editor');
  await page.getByLabel('E-mail language', { exact: true }).selectOption('de');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${EDITOR.email}.`)).toBeVisible();
  await expect(invitesRow(page, EDITOR.email)).toContainText('Editor');

  // The e-mail names the role in the invitee's language, with what it may do.
  const link = await linkFor(EDITOR.email);
  expect((await mails(EDITOR.email))[0].text).toContain('als Redakteur beizutreten (kann Artikel schreiben und Redakteure und Leser einladen)');
  await emailShots(page, EDITOR.email, 'custom-role-de');
  // So does the landing page, in German.
  await signIn(page, EDITOR, '/me');
  const german = new URL(link);
  german.searchParams.set('lang', 'de');
  await page.goto(german.href);
  await expect(page.locator('invite-landing').getByText(/^Redakteur/)).toBeVisible();
  await expect(page.getByText('Kann Artikel schreiben und Redakteure und Leser einladen')).toBeVisible();
  await scan(page, 'landing: a custom role, German');
  await shot(page, 'landing-custom-role-de', 375);
  await page.getByRole('button', { name: 'Einladung annehmen' }).click();
  await page.waitForURL(/\/resources\//);
  await expect(page.getByText('Newsroom · Redakteur')).toBeVisible();
  await page.goto(`/resources/${newsroom}?lang=en`);

  // The editor invites only at or below their own role: no Administrator to pick,
  // no team links, domains or audit trail (their role may not).
  await expect(page.getByText('Newsroom · Editor')).toBeVisible();
  await expect(page.getByLabel('Role', { exact: true }).locator('option')).toHaveText(['Read-only', 'Editor']);
  await expect(page.getByRole('tab', { name: 'Audit trail' })).toHaveCount(0);
  await expect(page.locator('team-links')).toHaveCount(0);
  await scan(page, 'users & invites: as an editor');
  await shot(page, 'editor-invites', 375);
  // Asked directly, the API refuses the role above theirs.
  const editor = devToken({ sub: EDITOR.sub, email: EDITOR.email, email_verified: true, name: EDITOR.name });
  const above = await fetch(`${API}/v1/resources/${newsroom}/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: addr('above'), role: 'admin' }),
  });
  expect(above.status).toBe(403);
  expect((await above.json()).error.code).toBe('role_not_grantable');

  // The owner's member list shows the role by its label, the editor's picker only what they may assign.
  await signIn(page, OWNER, `/resources/${newsroom}`);
  await page.getByRole('tab', { name: 'Members' }).click();
  await expect(page.getByLabel(`Role of ${EDITOR.name}`)).toHaveValue('editor');
  await expect(page.getByLabel(`Role of ${EDITOR.name}`).locator('option:checked')).toHaveText('Editor');
  await scan(page, 'users & invites: members with a custom role');
  await signIn(page, EDITOR, `/resources/${newsroom}`);
  await page.getByRole('tab', { name: 'Members' }).click();
  await expect(page.locator(`tr[data-user="${OWNER.sub}"] select`)).toHaveCount(0);
  await expect(page.locator(`tr[data-user="${EDITOR.sub}"] select option`)).toHaveText(['Read-only', 'Editor']);
  // Only the owner may delete the resource.
  await expect(page.getByRole('button', { name: 'Delete resource…' })).toHaveCount(0);
});

test('the owner deletes a resource: the name typed to confirm, then its links answer as gone', async ({ page }) => {
  await signIn(page, OWNER);
  await page.getByLabel('Resource name').fill('Old project');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resources\/\w+$/);
  const old = new URL(page.url()).pathname.split('/').at(-1)!;
  await invite(page, addr('too-late'));
  const link = await linkFor(addr('too-late'));

  await page.getByRole('button', { name: 'Delete resource…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Everyone loses access to Old project at once');
  const confirm = dialog.getByRole('button', { name: 'Delete for good' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type its name, Old project, to confirm').fill('Old projec');
  await expect(confirm).toBeDisabled();
  await scan(page, 'users & invites: delete, the name typed');
  await dialog.getByLabel('Type its name, Old project, to confirm').fill('Old project');
  await expect(confirm).toBeEnabled();
  await shot(page, 'delete-resource', 375);
  await confirm.click();
  await expect(page.getByText('Old project was deleted. Nobody has access any more')).toBeVisible();
  await scan(page, 'users & invites: deleted');
  // Gone from the owner's list; its link answers as gone, before anyone signs in.
  await page.goto('/');
  await expect(page.getByText('Newsroom').first()).toBeVisible();
  await expect(page.getByText('Old project')).toHaveCount(0);
  await page.context().clearCookies();
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'This resource no longer exists' })).toBeVisible();
  await scan(page, 'landing: resource deleted');
  await shot(page, 'landing-deleted', 375);
  const r = await fetch(`${API}/v1/resources/${old}`, { headers: { authorization: `Bearer ${devToken({ sub: OWNER.sub, email: OWNER.email, email_verified: true })}` } });
  expect(r.status).toBe(404);
});

test('the owner invites several people at once from a CSV file', async ({ page }) => {
  await signIn(page, OWNER);
  await page.getByLabel('Resource name').fill('Offsite team');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resources\/\w+$/);
  await page.getByText('Invite several people').click();
  const csv = ['email;role', `${addr('bulk-one')};admin`, addr('bulk-two'), 'not-an-address', `${addr('BULK-ONE')}`, ''].join('\n');
  await page.getByLabel('Or choose a CSV file').setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByLabel('Addresses')).toHaveValue(csv);
  await page.getByRole('button', { name: 'Invite 4' }).click();
  await expect(page.getByText('2 invited, 2 not invited.')).toBeVisible();
  const refused = page.getByRole('region', { name: /Not invited \(2\)/ });
  await expect(refused).toContainText('not-an-address: Enter a valid e-mail address');
  await expect(refused).toContainText(`${addr('BULK-ONE')}: This address appears earlier in the list.`);
  // Only the refused lines stay in the box, to fix and send again.
  await expect(page.getByLabel('Addresses')).toHaveValue(`not-an-address, read_only\n${addr('BULK-ONE')}, read_only`);
  await expect(invitesRow(page, addr('bulk-one'))).toContainText('Administrator');
  await expect(invitesRow(page, addr('bulk-two'))).toContainText('Read-only');
  await expect(page.getByText('2 of 10 seats used')).toBeVisible();
  await scan(page, 'users & invites: bulk result');
  await shot(page, 'bulk-invite');
  await page.getByLabel('Addresses').fill(addr('bulk-three'));
  await page.getByRole('button', { name: 'Invite 1' }).click();
  await expect(page.getByText('1 invited, 0 not invited.')).toBeVisible();
  await expect(page.getByRole('region', { name: /Not invited/ })).toHaveCount(0);

  // The customer's plan shrinks to the 3 seats in use: nothing is taken
  // away, the screen says why nobody new can be invited and offers the upgrade.
  const offsite = page.url().split('/resources/')[1];
  await setPlan(offsite, { seatLimit: 3 });
  await page.reload();
  await expect(page.getByText('All 3 seats of your plan are taken.')).toBeVisible();
  await expect(page.getByText(/Upgrade to invite more/)).toBeVisible();
  await expect(invitesRow(page, addr('bulk-two'))).toBeVisible();
  await page.getByLabel('E-mail address').fill(addr('one-more'));
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(/All seats are taken\. Upgrade to invite more/)).toBeVisible();
  await scan(page, 'users & invites: plan full');
  // A plan without inviting: the form cannot be sent.
  await setPlan(offsite, { invitesEnabled: false });
  await page.reload();
  await expect(page.getByText('Your plan does not include inviting people.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send invitation' })).toBeDisabled();
  await scan(page, 'users & invites: plan without inviting');
  await shot(page, 'plan-upgrade');
  await page.getByRole('tab', { name: 'Audit trail' }).click();
  await expect(page.getByText('The plan changed: inviting on -> off')).toBeVisible();
});

test('a team link: the owner makes one, a person joins with it, the owner withdraws it', async ({ page }) => {
  await signIn(page, OWNER);
  await page.getByLabel('Resource name').fill('Book club');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resources\/\w+$/);
  const club = page.url().split('/resources/')[1];
  await page.getByRole('heading', { name: 'Team links' }).click();
  await page.getByLabel('Uses').fill('2');
  await page.getByRole('button', { name: 'Create and copy link' }).click();
  const links = page.locator('team-links');
  await expect(links.getByText('0 of 2 used')).toBeVisible();
  const owner = devToken({ sub: OWNER.sub, email: OWNER.email, email_verified: true });
  const listed = await (await fetch(`${API}/v1/resources/${club}/links`, { headers: { authorization: `Bearer ${owner}` } })).json();
  const link: string = listed.items[0].url;
  expect(link).toContain('#link=');
  await scan(page, 'users & invites: team links');
  await shot(page, 'team-links');

  // A person opens it, signs in and joins.
  const joiner = { sub: `tom-${run}`, email: addr('tom'), name: 'Tom Joiner' };
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(inApp(link));
  await expect(page.getByRole('heading', { name: 'Join Book club' })).toBeVisible();
  await expect(page.getByText(/Sign in or create an account with a verified e-mail address to join/)).toBeVisible();
  await scan(page, 'team link landing: signed out');
  await signIn(page, joiner, inApp(link));
  await expect(page.getByText(`Signed in as ${joiner.email}.`)).toBeVisible();
  await scan(page, 'team link landing: signed in');
  await shot(page, 'team-link-landing');
  await page.getByRole('button', { name: 'Join Book club' }).click();
  await page.waitForURL(new RegExp(`/resources/${club}$`));
  await expect(page.getByText('Book club · Read-only')).toBeVisible();

  // The owner sees the use and withdraws the link; it stops working.
  await signIn(page, OWNER, `/resources/${club}`);
  // Open by itself while a link works.
  await expect(links.getByText('1 of 2 used')).toBeVisible();
  await links.getByRole('button', { name: 'Withdraw' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await scan(page, 'team links: confirm withdraw');
  await page.getByRole('dialog').getByRole('button', { name: 'Withdraw' }).click();
  await expect(links.getByText('Team link withdrawn.')).toBeVisible();
  await expect(links.getByText('Withdrawn', { exact: true })).toBeVisible();
  await page.goto(inApp(link));
  await expect(page.getByRole('heading', { name: 'This team link was withdrawn' })).toBeVisible();
  await scan(page, 'team link landing: withdrawn');
});

test('a verified domain: the owner proves it with a DNS record, a colleague joins from "my invitations"', async ({ page }) => {
  const domain = `lab-${run}.test`;
  await signIn(page, OWNER);
  await page.getByLabel('Resource name').fill('Research lab');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resources\/\w+$/);
  const card = page.locator('verified-domains');
  await card.getByText('Verified domains').click();
  await card.getByLabel('Domain', { exact: true }).fill('gmail.com');
  await card.getByRole('button', { name: 'Add domain' }).click();
  await expect(card.getByRole('alert')).toContainText('public mail domain');
  await card.getByLabel('Domain', { exact: true }).fill(domain.toUpperCase());
  await card.getByLabel('Role of people who join').selectOption('admin');
  await card.getByRole('button', { name: 'Add domain' }).click();
  await expect(card.getByText('Waiting for DNS record')).toBeVisible();
  await card.getByRole('button', { name: `Check now ${domain}` }).click();
  await expect(card.getByRole('alert')).toContainText('The DNS record was not found yet');
  await scan(page, 'verified domains: waiting for the record');
  await shot(page, 'verified-domains');

  // The owner adds the record at their DNS provider (here: the stand-in's folder).
  const name = await card.locator('dd code').nth(1).textContent();
  const value = await card.locator('dd code').nth(2).textContent();
  expect(name).toBe(`_invites-challenge.${domain}`);
  mkdirSync(process.env.INVITES_DNS_DIR!, { recursive: true });
  writeFileSync(`${process.env.INVITES_DNS_DIR}/${name}`, `${value}\n`);
  await card.getByRole('button', { name: `Check now ${domain}` }).click();
  await expect(card.getByText(`${domain} is verified.`)).toBeVisible();
  await expect(card.getByText('Verified', { exact: true })).toBeVisible();
  await scan(page, 'verified domains: verified');

  // A colleague with a verified address there sees it under "my invitations" and joins.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, { sub: `kim-${run}`, email: `kim@${domain}`, name: 'Kim Colleague' });
  const mine = page.locator('my-invitations');
  await expect(mine.getByText(`Open to everyone at @${domain} · Admin`)).toBeVisible();
  await scan(page, 'my invitations: joinable by domain');
  await shot(page, 'joinable');
  await mine.getByRole('button', { name: 'Join Research lab' }).click();
  await expect(mine.getByText('Joined Research lab.')).toBeVisible();
  await expect(page.locator('my-resources').getByRole('link', { name: 'Open Research lab' })).toBeVisible();
  await expect(mine.getByText(`Open to everyone at @${domain}`)).toHaveCount(0);

  // The owner hands Research lab to Kim, with both named, and stays an administrator.
  await signIn(page, OWNER);
  await page.locator('my-resources').getByRole('link', { name: 'Open Research lab' }).click();
  await page.getByRole('tab', { name: 'Members' }).click();
  await expect(page.getByRole('button', { name: 'Make Kim Colleague the owner' })).toBeVisible();
  await shot(page, 'members-375', 375);
  await page.getByRole('button', { name: 'Make Kim Colleague the owner' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Make Kim Colleague the owner?');
  await expect(dialog).toContainText('Kim Colleague becomes the owner of Research lab');
  await expect(dialog).toContainText('You stay a member with the role Administrator.');
  await scan(page, 'users & invites: hand ownership over');
  await dialog.getByRole('button', { name: 'Make owner' }).click();
  await expect(page.getByText('Kim Colleague is now the owner. Your role: Administrator.')).toBeVisible();
  await expect(page.locator(`tr[data-user="kim-${run}"] .badge.role`)).toHaveText('Owner');
  await expect(page.getByRole('button', { name: /the owner$/ })).toHaveCount(0);
  await scan(page, 'users & invites: after handing ownership over');
});

/** A resource of OWNER's with a team link that asks first, made through the API: (resource id, link). */
async function askingLink(name: string): Promise<[string, string]> {
  const owner = devToken({ sub: OWNER.sub, email: OWNER.email, email_verified: true, name: OWNER.name });
  const created = await call(owner, 'POST', '/v1/resources', { name });
  expect(created.status).toBe(201);
  const link = await call(owner, 'POST', `/v1/resources/${created.json.id}/links`, { role: 'read_only', mode: 'ask' });
  expect(link.status).toBe(201);
  return [created.json.id, link.json.url];
}

test('a request to join: a person asks through a team link that asks first, the owner approves, the person is told', async ({ page }) => {
  // The owner makes a link that asks first, in the team links card.
  await signIn(page, OWNER);
  await page.getByLabel('Resource name').fill('Choir');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/resources\/\w+$/);
  const choir = page.url().split('/resources/')[1];
  const links = page.locator('team-links');
  await links.getByRole('heading', { name: 'Team links' }).click();
  await links.getByLabel('How people get in').selectOption('ask');
  await links.getByRole('button', { name: 'Create and copy link' }).click();
  await expect(links.getByText('Asks first')).toBeVisible();
  const owner = devToken({ sub: OWNER.sub, email: OWNER.email, email_verified: true });
  const link: string = (await call(owner, 'GET', `/v1/resources/${choir}/links`)).json.items[0].url;

  // A person opens it, signs in, writes a note and asks.
  const asker = { sub: `ida-${run}`, email: addr('ida'), name: 'Ida Asker' };
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, asker, inApp(link));
  await expect(page.getByRole('heading', { name: 'Ask to join Choir' })).toBeVisible();
  await page.getByLabel('Note for the admins (optional)').fill('I sang tenor in the city choir for six years.');
  await scan(page, 'team link landing: ask to join');
  await shot(page, 'request-ask');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByRole('heading', { name: 'Request sent' })).toBeVisible();
  await scan(page, 'team link landing: request sent');
  await page.goto('/');
  const mine = page.locator('my-invitations');
  await expect(mine.getByText('Waiting for a decision')).toBeVisible();
  await scan(page, 'my invitations: a request waiting');

  // The owner finds it open in the requests card, with the note, and approves.
  await signIn(page, OWNER, `/resources/${choir}`);
  const requests = page.locator('join-requests');
  await expect(requests.getByText('I sang tenor in the city choir for six years.')).toBeVisible();
  await expect(requests.getByText(asker.email, { exact: false })).toBeVisible();
  await scan(page, 'users & invites: requests to join');
  await shot(page, 'requests');
  await requests.getByRole('button', { name: `Approve ${asker.name}` }).click();
  await expect(requests.getByText(`${asker.name} is a member now.`)).toBeVisible();
  await expect(requests.getByText('Approved', { exact: true })).toBeVisible();
  await page.getByRole('tab', { name: 'Members' }).click();
  await expect(page.locator(`tr[data-user="${asker.sub}"]`)).toBeVisible();

  // The person is told by e-mail, and finds the resource among theirs.
  await expect.poll(async () => (await mails(asker.email)).map((m) => m.subject), { timeout: 20_000 }).toContain('You joined Choir');
  await signIn(page, asker);
  await expect(page.locator('my-resources').getByRole('link', { name: 'Open Choir' })).toBeVisible();
  await expect(page.locator('my-invitations').getByText('Approved', { exact: true })).toBeVisible();
});

test('a request to join declined with a reason: the person sees why, in the list and by e-mail', async ({ page }) => {
  const [rid, link] = await askingLink('Darkroom');
  const asker = { sub: `ole-${run}`, email: addr('ole'), name: 'Ole Asker' };
  await signIn(page, asker, inApp(link));
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByRole('heading', { name: 'Request sent' })).toBeVisible();

  await signIn(page, OWNER, `/resources/${rid}`);
  const requests = page.locator('join-requests');
  await requests.getByLabel('Reason (optional, shown to them)').fill('Members only: ask at the front desk.');
  await requests.getByRole('button', { name: `Decline ${asker.name}` }).click();
  await expect(requests.getByText('Request declined.')).toBeVisible();
  await expect(requests.getByText('Declined', { exact: true })).toBeVisible();
  await scan(page, 'users & invites: a request declined');

  await expect.poll(async () => (await mails(asker.email)).map((m) => m.subject), { timeout: 20_000 }).toContain('Your request to join Darkroom was declined');
  expect((await mails(asker.email)).at(-1)!.text).toContain('Members only: ask at the front desk.');
  await signIn(page, asker);
  const mine = page.locator('my-invitations');
  await expect(mine.getByText('Declined', { exact: true })).toBeVisible();
  await expect(mine.getByText('Reason: Members only: ask at the front desk.')).toBeVisible();
  await scan(page, 'my invitations: a request declined');
  await shot(page, 'request-declined', 375);
});

test('every language: the invitation e-mail and its landing page at 375 px, Arabic right to left, the person\'s own choice', async ({ page, browser }) => {
  const POLY = { sub: `poly-${run}`, email: addr('poly'), name: 'Poly Owner' };
  const owner = devToken({ ...POLY, email_verified: true });
  const name = `Atlas ${run}`;
  const resource = await call(owner, 'POST', '/v1/resources', { name });
  expect(resource.status).toBe(201);
  const strings = (l: string) => JSON.parse(readFileSync(`src/locales/${l}.json`, 'utf8'));
  const guest = (l: string) => addr(`guest-${l.toLowerCase()}`);
  const ids: Record<string, string> = {};
  for (const l of LOCALES) {
    const created = await call(owner, 'POST', `/v1/resources/${resource.json.id}/invites`, { email: guest(l), role: 'read_only', locale: l });
    expect(created.status).toBe(201);
    ids[l] = created.json.invite.id;
  }
  for (const l of LOCALES) {
    const dir = l === 'ar' ? 'rtl' : 'ltr';
    // The e-mail in its language and direction, nothing wider than a phone.
    const link = await linkFor(guest(l));
    const mail = (await mails(guest(l))).at(-1)!;
    const view = await page.context().newPage();
    await view.setContent(mail.html);
    for (const width of [375, 1280]) {
      await view.setViewportSize({ width, height: 900 });
      expect(await view.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([l, dir]);
      expect(await view.evaluate(() => document.documentElement.scrollWidth), `the ${l} e-mail at ${width} px`).toBeLessThanOrEqual(width);
      if (l === 'ar') await view.screenshot({ path: `${SHOTS}/email-ar-${width === 375 ? '375' : 'desktop'}.png`, fullPage: true });
    }
    await view.close();
    // Its landing page follows the invitation's language.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(link);
    const landing = page.locator('invite-landing');
    await expect(landing).toHaveAttribute('lang', l);
    await expect(landing).toHaveAttribute('dir', dir);
    // Names in a right-to-left sentence are isolated (U+2068 … U+2069), as i18n.ts does.
    const own = (v: string) => (l === 'ar' ? `\u2068${v}\u2069` : v);
    const title = strings(l)['landing.title'].replace('{inviter}', own(POLY.name)).replace('{resource}', own(name));
    await expect(page.getByRole('heading', { name: title })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('dir', dir);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `the ${l} landing page at 375 px`).toBeLessThanOrEqual(375);
    await scan(page, `landing: ${l}, 375 px`);
    if (l === 'ar') {
      await shot(page, 'landing-ar-375', 375);
      await shot(page, 'landing-ar-desktop');
    }
  }

  // A team link's landing page in the language the person picked, each at 375 px.
  const teamLink = await call(owner, 'POST', `/v1/resources/${resource.json.id}/links`, { role: 'read_only' });
  expect(teamLink.status).toBe(201);
  await page.setViewportSize({ width: 375, height: 800 });
  for (const l of LOCALES) {
    await page.evaluate((tag) => localStorage.setItem('invites.locale', tag), l);
    await page.goto(inApp(teamLink.json.url));
    await page.reload(); // the same address again: a fresh page reads the kept pick
    const landing = page.locator('team-link-landing');
    await expect(landing).toHaveAttribute('lang', l);
    await expect(landing).toHaveAttribute('dir', l === 'ar' ? 'rtl' : 'ltr');
    const own = (v: string) => (l === 'ar' ? `\u2068${v}\u2069` : v);
    await expect(page.getByRole('heading', { name: strings(l)['team.title'].replace('{resource}', own(name)) })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `the ${l} team link page at 375 px`).toBeLessThanOrEqual(375);
    await scan(page, `team link landing: ${l}, 375 px`);
  }
  await page.evaluate(() => localStorage.removeItem('invites.locale'));
  await page.setViewportSize({ width: 1280, height: 800 });

  // The person picks another language on the landing page: kept, and it beats the invitation's.
  await page.goto(await linkFor(guest('ar')));
  await expect(page.locator('invite-landing')).toHaveAttribute('lang', 'ar');
  await page.locator('invite-landing').getByLabel(strings('ar')['locale.label']).selectOption('de');
  await expect(page.getByRole('heading', { name: `${POLY.name} hat Sie zu ${name} eingeladen` })).toBeVisible();
  await page.goto(await linkFor(guest('fr')));
  await expect(page.getByRole('heading', { name: `${POLY.name} hat Sie zu ${name} eingeladen` })).toBeVisible();

  // The owner's screens right to left: the admin screen in Arabic at desktop width and 375 px.
  await page.evaluate(() => localStorage.removeItem('invites.locale'));
  await signIn(page, POLY, `/resources/${resource.json.id}?lang=ar`);
  await expect(page.locator('invite-admin')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByRole('heading', { name: strings('ar')['admin.title'] })).toBeVisible();
  await scan(page, 'users & invites: ar');
  await shot(page, 'admin-ar-desktop');
  await shot(page, 'admin-ar-375', 375);
  // The resource's default language: invitations that name none go out in it.
  await page.locator('#default-locale').selectOption('ja');
  await expect(page.getByText(strings('ar')['admin.locale.changed'].replace('{language}', '\u2068日本語\u2069'))).toBeVisible();
  expect((await call(owner, 'DELETE', `/v1/resources/${resource.json.id}/invites/${ids.en}`)).status).toBe(204); // a free seat
  const plain = await call(owner, 'POST', `/v1/resources/${resource.json.id}/invites`, { email: addr('guest-default'), role: 'read_only' });
  expect(plain.status).toBe(201);
  await expect.poll(async () => (await mails(addr('guest-default'))).at(-1)?.html ?? '', { timeout: 20_000 }).toContain('lang="ja"');

  // Nobody chose yet: the browser's languages (Accept-Language) decide.
  const french = await browser.newContext({ locale: 'fr-CA', baseURL: WEB });
  const fr = await french.newPage();
  await fr.goto('/');
  await expect(fr.getByRole('heading', { name: strings('fr')['demo.welcome'] })).toBeVisible();
  await expect(fr.locator('html')).toHaveAttribute('lang', 'fr');
  await french.close();
});

test.afterAll(() => {
  const bad = scans.reduce((n, s) => n + s.serious + s.critical, 0);
  const lines = [
    `axe: ${scans.length} screens scanned, ${bad} serious or critical violations`,
    ...scans.map((s) => `  ${s.screen.padEnd(52)} critical ${s.critical}  serious ${s.serious}  moderate ${s.moderate}  minor ${s.minor}`),
  ];
  console.log(lines.join('\n'));
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/axe-summary.json', JSON.stringify(scans, null, 2));
});
