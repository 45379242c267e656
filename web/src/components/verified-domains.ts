// <verified-domains resource-id>: the owner's e-mail domains for a resource,
// shown in <invite-admin>'s invitations tab. People signed in with a verified
// address at a verified domain see the resource under their invitations and
// may join with the domain's role. Proof of control is a DNS TXT record the
// service checks; this card shows the record to add and checks it on demand.

import { LitElement, css, html, nothing } from 'lit';
import { api, ok, type Domain } from '../api/client';
import { confirmIn } from '../confirm';
import { explain } from '../errors';
import { t, type I18nKey } from '../i18n';
import { base } from '../styles';

export class VerifiedDomains extends LitElement {
  static styles = [
    base,
    css`
      details > summary { cursor: pointer; list-style: none; display: flex; align-items: center; gap: 0.5rem; min-height: 2.75rem; }
      details > summary::before { content: '▸'; color: var(--inv-muted); }
      details[open] > summary::before { content: '▾'; }
      details > summary h2 { margin: 0; font-size: 1.05rem; }
      ul.domains { list-style: none; padding: 0; margin: 1rem 0 0; display: grid; gap: 0.75rem; }
      ul.domains > li { border: 1px solid var(--inv-line); border-radius: 10px; padding: 0.75rem; display: grid; gap: 0.5rem; }
      .line { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; justify-content: space-between; }
      .badge { font-size: 0.8rem; padding: 0.1rem 0.5rem; border-radius: 999px; background: var(--inv-accent-soft); color: #263d8c; }
      .badge.waiting { background: #fff4d6; color: #6b4b00; }
      dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.75rem; font-size: 0.85rem; }
      dt { color: var(--inv-muted); }
      dd { margin: 0; min-width: 0; }
      code { overflow-wrap: anywhere; }
    `,
  ];
  static properties = {
    resourceId: { type: String, attribute: 'resource-id' },
    domains: { state: true },
    busy: { state: true },
    notice: { state: true },
    alert: { state: true },
  };

  declare resourceId: string;
  declare domains: Domain[];
  declare busy: boolean;
  declare notice: string;
  declare alert: string;
  /** Open while a domain waits for its record, and once the owner opened it. */
  private opened = false;

  constructor() {
    super();
    this.resourceId = '';
    this.domains = [];
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

  private on(domain: string) {
    return { path: { rid: this.resourceId, domain } };
  }

  private async load() {
    try {
      this.domains = (await ok(api().GET('/v1/resources/{rid}/domains', { params: this.rid }))).items;
      this.opened ||= this.domains.some((d) => !d.verified);
    } catch (e) {
      this.alert = explain(e);
    }
  }

  private async act(work: () => Promise<string>) {
    [this.notice, this.alert, this.busy] = ['', '', true];
    try {
      this.notice = await work();
      await this.load();
    } catch (e) {
      this.alert = explain(e);
    } finally {
      this.busy = false;
    }
  }

  private async add(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    await this.act(async () => {
      await ok(
        api().POST('/v1/resources/{rid}/domains', {
          params: this.rid,
          body: { domain: String(data.get('domain')), role: data.get('domain-role') as 'admin' | 'read_only' },
        }),
      );
      form.reset();
      return t('domains.added');
    });
  }

  private check(d: Domain) {
    return this.act(async () => {
      await ok(api().POST('/v1/resources/{rid}/domains/{domain}/verify', { params: this.on(d.domain) }));
      return t('domains.checked', { domain: d.domain });
    });
  }

  private async copy(value: string) {
    try {
      await navigator.clipboard.writeText(value);
      this.notice = t('domains.copied');
    } catch {
      this.notice = t('admin.copyFallback');
    }
  }

  private async removeDomain(d: Domain) {
    const sure = await confirmIn(this.renderRoot as ShadowRoot, {
      title: t('domains.remove.title', { domain: d.domain }),
      body: t('domains.remove.body'),
      confirm: t('domains.remove'),
      danger: true,
    });
    if (!sure) return;
    await this.act(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/domains/{domain}', { params: this.on(d.domain) }));
      return t('domains.removed');
    });
  }

  render() {
    return html`<details class="card" ?open=${this.opened} @toggle=${(e: Event) => (this.opened = (e.target as HTMLDetailsElement).open)}>
      <summary><h2 id="domains-title">${t('domains.title')}</h2></summary>
      <p class="muted small">${t('domains.lead')}</p>
      <form @submit=${this.add} aria-labelledby="domains-title">
        <div class="grid">
          <div class="field">
            <label for="domain">${t('domains.domain')}</label>
            <input id="domain" name="domain" placeholder="example.org" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="253" />
          </div>
          <div class="field">
            <label for="domain-role">${t('domains.role')}</label>
            <select id="domain-role" name="domain-role">
              <option value="read_only">${t('role.read_only')}</option>
              <option value="admin">${t('role.admin')}</option>
            </select>
          </div>
        </div>
        <button class="primary" type="submit" ?disabled=${this.busy} style="width:100%">${t('domains.add')}</button>
      </form>
      <div role="status" aria-live="polite">${this.notice ? html`<p class="notice success">${this.notice}</p>` : nothing}</div>
      <div role="alert">${this.alert ? html`<p class="notice error">${this.alert}</p>` : nothing}</div>
      ${this.domains.length
        ? html`<ul class="domains" aria-label=${t('domains.title')}>
            ${this.domains.map((d) => this.item(d))}
          </ul>`
        : nothing}
    </details>`;
  }

  private item(d: Domain) {
    return html`<li data-domain=${d.domain}>
      <div class="line">
        <span><span class="strong">@${d.domain}</span> · ${t(`role.${d.role}` as I18nKey)}</span>
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
            : html`<button type="button" class="primary" @click=${() => this.check(d)} ?disabled=${this.busy}>${t('domains.check')}<span class="sr-only"> ${d.domain}</span></button>
                <button type="button" @click=${() => this.copy(d.txtValue)} ?disabled=${this.busy}>${t('domains.copy')}</button>`}
          <button type="button" class="danger" @click=${() => this.removeDomain(d)} ?disabled=${this.busy}>${t('domains.remove')}<span class="sr-only"> ${d.domain}</span></button>
        </span>
      </div>
    </li>`;
  }
}

customElements.define('verified-domains', VerifiedDomains);
