// SPDX-License-Identifier: MIT
// indexes.js - the Indexes & Jobs tab: the index registry (embedder, model, dims, state,
// build stats) with Refresh and Evaluate buttons, a form to build a new index, the jobs
// with live progress (rate, ETA, Cancel), and evaluation results: recall@k per ef with a
// recall-against-latency plot.
import { api } from './api.js';
import { h, clear, num, dec, duration, when, badge, stateBadge, table, errorBox, linePlot, announce, toast } from './dom.js';
import { href } from './nav.js';

let panel, idxBox, jobsBox, evalBox, liveEl, formMsg;
let timer = 0;
let visible = false;
let datasets = [];
const lastAnnounced = new Map(); // job id -> "state:quartile"

function stats(ix) {
  const s = ix.stats || {};
  const parts = [];
  if (s.docs !== undefined) parts.push(`${num(s.docs)} docs`);
  if (s.chunks !== undefined) parts.push(`${num(s.chunks)} chunks`);
  if (s.build_ms !== undefined) parts.push(`built in ${duration(s.build_ms)}`);
  if (s.embedded_docs !== undefined) parts.push(`${num(s.embedded_docs)} embedded last time`);
  return parts.join(' · ') || '–';
}

async function rebuild(ix) {
  try {
    await api('/vectors/index', { method: 'POST', body: { dataset: ix.dataset, text_column: ix.text_column, id_column: ix.id_column, name: ix.name, embedder: ix.embedder, model: ix.model } });
    announce(`Refresh of ${ix.name} started`);
    refresh();
  } catch (e) { toast(e.message); }
}

async function evaluate(ix) {
  clear(evalBox, h('h3#h-eval', null, `Evaluation of ${ix.name}`), h('p.muted', null, 'Measuring recall and latency against exact search…'));
  evalBox.hidden = false;
  evalBox.setAttribute('aria-busy', 'true');
  try {
    const r = await api('/vectors/eval', { method: 'POST', body: { index: ix.name, queries: 100, k: 10, ef: [10, 20, 40, 80, 160] } });
    const pts = r.configs.map((c) => ({ x: c.ms_p50, y: c.recall, label: `ef ${c.ef}` }));
    clear(evalBox,
      h('h3#h-eval', { tabindex: -1 }, `Evaluation of ${ix.name}`),
      h('p.muted', null, `${num(r.queries)} queries, recall@${r.k} against exact search over ${num(r.vectors)} vectors (exact: ${dec(r.exact_ms_mean, 3)} ms per query).`),
      h('div.row', { style: null },
        h('div.table-wrap', null, table([
          { label: 'ef', num: true, get: (c) => num(c.ef) },
          { label: `Recall@${r.k}`, num: true, get: (c) => h('span', { 'data-recall': c.recall }, dec(c.recall, 3)) },
          { label: 'p50 ms', num: true, get: (c) => dec(c.ms_p50, 3) },
          { label: 'p95 ms', num: true, get: (c) => dec(c.ms_p95, 3) },
          { label: 'QPS', num: true, get: (c) => num(Math.round(c.qps)) },
        ], r.configs, { caption: 'Recall and latency per ef', cls: 'eval' })),
        h('figure', null,
          linePlot(pts, { xLabel: 'latency p50 (ms)', yLabel: 'recall', yMin: Math.min(0.5, ...pts.map((p) => p.y)), yMax: 1, title: `Recall against latency for ${ix.name}: ` + pts.map((p) => `${p.label} recall ${dec(p.y, 3)} at ${dec(p.x, 3)} ms`).join('; ') }),
          h('figcaption.muted', null, 'Recall against median latency; each point is one ef setting.'))));
    evalBox.querySelector('h3').focus();
  } catch (e) {
    clear(evalBox, h('h3#h-eval', null, `Evaluation of ${ix.name}`), errorBox(e));
  } finally {
    evalBox.setAttribute('aria-busy', 'false');
  }
}

function renderIndexes(list) {
  clear(idxBox, list.length ? h('div.table-wrap', null, table([
    { label: 'Index', get: (i) => h('strong.mono', { 'data-index': i.name }, i.name) },
    { label: 'Dataset · text → id', get: (i) => h('span', null, h('a', { href: href('explore', i.dataset) }, i.dataset), h('span.mono', null, ` · ${i.text_column} → ${i.id_column}`)) },
    { label: 'Embedder', get: (i) => h('span', { class: 'embedder' }, `${i.embedder} · ${i.model} ${i.version ? '(' + i.version + ')' : ''}`) },
    { label: 'Dims', num: true, get: (i) => num(i.dims) },
    { label: 'Gen.', num: true, get: (i) => num(i.generation) },
    { label: 'State', get: (i) => h('span', null, stateBadge(i.state), i.stale ? [' ', badge('stale', 'st-queued')] : null) },
    { label: 'Stats', get: (i) => h('span.idx-stats', null, stats(i)) },
    { label: 'Updated', get: (i) => when(i.updated_ms) },
    { label: 'Actions', get: (i) => h('div.row', null,
      h('button.btn.small', { type: 'button', onclick: () => rebuild(i), disabled: i.state === 'building', 'aria-label': `Refresh ${i.name}` }, 'Refresh'),
      h('button.btn.small', { type: 'button', onclick: () => evaluate(i), disabled: i.state !== 'ready', 'aria-label': `Evaluate ${i.name}` }, 'Evaluate')) },
  ], list, { caption: 'Indexes', cls: 'indexes' })) : h('p.muted', null, 'No index yet.'));
}

async function cancelJob(j) {
  try {
    await api(`/vectors/jobs/${encodeURIComponent(j.id)}/cancel`, { method: 'POST' });
    announce(`Cancel requested for job ${j.target}`);
    refresh();
  } catch (e) { toast(e.message); }
}

function jobProgress(j) {
  const pct = j.total ? Math.min(100, (100 * j.done) / j.total) : (j.state === 'done' ? 100 : 0);
  return h('div.job-progress', null,
    h('progress', { max: 100, value: pct.toFixed(1), 'aria-label': `Progress of ${j.target}: ${pct.toFixed(0)} percent` }),
    h('div.muted', { class: 'job-count' }, `${num(j.done)} / ${num(j.total)} (${pct.toFixed(0)} %)`));
}

function renderJobs(jobs) {
  const active = jobs.filter((j) => j.state === 'running' || j.state === 'queued');
  // Announce state changes and every quarter of progress, not every tick.
  for (const j of jobs) {
    const q = j.total ? Math.floor((4 * j.done) / j.total) : 0;
    const key = `${j.state}:${j.state === 'running' ? q : ''}`;
    const prev = lastAnnounced.get(j.id);
    if (prev !== undefined && prev !== key) liveEl.textContent = `Job ${j.target}: ${j.state}${j.state === 'running' && j.total ? ` ${Math.round((100 * j.done) / j.total)} %` : ''}`;
    lastAnnounced.set(j.id, key);
  }
  clear(jobsBox,
    h('p.muted#jobs-summary', null, active.length ? `${active.length} job(s) active` : 'No job running.'),
    jobs.length ? h('div.table-wrap', null, table([
      { label: 'Job', get: (j) => h('span.mono', { title: j.id }, j.id.slice(0, 8)) },
      { label: 'Kind', get: (j) => j.kind },
      { label: 'Target', get: (j) => h('strong.mono', null, j.target) },
      { label: 'State', get: (j) => h('span', { class: 'job-state', 'data-state': j.state }, stateBadge(j.state)) },
      { label: 'Progress', get: jobProgress },
      { label: 'Rate', num: true, get: (j) => h('span', { class: 'job-rate', 'data-rate': j.rate_per_s ?? '' }, j.rate_per_s ? `${num(Math.round(j.rate_per_s))}/s` : '–') },
      { label: 'ETA', num: true, get: (j) => h('span', { class: 'job-eta', 'data-eta': j.eta_s ?? '' }, j.state === 'running' && j.eta_s !== null && j.eta_s !== undefined ? duration(j.eta_s * 1000) : '–') },
      { label: 'Started', get: (j) => when(j.created_ms) },
      { label: 'Note', get: (j) => (j.error ? h('span.err-text', null, j.error) : '') },
      { label: 'Actions', get: (j) => (j.state === 'running' || j.state === 'queued'
        ? h('button.btn.small.danger', { type: 'button', onclick: () => cancelJob(j), 'aria-label': `Cancel job ${j.target}` }, 'Cancel') : '') },
    ], jobs, { caption: 'Jobs', cls: 'jobs' })) : null);
  return active.length > 0;
}

async function refresh() {
  clearTimeout(timer);
  let active = false;
  try {
    const [ix, jb] = await Promise.all([api('/vectors/indexes'), api('/vectors/jobs')]);
    if (!visible) return;
    renderIndexes(ix.indexes || []);
    active = renderJobs(jb.jobs || []);
  } catch (e) {
    clear(jobsBox, errorBox(e));
  }
  if (visible) timer = setTimeout(refresh, active ? 1000 : 5000);
}

async function loadDatasets() {
  try {
    const d = await api('/catalog/datasets');
    datasets = d.datasets || [];
  } catch { datasets = []; }
  const ds = panel.querySelector('#ix-dataset');
  const keep = ds.value;
  clear(ds, datasets.map((d) => h('option', { value: d.name, selected: d.name === keep }, d.name)));
  fillColumns();
}

function fillColumns() {
  const d = datasets.find((x) => x.name === panel.querySelector('#ix-dataset').value);
  const cols = d?.columns || [];
  const text = panel.querySelector('#ix-text'), id = panel.querySelector('#ix-id');
  const textCols = cols.filter((c) => c.type === 'VARCHAR');
  clear(text, textCols.map((c) => h('option', { value: c.name }, c.name)));
  // The longest-looking text column first: a name like *text, body, content.
  const guess = textCols.find((c) => /(text|body|content|resume|description)/i.test(c.name));
  if (guess) text.value = guess.name;
  clear(id, cols.map((c) => h('option', { value: c.name }, `${c.name} (${c.type})`)));
  const idGuess = cols.find((c) => /(^id$|_id$)/i.test(c.name));
  if (idGuess) id.value = idGuess.name;
  panel.querySelector('#ix-name').placeholder = d && text.value ? `${d.name}_${text.value}` : '';
}

async function build(e) {
  e.preventDefault();
  const v = (id) => panel.querySelector('#' + id).value.trim();
  const body = { dataset: v('ix-dataset'), text_column: v('ix-text'), id_column: v('ix-id'), embedder: v('ix-embedder') };
  if (v('ix-name')) body.name = v('ix-name');
  if (v('ix-model')) body.model = v('ix-model');
  if (v('ix-chunk')) body.chunk_size = Number(v('ix-chunk'));
  clear(formMsg);
  try {
    const j = await api('/vectors/index', { method: 'POST', body });
    clear(formMsg, h('p.ok-text', null, `Build started: job ${j.id.slice(0, 8)} for ${j.target}.`));
    announce(`Index build started for ${j.target}`);
    refresh();
  } catch (err) {
    clear(formMsg, errorBox(err));
  }
}

function mount(p) {
  panel = p;
  idxBox = h('div#indexes-list');
  jobsBox = h('div#jobs-list');
  evalBox = h('section.card#eval', { hidden: true, 'aria-labelledby': 'h-eval' });
  liveEl = h('p.visually-hidden#jobs-live', { 'aria-live': 'polite' });
  formMsg = h('div#ix-msg', { 'aria-live': 'polite' });
  const field = (id, label, input) => h('div.field', null, h('label', { for: id }, label), input);
  clear(panel,
    h('h2', { tabindex: -1 }, 'Indexes & Jobs'),
    h('section.card', { 'aria-labelledby': 'h-indexes' }, h('h3#h-indexes', null, 'Indexes'), idxBox),
    h('section.card', { 'aria-labelledby': 'h-build' },
      h('h3#h-build', null, 'Build an index'),
      h('form#ix-form', { onsubmit: build },
        h('div.row', null,
          field('ix-dataset', 'Dataset', h('select#ix-dataset', { onchange: fillColumns })),
          field('ix-text', 'Text column', h('select#ix-text')),
          field('ix-id', 'Id column', h('select#ix-id')),
          field('ix-name', 'Index name (optional)', h('input#ix-name', { type: 'text', spellcheck: 'false' })),
          field('ix-embedder', 'Embedder', h('select#ix-embedder', null, ['builtin', 'ollama', 'openai'].map((e) => h('option', { value: e }, e)))),
          field('ix-model', 'Model (optional)', h('input#ix-model', { type: 'text', spellcheck: 'false' })),
          field('ix-chunk', 'Chunk size', h('input#ix-chunk', { type: 'number', min: 50, max: 100000, placeholder: '800' }))),
        h('div.row-end', null, h('button.btn.primary#ix-build', { type: 'submit' }, 'Build index'))),
      formMsg),
    h('section.card', { 'aria-labelledby': 'h-jobs' }, h('h3#h-jobs', null, 'Jobs'), liveEl, jobsBox),
    evalBox);
}

export default {
  id: 'indexes',
  mount,
  show() {
    visible = true;
    loadDatasets();
    return refresh();
  },
  hide() {
    visible = false;
    clearTimeout(timer);
  },
};
