// <invite-admin resource-id="…">: "Users & invites" for one resource. The
// screen holds the resource (seats, plan, reminders), the tabs and one live
// region for what happened and one for what went wrong; its parts (in
// ./admin) each do one thing: the invite form, the bulk invite, the invite
// list with its row menu, the members and the audit trail.

import { LitElement, html, nothing } from 'lit';
import { Act } from '../act';
import { api, ok } from '../api/client';
import { isConfigured, LOCALE_NAMES, LOCALES, upgradeHref, type Locale } from '../config';
import { confirmIn } from '../confirm';
import { explain } from '../errors';
import { t } from '../i18n';
import { can, loadRoles, roleLabel } from '../roles';
import { base } from '../styles';
import type { AdminScreen, Resource } from './admin/part';
import { adminStyles } from './admin/styles';
import type { InviteList } from './admin/invite-list';
import './admin/audit-trail';
import './admin/bulk-invite';
import './admin/invite-form';
import './admin/invite-list';
import './admin/member-list';
import './join-requests';
import './team-links';
import './verified-domains';
import { LocaleController } from '../locale-controller';

type Tab = 'invites' | 'members' | 'audit';

/**
 * Users & invites of one resource (attribute `resource-id`).
 *
 * @tag invite-admin
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
 */
export class InviteAdmin extends LitElement implements AdminScreen {
  /** Re-renders in the language picked; `lang` and `dir` on the element. */
  protected readonly i18n = new LocaleController(this);

  static styles = [base, adminStyles];
  static properties = {
    resourceId: { type: String, attribute: 'resource-id' },
    resource: { state: true },
    tab: { state: true },
    copiedUrl: { state: true },
    loaded: { state: true },
    deleted: { state: true },
  };

  declare resourceId: string;
  declare resource: Resource | null;
  declare tab: Tab;
  /** A link just copied, shown below the notice to copy by hand. */
  declare copiedUrl: string;
  declare loaded: boolean;
  /** The name of the resource just deleted here. */
  declare deleted: string;
  readonly act = new Act(this, async () => {}, () => (this.copiedUrl = ''));

  constructor() {
    super();
    this.resourceId = '';
    this.resource = null;
    this.tab = 'invites';
    this.copiedUrl = '';
    this.loaded = false;
    this.deleted = '';
  }

  get root(): ShadowRoot {
    return this.renderRoot as ShadowRoot;
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (isConfigured()) void this.reload();
    else window.addEventListener('invites-config', () => void this.reload(), { once: true });
  }

  protected updated(changed: Map<string, unknown>): void {
    if (changed.has('resourceId') && changed.get('resourceId') !== undefined) void this.reload();
  }


  private async reload() {
    if (!this.resourceId) return;
    try {
      const [r] = await Promise.all([ok(api().GET('/v1/resources/{rid}', { params: { path: { rid: this.resourceId } } })), loadRoles()]);
      // Decided before the first panel draws: a member who may not invite never loads the invites.
      if (!can(r, 'invite')) this.tab = 'members';
      this.resource = r;
    } catch (e) {
      this.act.alert = explain(e);
    }
    this.loaded = true;
  }

  async refreshSeats() {
    this.resource = await ok(api().GET('/v1/resources/{rid}', { params: { path: { rid: this.resourceId } } }));
  }

  async invitesCreated() {
    const list = this.renderRoot.querySelector('invite-list') as InviteList | null;
    await Promise.all([list?.show('pending'), this.refreshSeats()]);
  }

  showLink(url: string) {
    this.copiedUrl = url;
  }

  /** The owner deletes the resource, after typing its name. */
  private async deleteResource(r: Resource) {
    const p = { resource: r.name };
    const sure = await confirmIn(this.root, {
      title: t('admin.deleteResource.confirmTitle', p),
      body: t('admin.deleteResource.confirmBody', p),
      confirm: t('admin.deleteResource.confirm'),
      danger: true,
      typeToConfirm: { label: t('admin.deleteResource.typeName', p), value: r.name },
    });
    if (!sure) return;
    await this.act.run(async () => {
      await ok(api().DELETE('/v1/resources/{rid}', { params: { path: { rid: r.id } } }));
      this.deleted = r.name;
      this.resource = null;
      this.dispatchEvent(new CustomEvent('resource-deleted', { detail: { resourceId: r.id }, bubbles: true, composed: true }));
      return t('admin.deleteResource.done', p);
    });
  }

  /** The owner's way to delete the resource, below everything else. */
  private dangerZone(r: Resource) {
    if (r.role !== 'owner') return nothing;
    return html`<section class="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">${t('admin.deleteResource.title')}</h2>
      <p class="muted">${t('admin.deleteResource.lead')}</p>
      <button class="danger" ?disabled=${this.act.busy} @click=${() => this.deleteResource(r)}>${t('admin.deleteResource.button')}</button>
    </section>`;
  }

  /** The resource's setting: one reminder before each invite expires. */
  private setReminders(ev: Event) {
    const reminders = (ev.target as HTMLInputElement).checked;
    return this.act.run(async () => {
      this.resource = await ok(api().PATCH('/v1/resources/{rid}', { params: { path: { rid: this.resourceId } }, body: { reminders } }));
      return t(reminders ? 'admin.reminders.turnedOn' : 'admin.reminders.turnedOff');
    });
  }

  /** The resource's setting: the language of invitations that name none. */
  private setDefaultLocale(ev: Event) {
    const defaultLocale = (ev.target as HTMLSelectElement).value;
    return this.act.run(async () => {
      this.resource = await ok(api().PATCH('/v1/resources/{rid}', { params: { path: { rid: this.resourceId } }, body: { defaultLocale } }));
      const language = LOCALE_NAMES[defaultLocale as Locale];
      return language ? t('admin.locale.changed', { language }) : t('admin.locale.cleared');
    });
  }

  private showTab(tab: Tab, focus = false) {
    this.tab = tab;
    this.act.clear();
    if (focus) void this.updateComplete.then(() => (this.renderRoot.querySelector(`#tab-${tab}`) as HTMLElement | null)?.focus());
  }

  /** Tabs follow the ARIA pattern: arrow keys, Home and End move between them. */
  private tabKeys(ev: KeyboardEvent, tabs: Tab[]) {
    const at = tabs.indexOf(this.tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    this.showTab(tabs[(to + tabs.length) % tabs.length], true);
  }

  /** When the plan stops new invites (inviting off, or every seat taken): say so, and where to upgrade. */
  private planNotice(r: Resource) {
    const off = !r.invitesEnabled;
    if (!off && r.seats.used < r.seats.limit) return nothing;
    const upgrade = upgradeHref(r.id);
    return html`<div class="notice plan" role="note">
      <div class="grow">
        <div class="strong">${off ? t('admin.plan.off') : t('admin.plan.full', { count: r.seats.limit })}</div>
        ${upgrade
          ? html`<a class="button primary" href=${upgrade}>${t('admin.plan.upgrade')}</a>`
          : html`<div class="small">${t('admin.plan.upgrade')}: ${t('admin.plan.hint')}</div>`}
      </div>
    </div>`;
  }

  private panel(r: Resource) {
    const busy = this.act.busy;
    if (this.tab === 'members') return html`<member-list .admin=${this} .busy=${busy}></member-list>`;
    if (this.tab === 'audit') return html`<audit-trail .admin=${this} .busy=${busy}></audit-trail>`;
    return html`<div class="layout with-form">
      <div class="side">
        ${this.planNotice(r)}
        <invite-form .admin=${this} .busy=${busy}></invite-form>
        <bulk-invite .admin=${this} .busy=${busy}></bulk-invite>
        <join-requests resource-id=${this.resourceId}></join-requests>
        ${can(r, 'manage_team_links') ? html`<team-links resource-id=${this.resourceId}></team-links>` : nothing}
        ${can(r, 'manage_domains') ? html`<verified-domains resource-id=${this.resourceId}></verified-domains>` : nothing}
      </div>
      <invite-list .admin=${this} .busy=${busy}></invite-list>
    </div>`;
  }

  render() {
    const r = this.resource;
    if (this.deleted) {
      return html`<section class="card"><div role="status"><p class="notice success">${this.act.notice}</p></div></section>`;
    }
    if (!r) {
      return html`<section class="card" aria-busy=${!this.loaded}>
        ${this.act.alert ? html`<p class="notice error" role="alert">${this.act.alert}</p>` : html`<p class="muted" role="status">${t('loading')}</p>`}
      </section>`;
    }
    const tabs: Tab[] = [
      ...(can(r, 'invite') ? (['invites'] as const) : []),
      'members',
      ...(can(r, 'see_audit') ? (['audit'] as const) : []),
    ];
    const full = r.seats.used >= r.seats.limit;
    return html`<section aria-labelledby="admin-title">
      <header class="page-head">
        <div>
          <p class="eyebrow break">${r.name} · ${roleLabel(r.role)}</p>
          <h1 id="admin-title">${t('admin.title')}</h1>
        </div>
        <div class="seats">
          <div class="seats-line"><span class="strong">${t('admin.seats.label')}</span><span id="seats-label">${t('admin.seats', { used: r.seats.used, count: r.seats.limit })}</span></div>
          <div class="meter ${full ? 'full' : ''}" role="meter" aria-labelledby="seats-label" aria-valuemin="0" aria-valuemax=${r.seats.limit} aria-valuenow=${r.seats.used}>
            <span style="width:${Math.min(100, (100 * r.seats.used) / Math.max(1, r.seats.limit))}%"></span>
          </div>
        </div>
      </header>
      ${can(r, 'invite')
        ? html`<div class="settings">
            <label class="check"><input type="checkbox" role="switch" .checked=${r.reminders} ?disabled=${this.act.busy}
              @change=${this.setReminders} />${t('admin.reminders')}</label>
            <div class="field inline-field">
              <label for="default-locale">${t('admin.locale')}</label>
              <select id="default-locale" ?disabled=${this.act.busy} @change=${this.setDefaultLocale} aria-describedby="default-locale-hint">
                <option value="" ?selected=${!r.defaultLocale}>${t('admin.locale.deployment', { language: LOCALE_NAMES[r.deploymentLocale] })}</option>
                ${LOCALES.map((l) => html`<option value=${l} lang=${l} ?selected=${r.defaultLocale === l}>${LOCALE_NAMES[l]}</option>`)}
              </select>
              <span class="hint" id="default-locale-hint">${t('admin.locale.hint')}</span>
            </div>
          </div>`
        : html`<p class="notice">${t('admin.readOnly')}</p>`}
      <div role="status" aria-live="polite">
        ${this.act.notice
          ? html`<div class="notice success"><div class="grow">
              <div>${this.act.notice}</div>
              ${this.copiedUrl
                ? html`<div class="copied"><label for="copied-url" class="sr-only">${t('admin.link')}</label>
                    <input id="copied-url" readonly .value=${this.copiedUrl} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></div>`
                : nothing}
            </div></div>`
          : nothing}
      </div>
      <div role="alert">${this.act.alert ? html`<p class="notice error">${this.act.alert}</p>` : nothing}</div>
      <div role="tablist" aria-label=${t('admin.title')} @keydown=${(e: KeyboardEvent) => this.tabKeys(e, tabs)}>
        ${tabs.map(
          (tab) => html`<button role="tab" id="tab-${tab}" aria-controls="panel" aria-selected=${this.tab === tab}
            tabindex=${this.tab === tab ? 0 : -1} @click=${() => this.showTab(tab)}>${t(`admin.tab.${tab}`)}</button>`,
        )}
      </div>
      <div id="panel" role="tabpanel" aria-labelledby="tab-${this.tab}">${this.panel(r)}</div>
      ${this.dangerZone(r)}
    </section>`;
  }
}

customElements.define('invite-admin', InviteAdmin);
