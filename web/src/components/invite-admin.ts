// <invite-admin resource-id="…">: "Users & invites" for one resource. Seats,
// the invite form, invites with status filter and paging and a ⋯ menu per
// pending invite (resend, copy link, change role, delete), members (role,
// remove) and the audit trail.

import { LitElement, css, html, nothing } from 'lit';
import { ApiError, api, ok, type Invite, type Member, type Schemas } from '../api/client';
import { isConfigured, locale, upgradeHref } from '../config';
import './team-links';
import './verified-domains';
import { confirmIn } from '../confirm';
import { explain } from '../errors';
import { formatDate, formatShort, has, t, type I18nKey } from '../i18n';
import { base } from '../styles';
import { MAX_BULK, parseBulk, type BulkRole } from '../bulk';

type Tab = 'invites' | 'members' | 'audit';
type Filter = 'pending' | 'accepted' | 'expired' | 'revoked' | 'declined' | 'undeliverable' | 'all';
type Role = 'admin' | 'read_only';
type Audit = Schemas['AuditPage']['items'][number];
type Resource = Schemas['Resource'];
type BatchLine = Schemas['InviteBatchResult']['results'][number];

const FILTERS: Filter[] = ['pending', 'accepted', 'expired', 'revoked', 'declined', 'undeliverable', 'all'];
/** Which form field an API error code belongs to. */
const FIELD_OF: Record<string, string> = {
  invalid_email: 'email',
  already_pending: 'email',
  already_member: 'email',
  invalid_message: 'message',
  invalid_expires_in_days: 'expires',
  invalid_role: 'role',
  invalid_locale: 'locale',
};
const PAGE = 20;

export class InviteAdmin extends LitElement {
  static styles = [
    base,
    css`
      .page-head { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-end; justify-content: space-between; margin-bottom: 1.25rem; }
      .page-head h1 { margin: 0; }
      .settings { margin: -0.5rem 0 0.75rem; }
      .eyebrow { font-size: 0.85rem; font-weight: 600; color: var(--inv-muted); margin: 0 0 0.2rem; }
      .seats { min-width: 14rem; flex: 0 1 18rem; }
      .seats-line { display: flex; justify-content: space-between; font-size: 0.875rem; margin-bottom: 0.35rem; }
      .meter { height: 0.5rem; border-radius: 999px; background: #e4e7ee; overflow: hidden; }
      .meter > span { display: block; height: 100%; background: var(--inv-accent); border-radius: inherit; }
      .meter.full > span { background: var(--inv-danger); }
      .notice.plan { background: #fff7e0; color: #5c4300; border-color: #f1dc9c; margin-bottom: 1rem; }
      .notice.plan .grow { display: grid; gap: 0.5rem; justify-items: start; }
      [role='tablist'] { display: flex; gap: 0.25rem; border-bottom: 1px solid var(--inv-line); margin: 0 0 1.25rem; overflow-x: auto; }
      [role='tab'] {
        border: none; border-radius: 0; background: none; padding: 0.6rem 0.85rem; min-height: 2.75rem;
        color: var(--inv-muted); font-weight: 600; border-bottom: 3px solid transparent; margin-bottom: -1px; white-space: nowrap;
      }
      [role='tab']:hover { background: none; color: var(--inv-ink); }
      [role='tab'][aria-selected='true'] { color: var(--inv-accent); border-bottom-color: var(--inv-accent); }
      [role='tab']:focus-visible { outline-offset: -3px; border-radius: 6px 6px 0 0; }
      .count { display: inline-block; min-width: 1.4rem; padding: 0 0.35rem; margin-left: 0.35rem; border-radius: 999px; background: #e4e7ee; color: var(--inv-ink); font-size: 0.75rem; line-height: 1.4rem; text-align: center; }
      .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); align-items: start; }
      .layout > .card, .side > .card { margin: 0; }
      .side { display: grid; gap: 1rem; }
      details.bulk > summary { cursor: pointer; list-style: none; display: flex; align-items: center; gap: 0.5rem; min-height: 2.75rem; }
      details.bulk > summary::before { content: '▸'; color: var(--inv-muted); }
      details.bulk[open] > summary::before { content: '▾'; }
      details.bulk > summary h2 { margin: 0; font-size: 1.05rem; }
      .refused { border: 1px solid var(--inv-line); border-radius: 8px; padding: 0.5rem 0.75rem; margin: 0 0 1rem; background: var(--inv-soft); }
      .refused h3 { font-size: 0.95rem; margin: 0 0 0.35rem; }
      .refused ul { margin: 0; padding-left: 1.1rem; font-size: 0.9rem; }
      .filters { display: inline-flex; flex-wrap: wrap; gap: 0.25rem; padding: 0.25rem; background: var(--inv-soft); border: 1px solid var(--inv-line); border-radius: 10px; }
      .filters button { border: none; background: none; min-height: 2.25rem; padding: 0.35rem 0.75rem; font-size: 0.9rem; color: var(--inv-muted); }
      .filters button:hover { color: var(--inv-ink); background: #eceef3; }
      .filters button[aria-pressed='true'] { background: var(--inv-surface); color: var(--inv-ink); box-shadow: var(--inv-shadow); }
      .cell-actions { position: relative; text-align: right; width: 3.5rem; }
      [role='menu'] {
        position: fixed; z-index: 30; min-width: 15rem; max-width: calc(100vw - 1rem); padding: 0.35rem; margin: 0;
        background: var(--inv-surface); border: 1px solid var(--inv-line); border-radius: 10px; box-shadow: 0 12px 32px rgb(16 24 40 / 18%); text-align: left;
      }
      [role='menuitem'] { display: flex; width: 100%; justify-content: flex-start; border: none; background: none; border-radius: 6px; font-weight: 500; padding: 0.5rem 0.75rem; }
      [role='menuitem']:hover, [role='menuitem']:focus { background: var(--inv-soft); }
      [role='menuitem'].danger-item { color: var(--inv-danger); }
      [role='separator'] { height: 1px; background: var(--inv-line); margin: 0.3rem 0; }
      .copied { margin-top: 0.5rem; width: 100%; }
      .copied input { font: 0.85rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
      .empty { text-align: center; padding: 2rem 1rem; color: var(--inv-muted); }
      .more { display: flex; justify-content: center; margin-top: 1rem; }
      .audit-text { font-weight: 500; }
      .owner-note { display: block; font-size: 0.8rem; color: var(--inv-muted); margin-top: 0.15rem; }
      td select { width: auto; min-width: 10rem; }
      td.date { font-size: 0.9rem; white-space: nowrap; }
      @media (min-width: 64rem) { .layout.with-form { grid-template-columns: 18.5rem minmax(0, 1fr); } }
    `,
  ];
  static properties = {
    resourceId: { type: String, attribute: 'resource-id' },
    resource: { state: true },
    tab: { state: true },
    filter: { state: true },
    invites: { state: true },
    invitesCursor: { state: true },
    members: { state: true },
    audit: { state: true },
    auditCursor: { state: true },
    notice: { state: true },
    alert: { state: true },
    fieldErrors: { state: true },
    openMenu: { state: true },
    menuAt: { state: true },
    copiedUrl: { state: true },
    busy: { state: true },
    loaded: { state: true },
    bulkText: { state: true },
    bulkRefused: { state: true },
  };

  declare resourceId: string;
  declare resource: Resource | null;
  declare tab: Tab;
  declare filter: Filter;
  declare invites: Invite[];
  declare invitesCursor: string | null;
  declare members: Member[];
  declare audit: Audit[];
  declare auditCursor: string | null;
  declare notice: string;
  declare alert: string;
  declare fieldErrors: Record<string, string>;
  declare openMenu: string | null;
  /** Where the open ⋯ menu sits (fixed, so no scrolling table clips it). */
  declare menuAt: string;
  declare copiedUrl: string;
  declare busy: boolean;
  declare loaded: boolean;
  /** The bulk form's list, and the lines the last bulk invite refused. */
  declare bulkText: string;
  declare bulkRefused: BatchLine[];
  /** Display names for the audit trail: user ids and invite ids → a name or an address. */
  private names = new Map<string, string>();

  constructor() {
    super();
    this.resourceId = '';
    this.resource = null;
    this.tab = 'invites';
    this.filter = 'pending';
    this.invites = [];
    this.invitesCursor = null;
    this.members = [];
    this.audit = [];
    this.auditCursor = null;
    this.notice = '';
    this.alert = '';
    this.fieldErrors = {};
    this.bulkText = '';
    this.bulkRefused = [];
    this.openMenu = null;
    this.menuAt = '';
    this.copiedUrl = '';
    this.busy = false;
    this.loaded = false;
  }

  private readonly closeMenu = () => (this.openMenu = null);
  /** A scroll anywhere (the page, the table, the browser revealing a focused
   * item) keeps the open menu by its button instead of closing it. */
  private readonly followMenu = () => {
    if (this.openMenu) void this.fitMenu(this.openMenu);
  };

  connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('click', this.closeMenu);
    window.addEventListener('resize', this.closeMenu);
    window.addEventListener('scroll', this.followMenu, true);
    if (isConfigured()) void this.reload();
    else window.addEventListener('invites-config', () => void this.reload(), { once: true });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('click', this.closeMenu);
    window.removeEventListener('resize', this.closeMenu);
    window.removeEventListener('scroll', this.followMenu, true);
  }

  protected updated(changed: Map<string, unknown>): void {
    if (changed.has('resourceId') && changed.get('resourceId') !== undefined) void this.reload();
  }

  private get rid() {
    return { path: { rid: this.resourceId } };
  }

  private get canManage() {
    return this.resource?.role === 'owner' || this.resource?.role === 'admin';
  }

  private async reload() {
    if (!this.resourceId) return;
    try {
      this.resource = await ok(api().GET('/v1/resources/{rid}', { params: this.rid }));
      if (!this.canManage) this.tab = 'members';
      await this.loadTab();
    } catch (e) {
      this.alert = explain(e);
    }
    this.loaded = true;
  }

  private async refreshSeats() {
    this.resource = await ok(api().GET('/v1/resources/{rid}', { params: this.rid }));
  }

  /** The resource's setting: one reminder before each invite expires. */
  private async setReminders(ev: Event) {
    const reminders = (ev.target as HTMLInputElement).checked;
    await this.act(async () => {
      this.resource = await ok(api().PATCH('/v1/resources/{rid}', { params: this.rid, body: { reminders } }));
      this.notice = t(reminders ? 'admin.reminders.turnedOn' : 'admin.reminders.turnedOff');
    });
  }

  private learn(invites: Invite[], members: Member[] = []) {
    for (const i of invites) {
      this.names.set(i.id, i.email);
      this.names.set(i.invitedBy.id, i.invitedBy.name);
    }
    for (const m of members) this.names.set(m.userId, m.name ?? m.email ?? m.userId);
  }

  private async loadTab(more = false) {
    if (this.tab === 'invites' && this.canManage) {
      const query = { status: this.filter, limit: PAGE, ...(more && this.invitesCursor ? { cursor: this.invitesCursor } : {}) };
      const page = await ok(api().GET('/v1/resources/{rid}/invites', { params: { ...this.rid, query } }));
      this.invites = more ? [...this.invites, ...page.items] : page.items;
      this.invitesCursor = page.nextCursor ?? null;
    } else if (this.tab === 'members') {
      this.members = (await ok(api().GET('/v1/resources/{rid}/members', { params: this.rid }))).items;
    } else if (this.tab === 'audit' && this.canManage) {
      const query = { limit: PAGE, ...(more && this.auditCursor ? { cursor: this.auditCursor } : {}) };
      const [page, all, members] = await Promise.all([
        ok(api().GET('/v1/resources/{rid}/audit', { params: { ...this.rid, query } })),
        more ? null : ok(api().GET('/v1/resources/{rid}/invites', { params: { ...this.rid, query: { status: 'all', limit: 100 } } })),
        more ? null : ok(api().GET('/v1/resources/{rid}/members', { params: this.rid })),
      ]);
      this.learn(all?.items ?? [], members?.items ?? []);
      this.audit = more ? [...this.audit, ...page.items] : page.items;
      // Someone who joined and has left since is still known by the address their invite went to.
      for (const a of this.audit) {
        if (a.action === 'invite.accepted' && !this.names.has(a.actor) && this.names.has(a.subject)) this.names.set(a.actor, this.names.get(a.subject)!);
      }
      this.auditCursor = page.nextCursor ?? null;
    }
  }

  private async act(work: () => Promise<void>) {
    this.notice = '';
    this.alert = '';
    this.fieldErrors = {};
    this.copiedUrl = '';
    this.busy = true;
    try {
      await work();
    } catch (e) {
      this.alert = explain(e);
    } finally {
      this.busy = false;
    }
  }

  private showTab(tab: Tab, focus = false) {
    this.tab = tab;
    this.openMenu = null;
    if (focus) void this.updateComplete.then(() => (this.renderRoot.querySelector(`#tab-${tab}`) as HTMLElement | null)?.focus());
    void this.act(() => this.loadTab());
  }

  /** Tabs follow the ARIA pattern: arrow keys, Home and End move between them. */
  private tabKeys(ev: KeyboardEvent, tabs: Tab[]) {
    const at = tabs.indexOf(this.tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    this.showTab(tabs[(to + tabs.length) % tabs.length], true);
  }

  private setFilter(f: Filter) {
    this.filter = f;
    void this.act(() => this.loadTab());
  }

  private async submitInvite(ev: SubmitEvent) {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const message = String(data.get('message') ?? '').trim();
    const body = {
      email,
      role: String(data.get('role')) as Role,
      locale: String(data.get('locale')) as 'en' | 'de',
      expiresInDays: Number(data.get('expires')),
      reminder: data.get('reminder') === 'on',
      ...(message ? { message } : {}),
    };
    await this.act(async () => {
      try {
        const created = await this.overridingSuppression(email, (ignoreSuppression) =>
          ok(api().POST('/v1/resources/{rid}/invites', { params: this.rid, body: { ...body, ignoreSuppression } })),
        );
        if (!created) return;
        this.notice = created.emailQueued ? t('admin.invite.sent', { email }) : t('admin.invite.notQueued');
        form.reset();
        this.filter = 'pending';
        await Promise.all([this.loadTab(), this.refreshSeats()]);
      } catch (e) {
        const field = e instanceof ApiError ? FIELD_OF[e.code] : undefined;
        if (!field) throw e;
        this.fieldErrors = { [field]: explain(e) };
        await this.updateComplete;
        (this.renderRoot.querySelector(`[name=${field}]`) as HTMLElement | null)?.focus();
      }
    });
  }

  private async loadBulkFile(ev: Event) {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) this.bulkText = await file.text();
  }

  private async submitBulk(ev: SubmitEvent) {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const lines = parseBulk(this.bulkText, String(data.get('bulk-role')) as BulkRole);
    await this.act(async () => {
      if (lines.length === 0 || lines.length > MAX_BULK) {
        this.fieldErrors = { bulk: lines.length ? t('admin.bulk.tooMany', { count: lines.length }) : t('admin.bulk.empty') };
        return;
      }
      const locale = String(data.get('bulk-locale')) as 'en' | 'de';
      const invites = lines.map((l) => ({ email: l.email, role: l.role as BulkRole, locale, expiresInDays: 7, ignoreSuppression: false }));
      const result = await ok(
        api().POST('/v1/resources/{rid}/invites/batch', {
          params: this.rid,
          body: { invites },
          headers: { 'idempotency-key': crypto.randomUUID() },
        }),
      );
      this.bulkRefused = result.results.filter((r) => r.outcome === 'refused');
      // Keep only the refused lines in the box, to fix and send again.
      this.bulkText = this.bulkRefused.map((r) => `${r.email ?? ''}, ${invites[r.index]?.role ?? ''}`).join('\n');
      this.notice = t('admin.bulk.done', { created: result.created, refused: result.refused });
      this.filter = 'pending';
      await Promise.all([this.loadTab(), this.refreshSeats()]);
    });
  }

  private bulkForm() {
    const count = parseBulk(this.bulkText, 'read_only').length;
    const invalid = this.fieldErrors.bulk ? 'true' : 'false';
    return html`<details class="card bulk" ?open=${this.bulkRefused.length > 0}>
      <summary><h2 id="bulk-title">${t('admin.bulk.title')}</h2></summary>
      <form @submit=${this.submitBulk} novalidate aria-labelledby="bulk-title">
        <p class="muted small" id="bulk-lead">${t('admin.bulk.lead', { max: MAX_BULK })}</p>
        <div class="field">
          <label for="bulk">${t('admin.bulk.list')}</label>
          <textarea id="bulk" name="bulk" rows="5" spellcheck="false" placeholder=${'name@example.com\nother@example.com, admin'}
            .value=${this.bulkText} @input=${(e: Event) => (this.bulkText = (e.target as HTMLTextAreaElement).value)}
            aria-invalid=${invalid} aria-describedby=${this.fieldErrors.bulk ? 'bulk-error bulk-lead' : 'bulk-lead'}></textarea>
          ${this.fieldError('bulk')}
        </div>
        <div class="field">
          <label for="bulk-file">${t('admin.bulk.file')}</label>
          <input id="bulk-file" type="file" accept=".csv,.txt,text/csv,text/plain" @change=${this.loadBulkFile} />
        </div>
        <div class="grid">
          <div class="field">
            <label for="bulk-role">${t('admin.bulk.role')}</label>
            <select id="bulk-role" name="bulk-role">
              <option value="read_only">${t('role.read_only')}</option>
              <option value="admin">${t('role.admin')}</option>
            </select>
          </div>
          <div class="field">
            <label for="bulk-locale">${t('admin.bulk.language')}</label>
            <select id="bulk-locale" name="bulk-locale">
              <option value="en" ?selected=${locale() === 'en'}>English</option>
              <option value="de" ?selected=${locale() === 'de'}>Deutsch</option>
            </select>
          </div>
        </div>
        ${this.bulkRefused.length
          ? html`<div class="refused" role="region" aria-labelledby="refused-title">
              <h3 id="refused-title">${t('admin.bulk.refused', { count: this.bulkRefused.length })}</h3>
              <ul>${this.bulkRefused.map(
                (r) => html`<li><span class="strong break">${r.email || '–'}</span>: ${explain(new ApiError(422, r.error?.code ?? '', r.error?.message ?? ''))}</li>`,
              )}</ul>
            </div>`
          : nothing}
        <button class="primary" type="submit" ?disabled=${this.busy || count === 0} style="width:100%">
          ${count ? t('admin.bulk.submit', { count }) : t('admin.bulk.submitNone')}
        </button>
      </form>
    </details>`;
  }

  private toggleMenu(id: string, ev: Event) {
    ev.stopPropagation();
    if (this.openMenu === id) {
      this.openMenu = null;
      return;
    }
    void this.openAt(id).then(() => this.menuItems(id)[0]?.focus());
  }

  /** Once the menu is drawn: its real height decides below or above the
   * button, so it never reaches past the window (scrolling closes it). */
  private async fitMenu(id: string) {
    await this.updateComplete;
    const menu = this.renderRoot.querySelector(`#menu-${id}`) as HTMLElement | null;
    const button = this.renderRoot.querySelector(`#menu-button-${id}`) as HTMLElement | null;
    if (!menu || !button) return;
    const [h, r] = [menu.getBoundingClientRect().height, button.getBoundingClientRect()];
    const right = Math.max(8, window.innerWidth - r.right);
    const top = r.bottom + 4 + h <= window.innerHeight - 8 ? r.bottom + 4 : r.top - 4 - h >= 8 ? r.top - 4 - h : Math.max(8, window.innerHeight - h - 8);
    this.menuAt = `top:${top}px;right:${right}px`;
    await this.updateComplete;
  }

  /** Opens the menu by its button (placed by `fitMenu` once drawn). */
  private openAt(id: string): Promise<void> {
    const r = (this.renderRoot.querySelector(`#menu-button-${id}`) as HTMLElement | null)?.getBoundingClientRect();
    if (r) this.menuAt = `top:${r.bottom + 4}px;right:${Math.max(8, window.innerWidth - r.right)}px;visibility:hidden`;
    this.openMenu = id;
    return this.fitMenu(id);
  }

  private menuItems(id: string) {
    return [...this.renderRoot.querySelectorAll<HTMLElement>(`#menu-${id} [role=menuitem]`)];
  }

  private menuButtonKeys(ev: KeyboardEvent, id: string) {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      void this.openAt(id).then(() => this.menuItems(id).at(ev.key === 'ArrowDown' ? 0 : -1)?.focus());
    }
  }

  /** The ⋯ menu: arrows, Home and End move, Escape closes and returns focus, Tab closes. */
  private menuKeys(ev: KeyboardEvent, id: string) {
    const items = this.menuItems(id);
    const at = items.indexOf((this.renderRoot as ShadowRoot).activeElement as HTMLElement);
    const focus = (i: number) => {
      ev.preventDefault();
      items[(i + items.length) % items.length]?.focus();
    };
    switch (ev.key) {
      case 'Escape':
        ev.preventDefault();
        this.openMenu = null;
        (this.renderRoot.querySelector(`#menu-button-${id}`) as HTMLElement | null)?.focus();
        break;
      case 'Tab':
        this.openMenu = null;
        break;
      case 'ArrowDown':
        focus(at + 1);
        break;
      case 'ArrowUp':
        focus(at - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(items.length - 1);
        break;
    }
  }

  /** After a menu action, focus goes back to the row's ⋯ button (or the list). */
  private refocus(i: Invite) {
    void this.updateComplete.then(() => (this.renderRoot.querySelector(`#menu-button-${i.id}`) as HTMLElement | null)?.focus());
  }

  private inviteParams(i: Invite) {
    return { path: { rid: this.resourceId, id: i.id } };
  }

  /**
   * Runs a call that sends an e-mail; when the address is on the resource's
   * suppression list (it bounced for good or complained), asks first and
   * sends anyway only on a yes. `null` when the admin said no.
   */
  private async overridingSuppression<T>(email: string, call: (ignoreSuppression: boolean) => Promise<T>): Promise<T | null> {
    try {
      return await call(false);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'email_suppressed')) throw e;
      const sure = await confirmIn(this.renderRoot as ShadowRoot, {
        title: t('admin.suppressed.title', { email }),
        body: t('admin.suppressed.body', { email }),
        confirm: t('admin.suppressed.confirm'),
        danger: true,
      });
      return sure ? call(true) : null;
    }
  }

  private async resend(i: Invite) {
    this.openMenu = null;
    await this.act(async () => {
      const resent = await this.overridingSuppression(i.email, (ignoreSuppression) =>
        ok(api().POST('/v1/resources/{rid}/invites/{id}/resend', { params: this.inviteParams(i), body: { rotate: false, ignoreSuppression } })),
      );
      if (!resent) return;
      this.notice = t('admin.resent', { email: i.email });
      await Promise.all([this.loadTab(), this.refreshSeats()]);
    });
    this.refocus(i);
  }

  private async copy(i: Invite) {
    this.openMenu = null;
    await this.act(async () => {
      const link = await ok(api().POST('/v1/resources/{rid}/invites/{id}/link', { params: this.inviteParams(i) }));
      try {
        await navigator.clipboard.writeText(link.url);
        this.notice = t('admin.copied', { email: i.email });
      } catch {
        this.notice = t('admin.copyFallback');
      }
      this.copiedUrl = link.url;
    });
    this.refocus(i);
  }

  private async changeInviteRole(i: Invite, role: Role) {
    this.openMenu = null;
    await this.act(async () => {
      await ok(api().PATCH('/v1/resources/{rid}/invites/{id}', { params: this.inviteParams(i), body: { role } }));
      this.notice = t('admin.inviteRoleChanged', { email: i.email, role: t(`role.${role}`) });
      await this.loadTab();
    });
    this.refocus(i);
  }

  private async deleteInvite(i: Invite) {
    this.openMenu = null;
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('admin.delete.title'),
      body: t('admin.delete.body', { email: i.email }),
      confirm: t('admin.delete.confirm'),
      danger: true,
    });
    if (!sure) return this.refocus(i);
    await this.act(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/invites/{id}', { params: this.inviteParams(i) }));
      this.notice = t('admin.deleted', { email: i.email });
      await Promise.all([this.loadTab(), this.refreshSeats()]);
    });
  }

  private memberName(m: Member) {
    return m.name ?? m.email ?? m.userId;
  }

  private changeMemberRole(m: Member, role: Role) {
    return this.act(async () => {
      await ok(api().PATCH('/v1/resources/{rid}/members/{uid}', { params: { path: { rid: this.resourceId, uid: m.userId } }, body: { role } }));
      this.notice = t('admin.memberRoleChanged', { name: this.memberName(m), role: t(`role.${role}`) });
      await this.loadTab();
    });
  }

  private async removeMember(m: Member) {
    const name = this.memberName(m);
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('admin.member.remove.title', { name }),
      body: t('admin.member.remove.body', { name, resource: this.resource?.name ?? '' }),
      confirm: t('admin.member.remove'),
      danger: true,
    });
    if (!sure) return;
    await this.act(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/members/{uid}', { params: { path: { rid: this.resourceId, uid: m.userId } } }));
      this.notice = t('admin.member.removed', { name });
      await Promise.all([this.loadTab(), this.refreshSeats()]);
    });
  }

  render() {
    const r = this.resource;
    if (!r) {
      return html`<section class="card" aria-busy=${!this.loaded}>
        ${this.alert ? html`<p class="notice error" role="alert">${this.alert}</p>` : html`<p class="muted" role="status">${t('loading')}</p>`}
      </section>`;
    }
    const tabs: Tab[] = this.canManage ? ['invites', 'members', 'audit'] : ['members'];
    const full = r.seats.used >= r.seats.limit;
    return html`<section aria-labelledby="admin-title">
      <header class="page-head">
        <div>
          <p class="eyebrow break">${r.name} · ${t(`role.${r.role}`)}</p>
          <h1 id="admin-title">${t('admin.title')}</h1>
        </div>
        <div class="seats">
          <div class="seats-line"><span class="strong">${t('admin.seats.label')}</span><span id="seats-label">${t('admin.seats', { used: r.seats.used, limit: r.seats.limit })}</span></div>
          <div class="meter ${full ? 'full' : ''}" role="meter" aria-labelledby="seats-label" aria-valuemin="0" aria-valuemax=${r.seats.limit} aria-valuenow=${r.seats.used}>
            <span style="width:${Math.min(100, (100 * r.seats.used) / Math.max(1, r.seats.limit))}%"></span>
          </div>
        </div>
      </header>
      ${this.canManage
        ? html`<label class="check settings"><input type="checkbox" role="switch" .checked=${r.reminders} ?disabled=${this.busy}
            @change=${this.setReminders} />${t('admin.reminders')}</label>`
        : html`<p class="notice">${t('admin.readOnly')}</p>`}
      <div role="status" aria-live="polite">
        ${this.notice
          ? html`<div class="notice success"><div class="grow">
              <div>${this.notice}</div>
              ${this.copiedUrl
                ? html`<div class="copied"><label for="copied-url" class="sr-only">${t('admin.link')}</label>
                    <input id="copied-url" readonly .value=${this.copiedUrl} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></div>`
                : nothing}
            </div></div>`
          : nothing}
      </div>
      <div role="alert">${this.alert ? html`<p class="notice error">${this.alert}</p>` : nothing}</div>
      <div role="tablist" aria-label=${t('admin.title')} @keydown=${(e: KeyboardEvent) => this.tabKeys(e, tabs)}>
        ${tabs.map(
          (tab) => html`<button role="tab" id="tab-${tab}" aria-controls="panel" aria-selected=${this.tab === tab}
            tabindex=${this.tab === tab ? 0 : -1} @click=${() => this.showTab(tab)}>${t(`admin.tab.${tab}`)}</button>`,
        )}
      </div>
      <div id="panel" role="tabpanel" aria-labelledby="tab-${this.tab}">
        ${this.tab === 'invites' ? this.invitesPanel() : this.tab === 'members' ? this.membersPanel() : this.auditPanel()}
      </div>
    </section>`;
  }

  private fieldError(name: string) {
    return this.fieldErrors[name] ? html`<div class="field-error" id="${name}-error">${this.fieldErrors[name]}</div>` : nothing;
  }

  /** When the plan stops new invites (inviting off, or every seat taken): say so, and where to upgrade. */
  private planNotice() {
    const r = this.resource!;
    const off = !r.invitesEnabled;
    if (!off && r.seats.used < r.seats.limit) return nothing;
    const upgrade = upgradeHref(r.id);
    return html`<div class="notice plan" role="note">
      <div class="grow">
        <div class="strong">${off ? t('admin.plan.off') : t('admin.plan.full', { limit: r.seats.limit })}</div>
        ${upgrade
          ? html`<a class="button primary" href=${upgrade}>${t('admin.plan.upgrade')}</a>`
          : html`<div class="small">${t('admin.plan.upgrade')}: ${t('admin.plan.hint')}</div>`}
      </div>
    </div>`;
  }

  private invitesPanel() {
    const err = (n: string) => (this.fieldErrors[n] ? 'true' : 'false');
    const described = (n: string, hint = '') =>
      [this.fieldErrors[n] ? `${n}-error` : '', hint].filter(Boolean).join(' ') || nothing;
    return html`<div class="layout with-form">
      <div class="side">
      ${this.planNotice()}
      <form class="card" @submit=${this.submitInvite} novalidate aria-labelledby="invite-title">
        <h2 id="invite-title">${t('admin.invite.title')}</h2>
        <p class="muted small">${t('admin.invite.lead')}</p>
        <div class="field">
          <label for="email">${t('admin.invite.email')}</label>
          <input id="email" name="email" type="email" autocomplete="off" spellcheck="false" required placeholder="name@example.com"
            aria-invalid=${err('email')} aria-describedby=${described('email')} />
          ${this.fieldError('email')}
        </div>
        <div class="field">
          <label for="role">${t('admin.invite.role')}</label>
          <select id="role" name="role" aria-describedby="role-hint">
            <option value="read_only">${t('role.read_only')}</option>
            <option value="admin">${t('role.admin')}</option>
          </select>
          <div class="hint" id="role-hint">${t('admin.invite.roleHint')}</div>
        </div>
        <div class="grid">
          <div class="field">
            <label for="locale">${t('admin.invite.language')}</label>
            <select id="locale" name="locale" aria-invalid=${err('locale')} aria-describedby=${described('locale')}>
              <option value="en" ?selected=${locale() === 'en'}>English</option>
              <option value="de" ?selected=${locale() === 'de'}>Deutsch</option>
            </select>
            ${this.fieldError('locale')}
          </div>
          <div class="field">
            <label for="expires">${t('admin.invite.expiry')}</label>
            <input id="expires" name="expires" type="number" inputmode="numeric" min="1" max="30" value="7" aria-invalid=${err('expires')}
              aria-describedby=${described('expires', 'expires-hint')} />
            <div class="hint" id="expires-hint">${t('admin.invite.expiryHint')}</div>
            ${this.fieldError('expires')}
          </div>
        </div>
        <div class="field">
          <label for="message">${t('admin.invite.message')}</label>
          <textarea id="message" name="message" rows="3" maxlength="1000" aria-invalid=${err('message')}
            aria-describedby=${described('message')}></textarea>
          ${this.fieldError('message')}
        </div>
        <div class="field">
          <label class="check"><input type="checkbox" name="reminder" ?checked=${this.resource?.reminders}
            ?disabled=${!this.resource?.reminders} aria-describedby="reminder-hint" />${t('admin.invite.reminder')}</label>
          <div class="hint" id="reminder-hint">${t(this.resource?.reminders ? 'admin.invite.reminderHint' : 'admin.invite.reminderOff')}</div>
        </div>
        <button class="primary" type="submit" ?disabled=${this.busy || !this.resource?.invitesEnabled} style="width:100%">${t('admin.invite.submit')}</button>
      </form>
      ${this.bulkForm()}
      <team-links resource-id=${this.resourceId}></team-links>
      ${this.resource?.role === 'owner' ? html`<verified-domains resource-id=${this.resourceId}></verified-domains>` : nothing}
      </div>
      <div class="card">
        <div class="card-head">
          <h2 id="invites-title">${t('admin.invites.title')}</h2>
          <div class="filters" role="group" aria-label=${t('admin.filter')}>
            ${FILTERS.map(
              (f) => html`<button type="button" aria-pressed=${this.filter === f} @click=${() => this.setFilter(f)}>${t(`status.${f}`)}</button>`,
            )}
          </div>
        </div>
        ${this.invites.length === 0
          ? html`<p class="empty">${t(this.filter === 'pending' ? 'admin.none.pending' : 'admin.none')}</p>`
          : html`<div class="table-wrap"><table class="stack-sm" aria-labelledby="invites-title">
              <thead><tr>
                <th scope="col">${t('admin.col.person')}</th>
                <th scope="col">${t('admin.col.status')}</th><th scope="col">${t('admin.col.mail')}</th>
                <th scope="col">${t('admin.col.sent')}</th><th scope="col">${t('admin.col.expires')}</th>
                <th scope="col"><span class="sr-only">${t('admin.col.actions')}</span></th>
              </tr></thead>
              <tbody>${this.invites.map((i) => this.inviteRow(i))}</tbody>
            </table></div>`}
        ${this.invitesCursor
          ? html`<div class="more"><button @click=${() => this.act(() => this.loadTab(true))} ?disabled=${this.busy}>${t('admin.more')}</button></div>`
          : nothing}
      </div>
    </div>`;
  }

  private inviteRow(i: Invite) {
    const other: Role = i.role === 'admin' ? 'read_only' : 'admin';
    const open = this.openMenu === i.id;
    return html`<tr data-email=${i.email}>
      <td class="break cell-first"><span class="strong">${i.email}</span><span class="cell-sub">${t(`role.${i.role}` as I18nKey)}</span></td>
      <td data-label=${t('admin.col.status')}><span class="badge ${i.status}">${t(`status.${i.status}`)}</span></td>
      <td data-label=${t('admin.col.mail')}>
        <span class="badge ${i.emailStatus}" title=${i.deliveryError ?? nothing}>${t(`mail.${i.emailStatus}`)}</span>
        ${i.bounceType ? html`<span class="cell-sub">${t(`mail.bounce.${i.bounceType}`)}</span>` : nothing}
        ${i.deliveryError ? html`<span class="cell-sub break">${i.deliveryError}</span>` : nothing}
      </td>
      <td data-label=${t('admin.col.sent')} class="date"><time datetime=${i.emailSentAt ?? nothing} title=${i.emailSentAt ? formatDate(i.emailSentAt) : nothing}>${formatShort(i.emailSentAt)}</time>
        ${i.remindedAt ? html`<span class="cell-sub">${t('admin.reminded', { date: formatShort(i.remindedAt) })}</span>` : nothing}</td>
      <td data-label=${t('admin.col.expires')} class="date"><time datetime=${i.expiresAt} title=${formatDate(i.expiresAt)}>${formatShort(i.expiresAt)}</time></td>
      <td class="cell-actions">
        ${i.status === 'pending' || i.status === 'undeliverable'
          ? html`<button class="icon ghost" id="menu-button-${i.id}" aria-haspopup="menu" aria-expanded=${open}
                aria-controls=${open ? `menu-${i.id}` : nothing} aria-label=${t('admin.menu', { email: i.email })}
                @click=${(e: Event) => this.toggleMenu(i.id, e)} @keydown=${(e: KeyboardEvent) => this.menuButtonKeys(e, i.id)}>⋯</button>
              ${open
                ? html`<div id="menu-${i.id}" role="menu" style=${this.menuAt} aria-label=${t('admin.menu', { email: i.email })}
                    @keydown=${(e: KeyboardEvent) => this.menuKeys(e, i.id)} @click=${(e: Event) => e.stopPropagation()}>
                    <button role="menuitem" tabindex="-1" @click=${() => this.resend(i)}>${t('admin.resend')}</button>
                    ${i.status === 'pending'
                      ? html`<button role="menuitem" tabindex="-1" @click=${() => this.copy(i)}>${t('admin.copy')}</button>
                          <button role="menuitem" tabindex="-1" @click=${() => this.changeInviteRole(i, other)}>
                            ${t('admin.changeRoleTo', { role: t(`role.${other}`) })}</button>`
                      : nothing}
                    <div role="separator"></div>
                    <button role="menuitem" tabindex="-1" class="danger-item" @click=${() => this.deleteInvite(i)}>${t('admin.delete')}</button>
                  </div>`
                : nothing}`
          : nothing}
      </td>
    </tr>`;
  }

  private membersPanel() {
    return html`<div class="card">
      <div class="card-head"><h2 id="members-title">${t('admin.members.title')}</h2>
        <span class="muted small">${t('admin.members.count', { n: this.members.length })}</span></div>
      ${this.members.length === 0
        ? html`<p class="empty">${t('admin.none')}</p>`
        : html`<div class="table-wrap"><table class="stack-sm" aria-labelledby="members-title">
            <thead><tr>
              <th scope="col">${t('admin.col.name')}</th>
              <th scope="col">${t('admin.col.role')}</th><th scope="col">${t('admin.col.joined')}</th>
              <th scope="col"><span class="sr-only">${t('admin.col.actions')}</span></th>
            </tr></thead>
            <tbody>${this.members.map((m) => this.memberRow(m))}</tbody>
          </table></div>`}
    </div>`;
  }

  private memberRow(m: Member) {
    const name = this.memberName(m);
    const editable = this.canManage && m.role !== 'owner';
    return html`<tr data-user=${m.userId}>
      <td class="cell-first break"><span class="strong">${name}</span>${m.email && m.email !== name ? html`<span class="cell-sub">${m.email}</span>` : nothing}</td>
      <td data-label=${t('admin.col.role')}>
        ${editable
          ? html`<label class="sr-only" for="role-${m.userId}">${t('admin.member.role', { name })}</label>
              <select id="role-${m.userId}" ?disabled=${this.busy} @change=${(e: Event) => this.changeMemberRole(m, (e.target as HTMLSelectElement).value as Role)}>
                <option value="admin" ?selected=${m.role === 'admin'}>${t('role.admin')}</option>
                <option value="read_only" ?selected=${m.role === 'read_only'}>${t('role.read_only')}</option>
              </select>`
          : html`<span class="badge role">${t(`role.${m.role}` as I18nKey)}</span>
              ${m.role === 'owner' ? html`<span class="owner-note">${t('admin.member.owner')}</span>` : nothing}`}
      </td>
      <td data-label=${t('admin.col.joined')} class="date"><time datetime=${m.joinedAt} title=${formatDate(m.joinedAt)}>${formatShort(m.joinedAt)}</time></td>
      <td class="cell-actions">
        ${editable
          ? html`<button class="icon ghost" aria-label=${t('admin.member.removeName', { name })} title=${t('admin.member.removeName', { name })}
              @click=${() => this.removeMember(m)}><svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path d="M4 7h16M10 11v6M14 11v6M6 7l1 12h10l1-12M9 7V4h6v3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg></button>`
          : nothing}
      </td>
    </tr>`;
  }

  private who(id: string) {
    if (id === 'system') return t('audit.system');
    if (id === 'invitee') return t('audit.invitee');
    return this.names.get(id) ?? id;
  }

  /** An audit entry in words: "Site Owner invited ann@example.com as Administrator". */
  private describe(a: Audit): string {
    const role = (r: string) => (has(`role.${r}`) ? t(`role.${r}` as I18nKey) : r);
    let from = '';
    let to = '';
    let granted = '';
    const detail = a.detail ?? '';
    const change = /^(\w+) -> (\w+)$/.exec(detail);
    if (change) [from, to] = [role(change[1]), role(change[2])];
    const roleIs = /^role=(\w+)$/.exec(detail);
    if (roleIs) granted = role(roleIs[1]);
    const p = { actor: this.who(a.actor), subject: this.who(a.subject), from, to, role: granted, detail };
    const key = `audit.${a.action}`;
    let text = has(key) ? t(key, p) : `${a.action} (${p.actor})`;
    if (a.action === 'invite.resent' && detail === 'new link') text += ` ${t('audit.newLink')}`;
    if (a.action === 'invite.delivery_failed' && detail) text += `: ${detail}`;
    if (a.action === 'resource.updated') text = t(detail === 'reminders off' ? 'audit.reminders.off' : 'audit.reminders.on', p);
    return text;
  }

  private auditPanel() {
    return html`<div class="card">
      <div class="card-head"><h2 id="audit-title">${t('admin.audit.title')}</h2><span class="muted small">${t('admin.audit.lead')}</span></div>
      ${this.audit.length === 0
        ? html`<p class="empty">${t('admin.none')}</p>`
        : html`<div class="table-wrap"><table class="stack-sm" aria-labelledby="audit-title">
            <thead><tr><th scope="col">${t('admin.col.when')}</th><th scope="col">${t('admin.col.what')}</th></tr></thead>
            <tbody>${this.audit.map(
              (a) => html`<tr data-action=${a.action}>
                <td class="date muted" data-label=${t('admin.col.when')}><time datetime=${a.at} title=${formatDate(a.at)}>${formatShort(a.at)}</time></td>
                <td class="break audit-text">${this.describe(a)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`}
      ${this.auditCursor
        ? html`<div class="more"><button @click=${() => this.act(() => this.loadTab(true))} ?disabled=${this.busy}>${t('admin.more')}</button></div>`
        : nothing}
    </div>`;
  }
}

customElements.define('invite-admin', InviteAdmin);
