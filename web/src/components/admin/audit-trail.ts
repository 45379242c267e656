// <audit-trail>: the resource's audit trail in words, newest first, with
// people named as the screen knows them (a name, else the address their
// invite went to).

import { html, nothing } from 'lit';
import { explain } from '../../errors';
import { api, ok, type Invite, type Member, type Schemas } from '../../api/client';
import { formatDate, formatShort, has, t } from '../../i18n';
import { roleLabel, roleManages } from '../../roles';
import { memberName } from './member-list';
import { AdminPanel } from './part';
import { LOCALE_NAMES, type Locale } from '../../config';

type Audit = Schemas['AuditPage']['items'][number];
const PAGE = 20;

export class AuditTrail extends AdminPanel {
  static properties = { ...AdminPanel.properties, entries: { state: true }, cursor: { state: true }, exported: { state: true } };
  declare entries: Audit[];
  declare cursor: string | null;
  /** What the last download said: how many entries, or why it failed. */
  declare exported: { ok: boolean; text: string } | null;
  /** Display names: user ids and invite ids → a name or an address. */
  private names = new Map<string, string>();

  constructor() {
    super();
    this.entries = [];
    this.cursor = null;
    this.exported = null;
  }

  async load(more = false) {
    const query = { limit: PAGE, ...(more && this.cursor ? { cursor: this.cursor } : {}) };
    const [page, all, members] = await Promise.all([
      ok(api().GET('/v1/resources/{rid}/audit', { params: { ...this.rid, query } })),
      more ? null : ok(api().GET('/v1/resources/{rid}/invites', { params: { ...this.rid, query: { status: 'all', limit: 100 } } })),
      more ? null : ok(api().GET('/v1/resources/{rid}/members', { params: this.rid })),
    ]);
    this.learn(all?.items ?? [], members?.items ?? []);
    this.entries = more ? [...this.entries, ...page.items] : page.items;
    // Someone who joined and has left since is still known by the address their invite went to.
    for (const a of this.entries) {
      if (a.action === 'invite.accepted' && !this.names.has(a.actor) && this.names.has(a.subject)) this.names.set(a.actor, this.names.get(a.subject)!);
    }
    this.cursor = page.nextCursor ?? null;
  }

  private learn(invites: Invite[], members: Member[]) {
    for (const i of invites) {
      this.names.set(i.id, i.email);
      this.names.set(i.invitedBy.id, i.invitedBy.name);
    }
    for (const m of members) this.names.set(m.userId, memberName(m));
  }

  private who(id: string) {
    if (id === 'system') return t('audit.system');
    if (id === 'invitee') return t('audit.invitee');
    return this.names.get(id) ?? id;
  }

  /** An entry in words: "Site Owner invited ann@example.com as Administrator". */
  private describe(a: Audit): string {
    const role = roleLabel;
    let [from, to, granted] = ['', '', ''];
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
    // A manager removed, gone or demoted: what they handed out stopped (members::still_manages).
    const manages = roleManages;
    const stopped = ((a.action === 'member.removed' || a.action === 'member.left') && detail !== '')
      || (a.action === 'member.role_changed' && change !== null && manages(change[1]) && !manages(change[2]));
    if (stopped) text += `. ${t('audit.handedOutStopped')}`;
    if (a.action === 'resource.updated') {
      const language = /^locale (.+)$/.exec(detail)?.[1];
      if (language === 'default') text = t('audit.locale.default', p);
      else if (language) text = t('audit.locale.changed', { ...p, detail: LOCALE_NAMES[language as Locale] ?? language });
      else text = t(detail === 'reminders off' ? 'audit.reminders.off' : 'audit.reminders.on', p);
    }
    return text;
  }

  /** The export of a range of days, page after page, saved as one file. */
  private async download(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const [from, to, format] = ['from', 'to', 'format'].map((k) => String(form.get(k) ?? ''));
    const parts: string[] = [];
    const items: Audit[] = [];
    let cursor: string | undefined;
    try {
      do {
        const query = { format: format as 'csv' | 'json', from, to, ...(cursor ? { cursor } : {}) };
        const path = '/v1/resources/{rid}/audit/export' as const;
        if (format === 'csv') {
          const r = await api().GET(path, { params: { ...this.rid, query }, parseAs: 'text' });
          parts.push(await ok(Promise.resolve(r as { data?: string; error?: unknown; response: Response })));
          cursor = r.response.headers.get('x-next-cursor') ?? undefined;
        } else {
          const page = (await ok(api().GET(path, { params: { ...this.rid, query } }))) as Schemas['AuditPage'];
          items.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        }
      } while (cursor);
    } catch (err) {
      this.exported = { ok: false, text: explain(err) };
      return;
    }
    const body = format === 'csv' ? parts.join('') : JSON.stringify({ items }, null, 2);
    const count = format === 'csv' ? Math.max(0, body.split('\r\n').filter(Boolean).length - 1) : items.length;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([body], { type: format === 'csv' ? 'text/csv' : 'application/json' }));
    link.download = `audit-${this.rid.path.rid}-${from}-${to}.${format}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    this.exported = { ok: true, text: t('admin.audit.downloaded', { count }) };
  }

  private exportForm() {
    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    return html`<form class="export" @submit=${this.download} aria-labelledby="export-title">
      <h3 id="export-title">${t('admin.audit.export')}</h3>
      <div class="grid">
        <div class="field">
          <label for="export-from">${t('admin.audit.from')}</label>
          <input id="export-from" type="date" name="from" required .value=${monthAgo} />
        </div>
        <div class="field">
          <label for="export-to">${t('admin.audit.to')}</label>
          <input id="export-to" type="date" name="to" required .value=${today} />
        </div>
        <div class="field">
          <label for="export-format">${t('admin.audit.format')}</label>
          <select id="export-format" name="format"><option value="csv">CSV</option><option value="json">JSON</option></select>
        </div>
      </div>
      <button type="submit">${t('admin.audit.download')}</button>
      ${this.exported
        ? html`<p class=${this.exported.ok ? 'notice' : 'notice error'} role=${this.exported.ok ? 'status' : 'alert'}>${this.exported.text}</p>`
        : nothing}
    </form>`;
  }

  render() {
    return html`<div class="card">
      <div class="card-head"><h2 id="audit-title">${t('admin.audit.title')}</h2><span class="muted small">${t('admin.audit.lead')}</span></div>
      ${this.entries.length === 0
        ? html`<p class="empty">${t('admin.none')}</p>`
        : html`<div class="table-wrap"><table class="stack-sm" aria-labelledby="audit-title">
            <thead><tr><th scope="col">${t('admin.col.when')}</th><th scope="col">${t('admin.col.what')}</th></tr></thead>
            <tbody>${this.entries.map(
              (a) => html`<tr data-action=${a.action}>
                <td class="date muted" data-label=${t('admin.col.when')}><time datetime=${a.at} title=${formatDate(a.at)}>${formatShort(a.at)}</time></td>
                <td class="break audit-text">${this.describe(a)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`}
      ${this.more(this.cursor)}
      ${this.exportForm()}
    </div>`;
  }
}

customElements.define('audit-trail', AuditTrail);
