// The harness every page test shares: the server under PLANMAP_URL, one headless Chromium per
// test file (call useBrowser() at the top level), pages that record every request and every
// console error, and helpers to wait for the map and save screenshots.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SHOTS = path.join(HERE, 'screenshots');
const RAW_URL = process.env.PLANMAP_URL;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // WebGL without a GPU: Chromium's software GL (SwiftShader via ANGLE).
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
export const TIMEOUT = 60_000;

if (!RAW_URL) {
  throw new Error('Set PLANMAP_URL to the planmap server, e.g. PLANMAP_URL=http://127.0.0.1:8080');
}
export const BASE = new URL(RAW_URL);
export const ORIGIN = BASE.origin;
export const url = (p) => new URL(p, BASE).toString();

// Everything the browser asked for, over all pages, and the problems seen.
export const allRequests = [];
export const externalRequests = [];
export const problems = []; // console errors and page errors

export let browser;

export async function api(p) {
  const res = await fetch(url(p));
  assert.equal(res.status, 200, `GET ${p} -> ${res.status}`);
  return res.json();
}

export async function newPage({ width, height, query = '', storage = null }) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, locale: 'zh-CN' });
  // Record every request; let only same-origin (and data:/blob:) ones through.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    allRequests.push(u);
    if (u.startsWith('data:') || u.startsWith('blob:') || new URL(u).origin === ORIGIN) return route.continue();
    externalRequests.push(u);
    return route.abort('blockedbyclient');
  });
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== ORIGIN && !externalRequests.includes(u)) {
      externalRequests.push(u);
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The page asks /api/projects?as_of= once; a server without history answers 400 and the page
    // falls back to dates. Chromium logs that 400 as a console error: it is expected, not a fault.
    if (/status of 400/.test(m.text()) && /as_of=/.test(m.location().url || '')) return;
    problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss(); });
  if (storage) {
    await context.addInitScript((s) => { for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v); }, storage);
  }
  await page.goto(url('/' + query), { waitUntil: 'load' });
  await waitReady(page);
  return { page, context };
}

export async function waitReady(page) {
  await page.waitForFunction(() => window.planmap && window.planmap.ready, null, { timeout: TIMEOUT });
  await page.evaluate(() => window.planmap.ready);
  await settle(page);
}

/** Wait until no project request is in flight and the map is idle. */
export async function settle(page) {
  await page.waitForFunction(() => !window.planmap.state.loading, null, { timeout: TIMEOUT });
  await page.evaluate(() => new Promise((res) => {
    const m = window.planmap.map;
    if (m.loaded() && !m.isMoving()) { m.once('idle', res); m.triggerRepaint(); } else m.once('idle', res);
    setTimeout(res, 5000);
  }));
}

export function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: path.join(SHOTS, name) });
}

export function useBrowser() {
  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`);
    // Playwright gives the browser a fresh, temporary user-data-dir of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: TIMEOUT });
  });

  after(async () => {
    if (browser) await browser.close();
  });
}
