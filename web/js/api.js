// Calls to the JSON API under /api/v1 (docs/api.md), and how its errors are shown.
// The session travels in the HttpOnly bb_session cookie; mutations carry X-CSRF-Token.

import { apply } from './i18n.js';

/** A failed call: HTTP status (0 when the server could not be reached) and the error body. */
export class ApiError extends Error {
  constructor(status, error) {
    super((error && (error.message_en || error.message)) || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = (error && error.code) || (status === 0 ? 'network' : 'unexpected');
    this.messageZh = (error && typeof error.message === 'string') ? error.message : '';
    this.messageEn = (error && typeof error.message_en === 'string') ? error.message_en : '';
    this.field = (error && error.field) || null;
    this.allowed = (error && Array.isArray(error.allowed)) ? error.allowed : null;
  }
}

/**
 * method path under /api/v1 (e.g. 'GET', '/me'); body is sent as JSON; csrf as X-CSRF-Token;
 * headers adds more (If-Match, Idempotency-Key). Resolves to the parsed JSON body (null for 204);
 * rejects with ApiError.
 */
export async function api(method, path, { body, csrf, headers: extra } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (extra) Object.assign(headers, extra);
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  let data = null;
  const text = res.status === 204 ? '' : await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data && data.error);
  if (res.status !== 204 && (data === null || typeof data !== 'object')) {
    throw new ApiError(res.status, null);
  }
  return data;
}

/** Empties an alert element. */
export function clearError(el) {
  el.removeAttribute('data-i18n');
  el.removeAttribute('data-i18n-args');
  el.removeAttribute('data-msg-zh');
  el.removeAttribute('data-msg-en');
  el.textContent = '';
}

/**
 * Shows err in el: the server's own message in the language now shown (message or message_en),
 * or our text when the server sent none. It stays right when the language is switched.
 */
export function showError(el, err) {
  clearError(el);
  if (err instanceof ApiError && (err.messageZh || err.messageEn)) {
    el.setAttribute('data-msg-zh', err.messageZh);
    el.setAttribute('data-msg-en', err.messageEn);
  } else if (err instanceof ApiError && err.status === 0) {
    el.setAttribute('data-i18n', 'errors.network');
  } else {
    const status = err instanceof ApiError ? err.status : '?';
    el.setAttribute('data-i18n', 'errors.unexpected');
    el.setAttribute('data-i18n-args', JSON.stringify({ status }));
    if (!(err instanceof ApiError)) console.error(err);
  }
  apply(el.parentNode || document);
}

/**
 * A fresh Idempotency-Key. crypto.randomUUID needs a secure context (https or localhost); a
 * station on the county LAN may be plain http, so fall back to getRandomValues (same format).
 */
export function newIdempotencyKey() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
  const b = new Uint8Array(16);
  window.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
