#!/usr/bin/env node
// A held translation is nowhere a reader can reach it, as a real browser
// (Chromium through playwright-core) sees the site; once approved it is
// everywhere (issue 20, "Done when": the page, the front page, the feed,
// the sitemap and the hreflang of the other languages).
//
// Usage: node held-title.mjs BASE_URL SLUG HELD_LANG OTHER_LANG TITLE held|published
//   held:      BASE/HELD_LANG/SLUG answers 404 and does not show TITLE; the
//              HELD_LANG front page neither links the article nor shows
//              TITLE; the HELD_LANG feed and the sitemap neither name its
//              URL nor TITLE; the OTHER_LANG page has no hreflang alternate
//              and no switcher link for HELD_LANG.
//   published: each of those the other way round.
// Prints one line per check (tests/browser/harness.mjs) and finally exactly "N passed, M failed";
// exits 1 if any check failed, 2 on bad usage or if the browser won't start.

import { check as report, finish, launch } from './harness.mjs';

const [base, slug, held, other, title, mode] = process.argv.slice(2);
if (!base || !slug || !held || !other || !title || !['held', 'published'].includes(mode)) {
  console.error('usage: node held-title.mjs BASE_URL SLUG HELD_LANG OTHER_LANG TITLE held|published');
  process.exit(2);
}
const baseUrl = base.replace(/\/+$/, '');
const visible = mode === 'published';
const articlePath = `/${held}/${slug}`;
const check = (where, what, ok, detail = '') => report(`${where}: ${what}`, ok, detail);
const says = (yes) => (visible ? yes : `no ${yes}`);

const browser = await launch('held-title');
try {
  const page = await browser.newPage();

  // The article page itself, as a reader's browser loads it.
  const resp = await page.goto(`${baseUrl}${articlePath}`);
  const status = resp.status();
  check(articlePath, visible ? 'answers 200' : 'answers 404', visible ? status === 200 : status === 404, `HTTP ${status}`);
  const h1 = await page.locator('h1').allTextContents();
  check(articlePath, says('title in the page'), h1.some((t) => t.includes(title)) === visible, JSON.stringify(h1));

  // The front page of that language: the rendered text and every link.
  await page.goto(`${baseUrl}/${held}/`);
  const front = await page.locator('body').innerText();
  const links = await page.$$eval('a[href]', (as) => as.map((a) => new URL(a.href).pathname));
  check(`/${held}/`, says('link to the article'), links.includes(articlePath) === visible, JSON.stringify(links));
  check(`/${held}/`, says('title shown'), front.includes(title) === visible);

  // The feed and the sitemap, loaded by the browser (XML documents).
  for (const path of [`/${held}/feed.xml`, '/sitemap.xml']) {
    const r = await page.goto(`${baseUrl}${path}`);
    const text = await r.text();
    check(path, `answers 200`, r.status() === 200, `HTTP ${r.status()}`);
    check(path, says('article URL'), text.includes(`${articlePath}<`) || text.includes(`${articlePath}"`) ? visible : !visible,
      visible ? 'missing' : 'present');
    if (path.endsWith('feed.xml')) check(path, says('title'), text.includes(title) === visible);
  }

  // The other language's page: its hreflang alternates and switcher.
  await page.goto(`${baseUrl}/${other}/${slug}`);
  const alternates = await page.$$eval('link[rel="alternate"][hreflang]', (ls) => ls.map((l) => l.hreflang));
  check(`/${other}/${slug}`, says(`hreflang ${held}`), alternates.includes(held) === visible, JSON.stringify(alternates));
  const switcher = await page.$$eval('a[hreflang]', (as) => as.map((a) => new URL(a.href).pathname));
  check(`/${other}/${slug}`, says(`switcher link to ${articlePath}`), switcher.includes(articlePath) === visible, JSON.stringify(switcher));
} catch (e) {
  check('held-title', 'ran to its end', false, e.message.split('\n')[0]);
} finally {
  await finish(browser);
}
