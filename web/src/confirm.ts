// A modal confirmation (native <dialog>: focus is trapped, Escape cancels,
// focus returns to where it was). Resolves true when confirmed.

import { t } from './i18n';

export interface ConfirmOptions {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
}

export function confirmIn(root: ShadowRoot, o: ConfirmOptions): Promise<boolean> {
  const previous = (root.activeElement ?? document.activeElement) as HTMLElement | null;
  const dialog = document.createElement('dialog');
  dialog.setAttribute('aria-labelledby', 'confirm-title');
  dialog.setAttribute('aria-describedby', 'confirm-body');
  const h = document.createElement('h2');
  h.id = 'confirm-title';
  h.textContent = o.title;
  const p = document.createElement('p');
  p.id = 'confirm-body';
  p.textContent = o.body;
  const row = document.createElement('div');
  row.className = 'actions';
  const cancel = document.createElement('button');
  cancel.textContent = t('admin.cancel');
  const yes = document.createElement('button');
  yes.textContent = o.confirm;
  yes.className = o.danger ? 'danger' : 'primary';
  row.append(cancel, yes);
  dialog.append(h, p, row);
  root.appendChild(dialog);
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      previous?.focus?.();
      resolve(answer);
    };
    cancel.addEventListener('click', () => done(false));
    yes.addEventListener('click', () => done(true));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    dialog.showModal();
    cancel.focus();
  });
}
