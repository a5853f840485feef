//! Property-test inputs for every function that maps text offsets
//! (feature `proptest`, for dev-dependencies only).
//!
//! Byte offsets belong to the string they were computed on; case folding,
//! normalisation and sanitising change lengths. These strategies mix the
//! characters that break code which forgets it — letters whose case mapping
//! changes byte length or character count (`İ ß ẞ ǅ Σ`), ligatures (`ﬁ`),
//! combining marks, bidi controls, ZWJ emoji sequences, NUL, very long
//! tokens — with the things news text holds (numbers, dates, URLs, names,
//! CJK and Arabic), and plain arbitrary Unicode (`\PC*`).

use proptest::prelude::*;

use crate::Lang;

/// Pieces chosen because each has broken offset code somewhere.
pub const TRICKY: &[&str] = &[
    "İ",
    "ı",
    "ß",
    "ẞ",
    "ǅ",
    "ǆ",
    "Σ",
    "ς",
    "ﬁ",
    "ﬃ",
    "ŉ",
    "ΐ",
    "Å",
    "ǰ",
    "\u{212A}",
    "\u{212B}",
    "ſ",
    "e\u{301}",
    "\u{301}",
    "\u{0307}",
    "\u{20DD}",
    "\u{202E}",
    "\u{2067}",
    "\u{2069}",
    "\u{200F}",
    "\u{200E}",
    "👨\u{200D}👩\u{200D}👧",
    "🏳\u{FE0F}\u{200D}🌈",
    "\u{200D}",
    "\u{FE0F}",
    "\0",
    "\u{FEFF}",
    "\u{200B}",
    "\u{00A0}",
    "\u{202F}",
    "\u{3000}",
    "\r\n",
    "\t",
    "\n",
    "İstanbul",
    "İSTANBUL",
    "istanbul",
    "CSTO",
    "csto",
    "Csto",
    "STRASSE",
    "Straße",
    "https://example.org/a?b=1&c=İ",
    "www.example.org",
    "user@example.org",
    "@handle",
    "#tag",
    "12,5%",
    "3.000",
    "1.234.567,89",
    "$1.5 million",
    "Rp 2,5 triliun",
    "10 km",
    "1 Maret 2024",
    "March 1, 2024",
    "10:30",
    "٣",
    "١٢٣",
    "一",
    "東京",
    "百万",
    "ヨーロッパ",
    "،",
    "العربية",
    "Virginia",
    "Virgínia",
    "Mr.",
    "U.S.",
    "e.g.",
    " ",
    ".",
    "?",
    "!",
    "。",
    "…",
    "-",
    "'",
    "’",
    "\"",
    "(",
    ")",
    "«",
    "»",
    "<",
    ">",
    "&",
    "&amp;",
    "&#x130;",
];

/// One piece of nasty text.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(TRICKY).prop_map(str::to_string),
        3 => "[a-zA-Z0-9]{1,8}",
        2 => "[ .,;:!?]{1,2}",
        1 => any::<char>().prop_map(String::from),
        1 => "\\PC{1,6}",
    ]
}

/// Text made of nasty pieces, sometimes with a very long token, or plain
/// arbitrary Unicode.
pub fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::collection::vec(piece(), 0..24).prop_map(|p| p.concat()),
        1 => (proptest::collection::vec(piece(), 0..4), "[a-zİß]{300,3000}", proptest::collection::vec(piece(), 0..4))
            .prop_map(|(a, long, b)| format!("{}{long}{}", a.concat(), b.concat())),
        2 => "\\PC*",
    ]
}

/// A short term (a glossary entry or a needle): a few nasty pieces.
pub fn nasty_term() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 1..4).prop_map(|p| p.concat())
}

/// HTML-ish text: tags an editor may send, broken ones, entities and
/// comments, around nasty text.
pub fn nasty_html() -> impl Strategy<Value = String> {
    let tag = proptest::sample::select(
        &[
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<em>",
            "</em>",
            "<strong>",
            "</strong>",
            "<a href=\"https://example.org/x\">",
            "<a href=\"/rel?a=1&amp;b=2\" title=\"T İ\">",
            "</a>",
            "<br>",
            "<br/>",
            "<img src=\"https://example.org/i.png\" alt=\"Alt İ text\">",
            "<h1>",
            "</h1>",
            "<h2>",
            "</h2>",
            "<ul>",
            "<li>",
            "</li>",
            "</ul>",
            "<blockquote>",
            "</blockquote>",
            "<code>",
            "</code>",
            "<pre>",
            "</pre>",
            "<span lang=\"tr\" dir=\"rtl\">",
            "</span>",
            "<table><tr><td>",
            "</td></tr></table>",
            "<figure><figcaption>",
            "</figcaption></figure>",
            "<script>alert(1)</script>",
            "<style>p{}</style>",
            "<!-- c -->",
            "<p style=\"color:red\" onclick=\"x()\">",
            "<",
            ">",
            "</",
            "<p",
            "&",
            "&nbsp;",
            "&#0;",
            "&#x202E;",
            "<div>",
            "</div>",
            "<sup>",
            "</sup>",
        ][..],
    )
    .prop_map(str::to_string);
    let part = prop_oneof![2 => tag, 3 => piece()];
    prop_oneof![
        6 => proptest::collection::vec(part, 0..40).prop_map(|p| p.concat()),
        1 => "\\PC*",
    ]
}

/// One of warta's languages: Latin, Arabic and CJK scripts, spaced and not.
pub fn any_lang() -> impl Strategy<Value = Lang> {
    proptest::sample::select(&["en", "pt", "id", "fr", "tr", "de", "ar", "zh", "ja"][..])
        .prop_map(|c| Lang::parse(c).expect("a known code"))
}
