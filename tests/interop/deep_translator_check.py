"""deep-translator's `LibreTranslator` (PyPI `deep-translator`) against warta:
argv = base URL, API key.

It posts its fields (q, source, target, format, api_key) as a query string on
a POST with an empty body and no content type; `translate_batch` is one such
request per text. Expected texts: the en→pt test model's output, as in the
README ("How are you today?" → "Como você está hoje?"; "Good morning." →
"Bom dia.", from `warta translate --from en --to pt` with the same model).
"""
import sys

from deep_translator import LibreTranslator

url, key = sys.argv[1], sys.argv[2]
# deep-translator appends "translate" to the URL as given.
base = url.rstrip("/") + "/"
failures = []


def check(name, got, want):
    if got != want:
        failures.append(f"{name}: got {got!r}, want {want!r}")


auto = LibreTranslator(source="auto", target="pt", api_key=key, custom_url=base)
check("translate auto", auto.translate("How are you today?"), "Como você está hoje?")
en = LibreTranslator(source="en", target="pt", api_key=key, custom_url=base)
check("translate en", en.translate("How are you today?"), "Como você está hoje?")
check(
    "translate_batch auto",
    auto.translate_batch(["How are you today?", "Good morning."]),
    ["Como você está hoje?", "Bom dia."],
)
wrong = LibreTranslator(source="en", target="pt", api_key="not-a-key", custom_url=base)
try:
    wrong.translate("How are you today?")
    failures.append("a wrong key translated")
except Exception as e:  # deep-translator raises AuthorizationException on 403
    check("wrong key", type(e).__name__, "AuthorizationException")
total = 4
for f in failures:
    print(f, file=sys.stderr)
print(f"deep-translator: {total - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
