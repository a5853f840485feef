#!/usr/bin/env node
// The glossary at the editors' desk (issue 21, point 4) in a real browser
// (Chromium through playwright-core), with the keyboard alone: log in, open
// /admin/glossary from the desk's menu, add a keep-as-is (do-not-translate)
// term that an article's machine translation garbles, see the page say it
// re-queued 1 translation, wait for the re-translation and see the term
// kept on the reader's page. Each page fits 1280 px and 390 px wide, and
// the Content-Security-Policy refuses nothing. Keyboard alone: after the
// address bar (page.goto), the focus moves by Tab only, the checkboxes are
// ticked with Space and forms are sent with Enter.
//
// Usage:
//   node glossary-flow.mjs BASE_URL USER PASSWORD SLUG LANG TERM
// where SLUG's LANG translation does not yet contain TERM.
//
// Env: WARTA_SCREENSHOTS=DIR saves DIR/glossary-*.png; CHROMIUM=PATH
// overrides /usr/bin/chromium. Prints one line per check and finally exactly
// "N passed, M failed"; exits 1 if any check failed, 2 on bad usage or if
// the browser won't start.

import { bothWidths as fitsBoth, check, finish, openDesk, tabTo as tabToIn } from './harness.mjs';

const [base, user, password, slug, lang, term] = process.argv.slice(2);
if (!term || !/^https?:\/\//.test(base)) {
  console.error('usage: node glossary-flow.mjs BASE_URL USER PASSWORD SLUG LANG TERM');
  process.exit(2);
}
const baseUrl = base.replace(/\/+$/, '');
const { browser, page, cspViolations } = await openDesk('glossary-flow');
const tabTo = (locator) => tabToIn(page, locator);
const bothWidths = (name) => fitsBoth(page, 'glossary', name);

/// Tab to a control, then Enter: the form is sent.
async function pressEnterOn(locator) {
  await tabTo(locator);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

/// The reader's page of the article in `lang`, as text.
async function readerText() {
  const r = await page.goto(`${baseUrl}/${lang}/${slug}`);
  return r.status() === 200 ? page.locator('body').innerText() : '';
}

try {
  check(`the ${lang} page does not have the term yet`, !(await readerText()).includes(term));

  await page.goto(`${baseUrl}/admin/login`);
  await tabTo(page.locator('#username'));
  await page.keyboard.type(user);
  await tabTo(page.locator('#password'));
  await page.keyboard.type(password);
  await pressEnterOn(page.locator('#password'));
  check('logging in leads to the desk', new URL(page.url()).pathname === '/admin', page.url());

  await pressEnterOn(page.locator('.desk-nav a[href="/admin/glossary"]'));
  check('the menu opens the glossary', new URL(page.url()).pathname === '/admin/glossary', page.url());
  await bothWidths('list');

  // The entry: the term, the language, no translation, kept as is, case
  // matched.
  await tabTo(page.locator('#source'));
  await page.keyboard.type(term);
  await tabTo(page.locator('#target_lang'));
  const langLabel = await page.locator(`#target_lang option[value="${lang}"]`).innerText();
  for (let i = 0; i < 20 && (await page.locator('#target_lang').inputValue()) !== lang; i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  check(`the language is ${langLabel}`, (await page.locator('#target_lang').inputValue()) === lang);
  for (const name of ['keep', 'case_sensitive']) {
    const box = page.locator(`input[name="${name}"]`);
    await tabTo(box);
    await page.keyboard.press('Space');
    check(`"${name}" is ticked`, await box.isChecked());
  }
  await pressEnterOn(page.locator('[data-desk="add"]'));
  const flash = page.locator('[data-desk="flash"]');
  check('the page says the entry re-queued 1 translation', (await flash.count()) === 1
    && (await flash.innerText()).startsWith('Entry added; 1 translation re-queued'),
  (await flash.allInnerTexts()).join(' | '));
  const entry = page.locator('[data-desk="entry"]', { hasText: term });
  check('the glossary lists the term kept as is', (await entry.count()) === 1
    && (await entry.innerText()).includes('kept as is'));
  await bothWidths('added');

  // The worker translates the article again; the reader's page then has
  // the term as written.
  let text = '';
  for (let i = 0; i < 240; i += 1) {
    text = await readerText();
    if (text.includes(term)) break;
    await page.waitForTimeout(500);
  }
  check(`the ${lang} page keeps "${term}" after the re-translation`, text.includes(term), text.slice(0, 300));
  await bothWidths('article');

  check('the Content-Security-Policy refused nothing', cspViolations.length === 0, cspViolations.join(' | '));
} catch (e) {
  check('the flow ran to its end', false, e.message.split('\n')[0]);
} finally {
  await finish(browser);
}
