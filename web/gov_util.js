// SPDX-License-Identifier: MIT
// gov_util.js - helpers shared by the Governance sections: labelled fields, checkbox
// groups, the notice shown when the role lacks a permission, masks as text.
import { h } from './dom.js';

export const PERMISSIONS = ['read', 'query', 'search', 'ingest', 'index', 'delete', 'govern', 'admin'];
export const LEVELS = ['public', 'internal', 'confidential', 'restricted'];
export const PII_KINDS = ['email', 'phone', 'ssn', 'credit_card', 'ip_address', 'date_of_birth', 'salary',
  'street_address', 'medical', 'person_name'];
export const MASKS = ['show', 'mask', 'hash', 'null'];

/** A label over an input; help (text) becomes #<id>-help and the input's description. */
export function field(id, label, input, help) {
  input.id = id;
  if (!input.name) input.name = id;
  if (help) input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), `${id}-help`].filter(Boolean).join(' '));
  return h('div.field', null, h('label', { for: id }, label), input, help ? h('span.help.muted', { id: `${id}-help` }, help) : null);
}

/**
 * Checkboxes in a fieldset (id = its name): items [[value, text]], checked values.
 * all: the text of an extra "*" box that stands for every item (it disables the others).
 */
export function checkGroup(id, legend, items, checked = [], { all, empty } = {}) {
  const set = new Set(checked);
  const allBox = all ? h('input', { type: 'checkbox', name: id, value: '*', checked: set.has('*') }) : null;
  const fs = h('fieldset.checks', { id }, h('legend', null, legend),
    allBox ? h('label.check', null, allBox, all) : null,
    items.map(([v, t]) => h('label.check', null, h('input', { type: 'checkbox', name: id, value: v, checked: set.has(v) }), t)),
    !items.length && empty ? h('span.muted', null, empty) : null);
  const sync = () => {
    if (!allBox) return;
    for (const b of fs.querySelectorAll('input:not([value="*"])')) b.disabled = allBox.checked;
  };
  allBox?.addEventListener('change', sync);
  sync();
  return fs;
}

/** The checked values of a checkGroup: ["*"] when its "all" box is checked. */
export function checkedValues(fs) {
  const v = [...fs.querySelectorAll('input:checked')].map((b) => b.value);
  return v.includes('*') ? ['*'] : v;
}

/** A select of the four mask actions; value may be an action or {action, prefix, suffix}. */
export function maskSelect(id, label, value, { inherit } = {}) {
  const opts = inherit ? [['', inherit], ...MASKS.map((m) => [m, m])] : MASKS.map((m) => [m, m]);
  const cur = value ? maskAction(value) : '';
  return h('select', { id, name: id, 'aria-label': label },
    opts.map(([v, t]) => h('option', { value: v, selected: v === cur }, t)));
}

export function maskAction(m) {
  return typeof m === 'string' ? m : m?.action || 'show';
}

/** A mask for people: "hash", "mask (keeps 1 + 2)". */
export function maskText(m) {
  if (!m || typeof m === 'string') return m || 'show';
  if (m.action === 'mask' && (m.prefix !== undefined || m.suffix !== undefined)) return `mask (keeps ${m.prefix ?? 0} + ${m.suffix ?? 0})`;
  return m.action;
}

/** The notice shown in place of a section's controls when the caller's role lacks perm. */
export function denied(who, perm, what) {
  return h('p.notice.warn', { role: 'note', 'data-denied': perm },
    'Your role ', h('strong', null, who?.role?.name || 'unknown'), ' does not have the ', h('code', null, perm),
    ` permission, which is needed to ${what}. Ask an administrator for a key with a role that has it.`);
}

/** Values typed one per line or separated by commas, trimmed, without duplicates. */
export function splitValues(text) {
  return [...new Set(String(text).split(/[\n,]+/).map((s) => s.trim()).filter(Boolean))];
}
