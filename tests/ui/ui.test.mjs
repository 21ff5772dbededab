// SPDX-License-Identifier: MIT
// ui.test.mjs - end-to-end tests of the web UI in headless Chromium (Debian's chromium,
// driven by playwright-core). Run by tests/integration/t900-ui.sh against a real server
// with the demo data; every check compares what the page shows with what the API says.
//
//   node tests/ui/ui.test.mjs --url http://127.0.0.1:PORT --chromium /usr/lib/chromium/chromium \
//        --artifacts tests/artifacts/ui/release --tmp /tmp/dir --key ADMIN_KEY --analyst-key ANALYST_KEY
//
// Prints "ok - ..." / "not ok - ..." per step and exits 1 if any failed, 3 if Chromium
// cannot start. Screenshots of every tab (and of failures) go to --artifacts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('../../node_modules/playwright-core');

const arg = (k, d) => { const i = process.argv.indexOf('--' + k); return i > 0 ? process.argv[i + 1] : d; };
// a real admin key (the server refuses unknown keys even on loopback), and an analyst's
const KEY = arg('key', '');
const ANALYST_KEY = arg('analyst-key', '');
const URL = arg('url');
const ART = arg('artifacts', 'tests/artifacts/ui');
const TMP = arg('tmp', '/tmp');
const CHROMIUM = arg('chromium', '/usr/lib/chromium/chromium');
if (!URL) { console.error('usage: ui.test.mjs --url URL [--chromium PATH] [--artifacts DIR] [--tmp DIR]'); process.exit(2); }
mkdirSync(ART, { recursive: true });

// ---- the API, from node (no key: admin on loopback; or with a key) ----
const keyed = (key) => (key ? { 'X-API-Key': key } : {});
async function getJSON(path, key) {
  const r = await fetch(URL + path, { headers: keyed(key) });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}
async function postJSON(path, body, key) {
  const r = await fetch(URL + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...keyed(key) }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${JSON.stringify(j)}`);
  return j;
}
/** {status, body} of a call that may fail. */
async function callJSON(method, path, body, key) {
  const r = await fetch(URL + path, { method, headers: { 'Content-Type': 'application/json', ...keyed(key) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}
const sqlRows = async (q) => (await postJSON('/query/sql', { sql: q, limit: 0 })).rows;
const fmt = (n) => Number(n).toLocaleString('en-US');

// ---- test files ----
const TOPICS = [
  'Vector search with HNSW graphs finds nearest neighbours of embeddings quickly. Note %d explains recall and ef.',
  'Parquet files store columns compressed with zstd; DuckDB reads them fast. Note %d covers row groups.',
  'Our hiring plan adds engineers in Oslo and Lima this quarter. Memo %d lists salaries and dates.',
];
const NOTES = 90;
const notesCsv = ['id,team,contact,body'];
for (let i = 1; i <= NOTES; i++) notesCsv.push(`${i},team${i % 4},person${i}@example.com,"${TOPICS[i % 3].replace('%d', i)}"`);
const notesPath = join(TMP, 'ui_notes.csv');
writeFileSync(notesPath, notesCsv.join('\n') + '\n');
const notes2 = ['id,team,contact,body,priority'];
for (let i = NOTES + 1; i <= NOTES + 10; i++) notes2.push(`${i},team${i % 4},person${i}@example.com,"${TOPICS[i % 3].replace('%d', i)}",${i % 3}`);
const notes2Path = join(TMP, 'ui_notes_more.csv');
writeFileSync(notes2Path, notes2.join('\n') + '\n');
const emptyPath = join(TMP, 'empty.csv');
writeFileSync(emptyPath, '');

// ---- browser ----
let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
} catch (e) {
  console.log(`not ok - Chromium could not start (${CHROMIUM}): ${String(e.message).split('\n')[0]}`);
  process.exit(3);
}
const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, acceptDownloads: true });
const page = await context.newPage();
page.setDefaultTimeout(25000);
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  // A 4xx the test provokes is logged by Chromium as "Failed to load resource": expected.
  if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
});

let failed = 0, passed = 0;
const MAX_FAILURES = 4; // past this, later steps would only time out one after the other
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${String(e.message).split('\n').slice(0, 6).join(' | ')}`);
    await page.screenshot({ path: join(ART, `FAILED-${slug(name)}.png`), fullPage: true }).catch(() => {});
    if (failed >= MAX_FAILURES) {
      console.log(`# stopping after ${failed} failures`);
      console.log(problems.map((p) => `# ${p}`).join('\n'));
      await browser.close().catch(() => {});
      process.exit(1);
    }
  }
}
const shot = (name) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });

async function tab(name) {
  await page.getByRole('tab', { name, exact: true }).click();
  await page.waitForFunction((n) => {
    const t = [...document.querySelectorAll('[role=tab]')].find((b) => b.textContent === n);
    return t && t.getAttribute('aria-selected') === 'true' && !document.getElementById(t.getAttribute('aria-controls')).hidden;
  }, name);
}

/** Every visible control of the open tab has an accessible name. */
async function assertLabelled() {
  const bad = await page.evaluate(() => {
    const out = [];
    const root = document.querySelector('[role=tabpanel]:not([hidden])');
    for (const el of root.querySelectorAll('input, select, textarea, button')) {
      if (el.type === 'hidden' || el.closest('[hidden]') || !el.getClientRects().length) continue;
      const name = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') ||
        (el.labels && [...el.labels].map((l) => l.textContent).join(' ').trim()) ||
        (el.tagName === 'BUTTON' && el.textContent.trim()) || el.title;
      if (!name) out.push(el.outerHTML.slice(0, 100));
    }
    return out;
  });
  assert.deepEqual(bad, [], 'controls without a label');
}

/** Text of the header and the open tab meets WCAG AA contrast (4.5:1; 3:1 for large text). */
async function assertContrast() {
  const bad = await page.evaluate(() => {
    const rgb = (s) => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
    const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
    const bgOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const out = [];
    const roots = [document.querySelector('.topbar'), document.querySelector('[role=tabpanel]:not([hidden])')];
    let n = 0;
    for (const root of roots) {
      for (const el of root.querySelectorAll('*')) {
        if (n > 1500) break;
        const own = [...el.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
        if (!own || !el.getClientRects().length || el.closest('svg, [hidden], [aria-hidden=true]')) continue;
        const cs = getComputedStyle(el);
        const fg = rgb(cs.color);
        if (!fg || fg.a < 0.5 || parseFloat(cs.opacity) < 1 || el.disabled || el.closest(':disabled')) continue;
        n++;
        const bg = bgOf(el);
        const l1 = lum(fg), l2 = lum(bg);
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        const large = parseFloat(cs.fontSize) >= 24 || (parseFloat(cs.fontSize) >= 18.66 && Number(cs.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) out.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
      }
    }
    return out.slice(0, 10);
  });
  assert.deepEqual(bad, [], 'text below the WCAG AA contrast ratio');
}

const sqlIdle = () => page.waitForFunction(() => !document.querySelector('#sql-run').disabled);
async function runSql(q) {
  await page.fill('#sql-input', q);
  await page.click('#sql-run');
  await sqlIdle();
}
const gridHeaders = () => page.$$eval('#sql-grid .grid-head [role=columnheader]', (els) => els.slice(1).map((e) => [e.querySelector('.cname').textContent, e.querySelector('.ctype').textContent]));
const gridRows = () => page.$$eval('#sql-grid .grid-row:not([hidden])', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));

// ---------------------------------------------------------------------------

const health = await getJSON('/health');
const openapi = await getJSON('/openapi.json');
const govRoutes = Object.keys(openapi.paths).filter((p) => /^\/access\//.test(p));

await step('the UI loads from / with every tab', async () => {
  const res = await page.goto(URL + '/');
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
  await page.waitForSelector('table.datasets');
  const tabs = await page.$$eval('[role=tab]', (ts) => ts.filter((t) => !t.hidden).map((t) => t.textContent));
  const want = ['Explore', 'SQL', 'Search & Ask', 'Ingest', 'Indexes & Jobs', 'Governance', 'System'];
  assert.deepEqual(tabs, want);
  assert.equal(await page.title(), 'Explore · lakehouse');
});

await step('the Governance tab is shown: the API offers the /access routes', async () => {
  assert.ok(govRoutes.includes('/access/whoami') && govRoutes.includes('/access/keys'), govRoutes.join(' '));
  assert.equal(await page.$eval('#tab-governance', (t) => t.hidden), false);
});

await step('tabs work with the keyboard (arrows, Home, End; roving tabindex)', async () => {
  await page.focus('#tab-explore');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.activeElement.id === 'tab-sql' && document.activeElement.getAttribute('aria-selected') === 'true');
  assert.equal(await page.$eval('#panel-sql', (p) => p.hidden), false);
  assert.deepEqual(await page.$$eval('[role=tab]', (ts) => ts.filter((t) => t.tabIndex === 0).map((t) => t.id)), ['tab-sql']);
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.activeElement.id === 'tab-system');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.activeElement.id === 'tab-explore' && location.hash === '#/explore');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => document.activeElement.id === 'tab-system');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.activeElement.id === 'tab-explore');
});

await step('sign-in stores an API key and every request sends it as X-API-Key', async () => {
  await page.click('#signin-open');
  await page.waitForSelector('#signin[open]');
  await page.fill('#signin-key', KEY);
  const req = page.waitForRequest((r) => r.url().includes('/catalog/datasets'));
  await page.click('#signin-submit');
  assert.equal((await req).headers()['x-api-key'], KEY);
  assert.equal(await page.textContent('#auth-state'), 'Signed in with an API key');
  await page.waitForSelector('#auth-role[data-role="admin"]:not([hidden])');
  assert.equal(await page.textContent('#auth-role'), 'role: admin');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('lh.apiKey')), KEY);
});

await step('a 401 reply opens the sign-in dialog', async () => {
  await page.route('**/system', (r) => r.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthorized","message":"API key required"}}' }));
  await tab('System');
  await page.waitForSelector('#signin[open]');
  assert.match(await page.textContent('#signin-reason'), /401.*API key required/);
  await page.click('#signin-cancel');
  await page.unroute('**/system');
  await tab('Explore');
});

// ---- Explore ----
const datasets = (await getJSON('/catalog/datasets')).datasets;

await step('Explore lists every dataset with the API row counts, freshness and tags', async () => {
  await page.waitForSelector('table.datasets');
  for (const d of datasets) {
    const cell = page.locator(`table.datasets tr:has(a[data-dataset="${d.name}"]) [data-rows]`);
    assert.equal(await cell.getAttribute('data-rows'), String(d.rows), d.name);
    assert.equal(await cell.textContent(), fmt(d.rows), d.name);
  }
  const total = datasets.reduce((a, d) => a + d.rows, 0);
  assert.match(await page.textContent('#explore-summary'), new RegExp(`^${datasets.length} datasets · ${fmt(total)} rows`));
  const tags = await page.locator('table.datasets tr:has(a[data-dataset="placements"]) .badge.tag').allTextContents();
  assert.deepEqual(tags, ['demo', 'hr']);
  assert.match(await page.locator('table.datasets tr:has(a[data-dataset="candidates"])').textContent(), /ago|just now/);
  await page.fill('#explore-filter', 'time');
  assert.equal(await page.locator('table.datasets tbody tr').count(), 1);
  await page.fill('#explore-filter', '');
  await assertLabelled();
  await assertContrast();
  await shot('explore');
});

await step('a dataset page: schema with PII and sensitivity, sample rows', async () => {
  const d = await getJSON('/catalog/datasets/candidates');
  await page.click('a[data-dataset="candidates"]');
  await page.waitForFunction(() => location.hash === '#/explore/candidates');
  await page.waitForSelector('table.schema');
  assert.equal(await page.locator('table.schema tbody tr').count(), d.columns.length);
  const email = page.locator('table.schema tbody tr', { hasText: 'email' }).first();
  assert.equal(await email.locator('.badge.pii').textContent(), 'email');
  assert.equal(await email.locator('.badge.s-confidential').textContent(), 'confidential');
  assert.equal(await page.getAttribute('#ds-facts [data-rows]', 'data-rows'), String(d.rows));
  await page.waitForSelector('#panel-explore .grid[data-rows="20"]');
  const heads = await page.$$eval('#panel-explore .grid .grid-head [role=columnheader]', (els) => els.slice(1, 3).map((e) => e.textContent));
  assert.deepEqual(heads, ['candidate_idBIGINT', 'first_nameVARCHAR']);
  const first = await sqlRows('SELECT candidate_id, first_name FROM candidates LIMIT 1');
  const cells = await page.$$eval('#panel-explore .grid .grid-row:not([hidden])', (rows) => [...rows[0].children].slice(1, 3).map((c) => c.textContent));
  assert.deepEqual(cells, [String(first[0][0]), first[0][1]]);
});

await step('a dataset page: per-column statistics and histograms match SQL', async () => {
  await page.waitForSelector('#stats[aria-busy="false"]', { timeout: 40000 });
  assert.equal(await page.locator('#stats .alert').count(), 0, 'statistics failed');
  const [[nn, lo, hi]] = await sqlRows('SELECT count(years_experience), min(years_experience), max(years_experience) FROM candidates');
  const row = page.locator('table.stats tr:has([data-col="years_experience"])');
  assert.equal(await row.locator('[data-nonnull]').getAttribute('data-nonnull'), String(nn));
  assert.equal(await row.locator('[data-min]').getAttribute('data-min'), String(lo));
  assert.equal(await row.locator('[data-max]').getAttribute('data-max'), String(hi));
  const hist = row.locator('svg.hist');
  assert.equal(await hist.getAttribute('data-total'), String(nn), 'histogram counts every value');
  assert.ok(Number(await hist.getAttribute('data-bins')) >= 8);
  const [[city, cnt]] = await sqlRows('SELECT city, count(*) AS n FROM candidates GROUP BY city ORDER BY n DESC, city LIMIT 1');
  const top = page.locator('table.stats tr:has([data-col="city"]) .bar-row').first();
  assert.equal(await top.locator('.lbl').textContent(), city);
  assert.equal(await top.locator('.cnt').textContent(), fmt(cnt));
  const ts = page.locator('table.stats tr:has([data-col="created_at"]) svg.hist');
  assert.equal(await ts.getAttribute('data-total'), String(nn), 'timestamps get a histogram too');
  await assertLabelled();
  await assertContrast();
});

await step('a dataset page: lineage (children, files) and schema history', async () => {
  const lin = await getJSON('/catalog/datasets/candidates/lineage');
  assert.deepEqual(await page.locator('.lineage-children a').allTextContents(), lin.children);
  assert.ok(lin.children.includes('placements'));
  assert.equal(await page.locator('ol.versions li[data-version="1"]').count(), 1);
  assert.match(await page.locator('#panel-explore').textContent(), new RegExp(lin.files[0].key));
  await shot('explore-dataset');
  await page.click('.lineage-children a:text-is("placements")');
  await page.waitForFunction(() => location.hash === '#/explore/placements');
  await page.waitForSelector('.lineage-parents');
  assert.deepEqual(await page.locator('.lineage-parents a').allTextContents(), ['candidates', 'job_orders']);
});

// ---- SQL ----
await step('SQL: a query shows typed columns and the rows the API returns', async () => {
  await tab('SQL');
  const q = 'SELECT city, count(*) AS n, avg(desired_salary) AS avg_salary FROM candidates GROUP BY city ORDER BY n DESC, city LIMIT 5';
  await runSql(q);
  const api = await postJSON('/query/sql', { sql: q });
  assert.deepEqual(await gridHeaders(), api.columns.map((c) => [c.name, c.type]));
  const rows = await gridRows();
  assert.equal(rows.length, 5);
  assert.deepEqual(rows.map((r) => r.slice(1, 3)), api.rows.map((r) => [r[0], String(r[1])]));
  assert.equal(await page.$eval('#sql-grid .grid-row [role=gridcell]:nth-child(3)', (c) => getComputedStyle(c).textAlign), 'right');
  assert.match(await page.textContent('#sql-status'), /^5 rows/);
  await assertLabelled();
  await assertContrast();
});

await step('SQL: a large result pages by 10,000 and renders only the rows in view', async () => {
  await page.selectOption('#sql-page-size', '10000');
  const q = 'SELECT timesheet_id, placement_id, hours FROM timesheets ORDER BY timesheet_id';
  await runSql(q);
  const [[total]] = await sqlRows('SELECT count(*) FROM timesheets');
  await page.waitForSelector(`#sql-status[data-total="${total}"]`);
  assert.equal(await page.getAttribute('#sql-grid', 'data-rows'), '10000');
  assert.equal(await page.textContent('#sql-page'), `Page 1 of ${fmt(Math.ceil(total / 10000))}`);
  assert.ok((await page.$$('#sql-grid .grid-row')).length < 100, 'the DOM holds only the visible rows');
  await page.$eval('#sql-grid', (g) => { g.scrollTop = g.scrollHeight; });
  await page.waitForSelector('#sql-grid .grid-row[aria-rowindex="10001"]:not([hidden])');
  const [[id10k]] = await sqlRows(`${q} LIMIT 1 OFFSET 9999`);
  assert.equal(await page.textContent('#sql-grid .grid-row[aria-rowindex="10001"] [role=gridcell]'), String(id10k));
  await page.getByRole('button', { name: 'Next page' }).click();
  await sqlIdle();
  await page.waitForSelector('#sql-page[data-page="2"]');
  const [[id]] = await sqlRows(`${q} LIMIT 1 OFFSET 10000`);
  const r0 = (await gridRows())[0];
  assert.deepEqual([r0[0], r0[1]], ['10001', String(id)]);
  await shot('sql');
});

await step('SQL: a 100,000-row page loads fast and scrolls to any row', async () => {
  await page.selectOption('#sql-page-size', '100000');
  const t0 = Date.now();
  await runSql('SELECT * FROM timesheets ORDER BY timesheet_id');
  const ms = Date.now() - t0;
  assert.equal(await page.getAttribute('#sql-grid', 'data-rows'), '100000');
  assert.ok((await page.$$('#sql-grid .grid-row')).length < 100);
  await page.$eval('#sql-grid', (g) => { g.scrollTop = 50000 * 28; });
  await page.waitForSelector('#sql-grid .grid-row[aria-rowindex="50002"]:not([hidden])');
  const [[id]] = await sqlRows('SELECT timesheet_id FROM timesheets ORDER BY timesheet_id LIMIT 1 OFFSET 50000');
  assert.equal(await page.textContent('#sql-grid .grid-row[aria-rowindex="50002"] [role=gridcell]'), String(id));
  const t1 = Date.now();
  for (let i = 0; i < 20; i++) await page.$eval('#sql-grid', (g, k) => { g.scrollTop = (k * 4999) * 28; }, i);
  const scrollMs = Date.now() - t1;
  console.log(`# 100,000 rows x 7 columns: query + transfer + render ${ms} ms; 20 jumps ${scrollMs} ms`);
  assert.ok(ms < 30000, `took ${ms} ms`);
  await page.selectOption('#sql-page-size', '10000');
});

await step('SQL: a DuckDB error is shown at its line and column', async () => {
  const q = 'SELECT city,\n       nope\nFROM candidates';
  await runSql(q);
  const msg = await page.textContent('#sql-error .alert');
  assert.match(msg, /Binder Error: Referenced column "nope" not found/);
  assert.equal(await page.getAttribute('#sql-error', 'data-line'), '2');
  assert.equal(await page.getAttribute('#sql-error', 'data-col'), '8');
  assert.equal(await page.textContent('.gutter div.err'), '2');
  assert.equal(await page.textContent('mark.sql-error-mark'), 'nope');
  assert.deepEqual(await page.$eval('#sql-input', (t) => [t.selectionStart, t.selectionEnd, t.getAttribute('aria-invalid')]), [q.indexOf('nope'), q.indexOf('nope') + 4, 'true']);
  await shot('sql-error');
  // A long line is shown by DuckDB as a window ("LINE 1: ...text..."): still found.
  const long = `SELECT ${Array.from({ length: 25 }, (_, i) => `${i} AS c${i}`).join(', ')}, nope2 FROM candidates`;
  await runSql(long);
  assert.equal(await page.textContent('mark.sql-error-mark'), 'nope2');
  assert.equal(await page.getAttribute('#sql-error', 'data-col'), String(long.indexOf('nope2') + 1));
  await page.fill('#sql-input', 'SELECT 1');
  assert.equal(await page.locator('mark.sql-error-mark').count(), 0, 'editing clears the mark');
});

await step('SQL: Cancel stops a running query', async () => {
  await page.fill('#sql-input', 'SELECT count(*) FROM range(100000000000)');
  await page.click('#sql-run');
  await page.waitForTimeout(600);
  assert.equal(await page.$eval('#sql-cancel', (b) => b.disabled), false);
  await page.click('#sql-cancel');
  await sqlIdle();
  assert.equal(await page.textContent('#sql-status'), 'Canceled.');
});

await step('SQL: export CSV and Parquet downloads the whole result', async () => {
  const q = 'SELECT city, count(*) AS n FROM candidates GROUP BY city ORDER BY city';
  await runSql(q);
  const api = await sqlRows(q);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#sql-export-csv')]);
  assert.equal(dl.suggestedFilename(), 'result.csv');
  const lines = readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
  assert.equal(lines[0], 'city,n');
  assert.equal(lines.length, api.length + 1);
  assert.equal(lines[1], `${api[0][0]},${api[0][1]}`);
  const [pq] = await Promise.all([page.waitForEvent('download'), page.click('#sql-export-parquet')]);
  assert.equal(pq.suggestedFilename(), 'result.parquet');
  assert.equal(readFileSync(await pq.path()).subarray(0, 4).toString(), 'PAR1');
});

await step('SQL: the query history survives a reload (localStorage)', async () => {
  const hist = await page.locator('#sql-history button').allTextContents();
  assert.ok(hist.includes('SELECT city, count(*) AS n FROM candidates GROUP BY city ORDER BY city'), hist.join(' | '));
  await page.reload();
  await tab('SQL');
  await page.waitForSelector('#sql-history button');
  const again = await page.locator('#sql-history button').allTextContents();
  assert.deepEqual(again, hist);
  await page.locator('#sql-history button').first().click();
  assert.equal(await page.inputValue('#sql-input'), 'SELECT city, count(*) AS n FROM candidates GROUP BY city ORDER BY city');
});

// ---- Ingest ----
await step('Ingest: upload by the file input, with progress, rows and PII per file', async () => {
  await tab('Ingest');
  await assertLabelled();
  await page.setInputFiles('#ingest-file', [notesPath, emptyPath]);
  const ok = page.locator('li.upload[data-file="ui_notes.csv"]');
  const bad = page.locator('li.upload[data-file="empty.csv"]');
  await page.waitForSelector('li.upload[data-file="ui_notes.csv"][data-status]');
  await page.waitForSelector('li.upload[data-file="empty.csv"][data-status]');
  assert.equal(await ok.getAttribute('data-status'), 'ok');
  assert.equal(await ok.locator('progress').evaluate((p) => p.value), 100);
  const text = await ok.textContent();
  assert.match(text, new RegExp(`${NOTES} rows in`));
  assert.equal(await ok.locator('a[data-dataset]').textContent(), 'ui_notes');
  assert.match(await ok.locator('.pii-found').textContent(), /contact: email/);
  assert.equal(await bad.getAttribute('data-status'), 'error');
  assert.match(await bad.locator('.alert').textContent(), /empty/);
  const d = await getJSON('/catalog/datasets/ui_notes');
  assert.equal(d.rows, NOTES);
  assert.equal(d.columns.find((c) => c.name === 'contact').pii, 'email');
});

await step('Ingest: append with a new column reports the schema change', async () => {
  await page.fill('#ingest-name', 'ui_notes');
  await page.selectOption('#ingest-mode', 'append');
  await page.setInputFiles('#ingest-file', [notes2Path]);
  await page.waitForSelector('li.upload[data-file="ui_notes_more.csv"][data-status]');
  const it = page.locator('li.upload[data-file="ui_notes_more.csv"]');
  assert.equal(await it.getAttribute('data-status'), 'ok', await it.textContent());
  assert.match(await it.textContent(), /10 rows in \(100 in total\)/);
  assert.match(await it.textContent(), /Schema changes:\s*added/);
  await page.fill('#ingest-name', '');
  await page.selectOption('#ingest-mode', 'create');
});

await step('Ingest: drag and drop a file', async () => {
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['[{"kind":"a","n":1},{"kind":"b","n":2},{"kind":"c","n":3}]'], 'ui_events.json', { type: 'application/json' }));
    const zone = document.getElementById('ingest-drop');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForSelector('li.upload[data-file="ui_events.json"][data-status="ok"]');
  assert.match(await page.locator('li.upload[data-file="ui_events.json"]').textContent(), /3 rows in/);
  await assertContrast();
  await shot('ingest');
});

await step('Explore: the appended schema change shows in the schema history', async () => {
  await page.goto(URL + '/#/explore/ui_notes');
  await page.waitForSelector('ol.versions li[data-version="2"]');
  assert.match(await page.locator('ol.versions li[data-version="2"]').textContent(), /added priority/);
});

// ---- Indexes & Jobs ----
await step('Jobs: a build shows live progress with rate and ETA, and Cancel stops it', async () => {
  await tab('Indexes & Jobs');
  await assertLabelled();
  await page.waitForSelector('#ix-dataset option[value="candidates"]', { state: 'attached' });
  await page.selectOption('#ix-dataset', 'candidates');
  assert.equal(await page.inputValue('#ix-text'), 'resume_text');
  assert.equal(await page.inputValue('#ix-id'), 'candidate_id');
  await page.fill('#ix-name', 'ui_big');
  await page.click('#ix-build');
  await page.waitForFunction(() => {
    const tr = [...document.querySelectorAll('table.jobs tbody tr')].find((r) => r.textContent.includes('ui_big'));
    return tr && tr.querySelector('.job-state').dataset.state === 'running' && Number(tr.querySelector('.job-rate').dataset.rate) > 0 && tr.querySelector('.job-eta').dataset.eta !== '';
  }, null, { timeout: 60000, polling: 200 });
  const tr = page.locator('table.jobs tbody tr', { hasText: 'ui_big' });
  assert.ok(Number(await tr.locator('progress').evaluate((p) => p.value)) > 0);
  assert.match(await tr.locator('.job-count').textContent(), /^[\d,]+ \/ 100,000 \(\d+ %\)$/);
  await shot('jobs-progress');
  await page.click('button[aria-label="Cancel job ui_big"]');
  await page.waitForFunction(() => {
    const r = [...document.querySelectorAll('table.jobs tbody tr')].find((x) => x.textContent.includes('ui_big'));
    return r && r.querySelector('.job-state').dataset.state === 'canceled';
  }, null, { timeout: 60000 });
  const jobs = (await getJSON('/vectors/jobs')).jobs;
  assert.equal(jobs.find((j) => j.target === 'ui_big').state, 'canceled');
});

await step('Indexes: build one from the form; the registry shows embedder, dims and stats', async () => {
  await page.selectOption('#ix-dataset', 'ui_notes');
  await page.selectOption('#ix-text', 'body');
  await page.selectOption('#ix-id', 'id');
  await page.fill('#ix-name', 'ui_notes_body');
  await page.click('#ix-build');
  await page.waitForSelector('table.indexes tr:has([data-index="ui_notes_body"]) .badge.st-ready', { timeout: 60000 });
  const ix = await getJSON('/vectors/indexes/ui_notes_body');
  const row = page.locator('table.indexes tr:has([data-index="ui_notes_body"])');
  assert.match(await row.locator('.embedder').textContent(), new RegExp(`^${ix.embedder} · ${ix.model}`));
  assert.match(await row.textContent(), new RegExp(`${ix.dims}`));
  assert.match(await row.locator('.idx-stats').textContent(), new RegExp(`^${fmt(ix.stats.docs)} docs · ${fmt(ix.stats.chunks)} chunks`));
  assert.equal(ix.stats.docs, NOTES + 10);
});

await step('Indexes: evaluation shows recall per ef and the recall-vs-latency plot', async () => {
  await page.click('button[aria-label="Evaluate ui_notes_body"]');
  await page.waitForSelector('table.eval tbody tr');
  const recalls = await page.$$eval('table.eval [data-recall]', (els) => els.map((e) => Number(e.dataset.recall)));
  assert.equal(recalls.length, 5);
  for (const r of recalls) assert.ok(r >= 0.5 && r <= 1, `recall ${r}`);
  assert.equal(await page.locator('#eval svg.plot circle').count(), 5);
  assert.match(await page.getAttribute('#eval svg.plot', 'aria-label'), /ef 10 recall/);
  await assertContrast();
  await shot('indexes');
});

// ---- Search & Ask ----
await step('Search: keyword, semantic and hybrid hits match the API, with highlights', async () => {
  await tab('Search & Ask');
  await assertLabelled();
  await page.waitForSelector('#search-index option[value="ui_notes_body"]', { state: 'attached' });
  await page.selectOption('#search-index', 'ui_notes_body');
  for (const mode of ['keyword', 'vector', 'hybrid']) {
    await page.fill('#search-query', 'nearest neighbours graph');
    await page.check(`input[name=search-mode][value=${mode}]`);
    await page.fill('#search-k', '5');
    await page.fill('#search-filter', '');
    await page.click('#search-run');
    await page.waitForSelector('#search-summary');
    const api = await postJSON('/vectors/search', { index: 'ui_notes_body', query: 'nearest neighbours graph', mode, k: 5 });
    const ids = await page.$$eval('#search-hits li', (l) => l.map((x) => x.dataset.doc));
    assert.deepEqual(ids, api.hits.map((x) => x.doc_id), mode);
    await page.waitForFunction(() => !document.querySelector('#search-results').getAttribute('aria-busy') || document.querySelector('#search-results').getAttribute('aria-busy') === 'false');
  }
  const marks = await page.locator('#search-hits mark').allTextContents();
  assert.ok(marks.length > 0, 'query words are highlighted');
  for (const m of marks) assert.ok(['nearest', 'neighbours', 'graph', 'graphs'].includes(m.toLowerCase()) || /^(nearest|neighbours|graph)/i.test(m), m);
});

await step('Search: a SQL filter narrows the hits', async () => {
  await page.fill('#search-filter', "team = 'team1'");
  await page.fill('#search-k', '10');
  await page.check('input[name=search-mode][value=hybrid]');
  await page.click('#search-run');
  await page.waitForFunction(() => document.querySelector('#search-summary') && document.querySelectorAll('#search-hits li').length > 0);
  const api = await postJSON('/vectors/search', { index: 'ui_notes_body', query: 'nearest neighbours graph', mode: 'hybrid', k: 10, filter: "team = 'team1'" });
  const ids = await page.$$eval('#search-hits li', (l) => l.map((x) => x.dataset.doc));
  assert.deepEqual(ids, api.hits.map((x) => x.doc_id));
  assert.equal(ids.length, 10);
  for (const id of ids) assert.equal(Number(id) % 4, 1, `doc ${id} is in team1`);
  await shot('search');
});

await step('Ask: an answer with clickable citations', async () => {
  const question = 'how do we find nearest neighbours?';
  await page.fill('#ask-question', question);
  await page.click('#ask-run');
  await page.waitForSelector('#ask-answer');
  const api = await postJSON('/vectors/rag', { question, index: 'ui_notes_body', k: 5 });
  const docs = await page.$$eval('#ask-citations li', (l) => l.map((x) => x.dataset.doc));
  assert.deepEqual(docs, api.citations.map((c) => c.doc_id));
  assert.ok(await page.locator('#ask-answer a.cite-link').count() >= 1);
  await page.click('#ask-answer a.cite-link[data-cite="1"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cite-1');
  await page.locator('#ask-citations li').first().locator('button', { hasText: 'show row' }).click();
  await page.waitForFunction(() => location.hash === '#/sql');
  await sqlIdle();
  await page.waitForSelector('#sql-grid[data-rows="1"]');
  await tab('Search & Ask');
  await shot('ask');
});

// ---- Governance ----
const adminWho = await getJSON('/access/whoami', KEY);
const govSection = async (id) => {
  await page.click(`#gov-nav a[data-section="${id}"]`);
  await page.waitForSelector(`#gov-${id}:not([hidden])`);
  await page.waitForFunction((i) => location.hash === `#/governance/${i}`, id);
};
const gridCells = (sel) => page.$$eval(`${sel} .grid-row:not([hidden])`, (rows) => rows.map((r) => [...r.children].slice(1).map((c) => c.textContent)));
const gridText = (v) => (v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));

await step('Governance: who is signed in, with the role and its permissions', async () => {
  await tab('Governance');
  await page.waitForSelector('#gov-role');
  assert.equal(await page.getAttribute('#gov-role', 'data-role'), adminWho.role.name);
  assert.equal(await page.textContent('#gov-actor'), adminWho.actor);
  assert.equal(adminWho.actor, `key:${KEY.split('_')[1]}`);
  assert.deepEqual(await page.locator('#gov-whoami .badge.perm').allTextContents(), adminWho.role.permissions);
  assert.deepEqual(await page.$$eval('#gov-nav a', (as) => as.map((a) => a.textContent)),
    ['API keys', 'Roles', 'Views', 'Tombstones', 'Audit log', 'Model profiles']);
  assert.equal(await page.getAttribute('#gov-nav a[data-section="keys"]', 'aria-current'), 'page');
});

let webKey = '';
await step('Governance › API keys: a new key is shown once, then listed without its secret', async () => {
  await govSection('keys');
  await page.waitForSelector('#key-role option[value="analyst"]', { state: 'attached' });
  await page.fill('#key-name', 'ui-web-analyst');
  await page.selectOption('#key-role', 'analyst');
  await page.click('#key-create');
  await page.waitForSelector('#key-secret-box:not([hidden])');
  webKey = await page.inputValue('#key-secret');
  assert.match(webKey, /^lh_[0-9a-f]{12}_[0-9a-f]{40}$/);
  assert.match(await page.textContent('#key-secret-box'), /shown only once/);
  const id = webKey.split('_')[1];
  await page.waitForSelector(`table.keys [data-key-id="${id}"]`);
  const listed = (await getJSON('/access/keys')).keys;
  const k = listed.find((x) => x.id === id);
  assert.ok(k && k.name === 'ui-web-analyst' && k.role === 'analyst' && !k.revoked, JSON.stringify(k));
  assert.ok(!JSON.stringify(listed).includes(webKey.slice(16)), 'the API lists no secret');
  const ids = await page.$$eval('table.keys [data-key-id]', (els) => els.map((e) => e.dataset.keyId));
  assert.deepEqual(ids.sort(), listed.map((x) => x.id).sort());
  assert.ok(!(await page.textContent('table.keys')).includes(webKey.slice(16)), 'the table shows no secret');
  assert.equal((await getJSON('/access/whoami', webKey)).role.name, 'analyst', 'the key works');
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
  assert.ok(!stored.includes(webKey.slice(16)), 'the new key is not stored by the page');
  await assertLabelled();
  await assertContrast();
  await shot('governance-keys');
  await page.click('#key-done');
  assert.equal(await page.isHidden('#key-secret-box'), true);
  assert.ok(!(await page.content()).includes(webKey.slice(16)), 'after Done the key is gone from the page');
});

await step('Governance › API keys: Revoke asks first; Cancel keeps the key, confirming revokes it', async () => {
  const id = webKey.split('_')[1];
  const btn = `button[aria-label="Revoke key ui-web-analyst (${id})"]`;
  await page.click(btn);
  await page.waitForSelector('#confirm[open]');
  assert.match(await page.textContent('#confirm'), /stops working at once/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-cancel', 'Cancel has the focus');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#confirm', { state: 'detached' });
  assert.equal((await getJSON('/access/keys')).keys.find((x) => x.id === id).revoked, false);
  await page.click(btn);
  await page.click('#confirm-ok');
  await page.waitForSelector(`table.keys tr:has([data-key-id="${id}"]) .badge.st-failed`);
  assert.equal((await getJSON('/access/keys')).keys.find((x) => x.id === id).revoked, true);
  assert.equal((await callJSON('GET', '/access/whoami', undefined, webKey)).status, 401, 'a revoked key is refused');
});

await step('Governance › Roles: a custom role from the form is what GET /access/roles returns', async () => {
  await govSection('roles');
  await page.waitForSelector('table.roles [data-role-name="agent"]');
  await page.waitForSelector('#role-datasets input[value="candidates"]');
  await page.fill('#role-name', 'ui_support');
  await page.check('#role-perms input[value="search"]');
  await page.check('#role-datasets input[value="candidates"]');
  await page.check('#role-views input[value="*"]');
  await page.selectOption('#role-mask-confidential', 'hash');
  await page.selectOption('#role-mask-restricted', 'null');
  await page.click('#role-pii summary');
  await page.selectOption('#role-pii-email', 'null');
  await page.click('#role-save');
  await page.waitForSelector('table.roles [data-role-name="ui_support"]');
  assert.match(await page.textContent('#role-msg'), /Role ui_support saved/);
  const r = (await getJSON('/access/roles')).roles.find((x) => x.name === 'ui_support');
  assert.ok(r, 'the role exists');
  assert.deepEqual(r.permissions, ['read', 'query', 'search']);
  assert.deepEqual(r.datasets, ['candidates']);
  assert.deepEqual(r.views, ['*']);
  assert.equal(r.builtin, false);
  assert.deepEqual([r.masks.public, r.masks.internal, r.masks.confidential, r.masks.restricted, r.masks.email], ['show', 'show', 'hash', 'null', 'null']);
  const row = await page.locator('table.roles tr:has([data-role-name="ui_support"])').textContent();
  assert.match(row, /candidates/);
  assert.match(row, /confidential: hash/);
  assert.match(row, /email: null/);
  await assertLabelled();
  await assertContrast();
  await shot('governance-roles');
});

const VIEW = 'ui_cand_ca';
const VIEW_COLS = ['candidate_id', 'first_name', 'email', 'phone', 'city', 'state'];
await step('Governance › Views: a bad row filter shows the API\'s error next to the field', async () => {
  await govSection('views');
  await page.selectOption('#view-dataset', 'candidates');
  await page.waitForSelector('#view-columns tr[data-col="resume_text"]');
  await page.fill('#view-name', VIEW);
  await page.fill('#view-filter', 'no_such_col = 1');
  await page.click('#view-save');
  await page.waitForSelector('#view-filter-error [role=alert]');
  const api = await callJSON('POST', '/catalog/views', { name: VIEW, dataset: 'candidates', filter: 'no_such_col = 1' });
  assert.equal(api.status, 400);
  assert.equal(await page.textContent('#view-filter-error'), api.body.error.message);
  assert.match(api.body.error.message, /invalid filter/);
  assert.equal(await page.getAttribute('#view-filter', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'view-filter');
  assert.equal((await callJSON('GET', `/catalog/views/${VIEW}`)).status, 404, 'nothing was saved');
});

await step('Governance › Views: the live preview as agent is masked exactly as the API masks it', async () => {
  for (const b of await page.$$('#view-columns input.view-inc')) {
    const col = await b.getAttribute('data-col');
    if (VIEW_COLS.includes(col)) await b.check(); else await b.uncheck();
  }
  await page.selectOption('#view-redact-phone', 'hash');
  await page.fill('#view-filter', "state = 'CA'");
  await page.selectOption('#view-role', 'agent');
  await page.click('#view-save');
  await page.waitForSelector(`#view-grid[data-view="${VIEW}"][data-role="agent"]`);
  assert.equal(await page.textContent('#view-filter-error'), '');
  const def = await getJSON(`/catalog/views/${VIEW}`);
  assert.deepEqual([def.dataset, def.columns, def.filter, def.redact], ['candidates', VIEW_COLS, "state = 'CA'", { phone: 'hash' }]);
  const q = `SELECT * FROM ${VIEW} LIMIT 20`;
  const agent = await postJSON('/query/sql', { sql: q, as_role: 'agent' });
  assert.equal(agent.row_count, 20);
  const heads = await page.$$eval('#view-grid .grid-head [role=columnheader] .cname', (els) => els.slice(1).map((e) => e.textContent));
  assert.deepEqual(heads, agent.columns.map((c) => c.name));
  const cells = await gridCells('#view-grid');
  assert.deepEqual(cells, agent.rows.map((r) => r.map(gridText)), 'the preview shows what the API returns as agent');
  const ix = (c) => VIEW_COLS.indexOf(c);
  for (const r of cells) {
    assert.match(r[ix('email')], /\*/, 'email is masked for the agent');
    assert.match(r[ix('phone')], /^h_[0-9a-f]{16}$/, 'phone is hashed by the view');
    assert.equal(r[ix('state')], 'CA', 'the row filter applies');
  }
  const raw = await sqlRows("SELECT email, phone FROM candidates WHERE state = 'CA' LIMIT 20");
  const text = await page.textContent('#panel-governance');
  for (const [email, phone] of raw) {
    assert.ok(!text.includes(email), `raw ${email} is on the page`);
    assert.ok(!text.includes(phone), `raw ${phone} is on the page`);
  }
  assert.match(await page.textContent('#view-preview-status'), new RegExp(`20 rows of ${VIEW} as the role agent`));
  await page.waitForSelector(`table.views [data-view="${VIEW}"]`);
  await assertLabelled();
  await assertContrast();
  await shot('governance-views');
  // Another role: the preview runs again, as the API answers for that role.
  await page.selectOption('#view-role', 'analyst');
  await page.waitForSelector(`#view-grid[data-role="analyst"]`);
  const analyst = await postJSON('/query/sql', { sql: q, as_role: 'analyst' });
  assert.deepEqual(await gridCells('#view-grid'), analyst.rows.map((r) => r.map(gridText)));
});

await step('Governance › Tombstones: the form deletes rows everywhere after a confirmation', async () => {
  const [[before]] = await sqlRows('SELECT count(*) FROM recruiters');
  const ids = (await sqlRows('SELECT recruiter_id FROM recruiters ORDER BY recruiter_id LIMIT 2 OFFSET 10')).map((r) => String(r[0]));
  await govSection('tombstones');
  await page.waitForSelector('#tomb-dataset option[value="recruiters"]', { state: 'attached' });
  await page.selectOption('#tomb-dataset', 'recruiters');
  await page.waitForFunction(() => document.querySelector('#tomb-key').value === 'recruiter_id');
  await page.fill('#tomb-values', ids.join('\n'));
  await page.fill('#tomb-reason', 'UI test erasure #7');
  await page.fill('#tomb-actor', 'dpo@example.com');
  await page.click('#tomb-submit');
  await page.waitForSelector('#confirm[open]');
  assert.match(await page.textContent('#confirm'), /disappear immediately from SQL, search, RAG and exports/);
  assert.equal(Number((await sqlRows('SELECT count(*) FROM recruiters'))[0][0]), Number(before), 'nothing happens before confirming');
  await page.click('#confirm-ok');
  await page.waitForSelector('#tomb-result[data-added="2"]');
  const [[after]] = await sqlRows('SELECT count(*) FROM recruiters');
  assert.equal(Number(after), Number(before) - 2);
  assert.equal(Number((await sqlRows(`SELECT count(*) FROM recruiters WHERE recruiter_id IN (${ids.join(',')})`))[0][0]), 0);
  const api = (await getJSON('/catalog/tombstones')).tombstones;
  const mine = api.filter((t) => t.dataset === 'recruiters' && t.reason === 'UI test erasure #7');
  assert.deepEqual(mine.map((t) => t.value).sort(), [...ids].sort());
  assert.ok(mine.every((t) => t.key_column === 'recruiter_id' && t.actor.includes('dpo@example.com') && !t.purged), JSON.stringify(mine));
  await page.waitForFunction((n) => document.querySelectorAll('table.tombstones tbody tr').length === n, api.length);
  for (const v of ids) {
    const row = await page.locator('table.tombstones tbody tr', { has: page.locator(`.tomb-value:text-is("${v}")`) }).textContent();
    assert.match(row, /recruiters.*recruiter_id.*UI test erasure #7/);
  }
  await assertLabelled();
  await assertContrast();
  await shot('governance-tombstones');
});

await step('Governance › Audit log: filters by action and actor match the API; older pages; the chain verifies', async () => {
  await govSection('audit');
  await page.waitForSelector('#audit-summary[data-count]');
  const uiIds = () => page.$$eval('table.audit tbody tr', (rows) => rows.map((r) => Number(r.dataset.auditId)));
  const apply = async (actor, action, limit) => {
    await page.fill('#audit-actor', actor);
    await page.fill('#audit-action', action);
    await page.selectOption('#audit-limit', String(limit));
    await page.click('#audit-apply');
    const want = new URLSearchParams({ actor, action, limit: String(limit) }).toString();
    await page.waitForFunction((w) => document.querySelector('#audit-summary').dataset.query === w, want);
  };
  for (const action of ['tombstone', 'query']) {
    await apply(adminWho.actor, action, 100);
    const api = await getJSON(`/access/audit?actor=${encodeURIComponent(adminWho.actor)}&action=${action}&limit=100`);
    assert.ok(api.entries.length > 0, action);
    assert.deepEqual(await uiIds(), api.entries.map((e) => e.id), action);
    const first = await page.locator('table.audit tbody tr').first().textContent();
    assert.ok(first.includes(adminWho.actor) && first.includes(action), first);
  }
  // "Older entries" appends the page before next_before.
  await apply(adminWho.actor, 'read', 50);
  const p1 = await getJSON(`/access/audit?actor=${encodeURIComponent(adminWho.actor)}&action=read&limit=50`);
  assert.ok(p1.next_before, 'more than one page of reads');
  await page.click('#audit-older');
  await page.waitForFunction(() => document.querySelectorAll('table.audit tbody tr').length > 50);
  const p2 = await getJSON(`/access/audit?actor=${encodeURIComponent(adminWho.actor)}&action=read&limit=50&before=${p1.next_before}`);
  assert.deepEqual(await uiIds(), [...p1.entries, ...p2.entries].map((e) => e.id));
  await page.click('#audit-verify');
  await page.waitForSelector('#audit-verify-result [data-verified]');
  assert.equal(await page.getAttribute('#audit-verify-result [data-verified]', 'data-verified'), 'true');
  assert.match(await page.textContent('#audit-verify-result'), /Chain verified: [\d,]+ rows/);
  assert.equal((await getJSON('/access/audit?verify=1')).verified, true);
  await assertLabelled();
  await assertContrast();
  await shot('governance-audit');
});

await step('Governance › Model profiles: create one from the form and activate it', async () => {
  await govSection('profiles');
  await page.waitForSelector('#prof-indexes input[value="ui_notes_body"]');
  await page.fill('#prof-name', 'ui_notes_bot');
  await page.selectOption('#prof-llm', 'none');
  await page.check('#prof-datasets input[value="ui_notes"]');
  await page.check('#prof-indexes input[value="ui_notes_body"]');
  await page.click('#prof-save');
  await page.waitForSelector('table.profiles [data-profile="ui_notes_bot"]');
  const p = (await getJSON('/vectors/profiles')).profiles.find((x) => x.name === 'ui_notes_bot');
  assert.deepEqual([p.datasets, p.indexes, p.llm], [['ui_notes'], ['ui_notes_body'], 'none']);
  await page.click('button[aria-label="Activate profile ui_notes_bot"]');
  await page.waitForSelector('#prof-msg .ok-text');
  assert.match(await page.textContent('#prof-msg'), /activated: 1 of 1 indexes loaded/);
  await assertLabelled();
  await assertContrast();
  await shot('governance-profiles');
});

// ---- System ----
await step('System: health, storage, counters and configuration without secrets', async () => {
  await tab('System');
  await page.waitForSelector('#sys-version');
  const sys = await getJSON('/system');
  assert.equal(await page.textContent('#sys-version'), health.version);
  assert.equal(await page.getAttribute('#sys-catalog [data-datasets]', 'data-datasets'), String(sys.catalog.datasets));
  assert.equal(await page.getAttribute('#sys-catalog [data-rows]', 'data-rows'), String(sys.catalog.rows));
  const ts = sys.storage.datasets.find((d) => d.name === 'timesheets');
  assert.equal(await page.getAttribute('table.sys-datasets tr:has(a:text-is("timesheets")) [data-bytes]', 'data-bytes'), String(ts.bytes));
  assert.ok(Number(await page.getAttribute('#sys-http [data-requests]', 'data-requests')) > 50);
  assert.equal(await page.textContent('.secret[data-setting="llm_api_key"]'), '•••• (set)');
  assert.equal(await page.textContent('.secret[data-setting="embed_api_key"]'), 'not set');
  const html = await page.content();
  assert.ok(!html.includes('ui-secret-value-123') && !html.includes('hunter2'), 'a secret reached the page');
  await assertLabelled();
  await assertContrast();
  await shot('system');
});

// ---- signed in as an analyst ----
await step('as an analyst: the header and the Governance tab show the role; governance actions are unavailable', async () => {
  assert.ok(ANALYST_KEY, 't900 passes --analyst-key');
  await page.click('#signout');
  await page.click('#signin-open');
  await page.fill('#signin-key', ANALYST_KEY);
  await page.click('#signin-submit');
  await page.waitForSelector('#auth-role[data-role="analyst"]');
  assert.equal(await page.textContent('#auth-role'), 'role: analyst');
  await page.goto(URL + '/#/governance/keys');
  await page.waitForSelector('#gov-role[data-role="analyst"]');
  const who = await getJSON('/access/whoami', ANALYST_KEY);
  assert.equal(await page.textContent('#gov-actor'), who.actor);
  assert.deepEqual(await page.locator('#gov-whoami .badge.perm').allTextContents(), who.role.permissions);
  assert.match(await page.textContent('#gov-nav a[data-section="keys"]'), /needs govern/);
  await page.waitForSelector('#keys-denied [data-denied="govern"]');
  assert.match(await page.textContent('#keys-denied'), /Your role analyst does not have the govern permission/);
  assert.equal(await page.isDisabled('#key-create'), true);
  assert.equal(await page.locator('table.keys').count(), 0, 'no key list');
  await assertContrast();
  await shot('governance-analyst');
  await govSection('audit');
  await page.waitForSelector('#audit-denied [data-denied="admin"]');
  assert.equal(await page.isDisabled('#audit-verify'), true);
  assert.equal(await page.isDisabled('#audit-apply'), true);
  await govSection('tombstones');
  await page.waitForSelector('#tomb-denied [data-denied="delete"]');
  assert.equal(await page.isDisabled('#tomb-submit'), true);
  await govSection('views');
  await page.waitForSelector(`table.views [data-view="${VIEW}"]`);
  assert.equal(await page.isDisabled('#view-save'), true);
  assert.equal(await page.isDisabled(`button[aria-label="Delete view ${VIEW}"]`), true);
});

await step('as an analyst: a refusal by the API (403) is shown where the action was tried', async () => {
  // Make the page believe the role may govern: the server still refuses, and says why.
  const admin = await getJSON('/access/whoami');
  await page.route('**/access/whoami', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(admin) }));
  await govSection('keys');
  await page.waitForSelector('#keys-list .alert');
  const refusals = [];
  for (const path of ['/access/keys', '/access/roles']) {
    const api = await callJSON('GET', path, undefined, ANALYST_KEY);
    assert.equal(api.status, 403);
    refusals.push(api.body.error.message);
  }
  assert.ok(refusals.includes(await page.textContent('#keys-list .alert')), 'the list shows the API\'s refusal');
  assert.equal(await page.isDisabled('#key-create'), false);
  await page.fill('#key-name', 'should-not-exist');
  await page.click('#key-create');
  await page.waitForSelector('#key-msg .alert');
  assert.match(await page.textContent('#key-msg .alert'), /role 'analyst' lacks the 'govern' permission/);
  assert.equal(await page.getAttribute('#key-msg .alert', 'role'), 'alert');
  assert.ok(!(await getJSON('/access/keys')).keys.some((k) => k.name === 'should-not-exist'));
  await page.unroute('**/access/whoami');
});

await step('as an analyst: SQL returns masked values for a PII column (candidates.email)', async () => {
  const d = await getJSON('/catalog/datasets/candidates');
  const col = d.columns.find((c) => c.name === 'email');
  assert.deepEqual([col.pii, col.sensitivity], ['email', 'confidential']);
  await tab('SQL');
  const q = 'SELECT candidate_id, email FROM candidates ORDER BY candidate_id LIMIT 10';
  await runSql(q);
  const api = await postJSON('/query/sql', { sql: q }, ANALYST_KEY);
  const rows = (await gridRows()).map((r) => r.slice(1));
  assert.deepEqual(rows, api.rows.map((r) => r.map(gridText)), 'the grid shows what the API returns to the analyst');
  const raw = await sqlRows(q);
  rows.forEach((r, i) => {
    assert.match(r[1], /^.\*+.{2}$/, 'masked: a prefix, stars, a suffix');
    assert.notEqual(r[1], raw[i][1]);
  });
  const html = await page.textContent('#panel-sql');
  for (const [, email] of raw) assert.ok(!html.includes(email), `raw ${email} in the SQL tab`);
  await shot('sql-analyst');
});

await step('no script errors or CSP violations in the whole session', async () => {
  assert.deepEqual(problems, []);
});

await browser.close();
console.log(`# ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
