// What every part of the "Users & invites" screen shares: the screen it is
// in (the resource, one Act for busy, notice and alert, the seats) and a
// render root in the screen's shadow root, so ids, labels and styles stay
// in one tree.

import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import { t } from '../../i18n';
import type { Act } from '../../act';
import { can, grantable, type Capability } from '../../roles';
import type { Schemas } from '../../api/client';
import { LocaleController } from '../../locale-controller';

export type Resource = Schemas['Resource'];
/** A role id of the deployment's catalogue. */
export type Role = string;

/** The screen as its parts see it (implemented by <invite-admin>). */
export interface AdminScreen {
  readonly resourceId: string;
  readonly resource: Resource | null;
  readonly act: Act;
  /** The screen's shadow root: confirmations open there. */
  readonly root: ShadowRoot;
  /** Reads the resource again (seats, plan). */
  refreshSeats(): Promise<void>;
  /** After invites were created: the pending list and the seats again. */
  invitesCreated(): Promise<void>;
  /** Shows a link just copied below the notice, to copy by hand. */
  showLink(url: string): void;
}

export abstract class AdminPart extends LitElement {
  /** Re-renders in the language picked; `lang` and `dir` on the element. */
  protected readonly i18n = new LocaleController(this);

  static properties: PropertyDeclarations = { busy: { type: Boolean } };
  declare busy: boolean;
  /** Set by the screen before the part is connected. */
  admin!: AdminScreen;

  constructor() {
    super();
    this.busy = false;
  }

  protected createRenderRoot() {
    return this;
  }

  protected get rid() {
    return { path: { rid: this.admin.resourceId } };
  }

  /** Whether the signed-in person's role may do `what` here. */
  protected can(what: Capability) {
    return can(this.admin.resource, what);
  }

  /** The roles they may grant through `what`, lowest first. */
  protected grantable(what: Capability) {
    return grantable(this.admin.resource, what);
  }
}

/** A part that shows a list read from the API: it reads it once connected. */
export abstract class AdminPanel extends AdminPart {
  abstract load(more?: boolean): Promise<void>;

  /** "Show more" while the list has a next page. */
  protected more(cursor: string | null) {
    return cursor
      ? html`<div class="more"><button @click=${() => this.admin.act.run(() => this.load(true))} ?disabled=${this.busy}>${t('admin.more')}</button></div>`
      : nothing;
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.admin.act.run(() => this.load());
  }
}
