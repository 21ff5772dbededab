// SPDX-License-Identifier: MIT
// gov_profiles.js - Governance › Model profiles: an LLM/embedder bound to datasets, views
// and indexes (search and RAG under a profile reach nothing else); create or replace,
// delete, and Activate (loads the profile's indexes into memory).
import { api } from './api.js';
import { h, clear, table, errorBox, announce, confirmDialog } from './dom.js';
import { field, checkGroup, checkedValues, denied } from './gov_util.js';

let el, fs, nameIn, descIn, llmSel, modelIn, embSel, dsBox, viewBox, ixBox, msg, listBox, ctx;
let choices = { datasets: [], views: [], indexes: [] };

const list = (a) => (a?.length ? a.join(', ') : '–');

async function activate(p) {
  clear(msg);
  try {
    const r = await api(`/vectors/profile/${encodeURIComponent(p.name)}/activate`, { method: 'POST' });
    const n = (r.indexes || []).filter((i) => i.loaded).length;
    clear(msg, h('p.ok-text', { role: 'status' }, `Profile ${r.profile} activated: ${n} of ${(r.indexes || []).length} indexes loaded.`));
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

/** Checkbox pickers of datasets, views and indexes, with these checked. */
function pickers(p) {
  const pick = (box, id, legend, items, keep) => {
    const fresh = checkGroup(id, legend, items.map((n) => [n, n]), keep, { empty: 'none yet' });
    box.replaceWith(fresh);
    return fresh;
  };
  dsBox = pick(dsBox, 'prof-datasets', 'Datasets', choices.datasets, p.datasets);
  viewBox = pick(viewBox, 'prof-views', 'Views', choices.views, p.views);
  ixBox = pick(ixBox, 'prof-indexes', 'Indexes', choices.indexes, p.indexes);
}

function edit(p) {
  nameIn.value = p.name;
  descIn.value = p.description || '';
  llmSel.value = p.llm || '';
  modelIn.value = p.llm_model || '';
  embSel.value = p.embedder || '';
  pickers(p);
  nameIn.focus();
  announce(`Editing profile ${p.name}`);
}

async function remove(p) {
  if (!await confirmDialog({ title: `Delete the profile ${p.name}?`, message: h('p', null, `Search and RAG under ${p.name} are refused (403) from now on, also for keys bound to it, until a profile of that name is defined again.`), confirm: 'Delete profile' })) return;
  try {
    await api(`/vectors/profiles/${encodeURIComponent(p.name)}`, { method: 'DELETE' });
    announce(`Profile ${p.name} deleted`);
    await refresh();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function save(e) {
  e.preventDefault();
  clear(msg);
  const body = { name: nameIn.value.trim(), datasets: checkedValues(dsBox), views: checkedValues(viewBox), indexes: checkedValues(ixBox), description: descIn.value.trim() };
  if (llmSel.value) body.llm = llmSel.value;
  if (modelIn.value.trim()) body.llm_model = modelIn.value.trim();
  if (embSel.value) body.embedder = embSel.value;
  try {
    const p = await api('/vectors/profiles', { method: 'POST', body });
    clear(msg, h('p.ok-text', { role: 'status' }, `Profile ${p.name} saved.`));
    announce(`Profile ${p.name} saved`);
    await refresh();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function refresh() {
  try {
    const [p, d, v, x] = await Promise.all([api('/vectors/profiles'), api('/catalog/datasets'), api('/catalog/views'), api('/vectors/indexes')]);
    const profiles = p.profiles || [];
    clear(listBox, profiles.length ? h('div.table-wrap', null, table([
      { label: 'Profile', get: (q) => h('strong', { 'data-profile': q.name }, q.name) },
      { label: 'Datasets', get: (q) => list(q.datasets) },
      { label: 'Views', get: (q) => list(q.views) },
      { label: 'Indexes', get: (q) => list(q.indexes) },
      { label: 'LLM', get: (q) => [q.llm || 'server default', q.llm_model ? ` · ${q.llm_model}` : ''].join('') },
      { label: 'Embedder', get: (q) => q.embedder || 'any' },
      { label: 'Description', get: (q) => q.description || '' },
      { label: 'Actions', get: (q) => h('div.row', null,
        h('button.btn.small', { type: 'button', disabled: !ctx.can('govern'), onclick: () => edit(q), 'aria-label': `Edit profile ${q.name}` }, 'Edit'),
        h('button.btn.small', { type: 'button', disabled: !ctx.can('search'), onclick: () => activate(q), 'aria-label': `Activate profile ${q.name}` }, 'Activate'),
        h('button.btn.small.danger', { type: 'button', disabled: !ctx.can('govern'), onclick: () => remove(q), 'aria-label': `Delete profile ${q.name}` }, 'Delete')) },
    ], profiles, { caption: 'Model profiles', cls: 'profiles' })) : h('p.muted', null, 'No profile yet.'));
    const names = (a) => (a || []).map((z) => z.name);
    choices = { datasets: names(d.datasets), views: names(v.views), indexes: names(x.indexes) };
    pickers({ datasets: checkedValues(dsBox), views: checkedValues(viewBox), indexes: checkedValues(ixBox) });
  } catch (err) {
    clear(listBox, errorBox(err));
  }
}

export default {
  id: 'profiles',
  label: 'Model profiles',
  perm: 'govern',
  mount(e) {
    el = e;
    const opts = (a) => a.map(([v, t]) => h('option', { value: v }, t));
    nameIn = h('input', { type: 'text', required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'e.g. hr' });
    descIn = h('input', { type: 'text' });
    llmSel = h('select', null, opts([['', 'server default'], ['none', 'none (extractive)'], ['ollama', 'ollama'], ['openai', 'openai']]));
    modelIn = h('input', { type: 'text', spellcheck: 'false' });
    embSel = h('select', null, opts([['', 'any'], ['builtin', 'builtin'], ['ollama', 'ollama'], ['openai', 'openai']]));
    dsBox = h('fieldset');
    viewBox = h('fieldset');
    ixBox = h('fieldset');
    msg = h('div#prof-msg', { 'aria-live': 'polite' });
    listBox = h('div#profiles-list');
    fs = h('fieldset.plain.stack', null,
      h('div.row.align-end', null,
        field('prof-name', 'Profile name', nameIn),
        field('prof-llm', 'LLM', llmSel),
        field('prof-model', 'LLM model (optional)', modelIn),
        field('prof-embedder', 'Embedder', embSel),
        h('div.field.grow', null, h('label', { for: 'prof-desc' }, 'Description'), Object.assign(descIn, { id: 'prof-desc' }))),
      h('div.pickers', null, dsBox, viewBox, ixBox),
      h('div.row-end', null, h('button.btn.primary#prof-save', { type: 'submit' }, 'Save profile')));
    clear(el,
      h('div.card', null, h('h3', null, 'Model profiles'), listBox, msg),
      h('div.card', null, h('h3', null, 'Create or replace a profile'), h('div#prof-denied'), h('form#prof-form', { onsubmit: save }, fs)));
  },
  async show(c) {
    ctx = c;
    const ok = c.can('govern');
    fs.disabled = !ok;
    clear(el.querySelector('#prof-denied'), ok ? null : denied(c.who, 'govern', 'define model profiles'));
    await refresh();
  },
  hide() {},
};
