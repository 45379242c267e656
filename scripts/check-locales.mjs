// Every language is complete (make test; docs/locales.md): the screens'
// strings (web/src/locales), the e-mails' (functions/send-invite-email/locales)
// and the role catalogues (config/roles.json, tests/fixtures/roles.json) have
// every key of English in every language of LOCALES, the same placeholders,
// the plural forms the language's CLDR rules use (Node's Intl), and no
// string left in English by mistake (scripts/locales-identical.json lists
// what may stay). Prints every problem, exits 1 if there is one.
//   node scripts/check-locales.mjs [root]

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const configTs = readFileSync(join(root, 'web/src/config.ts'), 'utf8');
const LOCALES = JSON.parse(/LOCALES = (\[[^\]]*\])/.exec(configTs)[1].replaceAll("'", '"'));
const allowed = new Set(JSON.parse(readFileSync(new URL('./locales-identical.json', import.meta.url), 'utf8')).identical);
const problems = [];

const read = (file) => {
  if (!existsSync(file)) {
    problems.push(`${file}: missing`);
    return null;
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`${file}: not JSON (${e.message})`);
    return null;
  }
};

/** The placeholders of a text: {name} on the screens, {{ name }} in the e-mails; and its <strong> marks. */
const marks = (text, mail) => {
  const re = mail ? /\{\{\s*([\w.]+)\s*\}\}/g : /\{(\w+)\}/g;
  const names = [...text.matchAll(re)].map((m) => m[1]).sort();
  const strong = (text.match(/<\/?strong>/g) ?? []).length;
  return JSON.stringify({ names: [...new Set(names)], strong });
};
const forms = (entry) => (typeof entry === 'string' ? { '': entry } : entry);
/** Only placeholders, digits, punctuation and symbols: nothing to translate. */
const nothingToSay = (text) => !/\p{L}/u.test(text.replace(/\{\{?\s*[\w.]+\s*\}?\}/g, ''));

function compare(dir, mail) {
  const en = read(join(root, dir, 'en.json'));
  if (!en) return;
  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    const file = join(dir, `${locale}.json`);
    const strings = read(join(root, file));
    if (!strings) continue;
    const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories.slice().sort();
    for (const key of Object.keys(en)) {
      if (!(key in strings)) {
        problems.push(`${file}: "${key}" is missing`);
        continue;
      }
      const [source, own] = [en[key], strings[key]];
      if (typeof source !== typeof own) {
        problems.push(`${file}: "${key}" must be ${typeof source === 'string' ? 'a string' : 'plural forms'} as in English`);
        continue;
      }
      if (typeof own === 'object') {
        const have = Object.keys(own).sort();
        if (JSON.stringify(have) !== JSON.stringify(categories)) {
          problems.push(`${file}: "${key}" has plural forms ${have.join(', ')}; ${locale} needs ${categories.join(', ')}`);
        }
      }
      // Each form says what English says with the same placeholders (its
      // "one" may say the number in words, as English's may).
      const english = forms(source);
      for (const [category, text] of Object.entries(forms(own))) {
        const like = english[category] ?? english.other ?? english[''];
        if (typeof text !== 'string' || !text.trim()) {
          problems.push(`${file}: "${key}"${category ? ` (${category})` : ''} is empty`);
          continue;
        }
        const [want, got] = [JSON.parse(marks(like, mail)), JSON.parse(marks(text, mail))];
        const optional = category && category !== 'other' ? ['count'] : [];
        const need = want.names.filter((n) => !optional.includes(n));
        if (!need.every((n) => got.names.includes(n)) || !got.names.every((n) => want.names.includes(n)) || want.strong !== got.strong) {
          problems.push(`${file}: "${key}"${category ? ` (${category})` : ''} has placeholders ${marks(text, mail)}; English has ${marks(like, mail)}`);
        }
        if (text === like && !allowed.has(text) && !nothingToSay(text)) {
          problems.push(`${file}: "${key}" is still in English ("${text}"); translate it, or list it in scripts/locales-identical.json`);
        }
      }
    }
    for (const key of Object.keys(strings)) if (!(key in en)) problems.push(`${file}: "${key}" is not an English key`);
  }
}

compare('web/src/locales', false);
compare('functions/send-invite-email/locales', true);

// The checked-in catalogues speak every language (an operator's own may cover fewer: English for the rest).
for (const file of ['config/roles.json', 'tests/fixtures/roles.json']) {
  const c = read(join(root, file));
  if (!c) continue;
  for (const [id, role] of [['owner', c.owner], ...c.roles.map((r) => [r.id, r])]) {
    for (const part of ['label', 'description']) {
      const missing = LOCALES.filter((l) => !role[part]?.[l]?.trim());
      if (missing.length) problems.push(`${file}: ${id}'s ${part} is missing in ${missing.join(', ')}`);
    }
  }
}

if (problems.length) {
  console.error(`${problems.length} problem(s) with the translations:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`locales complete: ${LOCALES.length} languages (${LOCALES.join(', ')}), screens, e-mails and role catalogues`);
