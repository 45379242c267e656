// What both landing pages (invite links and team links) look like.

import { css, svg, type TemplateResult } from 'lit';
import { base } from '../styles';

export type Tone = 'info' | 'warn' | 'stop' | 'done';
export const ICONS: Record<string, TemplateResult> = {
  mail: svg`<path d="M4 6h16v12H4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><path d="m4 7 8 6 8-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>`,
  clock: svg`<circle cx="12" cy="12" r="8.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 7.5V12l3 2" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>`,
  ban: svg`<circle cx="12" cy="12" r="8.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="m6 6 12 12" stroke="currentColor" stroke-width="2"/>`,
  check: svg`<circle cx="12" cy="12" r="8.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="m8 12.5 2.7 2.7L16.5 9.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`,
  user: svg`<circle cx="12" cy="8.5" r="3.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="M5 19.5c1.2-3.4 3.8-5 7-5s5.8 1.6 7 5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>`,
  link: svg`<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/><path d="m4 4 16 16" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>`,
  alert: svg`<path d="M12 4 2.8 19.5h18.4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><path d="M12 10v4.5M12 17v.5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>`,
};

export const landingStyles = [
    base,
    css`
      :host { max-width: 34rem; margin: 0 auto; }
      h1:focus { outline: none; }
      .landing { padding: 1.75rem; }
      @media (max-width: 30rem) { .landing { padding: 1.25rem; } }
      .eyebrow { font-size: 0.8rem; font-weight: 650; letter-spacing: 0.06em; text-transform: uppercase; color: var(--inv-accent); margin-bottom: 0.35rem; }
      .mark {
        width: 3rem; height: 3rem; border-radius: 12px; display: grid; place-items: center;
        background: var(--inv-accent); color: var(--inv-accent-ink); font-weight: 700; font-size: 1.35rem; margin-bottom: 1rem;
      }
      .state-icon { width: 3rem; height: 3rem; border-radius: 50%; display: grid; place-items: center; margin-bottom: 1rem; }
      .state-icon svg { width: 1.6rem; height: 1.6rem; }
      .tone-info { background: var(--inv-accent-soft); color: var(--inv-accent); }
      .tone-warn { background: #fff4d6; color: #7a5300; }
      .tone-stop { background: var(--inv-danger-soft); color: var(--inv-danger); }
      .tone-done { background: #e3f6ea; color: #146c34; }
      dl.facts { margin: 1.25rem 0; border: 1px solid var(--inv-line); border-radius: 10px; }
      dl.facts > div { display: grid; grid-template-columns: 8.5rem 1fr; gap: 0.75rem; padding: 0.65rem 0.9rem; border-top: 1px solid var(--inv-line); }
      dl.facts > div:first-child { border-top: none; }
      dt { color: var(--inv-muted); font-size: 0.9rem; }
      dd { margin: 0; font-weight: 550; min-width: 0; }
      dd .muted { font-weight: 400; font-size: 0.88rem; display: block; }
      @media (max-width: 30rem) { dl.facts > div { grid-template-columns: 1fr; gap: 0.1rem; } }
      blockquote { margin: 0 0 1.25rem; padding: 0.75rem 1rem; border-inline-start: 3px solid var(--inv-accent); background: var(--inv-soft); border-radius: 8px; border-start-start-radius: 0; border-end-start-radius: 0; white-space: pre-wrap; }
      blockquote footer { margin-top: 0.35rem; font-size: 0.85rem; color: var(--inv-muted); white-space: normal; }
      @media (max-width: 30rem) { .actions > * { flex: 1 1 100%; } }
      .who { margin-top: 1.25rem; padding-top: 1rem; border-top: 1px solid var(--inv-line); font-size: 0.9rem; color: var(--inv-muted); }
      .who a { font-weight: 600; }
      .language { display: flex; flex-wrap: wrap; align-items: center; justify-content: flex-end; gap: 0.5rem; margin-top: 1.25rem; font-size: 0.85rem; color: var(--inv-muted); }
      .language select { width: auto; font-size: 0.85rem; padding: 0.3rem 0.5rem; }
      blockquote, .message { unicode-bidi: plaintext; }
    `,
  ];

