#!/usr/bin/env node
// The team, outside suggestions and the audit log (issue 21, points 6 and
// 7) in a real browser (Chromium through playwright-core), with the
// keyboard alone: an admin logs in and creates an editor at /admin/team and
// logs out; the editor logs in, is refused the team page (403), accepts a
// suggestion at /admin/suggestions; the audit log lists both actions, each
// by its person. Each page fits 1280 px and 390 px wide, and the
// Content-Security-Policy refuses nothing (the desk has no script).
//
// Usage:
//   node team-flow.mjs BASE_URL ADMIN ADMIN_PASSWORD EDITOR EDITOR_PASSWORD SUGGESTION_ID
//
// Env: WARTA_SCREENSHOTS=DIR saves DIR/team-*.png; CHROMIUM=PATH overrides
// /usr/bin/chromium. Prints one line per check and finally exactly
// "N passed, M failed"; exits 1 if any check failed, 2 on bad usage or if
// the browser won't start.

import { bothWidths as fitsBoth, check, finish, openDesk, pressEnterOn as enterOn } from './harness.mjs';

const [base, admin, adminPassword, editor, editorPassword, suggestion] = process.argv.slice(2);
if (!suggestion || !/^https?:\/\//.test(base)) {
  console.error('usage: node team-flow.mjs BASE_URL ADMIN ADMIN_PASSWORD EDITOR EDITOR_PASSWORD SUGGESTION_ID');
  process.exit(2);
}
const baseUrl = base.replace(/\/+$/, '');
const { browser, page, cspViolations } = await openDesk('team-flow');
const pressEnterOn = (locator) => enterOn(page, locator);
const bothWidths = (name) => fitsBoth(page, 'team', name);

async function typeInto(selector, text) {
  await page.locator(selector).focus();
  await page.keyboard.type(text);
}

async function logIn(user, password) {
  await page.goto(`${baseUrl}/admin/login`);
  await typeInto('#username', user);
  await typeInto('#password', password);
  await pressEnterOn(page.locator('#password'));
  return new URL(page.url()).pathname === '/admin';
}

try {
  // The admin creates the editor.
  check('the admin logs in', await logIn(admin, adminPassword), page.url());
  const team = await page.goto(`${baseUrl}/admin/team`);
  check('the admin opens the team page', team.status() === 200, String(team.status()));
  await bothWidths('team');
  await typeInto('#new-username', editor);
  await typeInto('#new-password', editorPassword);
  await pressEnterOn(page.locator('[data-desk="create-member"]'));
  check('the account is created', (await page.locator('[data-desk="flash"]').count()) === 1, page.url());
  const row = page.locator(`[data-desk="member"][data-member="${editor}"]`);
  check('the team lists the editor as an editor', (await row.count()) === 1
    && (await row.locator('[data-desk="role"]').innerText()) === 'editor');
  await pressEnterOn(page.locator('form.logout button'));
  check('the admin logs out', new URL(page.url()).pathname === '/admin/login', page.url());

  // The editor: no team page, but the suggestions.
  check('the editor logs in', await logIn(editor, editorPassword), page.url());
  const refused = await page.goto(`${baseUrl}/admin/team`);
  check('the team page refuses an editor (403)', refused.status() === 403, String(refused.status()));
  await page.goto(`${baseUrl}/admin/suggestions`);
  const item = page.locator(`[data-desk="suggestion"][data-suggestion="${suggestion}"]`);
  check('the suggestion waits at the desk', (await item.count()) === 1);
  await bothWidths('suggestions');
  await pressEnterOn(item.locator('[data-desk="accept"]'));
  const flash = page.locator('[data-desk="flash"]');
  check('the suggestion is accepted', (await flash.count()) === 1
    && (await flash.innerText()).startsWith('Accepted'), page.url());
  check('it no longer waits', (await page.locator(`[data-suggestion="${suggestion}"]`).count()) === 0);

  // The audit log has both, each by its person.
  await page.goto(`${baseUrl}/admin/audit`);
  await bothWidths('audit');
  const created = page.locator('[data-desk="audit-entry"][data-action="user_create"]', { hasText: `user ${editor}` });
  check('the audit log lists the account created by the admin', (await created.count()) === 1
    && (await created.locator('[data-desk="actor"]').innerText()).startsWith(admin));
  const accepted = page.locator('[data-desk="audit-entry"][data-action="suggestion_accept"]');
  check('the audit log lists the suggestion accepted by the editor', (await accepted.count()) === 1
    && (await accepted.locator('[data-desk="actor"]').innerText()).startsWith(editor));
  // Filtered by who, from the keyboard.
  await typeInto('#actor', editor);
  await pressEnterOn(page.locator('#actor'));
  const mine = await page.locator('[data-desk="audit-entry"]').count();
  check('filtered by the editor, only the editor\'s action is listed', mine === 1, String(mine));

  check('the Content-Security-Policy refused nothing', cspViolations.length === 0, cspViolations.join(' | '));
} catch (e) {
  check('the flow ran to its end', false, e.message.split('\n')[0]);
} finally {
  await finish(browser);
}
