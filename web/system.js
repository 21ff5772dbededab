// SPDX-License-Identifier: MIT
// system.js - the System tab: health, storage use (per dataset and index, disk), request
// counters, the hot cache, and the configuration (secrets are never sent: only whether
// one is set). Data from GET /system; refreshed every 5 s while the tab is open.
import { api } from './api.js';
import { h, clear, num, bytes, duration, when, table, errorBox } from './dom.js';
import { href } from './nav.js';

let panel, body, timer = 0, visible = false;

function meter(part, whole, label) {
  const pct = whole ? Math.min(100, (100 * part) / whole) : 0;
  const fill = h('div');
  fill.style.width = `${pct.toFixed(1)}%`;
  return h('div.meterbar', { role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct.toFixed(0), 'aria-label': label }, fill);
}

const SECRET = /(_key|_secret|_token|password)$/;

function render(s) {
  const st = s.storage || {}, cat = s.catalog || {}, http = s.http, cache = s.cache || {};
  const disk = st.disk_total_bytes ? st.disk_total_bytes - st.disk_free_bytes : null;
  const maxDs = Math.max(1, ...(st.datasets || []).map((d) => d.stored_bytes || d.bytes || 0));
  const cfg = Object.entries(s.config || {});
  clear(body,
    h('div.cards', null,
      h('div.card#sys-health', null, h('h3', null, 'Health'),
        h('dl.facts', null,
          h('dt', null, 'Status'), h('dd', { class: s.status === 'ok' ? 'ok-text' : 'err-text', 'data-status': s.status }, s.status),
          h('dt', null, 'Version'), h('dd#sys-version', null, s.version),
          h('dt', null, 'Uptime'), h('dd', null, duration(s.uptime_ms)),
          h('dt', null, 'Started'), h('dd', null, when(s.started_ms)),
          h('dt', null, 'Process'), h('dd', null, `pid ${s.pid}`))),
      h('div.card#sys-catalog', null, h('h3', null, 'Catalog'),
        h('dl.facts', null,
          h('dt', null, 'Datasets'), h('dd', { 'data-datasets': cat.datasets }, num(cat.datasets)),
          h('dt', null, 'Rows'), h('dd', { 'data-rows': cat.rows }, num(cat.rows)),
          h('dt', null, 'Snapshot'), h('dd', null, num(cat.snapshot_id)),
          h('dt', null, 'Indexes'), h('dd', null, num(cat.indexes)),
          h('dt', null, 'Jobs'), h('dd', null, `${num(cat.jobs?.running)} running, ${num(cat.jobs?.queued)} queued`))),
      h('div.card#sys-storage', null, h('h3', null, 'Storage'),
        h('dl.facts', null,
          h('dt', null, 'Backend'), h('dd', null, st.backend),
          h('dt', null, 'Data folder'), h('dd.mono', null, st.data_dir),
          h('dt', null, 'Objects'), h('dd', null, `${num(st.objects)} (${bytes(st.bytes)})`),
          h('dt', null, 'Datasets'), h('dd', { 'data-bytes': st.datasets_bytes }, bytes(st.datasets_bytes)),
          h('dt', null, 'Indexes'), h('dd', null, bytes(st.indexes_bytes)),
          h('dt', null, 'Catalog'), h('dd', null, bytes(st.catalog_bytes)),
          h('dt', null, 'Staging'), h('dd', null, `${bytes(st.staging_bytes)} in ${num(st.staging_files)} file(s)`),
          h('dt', null, 'Disk'), h('dd', null, disk !== null ? `${bytes(st.disk_free_bytes)} free of ${bytes(st.disk_total_bytes)}` : '–')),
        disk !== null ? meter(disk, st.disk_total_bytes, 'Disk used') : null),
      h('div.card#sys-http', null, h('h3', null, 'Requests'),
        http ? h('dl.facts', null,
          h('dt', null, 'Completed'), h('dd', { 'data-requests': http.requests }, num(http.requests)),
          h('dt', null, 'In flight'), h('dd', null, num(http.in_flight)),
          h('dt', null, '2xx / 3xx'), h('dd', null, `${num(http.status['2xx'])} / ${num(http.status['3xx'])}`),
          h('dt', null, '4xx / 5xx'), h('dd', null, `${num(http.status['4xx'])} / ${num(http.status['5xx'])}`),
          h('dt', null, 'Aborted'), h('dd', null, num(http.aborted)),
          h('dt', null, 'Sent'), h('dd', null, bytes(http.bytes_out))) : h('p.muted', null, 'not available')),
      h('div.card#sys-cache', null, h('h3', null, 'Hot cache'),
        h('dl.facts', null,
          h('dt', null, 'Budget'), h('dd', null, bytes(cache.budget_bytes)),
          h('dt', null, 'Used'), h('dd', null, bytes(cache.used_bytes)),
          h('dt', null, 'Pinned'), h('dd', null, (cache.entries || []).map((e) => e.dataset).join(', ') || 'none')),
        meter(cache.used_bytes || 0, cache.budget_bytes || 1, 'Hot cache used'))),
    h('section.card', { 'aria-labelledby': 'h-sys-ds' }, h('h3#h-sys-ds', null, 'Storage per dataset'),
      h('div.table-wrap', null, table([
        { label: 'Dataset', get: (d) => h('a', { href: href('explore', d.name) }, d.name) },
        { label: 'Rows', num: true, get: (d) => num(d.rows) },
        { label: 'Files', num: true, get: (d) => num(d.files) },
        { label: 'Live bytes', num: true, get: (d) => h('span', { 'data-bytes': d.bytes }, bytes(d.bytes)) },
        { label: 'Stored bytes', num: true, get: (d) => bytes(d.stored_bytes) },
        { label: 'Share', get: (d) => meter(d.stored_bytes || d.bytes || 0, maxDs, `${d.name} storage share`) },
      ], st.datasets || [], { caption: 'Storage per dataset', cls: 'sys-datasets' })),
      (st.indexes || []).length ? h('div', null, h('h4', null, 'Indexes'), h('div.table-wrap', null, table([
        { label: 'Index', get: (i) => h('span.mono', null, i.name) },
        { label: 'Dataset', get: (i) => i.dataset },
        { label: 'State', get: (i) => i.state },
        { label: 'Files', num: true, get: (i) => num(i.files) },
        { label: 'Bytes', num: true, get: (i) => bytes(i.bytes) },
      ], st.indexes, { caption: 'Storage per index' }))) : null),
    h('section.card', { 'aria-labelledby': 'h-sys-cfg' }, h('h3#h-sys-cfg', null, 'Configuration'),
      h('p.muted', null, 'The effective settings. Secrets never leave the server: only whether one is set.'),
      h('div.table-wrap', null, table([
        { label: 'Setting', get: ([k]) => h('span.mono', null, k) },
        { label: 'Value', get: ([k, v]) => (SECRET.test(k)
          ? h('span', { class: 'secret', 'data-setting': k }, v ? '•••• (set)' : 'not set')
          : h('span.mono', { 'data-setting': k }, typeof v === 'number' && /bytes$/.test(k) ? `${num(v)} (${bytes(v)})` : String(v === '' ? '–' : v))) },
      ], cfg, { caption: 'Configuration', cls: 'config' }))));
}

async function refresh() {
  clearTimeout(timer);
  try {
    const s = await api('/system');
    if (!visible) return;
    render(s);
  } catch (e) {
    clear(body, errorBox(e));
  }
  if (visible) timer = setTimeout(refresh, 5000);
}

export default {
  id: 'system',
  mount(p) {
    panel = p;
    body = h('div#system-body', null, h('p.muted', null, 'Loading…'));
    clear(panel,
      h('div.row', null, h('h2.grow', { tabindex: -1 }, 'System'), h('button.btn', { type: 'button', onclick: refresh }, 'Refresh')),
      body);
  },
  show() { visible = true; return refresh(); },
  hide() { visible = false; clearTimeout(timer); },
};
