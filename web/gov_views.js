// SPDX-License-Identifier: MIT
// gov_views.js - Governance › Views: the AI-safe views, and an editor: a dataset, its
// columns (PII kind and sensitivity shown) with an include box and a redaction each, a
// row filter (the API's error is shown next to it) and a description. Saving runs a live
// preview: SELECT * FROM <view> LIMIT 20 as a chosen role (as_role), in the results grid,
// so what an agent or analyst would get is visible before anyone uses the view.
import { api, sql, ident } from './api.js';
import { h, clear, num, badge, sensBadge, when, table, errorBox, announce, confirmDialog } from './dom.js';
import { VirtualGrid } from './grid.js';
import { field, maskSelect, maskAction, maskText, denied } from './gov_util.js';

let el, fs, nameIn, descIn, dsSel, colsBox, filterIn, filterErr, roleSel, msg, listBox, prevStatus, prevErr, grid, ctx;
let datasets = [], saved = null, origRedact = {}, seq = 0;

async function loadColumns(def) {
  const name = dsSel.value;
  if (!name) { clear(colsBox); return; }
  try {
    const d = await api(`/catalog/datasets/${encodeURIComponent(name)}`);
    if (dsSel.value !== name) return;
    const inc = new Set(def?.columns?.length ? def.columns : d.columns.map((c) => c.name));
    origRedact = def?.redact || {};
    clear(colsBox, h('table.data.view-cols', null,
      h('caption.visually-hidden', null, `Columns of ${name}`),
      h('thead', null, h('tr', null, ['Include', 'Column', 'Type', 'PII', 'Sensitivity', 'Redaction'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, d.columns.map((c) => h('tr', { 'data-col': c.name },
        h('td', null, h('input.view-inc', { type: 'checkbox', checked: inc.has(c.name), 'aria-label': `Include ${c.name}`, 'data-col': c.name })),
        h('td.mono', null, c.name),
        h('td', null, badge(c.type, 'type')),
        h('td', null, c.pii && c.pii !== 'none' ? badge(c.pii, 'pii') : '–'),
        h('td', null, sensBadge(c.sensitivity)),
        h('td', null, maskSelect(`view-redact-${c.name}`, `Redaction of ${c.name}`, origRedact[c.name] || 'show')))))));
  } catch (err) {
    clear(colsBox, errorBox(err));
  }
}

function setFilterError(m) {
  clear(filterErr, m ? h('span', { role: 'alert' }, m) : null);
  if (m) filterIn.setAttribute('aria-invalid', 'true'); else filterIn.removeAttribute('aria-invalid');
}

async function save(e) {
  e.preventDefault();
  clear(msg);
  setFilterError('');
  const columns = [...colsBox.querySelectorAll('input.view-inc:checked')].map((b) => b.dataset.col);
  const redact = {};
  for (const s of colsBox.querySelectorAll('select')) {
    const col = s.closest('tr').dataset.col;
    if (s.value === 'show' || !columns.includes(col)) continue;
    // An unchanged mask keeps its prefix and suffix.
    redact[col] = origRedact[col] && maskAction(origRedact[col]) === s.value ? origRedact[col] : s.value;
  }
  if (!columns.length) { clear(msg, errorBox('Include at least one column.')); return; }
  const body = { name: nameIn.value.trim(), dataset: dsSel.value, columns, redact, description: descIn.value.trim() };
  if (filterIn.value.trim()) body.filter = filterIn.value.trim();
  try {
    const v = await api('/catalog/views', { method: 'POST', body });
    saved = v.name;
    origRedact = v.redact || {};
    clear(msg, h('p.ok-text', { role: 'status' }, `View ${v.name} saved.`));
    announce(`View ${v.name} saved; previewing it as ${roleSel.value}`);
    refreshList();
    await preview();
  } catch (err) {
    if (/filter/i.test(err.message)) {
      setFilterError(err.message);
      filterIn.focus();
    } else {
      clear(msg, errorBox(err));
    }
  }
}

/** Runs the preview of the saved view as the chosen role (or as oneself without govern). */
async function preview() {
  if (!saved) return;
  const my = ++seq;
  const role = roleSel.value;
  const q = `SELECT * FROM ${ident(saved)} LIMIT 20`;
  prevStatus.textContent = `Running the preview as ${role}…`;
  clear(prevErr);
  try {
    const r = await sql(q, { limit: 20, asRole: ctx.can('govern') ? role : undefined });
    if (my !== seq) return;
    grid.setData(r.columns, r.rows, { fit: true, empty: 'No row passes the row filter.' });
    grid.el.dataset.view = saved;
    grid.el.dataset.role = role;
    prevStatus.textContent = `${num(r.row_count)} rows of ${saved} as the role ${role} sees them: ${q}`;
  } catch (err) {
    if (my !== seq) return;
    grid.setData([], [], { fit: true, empty: 'No preview.' });
    delete grid.el.dataset.view;
    prevStatus.textContent = `The preview as ${role} failed.`;
    clear(prevErr, errorBox(err));
  }
}

async function open(v) {
  nameIn.value = v.name;
  descIn.value = v.description || '';
  dsSel.value = v.dataset;
  filterIn.value = v.filter || '';
  setFilterError('');
  clear(msg);
  saved = v.name;
  await loadColumns(v);
  announce(`View ${v.name} opened`);
  await preview();
}

async function remove(v) {
  const ok = await confirmDialog({
    title: `Delete the view ${v.name}?`,
    message: h('p', null, `Roles and agents that read ${v.name} lose it at once; the dataset ${v.dataset} is not changed.`),
    confirm: 'Delete view',
  });
  if (!ok) return;
  try {
    await api(`/catalog/views/${encodeURIComponent(v.name)}`, { method: 'DELETE' });
    if (saved === v.name) saved = null;
    announce(`View ${v.name} deleted`);
    refreshList();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function refreshList() {
  try {
    const r = await api('/catalog/views');
    const list = r.views || [];
    clear(listBox, list.length ? h('div.table-wrap', null, table([
      { label: 'View', get: (v) => h('strong.mono', { 'data-view': v.name }, v.name) },
      { label: 'Dataset', get: (v) => v.dataset },
      { label: 'Columns', get: (v) => (v.columns?.length ? v.columns.join(', ') : 'all') },
      { label: 'Row filter', get: (v) => (v.filter ? h('code', null, v.filter) : '–') },
      { label: 'Redactions', get: (v) => Object.entries(v.redact || {}).map(([c, m]) => `${c}: ${maskText(m)}`).join(', ') || '–' },
      { label: 'Description', get: (v) => v.description || '' },
      { label: 'Updated', get: (v) => when(v.updated_ms) },
      { label: 'Actions', get: (v) => h('div.row', null,
        h('button.btn.small', { type: 'button', onclick: () => open(v), 'aria-label': `Open view ${v.name}` }, 'Open'),
        h('button.btn.small.danger', { type: 'button', disabled: !ctx.can('govern'), onclick: () => remove(v), 'aria-label': `Delete view ${v.name}` }, 'Delete')) },
    ], list, { caption: 'Views', cls: 'views' })) : h('p.muted', null, 'No view yet.'));
  } catch (err) {
    clear(listBox, errorBox(err));
  }
}

async function loadChoices() {
  const [d, r] = await Promise.all([
    api('/catalog/datasets').catch(() => ({ datasets: [] })),
    ctx.can('govern') ? api('/access/roles').catch(() => null) : null,
  ]);
  datasets = d.datasets || [];
  const keep = dsSel.value;
  clear(dsSel, datasets.map((x) => h('option', { value: x.name, selected: x.name === keep }, x.name)));
  const roles = r ? r.roles.map((x) => x.name) : [ctx.who?.role?.name || 'me'];
  const keepRole = roleSel.value || (roles.includes('agent') ? 'agent' : roles[0]);
  clear(roleSel, roles.map((x) => h('option', { value: x, selected: x === keepRole }, x)));
  roleSel.disabled = !r;
  if (!colsBox.firstChild) await loadColumns();
}

export default {
  id: 'views',
  label: 'Views',
  perm: 'govern',
  mount(e) {
    el = e;
    nameIn = h('input', { type: 'text', required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'e.g. candidates_ca' });
    descIn = h('input', { type: 'text', placeholder: 'what it is for' });
    dsSel = h('select', { onchange: () => { origRedact = {}; loadColumns(); } });
    colsBox = h('div.table-wrap.view-cols-wrap#view-columns');
    filterIn = h('input.mono', { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: "e.g. state = 'CA'", 'aria-describedby': 'view-filter-error' });
    filterErr = h('div.field-error#view-filter-error');
    roleSel = h('select', { onchange: () => preview() });
    msg = h('div#view-msg', { 'aria-live': 'polite' });
    listBox = h('div#views-list');
    prevStatus = h('p.muted#view-preview-status', { role: 'status', 'aria-live': 'polite' }, 'Save a view (or open one) to preview it.');
    prevErr = h('div#view-preview-error');
    grid = new VirtualGrid({ label: 'View preview', short: true });
    grid.el.id = 'view-grid';
    grid.setData([], [], { fit: true, empty: 'No preview yet.' });
    fs = h('fieldset.plain.stack', null,
      h('div.row.align-end', null,
        field('view-name', 'View name', nameIn),
        field('view-dataset', 'Dataset', dsSel),
        h('div.field.grow', null, h('label', { for: 'view-desc' }, 'Description'), Object.assign(descIn, { id: 'view-desc', name: 'view-desc' }))),
      h('div', null, h('p.label', null, 'Columns: include and redact'), colsBox,
        h('p.muted', null, 'A redaction applies on top of the reading role\'s own masks: the stricter one wins.')),
      h('div.field', null, field('view-filter', 'Row filter (SQL condition, optional)', filterIn,
        'Only rows where it holds are in the view, e.g. state = \'CA\' AND years_experience > 5.'), filterErr));
    clear(el,
      h('div.card', null, h('h3', null, 'AI-safe views'), listBox),
      h('div.card', null, h('h3', null, 'Create or edit a view'), h('div#views-denied'),
        h('form#view-form', { onsubmit: save }, fs,
          h('div.row-end', null,
            h('span.inline-label', null, h('label', { for: 'view-role', class: 'inline-label' }, 'Preview as role'), Object.assign(roleSel, { id: 'view-role', name: 'view-role' })),
            h('button.btn.primary#view-save', { type: 'submit' }, 'Save and preview'))),
        msg),
      h('section.card#view-preview', { 'aria-labelledby': 'h-view-preview' },
        h('h3#h-view-preview', null, 'Preview (first 20 rows, masked as the role sees them)'),
        prevStatus, prevErr, grid.el));
  },
  async show(c) {
    ctx = c;
    const ok = c.can('govern');
    fs.disabled = !ok;
    el.querySelector('#view-save').disabled = !ok;
    clear(el.querySelector('#views-denied'), ok ? null : denied(c.who, 'govern', 'define views or preview them as another role'));
    await Promise.all([refreshList(), loadChoices()]);
  },
  hide() {},
};
