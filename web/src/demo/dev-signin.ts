// DEV ONLY: the sign-in page of the demo app in the Vite dev server. It asks
// the dev server's /__dev/token (vite.config.ts) for an HS256 token signed with
// INVITES_DEV_AUTH_SECRET, the format the functions' dev auth checks. app.ts
// loads this module only when `import.meta.env.DEV`, so no production build
// contains it.

import { html, nothing, render } from 'lit';
import { locale } from '../config';
import * as auth from './auth';



const strings = {
  en: {
    devTitle: 'Sign in (development)',
    devLead: 'Local development only: the dev server signs a token with the secret of make dev. In production your identity provider signs people in.',
    presets: 'Quick fill',
    userId: 'User id',
    email: 'E-mail',
    name: 'Name',
    verified: 'E-mail verified',
    signIn: 'Sign in',
    devOff: 'Dev sign-in is off: start the dev server with INVITES_DEV_AUTH_SECRET set (make dev does).',
  },
  de: {
    devTitle: 'Anmelden (Entwicklung)',
    devLead: 'Nur für die lokale Entwicklung: Der Dev-Server signiert ein Token mit dem Geheimnis von make dev. In Produktion meldet Ihr Identitätsanbieter Personen an.',
    presets: 'Schnell ausfüllen',
    userId: 'Benutzer-ID',
    email: 'E-Mail',
    name: 'Name',
    verified: 'E-Mail bestätigt',
    signIn: 'Anmelden',
    devOff: 'Die Dev-Anmeldung ist aus: Starten Sie den Dev-Server mit INVITES_DEV_AUTH_SECRET (make dev tut das).',
  },
};
// Development only, never shipped: English and German, English for the other languages.
const s = (key: keyof (typeof strings)['en']) => (locale() === 'de' ? strings.de : strings.en)[key];

export function devSignInPage(app: HTMLElement) {
  const params = new URLSearchParams(location.search);
  const returnTo = params.get('returnTo');
  const presets = [
    { sub: 'owner-1', email: 'owner@example.com', name: 'Site Owner' },
    { sub: 'ann-1', email: 'ann@example.com', name: 'Ann Admin' },
    { sub: 'rita-1', email: 'rita@example.com', name: 'Rita Reader' },
  ];
  let error = '';
  const fill = (p: (typeof presets)[number]) => {
    const f = app.querySelector('form')!;
    (f.elements.namedItem('sub') as HTMLInputElement).value = p.sub;
    (f.elements.namedItem('email') as HTMLInputElement).value = p.email;
    (f.elements.namedItem('name') as HTMLInputElement).value = p.name;
  };
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const res = await fetch('/__dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: f.get('sub'), email: f.get('email'), name: f.get('name'), verified: f.get('verified') === 'on' }),
    });
    if (!res.ok) {
      error = res.status === 503 ? s('devOff') : await res.text();
      draw();
      return;
    }
    auth.setDevToken((await res.json()).token);
    location.assign(auth.safeReturn(returnTo));
  };
  const draw = () =>
    render(
      html`<section class="panel" style="max-width:28rem;margin:0 auto" aria-labelledby="signin-title">
        <h1 id="signin-title" class="page-title">${s('devTitle')}</h1>
        <p class="note">${s('devLead')}</p>
        <p class="presets" role="group" aria-label=${s('presets')}>
          ${presets.map((p) => html`<button type="button" @click=${() => fill(p)}>${p.name}</button>`)}
        </p>
        <form @submit=${submit}>
          <label class="field">${s('userId')} <input name="sub" required autocomplete="off" value="owner-1" /></label>
          <label class="field">${s('email')} <input name="email" type="email" autocomplete="off" value="owner@example.com" /></label>
          <label class="field">${s('name')} <input name="name" autocomplete="off" value="Site Owner" /></label>
          <label class="check"><input name="verified" type="checkbox" checked /> ${s('verified')}</label>
          <button type="submit" style="width:100%">${s('signIn')}</button>
          ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
        </form>
      </section>`,
      app,
    );
  draw();
}
