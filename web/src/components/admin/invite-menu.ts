// <invite-menu>: the ⋯ menu of one pending, undeliverable or stopped (withdrawn) invite:
// resend, copy link, change role, delete. It sits fixed by its button (no
// scrolling table clips it), follows scrolls, and takes the menu pattern's
// keys: arrows, Home and End move, Escape closes and returns focus, Tab closes.

import { html, nothing } from 'lit';
import { api, ok, type Invite } from '../../api/client';
import { copyText } from '../../clipboard';
import { confirmIn } from '../../confirm';
import { t } from '../../i18n';
import { roleLabel } from '../../roles';
import { AdminPart, type Role } from './part';
import { sendingAnyway } from './suppression';
import { direction } from '../../config';

/** One menu open at a time: opening one closes the other. */
let opened: InviteMenu | null = null;

export class InviteMenu extends AdminPart {
  static properties = { ...AdminPart.properties, invite: { attribute: false }, open: { state: true }, at: { state: true } };
  declare invite: Invite;
  declare open: boolean;
  /** Where the open menu sits (`position: fixed`). */
  declare at: string;
  /** Asks the list to read its page again after a change. */
  reload: () => Promise<void> = async () => {};

  constructor() {
    super();
    this.open = false;
    this.at = '';
  }

  private readonly close = () => (this.open = false);
  /** A scroll anywhere (the page, the table, the browser revealing a focused item) keeps the menu by its button. */
  private readonly follow = () => {
    if (this.open) void this.fit();
  };

  connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('click', this.close);
    window.addEventListener('resize', this.close);
    window.addEventListener('scroll', this.follow, true);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('click', this.close);
    window.removeEventListener('resize', this.close);
    window.removeEventListener('scroll', this.follow, true);
  }

  private button() {
    return this.querySelector(`#menu-button-${this.invite.id}`) as HTMLElement | null;
  }

  private items() {
    return [...this.querySelectorAll<HTMLElement>(`#menu-${this.invite.id} [role=menuitem]`)];
  }

  private toggle(ev: Event) {
    ev.stopPropagation();
    if (this.open) {
      this.open = false;
      return;
    }
    void this.openAt().then(() => this.items()[0]?.focus());
  }

  /** Once drawn, its real height decides below or above the button, so it never reaches past the window. */
  private async fit() {
    await this.updateComplete;
    const menu = this.querySelector(`#menu-${this.invite.id}`) as HTMLElement | null;
    const button = this.button();
    if (!menu || !button) return;
    const [h, r] = [menu.getBoundingClientRect().height, button.getBoundingClientRect()];
    const side = this.side(r);
    const top = r.bottom + 4 + h <= window.innerHeight - 8 ? r.bottom + 4 : r.top - 4 - h >= 8 ? r.top - 4 - h : Math.max(8, window.innerHeight - h - 8);
    this.at = `top:${top}px;${side}`;
    await this.updateComplete;
  }

  /** The menu lines up with the button's end: its right edge, or its left one right to left. */
  private side(r: DOMRect): string {
    return direction() === 'rtl' ? `left:${Math.max(8, r.left)}px` : `right:${Math.max(8, window.innerWidth - r.right)}px`;
  }

  private openAt(): Promise<void> {
    if (opened && opened !== this) opened.open = false;
    opened = this;
    const r = this.button()?.getBoundingClientRect();
    if (r) this.at = `top:${r.bottom + 4}px;${this.side(r)};visibility:hidden`;
    this.open = true;
    return this.fit();
  }

  private buttonKeys(ev: KeyboardEvent) {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      void this.openAt().then(() => this.items().at(ev.key === 'ArrowDown' ? 0 : -1)?.focus());
    }
  }

  private menuKeys(ev: KeyboardEvent) {
    const items = this.items();
    const at = items.indexOf((this.getRootNode() as ShadowRoot).activeElement as HTMLElement);
    const focus = (i: number) => {
      ev.preventDefault();
      items[(i + items.length) % items.length]?.focus();
    };
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 };
    if (ev.key === 'Escape') {
      ev.preventDefault();
      this.open = false;
      this.button()?.focus();
    } else if (ev.key === 'Tab') {
      this.open = false;
    } else if (ev.key in moves) {
      focus(moves[ev.key]);
    }
  }

  /** Runs a menu action; focus goes back to the ⋯ button. */
  private async run(work: () => Promise<string | void>) {
    this.open = false;
    await this.admin.act.run(work);
    void this.updateComplete.then(() => this.button()?.focus());
  }

  private get params() {
    return { path: { rid: this.admin.resourceId, id: this.invite.id } };
  }

  private resend() {
    const i = this.invite;
    return this.run(async () => {
      const resent = await sendingAnyway(this.admin.root, i.email, (ignoreSuppression) =>
        ok(api().POST('/v1/resources/{rid}/invites/{id}/resend', { params: this.params, body: { rotate: false, ignoreSuppression } })),
      );
      if (!resent) return;
      await Promise.all([this.reload(), this.admin.refreshSeats()]);
      return t('admin.resent', { email: i.email });
    });
  }

  private copy() {
    return this.run(async () => {
      const link = await ok(api().POST('/v1/resources/{rid}/invites/{id}/link', { params: this.params }));
      this.admin.showLink(link.url);
      return copyText(link.url, 'admin.copied', { email: this.invite.email });
    });
  }

  private changeRole(role: Role) {
    return this.run(async () => {
      await ok(api().PATCH('/v1/resources/{rid}/invites/{id}', { params: this.params, body: { role } }));
      await this.reload();
      return t('admin.inviteRoleChanged', { email: this.invite.email, role: roleLabel(role) });
    });
  }

  private async deleteInvite() {
    this.open = false;
    const i = this.invite;
    const sure = await confirmIn(this.admin.root, {
      title: t('admin.delete.title'),
      body: t('admin.delete.body', { email: i.email }),
      confirm: t('admin.delete.confirm'),
      danger: true,
    });
    if (!sure) return this.button()?.focus();
    await this.admin.act.run(async () => {
      await ok(api().DELETE('/v1/resources/{rid}/invites/{id}', { params: this.params }));
      await Promise.all([this.reload(), this.admin.refreshSeats()]);
      return t('admin.deleted', { email: i.email });
    });
  }

  render() {
    const i = this.invite;
    // Other roles the signed-in person may grant, for an invite whose role they may grant.
    const roles = this.grantable('invite');
    const others = roles.includes(i.role) ? roles.filter((r) => r !== i.role) : [];
    return html`<button class="icon ghost" id="menu-button-${i.id}" aria-haspopup="menu" aria-expanded=${this.open}
        aria-controls=${this.open ? `menu-${i.id}` : nothing} aria-label=${t('admin.menu', { email: i.email })}
        @click=${(e: Event) => this.toggle(e)} @keydown=${(e: KeyboardEvent) => this.buttonKeys(e)}>⋯</button>
      ${this.open
        ? html`<div id="menu-${i.id}" role="menu" style=${this.at} aria-label=${t('admin.menu', { email: i.email })}
            @keydown=${(e: KeyboardEvent) => this.menuKeys(e)} @click=${(e: Event) => e.stopPropagation()}>
            ${i.status === 'withdrawn'
              ? nothing
              : html`<button role="menuitem" tabindex="-1" @click=${() => this.resend()}>${t('admin.resend')}</button>`}
            ${i.status === 'pending'
              ? html`<button role="menuitem" tabindex="-1" @click=${() => this.copy()}>${t('admin.copy')}</button>
                  ${others.map((other) => html`<button role="menuitem" tabindex="-1" @click=${() => this.changeRole(other)}>
                    ${t('admin.changeRoleTo', { role: roleLabel(other) })}</button>`)}`
              : nothing}
            <div role="separator"></div>
            <button role="menuitem" tabindex="-1" class="danger-item" @click=${() => this.deleteInvite()}>${t('admin.delete')}</button>
          </div>`
        : nothing}`;
  }
}

customElements.define('invite-menu', InviteMenu);
