// <member-list>: who has access, with their role; managers change roles and
// remove people (never the owner); the owner hands ownership to a member.

import { html, nothing } from 'lit';
import { api, ok, type Member } from '../../api/client';
import { confirmIn } from '../../confirm';
import { formatDate, formatShort, t } from '../../i18n';
import { formerOwnerRole, roleLabel, roleOptions } from '../../roles';
import { AdminPanel, type Role } from './part';

export const memberName = (m: Member) => m.name ?? m.email ?? m.userId;

export class MemberList extends AdminPanel {
  static properties = { ...AdminPanel.properties, members: { state: true } };
  declare members: Member[];

  constructor() {
    super();
    this.members = [];
  }

  async load() {
    this.members = (await ok(api().GET('/v1/resources/{rid}/members', { params: this.rid }))).items;
  }

  private params(m: Member) {
    return { path: { rid: this.admin.resourceId, uid: m.userId } };
  }

  private changeRole(m: Member, role: Role) {
    return this.admin.act.run(async () => {
      await ok(api().PATCH('/v1/resources/{rid}/members/{uid}', { params: this.params(m), body: { role } }));
      await this.load();
      return t('admin.memberRoleChanged', { name: memberName(m), role: roleLabel(role) });
    });
  }

  private async removeMember(m: Member) {
    const name = memberName(m);
    const sure = await confirmIn(this.admin.root, {
      title: t('admin.member.remove.title', { name }),
      body: t('admin.member.remove.body', { name, resource: this.admin.resource?.name ?? '' }),
      confirm: t('admin.member.remove'),
      danger: true,
    });
    if (!sure) return;
    await this.admin.act.run(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/members/{uid}', { params: this.params(m) }));
      await Promise.all([this.load(), this.admin.refreshSeats()]);
      return t('admin.member.removed', { name });
    });
  }

  /** The owner makes `m` the owner and keeps the catalogue's role for a former owner. */
  private async handOver(m: Member) {
    const name = memberName(m);
    const sure = await confirmIn(this.admin.root, {
      title: t('admin.member.handOver.title', { name }),
      body: t('admin.member.handOver.body', { name, resource: this.admin.resource?.name ?? '', role: roleLabel(formerOwnerRole()) }),
      confirm: t('admin.member.handOver'),
    });
    if (!sure) return;
    await this.admin.act.run(async () => {
      const moved = await ok(api().POST('/v1/resources/{rid}/owner', { params: this.rid, body: { userId: m.userId } }));
      await Promise.all([this.load(), this.admin.refreshSeats()]);
      return t('admin.member.handedOver', { name, role: roleLabel(moved.previousOwnerRole) });
    });
  }

  private row(m: Member) {
    const name = memberName(m);
    // Only members whose role the signed-in person may grant, to roles they may grant.
    const roles = this.grantable('manage_members');
    const editable = m.role !== 'owner' && roles.includes(m.role);
    return html`<tr data-user=${m.userId}>
      <td class="cell-first break"><span class="strong">${name}</span>${m.email && m.email !== name ? html`<span class="cell-sub">${m.email}</span>` : nothing}</td>
      <td data-label=${t('admin.col.role')}>
        ${editable
          ? html`<label class="sr-only" for="role-${m.userId}">${t('admin.member.role', { name })}</label>
              <select id="role-${m.userId}" ?disabled=${this.busy} @change=${(e: Event) => this.changeRole(m, (e.target as HTMLSelectElement).value as Role)}>
                ${roleOptions(roles, m.role)}
              </select>
              ${this.admin.resource?.role === 'owner'
                ? html`<button class="ghost small hand-over" ?disabled=${this.busy} @click=${() => this.handOver(m)}
                    aria-label=${t('admin.member.handOverName', { name })}>${t('admin.member.handOver')}</button>`
                : nothing}`
          : html`<span class="badge role">${roleLabel(m.role)}</span>
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

  render() {
    return html`<div class="card">
      <div class="card-head"><h2 id="members-title">${t('admin.members.title')}</h2>
        <span class="muted small">${t('admin.members.count', { count: this.members.length })}</span></div>
      ${this.members.length === 0
        ? html`<p class="empty">${t('admin.none')}</p>`
        : html`<div class="table-wrap"><table class="stack-sm" aria-labelledby="members-title">
            <thead><tr>
              <th scope="col">${t('admin.col.name')}</th>
              <th scope="col">${t('admin.col.role')}</th><th scope="col">${t('admin.col.joined')}</th>
              <th scope="col"><span class="sr-only">${t('admin.col.actions')}</span></th>
            </tr></thead>
            <tbody>${this.members.map((m) => this.row(m))}</tbody>
          </table></div>`}
    </div>`;
  }
}

customElements.define('member-list', MemberList);
