// Day one: a real school and a real preschool start from an empty install — only the institution
// and its superuser made at the console — and are set up in the browser to the point where a
// teacher marks attendance and an invited parent reads it. No SQL, no demo data.
//
// These are about setting up, not about the calendar: the day they are set up on is a working
// Wednesday of their own, whatever day the rest of the suite runs on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmpty, launchBrowser, totp, accessibilityProblems } from './harness.mjs';

const NOW = '2026-11-25T10:00';
const TODAY = NOW.slice(0, 10);

let browser;
const servers = [];

after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
});

/** A valid new-format personal code (32…), the check digit computed as for the old ones. */
function code(n) {
  const ten = `32${String(1000000 + n).slice(1).padStart(7, '0')}${n % 10}`.slice(0, 10);
  const weights = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...ten].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  const check = ((1101 - sum) % 11) % 10;
  return `${ten.slice(0, 6)}-${ten.slice(6)}${check}`;
}

/** Riga's weekday of TODAY, 1 for Monday. */
function weekday() {
  const d = new Date(`${TODAY}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

async function fresh() {
  browser ??= await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

/**
 * The first login with a generated password: a password of one's own, and — where the role needs
 * it — a second factor set up from the page's key, as a phone's app would.
 */
async function firstLogin(page, klade, username, password, own) {
  await page.goto(`${klade.url}/login`);
  await page.getByLabel('Lietotājvārds vai personas kods').fill(username);
  await page.getByLabel('Parole').fill(password);
  await page.getByRole('button', { name: 'Pieteikties' }).click();
  await page.getByLabel('Jaunā parole', { exact: true }).waitFor();
  await page.getByLabel('Pašreizējā parole').fill(password);
  await page.getByLabel('Jaunā parole', { exact: true }).fill(own);
  await page.getByLabel('Jaunā parole vēlreiz').fill(own);
  await page.getByRole('button', { name: 'Mainīt paroli' }).click();
  await page.waitForLoadState();
  if (new URL(page.url()).pathname.startsWith('/account/second-factor')) {
    const key = (await page.locator('code.secret').innerText()).trim();
    await page.getByLabel('Kods no lietotnes (6 cipari)').fill(totp(key, klade.now()));
    await page.getByRole('button', { name: 'Apstiprināt' }).click();
    await page.getByRole('heading', { name: 'Rezerves kodi' }).waitFor();
  }
  await page.goto(`${klade.url}/`);
}

/** Uploads `text` as `kind` on the import page, checks the preview, confirms, waits till done. */
async function importFile(page, klade, kind, name, text) {
  await page.goto(`${klade.url}/admin/import`);
  await page.getByLabel('Ko importēt').selectOption(kind);
  await page.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Rādīt, kas mainīsies' }).click();
  await page.getByRole('button', { name: 'Apstiprināt un importēt' }).waitFor();
  const preview = await page.locator('main').innerText();
  assert.match(preview, /Tiks noraidīti\s+0\b/, `nothing refused in ${name}:\n${preview}`);
  await page.getByRole('button', { name: 'Apstiprināt un importēt' }).click();
  await page.getByText('Imports pabeigts.').waitFor({ timeout: 30_000 });
}

/** The newest text message to `phone` in the superuser's outbox. */
async function lastSms(page, klade, phone) {
  await page.goto(`${klade.url}/admin/sms`);
  const row = page.locator('tbody tr', { hasText: phone }).first();
  return row.locator('td').nth(2).innerText();
}

/** A member of staff gets an account; answers the generated password from the SMS. */
async function staffAccount(page, klade, name, username, phone) {
  await page.goto(`${klade.url}/admin/accounts`);
  const row = page.locator('tbody tr', { hasText: name });
  await row.getByLabel('Lietotājvārds').fill(username);
  await row.getByRole('button', { name: 'Izveidot kontu' }).click();
  await page.getByRole('status').waitFor();
  const sms = await lastSms(page, klade, phone);
  return sms.match(/parole: (\S+)/)[1];
}

test('a school from an empty install to a parent reading the day\'s attendance', async () => {
  const klade = await startEmpty({ kind: 'general', name: 'Ozolkalna pamatskola', regNo: '4312900101', now: NOW });
  servers.push(klade);
  const admin = await fresh();
  await firstLogin(admin, klade, 'virs', klade.superuser.password, 'ozolkalna skolas virslietotāja');
  // The home page says what is left, each a link.
  await admin.getByRole('link', { name: /Nav izveidots mācību gads/ }).click();
  assert.deepEqual(await accessibilityProblems(admin), []);

  // The school year from the template, as proposed.
  await admin.getByRole('button', { name: 'Izveidot mācību gadu' }).click();
  await admin.getByText('Mācību gads izveidots.').waitFor();

  // Two classes and their subjects.
  await admin.goto(`${klade.url}/`);
  await admin.getByRole('link', { name: 'Nav ievadītas klases vai grupas.' }).click();
  for (const [name, grade] of [['3.a', '3'], ['4.a', '4']]) {
    await admin.getByLabel('Nosaukums (kā VIIS)').fill(name);
    await admin.getByLabel('Klase (kurss)').fill(grade);
    await admin.getByRole('button', { name: 'Pievienot klasi' }).click();
    await admin.getByText('Pievienots.').waitFor();
  }
  for (const subject of ['Matemātika', 'Latviešu valoda']) {
    await admin.getByLabel('Nosaukums', { exact: true }).fill(subject);
    await admin.getByRole('button', { name: 'Pievienot mācību priekšmetu vai moduli' }).click();
    await admin.getByText('Mācību priekšmets pievienots.').waitFor();
  }

  // Four staff from a VIIS-shaped file.
  const staff = [
    [code(1), 'Daina', 'Liepa', 'Direktora vietniece mācību darbā', '1', '+37120000001'],
    [code(2), 'Aija', 'Bērza', 'Skolotāja', '1', '+37120000002'],
    [code(3), 'Kārlis', 'Egle', 'Skolotājs', '0,5', '+37120000003'],
    [code(4), 'Rita', 'Kalna', 'Lietvede', '1', '+37120000004'],
  ];
  const staffCsv = ['Personas kods;Vārds;Uzvārds;Amats;Slodze;Tālrunis;Darba attiecību sākums;Rīkojuma Nr.;Rīkojuma datums',
    ...staff.map((s) => `${s.join(';')};01.09.2026;1-8/2026/${s[1]};25.08.2026`)].join('\n');
  await importFile(admin, klade, 'staff', 'darbinieki.csv', staffCsv);

  // Tutors for the classes.
  await admin.goto(`${klade.url}/setup/classes`);
  for (const [cls, tutor] of [['3.a', 'Aija Bērza'], ['4.a', 'Kārlis Egle']]) {
    await admin.getByLabel(`Norīkot: ${cls}`).selectOption({ label: tutor });
    await admin.locator('tr', { hasText: cls }).getByRole('button', { name: 'Norīkot' }).click();
    await admin.getByRole('status').waitFor();
  }

  // Twenty students with their parents, ten a class.
  const students = ['Personas kods;Vārds;Uzvārds;Dzimšanas datums;Dzimums;Klase;Rīkojuma Nr.;Rīkojuma datums;'
    + '1. vecāka vārds;1. vecāka uzvārds;1. vecāka personas kods;1. vecāka tālrunis;1. vecāka radniecība'];
  for (let i = 0; i < 20; i += 1) {
    const cls = i < 10 ? '3.a' : '4.a';
    const born = i < 10 ? '2018' : '2017';
    students.push([code(100 + i), `Bērns${i}`, `Sauleskalns${i}`, `1${i % 9}.03.${born}`, i % 2 ? 'V' : 'S', cls,
      '1-7/2026/1', '25.08.2026', `Vecāks${i}`, `Sauleskalns${i}`, code(200 + i), `+3712100${String(i).padStart(4, '0')}`,
      i % 2 ? 'tēvs' : 'māte'].join(';'));
  }
  await importFile(admin, klade, 'students', 'skolēni.csv', students.join('\n'));

  // The deputy and the tutor of 3.a get their accounts; their passwords come by SMS.
  const deputyPassword = await staffAccount(admin, klade, 'Daina Liepa', 'daina.liepa', '+37120000001');
  const tutorPassword = await staffAccount(admin, klade, 'Aija Bērza', 'aija.berza', '+37120000002');

  // The deputy imports the timetable from aSc: today's first lesson for 3.a, and 4.a's.
  const deputy = await fresh();
  await firstLogin(deputy, klade, 'daina.liepa', deputyPassword, 'mana vietnieces parole');
  const days = [1, 2, 3, 4, 5, 6, 7].map((d) => (d === weekday() ? '1' : '0')).join('');
  const asc = `<?xml version="1.0" encoding="UTF-8"?>
<timetable ascttversion="2024.6.2" importtype="database" options="idprefix:Ozolkalns">
  <periods><period name="1" period="1" starttime="8:30" endtime="9:10"/><period name="2" period="2" starttime="9:20" endtime="10:00"/></periods>
  <subjects><subject id="S1" name="Matemātika"/><subject id="S2" name="Latviešu valoda"/></subjects>
  <teachers><teacher id="T1" firstname="Aija" lastname="Bērza"/><teacher id="T2" firstname="Kārlis" lastname="Egle"/></teachers>
  <classrooms><classroom id="R1" name="12"/><classroom id="R2" name="14"/></classrooms>
  <classes><class id="C1" name="3.a"/><class id="C2" name="4.a"/></classes>
  <groups><group id="G1" name="Visa klase" classid="C1" entireclass="1"/><group id="G2" name="Visa klase" classid="C2" entireclass="1"/></groups>
  <lessons>
    <lesson id="L1" classids="C1" subjectid="S1" groupids="G1" teacherids="T1" classroomids="R1"/>
    <lesson id="L2" classids="C2" subjectid="S2" groupids="G2" teacherids="T2" classroomids="R2"/>
    <lesson id="L3" classids="C1" subjectid="S2" groupids="G1" teacherids="T1" classroomids="R1"/>
  </lessons>
  <cards>
    <card lessonid="L1" classroomids="R1" period="1" days="${days}"/>
    <card lessonid="L2" classroomids="R2" period="1" days="${days}"/>
    <card lessonid="L3" classroomids="R1" period="2" days="${days}"/>
  </cards>
</timetable>`;
  await importFile(deputy, klade, 'timetable', 'saraksts.xml', asc);

  // The tutor invites two parents of 3.a by SMS.
  const tutor = await fresh();
  await firstLogin(tutor, klade, 'aija.berza', tutorPassword, 'skolotājas Aijas jaunā parole');
  await tutor.getByRole('link', { name: 'Ģimenes un ielūgumi' }).click();
  assert.deepEqual(await accessibilityProblems(tutor), []);
  for (const parent of ['Vecāks0 Sauleskalns0', 'Vecāks1 Sauleskalns1']) {
    await tutor.locator('tr', { hasText: parent }).getByRole('button', { name: 'Sūtīt ielūgumu ar SMS' }).click();
    await tutor.getByText('Ielūgums nosūtīts.').waitFor();
  }
  const invitation = await lastSms(admin, klade, '+37121000000');
  const invitationCode = invitation.match(/kods: (\S{5}-\S{5})/)[1];

  // The teacher marks today's first lesson: the first student is absent.
  await tutor.goto(`${klade.url}/`);
  await tutor.getByRole('link', { name: 'Žurnāls', exact: true }).click();
  await tutor.locator('tr', { hasText: '3.a' }).getByRole('link', { name: 'Matemātika' }).click();
  const row = tutor.locator('tbody tr', { hasText: 'Sauleskalns0 Bērns0' });
  await row.locator(`input[name^="a:${TODAY}:1:"]`).click();
  await tutor.keyboard.type('n');
  await tutor.keyboard.press('Control+s');
  await tutor.locator('#grid-status', { hasText: 'Saglabātas izmaiņas: 1' }).waitFor();

  // The invited parent joins with the code and reads the absence in the diary, on a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await parent.goto(`${klade.url}/login`);
  await parent.getByRole('link', { name: 'Pievienoties' }).click();
  await parent.getByLabel('Ielūguma kods').fill(invitationCode.toLowerCase());
  await parent.getByLabel('Lietotājvārds').fill('vecaks.sauleskalns');
  await parent.getByLabel('Jaunā parole', { exact: true }).fill('mūsu ģimenes parole');
  await parent.getByLabel('Jaunā parole vēlreiz').fill('mūsu ģimenes parole');
  await parent.getByRole('button', { name: 'Pievienoties' }).click();
  await parent.waitForURL(`${klade.url}/`);
  await parent.getByRole('link', { name: 'Dienasgrāmata' }).click();
  const lesson = parent.locator('section.today li', { hasText: 'Matemātika' });
  assert.equal(await lesson.locator('.bad-text').innerText(), 'Apmeklējums: n — nebija (neattaisnots)', 'today\'s absence, as marked');
  assert.deepEqual(await accessibilityProblems(parent), []);
  await phone.close();
});

test('a preschool from an empty install to a parent seeing the day\'s attendance', async () => {
  const klade = await startEmpty({ kind: 'preschool', name: 'PII “Zīlīte”', regNo: '4312900202', now: NOW });
  servers.push(klade);
  const admin = await fresh();
  await firstLogin(admin, klade, 'virs', klade.superuser.password, 'zīlītes virslietotājas parole');
  await admin.getByRole('link', { name: /Nav izveidots mācību gads/ }).click();
  await admin.getByRole('button', { name: 'Izveidot mācību gadu' }).click();
  await admin.getByText('Mācību gads izveidots.').waitFor();

  // One group.
  await admin.goto(`${klade.url}/`);
  await admin.getByRole('link', { name: 'Nav ievadītas klases vai grupas.' }).click();
  await admin.getByLabel('Nosaukums (kā VIIS)').fill('Bitītes');
  await admin.getByRole('button', { name: 'Pievienot grupu' }).click();
  await admin.getByText('Pievienots.').waitFor();

  // Staff from a file: the group's teacher and the deputy head.
  const staffCsv = ['Personas kods;Vārds;Uzvārds;Amats;Slodze;Tālrunis',
    `${code(11)};Ilze;Rasa;Pirmsskolas izglītības skolotāja;1;+37122000011`,
    `${code(12)};Vija;Niedra;Vadītājas vietniece izglītības jomā;1;+37122000012`].join('\n');
  await importFile(admin, klade, 'staff', 'darbinieki.csv', staffCsv);
  await admin.goto(`${klade.url}/setup/classes`);
  await admin.getByLabel('Norīkot: Bitītes').selectOption({ label: 'Ilze Rasa' });
  await admin.locator('tr', { hasText: 'Bitītes' }).getByRole('button', { name: 'Norīkot' }).click();
  await admin.getByRole('status').waitFor();

  // Eight children with a parent each.
  const children = ['Personas kods;Vārds;Uzvārds;Dzimšanas datums;Grupa;Rīkojuma Nr.;Rīkojuma datums;'
    + '1. vecāka vārds;1. vecāka uzvārds;1. vecāka tālrunis;1. vecāka radniecība'];
  for (let i = 0; i < 8; i += 1) {
    children.push([code(300 + i), `Mazulis${i}`, `Ziediņš${i}`, `0${1 + i}.04.2022`, 'Bitītes', '2-7/2026/3', '20.08.2026',
      `Māte${i}`, `Ziediņa${i}`, `+3712300${String(i).padStart(4, '0')}`, 'māte'].join(';'));
  }
  await importFile(admin, klade, 'students', 'bērni.csv', children.join('\n'));
  const teacherPassword = await staffAccount(admin, klade, 'Ilze Rasa', 'ilze.rasa', '+37122000011');

  // The group's teacher invites a mother and marks the day's attendance.
  const teacher = await fresh();
  await firstLogin(teacher, klade, 'ilze.rasa', teacherPassword, 'bitīšu skolotājas parole');
  await teacher.getByRole('link', { name: 'Ģimenes un ielūgumi' }).click();
  await teacher.locator('tr', { hasText: 'Māte0 Ziediņa0' }).getByRole('button', { name: 'Sūtīt ielūgumu ar SMS' }).click();
  await teacher.getByText('Ielūgums nosūtīts.').waitFor();
  await teacher.goto(`${klade.url}/`);
  await teacher.getByRole('link', { name: 'Grupas žurnāls' }).first().click();
  await teacher.getByLabel('Ziediņš0 Mazulis0: Atzīme').selectOption('N');
  await teacher.getByRole('button', { name: 'Saglabāt apmeklējumu' }).click();
  await teacher.getByRole('status').waitFor();
  assert.deepEqual(await accessibilityProblems(teacher), []);

  const invitation = await lastSms(admin, klade, '+37123000000');
  const invitationCode = invitation.match(/kods: (\S{5}-\S{5})/)[1];
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const parent = await phone.newPage();
  await parent.goto(`${klade.url}/join?code=${invitationCode}`);
  await parent.getByLabel('Lietotājvārds').fill('mate.ziedina');
  await parent.getByLabel('Jaunā parole', { exact: true }).fill('mazuļa mammas parole');
  await parent.getByLabel('Jaunā parole vēlreiz').fill('mazuļa mammas parole');
  await parent.getByRole('button', { name: 'Pievienoties' }).click();
  await parent.waitForURL(`${klade.url}/`);
  await parent.getByRole('link', { name: 'Bērnudārzs' }).click();
  assert.match(await parent.locator('main').innerText(), /Mazulis0 Ziediņš0, Bitītes/);
  const [y, m, d] = TODAY.split('-');
  const absences = await parent.locator('section', { has: parent.locator('#ab-h') }).innerText();
  assert.ok(absences.includes(`${d}.${m}.${y}.`), `today's absence is listed: ${absences}`);
  assert.deepEqual(await accessibilityProblems(parent), []);
  await phone.close();
});
