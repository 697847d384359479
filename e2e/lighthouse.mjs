// Lighthouse (pinned 12.2.3) against Debian's Chromium on loopback, at its phone profile (a
// mid-range phone on a slow 4G line, simulated): the login page, each role's home, the diary, the
// teacher's grid and the tutor's month. Each page must score accessibility 100, best practices
// ≥ 95 and performance ≥ 95, weigh at most 30 kB of HTML gzipped, and ask nothing of another
// origin. A page whose performance misses is run three times and judged by the median (the machine
// is shared). Not a `*.test.mjs`: CI runs it once, not on each of the suite's three days.
//
//   node lighthouse.mjs            (after `cargo build -p klade`; prints a table, exits 1 on a miss)
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import puppeteer from 'puppeteer-core';
import { gzipSync } from 'node:zlib';
import { startKlade, launchBrowser, login } from './harness.mjs';

const MIN = { performance: 0.95, accessibility: 1, 'best-practices': 0.95 };
const MAX_HTML_GZIP = 30 * 1024;

const klade = await startKlade();
const browser = await launchBrowser();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

// Lighthouse's Chromium, driven to hand it each role's session: Chromium sends no `Cookie` given
// as an extra header, and Lighthouse's storage reset leaves cookies alone.
const driver = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });

/** Signs `role` in with a browser of its own and gives the session's cookies. */
async function session(role) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, klade.url, role);
  const cookies = (await context.cookies(klade.url)).map(({ name, value }) => ({ name, value, url: klade.url }));
  return { context, page, cookies };
}

/** The first link on `path` whose address matches `pattern`, as `role` sees it. */
async function linkOn(s, path, pattern) {
  await s.page.goto(`${klade.url}${path}`);
  const hrefs = await s.page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const found = hrefs.find((h) => pattern.test(h));
  if (!found) throw new Error(`no link like ${pattern} on ${path}`);
  return found;
}

const pages = [{ name: 'login', path: '/login', cookies: [] }];
for (const role of ['vecaks', 'skolens', 'skolotajs', 'audzinataja', 'direktors', 'pii.skolotaja']) {
  const s = await session(role);
  pages.push({ name: `home (${role})`, path: '/', cookies: s.cookies });
  if (role === 'vecaks') pages.push({ name: 'diary (vecaks)', path: '/diary', cookies: s.cookies });
  if (role === 'skolotajs') {
    const grid = await linkOn(s, '/journal', /^\/journal\/\d+$/);
    pages.push({ name: 'grid (skolotajs)', path: grid, cookies: s.cookies });
  }
  if (role === 'audzinataja') {
    const month = await linkOn(s, '/', /^\/classes\/\d+\/absences$/);
    pages.push({ name: "tutor's month (audzinataja)", path: month, cookies: s.cookies });
  }
  // The cookies stay good while the context is open; closing it would not log out, but keep it.
}

/** One Lighthouse run of `url` with `cookies` set. Lighthouse now and then fails to record a
 * trace on a busy machine (`NO_NAVSTART`): such a run is tried again, twice at most. */
async function audit(url, cookies, name) {
  for (let attempt = 1; ; attempt += 1) {
    const tab = await driver.newPage();
    const old = await tab.cookies(klade.url);
    if (old.length) await tab.deleteCookie(...old);
    if (cookies.length) await tab.setCookie(...cookies);
    const { lhr } = await lighthouse(
      url,
      { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: Object.keys(MIN) },
      undefined,
      tab,
    );
    await tab.close();
    if (!lhr.runtimeError) return lhr;
    if (attempt === 3) throw new Error(`${name}: ${lhr.runtimeError.message}`);
    console.error(`${name}: ${lhr.runtimeError.code}, trying again`);
  }
}

/** A page's report. Lighthouse's performance score moves with whatever else the machine is doing
 * (its simulated throttling scales the main thread's measured tasks), so a page below the mark is
 * run twice more and the run of median performance is kept, as Lighthouse's own guidance on
 * variability advises; the other categories do not depend on timing. */
async function report(url, cookies, name) {
  const first = await audit(url, cookies, name);
  if (first.categories.performance.score >= MIN.performance) return first;
  const runs = [first, await audit(url, cookies, name), await audit(url, cookies, name)];
  runs.sort((a, b) => a.categories.performance.score - b.categories.performance.score);
  console.error(`${name}: performance ${runs.map((r) => Math.round(r.categories.performance.score * 100)).join(', ')}; the median kept`);
  return runs[1];
}

const rows = [];
const misses = [];
for (const p of pages) {
  const url = `${klade.url}${p.path}`;
  const lhr = await report(url, p.cookies, p.name);
  if (new URL(lhr.finalDisplayedUrl).pathname !== new URL(url).pathname) {
    misses.push(`${p.name}: ended at ${lhr.finalDisplayedUrl}, not the page asked`);
  }
  const scores = Object.fromEntries(Object.keys(MIN).map((k) => [k, lhr.categories[k].score]));
  for (const [k, min] of Object.entries(MIN)) {
    if (scores[k] < min) {
      const failing = lhr.categories[k].auditRefs
        .map((r) => lhr.audits[r.id])
        .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
        .map((a) => `${a.id} (${a.displayValue || a.score})`);
      misses.push(`${p.name}: ${k} ${Math.round(scores[k] * 100)} < ${min * 100}: ${failing.join(', ')}`);
    }
  }
  const requests = lhr.audits['network-requests'].details?.items ?? [];
  const foreign = requests.map((r) => r.url).filter((u) => !u.startsWith(klade.url) && !u.startsWith('data:'));
  if (foreign.length) misses.push(`${p.name}: asks another origin: ${foreign.join(', ')}`);
  const cookie = p.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const html = await fetch(url, { headers: cookie ? { Cookie: cookie } : {} }).then((r) => r.text());
  const gzipped = gzipSync(html).length;
  if (gzipped > MAX_HTML_GZIP) misses.push(`${p.name}: ${gzipped} bytes of HTML gzipped > ${MAX_HTML_GZIP}`);
  rows.push({
    page: p.name,
    performance: Math.round(scores.performance * 100),
    accessibility: Math.round(scores.accessibility * 100),
    'best practices': Math.round(scores['best-practices'] * 100),
    'HTML gzip (kB)': (gzipped / 1024).toFixed(1),
    requests: requests.length,
  });
}

console.table(rows);
await driver.disconnect();
await chrome.kill();
await browser.close();
await klade.stop();
if (misses.length) {
  console.error(`\n${misses.length} below the mark:\n${misses.join('\n')}`);
  process.exit(1);
}
console.log('every page met the marks');
