// Every component speaks the page's language: it re-renders when a language
// is picked or its strings arrive, and its element carries `lang` and `dir`
// (Arabic right to left, whatever the host page's direction).

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { direction, locale } from './config';

export class LocaleController implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  private readonly changed = () => this.host.requestUpdate();

  hostConnected(): void {
    window.addEventListener('invites-locale', this.changed);
  }

  hostDisconnected(): void {
    window.removeEventListener('invites-locale', this.changed);
  }

  hostUpdate(): void {
    const l = locale();
    if (this.host.lang !== l) this.host.lang = l;
    if (this.host.dir !== direction(l)) this.host.dir = direction(l);
  }
}
