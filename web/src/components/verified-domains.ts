// <verified-domains resource-id>: the owner's e-mail domains for a resource,
// shown in <invite-admin>'s invitations tab. People signed in with a verified
// address at a verified domain see the resource under their invitations and
// may join with the domain's role. Proof of control is a DNS TXT record the
// service checks; this card shows the record to add and checks it on demand.

import { css, html, nothing } from 'lit';
import { api, ok, type Domain } from '../api/client';
import { confirmIn } from '../confirm';
import { t } from '../i18n';
import { ResourceCard } from './resource-card';
import { modeField } from '../pickers';
import { roleLabel, roleOptions } from '../roles';

export class VerifiedDomains extends ResourceCard {
  static styles = [
    ResourceCard.styles,
    css`
      .badge { font-size: 0.8rem; padding: 0.1rem 0.5rem; border-radius: 999px; background: var(--inv-accent-soft); color: #263d8c; }
      .badge.waiting { background: #fff4d6; color: #6b4b00; }
      dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.75rem; font-size: 0.85rem; }
      dt { color: var(--inv-muted); }
      dd { margin: 0; min-width: 0; }
      code { overflow-wrap: anywhere; }
    `,
  ];
  static properties = { domains: { state: true } };

  declare domains: Domain[];

  constructor() {
    super();
    this.domains = [];
  }

  protected async load() {
    const [domains] = await Promise.all([ok(api().GET('/v1/resources/{rid}/domains', { params: this.rid })), this.grantableBy('manage_domains')]);
    this.domains = domains.items;
    this.opened ||= this.domains.some((d) => !d.verified);
  }

  private on(domain: string) {
    return { path: { rid: this.resourceId, domain } };
  }

  private async add(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    await this.act.run(async () => {
      await ok(
        api().POST('/v1/resources/{rid}/domains', {
          params: this.rid,
          body: {
            domain: String(data.get('domain')),
            role: data.get('domain-role') as 'admin' | 'read_only',
            mode: data.get('domain-mode') as 'direct' | 'ask',
          },
        }),
      );
      form.reset();
      return t('domains.added');
    });
  }

  private check(d: Domain) {
    return this.act.run(async () => {
      await ok(api().POST('/v1/resources/{rid}/domains/{domain}/verify', { params: this.on(d.domain) }));
      return t('domains.checked', { domain: d.domain });
    });
  }

  private async removeDomain(d: Domain) {
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('domains.remove.title', { domain: d.domain }),
      body: t('domains.remove.body'),
      confirm: t('domains.remove'),
      danger: true,
    });
    if (!sure) return;
    await this.act.run(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/domains/{domain}', { params: this.on(d.domain) }));
      return t('domains.removed');
    });
  }

  render() {
    const form = html`<form @submit=${this.add} aria-labelledby="domains-title">
      <div class="grid">
        <div class="field">
          <label for="domain">${t('domains.domain')}</label>
          <input id="domain" name="domain" placeholder="example.org" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="253" />
        </div>
        <div class="field">
          <label for="domain-role">${t('domains.role')}</label>
          <select id="domain-role" name="domain-role">
            ${roleOptions(this.roles)}
          </select>
        </div>
      </div>
      ${modeField('domain-mode')}
      <button class="primary" type="submit" ?disabled=${this.act.busy} style="width:100%">${t('domains.add')}</button>
    </form>`;
    return this.frame('domains-title', t('domains.title'), t('domains.lead'), form, this.domains.map((d) => this.item(d)));
  }

  private item(d: Domain) {
    return html`<li data-domain=${d.domain}>
      <div class="line">
        <span><span class="strong">@${d.domain}</span> · ${roleLabel(d.role)}${d.mode === 'ask' ? html` · ${t('join.mode.asks')}` : nothing}</span>
        <span class="badge ${d.verified ? '' : 'waiting'}">${t(d.verified ? 'domains.verified' : 'domains.waiting')}</span>
      </div>
      ${d.verified
        ? nothing
        : html`<p class="small" style="margin:0">${t('domains.record')}</p>
            <dl>
              <dt>${t('domains.type')}</dt><dd><code>TXT</code></dd>
              <dt>${t('domains.name')}</dt><dd><code>${d.txtName}</code></dd>
              <dt>${t('domains.value')}</dt><dd><code>${d.txtValue}</code></dd>
            </dl>`}
      <div class="line small">
        <span class="actions">
          ${d.verified
            ? nothing
            : html`<button type="button" class="primary" @click=${() => this.check(d)} ?disabled=${this.act.busy}>${t('domains.check')}<span class="sr-only"> ${d.domain}</span></button>
                <button type="button" @click=${() => this.copy(d.txtValue, 'domains.copied')} ?disabled=${this.act.busy}>${t('domains.copy')}</button>`}
          <button type="button" class="danger" @click=${() => this.removeDomain(d)} ?disabled=${this.act.busy}>${t('domains.remove')}<span class="sr-only"> ${d.domain}</span></button>
        </span>
      </div>
    </li>`;
  }
}

customElements.define('verified-domains', VerifiedDomains);
