// The first flow: a teacher logs in to the demo in Chromium and sees their home page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKlade, launchBrowser, login, accessibilityProblems, totp, logout } from './harness.mjs';

let klade;
let browser;

before(async () => {
  klade = await startKlade();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await klade?.stop();
});

test('skolotajs logs in and sees the teacher home page in Latvian', async () => {
  const page = await browser.newPage();
  await login(page, klade.url, 'skolotajs');
  await page.waitForURL(`${klade.url}/`);
  assert.equal(await page.locator('h1').innerText(), 'Labdien, Mārtiņš Kalniņš!');
  const card = page.locator('section.card', { hasText: 'Lomas' });
  assert.match(await card.innerText(), /Daugavmalas Mākslas un dizaina vidusskola/);
  assert.match(await card.innerText(), /Mācību priekšmeta skolotājs/);
  assert.equal(await page.getAttribute('html', 'lang'), 'lv');
  await page.close();
});

test('a wrong password is answered in Latvian and keeps the form', async () => {
  const page = await browser.newPage();
  await login(page, klade.url, 'skolotajs', 'nepareiza');
  await assert.doesNotReject(page.getByRole('alert').waitFor());
  assert.equal(await page.getByRole('alert').innerText(), 'Nepareizs lietotājvārds vai parole.');
  assert.equal(await page.getByLabel('Lietotājvārds vai personas kods').inputValue(), 'skolotajs');
  await page.close();
});

test('the parent switches to English and back, then logs out', async () => {
  const page = await browser.newPage();
  await login(page, klade.url, 'vecaks');
  await page.waitForURL(`${klade.url}/`);
  await page.getByRole('link', { name: 'English' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Hello, Ilze Krūmiņa!');
  assert.match(await page.locator('main').innerText(), /My children/);
  await page.getByRole('link', { name: 'Latviešu' }).click();
  assert.match(await page.locator('main').innerText(), /Mani bērni/);
  await logout(page);
  await page.waitForURL(`${klade.url}/login`);
  await page.goto(`${klade.url}/`);
  assert.equal(page.url(), `${klade.url}/login`);
  await page.close();
});

test('login and home pages fit a phone and pass the accessibility check', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${klade.url}/login`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await login(page, klade.url, 'audzinataja');
  await page.waitForURL(`${klade.url}/`);
  assert.deepEqual(await accessibilityProblems(page), []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await page.goto(`${klade.url}/account`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await context.close();
});

test('a teacher sets up a second factor with the page\'s key, then logs in with a code', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await login(page, klade.url, 'skolotajs');
  await page.goto(`${klade.url}/account/second-factor`);
  assert.ok(await page.locator('.qr svg').count() === 1, 'a QR code for the app');
  assert.deepEqual(await accessibilityProblems(page), []);
  const key = (await page.locator('code.secret').innerText()).trim();
  // The phone's app counts from the server's clock, which runs from the configured instant.
  const at = () => klade.now();
  await page.getByLabel('Kods no lietotnes (6 cipari)').fill(totp(key, at()));
  await page.getByRole('button', { name: 'Apstiprināt' }).click();
  await page.getByRole('heading', { name: 'Rezerves kodi' }).waitFor();
  assert.equal(await page.locator('ul.recovery li').count(), 10);
  await logout(page);

  await page.goto(`${klade.url}/login`);
  await page.getByLabel('Lietotājvārds vai personas kods').fill('skolotajs');
  await page.getByLabel('Parole').fill('demo');
  await page.getByRole('button', { name: 'Pieteikties' }).click();
  await page.waitForURL(`${klade.url}/login/second-factor`);
  assert.equal(await page.locator('.demo-code').count(), 0, 'no demo code for a key of one\'s own');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.getByLabel('Kods no lietotnes (6 cipari)').fill(totp(key, at() + 30));
  await page.getByRole('button', { name: 'Pieteikties' }).click();
  await page.waitForURL(`${klade.url}/`);
  await context.close();
});
