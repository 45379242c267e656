// <team-link-landing>: the landing page of a team link (`#link=…`), shown by
// <invite-landing>. Opening it only looks the link up; joining is the
// person's explicit choice, signed in with a verified e-mail address.

import { LitElement, html, nothing } from 'lit';
import { ApiError, api, ok, type TeamLinkLookup } from '../api/client';
import { config, currentUser, isConfigured, locale, resourceHref, keepFragment, signInHrefForThisPage, type CurrentUser } from '../config';
import { explain } from '../errors';
import { formatDate, t, type I18nKey } from '../i18n';
import { ICONS, landingStyles, type Tone } from './landing-styles';
import { loadRoles, roleDescription, roleLabel } from '../roles';
import { LocaleController } from '../locale-controller';
import { languagePicker } from '../pickers';

type Screen = 'loading' | 'join' | 'asked' | 'signed-out' | 'not-found' | 'deleted' | 'expired' | 'revoked' | 'used_up' | 'withdrawn' | 'full' | 'unverified' | 'pending-invite' | 'error';

/**
 * The page behind a team link.
 *
 * @tag team-link-landing
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
 */
export class TeamLinkLanding extends LitElement {
  /** Re-renders in the language picked; `lang` and `dir` on the element. */
  protected readonly i18n = new LocaleController(this);

  static styles = landingStyles;
  static properties = {
    token: { type: String },
    screen: { state: true },
    link: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare token: string;
  declare screen: Screen;
  declare link: TeamLinkLookup | null;
  declare busy: boolean;
  declare error: string;
  private user: CurrentUser | null = null;

  constructor() {
    super();
    this.token = '';
    this.screen = 'loading';
    this.link = null;
    this.busy = false;
    this.error = '';
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (!isConfigured()) window.addEventListener('invites-config', () => void this.load(), { once: true });
  }

  /** Loads the link it was given, and the next one when another link opens on the same page. */
  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('token') && this.token && isConfigured()) {
      this.screen = 'loading';
      void this.load();
    }
  }

  private async load() {
    const signedIn = (await config().getToken()) !== null;
    this.user = signedIn ? await currentUser() : null;
    try {
      [this.link] = await Promise.all([ok(api().POST('/v1/links/lookup', { body: { token: this.token } })), loadRoles()]);
      this.screen = this.link.status === 'active' ? (signedIn ? 'join' : 'signed-out') : this.link.status;
    } catch (e) {
      this.screen = e instanceof ApiError && e.code === 'resource_deleted' ? 'deleted'
        : e instanceof ApiError && (e.status === 404 || e.status === 422) ? 'not-found' : 'error';
      this.error = explain(e);
    }
  }

  private async join() {
    this.busy = true;
    try {
      const note = (this.renderRoot.querySelector('#note') as HTMLTextAreaElement | null)?.value.trim();
      const joined = await ok(api().POST('/v1/links/join', { body: { token: this.token, locale: locale(), ...(note ? { note } : {}) } }));
      if ('request' in joined) {
        this.screen = 'asked';
        this.busy = false;
        return;
      }
      const membership = joined;
      this.dispatchEvent(new CustomEvent('team-link-joined', { detail: membership, bubbles: true, composed: true }));
      window.location.assign(resourceHref(membership.resourceId));
    } catch (e) {
      const byCode: Record<string, Screen> = {
        link_expired: 'expired',
        link_revoked: 'revoked',
        link_used_up: 'used_up',
        link_withdrawn: 'withdrawn',
        resource_deleted: 'deleted',
        seat_limit_reached: 'full',
        invites_disabled: 'full',
        email_not_verified: 'unverified',
        already_pending: 'pending-invite',
        unauthenticated: 'signed-out',
        not_found: 'not-found',
      };
      this.screen = (e instanceof ApiError && byCode[e.code]) || 'error';
      this.error = explain(e);
      this.busy = false;
    }
  }

  protected updated(changed: Map<string, unknown>): void {
    const before = changed.get('screen');
    if (changed.has('screen') && before !== undefined && before !== 'loading') {
      (this.renderRoot.querySelector('h1') as HTMLElement | null)?.focus({ preventScroll: true });
    }
  }

  render() {
    return html`<main part="card" class="card landing" aria-busy=${this.busy || this.screen === 'loading'}>${this.body()}${languagePicker('link-language')}</main>`;
  }

  private body() {
    const l = this.link;
    const p = { resource: l?.resource.name ?? '', role: l ? roleLabel(l.role) : '', date: l ? formatDate(l.expiresAt) : '' };
    const state = (icon: string, tone: Tone, key: string, extra: unknown = nothing) =>
      html`<div class="state-icon tone-${tone}" aria-hidden="true"><svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${ICONS[icon]}</svg></div>
        <h1 part="title" tabindex="-1">${t(`team.${key}.title` as I18nKey, p)}</h1>
        <p>${t(`team.${key}.body` as I18nKey, p)}</p>
        ${extra}`;
    const signIn = html`<div class="actions"><a class="button primary" href=${signInHrefForThisPage()} @click=${keepFragment}>${t('landing.switch')}</a></div>`;
    switch (this.screen) {
      case 'loading':
        return html`<p class="muted" role="status">${t('loading')}</p>`;
      case 'join':
      case 'signed-out':
        return this.joinCard(p);
      case 'not-found':
        return state('link', 'warn', 'notFound');
      case 'expired':
        return state('clock', 'warn', 'expired');
      case 'revoked':
        return state('ban', 'stop', 'revoked');
      case 'used_up':
        return state('ban', 'warn', 'usedUp');
      case 'withdrawn':
        return state('ban', 'warn', 'withdrawn');
      case 'deleted':
        return state('ban', 'stop', 'deleted');
      case 'full':
        return state('user', 'warn', 'full');
      case 'unverified':
        return state('mail', 'warn', 'unverified', signIn);
      case 'pending-invite':
        return state('mail', 'info', 'pendingInvite');
      case 'asked':
        return state('mail', 'info', 'asked');
      case 'error':
        return html`<h1 part="title" tabindex="-1">${t('error.generic')}</h1><p class="notice error" role="alert">${this.error}</p>`;
    }
  }

  private joinCard(p: Record<string, string>) {
    const l = this.link!;
    const asks = l.mode === 'ask';
    const initial = (l.resource.name.trim()[0] ?? '?').toUpperCase();
    return html`<div class="mark" aria-hidden="true">${initial}</div>
      <p class="eyebrow">${t('team.eyebrow')}</p>
      <h1 part="title" tabindex="-1">${t(asks ? 'team.ask.title' : 'team.title', p)}</h1>
      ${asks ? html`<p>${t('team.ask.lead', p)}</p>` : nothing}
      <dl class="facts">
        <div><dt>${t('landing.fact.resource')}</dt><dd class="break">${l.resource.name}</dd></div>
        <div><dt>${t('landing.fact.role')}</dt><dd>${p.role}<span class="muted">${roleDescription(l.role)}</span></dd></div>
        <div><dt>${t('landing.fact.expires')}</dt><dd>${p.date}</dd></div>
      </dl>
      ${this.screen === 'signed-out'
        ? html`<p class="notice">${t('team.signedOut', p)}</p>
            <div class="actions"><a class="button primary" href=${signInHrefForThisPage()} @click=${keepFragment}>${t('landing.signIn')}</a></div>`
        : html`${asks
              ? html`<div class="field">
                  <label for="note">${t('team.ask.note')}</label>
                  <textarea id="note" maxlength="500" rows="3" aria-describedby="note-hint"></textarea>
                  <span id="note-hint" class="muted small">${t('team.ask.noteHint')}</span>
                </div>`
              : nothing}
            <div class="actions"><button class="primary" @click=${this.join} ?disabled=${this.busy}>${t(asks ? 'team.ask.send' : 'team.join', p)}</button></div>
            <p class="who">
              ${this.user?.email ? t('landing.signedInAs', { me: this.user.email }) : t('landing.signedInSomeone')}
              <a href=${signInHrefForThisPage()} @click=${keepFragment}>${t('landing.notYou')}</a>
            </p>`}`;
  }
}

customElements.define('team-link-landing', TeamLinkLanding);
