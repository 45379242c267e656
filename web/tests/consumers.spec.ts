// The packed components in two fresh apps (web/consumers, built by
// scripts/web-consumers.sh from `npm pack`'s tarball): a plain HTML page
// with Vite and a React 19 app, each serving its own origin and calling the
// API across origins (CORS). The e-mailed link opens in each; the landing
// page shows the invitation, takes the host's theme, and axe finds nothing
// serious.

import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { API, axeScan, invitation, serveBuilt, type AxeEntry } from './helpers';

const DIR = process.env.CONSUMERS_DIR;
const scans: AxeEntry[] = [];

for (const app of ['html', 'react']) {
  test(`the e-mailed link in the ${app} app that installed the package`, async ({ page }) => {
    test.skip(!DIR, 'CONSUMERS_DIR unset: scripts/web-test.sh builds the apps first');
    const { server, origin } = await serveBuilt({ root: join(DIR!, app), config: { apiBaseUrl: API } });
    try {
      const { link, resourceName } = await invitation(`Consumer ${app}`);
      await page.goto(`${origin}/invite${link.hash}`);
      const title = page.getByRole('heading', { name: new RegExp(`invited you to ${resourceName}`) });
      await expect(title).toBeVisible();
      if (app === 'html') {
        // The host's theme reached inside: a custom property and a part.
        const color = await page.locator('invite-landing').evaluate((el) => getComputedStyle(el.shadowRoot!.querySelector('h1')!).color);
        expect(color).toBe('rgb(11, 110, 79)');
      }
      await axeScan(page, `${app} app: landing page of an e-mailed link`, scans);
      await page.setViewportSize({ width: 375, height: 800 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    } finally {
      await server.close();
    }
  });
}

test.afterAll(() => {
  if (scans.length) console.log(`consumers: ${scans.length} apps, ${scans.reduce((n, s) => n + s.serious + s.critical, 0)} serious or critical axe violations`);
});
