// <invite-list>: the resource's invitations by status, a page at a time,
// with the delivery state of each e-mail and a ⋯ menu per open invite.

import { html, nothing } from 'lit';
import { api, ok, type Invite } from '../../api/client';
import { formatDate, formatShort, t } from '../../i18n';
import { roleLabel } from '../../roles';
import { AdminPanel } from './part';
import './invite-menu';

type Filter = 'pending' | 'accepted' | 'expired' | 'revoked' | 'declined' | 'undeliverable' | 'all';
const FILTERS: Filter[] = ['pending', 'accepted', 'expired', 'revoked', 'declined', 'undeliverable', 'all'];
const PAGE = 20;

export class InviteList extends AdminPanel {
  static properties = { ...AdminPanel.properties, filter: { state: true }, invites: { state: true }, cursor: { state: true } };
  declare filter: Filter;
  declare invites: Invite[];
  declare cursor: string | null;

  constructor() {
    super();
    this.filter = 'pending';
    this.invites = [];
    this.cursor = null;
  }

  async load(more = false) {
    const query = { status: this.filter, limit: PAGE, ...(more && this.cursor ? { cursor: this.cursor } : {}) };
    const page = await ok(api().GET('/v1/resources/{rid}/invites', { params: { ...this.rid, query } }));
    this.invites = more ? [...this.invites, ...page.items] : page.items;
    this.cursor = page.nextCursor ?? null;
  }

  /** Shows the invites with status `filter` from the first page. */
  async show(filter: Filter) {
    this.filter = filter;
    await this.load();
  }

  private row(i: Invite) {
    return html`<tr data-email=${i.email}>
      <td class="break cell-first"><span class="strong">${i.email}</span><span class="cell-sub">${roleLabel(i.role)}</span></td>
      <td data-label=${t('admin.col.status')}><span class="badge ${i.status}">${t(`status.${i.status}`)}</span>
        ${i.status === 'withdrawn' ? html`<span class="cell-sub">${t('admin.withdrawnWhy', { name: i.invitedBy.name })}</span>` : nothing}</td>
      <td data-label=${t('admin.col.mail')}>
        <span class="badge ${i.emailStatus}" title=${i.deliveryError ?? nothing}>${t(`mail.${i.emailStatus}`)}</span>
        ${i.bounceType ? html`<span class="cell-sub">${t(`mail.bounce.${i.bounceType}`)}</span>` : nothing}
        ${i.deliveryError ? html`<span class="cell-sub break">${i.deliveryError}</span>` : nothing}
      </td>
      <td data-label=${t('admin.col.sent')} class="date"><time datetime=${i.emailSentAt ?? nothing} title=${i.emailSentAt ? formatDate(i.emailSentAt) : nothing}>${formatShort(i.emailSentAt)}</time>
        ${i.remindedAt ? html`<span class="cell-sub">${t('admin.reminded', { date: formatShort(i.remindedAt) })}</span>` : nothing}</td>
      <td data-label=${t('admin.col.expires')} class="date"><time datetime=${i.expiresAt} title=${formatDate(i.expiresAt)}>${formatShort(i.expiresAt)}</time></td>
      <td class="cell-actions">
        ${i.status === 'pending' || i.status === 'undeliverable' || i.status === 'withdrawn'
          ? html`<invite-menu .admin=${this.admin} .invite=${i} .reload=${() => this.load()} .busy=${this.busy}></invite-menu>`
          : nothing}
      </td>
    </tr>`;
  }

  render() {
    return html`<div class="card">
      <div class="card-head">
        <h2 id="invites-title">${t('admin.invites.title')}</h2>
        <div class="filters" role="group" aria-label=${t('admin.filter')}>
          ${FILTERS.map(
            (f) => html`<button type="button" aria-pressed=${this.filter === f}
              @click=${() => this.admin.act.run(() => this.show(f))}>${t(`status.${f}`)}</button>`,
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
            <tbody>${this.invites.map((i) => this.row(i))}</tbody>
          </table></div>`}
      ${this.more(this.cursor)}
    </div>`;
  }
}

customElements.define('invite-list', InviteList);
