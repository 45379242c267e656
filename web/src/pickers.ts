// The e-mail languages the forms offer (the roles they offer come from the
// catalogue: roles.ts), and how a team link or domain lets people in.

import { html } from 'lit';
import { locale } from './config';
import { t } from './i18n';

/** The field choosing a join mode (`direct`, or `ask`: an admin approves each request). */
export function modeField(id: string) {
  return html`<div class="field">
    <label for=${id}>${t('join.mode')}</label>
    <select id=${id} name=${id}>
      <option value="direct" selected>${t('join.mode.direct')}</option>
      <option value="ask">${t('join.mode.ask')}</option>
    </select>
  </div>`;
}

/** `<option>`s of the e-mail languages, the page's own selected. */
export function localeOptions() {
  return html`<option value="en" ?selected=${locale() === 'en'}>English</option>
    <option value="de" ?selected=${locale() === 'de'}>Deutsch</option>`;
}
