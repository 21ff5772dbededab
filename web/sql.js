// SPDX-License-Identifier: MIT
// sql.js - the SQL tab: an editor (line numbers; DuckDB errors marked at their line and
// column), Run / Cancel, a virtual-scrolling results grid with column types, paging of
// large results (LIMIT/OFFSET around the query), CSV/Parquet export and a query history
// kept in localStorage.
import { api, sql, download, ident, ApiError } from './api.js';
import { h, clear, num, bytes, duration, ago, announce, errorBox } from './dom.js';
import { VirtualGrid } from './grid.js';
import { takeHandOver } from './nav.js';

const HISTORY_KEY = 'lh.sqlHistory';
const HISTORY_MAX = 50;
const PAGE_SIZES = [1000, 10000, 100000];

let panel, ta, backdrop, gutter, grid, statusEl, errorEl, pagerEl, runBtn, cancelBtn, pageSel, histEl, tablesEl, exportBtns;
let controller = null;      // the running query (page) fetch
let countController = null; // the background count(*)
let state = null;           // {sql, page, pageSize, total, pages, columns}
let errorMark = null;       // {line, col, len}
let edited = false;         // the user typed or picked a query (else a default is offered)

// ---- history ----

export function loadHistory() {
  try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]'); } catch { return []; }
}
function saveHistory(entry) {
  const list = loadHistory().filter((e) => e.sql !== entry.sql);
  list.unshift(entry);
  try { localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, HISTORY_MAX))); } catch { /* full or disabled */ }
  renderHistory();
}
function renderHistory() {
  const list = loadHistory();
  clear(histEl, list.length ? list.map((e) => h('li', null,
    h('button', { type: 'button', title: e.sql, onclick: () => { setSql(e.sql); edited = true; ta.focus(); } }, e.sql.replace(/\s+/g, ' ')),
    h('div.meta', null, e.ok ? `${num(e.rows)}${e.more ? '+' : ''} rows · ${duration(e.ms)}` : 'error', ' · ', ago(e.at)))) : h('li.muted', null, 'No queries yet.'));
}

// ---- editor ----

function setSql(text) {
  ta.value = text;
  clearErrorMark();
  syncEditor();
}

function syncEditor() {
  const lines = ta.value.split('\n');
  const frag = document.createDocumentFragment();
  lines.forEach((_, i) => frag.append(h('div', { class: errorMark && errorMark.line === i + 1 ? 'err' : null }, String(i + 1))));
  gutter.replaceChildren(frag);
  // The backdrop mirrors the text (transparent) to draw the error mark under it.
  if (errorMark) {
    const idx = indexOf(lines, errorMark.line, errorMark.col);
    const end = Math.min(ta.value.length, idx + Math.max(1, errorMark.len));
    backdrop.replaceChildren(ta.value.slice(0, idx), h('mark', { class: 'sql-error-mark' }, ta.value.slice(idx, end) || ' '), ta.value.slice(end) + '\n');
  } else {
    backdrop.textContent = ta.value + '\n';
  }
  syncScroll();
}
function syncScroll() {
  backdrop.scrollTop = ta.scrollTop;
  backdrop.scrollLeft = ta.scrollLeft;
  gutter.scrollTop = ta.scrollTop;
}
function indexOf(lines, line, col) {
  let idx = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) idx += lines[i].length + 1;
  return idx + col;
}
function clearErrorMark() {
  if (!errorMark) return;
  errorMark = null;
  ta.removeAttribute('aria-invalid');
}

/**
 * Finds where a DuckDB error points: its message ends with "LINE n: <text>" and a line
 * holding "^" under the column. The shown text may be a window of a long line, cut with
 * "..." on either side, so the column is found by locating that window in the source.
 * Returns {line, col, len} (1-based line, 0-based column) or null.
 */
export function locateError(message, source) {
  const m = /LINE (\d+): ([^\n]*)\n( *)\^/.exec(message || '');
  if (!m) return null;
  const line = Number(m[1]);
  const prefix = `LINE ${m[1]}: `.length;
  let shown = m[2], at = m[3].length - prefix;
  if (shown.startsWith('...')) { shown = shown.slice(3); at -= 3; }
  if (shown.endsWith('...')) shown = shown.slice(0, -3);
  const lines = source.split('\n');
  const src = lines[line - 1];
  if (src === undefined) return null;
  let start = src.indexOf(shown);
  if (start < 0) start = src.indexOf(shown.trim());
  const col = Math.max(0, Math.min(src.length, (start < 0 ? 0 : start) + at));
  const tok = /^[A-Za-z_0-9."]+|^./.exec(src.slice(col));
  return { line, col, len: tok ? tok[0].length : 1 };
}

function showError(e, source) {
  const msg = e?.message || String(e);
  const loc = e instanceof ApiError && e.code === 'sql_error' ? locateError(msg, source) : null;
  if (loc && ta.value === source) {
    errorMark = loc;
    ta.setAttribute('aria-invalid', 'true');
    syncEditor();
    const idx = indexOf(ta.value.split('\n'), loc.line, loc.col);
    ta.focus();
    ta.setSelectionRange(idx, idx + loc.len);
  }
  clear(errorEl, errorBox(msg.replace(/\n\nLINE \d+:[\s\S]*$/, ''),
    loc ? h('div.error-where', null, h('strong', null, `Line ${loc.line}, column ${loc.col + 1}`),
      h('pre', null, source.split('\n')[loc.line - 1] + '\n' + ' '.repeat(loc.col) + '^'.repeat(Math.max(1, loc.len)))) : null));
  errorEl.dataset.code = e?.code || '';
  if (loc) errorEl.dataset.line = String(loc.line), errorEl.dataset.col = String(loc.col + 1);
  else { delete errorEl.dataset.line; delete errorEl.dataset.col; }
}

// ---- running ----

/** The query without trailing semicolons, so it can be wrapped for paging and counting. */
function bare(q) {
  return q.replace(/[\s;]+$/, '');
}
function wrappable(q) {
  return /^\s*(\(|select\b|with\b|from\b|values\b|table\b|pivot\b|unpivot\b)/i.test(q.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/)*/g, ''));
}

function setRunning(on) {
  runBtn.disabled = on;
  cancelBtn.disabled = !on;
  panel.querySelector('.results').setAttribute('aria-busy', on ? 'true' : 'false');
  for (const b of exportBtns) b.disabled = on || !state;
}

function status(text) {
  statusEl.textContent = text;
}

async function run() {
  edited = true;
  const source = ta.value;
  if (!source.trim()) return;
  cancel();
  clearErrorMark();
  syncEditor();
  clear(errorEl);
  const pageSize = Number(pageSel.value);
  state = { sql: bare(source), source, page: 0, pageSize, total: null, pages: null, columns: null, wrappable: wrappable(source) };
  await loadPage(0, true);
}

async function loadPage(page, first = false) {
  if (!state) return;
  cancelPage();
  const st = state;
  const ctl = new AbortController();
  controller = ctl;
  setRunning(true);
  status(page ? `Loading page ${page + 1}…` : 'Running…');
  const t0 = performance.now();
  const q = page === 0 ? st.source : `SELECT * FROM (\n${st.sql}\n) AS lh_page LIMIT ${st.pageSize} OFFSET ${page * st.pageSize}`;
  try {
    const r = await sql(q, { limit: st.pageSize, signal: ctl.signal, onProgress: (n) => status(`Receiving… ${bytes(n)}`) });
    if (controller !== ctl) return;
    st.page = page;
    st.columns = r.columns;
    if (page === 0) {
      st.elapsed = r.elapsed_ms;
      if (!r.truncated) { st.total = r.row_count; st.pages = 1; }
      else if (st.wrappable) countRows(st);
      saveHistory({ sql: st.source, at: Date.now(), ok: true, rows: r.row_count, more: r.truncated, ms: r.elapsed_ms });
    }
    grid.setData(r.columns, r.rows, { offset: page * st.pageSize });
    const ms = performance.now() - t0;
    st.shown = r.row_count;
    st.truncated = r.truncated;
    renderStatus(ms);
    announce(`Query finished: ${num(r.row_count)} rows on this page`);
  } catch (e) {
    if (controller !== ctl) return;
    if (e.name === 'AbortError') {
      status('Canceled.');
      announce('Query canceled');
    } else {
      if (first) {
        state = null;
        grid.setData([], [], { empty: 'The query failed.' });
        saveHistory({ sql: st.source, at: Date.now(), ok: false });
      }
      status('Failed.');
      showError(e, st.source);
    }
  } finally {
    if (controller === ctl) { controller = null; setRunning(false); }
    renderPager();
  }
}

async function countRows(st) {
  countController?.abort();
  const ctl = new AbortController();
  countController = ctl;
  try {
    const r = await sql(`SELECT count(*) AS n FROM (\n${st.sql}\n) AS lh_count`, { signal: ctl.signal });
    if (state !== st) return;
    st.total = Number(r.rows[0][0]);
    st.pages = Math.max(1, Math.ceil(st.total / st.pageSize));
    renderStatus();
    renderPager();
  } catch { /* the count is a nicety: paging works without it */ }
  finally { if (countController === ctl) countController = null; }
}

function renderStatus(ms) {
  if (!state) return;
  const st = state;
  const from = st.page * st.pageSize + 1, to = st.page * st.pageSize + (st.shown || 0);
  const total = st.total !== null ? `${num(st.total)} rows` : (st.truncated ? 'more rows than one page (counting…)' : '');
  const range = st.shown ? `rows ${num(from)}–${num(to)}` : 'no rows';
  const t = [total, range, st.elapsed !== undefined ? `query ${duration(st.elapsed)}` : null, ms !== undefined ? `shown in ${duration(ms)}` : null].filter(Boolean).join(' · ');
  status(t);
  statusEl.dataset.total = st.total ?? '';
}

function renderPager() {
  if (!state || !state.columns) { clear(pagerEl); return; }
  const st = state;
  const more = st.pages !== null ? st.page + 1 < st.pages : st.truncated;
  const busy = !!controller;
  const canPage = st.wrappable;
  clear(pagerEl,
    h('button.btn.small', { type: 'button', disabled: busy || !canPage || st.page === 0, onclick: () => loadPage(0), 'aria-label': 'First page' }, '« First'),
    h('button.btn.small', { type: 'button', disabled: busy || !canPage || st.page === 0, onclick: () => loadPage(st.page - 1), 'aria-label': 'Previous page' }, '‹ Prev'),
    h('span#sql-page', { 'data-page': st.page + 1 }, `Page ${num(st.page + 1)}${st.pages !== null ? ' of ' + num(st.pages) : ''}`),
    h('button.btn.small', { type: 'button', disabled: busy || !canPage || !more, onclick: () => loadPage(st.page + 1), 'aria-label': 'Next page' }, 'Next ›'),
    st.pages !== null ? h('button.btn.small', { type: 'button', disabled: busy || !canPage || st.page + 1 >= st.pages, onclick: () => loadPage(st.pages - 1), 'aria-label': 'Last page' }, 'Last »') : null);
}

function cancelPage() {
  if (controller) { const c = controller; controller = null; c.abort(); setRunning(false); }
}
function cancel() {
  const wasRunning = !!controller;
  cancelPage();
  countController?.abort();
  countController = null;
  if (wasRunning) { status('Canceled.'); announce('Query canceled'); }
}

async function exportAs(fmt) {
  if (!state) return;
  const name = `result.${fmt}`;
  status(`Exporting ${fmt.toUpperCase()}…`);
  try {
    const n = await download('/query/sql', { sql: state.source, format: fmt, limit: 0 }, name);
    status(`Exported ${name} (${bytes(n)}).`);
    announce(`Exported ${name}`);
  } catch (e) {
    status('Export failed.');
    clear(errorEl, errorBox(e));
  }
}

async function loadTables() {
  try {
    const d = await api('/catalog/datasets');
    if (!edited && d.datasets?.length) setSql(`SELECT *\nFROM ${ident(d.datasets[0].name)}\nLIMIT 100`);
    clear(tablesEl, (d.datasets || []).map((ds) => h('li', null,
      h('button.linklike', { type: 'button', title: `Insert ${ds.name}`, onclick: () => insert(ident(ds.name)) }, ds.name),
      h('span.muted', null, ` ${num(ds.rows)} rows`))));
  } catch (e) {
    clear(tablesEl, h('li', null, errorBox(e)));
  }
}

function insert(text) {
  const s = ta.selectionStart, e = ta.selectionEnd;
  ta.setRangeText(text, s, e, 'end');
  ta.focus();
  syncEditor();
}

function mount(p) {
  panel = p;
  ta = h('textarea#sql-input', { spellcheck: 'false', wrap: 'off', autocomplete: 'off', 'aria-describedby': 'sql-help sql-error' });
  backdrop = h('div.backdrop', { 'aria-hidden': 'true' });
  gutter = h('div.gutter', { 'aria-hidden': 'true' });
  statusEl = h('div.sql-status.muted#sql-status', { role: 'status', 'aria-live': 'polite' }, 'Ready.');
  errorEl = h('div#sql-error');
  pagerEl = h('div.pager#sql-pager', { role: 'group', 'aria-label': 'Result pages' });
  runBtn = h('button.btn.primary#sql-run', { type: 'button', onclick: run }, 'Run');
  cancelBtn = h('button.btn#sql-cancel', { type: 'button', disabled: true, onclick: cancel }, 'Cancel');
  pageSel = h('select#sql-page-size', null, PAGE_SIZES.map((n) => h('option', { value: n, selected: n === 10000 }, num(n))));
  exportBtns = [
    h('button.btn#sql-export-csv', { type: 'button', disabled: true, onclick: () => exportAs('csv') }, 'Export CSV'),
    h('button.btn#sql-export-parquet', { type: 'button', disabled: true, onclick: () => exportAs('parquet') }, 'Export Parquet'),
  ];
  histEl = h('ul.history#sql-history', { 'aria-label': 'Query history' });
  tablesEl = h('ul.tables-list', { 'aria-label': 'Datasets' });
  grid = new VirtualGrid({ label: 'Query results' });
  grid.el.id = 'sql-grid';
  grid.setData([], [], { empty: 'Run a query to see its result here.' });

  ta.addEventListener('input', () => { edited = true; clearErrorMark(); syncEditor(); });
  ta.addEventListener('scroll', syncScroll);
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    else if (e.key === 'Escape' && controller) { e.preventDefault(); cancel(); }
  });

  clear(panel,
    h('h2', { tabindex: -1 }, 'SQL'),
    h('div.split', null,
      h('div', null,
        h('label', { for: 'sql-input' }, 'Query'),
        h('div.editor', null, gutter, h('div.code', null, backdrop, ta)),
        h('p.muted#sql-help', null, 'One read-only statement (SELECT, WITH … SELECT, EXPLAIN). Ctrl+Enter runs it, Escape cancels it.'),
        h('div.row.sql-toolbar', null, runBtn, cancelBtn,
          h('span.inline-label', null, h('label', { for: 'sql-page-size', class: 'inline-label' }, 'Rows per page'), pageSel),
          ...exportBtns),
        errorEl,
        h('div.row', null, statusEl, h('span.grow'), pagerEl),
        h('div.results', { 'aria-busy': 'false' }, grid.el)),
      h('aside', null,
        h('div.card', null,
          h('div.row', null, h('h3.grow', null, 'History'),
            h('button.btn.small', { type: 'button', onclick: () => { localStorage.removeItem(HISTORY_KEY); renderHistory(); } }, 'Clear')),
          histEl),
        h('div.card', null, h('h3', null, 'Datasets'), tablesEl))));
  setSql('SELECT 42 AS answer');
  renderHistory();
}

export default {
  id: 'sql',
  mount,
  show() {
    const hand = takeHandOver();
    if (hand?.sql) { setSql(hand.sql); edited = true; run(); }
    renderHistory();
    loadTables();
  },
  hide() {},
};
