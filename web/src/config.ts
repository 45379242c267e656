// How a host application configures the components: the API, its identity
// provider's token, where to sign in, where a resource lives.

/** The languages of the screens and e-mails (web/src/locales/*.json; docs/locales.md adds one). */
export const LOCALES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt-BR', 'ja', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language in its own words, for language pickers. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  it: 'Italiano',
  nl: 'Nederlands',
  pl: 'Polski',
  'pt-BR': 'Português (Brasil)',
  ja: '日本語',
  ar: 'العربية',
};

export interface InvitesConfig {
  /** Base URL of the invites API, e.g. https://api.example.com */
  apiBaseUrl: string;
  /** The signed-in user's bearer token (an ID token with e-mail claims), or null when signed out. */
  getToken: () => Promise<string | null>;
  /** Sign-in page; `{returnTo}` is replaced with the URL to come back to (URL-encoded). */
  signInUrl: string;
  /** Where "go to the resource" leads; `{resourceId}` is replaced. */
  resourceUrl: string;
  /** Who is signed in, to say so on the landing page and the wrong-account screen (optional). */
  getUser?: () => CurrentUser | null | Promise<CurrentUser | null>;
  /** @deprecated the same as `getUser`. */
  currentUser?: () => CurrentUser | null;
  /** The host app's page for upgrading a customer's plan; `{resourceId}` is replaced (optional: without it the notice has no link). */
  upgradeUrl?: string;
  /**
   * UI language, when the host app knows the person's (a BCP 47 tag; one
   * this service does not speak falls back as `negotiate` says). The order:
   * the language the person picked in a component (kept in the browser),
   * then this, then the invitation's on its landing page, then the
   * browser's (`Accept-Language`), then English.
   */
  locale?: Locale | string;
}

export interface CurrentUser {
  name?: string;
  email?: string;
}

let current: InvitesConfig | null = null;

/** Configures every component on the page. Call once, before they render. */
export function configure(config: InvitesConfig): void {
  current = config;
  window.dispatchEvent(new CustomEvent('invites-config'));
}

export function config(): InvitesConfig {
  if (!current) throw new Error('invites: call configure({...}) before using the components');
  return current;
}

export function isConfigured(): boolean {
  return current !== null;
}

/**
 * The first of `tags` (BCP 47, in order of preference) that this service
 * speaks: the tag itself (pt-BR), else its language (de-AT: de, pt-PT:
 * pt-BR, es-419: es). None of them: undefined.
 */
export function negotiate(tags: readonly (string | null | undefined)[]): Locale | undefined {
  for (const tag of tags) {
    if (!tag) continue;
    const lower = tag.replace('_', '-').toLowerCase();
    const exact = LOCALES.find((l) => l.toLowerCase() === lower);
    const language = LOCALES.find((l) => l.split('-')[0] === lower.split('-')[0]);
    if (exact ?? language) return exact ?? language;
  }
  return undefined;
}

/** Where the language a person picks is kept (this browser). */
const CHOSEN = 'invites.locale';
/** The language of what the page shows (an invite's on its landing page), until the person picks one. */
let pageLocale: Locale | undefined;

function chosen(): string | null {
  try {
    return localStorage.getItem(CHOSEN);
  } catch {
    return null;
  }
}

/** The language the components speak now (see `InvitesConfig.locale` for the order). */
export function locale(): Locale {
  return negotiate([chosen(), current?.locale, pageLocale, ...(navigator.languages ?? []), navigator.language]) ?? 'en';
}

/** The languages written right to left. */
export const RTL_LOCALES: readonly Locale[] = ['ar'];

/** Written right to left. */
export function direction(l: Locale = locale()): 'ltr' | 'rtl' {
  return RTL_LOCALES.includes(l) ? 'rtl' : 'ltr';
}

/** The person picked a language: kept in this browser, every component follows. */
export function chooseLocale(l: Locale): void {
  try {
    localStorage.setItem(CHOSEN, l);
  } catch {
    /* private mode: this page only */
    pageLocale = l;
  }
  window.dispatchEvent(new CustomEvent('invites-locale'));
}

/** What the page shows is in this language (an invite's): followed unless the person picked one. */
export function followLocale(l: string | undefined): void {
  const next = negotiate([l]);
  if (next === pageLocale) return;
  pageLocale = next;
  window.dispatchEvent(new CustomEvent('invites-locale'));
}

export function signInHref(returnTo: string): string {
  return config().signInUrl.replace('{returnTo}', encodeURIComponent(returnTo));
}

/** Where this tab keeps a link's fragment (its token) during a sign-in. */
const KEPT_FRAGMENT = 'invites.linkFragment';

/**
 * Sign-in (or switch account) from a page whose link token is in the
 * fragment, coming back to the same page: only the path and query travel
 * as `returnTo`. The link's `click` keeps the fragment in this tab's
 * session storage ([`keepFragment`]), so the token never reaches a query
 * string, the sign-in page's address, or a static host's or CDN's access log.
 */
export function signInHrefForThisPage(): string {
  return signInHref(window.location.pathname + window.location.search);
}

/** Keeps this page's fragment (its link token) in this tab while the person signs in. */
export function keepFragment(): void {
  const { pathname, search, hash } = window.location;
  if (hash) sessionStorage.setItem(KEPT_FRAGMENT, JSON.stringify({ path: pathname + search, hash }));
}

/** Puts a fragment kept across a sign-in back into the address (once, and only on the page it came from). */
export function restoreKeptFragment(): void {
  let kept: { path?: string; hash?: string } | null = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEPT_FRAGMENT) ?? 'null');
  } catch {
    kept = null;
  }
  sessionStorage.removeItem(KEPT_FRAGMENT);
  const { pathname, search, hash } = window.location;
  if (kept?.hash && !hash && kept.path === pathname + search) history.replaceState(history.state, '', pathname + search + kept.hash);
}

export function resourceHref(resourceId: string): string {
  return config().resourceUrl.replace('{resourceId}', encodeURIComponent(resourceId));
}

/** The signed-in person, if the host says who it is. */
export async function currentUser(): Promise<CurrentUser | null> {
  const c = config();
  try {
    return (await (c.getUser ?? c.currentUser)?.()) ?? null;
  } catch {
    return null;
  }
}

/** Where "upgrade" leads for a resource, if the host app has such a page. */
export function upgradeHref(resourceId: string): string | null {
  return current?.upgradeUrl ? current.upgradeUrl.replace('{resourceId}', encodeURIComponent(resourceId)) : null;
}
