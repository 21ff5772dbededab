// SPDX-License-Identifier: MIT
// ingest.js - the Ingest tab: drop files (or pick them), choose the dataset name and the
// mode, and watch each upload's progress bar; then the result per file: rows, schema,
// PII found, schema changes, or the error.
import { upload } from './api.js';
import { h, clear, num, bytes, badge, sensBadge, table, announce } from './dom.js';
import { href } from './nav.js';

let panel, listEl, fileInput, zone;
let queue = Promise.resolve();
let seq = 0;

function options() {
  const v = (id) => panel.querySelector('#' + id).value.trim();
  return {
    name: v('ingest-name'),
    mode: v('ingest-mode'),
    format: v('ingest-format'),
    description: v('ingest-description'),
    allow_schema_change: panel.querySelector('#ingest-allow').checked ? 'true' : '',
  };
}

function resultView(r, status) {
  const pii = r.pii_found || [];
  const changes = r.schema_changes || [];
  return h('div.stack', null,
    h('p', { class: 'ok-text' },
      r.duplicate ? 'Already ingested (same content): nothing changed. ' : `${status === 201 ? 'Created' : 'Updated'} dataset `,
      h('a', { href: href('explore', r.dataset), 'data-dataset': r.dataset }, r.dataset),
      ` — ${num(r.rows)} rows in (${num(r.total_rows)} in total), ${r.format}, mode ${r.mode}, snapshot ${num(r.snapshot_id)}.`),
    h('div', { class: 'pii-found', 'data-count': pii.length },
      h('strong', null, 'PII found: '),
      pii.length ? pii.map((p) => h('span', null, badge(`${p.column}: ${p.kind}`, 'pii'), ' ', sensBadge(p.sensitivity), ' ')) : h('span.muted', null, 'none')),
    changes.length ? h('div', null, h('strong', null, 'Schema changes:'),
      h('ul', null, changes.map((c) => h('li', null, badge(c.kind), ' ', c.reason || c.column)))) : null,
    r.columns ? h('details', null, h('summary', null, `Schema (${r.columns.length} columns)`),
      h('div.table-wrap', null, table([
        { label: 'Column', get: (c) => h('span.mono', null, c.name) },
        { label: 'Type', get: (c) => badge(c.type, 'type') },
        { label: 'PII', get: (c) => (c.pii && c.pii !== 'none' ? badge(c.pii, 'pii') : h('span.muted', null, 'none')) },
        { label: 'Sensitivity', get: (c) => sensBadge(c.sensitivity) },
      ], r.columns, { caption: 'Schema of the ingested file' }))) : null);
}

function enqueue(files) {
  const opts = options();
  const many = files.length > 1;
  for (const file of files) {
    const id = ++seq;
    const bar = h('progress', { id: `up-bar-${id}`, max: 100, value: 0, 'aria-label': `Upload progress of ${file.name}` });
    const state = h('span.muted', { id: `up-state-${id}` }, 'waiting');
    const out = h('div');
    const cancelBtn = h('button.btn.small', { type: 'button' }, 'Cancel');
    const item = h('li.upload', { 'data-file': file.name, 'aria-busy': 'true' },
      h('div.head', null, h('strong', null, file.name), h('span.muted', null, bytes(file.size)), state, cancelBtn),
      bar, out);
    listEl.prepend(item);
    let xhr = null, canceled = false;
    cancelBtn.addEventListener('click', () => { canceled = true; xhr?.abort(); });
    // One upload at a time: the server ingests each file fully before the next.
    queue = queue.then(async () => {
      if (canceled) { state.textContent = 'canceled'; cancelBtn.remove(); item.setAttribute('aria-busy', 'false'); return; }
      state.textContent = 'uploading';
      const fields = { ...opts, name: many ? '' : opts.name };
      try {
        const r = await upload(file, fields, {
          xhrOut: (x) => { xhr = x; },
          onProgress: (loaded, total) => {
            const pct = total ? Math.round((loaded / total) * 100) : 0;
            bar.value = pct;
            state.textContent = pct < 100 ? `uploading ${pct} %` : 'ingesting…';
          },
        });
        bar.value = 100;
        state.textContent = 'done';
        state.className = 'ok-text';
        clear(out, resultView(r.body || {}, r.status));
        item.dataset.status = 'ok';
        announce(`${file.name}: ingested ${r.body?.rows ?? 0} rows into ${r.body?.dataset}`);
      } catch (e) {
        state.textContent = e.code === 'canceled' ? 'canceled' : 'failed';
        state.className = 'err-text';
        item.dataset.status = 'error';
        clear(out, h('div.alert', { role: 'alert' }, `${file.name}: ${e.message}`));
      } finally {
        cancelBtn.remove();
        item.setAttribute('aria-busy', 'false');
      }
    });
  }
}

function mount(p) {
  panel = p;
  listEl = h('ul.uploads#ingest-uploads', { 'aria-label': 'Uploads' });
  fileInput = h('input#ingest-file', { type: 'file', multiple: true });
  fileInput.addEventListener('change', () => {
    if (fileInput.files.length) enqueue([...fileInput.files]);
    fileInput.value = '';
  });
  zone = h('div.dropzone#ingest-drop', null,
    h('p', null, h('strong', null, 'Drop files here'), ' — CSV, TSV, JSON/NDJSON, Parquet, PDF, text, Markdown or chat exports'),
    h('label', { for: 'ingest-file' }, 'or choose files'), fileInput);
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const files = [...(e.dataTransfer?.files || [])];
    if (files.length) enqueue(files);
  });
  const sel = (id, label, opts) => h('div.field', null, h('label', { for: id }, label),
    h('select', { id }, opts.map(([v, t]) => h('option', { value: v }, t))));
  clear(panel,
    h('h2', { tabindex: -1 }, 'Ingest'),
    h('div.card', null,
      h('div.row', null,
        h('div.field.grow', null, h('label', { for: 'ingest-name' }, 'Dataset name (optional; from the file name otherwise, and always for several files)'),
          h('input#ingest-name', { type: 'text', pattern: '[a-z_][a-z0-9_]{0,62}', placeholder: 'e.g. sales_2024', spellcheck: 'false' })),
        sel('ingest-mode', 'Mode', [['create', 'create (new dataset)'], ['append', 'append (add rows)'], ['replace', 'replace (swap all rows)']]),
        sel('ingest-format', 'Format', [['', 'detect'], ['csv', 'CSV'], ['tsv', 'TSV'], ['json', 'JSON'], ['ndjson', 'NDJSON'], ['parquet', 'Parquet'], ['pdf', 'PDF'], ['text', 'text'], ['markdown', 'Markdown'], ['chat', 'chat export']])),
      h('div.row', null,
        h('div.field.grow', null, h('label', { for: 'ingest-description' }, 'Description (optional)'), h('input#ingest-description', { type: 'text' })),
        h('label.inline-label', null, h('input#ingest-allow', { type: 'checkbox' }), 'Allow unsafe schema changes'))),
    zone,
    listEl);
}

export default {
  id: 'ingest',
  mount,
  show() {},
  hide() {},
};
