// The public service guide (/guide?code=...), no sign-in.

import { assert, assertEqual, assertSame, ctx } from '../lib/harness.mjs';
import { apiAll, apiCall, apiGet } from '../lib/api.mjs';
import { expectLang, expectText, expectTexts, poll, waitForPath } from '../lib/browser.mjs';
import { axeCheck, expectNoSideScroll, pageChecks } from '../lib/checks.mjs';

/** A published demo item with two day counts (promised > 0), at least two materials, and sites. */
async function pickItem() {
  const list = await apiAll(null, '/public/items');
  assert(list.length > 0, 'GET /public/items is empty');
  for (const it of list.filter((x) => x.promised_days > 0)) {
    const full = await apiGet(null, `/public/items/${it.code}`);
    if (full.materials.length >= 2 && full.sites.length >= 2) return full;
  }
  throw new Error('no published item with promised_days > 0, 2+ materials and 2+ sites');
}

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['the public guide shows the materials, both time limits and where to go; it prints cleanly', async (page) => {
      const item = await pickItem();
      await page.goto(`${base()}/guide?code=${item.code}`);
      await expectLang(page, 'zh-CN');
      await expectText(page, 'h1', item.name);
      // Both limits, in working days.
      await expectText(page, '#item-limits', `法定办结时限${item.statutory_days} 个工作日` +
        `承诺办结时限${item.promised_days} 个工作日`);
      // The materials table, in the item's order, with the form of each.
      await expectTexts(page, '#sec-materials tbody th', item.materials.map((m) => m.name));
      const forms = { original: '原件', copy: '复印件', original_and_copy: '原件和复印件', electronic: '电子' };
      const cells = await page.locator('#sec-materials tbody tr').evaluateAll((rows) =>
        rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
      item.materials.forEach((m, i) => {
        assertEqual(cells[i][3], forms[m.form], `material ${i + 1}: form`);
        assertEqual(cells[i][2], m.required ? '必需' : `视情况：${m.condition}`, `material ${i + 1}: required`);
      });
      // Where to go: every site offering it, with its mode.
      await expectTexts(page, '#sec-sites .site-list h3', item.sites.map((s) => s.name));
      await expectText(page, '#sec-process-h', '办理流程');
      const steps = await page.locator('#sec-process li').allTextContents();
      assertSame(steps, item.process.split('>').map((s) => s.trim()), 'process steps');
      await pageChecks(page, vp, 'the guide');

      // Printing: the print stylesheet hides the navigation, the buttons and the footer and sets
      // black on white; the content stays.
      const print = page.getByRole('button', { name: '打印办事指南' });
      await print.waitFor();
      await page.emulateMedia({ media: 'print' });
      const printed = await page.evaluate(() => {
        const shown = (sel) => {
          const el = document.querySelector(sel);
          return !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
        };
        const body = getComputedStyle(document.body);
        return {
          matches: window.matchMedia('print').matches,
          nav: shown('nav.mainnav'), topbar: shown('header.topbar'), footer: shown('footer'),
          button: shown('#print'), h1: shown('h1'), materials: shown('#sec-materials table'),
          limits: shown('#item-limits'),
          bg: body.backgroundColor, color: body.color,
          heading: getComputedStyle(document.querySelector('h1')).color,
        };
      });
      await page.emulateMedia({ media: 'screen' });
      assert(printed.matches, 'matchMedia("print") does not match under print emulation');
      assert(!printed.nav && !printed.topbar && !printed.footer && !printed.button,
        `print shows chrome: ${JSON.stringify(printed)}`);
      assert(printed.h1 && printed.materials && printed.limits, `print hides content: ${JSON.stringify(printed)}`);
      assertEqual(printed.bg, 'rgb(255, 255, 255)', 'print: body background');
      assertEqual(printed.color, 'rgb(0, 0, 0)', 'print: body text colour');
      assertEqual(printed.heading, 'rgb(0, 0, 0)', 'print: heading colour');

      // In English too.
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectText(page, '#sec-materials-h', 'Documents to bring');
      await expectText(page, '#item-limits', `Statutory time limit${item.statutory_days} working days` +
        `Promised time limit${item.promised_days} working days`);
      await axeCheck(page, 'the guide in English');
      await expectNoSideScroll(page, vp, 'the guide in English');
    }],

    ['an immediate item\'s guide says 即办 for the promised limit', async (page) => {
      const list = await apiAll(null, '/public/items');
      const it = list.find((x) => x.case_type === 'immediate');
      assert(it, 'no published immediate item');
      await page.goto(`${base()}/guide?code=${it.code}`);
      await expectText(page, 'h1', it.name);
      await expectText(page, '#item-limits', `法定办结时限${it.statutory_days} 个工作日承诺办结时限即办`);
    }],

    ['an unknown code gets a clear message and a way back to the search', async (page) => {
      let code = '';
      for (let n = 99999999999; ; n--) {
        code = String(n);
        if ((await apiCall(null, 'GET', `/public/items/${code}`)).status === 404) break;
      }
      await page.goto(`${base()}/guide?code=${code}`);
      await expectLang(page, 'zh-CN');
      await expectText(page, '#error', `没有找到编码为 ${code} 的已发布事项。`);
      assertEqual(await page.locator('#print').isVisible(), false, 'print button shown for nothing');
      await pageChecks(page, vp, 'the guide of an unknown code');
      await page.getByRole('button', { name: 'English' }).click();
      await expectText(page, '#error', `There is no published service with code ${code}.`);
      await page.getByRole('link', { name: 'Back to search' }).click();
      await waitForPath(page, '/items');
      await poll(page, () => ({ ok: document.querySelectorAll('#results li').length > 0 }), null,
        () => 'the search lists nothing');
    }],
  ];
}
