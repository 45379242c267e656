// <join-requests resource-id>: requests to join a resource, from people who
// came through a team link or a verified domain that asks first; shown in
// <invite-admin>'s invitations tab to whoever may invite. Approving makes
// the person a member (a seat taken at once); declining may say why. Either
// way they are told by e-mail.

import { css, html, nothing } from 'lit';
import { api, ok, type Schemas } from '../api/client';
import { formatDate, t } from '../i18n';
import { ResourceCard } from './resource-card';
import { roleLabel } from '../roles';

type JoinRequest = Schemas['JoinRequest'];

export class JoinRequests extends ResourceCard {
  static styles = [
    ResourceCard.styles,
    css`
      .note { margin: 0; padding: 0.5rem 0.75rem; border-inline-start: 3px solid var(--inv-accent); background: var(--inv-accent-soft); white-space: pre-wrap; overflow-wrap: anywhere; }
      .decided { color: var(--inv-muted); }
      form.decline { display: grid; gap: 0.4rem; }
      form.decline .field { margin: 0; }
    `,
  ];
  static properties = { requests: { state: true } };

  declare requests: JoinRequest[];

  constructor() {
    super();
    this.requests = [];
  }

  protected async load() {
    const [requests] = await Promise.all([ok(api().GET('/v1/resources/{rid}/requests', { params: this.rid })), this.grantableBy('invite')]);
    this.requests = requests.items;
    this.opened ||= this.requests.some((r) => r.status === 'pending');
  }

  private on(r: JoinRequest) {
    return { path: { rid: this.resourceId, uid: r.userId } };
  }

  private approve(r: JoinRequest) {
    return this.act.run(async () => {
      await ok(api().POST('/v1/resources/{rid}/requests/{uid}/approve', { params: this.on(r) }));
      return t('requests.approved', { who: r.name ?? r.email });
    });
  }

  private decline(e: SubmitEvent, r: JoinRequest) {
    e.preventDefault();
    const reason = String(new FormData(e.target as HTMLFormElement).get('reason') ?? '').trim();
    return this.act.run(async () => {
      await ok(api().POST('/v1/resources/{rid}/requests/{uid}/decline', { params: this.on(r), body: reason ? { reason } : {} }));
      return t('requests.declined');
    });
  }

  render() {
    const lead = html`${this.requests.length ? nothing : html`<p class="muted small">${t('requests.none')}</p>`}`;
    return this.frame('requests-title', t('requests.title'), t('requests.lead'), lead, this.requests.map((r) => this.item(r)));
  }

  private item(r: JoinRequest) {
    const pending = r.status === 'pending';
    const via = r.via.kind === 'domain' ? t('requests.via.domain', { domain: r.via.id }) : t('requests.via.link');
    const who = r.name ?? r.email;
    return html`<li data-request=${r.userId} class=${pending ? '' : 'decided'}>
      <div class="line">
        <span class="strong break">${who}</span>
        <span>${roleLabel(r.role)}</span>
      </div>
      <div class="line small">
        <span class="break">${r.name ? html`${r.email} · ` : nothing}${via} · ${t('requests.asked', { date: formatDate(r.createdAt) })}</span>
        ${pending ? nothing : html`<span>${t(`requests.status.${r.status}`)}</span>`}
      </div>
      ${r.note ? html`<p class="note small" aria-label=${t('requests.note')}>${r.note}</p>` : nothing}
      ${pending
        ? html`<form class="decline" @submit=${(e: SubmitEvent) => this.decline(e, r)}>
            <div class="field">
              <label for="reason-${r.userId}" class="small">${t('requests.reason')}</label>
              <input id="reason-${r.userId}" name="reason" maxlength="500" autocomplete="off" />
            </div>
            <span class="actions">
              <button type="button" class="primary" @click=${() => this.approve(r)} ?disabled=${this.act.busy}>${t('requests.approve')}<span class="sr-only"> ${who}</span></button>
              <button type="submit" ?disabled=${this.act.busy}>${t('requests.decline')}<span class="sr-only"> ${who}</span></button>
            </span>
          </form>`
        : nothing}
    </li>`;
  }
}

customElements.define('join-requests', JoinRequests);
