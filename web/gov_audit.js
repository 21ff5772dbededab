// SPDX-License-Identifier: MIT
// gov_audit.js - Governance › Audit log: the log newest first (GET /access/audit) with
// filters (actor, role, action, outcome, target, time range), "Older entries" paging by
// next_before, and "Verify chain" (?verify=1: the hash chain, or the first broken row).
import { api } from './api.js';
import { h, clear, num, badge, table, errorBox, announce } from './dom.js';
import { field, denied } from './gov_util.js';

const ACTIONS = ['query', 'search', 'rag', 'eval', 'ingest', 'index', 'cache', 'tombstone', 'govern', 'admin', 'activate', 'read'];
let el, fs, form, tbody, summary, olderBtn, verifyOut, msg, roleList;
let entries = [], nextBefore = null, filters = null;

const OUTCOME = { ok: 'st-ready', denied: 'st-failed', error: 'st-failed' };

function stamp(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function rowOf(e) {
  return h('tr', { 'data-audit-id': e.id },
    h('td.nowrap', { title: `id ${e.id}, request ${e.request_id || '–'}` }, stamp(e.ts_ms)),
    h('td.mono', null, e.actor),
    h('td', null, e.role || '–'),
    h('td', null, e.action),
    h('td.mono.clip', { title: e.target || '' }, e.target || '–'),
    h('td.mono.clip.detail', { title: e.detail || '' }, e.detail || ''),
    h('td', null, badge(e.outcome, OUTCOME[e.outcome] || '')),
    h('td.num', null, String(e.status ?? '–')),
    h('td.num', null, e.rows === null || e.rows === undefined ? '–' : num(e.rows)),
    h('td.num', null, num(e.ms)));
}

/** The filters of the form as query parameters (times from the local datetime inputs). */
function readFilters() {
  const q = new URLSearchParams();
  for (const k of ['actor', 'role', 'action', 'outcome', 'target']) {
    const v = form.querySelector(`#audit-${k}`).value.trim();
    if (v) q.set(k, v);
  }
  for (const [k, id] of [['since_ms', 'audit-since'], ['until_ms', 'audit-until']]) {
    const v = form.querySelector('#' + id).value;
    if (v) q.set(k, String(new Date(v).getTime()));
  }
  q.set('limit', form.querySelector('#audit-limit').value);
  return q;
}

async function load(older = false) {
  clear(msg);
  const q = new URLSearchParams(filters);
  if (older && nextBefore !== null) q.set('before', String(nextBefore));
  olderBtn.disabled = true;
  tbody.closest('table').setAttribute('aria-busy', 'true');
  try {
    const r = await api(`/access/audit?${q}`);
    if (!older) { entries = []; tbody.replaceChildren(); }
    entries.push(...r.entries);
    tbody.append(...r.entries.map(rowOf));
    nextBefore = r.next_before ?? null;
    olderBtn.disabled = nextBefore === null;
    summary.textContent = `${num(entries.length)} entr${entries.length === 1 ? 'y' : 'ies'} shown, newest first${nextBefore === null ? ' (the end of the log for these filters)' : ''}.`;
    summary.dataset.count = String(entries.length);
    summary.dataset.query = filters.toString();
    if (older) announce(`${r.entries.length} older entries loaded`);
  } catch (err) {
    clear(msg, errorBox(err));
  } finally {
    tbody.closest('table').setAttribute('aria-busy', 'false');
  }
}

async function verify() {
  clear(verifyOut, h('span.muted', null, 'Verifying the hash chain…'));
  try {
    const r = await api('/access/audit?verify=1');
    clear(verifyOut, h('p', { class: r.verified ? 'ok-text' : 'err-text', 'data-verified': String(r.verified) },
      r.verified ? `Chain verified: ${num(r.rows)} rows, none changed, removed or inserted.` : `The chain does not verify (${num(r.rows)} rows).`));
  } catch (err) {
    // 409: the chain is broken; the message names the first bad row.
    clear(verifyOut, errorBox(err.status === 409 ? `The chain is broken: ${err.message}` : err));
    verifyOut.firstChild.dataset.verified = 'false';
  }
}

function datalist(id, items) {
  return h('datalist', { id }, items.map((v) => h('option', { value: v })));
}

export default {
  id: 'audit',
  label: 'Audit log',
  perm: 'admin',
  mount(e) {
    el = e;
    const text = (id, ph, list) => h('input', { type: 'text', id, spellcheck: 'false', autocomplete: 'off', placeholder: ph, list });
    roleList = datalist('audit-roles', ['admin', 'analyst', 'agent']);
    tbody = h('tbody');
    summary = h('p.muted#audit-summary', { role: 'status' });
    olderBtn = h('button.btn#audit-older', { type: 'button', disabled: true, onclick: () => load(true) }, 'Older entries');
    verifyOut = h('div#audit-verify-result', { 'aria-live': 'polite' });
    msg = h('div#audit-msg', { 'aria-live': 'polite' });
    fs = h('fieldset.plain', null,
      h('div.row.align-end', null,
        field('audit-actor', 'Actor', text('audit-actor', 'key:… or api@…')),
        field('audit-role', 'Role', text('audit-role', 'any', 'audit-roles')),
        field('audit-action', 'Action', text('audit-action', 'any', 'audit-actions')),
        field('audit-outcome', 'Outcome', h('select', null, [['', 'any'], ['ok', 'ok'], ['denied', 'denied'], ['error', 'error']].map(([v, t]) => h('option', { value: v }, t)))),
        field('audit-target', 'Target', text('audit-target', 'dataset, route…')),
        field('audit-since', 'From', h('input', { type: 'datetime-local', step: 1 })),
        field('audit-until', 'Until', h('input', { type: 'datetime-local', step: 1 })),
        field('audit-limit', 'Per page', h('select', null, [50, 100, 500, 1000].map((n) => h('option', { value: n, selected: n === 100 }, String(n)))))),
      h('div.row-end', null,
        h('button.btn#audit-reset', { type: 'button', onclick: () => { form.reset(); filters = readFilters(); load(); } }, 'Clear filters'),
        h('button.btn.primary#audit-apply', { type: 'submit' }, 'Apply filters')),
      roleList, datalist('audit-actions', ACTIONS));
    form = h('form#audit-form', { onsubmit: (ev) => { ev.preventDefault(); filters = readFilters(); load(); } }, fs);
    clear(el,
      h('div.card', null,
        h('div.row', null, h('h3.grow', null, 'Audit log'),
          h('button.btn#audit-verify', { type: 'button', onclick: verify }, 'Verify chain')),
        verifyOut, h('div#audit-denied'), form, msg, summary,
        h('div.table-wrap.audit-wrap', null, h('table.data.audit', null,
          h('caption.visually-hidden', null, 'Audit log entries, newest first'),
          h('thead', null, h('tr', null, ['Time', 'Actor', 'Role', 'Action', 'Target', 'Detail', 'Outcome', 'Status', 'Rows', 'ms']
            .map((t, i) => h('th', { scope: 'col', class: i >= 7 ? 'num' : null }, t)))),
          tbody)),
        h('div.row-end', null, olderBtn)));
  },
  async show(c) {
    const ok = c.can('admin');
    fs.disabled = !ok;
    el.querySelector('#audit-verify').disabled = !ok;
    clear(el.querySelector('#audit-denied'), ok ? null : denied(c.who, 'admin', 'read the audit log'));
    if (!ok) {
      tbody.replaceChildren();
      summary.textContent = '';
      return;
    }
    if (c.can('govern')) {
      api('/access/roles').then((r) => clear(roleList, r.roles.map((x) => h('option', { value: x.name })))).catch(() => {});
    }
    if (!filters) filters = readFilters();
    await load();
  },
  hide() {},
};
