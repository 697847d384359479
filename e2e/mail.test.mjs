// Mail and news: a tutor writes to all parents of the class, a parent replies, the tutor sees who
// has read it; a message with an obscene word is stopped with the word shown; a deputy's news item
// appears on the parents' home page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKlade, launchBrowser, login, accessibilityProblems } from './harness.mjs';

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

test('the tutor writes to the parents, a parent replies, the tutor sees who read it', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tutor = await desk.newPage();
  await login(tutor, klade.url, 'audzinataja');
  await tutor.getByRole('link', { name: 'Vēstules' }).click();
  await tutor.getByRole('link', { name: 'Jauna vēstule' }).click();
  assert.deepEqual(await accessibilityProblems(tutor), []);

  // A word that is not allowed stops the message, shows the word and keeps the text.
  await tutor.getByLabel('Kam').selectOption({ label: '2.B — vecāki' });
  await tutor.getByLabel('Temats').fill('Ekskursija');
  await tutor.getByLabel('Teksts').fill('Kas par sūdīgu laiku, bet brauksim.');
  await tutor.getByRole('button', { name: 'Sūtīt' }).click();
  const alert = tutor.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /nav atļauti.*sūdīgu/);
  assert.equal(await tutor.getByLabel('Teksts').inputValue(), 'Kas par sūdīgu laiku, bet brauksim.');

  await tutor.getByLabel('Kam').selectOption({ label: '2.B — vecāki' });
  await tutor.getByLabel('Teksts').fill('Piektdien brauksim uz Siguldu. Lūdzu, atbildiet, vai bērns brauks.');
  await tutor.getByLabel('Pielikumi').setInputFiles({
    name: 'Programma.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  await tutor.getByRole('button', { name: 'Sūtīt' }).click();
  await tutor.getByText('Vēstule nosūtīta.').waitFor();
  const threadUrl = tutor.url().replace(/\?.*$/, '');

  // The parent, on a phone, sees the unread count, reads and replies.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  // On a phone the count is on the menu's button (and in the bar at the bottom).
  const badge = parent.locator('header summary .badge');
  const unread = Number(await badge.innerText());
  assert.ok(unread >= 1, 'the unread count is in the header');
  await parent.getByRole('link', { name: /Vēstules/ }).click();
  await parent.getByRole('link', { name: /Ekskursija/ }).click();
  assert.match(await parent.locator('main').innerText(), /Programma\.pdf/);
  assert.deepEqual(await accessibilityProblems(parent), []);
  await parent.getByLabel('Teksts').fill('Anna brauks, paldies!');
  await parent.getByRole('button', { name: 'Sūtīt' }).click();
  await parent.getByText('Vēstule nosūtīta.').waitFor();
  const left = parent.locator('header summary .badge');
  assert.equal((await left.count()) === 0 ? 0 : Number(await left.innerText()), unread - 1, 'read now');

  // The tutor sees the answer and who has read the message.
  await tutor.goto(threadUrl);
  const main = await tutor.locator('main').innerText();
  assert.match(main, /Anna brauks, paldies!/);
  await tutor.getByText(/Izlasījuši: 1 \//).click();
  const readRow = tutor.locator('tr', { hasText: 'Ilze Krūmiņa' });
  assert.doesNotMatch(await readRow.innerText(), /nav izlasīts/);
  assert.ok((await tutor.locator('td', { hasText: 'nav izlasīts' }).count()) > 0, 'the others have not read it');
  await desk.close();
  await phone.close();
});

test('a deputy publishes news that appears on the parents\' home page', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const deputy = await desk.newPage();
  await login(deputy, klade.url, 'audzinasana');
  await deputy.getByRole('link', { name: 'Iestādes aktualitātes' }).click();
  assert.deepEqual(await accessibilityProblems(deputy), []);
  const form = deputy.locator('form', { has: deputy.getByRole('button', { name: 'Publicēt' }) }).first();
  await form.getByLabel('Kategorija').selectOption({ label: 'Ārpusklases un audzināšanas pasākumi' });
  await form.getByLabel('Kam rādīt').selectOption({ label: 'izglītojamajiem un vecākiem' });
  await form.getByLabel('Virsraksts').fill('Sporta diena');
  await form.getByLabel('Teksts').fill('Sporta diena notiks 4. decembrī stadionā.');
  await form.getByLabel('līdz').fill('2099-12-04');
  await form.getByRole('button', { name: 'Publicēt' }).click();
  await deputy.getByText('Ieraksts publicēts.').waitFor();

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  const news = parent.getByRole('region', { name: 'Iestādes aktualitātes' });
  await news.getByRole('heading', { name: 'Sporta diena' }).waitFor();
  assert.match(await news.innerText(), /Sporta diena notiks 4\. decembrī/);
  await desk.close();
  await phone.close();
});
