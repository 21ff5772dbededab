// SPDX-License-Identifier: MIT
// api.js - the HTTP API client: JSON calls, uploads with progress, the API key.
//
// Every request carries the key from the sign-in dialog (sessionStorage) as X-API-Key.
// A 401 reply fires the "lh:unauthorized" event on window, which opens the dialog.

const KEY = 'lh.apiKey';

export function getKey() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

export function setKey(k) {
  try {
    if (k) sessionStorage.setItem(KEY, k); else sessionStorage.removeItem(KEY);
  } catch { /* storage disabled: the key lives only in memory for this page */ }
  who = null;
  window.dispatchEvent(new CustomEvent('lh:auth'));
}

let who = null; // the pending or settled GET /access/whoami of the current key

/**
 * The caller as the server sees it (GET /access/whoami): {actor, key_id, profile,
 * auth_required, role: {name, permissions, superuser, masks, ...}}. Cached until the key
 * changes; fresh = true asks again. quiet: a 401 does not open the sign-in dialog.
 */
export function whoami({ fresh = false, quiet = false } = {}) {
  if (!who || fresh) {
    const p = api('/access/whoami', { quiet });
    who = p;
    p.catch(() => { if (who === p) who = null; });
  }
  return who;
}

/** Whether the role of a whoami reply holds a permission (unknown caller: assume yes, the API decides). */
export function can(w, perm) {
  if (!w?.role) return true;
  return !!w.role.superuser || (w.role.permissions || []).includes(perm);
}

/** An error reply: status, the API's snake_case code and its message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_error';
  }
}

function headers(extra) {
  const h = { ...(extra || {}) };
  const k = getKey();
  if (k) h['X-API-Key'] = k;
  return h;
}

async function errorFrom(res, quiet) {
  let code = '', msg = '';
  try {
    const j = await res.json();
    code = j?.error?.code || '';
    msg = j?.error?.message || '';
  } catch { /* not JSON */ }
  if (res.status === 401 && !quiet) window.dispatchEvent(new CustomEvent('lh:unauthorized', { detail: msg }));
  return new ApiError(res.status, code, msg || `${res.status} ${res.statusText}`);
}

/**
 * Calls the API. body (an object) is sent as JSON. Returns the parsed JSON reply,
 * or the Response itself with raw: true (for streamed bodies and downloads).
 * Throws ApiError on an error status, and the fetch's AbortError when signal aborts.
 * quiet: a 401 does not fire "lh:unauthorized".
 */
export async function api(path, { method = 'GET', body, signal, raw = false, quiet = false } = {}) {
  const init = { method, headers: headers(), signal, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await errorFrom(res, quiet);
  return raw ? res : res.json();
}

/**
 * Runs one SQL query in JSON format and returns {columns, rows, row_count, truncated,
 * elapsed_ms}. onProgress(bytes) is called while the body streams in. An error that
 * DuckDB raised after the first rows ends the document with an "error" member: thrown too.
 * asRole: run it as that role would (masks, views, firewall; needs the govern permission).
 */
export async function sql(query, { limit, signal, onProgress, timeoutMs, asRole } = {}) {
  const body = { sql: query, format: 'json' };
  if (asRole) body.as_role = asRole;
  if (limit !== undefined) body.limit = limit;
  if (timeoutMs) body.timeout_ms = timeoutMs;
  const res = await api('/query/sql', { method: 'POST', body, signal, raw: true });
  let text = '';
  if (res.body && onProgress) {
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    const parts = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      parts.push(dec.decode(value, { stream: true }));
      onProgress(n);
    }
    parts.push(dec.decode());
    text = parts.join('');
  } else {
    text = await res.text();
  }
  const j = JSON.parse(text);
  if (j.error) throw new ApiError(400, j.error.code, j.error.message);
  return j;
}

/**
 * Uploads one file to POST /ingest/file as multipart/form-data (XHR, for upload
 * progress). fields: extra form fields. onProgress(loaded, total). Resolves to
 * {status, body}; rejects with ApiError on an error status. xhrOut(xhr) lets the
 * caller abort.
 */
export function upload(file, fields, { onProgress, xhrOut } = {}) {
  return new Promise((resolve, reject) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields || {})) if (v !== undefined && v !== '') fd.append(k, v);
    fd.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/ingest/file');
    const k = getKey();
    if (k) xhr.setRequestHeader('X-API-Key', k);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'the upload failed: network error'));
    xhr.onabort = () => reject(new ApiError(0, 'canceled', 'the upload was canceled'));
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve({ status: xhr.status, body });
      if (xhr.status === 401) window.dispatchEvent(new CustomEvent('lh:unauthorized'));
      reject(new ApiError(xhr.status, body?.error?.code, body?.error?.message || `HTTP ${xhr.status}`));
    };
    xhrOut?.(xhr);
    xhr.send(fd);
  });
}

/** Fetches a download (POST body as JSON) and saves it under filename. */
export async function download(path, body, filename, { signal } = {}) {
  const res = await api(path, { method: 'POST', body, signal, raw: true });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
  return blob.size;
}

// Words that cannot stand unquoted as a table or column name (a dataset may be named so).
const RESERVED = new Set(('all analyse analyze and any array as asc asymmetric both case cast check collate column ' +
  'constraint create default deferrable desc describe distinct do else end except false fetch for foreign from ' +
  'grant group having in initially intersect into lateral leading limit offset on only or order placing primary ' +
  'qualify references returning select show summarize symmetric table then to trailing true union unique using ' +
  'variadic when where window with pivot unpivot').split(' '));

/** An SQL identifier, always double-quoted (for generated queries). */
export function qident(name) {
  return '"' + String(name).replaceAll('"', '""') + '"';
}

/** An SQL identifier for people to read: as is when plain lower-case and not reserved. */
export function ident(name) {
  const s = String(name);
  if (/^[a-z_][a-z0-9_]*$/.test(s) && !RESERVED.has(s)) return s;
  return qident(s);
}

/** Quotes an SQL string literal. */
export function literal(s) {
  return "'" + String(s).replaceAll("'", "''") + "'";
}
