// Every role's home on a phone and on a desktop: saved as a screenshot under `screenshots/` (kept
// out of git), a header no taller than 64 px on the phone, nothing scrolling sideways, the menu
// opening without script, and for a family their four places in the bar at the bottom.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKlade, launchBrowser, login, accessibilityProblems } from './harness.mjs';

const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let klade;
let browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  klade = await startKlade();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await klade?.stop();
});

const ROLES = [
  'admin', 'direktors', 'vietnieks', 'audzinasana', 'lietvede', 'skolotajs', 'audzinataja', 'skolens',
  'vecaks', 'pii.vaditaja', 'pii.skolotaja',
];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

/** How far the page scrolls sideways, in CSS pixels (0 when it fits). */
const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

for (const viewport of [PHONE, DESKTOP]) {
  test(`every role's home fits and is kept as a screenshot (${viewport.width} px)`, async () => {
    const problems = [];
    for (const role of ROLES) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await login(page, klade.url, role);
      await page.goto(`${klade.url}/`);
      await page.screenshot({ path: join(shots, `home-${role}-${viewport.width}.png`), fullPage: true });
      const header = await page.locator('header.top').boundingBox();
      if (viewport === PHONE && header.height > 64) problems.push(`${role}: header ${header.height} px high`);
      const over = await sideways(page);
      if (over > 0) problems.push(`${role}: the home page scrolls ${over} px sideways`);
      await context.close();
    }
    assert.deepEqual(problems, []);
  });
}

test('on a phone the menu opens without script and a family has its bar at the bottom', async () => {
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await login(page, klade.url, 'vecaks');
  await page.goto(`${klade.url}/`);
  const menu = page.locator('details.menu');
  await assert.rejects(menu.getByRole('button', { name: 'Iziet' }).click({ timeout: 1_000 }), 'closed at first');
  await menu.locator('summary').click();
  await assert.doesNotReject(menu.getByRole('button', { name: 'Iziet' }).waitFor({ timeout: 2_000 }));
  await page.screenshot({ path: join(shots, 'menu-vecaks-390.png') });

  const bar = page.getByRole('navigation', { name: 'Ģimenes navigācija' });
  assert.deepEqual(
    (await bar.getByRole('link').allInnerTexts()).map((s) => s.replace(/\s+\d+$/, '').trim()),
    ['Sākums', 'Dienasgrāmata', 'Vērtējumi', 'Vēstules'],
  );
  const box = await bar.boundingBox();
  assert.ok(Math.abs(box.y + box.height - PHONE.height) < 1, `the bar sits at the bottom: ${JSON.stringify(box)}`);
  await bar.getByRole('link', { name: 'Vērtējumi' }).click();
  await page.waitForLoadState();
  assert.match(new URL(page.url()).pathname, /^\/students\/\d+\/grades$/);
  assert.equal(await bar.getByRole('link', { name: 'Vērtējumi' }).getAttribute('aria-current'), 'page');
  await page.screenshot({ path: join(shots, 'grades-vecaks-390.png'), fullPage: true });
  await context.close();

  // The open menu and the bar pass the accessibility checks (axe needs script to run).
  const checked = await browser.newContext({ viewport: PHONE });
  const open = await checked.newPage();
  await login(open, klade.url, 'vecaks');
  await open.locator('details.menu summary').click();
  assert.deepEqual(await accessibilityProblems(open), []);
  await checked.close();

  // A teacher has no family bar; on a desktop every link is in the header and no menu button.
  const desk = await browser.newContext({ viewport: DESKTOP });
  const teacher = await desk.newPage();
  await login(teacher, klade.url, 'skolotajs');
  assert.equal(await teacher.locator('nav.bottom').count(), 0);
  assert.equal(await teacher.locator('details.menu').isVisible(), false);
  assert.ok(await teacher.locator('header nav.wide').getByRole('link', { name: 'Žurnāls' }).isVisible());
  await desk.close();
});

test('the accounts page fits a 360 px screen', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  await login(page, klade.url, 'admin');
  await page.goto(`${klade.url}/admin/accounts`);
  await page.screenshot({ path: join(shots, 'accounts-admin-360.png'), fullPage: true });
  assert.equal(await sideways(page), 0);
  await context.close();
});
