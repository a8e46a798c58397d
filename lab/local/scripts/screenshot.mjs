#!/usr/bin/env node
/**
 * The README's picture of the page: `npm run screenshot -w @laas/local [-- out.png]` (after `npm run build`).
 * Starts the local system, sends a little traffic through the gateway, scales images 1 → 3 half
 * way so the panel has something to show, and photographs the page in Debian's chromium.
 */
/* global document -- the waitForFunction callback runs in the page */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startLocalSystem } from '@laas/local';

const out = resolve(process.argv[2] ?? 'docs/website.png');
const seconds = Number(process.env.SCREENSHOT_SECONDS ?? 120);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const system = await startLocalSystem({ services: ['images', 'auth', 'gateway'], scrapeInterval: '1s' });
const userDataDir = mkdtempSync(join(tmpdir(), 'laas-chromium-'));
try {
  const gateway = system.serviceUrls.gateway;
  let sending = true;
  // Traffic that rises and falls (about 5 to 25 requests a second), so the lines have a shape.
  const traffic = (async () => {
    const started = Date.now();
    while (sending) {
      const t = (Date.now() - started) / 1000;
      const rate = 15 + 10 * Math.sin(t / 15);
      await Promise.all([
        fetch(`${gateway}/api/images/random?count=25`).then((r) => r.arrayBuffer()),
        sleep(1000 / rate),
      ]);
    }
  })();
  await sleep((seconds / 2) * 1000);
  await system.scaleTarget('images').scale(3);
  await sleep((seconds / 2) * 1000);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  await page.goto(`${gateway}/`);
  await page.waitForSelector('#scaling [data-service="images"][data-ready="3"]');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#llamas img')].every((img) => img.complete),
  );
  await page.screenshot({ path: out });
  await context.close();
  sending = false;
  await traffic;
  process.stdout.write(`screenshot: ${out}\n`);
} finally {
  await system.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
