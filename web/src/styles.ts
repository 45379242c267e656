import { css } from 'lit';

/**
 * The look shared by every component. A host restyles them through the custom
 * properties (set them on the element or an ancestor), e.g.
 * `invite-admin { --inv-accent: #0b6e4f; }`.
 */
export const base = css`
  :host {
    --inv-accent: #3451b2;
    --inv-accent-hover: #2a4396;
    --inv-accent-ink: #ffffff;
    --inv-accent-soft: #eef1fc;
    --inv-danger: #b42318;
    --inv-danger-soft: #fdecea;
    --inv-ink: #1b1f2a;
    --inv-muted: #555c6b;
    --inv-line: #e2e5ec;
    --inv-field: #8c93a3;
    --inv-surface: #ffffff;
    --inv-soft: #f6f7fa;
    --inv-focus: #5b7cf0;
    --inv-radius: 12px;
    --inv-shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 8%);
    display: block;
    color: var(--inv-ink);
    font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', sans-serif;
    -webkit-font-smoothing: antialiased;
  }
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  h1, h2, h3 { line-height: 1.25; margin: 0 0 0.5rem; letter-spacing: -0.01em; }
  h1 { font-size: 1.5rem; font-weight: 700; }
  h2 { font-size: 1.1rem; font-weight: 650; }
  h3 { font-size: 1rem; font-weight: 650; }
  p { margin: 0 0 0.75rem; }
  a { color: var(--inv-accent); }
  code { font: 0.85em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }

  .card {
    background: var(--inv-surface);
    border: 1px solid var(--inv-line);
    border-radius: var(--inv-radius);
    box-shadow: var(--inv-shadow);
    padding: 1.25rem;
    margin-bottom: 1rem;
  }
  .card > :last-child { margin-bottom: 0; }
  .card-head { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: baseline; justify-content: space-between; margin-bottom: 1rem; }
  .card-head h2 { margin: 0; }
  .muted { color: var(--inv-muted); }
  .small { font-size: 0.875rem; }
  .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
  .spread { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; justify-content: space-between; }
  .stack > * + * { margin-top: 0.75rem; }

  button, .button {
    font: inherit;
    font-weight: 550;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4rem;
    border-radius: 8px;
    border: 1px solid #c9cdd6;
    background: var(--inv-surface);
    color: var(--inv-ink);
    padding: 0.5rem 0.95rem;
    cursor: pointer;
    text-decoration: none;
    min-height: 2.5rem;
    line-height: 1.2;
    transition: background-color 0.12s, border-color 0.12s;
  }
  button:hover, .button:hover { background: var(--inv-soft); }
  button.primary, .button.primary { background: var(--inv-accent); border-color: var(--inv-accent); color: var(--inv-accent-ink); }
  button.primary:hover, .button.primary:hover { background: var(--inv-accent-hover); border-color: var(--inv-accent-hover); }
  button.danger { background: var(--inv-danger); border-color: var(--inv-danger); color: #fff; }
  button.danger:hover { background: #912018; }
  button.ghost { border-color: transparent; background: transparent; }
  button.ghost:hover { background: var(--inv-soft); }
  button.icon { padding: 0.4rem; min-width: 2.5rem; font-size: 1.1rem; }
  button.link { border: none; background: none; color: var(--inv-accent); padding: 0.25rem 0.5rem; text-decoration: underline; min-height: 0; }
  button:disabled { opacity: 0.55; cursor: not-allowed; }
  button:focus-visible, .button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible, [tabindex]:focus-visible {
    outline: 3px solid var(--inv-focus);
    outline-offset: 2px;
  }
  .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 1.25rem; }

  label { display: block; font-weight: 600; font-size: 0.875rem; margin-bottom: 0.3rem; }
  .hint { font-size: 0.8rem; color: var(--inv-muted); margin-top: 0.25rem; }
  ul.hint { list-style: none; padding: 0; margin-bottom: 0; display: grid; gap: 0.15rem; }
  label.check { display: flex; gap: 0.5rem; align-items: center; font-weight: 400; margin: 0; min-height: 2.75rem; }
  label.check input { width: 1.15rem; height: 1.15rem; flex: none; accent-color: var(--inv-accent); margin: 0; }
  input, select, textarea {
    font: inherit;
    width: 100%;
    padding: 0.5rem 0.65rem;
    border: 1px solid var(--inv-field);
    border-radius: 8px;
    background: #fff;
    color: var(--inv-ink);
    min-height: 2.5rem;
  }
  textarea { resize: vertical; }
  input[aria-invalid='true'], textarea[aria-invalid='true'], select[aria-invalid='true'] { border-color: var(--inv-danger); box-shadow: 0 0 0 1px var(--inv-danger); }
  .field { margin-bottom: 1rem; min-width: 0; }
  .field-error { color: var(--inv-danger); font-size: 0.85rem; margin-top: 0.3rem; font-weight: 500; }
  .grid { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); }

  .notice {
    display: flex;
    gap: 0.6rem;
    align-items: flex-start;
    border-radius: 8px;
    padding: 0.65rem 0.85rem;
    margin: 0 0 1rem;
    background: var(--inv-accent-soft);
    color: #1e2f7a;
    border: 1px solid #d5dcf7;
  }
  .notice.success { background: #e8f6ee; color: #0f5128; border-color: #c4e7d2; }
  .notice.error { background: var(--inv-danger-soft); color: #7a1610; border-color: #f6c9c4; }
  .notice > .grow { flex: 1; min-width: 0; }

  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    padding: 0.1rem 0.55rem;
    border-radius: 999px;
    font-size: 0.78rem;
    font-weight: 600;
    background: #eceef2;
    color: #414756;
    white-space: nowrap;
  }
  .badge::before { content: ''; width: 0.45rem; height: 0.45rem; border-radius: 50%; background: currentColor; opacity: 0.75; }
  .badge.pending, .badge.queued, .badge.delayed { background: #fff4d6; color: #6b4a00; }
  .badge.accepted, .badge.sent, .badge.delivered { background: #e3f6ea; color: #125c2c; }
  .badge.revoked, .badge.declined, .badge.undeliverable, .badge.withdrawn, .badge.rejected, .badge.bounced, .badge.complained { background: #fdecea; color: #8a1c14; }
  .badge.expired { background: #eceef2; color: #414756; }
  .badge.role { background: var(--inv-accent-soft); color: #263d8c; }
  .badge.role::before, .badge.plain::before { display: none; }

  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: start; padding: 0.7rem 0.6rem; border-bottom: 1px solid var(--inv-line); vertical-align: middle; }
  tbody tr:last-child td { border-bottom: none; }
  th { font-size: 0.75rem; font-weight: 650; text-transform: uppercase; letter-spacing: 0.04em; color: var(--inv-muted); background: var(--inv-soft); }
  th:first-child { border-start-start-radius: 8px; }
  th:last-child { border-start-end-radius: 8px; }
  .table-wrap { overflow-x: auto; }
  .nowrap { white-space: nowrap; }
  .strong { font-weight: 600; }
  .cell-sub { display: block; font-size: 0.82rem; font-weight: 400; color: var(--inv-muted); }

  /* Tables become stacked cards on narrow screens. */
  @media (max-width: 40rem) {
    table.stack-sm thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    table.stack-sm, table.stack-sm tbody, table.stack-sm tr, table.stack-sm td { display: block; width: 100%; }
    table.stack-sm tr { border: 1px solid var(--inv-line); border-radius: 10px; padding: 0.5rem 0.75rem; margin-bottom: 0.6rem; position: relative; }
    table.stack-sm td { border: none; padding: 0.2rem 0; }
    table.stack-sm td[data-label]::before { content: attr(data-label); display: inline-block; min-width: 6.5rem; font-size: 0.78rem; font-weight: 600; color: var(--inv-muted); }
    table.stack-sm td.cell-actions { position: absolute; top: 0.35rem; inset-inline-end: 0.35rem; width: auto; }
    table.stack-sm td.cell-first { padding-inline-end: 3rem; font-weight: 600; }
  }

  dialog {
    border: 1px solid var(--inv-line);
    border-radius: var(--inv-radius);
    padding: 1.5rem;
    width: min(28rem, calc(100vw - 2rem));
    color: var(--inv-ink);
    box-shadow: 0 20px 50px rgb(16 24 40 / 25%);
  }
  dialog h2 { font-size: 1.2rem; }
  dialog .actions { justify-content: flex-end; }
  dialog::backdrop { background: rgb(20 24 33 / 50%); }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .break { overflow-wrap: anywhere; }

  @media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;
