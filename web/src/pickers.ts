// The choices the forms offer, in one place: the roles an invite, a team
// link or a domain can grant, and the e-mail languages.

import { html } from 'lit';
import { locale } from './config';
import { t } from './i18n';

/** Who manages a resource (owners and admins) by the role the API names. */
export function manages(role: string | undefined): boolean {
  return role === 'owner' || role === 'admin';
}

/** `<option>`s of the roles that can be granted, read-only first. */
export function roleOptions() {
  return html`<option value="read_only">${t('role.read_only')}</option>
    <option value="admin">${t('role.admin')}</option>`;
}

/** `<option>`s of the e-mail languages, the page's own selected. */
export function localeOptions() {
  return html`<option value="en" ?selected=${locale() === 'en'}>English</option>
    <option value="de" ?selected=${locale() === 'de'}>Deutsch</option>`;
}
