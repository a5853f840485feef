// What the desk's browser scripts share: the checks' report ("PASS …" /
// "FAIL …" lines, then exactly "N passed, M failed", exit 1 on a failure)
// and headless Chromium started as the tests need it.

import { chromium } from 'playwright-core';

let passed = 0;
let failed = 0;

/// One check: a line saying whether it held (with `detail` when not).
export function check(what, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}${!ok && detail ? ` (${detail})` : ''}`);
  return ok;
}

/// The last line, and the exit status: 1 if any check failed.
export function finish() {
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
