// SPDX-License-Identifier: MIT
// app.js - the shell: tabs (keyboard: arrows, Home, End), hash routing (#/tab/args),
// the API-key sign-in dialog with the caller's role in the header, and feature detection
// of the Governance tab.
//
// A tab is a module exporting {id, mount(panel), show(args), hide()}: mount runs once,
// show on every visit (args = the path after #/id/, decoded), hide when leaving.
import { api, getKey, setKey, whoami } from './api.js';
import { announce, toast } from './dom.js';
import { go } from './nav.js';
import explore from './explore.js';
import sqlTab from './sql.js';
import search from './search.js';
import ingest from './ingest.js';
import indexes from './indexes.js';
import governance from './governance.js';
import system from './system.js';

const TABS = [explore, sqlTab, search, ingest, indexes, governance, system];
const byId = new Map(TABS.map((t) => [t.id, t]));
const mounted = new Set();
let current = null;

const tablist = document.getElementById('tabs');
const tabButtons = () => [...tablist.querySelectorAll('[role=tab]')].filter((b) => !b.hidden);


function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  const id = byId.has(parts[0]) && !document.getElementById('tab-' + parts[0]).hidden ? parts[0] : 'explore';
  return { id, args: id === parts[0] ? parts.slice(1) : [] };
}

function select(id) {
  for (const b of tablist.querySelectorAll('[role=tab]')) {
    const on = b.dataset.tab === id;
    b.setAttribute('aria-selected', on ? 'true' : 'false');
    b.tabIndex = on ? 0 : -1;
    document.getElementById(b.getAttribute('aria-controls')).hidden = !on;
  }
}

function route() {
  const { id, args } = parseHash();
  const tab = byId.get(id);
  if (current && current !== tab) current.hide?.();
  select(id);
  const panel = document.getElementById('panel-' + id);
  if (!mounted.has(id)) {
    tab.mount(panel);
    mounted.add(id);
  }
  current = tab;
  document.title = `${document.getElementById('tab-' + id).textContent} · lakehouse`;
  Promise.resolve(tab.show(args)).catch((e) => toast(e.message || String(e)));
}

// Tabs: click to open; arrows move (and open) along the visible tabs, Home/End jump.
tablist.addEventListener('click', (e) => {
  const b = e.target.closest('[role=tab]');
  if (b) go(b.dataset.tab);
});
tablist.addEventListener('keydown', (e) => {
  const tabs = tabButtons();
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  let j = -1;
  if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
  else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
  else if (e.key === 'Home') j = 0;
  else if (e.key === 'End') j = tabs.length - 1;
  else return;
  e.preventDefault();
  tabs[j].focus();
  go(tabs[j].dataset.tab);
});

document.getElementById('skip-link').addEventListener('click', () => {
  const panel = document.querySelector('[role=tabpanel]:not([hidden])');
  const target = panel?.querySelector('h2') || document.getElementById('main');
  if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
  target.focus();
});

// ---- sign-in ----
const dlg = document.getElementById('signin');
const keyInput = document.getElementById('signin-key');
const reason = document.getElementById('signin-reason');
const defaultReason = reason.textContent;

function authState() {
  const k = getKey();
  document.getElementById('auth-state').textContent = k ? 'Signed in with an API key' : 'No API key';
  document.getElementById('signin-open').hidden = !!k;
  document.getElementById('signout').hidden = !k;
  showRole();
}

// The role the server gives this key (or a keyless loopback caller), next to the sign-in.
async function showRole() {
  const el = document.getElementById('auth-role');
  const key = getKey();
  try {
    const w = await whoami({ quiet: true });
    if (getKey() !== key) return;
    el.textContent = `role: ${w.role?.name || '?'}`;
    el.dataset.role = w.role?.name || '';
    el.title = `${w.actor}: ${(w.role?.permissions || []).join(', ')}`;
    el.hidden = false;
  } catch {
    el.hidden = true; // no governance routes, or no valid key yet
  }
}

function openSignIn(msg) {
  reason.textContent = msg || defaultReason;
  keyInput.value = '';
  if (!dlg.open) dlg.showModal();
  keyInput.focus();
}

document.getElementById('signin-open').addEventListener('click', () => openSignIn());
document.getElementById('signout').addEventListener('click', () => {
  setKey('');
  announce('Signed out');
});
document.getElementById('signin-cancel').addEventListener('click', () => dlg.close());
document.getElementById('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const k = keyInput.value.trim();
  if (!k) return;
  setKey(k);
  dlg.close();
  announce('Signed in');
  route(); // reload the current view with the key
});
window.addEventListener('lh:auth', authState);
let lastPrompt = 0;
window.addEventListener('lh:unauthorized', (e) => {
  if (Date.now() - lastPrompt < 1000 && dlg.open) return;
  lastPrompt = Date.now();
  openSignIn(`The server refused the request (401)${e.detail ? ': ' + e.detail : ''}. Enter an API key.`);
});

// ---- Governance: shown only when the API has the access routes ----
async function detectGovernance() {
  try {
    const doc = await api('/openapi.json');
    const paths = Object.keys(doc.paths || {}).filter((p) => /^\/access\//.test(p));
    document.getElementById('tab-governance').hidden = paths.length === 0;
    if (paths.length && location.hash.startsWith('#/governance')) route();
  } catch { /* no OpenAPI: keep it hidden */ }
}

window.addEventListener('hashchange', route);
window.addEventListener('lh:route', route);
authState();
route();
detectGovernance();
