// The staff item page (/item): an admin's whole life of an item, and validation errors.

import { assert, assertEqual, ctx } from '../lib/harness.mjs';
import { apiAll, apiCall, apiGet, asUser, freeItemCode as freeCode } from '../lib/api.mjs';
import {
  answerTo, expectLang, expectText, expectTexts, poll, signInQuick, waitForPath,
} from '../lib/browser.mjs';
import { axeCheck, expectNoSideScroll, pageChecks } from '../lib/checks.mjs';

async function field(page, label) {
  return page.getByLabel(label, { exact: true });
}

/** Fills the parts of the item form a test does not care about with valid values. */
async function fillItem(page, { code, name, dept, statutory, promised }) {
  if (code !== undefined) await (await field(page, '事项编码')).fill(code);
  await (await field(page, '事项名称')).fill(name);
  await (await field(page, '服务领域')).selectOption('其他');
  await (await field(page, '实施部门')).selectOption(dept);
  await (await field(page, '实施层级')).selectOption('township');
  await (await field(page, '服务对象')).selectOption('individual');
  await (await field(page, '办件类型')).selectOption('promised');
  await (await field(page, '法定办结时限（工作日）')).fill(String(statutory));
  await (await field(page, '承诺办结时限（工作日）')).fill(String(promised));
  await (await field(page, '收费标准')).fill('不收费');
  await (await field(page, '结果类型')).selectOption('document');
  await (await field(page, '办理结果')).fill('证明材料');
  await (await field(page, '受理条件')).fill('本辖区户籍居民。');
  await (await field(page, '办理流程')).fill('申请\n受理\n审核\n办结');
  await (await field(page, '设定依据')).fill('《测试条例》第一条');
}

async function expectStatus(page, status, version) {
  await expectText(page, '#item-status', status);
  await expectText(page, '#item-version', version);
}

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['admin creates an item with two materials, publishes it, edits a new draft, publishes v2, retires it', async (page) => {
      const { code, dept } = await asUser('admin', async (s) => ({
        code: await freeCode(s),
        dept: (await apiAll(s, '/departments'))[0],
      }));
      const name1 = `测试事项${code.slice(4, 8)}`;
      const name2 = `${name1}（修订）`;
      await signInQuick(page, 'admin');
      await page.goto(`${base()}/catalog`);
      await page.getByRole('link', { name: '新建事项' }).click();
      await waitForPath(page, '/item');
      await page.getByRole('heading', { level: 1, name: '新建事项' }).waitFor();
      await page.getByRole('heading', { level: 2, name: '填写事项信息' }).waitFor();
      await fillItem(page, { code, name: name1, dept: dept.code, statutory: 10, promised: 5 });
      const m1 = page.getByRole('group', { name: '材料 1' });
      await m1.getByLabel('材料名称').fill('居民身份证');
      await m1.getByLabel('材料形式').selectOption('original');
      await m1.getByLabel('份数').fill('0');
      await m1.getByLabel('来源渠道').fill('申请人自备');
      await page.getByRole('button', { name: '添加材料' }).click();
      const m2 = page.getByRole('group', { name: '材料 2' });
      await m2.getByLabel('材料名称').fill('委托书');
      await m2.getByLabel('是否必需').selectOption('conditional');
      await m2.getByLabel('提供条件').fill('委托他人办理的');
      await m2.getByLabel('材料形式').selectOption('original_and_copy');
      await m2.getByLabel('份数').fill('1');
      await m2.getByLabel('备注').fill('可在窗口领取');
      await pageChecks(page, vp, 'the new-item form');

      const created = await answerTo(page, 'POST', '/api/v1/items',
        () => page.getByRole('button', { name: '保存草稿' }).click());
      assertEqual(created.status, 201, `POST /api/v1/items: status (${JSON.stringify(created.body)})`);
      await expectText(page, 'h1', name1);
      assertEqual(new URL(page.url()).searchParams.get('code'), code, 'the URL names the new item');
      await expectStatus(page, '草稿', '草稿第 1 版');
      await expectText(page, '#view-note', '正在显示草稿（第 1 版），尚未发布，群众和新办件看不到。');
      await expectTexts(page, '#sec-materials tbody th', ['居民身份证', '委托书']);
      await expectText(page, '#notice', '草稿已保存（第 1 版）。');
      await pageChecks(page, vp, 'a new draft item');
      let api = await asUser('admin', (s) => apiGet(s, `/items/${code}`));
      assertEqual(api.status, 'draft', 'API status after creating');
      assertEqual(api.materials.length, 2, 'API materials after creating');
      assertEqual(api.materials[1].required, false, 'API: the second material is conditional');
      assertEqual(api.materials[1].condition, '委托他人办理的', 'API: its condition');
      assertEqual((await apiCall(null, 'GET', `/public/items/${code}`)).status, 404, 'public GET of a draft');

      await page.getByRole('button', { name: '发布草稿' }).click();
      await expectText(page, '#notice', '已发布第 1 版。');
      await expectStatus(page, '已发布', '第 1 版');
      assertEqual(await page.locator('#tabs').isVisible(), false, 'version tabs with no draft');
      assertEqual(await page.getByRole('button', { name: '发布草稿' }).isVisible(), false, '发布 with no draft');
      assertEqual((await apiGet(null, `/public/items/${code}`)).name, name1, 'public name after v1');

      // Editing makes a new draft; the published version stays as it was.
      await page.getByRole('button', { name: '编辑', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: '编辑草稿' }).waitFor();
      assertEqual(await (await field(page, '事项名称')).inputValue(), name1, 'the form starts from v1');
      assertEqual(await page.getByRole('group', { name: '材料 2' }).getByLabel('提供条件').inputValue(),
        '委托他人办理的', 'material 2 condition in the form');
      await (await field(page, '事项名称')).fill(name2);
      await page.getByRole('group', { name: '材料 1' }).getByRole('button', { name: /删除/ }).click();
      const patched = await answerTo(page, 'PATCH', `/api/v1/items/${code}`,
        () => page.getByRole('button', { name: '保存草稿' }).click());
      assertEqual(patched.status, 200, `PATCH /api/v1/items/${code}: status (${JSON.stringify(patched.body)})`);
      await expectText(page, 'h1', name2);
      await expectStatus(page, '已发布', '第 1 版 · 草稿第 2 版');
      await expectTexts(page, '#tabs a', ['已发布版本（第 1 版）', '草稿（第 2 版）']);
      assertEqual(await page.locator('#tab-draft').getAttribute('aria-current'), 'page', 'the draft tab is current');
      await expectText(page, '#view-note', '正在显示草稿（第 2 版），尚未发布，群众和新办件看不到。');
      assertEqual(new URL(page.url()).searchParams.get('draft'), '1', 'the URL asks for the draft');
      await expectTexts(page, '#sec-materials tbody th', ['委托书']);
      await pageChecks(page, vp, 'an item with a draft');
      api = await asUser('admin', (s) => apiGet(s, `/items/${code}`));
      assertEqual(api.name, name1, 'API: the published version unchanged');
      assertEqual(api.version, 1, 'API: version');
      assertEqual(api.draft_version, 2, 'API: draft_version');
      assertEqual((await apiGet(null, `/public/items/${code}`)).name, name1, 'public name while v2 is a draft');
      await page.getByRole('link', { name: '已发布版本（第 1 版）' }).click();
      await expectText(page, 'h1', name1);
      await expectTexts(page, '#sec-materials tbody th', ['居民身份证', '委托书']);
      assertEqual(await page.locator('#tab-published').getAttribute('aria-current'), 'page', 'the published tab is current');

      await page.getByRole('button', { name: '发布草稿' }).click();
      await expectText(page, '#notice', '已发布第 2 版。');
      await expectText(page, 'h1', name2);
      await expectStatus(page, '已发布', '第 2 版');
      assertEqual((await apiGet(null, `/public/items/${code}`)).name, name2, 'public name after v2');
      assertEqual((await apiGet(null, `/public/items/${code}`)).version, 2, 'public version after v2');

      // Retire, after a confirmation (cancel first).
      await page.getByRole('button', { name: '停用', exact: true }).click();
      await page.getByRole('button', { name: '取消' }).click();
      assertEqual(await page.locator('#retire-confirm').isVisible(), false, 'the confirmation stays after 取消');
      await page.getByRole('button', { name: '停用', exact: true }).click();
      await axeCheck(page, 'the retire confirmation');
      await page.getByRole('button', { name: '确认停用' }).click();
      await expectText(page, '#notice', '事项已停用。');
      await expectStatus(page, '已停用', '第 2 版');
      for (const name of ['编辑', '发布草稿', '停用']) {
        assertEqual(await page.getByRole('button', { name, exact: true }).isVisible(), false,
          `${name} visible on a retired item`);
      }
      api = await asUser('admin', (s) => apiGet(s, `/items/${code}`));
      assertEqual(api.status, 'retired', 'API status after retiring');
      await pageChecks(page, vp, 'a retired item');
      // The public guide of a retired item says so (if the API still shows it at all).
      const pub = await apiCall(null, 'GET', `/public/items/${code}`);
      await page.goto(`${base()}/guide?code=${code}`);
      if (pub.status === 200) {
        await expectText(page, 'h1', pub.body.name);
        await expectText(page, '#retired', '该事项已停用，不再受理新的申请。');
      } else {
        assertEqual(pub.status, 404, 'GET /public/items/{retired}: status');
        await expectText(page, '#error', `没有找到编码为 ${code} 的已发布事项。`);
      }
    }, { timeout: 120_000 }],

    ['a validation error (promised days > statutory days) shows the server\'s message by the field', async (page) => {
      const { code, dept } = await asUser('admin', async (s) => ({
        code: await freeCode(s),
        dept: (await apiAll(s, '/departments'))[0],
      }));
      await signInQuick(page, 'admin');
      await page.goto(`${base()}/item?new=1`);
      await page.getByRole('heading', { level: 1, name: '新建事项' }).waitFor();
      await page.getByRole('heading', { level: 2, name: '填写事项信息' }).waitFor();
      await fillItem(page, { code, name: '时限校验', dept: dept.code, statutory: 5, promised: 12 });
      const m1 = page.getByRole('group', { name: '材料 1' });
      await m1.getByLabel('材料名称').fill('居民身份证');
      const res = await answerTo(page, 'POST', '/api/v1/items',
        () => page.getByRole('button', { name: '保存草稿' }).click());
      assertEqual(res.status, 422, 'POST /api/v1/items with promised > statutory: status');
      const { error } = res.body;
      assert(error && error.field && error.message && error.message_en, `error body: ${JSON.stringify(res.body)}`);
      const sel = `[data-field="${error.field}"]`;
      await poll(page, (s) => {
        const el = document.querySelector(s);
        return { ok: !!el && el.getAttribute('aria-invalid') === 'true', value: el && el.outerHTML.slice(0, 80) };
      }, sel, (got) => `${sel} not marked invalid: ${got}`);
      const errId = await page.locator(sel).evaluate((el) => `${el.id}-err`);
      await expectText(page, `#${errId}`, error.message);
      // The alert above the form repeats the message and names the field (its label).
      const labelOf = () => page.locator(sel).evaluate((el) =>
        document.querySelector(`label[for="${el.id}"]`).textContent.trim());
      await expectText(page, '#form-error', `${error.message} — ${await labelOf()}`);
      const describedBy = await page.locator(sel).getAttribute('aria-describedby');
      assert(describedBy.split(' ').includes(errId), `${sel} aria-describedby ${describedBy} lacks ${errId}`);
      assertEqual(new URL(page.url()).searchParams.get('new'), '1', 'still on the new-item form');
      await pageChecks(page, vp, 'the form with a validation error');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, `#${errId}`, error.message_en);
      await expectText(page, '#form-error', `${error.message_en} — ${await labelOf()}`);
      await axeCheck(page, 'the form with a validation error, in English');
      await expectNoSideScroll(page, vp, 'the form in English');
      assertEqual((await asUser('admin', (s) => apiCall(s, 'GET', `/items/${code}`))).status, 404,
        'the item was not created');
    }],
  ];
}
