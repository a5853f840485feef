#!/usr/bin/env node
// The editors' desk (issue 21) in a real browser (Chromium through
// playwright-core), done with the keyboard alone: log in, find an article
// in /admin/articles by searching, open its language, dismiss a flag with a
// reason, fix a sentence in place, wait for the page to be rebuilt, approve
// the held version — and at 1280 px and 390 px wide, every desk page fits
// the width (no sideways scrolling; the glossary page too) and the
// Content-Security-Policy refuses nothing (the desk has no script).
// Keyboard alone means what it says: after the address bar (page.goto),
// the flow only presses keys (keyboard.press / keyboard.type) — the focus
// moves by Tab, never by a click or a programmatic focus().
//
// Usage:
//   node desk-flow.mjs BASE_URL USER PASSWORD SLUG LANG SEGMENT FIXED_TEXT FLAG_ID
// where SEGMENT is the index of the sentence to fix and FLAG_ID an open
// flag of that language version to dismiss.
//
// Env: WARTA_SCREENSHOTS=DIR saves DIR/desk-*.png; CHROMIUM=PATH overrides
// /usr/bin/chromium. Prints one line per check and finally exactly
// "N passed, M failed"; exits 1 if any check failed, 2 on bad usage or if
// the browser won't start.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, finish, launch, tabTo as tabToIn } from './harness.mjs';

const [base, user, password, slug, lang, segment, fixed, flagId] = process.argv.slice(2);
if (!flagId || !/^https?:\/\//.test(base)) {
  console.error('usage: node desk-flow.mjs BASE_URL USER PASSWORD SLUG LANG SEGMENT FIXED_TEXT FLAG_ID');
  process.exit(2);
}
const baseUrl = base.replace(/\/+$/, '');
const shots = process.env.WARTA_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

const browser = await launch('desk-flow');

const cspViolations = [];
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.on('console', (m) => {
  if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
});

const tabTo = (locator) => tabToIn(page, locator);

/// Submit the form of a control with the keyboard: Tab to it, then Enter
/// on a button, link or one-line field.
async function pressEnterOn(locator) {
  await tabTo(locator);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

/// The page fits `width` pixels: nothing makes it scroll sideways.
async function fits(name, width) {
  await page.setViewportSize({ width, height: 900 });
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  check(`${name} fits ${width} px without sideways scrolling`, scroll <= inner, `${scroll} > ${inner}`);
  if (shots) await page.screenshot({ path: join(shots, `desk-${name}-${width}.png`), fullPage: true });
}

async function bothWidths(name) {
  await fits(name, 390);
  await fits(name, 1280);
}

try {
  // Log in, from the keyboard.
  await page.goto(`${baseUrl}/admin/login`);
  await tabTo(page.locator('#username'));
  await page.keyboard.type(user);
  await tabTo(page.locator('#password'));
  await page.keyboard.type(password);
  await pressEnterOn(page.locator('#password'));
  check('logging in leads to the desk', new URL(page.url()).pathname === '/admin', page.url());
  await bothWidths('queue');

  // Find the article: the desk's menu, then search by a word of its slug.
  await page.keyboard.press('Tab');
  check('the first Tab lands on the skip link', await page.evaluate(() => document.activeElement?.className === 'skip'));
  await pressEnterOn(page.locator('.desk-nav a[href="/admin/articles"]'));
  await bothWidths('articles');
  await tabTo(page.locator('#q'));
  await page.keyboard.type(slug.split('-')[0]);
  await pressEnterOn(page.locator('#q'));
  const row = page.locator(`[data-desk="article"][data-article="${slug}"]`);
  check('the search finds the article', (await row.count()) === 1, page.url());
  const held = row.locator(`td[data-lang="${lang}"] [data-status="held"]`);
  check(`its ${lang} is shown held`, (await held.count()) === 1);
  const cell = row.locator(`td[data-lang="${lang}"] a`);
  await pressEnterOn(cell);
  check('the language link opens the whole-article review',
    new URL(page.url()).pathname === `/admin/articles/${slug}/${lang}`, page.url());
  check('the hold reason is shown', (await page.locator('[data-desk="hold-reason"]').count()) === 1);
  await bothWidths('review');

  // Dismiss the flag, with a reason.
  const reason = page.locator(`#reason-${flagId}`);
  check('the flag has a reason field', (await reason.count()) === 1);
  await tabTo(reason);
  await page.keyboard.type('the figure is right in the original');
  await pressEnterOn(reason);
  check('the flag is dismissed', (await page.locator('[data-desk="flash"]').count()) === 1
    && (await page.locator(`#flag-${flagId} [data-desk="verdict"]`).innerText()).includes('the figure is right'));

  // Fix the sentence in place: replace the textarea's text, then the
  // sentence's Save button.
  const area = page.locator(`#t${segment}`);
  await tabTo(area);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(fixed);
  await pressEnterOn(page.locator(`#s${segment} .sentence-edit button`));
  check('the sentence is saved', new URL(page.url()).search === '?flash=saved'
    && (await page.locator(`#t${segment}`).inputValue()) === fixed, page.url());

  // The page is rebuilt by a worker; approve once it is.
  for (let i = 0; i < 120 && (await page.locator('[data-desk="rebuilding"]').count()) > 0; i += 1) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  check('the rebuild finishes', (await page.locator('[data-desk="rebuilding"]').count()) === 0);
  const approve = page.locator('[data-desk="approve"]');
  check('the held version can be approved', (await approve.innerText()).includes('Approve and publish'));
  await pressEnterOn(approve);
  check('approved: readers see it', (await page.locator('[data-desk="public"]').count()) === 1
    && (await page.locator('[data-desk="state"]').innerText()) === 'published');

  // The glossary page reads at both widths too.
  await page.goto(`${baseUrl}/admin/glossary`);
  await bothWidths('glossary');

  // The reader's page has the fix.
  await page.goto(`${baseUrl}/${lang}/${slug}`);
  check('the public page shows the fixed sentence', (await page.content()).includes(fixed));

  check('the Content-Security-Policy refused nothing', cspViolations.length === 0, cspViolations.join(' | '));
} catch (e) {
  check('the flow ran to its end', false, e.message.split('\n')[0]);
} finally {
  await finish(browser);
}
