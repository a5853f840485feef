// What the desk's browser scripts share (desk-flow.mjs, team-flow.mjs,
// glossary-flow.mjs, desk-a11y.mjs, cjk-glyphs.mjs): the checks' report
// ("PASS …" / "FAIL …" lines, then exactly "N passed, M failed", exit 1 on a
// failure), headless Chromium started as the tests need it, a desk page
// that records Content-Security-Policy refusals, moving the focus by Tab,
// keyboard-only form submission and the check that a page fits 390 and
// 1280 px.
//
// Env: WARTA_SCREENSHOTS=DIR saves DIR/{prefix}-{name}-{width}.png;
// CHROMIUM=PATH overrides /usr/bin/chromium.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const shots = process.env.WARTA_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;

/// One check: a line saying whether it held (with `detail` when not).
export function check(what, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}${!ok && detail ? ` (${detail})` : ''}`);
  return ok;
}

/// Close `browser` if given, print the last line and exit: 1 if any check
/// failed.
export async function finish(browser) {
  if (browser) await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

/// Headless Chromium (`CHROMIUM` or /usr/bin/chromium); exit 2 if it will
/// not start.
export async function launch(script) {
  try {
    return await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    console.error(`${script}: cannot start Chromium: ${e.message}`);
    process.exit(2);
  }
}

/// Chromium and a 1280 px page; `cspViolations` fills with every refusal
/// the page reports.
export async function openDesk(script) {
  const browser = await launch(script);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return { browser, page, cspViolations };
}

/// Move the focus to `locator` as a person without a mouse does: Tab, from
/// wherever the focus is, until the element is focused (at most `max`
/// presses; a page's focus order that never reaches it fails the flow).
export async function tabTo(page, locator, max = 400) {
  const handle = await locator.elementHandle();
  for (let i = 0; i < max; i += 1) {
    if (await handle.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${locator}`);
}

/// Submit the form of a control with the keyboard: Enter on a button or a
/// one-line field, as a person without a mouse would.
export async function pressEnterOn(page, locator) {
  await locator.focus();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

/// The page fits 390 and 1280 px: nothing makes it scroll sideways.
export async function bothWidths(page, prefix, name) {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const { scroll, inner } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
    }));
    check(`${name} fits ${width} px without sideways scrolling`, scroll <= inner, `${scroll} > ${inner}`);
    if (shots) await page.screenshot({ path: join(shots, `${prefix}-${name}-${width}.png`), fullPage: true });
  }
}
