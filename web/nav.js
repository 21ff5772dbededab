// SPDX-License-Identifier: MIT
// nav.js - navigation between tabs: go('explore', 'candidates') opens #/explore/candidates.
// app.js listens for hashchange (and for lh:route when the hash is already current).

/** Navigates to #/id[/args...]; re-shows the view if it is already the current one. */
export function go(id, ...args) {
  const hash = '#/' + [id, ...args.map((a) => encodeURIComponent(a))].join('/');
  if (location.hash === hash) window.dispatchEvent(new CustomEvent('lh:route'));
  else location.hash = hash;
}

/** The href of a view, for real links (middle-click, open in a new tab). */
export function href(id, ...args) {
  return '#/' + [id, ...args.map((a) => encodeURIComponent(a))].join('/');
}

// Hand-over between tabs (e.g. "Query in SQL" from a dataset page): one pending value.
let pending = null;
export function handOver(v) { pending = v; }
export function takeHandOver() { const v = pending; pending = null; return v; }
