// The sign-in page (/).

import { assert, assertEqual, ctx } from '../lib/harness.mjs';
import { expectLang, expectText, poll, waitForPath } from '../lib/browser.mjs';
import { axeCheck, expectNoSideScroll, expectTapAndText } from '../lib/checks.mjs';

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['the sign-in page is in Chinese by default, with labelled fields', async (page) => {
      await page.goto(`${base()}/`);
      await expectLang(page, 'zh-CN');
      await page.getByRole('heading', { level: 1, name: '工作人员登录' }).waitFor();
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await page.getByLabel('密码', { exact: true }).waitFor();
      await page.getByRole('button', { name: '中文', pressed: true }).waitFor();
      await page.getByRole('button', { name: 'English', pressed: false }).waitFor();
    }],

    ['a wrong password shows the server\'s error message in the alert', async (page) => {
      await page.goto(`${base()}/`);
      await expectLang(page, 'zh-CN');
      await page.getByLabel('用户名', { exact: true }).fill('agent2');
      await page.getByLabel('密码', { exact: true }).fill('not-the-password');
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' &&
        r.request().method() === 'POST');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      const res = await answer;
      assertEqual(res.status(), 401, 'POST /api/v1/session with a wrong password: status');
      const body = await res.json();
      assertEqual(body.error && body.error.code, 'bad_credentials', 'error code');
      assert(body.error.message && body.error.message_en, 'the error body lacks message/message_en');
      await expectText(page, '[role="alert"]', body.error.message);
      await page.getByRole('button', { name: 'English' }).click();
      await expectText(page, '[role="alert"]', body.error.message_en);
      await page.getByRole('button', { name: '中文' }).click();
      await expectText(page, '[role="alert"]', body.error.message);
      assertEqual(new URL(page.url()).pathname, '/', 'still on the sign-in page');
    }],

    ['too many failed sign-ins (429) show the server\'s message too', async (page) => {
      // Use up coord's failures through the API (5 per login in 15 minutes), then try once more
      // in the browser. Only coord is locked out; the other tests do not sign in as coord.
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${base()}/api/v1/session`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ login: 'coord', password: 'not-the-password' }),
        });
        await res.arrayBuffer();
        if (res.status === 429) break;
        assertEqual(res.status, 401, 'POST /api/v1/session with a wrong password: status');
      }
      await page.goto(`${base()}/`);
      await expectLang(page, 'zh-CN');
      await page.getByLabel('用户名', { exact: true }).fill('coord');
      await page.getByLabel('密码', { exact: true }).fill('not-the-password');
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' &&
        r.request().method() === 'POST');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      const res = await answer;
      assertEqual(res.status(), 429, 'POST /api/v1/session after 5 failures: status');
      const body = await res.json();
      assertEqual(body.error && body.error.code, 'rate_limited', 'error code');
      await expectText(page, '[role="alert"]', body.error.message);
      await page.getByRole('button', { name: 'English' }).click();
      await expectText(page, '[role="alert"]', body.error.message_en);
    }],

    ['axe-core finds no violations on the sign-in page (empty, and showing an error)', async (page) => {
      await page.goto(`${base()}/`);
      await expectLang(page, 'zh-CN');
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await axeCheck(page, 'the sign-in page');
      await page.getByLabel('用户名', { exact: true }).fill('nobody');
      await page.getByLabel('密码', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await poll(page, () => {
        const text = document.querySelector('[role="alert"]').textContent.trim();
        return { ok: text !== '', value: text };
      }, null, () => 'no error shown in the alert');
      await axeCheck(page, 'the sign-in page with an error');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await axeCheck(page, 'the sign-in page in English');
    }],

    ['keyboard focus is visible on every control of the sign-in page', async (page) => {
      await page.goto(`${base()}/`);
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      const seen = [];
      for (let i = 0; i < 10; i++) { // every control of the page, and round again to the fields
        await page.keyboard.press('Tab');
        const f = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const cs = getComputedStyle(el);
          const r = el.getBoundingClientRect();
          return {
            what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${el.textContent.trim().slice(0, 12)}"`,
            outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
            onScreen: r.bottom > 0 && r.top < window.innerHeight + window.scrollY,
          };
        });
        if (!f) continue;
        assert(f.outline, `${f.what} has no visible focus outline`);
        assert(f.onScreen, `${f.what} is focused but off-screen`);
        seen.push(f.what);
      }
      assert(seen.some((w) => w.startsWith('a "')), `the skip link never took focus: ${seen.join(', ')}`);
      assert(seen.some((w) => w.startsWith('input#login')), `the username field never took focus: ${seen.join(', ')}`);
    }],

    [`the sign-in page: no horizontal scrolling at ${vp.width} px, 44 px targets, 16 px text`, async (page) => {
      await page.goto(`${base()}/`);
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await expectNoSideScroll(page, vp, 'sign-in page');
      await expectTapAndText(page, 'sign-in page');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectNoSideScroll(page, vp, 'sign-in page in English');
    }],

    ['residents find the link to the service guides on the sign-in page', async (page) => {
      await page.goto(`${base()}/`);
      await expectLang(page, 'zh-CN');
      await page.getByRole('link', { name: '群众办事？查询办事指南' }).click();
      await waitForPath(page, '/items');
      await page.getByRole('heading', { level: 1, name: '办事指南查询' }).waitFor();
    }],
  ];
}
