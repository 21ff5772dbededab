// SPDX-License-Identifier: MIT
// grid.js - a results grid that renders only the rows in view (virtual scrolling), so a
// 100,000-row result costs the same to show as a 20-row one. Rows have a fixed height;
// a spacer gives the scrollbar its full length and a pool of row elements is moved and
// refilled on scroll. Column headers show each column's name and SQL type.
import { h } from './dom.js';

const ROW_H = 28;     // keep in sync with --row-h in app.css
const OVERSCAN = 8;
// Whole type names only: "INTEGER[]" is a list, not a number.
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+, ?\d+\))?)$/;

export function isNumericType(t) {
  return NUMERIC.test(String(t || '').toUpperCase());
}

function cellText(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  return s.length > 400 ? s.slice(0, 400) + '…' : s;
}

export class VirtualGrid {
  /** label: accessible name; short: a lower grid (sample rows). */
  constructor({ label = 'Results', short = false } = {}) {
    this.label = label;
    this.el = h('div.grid' + (short ? '.short' : ''), { role: 'grid', tabindex: 0, 'aria-label': label, 'aria-rowcount': 1, 'aria-colcount': 0 });
    this.head = h('div.grid-head', { role: 'row', 'aria-rowindex': 1 });
    this.win = h('div.grid-window', { role: 'rowgroup' });
    this.body = h('div.grid-body', null, this.win);
    this.el.append(this.head, this.body);
    this.columns = [];
    this.rows = [];
    this.offset = 0;
    this.pool = [];
    this.first = -1;
    this.raf = 0;
    this.el.addEventListener('scroll', () => this.schedule(), { passive: true });
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.schedule(true)).observe(this.el);
  }

  /**
   * Shows columns [{name, type}] and rows (arrays). offset = index of the first row in
   * the whole result (row numbers and aria-rowindex continue across pages).
   */
  setData(columns, rows, { offset = 0, empty = 'No rows.', fit = false } = {}) {
    this.columns = columns || [];
    this.rows = rows || [];
    this.offset = offset;
    this.numeric = this.columns.map((c) => isNumericType(c.type));
    this.el.setAttribute('aria-rowcount', String(offset + this.rows.length + 1));
    this.el.setAttribute('aria-colcount', String(this.columns.length + 1));
    this.el.setAttribute('aria-label', `${this.label}: ${this.rows.length.toLocaleString('en-US')} rows, ${this.columns.length} columns`);
    this.el.dataset.rows = String(this.rows.length);

    // Column widths from the names, types and the first few hundred values.
    const sample = this.rows.slice(0, 300);
    // Bold 13 px names take ~8.4 px a character, values ~7.6 px, mono types ~7 px at 11 px.
    const widths = this.columns.map((c, j) => {
      let w = Math.max(String(c.name).length * 8.4, String(c.type || '').length * 7);
      for (const r of sample) {
        const t = cellText(r[j]);
        if (t !== null && t.length * 7.6 > w) w = t.length * 7.6;
      }
      return Math.max(64, Math.min(w, 440) + 22);
    });
    const rnW = Math.max(44, String(offset + this.rows.length).length * 9 + 24);
    this.el.style.setProperty('--cols', [rnW, ...widths].map((w) => `${Math.round(w)}px`).join(' '));

    this.head.replaceChildren(h('div.rn', { role: 'columnheader', 'aria-colindex': 1 }, h('div.cname', null, '#')));
    this.columns.forEach((c, j) => {
      this.head.append(h('div', { role: 'columnheader', 'aria-colindex': j + 2, title: `${c.name} (${c.type})` },
        h('div.cname', null, c.name), h('div.ctype', null, c.type || '')));
    });
    this.pool.forEach((r) => r.el.remove());
    this.pool = [];
    this.first = -1;
    this.body.style.height = `${this.rows.length * ROW_H}px`;
    // fit: a few rows get a grid just as tall as they are (header ~46 px + scrollbar).
    if (fit) this.el.style.height = `${Math.min(420, 64 + Math.max(1, this.rows.length) * ROW_H)}px`;
    this.el.scrollTop = 0;
    if (this.emptyEl) this.emptyEl.remove();
    this.emptyEl = null;
    if (!this.rows.length) {
      this.emptyEl = h('div.grid-empty', null, empty);
      this.el.append(this.emptyEl);
    }
    this.render(true);
  }

  schedule(force = false) {
    if (force) this.first = -1;
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.render(); });
  }

  rowEl() {
    const el = h('div.grid-row', { role: 'row' });
    const cells = [h('div.rn', { role: 'rowheader' })];
    this.columns.forEach((c, j) => cells.push(h('div', { role: 'gridcell', class: this.numeric[j] ? 'n' : null })));
    el.append(...cells);
    return { el, cells };
  }

  render(force = false) {
    const n = this.rows.length;
    const viewH = this.el.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.el.scrollTop / ROW_H) - OVERSCAN);
    const count = Math.min(n - first, Math.ceil(viewH / ROW_H) + 2 * OVERSCAN);
    if (!force && first === this.first && this.pool.length >= count) return;
    this.first = first;
    while (this.pool.length < count) {
      const r = this.rowEl();
      this.pool.push(r);
      this.win.append(r.el);
    }
    this.pool.forEach((r, k) => {
      const i = first + k;
      if (k >= count || i >= n) { r.el.hidden = true; return; }
      r.el.hidden = false;
      r.el.setAttribute('aria-rowindex', String(this.offset + i + 2));
      r.cells[0].textContent = String(this.offset + i + 1);
      const row = this.rows[i];
      for (let j = 0; j < this.columns.length; j++) {
        const t = cellText(row[j]);
        const c = r.cells[j + 1];
        if (t === null) {
          c.textContent = 'NULL';
          c.classList.add('null');
          c.removeAttribute('title');
        } else {
          c.textContent = t;
          c.classList.remove('null');
          if (t.length > 24) c.title = t; else c.removeAttribute('title');
        }
      }
    });
    this.win.style.transform = `translateY(${first * ROW_H}px)`;
  }

  /** Rendered row elements (for tests: the DOM never holds every row). */
  renderedRows() {
    return this.pool.filter((r) => !r.el.hidden).length;
  }
}
