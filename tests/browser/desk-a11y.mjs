#!/usr/bin/env node
// Accessibility of the editors' desk (issue 21): axe-core, run in a real
// Chromium on every desk page at 1280 px and 390 px wide, must find no
// serious or critical violation (axe's impact levels: minor, moderate,
// serious, critical). Every rule axe-core runs by default (WCAG 2.0/2.1/2.2
// A and AA and its best practices) is run; each violation found is printed
// with its rule, impact and the elements it names.
//
// The desk's Content-Security-Policy allows no script at all, so axe could
// not be injected into the page: this context bypasses CSP for axe alone
// (playwright's `bypassCSP`); desk-flow.mjs checks the CSP itself.
//
// Usage:
//   node desk-a11y.mjs BASE_URL USER PASSWORD NAME=PATH ...
//   e.g. node desk-a11y.mjs http://127.0.0.1:8000 rina 'pass' articles=/admin/articles
// The login page is checked first, before logging in, as `login`.
//
// Env: WARTA_SCREENSHOTS=DIR saves DIR/NAME-WIDTH.png of each page (the
// top of the page, as a screen shows it; docs/desk/*.png are made so),
// only of the pages WARTA_SCREENSHOT_PAGES names (comma-separated) if set;
// CHROMIUM=PATH overrides /usr/bin/chromium.
// Prints one line per check and finally exactly "N passed, M failed";
// exits 1 if any check failed, 2 on bad usage or if the browser won't start.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { check, finish, launch } from './harness.mjs';

const [base, user, password, ...specs] = process.argv.slice(2);
if (!password || !/^https?:\/\//.test(base) || specs.some((s) => !/^[a-z0-9-]+=\//.test(s))) {
  console.error('usage: node desk-a11y.mjs BASE_URL USER PASSWORD NAME=PATH ...');
  process.exit(2);
}
const baseUrl = base.replace(/\/+$/, '');
const pages = specs.map((s) => {
  const at = s.indexOf('=');
  return { name: s.slice(0, at), path: s.slice(at + 1) };
});
const shots = process.env.WARTA_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shotPages = process.env.WARTA_SCREENSHOT_PAGES?.split(',');
const shoot = (name) => shots && (!shotPages || shotPages.includes(name));
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1280, 390];
const BLOCKING = new Set(['serious', 'critical']);

const browser = await launch('desk-a11y');
const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
const page = await context.newPage();

/// axe-core on the loaded page, at each width; the serious and critical
/// violations fail, the others are printed as notes.
async function audit(name) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width > 600 ? 800 : 844 });
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    const blocking = result.violations.filter((v) => BLOCKING.has(v.impact));
    for (const v of result.violations.filter((x) => !BLOCKING.has(x.impact))) {
      console.log(`NOTE ${name} ${width} px: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
    const detail = blocking
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
      .join(' | ');
    check(`${name} at ${width} px: no serious or critical axe violation`, blocking.length === 0, detail);
    if (shoot(name)) await page.screenshot({ path: join(shots, `${name}-${width}.png`) });
  }
}

try {
  await page.goto(`${baseUrl}/admin/login`);
  await audit('login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.press('#password', 'Enter')]);
  check('logged in', new URL(page.url()).pathname === '/admin', page.url());
  for (const { name, path } of pages) {
    const resp = await page.goto(`${baseUrl}${path}`);
    check(`${name} (${path}) answers 200`, resp?.status() === 200, `${resp?.status()}`);
    await audit(name);
  }
} catch (e) {
  check('the audit ran to its end', false, e.message.split('\n')[0]);
} finally {
  await browser.close();
}
finish();
