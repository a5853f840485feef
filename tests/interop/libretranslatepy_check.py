"""The PyPI `libretranslatepy` client against warta: argv = base URL, API key.

It posts url-encoded forms with `api_key`; `languages()` is a GET with a form
body. Expected texts: the en→pt test model's output, as in the README.
"""
import sys

from libretranslatepy import LibreTranslateAPI

url, key = sys.argv[1], sys.argv[2]
lt = LibreTranslateAPI(url, api_key=key)
failures = []


def check(name, got, want):
    if got != want:
        failures.append(f"{name}: got {got!r}, want {want!r}")


check("translate auto", lt.translate("How are you today?", "auto", "pt"), "Como você está hoje?")
check("translate en", lt.translate("How are you today?", "en", "pt"), "Como você está hoje?")
codes = sorted(l["code"] for l in lt.languages())
check("languages", [c for c in codes if c in ("en", "pt")], ["en", "pt"])
detected = lt.detect("How are you today? The weather is fine and the city is calm.")
check("detect", detected[0]["language"], "en")
total = 4
for f in failures:
    print(f, file=sys.stderr)
print(f"libretranslatepy: {total - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
