// Sending to an address on the resource's suppression list (it bounced for
// good or complained): asked first, sent anyway only on a yes.

import { ApiError } from '../../api/client';
import { confirmIn } from '../../confirm';
import { t } from '../../i18n';

/** Runs a call that sends an e-mail, asking before overriding the suppression list; `null` when the admin said no. */
export async function sendingAnyway<T>(root: ShadowRoot, email: string, call: (ignoreSuppression: boolean) => Promise<T>): Promise<T | null> {
  try {
    return await call(false);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'email_suppressed')) throw e;
    const sure = await confirmIn(root, {
      title: t('admin.suppressed.title', { email }),
      body: t('admin.suppressed.body', { email }),
      confirm: t('admin.suppressed.confirm'),
      danger: true,
    });
    return sure ? call(true) : null;
  }
}
