// SPDX-License-Identifier: MIT
// dom.js - small DOM helpers, formatters and SVG charts shared by the tabs.
// Text always goes in as text nodes (never innerHTML), so data cannot inject markup.

/**
 * Creates an element: h('button.btn.primary#run', {type: 'button', onclick}, 'Run').
 * Attributes starting with "on" become listeners; `hidden`/`disabled` booleans;
 * children may be strings, numbers, nodes, arrays, null/false (skipped).
 */
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = v;
    else if (k === 'value' || k === 'checked' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const SVGNS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Replaces the children of el. */
export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const nf = new Intl.NumberFormat('en-US');
export function num(n) {
  if (n === null || n === undefined || n === '') return '–';
  return typeof n === 'number' ? nf.format(n) : String(n);
}
export function dec(n, digits = 2) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits });
}
export function bytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const u = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0, v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + u[i];
}
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60), r = Math.round(s % 60);
  if (m < 60) return `${m} min ${r} s`;
  const hh = Math.floor(m / 60);
  if (hh < 48) return `${hh} h ${m % 60} min`;
  return `${Math.floor(hh / 24)} days`;
}
export function ago(ms) {
  if (!ms) return '–';
  const d = Date.now() - ms;
  if (d < 0) return 'just now';
  if (d < 45000) return 'just now';
  return duration(d).replace(/ \d+ s$/, '').replace(/ \d+ min$/, '') + ' ago';
}
export function when(ms) {
  return ms ? new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '–';
}

/** Says msg through the polite live region (screen readers). */
export function announce(msg) {
  const el = document.getElementById('announcer');
  if (!el) return;
  el.textContent = '';
  setTimeout(() => { el.textContent = msg; }, 30);
}

let toastTimer = 0;
/** Shows a short message (role=alert) for a few seconds. */
export function toast(msg) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = msg;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 6000);
}

/** An error box (role=alert) for an exception or message. */
export function errorBox(e, extra) {
  const msg = typeof e === 'string' ? e : (e?.message || String(e));
  return h('div.alert', { role: 'alert' }, msg, extra || null);
}

export function badge(text, cls) {
  return h('span', { class: 'badge' + (cls ? ' ' + cls : '') }, text);
}
export function sensBadge(s) {
  return s ? badge(s, 's-' + s) : null;
}
export function stateBadge(s) {
  return badge(s || 'empty', 'st-' + (s || 'empty'));
}

/** A table from rows: columns = [{label, num?, get(row) -> node|string}]. */
export function table(columns, rows, { caption, cls } = {}) {
  return h('table.data' + (cls ? '.' + cls : ''), null,
    caption ? h('caption.visually-hidden', null, caption) : null,
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', null, rows.map((r) => h('tr', null, columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.get(r)))))));
}

/**
 * A small bar chart of bins [{label, count}] as an SVG with a title per bar.
 * The accessible name summarises it; data-total holds the sum (tests read it).
 */
export function histogram(bins, { width = 150, height = 34, label = 'histogram' } = {}) {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const total = bins.reduce((a, b) => a + b.count, 0);
  const bw = width / Math.max(1, bins.length);
  let top = bins[0];
  for (const b of bins) if (b.count > top.count) top = b;
  const s = svg('svg', {
    class: 'hist', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `${label}: ${bins.length} bins, ${num(total)} values` + (top ? `, most in ${top.label}` : ''),
    'data-total': total, 'data-bins': bins.length,
  });
  bins.forEach((b, i) => {
    const bh = b.count ? Math.max(1, Math.round((b.count / max) * (height - 2))) : 0;
    s.append(svg('rect', { x: (i * bw + 0.5).toFixed(1), y: height - bh, width: Math.max(1, bw - 1).toFixed(1), height: bh },
      svg('title', null, `${b.label}: ${num(b.count)}`)));
  });
  return s;
}

/** Horizontal bars for top values [{label, count}]. */
export function topBars(items, total) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return h('div.bars', { role: 'list', 'aria-label': 'most frequent values', 'data-total': total },
    items.map((i) => {
      const bar = h('div.bar');
      bar.style.width = `${(i.count / max) * 100}%`;
      return h('div.bar-row', { role: 'listitem', title: `${i.label}: ${num(i.count)}` },
        h('span.lbl', null, i.label), h('span', null, bar), h('span.cnt', null, num(i.count)));
    }));
}

/**
 * A line plot with points: series = [{x, y, label}], axes labelled. Used for
 * recall against latency. Returns an SVG with role=img and a text summary.
 */
export function linePlot(points, { width = 460, height = 260, xLabel, yLabel, yMin, yMax, title } = {}) {
  const pad = { l: 52, r: 56, t: 18, b: 40 };
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (x0 === x1) { x0 = x0 * 0.9; x1 = x1 * 1.1 || 1; }
  const y0 = yMin ?? Math.min(...ys), y1 = yMax ?? Math.max(...ys);
  const X = (v) => pad.l + ((v - x0) / (x1 - x0 || 1)) * (width - pad.l - pad.r);
  const Y = (v) => height - pad.b - ((v - y0) / (y1 - y0 || 1)) * (height - pad.t - pad.b);
  const s = svg('svg', { class: 'plot', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title || 'plot' });
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + ((y1 - y0) * i) / 4, xv = x0 + ((x1 - x0) * i) / 4;
    s.append(svg('line', { class: 'gridline', x1: pad.l, x2: width - pad.r, y1: Y(yv), y2: Y(yv) }));
    s.append(svg('text', { x: pad.l - 6, y: Y(yv) + 4, 'text-anchor': 'end' }, dec(yv, 3)));
    s.append(svg('text', { x: X(xv), y: height - pad.b + 16, 'text-anchor': 'middle' }, dec(xv, 3)));
  }
  s.append(svg('line', { class: 'axis', x1: pad.l, x2: pad.l, y1: pad.t, y2: height - pad.b }));
  s.append(svg('line', { class: 'axis', x1: pad.l, x2: width - pad.r, y1: height - pad.b, y2: height - pad.b }));
  if (xLabel) s.append(svg('text', { x: (pad.l + width - pad.r) / 2, y: height - 6, 'text-anchor': 'middle' }, xLabel));
  if (yLabel) s.append(svg('text', { x: 12, y: (pad.t + height - pad.b) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(pad.t + height - pad.b) / 2})` }, yLabel));
  const sorted = [...points].sort((a, b) => a.x - b.x);
  s.append(svg('polyline', { class: 'line', points: sorted.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ') }));
  for (const p of points) {
    s.append(svg('circle', { cx: X(p.x), cy: Y(p.y), r: 4 }, svg('title', null, `${p.label}: ${xLabel} ${dec(p.x, 3)}, ${yLabel} ${dec(p.y, 3)}`)));
    if (p.label) s.append(svg('text', { class: 'pt-label', x: X(p.x) + 6, y: Y(p.y) - 6 }, p.label));
  }
  return s;
}

/** A <select> with a label; options = [[value, text]] or strings. */
export function labeledSelect(id, labelText, options, value) {
  const sel = h('select', { id, name: id });
  for (const o of options) {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    sel.append(h('option', { value: v, selected: v === value }, t));
  }
  return [h('label', { for: id }, labelText), sel];
}

/** Debounces fn by ms. */
export function debounce(fn, ms) {
  let t = 0;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

/**
 * Asks for confirmation in a modal dialog. message: a string or nodes. Resolves true
 * when the confirm button is pressed, false on Cancel or Escape. Cancel has the focus
 * first (the safe choice); the focus returns to where it was.
 */
export function confirmDialog({ title, message, confirm = 'Confirm' }) {
  return new Promise((resolve) => {
    const prev = document.activeElement;
    const no = h('button.btn#confirm-cancel', { type: 'button' }, 'Cancel');
    const yes = h('button.btn.danger#confirm-ok', { type: 'button' }, confirm);
    const dlg = h('dialog.confirm#confirm', { 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-msg' },
      h('h2#confirm-title', null, title), h('div#confirm-msg', null, message), h('div.row-end', null, no, yes));
    const done = (v) => {
      dlg.close();
      dlg.remove();
      prev?.focus?.();
      resolve(v);
    };
    no.addEventListener('click', () => done(false));
    yes.addEventListener('click', () => done(true));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}
