// The API as ground truth (plain fetch, no browser): the tests read their expectations here.

import { PASSWORD, assert, assertEqual, ctx } from './harness.mjs';

/** Signs in as login; resolves to { cookie, csrf, login }. */
export async function apiSignIn(login) {
  const res = await fetch(`${ctx.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  const body = await res.json().catch(() => null);
  assertEqual(res.status, 200, `POST /api/v1/session as ${login}: status`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0])
    .find((c) => c.startsWith('bb_session='));
  assert(cookie, `POST /api/v1/session as ${login}: no bb_session cookie`);
  return { cookie, csrf: body.csrf, login };
}

export async function apiSignOut(s) {
  const res = await fetch(`${ctx.base}/api/v1/session`, {
    method: 'DELETE', headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
  });
  await res.arrayBuffer();
}

/** Any call: resolves to { status, body } (body parsed JSON or null). s: a session or null. */
export async function apiCall(s, method, p, body) {
  const headers = {};
  if (s) {
    headers.Cookie = s.cookie;
    if (method !== 'GET') headers['X-CSRF-Token'] = s.csrf;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${ctx.base}/api/v1${p}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed };
}

/** GET that must answer 200; s may be null for the public endpoints. */
export async function apiGet(s, p) {
  const { status, body } = await apiCall(s, 'GET', p);
  assertEqual(status, 200, `GET /api/v1${p}: status`);
  return body;
}

/** Every item of a list endpoint, following `next`. */
export async function apiAll(s, p) {
  const out = [];
  let cursor = null;
  const sep = p.includes('?') ? '&' : '?';
  for (let i = 0; i < 200; i++) {
    const page = await apiGet(s, `${p}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.items);
    if (!page.next) break;
    cursor = page.next;
  }
  return out;
}

/** Runs fn(session) signed in as login, signing out afterwards. */
export async function asUser(login, fn) {
  const s = await apiSignIn(login);
  try {
    return await fn(s);
  } finally {
    await apiSignOut(s).catch(() => {});
  }
}

/** An 11-digit public-service code (type 11, main item 99xxxx) that no item has yet. */
export async function freeItemCode(s) {
  for (let k = 0; k < 1000; k++) {
    const code = `11${String(990000 + Math.floor(Math.random() * 9000)).padStart(6, '0')}000`;
    if ((await apiCall(s, 'GET', `/items/${code}`)).status === 404) return code;
  }
  throw new Error('no free item code found');
}

/** Creates and publishes an item through the API (a fixture); s must be a district admin. */
export async function createPublishedItem(s, name) {
  const departments = await apiAll(s, '/departments');
  const code = await freeItemCode(s);
  const created = await apiCall(s, 'POST', '/items', {
    code, name, domain: '其他', department: departments[0].code, level: 'village',
    object: 'individual', case_type: 'immediate', statutory_days: 5, promised_days: 0, fee: '不收费',
    result_type: 'none', result: '当场办结', online: false, legal_basis: '《测试条例》第一条',
    conditions: '本辖区居民。', process: '申请 > 办结', joint_departments: [],
    materials: [{ name: '居民身份证', required: true, condition: null, form: 'original', copies: 0,
      source: '申请人自备', note: null }],
  });
  assertEqual(created.status, 201, `POST /items (fixture ${code}): status ${JSON.stringify(created.body)}`);
  const published = await apiCall(s, 'POST', `/items/${code}/publish`);
  assertEqual(published.status, 200, `POST /items/${code}/publish: status ${JSON.stringify(published.body)}`);
  return apiGet(s, `/items/${code}`);
}
