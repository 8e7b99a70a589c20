// The case pages (办件): intake (/intake), the lists (/cases), one case (/case), the home's alerts
// and the public progress query (/progress). Items and sites are picked through the API at test
// time (the site-list tests before these change the villages' lists).

import { assert, assertEqual, assertSame, ctx } from '../lib/harness.mjs';
import { apiCall, apiGet, asUser } from '../lib/api.mjs';
import {
  VIEWPORTS, answerTo, expectLang, expectText, expectTexts, homeLoaded, poll, signInQuick, waitForPath,
  withPage,
} from '../lib/browser.mjs';
import { startExtraServer } from '../lib/server.mjs';
import { axeCheck, expectNoSideScroll, pageChecks } from '../lib/checks.mjs';

export const IDS = ['11010519491231002X', '440524188001010014'];
const BAD_ID = '110105194912310021'; // right length and date, wrong check character

const STATUS = {
  intake: '收件', submitted: '报送中', accepted: '已受理', in_review: '审批中', decided: '已决定',
  issued: '已出件', archived: '已归档', refused: '不予受理', withdrawn: '已撤回',
};
const STATE = { normal: '正常', due_soon: '即将超时', overdue: '已超时' };
const ACTION = {
  create: '收件', deemed_accept: '视为受理', submit: '报送', receive: '接收', accept: '受理',
  request_supplement: '要求补正', supplement: '补交材料', forward: '转审批', decide: '审批决定',
  refuse: '不予受理', issue: '出件', return_materials: '退还原件', visit: '回访', archive: '归档',
  withdraw: '撤回', extend: '延长时限', revoke_entrustment: '撤销委托',
};
export const KIND = { due_soon: '即将超时', overdue: '已超时', notice_due: '告知期将满', handoff_late: '交接超时' };

/** Today on China's clock (the server's calendar day) and 3 months on, as the page computes. */
export function chinaToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function addMonths(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${ny}-${String(nm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** From the API: an item agent's station collects (代收代办) with at least `required` required materials. */
async function collectItem(required, { township = false } = {}) {
  return asUser('agent', async (s) => {
    const me = await apiGet(s, '/me');
    const own = (await apiGet(s, `/sites/${me.site.id}/items`)).items.filter((i) => i.mode === 'collect');
    let accepts = new Set();
    if (township) {
      const up = await asUser('clerk', (c) => apiGet(c, `/sites/${me.site.parent_id}/items`));
      accepts = new Set(up.items.filter((i) => i.mode === 'accept').map((i) => i.code));
    }
    const ranked = township ? [...own.filter((i) => accepts.has(i.code)), ...own.filter((i) => !accepts.has(i.code))] : own;
    for (const row of ranked) {
      const it = await apiGet(s, `/items/${row.code}`);
      if (it.status === 'published' && it.materials.filter((m) => m.required).length >= required) {
        return { item: it, me, townshipAccepts: accepts.has(row.code) };
      }
    }
    throw new Error(`agent's station collects no published item with ${required}+ required materials`);
  });
}

/** Opens a case through the API as login (a fixture); received: material ids. */
async function apiIntake(login, item, { received, name = '测试申请人', id = IDS[1], phone = '13700001111' } = {}) {
  return asUser(login, async (s) => {
    const body = {
      item: item.code, channel: 'station',
      applicant: { name, id_number: id, phone },
      entrustment: { scope: `代办${item.name}`, signed_on: chinaToday(), valid_until: addMonths(chinaToday(), 3) },
      materials: (received || item.materials.filter((m) => m.required).map((m) => m.id))
        .map((mid) => ({ material: mid, received: true })),
    };
    const res = await apiCall(s, 'POST', '/cases', body);
    assertEqual(res.status, 201, `POST /cases as ${login} (fixture): status ${JSON.stringify(res.body)}`);
    return res.body;
  });
}

async function apiAct(login, receipt, action, body = {}) {
  return asUser(login, async (s) => {
    const res = await apiCall(s, 'POST', `/cases/${receipt}/actions/${action}`, body);
    assertEqual(res.status, 200, `POST /cases/${receipt}/actions/${action} as ${login}: ${JSON.stringify(res.body)}`);
    return res.body;
  });
}

/** The action buttons shown equal allowed_actions of GET /cases/{receipt} as the same user. */
async function expectActions(page, login, receipt) {
  const c = await asUser(login, (s) => apiGet(s, `/cases/${receipt}`));
  const want = c.allowed_actions;
  await poll(page, (w) => {
    const got = [...document.querySelectorAll('#actions button')].map((b) => b.getAttribute('data-action'));
    return { ok: JSON.stringify(got) === JSON.stringify(w), value: got };
  }, want, (got) => `action buttons ${JSON.stringify(got)}, allowed_actions (API, ${login}) ${JSON.stringify(want)}`);
  const labels = (await page.locator('#actions button').allTextContents()).map((x) => x.trim());
  assertSame(labels, want.map((a) => ACTION[a]), 'action button labels');
  return c;
}

/** Runs the intake wizard in the page; untick: material ids left unticked. Returns the 201 answer. */
async function wizard(page, vp, item, { name, id, phone, untick = [], checks = false }) {
  await page.locator('#item-list li').first().waitFor();
  await page.getByLabel('搜索本站事项（名称或编码）').fill(item.name);
  const row = page.locator(`#item-list li[data-code="${item.code}"]`);
  await row.waitFor();
  await row.locator('label').click();
  assert(await row.locator('input[type="radio"]').isChecked(), 'the item\'s radio is checked after a tap');
  if (checks) await pageChecks(page, vp, 'intake step 1 (the item)');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { level: 2, name: '第 2 步：申请人' }).waitFor();
  await page.getByLabel('申请人姓名').fill(name);
  await page.getByLabel('居民身份证号码').fill(id);
  await page.getByLabel('手机号码').fill(phone);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { level: 2, name: '第 3 步：委托' }).waitFor();
  // The entrustment comes prefilled: 代办<item>, signed today, valid for 3 months.
  assertEqual(await page.getByLabel('委托事项和权限').inputValue(), `代办${item.name}`, 'entrustment scope');
  assertEqual(await page.getByLabel('签署日期').inputValue(), chinaToday(), 'entrustment signed on');
  assertEqual(await page.getByLabel('有效期至').inputValue(), addMonths(chinaToday(), 3), 'entrustment valid until');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { level: 2, name: '第 4 步：收取材料' }).waitFor();
  for (const m of item.materials.filter((x) => x.required && !untick.includes(x.id))) {
    await page.locator(`#mat-${m.id}`).check();
  }
  if (checks) await pageChecks(page, vp, 'intake step 4 (the materials)');
}

async function submitIntake(page) {
  let sent = null;
  const res = await answerTo(page, 'POST', '/api/v1/cases', async () => {
    const req = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/cases');
    await page.getByRole('button', { name: '提交受理' }).click();
    sent = await req;
  });
  return { ...res, key: sent.headers()['idempotency-key'], body: res.body, sentBody: JSON.parse(sent.postData()) };
}

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['agent: intake of a 代收代办 item with a required material missing -> receipt, query code and the one-time notice', async (page) => {
      const { item, me } = await collectItem(2);
      const required = item.materials.filter((m) => m.required);
      const left = required[required.length - 1];
      await signInQuick(page, 'agent');
      await page.goto(`${base()}/intake`);
      await expectLang(page, 'zh-CN');
      const nav = page.getByRole('navigation', { name: '主菜单' });
      assertEqual(await nav.getByRole('link', { name: '受理办件' }).getAttribute('aria-current'), 'page', 'nav: 受理办件 current');
      const name = vp.mobile ? '欧阳晓春' : '司马秋实';
      await wizard(page, vp, item, { name, id: BAD_ID, phone: '13912340001', untick: [left.id], checks: true });
      await expectText(page, '#mat-summary', `已勾选 ${required.length - 1} 项；还缺 1 项必需材料，提交后将出具一次性告知书。`);

      // First with an ID number the server refuses: its message, by the field, on step 2.
      const bad = await submitIntake(page);
      assertEqual(bad.status, 422, `POST /cases with a bad ID number: status ${JSON.stringify(bad.body)}`);
      assertEqual(bad.body.error.field, 'applicant.id_number', 'error.field');
      await page.getByRole('heading', { level: 2, name: '第 2 步：申请人' }).waitFor();
      await expectText(page, '#a-id-err', bad.body.error.message);
      await expectText(page, '#form-error', `${bad.body.error.message} — 居民身份证号码`);
      assertEqual(await page.getByLabel('居民身份证号码').getAttribute('aria-invalid'), 'true', 'the ID field marked invalid');
      await expectText(page, '#a-id-check', '号码校验不通过，请核对（以系统校验为准）。');
      await pageChecks(page, vp, 'intake step 2 with the server\'s error');

      await page.getByLabel('居民身份证号码').fill(IDS[0]);
      await page.getByRole('button', { name: '下一步' }).click();
      await page.getByRole('button', { name: '下一步' }).click();
      const ok = await submitIntake(page);
      assertEqual(ok.status, 201, `POST /cases: status ${JSON.stringify(ok.body)}`);
      assert(/^[0-9a-f-]{36}$/.test(ok.key || ''), `Idempotency-Key ${JSON.stringify(ok.key)} is not a UUID`);
      assert(ok.key !== bad.key, 'a changed submission kept the Idempotency-Key of the refused one');
      assertSame(ok.sentBody.materials.map((m) => m.material).sort(),
        required.filter((m) => m.id !== left.id).map((m) => m.id).sort(), 'materials sent as received');
      assertSame(ok.sentBody.entrustment, { scope: `代办${item.name}`, signed_on: chinaToday(), valid_until: addMonths(chinaToday(), 3) },
        'entrustment sent');
      const c = ok.body;
      await expectText(page, '#r-receipt', c.receipt);
      await expectText(page, '#r-item', item.name);
      await expectText(page, '#r-site', me.site.name);
      assert(!(await page.locator('#result').textContent()).includes(name), 'the result shows the full name');

      const notice = await asUser('agent', (s) => apiGet(s, `/cases/${c.receipt}/notice`));
      const names = notice.missing.map((m) => m.name);
      assert(names.includes(left.name), `GET notice: missing ${JSON.stringify(names)} lacks ${left.name}`);
      const shown = (await page.locator('#notice-list .notice-name').allTextContents()).map((x) => x.trim());
      assertSame([...shown].sort(), [...names].sort(), 'materials listed on the notice');
      assertEqual(shown[0], left.name, 'the missing required material comes first');
      await expectText(page, '#notice-due', notice.due);
      await expectText(page, '#notice-intro', `您申请办理的“${item.name}”（受理编号 ${c.receipt}）尚缺以下材料，请于 ${notice.due} 前补齐：`);
      await pageChecks(page, vp, 'the intake result with the one-time notice');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, '#notice-h', 'One-time notice of missing documents');
      await expectText(page, '#notice-intro', `Your application for “${item.name}” (receipt ${c.receipt}) still needs the documents below. Please bring them by ${notice.due}:`);
      await axeCheck(page, 'the intake result in English');
      await expectNoSideScroll(page, vp, 'the intake result in English');
      await page.getByRole('button', { name: '中文' }).click();
      await expectLang(page, 'zh-CN');

      // Printing keeps the receipt and the notice, drops the navigation and the buttons.
      await page.getByRole('button', { name: '打印回执和一次性告知书' }).waitFor();
      await page.emulateMedia({ media: 'print' });
      const printed = await page.evaluate(() => {
        const shownEl = (sel) => {
          const el = document.querySelector(sel);
          return !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
        };
        return {
          nav: shownEl('nav.mainnav'), topbar: shownEl('header.topbar'), print: shownEl('#print'),
          receipt: shownEl('#r-receipt'), notice: shownEl('#notice-list'),
        };
      });
      await page.emulateMedia({ media: 'screen' });
      assertSame(printed, { nav: false, topbar: false, print: false, receipt: true, notice: true }, 'printed');
      // Last, so that a server without it still has the rest checked: the query code.
      assert(/^\d{6}$/.test(String(c.query_code || '')), `POST /cases answered no 6-digit query_code (docs/api.md, "Case (as returned)"): ${JSON.stringify(Object.keys(c))}`);
      await expectText(page, '#r-code', c.query_code);
    }, { timeout: 90_000 }],

    ['agent submits a complete case; clerk receives it from 待接收 and accepts it (or sends it on); only allowed actions show', async (page) => {
      const { item, townshipAccepts } = await collectItem(1, { township: true });
      await signInQuick(page, 'agent');
      await page.goto(`${base()}/intake`);
      await wizard(page, vp, item, { name: '完整材料', id: IDS[1], phone: '13600002222' });
      await expectText(page, '#mat-summary', `已勾选 ${item.materials.filter((m) => m.required).length} 项；必需材料已收齐。`);
      // The answer is lost on the way back (the server did open the case): the page says so, and
      // sending again with the same Idempotency-Key gets that same case, not a second one.
      let dropped = null;
      await page.route('**/api/v1/cases', async (route) => {
        if (route.request().method() !== 'POST' || dropped) return route.continue();
        const res = await route.fetch();
        dropped = { key: route.request().headers()['idempotency-key'], status: res.status(), body: await res.json() };
        return route.abort('connectionreset');
      });
      await page.getByRole('button', { name: '提交受理' }).click();
      await expectText(page, '#form-error', '无法连接服务器，请检查网络后重试。');
      await page.unroute('**/api/v1/cases');
      assertEqual(dropped && dropped.status, 201, `the dropped POST /cases: ${JSON.stringify(dropped)}`);
      const ok = await submitIntake(page);
      assertEqual(ok.status, 201, `POST /cases: status ${JSON.stringify(ok.body)}`);
      assertEqual(ok.key, dropped.key, 'the retry\'s Idempotency-Key');
      assertEqual(ok.body.receipt, dropped.body.receipt, 'the retry answers the case the lost answer opened');
      const { receipt } = ok.body;
      await expectText(page, '#r-receipt', receipt);
      assertEqual(await page.locator('#notice').isVisible(), false, 'a one-time notice for a complete case');
      await page.getByRole('link', { name: '查看办件' }).click();
      await waitForPath(page, '/case');
      await expectText(page, '#case-title', item.name);
      await expectText(page, '#case-badges .case-status', '收件');
      let c = await expectActions(page, 'agent', receipt);
      assert(c.allowed_actions.includes('submit'), `allowed_actions of the agent: ${c.allowed_actions}`);

      await page.locator('#actions button[data-action="submit"]').click();
      await page.getByRole('heading', { level: 3, name: '报送' }).waitFor();
      const me = await asUser('agent', (s) => apiGet(s, '/me'));
      assertEqual(await page.getByLabel('报送至').inputValue(), String(me.site.parent_id), 'submit: the parent by default');
      await pageChecks(page, vp, 'the case page with the submit form');
      let sent = null;
      const submitted = await answerTo(page, 'POST', `/api/v1/cases/${receipt}/actions/submit`, async () => {
        const req = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/actions/submit'));
        await page.getByRole('button', { name: '确认' }).click();
        sent = await req;
      });
      assertEqual(submitted.status, 200, `submit: ${JSON.stringify(submitted.body)}`);
      assertEqual(sent.headers()['if-match'], String(c.version), 'If-Match sent with submit');
      assert(sent.headers()['idempotency-key'], 'no Idempotency-Key with submit');
      await expectText(page, '#notice', '已完成：报送');
      await expectText(page, '#case-badges .case-status', '报送中');
      await expectActions(page, 'agent', receipt);

      // The township clerk finds it under 待接收.
      await page.context().clearCookies();
      await signInQuick(page, 'clerk');
      await page.goto(`${base()}/cases`);
      await page.getByRole('link', { name: '待接收' }).click();
      await page.locator(`#rows tr[data-receipt="${receipt}"]`).waitFor();
      await expectText(page, `#rows tr[data-receipt="${receipt}"] .item-name`, item.name);
      await expectText(page, `#rows tr[data-receipt="${receipt}"] .status`, '报送中');
      assertEqual(new URL(page.url()).searchParams.get('tab'), 'incoming', 'the tab kept in the URL');
      await pageChecks(page, vp, 'the 待接收 list');
      await page.getByRole('link', { name: receipt }).click();
      await waitForPath(page, '/case');
      c = await expectActions(page, 'clerk', receipt);
      await expectText(page, '#handoffs tr:last-child .received-at', '待接收');
      await page.locator('#actions button[data-action="receive"]').click();
      await page.getByRole('heading', { level: 3, name: '接收' }).waitFor();
      const listed = c.handoffs[c.handoffs.length - 1].materials;
      const ticked = await page.locator('#action-fields input[type="checkbox"]:checked').evaluateAll((els) => els.map((e) => Number(e.value)));
      assertSame(ticked, listed, 'receive: every listed material ticked');
      const received = await answerTo(page, 'POST', `/api/v1/cases/${receipt}/actions/receive`,
        () => page.getByRole('button', { name: '确认' }).click());
      assertEqual(received.status, 200, `receive: ${JSON.stringify(received.body)}`);
      await expectText(page, '#notice', '已完成：接收');
      await poll(page, () => {
        const t = document.querySelector('#handoffs tr:last-child .received-at');
        return { ok: !!t && t.textContent.trim() !== '待接收', value: t && t.textContent };
      }, null, (got) => `the handoff still reads ${got}`);
      c = await expectActions(page, 'clerk', receipt);

      if (townshipAccepts) {
        await page.locator('#actions button[data-action="accept"]').click();
        await page.getByRole('heading', { level: 3, name: '受理' }).waitFor();
        const accepted = await answerTo(page, 'POST', `/api/v1/cases/${receipt}/actions/accept`,
          () => page.getByRole('button', { name: '确认' }).click());
        assertEqual(accepted.status, 200, `accept: ${JSON.stringify(accepted.body)}`);
        await expectText(page, '#case-badges .case-status', '已受理');
        const after = await asUser('clerk', (s) => apiGet(s, `/cases/${receipt}`));
        assertEqual(after.status, 'accepted', 'API status after accepting');
        assert(after.deadline, 'API: no deadline after accepting');
        assert((await page.locator('#summary').textContent()).includes(after.deadline), `the deadline ${after.deadline} is not shown`);
      } else {
        await page.locator('#actions button[data-action="submit"]').click();
        const on = await answerTo(page, 'POST', `/api/v1/cases/${receipt}/actions/submit`,
          () => page.getByRole('button', { name: '确认' }).click());
        assertEqual(on.status, 200, `submit on: ${JSON.stringify(on.body)}`);
        await expectText(page, '#case-badges .case-status', '报送中');
      }
      await expectActions(page, 'clerk', receipt);
      await pageChecks(page, vp, 'the case page after the clerk\'s actions');
    }, { timeout: 120_000 }],

    ['the rest of a case\'s life in the pages: forward, decide, issue to the village, receive, return, visit, archive', async (page) => {
      const { item, townshipAccepts } = await collectItem(1, { township: true });
      assert(townshipAccepts, `the township does not accept ${item.code}; no item to take through the relay`);
      const c = await apiIntake('agent', item);
      await apiAct('agent', c.receipt, 'submit');
      await apiAct('clerk', c.receipt, 'receive');
      await apiAct('clerk', c.receipt, 'accept');
      // The approver of the item's department decides.
      const approver = await asUser('admin', async (s) => {
        const dept = (await apiGet(s, '/departments')).items.find((d) => d.code === item.department);
        const first = await asUser('approver', (a) => apiGet(a, '/me'));
        return first.user.department_id === dept.id ? 'approver' : 'approver2';
      });
      /** Opens the form of action, fills it with fill(), confirms, and waits for the new status. */
      const act = async (login, action, status, fill) => {
        await expectActions(page, login, c.receipt);
        await page.locator(`#actions button[data-action="${action}"]`).click();
        await page.getByRole('heading', { level: 3, name: ACTION[action] }).waitFor();
        if (fill) await fill();
        const res = await answerTo(page, 'POST', `/api/v1/cases/${c.receipt}/actions/${action}`,
          () => page.getByRole('button', { name: '确认' }).click());
        assertEqual(res.status, 200, `${action} as ${login}: ${JSON.stringify(res.body)}`);
        await expectText(page, '#notice', `已完成：${ACTION[action]}`);
        await expectText(page, '#case-badges .case-status', STATUS[status]);
        return res.body;
      };
      const as = async (login) => {
        await page.context().clearCookies();
        await signInQuick(page, login);
        await page.goto(`${base()}/case?receipt=${c.receipt}`);
        await expectText(page, '#case-title', item.name);
      };
      await as('clerk');
      await act('clerk', 'forward', 'in_review');
      await as(approver);
      await act(approver, 'decide', 'decided', async () => {
        await page.getByRole('radio', { name: '批准', exact: true }).check();
        await pageChecks(page, vp, 'the decide form');
      });
      await as('clerk');
      const issued = await act('clerk', 'issue', 'issued', async () => {
        assertEqual(await page.getByLabel('送达站点').inputValue(), String(c.site_id), 'issue: the intake site by default');
      });
      assertEqual(issued.holder_site_id, c.site_id, 'holder after issuing');
      await as('agent');
      await act('agent', 'receive', 'issued');
      await act('agent', 'return_materials', 'issued');
      await act('agent', 'visit', 'issued', async () => {
        await page.getByRole('radio', { name: '满意', exact: true }).check();
        await page.getByLabel('备注').fill('电话回访，申请人满意');
      });
      await act('agent', 'archive', 'archived');
      await expectText(page, '#no-actions', '当前没有可执行的操作。');
      assertEqual(await page.locator('#actions button').count(), 0, 'action buttons on an archived case');
      const timeline = (await asUser('agent', (s) => apiGet(s, `/cases/${c.receipt}`))).timeline;
      await expectTexts(page, '#timeline .tl-action', timeline.map((e) => ACTION[e.action]));
      await pageChecks(page, vp, 'an archived case');
      // 一事一评: the resident rates the finished case from the public progress page.
      const qc = (await asUser('agent', (s) => apiGet(s, `/cases/${c.receipt}`))).query_code;
      await page.goto(`${base()}/progress`);
      await page.getByLabel('受理编号').fill(c.receipt);
      await page.getByRole('textbox', { name: '查询码' }).fill(qc);
      await page.getByRole('button', { name: '查询', exact: true }).click();
      await page.getByRole('link', { name: '评价这次服务（好差评）' }).click();
      await waitForPath(page, '/rate');
      await page.locator('#rate-form').waitFor();
      await page.getByRole('radio', { name: '满意', exact: true }).check();
      const rated = await answerTo(page, 'POST', '/api/v1/public/ratings',
        () => page.getByRole('button', { name: '提交评价' }).click());
      assertEqual(rated.status, 201, `POST /public/ratings: ${JSON.stringify(rated.body)}`);
      assertEqual(rated.body.channel, 'progress', 'the rating channel');
      assertEqual(rated.body.level, 4, 'the rating level');
    }, { timeout: 120_000 }],

    ['a stale case page gets the server\'s 412 message and then the case as it is now; a missing reason is shown by its field', async (page) => {
      const { item } = await collectItem(1);
      const c = await apiIntake('agent', item);
      await apiAct('agent', c.receipt, 'submit');
      await signInQuick(page, 'clerk');
      await page.goto(`${base()}/case?receipt=${c.receipt}`);
      await expectActions(page, 'clerk', c.receipt);
      // Someone else at the township receives it meanwhile.
      await apiAct('clerk', c.receipt, 'receive');
      await page.locator('#actions button[data-action="receive"]').click();
      const stale = await answerTo(page, 'POST', `/api/v1/cases/${c.receipt}/actions/receive`,
        () => page.getByRole('button', { name: '确认' }).click());
      assertEqual(stale.status, 412, `receive on a stale page: ${JSON.stringify(stale.body)}`);
      assertEqual(stale.body.error.code, 'version_mismatch', 'error code');
      await expectText(page, '#action-error', stale.body.error.message);
      await expectActions(page, 'clerk', c.receipt);
      await pageChecks(page, vp, 'the case page with a 412 message');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, '#action-error', stale.body.error.message_en);
      await expectNoSideScroll(page, vp, 'the case page in English');
      await page.getByRole('button', { name: '中文' }).click();
      await expectLang(page, 'zh-CN');
      // Withdrawing needs a reason: the server's message, by that field.
      await page.locator('#actions button[data-action="withdraw"]').click();
      const noReason = await answerTo(page, 'POST', `/api/v1/cases/${c.receipt}/actions/withdraw`,
        () => page.getByRole('button', { name: '确认' }).click());
      assertEqual(noReason.status, 422, `withdraw without a reason: ${JSON.stringify(noReason.body)}`);
      assertEqual(noReason.body.error.field, 'reason', 'error.field');
      await expectText(page, '#action-error', `${noReason.body.error.message} — 理由（必填）`);
      const reason = page.getByLabel('理由（必填）');
      assertEqual(await reason.getAttribute('aria-invalid'), 'true', 'the reason marked invalid');
      await expectText(page, '#action-fields .field-error', noReason.body.error.message);
      await axeCheck(page, 'the withdraw form with an error');
      await page.getByRole('button', { name: '取消' }).click();
      await expectText(page, '#action-error', '');
      // A wrong-state action, through the API: 409 wrong_state with what the state allows.
      const wrong = await asUser('clerk', (s) => apiCall(s, 'POST', `/cases/${c.receipt}/actions/issue`, {}));
      assertEqual(wrong.status, 409, `issue on a submitted case: ${JSON.stringify(wrong.body)}`);
      assertEqual(wrong.body.error.code, 'wrong_state', 'error code');
      assert(Array.isArray(wrong.body.error.allowed), `error.allowed: ${JSON.stringify(wrong.body.error)}`);
    }, { timeout: 60_000 }],

    ['a resident checks progress with the receipt and query code: the timeline, never the name, ID or phone', async (page) => {
      const { item } = await collectItem(1);
      const name = vp.mobile ? '诸葛明月' : '上官清风';
      const phone = '13588887777';
      const c = await apiIntake('agent', item, { name, id: IDS[0], phone });
      await apiAct('agent', c.receipt, 'submit');
      // With the query code (the receipt's); a server that returns none is checked by phone only.
      const code = /^\d{6}$/.test(String(c.query_code || '')) ? c.query_code : null;
      const truth = await apiGet(null, `/public/progress?receipt=${c.receipt}&phone4=${phone.slice(-4)}`);
      await page.goto(`${base()}/`);
      await expectLang(page, 'zh-CN');
      await page.getByRole('link', { name: '已申请？查询办件进度' }).click();
      await waitForPath(page, '/progress');
      await page.getByRole('heading', { level: 1, name: '办件进度查询' }).waitFor();
      await page.getByLabel('受理编号').fill(c.receipt);
      // A wrong code first: the server's answer, as sent.
      await page.getByRole('textbox', { name: '查询码' }).fill(code === '000000' ? '111111' : '000000');
      const wrong = await answerTo(page, 'GET', '/api/v1/public/progress',
        () => page.getByRole('button', { name: '查询', exact: true }).click());
      assertEqual(wrong.status, 404, `a wrong code: ${JSON.stringify(wrong.body)}`);
      await expectText(page, '#error', wrong.body.error.message);
      if (code) {
        await page.getByRole('textbox', { name: '查询码' }).fill(code);
      } else {
        await page.getByRole('radio', { name: '用手机号后 4 位' }).check();
        await page.getByRole('textbox', { name: '手机号后 4 位' }).fill(phone.slice(-4));
      }
      const right = await answerTo(page, 'GET', '/api/v1/public/progress',
        () => page.getByRole('button', { name: '查询', exact: true }).click());
      assertEqual(right.status, 200, `progress: ${JSON.stringify(right.body)}`);
      await expectText(page, '#r-receipt', c.receipt);
      await expectText(page, '#r-status', STATUS[truth.status]);
      await expectText(page, '#r-state', STATE[truth.state]);
      await expectText(page, '#r-item', item.name);
      await expectTexts(page, '#timeline .tl-action', truth.timeline.map((e) => ACTION[e.action]));
      await expectTexts(page, '#timeline .meta', truth.timeline.map((e) => e.site || '').filter(Boolean));
      assertEqual(await page.locator('#error').textContent(), '', 'the error is cleared');
      for (const [k, v] of Object.entries(right.body)) {
        assert(!['applicant', 'name', 'id_number', 'phone'].includes(k), `GET /public/progress answers ${k}: ${JSON.stringify(v)}`);
      }
      const text = await page.evaluate(() => document.body.innerText);
      for (const secret of [name, IDS[0], phone, c.applicant.name, c.applicant.id_number, c.applicant.phone]) {
        assert(!text.includes(secret), `the progress page shows ${secret}`);
      }
      await pageChecks(page, vp, 'the progress page');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await axeCheck(page, 'the progress page in English');
      await expectNoSideScroll(page, vp, 'the progress page in English');
      assert(code, `POST /cases answered no 6-digit query_code (docs/api.md): ${JSON.stringify(Object.keys(c))}`);
    }, { timeout: 60_000 }],

    ['agent2 (another village) cannot open agent\'s case: the server\'s message', async (page) => {
      const { item } = await collectItem(1);
      const c = await apiIntake('agent', item);
      const denied = await asUser('agent2', (s) => apiCall(s, 'GET', `/cases/${c.receipt}`));
      assert(denied.status === 403 || denied.status === 404, `GET /cases/{agent's} as agent2: ${denied.status}`);
      await signInQuick(page, 'agent2');
      await page.goto(`${base()}/case?receipt=${c.receipt}`);
      await expectText(page, '#error', denied.body.error.message);
      assertEqual(await page.locator('#content').isVisible(), false, 'the case is shown to agent2');
      assert(!(await page.evaluate(() => document.body.innerText)).includes(item.name), 'agent2 sees the item name');
      await pageChecks(page, vp, 'a case agent2 may not see');
    }],

    ['the case lists: 我的办件, 本站办件, 即将超时 and 已超时 match the API', async (page) => {
      const truth = await asUser('agent', async (s) => {
        const me = await apiGet(s, '/me');
        return {
          mine: (await apiGet(s, '/cases?holder=me&limit=50')).items,
          site: (await apiGet(s, `/cases?site=${me.site.id}&limit=50`)).items,
          due_soon: (await apiGet(s, '/cases?state=due_soon&limit=50')).items,
          overdue: (await apiGet(s, '/cases?state=overdue&limit=50')).items,
        };
      });
      assert(truth.mine.length > 0, 'agent holds no case (the tests above make some)');
      await signInQuick(page, 'agent');
      await page.goto(`${base()}/home`);
      await homeLoaded(page);
      await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '办件列表' }).click();
      await waitForPath(page, '/cases');
      const receipts = '#rows tr th a';
      await expectTexts(page, receipts, truth.mine.map((c) => c.receipt));
      await expectTexts(page, '#rows .status', truth.mine.map((c) => STATUS[c.status]));
      await expectTexts(page, '#rows .state', truth.mine.map((c) => STATE[c.state]));
      await pageChecks(page, vp, 'the case list (我的办件)');
      for (const [tab, label] of [['site', '本站办件'], ['due_soon', '即将超时'], ['overdue', '已超时']]) {
        await page.getByRole('navigation', { name: '办件分类' }).getByRole('link', { name: label }).click();
        await expectText(page, '#list-h', label);
        await expectTexts(page, receipts, truth[tab].map((c) => c.receipt));
        if (!truth[tab].length) await expectText(page, '#status', '没有办件。');
      }
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, '#list-h', 'Overdue');
      await axeCheck(page, 'the case list in English');
      await expectNoSideScroll(page, vp, 'the case list in English');
    }],

    ['the home shows the case alerts of the clerk\'s site (GET /alerts) and links to the lists', async (page) => {
      const alerts = (await asUser('clerk', (s) => apiGet(s, '/alerts'))).items;
      await signInQuick(page, 'clerk');
      await page.goto(`${base()}/home`);
      await homeLoaded(page);
      await expectTexts(page, '#alerts li .badge', alerts.map((a) => KIND[a.kind]));
      await expectTexts(page, '#alerts li .alert-head a', alerts.map((a) => a.receipt));
      if (!alerts.length) await expectText(page, '#alerts-status', '暂无需要关注的办件。');
      const nav = page.getByRole('navigation', { name: '主菜单' });
      await nav.getByRole('link', { name: '受理办件' }).waitFor();
      await page.getByRole('link', { name: '待接收' }).click();
      await waitForPath(page, '/cases');
      await expectText(page, '#list-h', '待接收');
    }],

    ['approver: no 受理办件 link, /intake says why; the cases page works for them', async (page) => {
      await signInQuick(page, 'approver');
      await page.goto(`${base()}/cases`);
      await page.getByRole('heading', { level: 1, name: '办件列表' }).waitFor();
      await page.locator('#status').filter({ hasNotText: '正在加载…' }).waitFor();
      assertEqual(await page.getByRole('link', { name: '受理办件' }).count(), 0, '受理办件 links for an approver');
      await page.goto(`${base()}/intake`);
      await expectText(page, '#error', '您的角色不能受理办件；受理由代办员、网办员、窗口人员、协调员和管理员办理。');
      assertEqual(await page.locator('#intake').isVisible(), false, 'the intake form shown to an approver');
    }],
  ];
}

/**
 * After every other test: a second server on the same database whose clock runs 40 days ahead
 * (--fake-now), where the cases the tests above accepted or left waiting are overdue. Its sweep
 * also applies deemed acceptance to them, so this runs last.
 */
export function finale() {
  let later = null;
  const out = [
    ['cases 40 days on: a second server on the same database with --fake-now starts', async () => {
      const now = Math.floor(Date.now() / 1000);
      later = await startExtraServer(ctx.bin, ctx.db, ['--fake-now', String(now + 40 * 86400)], 'server-later.log');
    }],
  ];
  for (const vp of VIEWPORTS) {
    out.push([`[${vp.name}] 40 days on: the home's alerts show the overdue cases and link to them; 已超时 lists them`, async () => {
      assert(later, 'the second server did not start');
      const saved = ctx.base;
      ctx.base = later;
      try {
        await withPage(vp, async (page) => {
          const truth = await asUser('clerk', async (s) => ({
            alerts: (await apiGet(s, '/alerts')).items,
            overdue: (await apiGet(s, '/cases?state=overdue&limit=50')).items,
          }));
          const overdue = truth.alerts.find((a) => a.kind === 'overdue');
          assert(overdue, `GET /alerts (clerk, 40 days on) has no overdue case: ${JSON.stringify(truth.alerts).slice(0, 300)}`);
          await signInQuick(page, 'clerk');
          await page.goto(`${later}/home`);
          await homeLoaded(page);
          await expectTexts(page, '#alerts li .badge', truth.alerts.map((a) => KIND[a.kind]));
          await expectTexts(page, '#alerts li .alert-head a', truth.alerts.map((a) => a.receipt));
          await expectText(page, '#alerts-status', `共 ${truth.alerts.length} 条提醒`);
          await pageChecks(page, vp, 'the home with case alerts');
          await page.locator(`#alerts li[data-kind="overdue"][data-receipt="${overdue.receipt}"] a`).first().click();
          await waitForPath(page, '/case');
          const c = await asUser('clerk', (s) => apiGet(s, `/cases/${overdue.receipt}`));
          assertEqual(c.state, 'overdue', `GET /cases/${overdue.receipt}: state`);
          await expectText(page, '#case-badges .state-badge', '已超时');
          assert((await page.locator('#summary').textContent()).includes(`已超时 ${-c.days_left} 个工作日`),
            `the case page does not say 已超时 ${-c.days_left} 个工作日`);
          await page.goto(`${later}/home`);
          await homeLoaded(page);
          await page.locator('.link-row').getByRole('link', { name: '已超时' }).click();
          await waitForPath(page, '/cases');
          await expectTexts(page, '#rows tr th a', truth.overdue.map((x) => x.receipt));
          await expectTexts(page, '#rows .state', truth.overdue.map(() => '已超时'));
          await pageChecks(page, vp, 'the 已超时 list');
        });
      } finally {
        ctx.base = saved;
      }
    }, { timeout: 60_000 }]);
  }
  return out;
}
