// The demo host app: what a SaaS frontend does around the components. It reads
// its settings from /config.json at run time and has these pages:
//   /                    your resources (pick one, or create one) and invitations
//   /me                  my invitations and my resources
//   /invite#token=…      the landing page behind the e-mailed link
//   /resources/{id}      a resource: users & invites (also /admin?rid=…, /resource?rid=…)
//   /signin?returnTo=…   dev sign-in locally; the OIDC provider in production
//   /signin/callback     the OIDC redirect target

import { html, nothing, render } from 'lit';
import { api, ok } from '../api/client';
import { configure, keepFragment, locale, signInHrefForThisPage, type Locale } from '../config';
import { explain } from '../errors';
import '../index';
import * as auth from './auth';

interface RuntimeConfig {
  apiBaseUrl: string;
  signInUrl?: string;
  resourceUrl?: string;
  /** The host product's billing page, where "Upgrade to invite more" leads (optional). */
  upgradeUrl?: string;
  oidc?: auth.OidcSettings;
  /** Only the dev server sets it (vite.config.ts); the production bundle has no dev sign-in at all. */
  devSignIn?: boolean;
}

const strings = {
  en: {
    skip: 'Skip to content',
    nav: 'Main',
    resources: 'Resources',
    invitations: 'Invitations',
    language: 'Language',
    signIn: 'Sign in',
    signOut: 'Sign out',
    switch: 'Switch account',
    welcome: 'Invite people to your resources',
    welcomeLead: 'Sign in to see your resources, invite people and answer your invitations.',
    homeTitle: 'Your resources',
    homeLead: 'Open a resource to manage its users and invitations, or create a new one.',
    meTitle: 'Invitations and access',
    meLead: 'Invitations sent to your verified e-mail address, and the resources you can use.',
    create: 'New resource',
    createLead: 'You become its owner and can invite up to 10 people.',
    createName: 'Resource name',
    createButton: 'Create',
    back: '← All resources',
    idp: 'Sign-in is handled by your identity provider.',
  },
  de: {
    skip: 'Zum Inhalt springen',
    nav: 'Hauptmenü',
    resources: 'Ressourcen',
    invitations: 'Einladungen',
    language: 'Sprache',
    signIn: 'Anmelden',
    signOut: 'Abmelden',
    switch: 'Konto wechseln',
    welcome: 'Laden Sie Personen zu Ihren Ressourcen ein',
    welcomeLead: 'Melden Sie sich an, um Ihre Ressourcen zu sehen, Personen einzuladen und Ihre Einladungen zu beantworten.',
    homeTitle: 'Ihre Ressourcen',
    homeLead: 'Öffnen Sie eine Ressource, um Benutzer und Einladungen zu verwalten, oder legen Sie eine neue an.',
    meTitle: 'Einladungen und Zugriff',
    meLead: 'Einladungen an Ihre bestätigte E-Mail-Adresse und die Ressourcen, die Sie nutzen können.',
    create: 'Neue Ressource',
    createLead: 'Sie werden Inhaber und können bis zu 10 Personen einladen.',
    createName: 'Name der Ressource',
    createButton: 'Anlegen',
    back: '← Alle Ressourcen',
    idp: 'Die Anmeldung übernimmt Ihr Identitätsanbieter.',
  },
};
type S = keyof (typeof strings)['en'];
const s = (key: S) => strings[locale()][key];

const app = document.getElementById('app')!;
const top = document.getElementById('top')!;

function chosenLocale(): Locale | undefined {
  const l = new URLSearchParams(location.search).get('lang') ?? localStorage.getItem('invites-lang');
  if (l === 'de' || l === 'en') {
    localStorage.setItem('invites-lang', l);
    return l;
  }
  return undefined;
}

function initials(text: string) {
  return text.split(/[\s@._-]+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';
}

function header(path: string) {
  const me = auth.claims();
  const current = (href: string) => (path === href ? 'page' : nothing);
  const setLang = (e: Event) => {
    const url = new URL(location.href);
    url.searchParams.set('lang', (e.target as HTMLSelectElement).value);
    location.assign(url.href);
  };
  const signOut = async () => {
    if ((await auth.signOut()) === 'here') location.assign('/');
  };
  render(
    html`<div class="inner">
      <a class="brand" href="/"><span class="logo" aria-hidden="true">✉</span>Invites</a>
      ${me
        ? html`<nav class="main" aria-label=${s('nav')}>
            <a href="/" aria-current=${current('/')}>${s('resources')}</a>
            <a href="/me" aria-current=${current('/me')}>${s('invitations')}</a>
          </nav>`
        : html`<span style="flex:1"></span>`}
      <div class="account">
        <select aria-label=${s('language')} @change=${setLang}>
          <option value="en" ?selected=${locale() === 'en'}>EN</option>
          <option value="de" ?selected=${locale() === 'de'}>DE</option>
        </select>
        ${me
          ? html`<span class="who" data-testid="who">
                <span class="avatar" aria-hidden="true">${initials(me.name ?? me.email ?? me.sub ?? '')}</span>
                <span class="text"><span class="name">${me.name ?? me.sub}</span><span class="mail">${me.email ?? ''}</span></span>
              </span>
              <a class="btn switch" href=${signInHrefForThisPage()} @click=${keepFragment}>${s('switch')}</a>
              <button @click=${signOut}>${s('signOut')}</button>`
          : html`<a class="btn primary" href=${signInHrefForThisPage()} @click=${keepFragment}>${s('signIn')}</a>`}
      </div>
    </div>`,
    top,
  );
}

async function signInPage(cfg: RuntimeConfig) {
  if (auth.usesOidc()) {
    await auth.oidcSignIn(auth.safeReturn(new URLSearchParams(location.search).get('returnTo')));
    return;
  }
  // Dev sign-in: a separate module the production build never contains.
  if (import.meta.env.DEV && cfg.devSignIn) return (await import('./dev-signin')).devSignInPage(app);
  render(html`<section class="panel narrow"><h1 class="page-title">${s('signIn')}</h1><p>${s('idp')}</p></section>`, app);
}

function createResourceForm() {
  let error = '';
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim();
    try {
      const created = await ok(api().POST('/v1/resources', { body: { name } }));
      location.assign(`/resources/${encodeURIComponent(created.id)}`);
    } catch (err) {
      error = explain(err);
      draw();
    }
  };
  const host = document.createElement('div');
  const draw = () =>
    render(
      html`<form class="panel" @submit=${submit} aria-labelledby="create-title">
        <h2 id="create-title">${s('create')}</h2>
        <p class="lead" style="margin-bottom:1rem">${s('createLead')}</p>
        <div class="inline">
          <label class="field" for="new-name">${s('createName')}
            <input id="new-name" name="name" required maxlength="100" autocomplete="off" aria-invalid=${error ? 'true' : 'false'}
              aria-describedby=${error ? 'create-error' : nothing} /></label>
          <button type="submit">${s('createButton')}</button>
        </div>
        ${error ? html`<p class="error" id="create-error" role="alert">${error}</p>` : nothing}
      </form>`,
      host,
    );
  draw();
  return host;
}

function homePage() {
  if (!auth.claims()) {
    render(
      html`<section class="panel narrow" style="text-align:center;padding:2.5rem 1.5rem">
        <h1 class="page-title">${s('welcome')}</h1>
        <p class="lead">${s('welcomeLead')}</p>
        <a class="btn primary" style="display:inline-flex;background:#3451b2;color:#fff;padding:0.6rem 1.2rem;border-radius:8px;text-decoration:none;font-weight:600"
          href=${signInHrefForThisPage()}>${s('signIn')}</a>
      </section>`,
      app,
    );
    return;
  }
  render(
    html`<h1 class="page-title">${s('homeTitle')}</h1>
      <p class="lead">${s('homeLead')}</p>
      <div class="cols">
        <div><my-resources></my-resources></div>
        <div>${createResourceForm()}<my-invitations></my-invitations></div>
      </div>`,
    app,
  );
}

function mePage() {
  render(
    html`<div class="narrow">
      <h1 class="page-title">${s('meTitle')}</h1>
      <p class="lead">${s('meLead')}</p>
      <my-invitations></my-invitations>
      <my-resources></my-resources>
    </div>`,
    app,
  );
}

function resourcePage(rid: string) {
  render(html`<a class="crumb" href="/">${s('back')}</a><invite-admin resource-id=${rid}></invite-admin>`, app);
}

async function main() {
  const lang = chosenLocale();
  document.documentElement.lang = lang ?? (navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en');
  let cfg: RuntimeConfig;
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
    cfg = await res.json();
  } catch (e) {
    app.textContent = `This app needs a config.json next to index.html (see config.example.json). ${e}`;
    return;
  }
  await auth.startAuth(cfg.oidc);
  configure({
    apiBaseUrl: cfg.apiBaseUrl,
    getToken: auth.getToken,
    signInUrl: cfg.signInUrl ?? '/signin?returnTo={returnTo}',
    resourceUrl: cfg.resourceUrl ?? '/resources/{resourceId}',
    upgradeUrl: cfg.upgradeUrl,
    getUser: () => auth.claims(),
    locale: lang,
  });
  document.querySelector('.skip')!.textContent = s('skip');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(location.search);
  if (path === '/signin/callback') {
    location.replace(await auth.oidcCallback());
    return;
  }
  header(path);
  const resource = /^\/resources\/([^/]+)$/.exec(path)?.[1];
  if (path === '/invite') {
    render(html`<invite-landing></invite-landing>`, app);
  } else if (resource || path === '/admin' || path === '/resource') {
    resourcePage(resource ? decodeURIComponent(resource) : (params.get('rid') ?? ''));
  } else if (path === '/me') {
    mePage();
  } else if (path === '/signin') {
    await signInPage(cfg);
  } else {
    homePage();
  }
  const titles: Record<string, string> = {
    '/invite': locale() === 'de' ? 'Einladung' : 'Invitation',
    '/me': s('meTitle'),
    '/signin': s('signIn'),
    '/': s('homeTitle'),
  };
  document.title = `${titles[path] ?? (locale() === 'de' ? 'Benutzer & Einladungen' : 'Users & invites')} · Invites`;
}

void main();
