// Page-wide checks: axe-core, no sideways scrolling, 44 px targets and 16 px text.

import { assert } from './harness.mjs';
import { readAxe } from './browser.mjs';

let axeSource = null;

export async function axeCheck(page, what) {
  if (!axeSource) axeSource = readAxe();
  // evaluate() is not subject to the page's Content-Security-Policy, unlike an inline <script>.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3)
      .map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ', ...' : ''}`);
  });
  assert(violations.length === 0, `axe on ${what}: ${violations.join('; ')}`);
}

export async function expectNoSideScroll(page, vp, what) {
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(sw <= vp.width, `${what}: document.documentElement.scrollWidth ${sw} > ${vp.width}`);
}

/** Every visible control is at least 44x44 CSS px; all visible text at least 16 px. */
export async function expectTapAndText(page, what) {
  const problems = await page.evaluate(() => {
    const out = [];
    const desc = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` +
      `${el.textContent.trim() ? ` "${el.textContent.trim().slice(0, 20)}"` : ''}`;
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' &&
        r.bottom > 0 && r.right > 0; // not parked off-screen (the skip link until focused)
    };
    const controls = document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
    for (const el of controls) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.height < 44 - 0.5 || r.width < 44 - 0.5) {
        out.push(`${desc(el)} is ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || seen.has(el) || !visible(el)) continue;
      seen.add(el);
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 16) out.push(`${desc(el)} has font-size ${size}px`);
    }
    return out;
  });
  assert(problems.length === 0, `${what}: ${problems.slice(0, 6).join('; ')}`);
}

/** The three checks every page gets at every viewport. */
export async function pageChecks(page, vp, what) {
  await axeCheck(page, what);
  await expectNoSideScroll(page, vp, what);
  await expectTapAndText(page, what);
}
