// SPDX-License-Identifier: MIT
// governance.js - the Governance tab: who is signed in (GET /access/whoami) and one
// section per subject, reached by #/governance/<section>: API keys, roles, AI-safe views
// (with a live preview of the masked rows), tombstones, the audit log, model profiles.
//
// A section is a module {id, label, perm, mount(el), show(ctx), hide()}; ctx = {who,
// can(perm)}. Controls the role lacks are disabled with a notice, and a refusal by the
// API (403) is still shown where the action was tried: the server decides.
import { whoami, can } from './api.js';
import { h, clear, badge, errorBox } from './dom.js';
import { href } from './nav.js';
import keys from './gov_keys.js';
import roles from './gov_roles.js';
import views from './gov_views.js';
import tombstones from './gov_tombstones.js';
import audit from './gov_audit.js';
import profiles from './gov_profiles.js';

const SECTIONS = [keys, roles, views, tombstones, audit, profiles];
let panel, whoEl, navEl, current = null;
const mounted = new Set();

function renderWho(w) {
  const r = w.role || {};
  clear(whoEl,
    h('span', null, 'Signed in as ', h('strong.mono#gov-actor', null, w.actor), ' with role ',
      h('strong#gov-role', { 'data-role': r.name }, r.name), r.builtin ? ' (built in)' : ''),
    h('span.perms', { 'aria-label': 'Permissions of this role' }, (r.permissions || []).map((p) => badge(p, 'perm'))),
    w.profile ? h('span', null, 'bound to profile ', h('strong', null, w.profile)) : null,
    !w.auth_required && !w.key_id ? h('span.muted', null, 'no key needed on loopback') : null);
}

function renderNav(w, id) {
  clear(navEl, h('ul', null, SECTIONS.map((s) => {
    const ok = can(w, s.perm);
    return h('li', null, h('a', {
      href: href('governance', s.id), 'aria-current': s.id === id ? 'page' : null, 'data-section': s.id,
      title: ok ? null : `needs the ${s.perm} permission`,
    }, s.label, ok ? null : h('span.lock', null, ` (needs ${s.perm})`)));
  })));
}

export default {
  id: 'governance',
  mount(p) {
    panel = p;
    whoEl = h('p.who#gov-whoami', { 'aria-live': 'polite' }, 'Checking who you are…');
    navEl = h('nav.subnav#gov-nav', { 'aria-label': 'Governance sections' });
    clear(panel, h('h2', { tabindex: -1 }, 'Governance'), whoEl, navEl,
      SECTIONS.map((s) => h('section.gov-section', { id: `gov-${s.id}`, 'aria-label': s.label, hidden: true })));
  },
  async show(args) {
    const s = SECTIONS.find((x) => x.id === args[0]) || SECTIONS[0];
    let w = null;
    try {
      w = await whoami({ fresh: true });
      renderWho(w);
    } catch (e) {
      clear(whoEl, errorBox(`Could not tell who you are: ${e.message}`));
    }
    renderNav(w, s.id);
    if (current && current !== s) current.hide?.();
    current = s;
    for (const x of SECTIONS) panel.querySelector(`#gov-${x.id}`).hidden = x !== s;
    const el = panel.querySelector(`#gov-${s.id}`);
    if (!mounted.has(s.id)) {
      s.mount(el);
      mounted.add(s.id);
    }
    await s.show({ who: w, can: (perm) => can(w, perm) }, args.slice(1));
  },
  hide() {
    current?.hide?.();
  },
};
