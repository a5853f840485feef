// The npm `libretranslate` client (1.0.1) against warta: argv = base URL, API key.
// It sends JSON with `apiKey` (camelCase) and defaults `source` to "auto".
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { translate } = require("libretranslate");

const [apiurl, apiKey] = process.argv.slice(2);
let passed = 0;
let failed = 0;
async function check(name, got, want) {
  if (got === want) {
    passed++;
  } else {
    failed++;
    console.error(`${name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}
// Expected text: the en→pt test model's output, as in the README.
await check("en→pt", await translate({ query: "How are you today?", source: "en", target: "pt", apiurl, apiKey }), "Como você está hoje?");
await check("auto→pt", await translate({ query: "How are you today?", target: "pt", apiurl, apiKey }), "Como você está hoje?");
console.log(`libretranslate (npm): ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
