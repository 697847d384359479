// The superuser's start of the year: import students from a VIIS file, create a teacher's account
// whose password goes by SMS to the outbox, and the teacher logs in with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('import a file, create a teacher account by SMS, log in with it', async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await login(page, klade.url, 'admin');
  await page.waitForURL(`${klade.url}/`);

  // The VIIS file: one new student, one row with a wrong personal code.
  const dir = mkdtempSync(join(tmpdir(), 'klade-import-'));
  const file = join(dir, 'viis.csv');
  writeFileSync(file, '\ufeffPersonas kods;Vārds;Uzvārds;Dzimšanas datums;Klase\n311299-07896;Rūdolfs;Ķēniņš;15.03.2010;2.B\n150385-01236;Jānis;Kļava;01.01.2010;2.B\n');
  await page.getByRole('link', { name: 'Konti' }).click();
  await page.getByRole('link', { name: 'Imports no VIIS' }).click();
  await page.getByLabel('Fails (CSV, XLSX vai aSc Timetables XML)').setInputFiles(file);
  await page.getByRole('button', { name: 'Rādīt, kas mainīsies' }).click();
  const preview = await page.locator('main').innerText();
  assert.match(preview, /Nekas vēl nav ierakstīts/);
  assert.match(preview, /Personas koda kontrolcipars nav pareizs/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.getByRole('button', { name: 'Apstiprināt un importēt' }).click();
  await page.getByText('Imports pabeigts.').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('main').innerText(), /Izveidoti\s*1/);

  // A new teacher without an account: the password goes by SMS to the outbox.
  await page.goto(`${klade.url}/admin/accounts`);
  const row = page.locator('tr', { hasText: 'Kārlis Mednis' });
  assert.match(await row.innerText(), /konts nav izveidots nedēļas laikā/);
  await row.getByRole('button', { name: 'Izveidot kontu' }).click();
  await page.getByText('Konts izveidots; parole nosūtīta ar SMS.').waitFor();
  const username = (await page.locator('tr', { hasText: 'Kārlis Mednis' }).locator('td').nth(3).innerText()).trim();
  await page.getByRole('link', { name: 'SMS izsūtne' }).click();
  let text = '';
  for (let i = 0; i < 50 && !text.includes('izsūtnē'); i++) {
    await page.waitForTimeout(200);
    await page.reload();
    text = await page.locator('tbody tr').first().innerText();
  }
  assert.match(text, /izsūtnē/, 'the worker kept it in the outbox');
  const password = /parole: (\S+)/.exec(text)[1];

  const teacher = await browser.newPage();
  await login(teacher, klade.url, username, password);
  await teacher.waitForURL(`${klade.url}/account`);
  assert.match(await teacher.locator('main').innerText(), /Jūsu parole ir ģenerēta/);
  await teacher.getByLabel('Pašreizējā parole').fill(password);
  await teacher.getByLabel('Jaunā parole', { exact: true }).fill('mana-jauna-parole-1');
  await teacher.getByLabel('Jaunā parole vēlreiz').fill('mana-jauna-parole-1');
  await teacher.getByRole('button', { name: 'Mainīt paroli' }).click();
  await teacher.getByText('Parole nomainīta.').waitFor();
  await teacher.goto(`${klade.url}/`);
  assert.equal(await teacher.locator('h1').innerText(), 'Labdien, Kārlis Mednis!');
  await context.close();
});
