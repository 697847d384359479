// An ended session loses nothing: the grid keeps its unsaved cells and saves them after a login
// in another tab; a form sent after the session ended is put back after the login, which leads
// back to the form's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKlade, launchBrowser, login } from './harness.mjs';

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

/** The browser keeps its session cookie, but the server no longer knows the session. */
async function endSession(context) {
  await context.addCookies([{ name: 'klade_session', value: '0'.repeat(64), url: klade.url }]);
}

test('the grid keeps its cells when the session ends and saves them after a login', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await login(page, klade.url, 'skolotajs');
  await page.getByRole('link', { name: 'Žurnāls' }).click();
  await page.locator('tr', { hasText: '2.B' }).getByRole('link', { name: 'Matemātika' }).click();
  await page.getByText('Jauns vērtēšanas darbs').click();
  await page.getByLabel('Nosaukums').fill('Darbs pirms pārtraukuma');
  await page.getByRole('button', { name: 'Pievienot' }).click();
  await page.getByText('Vērtēšanas darbs pievienots.').waitFor();
  const grade = page.locator('tbody tr', { hasText: 'Krūmiņa Anna' }).locator('input[name^="g:"]').last();
  await grade.click();
  await page.keyboard.type('8');

  await endSession(context);
  await page.keyboard.press('Control+s');
  const status = page.locator('#grid-status');
  await status.filter({ hasText: 'Jūsu sesija ir beigusies' }).waitFor();
  assert.equal(await grade.inputValue(), '8', 'the cell keeps what was typed');
  assert.match(await grade.getAttribute('class'), /changed/);
  assert.equal(await status.getByRole('link').getAttribute('target'), '_blank');

  // Log in again in another tab; back in the grid, the same save goes through.
  const other = await context.newPage();
  await login(other, klade.url, 'skolotajs');
  await other.close();
  await page.keyboard.press('Control+s');
  await status.filter({ hasText: 'Saglabātas izmaiņas: 1' }).waitFor();
  assert.match(await grade.getAttribute('class'), /saved/);
  await context.close();
});

test('a form sent after the session ended comes back filled after the login', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.getByRole('link', { name: 'Dienasgrāmata' }).click();
  const diary = new URL(parent.url());
  // Ten days back, in the form's own way of writing dates (the server reads ISO dates too).
  const [day, month, year] = (await parent.getByLabel('No', { exact: true }).inputValue()).split('.');
  const d = new Date(`${year}-${month}-${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 10);
  await parent.getByLabel('No', { exact: true }).fill(d.toISOString().slice(0, 10));
  await parent.getByLabel('Iemesls').fill('Zobārsta vizīte plkst. 10');

  await endSession(phone);
  await parent.getByRole('button', { name: 'Pieteikt', exact: true }).click();
  await parent.getByText('Jūsu sesija ir beigusies').waitFor();
  assert.doesNotMatch(await parent.locator('main').innerText(), /novecojusi/);
  await parent.getByRole('link', { name: 'Pieteikties vēlreiz' }).click();
  await login(parent, klade.url, 'vecaks');
  assert.equal(new URL(parent.url()).pathname, diary.pathname, 'back on the form\'s page');
  await parent.getByText('Atjaunots iepriekš ievadītais').waitFor();
  assert.equal(await parent.getByLabel('Iemesls').inputValue(), 'Zobārsta vizīte plkst. 10');
  await parent.getByRole('button', { name: 'Pieteikt', exact: true }).click();
  await parent.getByText(/Kavējums pieteikts/).waitFor();
  // Sent once, the draft is gone: the page shows the form fresh.
  await parent.reload();
  assert.equal(await parent.getByLabel('Iemesls').inputValue(), '');
  await phone.close();
});

test('a kept message goes back to its writer only, upload form and all', async () => {
  const write = async (tab, page) => {
    await page.goto(`${klade.url}/messages/new`);
    await page.getByLabel('Kam').selectOption({ index: 0 });
    await page.getByLabel('Temats').fill('Par ekskursiju');
    await page.getByLabel('Teksts').fill('Vai Annai līdzi jāņem pusdienas?');
    await endSession(tab);
    await page.getByRole('button', { name: 'Sūtīt' }).click();
    await page.getByText('Jūsu sesija ir beigusies').waitFor();
  };
  // Someone else signs in on the same tab: the parent's text is not theirs to see.
  const shared = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  let page = await shared.newPage();
  await login(page, klade.url, 'vecaks');
  await write(shared, page);
  await login(page, klade.url, 'skolotajs');
  assert.equal(new URL(page.url()).pathname, '/messages/new');
  assert.equal(await page.getByLabel('Teksts').inputValue(), '');
  assert.equal(await page.getByText('Atjaunots iepriekš ievadītais').count(), 0);
  await shared.close();
  // The writer gets it back after logging in again, though the form's address carries a new token.
  const own = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await own.newPage();
  await login(page, klade.url, 'vecaks');
  await write(own, page);
  await login(page, klade.url, 'vecaks');
  await page.getByText('Atjaunots iepriekš ievadītais').waitFor();
  assert.equal(await page.getByLabel('Teksts').inputValue(), 'Vai Annai līdzi jāņem pusdienas?');
  assert.equal(await page.getByLabel('Temats').inputValue(), 'Par ekskursiju');
  await own.close();
});
