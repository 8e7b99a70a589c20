// Per-site lists and the integrated list (/site-items).

import { assert, assertEqual, ctx } from '../lib/harness.mjs';
import { apiAll, apiCall, apiGet, asUser, createPublishedItem } from '../lib/api.mjs';
import {
  answerTo, expectCount, expectLang, expectText, expectTexts, signInQuick,
} from '../lib/browser.mjs';
import { axeCheck, expectNoSideScroll, pageChecks } from '../lib/checks.mjs';

const MODE = { accept: '受理', collect: '代收代办', consult: '咨询预审' };

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['tadmin (township) edits a village\'s list: adds an item as 代收代办, changes a mode, removes one', async (page) => {
      const fixture = await asUser('admin', (s) => createPublishedItem(s, `村级测试事项${vp.mobile ? '乙' : '甲'}`));
      const { village, before } = await asUser('tadmin', async (s) => {
        const me = await apiGet(s, '/me');
        const sites = await apiAll(s, '/sites');
        const villages = sites.filter((x) => x.level === 'village' && x.parent_id === me.site.id);
        assert(villages.length >= 2, `tadmin sees ${villages.length} villages under their township`);
        const v = villages[vp.mobile ? 1 : 0];
        return { village: v, before: (await apiGet(s, `/sites/${v.id}/items`)).items };
      });
      assert(before.length >= 2, `${village.name} offers ${before.length} items`);
      const removed = before[0];
      const changed = before[1];
      const newMode = Object.keys(MODE).find((m) => m !== changed.mode);

      await signInQuick(page, 'tadmin');
      await page.goto(`${base()}/site-items`);
      await expectLang(page, 'zh-CN');
      await page.locator('#site').selectOption(String(village.id));
      await expectCount(page, '#list-rows tr', before.length);
      await expectText(page, '#list-status', `${village.name}：共 ${before.length} 项`);
      await page.getByRole('button', { name: '编辑清单' }).click();
      await page.locator(`#list-rows tr[data-code="${removed.code}"]`).getByRole('button', { name: /移除/ }).click();
      await page.getByLabel(`${changed.name} 的办理方式`).selectOption(newMode);
      await page.getByLabel('搜索已发布事项（名称或编码）').fill(fixture.code);
      await page.locator('#add-search').click();
      const result = page.locator(`#add-results li[data-code="${fixture.code}"]`);
      await result.getByRole('button', { name: `添加 ${fixture.name}` }).click();
      await page.getByLabel(`${fixture.name} 的办理方式`).selectOption('collect');
      await expectText(page, `#add-results li[data-code="${fixture.code}"] button`, `已在清单中 ${fixture.name}`);
      await pageChecks(page, vp, 'the site list editor');
      const put = await answerTo(page, 'PUT', `/api/v1/sites/${village.id}/items`,
        () => page.getByRole('button', { name: '保存清单' }).click());
      assert(put.status === 200 || put.status === 204, `PUT /sites/${village.id}/items: status ${put.status} ${JSON.stringify(put.body)}`);
      await expectText(page, '#list-notice', `清单已保存，共 ${before.length} 项。`);

      await page.reload();
      await expectCount(page, '#list-rows tr', before.length);
      assertEqual(await page.locator('#site').inputValue(), String(village.id), 'the site kept after reloading');
      await expectText(page, `#list-rows tr[data-code="${fixture.code}"] td.mode`, '代收代办');
      await expectText(page, `#list-rows tr[data-code="${changed.code}"] td.mode`, MODE[newMode]);
      assertEqual(await page.locator(`#list-rows tr[data-code="${removed.code}"]`).count(), 0,
        'the removed item is still listed');
      const after = await asUser('tadmin', (s) => apiGet(s, `/sites/${village.id}/items`));
      const by = new Map(after.items.map((i) => [i.code, i.mode]));
      assertEqual(by.get(fixture.code), 'collect', 'API: mode of the added item');
      assertEqual(by.get(changed.code), newMode, 'API: the changed mode');
      assertEqual(by.has(removed.code), false, 'API: the removed item');
      // The resident's guide now names the village, as 代收代办.
      const guide = await apiGet(null, `/public/items/${fixture.code}`);
      const there = guide.sites.find((x) => x.id === village.id);
      assertEqual(there && there.mode, 'collect', 'public guide: the village\'s mode');
    }, { timeout: 90_000 }],

    ['admin: the integrated list shows the offerings of several sites', async (page) => {
      const { firstPage, code, rows } = await asUser('admin', async (s) => {
        const all = await apiAll(s, '/site-items');
        const bySites = new Map();
        for (const r of all) {
          if (!bySites.has(r.code)) bySites.set(r.code, new Set());
          bySites.get(r.code).add(r.site_id);
        }
        const [c] = [...bySites.entries()].sort((a, b) => b[1].size - a[1].size)[0];
        return {
          firstPage: await apiGet(s, '/site-items?limit=50'),
          code: c,
          rows: await apiAll(s, `/site-items?item=${c}`),
        };
      });
      const sites = new Set(rows.map((r) => r.site_id));
      assert(sites.size >= 2, `GET /site-items?item=${code}: ${sites.size} sites`);
      await signInQuick(page, 'admin');
      await page.goto(`${base()}/site-items`);
      await expectTexts(page, '#all-rows td.site-name', firstPage.items.map((r) => r.site_name));
      assertEqual(await page.locator('#all-more').isVisible(), !!firstPage.next, '加载更多 shown');
      await page.locator('#all-item').fill(code);
      await page.getByRole('button', { name: '查询' }).click();
      await expectTexts(page, '#all-rows td.site-name', rows.map((r) => r.site_name));
      await expectTexts(page, '#all-rows td.mode', rows.map((r) => MODE[r.mode]));
      const shown = new Set(await page.locator('#all-rows td.site-name').allTextContents());
      assert(shown.size >= 2, `the integrated list shows ${shown.size} sites`);
      await pageChecks(page, vp, 'the integrated list');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, '#all-h', 'All offerings in your area');
      await axeCheck(page, 'the site lists in English');
      await expectNoSideScroll(page, vp, 'the site lists in English');
    }],

    ['agent sees their station\'s list, read-only', async (page) => {
      const { me, list } = await asUser('agent', async (s) => {
        const m = await apiGet(s, '/me');
        return { me: m, list: (await apiGet(s, `/sites/${m.site.id}/items`)).items };
      });
      await signInQuick(page, 'agent');
      await page.goto(`${base()}/site-items`);
      await expectCount(page, '#list-rows tr', list.length);
      assertEqual(await page.locator('#site').inputValue(), String(me.site.id), 'the own site chosen');
      assertEqual(await page.getByRole('button', { name: '编辑清单' }).isVisible(), false, '编辑清单 for agent');
      const put = await asUser('agent', (s) => apiCall(s, 'PUT', `/sites/${me.site.id}/items`, { items: [] }));
      assertEqual(put.status, 403, 'API: PUT by an agent');
      await pageChecks(page, vp, 'the site list (agent)');
    }],
  ];
}
