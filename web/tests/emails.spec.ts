// Every kind of e-mail (invitation, reminder, request approved, request
// declined) in every language, as the worker renders them with long names,
// a long message and a long link (functions/send-invite-email/examples/
// render-all.rs; scripts/web-test.sh writes them to INVITES_MAILS_DIR):
// its language and direction named, and nothing wider than a 375 px phone
// or a desktop window. The e-mails the live stories send are checked the
// same way (story.spec.ts).

import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, RTL_LOCALES } from '../src/config';

const DIR = process.env.INVITES_MAILS_DIR!;
const KINDS = ['invite', 'reminder', 'approved', 'declined'];

test('every e-mail of every language fits a 375 px screen, Arabic right to left', async ({ page }) => {
  expect(readdirSync(DIR).filter((f) => f.endsWith('.html')).sort()).toEqual(
    KINDS.flatMap((k) => LOCALES.map((l) => `${k}.${l}.html`)).sort(),
  );
  let checked = 0;
  for (const l of LOCALES) {
    for (const kind of KINDS) {
      await page.setContent(readFileSync(join(DIR, `${kind}.${l}.html`), 'utf8'));
      const dir = RTL_LOCALES.includes(l) ? 'rtl' : 'ltr';
      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([l, dir]);
      for (const width of [375, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(wide, `${kind}.${l} at ${width} px`).toBeLessThanOrEqual(width);
        checked += 1;
      }
    }
  }
  console.log(`e-mails: ${KINDS.length} kinds × ${LOCALES.length} languages, ${checked} renderings checked at 375 and 1280 px, none wider than the screen`);
});
