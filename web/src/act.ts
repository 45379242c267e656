// One way for a screen to run an action (after Lit's Task): show it busy,
// run it, show what happened or what went wrong, then reload what it shows.
// <invite-admin>, the resource cards and my invitations share it.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { explain } from './errors';

export class Act implements ReactiveController {
  busy = false;
  /** What happened, for the status region. */
  notice = '';
  /** What went wrong, in the person's language, for the alert region. */
  alert = '';

  /** `reload` runs after every action that succeeded; `start` before each (to clear what the screen showed). */
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly reload: () => Promise<void> = async () => {},
    private readonly start: () => void = () => {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Runs `work`; its answer, if any, is the notice. A failure is the alert. */
  async run(work: () => Promise<string | void>): Promise<void> {
    this.clear();
    this.start();
    this.busy = true;
    this.host.requestUpdate();
    try {
      const notice = await work();
      if (notice) this.notice = notice;
      await this.reload();
    } catch (e) {
      this.alert = explain(e);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  clear(): void {
    this.notice = '';
    this.alert = '';
  }

  /** Shows a notice that is not the answer of an action. */
  say(notice: string): void {
    this.notice = notice;
    this.host.requestUpdate();
  }
}
