#!/usr/bin/env node
// CJK pages render real glyphs, not tofu (issue 21: CI installs
// fonts-noto-cjk). For each page, Chromium itself is asked which platform
// fonts drew the text of an element and how many glyphs each drew
// (DevTools protocol `CSS.getPlatformFontsForNode`, the data behind the
// "Rendered Fonts" pane): the Han, Hiragana and Katakana characters of the
// element must all be drawn by the font the site's stylesheet names for the
// language — `Noto Sans CJK SC` for zh, `Noto Sans CJK JP` for ja
// (warta-site's site.css) — and not by a fallback that has no such glyphs.
//
// Usage:
//   node cjk-glyphs.mjs BASE_URL PATH:SELECTOR:FONT ...
//   e.g. node cjk-glyphs.mjs http://127.0.0.1:8000 '/zh/floods:h1:Noto Sans CJK SC'
//
// Env: CHROMIUM=PATH overrides /usr/bin/chromium.
// Prints one line per check and finally exactly "N passed, M failed";
// exits 1 if any check failed, 2 on bad usage or if the browser won't start.

import { check, finish, launch } from './harness.mjs';

const [base, ...specs] = process.argv.slice(2);
if (!/^https?:\/\//.test(base || '') || specs.length === 0 || specs.some((s) => s.split(':').length < 3)) {
  console.error('usage: node cjk-glyphs.mjs BASE_URL PATH:SELECTOR:FONT ...');
  process.exit(2);
}
const baseUrl = base.replace(/\/+$/, '');
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;

const browser = await launch('cjk-glyphs');
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
try {
  for (const spec of specs) {
    const [path, selector, ...rest] = spec.split(':');
    const font = rest.join(':');
    const resp = await page.goto(`${baseUrl}${path}`);
    check(`${path} answers 200`, resp?.status() === 200, `${resp?.status()}`);
    const text = await page.locator(selector).first().innerText();
    const cjkChars = (text.match(CJK) || []).length;
    check(`${path} ${selector} has CJK text`, cjkChars > 0, text);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    const used = fonts.map((f) => `${f.familyName} ×${f.glyphCount}`).join(', ');
    console.log(`INFO ${path} ${selector}: ${cjkChars} CJK characters; fonts drawing it: ${used}`);
    const drawn = fonts.filter((f) => f.familyName === font).reduce((n, f) => n + f.glyphCount, 0);
    check(`${path} ${selector}: ${font} draws all ${cjkChars} CJK characters`, drawn >= cjkChars, used);
  }
} catch (e) {
  check('the check ran to its end', false, e.message.split('\n')[0]);
} finally {
  await browser.close();
}
finish();
