// Every link shown is one its reader may follow: each demo role, on a phone and on a desktop,
// follows every link of its pages (on this site, breadth first) and none answers 4xx or 5xx; on
// the phone, no page scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKlade, launchBrowser, login } from './harness.mjs';

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

const ROLES = [
  'admin', 'direktors', 'vietnieks', 'metodikis', 'radosais', 'audzinasana', 'lietvede',
  'skolotajs', 'audzinataja', 'skolens', 'vecaks', 'pii.vaditaja', 'pii.vietniece', 'pii.skolotaja', 'masa',
];

/** Pages per role and viewport: enough to reach every kind of page, bounded for CI's time. */
const LIMIT = 60;

/** Links that end the session or only download a file, which the crawl leaves alone. */
function followed(href) {
  const u = new URL(href);
  return !u.pathname.startsWith('/logout') && !u.pathname.startsWith('/lang/')
    && !/\.(pdf|xlsx|csv|zip|json)$/.test(u.pathname) && !u.pathname.startsWith('/preschool/photos/')
    && !u.pathname.startsWith('/messages/attachments/') && !u.searchParams.has('format');
}

/** The same page whatever its query's dates or ids: at most a few of each kind are visited. */
function kind(href) {
  const u = new URL(href);
  return u.pathname.replace(/\/\d+/g, '/N');
}

for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 900 }]) {
  test(`every link each role is shown opens (${viewport.width} px wide)`, async () => {
    const problems = [];
    let loads = 0;
    for (const role of ROLES) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await login(page, klade.url, role);
      const seen = new Set();
      const kinds = new Map();
      const queue = [[`${klade.url}/`, '']];
      while (queue.length > 0 && seen.size < LIMIT) {
        const [url, from] = queue.shift();
        if (seen.has(url)) continue;
        seen.add(url);
        const response = await page.goto(url);
        loads += 1;
        const status = response?.status() ?? 0;
        if (status >= 400) {
          const path = (u) => u.replace(klade.url, '');
          problems.push(`${role}: ${path(url)} → ${status} (a link on ${path(from)})`);
          continue;
        }
        // On a phone nothing scrolls sideways but a wide table inside its own frame.
        if (viewport.width < 400) {
          const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (over > 0) problems.push(`${role}: ${url.replace(klade.url, '')} scrolls ${over} px sideways`);
        }
        const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
        for (const href of hrefs) {
          if (!href.startsWith(klade.url) || !followed(href)) continue;
          const clean = href.split('#')[0];
          const k = kind(clean);
          const n = kinds.get(k) ?? 0;
          if (seen.has(clean) || n >= 3) continue;
          kinds.set(k, n + 1);
          queue.push([clean, url]);
        }
      }
      await context.close();
    }
    assert.ok(loads > ROLES.length * 10, `the crawl reached pages: ${loads}`);
    assert.deepEqual(problems, [], `links that do not open, pages that do not fit:\n${problems.join('\n')}`);
  });
}
