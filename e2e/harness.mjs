// Starts `klade demo` on a free loopback port with a fresh database, and Debian's Chromium.
//
// The server's clock is configuration: every test runs on the day `KLADE_E2E_NOW` names (Riga
// time; by default a Wednesday of the autumn term), never on the machine's own date, so the suite
// gives the same answer on any day. CI runs it again on a Saturday and on a public holiday.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The instant the server's clock starts at, as Riga wall-clock time. */
export const NOW = process.env.KLADE_E2E_NOW || '2026-11-25T10:00';
/** The configured day, `YYYY-MM-DD`. */
export const TODAY = NOW.slice(0, 10);

/** A Riga wall-clock time `YYYY-MM-DDTHH:MM` as Unix seconds. */
export function rigaToUnix(local) {
  const asUtc = Date.parse(`${local}:00Z`);
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Riga', timeZoneName: 'shortOffset' })
    .formatToParts(new Date(asUtc))
    .find((p) => p.type === 'timeZoneName').value;
  return asUtc / 1000 - Number(zone.replace('GMT', '') || 0) * 3600;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs `klade serve` (or `klade demo`) on `db` and waits until it answers. */
async function serve(bin, args, dir, now = NOW, extraEnv = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = Date.now();
  const child = spawn(bin, [...args, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...extraEnv, KLADE_NOW: now },
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`klade exited early:\n${output}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`klade did not start in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output: () => output,
    /** The server's clock now, in Unix seconds: it started at NOW when the process did. */
    now: () => rigaToUnix(now.length === 10 ? `${now}T10:00` : now) + (Date.now() - spawnedAt) / 1000,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An empty install, as an operator starts one: the institution registered and its superuser
 * made at the console (whose generated password is printed), then `klade serve`. Nothing else.
 */
export async function startEmpty({ kind, name, regNo, now = NOW }) {
  const bin = process.env.KLADE_BIN || join(here, '..', 'target', 'debug', 'klade');
  const dir = mkdtempSync(join(tmpdir(), 'klade-e2e-'));
  const db = join(dir, 'klade.db');
  const env = { ...process.env, KLADE_NOW: now };
  const run = (args) => execFileSync(bin, args, { env, encoding: 'utf8' });
  run(['institution', 'create', '--db', db, '--kind', kind, '--name', name, '--reg-no', regNo]);
  const printed = run([
    'user', 'create-superuser', '--db', db, '--institution', regNo, '--given-name', 'Inese',
    '--family-name', 'Vītola', '--username', 'virs', '--order-number', '1-5/2026/1', '--order-date', '2026-08-25',
  ]);
  const password = printed.match(/password: (\S+)/)[1];
  const klade = await serve(bin, ['serve', '--db', db], dir, now);
  return { ...klade, superuser: { username: 'virs', password } };
}

/**
 * On a day off — a weekend, a public holiday — a preschool group's day takes no attendance: step
 * back to the last working day, as a teacher filling in a missed day does. Answers its address.
 */
export async function lastWorkingDay(page) {
  for (let i = 0; i < 7; i += 1) {
    if ((await page.getByRole('heading', { name: 'Apmeklējums' }).count()) > 0) return page.url();
    await page.getByRole('link', { name: '← Iepriekšējā diena' }).click();
    await page.waitForLoadState();
  }
  throw new Error('no working day in the last week');
}

// RFC 6238 as an authenticator app computes it: HMAC-SHA-1 over the 30-second step, six digits.
export function totp(base32, unixSeconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[19] & 0xf;
  const n = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

export async function startKlade({ now = NOW, env = {} } = {}) {
  const bin = process.env.KLADE_BIN || join(here, '..', 'target', 'debug', 'klade');
  const dir = mkdtempSync(join(tmpdir(), 'klade-e2e-'));
  return serve(bin, ['demo', '--db', join(dir, 'demo.db')], dir, now, env);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// Logs in; the administration's demo accounts also give their second factor, whose code the
// demo's page shows. A code is taken once: one already used waits for the next 30 seconds.
export async function login(page, url, username, password = 'demo') {
  await page.goto(`${url}/login`);
  await page.getByLabel('Lietotājvārds vai personas kods').fill(username);
  await page.getByLabel('Parole').fill(password);
  await page.getByRole('button', { name: 'Pieteikties' }).click();
  await page.waitForLoadState();
  for (let tries = 0; new URL(page.url()).pathname === '/login/second-factor'; tries += 1) {
    if (tries > 0) await page.waitForTimeout(5_000);
    if (tries > 15) throw new Error(`no second-factor code was taken for ${username}`);
    const code = page.locator('.demo-code');
    if ((await code.count()) === 0) {
      await page.reload();
      continue;
    }
    await page.getByLabel('Kods no lietotnes (6 cipari)').fill(await code.innerText());
    await page.getByRole('button', { name: 'Pieteikties' }).click();
    await page.waitForLoadState();
  }
}

// Logs out from any page: on a phone the button is in the menu, which opens first.
export async function logout(page) {
  const menu = page.locator('details.menu > summary');
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('button', { name: 'Iziet' }).click();
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Serious and critical WCAG 2.x A/AA violations on the page, as readable lines.
export async function accessibilityProblems(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
