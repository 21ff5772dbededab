// SPDX-License-Identifier: MIT
// gov_roles.js - Governance › Roles: the built-in and custom roles with their permissions,
// datasets, views and masks; a form that creates or replaces a custom role (permission
// checkboxes, dataset and view pickers, a mask per sensitivity level and, optionally, per
// PII kind); Delete after a confirmation.
import { api } from './api.js';
import { h, clear, badge, table, errorBox, announce, confirmDialog } from './dom.js';
import { PERMISSIONS, LEVELS, PII_KINDS, field, checkGroup, checkedValues, maskSelect, maskAction, maskText, denied } from './gov_util.js';

const NEW_MASKS = { public: 'show', internal: 'show', confidential: 'mask', restricted: 'null' };
let el, form, fs, nameIn, permBox, dsBox, viewBox, maskBox, piiBox, msg, listBox;
let datasets = [], views = [], orig = {};

function names(list) {
  return (list || []).map((x) => (x === '*' ? 'all' : x)).join(', ') || 'none';
}

function maskList(masks) {
  const m = Object.entries(masks || {}).filter(([, v]) => maskAction(v) !== 'show');
  return m.length ? h('ul.plain', null, m.map(([k, v]) => h('li', null, h('span.mono', null, k), `: ${maskText(v)}`))) : 'none';
}

function render(roles) {
  clear(listBox, h('div.table-wrap', null, table([
    { label: 'Role', get: (r) => h('span', { 'data-role-name': r.name }, h('strong', null, r.name), r.builtin ? [' ', badge('built in')] : null) },
    { label: 'Permissions', get: (r) => h('span.perms', null, r.permissions.map((p) => badge(p, 'perm'))) },
    { label: 'Datasets', get: (r) => names(r.datasets) },
    { label: 'Views', get: (r) => names(r.views) },
    { label: 'Masked columns', get: (r) => maskList(r.masks) },
    { label: 'Actions', get: (r) => (r.builtin ? h('span.muted', null, 'fixed') : h('div.row', null,
      h('button.btn.small', { type: 'button', onclick: () => fill(r), 'aria-label': `Edit role ${r.name}` }, 'Edit'),
      h('button.btn.small.danger', { type: 'button', onclick: () => remove(r), 'aria-label': `Delete role ${r.name}` }, 'Delete'))) },
  ], roles, { caption: 'Roles', cls: 'roles' })));
}

/** Puts a role (or an empty new one) into the form. */
function fill(r) {
  const role = r || { name: '', permissions: ['read', 'query'], datasets: [], views: [], masks: NEW_MASKS };
  orig = role.masks || {};
  nameIn.value = role.name;
  permBox.replaceWith(permBox = checkGroup('role-perms', 'Permissions', PERMISSIONS.map((p) => [p, p]), role.permissions));
  const dsNames = [...new Set([...datasets.map((d) => d.name), ...role.datasets.filter((d) => d !== '*')])];
  dsBox.replaceWith(dsBox = checkGroup('role-datasets', 'Datasets it may read', dsNames.map((d) => [d, d]), role.datasets, { all: 'All datasets', empty: 'No dataset yet.' }));
  const vNames = [...new Set([...views.map((v) => v.name), ...role.views.filter((v) => v !== '*')])];
  viewBox.replaceWith(viewBox = checkGroup('role-views', 'Views it may read', vNames.map((v) => [v, v]), role.views, { all: 'All views', empty: 'No view yet.' }));
  clear(maskBox, h('legend', null, 'Mask by sensitivity level'), h('div.row', null, LEVELS.map((l) =>
    field(`role-mask-${l}`, l, maskSelect(`role-mask-${l}`, `Mask of ${l} columns`, orig[l] || NEW_MASKS[l])))));
  clear(piiBox, h('summary', null, 'Masks by PII kind (override the level)'), h('div.row', null, PII_KINDS.map((k) =>
    field(`role-pii-${k}`, k, maskSelect(`role-pii-${k}`, `Mask of ${k} columns`, orig[k], { inherit: 'by level' })))));
  piiBox.open = PII_KINDS.some((k) => orig[k]);
  if (r) { nameIn.focus(); announce(`Editing role ${r.name}`); }
}

/** A mask to send: the original value when unchanged (keeps a mask's prefix and suffix). */
function maskValue(key, action) {
  return orig[key] && maskAction(orig[key]) === action ? orig[key] : action;
}

async function save(e) {
  e.preventDefault();
  clear(msg);
  const masks = {};
  for (const l of LEVELS) masks[l] = maskValue(l, form.querySelector(`#role-mask-${l}`).value);
  for (const k of PII_KINDS) {
    const v = form.querySelector(`#role-pii-${k}`).value;
    if (v) masks[k] = maskValue(k, v);
  }
  const body = { name: nameIn.value.trim(), permissions: checkedValues(permBox), datasets: checkedValues(dsBox), views: checkedValues(viewBox), masks };
  try {
    const r = await api('/access/roles', { method: 'POST', body });
    clear(msg, h('p.ok-text', { role: 'status' }, `Role ${r.name} saved.`));
    announce(`Role ${r.name} saved`);
    await refresh();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function remove(r) {
  const ok = await confirmDialog({
    title: `Delete the role ${r.name}?`,
    message: h('p', null, `Keys that have the role ${r.name} are refused (403) until a role of that name is defined again.`),
    confirm: 'Delete role',
  });
  if (!ok) return;
  try {
    await api(`/access/roles/${encodeURIComponent(r.name)}`, { method: 'DELETE' });
    announce(`Role ${r.name} deleted`);
    await refresh();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function refresh() {
  try {
    const [r, d, v] = await Promise.all([api('/access/roles'), api('/catalog/datasets'), api('/catalog/views')]);
    datasets = d.datasets || [];
    views = v.views || [];
    render(r.roles || []);
    if (!nameIn.value) fill(null);
  } catch (err) {
    clear(listBox, errorBox(err));
  }
}

export default {
  id: 'roles',
  label: 'Roles',
  perm: 'govern',
  mount(e) {
    el = e;
    nameIn = h('input', { type: 'text', required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'e.g. support' });
    permBox = h('fieldset');
    dsBox = h('fieldset');
    viewBox = h('fieldset');
    maskBox = h('fieldset.masks#role-masks');
    piiBox = h('details.pii-masks#role-pii');
    msg = h('div#role-msg', { 'aria-live': 'polite' });
    listBox = h('div#roles-list');
    fs = h('fieldset.plain.stack', null,
      h('div.row', null, field('role-name', 'Role name', nameIn, 'Lower-case letters, digits and _. Saving an existing custom role replaces it.')),
      permBox, h('div.pickers', null, dsBox, viewBox), maskBox, piiBox,
      h('div.row-end', null,
        h('button.btn#role-new', { type: 'button', onclick: () => { nameIn.value = ''; fill(null); clear(msg); } }, 'New role'),
        h('button.btn.primary#role-save', { type: 'submit' }, 'Save role')));
    form = h('form#role-form', { onsubmit: save }, fs);
    clear(el,
      h('div.card', null, h('h3', null, 'Roles'), listBox),
      h('div.card', null, h('h3', null, 'Create or replace a custom role'), h('div#roles-denied'), form, msg));
    fill(null);
  },
  async show(c) {
    const ok = c.can('govern');
    fs.disabled = !ok;
    clear(el.querySelector('#roles-denied'), ok ? null : denied(c.who, 'govern', 'list and define roles'));
    if (!ok) {
      clear(listBox, h('p.muted', null, 'The role list needs the govern permission.'));
      return;
    }
    await refresh();
  },
  hide() {},
};
