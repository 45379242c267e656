// <invite-landing>: the page behind the e-mailed link. Opening it only looks
// the invite up (POST /v1/invites/lookup); accepting and declining are the
// person's explicit choices, so mail scanners that "click" links change nothing.

import { LitElement, html, nothing } from 'lit';
import { ApiError, api, ok, type Lookup } from '../api/client';
import { confirmIn } from '../confirm';
import { config, currentUser, followLocale, isConfigured, resourceHref, keepFragment, restoreKeptFragment, signInHrefForThisPage, type CurrentUser } from '../config';
import { explain } from '../errors';
import { formatDate, t, type I18nKey } from '../i18n';
import { loadRoles, roleDescription, roleLabel } from '../roles';
import { ICONS, landingStyles, type Tone } from './landing-styles';
import './team-link-landing';
import { LocaleController } from '../locale-controller';
import { languagePicker } from '../pickers';

type Screen =
  | 'loading'
  | 'no-token'
  | 'not-found'
  | 'pending'
  | 'signed-out'
  | 'mismatch'
  | 'unverified'
  | 'expired'
  | 'revoked'
  | 'declined'
  | 'declined-now'
  | 'undeliverable'
  | 'withdrawn'
  | 'deleted'
  | 'used'
  | 'member'
  | 'error';

/** The token from `#token=…` (current links) or `?token=…` (older links). */
export function tokenFromLocation(loc: Location = window.location): string | null {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  return fromHash || new URLSearchParams(loc.search).get('token');
}

/** A team link's token, from `#link=…`. */
export function linkFromLocation(loc: Location = window.location): string | null {
  return new URLSearchParams(loc.hash.replace(/^#/, '')).get('link');
}

/**
 * The page behind an e-mailed invitation (`#token=`) or a team link (`#link=`).
 *
 * @tag invite-landing
 * @cssprop --inv-accent - Accent colour of buttons and links (default #3451b2)
 * @cssprop --inv-accent-hover - Accent colour under the pointer
 * @cssprop --inv-accent-ink - Text on the accent colour
 * @cssprop --inv-ink - Body text
 * @cssprop --inv-muted - Secondary text
 * @cssprop --inv-surface - Card background
 * @cssprop --inv-line - Borders
 * @cssprop --inv-danger - Destructive actions and errors
 * @cssprop --inv-focus - Focus ring
 * @cssprop --inv-radius - Corner radius of cards
 * @csspart card - The card around every state
 * @csspart title - The heading of every state
 * @csspart accept - The Accept button
 */
export class InviteLanding extends LitElement {
  /** Re-renders in the language picked; `lang` and `dir` on the element. */
  protected readonly i18n = new LocaleController(this);

  static styles = landingStyles;
  static properties = {
    token: { type: String },
    linkToken: { state: true },
    screen: { state: true },
    invite: { state: true },
    busy: { state: true },
    error: { state: true },
    user: { state: true },
  };

  declare token: string | null;
  declare screen: Screen;
  declare invite: Lookup | null;
  declare busy: boolean;
  declare error: string;
  declare user: CurrentUser | null;
  private signedIn = false;

  constructor() {
    super();
    this.token = null;
    this.linkToken = null;
    this.screen = 'loading';
    this.invite = null;
    this.busy = false;
    this.error = '';
    this.user = null;
  }

  /** A team link opened on this page (`#link=`): its own component answers. */
  declare linkToken: string | null;

  /** Another link opened in the same tab changes only the fragment. */
  private readonly onHashChange = () => {
    this.linkToken = linkFromLocation();
    this.token = tokenFromLocation();
    this.screen = 'loading';
    void this.load();
  };

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
  }

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    restoreKeptFragment();
    this.linkToken = linkFromLocation();
    this.token ??= tokenFromLocation();
    if (isConfigured()) void this.load();
    else window.addEventListener('invites-config', () => void this.load(), { once: true });
  }

  private async load() {
    if (this.linkToken) return;
    if (!this.token) {
      this.screen = 'no-token';
      return;
    }
    this.signedIn = (await config().getToken()) !== null;
    this.user = this.signedIn ? await currentUser() : null;
    try {
      [this.invite] = await Promise.all([ok(api().POST('/v1/invites/lookup', { body: { token: this.token } })), loadRoles()]);
      // The invitation's language (its e-mail's), until the person picks another.
      followLocale(this.invite.locale);
      this.screen = this.screenFor(this.invite.status);
    } catch (e) {
      this.screen = e instanceof ApiError && e.code === 'resource_deleted' ? 'deleted'
        : e instanceof ApiError && (e.status === 404 || e.status === 422) ? 'not-found' : 'error';
      this.error = explain(e);
    }
  }

  private screenFor(status: Lookup['status']): Screen {
    switch (status) {
      case 'pending':
        return this.signedIn ? 'pending' : 'signed-out';
      case 'accepted':
        return 'used';
      default:
        return status;
    }
  }

  private async accept() {
    this.busy = true;
    try {
      const membership = await ok(api().POST('/v1/invites/accept', { body: { token: this.token! } }));
      this.dispatchEvent(new CustomEvent('invite-accepted', { detail: membership, bubbles: true, composed: true }));
      // The invite's redirectUrl (the API allowed its origin when the invite
      // was made), else the resource in the host app.
      const next = membership.redirectUrl && /^https?:\/\//i.test(membership.redirectUrl) ? membership.redirectUrl : null;
      window.location.assign(next ?? resourceHref(membership.resourceId));
    } catch (e) {
      this.screen = this.screenForError(e);
      this.error = explain(e);
      this.busy = false;
    }
  }

  private screenForError(e: unknown): Screen {
    if (!(e instanceof ApiError)) return 'error';
    const byCode: Record<string, Screen> = {
      email_mismatch: 'mismatch',
      email_not_verified: 'unverified',
      invite_already_used: 'used',
      already_member: 'member',
      invite_expired: 'expired',
      invite_revoked: 'revoked',
      invite_declined: 'declined',
      invite_undeliverable: 'undeliverable',
      invite_withdrawn: 'withdrawn',
      resource_deleted: 'deleted',
      not_found: 'not-found',
      unauthenticated: 'signed-out',
    };
    return byCode[e.code] ?? 'error';
  }

  private async decline() {
    const resource = this.invite?.resource.name ?? '';
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('landing.decline.title', { resource }),
      body: t('landing.confirmDecline', { resource }),
      confirm: t('landing.decline'),
      danger: true,
    });
    if (!sure) return;
    this.busy = true;
    try {
      await ok(api().POST('/v1/invites/decline', { body: { token: this.token! } }));
      this.screen = 'declined-now';
      this.dispatchEvent(new CustomEvent('invite-declined', { bubbles: true, composed: true }));
    } catch (e) {
      this.screen = this.screenForError(e);
      this.error = explain(e);
    } finally {
      this.busy = false;
    }
  }

  /** Sign-in (or switch account) and come back here; the token waits in this tab, never in the sign-in URL. */
  private signIn(): string {
    return signInHrefForThisPage();
  }

  protected updated(changed: Map<string, unknown>): void {
    // A new state is announced by moving focus to its heading.
    const before = changed.get('screen');
    if (changed.has('screen') && before !== undefined && before !== 'loading' && this.screen !== 'loading') {
      (this.renderRoot.querySelector('h1') as HTMLElement | null)?.focus({ preventScroll: true });
    }
  }

  render() {
    if (this.linkToken) return html`<team-link-landing .token=${this.linkToken}></team-link-landing>`;
    return html`<main part="card" class="card landing" aria-busy=${this.busy || this.screen === 'loading'}>${this.body()}${languagePicker()}</main>`;
  }

  private params() {
    const i = this.invite;
    return {
      inviter: i?.inviter.name ?? '',
      resource: i?.resource.name ?? '',
      email: i?.email ?? '',
      role: i ? roleLabel(i.role) : '',
      date: i ? formatDate(i.expiresAt) : '',
    };
  }

  private body() {
    const p = this.params();
    switch (this.screen) {
      case 'loading':
        return html`<p class="muted" role="status">${t('loading')}</p>`;
      case 'pending':
      case 'signed-out':
        return this.pending(p);
      case 'no-token':
        return this.state('link', 'warn', 'landing.noToken.title', 'landing.noToken.body', p);
      case 'not-found':
        return this.state('link', 'warn', 'landing.notFound.title', 'landing.notFound.body', p);
      case 'expired':
        return this.state('clock', 'warn', 'landing.expired.title', 'landing.expired.body', p);
      case 'revoked':
        return this.state('ban', 'stop', 'landing.revoked.title', 'landing.revoked.body', p);
      case 'declined':
        return this.state('ban', 'stop', 'landing.declined.title', 'landing.declined.body', p);
      case 'declined-now':
        return this.state('check', 'done', 'landing.declinedNow.title', 'landing.declinedNow.body', p);
      case 'undeliverable':
        return this.state('ban', 'warn', 'landing.undeliverable.title', 'landing.undeliverable.body', p);
      case 'withdrawn':
        return this.state('ban', 'warn', 'landing.withdrawn.title', 'landing.withdrawn.body', p);
      case 'deleted':
        return this.state('ban', 'stop', 'landing.deleted.title', 'landing.deleted.body', p);
      case 'used':
        return this.state('check', 'info', 'landing.used.title', 'landing.used.body', p,
          html`<div class="actions"><a class="button" href=${this.signIn()} @click=${keepFragment}>${t('landing.switch')}</a></div>`);
      case 'member':
        return this.state('check', 'done', 'landing.member.title', 'landing.member.body', p,
          html`<div class="actions"><a class="button primary" href=${resourceHref(this.invite!.resource.id)}>${t('landing.goTo', p)}</a></div>`);
      case 'mismatch':
        return this.state('user', 'warn', 'landing.mismatch.title', 'landing.mismatch.body',
          { ...p, me: this.user?.email ?? t('landing.mismatch.meUnknown') },
          html`<p>${t('landing.mismatch.next', p)}</p>
            <div class="actions"><a class="button primary" href=${this.signIn()} @click=${keepFragment}>${t('landing.switch')}</a></div>`);
      case 'unverified':
        return this.state('mail', 'warn', 'landing.unverified.title', 'landing.unverified.body', p,
          html`<div class="actions">
            <button class="primary" @click=${this.accept} ?disabled=${this.busy}>${t('landing.retry')}</button>
            <a class="button" href=${this.signIn()} @click=${keepFragment}>${t('landing.switch')}</a>
          </div>`);
      case 'error':
        return html`<div class="state-icon tone-stop" aria-hidden="true">${this.icon('alert')}</div>
          <h1 part="title" tabindex="-1">${t('error.generic')}</h1>
          <p class="notice error" role="alert">${this.error}</p>
          <div class="actions"><button @click=${() => { this.screen = 'loading'; void this.load(); }}>${t('landing.retry')}</button></div>`;
    }
  }

  private icon(name: string) {
    return html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${ICONS[name]}</svg>`;
  }

  private state(icon: string, tone: Tone, title: I18nKey, body: I18nKey, p: Record<string, string>, extra: unknown = nothing) {
    return html`<div class="state-icon tone-${tone}" aria-hidden="true">${this.icon(icon)}</div>
      <h1 part="title" tabindex="-1">${t(title, p)}</h1>
      <p>${t(body, p)}</p>
      ${extra}`;
  }

  private pending(p: Record<string, string>) {
    const i = this.invite!;
    const initial = (i.resource.name.trim()[0] ?? '?').toUpperCase();
    return html`<div class="mark" aria-hidden="true">${initial}</div>
      <p class="eyebrow">${t('landing.eyebrow')}</p>
      <h1 part="title" tabindex="-1">${t('landing.title', p)}</h1>
      <dl class="facts">
        <div><dt>${t('landing.fact.resource')}</dt><dd class="break">${i.resource.name}</dd></div>
        <div><dt>${t('landing.fact.role')}</dt><dd>${p.role}<span class="muted">${roleDescription(i.role)}</span></dd></div>
        <div><dt>${t('landing.fact.for')}</dt><dd class="break">${i.email}</dd></div>
        <div><dt>${t('landing.fact.expires')}</dt><dd>${formatDate(i.expiresAt)}</dd></div>
      </dl>
      ${i.message
        ? html`<blockquote class="break">${i.message}<footer>— ${p.inviter}</footer></blockquote>`
        : nothing}
      ${this.screen === 'signed-out'
        ? html`<p class="notice">${t('landing.signedOut', p)}</p>
            <div class="actions">
              <a class="button primary" href=${this.signIn()} @click=${keepFragment}>${t('landing.signIn')}</a>
              <button @click=${this.decline} ?disabled=${this.busy}>${t('landing.decline')}</button>
            </div>`
        : html`<div class="actions">
              <button part="accept" class="primary" @click=${this.accept} ?disabled=${this.busy}>${t('landing.accept')}</button>
              <button @click=${this.decline} ?disabled=${this.busy}>${t('landing.decline')}</button>
            </div>
            <p class="who">
              ${this.user?.email ? t('landing.signedInAs', { me: this.user.email }) : t('landing.signedInSomeone')}
              <a href=${this.signIn()} @click=${keepFragment}>${t('landing.notYou')}</a>
            </p>`}`;
  }
}

customElements.define('invite-landing', InviteLanding);
