// SPDX-License-Identifier: MIT
// governance.js - placeholder of the Governance tab (API keys, roles, views, tombstones,
// audit). Its tab button stays hidden until the API's OpenAPI document lists governance
// routes (app.js detects them); this view then lists them. The real UI replaces this file.
import { h, clear } from './dom.js';

let panel;
let routes = [];
let doc = {};

export default {
  id: 'governance',
  /** Called by app.js with the governance paths found in /openapi.json. */
  setRoutes(paths, allPaths) {
    routes = paths;
    doc = allPaths || {};
  },
  mount(p) { panel = p; },
  show() {
    clear(panel,
      h('h2', { tabindex: -1 }, 'Governance'),
      h('p.notice', null, 'The governance screens (API keys, roles, views, tombstones, audit) are being built. The server already offers these routes:'),
      h('ul#governance-routes', null, routes.map((p) => h('li', null,
        h('span.mono', null, `${Object.keys(doc[p] || {}).map((m) => m.toUpperCase()).join(', ')} ${p}`), ' ',
        h('span.muted', null, Object.values(doc[p] || {})[0]?.summary || '')))));
  },
  hide() {},
};
