// How a host application configures the components: the API, its identity
// provider's token, where to sign in, where a resource lives.

export type Locale = 'en' | 'de';

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
  /** UI language; default from the browser. */
  locale?: Locale;
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

export function locale(): Locale {
  const l = current?.locale ?? (navigator.language || 'en');
  return l.toLowerCase().startsWith('de') ? 'de' : 'en';
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
