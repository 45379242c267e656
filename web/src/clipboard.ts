// Copying a link for a person: to the clipboard where the browser allows it;
// where it does not (no permission, an insecure origin), the screen shows the
// link to copy by hand.

import { t, type I18nKey } from './i18n';

/** Copies `text`; the notice to show: `done` (with `params`) or how to copy it by hand. */
export async function copyText(text: string, done: I18nKey, params: Record<string, string> = {}): Promise<string> {
  try {
    await navigator.clipboard.writeText(text);
    return t(done, params);
  } catch {
    return t('admin.copyFallback');
  }
}
