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
import { chooseLocale, configure, direction, keepFragment, LOCALE_NAMES, LOCALES, locale, negotiate, signInHrefForThisPage, type Locale } from '../config';
import { loadLocale, t } from '../i18n';
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



const app = document.getElementById('app')!;
const top = document.getElementById('top')!;

/** `?lang=de` picks a language as the picker does (links to a given language). */
function languageFromAddress() {
  const l = negotiate([new URLSearchParams(location.search).get('lang')]);
  if (l) chooseLocale(l);
}

function initials(text: string) {
  return text.split(/[\s@._-]+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';
}

function header(path: string) {
  const me = auth.claims();
  const current = (href: string) => (path === href ? 'page' : nothing);
  const setLang = (e: Event) => chooseLocale((e.target as HTMLSelectElement).value as Locale);
  const signOut = async () => {
    if ((await auth.signOut()) === 'here') location.assign('/');
  };
  render(
    html`<div class="inner">
      <a class="brand" href="/"><span class="logo" aria-hidden="true">✉</span>Invites</a>
      ${me
        ? html`<nav class="main" aria-label=${t('demo.nav')}>
            <a href="/" aria-current=${current('/')}>${t('demo.resources')}</a>
            <a href="/me" aria-current=${current('/me')}>${t('demo.invitations')}</a>
          </nav>`
        : html`<span style="flex:1"></span>`}
      <div class="account">
        <select aria-label=${t('demo.language')} @change=${setLang}>
          ${LOCALES.map((l) => html`<option value=${l} lang=${l} ?selected=${locale() === l}>${LOCALE_NAMES[l]}</option>`)}
        </select>
        ${me
          ? html`<span class="who" data-testid="who">
                <span class="avatar" aria-hidden="true">${initials(me.name ?? me.email ?? me.sub ?? '')}</span>
                <span class="text"><span class="name">${me.name ?? me.sub}</span><span class="mail">${me.email ?? ''}</span></span>
              </span>
              <a class="btn switch" href=${signInHrefForThisPage()} @click=${keepFragment}>${t('demo.switch')}</a>
              <button @click=${signOut}>${t('demo.signOut')}</button>`
          : html`<a class="btn primary" href=${signInHrefForThisPage()} @click=${keepFragment}>${t('demo.signIn')}</a>`}
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
  render(html`<section class="panel narrow"><h1 class="page-title">${t('demo.signIn')}</h1><p>${t('demo.idp')}</p></section>`, app);
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
        <h2 id="create-title">${t('demo.create')}</h2>
        <p class="lead" style="margin-bottom:1rem">${t('demo.createLead')}</p>
        <div class="inline">
          <label class="field" for="new-name">${t('demo.createName')}
            <input id="new-name" name="name" required maxlength="100" autocomplete="off" aria-invalid=${error ? 'true' : 'false'}
              aria-describedby=${error ? 'create-error' : nothing} /></label>
          <button type="submit">${t('demo.createButton')}</button>
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
        <h1 class="page-title">${t('demo.welcome')}</h1>
        <p class="lead">${t('demo.welcomeLead')}</p>
        <a class="btn primary" style="display:inline-flex;background:#3451b2;color:#fff;padding:0.6rem 1.2rem;border-radius:8px;text-decoration:none;font-weight:600"
          href=${signInHrefForThisPage()}>${t('demo.signIn')}</a>
      </section>`,
      app,
    );
    return;
  }
  render(
    html`<h1 class="page-title">${t('demo.homeTitle')}</h1>
      <p class="lead">${t('demo.homeLead')}</p>
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
      <h1 class="page-title">${t('demo.meTitle')}</h1>
      <p class="lead">${t('demo.meLead')}</p>
      <my-invitations></my-invitations>
      <my-resources></my-resources>
    </div>`,
    app,
  );
}

function resourcePage(rid: string) {
  render(html`<a class="crumb" href="/">${t('demo.back')}</a><invite-admin resource-id=${rid}></invite-admin>`, app);
}

async function main() {
  languageFromAddress();
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
  });
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(location.search);
  if (path === '/signin/callback') {
    location.replace(await auth.oidcCallback());
    return;
  }
  const resource = /^\/resources\/([^/]+)$/.exec(path)?.[1];
  // The page in the language of the moment: again when one is picked, or
  // its strings arrive, or the landing page follows an invite's.
  const show = () => {
    document.documentElement.lang = locale();
    document.documentElement.dir = direction();
    document.querySelector('.skip')!.textContent = t('demo.skip');
    header(path);
    if (path === '/invite') {
      render(html`<invite-landing></invite-landing>`, app);
    } else if (resource || path === '/admin' || path === '/resource') {
      resourcePage(resource ? decodeURIComponent(resource) : (params.get('rid') ?? ''));
    } else if (path === '/me') {
      mePage();
    } else if (path !== '/signin') {
      homePage();
    }
    const titles: Record<string, string> = {
      '/invite': t('demo.title.invite'),
      '/me': t('demo.meTitle'),
      '/signin': t('demo.signIn'),
      '/': t('demo.homeTitle'),
    };
    document.title = `${titles[path] ?? t('demo.title.admin')} · Invites`;
  };
  show();
  window.addEventListener('invites-locale', show);
  await loadLocale();
  if (path === '/signin') await signInPage(cfg);
}

void main();
