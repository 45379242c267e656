import { ApiError } from './api/client';
import { has, t, wait } from './i18n';

/** What to tell a person about a failed call, in their language. */
export function explain(e: unknown): string {
  if (!(e instanceof ApiError)) return t('error.generic');
  if (e.code === 'rate_limited') return t('error.rate_limited', { wait: wait(e.retryAfter) });
  const key = `error.${e.code}`;
  if (has(key)) return t(key);
  return e.message || t('error.generic');
}
