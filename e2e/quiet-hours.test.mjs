// Quiet hours: a message written to parents at 06:59 is not e-mailed until 07:00. The server's
// clock starts at 06:58 of the configured day, so the whole test runs across the end of the night.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKlade, launchBrowser, login, rigaToUnix, TODAY } from './harness.mjs';

let klade;
let browser;
const SEVEN = rigaToUnix(`${TODAY}T07:00`);

before(async () => {
  klade = await startKlade({ now: `${TODAY}T06:58` });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await klade?.stop();
});

/** The e-mails the outbox lists to Anna's mother with this subject. */
async function mailsToIlze(admin, subject) {
  await admin.goto(`${klade.url}/admin/sms`);
  const rows = admin.locator('tr', { hasText: 'ilze' }).filter({ hasText: subject });
  return rows.count();
}

test('a message written before 07:00 reaches the parent by e-mail at 07:00, not before', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const parent = await context.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.goto(`${klade.url}/account`);
  await parent.locator('input[name="notify"][value="message:email"]').check();
  await parent.getByRole('button', { name: 'Saglabāt' }).first().click();
  await parent.getByText('Paziņojumu izvēle saglabāta.').waitFor();

  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tutor = await other.newPage();
  await login(tutor, klade.url, 'audzinataja');
  await tutor.goto(`${klade.url}/messages/new`);
  await tutor.getByLabel('Kam').selectOption({ label: '2.B — vecāki' });
  await tutor.getByLabel('Temats').fill('Rīta autobuss');
  await tutor.getByLabel('Teksts').fill('Autobuss šodien atiet 8:10.');
  await tutor.getByRole('button', { name: 'Sūtīt' }).click();
  await tutor.getByText('Vēstule nosūtīta.').waitFor();

  const third = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const admin = await third.newPage();
  await login(admin, klade.url, 'admin');
  // The worker looks every two seconds: give it four, still before seven.
  await new Promise((r) => setTimeout(r, 4_000));
  const held = await mailsToIlze(admin, 'Rīta autobuss');
  assert.ok(klade.now() < SEVEN, `the test ran past 07:00 before it could see the message held (${klade.now() - SEVEN} s)`);
  assert.equal(held, 0, 'nothing is e-mailed in the quiet hours');

  // After seven (and the worker's next look), it is there.
  const wait = (SEVEN - klade.now() + 5) * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  let sent = 0;
  for (let tries = 0; tries < 10 && sent === 0; tries += 1) {
    sent = await mailsToIlze(admin, 'Rīta autobuss');
    if (sent === 0) await new Promise((r) => setTimeout(r, 1_000));
  }
  assert.equal(sent, 1, 'e-mailed at 07:00');
  await context.close();
  await other.close();
  await third.close();
});
