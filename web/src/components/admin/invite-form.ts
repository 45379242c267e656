// <invite-form>: invite one person (address, role, language, expiry,
// message, reminder). An error about a field is shown at the field and
// focuses it; any other goes to the screen's alert.

import { html, nothing } from 'lit';
import { ApiError, api, ok } from '../../api/client';
import { explain } from '../../errors';
import { t } from '../../i18n';
import { AdminPart, type Role } from './part';
import { sendingAnyway } from './suppression';
import { localeOptions } from '../../pickers';
import { roleDescription, roleLabel, roleOptions } from '../../roles';

/** Which form field an API error code belongs to. */
const FIELD_OF: Record<string, string> = {
  invalid_email: 'email',
  already_pending: 'email',
  already_member: 'email',
  invalid_message: 'message',
  invalid_expires_in_days: 'expires',
  invalid_role: 'role',
  invalid_locale: 'locale',
};

export class InviteForm extends AdminPart {
  static properties = { ...AdminPart.properties, fieldErrors: { state: true } };
  declare fieldErrors: Record<string, string>;

  constructor() {
    super();
    this.fieldErrors = {};
  }

  private async submit(ev: SubmitEvent) {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const message = String(data.get('message') ?? '').trim();
    const locale = String(data.get('locale') ?? '');
    const body = {
      email,
      role: String(data.get('role')) as Role,
      ...(locale ? { locale } : {}),
      expiresInDays: Number(data.get('expires')),
      reminder: data.get('reminder') === 'on',
      ...(message ? { message } : {}),
    };
    this.fieldErrors = {};
    await this.admin.act.run(async () => {
      try {
        const created = await sendingAnyway(this.admin.root, email, (ignoreSuppression) =>
          ok(api().POST('/v1/resources/{rid}/invites', { params: this.rid, body: { ...body, ignoreSuppression } })),
        );
        if (!created) return;
        form.reset();
        await this.admin.invitesCreated();
        return created.emailQueued ? t('admin.invite.sent', { email }) : t('admin.invite.notQueued');
      } catch (e) {
        const field = e instanceof ApiError ? FIELD_OF[e.code] : undefined;
        if (!field) throw e;
        this.fieldErrors = { [field]: explain(e) };
        await this.updateComplete;
        (this.querySelector(`[name=${field}]`) as HTMLElement | null)?.focus();
      }
    });
  }

  private fieldError(name: string) {
    return this.fieldErrors[name] ? html`<div class="field-error" id="${name}-error">${this.fieldErrors[name]}</div>` : nothing;
  }

  render() {
    const r = this.admin.resource;
    const err = (n: string) => (this.fieldErrors[n] ? 'true' : 'false');
    const described = (n: string, hint = '') => [this.fieldErrors[n] ? `${n}-error` : '', hint].filter(Boolean).join(' ') || nothing;
    return html`<form class="card" @submit=${this.submit} novalidate aria-labelledby="invite-title">
      <h2 id="invite-title">${t('admin.invite.title')}</h2>
      <p class="muted small">${t('admin.invite.lead')}</p>
      <div class="field">
        <label for="email">${t('admin.invite.email')}</label>
        <input id="email" name="email" type="email" autocomplete="off" spellcheck="false" required placeholder="name@example.com"
          aria-invalid=${err('email')} aria-describedby=${described('email')} />
        ${this.fieldError('email')}
      </div>
      <div class="field">
        <label for="role">${t('admin.invite.role')}</label>
        <select id="role" name="role" aria-describedby="role-hint">
          ${roleOptions(this.grantable('invite'))}
        </select>
        <ul class="hint role-hint" id="role-hint">
          ${this.grantable('invite').map((r) => html`<li><span class="strong">${roleLabel(r)}</span>: ${roleDescription(r)}</li>`)}
        </ul>
      </div>
      <div class="grid">
        <div class="field">
          <label for="locale">${t('admin.invite.language')}</label>
          <select id="locale" name="locale" aria-invalid=${err('locale')} aria-describedby=${described('locale')}>
            ${localeOptions()}
          </select>
          ${this.fieldError('locale')}
        </div>
        <div class="field">
          <label for="expires">${t('admin.invite.expiry')}</label>
          <input id="expires" name="expires" type="number" inputmode="numeric" min="1" max="30" value="7" aria-invalid=${err('expires')}
            aria-describedby=${described('expires', 'expires-hint')} />
          <div class="hint" id="expires-hint">${t('admin.invite.expiryHint')}</div>
          ${this.fieldError('expires')}
        </div>
      </div>
      <div class="field">
        <label for="message">${t('admin.invite.message')}</label>
        <textarea id="message" name="message" rows="3" maxlength="1000" aria-invalid=${err('message')}
          aria-describedby=${described('message')}></textarea>
        ${this.fieldError('message')}
      </div>
      <div class="field">
        <label class="check"><input type="checkbox" name="reminder" ?checked=${r?.reminders}
          ?disabled=${!r?.reminders} aria-describedby="reminder-hint" />${t('admin.invite.reminder')}</label>
        <div class="hint" id="reminder-hint">${t(r?.reminders ? 'admin.invite.reminderHint' : 'admin.invite.reminderOff')}</div>
      </div>
      <button class="primary" type="submit" ?disabled=${this.busy || !r?.invitesEnabled} style="width:100%">${t('admin.invite.submit')}</button>
    </form>`;
  }
}

customElements.define('invite-form', InviteForm);
