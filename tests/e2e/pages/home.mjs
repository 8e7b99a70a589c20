// The staff home (/home) and signing in and out.

import { assert, assertEqual, ctx, test } from '../lib/harness.mjs';
import { apiAll, apiGet, asUser } from '../lib/api.mjs';
import {
  expectLang, expectText, homeLoaded, signIn, waitForPath,
} from '../lib/browser.mjs';
import { axeCheck, expectNoSideScroll, expectTapAndText } from '../lib/checks.mjs';

// From the demo seed. The agent's station may carry its township's name in front
// (希日塔拉街道桑根达来社区便民服务站), so it is matched by what its name contains.
const AGENT_SITE = '桑根达来社区便民服务站';
const isAgentSite = (name) => typeof name === 'string' && name.includes(AGENT_SITE);
const TOWNSHIP_SITE = '希日塔拉街道便民服务中心';
const CITY_SITE = '锡林浩特市政务服务中心';

let truth = null; // agent's /me and sites, from the API
const needTruth = () => assert(truth, 'no ground truth from the API (see the api test above)');

export async function setup() {
  await test('api: agent\'s /me puts the village under the township, and /sites lists it', async () => {
    truth = await asUser('agent', async (s) => ({
      me: await apiGet(s, '/me'),
      sites: await apiAll(s, '/sites'),
    }));
    const { me, sites } = truth;
    assertEqual(me.user.login, 'agent', '/me user.login');
    assert(isAgentSite(me.site.name), `/me site.name ${JSON.stringify(me.site.name)} is not ${AGENT_SITE}`);
    const names = me.path.map((p) => p.name);
    assertEqual(names[names.length - 1], me.site.name, '/me path: last');
    assert(names.indexOf(TOWNSHIP_SITE) >= 0 && names.indexOf(TOWNSHIP_SITE) < names.length - 1,
      `/me path ${JSON.stringify(names)} lacks ${TOWNSHIP_SITE} above ${AGENT_SITE}`);
    assert(sites.some((s) => s.id === me.site.id), '/sites lacks the agent\'s own site');
  });
}

export function tests(vp) {
  const base = () => ctx.base;
  return [
    ['sign in as agent shows the home with the agent\'s name and site', async (page) => {
      needTruth();
      await signIn(page, 'agent');
      await expectText(page, '#me-name', truth.me.user.name);
      await expectText(page, '#me-login', 'agent');
      await expectText(page, '#me-role', '代办员');
      await expectText(page, '#site-name', truth.me.site.name);
      await expectText(page, '#site-level', '便民服务站');
      await expectText(page, '#site-code', truth.me.site.code);
      const tree = await page.locator('#site-tree .node-name').allTextContents();
      assertEqual(tree.length, truth.sites.length, 'sites in the tree');
      assert(tree.some(isAgentSite), `tree ${JSON.stringify(tree)} lacks ${AGENT_SITE}`);
    }],

    ['the breadcrumb shows the township above the village', async (page) => {
      needTruth();
      await signIn(page, 'agent');
      const nav = page.getByRole('navigation', { name: '站点层级' });
      const items = (await nav.locator('li').allTextContents()).map((s) => s.trim());
      assertEqual(JSON.stringify(items), JSON.stringify(truth.me.path.map((p) => p.name)),
        'breadcrumb items');
      assertEqual(items[0], CITY_SITE, 'breadcrumb root');
      const ti = items.indexOf(TOWNSHIP_SITE);
      const vi = items.findIndex(isAgentSite);
      assert(ti >= 0 && vi === items.length - 1 && ti < vi,
        `breadcrumb ${JSON.stringify(items)}: ${TOWNSHIP_SITE} must come before ${AGENT_SITE}, last`);
      assertEqual(await nav.locator('li').last().getAttribute('aria-current'), 'location',
        'aria-current of the last breadcrumb item');
    }],

    ['the site tree nests the villages under the township (clerk)', async (page) => {
      await signIn(page, 'clerk');
      await expectText(page, '#site-name', TOWNSHIP_SITE);
      const top = (await page.locator('#site-tree > li > .node .node-name').allTextContents());
      assertEqual(JSON.stringify(top), JSON.stringify([TOWNSHIP_SITE]), 'top of the tree');
      const kids = await page.locator('#site-tree > li > ul > li > .node .node-name').allTextContents();
      assert(kids.length >= 2 && kids.some(isAgentSite),
        `villages under the township: ${JSON.stringify(kids)}`);
    }],

    ['switch to English and back, remembered across pages', async (page) => {
      await page.goto(`${base()}/`);
      await expectLang(page, 'zh-CN');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
      await page.getByRole('button', { name: 'English', pressed: true }).waitFor();
      await signIn(page, 'agent', { lang: 'en' });
      await expectLang(page, 'en');
      await expectText(page, 'h1', 'Staff home');
      await expectText(page, '#me-heading', 'My account');
      await expectText(page, '#me-role', 'Agent');
      await expectText(page, '#site-level', 'Convenience service station');
      await expectText(page, '#sign-out', 'Sign out');
      await page.getByRole('navigation', { name: 'Site hierarchy' }).waitFor();
      await page.reload();
      await homeLoaded(page);
      await expectLang(page, 'en');
      await expectText(page, '#me-role', 'Agent');
      await page.getByRole('button', { name: '中文' }).click();
      await expectLang(page, 'zh-CN');
      await expectText(page, 'h1', '工作台');
      await expectText(page, '#me-role', '代办员');
      await expectText(page, '#site-level', '便民服务站');
      await expectText(page, '#sign-out', '退出登录');
      assertEqual(await page.evaluate(() => localStorage.getItem('bangban.lang')), 'zh-CN',
        'remembered language');
    }],

    ['sign out lands on the sign-in page, and /home then redirects to /', async (page) => {
      await signIn(page, 'agent');
      await page.getByRole('button', { name: '退出登录' }).click();
      await waitForPath(page, '/');
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await page.goto(`${base()}/home`);
      await waitForPath(page, '/');
      await page.getByRole('button', { name: '登录', exact: true }).waitFor();
    }],

    ['signed in, / goes straight to /home', async (page) => {
      await signIn(page, 'agent');
      await page.goto(`${base()}/`);
      await waitForPath(page, '/home');
      await homeLoaded(page);
    }],

    ['the home links to the catalogue and the site lists', async (page) => {
      await signIn(page, 'agent');
      const nav = page.getByRole('navigation', { name: '主菜单' });
      assertEqual(await nav.getByRole('link', { name: '工作台' }).getAttribute('aria-current'), 'page',
        'aria-current of 工作台');
      await nav.getByRole('link', { name: '事项清单' }).click();
      await waitForPath(page, '/catalog');
      await page.getByRole('heading', { level: 1, name: '事项清单' }).waitFor();
      await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '站点事项' }).click();
      await waitForPath(page, '/site-items');
      await page.getByRole('heading', { level: 1, name: '站点事项清单' }).waitFor();
      await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '工作台' }).click();
      await waitForPath(page, '/home');
      await homeLoaded(page);
    }],

    ['axe-core finds no violations on the home page (zh-CN and en)', async (page) => {
      await signIn(page, 'clerk');
      await axeCheck(page, 'the home page');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await axeCheck(page, 'the home page in English');
    }],

    [`no horizontal scrolling at ${vp.width} px (scrollWidth <= ${vp.width})`, async (page) => {
      await signIn(page, 'admin');
      await expectNoSideScroll(page, vp, 'home page (admin, the whole tree)');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectNoSideScroll(page, vp, 'home page in English');
    }],

    ['tap targets are at least 44 px and text at least 16 px', async (page) => {
      await signIn(page, 'clerk');
      await expectTapAndText(page, 'home page');
    }],
  ];
}
