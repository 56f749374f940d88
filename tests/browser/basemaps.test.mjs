// Configured basemaps (issue 15) in the browser: a stub tile service (天地图-style WMTS with a
// key, a failing one) and a PMTiles file made here, behind a planmap started by this file with
// --basemap-config; the switcher on the map page and the editor, the URL/local-storage memory,
// the GCJ-02 warning, the upstream-failure notice, the PNG with the basemap's credit. The server
// at PLANMAP_URL (no configuration) shows the page unchanged.
//
//   PLANMAP_URL=http://127.0.0.1:PORT [PLANMAP_BIN=../../target/debug/planmap] node --test basemaps.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ARGS, CHROMIUM, TIMEOUT, SHOTS, BASE } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PLANMAP_BIN || path.join(HERE, '../../target/debug/planmap');
const KEY = 'browser-stub-key-42';

// ---------------------------------------------------------------- PNG and PMTiles, by hand
const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A 256×256 RGB PNG: `rgb` with a darker grid every 32 px, so imagery is easy to see. */
function png([r, g, b]) {
  const size = 256;
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    raw[y * (1 + size * 3)] = 0;
    for (let x = 0; x < size; x++) {
      const line = x % 32 === 0 || y % 32 === 0;
      const o = y * (1 + size * 3) + 1 + x * 3;
      raw[o] = line ? r * 0.6 : r;
      raw[o + 1] = line ? g * 0.6 : g;
      raw[o + 2] = line ? b * 0.6 : b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
function varint(n) {
  const out = [];
  while (n >= 0x80) { out.push((n % 0x80) | 0x80); n = Math.floor(n / 0x80); }
  out.push(n);
  return out;
}
// PMTiles v3 tile ids: tiles of lower zooms first, then the Hilbert index within the zoom.
function tileId(z, x, y) {
  const acc = ((1 << z) * (1 << z) - 1) / 3;
  const xy = [x, y];
  let d = 0;
  for (let s = 2 ** (z - 1); s >= 1; s /= 2) {
    const rx = (xy[0] & s) > 0 ? 1 : 0;
    const ry = (xy[1] & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) { xy[0] = s - 1 - xy[0]; xy[1] = s - 1 - xy[1]; }
      [xy[0], xy[1]] = [xy[1], xy[0]];
    }
  }
  return acc + d;
}
/** A PMTiles v3 archive of PNG tiles, uncompressed directory, one root directory. */
function pmtiles(tiles, { minZoom, maxZoom, bounds, metadata }) {
  const entries = tiles.map((t) => ({ id: tileId(t.z, t.x, t.y), data: t.data })).sort((a, b) => a.id - b.id);
  let offset = 0;
  for (const e of entries) { e.offset = offset; offset += e.data.length; }
  const dir = [...varint(entries.length)];
  let last = 0;
  for (const e of entries) { dir.push(...varint(e.id - last)); last = e.id; }
  for (const _ of entries) dir.push(...varint(1));
  for (const e of entries) dir.push(...varint(e.data.length));
  entries.forEach((e, i) => dir.push(...varint(i > 0 && e.offset === entries[i - 1].offset + entries[i - 1].data.length ? 0 : e.offset + 1)));
  const root = Buffer.from(dir);
  const meta = Buffer.from(JSON.stringify(metadata));
  const data = Buffer.concat(entries.map((e) => e.data));
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'ascii');
  h[7] = 3;
  const put = (pos, v) => h.writeBigUInt64LE(BigInt(v), pos);
  const rootOff = 127;
  const metaOff = rootOff + root.length;
  const leafOff = metaOff + meta.length;
  const dataOff = leafOff;
  put(8, rootOff); put(16, root.length); put(24, metaOff); put(32, meta.length);
  put(40, leafOff); put(48, 0); put(56, dataOff); put(64, data.length);
  put(72, entries.length); put(80, entries.length); put(88, entries.length);
  h[96] = 1; // clustered
  h[97] = 1; // internal compression: none
  h[98] = 1; // tile compression: none
  h[99] = 2; // png
  h[100] = minZoom; h[101] = maxZoom;
  const e7 = (v) => Math.round(v * 1e7);
  h.writeInt32LE(e7(bounds[0]), 102); h.writeInt32LE(e7(bounds[1]), 106);
  h.writeInt32LE(e7(bounds[2]), 110); h.writeInt32LE(e7(bounds[3]), 114);
  h[118] = minZoom;
  h.writeInt32LE(e7((bounds[0] + bounds[2]) / 2), 119); h.writeInt32LE(e7((bounds[1] + bounds[3]) / 2), 123);
  return Buffer.concat([h, root, meta, data]);
}
const lon2x = (lon, z) => Math.floor(((lon + 180) / 360) * 2 ** z);
const lat2y = (lat, z) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

// ---------------------------------------------------------------- the stub, the server, the browser
const stubHits = { wmts: 0, badKey: 0, fail: 0, xyz: 0 };
const IMAGERY = png([70, 120, 70]); // green: the WMTS imagery
const AMAP = png([200, 150, 90]); // tan: the GCJ-02 source
let stub;
let server;
let planmap;
let browser;
let tmp;
const problems = [];

function startStub() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      const u = new URL(req.url, 'http://stub');
      if (u.pathname === '/wmts') {
        if (u.searchParams.get('tk') !== KEY) {
          stubHits.badKey++;
          res.writeHead(200, { 'content-type': 'text/xml' });
          return res.end('<ExceptionReport/>');
        }
        stubHits.wmts++;
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(IMAGERY);
      }
      if (u.pathname.startsWith('/fail/')) {
        stubHits.fail++;
        res.writeHead(500);
        return res.end('broken');
      }
      if (u.pathname.startsWith('/xyz/')) {
        stubHits.xyz++;
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(AMAP);
      }
      res.writeHead(404);
      res.end();
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

async function freePort() {
  const s = http.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `planmap binary not found at ${BIN} (cargo build, or set PLANMAP_BIN)`);
  stub = await startStub();
  const sb = `http://127.0.0.1:${stub.address().port}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'planmap-basemaps-'));
  // The offline file: zooms 9–12 over Dongtou, blue tiles.
  const tiles = [];
  for (let z = 9; z <= 12; z++) {
    for (let x = lon2x(120.9, z); x <= lon2x(121.25, z); x++) {
      for (let y = lat2y(28.0, z); y <= lat2y(27.75, z); y++) tiles.push({ z, x, y, data: png([60, 110, 190]) });
    }
  }
  fs.writeFileSync(path.join(tmp, 'dongtou.pmtiles'),
    pmtiles(tiles, { minZoom: 9, maxZoom: 12, bounds: [120.9, 27.75, 121.25, 28.0], metadata: { attribution: '离线影像（测试）' } }));
  fs.writeFileSync(path.join(tmp, 'basemaps.toml'), `
[[basemap]]
name = "imagery"
title = "天地图影像（测试桩）"
kind = "wmts"
url = "${sb}/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=img&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=\${STUB_TK}"
attribution = "天地图 stub"
maxzoom = 18

[[basemap]]
name = "offline"
title = "离线影像"
kind = "pmtiles"
path = "dongtou.pmtiles"

[[basemap]]
name = "amap"
title = "高德（GCJ-02）"
kind = "xyz"
url = "${sb}/xyz/{z}/{x}/{y}.png"
crs = "gcj02"
offset_ack = true
attribution = "高德 stub"

[[basemap]]
name = "broken"
title = "故障服务"
kind = "xyz"
url = "${sb}/fail/{z}/{x}/{y}"
attribution = "broken stub"
`);
  const port = await freePort();
  planmap = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--basemap-config', path.join(tmp, 'basemaps.toml')], {
    env: { ...process.env, DATABASE_URL: `sqlite:${path.join(tmp, 'planmap.db')}`, PLANMAP_BIND: `127.0.0.1:${port}`, STUB_TK: KEY, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 120; i++) {
    try { if ((await fetch(`${planmap}/readyz`)).ok) break; } catch (_) { /* not yet */ }
    if (server.exitCode != null) throw new Error(`planmap exited: ${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: TIMEOUT });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
  if (stub) stub.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page of `origin`; records every request and stops any that leaves the origin. */
async function open(origin, p, { storage } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  const requests = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    requests.push(u);
    if (u.startsWith('data:') || u.startsWith('blob:') || new URL(u).origin === origin) return route.continue();
    return route.abort('blockedbyclient');
  });
  if (storage) await context.addInitScript((s) => { for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v); }, storage);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${origin}${p}`, { waitUntil: 'load' });
  return { page, context, requests };
}

async function mapReady(page) {
  await page.waitForFunction(() => window.planmap && window.planmap.ready, null, { timeout: TIMEOUT });
  await page.evaluate(() => window.planmap.ready);
}

/** Waits until the basemap source has loaded the tiles in view (or the map is idle). */
async function tilesIn(page, which = 'map') {
  await page.waitForFunction((w) => {
    const m = w === 'editor' ? window.planmapEdit && window.planmapEdit.map : window.planmap && window.planmap.map;
    return m && m.getSource('basemap-tiles') && m.isSourceLoaded('basemap-tiles') && m.areTilesLoaded();
  }, which, { timeout: TIMEOUT });
  await page.waitForTimeout(300);
}

function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: path.join(SHOTS, name) });
}

test('the map page opens on the first configured basemap, proxied, without the key', { timeout: 4 * TIMEOUT }, async () => {
  const { page, context, requests } = await open(planmap, '/?map=11.5/27.88/121.08');
  await mapReady(page);
  await tilesIn(page);
  const options = await page.$$eval('#basemap-select option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options.map((o) => o[0]), ['outline', 'imagery', 'offline', 'amap', 'broken']);
  assert.equal(options[0][1], '离线轮廓');
  assert.equal(await page.$eval('#basemap-select', (s) => s.value), 'imagery');
  assert.ok(await page.evaluate(() => window.planmap.map.getLayer('basemap-raster') != null));
  assert.ok(stubHits.wmts > 0, 'the server fetched imagery from the stub');
  const tileReqs = requests.filter((u) => u.includes('/basemap/imagery/'));
  assert.ok(tileReqs.length > 0, 'the page asked planmap for the tiles');
  assert.ok(requests.every((u) => !u.includes(KEY) && !u.includes(`:${stub.address().port}`)), 'no request carries the key or goes to the stub');
  const attrib = await page.$eval('.maplibregl-ctrl-attrib-inner', (e) => e.textContent);
  assert.match(attrib, /天地图 stub/);
  // The projects are still drawn over the imagery.
  assert.ok((await page.evaluate(() => window.planmap.renderedProjectIds())).length > 0);
  await shot(page, 'basemap-map-imagery.png');
  // The PNG download carries the imagery and its credit.
  const pngBytes = await page.evaluate(async () => {
    const blob = await window.planmap.mapPng();
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  fs.writeFileSync(path.join(SHOTS, 'basemap-map-imagery-download.png'), Buffer.from(pngBytes));
  assert.ok(pngBytes.length > 10000);
  await context.close();
});

test('the choice is kept in the URL and local storage; the offline PMTiles draws', { timeout: 4 * TIMEOUT }, async () => {
  const { page, context } = await open(planmap, '/?map=11.5/27.88/121.08');
  await mapReady(page);
  await page.selectOption('#basemap-select', 'offline');
  await tilesIn(page);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('basemap') === 'offline');
  assert.equal(await page.evaluate(() => localStorage.getItem('planmap.basemap')), 'offline');
  const attrib = await page.$eval('.maplibregl-ctrl-attrib-inner', (e) => e.textContent);
  assert.match(attrib, /离线影像（测试）/, 'the archive\'s own credit');
  await shot(page, 'basemap-map-offline-pmtiles.png');
  // A fresh page without the parameter comes back to the stored choice.
  const second = await open(planmap, '/?map=11.5/27.88/121.08', { storage: { 'planmap.basemap': 'offline' } });
  await mapReady(second.page);
  assert.equal(await second.page.$eval('#basemap-select', (s) => s.value), 'offline');
  // The outline brings the page back to the offline look.
  await second.page.selectOption('#basemap-select', 'outline');
  assert.equal(await second.page.evaluate(() => window.planmap.map.getSource('basemap-tiles')), undefined);
  assert.equal(await second.page.evaluate(() => window.planmap.map.getLayoutProperty('land2017', 'visibility')), 'visible');
  await second.context.close();
  await context.close();
});

test('a GCJ-02 source shows its offset warning; a failing service shows a notice', { timeout: 4 * TIMEOUT }, async () => {
  const { page, context } = await open(planmap, '/?basemap=amap&map=11.5/27.88/121.08');
  await mapReady(page);
  await tilesIn(page);
  const warning = page.locator('.basemap-warning');
  assert.ok(await warning.isVisible());
  assert.match(await warning.textContent(), /GCJ-02 坐标.*500 米/);
  await shot(page, 'basemap-map-gcj02-warning.png');
  await page.selectOption('#basemap-select', 'broken');
  assert.ok(!(await warning.isVisible()), 'the warning goes with the offset source');
  const notice = page.locator('.basemap-notice');
  await notice.waitFor({ state: 'visible' });
  assert.match(await notice.textContent(), /故障服务/);
  assert.ok(stubHits.fail > 0);
  // The map itself still works: projects drawn, no page error.
  assert.ok((await page.evaluate(() => window.planmap.renderedProjectIds())).length > 0);
  await shot(page, 'basemap-map-upstream-notice.png');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the editor has the same switcher', { timeout: 4 * TIMEOUT }, async () => {
  const { page, context } = await open(planmap, '/edit.html?basemap=imagery');
  await page.waitForSelector('#basemap-select');
  await page.evaluate(() => window.planmapEdit.map.jumpTo({ center: [121.08, 27.88], zoom: 12 }));
  await tilesIn(page, 'editor');
  const options = await page.$$eval('#basemap-select option', (os) => os.map((o) => o.value));
  assert.deepEqual(options, ['outline', 'imagery', 'offline', 'amap', 'broken']);
  assert.match(await page.$eval('.maplibregl-ctrl-attrib-inner', (e) => e.textContent), /天地图 stub/);
  await shot(page, 'basemap-editor-imagery.png');
  await page.selectOption('#basemap-select', 'offline');
  await tilesIn(page, 'editor');
  await shot(page, 'basemap-editor-offline.png');
  await context.close();
});

test('without a configuration the page is unchanged: no switcher, nothing but the outline', { timeout: 4 * TIMEOUT }, async () => {
  const res = await fetch(new URL('/basemaps.json', BASE));
  assert.deepEqual(await res.json(), { basemaps: [] });
  const { page, context, requests } = await open(BASE.origin, '/');
  await mapReady(page);
  assert.equal(await page.$('#basemap-select'), null);
  assert.equal(await page.evaluate(() => window.planmap.map.getSource('basemap-tiles')), undefined);
  assert.ok(!new URL(page.url()).searchParams.has('basemap'));
  assert.ok(requests.every((u) => new URL(u).origin === BASE.origin || u.startsWith('data:') || u.startsWith('blob:')));
  await context.close();
});
