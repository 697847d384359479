// Oversight: a teacher's late grades on the deputy's list of overdue items, a journal-check
// finding going from the deputy to the teacher and back, the monthly absence summary checked,
// downloaded and published, and the statistics with their downloads — as the users click them.
//
// The demo runs on the configured clock (harness.mjs), so every date here is worked out from
// that day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startKlade, launchBrowser, login, accessibilityProblems, TODAY } from './harness.mjs';

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

// ---- dates, worked out the way the deadlines count them ----

const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (d, n) => new Date(d.getTime() + n * 86_400_000);
const shown = (isoDate) => {
  const [y, m, d] = isoDate.split('-');
  return `${d}.${m}.${y}.`;
};

// Easter Sunday (the Gregorian computus).
function easter(year) {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

// Latvia's public holidays of a year that fall on weekdays, with 4 May and 18 November moved to
// the next Monday when they fall on a weekend.
function holidays(year) {
  const out = new Set();
  const day = (m, d) => new Date(Date.UTC(year, m - 1, d));
  for (const [m, d] of [[1, 1], [5, 1], [6, 23], [6, 24], [12, 24], [12, 25], [12, 26], [12, 31]]) out.add(iso(day(m, d)));
  for (const [m, d] of [[5, 4], [11, 18]]) {
    const h = day(m, d);
    const wd = h.getUTCDay();
    out.add(iso(wd === 6 ? addDays(h, 2) : wd === 0 ? addDays(h, 1) : h));
  }
  const e = easter(year);
  out.add(iso(addDays(e, -2)));
  out.add(iso(addDays(e, 1)));
  return out;
}

// A Monday at least two weeks back whose week has no holiday, inside a term of the demo's school
// year (1 September–19 December, 5 January–19 June): work handed in that Monday is due on the
// Thursday, three working days later. `null` in the first weeks of September.
function lateMonday(todayIso) {
  const today = new Date(`${todayIso}T00:00:00Z`);
  const startYear = today.getUTCMonth() >= 8 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
  const yearStart = `${startYear}-09-01`;
  let d = addDays(today, -14);
  d = addDays(d, -((d.getUTCDay() + 6) % 7));
  for (; iso(d) >= yearStart; d = addDays(d, -7)) {
    const week = [0, 1, 2, 3].map((n) => iso(addDays(d, n)));
    const off = holidays(d.getUTCFullYear());
    const md = week[0].slice(5);
    const inTerm = (md >= '09-01' && md <= '12-15') || (md >= '01-05' && md <= '06-15');
    if (inTerm && !week.some((w) => off.has(w))) return { handedIn: week[0], due: week[3] };
  }
  return null;
}

// ---- helpers ----

async function signIn(username) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await login(page, klade.url, username);
  await page.waitForURL(`${klade.url}/`);
  return { context, page };
}

const nav = (page) => page.locator('header nav');

async function openMaths2B(page) {
  await nav(page).getByRole('link', { name: 'Žurnāls', exact: true }).click();
  await page.locator('tr', { hasText: '2.B' }).getByRole('link', { name: 'Matemātika' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Matemātika — 2.B');
}

async function assertReadable(page, what) {
  const problems = await accessibilityProblems(page);
  assert.deepEqual(problems, [], `${what}: ${page.url()}`);
}

// Clicks a download link; returns the suggested file name and the first bytes.
async function download(page, name) {
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('p.exports').getByRole('link', { name, exact: true }).click(),
  ]);
  const path = await dl.path();
  return { file: dl.suggestedFilename(), bytes: readFileSync(path) };
}

// ---- the tests ----

test("a teacher's late grades are on the deputy's overdue list with their due date", async (t) => {
  const teacher = await signIn('skolotajs');
  const page = teacher.page;
  await openMaths2B(page);
  const today = await page.locator('#a-date').inputValue();
  const when = lateMonday(today);
  if (!when) {
    t.skip('no work can be three working days late this early in the school year');
    await teacher.context.close();
    return;
  }
  const title = 'Patstāvīgais darbs par daļskaitļiem';

  // Formative work handed in on a Monday two or more weeks ago.
  const form = page.locator('details', { hasText: 'Jauns vērtēšanas darbs' });
  await form.getByText('Jauns vērtēšanas darbs').click();
  await form.getByLabel('Veids', { exact: true }).selectOption('formative');
  await form.getByLabel('Nosaukums').fill(title);
  await form.getByLabel('Datums').fill(when.handedIn);
  await form.getByLabel('Darbs iesniegts').fill(when.handedIn);
  await form.getByRole('button', { name: 'Pievienot' }).click();
  await page.getByText('Vērtēšanas darbs pievienots.').waitFor();

  // One grade entered today, after its due day; the rest still missing.
  let grade = page.getByLabel(`Krūmiņa Anna, ${title}`, { exact: true });
  if ((await grade.count()) === 0) {
    // The work is in the other term: open it.
    const other = page.locator('nav.tabs a:not([aria-current])').filter({ hasText: 'semestris' });
    await other.first().click();
    grade = page.getByLabel(`Krūmiņa Anna, ${title}`, { exact: true });
  }
  await grade.click();
  await page.keyboard.type('7');
  await page.keyboard.press('Control+s');
  await page.locator('#grid-status', { hasText: 'Saglabātas izmaiņas: 1' }).waitFor();

  // The teacher's own list shows it as late.
  await nav(page).getByRole('link', { name: 'Termiņi' }).click();
  const mine = page.locator('#late tr', { hasText: title });
  assert.ok(await mine.count() >= 1, 'on the teacher\'s own late list');
  await assertReadable(page, 'the teacher\'s deadlines');
  await teacher.context.close();

  // The academic deputy's overview, narrowed to the teacher.
  const deputy = await signIn('vietnieks');
  const d = deputy.page;
  await nav(d).getByRole('link', { name: 'Termiņi' }).click();
  await d.getByRole('link', { name: /^Nokavētie termiņi/ }).click();
  assert.equal(await d.locator('h1').innerText(), 'Nokavētie termiņi');
  await d.locator('#per-person').getByRole('link', { name: 'Mārtiņš Kalniņš', exact: true }).click();
  assert.match(await d.locator('#f-person option:checked').innerText(), /^Mārtiņš Kalniņš/);

  const rows = d.locator('#overdue tbody tr', { hasText: title });
  const missing = rows.filter({ hasText: 'Vērtējumi' }).filter({ hasNotText: 'novēloti' });
  const late = rows.filter({ hasText: 'Vērtējumi ielikti novēloti' });
  assert.equal(await missing.count(), 1, 'the missing grades are overdue');
  assert.equal(await late.count(), 1, 'the grade entered late is listed');
  for (const row of [missing, late]) {
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], 'Mārtiņš Kalniņš');
    assert.equal(cells[1], '2.B');
    assert.match(cells[3], /^Matemātika · Patstāvīgais darbs par daļskaitļiem/);
    assert.equal(cells[4], shown(when.handedIn), 'the day it was handed in');
    assert.equal(cells[5], `${shown(when.due)} 23:59`, 'due three working days later');
  }
  assert.equal((await missing.locator('td').allInnerTexts())[6], 'nokavēts');
  assert.match((await late.locator('td').allInnerTexts())[6], new RegExp(`^izdarīts novēloti: ${shown(today).replace(/\./g, '\\.')} \\d\\d:\\d\\d$`));
  await assertReadable(d, 'the deadlines overview');
  await deputy.context.close();
});

test('a journal-check finding goes from the deputy to the teacher and back', async () => {
  const finding = 'Stundām 2.B trūkst mājasdarbu apraksta; lūdzu papildināt.';

  // The methodical deputy records it on the Matemātika 2.B journal.
  const deputy = await signIn('metodikis');
  let p = deputy.page;
  await openMaths2B(p);
  await p.locator('nav.tabs').getByRole('link', { name: /^Žurnāla pārbaude/ }).click();
  assert.match(await p.locator('h1').innerText(), /^Žurnāla pārbaude: Matemātika/);
  const due = await p.getByLabel('Termiņš').getAttribute('min');
  const dueOn = iso(addDays(new Date(`${due}T00:00:00Z`), 7));
  await p.getByLabel('Joma').selectOption({ label: 'Stundu saturs' });
  await p.getByLabel('Kas jālabo').fill(finding);
  await p.getByLabel('Termiņš').fill(dueOn);
  await p.getByRole('button', { name: 'Ierakstīt' }).click();
  await p.getByText('Piezīme ierakstīta.').waitFor();
  const card = (page) => page.locator('article', { hasText: finding });
  assert.match(await card(p).locator('h2').innerText(), new RegExp(`^Jālabo · Stundu saturs · Termiņš: ${shown(dueOn).replace(/\./g, '\\.')}$`));
  await assertReadable(p, 'the checks page (deputy)');

  // It is on the list of findings not yet closed, under the teacher.
  await nav(p).getByRole('link', { name: 'Žurnāla pārbaude' }).click();
  const listed = (page) => page.locator('#unclosed tbody tr', { hasText: finding });
  assert.equal(await listed(p).count(), 1);
  assert.match(await p.locator('#unclosed').innerText(), /Mārtiņš Kalniņš/);
  await assertReadable(p, 'the unclosed findings');
  await deputy.context.close();

  // The teacher sees the badge on the grid, answers and marks it done.
  const teacher = await signIn('skolotajs');
  p = teacher.page;
  await openMaths2B(p);
  const badge = p.locator('nav.tabs .badge');
  assert.equal(await badge.innerText(), '1');
  await p.locator('nav.tabs').getByRole('link', { name: /^Žurnāla pārbaude/ }).click();
  assert.match(await card(p).innerText(), /Jālabo/);
  await card(p).getByLabel('Atbilde: kas izlabots').fill('Mājasdarbi papildināti visām novembra stundām.');
  await card(p).getByRole('button', { name: 'Atzīmēt kā izlabotu' }).click();
  await p.getByText('Piezīmes stāvoklis mainīts.').waitFor();
  assert.match(await card(p).locator('h2').innerText(), /^Izlabots, gaida pārbaudi/);
  assert.match(await card(p).innerText(), /Atbilde: kas izlabots: Mājasdarbi papildināti/);
  assert.equal(await card(p).getByRole('button', { name: 'Atzīmēt kā izlabotu' }).count(), 0);
  await assertReadable(p, 'the checks page (teacher)');
  await nav(p).getByRole('link', { name: 'Žurnāla pārbaude' }).click();
  assert.equal(await listed(p).count(), 1, 'still not closed on the teacher\'s list');
  await teacher.context.close();

  // The deputy closes it from the list; it leaves the list.
  const again = await signIn('metodikis');
  p = again.page;
  await nav(p).getByRole('link', { name: 'Žurnāla pārbaude' }).click();
  assert.match(await listed(p).innerText(), /Izlabots, gaida pārbaudi/);
  await listed(p).getByRole('link').click();
  await card(p).getByRole('button', { name: 'Slēgt' }).click();
  await p.getByText('Piezīmes stāvoklis mainīts.').waitFor();
  assert.match(await card(p).locator('h2').innerText(), /^Slēgts/);
  assert.match(await card(p).innerText(), /Slēdza: Dace Liepa/);
  await nav(p).getByRole('link', { name: 'Žurnāla pārbaude' }).click();
  assert.equal(await listed(p).count(), 0, 'a closed finding leaves the list');
  await again.context.close();
});

test('the monthly absence summary is checked, downloaded, published and read by the tutor', async () => {
  // The tutor cannot read it before it is published.
  const tutor = await signIn('audzinataja');
  let p = tutor.page;
  await nav(p).getByRole('link', { name: 'Kavējumu kopsavilkums' }).click();
  await p.getByText('Šī mēneša kavējumu kopsavilkums vēl nav publicēts.').waitFor();
  await tutor.context.close();

  const deputy = await signIn('audzinasana');
  p = deputy.page;
  await nav(p).getByRole('link', { name: 'Kavējumu kopsavilkums' }).click();
  const month = await p.getByLabel('Mēnesis').inputValue();
  const [y, m] = month.split('-');
  const names = ['janvāris', 'februāris', 'marts', 'aprīlis', 'maijs', 'jūnijs', 'jūlijs', 'augusts',
    'septembris', 'oktobris', 'novembris', 'decembris'];
  assert.equal(await p.locator('h1').innerText(), `Mēneša kavējumu kopsavilkums ${y}. gada ${names[Number(m) - 1]}`);
  // The previous month, per class and per student.
  const today = new Date(`${TODAY}T00:00:00Z`);
  const previous = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  assert.equal(month, iso(previous).slice(0, 7));
  assert.ok(await p.locator('main h2').count() >= 2, 'one table per class');
  const b2 = p.getByRole('region', { name: '2.B' });
  assert.ok(await b2.locator('tbody tr').count() >= 10, 'a row per student of 2.B');
  assert.equal(await b2.locator('tfoot th').innerText(), 'Kopā');
  await p.getByText('Vēl nav publicēts.').waitFor();
  await assertReadable(p, 'the monthly summary');

  const xlsx = await download(p, 'XLSX');
  assert.equal(xlsx.file, `kavejumi-${month}.xlsx`);
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');

  await p.getByRole('button', { name: 'Pārbaudīts — publicēt' }).click();
  await p.locator('.notice.ok', { hasText: /^Publicēts: \d\d\.\d\d\.\d{4}\. \d\d:\d\d, Sanita Eglīte/ }).waitFor();
  assert.equal(await p.getByRole('button', { name: 'Pārbaudīts — publicēt' }).count(), 0);
  await deputy.context.close();

  // Now the tutor reads her class's part.
  const tutor2 = await signIn('audzinataja');
  p = tutor2.page;
  await nav(p).getByRole('link', { name: 'Kavējumu kopsavilkums' }).click();
  assert.equal(await p.locator('h1').innerText(), `Mēneša kavējumu kopsavilkums ${y}. gada ${names[Number(m) - 1]}`);
  assert.deepEqual(await p.locator('main h2').allInnerTexts(), ['2.B']);
  assert.ok(await p.getByRole('region', { name: '2.B' }).locator('tbody tr').count() >= 10);
  await p.locator('.notice.ok', { hasText: /^Publicēts: \d\d\.\d\d\.\d{4}\. \d\d:\d\d, Sanita Eglīte/ }).waitFor();
  await assertReadable(p, 'the published summary (tutor)');
  await tutor2.context.close();
});

test('statistics show a chart and tables, download as XLSX and PDF, and refuse a reversed period', async () => {
  const { context, page: p } = await signIn('vietnieks');
  await nav(p).getByRole('link', { name: 'Statistika' }).click();
  assert.equal(await p.locator('h1').innerText(), 'Statistika');
  assert.ok(await p.locator('figure svg').count() >= 1, 'a chart');
  const byClass = p.getByRole('region', { name: 'Pa klasēm' });
  assert.ok(await byClass.locator('tbody tr').count() >= 10, 'a line per class');
  assert.ok(await byClass.locator('tbody th', { hasText: '2.B' }).count() === 1);
  await assertReadable(p, 'the statistics');

  const from = await p.getByLabel('No').inputValue();
  const to = await p.getByLabel('Līdz').inputValue();
  const xlsx = await download(p, 'XLSX');
  assert.equal(xlsx.file, `statistika-${from}-${to}.xlsx`);
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');
  const pdf = await download(p, 'PDF');
  assert.equal(pdf.file, `statistika-${from}-${to}.pdf`);
  assert.equal(pdf.bytes.subarray(0, 4).toString('latin1'), '%PDF');

  // A period that ends before it starts: a clear message, in Latvian.
  await p.getByLabel('Līdz').fill(iso(addDays(new Date(`${from}T00:00:00Z`), -1)));
  await p.getByRole('button', { name: 'Rādīt' }).click();
  await p.getByText('Perioda beigu datums ir pirms sākuma datuma.').waitFor();
  await assertReadable(p, 'the statistics refusal');
  await context.close();
});

test('the calendar, the deadline settings, the summary journal and the VIIS export read well', async () => {
  const head = await signIn('direktors');
  let p = head.page;
  await p.getByRole('link', { name: 'Darba dienu kalendārs' }).click();
  assert.match(p.url(), /\/calendar\?i=\d+$/);
  await assertReadable(p, 'the calendar');
  await p.getByRole('link', { name: 'Termiņu iestatījumi' }).first().click();
  assert.match(p.url(), /\/deadlines\/settings\?i=\d+$/);
  await assertReadable(p, 'the deadline settings');

  // The summary journal of 2.B, as PDF and XLSX.
  await nav(p).getByRole('link', { name: 'Sākums' }).click();
  const b2 = (page) => page.locator('li', { hasText: /^2\.B \(/ });
  await b2(p).getByRole('link', { name: 'Kopsavilkuma žurnāls' }).click();
  assert.equal(await p.locator('h1').innerText(), 'Kopsavilkuma žurnāls: 2.B');
  const pdf = await download(p, 'PDF');
  assert.equal(pdf.file, 'kopsavilkums-2-B.pdf');
  assert.equal(pdf.bytes.subarray(0, 4).toString('latin1'), '%PDF');
  const xlsx = await download(p, 'XLSX');
  assert.equal(xlsx.file, 'kopsavilkums-2-B.xlsx');
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');
  await head.context.close();

  // The clerk's VIIS export of the class's final grades.
  const clerk = await signIn('lietvede');
  p = clerk.page;
  assert.equal(await b2(p).getByRole('link', { name: 'Kopsavilkuma žurnāls' }).count(), 0, 'no journal for the clerk');
  await b2(p).getByRole('link', { name: 'Saraksts' }).click();
  await p.getByRole('link', { name: 'Eksports uz VIIS' }).click();
  assert.equal(await p.locator('h1').innerText(), 'Gala vērtējumi VIIS: 2.B');
  await assertReadable(p, 'the VIIS export');
  await clerk.context.close();
});
