// The callbacks of page.waitForFunction and $$eval run in the browser: type them with the DOM.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page in a real browser (Debian's chromium, driven by playwright-core) against the real
 * local system: FerretDB, images + auth + gateway as processes behind nginx, and Prometheus
 * scraping every replica. An "external" picture host for the upload is a real HTTPS server on
 * another loopback port, under a public name (uploads take https URLs to public hosts only) that
 * chromium maps to loopback; its certificate is a throw-away self-signed one the browser is told
 * to accept.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startLocalSystem, type LocalSystem } from '@laas/local';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SLOW = 180_000;

let system: LocalSystem;
let pageUrl: string;
let context: BrowserContext;
let userDataDir: string;
let pictureHost: https.Server;
let pictureHostUrl: string;
/** Public by its form (not resolved by the service); chromium maps it to the loopback server. */
const PICTURE_HOST = 'pictures.llamas.example';

/** A self-signed certificate for PICTURE_HOST, valid for a day, in `dir`. */
function selfSignedCertificate(dir: string): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'picture-host.key');
  const cert = join(dir, 'picture-host.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${PICTURE_HOST}`,
      '-addext',
      `subjectAltName=DNS:${PICTURE_HOST}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** A tiny SVG on a host that is not the system's: what a user's upload points at. */
const UPLOADED_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10"><rect width="10" height="10" fill="#c0ffee"/></svg>';

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run "npm run tools" (it installs Debian's chromium)`);
  userDataDir = mkdtempSync(join(tmpdir(), 'laas-chromium-'));
  pictureHost = https.createServer(selfSignedCertificate(userDataDir), (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/svg+xml' });
    res.end(UPLOADED_SVG);
  });
  await new Promise<void>((resolve) => pictureHost.listen(0, '127.0.0.1', resolve));
  const picturePort = (pictureHost.address() as AddressInfo).port;
  pictureHostUrl = `https://${PICTURE_HOST}:${picturePort}`;
  system = await startLocalSystem({
    services: ['images', 'auth', 'gateway'],
    replicas: 1,
    // A loaded 2-core machine: more than a pod's 250m keeps page loads well inside the timeouts.
    cpuMillis: 1000,
    scrapeInterval: '1s',
  });
  pageUrl = `${system.serviceUrls['gateway']}/`;
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, `--host-resolver-rules=MAP ${PICTURE_HOST} 127.0.0.1`],
    // For the picture host's self-signed certificate (the only https the page loads here).
    ignoreHTTPSErrors: true,
    viewport: { width: 1400, height: 1000 },
  });
}, SLOW);

afterAll(async () => {
  await context?.close();
  await system?.stop();
  await new Promise((resolve) => pictureHost?.close(resolve));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}, SLOW);

/** Opens the page and records everything that would show in the console as a problem. */
async function open(): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(pageUrl);
  return { page, problems };
}

/** The grid's pictures once every one has finished loading (or failed). */
async function pictures(page: Page): Promise<{ src: string; alt: string; width: number }[]> {
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>('#llamas img')];
    return imgs.length > 0 && imgs.every((img) => img.complete);
  });
  return page.$$eval('#llamas img', (imgs) =>
    (imgs as HTMLImageElement[]).map((img) => ({ src: img.src, alt: img.alt, width: img.naturalWidth })),
  );
}

test(
  'the page loads with no console errors and shows 25 distinct llamas whose pictures load',
  async () => {
    const { page, problems } = await open();
    const shown = await pictures(page);
    await page.waitForSelector('#scaling [data-service="images"]');
    expect(problems).toEqual([]);
    expect(shown).toHaveLength(25);
    expect(new Set(shown.map((p) => p.src)).size).toBe(25);
    expect(shown.filter((p) => p.width === 0)).toEqual([]);
    expect(shown.every((p) => p.src.startsWith(`${system.serviceUrls['gateway']}/pictures/`))).toBe(true);
    expect(shown.every((p) => /^A [a-z]+ llama [a-z]+ /.test(p.alt))).toBe(true);
    if (process.env['LAAS_WEBSITE_SCREENSHOT']) {
      await page.waitForFunction(() => document.querySelector('#scaling .metric dd')?.textContent !== '—');
      await page.screenshot({ path: process.env['LAAS_WEBSITE_SCREENSHOT'] });
    }
    await page.close();
  },
  SLOW,
);

test(
  'the count selector and "another batch" work from the keyboard',
  async () => {
    const { page } = await open();
    const before = (await pictures(page)).map((p) => p.src);
    await page.focus('#count');
    await page.keyboard.press('Home'); // first option: 1
    await page.keyboard.press('ArrowDown'); // 2
    await page.keyboard.press('ArrowDown'); // 3
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Another batch');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#llamas img').length === 3);
    const after = (await pictures(page)).map((p) => p.src);
    expect(after).toHaveLength(3);
    expect(after).not.toEqual(before.slice(0, 3));
    await page.close();
  },
  SLOW,
);

test(
  'register → log out → log in → upload → the new picture appears in a later batch',
  async () => {
    const { page, problems } = await open();
    await pictures(page);
    const email = `llama-fan-${Date.now()}@example.org`;
    await page.fill('#email', email);
    await page.fill('#password', 'correct horse battery');
    await page.click('button[value="register"]');
    await page.waitForSelector('#who:has-text("llama-fan")');
    await page.click('#logout');
    await page.waitForSelector('#auth-form:visible');
    expect(await page.isVisible('#upload-card')).toBe(false);
    await page.fill('#email', email);
    await page.fill('#password', 'correct horse battery');
    await page.click('button[value="login"]');
    await page.waitForSelector('#upload-card:visible');
    const uploaded = `${pictureHostUrl}/my-llama.svg`;
    await page.fill('#upload-url', uploaded);
    await page.click('#upload-form button');
    await page.waitForSelector('#upload-status:has-text("Added picture #")');
    // 101 pictures, 25 a batch: a batch misses the new one with probability 76/101 · 75/100 ·
    // ... ≈ 0.74, so 60 batches all miss it about once in 70 million runs.
    let found: { src: string; width: number } | undefined;
    for (let batch = 0; batch < 60 && !found; batch++) {
      await page.click('#batch-form button');
      await page.waitForFunction(() => document.querySelector('#batch-status')?.textContent === '25 llamas');
      found = (await pictures(page)).find((p) => p.src === uploaded);
    }
    expect(found).toBeDefined();
    expect(found!.width).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  },
  SLOW,
);

test(
  'errors are shown as the API words them',
  async () => {
    const { page } = await open();
    await page.fill('#email', 'nobody@example.org');
    await page.fill('#password', 'wrong password');
    await page.click('button[value="login"]');
    await page.waitForSelector('#auth-error:visible');
    expect(await page.textContent('#auth-error code')).toBe('invalid_credentials');
    await page.fill('#email', 'not an email');
    await page.fill('#password', 'short');
    await page.click('button[value="register"]');
    await page.waitForSelector('#auth-error code:not(:has-text("invalid_credentials"))');
    const words = await page.textContent('#auth-error .message');
    expect(words).toMatch(/email|password/i);
    await page.close();
  },
  SLOW,
);

test(
  "the scaling panel's replica count changes when the local system is scaled from 1 to 3",
  async () => {
    const { page } = await open();
    const ready = (service: string) => `#scaling [data-service="${service}"]`;
    await page.waitForSelector(`${ready('images')}[data-ready="1"]`, { timeout: 60_000 });
    await system.scaleTarget('images').scale(3);
    await page.waitForSelector(`${ready('images')}[data-ready="3"]`, { timeout: 60_000 });
    expect(await page.textContent(`${ready('images')} .replicas strong`)).toBe('3');
    await system.scaleTarget('images').scale(1);
    await page.waitForSelector(`${ready('images')}[data-ready="1"]`, { timeout: 60_000 });
    await page.close();
  },
  SLOW,
);

test(
  'six open pages cost the real Prometheus about one range query per second',
  async () => {
    // Prometheus counts the requests it serves by handler on its own /metrics.
    const rangeQueries = async (): Promise<number> => {
      const text = await (await fetch(`${system.prometheus!.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('prometheus_http_requests_total{') && l.includes('handler="/api/v1/query_range"'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const pages = await Promise.all(Array.from({ length: 6 }, () => open()));
    await Promise.all(pages.map(({ page }) => page.waitForSelector('#scaling [data-service="images"]')));
    const before = await rangeQueries();
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const seconds = (Date.now() - started) / 1000;
    const queries = (await rangeQueries()) - before;
    // Six pages polling every 2 s ask the gateway 3 times a second; uncached that is 3 queries
    // a second (24 in 8 s). Shared, at most one a second, plus one for a second boundary.
    expect(queries).toBeGreaterThan(0);
    expect(queries).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    await Promise.all(pages.map(({ page }) => page.close()));
  },
  SLOW,
);
