// The preschool: the teacher marks attendance and files a journal entry with a photo, the nurse
// corrects a mark with a reason, a parent sees the journal with the photo and the child's
// assessment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKlade, launchBrowser, login, accessibilityProblems, lastWorkingDay } from './harness.mjs';

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

// A real JPEG drawn by the browser itself, for the server's re-encoding to decode.
async function jpeg(page) {
  const url = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const g = c.getContext('2d');
    g.fillStyle = '#3a7';
    g.fillRect(0, 0, 64, 48);
    return c.toDataURL('image/jpeg', 0.9);
  });
  return Buffer.from(url.split(',')[1], 'base64');
}

test('attendance, a journal entry with a photo, the nurse\'s correction, the parent\'s view', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const teacher = await desk.newPage();
  await login(teacher, klade.url, 'pii.skolotaja');
  await teacher.getByRole('link', { name: 'Grupas žurnāls' }).first().click();
  await teacher.waitForLoadState();
  const dayUrl = await lastWorkingDay(teacher);
  assert.deepEqual(await accessibilityProblems(teacher), []);

  // Jēkabs is away that day: N (unexcused until the family tells why).
  await teacher.getByLabel('Krūmiņš Jēkabs: Atzīme').selectOption('N');
  // An earlier day already marked is a correction, with its reason.
  if (dayUrl.includes('date=')) await teacher.getByLabel('Labojuma iemesls').fill('Precizēts pēc brīvdienām');
  await teacher.getByRole('button', { name: 'Saglabāt apmeklējumu' }).click();
  await teacher.getByRole('status').waitFor();

  // The day's journal entry with a photo.
  await teacher.getByLabel('Mācību joma vai caurviju prasme').selectOption({ label: 'Dabaszinātņu mācību joma' });
  await teacher.getByLabel('Uzdevumi').fill('Vērot, kā kūst sniegs');
  await teacher.getByLabel('Aktivitātes').fill('Sniega kausēšana bļodās');
  await teacher.getByLabel('Fotogrāfijas').setInputFiles({ name: 'sniegs.jpg', mimeType: 'image/jpeg', buffer: await jpeg(teacher) });
  await teacher.getByRole('button', { name: 'Saglabāt ierakstu' }).click();
  await teacher.getByText('Ieraksts saglabāts.').waitFor();
  assert.equal(await teacher.locator('.photos img').count(), 1);

  // The monthly plan: the theme and the message to the child are enough for the parent to see.
  await teacher.getByRole('link', { name: 'Plānošana' }).click();
  await teacher.getByLabel('Tēma', { exact: true }).fill('Ziema un sniegs');
  await teacher.getByLabel(/Vēstījums bērnam/).fill('Ziemā daba atpūšas');
  await teacher.getByRole('button', { name: 'Saglabāt plānu' }).click();
  await teacher.getByText(/Plāns saglabāts/).waitFor();
  await teacher.goto(dayUrl);

  // An assessment for the parent to see.
  await teacher.getByRole('link', { name: 'Sasniegumu vērtēšana' }).click();
  await teacher.getByLabel('Krūmiņš Jēkabs: Matemātikas mācību joma').fill('T');
  await teacher.getByRole('button', { name: 'Saglabāt' }).click();
  await teacher.getByText('Saglabāts.').waitFor();

  // The nurse corrects the mark with a reason; the teacher sees who and why.
  const nurseContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const nurse = await nurseContext.newPage();
  await login(nurse, klade.url, 'masa');
  await nurse.locator('li', { hasText: 'Mārītes' }).getByRole('link', { name: 'Nedēļas pārskats' }).click();
  const row = nurse.locator('tr', { hasText: 'Krūmiņš Jēkabs' });
  assert.match(await row.innerText(), /N/);
  assert.deepEqual(await accessibilityProblems(nurse), []);
  const groupUrl = dayUrl;
  await nurse.goto(groupUrl);
  await nurse.getByLabel('Krūmiņš Jēkabs: Atzīme').selectOption('S');
  await nurse.getByLabel('Krūmiņš Jēkabs: Iemesls').fill('Saaukstēšanās');
  await nurse.getByLabel('Labojuma iemesls').fill('Māte zvanīja no rīta');
  await nurse.getByRole('button', { name: 'Saglabāt apmeklējumu' }).click();
  await nurse.getByRole('status').waitFor();
  await teacher.goto(groupUrl);
  assert.match(await teacher.locator('main').innerText(), /Māte zvanīja no rīta/);

  // The parent, on a phone, sees the entry, the photo and the assessment.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await login(parent, klade.url, 'vecaks');
  await parent.getByRole('link', { name: 'Bērnudārzs' }).click();
  const main = await parent.locator('main').innerText();
  assert.match(main, /Vērot, kā kūst sniegs/);
  assert.match(main, /Matemātikas mācību joma/);
  assert.match(main, /slimība \(Saaukstēšanās\)/);
  await parent.getByRole('link', { name: 'Plānošana' }).click();
  assert.match(await parent.locator('main').innerText(), /Ziema un sniegs/);
  await parent.goBack();
  const img = parent.locator('.photos img').first();
  await img.waitFor();
  assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth > 0), 'the photo loads');
  assert.deepEqual(await accessibilityProblems(parent), []);
  await desk.close();
  await nurseContext.close();
  await phone.close();
});
