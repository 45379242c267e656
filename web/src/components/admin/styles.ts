// The styles of the "Users & invites" screen. Its parts render into the
// screen's own shadow root (light DOM), so these reach all of them.

import { css } from 'lit';

export const adminStyles = css`
      .page-head { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-end; justify-content: space-between; margin-bottom: 1.25rem; }
      .page-head h1 { margin: 0; }
      .settings { margin: -0.5rem 0 0.75rem; display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem; }
      .settings .inline-field { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.5rem; margin: 0; }
      .settings .inline-field select { width: auto; max-width: 100%; }
      .settings .inline-field .hint { flex-basis: 100%; }
      .danger-zone { margin-top: 1.5rem; border-color: var(--inv-danger-soft); }
      .danger-zone h2 { margin: 0 0 0.25rem; font-size: 1.05rem; }
      .eyebrow { font-size: 0.85rem; font-weight: 600; color: var(--inv-muted); margin: 0 0 0.2rem; }
      .seats { min-width: 14rem; flex: 0 1 18rem; }
      .seats-line { display: flex; justify-content: space-between; font-size: 0.875rem; margin-bottom: 0.35rem; }
      .meter { height: 0.5rem; border-radius: 999px; background: #e4e7ee; overflow: hidden; }
      .meter > span { display: block; height: 100%; background: var(--inv-accent); border-radius: inherit; }
      .meter.full > span { background: var(--inv-danger); }
      .notice.plan { background: #fff7e0; color: #5c4300; border-color: #f1dc9c; margin-bottom: 1rem; }
      .notice.plan .grow { display: grid; gap: 0.5rem; justify-items: start; }
      [role='tablist'] { display: flex; gap: 0.25rem; border-bottom: 1px solid var(--inv-line); margin: 0 0 1.25rem; overflow-x: auto; }
      [role='tab'] {
        border: none; border-radius: 0; background: none; padding: 0.6rem 0.85rem; min-height: 2.75rem;
        color: var(--inv-muted); font-weight: 600; border-bottom: 3px solid transparent; margin-bottom: -1px; white-space: nowrap;
      }
      [role='tab']:hover { background: none; color: var(--inv-ink); }
      [role='tab'][aria-selected='true'] { color: var(--inv-accent); border-bottom-color: var(--inv-accent); }
      [role='tab']:focus-visible { outline-offset: -3px; border-radius: 6px 6px 0 0; }
      .count { display: inline-block; min-width: 1.4rem; padding: 0 0.35rem; margin-inline-start: 0.35rem; border-radius: 999px; background: #e4e7ee; color: var(--inv-ink); font-size: 0.75rem; line-height: 1.4rem; text-align: center; }
      .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); align-items: start; }
      .layout > .card, .side > .card { margin: 0; }
      .side { display: grid; gap: 1rem; }
      details.bulk > summary { cursor: pointer; list-style: none; display: flex; align-items: center; gap: 0.5rem; min-height: 2.75rem; }
      details.bulk > summary::before { content: '▸'; color: var(--inv-muted); }
      :host([dir='rtl']) details.bulk > summary::before { content: '◂'; }
      details.bulk[open] > summary::before, :host([dir='rtl']) details.bulk[open] > summary::before { content: '▾'; }
      details.bulk > summary h2 { margin: 0; font-size: 1.05rem; }
      .refused { border: 1px solid var(--inv-line); border-radius: 8px; padding: 0.5rem 0.75rem; margin: 0 0 1rem; background: var(--inv-soft); }
      .refused h3 { font-size: 0.95rem; margin: 0 0 0.35rem; }
      .refused ul { margin: 0; padding-inline-start: 1.1rem; font-size: 0.9rem; }
      .export { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid var(--inv-line); }
      .filters { display: inline-flex; flex-wrap: wrap; gap: 0.25rem; padding: 0.25rem; background: var(--inv-soft); border: 1px solid var(--inv-line); border-radius: 10px; }
      .filters button { border: none; background: none; min-height: 2.25rem; padding: 0.35rem 0.75rem; font-size: 0.9rem; color: var(--inv-muted); }
      .filters button:hover { color: var(--inv-ink); background: #eceef3; }
      .filters button[aria-pressed='true'] { background: var(--inv-surface); color: var(--inv-ink); box-shadow: var(--inv-shadow); }
      .cell-actions { position: relative; text-align: end; width: 3.5rem; }
      [role='menu'] {
        position: fixed; z-index: 30; min-width: 15rem; max-width: calc(100vw - 1rem); padding: 0.35rem; margin: 0;
        background: var(--inv-surface); border: 1px solid var(--inv-line); border-radius: 10px; box-shadow: 0 12px 32px rgb(16 24 40 / 18%); text-align: start;
      }
      [role='menuitem'] { display: flex; width: 100%; justify-content: flex-start; border: none; background: none; border-radius: 6px; font-weight: 500; padding: 0.5rem 0.75rem; }
      [role='menuitem']:hover, [role='menuitem']:focus { background: var(--inv-soft); }
      [role='menuitem'].danger-item { color: var(--inv-danger); }
      [role='separator'] { height: 1px; background: var(--inv-line); margin: 0.3rem 0; }
      .copied { margin-top: 0.5rem; width: 100%; }
      .copied input { font: 0.85rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
      .empty { text-align: center; padding: 2rem 1rem; color: var(--inv-muted); }
      .more { display: flex; justify-content: center; margin-top: 1rem; }
      .audit-text { font-weight: 500; }
      .owner-note { display: block; font-size: 0.8rem; color: var(--inv-muted); margin-top: 0.15rem; }
      td select { width: auto; min-width: 10rem; }
      td.date { font-size: 0.9rem; white-space: nowrap; }
      @media (min-width: 64rem) { .layout.with-form { grid-template-columns: 18.5rem minmax(0, 1fr); } }
    `;
