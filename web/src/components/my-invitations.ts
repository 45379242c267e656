// <my-invitations> and <my-resources>: the signed-in person's side. Accept
// or decline open invitations, join resources open to their verified
// address's domain; open or leave resources.

import { LitElement, css, html, nothing } from 'lit';
import { api, ok, type Schemas } from '../api/client';
import { isConfigured, locale, resourceHref } from '../config';
import { Act } from '../act';
import { confirmIn } from '../confirm';
import { explain } from '../errors';
import { formatDate, t } from '../i18n';
import { loadRoles, roleLabel } from '../roles';
import { base } from '../styles';
import { LocaleController } from '../locale-controller';

const initial = (name: string) => (name.trim()[0] ?? '?').toUpperCase();

type MyInvite = Schemas['MyInviteList']['items'][number];
type Joinable = Schemas['JoinableList']['items'][number];
type MyRequest = Schemas['MyRequestList']['items'][number];
/**
 * An invitation, a resource open to the caller's domain (never joined
 * silently), or the caller's request to join one (with its state).
 */
type Entry = { invite: MyInvite } | { joinable: Joinable } | { request: MyRequest };
type MyResource = Schemas['MyResourceList']['items'][number];

/** Shared loading, notice and error handling of the two lists. */
abstract class MyList<T> extends LitElement {
  /** Re-renders in the language picked; `lang` and `dir` on the element. */
  protected readonly i18n = new LocaleController(this);

  static styles = [
    base,
    css`
      ul { list-style: none; padding: 0; margin: 0; }
      li { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: center; padding: 0.85rem 0; border-top: 1px solid var(--inv-line); }
      li:first-child { border-top: none; padding-top: 0.25rem; }
      .mark { flex: none; width: 2.5rem; height: 2.5rem; border-radius: 10px; display: grid; place-items: center; background: var(--inv-accent-soft); color: #263d8c; font-weight: 700; }
      .what { flex: 1 1 12rem; min-width: 0; }
      .what .muted { font-size: 0.875rem; }
      .row { flex: none; }
      .empty { color: var(--inv-muted); padding: 0.5rem 0; margin: 0; }
      .status { font-size: 0.8rem; font-weight: 600; padding: 0.15rem 0.6rem; border-radius: 999px; background: #fff4d6; color: #6b4b00; }
      .status-approved { background: var(--inv-accent-soft); color: #263d8c; }
      .status-declined, .status-expired { background: #fdecea; color: #8a1c12; }
    `,
  ];
  static properties = { items: { state: true }, loaded: { state: true } };
  declare items: T[];
  declare loaded: boolean;
  /** An action's notice and alert; accepting in one list changes the other, so each success tells both. */
  protected readonly act = new Act(this, async () => {
    this.dispatchEvent(new CustomEvent('invites-changed', { bubbles: true, composed: true }));
  });

  constructor() {
    super();
    this.items = [];
    this.loaded = false;
  }

  private readonly onChanged = () => void this.refresh();

  connectedCallback(): void {
    super.connectedCallback();
    // Accepting in one list changes the other.
    window.addEventListener('invites-changed', this.onChanged);
    if (isConfigured()) void this.refresh();
    else window.addEventListener('invites-config', this.onChanged, { once: true });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('invites-changed', this.onChanged);
  }

  protected abstract fetch(): Promise<T[]>;

  async refresh() {
    try {
      this.items = await this.fetch();
    } catch (e) {
      this.act.alert = explain(e);
    }
    this.loaded = true;
  }

  protected frame(title: string, empty: string, body: unknown) {
    return html`<section class="card" aria-labelledby="title">
      <h2 id="title">${title}</h2>
      <div role="status" aria-live="polite">${this.act.notice ? html`<p class="notice success">${this.act.notice}</p>` : nothing}</div>
      <div role="alert">${this.act.alert ? html`<p class="notice error">${this.act.alert}</p>` : nothing}</div>
      ${!this.loaded ? html`<p>${t('loading')}</p>` : this.items.length === 0 ? html`<p class="empty">${empty}</p>` : body}
    </section>`;
  }
}

export class MyInvitations extends MyList<Entry> {
  protected async fetch(): Promise<Entry[]> {
    // Invitations still show when the joinable list cannot be read.
    const [invites, joinable, requests] = await Promise.all([
      ok(api().GET('/v1/me/invites')),
      ok(api().GET('/v1/me/joinable')).catch(() => ({ items: [] })),
      ok(api().GET('/v1/me/requests')).catch(() => ({ items: [] })),
      loadRoles(),
    ]);
    // A resource asked to join shows its request, not the offer to ask again.
    const waiting = new Set(requests.items.filter((r) => r.status === 'pending').map((r) => r.resource.id));
    return [
      ...invites.items.map((invite) => ({ invite })),
      ...joinable.items.filter((j) => !waiting.has(j.resource.id)).map((joinable) => ({ joinable })),
      ...requests.items.map((request) => ({ request })),
    ];
  }

  private join(j: Joinable) {
    return this.act.run(async () => {
      const body = { locale: locale() };
      await ok(api().POST('/v1/me/joinable/{rid}/join', { params: { path: { rid: j.resource.id } }, body }));
      return j.mode === 'ask' ? t('team.asked.title') : t('me.joined', { resource: j.resource.name });
    });
  }

  private accept(i: MyInvite) {
    return this.act.run(async () => {
      await ok(api().POST('/v1/invites/accept', { body: { token: i.token } }));
      return t('me.joined', { resource: i.resource.name });
    });
  }

  private async decline(i: MyInvite) {
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('landing.decline'),
      body: t('landing.confirmDecline', { resource: i.resource.name }),
      confirm: t('me.decline'),
      danger: true,
    });
    if (!sure) return;
    await this.act.run(async () => {
      await ok(api().POST('/v1/invites/decline', { body: { token: i.token } }));
      return t('landing.declinedNow.title');
    });
  }

  render() {
    return this.frame(
      t('me.invites.title'),
      t('me.invites.none'),
      html`<ul>
        ${this.items.map((e) => ('invite' in e ? this.invitation(e.invite) : 'joinable' in e ? this.joinable(e.joinable) : this.request(e.request)))}
      </ul>`,
    );
  }

  private invitation(i: MyInvite) {
    return html`<li data-resource=${i.resource.name}>
      <div class="mark" aria-hidden="true">${initial(i.resource.name)}</div>
      <div class="what">
        <strong class="break">${i.resource.name}</strong>
        <div class="muted">${t('me.invites.from', { inviter: i.inviter, role: roleLabel(i.role), date: formatDate(i.expiresAt) })}</div>
      </div>
      <div class="row">
        <button class="primary" @click=${() => this.accept(i)}>${t('me.accept')}<span class="sr-only"> ${i.resource.name}</span></button>
        <button @click=${() => this.decline(i)}>${t('me.decline')}<span class="sr-only"> ${i.resource.name}</span></button>
      </div>
    </li>`;
  }

  private joinable(j: Joinable) {
    return html`<li data-resource=${j.resource.name} data-joinable>
      <div class="mark" aria-hidden="true">${initial(j.resource.name)}</div>
      <div class="what">
        <strong class="break">${j.resource.name}</strong>
        <div class="muted">${t('me.joinable.from', { domain: j.domain, role: roleLabel(j.role) })}</div>
      </div>
      <div class="row">
        <button class="primary" @click=${() => this.join(j)}>${t(j.mode === 'ask' ? 'my.ask' : 'me.join')}<span class="sr-only"> ${j.resource.name}</span></button>
      </div>
    </li>`;
  }

  private request(r: MyRequest) {
    return html`<li data-resource=${r.resource.name} data-request=${r.status}>
      <div class="mark" aria-hidden="true">${initial(r.resource.name)}</div>
      <div class="what">
        <strong class="break">${r.resource.name}</strong>
        <div class="muted">${roleLabel(r.role)} · ${t('requests.asked', { date: formatDate(r.createdAt) })}</div>
        ${r.reason ? html`<div class="muted break">${t('my.requests.reason', { reason: r.reason })}</div>` : nothing}
      </div>
      <div class="row"><span class="status status-${r.status}">${t(`requests.status.${r.status}`)}</span></div>
    </li>`;
  }
}

export class MyResources extends MyList<MyResource> {
  protected async fetch() {
    const [resources] = await Promise.all([ok(api().GET('/v1/me/resources')), loadRoles()]);
    return resources.items;
  }

  private async leave(r: MyResource) {
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('me.leave.title', { resource: r.resource.name }),
      body: t('me.leave.body'),
      confirm: t('me.leave'),
      danger: true,
    });
    if (!sure) return;
    await this.act.run(async () => {
      await ok(api().DELETE('/v1/me/resources/{rid}', { params: { path: { rid: r.resource.id } } }));
      return t('me.left', { resource: r.resource.name });
    });
  }

  render() {
    return this.frame(
      t('me.resources.title'),
      t('me.resources.none'),
      html`<ul>
        ${this.items.map(
          (r) => html`<li data-resource=${r.resource.name}>
            <div class="mark" aria-hidden="true">${initial(r.resource.name)}</div>
            <div class="what">
              <strong class="break">${r.resource.name}</strong>
              <div class="muted">${roleLabel(r.role)} · ${t(r.role === 'owner' ? 'me.created' : 'me.joinedOn', { date: formatDate(r.joinedAt) })}</div>
            </div>
            <div class="row">
              <a class="button" href=${resourceHref(r.resource.id)}>${t('me.open')}<span class="sr-only"> ${r.resource.name}</span></a>
              ${r.role === 'owner'
                ? html`<span class="muted small" title=${t('error.owner_cannot_leave')}>${t('me.owner')}</span>`
                : html`<button @click=${() => this.leave(r)}>${t('me.leave')}<span class="sr-only"> ${r.resource.name}</span></button>`}
            </div>
          </li>`,
        )}
      </ul>`,
    );
  }
}

customElements.define('my-invitations', MyInvitations);
customElements.define('my-resources', MyResources);
