#!/usr/bin/env node
// Checks warta's public article pages in a real browser (Chromium through
// playwright-core): what DESIGN.md "HTTP" promises for every page, as the
// reader's browser sees it after parsing and styling.
//
// Usage:
//   node check-pages.mjs BASE_URL SLUG LANG[:machine|:human|:source] ...
//   e.g. node check-pages.mjs http://127.0.0.1:8000 banjir-jakarta \
//          id:source en:machine ar:machine fr:human
//
// For each LANG it opens BASE_URL/LANG/SLUG and checks: <html lang dir>, the
// computed direction of the article body, the script's font stack, that the
// text starts at the start edge (mirrored for RTL), the machine-translation
// disclaimer (present on :machine pages, linking the source page; absent on
// :human and :source pages, where the newsroom mark / nothing appears), the
// language switcher (one link per published language, autonym text, own
// lang, hrefs that load with HTTP 200, aria-current on this page), and that
// the hreflang alternates equal the switcher plus x-default → source.
// A LANG without a kind is checked for everything but the kind.
//
// Env: WARTA_SCREENSHOTS=DIR saves DIR/SLUG-LANG.png per page.
//      CHROMIUM=PATH overrides /usr/bin/chromium.
// Prints one line per check and finally exactly "N passed, M failed";
// exits 1 if any check failed, 2 on bad usage or if the browser won't start.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// Names of languages in their own language: DESIGN.md's language table, and
// CLDR's autonyms for the other languages warta knows.
const AUTONYMS = {
  ar: 'العربية', bg: 'български', ca: 'català', cs: 'čeština', da: 'dansk',
  de: 'Deutsch', el: 'Ελληνικά', en: 'English', es: 'español', et: 'eesti',
  fa: 'فارسی', fi: 'suomi', fr: 'Français', he: 'עברית', hi: 'हिन्दी',
  hr: 'hrvatski', hu: 'magyar', id: 'Bahasa Indonesia', it: 'italiano',
  ja: '日本語', ko: '한국어', lt: 'lietuvių', lv: 'latviešu', ms: 'Bahasa Melayu',
  nl: 'Nederlands', pl: 'polski', pt: 'Português', ro: 'română', ru: 'русский',
  sk: 'slovenčina', sl: 'slovenščina', sq: 'shqip', sv: 'svenska', th: 'ไทย',
  tr: 'Türkçe', uk: 'українська', vi: 'Tiếng Việt', zh: '中文（简体）',
};
const RTL = new Set(['ar', 'fa', 'he']);
// First family of each script's stack in site.css.
const FIRST_FONT = { ar: 'Noto Naskh Arabic', zh: 'Noto Sans SC', ja: 'Noto Sans JP' };
const KINDS = new Set(['machine', 'human', 'source']);

function usage(msg) {
  if (msg) console.error(`check-pages: ${msg}`);
  console.error('usage: node check-pages.mjs BASE_URL SLUG LANG[:machine|:human|:source] ...');
  process.exit(2);
}

const [base, slug, ...specs] = process.argv.slice(2);
if (!base || !slug || specs.length === 0) usage();
if (!/^https?:\/\//.test(base)) usage(`BASE_URL must start with http:// or https://, got ${base}`);
const pages = specs.map((spec) => {
  const [lang, kind] = spec.split(':');
  if (!/^[a-z]{2,3}$/.test(lang)) usage(`bad language code in ${spec}`);
  if (kind !== undefined && !KINDS.has(kind)) usage(`bad kind in ${spec} (machine, human or source)`);
  return { lang, kind };
});
const baseUrl = base.replace(/\/+$/, '');
const shots = process.env.WARTA_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
function check(where, what, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${where}: ${what}${!ok && detail ? ` (${detail})` : ''}`);
}

// Status of every URL fetched, so a switcher link shared by all pages is
// loaded once.
const statusCache = new Map();
async function statusOf(request, url) {
  if (!statusCache.has(url)) {
    statusCache.set(
      url,
      request.get(url, { maxRedirects: 5, timeout: 15000 }).then((r) => r.status(), (e) => `error: ${e.message}`),
    );
  }
  return statusCache.get(url);
}

const sameSet = (a, b) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
} catch (e) {
  console.error(`check-pages: cannot start Chromium: ${e.message}`);
  process.exit(2);
}

try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  for (const { lang, kind } of pages) {
    const where = `${lang}/${slug}${kind ? ` [${kind}]` : ''}`;
    const url = `${baseUrl}/${lang}/${slug}`;
    const page = await context.newPage();
    // Chromium reports every resource or inline code the page's
    // Content-Security-Policy refused as a console error.
    const cspViolations = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      let response;
      try {
        response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
      } catch (e) {
        check(where, `loads ${url}`, false, e.message.split('\n')[0]);
        continue;
      }
      const status = response ? response.status() : 0;
      check(where, `loads with HTTP 200`, status === 200, `got ${status}`);
      if (status !== 200) continue;
      const csp = response.headers()['content-security-policy'] ?? '';
      check(where, 'is served with a Content-Security-Policy that allows no script', /script-src 'none'/.test(csp), csp);

      const dom = await page.evaluate(() => {
        const q = (s) => document.querySelector(s);
        const qa = (s) => [...document.querySelectorAll(s)];
        const body = q('[data-warta="body"]');
        const disclaimer = qa('[data-warta="disclaimer"]');
        const sourceLink = disclaimer[0]?.querySelector('a[data-warta="source-link"]') ?? disclaimer[0]?.querySelector('a');
        const h1 = q('h1');
        let titleEdges = null;
        if (h1) {
          const range = document.createRange();
          range.selectNodeContents(h1);
          const text = range.getBoundingClientRect();
          const box = h1.getBoundingClientRect();
          titleEdges = { startGapLtr: text.left - box.left, startGapRtl: box.right - text.right };
        }
        const notice = q('.notice');
        return {
          lang: document.documentElement.lang,
          dir: document.documentElement.dir,
          bodyDirection: body ? getComputedStyle(body).direction : null,
          bodyFont: body ? getComputedStyle(body).fontFamily : null,
          titleEdges,
          noticeBorders: notice
            ? { left: parseFloat(getComputedStyle(notice).borderLeftWidth), right: parseFloat(getComputedStyle(notice).borderRightWidth) }
            : null,
          disclaimers: disclaimer.length,
          disclaimerVisible: disclaimer.length > 0 && disclaimer[0].getBoundingClientRect().height > 0,
          disclaimerLang: disclaimer[0]?.closest('[lang]')?.getAttribute('lang') ?? null,
          sourceHref: sourceLink ? sourceLink.href : null,
          reviewed: qa('[data-warta="reviewed"]').length,
          switcherNavs: qa('[data-warta="switcher"]').length,
          switcher: qa('[data-warta="switcher"] a').map((a) => ({
            href: a.href,
            text: a.textContent.trim(),
            lang: a.getAttribute('lang'),
            hreflang: a.getAttribute('hreflang'),
            current: a.getAttribute('aria-current'),
          })),
          alternates: qa('link[rel="alternate"][hreflang]').map((l) => ({ hreflang: l.getAttribute('hreflang'), href: l.href })),
          canonicals: qa('link[rel="canonical"]').map((l) => l.href),
        };
      });

      const wantDir = RTL.has(lang) ? 'rtl' : 'ltr';
      check(where, `<html lang="${lang}">`, dom.lang === lang, `got "${dom.lang}"`);
      check(where, `<html dir="${wantDir}">`, dom.dir === wantDir, `got "${dom.dir}"`);
      check(where, `article body computes direction: ${wantDir}`, dom.bodyDirection === wantDir, `got ${dom.bodyDirection}`);
      if (FIRST_FONT[lang]) {
        check(where, `article body font stack starts with "${FIRST_FONT[lang]}"`,
          (dom.bodyFont ?? '').replaceAll('"', '').startsWith(FIRST_FONT[lang]), `got ${dom.bodyFont}`);
      }
      if (dom.titleEdges) {
        const gap = wantDir === 'rtl' ? dom.titleEdges.startGapRtl : dom.titleEdges.startGapLtr;
        check(where, `headline starts at the ${wantDir === 'rtl' ? 'right' : 'left'} edge`, Math.abs(gap) < 2, `gap ${gap.toFixed(1)}px`);
      }
      if (dom.noticeBorders) {
        const [start, end] = wantDir === 'rtl' ? ['right', 'left'] : ['left', 'right'];
        check(where, `notice rule drawn on the ${start} (start) side`,
          dom.noticeBorders[start] > 0 && dom.noticeBorders[end] === 0, JSON.stringify(dom.noticeBorders));
      }

      // hreflang alternates and canonical.
      const xDefault = dom.alternates.filter((a) => a.hreflang === 'x-default');
      const langAlternates = dom.alternates.filter((a) => a.hreflang !== 'x-default');
      const own = langAlternates.find((a) => a.hreflang === lang);
      check(where, 'exactly one x-default alternate', xDefault.length === 1, `got ${xDefault.length}`);
      check(where, 'this page is among its hreflang alternates', own?.href === url, `alternate ${own?.href}`);
      check(where, 'exactly one canonical, pointing at this page', dom.canonicals.length === 1 && dom.canonicals[0] === url,
        JSON.stringify(dom.canonicals));
      const sourceUrl = xDefault[0]?.href;
      const isSourcePage = sourceUrl === url;
      if (kind === 'source') check(where, 'x-default points at this page (the source)', isSourcePage, `x-default ${sourceUrl}`);
      else if (kind) check(where, 'x-default points at another page (the source)', sourceUrl && !isSourcePage, `x-default ${sourceUrl}`);
      const sourceStatus = sourceUrl ? await statusOf(context.request, sourceUrl) : 'missing';
      check(where, 'x-default (source) page loads with HTTP 200', sourceStatus === 200, `got ${sourceStatus}`);

      // Disclaimer and newsroom mark.
      if (kind === 'machine' || (!kind && !isSourcePage && dom.reviewed === 0)) {
        check(where, 'machine-translation disclaimer present and visible', dom.disclaimers === 1 && dom.disclaimerVisible,
          `${dom.disclaimers} found`);
        check(where, `disclaimer is in the page language (${lang})`, dom.disclaimerLang === lang, `lang ${dom.disclaimerLang}`);
        check(where, 'disclaimer links the source page', !!dom.sourceHref && dom.sourceHref === sourceUrl,
          `link ${dom.sourceHref}, x-default ${sourceUrl}`);
        check(where, 'no newsroom mark on a machine page', dom.reviewed === 0, `${dom.reviewed} found`);
      } else if (kind === 'human' || (!kind && dom.reviewed > 0)) {
        check(where, 'no machine-translation disclaimer', dom.disclaimers === 0, `${dom.disclaimers} found`);
        check(where, 'newsroom (reviewed/translated) mark present', dom.reviewed === 1, `${dom.reviewed} found`);
      } else {
        check(where, 'no machine-translation disclaimer on the source', dom.disclaimers === 0, `${dom.disclaimers} found`);
        check(where, 'no translation mark on the source', dom.reviewed === 0, `${dom.reviewed} found`);
      }

      // Language switcher.
      check(where, 'one language switcher', dom.switcherNavs === 1, `${dom.switcherNavs} found`);
      const sw = dom.switcher;
      check(where, 'switcher has one link per published language',
        sameSet(sw.map((l) => l.hreflang), langAlternates.map((a) => a.hreflang)) && new Set(sw.map((l) => l.hreflang)).size === sw.length,
        `switcher [${sw.map((l) => l.hreflang)}], alternates [${langAlternates.map((a) => a.hreflang)}]`);
      check(where, 'switcher hrefs equal the hreflang alternates',
        sameSet(sw.map((l) => `${l.hreflang} ${l.href}`), langAlternates.map((a) => `${a.hreflang} ${a.href}`)));
      const listed = pages.map((p) => p.lang).filter((l) => !sw.some((s) => s.hreflang === l));
      check(where, 'every language given on the command line is in the switcher', listed.length === 0, `missing ${listed}`);
      const badText = sw.filter((l) => !(l.hreflang in AUTONYMS) || l.text !== AUTONYMS[l.hreflang]);
      check(where, 'switcher link texts are the autonyms', badText.length === 0,
        badText.map((l) => `${l.hreflang}: "${l.text}"`).join(', '));
      const badLang = sw.filter((l) => l.lang !== l.hreflang);
      check(where, 'each switcher link carries its own lang', badLang.length === 0, badLang.map((l) => l.hreflang).join(', '));
      const current = sw.filter((l) => l.current === 'page');
      check(where, 'aria-current="page" on this language only', current.length === 1 && current[0].hreflang === lang,
        current.map((l) => l.hreflang).join(', '));
      const statuses = await Promise.all(sw.map(async (l) => [l.href, await statusOf(context.request, l.href)]));
      const broken = statuses.filter(([, s]) => s !== 200);
      check(where, `all ${sw.length} switcher links load with HTTP 200`, broken.length === 0,
        broken.map(([h, s]) => `${h} → ${s}`).join(', '));

      if (shots) {
        const file = join(shots, `${slug}-${lang}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(`     screenshot ${file}`);
      }
      check(where, 'renders without Content-Security-Policy violations', cspViolations.length === 0, cspViolations.join(' | '));
    } catch (e) {
      check(where, 'page checks ran', false, e.message.split('\n')[0]);
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
