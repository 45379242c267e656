// The e-mail languages the forms offer (the roles they offer come from the
// catalogue: roles.ts), and how a team link or domain lets people in.

import { html } from 'lit';
import { chooseLocale, LOCALE_NAMES, LOCALES, locale, type Locale } from './config';
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

/** `<option>`s of the e-mail languages: first the resource's default (no language of the invite's own). */
export function localeOptions() {
  return html`<option value="" selected>${t('admin.invite.language.default')}</option>
    ${LOCALES.map((l) => html`<option value=${l} lang=${l}>${LOCALE_NAMES[l]}</option>`)}`;
}

/** The person's own choice of language for the screens (kept in this browser). */
export function languagePicker(id = 'ui-language') {
  const pick = (e: Event) => chooseLocale((e.target as HTMLSelectElement).value as Locale);
  return html`<div class="language" part="language">
    <label for=${id}>${t('locale.label')}</label>
    <select id=${id} @change=${pick}>
      ${LOCALES.map((l) => html`<option value=${l} lang=${l} ?selected=${locale() === l}>${LOCALE_NAMES[l]}</option>`)}
    </select>
  </div>`;
}
