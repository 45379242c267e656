// A modal confirmation (native <dialog>: focus is trapped, Escape cancels,
// focus returns to where it was). Resolves true when confirmed. For what
// cannot be undone, `typeToConfirm` asks for a word (the resource's name)
// typed exactly before the confirm button works.

import { t } from './i18n';

export interface ConfirmOptions {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
  typeToConfirm?: { label: string; value: string };
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
  dialog.append(h, p);
  if (o.typeToConfirm) {
    const { label, value } = o.typeToConfirm;
    const field = document.createElement('div');
    field.className = 'field';
    const l = document.createElement('label');
    l.htmlFor = 'confirm-typed';
    l.textContent = label;
    const input = document.createElement('input');
    input.id = 'confirm-typed';
    input.autocomplete = 'off';
    input.spellcheck = false;
    yes.disabled = true;
    input.addEventListener('input', () => (yes.disabled = input.value.trim() !== value.trim()));
    field.append(l, input);
    dialog.append(field);
  }
  dialog.append(row);
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
