// <team-links resource-id>: an admin's shareable links for a resource, shown
// in <invite-admin>'s invitations tab. A link has a role, an expiry and a
// maximum number of uses; whoever opens it and signs in joins while uses and
// seats last. Made, copied and revoked here.

import { LitElement, css, html, nothing } from 'lit';
import { api, ok, type TeamLink } from '../api/client';
import { confirmIn } from '../confirm';
import { explain } from '../errors';
import { formatDate, t, type I18nKey } from '../i18n';
import { base } from '../styles';

export class TeamLinks extends LitElement {
  static styles = [
    base,
    css`
      details > summary { cursor: pointer; list-style: none; display: flex; align-items: center; gap: 0.5rem; min-height: 2.75rem; }
      details > summary::before { content: '▸'; color: var(--inv-muted); }
      details[open] > summary::before { content: '▾'; }
      details > summary h2 { margin: 0; font-size: 1.05rem; }
      ul.links { list-style: none; padding: 0; margin: 1rem 0 0; display: grid; gap: 0.75rem; }
      ul.links > li { border: 1px solid var(--inv-line); border-radius: 10px; padding: 0.75rem; display: grid; gap: 0.4rem; }
      .line { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; justify-content: space-between; }
      .ended { color: var(--inv-muted); }
      .url { width: 100%; font-size: 0.85rem; }
    `,
  ];
  static properties = {
    resourceId: { type: String, attribute: 'resource-id' },
    links: { state: true },
    busy: { state: true },
    notice: { state: true },
    alert: { state: true },
  };

  declare resourceId: string;
  declare links: TeamLink[];
  declare busy: boolean;
  declare notice: string;
  declare alert: string;
  /** Open while links work, and once the admin opened it (never closed under them). */
  private opened = false;

  constructor() {
    super();
    this.resourceId = '';
    this.links = [];
    this.busy = false;
    this.notice = '';
    this.alert = '';
  }

  protected updated(changed: Map<string, unknown>): void {
    if (changed.has('resourceId') && this.resourceId) void this.load();
  }

  private get rid() {
    return { path: { rid: this.resourceId } };
  }

  private async load() {
    try {
      this.links = (await ok(api().GET('/v1/resources/{rid}/links', { params: this.rid }))).items;
      this.opened ||= this.links.some((l) => l.status === 'active');
    } catch (e) {
      this.alert = explain(e);
    }
  }

  private async act(work: () => Promise<void>) {
    [this.notice, this.alert, this.busy] = ['', '', true];
    try {
      await work();
      await this.load();
    } catch (e) {
      this.alert = explain(e);
    } finally {
      this.busy = false;
    }
  }

  private async create(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    await this.act(async () => {
      const link = await ok(
        api().POST('/v1/resources/{rid}/links', {
          params: this.rid,
          body: {
            role: data.get('link-role') as 'admin' | 'read_only',
            expiresInDays: Number(data.get('link-days')),
            maxUses: Number(data.get('link-uses')),
          },
        }),
      );
      await this.copyUrl(link.url!, 'team.admin.created');
    });
  }

  private async copyUrl(url: string, key: I18nKey) {
    try {
      await navigator.clipboard.writeText(url);
      this.notice = t(key);
    } catch {
      this.notice = t('admin.copyFallback');
    }
  }

  private async revoke(l: TeamLink) {
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('team.admin.revoke.title'),
      body: t('team.admin.revoke.body', { uses: String(l.uses) }),
      confirm: t('team.admin.revoke'),
      danger: true,
    });
    if (!sure) return;
    await this.act(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/links/{id}', { params: { path: { rid: this.resourceId, id: l.id } } }));
      this.notice = t('team.admin.revoked');
    });
  }

  render() {
    return html`<details class="card" ?open=${this.opened} @toggle=${(e: Event) => (this.opened = (e.target as HTMLDetailsElement).open)}>
      <summary><h2 id="links-title">${t('team.admin.title')}</h2></summary>
      <p class="muted small">${t('team.admin.lead')}</p>
      <form @submit=${this.create} aria-labelledby="links-title">
        <div class="grid">
          <div class="field">
            <label for="link-role">${t('team.admin.role')}</label>
            <select id="link-role" name="link-role">
              <option value="read_only">${t('role.read_only')}</option>
              <option value="admin">${t('role.admin')}</option>
            </select>
          </div>
          <div class="field">
            <label for="link-uses">${t('team.admin.uses')}</label>
            <input id="link-uses" name="link-uses" type="number" inputmode="numeric" min="1" max="1000" value="10" required />
          </div>
        </div>
        <div class="field">
          <label for="link-days">${t('team.admin.expiry')}</label>
          <input id="link-days" name="link-days" type="number" inputmode="numeric" min="1" max="30" value="7" required />
        </div>
        <button class="primary" type="submit" ?disabled=${this.busy} style="width:100%">${t('team.admin.create')}</button>
      </form>
      <div role="status" aria-live="polite">${this.notice ? html`<p class="notice success">${this.notice}</p>` : nothing}</div>
      <div role="alert">${this.alert ? html`<p class="notice error">${this.alert}</p>` : nothing}</div>
      ${this.links.length
        ? html`<ul class="links" aria-label=${t('team.admin.title')}>
            ${this.links.map((l) => this.item(l))}
          </ul>`
        : nothing}
    </details>`;
  }

  private item(l: TeamLink) {
    const active = l.status === 'active';
    return html`<li data-link=${l.id} class=${active ? '' : 'ended'}>
      <div class="line">
        <span class="strong">${t(`role.${l.role}` as I18nKey)}</span>
        <span>${t('team.admin.used', { uses: String(l.uses), max: String(l.maxUses) })}</span>
      </div>
      <div class="line small">
        <span>${active ? t('team.admin.until', { date: formatDate(l.expiresAt) }) : t(`team.status.${l.status}` as I18nKey)}</span>
        ${active
          ? html`<span class="actions">
              <button type="button" @click=${() => this.copyUrl(l.url!, 'team.admin.copied')} ?disabled=${this.busy}>${t('team.admin.copy')}</button>
              <button type="button" class="danger" @click=${() => this.revoke(l)} ?disabled=${this.busy}>${t('team.admin.revoke')}</button>
            </span>`
          : nothing}
      </div>
    </li>`;
  }
}

customElements.define('team-links', TeamLinks);
