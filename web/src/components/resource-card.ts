// The frame the resource cards of <invite-admin>'s invitations tab share
// (<team-links>, <verified-domains>): a <details> card that opens itself when
// something waits for the admin, a form to add, one live region for what
// happened and one for what went wrong, and one way to run an action and
// reload the card's items.

import { LitElement, css, html, nothing, type CSSResultGroup, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { Act } from '../act';
import { api, ok } from '../api/client';
import { grantable, loadRoles, type Capability } from '../roles';
import { copyText } from '../clipboard';
import { type I18nKey } from '../i18n';
import { base } from '../styles';
import { LocaleController } from '../locale-controller';

export abstract class ResourceCard extends LitElement {
  /** Re-renders in the language picked; `lang` and `dir` on the element. */
  protected readonly i18n = new LocaleController(this);

  static styles: CSSResultGroup = [
    base,
    css`
      details > summary { cursor: pointer; list-style: none; display: flex; align-items: center; gap: 0.5rem; min-height: 2.75rem; }
      details > summary::before { content: '▸'; color: var(--inv-muted); }
      :host([dir='rtl']) details > summary::before { content: '◂'; }
      details[open] > summary::before, :host([dir='rtl']) details[open] > summary::before { content: '▾'; }
      details > summary h2 { margin: 0; font-size: 1.05rem; }
      ul.items { list-style: none; padding: 0; margin: 1rem 0 0; display: grid; gap: 0.75rem; }
      ul.items > li { border: 1px solid var(--inv-line); border-radius: 10px; padding: 0.75rem; display: grid; gap: 0.4rem; }
      .line { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; justify-content: space-between; }
    `,
  ];
  static properties: PropertyDeclarations = {
    resourceId: { type: String, attribute: 'resource-id' },
    roles: { state: true },
  };

  declare resourceId: string;
  /** The roles the signed-in person may grant through this card, lowest first. */
  declare roles: string[];
  private rolesOf = '';
  /** Busy, notice and alert of the card's actions; each reloads the items. */
  protected readonly act = new Act(this, () => this.load());
  /** Open while something waits for the admin, and once opened (never closed under them). */
  protected opened = false;

  constructor() {
    super();
    this.resourceId = '';
    this.roles = [];
  }

  /** Reads, once per resource, the roles the signed-in person may grant through `what`. */
  protected async grantableBy(what: Capability) {
    if (this.rolesOf === this.resourceId) return;
    const [resource] = await Promise.all([ok(api().GET('/v1/resources/{rid}', { params: this.rid })), loadRoles()]);
    this.roles = grantable(resource, what);
    this.rolesOf = this.resourceId;
  }

  /** Reads the card's items again (and sets `opened` when one waits). */
  protected abstract load(): Promise<void>;

  protected updated(changed: PropertyValues): void {
    if (changed.has('resourceId') && this.resourceId) void this.act.run(async () => {});
  }

  protected get rid() {
    return { path: { rid: this.resourceId } };
  }

  /** Copies `text`, saying so with `done` (or how to copy it by hand). */
  protected async copy(text: string, done: I18nKey) {
    this.act.say(await copyText(text, done));
  }

  /** The card: a titled <details>, its lead, the form, the live regions, the items. */
  protected frame(id: string, title: string, lead: string, form: TemplateResult, items: TemplateResult[]) {
    return html`<details class="card" ?open=${this.opened} @toggle=${(e: Event) => (this.opened = (e.target as HTMLDetailsElement).open)}>
      <summary><h2 id=${id}>${title}</h2></summary>
      <p class="muted small">${lead}</p>
      ${form}
      <div role="status" aria-live="polite">${this.act.notice ? html`<p class="notice success">${this.act.notice}</p>` : nothing}</div>
      <div role="alert">${this.act.alert ? html`<p class="notice error">${this.act.alert}</p>` : nothing}</div>
      ${items.length ? html`<ul class="items" aria-label=${title}>${items}</ul>` : nothing}
    </details>`;
  }
}
