// The journal flow: a teacher fills attendance and a grade from the keyboard, sees them saved,
// the parent's API sees them, and the change is in the column's history.
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

test('a teacher fills a lesson from the keyboard and the parent sees it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await login(page, klade.url, 'skolotajs');
  await page.waitForURL(`${klade.url}/`);
  await page.getByRole('link', { name: 'Žurnāls' }).click();
  await page.locator('tr', { hasText: '2.B' }).getByRole('link', { name: 'Matemātika' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Matemātika — 2.B');

  // A new summative test for today.
  await page.getByText('Jauns vērtēšanas darbs').click();
  await page.getByLabel('Veids', { exact: true }).selectOption('summative');
  await page.getByLabel('Nosaukums').fill('Ieskaite par funkcijām');
  await page.getByRole('button', { name: 'Pievienot' }).click();
  await page.getByText('Vērtēšanas darbs pievienots.').waitFor();

  const anna = page.locator('tbody tr', { hasText: 'Krūmiņa Anna' });
  const lessonCells = anna.locator('input[name^="a:"]');
  const attendance = lessonCells.last();
  const name = await attendance.getAttribute('name');
  const [, date, lessonNo, annaId] = name.split(':');

  // Type the mark, move down with the arrow key, type the next one, go on with Enter.
  await attendance.click();
  await page.keyboard.type('k9');
  await page.keyboard.press('ArrowDown');
  const below = await page.evaluate(() => document.activeElement.getAttribute('name'));
  assert.notEqual(below, name, 'the arrow moved to the next student');
  assert.ok(below.startsWith(`a:${date}:${lessonNo}:`), 'in the same lesson');
  await page.keyboard.type('n');
  await page.keyboard.press('Enter');
  await page.getByLabel('Labojuma iemesls').fill('Precizēts pēc stundas');

  // The grade for Anna in the new column, then save both with Ctrl+S: one request.
  const grade = anna.locator('input[name^="g:"]').last();
  await grade.click();
  await page.keyboard.type('9');
  const requests = [];
  page.on('request', (r) => { if (r.method() === 'POST') requests.push(r.url()); });
  await page.keyboard.press('Control+s');
  await page.locator('#grid-status', { hasText: 'Saglabātas izmaiņas: 3' }).waitFor();
  assert.equal(requests.length, 1, 'three cells, one request');
  assert.match(await attendance.getAttribute('class'), /saved/);
  assert.match(await grade.getAttribute('class'), /saved/);
  assert.equal(await grade.inputValue(), '9');

  // A mark outside the scale is refused in place, and nothing is saved.
  await grade.click();
  await page.keyboard.type('11');
  await page.keyboard.press('Control+s');
  await page.locator('#grid-status', { hasText: 'Izmaiņas nav saglabātas' }).waitFor();
  assert.equal(await grade.getAttribute('aria-invalid'), 'true');
  assert.match(await grade.getAttribute('title'), /no 1 līdz 10/);

  // The page still reads well for assistive technology.
  const problems = await accessibilityProblems(page);
  assert.deepEqual(problems, []);

  // The parent's API sees the lateness and the grade.
  const res = await fetch(`${klade.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'vecaks', password: 'demo' }),
  });
  const { token } = await res.json();
  const journal = await (await fetch(`${klade.url}/api/v1/students/${annaId}/journal`, {
    headers: { Authorization: `Bearer ${token}` },
  })).json();
  assert.ok(journal.attendance.some((m) => m.date === date && String(m.lesson_no) === lessonNo && m.code === 'k' && m.minutes === 9),
    JSON.stringify(journal.attendance.slice(-3)));
  assert.ok(journal.grades.some((g) => g.title === 'Ieskaite par funkcijām' && g.mark === '9'));

  // The column's history is one click away and names the teacher.
  await page.goto(`${klade.url}${new URL(page.url()).pathname}`);
  const columnHead = page.locator('thead th').filter({ has: page.locator('a.hist') }).nth(0);
  assert.ok(await columnHead.count() > 0);
  const historyLink = await page.locator('thead th a.hist').nth(await page.locator('thead th.lesson').count() - 1).getAttribute('href');
  await page.goto(`${klade.url}${historyLink}`);
  assert.match(await page.locator('main').innerText(), /Mārtiņš Kalniņš/);
  await context.close();
});

test('a teacher plans the topics and the next lesson is offered the first one', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await login(page, klade.url, 'skolotajs');
  await page.goto(`${klade.url}/journal`);
  await page.locator('tr', { hasText: '2.B' }).getByRole('link', { name: 'Matemātika' }).click();
  const grid = page.url().replace(/\?.*$/, '');
  await page.getByRole('link', { name: 'Tematiskais plāns' }).click();
  await page.getByLabel('Tēmas secībā, katra savā rindā').fill('Daļskaitļi\nDecimāldaļas\nProcenti');
  await page.getByRole('button', { name: 'Saglabāt plānu' }).click();
  await page.getByText('Plāns saglabāts: 3 tēmas.').waitFor();
  assert.deepEqual(await accessibilityProblems(page), []);

  // A lesson not kept yet: its topic is the plan's first, one tap from saved.
  await page.goto(`${grid}/lesson?date=2026-11-13&no=9`);
  assert.equal(await page.getByLabel('Tēma').inputValue(), 'Daļskaitļi');
  assert.match(await page.locator('main').innerText(), /Ieteikts no tematiskā plāna/);
  await page.getByRole('button', { name: 'Saglabāt' }).click();
  await page.waitForLoadState();
  await page.goto(`${grid}/lesson?date=2026-11-12&no=9`);
  assert.equal(await page.getByLabel('Tēma').inputValue(), 'Decimāldaļas');
  await context.close();
});
