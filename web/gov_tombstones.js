// SPDX-License-Identifier: MIT
// gov_tombstones.js - Governance › Tombstones: delete rows by key everywhere (a form with
// a confirmation step: the rows leave SQL, search, RAG and exports at once), and every
// tombstone with its dataset, key, actor, reason, time and whether compaction purged it.
import { api } from './api.js';
import { h, clear, num, when, badge, table, errorBox, announce, confirmDialog } from './dom.js';
import { field, denied, splitValues } from './gov_util.js';

let el, fs, dsSel, keySel, valuesIn, reasonIn, actorIn, msg, listBox, countEl;

async function loadKeys() {
  const name = dsSel.value;
  clear(keySel);
  if (!name) return;
  try {
    const d = await api(`/catalog/datasets/${encodeURIComponent(name)}`);
    if (dsSel.value !== name) return;
    clear(keySel, d.columns.map((c) => h('option', { value: c.name }, `${c.name} (${c.type})`)));
    const guess = d.columns.find((c) => /(^id$|_id$)/i.test(c.name));
    if (guess) keySel.value = guess.name;
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function submit(e) {
  e.preventDefault();
  clear(msg);
  const values = splitValues(valuesIn.value);
  const reason = reasonIn.value.trim();
  if (!values.length) { clear(msg, errorBox('Enter at least one key value.')); valuesIn.focus(); return; }
  if (!reason) { clear(msg, errorBox('A reason is required (it is kept with the tombstone).')); reasonIn.focus(); return; }
  const ds = dsSel.value, key = keySel.value;
  const shown = values.length > 8 ? `${values.slice(0, 8).join(', ')} and ${values.length - 8} more` : values.join(', ');
  const ok = await confirmDialog({
    title: `Delete rows of ${ds} everywhere?`,
    message: [
      h('p', null, `Rows of `, h('strong', null, ds), ` whose `, h('code', null, key), ` is ${shown} (${values.length} value${values.length > 1 ? 's' : ''}) `,
        h('strong', null, 'disappear immediately from SQL, search, RAG and exports'), ', for every role and view.'),
      h('p', null, 'The tombstone is permanent: a later ingest of the same key stays hidden, and the next compaction removes the rows from the files.'),
    ],
    confirm: 'Delete the rows',
  });
  if (!ok) return;
  const body = { key_column: key, values, reason };
  if (actorIn.value.trim()) body.actor = actorIn.value.trim();
  try {
    const r = await api(`/catalog/datasets/${encodeURIComponent(ds)}/tombstone`, { method: 'POST', body });
    clear(msg, h('p.ok-text#tomb-result', { role: 'status', 'data-added': r.added },
      `${num(r.added)} tombstone${r.added === 1 ? '' : 's'} added to ${r.dataset}${r.durable ? ' (stored durably)' : ''}; the rows are gone from every query.`));
    announce(`${r.added} tombstones added to ${r.dataset}`);
    valuesIn.value = '';
    reasonIn.value = '';
    await refresh();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

async function refresh() {
  try {
    const r = await api('/catalog/tombstones');
    const list = (r.tombstones || []).slice().sort((a, b) => b.created_ms - a.created_ms || b.id - a.id);
    countEl.textContent = `${num(list.length)} tombstone${list.length === 1 ? '' : 's'}, newest first.`;
    clear(listBox, list.length ? h('div.table-wrap', null, table([
      { label: 'Dataset', get: (t) => h('span', { 'data-tombstone': t.id }, t.dataset) },
      { label: 'Key column', get: (t) => h('span.mono', null, t.key_column) },
      { label: 'Value', get: (t) => h('span.mono.tomb-value', null, t.value) },
      { label: 'Reason', get: (t) => t.reason },
      { label: 'Actor', get: (t) => t.actor },
      { label: 'Created', get: (t) => when(t.created_ms) },
      { label: 'State', get: (t) => (t.purged ? h('span', null, badge('purged', 'st-done'), h('span.muted', null, ` ${when(t.purged_ms)}`)) : badge('hidden, not yet compacted', 'st-queued')) },
    ], list, { caption: 'Tombstones', cls: 'tombstones' })) : h('p.muted', null, 'No tombstone yet.'));
  } catch (err) {
    clear(listBox, errorBox(err));
  }
}

async function loadDatasets() {
  try {
    const d = await api('/catalog/datasets');
    const keep = dsSel.value;
    clear(dsSel, (d.datasets || []).map((x) => h('option', { value: x.name, selected: x.name === keep }, x.name)));
    if (dsSel.value !== keep || !keySel.options.length) await loadKeys();
  } catch (err) {
    clear(msg, errorBox(err));
  }
}

export default {
  id: 'tombstones',
  label: 'Tombstones',
  perm: 'delete',
  mount(e) {
    el = e;
    dsSel = h('select', { onchange: loadKeys });
    keySel = h('select');
    valuesIn = h('textarea.mono', { rows: 3, spellcheck: 'false', placeholder: 'one per line, or 17, 18' });
    reasonIn = h('input', { type: 'text', placeholder: 'e.g. GDPR erasure request #12' });
    actorIn = h('input', { type: 'text', placeholder: 'e.g. dpo@example.com' });
    msg = h('div#tomb-msg', { 'aria-live': 'polite' });
    listBox = h('div#tombstones-list');
    countEl = h('p.muted#tomb-count');
    fs = h('fieldset.plain.stack', null,
      h('div.row.align-start', null,
        field('tomb-dataset', 'Dataset', dsSel),
        field('tomb-key', 'Key column', keySel),
        field('tomb-values', 'Key values', valuesIn, 'One per line, or separated by commas. Compared as text.'),
        h('div.stack', null,
          field('tomb-reason', 'Reason (required)', reasonIn),
          field('tomb-actor', 'On behalf of (optional)', actorIn, 'Recorded with your own identity.'))),
      h('div.row-end', null, h('button.btn.danger#tomb-submit', { type: 'submit' }, 'Delete rows…')));
    clear(el,
      h('div.card', null, h('h3', null, 'Delete rows by key, everywhere'),
        h('p.muted', null, 'A tombstone hides every row whose key column holds one of the values — in SQL for every role and view, in exports, vector search and RAG — from the moment it is stored.'),
        h('div#tomb-denied'), h('form#tomb-form', { onsubmit: submit }, fs), msg),
      h('div.card', null, h('h3', null, 'Tombstones'), countEl, listBox));
  },
  async show(c) {
    const ok = c.can('delete');
    fs.disabled = !ok;
    clear(el.querySelector('#tomb-denied'), ok ? null : denied(c.who, 'delete', 'add or list tombstones'));
    if (!ok) {
      countEl.textContent = '';
      clear(listBox, h('p.muted', null, 'The tombstone list needs the delete permission.'));
      return;
    }
    await Promise.all([loadDatasets(), refresh()]);
  },
  hide() {},
};
