// SPDX-License-Identifier: MIT
// search.js - the Search & Ask tab: semantic (vector), keyword (BM25) or hybrid search
// over an index with an optional SQL filter, hits with the query's words highlighted;
// and questions answered from an index (RAG) with clickable numbered citations.
import { api, ident, qident, literal } from './api.js';
import { h, clear, num, dec, errorBox, announce } from './dom.js';
import { go, href, handOver } from './nav.js';

let panel, indexSel, searchOut, askOut;
let indexes = [];

/** Text with every occurrence of the query's words (3+ letters) wrapped in <mark>. */
export function highlight(text, query) {
  const words = [...new Set(String(query).toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || [])];
  if (!words.length) return [text];
  const re = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  const out = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(h('mark', null, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A window of ~maxLen characters of text around the first match of the query. */
function snippet(text, query, maxLen = 420) {
  if (text.length <= maxLen) return text;
  const words = String(query).toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || [];
  const low = text.toLowerCase();
  let at = -1;
  for (const w of words) { const i = low.indexOf(w); if (i >= 0 && (at < 0 || i < at)) at = i; }
  const start = Math.max(0, (at < 0 ? 0 : at) - 120);
  return (start ? '…' : '') + text.slice(start, start + maxLen) + (start + maxLen < text.length ? '…' : '');
}

function indexInfo(name) {
  return indexes.find((i) => i.name === name);
}

/** A link that opens the document's row in the SQL tab. */
function rowLink(indexName, docId) {
  const ix = indexInfo(indexName);
  if (!ix) return null;
  const q = `SELECT *\nFROM ${ident(ix.dataset)}\nWHERE CAST(${qident(ix.id_column)} AS VARCHAR) = ${literal(docId)}`;
  return h('button.linklike', { type: 'button', onclick: () => { handOver({ sql: q }); go('sql'); } }, 'show row');
}

async function loadIndexes() {
  try {
    const d = await api('/vectors/indexes');
    indexes = d.indexes || [];
  } catch (e) {
    indexes = [];
    clear(searchOut, errorBox(e));
  }
  const keep = indexSel.value;
  const ready = indexes.filter((i) => i.state === 'ready');
  clear(indexSel, ready.length ? ready.map((i) => h('option', { value: i.name, selected: i.name === keep },
    `${i.name} — ${i.dataset}.${i.text_column} (${i.embedder}${i.stale ? ', stale' : ''})`)) : h('option', { value: '' }, 'no index is ready'));
  panel.querySelector('#search-noindex').hidden = ready.length > 0;
}

async function doSearch(e) {
  e.preventDefault();
  const f = e.target;
  const query = f.querySelector('#search-query').value.trim();
  if (!query || !indexSel.value) return;
  const body = { index: indexSel.value, query, mode: f.querySelector('input[name=search-mode]:checked').value, k: Number(f.querySelector('#search-k').value) || 10 };
  const filter = f.querySelector('#search-filter').value.trim();
  if (filter) body.filter = filter;
  clear(searchOut, h('p.muted', null, 'Searching…'));
  searchOut.setAttribute('aria-busy', 'true');
  try {
    const r = await api('/vectors/search', { method: 'POST', body });
    clear(searchOut,
      h('p.muted#search-summary', { 'data-count': r.count }, `${num(r.count)} hits in ${num(r.ms)} ms · ${body.mode}${r.exact ? ' · exact search (filter)' : ''}`),
      r.hits.length ? h('ol.hits#search-hits', null, r.hits.map((hit) => h('li.hit', { 'data-doc': hit.doc_id },
        h('div.meta', null, `#${hit.rank} · document `, h('strong.mono', null, hit.doc_id), ` · chunk ${hit.chunk} · score ${dec(hit.score, 4)} · `, rowLink(body.index, hit.doc_id)),
        h('p', null, highlight(snippet(hit.text, query), query))))) : h('p', null, 'No hits.'));
    announce(`${r.count} hits`);
  } catch (err) {
    clear(searchOut, errorBox(err));
  } finally {
    searchOut.setAttribute('aria-busy', 'false');
  }
}

function focusCitation(n) {
  const li = document.getElementById(`cite-${n}`);
  if (!li) return;
  for (const x of askOut.querySelectorAll('.citations li.flash')) x.classList.remove('flash');
  li.classList.add('flash');
  li.focus();
  li.scrollIntoView({ block: 'nearest' });
}

/** The answer text with every "[n]" turned into a button that jumps to citation n. */
function answerWithLinks(text, citations) {
  const known = new Set(citations.map((c) => String(c.n)));
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d+)\]/g)) {
    if (!known.has(m[1])) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    const n = m[1];
    out.push(h('a.cite-link', { href: `#cite-${n}`, 'aria-label': `citation ${n}`, 'data-cite': n, onclick: (e) => { e.preventDefault(); focusCitation(n); } }, `[${n}]`));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

async function doAsk(e) {
  e.preventDefault();
  const q = panel.querySelector('#ask-question').value.trim();
  if (!q) return;
  const body = { question: q, k: Number(panel.querySelector('#ask-k').value) || 5 };
  if (indexSel.value) body.index = indexSel.value;
  clear(askOut, h('p.muted', null, 'Thinking…'));
  askOut.setAttribute('aria-busy', 'true');
  try {
    const r = await api('/vectors/rag', { method: 'POST', body });
    clear(askOut,
      h('p.muted', null, r.mode === 'llm' ? `Answered by ${r.model || 'the LLM'} from ${r.index}` : `Extractive answer from ${r.index} (no LLM configured: the best passages, cited)`),
      h('div.answer#ask-answer', null, answerWithLinks(r.answer || '', r.citations || [])),
      h('h4', null, 'Citations'),
      h('ol.citations#ask-citations', null, (r.citations || []).map((c) => h('li', { id: `cite-${c.n}`, tabindex: -1, value: c.n, 'data-doc': c.doc_id },
        h('div.meta.muted', null, `[${c.n}] document `, h('strong.mono', null, c.doc_id), ` · chunk ${c.chunk} · score ${dec(c.score, 4)} · `, rowLink(r.index, c.doc_id)),
        h('p', null, snippet(c.text || '', q, 600))))));
    announce('Answer ready');
  } catch (err) {
    clear(askOut, errorBox(err));
  } finally {
    askOut.setAttribute('aria-busy', 'false');
  }
}

function mount(p) {
  panel = p;
  indexSel = h('select#search-index');
  searchOut = h('div#search-results', { 'aria-live': 'polite' });
  askOut = h('div#ask-result', { 'aria-live': 'polite' });
  const mode = (v, label, checked) => h('label.inline-label', null, h('input', { type: 'radio', name: 'search-mode', value: v, checked }), label);
  clear(panel,
    h('h2', { tabindex: -1 }, 'Search & Ask'),
    h('div.card', null,
      h('div.row', null,
        h('div.field.grow', null, h('label', { for: 'search-index' }, 'Index'), indexSel),
        h('button.btn', { type: 'button', onclick: loadIndexes, style: null }, 'Reload indexes')),
      h('p.notice#search-noindex', { hidden: true }, 'No index is ready yet. Build one on the ', h('a', { href: href('indexes') }, 'Indexes & Jobs'), ' tab.')),
    h('section.card', { 'aria-labelledby': 'h-search' },
      h('h3#h-search', null, 'Search'),
      h('form#search-form', { onsubmit: doSearch },
        h('div.row', null,
          h('div.field.grow', null, h('label', { for: 'search-query' }, 'Search for'), h('input#search-query', { type: 'search', required: true, placeholder: 'words or a description of what you look for' })),
          h('div.field', null, h('label', { for: 'search-k' }, 'Results (k)'), h('input#search-k', { type: 'number', min: 1, max: 1000, value: 10 }))),
        h('div.row', null,
          h('fieldset', null, h('legend', null, 'Mode'),
            h('div.row', null, mode('hybrid', 'Hybrid (both, fused)', true), mode('vector', 'Semantic (vector)'), mode('keyword', 'Keyword (BM25)'))),
          h('div.field.grow', null, h('label', { for: 'search-filter' }, 'Filter (SQL condition on the dataset’s columns, optional)'),
            h('input#search-filter', { type: 'text', placeholder: "e.g. city = 'Boston' AND years_experience > 5", spellcheck: 'false' }))),
        h('div.row-end', null, h('button.btn.primary#search-run', { type: 'submit' }, 'Search'))),
      searchOut),
    h('section.card', { 'aria-labelledby': 'h-ask' },
      h('h3#h-ask', null, 'Ask'),
      h('form#ask-form', { onsubmit: doAsk },
        h('div.row', null,
          h('div.field.grow', null, h('label', { for: 'ask-question' }, 'Question'), h('input#ask-question', { type: 'text', required: true, placeholder: 'Ask a question about the indexed documents' })),
          h('div.field', null, h('label', { for: 'ask-k' }, 'Passages'), h('input#ask-k', { type: 'number', min: 1, max: 50, value: 5 }))),
        h('div.row-end', null, h('button.btn.primary#ask-run', { type: 'submit' }, 'Ask'))),
      askOut));
}

export default {
  id: 'search',
  mount,
  show() { return loadIndexes(); },
  hide() {},
};
