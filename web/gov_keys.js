// SPDX-License-Identifier: MIT
// gov_keys.js - Governance › API keys: create a key for a role (and optionally a model
// profile), shown once in a copyable field and never stored by the page; the list of
// keys (never their secret) with Revoke, after a confirmation.
import { api } from './api.js';
import { h, clear, when, ago, badge, table, errorBox, announce, confirmDialog } from './dom.js';
import { field, denied } from './gov_util.js';

let el, fs, roleSel, profSel, nameIn, secretBox, secretIn, copyMsg, msg, listBox, ctx;

function showSecret(r) {
  secretIn.value = r.key;
  clear(secretBox.querySelector('.secret-for'), `New key for `, h('strong', null, r.api_key.name),
    ` (role ${r.api_key.role}${r.api_key.profile ? `, profile ${r.api_key.profile}` : ''}, id `, h('span.mono', null, r.api_key.id), ')');
  copyMsg.textContent = '';
  secretBox.hidden = false;
  secretIn.focus();
  secretIn.select();
  announce('API key created. Copy it now: it is shown only once.');
}

/** Forgets the key text: it exists only in this field until Done or leaving the section. */
function hideSecret() {
  secretIn.value = '';
  secretBox.hidden = true;
}

async function copy() {
  secretIn.select();
  try {
    await navigator.clipboard.writeText(secretIn.value);
    copyMsg.textContent = 'Copied to the clipboard.';
  } catch {
    // No clipboard permission (e.g. plain http off localhost): the text is selected.
    copyMsg.textContent = document.execCommand?.('copy') ? 'Copied to the clipboard.' : 'Press Ctrl+C to copy the selected key.';
  }
}

async function create(e) {
  e.preventDefault();
  clear(msg);
  hideSecret();
  const body = { name: nameIn.value.trim(), role: roleSel.value };
  if (profSel.value) body.profile = profSel.value;
  try {
    const r = await api('/access/keys', { method: 'POST', body });
    nameIn.value = '';
    showSecret(r);
    await refresh();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function revoke(k) {
  const ok = await confirmDialog({
    title: 'Revoke this API key?',
    message: h('p', null, 'The key ', h('strong', null, k.name), ` (id ${k.id}, role ${k.role}) stops working at once, for every following request. This cannot be undone.`),
    confirm: 'Revoke key',
  });
  if (!ok) return;
  clear(msg);
  try {
    await api(`/access/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
    announce(`Key ${k.name} revoked`);
    await refresh();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

function render(list) {
  clear(listBox, list.length ? h('div.table-wrap', null, table([
    { label: 'Id', get: (k) => h('span.mono', { 'data-key-id': k.id }, k.id) },
    { label: 'Name', get: (k) => k.name },
    { label: 'Role', get: (k) => k.role },
    { label: 'Profile', get: (k) => k.profile || '–' },
    { label: 'Created', get: (k) => h('span', { title: k.created_by }, when(k.created_ms), h('span.muted', null, ` by ${k.created_by}`)) },
    { label: 'Last used', get: (k) => (k.last_used_ms ? ago(k.last_used_ms) : 'never') },
    { label: 'State', get: (k) => (k.revoked ? h('span', null, badge('revoked', 'st-failed'), h('span.muted', null, ` ${when(k.revoked_ms)}`)) : badge('active', 'st-ready')) },
    { label: 'Actions', get: (k) => (k.revoked ? '' : h('button.btn.small.danger', { type: 'button', disabled: !ctx.can('govern'), onclick: () => revoke(k), 'aria-label': `Revoke key ${k.name} (${k.id})` }, 'Revoke')) },
  ], list, { caption: 'API keys', cls: 'keys' })) : h('p.muted', null, 'No API key yet.'));
}

async function refresh() {
  try {
    const [k, r, p] = await Promise.all([api('/access/keys'), api('/access/roles'), api('/vectors/profiles').catch(() => ({ profiles: [] }))]);
    const keep = [roleSel.value, profSel.value];
    clear(roleSel, r.roles.map((x) => h('option', { value: x.name, selected: x.name === (keep[0] || 'analyst') }, x.builtin ? x.name : `${x.name} (custom)`)));
    clear(profSel, h('option', { value: '' }, 'none'), p.profiles.map((x) => h('option', { value: x.name, selected: x.name === keep[1] }, x.name)));
    render(k.keys || []);
  } catch (err) {
    clear(listBox, errorBox(err));
  }
}

export default {
  id: 'keys',
  label: 'API keys',
  perm: 'govern',
  mount(e) {
    el = e;
    nameIn = h('input', { type: 'text', required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'e.g. bi-dashboard' });
    roleSel = h('select');
    profSel = h('select');
    secretIn = h('input.secret-value#key-secret', { type: 'text', readonly: true, spellcheck: 'false', autocomplete: 'off' });
    copyMsg = h('span.muted#key-copy-msg', { 'aria-live': 'polite' });
    secretBox = h('div.secret-box#key-secret-box', { hidden: true, role: 'region', 'aria-label': 'New API key' },
      h('p.warn-text', null, h('strong', null, 'Copy this key now: it is shown only once. '),
        'The server keeps only its hash and cannot show it again; this page does not keep it either.'),
      h('p.secret-for'),
      h('label', { for: 'key-secret' }, 'API key'),
      h('div.row', null, secretIn, h('button.btn#key-copy', { type: 'button', onclick: copy }, 'Copy'),
        h('button.btn#key-done', { type: 'button', onclick: () => { hideSecret(); nameIn.focus(); } }, 'Done, I have stored it')),
      copyMsg);
    msg = h('div#key-msg', { 'aria-live': 'polite' });
    listBox = h('div#keys-list');
    fs = h('fieldset.plain', null,
      h('div.row.align-end', null,
        field('key-name', 'Name', nameIn),
        field('key-role', 'Role', roleSel),
        field('key-profile', 'Model profile (optional)', profSel),
        h('button.btn.primary#key-create', { type: 'submit' }, 'Create key')));
    clear(el,
      h('div.card', null, h('h3', null, 'Create an API key'), h('div#keys-denied'),
        h('form#key-form', { onsubmit: create }, fs), msg, secretBox),
      h('div.card', null, h('h3', null, 'API keys'), listBox));
  },
  async show(c) {
    ctx = c;
    const ok = c.can('govern');
    fs.disabled = !ok;
    clear(el.querySelector('#keys-denied'), ok ? null : denied(c.who, 'govern', 'create, list and revoke API keys'));
    if (!ok) {
      clear(listBox, h('p.muted', null, 'The key list needs the govern permission.'));
      return;
    }
    await refresh();
  },
  hide() { hideSecret(); },
};
