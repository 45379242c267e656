// The e-mail languages the forms offer (the roles they offer come from the
// catalogue: roles.ts).

import { html } from 'lit';
import { locale } from './config';

/** `<option>`s of the e-mail languages, the page's own selected. */
export function localeOptions() {
  return html`<option value="en" ?selected=${locale() === 'en'}>English</option>
    <option value="de" ?selected=${locale() === 'de'}>Deutsch</option>`;
}
