// The staff catalogue (/catalog).

import { assert, assertEqual, ctx } from '../lib/harness.mjs';
import { apiAll, apiGet, asUser } from '../lib/api.mjs';
import {
  expectCount, expectLang, expectText, expectTexts, signInQuick, waitForPath,
} from '../lib/browser.mjs';
import { axeCheck, expectNoSideScroll, pageChecks } from '../lib/checks.mjs';

const rowNames = '#rows tr th';

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['admin: the search finds an item, and the domain filter keeps only that domain', async (page) => {
      const { all, target, domain, inDomain } = await asUser('admin', async (s) => {
        const items = await apiAll(s, '/items');
        // An item whose name is not a part of another's, so the search finds it alone or first.
        const t = items.find((x) => x.status === 'published' && x.name.length >= 4);
        const counts = new Map();
        for (const it of items) counts.set(it.domain, (counts.get(it.domain) || 0) + 1);
        const [d] = [...counts.entries()].filter(([, n]) => n <= 50).sort((a, b) => b[1] - a[1])[0];
        return {
          all: items, target: t, domain: d,
          inDomain: await apiAll(s, `/items?domain=${encodeURIComponent(d)}`),
        };
      });
      await signInQuick(page, 'admin');
      await page.goto(`${base()}/catalog`);
      await expectLang(page, 'zh-CN');
      await page.getByRole('link', { name: '新建事项' }).waitFor();
      await expectCount(page, '#rows tr', Math.min(all.length, 50));
      assertEqual(await page.getByRole('button', { name: '加载更多' }).isVisible(), all.length > 50,
        '加载更多 shown');
      await pageChecks(page, vp, 'the catalogue');

      const found = await asUser('admin', (s) => apiAll(s, `/items?q=${encodeURIComponent(target.name)}`));
      await page.getByLabel('事项名称或编码').fill(target.name);
      await page.getByRole('button', { name: '搜索', exact: true }).click();
      await expectTexts(page, rowNames, found.map((x) => x.name));
      const row = page.locator(`#rows tr[data-code="${target.code}"]`);
      const cells = await row.locator('td, th').allTextContents();
      assertEqual(cells[0].trim(), target.code, 'code cell');
      assertEqual(cells[5].trim(), '已发布', 'status cell');
      assertEqual(cells[6].trim(), `第 ${target.version} 版`, 'version cell');

      await page.getByLabel('事项名称或编码').fill('');
      await page.getByLabel('服务领域').selectOption(domain);
      await expectTexts(page, rowNames, inDomain.map((x) => x.name));
      const domains = await page.locator('#rows tr td:nth-of-type(2)').allTextContents();
      assert(domains.every((d) => d.trim() === domain), `domains shown: ${JSON.stringify(domains)}`);
      const url = new URL(page.url());
      assertEqual(url.searchParams.get('domain'), domain, 'the filter kept in the URL');
      await page.reload();
      await expectTexts(page, rowNames, inDomain.map((x) => x.name));

      await page.getByRole('link', { name: inDomain[0].name }).click();
      await waitForPath(page, '/item');
      await expectText(page, 'h1', inDomain[0].name);
    }],

    ['agent (village) reads the catalogue: no new, edit, publish or retire buttons', async (page) => {
      const first = await asUser('agent', (s) => apiGet(s, '/items?limit=50'));
      await signInQuick(page, 'agent');
      await page.goto(`${base()}/catalog`);
      await expectTexts(page, rowNames, first.items.map((x) => x.name));
      assertEqual(await page.locator('#new-item').isVisible(), false, '新建事项 visible for agent');
      await page.locator('#read-only').waitFor();
      await pageChecks(page, vp, 'the catalogue (agent)');
      await page.getByRole('link', { name: first.items[0].name }).click();
      await waitForPath(page, '/item');
      await expectText(page, 'h1', first.items[0].name);
      await page.locator('#sec-materials').waitFor();
      for (const name of ['编辑', '发布草稿', '停用']) {
        // Role queries see only what is exposed to assistive technology: hidden buttons do not count.
        assertEqual(await page.getByRole('button', { name, exact: true }).count(), 0, `${name} buttons for agent`);
      }
      await pageChecks(page, vp, 'an item (agent)');
      await page.goto(`${base()}/item?new=1`);
      await expectText(page, '#error', '只有旗县级（区级）管理员可以新建和修改事项。');
      assertEqual(await page.locator('#item-form').isVisible(), false, 'the form shown to agent');
    }],

    ['signed out, /catalog, /item and /site-items go to the sign-in page', async (page) => {
      for (const p of ['/catalog', '/item?code=11000101000', '/site-items']) {
        await page.goto(`${base()}${p}`);
        await waitForPath(page, '/');
        await page.getByLabel('用户名', { exact: true }).waitFor();
      }
    }],

    ['the catalogue in English', async (page) => {
      await signInQuick(page, 'admin');
      await page.goto(`${base()}/catalog`);
      await page.locator('#rows tr').first().waitFor();
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, 'h1', 'Service catalogue');
      await page.getByRole('link', { name: 'New item' }).waitFor();
      await axeCheck(page, 'the catalogue in English');
      await expectNoSideScroll(page, vp, 'the catalogue in English');
    }],
  ];
}
