// <invite-landing>: the page behind the e-mailed link. Opening it only looks
// the invite up (POST /v1/invites/lookup); accepting and declining are the
// person's explicit choices, so mail scanners that "click" links change nothing.

import { LitElement, html, nothing } from 'lit';
import { ApiError, api, ok, type Lookup } from '../api/client';
import { confirmIn } from '../confirm';
import { config, isConfigured, resourceHref, signInHref } from '../config';
import { explain } from '../errors';
import { formatDate, t, type I18nKey } from '../i18n';
import { base } from '../styles';

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
  | 'used'
  | 'member'
  | 'error';

/** The token from `#token=…` (current links) or `?token=…` (older links). */
export function tokenFromLocation(loc: Location = window.location): string | null {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  return fromHash || new URLSearchParams(loc.search).get('token');
}

export class InviteLanding extends LitElement {
  static styles = base;
  static properties = {
    token: { type: String },
    screen: { state: true },
    invite: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare token: string | null;
  declare screen: Screen;
  declare invite: Lookup | null;
  declare busy: boolean;
  declare error: string;
  private signedIn = false;

  constructor() {
    super();
    this.token = null;
    this.screen = 'loading';
    this.invite = null;
    this.busy = false;
    this.error = '';
  }

  /** Another link opened in the same tab changes only the fragment. */
  private readonly onHashChange = () => {
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
    this.token ??= tokenFromLocation();
    if (isConfigured()) void this.load();
    else window.addEventListener('invites-config', () => void this.load(), { once: true });
  }

  private async load() {
    if (!this.token) {
      this.screen = 'no-token';
      return;
    }
    this.signedIn = (await config().getToken()) !== null;
    try {
      this.invite = await ok(api().POST('/v1/invites/lookup', { body: { token: this.token } }));
      this.screen = this.screenFor(this.invite.status);
    } catch (e) {
      this.screen = e instanceof ApiError && (e.status === 404 || e.status === 422) ? 'not-found' : 'error';
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
      window.location.assign(resourceHref(membership.resourceId));
    } catch (e) {
      this.screen = this.screenForError(e);
      this.error = explain(e);
    } finally {
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
      not_found: 'not-found',
      unauthenticated: 'signed-out',
    };
    return byCode[e.code] ?? 'error';
  }

  private async decline() {
    const resource = this.invite?.resource.name ?? '';
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('landing.decline'),
      body: t('landing.confirmDecline', { resource }),
      confirm: t('landing.decline'),
      danger: true,
    });
    if (!sure) return;
    this.busy = true;
    try {
      await ok(api().POST('/v1/invites/decline', { body: { token: this.token! } }));
      this.screen = 'declined-now';
    } catch (e) {
      this.screen = this.screenForError(e);
      this.error = explain(e);
    } finally {
      this.busy = false;
    }
  }

  private here(): string {
    return window.location.href;
  }

  render() {
    return html`<main class="card" aria-live="polite" aria-busy=${this.busy || this.screen === 'loading'}>
      ${this.body()}
    </main>`;
  }

  private body() {
    const i = this.invite;
    const p = {
      inviter: i?.inviter.name ?? '',
      resource: i?.resource.name ?? '',
      email: i?.email ?? '',
      role: i ? t(`role.${i.role}` as I18nKey) : '',
    };
    switch (this.screen) {
      case 'loading':
        return html`<p>${t('loading')}</p>`;
      case 'no-token':
        return this.message('landing.noToken.title', 'landing.noToken.body', p);
      case 'not-found':
        return this.message('landing.notFound.title', 'landing.notFound.body', p);
      case 'expired':
        return this.message('landing.expired.title', 'landing.expired.body', p);
      case 'revoked':
        return this.message('landing.revoked.title', 'landing.revoked.body', p);
      case 'declined':
        return this.message('landing.declined.title', 'landing.declined.body', p);
      case 'declined-now':
        return this.message('landing.declinedNow.title', 'landing.declinedNow.body', p);
      case 'used':
        return this.message('landing.used.title', 'landing.used.body', p);
      case 'member':
        return html`${this.message('landing.member.title', 'landing.member.body', p)}
          <a class="button primary" href=${resourceHref(i!.resource.id)}>${t('landing.goTo', p)}</a>`;
      case 'mismatch': {
        const me = config().currentUser?.()?.email ?? t('landing.mismatch.meUnknown');
        return html`<h1>${t('landing.mismatch.title')}</h1>
          <p>${t('landing.mismatch.body', { ...p, me })}</p>
          <a class="button primary" href=${signInHref(this.here())}>${t('landing.switch')}</a>`;
      }
      case 'unverified':
        return this.message('landing.unverified.title', 'landing.unverified.body', p);
      case 'error':
        return html`<h1>${t('error.generic')}</h1><p class="notice error" role="alert">${this.error}</p>`;
      case 'pending':
      case 'signed-out':
        return this.pending(p);
    }
  }

  private pending(p: Record<string, string>) {
    const i = this.invite!;
    return html`<h1>${t('landing.title', p)}</h1>
      <p>${t('landing.role', p)}</p>
      <p class="muted">${t('landing.for', p)}</p>
      ${i.message
        ? html`<figure class="card" style="background:var(--inv-soft);margin:0 0 1rem">
            <figcaption class="muted">${t('landing.message', p)}</figcaption>
            <blockquote style="margin:0.25rem 0 0;white-space:pre-wrap" class="break">${i.message}</blockquote>
          </figure>`
        : nothing}
      <p class="muted">${t('landing.expires', { date: formatDate(i.expiresAt) })}</p>
      ${this.screen === 'signed-out'
        ? html`<p class="notice">${t('landing.signedOut', p)}</p>
            <div class="row">
              <a class="button primary" href=${signInHref(this.here())}>${t('landing.signIn')}</a>
              <button @click=${this.decline} ?disabled=${this.busy}>${t('landing.decline')}</button>
            </div>`
        : html`<div class="row">
            <button class="primary" @click=${this.accept} ?disabled=${this.busy}>${t('landing.accept')}</button>
            <button @click=${this.decline} ?disabled=${this.busy}>${t('landing.decline')}</button>
          </div>`}`;
  }

  private message(title: I18nKey, body: I18nKey, p: Record<string, string>) {
    return html`<h1>${t(title, p)}</h1>
      <p>${t(body, p)}</p>`;
  }
}

customElements.define('invite-landing', InviteLanding);
