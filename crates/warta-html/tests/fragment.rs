//! Units of a news fragment and rendering translations back into it.
//!
//! Every expected unit list and every expected HTML string below is written
//! by hand from the crate's contract (one unit per text-carrying block and
//! per alt/title attribute, document order; identity translation reproduces
//! the fragment; links always survive), not copied from output.

use std::ops::Range;
use warta_html::{sanitize, Fragment, HtmlError, InlineSpan, Unit, UnitKind, UnitTranslation};

const NEWS: &str = concat!(
    "<h2>Banjir melanda Jakarta</h2>\n",
    r#"<p>Hujan deras sejak <time datetime="2024-01-05">Jumat</time> membuat "#,
    r#"<a href="https://example.org/banjir" title="Laporan lengkap">ribuan warga</a> mengungsi, kata <em>BPBD</em>.</p>"#,
    "\n",
    r#"<figure><img src="https://example.org/a.jpg" alt="Warga menyeberangi banjir">"#,
    "<figcaption>Warga di <strong>Kampung Melayu</strong>.</figcaption></figure>\n",
    "<table><caption>Korban per wilayah</caption><tbody><tr><th>Wilayah</th><th>Jumlah</th></tr>",
    "<tr><td>Jakarta Timur</td><td>1.200</td></tr></tbody></table>\n",
    "<pre>make   test\n</pre>\n",
    "<p>Jalankan <code>make  test</code> lagi.</p>",
);

fn block(tag: &str, text: &str, spans: Vec<InlineSpan>) -> Unit {
    Unit {
        text: text.into(),
        kind: UnitKind::Block { tag: tag.into() },
        spans,
    }
}

fn attr(tag: &str, name: &str, text: &str) -> Unit {
    Unit {
        text: text.into(),
        kind: UnitKind::Attribute {
            tag: tag.into(),
            name: name.into(),
        },
        spans: vec![],
    }
}

/// Byte range of `needle` in `text` (first occurrence).
fn at(text: &str, needle: &str) -> Range<usize> {
    let start = text.find(needle).expect("needle in text");
    start..start + needle.len()
}

fn span(tag: &str, attrs: &[(&str, &str)], range: Range<usize>, depth: usize) -> InlineSpan {
    InlineSpan {
        tag: tag.into(),
        attrs: attrs
            .iter()
            .map(|(a, v)| (a.to_string(), v.to_string()))
            .collect(),
        range,
        depth,
    }
}

fn identity(f: &Fragment) -> Vec<UnitTranslation> {
    f.units().iter().map(UnitTranslation::identity).collect()
}

/// Checks that every end tag closes the innermost open element: what
/// "well-formed" means. A re-parse would not do — the HTML parser silently
/// repairs crossing tags.
fn assert_well_formed(html: &str) {
    let void = ["br", "img", "hr", "wbr"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let gt = rest[lt..].find('>').expect("tag is closed") + lt;
        let tag = &rest[lt + 1..gt];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name),
                "crossing tags in {html}"
            );
        } else {
            let name = tag.split(' ').next().unwrap_or("").to_string();
            if !void.contains(&name.as_str()) {
                stack.push(name);
            }
        }
        rest = &rest[gt + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?} in {html}");
}

/// Text content of rendered HTML (tags removed, the few entities we emit
/// decoded).
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn units_of_a_news_fragment_are_the_blocks_and_attributes() {
    let f = Fragment::parse(NEWS).unwrap();
    let p = "Hujan deras sejak Jumat membuat ribuan warga mengungsi, kata BPBD.";
    let cap = "Warga di Kampung Melayu.";
    let code_p = "Jalankan make test lagi.";
    let expected = vec![
        block("h2", "Banjir melanda Jakarta", vec![]),
        block(
            "p",
            p,
            vec![
                span("time", &[("datetime", "2024-01-05")], at(p, "Jumat"), 0),
                span(
                    "a",
                    &[
                        ("href", "https://example.org/banjir"),
                        ("title", "Laporan lengkap"),
                    ],
                    at(p, "ribuan warga"),
                    0,
                ),
                span("em", &[], at(p, "BPBD"), 0),
            ],
        ),
        attr("a", "title", "Laporan lengkap"),
        attr("img", "alt", "Warga menyeberangi banjir"),
        block(
            "figcaption",
            cap,
            vec![span("strong", &[], at(cap, "Kampung Melayu"), 0)],
        ),
        block("caption", "Korban per wilayah", vec![]),
        block("th", "Wilayah", vec![]),
        block("th", "Jumlah", vec![]),
        block("td", "Jakarta Timur", vec![]),
        block("td", "1.200", vec![]),
        // The pre is never a unit; inline code's text is (collapsed).
        block(
            "p",
            code_p,
            vec![span("code", &[], at(code_p, "make test"), 0)],
        ),
    ];
    assert_eq!(f.units(), expected.as_slice());
}

#[test]
fn loose_text_blockquote_and_nested_lists_get_their_own_units() {
    let f = Fragment::parse(concat!(
        "Teks lepas <b>tebal</b>",
        "<blockquote><p>Kutipan</p>— <cite>Menteri</cite></blockquote>",
        "<ul><li>Satu<ul><li>Dua</li></ul></li></ul>",
        "<dl><dt>Istilah</dt><dd>Arti</dd></dl>",
    ))
    .unwrap();
    let loose = "Teks lepas tebal";
    let quote = "— Menteri";
    let expected = vec![
        Unit {
            text: loose.into(),
            kind: UnitKind::Root,
            spans: vec![span("b", &[], at(loose, "tebal"), 0)],
        },
        block("p", "Kutipan", vec![]),
        block(
            "blockquote",
            quote,
            vec![span("cite", &[], at(quote, "Menteri"), 0)],
        ),
        block("li", "Satu", vec![]),
        block("li", "Dua", vec![]),
        block("dt", "Istilah", vec![]),
        block("dd", "Arti", vec![]),
    ];
    assert_eq!(f.units(), expected.as_slice());
}

#[test]
fn source_round_trips_unchanged() {
    // NEWS is written the way the serialiser writes (explicit tbody, quoted
    // attributes), so the round trip is byte-exact.
    let f = Fragment::parse(NEWS).unwrap();
    assert_eq!(f.render_source_unchanged(), NEWS);
}

#[test]
fn identity_translation_reproduces_the_fragment() {
    let f = Fragment::parse(NEWS).unwrap();
    assert_eq!(f.render(&identity(&f)).unwrap(), NEWS);
}

#[test]
fn identity_translation_of_messy_html_is_equivalent_after_normalising_whitespace() {
    // Whitespace inside a block is collapsed and trimmed by the unit text;
    // the hand-written expectation is the same markup, tidily spaced.
    let messy = "<p>\n  Satu <b> dua </b>\n <i>tiga</i>  </p>\n<ul>\n <li> empat </li>\n</ul>";
    let f = Fragment::parse(messy).unwrap();
    assert_eq!(
        f.render(&identity(&f)).unwrap(),
        "<p>Satu <b>dua</b> <i>tiga</i></p>\n<ul>\n <li>empat</li>\n</ul>"
    );
}

#[test]
fn hand_written_translation_puts_every_tag_on_its_words() {
    let f = Fragment::parse(NEWS).unwrap();
    let p = "Heavy rain since Friday forced thousands of residents to flee, BPBD said.";
    let cap = "Residents in Kampung Melayu.";
    let code_p = "Run make test again.";
    let plain = |t: &str| UnitTranslation {
        text: t.into(),
        spans: vec![],
    };
    let tr = vec![
        plain("Floods hit Jakarta"),
        UnitTranslation {
            text: p.into(),
            spans: vec![
                Some(at(p, "Friday")),
                Some(at(p, "thousands of residents")),
                Some(at(p, "BPBD")),
            ],
        },
        plain("Full report"),
        plain("Residents wade through the flood"),
        UnitTranslation {
            text: cap.into(),
            spans: vec![Some(at(cap, "Kampung Melayu"))],
        },
        plain("Victims by area"),
        plain("Area"),
        plain("Count"),
        plain("East Jakarta"),
        plain("1,200"),
        UnitTranslation {
            text: code_p.into(),
            spans: vec![Some(at(code_p, "make test"))],
        },
    ];
    let expected = concat!(
        "<h2>Floods hit Jakarta</h2>\n",
        r#"<p>Heavy rain since <time datetime="2024-01-05">Friday</time> forced "#,
        r#"<a href="https://example.org/banjir" title="Full report">thousands of residents</a> to flee, <em>BPBD</em> said.</p>"#,
        "\n",
        r#"<figure><img src="https://example.org/a.jpg" alt="Residents wade through the flood">"#,
        "<figcaption>Residents in <strong>Kampung Melayu</strong>.</figcaption></figure>\n",
        "<table><caption>Victims by area</caption><tbody><tr><th>Area</th><th>Count</th></tr>",
        "<tr><td>East Jakarta</td><td>1,200</td></tr></tbody></table>\n",
        "<pre>make   test\n</pre>\n",
        // Code comes back verbatim, double space included.
        "<p>Run <code>make  test</code> again.</p>",
    );
    assert_eq!(f.render(&tr).unwrap(), expected);
}

#[test]
fn unplaced_single_link_wraps_the_whole_text() {
    let f =
        Fragment::parse(r#"<p>Baca <a href="https://e.org/x">laporan lengkap</a> di sini.</p>"#)
            .unwrap();
    let tr = UnitTranslation {
        text: "Read the full report here.".into(),
        spans: vec![None],
    };
    assert_eq!(
        f.render(&[tr]).unwrap(),
        r#"<p><a href="https://e.org/x">Read the full report here.</a></p>"#
    );
}

#[test]
fn unplaced_link_among_several_is_appended_with_its_original_text() {
    let f = Fragment::parse(
        r#"<p><a href="https://e.org/1">Satu</a> dan <a href="https://e.org/2">dua</a>.</p>"#,
    )
    .unwrap();
    let tr = UnitTranslation {
        text: "One and two.".into(),
        spans: vec![Some(0..3), None],
    };
    assert_eq!(
        f.render(&[tr]).unwrap(),
        r#"<p><a href="https://e.org/1">One</a> and two. <a href="https://e.org/2">dua</a></p>"#
    );
}

#[test]
fn unplaced_non_link_is_dropped_but_its_text_kept() {
    let f = Fragment::parse("<p><em>sangat</em> penting</p>").unwrap();
    let tr = UnitTranslation {
        text: "very important".into(),
        spans: vec![None],
    };
    assert_eq!(f.render(&[tr]).unwrap(), "<p>very important</p>");
}

#[test]
fn text_and_attributes_are_escaped() {
    let f =
        Fragment::parse(r#"<p title="a &quot;b&quot; &amp; c">x &lt; y &amp; z "q"</p>"#).unwrap();
    // The p's own attribute precedes its text (document order of start tags).
    assert_eq!(f.units()[0].text, r#"a "b" & c"#);
    assert_eq!(f.units()[1].text, r#"x < y & z "q""#);
    assert_eq!(
        f.render(&identity(&f)).unwrap(),
        r#"<p title="a &quot;b&quot; &amp; c">x &lt; y &amp; z "q"</p>"#
    );
    let tr = vec![
        UnitTranslation {
            text: r#"" onmouseover="alert(1)"#.into(),
            spans: vec![],
        },
        UnitTranslation {
            text: "<script>alert(1)</script> & more".into(),
            spans: vec![],
        },
    ];
    assert_eq!(
        f.render(&tr).unwrap(),
        r#"<p title="&quot; onmouseover=&quot;alert(1)">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"#
    );
}

#[test]
fn translations_must_match_the_units() {
    let f = Fragment::parse(NEWS).unwrap();
    let mut tr = identity(&f);
    tr.pop();
    assert_eq!(
        f.render(&tr),
        Err(HtmlError::TranslationCount {
            expected: 11,
            got: 10
        })
    );
}

/// A tiny deterministic generator, so the property test below is
/// reproducible without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn any_span_placement_renders_well_formed_html_keeping_text_and_links() {
    // Two links, nesting three deep, a void element: every kind of span
    // whose content is the translation (code is left out: its content is
    // the original by design). Placements are arbitrary — crossing, reversed, out of bounds,
    // inside a multi-byte character, missing.
    let f = Fragment::parse(concat!(
        r#"<p><a href="https://e.org/1"><b>satu <i>dua</i></b></a> <em>tiga</em><br>"#,
        r#"<a href="https://e.org/2">empat</a> <small>lima</small></p>"#
    ))
    .unwrap();
    let n = f.units()[0].spans.len();
    assert_eq!(n, 7);
    let text = "ünö dös trés qüatro çinco seis";
    let mut rng = Lcg(7);
    for _ in 0..3000 {
        let spans = (0..n)
            .map(|_| match rng.next(6) {
                0 => None,
                _ => {
                    let a = rng.next(text.len() + 3);
                    let b = rng.next(text.len() + 3);
                    Some(Range { start: a, end: b })
                }
            })
            .collect();
        let tr = UnitTranslation {
            text: text.into(),
            spans,
        };
        let out = f.render(std::slice::from_ref(&tr)).unwrap();
        assert_well_formed(&out);
        for href in ["https://e.org/1", "https://e.org/2"] {
            assert_eq!(
                out.matches(href).count(),
                1,
                "{href} lost or doubled in {out} from {tr:?}"
            );
        }
        // The translation is all there, in order; only appended links add
        // text after it.
        let got = text_of(&out);
        let words: Vec<&str> = text.split(' ').collect();
        let mut pos = 0;
        for w in words {
            let found = got[pos..]
                .find(w)
                .unwrap_or_else(|| panic!("{w} missing in {got}"));
            pos += found + w.len();
        }
    }
}

#[test]
fn malformed_html_never_panics() {
    let inputs = [
        "<p><b>unclosed",
        "</a></p></div>",
        "<a href=x><a href=y>nested links</a></a>",
        "<table><p>x</table>y</td>",
        "<<>>&&;&#xFFFFFF;&#0;",
        "\0<p>\0</p>",
        "<b><i>cross</b></i>",
        "<p title='unterminated>",
        "<code><p>block in code</p></code>",
        "<a href=x><p>block in link</p></a>",
        "<ul><li>a<li>b</ul></li>",
        "<img alt>",
        "<svg><a xlink:href=x>t</a></svg>",
        "<pre>\n\nx</pre>",
        "<br/><br></br>",
        "",
    ];
    for html in inputs {
        for input in [html.to_string(), sanitize(html)] {
            let f = Fragment::parse(&input).unwrap();
            let _ = f.render_source_unchanged();
            let out = f.render(&identity(&f)).unwrap();
            // Renders of sanitised input must also be well-formed.
            if input != html {
                assert_well_formed(&out);
            }
            // Garbage translations: empty text, out-of-range spans.
            let garbage: Vec<UnitTranslation> = f
                .units()
                .iter()
                .map(|u| UnitTranslation {
                    text: String::new(),
                    spans: u
                        .spans
                        .iter()
                        .map(|_| Some(Range { start: 5, end: 1 }))
                        .collect(),
                })
                .collect();
            let out = f.render(&garbage).unwrap();
            if input != html {
                assert_well_formed(&out);
            }
        }
    }
}
