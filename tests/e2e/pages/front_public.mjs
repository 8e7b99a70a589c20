// The residents' front-desk pages, no sign-in: booking (/book), the number machine (/kiosk), the
// hall display (/display), 好差评 (/rate) and 办不成事反映 (/complain). Every flow is checked
// against the API; staff steps (call-next, start, finish, answering a complaint) go through the
// API as a clerk this suite adds at one community station, so no other suite's queue is touched.

import { assert, assertEqual, ctx, sleep } from '../lib/harness.mjs';
import { apiCall, apiGet, asUser } from '../lib/api.mjs';
import { answerTo, expectLang, expectText, poll } from '../lib/browser.mjs';
import { axeCheck, expectNoSideScroll, pageChecks } from '../lib/checks.mjs';

const SITE_CODE = '152502002003'; // 楚古兰街道锡林社区便民服务站: one 综合窗口 and one 帮办代办点
const CLERK = 'pubdesk';
const KIND_ZH = { general: '综合受理', assisted: '帮办代办' };
const LEVEL_ZH = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };

let fixture = null;

/** The station, its windows by kind and a clerk there (added once through the API). */
function station() {
  if (!fixture) {
    fixture = (async () => {
      const sites = (await apiGet(null, '/public/sites')).items;
      const site = sites.find((s) => s.code === SITE_CODE);
      assert(site, `GET /public/sites lacks ${SITE_CODE}`);
      const windows = await asUser('admin', async (s) => {
        const res = await apiCall(s, 'POST', '/users', {
          login: CLERK, name: '前台测试', role: 'clerk', site_id: site.id, password: 'bangban-demo',
        });
        assert(res.status === 201 || res.status === 409, `POST /users ${CLERK}: ${res.status} ${JSON.stringify(res.body)}`);
        return (await apiGet(s, `/windows?site=${site.id}`)).items;
      });
      const byKind = {};
      for (const w of windows) if (w.active && !byKind[w.kind]) byKind[w.kind] = w;
      assert(byKind.general && byKind.assisted, `windows at ${site.name}: ${JSON.stringify(windows)}`);
      return { site, windows: byKind };
    })();
    fixture.catch(() => { fixture = null; });
  }
  return fixture;
}

async function staff(fn) {
  return asUser(CLERK, fn);
}

async function must(s, method, p, body, want = 200) {
  const res = await apiCall(s, method, p, body);
  assertEqual(res.status, want, `${method} /api/v1${p}: status (${JSON.stringify(res.body)})`);
  return res.body;
}

/** Empties the window's hands and its kind's queue (earlier tests, the other viewport). */
async function drain(s, win) {
  for (let i = 0; i < 50; i++) {
    const q = await must(s, 'GET', `/windows/${win.id}/queue`);
    if (q.current) {
      const action = q.current.status === 'serving' ? 'finish' : 'skip';
      await must(s, 'POST', `/tickets/${q.current.id}/actions/${action}`, {});
    }
    const next = await apiCall(s, 'POST', `/windows/${win.id}/call-next`);
    if (next.status === 404) return;
    assertEqual(next.status, 200, `POST /windows/${win.id}/call-next: ${JSON.stringify(next.body)}`);
  }
  throw new Error(`window ${win.id}: could not empty its queue`);
}

async function takeTicket(siteId, kind) {
  return must(null, 'POST', '/public/tickets', { site_id: siteId, kind }, 201);
}

/** A fresh mainland mobile number for this run. */
function phone() {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** China's calendar day, plus n days. */
function chinaDay(n = 0) {
  return new Date(Date.now() + 8 * 3600 * 1000 + n * 86400 * 1000).toISOString().slice(0, 10);
}

/** The first day after today with a slot that has places: { day, slot }. */
async function openSlot(siteId) {
  for (let n = 1; n <= 30; n++) {
    const day = chinaDay(n);
    const res = await apiCall(null, 'GET', `/public/sites/${siteId}/slots?date=${day}`);
    if (res.status !== 200) break;
    const slot = res.body.open && res.body.items.find((x) => x.remaining > 1);
    if (slot) return { day, slot };
  }
  throw new Error(`no bookable slot within 30 days at site ${siteId}`);
}

async function remaining(siteId, day, slotId) {
  const res = await apiGet(null, `/public/sites/${siteId}/slots?date=${day}`);
  const s = res.items.find((x) => x.id === slotId);
  assert(s, `slot ${slotId} missing from GET slots?date=${day}`);
  return s.remaining;
}

async function ready(page) {
  await poll(page, () => ({ ok: document.body.getAttribute('data-ready') === 'true', value: null }), null,
    () => 'the page never became ready');
}

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['front-public book: pick a day and a slot, book it (remaining drops by one), look it up and cancel it', async (page) => {
      const { site } = await station();
      const { day, slot } = await openSlot(site.id);
      const before = slot.remaining;
      const tel = phone();
      await page.goto(`${base()}/book?site=${site.id}`);
      await expectLang(page, 'zh-CN');
      await ready(page);
      await pageChecks(page, vp, '/book with the days');
      // Nothing chosen yet: the page says what is missing, by the field.
      await page.getByRole('button', { name: '提交预约' }).click();
      await expectText(page, '#b-date-err', '请选择日期。');
      await page.locator(`label[for="b-date-${day}"]`).click();
      const row = page.locator(`#slots li[data-slot="${slot.id}"]`);
      await row.waitFor();
      await expectText(page, `#slots li[data-slot="${slot.id}"] .pub-slot-left`, `剩余 ${before} 个名额（共 ${slot.capacity} 个）`);
      await row.locator('label').click();
      await page.locator('#b-items li[data-code]').first().waitFor();
      await pageChecks(page, vp, '/book with the slots and the items');
      const itemRow = page.locator('#b-items li[data-code]').first();
      const itemCode = await itemRow.getAttribute('data-code');
      await itemRow.locator('label').click();
      await page.getByLabel('姓名').first().fill('苏大强');
      await page.locator('#b-phone').fill('1234');
      await page.getByRole('button', { name: '提交预约' }).click();
      await expectText(page, '#b-phone-err', '请填写正确的 11 位手机号码。');
      await page.locator('#b-phone').fill(tel);
      const res = await answerTo(page, 'POST', '/api/v1/public/appointments',
        () => page.getByRole('button', { name: '提交预约' }).click());
      assertEqual(res.status, 201, `POST /public/appointments: ${JSON.stringify(res.body)}`);
      const a = res.body;
      assertEqual(a.item && a.item.code, itemCode, 'the item booked');
      await expectText(page, '#r-code', a.code);
      await expectText(page, '#r-status', '已预约');
      assertEqual(await remaining(site.id, day, slot.id), before - 1, 'remaining after booking (API)');
      const got = await apiGet(null, `/public/appointments/${a.code}?phone=${tel}`);
      assertEqual(got.status, 'booked', 'GET /public/appointments/{code}: status');
      await pageChecks(page, vp, '/book with the booking code');

      // Look it up with code and phone, and cancel it: the place is free again.
      assertEqual(await page.locator('#l-code').inputValue(), a.code, 'the lookup prefilled with the code');
      await page.locator('#l-phone').fill('13900000000');
      await page.getByRole('button', { name: '查询预约' }).click();
      await poll(page, () => {
        const el = document.querySelector('#l-error');
        return { ok: !!el && el.textContent.trim().length > 0, value: null };
      }, null, () => 'a wrong phone showed no error');
      await page.locator('#l-phone').fill(tel);
      await page.getByRole('button', { name: '查询预约' }).click();
      await expectText(page, '#l-status', '已预约');
      await page.getByRole('button', { name: '取消这个预约' }).click();
      await expectText(page, '#l-status', '已取消');
      await expectText(page, '#l-note', '预约已取消，名额已释放。');
      assertEqual((await apiGet(null, `/public/appointments/${a.code}?phone=${tel}`)).status, 'cancelled', 'status after cancel (API)');
      assertEqual(await remaining(site.id, day, slot.id), before, 'remaining after cancelling (API)');
      assertEqual(await page.getByRole('button', { name: '取消这个预约' }).isVisible(), false, 'cancel offered again');
    }, { timeout: 60_000 }],

    ['front-public kiosk: a 绿色通道 number whose slip matches the API; a booking for another day is refused', async (page) => {
      const { site, windows } = await station();
      await staff((s) => drain(s, windows.general));
      await page.goto(`${base()}/kiosk?site=${site.id}`);
      await ready(page);
      await expectText(page, '#k-title', site.name);
      const snap = await apiGet(null, `/public/sites/${site.id}/queue`);
      const kinds = await page.locator('#kinds button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-kind')));
      assertEqual(JSON.stringify(kinds), JSON.stringify(snap.waiting.map((w) => w.kind)), 'a button per kind of the snapshot');
      await pageChecks(page, vp, '/kiosk');
      await page.locator('label[for="k-priority-elderly"]').click();
      const res = await answerTo(page, 'POST', '/api/v1/public/tickets',
        () => page.locator('#kinds button[data-kind="general"]').click());
      assertEqual(res.status, 201, `POST /public/tickets: ${JSON.stringify(res.body)}`);
      const tk = res.body;
      assertEqual(tk.priority, 'elderly', 'priority sent');
      await expectText(page, '#s-number', tk.number);
      await expectText(page, '#s-kind', KIND_ZH.general);
      await expectText(page, '#s-priority', '绿色通道 · 老年人');
      await expectText(page, '#s-ahead', tk.waiting_before ? `前面还有 ${tk.waiting_before} 人` : '前面没有人等候，请留意叫号');
      await expectText(page, '#s-rate', `${base()}/rate?ticket=${tk.id}&code=${tk.rate_code}`);
      const api = await staff((s) => apiGet(s, `/tickets/${tk.id}`));
      assertEqual(api.number, tk.number, 'the number on the slip is the ticket\'s (API)');
      assertEqual(api.status, 'waiting', 'the ticket waits (API)');
      await pageChecks(page, vp, 'the kiosk slip');
      // Printing shows the slip alone.
      await page.emulateMedia({ media: 'print' });
      const printed = await page.evaluate(() => {
        const shown = (sel) => {
          const el = document.querySelector(sel);
          return !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
        };
        return [shown('#slip'), shown('#s-number'), shown('header.topbar'), shown('#s-print'), shown('footer')];
      });
      await page.emulateMedia({ media: 'screen' });
      assertEqual(JSON.stringify(printed), '[true,true,false,false,false]', 'printed: slip, number, topbar, button, footer');
      await page.getByRole('button', { name: '完成，返回' }).click();
      await page.locator('#kinds button').first().waitFor();

      // A booking for another day cannot check in today: the server's message shows.
      const { slot } = await openSlot(site.id);
      const tel = phone();
      const items = await apiGet(null, `/public/items?site=${site.id}&limit=1`);
      const booked = await must(null, 'POST', '/public/appointments',
        { slot: slot.id, item: items.items[0].code, name: '陈阿姨', phone: tel }, 201);
      await page.locator('#a-code').fill(booked.code);
      await page.locator('#a-phone').fill(tel);
      const refused = await answerTo(page, 'POST', `/api/v1/public/appointments/${booked.code}/check-in`,
        () => page.getByRole('button', { name: '签到取号' }).click());
      assertEqual(refused.status, 409, `check-in on another day: ${JSON.stringify(refused.body)}`);
      await expectText(page, '#a-error', refused.body.error.message);
      await must(null, 'POST', `/public/appointments/${booked.code}/cancel`, { phone: tel });
      await staff((s) => drain(s, windows.general));
    }, { timeout: 60_000 }],

    ['front-public display: a call made through the API shows; the next one arrives live without a reload and is announced', async (page) => {
      const { site, windows } = await station();
      await staff(async (s) => {
        await drain(s, windows.general);
        await drain(s, windows.assisted);
      });
      await page.addInitScript(() => {
        window.__spoken = [];
        if (window.speechSynthesis) window.speechSynthesis.speak = (u) => { window.__spoken.push(u.text); };
      });
      const t1 = await takeTicket(site.id, 'general');
      await page.goto(`${base()}/display?site=${site.id}`);
      await expectText(page, '#d-site', site.name);
      await expectText(page, `#waiting li[data-kind="general"] .pub-wait-num`, t1.number);
      await poll(page, () => ({ ok: document.querySelector('#d-live').getAttribute('data-mode') === 'live', value: document.querySelector('#d-live').textContent }),
        null, (v) => `the event stream never delivered (footer: ${v})`);
      await page.evaluate(() => { document.body.setAttribute('data-mark', 'no-reload'); });
      await staff((s) => must(s, 'POST', `/windows/${windows.general.id}/call-next`));
      await expectText(page, '#calling li:first-child .pub-call-number', t1.number);
      await expectText(page, '#calling li:first-child .pub-call-window', windows.general.name);
      await pageChecks(page, vp, '/display with a call');
      const t2 = await takeTicket(site.id, 'assisted');
      await staff((s) => must(s, 'POST', `/windows/${windows.assisted.id}/call-next`));
      await expectText(page, '#calling li:first-child .pub-call-number', t2.number, 5000);
      await expectText(page, '#calling li:nth-child(2) .pub-call-number', t1.number);
      assertEqual(await page.evaluate(() => document.body.getAttribute('data-mark')), 'no-reload', 'the page was not reloaded');
      const spoken = await page.evaluate(() => window.__spoken || []);
      const say = (n, w) => `请 ${n.split('').join(' ')} 号到 ${w} 办理`;
      assert(spoken.includes(say(t1.number, windows.general.name)) && spoken.includes(say(t2.number, windows.assisted.name)),
        `spoken: ${JSON.stringify(spoken)}`);
      await expectText(page, '#announce', `请 ${t2.number} 号到 ${windows.assisted.name} 办理`);
      // A recall is announced again.
      const tk2 = (await staff((s) => must(s, 'GET', `/windows/${windows.assisted.id}/queue`))).current;
      await staff((s) => must(s, 'POST', `/tickets/${tk2.id}/actions/recall`, {}));
      await poll(page, () => ({ ok: document.querySelector('#announce').getAttribute('data-count') === '3', value: document.querySelector('#announce').getAttribute('data-count') }),
        null, (v) => `announcements after a recall: ${v}, want 3`, 5000);
      await staff(async (s) => {
        await drain(s, windows.general);
        await drain(s, windows.assisted);
      });
    }, { timeout: 60_000 }],

    ['front-public display: falls back to polling every 5 s when the event stream fails', async (page) => {
      const { site, windows } = await station();
      await staff((s) => drain(s, windows.general));
      await page.route('**/queue/events', (route) => route.abort());
      try {
        await page.goto(`${base()}/display?site=${site.id}`);
        await expectText(page, '#d-site', site.name);
        await expectText(page, '#d-live', '实时连接中断，每 5 秒刷新一次');
        const tk = await takeTicket(site.id, 'general');
        await staff((s) => must(s, 'POST', `/windows/${windows.general.id}/call-next`));
        await expectText(page, '#calling li:first-child .pub-call-number', tk.number, 8000);
      } finally {
        await page.unroute('**/queue/events');
      }
      await staff((s) => drain(s, windows.general));
    }, { timeout: 45_000 }],

    ['front-public rate: rate a finished visit from its slip link; reloading shows it already rated', async (page) => {
      const { site, windows } = await station();
      const tk = await takeTicket(site.id, 'general');
      await staff(async (s) => {
        await must(s, 'GET', `/tickets/${tk.id}`);
        const q = await must(s, 'GET', `/windows/${windows.general.id}/queue`);
        if (q.current) await must(s, 'POST', `/tickets/${q.current.id}/actions/skip`, {});
        for (let i = 0; i < 50; i++) {
          const c = await must(s, 'POST', `/windows/${windows.general.id}/call-next`);
          if (c.id === tk.id) break;
          await must(s, 'POST', `/tickets/${c.id}/actions/skip`, {});
        }
        await must(s, 'POST', `/tickets/${tk.id}/actions/start`, {});
        await must(s, 'POST', `/tickets/${tk.id}/actions/finish`, {});
      });
      const level = vp.mobile ? 2 : 4;
      await page.goto(`${base()}/rate?ticket=${tk.id}&code=${tk.rate_code}`);
      await page.locator('#rate-form').waitFor();
      await expectText(page, '#t-number', tk.number);
      await pageChecks(page, vp, '/rate with the levels');
      await page.getByRole('button', { name: '提交评价' }).click();
      await expectText(page, '#r-level-err', '请选择一个评价。');
      await page.getByRole('radio', { name: LEVEL_ZH[level], exact: true }).check();
      await page.getByRole('checkbox', { name: vp.mobile ? '等候太久' : '态度热情', exact: true }).check();
      await page.getByLabel('想说的话（选填）').fill(vp.mobile ? '等了很久' : '很耐心');
      const res = await answerTo(page, 'POST', '/api/v1/public/ratings',
        () => page.getByRole('button', { name: '提交评价' }).click());
      assertEqual(res.status, 201, `POST /public/ratings: ${JSON.stringify(res.body)}`);
      await expectText(page, '#rated-thanks', '感谢您的评价！');
      await expectText(page, '#rated-level', LEVEL_ZH[level]);
      const r = await apiGet(null, `/public/rateable?ticket=${tk.id}&code=${tk.rate_code}`);
      assertEqual(r.rating && r.rating.level, level, 'the level stored (API)');
      assertEqual(JSON.stringify(r.rating.tags), JSON.stringify([vp.mobile ? '等候太久' : '态度热情']), 'the tags stored (API)');
      assertEqual(!!r.rectification, level <= 2, 'a rectification opened for a bad rating only (API)');
      await page.reload();
      await page.locator('#rated').waitFor();
      await expectText(page, '#rated-h', '您已评价过这项服务');
      await expectText(page, '#rated-level', LEVEL_ZH[level]);
      assertEqual(await page.locator('#rate-form').isVisible(), false, 'the form shown again after rating');
      await pageChecks(page, vp, '/rate already rated');
      if (level <= 2) {
        // The bad rating's rectification: checked, put right, the return visit leaves the resident
        // unsatisfied (all through the API) -> the page offers the 申诉, which the next level reviews.
        await expectText(page, '#rect-status', '待核实');
        assertEqual(await page.locator('#appeal-form').isVisible(), false, 'appeal offered before the return visit');
        const rid = res.body.rectification.id;
        await staff(async (s) => {
          await must(s, 'POST', `/rectifications/${rid}/actions/verify`, { note: '调取录像，确实等候过久', verdict: 'founded' });
          await must(s, 'POST', `/rectifications/${rid}/actions/rectify`, { note: '高峰时段增开帮办代办点' });
          await must(s, 'POST', `/rectifications/${rid}/actions/visit`, { note: '电话回访，群众仍不满意', satisfied: false });
        });
        await page.reload();
        await expectText(page, '#rect-status', '已回访');
        await page.locator('#appeal-form').waitFor();
        await page.getByRole('button', { name: '提交申诉' }).click();
        await expectText(page, '#ap-reason-err', '请写明申诉理由。');
        await page.getByLabel('申诉理由').fill('增开窗口后仍然要等一个多小时。');
        await page.getByRole('button', { name: '提交申诉' }).click();
        await expectText(page, '#rect-status', '已申诉，复核中');
        await expectText(page, '#rated-thanks', '申诉已提交，上一级将进行复核。');
        const after = await apiGet(null, `/public/rateable?ticket=${tk.id}&code=${tk.rate_code}`);
        assertEqual(after.rectification.status, 'appealed', 'rectification status after the appeal (API)');
        assertEqual(await page.locator('#appeal-form').isVisible(), false, 'appeal offered twice');
      }
    }, { timeout: 45_000 }],

    ['front-public complain: report a problem, follow it up, rate the answer', async (page) => {
      const { site } = await station();
      const tel = phone();
      await page.goto(`${base()}/complain`);
      await ready(page);
      await pageChecks(page, vp, '/complain');
      await page.getByLabel('在哪个地点办事').selectOption(String(site.id));
      await page.getByRole('button', { name: '提交反映' }).click();
      await expectText(page, '#c-name-err', '请填写姓名。');
      await page.getByLabel('姓名').first().fill('李大爷');
      await page.locator('#c-phone').fill(tel);
      await page.getByLabel('遇到了什么问题').fill('跑了三次，低保还是没办成。');
      const res = await answerTo(page, 'POST', '/api/v1/public/complaints',
        () => page.getByRole('button', { name: '提交反映' }).click());
      assertEqual(res.status, 201, `POST /public/complaints: ${JSON.stringify(res.body)}`);
      const { code } = res.body;
      await expectText(page, '#r-code', code);
      const c = await apiGet(null, `/public/complaints/${code}?phone=${tel}`);
      assertEqual(c.status, 'open', 'status (API)');
      await pageChecks(page, vp, '/complain with the code');
      await page.getByRole('button', { name: '查看', exact: true }).click();
      await expectText(page, '#f-status', '待处理');
      await expectText(page, '#f-note', '正在办理，请耐心等待答复。');

      const answer = '已协调街道为您办理，请于周一上午到综合窗口领取。';
      await staff(async (s) => {
        const list = await must(s, 'GET', `/complaints?site=${site.id}`);
        const row = list.items.find((x) => x.code === code);
        assert(row, `GET /complaints?site=${site.id} lacks ${code}`);
        await must(s, 'POST', `/complaints/${row.id}/actions/answer`, { answer });
      });
      await page.getByRole('button', { name: '查看', exact: true }).click();
      await expectText(page, '#f-status', '已答复');
      await expectText(page, '#f-answer', answer);
      await page.locator('#fr-form').waitFor();
      await pageChecks(page, vp, '/complain with the answer to rate');
      await page.locator('#fr-levels').getByRole('radio', { name: '非常满意', exact: true }).check();
      await page.getByRole('button', { name: '提交评价' }).click();
      await expectText(page, '#f-status', '已办结');
      await expectText(page, '#f-level', '非常满意');
      const after = await apiGet(null, `/public/complaints/${code}?phone=${tel}`);
      assertEqual(after.status, 'closed', 'status after rating (API)');
      assertEqual(after.level, 5, 'level (API)');
    }, { timeout: 45_000 }],

    ['front-public without a query: kiosk and display ask for the site, rate for the receipt; English', async (page) => {
      const { site } = await station();
      await page.goto(`${base()}/kiosk`);
      await ready(page);
      await page.locator('#site-form').waitFor();
      await pageChecks(page, vp, '/kiosk without a site');
      await page.getByLabel('本机所在的办事地点').selectOption(String(site.id));
      await page.getByRole('button', { name: '开始取号' }).click();
      await page.waitForURL((u) => new URL(u).searchParams.get('site') === String(site.id));
      await page.locator('#kinds button').first().waitFor();
      await page.goto(`${base()}/display`);
      await page.locator('#site-form').waitFor();
      await pageChecks(page, vp, '/display without a site');
      await page.goto(`${base()}/rate`);
      await page.locator('#find-form').waitFor();
      await pageChecks(page, vp, '/rate without a query');
      await page.getByLabel('受理编号').fill('SQ000000000000');
      await page.getByLabel('查询码').fill('000000');
      await page.getByRole('button', { name: '去评价' }).click();
      await poll(page, () => ({ ok: document.querySelector('#error').textContent.trim().length > 0, value: null }), null,
        () => 'an unknown receipt showed no error');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, 'h1', 'Rate a service');
      await axeCheck(page, '/rate in English');
      await expectNoSideScroll(page, vp, '/rate in English');
      await sleep(0);
    }],
  ];
}
