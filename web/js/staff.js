// What every signed-in page but the home does first: load the texts and /api/v1/me together,
// go back to the sign-in page on 401, wire the sign-out button. Also who may change what.

import { initI18n } from './i18n.js';
import { ApiError, api, showError } from './api.js';
import { $ } from './dom.js';

export function goToSignIn() {
  window.location.replace('/');
}

/** True when err means the session is gone; then it has already sent the user to sign in. */
export function signedOut(err) {
  if (err instanceof ApiError && err.status === 401) {
    goToSignIn();
    return true;
  }
  return false;
}

/**
 * Starts a staff page: resolves to /me ({user, site, path, csrf}), or to null after sending the
 * user away (401) or showing the error in #error.
 */
export async function startStaffPage() {
  const mePromise = api('GET', '/me');
  mePromise.catch(() => {}); // handled below, once the texts are loaded
  await initI18n();
  let me;
  try {
    me = await mePromise;
  } catch (err) {
    if (signedOut(err)) return null;
    showError($('error'), err);
    return null;
  }
  showStaffNav(me);
  const btn = $('sign-out');
  if (btn) {
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await api('DELETE', '/session', { csrf: me.csrf });
        goToSignIn();
      } catch (err) {
        if (signedOut(err)) return;
        btn.disabled = false;
        showError($('error'), err);
      }
    });
  }
  return me;
}

/** Who may open a case (POST /api/v1/cases): agents, web agents, clerks, coordinators, admins. */
export function canTakeIntake(me) {
  return !!me && !!me.user && ['agent', 'web_agent', 'clerk', 'coordinator', 'admin'].includes(me.user.role);
}

/** Agents (代办员, 网办员) act for the resident and need an entrustment. */
export function isAgent(me) {
  return !!me && !!me.user && (me.user.role === 'agent' || me.user.role === 'web_agent');
}

/** The shared staff nav: 受理办件 only for those who may open a case. */
export function showStaffNav(me) {
  const li = $('nav-intake');
  if (li) li.hidden = !canTakeIntake(me);
}

/** Catalogue changes are for admins of a district-level site. */
export function isCatalogAdmin(me) {
  return !!me && me.user && me.user.role === 'admin' && me.site && me.site.level === 'district';
}

/** Per-site lists are maintained by admins and coordinators (for sites in their subtree). */
export function canEditSiteLists(me) {
  return !!me && me.user && (me.user.role === 'admin' || me.user.role === 'coordinator');
}

/** Every page of a list endpoint (path already has its query), following `next`. */
export async function fetchAll(path, { max = 100 } = {}) {
  const out = [];
  let cursor = null;
  const sep = path.includes('?') ? '&' : '?';
  for (let i = 0; i < max; i++) {
    const q = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await api('GET', `${path}${sep}limit=200${q}`);
    if (Array.isArray(res.items)) out.push(...res.items);
    if (res.next === null || res.next === undefined || res.next === '') break;
    cursor = res.next;
  }
  return out;
}
