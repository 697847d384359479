// The families flow: a parent sees the week and reports an absence, the teacher sees it while
// marking, the tutor excuses it, the parent sees it excused, the tutor prints the report.
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

/** `25.11.2026.` moved by `days`, written the same way. */
function shift(latvian, days) {
  const [day, month, year] = latvian.split('.');
  const d = new Date(`${year}-${month}-${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  const [y, m, dd] = d.toISOString().slice(0, 10).split('-');
  return `${dd}.${m}.${y}.`;
}

test('notice, marking, excuse, the parent sees it excused, the report prints', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.getByRole('link', { name: 'Dienasgrāmata' }).click();
  assert.match(await parent.locator('main').innerText(), /Anna Krūmiņa, 2\.B/);
  assert.deepEqual(await accessibilityProblems(parent), []);

  // The parent reports Anna away for the last ten days (late, but accepted).
  const today = await parent.getByLabel('No', { exact: true }).inputValue();
  await parent.getByLabel('No', { exact: true }).fill(shift(today, -10));
  await parent.getByLabel('Līdz', { exact: true }).fill(today);
  await parent.getByLabel('Iemesls').fill('Saaukstēšanās');
  await parent.getByRole('button', { name: 'Pieteikt', exact: true }).click();
  await parent.getByText(/Kavējums pieteikts/).waitFor();

  // The teacher sees the notice in the cells of those days while marking.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const teacher = await desk.newPage();
  await login(teacher, klade.url, 'skolotajs');
  await teacher.goto(`${klade.url}/journal`);
  await teacher.locator('tr', { hasText: '2.B' }).getByRole('link', { name: 'Matemātika' }).click();
  const noticed = teacher.locator('tbody tr', { hasText: 'Krūmiņa Anna' }).locator('td.noticed');
  assert.ok((await noticed.count()) > 0, 'the notice marks Anna\'s cells');
  assert.match(await noticed.first().getAttribute('title'), /Saaukstēšanās/);
  // The newest lesson: Anna was absent.
  const cell = noticed.last().locator('input');
  const name = await cell.getAttribute('name');
  const date = name.split(':')[1];
  if ((await cell.inputValue()) !== 'n') {
    await cell.click();
    await teacher.keyboard.type('n');
    await teacher.getByLabel('Labojuma iemesls').fill('Pēc vecāku pieteikuma');
    await teacher.keyboard.press('Control+s');
    await teacher.locator('#grid-status', { hasText: 'Saglabātas izmaiņas' }).waitFor();
  }

  // The tutor excuses the absences as reported.
  const office = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tutor = await office.newPage();
  await login(tutor, klade.url, 'audzinataja');
  await tutor.waitForURL(`${klade.url}/`);
  await tutor.getByRole('link', { name: 'Kavējumi' }).first().click();
  const classPath = new URL(tutor.url()).pathname.replace('/absences', '');
  await tutor.locator('li', { hasText: 'Saaukstēšanās' }).getByRole('button', { name: 'Attaisnot pēc pieteikuma' }).click();
  await tutor.getByText('Kavējumi attaisnoti.').waitFor();

  // The parent sees it excused.
  await parent.goto(`${klade.url}/diary?date=${date}`);
  assert.match(await parent.locator('main').innerText(), /Apmeklējums: n — nebija \(attaisnots\)/);

  // The tutor prints the progress report as a PDF.
  const response = await tutor.request.get(`${klade.url}${classPath}/report.pdf`);
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  assert.equal((await response.body()).subarray(0, 4).toString(), '%PDF');
  await phone.close();
  await desk.close();
  await office.close();
});

test("a parent's home shows the child's day; the tutor excuses days ticked in the month's grid", async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  const card = parent.locator('section.glance', { hasText: 'Anna Krūmiņa, 2.B' });
  await card.waitFor();
  for (const heading of ['Šodien', 'Mājasdarbi šodienai un rītdienai', 'Jaunākie vērtējumi', 'Kavējumi šonedēļ', 'Gaidāmie pārbaudes darbi']) {
    assert.ok(await card.getByRole('heading', { name: heading, exact: true }).isVisible(), heading);
  }
  assert.match(await card.getByRole('heading', { name: /^Rīt — / }).innerText(), /\d\d\.\d\d\.2026\./);
  assert.deepEqual(await accessibilityProblems(parent), []);

  const office = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tutor = await office.newPage();
  await login(tutor, klade.url, 'audzinataja');
  await tutor.waitForURL(`${klade.url}/`);
  assert.match(await tutor.locator('main').innerText(), /Klase šonedēļ/);
  await tutor.getByRole('link', { name: 'Kavējumi', exact: true }).first().click();
  const grid = tutor.locator('table.month');
  await grid.waitFor();
  assert.deepEqual(await accessibilityProblems(tutor), []);
  const boxes = grid.locator('input[name="day"]');
  if ((await boxes.count()) === 0) {
    // A month without unexcused absences: the month before has some.
    await tutor.getByRole('link', { name: /Iepriekšējais mēnesis/ }).click();
    await grid.waitFor();
  }
  const first = boxes.first();
  const value = await first.getAttribute('value');
  await first.check();
  await tutor.locator('#days-reason').selectOption({ index: 0 });
  await tutor.getByRole('button', { name: 'Attaisnot atzīmētās dienas' }).click();
  await tutor.getByText('Kavējumi attaisnoti.').waitFor();
  assert.equal(await tutor.locator(`input[name="day"][value="${value}"]`).count(), 0, 'the day is excused');
  await phone.close();
  await office.close();
});

test('a parent adds a child\'s calendar to a phone by its address, then revokes it', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, klade.url, 'vecaks');
  await page.goto(`${klade.url}/account`);
  await page.getByRole('link', { name: 'Kalendārs tālrunī' }).click();
  await page.getByLabel('Skolēns').selectOption({ label: 'Anna Krūmiņa, 2.B' });
  await page.getByRole('button', { name: 'Izveidot adresi' }).click();
  await page.getByRole('heading', { name: 'Jūsu kalendāra adrese' }).waitFor();
  const address = await page.getByRole('textbox', { name: 'Adrese' }).inputValue();
  assert.match(address, /^http:\/\/127\.0\.0\.1:\d+\/calendar\/[0-9a-f]{64}\.ics$/);
  assert.match(await page.getByRole('link', { name: 'Atvērt kalendāra lietotnē' }).getAttribute('href'), /^webcal:\/\//);
  assert.deepEqual(await accessibilityProblems(page), []);

  // A calendar app: no cookie, only the address.
  const feed = await fetch(address);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^text\/calendar/);
  const text = await feed.text();
  assert.match(text, /^BEGIN:VCALENDAR\r\n/);
  assert.match(text, /SUMMARY:Matemātika\r\n/);
  assert.match(text, /DTSTART:\d{8}T\d{6}Z\r\n/);

  // Listed with its last use; revoked, it answers nothing.
  await page.goto(`${klade.url}/account/calendar`);
  const row = page.locator('tbody tr', { hasText: 'Anna Krūmiņa' });
  assert.doesNotMatch(await row.innerText(), /—\s*$/);
  await row.getByRole('button', { name: 'Atsaukt' }).click();
  await page.getByText('Adrese atsaukta').waitFor();
  assert.equal((await fetch(address)).status, 404);
  await context.close();
});

test('a tutor publishes meeting times, a parent books one on a phone, the tutor sees it', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tutor = await desk.newPage();
  await login(tutor, klade.url, 'audzinataja');
  await tutor.getByRole('link', { name: 'Sapulces ar vecākiem' }).first().click();
  await tutor.getByLabel('Klase vai grupa').selectOption({ label: '2.B' });
  await tutor.getByLabel('Nosaukums').fill('Vecāku dienas sarunas');
  await tutor.getByLabel('Vieta').fill('204. kabinets');
  // A link that is not a plain https address is refused, and what was typed stays.
  await tutor.getByLabel('Tiešsaistes saite').fill('javascript:alert(1)');
  await tutor.getByLabel('Tiešsaistes saite').evaluate((e) => { e.type = 'text'; });
  await tutor.getByRole('button', { name: 'Publicēt laikus' }).click();
  await tutor.getByText('Saitei jābūt pilnai adresei').waitFor();
  assert.equal(await tutor.getByLabel('Nosaukums').inputValue(), 'Vecāku dienas sarunas');
  await tutor.getByLabel('Tiešsaistes saite').fill('');
  await tutor.getByRole('button', { name: 'Publicēt laikus' }).click();
  await tutor.getByText('Sapulces laiki publicēti').waitFor();
  const meeting = tutor.url();
  assert.deepEqual(await accessibilityProblems(tutor), []);

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.goto(`${klade.url}/meetings`);
  const card = parent.locator('section', { hasText: 'Vecāku dienas sarunas · Anna Krūmiņa' });
  await card.getByRole('button', { name: '17:15–17:30' }).click();
  await parent.getByText('Jūs esat pierakstījies').waitFor();
  assert.match(await parent.locator('main').innerText(), /Jūsu laiks: 17:15–17:30/);
  assert.deepEqual(await accessibilityProblems(parent), []);
  await parent.goto(klade.url);
  assert.match(await parent.locator('main').innerText(), /Sapulce: .* Vecāku dienas sarunas · Anna Krūmiņa/);

  await tutor.goto(meeting);
  const row = tutor.locator('tbody tr', { hasText: '17:15–17:30' });
  assert.match(await row.innerText(), /Anna Krūmiņa/);
  assert.doesNotMatch(await tutor.locator('#unbooked ~ ul').innerText(), /Anna Krūmiņa/);
  await desk.close();
  await phone.close();
});

test('a deputy asks for a consent, a parent gives it on a phone and the deputy sees who answered', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const deputy = await desk.newPage();
  await login(deputy, klade.url, 'audzinasana');
  await deputy.goto(`${klade.url}/consents`);
  await deputy.getByRole('checkbox', { name: '2.B' }).check();
  await deputy.getByLabel('Veids').selectOption('consent');
  await deputy.getByLabel('Jautājums', { exact: true }).fill('Fotografēšana Ziemassvētku koncertā');
  await deputy.getByLabel('Apraksts').fill('Foto publicēsim skolas mājaslapā.');
  await deputy.getByRole('button', { name: 'Jautāt' }).click();
  await deputy.getByText('Jautājums nosūtīts').waitFor();
  const question = deputy.url();
  assert.deepEqual(await accessibilityProblems(deputy), []);

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.goto(klade.url);
  await parent.getByRole('link', { name: /Jūsu atbildi gaida jautājumi no skolas/ }).click();
  const card = parent.locator('section', { hasText: 'Fotografēšana Ziemassvētku koncertā · Anna Krūmiņa' });
  await card.getByRole('button', { name: 'Piekrītu', exact: true }).click();
  await parent.getByText('Atbilde saglabāta').waitFor();
  assert.match(await card.innerText(), /Jūsu atbilde: Jā — Ilze Krūmiņa/);
  assert.deepEqual(await accessibilityProblems(parent), []);

  await deputy.goto(question);
  assert.match(await deputy.locator('tbody tr', { hasText: 'Anna' }).innerText(), /Jā — Ilze Krūmiņa/);
  await desk.close();
  await phone.close();
});

test('a parent chooses Ukrainian once and reads the family pages in it on another device too', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await phone.newPage();
  await login(page, klade.url, 'vecaks');
  await page.goto(`${klade.url}/account`);
  await page.getByRole('link', { name: 'Українська' }).click();
  await page.getByRole('link', { name: 'Щоденник' }).first().click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'uk');
  assert.match(await page.locator('main').innerText(), /Anna Krūmiņa, 2\.B/, 'names stay as written');
  assert.deepEqual(await accessibilityProblems(page), []);

  const laptop = await browser.newContext();
  const other = await laptop.newPage();
  await login(other, klade.url, 'vecaks');
  assert.equal(await other.locator('html').getAttribute('lang'), 'uk');
  // Back to Latvian from the header, for the person on every device.
  await other.getByRole('link', { name: 'Latviešu' }).first().click();
  assert.equal(await other.locator('html').getAttribute('lang'), 'lv');
  await page.reload();
  assert.equal(await page.locator('html').getAttribute('lang'), 'lv');
  await phone.close();
  await laptop.close();
});

test('the clerk turns meals on, a parent cancels the next lunch, the order leaves the child out', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const clerk = await desk.newPage();
  await login(clerk, klade.url, 'lietvede');
  await clerk.getByRole('link', { name: 'Ēdināšana' }).first().click();
  await clerk.getByRole('link', { name: /Ēdināšanas pasūtījums/ }).first().click();
  await clerk.getByLabel('Ēdināšanu piesaka Kladē').check();
  await clerk.getByLabel('Ēdinātāja e-pasts').fill('virtuve@example.lv');
  await clerk.getByRole('button', { name: 'Saglabāt' }).click();
  await clerk.getByText('Iestatījumi saglabāti').waitFor();
  const orderUrl = new URL(clerk.url());

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.goto(klade.url);
  await parent.getByRole('link', { name: /Ēdināšana: atteikt vai pieteikt/ }).click();
  const card = parent.locator('section', { hasText: 'Anna Krūmiņa' });
  const first = card.getByRole('button', { name: /^Atteikt:/ }).first();
  const day = (await first.getAttribute('aria-label')).match(/(\d\d)\.(\d\d)\.(\d{4})\./);
  await first.click();
  await parent.getByText('Pusdienas atteiktas.').waitFor();
  assert.match(await card.innerText(), /Atteiktas \(Ilze Krūmiņa/);
  assert.deepEqual(await accessibilityProblems(parent), []);

  orderUrl.searchParams.set('date', `${day[3]}-${day[2]}-${day[1]}`);
  await clerk.goto(orderUrl.toString());
  const row = clerk.locator('tbody tr', { hasText: '2.B' });
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(Number(cells[2]), Number(cells[1]) - 1, `one meal fewer than on the list: ${cells}`);
  assert.match(cells[3], /Krūmiņa Anna/);
  assert.deepEqual(await accessibilityProblems(clerk), []);
  await desk.close();
  await phone.close();
});
