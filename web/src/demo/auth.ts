// Who is signed in, for the demo host app. Two ways:
//  - locally, the dev sign-in: a dev token (HS256, signed by the Vite dev
//    server's /__dev/token with INVITES_DEV_AUTH_SECRET) kept in sessionStorage;
//  - in production, any OIDC provider (authorization code + PKCE, through
//    oidc-client-ts), when config.json has an `oidc` section. The API's JWT
//    authorizer needs the e-mail claims, which are in the ID token, so the ID
//    token is the bearer token.

import type { UserManager } from 'oidc-client-ts';

export interface OidcSettings {
  /** The issuer, e.g. https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123 (= the stack's JwtIssuer). */
  authority: string;
  /** The app client id (= the stack's JwtAudience). */
  clientId: string;
  /** Default: openid email profile. */
  scope?: string;
}

export interface Claims {
  sub?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

const TOKEN = 'invites-token';
let oidc: UserManager | null = null;

export async function startAuth(settings: OidcSettings | undefined): Promise<void> {
  if (!settings) return;
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  oidc = new UserManager({
    authority: settings.authority,
    client_id: settings.clientId,
    redirect_uri: `${location.origin}/signin/callback`,
    post_logout_redirect_uri: `${location.origin}/`,
    scope: settings.scope ?? 'openid email profile',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  const user = await oidc.getUser();
  if (user && !user.expired && user.id_token) sessionStorage.setItem(TOKEN, user.id_token);
  else sessionStorage.removeItem(TOKEN);
}

export const usesOidc = () => oidc !== null;

/** The bearer token for the API: the dev token, or the OIDC ID token. */
export async function getToken(): Promise<string | null> {
  if (oidc) {
    const user = await oidc.getUser();
    return user && !user.expired ? (user.id_token ?? null) : null;
  }
  return sessionStorage.getItem(TOKEN);
}

/** The claims of the current token (for the header; the API checks the token itself). */
export function claims(): Claims | null {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

export function setDevToken(token: string): void {
  sessionStorage.setItem(TOKEN, token);
}

/** Only same-origin return targets (no open redirect). */
export function safeReturn(returnTo: string | null): string {
  try {
    const target = new URL(returnTo ?? '/', location.origin);
    return target.origin === location.origin ? target.href : '/';
  } catch {
    return '/';
  }
}

/** /signin with OIDC: off to the provider, with where to come back in the state. */
export async function oidcSignIn(returnTo: string): Promise<void> {
  await oidc!.signinRedirect({ state: returnTo, prompt: 'login' });
}

/** /signin/callback: finish the code flow, then back to where sign-in started (fragment included). */
export async function oidcCallback(): Promise<string> {
  const user = await oidc!.signinRedirectCallback();
  if (user.id_token) sessionStorage.setItem(TOKEN, user.id_token);
  return safeReturn(typeof user.state === 'string' ? user.state : '/');
}

/** Signs out here and, where the provider has an end-session endpoint, there too (Cognito's discovery names none: then here only). */
export async function signOut(): Promise<'left' | 'here'> {
  sessionStorage.removeItem(TOKEN);
  if (!oidc) return 'here';
  const user = await oidc.getUser();
  await oidc.removeUser();
  try {
    // Leaves for the provider's page, which comes back to `/`.
    await oidc.signoutRedirect({ id_token_hint: user?.id_token });
    return 'left';
  } catch {
    // No end_session_endpoint in the provider's metadata.
    return 'here';
  }
}
