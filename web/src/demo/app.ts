// The demo host app: what a SaaS frontend does around the components. It reads
// its settings from /config.json at runtime, keeps the bearer token in
// sessionStorage, and has four pages: home (/), the landing page (/invite),
// a resource (/resource?rid=) and sign-in (/signin, dev sign-in locally).

import { html, render } from 'lit';
import { configure, type Locale } from '../config';
import { t } from '../i18n';
import '../index';

interface RuntimeConfig {
  apiBaseUrl: string;
  signInUrl: string;
  resourceUrl: string;
  devSignIn?: boolean;
}

const TOKEN = 'invites-token';
const app = document.getElementById('app')!;

function claims(): { sub?: string; email?: string; name?: string } | null {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  try {
    const json = atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

function chosenLocale(): Locale | undefined {
  const l = new URLSearchParams(location.search).get('lang') ?? localStorage.getItem('invites-lang');
  if (l === 'de' || l === 'en') {
    localStorage.setItem('invites-lang', l);
    document.documentElement.lang = l;
    return l;
  }
  return undefined;
}

function header(cfg: RuntimeConfig) {
  const me = claims();
  const who = document.getElementById('who')!;
  const signOut = () => {
    sessionStorage.removeItem(TOKEN);
    location.assign('/');
  };
  render(
    me
      ? html`<span>${me.name ?? me.sub} &lt;${me.email ?? '—'}&gt;</span>
          <button @click=${signOut}>Sign out</button>`
      : html`<a href=${cfg.signInUrl.replace('{returnTo}', encodeURIComponent(location.href))}>Sign in</a>`,
    who,
  );
}

function signInPage(cfg: RuntimeConfig) {
  const returnTo = new URLSearchParams(location.search).get('returnTo') ?? '/';
  if (!import.meta.env.DEV || !cfg.devSignIn) {
    render(html`<p>Sign-in is handled by your identity provider.</p>`, app);
    return;
  }
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const res = await fetch('/__dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: f.get('sub'), email: f.get('email'), name: f.get('name'), verified: f.get('verified') === 'on' }),
    });
    const { token } = await res.json();
    sessionStorage.setItem(TOKEN, token);
    // Only same-origin return targets.
    const target = new URL(returnTo, location.origin);
    location.assign(target.origin === location.origin ? target.href : '/');
  };
  render(
    html`<section class="signin" style="max-width:26rem;margin:0 auto;background:#fff;border:1px solid #dcdfe6;border-radius:10px;padding:1.25rem">
      <h1 style="margin-top:0">Dev sign-in</h1>
      <p>Local development only: the token is signed with the dev secret of <code>make dev</code>. In production your identity provider signs people in.</p>
      <form @submit=${submit} style="display:grid;gap:0.75rem">
        <label>User id <input name="sub" required value="owner-1" style="display:block;width:100%;font:inherit;padding:0.45rem" /></label>
        <label>E-mail <input name="email" type="email" value="owner@example.com" style="display:block;width:100%;font:inherit;padding:0.45rem" /></label>
        <label>Name <input name="name" value="Site Owner" style="display:block;width:100%;font:inherit;padding:0.45rem" /></label>
        <label><input name="verified" type="checkbox" checked /> E-mail verified</label>
        <button type="submit" style="font:inherit;background:#3451b2;color:#fff;border:0;border-radius:8px;padding:0.6rem;min-height:2.5rem">Sign in</button>
      </form>
    </section>`,
    app,
  );
}

function homePage() {
  if (!claims()) {
    render(html`<h1>Invites</h1><p>Sign in to see your invitations and resources.</p>`, app);
    return;
  }
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '');
    const res = await fetch('/v1/resources', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionStorage.getItem(TOKEN)}` },
      body: JSON.stringify({ name }),
    });
    if (res.ok) location.assign(`/resource?rid=${(await res.json()).id}`);
  };
  render(
    html`<h1>Home</h1>
      <my-invitations></my-invitations>
      <my-resources></my-resources>
      <form @submit=${create} style="background:#fff;border:1px solid #dcdfe6;border-radius:10px;padding:1.25rem">
        <h2 style="margin-top:0;font-size:1.15rem">New resource</h2>
        <label for="new-name" style="display:block;font-weight:600">Name</label>
        <div style="display:flex;gap:0.5rem;flex-wrap:wrap">
          <input id="new-name" name="name" required style="flex:1 1 14rem;font:inherit;padding:0.45rem;min-height:2.5rem" />
          <button type="submit" style="font:inherit;background:#3451b2;color:#fff;border:0;border-radius:8px;padding:0.5rem 1rem">Create</button>
        </div>
      </form>`,
    app,
  );
}

async function main() {
  const cfg: RuntimeConfig = await (await fetch('/config.json')).json();
  configure({
    apiBaseUrl: cfg.apiBaseUrl,
    getToken: async () => sessionStorage.getItem(TOKEN),
    signInUrl: cfg.signInUrl,
    resourceUrl: cfg.resourceUrl,
    currentUser: () => claims(),
    locale: chosenLocale(),
  });
  header(cfg);
  const params = new URLSearchParams(location.search);
  switch (location.pathname) {
    case '/invite':
      document.title = 'Invitation';
      render(html`<invite-landing></invite-landing>`, app);
      break;
    case '/resource':
      document.title = t('admin.title');
      render(html`<invite-admin resource-id=${params.get('rid') ?? ''}></invite-admin>`, app);
      break;
    case '/signin':
      document.title = 'Sign in';
      signInPage(cfg);
      break;
    default:
      document.title = 'Invites';
      homePage();
  }
}

void main();
