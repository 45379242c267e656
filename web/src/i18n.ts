// UI strings in every language (web/src/locales/*.json: English is the
// source, bundled, and the fallback; the others load when first shown), the
// API's error codes in words, plural forms by the platform's
// Intl.PluralRules, and dates, numbers and durations by Intl.

import en from './locales/en.json';
import { direction, locale, type Locale } from './config';

export type I18nKey = keyof typeof en;
/** A string, or its plural forms by CLDR category, chosen by the `count` parameter. */
export type Entry = string | Partial<Record<Intl.LDMLPluralRule, string>>;
export type Strings = Record<string, Entry>;

const bundles = import.meta.glob<Strings>(['./locales/*.json', '!./locales/en.json'], { import: 'default' });
const loaded = new Map<Locale, Strings>([['en', en]]);
const loading = new Map<Locale, Promise<void>>();

/**
 * Loads a language's strings (once); the components re-render when they
 * arrive (`invites-locale`). Until then they show English.
 */
export function loadLocale(l: Locale = locale()): Promise<void> {
  if (loaded.has(l)) return Promise.resolve();
  let pending = loading.get(l);
  if (!pending) {
    const load = bundles[`./locales/${l}.json`];
    pending = (load ? load() : Promise.resolve(en)).then(
      (strings) => {
        loaded.set(l, strings);
        window.dispatchEvent(new CustomEvent('invites-locale'));
      },
      () => {
        loading.delete(l); // offline for a moment: English now, try again on the next render
      },
    );
    loading.set(l, pending);
  }
  return pending;
}

/** The text of one entry: its plural form for `count`, in the language it is written in. */
export function pick(entry: Entry, lang: string, count: number): string {
  if (typeof entry === 'string') return entry;
  const category = new Intl.PluralRules(lang).select(count);
  return entry[category] ?? entry.other ?? '';
}

export function t(key: I18nKey, params: Record<string, string | number> = {}): string {
  const l = locale();
  const strings = loaded.get(l);
  if (!strings) void loadLocale(l);
  const own = strings?.[key];
  const [entry, lang] = own === undefined ? [en[key] as Entry, 'en'] : [own, l];
  const text = entry === undefined ? key : pick(entry, lang, Number(params.count ?? 0));
  // In a right-to-left sentence, a name or an address keeps its own
  // direction (Unicode isolates), so "g***@example.com" is not reordered.
  const isolate = direction(l) === 'rtl' ? (v: string) => `\u2068${v}\u2069` : (v: string) => v;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === 'number' ? new Intl.NumberFormat(lang).format(value) : isolate(value);
  });
}

export function has(key: string): key is I18nKey {
  return key in en;
}

/** A date and time with its time zone named, in the page's language. */
export function formatDate(iso: string | undefined | null): string {
  if (!iso) return t('admin.never');
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso)) + ' ' + zoneName(new Date(iso));
}

/** The time zone's short name as the page's language writes it ("CET", "GMT+1", "UTC"). */
function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat(locale(), { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/** A short date and time for tables: "25 Nov, 03:14" (the year only when it is not this year). */
export function formatShort(iso: string | undefined | null): string {
  if (!iso) return t('admin.never');
  const d = new Date(iso);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(locale(), {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** How long to wait, in words ("5 minutes", "5 Minuten", "٥ دقائق"): Intl's units and plurals. */
export function wait(seconds: number | null): string {
  const unit = (n: number, u: 'second' | 'minute') =>
    new Intl.NumberFormat(locale(), { style: 'unit', unit: u, unitDisplay: 'long' }).format(n);
  if (seconds === null || !Number.isFinite(seconds)) return unit(5, 'minute');
  if (seconds < 90) return unit(Math.max(1, Math.round(seconds)), 'second');
  return unit(Math.ceil(seconds / 60), 'minute');
}
