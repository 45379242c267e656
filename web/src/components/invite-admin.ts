// <invite-admin resource-id="…">: "Users & invites" for one resource. Seats,
// the invite form, invites with status filter and paging and a ⋯ menu per
// pending invite (resend, copy link, change role, delete), members (role,
// remove) and the audit trail.

import { LitElement, html, nothing } from 'lit';
import { ApiError, api, ok, type Invite, type Member, type Schemas } from '../api/client';
import { isConfigured, locale } from '../config';
import { confirmIn } from '../confirm';
import { explain } from '../errors';
import { formatDate, t, type I18nKey } from '../i18n';
import { base } from '../styles';

type Tab = 'invites' | 'members' | 'audit';
type Filter = 'pending' | 'accepted' | 'expired' | 'revoked' | 'declined' | 'all';
type Role = 'admin' | 'read_only';
type Audit = Schemas['AuditPage']['items'][number];
type Resource = Schemas['Resource'];

const FILTERS: Filter[] = ['pending', 'accepted', 'expired', 'revoked', 'declined', 'all'];
const FIELD_OF: Record<string, string> = {
  invalid_email: 'email',
  already_pending: 'email',
  already_member: 'email',
  invalid_message: 'message',
  invalid_expires_in_days: 'expires',
  invalid_role: 'role',
};

export class InviteAdmin extends LitElement {
  static styles = base;
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
    copiedUrl: { state: true },
    busy: { state: true },
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
  declare copiedUrl: string;
  declare busy: boolean;

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
    this.openMenu = null;
    this.copiedUrl = '';
    this.busy = false;
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (isConfigured()) void this.reload();
    else window.addEventListener('invites-config', () => void this.reload(), { once: true });
  }

  private get rid() {
    return { path: { rid: this.resourceId } };
  }

  private get canManage() {
    return this.resource?.role === 'owner' || this.resource?.role === 'admin';
  }

  private async reload() {
    try {
      this.resource = await ok(api().GET('/v1/resources/{rid}', { params: this.rid }));
      if (!this.canManage) {
        this.tab = 'members';
      }
      await this.loadTab();
    } catch (e) {
      this.alert = explain(e);
    }
  }

  private async refreshSeats() {
    this.resource = await ok(api().GET('/v1/resources/{rid}', { params: this.rid }));
  }

  private async loadTab(more = false) {
    if (this.tab === 'invites' && this.canManage) {
      const query = { status: this.filter, limit: 20, ...(more && this.invitesCursor ? { cursor: this.invitesCursor } : {}) };
      const page = await ok(api().GET('/v1/resources/{rid}/invites', { params: { ...this.rid, query } }));
      this.invites = more ? [...this.invites, ...page.items] : page.items;
      this.invitesCursor = page.nextCursor ?? null;
    } else if (this.tab === 'members') {
      this.members = (await ok(api().GET('/v1/resources/{rid}/members', { params: this.rid }))).items;
    } else if (this.tab === 'audit' && this.canManage) {
      const query = { limit: 20, ...(more && this.auditCursor ? { cursor: this.auditCursor } : {}) };
      const page = await ok(api().GET('/v1/resources/{rid}/audit', { params: { ...this.rid, query } }));
      this.audit = more ? [...this.audit, ...page.items] : page.items;
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

  private showTab(tab: Tab) {
    this.tab = tab;
    void this.act(() => this.loadTab());
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
      ...(message ? { message } : {}),
    };
    await this.act(async () => {
      try {
        const created = await ok(api().POST('/v1/resources/{rid}/invites', { params: this.rid, body }));
        this.notice = created.emailQueued ? t('admin.invite.sent', { email }) : t('admin.invite.notQueued');
        form.reset();
        this.filter = 'pending';
        await Promise.all([this.loadTab(), this.refreshSeats()]);
      } catch (e) {
        const field = e instanceof ApiError ? FIELD_OF[e.code] : undefined;
        if (field) {
          this.fieldErrors = { [field]: explain(e) };
          await this.updateComplete;
          (this.renderRoot.querySelector(`[name=${field}]`) as HTMLElement | null)?.focus();
        } else throw e;
      }
    });
  }

  private toggleMenu(id: string, ev: Event) {
    ev.stopPropagation();
    this.openMenu = this.openMenu === id ? null : id;
    if (this.openMenu) {
      void this.updateComplete.then(() =>
        (this.renderRoot.querySelector(`#menu-${id} [role=menuitem]`) as HTMLElement | null)?.focus(),
      );
    }
  }

  private menuKeys(ev: KeyboardEvent, id: string) {
    const items = [...this.renderRoot.querySelectorAll<HTMLElement>(`#menu-${id} [role=menuitem]`)];
    const at = items.indexOf((this.renderRoot as ShadowRoot).activeElement as HTMLElement);
    if (ev.key === 'Escape') {
      this.openMenu = null;
      (this.renderRoot.querySelector(`#menu-button-${id}`) as HTMLElement | null)?.focus();
    } else if (ev.key === 'ArrowDown') {
      items[(at + 1) % items.length]?.focus();
      ev.preventDefault();
    } else if (ev.key === 'ArrowUp') {
      items[(at - 1 + items.length) % items.length]?.focus();
      ev.preventDefault();
    }
  }

  private inviteParams(i: Invite) {
    return { path: { rid: this.resourceId, id: i.id } };
  }

  private resend(i: Invite) {
    this.openMenu = null;
    return this.act(async () => {
      await ok(api().POST('/v1/resources/{rid}/invites/{id}/resend', { params: this.inviteParams(i), body: { rotate: false } }));
      this.notice = t('admin.resent', { email: i.email });
      await this.loadTab();
    });
  }

  private copy(i: Invite) {
    this.openMenu = null;
    return this.act(async () => {
      const link = await ok(api().POST('/v1/resources/{rid}/invites/{id}/link', { params: this.inviteParams(i) }));
      try {
        await navigator.clipboard.writeText(link.url);
        this.notice = t('admin.copied');
      } catch {
        this.notice = t('admin.copyFallback');
      }
      this.copiedUrl = link.url;
    });
  }

  private changeInviteRole(i: Invite, role: Role) {
    this.openMenu = null;
    return this.act(async () => {
      await ok(api().PATCH('/v1/resources/{rid}/invites/{id}', { params: this.inviteParams(i), body: { role } }));
      this.notice = t('admin.roleChanged', { role: t(`role.${role}`) });
      await this.loadTab();
    });
  }

  private async deleteInvite(i: Invite) {
    this.openMenu = null;
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('admin.delete.title'),
      body: t('admin.delete.body', { email: i.email }),
      confirm: t('admin.delete'),
      danger: true,
    });
    if (!sure) return;
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
      this.notice = t('admin.roleChanged', { role: t(`role.${role}`) });
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
      return html`<section class="card">${this.alert ? html`<p class="notice error" role="alert">${this.alert}</p>` : t('loading')}</section>`;
    }
    const tabs: Tab[] = this.canManage ? ['invites', 'members', 'audit'] : ['members'];
    return html`<section @click=${() => (this.openMenu = null)}>
      <header class="spread" style="margin-bottom:1rem">
        <div>
          <h1>${t('admin.title')}</h1>
          <p class="muted" style="margin:0">${r.name} · ${t(`role.${r.role}`)}</p>
        </div>
        <div style="min-width:12rem">
          <div class="muted" id="seats-label">${t('admin.seats', { used: r.seats.used, limit: r.seats.limit })}</div>
          <progress style="width:100%" max=${r.seats.limit} .value=${r.seats.used} aria-labelledby="seats-label"></progress>
        </div>
      </header>
      ${this.canManage ? nothing : html`<p class="notice">${t('admin.readOnly')}</p>`}
      <div role="status" aria-live="polite">
        ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
        ${this.copiedUrl
          ? html`<label for="copied-url" class="sr-only">${t('admin.copy')}</label>
              <input id="copied-url" class="break" readonly .value=${this.copiedUrl} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />`
          : nothing}
      </div>
      <div role="alert">${this.alert ? html`<p class="notice error">${this.alert}</p>` : nothing}</div>
      <div role="tablist" class="row" style="margin:1rem 0" aria-label=${t('admin.title')}>
        ${tabs.map(
          (tab) => html`<button role="tab" id="tab-${tab}" aria-controls="panel" aria-selected=${this.tab === tab}
            class=${this.tab === tab ? 'primary' : ''} @click=${() => this.showTab(tab)}>${t(`admin.tab.${tab}`)}</button>`,
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

  private invitesPanel() {
    const err = (n: string) => (this.fieldErrors[n] ? 'true' : 'false');
    return html`<form class="card" @submit=${this.submitInvite} novalidate aria-labelledby="invite-title">
        <h2 id="invite-title">${t('admin.invite.title')}</h2>
        <div class="field">
          <label for="email">${t('admin.invite.email')}</label>
          <input id="email" name="email" type="email" autocomplete="off" required aria-invalid=${err('email')}
            aria-describedby=${this.fieldErrors.email ? 'email-error' : nothing} />
          ${this.fieldError('email')}
        </div>
        <div class="row" style="align-items:flex-start">
          <div class="field" style="flex:1 1 10rem">
            <label for="role">${t('admin.invite.role')}</label>
            <select id="role" name="role">
              <option value="read_only">${t('role.read_only')}</option>
              <option value="admin">${t('role.admin')}</option>
            </select>
          </div>
          <div class="field" style="flex:1 1 8rem">
            <label for="locale">${t('admin.invite.language')}</label>
            <select id="locale" name="locale">
              <option value="en" ?selected=${locale() === 'en'}>English</option>
              <option value="de" ?selected=${locale() === 'de'}>Deutsch</option>
            </select>
          </div>
          <div class="field" style="flex:1 1 8rem">
            <label for="expires">${t('admin.invite.expiry')}</label>
            <input id="expires" name="expires" type="number" min="1" max="30" value="7" aria-invalid=${err('expires')}
              aria-describedby=${this.fieldErrors.expires ? 'expires-error' : nothing} />
            ${this.fieldError('expires')}
          </div>
        </div>
        <div class="field">
          <label for="message">${t('admin.invite.message')}</label>
          <textarea id="message" name="message" rows="2" maxlength="1000" aria-invalid=${err('message')}
            aria-describedby=${this.fieldErrors.message ? 'message-error' : nothing}></textarea>
          ${this.fieldError('message')}
        </div>
        <button class="primary" type="submit" ?disabled=${this.busy}>${t('admin.invite.submit')}</button>
      </form>
      <div class="card">
        <div class="row" role="group" aria-label=${t('admin.filter')} style="margin-bottom:0.75rem">
          ${FILTERS.map(
            (f) => html`<button aria-pressed=${this.filter === f} class=${this.filter === f ? 'primary' : ''}
              @click=${() => this.setFilter(f)}>${t(`status.${f}`)}</button>`,
          )}
        </div>
        ${this.invites.length === 0
          ? html`<p class="muted">${t('admin.none')}</p>`
          : html`<div class="table-wrap"><table>
              <thead><tr>
                <th scope="col">${t('admin.col.email')}</th><th scope="col">${t('admin.col.role')}</th>
                <th scope="col">${t('admin.col.status')}</th><th scope="col">${t('admin.col.mail')}</th>
                <th scope="col">${t('admin.col.sent')}</th><th scope="col">${t('admin.col.expires')}</th>
                <th scope="col"><span class="sr-only">${t('admin.col.actions')}</span></th>
              </tr></thead>
              <tbody>${this.invites.map((i) => this.inviteRow(i))}</tbody>
            </table></div>`}
        ${this.invitesCursor ? html`<button @click=${() => this.act(() => this.loadTab(true))}>${t('admin.more')}</button>` : nothing}
      </div>`;
  }

  private inviteRow(i: Invite) {
    const other: Role = i.role === 'admin' ? 'read_only' : 'admin';
    return html`<tr data-email=${i.email}>
      <td class="break">${i.email}</td>
      <td>${t(`role.${i.role}` as I18nKey)}</td>
      <td><span class="badge ${i.status}">${t(`status.${i.status}`)}</span></td>
      <td><span class="badge ${i.emailStatus}" title=${i.deliveryError ?? ''}>${t(`mail.${i.emailStatus}`)}</span></td>
      <td>${formatDate(i.emailSentAt)}</td>
      <td>${formatDate(i.expiresAt)}</td>
      <td style="position:relative;text-align:right">
        ${i.status === 'pending'
          ? html`<button id="menu-button-${i.id}" aria-haspopup="menu" aria-expanded=${this.openMenu === i.id}
                aria-label=${t('admin.menu', { email: i.email })} @click=${(e: Event) => this.toggleMenu(i.id, e)}>⋯</button>
              ${this.openMenu === i.id
                ? html`<div id="menu-${i.id}" role="menu" aria-label=${t('admin.menu', { email: i.email })} class="card"
                    style="position:absolute;right:0;z-index:5;padding:0.35rem;min-width:14rem;text-align:left;box-shadow:0 8px 24px rgb(0 0 0 / 14%)"
                    @keydown=${(e: KeyboardEvent) => this.menuKeys(e, i.id)} @click=${(e: Event) => e.stopPropagation()}>
                    <button role="menuitem" class="link" style="display:flex;width:100%" @click=${() => this.resend(i)}>${t('admin.resend')}</button>
                    <button role="menuitem" class="link" style="display:flex;width:100%" @click=${() => this.copy(i)}>${t('admin.copy')}</button>
                    <button role="menuitem" class="link" style="display:flex;width:100%" @click=${() => this.changeInviteRole(i, other)}>
                      ${t('admin.changeRole')}: ${t(`role.${other}`)}</button>
                    <button role="menuitem" class="link" style="display:flex;width:100%;color:var(--inv-danger)" @click=${() => this.deleteInvite(i)}>
                      ${t('admin.delete')}</button>
                  </div>`
                : nothing}`
          : nothing}
      </td>
    </tr>`;
  }

  private membersPanel() {
    return html`<div class="card">
      ${this.members.length === 0
        ? html`<p class="muted">${t('admin.none')}</p>`
        : html`<div class="table-wrap"><table>
            <thead><tr>
              <th scope="col">${t('admin.col.name')}</th><th scope="col">${t('admin.col.email')}</th>
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
      <td>${name}</td>
      <td class="break">${m.email ?? ''}</td>
      <td>
        ${editable
          ? html`<label class="sr-only" for="role-${m.userId}">${t('admin.member.role', { name })}</label>
              <select id="role-${m.userId}" @change=${(e: Event) => this.changeMemberRole(m, (e.target as HTMLSelectElement).value as Role)}>
                <option value="admin" ?selected=${m.role === 'admin'}>${t('role.admin')}</option>
                <option value="read_only" ?selected=${m.role === 'read_only'}>${t('role.read_only')}</option>
              </select>`
          : html`<span title=${m.role === 'owner' ? t('admin.member.owner') : ''}>${t(`role.${m.role}` as I18nKey)}</span>`}
      </td>
      <td>${formatDate(m.joinedAt)}</td>
      <td style="text-align:right">
        ${editable
          ? html`<button aria-label="${t('admin.member.remove')}: ${name}" @click=${() => this.removeMember(m)}>🗑 ${t('admin.member.remove')}</button>`
          : nothing}
      </td>
    </tr>`;
  }

  private auditPanel() {
    return html`<div class="card">
      ${this.audit.length === 0
        ? html`<p class="muted">${t('admin.none')}</p>`
        : html`<div class="table-wrap"><table>
            <thead><tr>
              <th scope="col">${t('admin.col.when')}</th><th scope="col">${t('admin.col.what')}</th>
              <th scope="col">${t('admin.col.who')}</th><th scope="col">${t('admin.col.subject')}</th>
            </tr></thead>
            <tbody>${this.audit.map(
              (a) => html`<tr data-action=${a.action}>
                <td>${formatDate(a.at)}</td><td><code>${a.action}</code>${a.detail ? html` <span class="muted">${a.detail}</span>` : nothing}</td>
                <td class="break">${a.actor}</td><td class="break">${a.subject}</td>
              </tr>`,
            )}</tbody>
          </table></div>`}
      ${this.auditCursor ? html`<button @click=${() => this.act(() => this.loadTab(true))}>${t('admin.more')}</button>` : nothing}
    </div>`;
  }
}

customElements.define('invite-admin', InviteAdmin);
