import { css } from 'lit';

/** The look shared by every component; hosts can override the custom properties. */
export const base = css`
  :host {
    --inv-accent: #3451b2;
    --inv-accent-ink: #ffffff;
    --inv-danger: #b42318;
    --inv-ink: #1f2430;
    --inv-muted: #5b6170;
    --inv-line: #dcdfe6;
    --inv-surface: #ffffff;
    --inv-soft: #f5f6f9;
    --inv-radius: 10px;
    display: block;
    color: var(--inv-ink);
    font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }
  * { box-sizing: border-box; }
  h1, h2, h3 { line-height: 1.25; margin: 0 0 0.5rem; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.15rem; }
  p { margin: 0 0 0.75rem; }
  .card {
    background: var(--inv-surface);
    border: 1px solid var(--inv-line);
    border-radius: var(--inv-radius);
    padding: 1.25rem;
    margin-bottom: 1rem;
  }
  .muted { color: var(--inv-muted); }
  .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
  .spread { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; justify-content: space-between; }
  button, .button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    border-radius: 8px;
    border: 1px solid var(--inv-line);
    background: var(--inv-surface);
    color: var(--inv-ink);
    padding: 0.5rem 0.9rem;
    cursor: pointer;
    text-decoration: none;
    min-height: 2.5rem;
  }
  button.primary, .button.primary { background: var(--inv-accent); border-color: var(--inv-accent); color: var(--inv-accent-ink); }
  button.danger { background: var(--inv-danger); border-color: var(--inv-danger); color: #fff; }
  button.link { border: none; background: none; color: var(--inv-accent); padding: 0.25rem 0.5rem; text-decoration: underline; }
  button:disabled { opacity: 0.6; cursor: not-allowed; }
  button:focus-visible, .button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible {
    outline: 3px solid #7a93f0;
    outline-offset: 2px;
  }
  a { color: var(--inv-accent); }
  label { display: block; font-weight: 600; font-size: 0.9rem; margin-bottom: 0.25rem; }
  input, select, textarea {
    font: inherit;
    width: 100%;
    padding: 0.5rem 0.6rem;
    border: 1px solid #9aa1b0;
    border-radius: 8px;
    background: #fff;
    color: var(--inv-ink);
    min-height: 2.5rem;
  }
  input[aria-invalid='true'], textarea[aria-invalid='true'] { border-color: var(--inv-danger); }
  .field { margin-bottom: 0.9rem; }
  .field-error { color: var(--inv-danger); font-size: 0.9rem; margin-top: 0.25rem; }
  .notice { border-radius: 8px; padding: 0.6rem 0.8rem; margin: 0.5rem 0 1rem; background: #eef2ff; color: #1e2f7a; }
  .notice.error { background: #fdecea; color: #7a1610; }
  .badge {
    display: inline-block;
    padding: 0.1rem 0.55rem;
    border-radius: 999px;
    font-size: 0.8rem;
    font-weight: 600;
    background: var(--inv-soft);
    color: var(--inv-muted);
    white-space: nowrap;
  }
  .badge.pending, .badge.queued { background: #fff4d6; color: #6b4a00; }
  .badge.accepted, .badge.sent, .badge.delivered { background: #e3f6ea; color: #125c2c; }
  .badge.revoked, .badge.declined, .badge.rejected, .badge.bounced, .badge.complained, .badge.suppressed { background: #fdecea; color: #8a1c14; }
  .badge.expired, .badge.delayed { background: #eceef2; color: #414756; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 0.6rem 0.5rem; border-bottom: 1px solid var(--inv-line); vertical-align: middle; }
  th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--inv-muted); }
  .table-wrap { overflow-x: auto; }
  dialog {
    border: 1px solid var(--inv-line);
    border-radius: var(--inv-radius);
    padding: 1.25rem;
    max-width: min(28rem, calc(100vw - 2rem));
    color: var(--inv-ink);
  }
  dialog::backdrop { background: rgb(20 24 33 / 45%); }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .break { overflow-wrap: anywhere; }
`;
