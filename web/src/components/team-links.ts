// <team-links resource-id>: an admin's shareable links for a resource, shown
// in <invite-admin>'s invitations tab. A link has a role, an expiry and a
// maximum number of uses; whoever opens it and signs in joins while uses and
// seats last. Made, copied and revoked here.

import { css, html, nothing } from 'lit';
import { api, ok, type TeamLink } from '../api/client';
import { confirmIn } from '../confirm';
import { formatDate, t, type I18nKey } from '../i18n';
import { ResourceCard } from './resource-card';
import { modeField } from '../pickers';
import { roleLabel, roleOptions } from '../roles';

export class TeamLinks extends ResourceCard {
  static styles = [
    ResourceCard.styles,
    css`
      .ended { color: var(--inv-muted); }
      .url { width: 100%; font-size: 0.85rem; }
    `,
  ];
  static properties = { links: { state: true } };

  declare links: TeamLink[];

  constructor() {
    super();
    this.links = [];
  }

  protected async load() {
    const [links] = await Promise.all([ok(api().GET('/v1/resources/{rid}/links', { params: this.rid })), this.grantableBy('manage_team_links')]);
    this.links = links.items;
    this.opened ||= this.links.some((l) => l.status === 'active');
  }

  private async create(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    await this.act.run(async () => {
      const link = await ok(
        api().POST('/v1/resources/{rid}/links', {
          params: this.rid,
          body: {
            role: data.get('link-role') as 'admin' | 'read_only',
            expiresInDays: Number(data.get('link-days')),
            maxUses: Number(data.get('link-uses')),
            mode: data.get('link-mode') as 'direct' | 'ask',
          },
        }),
      );
      await this.copy(link.url!, 'team.admin.created');
    });
  }

  private async revoke(l: TeamLink) {
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('team.admin.revoke.title'),
      body: t('team.admin.revoke.body', { count: l.uses }),
      confirm: t('team.admin.revoke'),
      danger: true,
    });
    if (!sure) return;
    await this.act.run(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/links/{id}', { params: { path: { rid: this.resourceId, id: l.id } } }));
      return t('team.admin.revoked');
    });
  }

  render() {
    const form = html`<form @submit=${this.create} aria-labelledby="links-title">
      <div class="grid">
        <div class="field">
          <label for="link-role">${t('team.admin.role')}</label>
          <select id="link-role" name="link-role">
            ${roleOptions(this.roles)}
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
      ${modeField('link-mode')}
      <button class="primary" type="submit" ?disabled=${this.act.busy} style="width:100%">${t('team.admin.create')}</button>
    </form>`;
    return this.frame('links-title', t('team.admin.title'), t('team.admin.lead'), form, this.links.map((l) => this.item(l)));
  }

  private item(l: TeamLink) {
    const active = l.status === 'active';
    return html`<li data-link=${l.id} class=${active ? '' : 'ended'}>
      <div class="line">
        <span><span class="strong">${roleLabel(l.role)}</span>${l.mode === 'ask' ? html` · ${t('join.mode.asks')}` : nothing}</span>
        <span>${t('team.admin.used', { uses: String(l.uses), max: String(l.maxUses) })}</span>
      </div>
      <div class="line small">
        <span>${active ? t('team.admin.until', { date: formatDate(l.expiresAt) }) : t(`team.status.${l.status}` as I18nKey)}</span>
        ${active
          ? html`<span class="actions">
              <button type="button" @click=${() => this.copy(l.url!, 'team.admin.copied')} ?disabled=${this.act.busy}>${t('team.admin.copy')}</button>
              <button type="button" class="danger" @click=${() => this.revoke(l)} ?disabled=${this.act.busy}>${t('team.admin.revoke')}</button>
            </span>`
          : nothing}
      </div>
    </li>`;
  }
}

customElements.define('team-links', TeamLinks);
