// <bulk-invite>: up to MAX_BULK invitations pasted or read from a file, one
// call; the lines refused stay in the box with why, to fix and send again.

import { html, nothing } from 'lit';
import { ApiError, api, ok, type Schemas } from '../../api/client';
import { MAX_BULK, parseBulk, type BulkRole } from '../../bulk';
import { explain } from '../../errors';
import { t } from '../../i18n';
import { AdminPart } from './part';
import { localeOptions } from '../../pickers';
import { roleOptions } from '../../roles';

type BatchLine = Schemas['InviteBatchResult']['results'][number];

export class BulkInvite extends AdminPart {
  static properties = { ...AdminPart.properties, text: { state: true }, refused: { state: true }, error: { state: true } };
  /** The list in the box, and the lines the last bulk invite refused. */
  declare text: string;
  declare refused: BatchLine[];
  declare error: string;

  constructor() {
    super();
    this.text = '';
    this.refused = [];
    this.error = '';
  }

  private async loadFile(ev: Event) {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) this.text = await file.text();
  }

  private async submit(ev: SubmitEvent) {
    ev.preventDefault();
    const data = new FormData(ev.target as HTMLFormElement);
    const lines = parseBulk(this.text, String(data.get('bulk-role')) as BulkRole);
    this.error = '';
    await this.admin.act.run(async () => {
      if (lines.length === 0 || lines.length > MAX_BULK) {
        this.error = lines.length ? t('admin.bulk.tooMany', { count: lines.length }) : t('admin.bulk.empty');
        return;
      }
      const locale = String(data.get('bulk-locale') ?? '');
      const invites = lines.map((l) => ({ email: l.email, role: l.role as BulkRole, ...(locale ? { locale } : {}), expiresInDays: 7, ignoreSuppression: false }));
      const result = await ok(
        api().POST('/v1/resources/{rid}/invites/batch', {
          params: this.rid,
          body: { invites },
          headers: { 'idempotency-key': crypto.randomUUID() },
        }),
      );
      this.refused = result.results.filter((r) => r.outcome === 'refused');
      // Keep only the refused lines in the box, to fix and send again.
      this.text = this.refused.map((r) => `${r.email ?? ''}, ${invites[r.index]?.role ?? ''}`).join('\n');
      await this.admin.invitesCreated();
      return t('admin.bulk.done', { created: result.created, refused: result.refused });
    });
  }

  render() {
    const count = parseBulk(this.text, 'read_only').length;
    return html`<details class="card bulk" ?open=${this.refused.length > 0}>
      <summary><h2 id="bulk-title">${t('admin.bulk.title')}</h2></summary>
      <form @submit=${this.submit} novalidate aria-labelledby="bulk-title">
        <p class="muted small" id="bulk-lead">${t('admin.bulk.lead', { max: MAX_BULK })}</p>
        <div class="field">
          <label for="bulk">${t('admin.bulk.list')}</label>
          <textarea id="bulk" name="bulk" rows="5" spellcheck="false" placeholder=${'name@example.com\nother@example.com, admin'}
            .value=${this.text} @input=${(e: Event) => (this.text = (e.target as HTMLTextAreaElement).value)}
            aria-invalid=${this.error ? 'true' : 'false'} aria-describedby=${this.error ? 'bulk-error bulk-lead' : 'bulk-lead'}></textarea>
          ${this.error ? html`<div class="field-error" id="bulk-error">${this.error}</div>` : nothing}
        </div>
        <div class="field">
          <label for="bulk-file">${t('admin.bulk.file')}</label>
          <input id="bulk-file" type="file" accept=".csv,.txt,text/csv,text/plain" @change=${this.loadFile} />
        </div>
        <div class="grid">
          <div class="field">
            <label for="bulk-role">${t('admin.bulk.role')}</label>
            <select id="bulk-role" name="bulk-role">
              ${roleOptions(this.grantable('invite'))}
            </select>
          </div>
          <div class="field">
            <label for="bulk-locale">${t('admin.bulk.language')}</label>
            <select id="bulk-locale" name="bulk-locale">
              ${localeOptions()}
            </select>
          </div>
        </div>
        ${this.refused.length
          ? html`<div class="refused" role="region" aria-labelledby="refused-title">
              <h3 id="refused-title">${t('admin.bulk.refused', { count: this.refused.length })}</h3>
              <ul>${this.refused.map(
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
}

customElements.define('bulk-invite', BulkInvite);
