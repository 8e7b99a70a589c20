// The staff front-desk pages (docs/api-queue.md, api-booking.md, api-ratings.md, api-desk.md):
// the calling console (/console), the day's bookings (/bookings), 差评整改 (/rectifications),
// complaints and 12345 orders (/complaints), home visits (/visits) and API keys (/apikeys).
// Every flow is driven in the page and checked against the API.

import { PASSWORD, assert, assertEqual, ctx } from '../lib/harness.mjs';
import { apiAll, apiCall, apiGet, apiSignIn } from '../lib/api.mjs';
import { answerTo, expectText, poll, signInQuick, waitForPath } from '../lib/browser.mjs';
import { exited, startExtraServer } from '../lib/server.mjs';
import { pageChecks } from '../lib/checks.mjs';

const NAV = ['叫号台', '预约', '差评整改', '投诉工单', '上门服务'];
const TS = { waiting: '等候中', called: '已叫号', serving: '办理中', done: '已办结', no_show: '过号' };
const RS = { open: '待核实', verified: '已核实', rectified: '已整改', visited: '已回访', appealed: '已申诉', closed: '已办结' };
const CS = { open: '待处理', assigned: '已指派', answered: '已答复', closed: '已办结' };

// One API session per login for the whole run (each sign-in costs an argon2id hash).
const sessions = new Map();

async function asUser(login, fn) {
  if (!sessions.has(login)) sessions.set(login, await apiSignIn(login));
  return fn(sessions.get(login));
}

/** Today on China's clock. */
function chinaToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function randomPhone() {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

function must(res, status, what) {
  assertEqual(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A public (no sign-in) call against base (the main server unless given). */
async function pub(method, p, body, base = ctx.base) {
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
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

/** The own site's window of kind (as s). */
async function windowOf(s, kind) {
  const me = await apiGet(s, '/me');
  const w = (await apiAll(s, `/windows?site=${me.site.id}`)).find((x) => x.kind === kind && x.site_id === me.site.id && x.active !== false);
  assert(w, `no active ${kind} window at ${me.site.name}`);
  return w;
}

/** Frees the window (finishes or skips what it holds) and, with untilId, calls and skips every ticket before it. */
async function clearWindow(s, win, { untilId = null, all = false } = {}) {
  for (let i = 0; i < 200; i++) {
    const q = await apiGet(s, `/windows/${win.id}/queue`);
    const cur = q.current;
    if (cur) {
      if (cur.status === 'called') must(await apiCall(s, 'POST', `/tickets/${cur.id}/actions/skip`, {}), 200, `skip ${cur.number}`);
      else must(await apiCall(s, 'POST', `/tickets/${cur.id}/actions/finish`, {}), 200, `finish ${cur.number}`);
      continue;
    }
    const first = q.waiting && q.waiting[0];
    if (!first) return;
    if (untilId !== null && first.id === untilId) return;
    if (untilId === null && !all) return;
    const called = must(await apiCall(s, 'POST', `/windows/${win.id}/call-next`, {}), 200, 'call-next (clearing the queue)');
    if (untilId !== null && called.id === untilId) return;
  }
  throw new Error(`could not clear window ${win.name}`);
}

/** A ticket taken, called, started and finished at cityclerk's window of kind (a fixture). */
async function finishedTicket(kind) {
  return asUser('cityclerk', async (s) => {
    const win = await windowOf(s, kind);
    await clearWindow(s, win);
    const t = must(await apiCall(s, 'POST', '/tickets', { kind }), 201, `POST /tickets ${kind}`);
    assert(t.rate_code, `POST /tickets answered no rate_code: ${JSON.stringify(t)}`);
    await clearWindow(s, win, { untilId: t.id });
    let q = await apiGet(s, `/windows/${win.id}/queue`);
    if (!q.current) must(await apiCall(s, 'POST', `/windows/${win.id}/call-next`, {}), 200, 'call-next');
    q = await apiGet(s, `/windows/${win.id}/queue`);
    assertEqual(q.current && q.current.id, t.id, 'the ticket called');
    must(await apiCall(s, 'POST', `/tickets/${t.id}/actions/start`, {}), 200, 'start');
    must(await apiCall(s, 'POST', `/tickets/${t.id}/actions/finish`, {}), 200, 'finish');
    return t;
  });
}

async function expectNav(page, current) {
  const nav = page.getByRole('navigation', { name: '主菜单' });
  for (const name of NAV) {
    assertEqual(await nav.getByRole('link', { name, exact: true }).count(), 1, `nav link ${name}`);
  }
  if (current) {
    assertEqual(await nav.getByRole('link', { name: current, exact: true }).getAttribute('aria-current'), 'page', `aria-current of ${current}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Bookings need a day with open slots: today when it is a working day with slots still ahead,
// else a second server whose clock reads 10:00 of the next working day (stopped after the test).

const BOOK_SITE_LOGIN = 'clerk2'; // 楚古兰街道便民服务中心
const SERVICE_NAME = 'E2E 全天预约';

async function bookingFixture() {
  const me = await asUser(BOOK_SITE_LOGIN, (s) => apiGet(s, '/me'));
  const siteId = me.site.id;
  return asUser('admin', async (s) => {
    let svc = (await apiAll(s, `/booking-services?site=${siteId}`)).find((x) => x.name === SERVICE_NAME);
    if (!svc) {
      svc = must(await apiCall(s, 'POST', '/booking-services', {
        site_id: siteId, name: SERVICE_NAME, kind: 'general', hours: '00:00-24:00', slot_minutes: 5, capacity: 200,
      }), 201, 'POST /booking-services (fixture)');
    }
    const items = (await apiGet(s, `/sites/${siteId}/items`)).items;
    assert(items.length, `site ${siteId} offers no item to book`);
    return { siteId, svc, item: items[0] };
  });
}

/** Stops an extra server started by this module (SIGTERM, as the final log check expects). */
async function stopExtra(srv) {
  if (!srv || exited(srv.child)) return;
  const gone = new Promise((r) => srv.child.once('exit', r));
  srv.child.kill('SIGTERM');
  await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
}

export function tests(vp) {
  const base = () => ctx.base;
  const tag = vp.mobile ? '手机' : '电脑';
  return [
    ['front-staff console: cityclerk calls a kiosk ticket, starts and finishes it; done in the API; take a ticket for a resident', async (page) => {
      const win = await asUser('cityclerk', async (s) => {
        const w = await windowOf(s, 'cross_region');
        await clearWindow(s, w, { all: true });
        return w;
      });
      await signInQuick(page, 'cityclerk');
      await page.goto(`${base()}/console`);
      await page.getByRole('heading', { level: 1, name: '叫号台' }).waitFor();
      await expectNav(page, '叫号台');
      await page.getByLabel('我的窗口').selectOption(String(win.id));
      await expectText(page, '#waiting-count', '没有人等候。');
      // Nobody waits: a friendly word, not an error.
      await page.getByRole('button', { name: '叫号', exact: true }).click();
      await expectText(page, '#notice', '当前没有等候的号。');
      await pageChecks(page, vp, 'the console with an empty queue');

      const t = must(await pub('POST', '/public/tickets', { site_id: win.site_id, kind: 'cross_region' }), 201, 'POST /public/tickets');
      await page.locator(`#waiting li[data-ticket="${t.id}"]`).waitFor({ timeout: 10_000 });
      await expectText(page, '#waiting-count', '共 1 人等候');
      const called = await answerTo(page, 'POST', `/api/v1/windows/${win.id}/call-next`,
        () => page.getByRole('button', { name: '叫号', exact: true }).click());
      assertEqual(called.status, 200, `call-next: ${JSON.stringify(called.body)}`);
      assertEqual(called.body.id, t.id, 'the ticket called');
      await expectText(page, '#current-number', t.number);
      await expectText(page, '#notice', `已叫号：${t.number}`);
      await expectText(page, '#current-meta .ts-called', TS.called);
      await pageChecks(page, vp, 'the console with a called ticket');
      await page.getByRole('button', { name: '重呼' }).click();
      await expectText(page, '#notice', `已重呼：${t.number}`);
      await page.getByRole('button', { name: '开始办理' }).click();
      await expectText(page, '#current-meta .ts-serving', TS.serving);
      await page.getByRole('button', { name: '办结', exact: true }).click();
      await expectText(page, '#notice', `已办结：${t.number}`);
      await page.locator('#no-current').waitFor({ state: 'visible' });
      // 一次一评 at the window: a link for the resident to rate this visit, with the slip's code.
      const rateHref = await page.locator('#rate-now-link').getAttribute('href');
      const rq = new URLSearchParams(rateHref.split('?')[1] || '');
      assertEqual(rq.get('ticket'), String(t.id), 'the rate link: ticket');
      assertEqual(rq.get('code'), t.rate_code, 'the rate link: the slip\'s code');
      assertEqual(rq.get('channel'), 'window', 'the rate link: channel');
      const done = await asUser('cityclerk', (s) => apiGet(s, `/tickets/${t.id}`));
      assertEqual(done.status, 'done', `GET /tickets/${t.id}: status`);
      assertEqual(done.call_count, 2, `GET /tickets/${t.id}: call_count`);
      assertEqual(done.window && done.window.id, win.id, `GET /tickets/${t.id}: window`);

      // A ticket for a resident at the desk, elderly priority.
      await page.getByLabel('业务类型（窗口类型）').selectOption('cross_region');
      await page.getByLabel('优先（绿色通道）').selectOption('elderly');
      const taken = await answerTo(page, 'POST', '/api/v1/tickets', () => page.getByRole('button', { name: '取号', exact: true }).click());
      assertEqual(taken.status, 201, `POST /tickets: ${JSON.stringify(taken.body)}`);
      await expectText(page, '#take-result', `已取号 ${taken.body.number}，前面还有 ${taken.body.waiting_before ?? 0} 人。`);
      await page.locator(`#waiting li[data-ticket="${taken.body.id}"]`).waitFor();
      const stats = await asUser('cityclerk', (s) => apiGet(s, `/queue/stats?site=${win.site_id}`));
      await expectText(page, '#stats [data-stat="tickets"] dd', String(stats.total.tickets));
      // The window is remembered on this device.
      await page.reload();
      await poll(page, (id) => {
        const v = document.getElementById('window').value;
        return { ok: v === id, value: v };
      }, String(win.id), (got) => `the window chosen after a reload: ${got}`);
      await asUser('cityclerk', (s) => clearWindow(s, win, { all: true }));
    }, { timeout: 60_000 }],

    ['front-staff bookings: a resident\'s booking (public API) is checked in on the page; the ticket is in the API', async (page) => {
      const fx = await bookingFixture();
      let day = chinaToday();
      let where = ctx.base;
      let extra = null;
      let slots = await pub('GET', `/public/sites/${fx.siteId}/slots?date=${day}`);
      let slot = slots.status === 200 && (slots.body.items || []).find((x) => x.service_id === fx.svc.id && x.remaining > 0);
      if (!slot) {
        // Not a working day, or too late today: a server whose clock reads 10:00 of the next working day.
        const tomorrow = new Date(Date.now() + 32 * 3600 * 1000).toISOString().slice(0, 10);
        day = must(await pub('GET', `/calendar/add?from=${tomorrow}&days=0`), 200, 'GET /calendar/add').date;
        const at = Math.floor(Date.parse(`${day}T10:00:00+08:00`) / 1000);
        where = await startExtraServer(ctx.bin, ctx.db, ['--fake-now', String(at)], `server-bookings-${vp.mobile ? 'phone' : 'desktop'}.log`);
        extra = ctx.extraServers[ctx.extraServers.length - 1];
        sessions.clear(); // a server whose clock runs ahead ends the sessions idle by its clock
        slots = await pub('GET', `/public/sites/${fx.siteId}/slots?date=${day}`, undefined, where);
        slot = slots.status === 200 && (slots.body.items || []).find((x) => x.service_id === fx.svc.id && x.remaining > 0);
      }
      try {
        assert(slot, `no open slot of ${SERVICE_NAME} on ${day}: ${JSON.stringify(slots.body).slice(0, 300)}`);
        const appt = must(await pub('POST', '/public/appointments', {
          slot: slot.id, item: fx.item.code, name: `预约${tag}`, phone: randomPhone(),
        }, where), 201, 'POST /public/appointments');
        // Signed in on that server: a session's idle clock is the server's own.
        const signed = await page.request.post(`${where}/api/v1/session`, { data: { login: BOOK_SITE_LOGIN, password: PASSWORD } });
        assertEqual(signed.status(), 200, `POST /api/v1/session as ${BOOK_SITE_LOGIN}: status`);
        await page.goto(`${where}/bookings?date=${day}`);
        await page.getByRole('heading', { level: 1, name: '预约' }).waitFor();
        const row = page.locator(`#rows tr[data-code="${appt.code}"]`);
        await row.waitFor();
        await expectText(page, `#rows tr[data-code="${appt.code}"] .bk-status`, '已预约');
        await page.locator(`#svc-rows tr[data-service="${fx.svc.id}"]`).waitFor();
        await pageChecks(page, vp, 'the bookings of the day');
        const apptId = await row.getAttribute('data-id');
        const res = await answerTo(page, 'POST', `/api/v1/appointments/${apptId}/check-in`,
          () => row.getByRole('button', { name: '签到取号' }).click());
        assertEqual(res.status, 201, `check-in: ${JSON.stringify(res.body)}`);
        await expectText(page, '#notice', `已签到，排队号 ${res.body.number}`);
        await expectText(page, `#rows tr[data-code="${appt.code}"] .bk-status`, '已签到');
        await expectText(page, `#rows tr[data-code="${appt.code}"] .bk-ticket`, res.body.number);
        const truth = await asUser(BOOK_SITE_LOGIN, async (s) => ({
          appts: (await apiGet(s, `/appointments?site=${fx.siteId}&date=${day}`)).items,
          tickets: (await apiGet(s, `/tickets?site=${fx.siteId}&date=${day}`)).items,
        }));
        const a = truth.appts.find((x) => x.code === appt.code);
        assertEqual(a && a.status, 'checked_in', 'GET /appointments: status');
        assertEqual(a && a.ticket, res.body.number, 'GET /appointments: ticket');
        const tk = truth.tickets.find((x) => x.number === res.body.number);
        assert(tk, `GET /tickets?date=${day} lacks ${res.body.number}`);
        assertEqual(tk.priority, 'appointment', 'the ticket\'s priority');
        assertEqual(tk.appointment, appt.code, 'the ticket\'s appointment');
      } finally {
        if (extra) {
          await stopExtra(extra);
          sessions.clear();
        }
      }
    }, { timeout: 60_000 }],

    ['front-staff bookings: tadmin adds and edits a bookable service; a clerk cannot', async (page) => {
      await signInQuick(page, 'tadmin');
      await page.goto(`${base()}/bookings`);
      await page.getByRole('heading', { level: 3, name: '新增可预约服务' }).waitFor();
      const name = `社保预约${tag}${Date.now() % 100000}`;
      await page.getByLabel('服务名称').fill(name);
      await page.getByLabel('排入窗口').selectOption('assisted');
      await page.getByLabel('预约时间段').fill('09:00-12:00');
      await page.getByLabel('每个时段（分钟）').fill('30');
      await page.getByLabel('每个时段可约人数').fill('3');
      const made = await answerTo(page, 'POST', '/api/v1/booking-services', () => page.getByRole('button', { name: '保存' }).click());
      assertEqual(made.status, 201, `POST /booking-services: ${JSON.stringify(made.body)}`);
      await expectText(page, '#svc-notice', `已保存：${name}`);
      const row = `#svc-rows tr[data-service="${made.body.id}"]`;
      await expectText(page, `${row} .svc-hours`, '09:00-12:00');
      await page.locator(row).getByRole('button', { name: '修改' }).click();
      await page.getByRole('heading', { level: 3, name: '修改可预约服务' }).waitFor();
      await page.getByLabel('每个时段可约人数').fill('8');
      await page.getByLabel('预约时间段').fill('8:00-12:00');
      const bad = await answerTo(page, 'PATCH', `/api/v1/booking-services/${made.body.id}`, () => page.getByRole('button', { name: '保存' }).click());
      assertEqual(bad.status, 422, `PATCH with bad hours: ${JSON.stringify(bad.body)}`);
      await expectText(page, '#svc-form-error', bad.body.error.message);
      assertEqual(await page.getByLabel('每个时段可约人数').inputValue(), '8', 'the input kept after an error');
      await page.getByLabel('预约时间段').fill('08:30-12:00');
      const ok = await answerTo(page, 'PATCH', `/api/v1/booking-services/${made.body.id}`, () => page.getByRole('button', { name: '保存' }).click());
      assertEqual(ok.status, 200, `PATCH /booking-services: ${JSON.stringify(ok.body)}`);
      await expectText(page, `${row} .svc-capacity`, '8');
      const svc = await asUser('tadmin', (s) => apiGet(s, `/booking-services/${made.body.id}`));
      assertEqual(svc.capacity, 8, 'GET /booking-services: capacity');
      assertEqual(svc.hours, '08:30-12:00', 'GET /booking-services: hours');
      await pageChecks(page, vp, 'the bookable services');
      await page.context().clearCookies();
      await signInQuick(page, 'clerk');
      await page.goto(`${base()}/bookings`);
      await page.locator('#svc-readonly').waitFor();
      assertEqual(await page.locator('#svc-form').isVisible(), false, 'the service form shown to a clerk');
    }],

    ['front-staff rectifications: a 非常不满意 rating of a visit is verified, rectified and visited on the page (If-Match)', async (page) => {
      const t = await finishedTicket('issuance');
      const rating = must(await pub('POST', '/public/ratings', {
        ticket: t.id, code: t.rate_code, level: 1, comment: `窗口人员态度不好（${tag}）`, tags: ['态度'],
      }), 201, 'POST /public/ratings');
      assert(rating.rectification && rating.rectification.id, `a level-1 rating opened no rectification: ${JSON.stringify(rating)}`);
      const id = rating.rectification.id;
      await signInQuick(page, 'admin');
      await page.goto(`${base()}/rectifications?id=${id}`);
      await expectText(page, '#detail-h', `整改工单 #${id}`);
      await page.locator(`#rows tr[data-id="${id}"]`).waitFor();
      await expectText(page, `#rows tr[data-id="${id}"] .status`, RS.open);
      await expectNav(page, '差评整改');
      await pageChecks(page, vp, 'a rectification to verify');
      const step = async (action, label, fill) => {
        const before = await asUser('admin', (s) => apiGet(s, `/rectifications/${id}`));
        await page.getByRole('heading', { level: 4, name: label }).waitFor();
        if (fill) await fill();
        let sent = null;
        const res = await answerTo(page, 'POST', `/api/v1/rectifications/${id}/actions/${action}`, async () => {
          const req = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes(`/actions/${action}`));
          await page.locator('#act-submit').click();
          sent = await req;
        });
        assertEqual(res.status, 200, `${action}: ${JSON.stringify(res.body)}`);
        assertEqual(sent.headers()['if-match'], String(before.version), `If-Match sent with ${action}`);
        await expectText(page, '#notice', `已完成：${label}`);
        const after = await asUser('admin', (s) => apiGet(s, `/rectifications/${id}`));
        await expectText(page, '#detail-badges .rect-status', RS[after.status]);
        return after;
      };
      let r = await step('verify', '核实', async () => {
        await page.getByLabel('说明').fill('调取监控核实，情况属实');
        await page.getByRole('radio', { name: '属实', exact: true }).check();
      });
      assertEqual(r.status, 'verified', 'status after verify');
      assertEqual(r.verdict, 'founded', 'verdict');
      r = await step('rectify', '整改', () => page.getByLabel('说明').fill('已对窗口人员批评教育并组织培训'));
      assertEqual(r.status, 'rectified', 'status after rectify');
      r = await step('visit', '回访', async () => {
        await page.getByLabel('说明').fill('电话回访，群众表示满意');
        await page.getByRole('radio', { name: '满意', exact: true }).check();
      });
      assert(['visited', 'closed'].includes(r.status), `status after a satisfied visit: ${r.status}`);
      assertEqual(r.visit_satisfied, true, 'visit_satisfied');
      const events = (await page.locator('#events .ev-action').allTextContents()).map((x) => x.trim());
      for (const a of ['核实', '整改', '回访']) assert(events.includes(a), `the history ${JSON.stringify(events)} lacks ${a}`);
      await expectText(page, `#rows tr[data-id="${id}"] .status`, RS[r.status]);
      await pageChecks(page, vp, 'a rectification after the return visit');
    }, { timeout: 60_000 }],

    ['front-staff complaints: an online complaint is assigned, answered and closed on the page; one is recorded at the window', async (page) => {
      const me = await asUser('cityclerk', (s) => apiGet(s, '/me'));
      const filed = must(await pub('POST', '/public/complaints', {
        site_id: me.site.id, name: '巴图', phone: randomPhone(), description: `跑了三次还没办成（${tag}）`,
      }), 201, 'POST /public/complaints');
      await signInQuick(page, 'cityclerk');
      await page.goto(`${base()}/complaints`);
      await expectNav(page, '投诉工单');
      const link = page.locator(`#rows tr[data-code="${filed.code}"] a`);
      await link.waitFor();
      await expectText(page, `#rows tr[data-code="${filed.code}"] .status`, CS.open);
      assertEqual(await page.locator('#apikeys-link').isVisible(), false, 'the API-key link shown to a clerk');
      await pageChecks(page, vp, 'the complaints list');
      await link.click();
      await expectText(page, '#detail-h', `反映 ${filed.code}`);
      const id = await page.locator(`#rows tr[data-code="${filed.code}"]`).getAttribute('data-id');
      await page.getByLabel('承办人', { exact: true }).selectOption(String(me.user.id));
      const assigned = await answerTo(page, 'POST', `/api/v1/complaints/${id}/actions/assign`,
        () => page.getByRole('button', { name: '指定', exact: true }).click());
      assertEqual(assigned.status, 200, `assign: ${JSON.stringify(assigned.body)}`);
      await expectText(page, '#notice', '已指定承办人。');
      await expectText(page, '#detail-badges .cst-assigned', CS.assigned);
      await pageChecks(page, vp, 'a complaint to answer');
      const answer = '已协调相关部门，本周内为您办结。';
      await page.getByLabel('答复内容').fill(answer);
      const answered = await answerTo(page, 'POST', `/api/v1/complaints/${id}/actions/answer`,
        () => page.getByRole('button', { name: '提交答复' }).click());
      assertEqual(answered.status, 200, `answer: ${JSON.stringify(answered.body)}`);
      await expectText(page, '#notice', '已答复。');
      await expectText(page, '#facts .c-answer', answer);
      let c = await asUser('cityclerk', (s) => apiGet(s, `/complaints/${id}`));
      assertEqual(c.status, 'answered', 'GET /complaints: status');
      assertEqual(c.answer, answer, 'GET /complaints: answer');
      assertEqual(c.assignee && c.assignee.id, me.user.id, 'GET /complaints: assignee');
      await page.getByRole('button', { name: '办结', exact: true }).click();
      await expectText(page, '#notice', '已办结。');
      c = await asUser('cityclerk', (s) => apiGet(s, `/complaints/${id}`));
      assertEqual(c.status, 'closed', 'GET /complaints: status after close');

      // Recorded at the window.
      await page.getByLabel('反映人姓名').fill('其木格');
      await page.getByLabel('手机号码').fill('1391234');
      await page.getByLabel('反映内容', { exact: true }).fill('窗口说材料不全，但没告诉缺什么');
      const bad = await answerTo(page, 'POST', '/api/v1/complaints', () => page.getByRole('button', { name: '登记' }).click());
      assertEqual(bad.status, 422, `POST /complaints with a bad phone: ${JSON.stringify(bad.body)}`);
      await expectText(page, '#file-error', bad.body.error.message);
      assertEqual(await page.getByLabel('反映人姓名').inputValue(), '其木格', 'the name kept after an error');
      await page.getByLabel('手机号码').fill(randomPhone());
      const ok = await answerTo(page, 'POST', '/api/v1/complaints', () => page.getByRole('button', { name: '登记' }).click());
      assertEqual(ok.status, 201, `POST /complaints: ${JSON.stringify(ok.body)}`);
      assertEqual(ok.body.source, 'window', 'source');
      await expectText(page, '#file-result', `已登记，编号 ${ok.body.code}。请告知群众凭编号和手机号查询答复。`);
      await page.locator(`#rows tr[data-code="${ok.body.code}"]`).waitFor();
    }, { timeout: 60_000 }],

    ['front-staff visits: agent schedules a home visit for a case and records it done', async (page) => {
      const receipt = await newCase('agent');
      const today = chinaToday();
      await signInQuick(page, 'agent');
      await page.goto(`${base()}/visits`);
      await page.getByRole('heading', { level: 1, name: '上门服务' }).waitFor();
      await expectNav(page, '上门服务');
      await page.getByLabel('办件受理编号').fill(receipt);
      await page.getByLabel('服务对象', { exact: true }).selectOption('elderly_alone');
      assertEqual(await page.getByLabel('上门日期').inputValue(), today, 'the day defaults to today');
      await page.getByLabel('上门时间（可不填）').fill('15:30');
      await page.getByLabel('上门地址').fill(`桑根达来社区 3 号楼 2 单元 ${tag}`);
      const made = await answerTo(page, 'POST', '/api/v1/home-visits', () => page.getByRole('button', { name: '安排', exact: true }).click());
      assertEqual(made.status, 201, `POST /home-visits: ${JSON.stringify(made.body)}`);
      await expectText(page, '#schedule-result', `已安排：${today} 上门办理 ${receipt}。`);
      const li = page.locator(`#visits li[data-id="${made.body.id}"]`);
      await li.waitFor();
      await pageChecks(page, vp, 'the agent\'s visits of the day');
      await li.getByRole('button', { name: '已上门' }).click();
      await page.getByLabel('上门结果').fill('已上门收取材料，老人签字确认');
      const done = await answerTo(page, 'POST', `/api/v1/home-visits/${made.body.id}/actions/done`,
        () => page.getByRole('button', { name: '确认' }).click());
      assertEqual(done.status, 200, `done: ${JSON.stringify(done.body)}`);
      await expectText(page, '#notice', '已记录上门结果。');
      await expectText(page, `#visits li[data-id="${made.body.id}"] .badge`, '已上门');
      const list = await asUser('agent', (s) => apiGet(s, `/home-visits?date=${today}&mine=true`));
      const v = list.items.find((x) => x.id === made.body.id);
      assertEqual(v && v.status, 'done', 'GET /home-visits: status');
      assertEqual(v && v.outcome, '已上门收取材料，老人签字确认', 'GET /home-visits: outcome');
      await pageChecks(page, vp, 'the visits after one is done');
    }, { timeout: 60_000 }],

    ['front-staff apikeys: a district admin creates a key (shown once), a 12345 order sent with it is answered, then the key is revoked', async (page) => {
      await signInQuick(page, 'admin');
      await page.goto(`${base()}/complaints`);
      await page.getByRole('link', { name: '管理 12345 热线接口密钥' }).click();
      await waitForPath(page, '/apikeys');
      await page.getByRole('heading', { level: 1, name: '12345 热线接口密钥' }).waitFor();
      const name = `12345 热线平台（${tag}）`;
      await page.getByLabel('用途（对方系统名称）').fill(name);
      const made = await answerTo(page, 'POST', '/api/v1/api-keys', () => page.getByRole('button', { name: '创建密钥' }).click());
      assertEqual(made.status, 201, `POST /api-keys: ${JSON.stringify(made.body)}`);
      const key = await page.getByLabel('密钥', { exact: true }).inputValue();
      assertEqual(key, made.body.key, 'the key shown');
      assert(/^bbk_[0-9a-f]{48}$/.test(key), `key ${key}`);
      await page.locator(`#rows tr[data-id="${made.body.id}"]`).waitFor();
      await expectText(page, `#rows tr[data-id="${made.body.id}"] .key-prefix`, made.body.prefix);
      await pageChecks(page, vp, 'the API keys with a new key');

      // The hotline sends a consultation with the key; the centre answers it on the complaints page.
      const me = await asUser('admin', (s) => apiGet(s, '/me'));
      const orderNo = `E2E${Date.now()}${vp.mobile ? 'P' : 'D'}`;
      const sent = await fetch(`${base()}/api/v1/hotline/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        body: JSON.stringify({ order_no: orderNo, kind: 'consultation', site_id: me.site.id, name: '来电群众', phone: randomPhone(), description: '咨询养老保险怎么续交' }),
      });
      assertEqual(sent.status, 201, `POST /hotline/orders: ${await sent.text()}`);
      await page.goto(`${base()}/complaints?tab=hotline`);
      const orow = page.locator(`#h-rows tr[data-order="${orderNo}"]`);
      await orow.waitFor();
      await orow.locator('a').click();
      await expectText(page, '#h-detail-h', `热线工单 ${orderNo}`);
      await pageChecks(page, vp, 'a 12345 order');
      await page.getByLabel('给来电人的答复').fill('可在社区便民服务站或网上续交。');
      const ans = await answerTo(page, 'POST', `/api/v1/hotline-orders/${await orow.getAttribute('data-id')}/actions/answer`,
        () => page.getByRole('button', { name: '提交答复' }).click());
      assertEqual(ans.status, 200, `answer: ${JSON.stringify(ans.body)}`);
      await expectText(page, '#h-notice', '已答复。');
      const back = await fetch(`${base()}/api/v1/hotline/orders/${orderNo}`, { headers: { Authorization: `Bearer ${key}` } });
      const order = await back.json();
      assertEqual(order.status, 'answered', 'GET /hotline/orders: status');
      assertEqual(order.answer, '可在社区便民服务站或网上续交。', 'GET /hotline/orders: answer');

      await page.goto(`${base()}/apikeys`);
      const row = page.locator(`#rows tr[data-id="${made.body.id}"]`);
      await row.getByRole('button', { name: '吊销' }).click();
      await expectText(page, '#confirm-text', `确认吊销“${name}”？吊销后立即失效，不能恢复。`);
      const rev = await answerTo(page, 'POST', `/api/v1/api-keys/${made.body.id}/revoke`,
        () => page.getByRole('button', { name: '确认吊销' }).click());
      assertEqual(rev.status, 200, `revoke: ${JSON.stringify(rev.body)}`);
      await expectText(page, '#notice', `已吊销：${name}`);
      await poll(page, (sel) => {
        const el = document.querySelector(sel);
        const t = el ? el.textContent : null;
        return { ok: !!t && t.includes('已吊销'), value: t };
      }, `#rows tr[data-id="${made.body.id}"] .key-state`, (got) => `the key's state reads ${JSON.stringify(got)}, not 已吊销`);
      const refused = await fetch(`${base()}/api/v1/hotline/orders/${orderNo}`, { headers: { Authorization: `Bearer ${key}` } });
      await refused.arrayBuffer();
      assertEqual(refused.status, 401, 'a revoked key: status');

      // Anyone else is told it is not for them.
      await page.context().clearCookies();
      await signInQuick(page, 'tadmin');
      await page.goto(`${base()}/apikeys`);
      await expectText(page, '#forbidden', '只有政务服务中心的管理员可以管理 API 密钥。');
      assertEqual(await page.locator('#content').isVisible(), false, 'the key list shown to a township admin');
      await pageChecks(page, vp, 'the API keys page for a township admin');
    }, { timeout: 60_000 }],
  ];
}

/** Opens a case through the API as login (an agent) for an item its station collects; returns the receipt. */
async function newCase(login) {
  return asUser(login, async (s) => {
    const me = await apiGet(s, '/me');
    const own = (await apiGet(s, `/sites/${me.site.id}/items`)).items;
    for (const row of own) {
      const it = await apiGet(s, `/items/${row.code}`);
      if (it.status !== 'published') continue;
      const today = chinaToday();
      const until = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
      const res = await apiCall(s, 'POST', '/cases', {
        item: it.code, channel: 'station',
        applicant: { name: '上门服务对象', id_number: '11010519491231002X', phone: '13700003333' },
        entrustment: { scope: `代办${it.name}`, signed_on: today, valid_until: until.endsWith('-02-29') ? until.replace('-02-29', '-02-28') : until },
        materials: it.materials.filter((m) => m.required).map((m) => ({ material: m.id, received: true })),
      });
      if (res.status === 201) return res.body.receipt;
    }
    throw new Error(`${login}: could not open a case for any item of the station`);
  });
}
