// The public search (/items), no sign-in.

import { assert, assertEqual, ctx } from '../lib/harness.mjs';
import { apiAll, apiGet } from '../lib/api.mjs';
import { expectLang, expectText, expectTexts, waitForPath } from '../lib/browser.mjs';
import { pageChecks } from '../lib/checks.mjs';

const names = '#results li h3';

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['typing 低保 finds 最低生活保障 and opens its guide', async (page) => {
      const found = await apiAll(null, `/public/items?q=${encodeURIComponent('低保')}`);
      const dibao = found.find((x) => x.name.includes('最低生活保障'));
      assert(dibao, `GET /public/items?q=低保 lacks 最低生活保障: ${JSON.stringify(found.map((x) => x.name))}`);
      await page.goto(`${base()}/items`);
      await expectLang(page, 'zh-CN');
      await page.locator('#results li').first().waitFor();
      await page.getByLabel('事项名称或编码').fill('低保');
      await page.getByLabel('事项名称或编码').press('Enter');
      await expectTexts(page, names, found.map((x) => x.name));
      assertEqual(new URL(page.url()).searchParams.get('q'), '低保', 'the query kept in the URL');
      await pageChecks(page, vp, 'the search results for 低保');
      await page.getByRole('link', { name: dibao.name }).click();
      await waitForPath(page, '/guide');
      assertEqual(new URL(page.url()).searchParams.get('code'), dibao.code, 'guide code');
      await expectText(page, 'h1', dibao.name);
    }],

    ['the list pages with 加载更多, and the domain filter keeps one domain', async (page) => {
      const all = await apiAll(null, '/public/items');
      const first = await apiGet(null, '/public/items?limit=20');
      assert(first.next, 'fewer than 21 published items: nothing to page through');
      await page.goto(`${base()}/items`);
      await expectTexts(page, names, first.items.map((x) => x.name));
      await page.getByRole('button', { name: '加载更多' }).click();
      await expectTexts(page, names, all.slice(0, 40).map((x) => x.name));
      // The domain with the most items (one page of them), per the API.
      const counts = new Map();
      for (const it of all) counts.set(it.domain, (counts.get(it.domain) || 0) + 1);
      const [domain] = [...counts.entries()].filter(([, n]) => n <= 20).sort((a, b) => b[1] - a[1])[0];
      const inDomain = await apiAll(null, `/public/items?domain=${encodeURIComponent(domain)}`);
      await page.getByLabel('服务领域').selectOption(domain);
      await expectTexts(page, names, inDomain.map((x) => x.name));
      await expectText(page, '#status', `共 ${inDomain.length} 项`);
      assertEqual(await page.getByRole('button', { name: '加载更多' }).isVisible(), false,
        '加载更多 shown after the last page');
      await pageChecks(page, vp, 'the search filtered by domain');
    }],
  ];
}
