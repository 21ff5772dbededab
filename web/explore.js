// SPDX-License-Identifier: MIT
// explore.js - the Explore tab: the dataset list, and a dataset page with schema (types,
// PII, sensitivity), sample rows, per-column statistics with histograms (computed with
// plain SELECT aggregates through POST /query/sql), lineage and schema history.
import { api, sql, ident, qident, literal } from './api.js';
import { h, clear, num, dec, bytes, ago, when, badge, sensBadge, errorBox, table, histogram, topBars, announce } from './dom.js';
import { VirtualGrid, isNumericType } from './grid.js';
import { go, href, handOver } from './nav.js';

let panel;
let filterText = '';
let listSeq = 0;

const TEMPORAL = /^(DATE|TIMESTAMP(_S|_MS|_NS| WITH TIME ZONE)?)$/;

function kindOf(type) {
  const t = String(type || '').toUpperCase();
  if (isNumericType(t)) return 'num';
  if (TEMPORAL.test(t)) return 'time';
  if (t === 'BOOLEAN') return 'bool';
  if (t === 'VARCHAR') return 'str';
  return 'other';
}

function tags(list) {
  return (list || []).length ? h('span.row', null, list.map((t) => badge(t, 'tag'))) : h('span.muted', null, '–');
}

// ---- list ----

async function showList() {
  const seq = ++listSeq;
  clear(panel, h('h2', { tabindex: -1 }, 'Datasets'), h('p.muted', null, 'Loading…'));
  let data;
  try {
    data = await api('/catalog/datasets');
  } catch (e) {
    if (seq === listSeq) clear(panel, h('h2', null, 'Datasets'), errorBox(e));
    return;
  }
  if (seq !== listSeq) return;
  const all = data.datasets || [];
  const total = all.reduce((a, d) => a + (d.rows || 0), 0);
  const size = all.reduce((a, d) => a + (d.size_bytes || 0), 0);
  const input = h('input#explore-filter', { type: 'search', value: filterText, placeholder: 'name, tag, owner…' });
  const body = h('div');
  const render = () => {
    const f = filterText.toLowerCase();
    const list = all.filter((d) => !f || [d.name, d.description, d.owner, ...(d.tags || [])].join(' ').toLowerCase().includes(f));
    clear(body, list.length ? h('div.table-wrap', null, table([
      { label: 'Dataset', get: (d) => h('a', { href: href('explore', d.name), 'data-dataset': d.name }, d.name) },
      { label: 'Rows', num: true, get: (d) => h('span', { 'data-rows': d.rows }, num(d.rows)) },
      { label: 'Size', num: true, get: (d) => bytes(d.size_bytes) },
      { label: 'Columns', num: true, get: (d) => num(d.n_columns ?? (d.columns || []).length) },
      { label: 'Freshness', get: (d) => h('span', { title: when(d.freshness?.last_ingest_ms || d.updated_ms) }, ago(d.freshness?.last_ingest_ms || d.updated_ms)) },
      { label: 'Source', get: (d) => h('span.mono', null, d.freshness?.source || d.lineage?.source || '–') },
      { label: 'Sensitivity', get: (d) => sensBadge(d.sensitivity) },
      { label: 'Tags', get: (d) => tags(d.tags) },
      { label: 'Description', get: (d) => h('span.muted', null, d.description || '') },
    ], list, { caption: 'Datasets', cls: 'datasets' })) : h('p.muted', null, all.length ? 'No dataset matches the filter.' : 'No datasets yet: load some on the Ingest tab.'));
  };
  input.addEventListener('input', () => { filterText = input.value; render(); });
  clear(panel,
    h('div.ds-head', null,
      h('div', null, h('h2', { tabindex: -1 }, 'Datasets'),
        h('p.muted#explore-summary', null, `${num(all.length)} datasets · ${num(total)} rows · ${bytes(size)}`)),
      h('div.field', null, h('label', { for: 'explore-filter' }, 'Filter datasets'), input)),
    body);
  render();
}

// ---- dataset page ----

function schemaTable(d) {
  return table([
    { label: 'Column', get: (c) => h('span.mono', null, c.name) },
    { label: 'Type', get: (c) => badge(c.type, 'type') },
    { label: 'PII', get: (c) => (c.pii && c.pii !== 'none' ? badge(c.pii, 'pii') : h('span.muted', null, 'none')) },
    { label: 'Confidence', num: true, get: (c) => (c.pii_confidence !== undefined ? dec(c.pii_confidence, 2) : '–') },
    { label: 'Set by', get: (c) => c.pii_source || '–' },
    { label: 'Sensitivity', get: (c) => sensBadge(c.sensitivity) },
  ], d.columns || [], { caption: 'Schema', cls: 'schema' });
}

function lineageView(d, lin) {
  const link = (n) => h('li', null, h('a', { href: href('explore', n) }, n));
  const files = d.files || [];
  return h('div.stack', null,
    h('dl.facts', null,
      h('dt', null, 'Source system'), h('dd', null, lin.source_system || '–'),
      h('dt', null, 'Last source'), h('dd.mono', null, lin.source || '–'),
      h('dt', null, 'Ingest job'), h('dd.mono', null, lin.ingest_job || '–'),
      h('dt', null, 'Last ingest'), h('dd', null, `${when(lin.last_ingest_ms)} (${ago(lin.last_ingest_ms)})`),
      h('dt', null, 'Snapshot'), h('dd', null, num(lin.snapshot_id))),
    h('div.row', { style: null },
      h('div.grow', null, h('h4', null, 'Parents (derived from)'),
        (lin.parents || []).length ? h('ul.lineage-parents', null, lin.parents.map(link)) : h('p.muted', null, 'none')),
      h('div.grow', null, h('h4', null, 'Children (derived from this)'),
        (lin.children || []).length ? h('ul.lineage-children', null, lin.children.map(link)) : h('p.muted', null, 'none'))),
    h('h4', null, `Data files (${files.length})`),
    h('div.table-wrap', null, table([
      { label: 'Key', get: (f) => h('span.mono', null, f.key) },
      { label: 'Rows', num: true, get: (f) => num(f.rows) },
      { label: 'Size', num: true, get: (f) => bytes(f.size_bytes) },
      { label: 'Snapshot', num: true, get: (f) => num(f.snapshot_id) },
      { label: 'Source', get: (f) => h('span.mono', null, f.source || '–') },
    ], files, { caption: 'Data files' })));
}

function historyView(hist) {
  const versions = [...(hist.versions || [])].sort((a, b) => b.version - a.version);
  return h('ol.versions', { reversed: true }, versions.map((v) => h('li', { 'data-version': v.version },
    h('strong', null, `Version ${v.version}`), ' · ', `snapshot ${num(v.snapshot_id)} · ${when(v.created_ms)} · ${v.actor || ''} · ${(v.columns || []).length} columns`,
    (v.changes || []).length
      ? h('ul', null, v.changes.map((c) => h('li', null, badge(c.kind), ' ', h('span.mono', null, c.column + (c.new_column ? ' → ' + c.new_column : '')), ' ',
        c.old_type || c.new_type ? h('span.mono.muted', null, `${c.old_type || ''}${c.old_type && c.new_type ? ' → ' : ''}${c.new_type || ''}`) : null,
        c.reason ? h('span.muted', null, ' — ' + c.reason) : null)))
      : h('div.muted', null, v.version === 1 ? 'created' : 'no column changes'))));
}

async function showDataset(name) {
  const seq = ++listSeq;
  clear(panel, h('p.crumbs', null, h('a', { href: href('explore') }, 'Datasets'), ' / ', name), h('h2', { tabindex: -1 }, name), h('p.muted', null, 'Loading…'));
  let d, lin, hist;
  try {
    const p = encodeURIComponent(name);
    [d, lin, hist] = await Promise.all([
      api(`/catalog/datasets/${p}`), api(`/catalog/datasets/${p}/lineage`), api(`/catalog/datasets/${p}/schema`),
    ]);
  } catch (e) {
    if (seq === listSeq) clear(panel, h('p.crumbs', null, h('a', { href: href('explore') }, 'Datasets'), ' / ', name), h('h2', null, name), errorBox(e));
    return;
  }
  if (seq !== listSeq) return;
  const sampleBox = h('div', null, h('p.muted', null, 'Loading sample rows…'));
  const statsBox = h('div#stats', { 'aria-busy': 'true' }, h('p.muted', null, 'Computing statistics…'));
  const query = `SELECT *\nFROM ${ident(d.name)}\nLIMIT 100`;
  clear(panel,
    h('p.crumbs', null, h('a', { href: href('explore') }, 'Datasets'), ' / ', d.name),
    h('div.ds-head', null,
      h('div', null,
        h('h2', { tabindex: -1 }, d.name, ' ', sensBadge(d.sensitivity)),
        d.description ? h('p', null, d.description) : null,
        (d.tags || []).length ? h('div.row', { 'aria-label': 'Tags' }, tags(d.tags)) : null),
      h('div.row', null,
        h('button.btn', { type: 'button', onclick: () => { handOver({ sql: query }); go('sql'); } }, 'Query in SQL'),
        h('button.btn', { type: 'button', onclick: () => go('explore', d.name) }, 'Refresh'))),
    h('div.card', null, h('dl.facts#ds-facts', null,
      h('dt', null, 'Rows'), h('dd', { 'data-rows': d.rows }, num(d.rows)),
      h('dt', null, 'Size'), h('dd', null, `${bytes(d.size_bytes)} in ${num(d.n_files ?? (d.files || []).length)} file(s)`),
      h('dt', null, 'Owner'), h('dd', null, d.owner || '–'),
      h('dt', null, 'Freshness'), h('dd', null, `${ago(d.freshness?.last_ingest_ms)} — ${when(d.freshness?.last_ingest_ms)}`),
      h('dt', null, 'Schema version'), h('dd', null, num(d.schema_version)),
      h('dt', null, 'Snapshot'), h('dd', null, num(d.snapshot_id)))),
    h('section.card', { 'aria-labelledby': 'h-schema' }, h('h3#h-schema', null, `Schema (${(d.columns || []).length} columns)`), h('div.table-wrap', null, schemaTable(d))),
    h('section.card', { 'aria-labelledby': 'h-sample' }, h('h3#h-sample', null, 'Sample rows'), sampleBox),
    h('section.card', { 'aria-labelledby': 'h-stats' }, h('h3#h-stats', null, 'Column statistics'), statsBox),
    h('section.card', { 'aria-labelledby': 'h-lineage' }, h('h3#h-lineage', null, 'Lineage'), lineageView(d, lin)),
    h('section.card', { 'aria-labelledby': 'h-history' }, h('h3#h-history', null, 'Schema history'), historyView(hist)));

  // Sample rows and statistics load in parallel; each fills its own box.
  sql(`SELECT * FROM ${qident(d.name)} LIMIT 20`, { limit: 20 }).then((r) => {
    if (seq !== listSeq) return;
    const g = new VirtualGrid({ label: `Sample rows of ${d.name}`, short: true });
    clear(sampleBox, h('p.muted', null, `First ${num(r.row_count)} rows`), g.el);
    g.setData(r.columns, r.rows, { fit: true });
  }).catch((e) => { if (seq === listSeq) clear(sampleBox, errorBox(e)); });
  columnStats(d).then((node) => {
    if (seq !== listSeq) return;
    clear(statsBox, node);
    statsBox.setAttribute('aria-busy', 'false');
    announce(`Statistics of ${d.name} ready`);
  }).catch((e) => { if (seq === listSeq) { clear(statsBox, errorBox(e)); statsBox.setAttribute('aria-busy', 'false'); } });
}

// ---- statistics ----

const HIST_BINS = 16;
const TOP_DISTINCT = 64;

/** Orders MAP keys of a histogram: numbers numerically, else as text; "inf" last. */
function binOrder(a, b) {
  if (a === b) return 0;
  if (a === 'inf') return 1;
  if (b === 'inf') return -1;
  const x = Number(a), y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : 1;
}

function binsOf(map) {
  const keys = Object.keys(map || {}).sort(binOrder);
  return keys.map((k, i) => ({ label: i === 0 ? `≤ ${k}` : `${keys[i - 1]} – ${k}`, count: Number(map[k]) }));
}

async function columnStats(d) {
  const cols = (d.columns || []).map((c, j) => ({ ...c, j, kind: kindOf(c.type) }));
  const t = qident(d.name);
  const sel = ['count(*) AS n'];
  for (const c of cols) {
    const q = qident(c.name);
    sel.push(`count(${q}) AS nn_${c.j}`);
    if (c.kind === 'num') sel.push(`approx_count_distinct(${q}) AS d_${c.j}`, `min(${q})::VARCHAR AS lo_${c.j}`, `max(${q})::VARCHAR AS hi_${c.j}`, `avg(${q})::DOUBLE AS avg_${c.j}`);
    else if (c.kind === 'time') sel.push(`approx_count_distinct(${q}) AS d_${c.j}`, `min(${q})::VARCHAR AS lo_${c.j}`, `max(${q})::VARCHAR AS hi_${c.j}`);
    else if (c.kind === 'bool') sel.push(`approx_count_distinct(${q}) AS d_${c.j}`);
    else if (c.kind === 'str') sel.push(`approx_count_distinct(${q}) AS d_${c.j}`, `min(length(${q})) AS lo_${c.j}`, `max(length(${q})) AS hi_${c.j}`, `avg(length(${q}))::DOUBLE AS avg_${c.j}`);
  }
  const r1 = await sql(`SELECT ${sel.join(', ')} FROM ${t}`, { timeoutMs: 30000 });
  const v = {};
  r1.columns.forEach((c, i) => { v[c.name] = r1.rows[0][i]; });
  const n = Number(v.n);

  // Histograms: equal-width bins over [min, max] for numbers and dates, value counts for
  // booleans and low-cardinality text. One query for all; on failure, one per column.
  const parts = [];
  for (const c of cols) {
    const lo = v[`lo_${c.j}`], hi = v[`hi_${c.j}`], nn = Number(v[`nn_${c.j}`]), dd = Number(v[`d_${c.j}`]);
    const q = qident(c.name);
    if (!nn) continue;
    if ((c.kind === 'num' || c.kind === 'time') && lo !== null && hi !== null && lo !== hi)
      parts.push([c.j, `histogram(${q}, equi_width_bins(CAST(${literal(lo)} AS ${c.type}), CAST(${literal(hi)} AS ${c.type}), ${HIST_BINS}, true)) AS h_${c.j}`]);
    else if (c.kind === 'bool' || (c.kind === 'str' && dd <= TOP_DISTINCT))
      parts.push([c.j, `histogram(${q}) AS h_${c.j}`]);
  }
  const hist = {};
  if (parts.length) {
    try {
      const r2 = await sql(`SELECT ${parts.map((p) => p[1]).join(', ')} FROM ${t}`, { timeoutMs: 30000 });
      r2.columns.forEach((c, i) => { hist[c.name] = r2.rows[0][i]; });
    } catch {
      for (const [j, expr] of parts) {
        try {
          const r = await sql(`SELECT ${expr} FROM ${t}`, { timeoutMs: 30000 });
          hist[`h_${j}`] = r.rows[0][0];
        } catch { /* this column gets no chart */ }
      }
    }
  }

  const rows = cols.map((c) => {
    const nn = Number(v[`nn_${c.j}`] ?? 0);
    const s = { c, nn, nulls: n - nn, d: v[`d_${c.j}`], lo: v[`lo_${c.j}`], hi: v[`hi_${c.j}`], avg: v[`avg_${c.j}`], h: hist[`h_${c.j}`] };
    return s;
  });
  const fmtRange = (s, x) => {
    if (x === null || x === undefined) return '–';
    if (s.c.kind === 'str') return `${num(Number(x))} chars`;
    if (s.c.kind === 'num') return dec(Number(x), 4);
    return String(x);
  };
  const chart = (s) => {
    if (!s.h) {
      const one = (s.c.kind === 'num' || s.c.kind === 'time') && s.lo !== null && s.lo === s.hi;
      return h('span.muted', null, !s.nn ? 'all NULL' : one ? `one value: ${s.lo}` : (s.c.kind === 'str' ? 'many distinct values' : '–'));
    }
    if (s.c.kind === 'num' || s.c.kind === 'time') return histogram(binsOf(s.h), { label: `Distribution of ${s.c.name}` });
    const items = Object.entries(s.h).map(([k, cnt]) => ({ label: k, count: Number(cnt) })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    return topBars(items.slice(0, 6), items.reduce((a, i) => a + i.count, 0));
  };
  return h('div.stack', null,
    h('p.muted', null, `Computed over all ${num(n)} rows; distinct counts are approximate (HyperLogLog). Text columns show lengths.`),
    h('div.table-wrap', null, table([
      { label: 'Column', get: (s) => h('span.mono', { 'data-col': s.c.name }, s.c.name) },
      { label: 'Type', get: (s) => badge(s.c.type, 'type') },
      { label: 'Non-null', num: true, get: (s) => h('span', { 'data-nonnull': s.nn }, num(s.nn)) },
      { label: 'Null %', num: true, get: (s) => (n ? dec((100 * s.nulls) / n, 1) + ' %' : '–') },
      { label: 'Distinct ≈', num: true, get: (s) => num(s.d) },
      { label: 'Min', num: true, get: (s) => h('span', { 'data-min': s.lo ?? '' }, fmtRange(s, s.lo)) },
      { label: 'Max', num: true, get: (s) => h('span', { 'data-max': s.hi ?? '' }, fmtRange(s, s.hi)) },
      { label: 'Mean', num: true, get: (s) => (s.avg === null || s.avg === undefined ? '–' : (s.c.kind === 'str' ? `${dec(s.avg, 1)} chars` : dec(s.avg, 4))) },
      { label: 'Distribution', get: chart },
    ], rows, { caption: 'Column statistics', cls: 'stats' })));
}

export default {
  id: 'explore',
  mount(p) { panel = p; },
  show(args) {
    if (args[0]) return showDataset(args[0]);
    return showList();
  },
  hide() { listSeq++; },
};
