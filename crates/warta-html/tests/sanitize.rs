//! Sanitising editor HTML: what survives and what does not. Expected values
//! are the allow-list in the crate's sanitize module, written out by hand.

use warta_html::{sanitize, sanitize_checked, HtmlError, MAX_INPUT_BYTES};

#[test]
fn script_and_its_content_are_removed() {
    assert_eq!(
        sanitize("<p>Hai<script>alert(1)</script> dunia</p>"),
        "<p>Hai dunia</p>"
    );
}

#[test]
fn event_handlers_are_removed_from_images() {
    let out = sanitize(r#"<img src="https://e.org/x.jpg" onerror="alert(1)" alt="Foto">"#);
    assert_eq!(out, r#"<img src="https://e.org/x.jpg" alt="Foto">"#);
}

#[test]
fn javascript_links_lose_their_href_but_keep_their_text() {
    let out = sanitize(r#"<p><a href="javascript:alert(1)">klik</a></p>"#);
    assert!(!out.contains("javascript"), "{out}");
    assert!(out.contains(">klik</a>"), "{out}");
    // Also the obfuscated forms browsers would still run.
    for evil in [
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
    ] {
        let out = sanitize(&format!(r#"<a href="{evil}">x</a>"#));
        assert!(
            !out.to_ascii_lowercase().contains("script"),
            "{evil} → {out}"
        );
    }
}

#[test]
fn links_keep_href_and_title_and_get_rel() {
    assert_eq!(
        sanitize(r#"<a href="https://e.org/a" title="Baca" onclick="x()" target="_blank">a</a>"#),
        r#"<a href="https://e.org/a" title="Baca" rel="noopener noreferrer">a</a>"#
    );
    // Relative (internal) and mailto links are allowed by the policy.
    assert!(sanitize(r#"<a href="/2024/banjir">a</a>"#).contains(r#"href="/2024/banjir""#));
    assert!(sanitize(r#"<a href="mailto:redaksi@e.org">a</a>"#).contains("mailto:redaksi@e.org"));
}

#[test]
fn image_sources_must_be_web_urls() {
    for bad in [
        "data:image/png;base64,AAAA",
        "mailto:x@e.org",
        "javascript:alert(1)",
    ] {
        let out = sanitize(&format!(r#"<img src="{bad}" alt="a">"#));
        assert_eq!(out, r#"<img alt="a">"#, "{bad}");
    }
}

#[test]
fn frames_styles_and_presentation_attributes_are_removed() {
    assert_eq!(
        sanitize(
            r#"<style>p{}</style><iframe src="https://e.org">x</iframe><p style="color:red" class="c" id="i">t</p>"#
        ),
        "<p>t</p>"
    );
}

#[test]
fn news_structure_survives_unchanged() {
    // Already-clean news markup must come back byte for byte.
    let html = concat!(
        r#"<figure><img src="https://e.org/a.jpg" alt="Banjir" width="640" height="480">"#,
        "<figcaption>Banjir di <strong>Jakarta</strong></figcaption></figure>",
        r#"<table><caption>Data</caption><thead><tr><th scope="col">Kota</th><th scope="col">Jumlah</th></tr></thead>"#,
        r#"<tbody><tr><td colspan="2">Bogor</td></tr></tbody></table>"#,
        r#"<blockquote cite="https://e.org/q"><p>Kutipan</p></blockquote>"#,
        r#"<ol start="3"><li><q>a</q> <abbr title="Badan">BPBD</abbr> <time datetime="2024-01-05">Jumat</time></li></ol>"#,
        r#"<p lang="en"><span lang="jv">Matur nuwun</span> <sub>2</sub><sup>3</sup><mark>m</mark><small>s</small><s>x</s><u>u</u><cite>c</cite></p>"#,
        "<pre>a  b</pre><p><code>x</code><br></p><hr><dl><dt>t</dt><dd>d</dd></dl>",
        "<h3>Sub</h3><ul><li>a</li></ul>",
    );
    assert_eq!(sanitize(html), html);
}

#[test]
fn h1_is_demoted_to_h2() {
    assert_eq!(
        sanitize("<h1 title=\"t\">Judul</h1>"),
        "<h2 title=\"t\">Judul</h2>"
    );
}

#[test]
fn checked_refuses_empty_results() {
    for empty in [
        "",
        "   ",
        "<script>alert(1)</script>",
        "<p> </p>",
        "<iframe src=x></iframe>",
    ] {
        assert_eq!(
            sanitize_checked(empty),
            Err(HtmlError::EmptyAfterSanitize),
            "{empty:?}"
        );
    }
    // An image alone is content.
    assert!(sanitize_checked(r#"<figure><img src="https://e.org/a.jpg"></figure>"#).is_ok());
    assert_eq!(sanitize_checked("<p>isi</p>").as_deref(), Ok("<p>isi</p>"));
}

#[test]
fn checked_refuses_oversized_input_with_its_size() {
    let big = format!("<p>{}</p>", "a".repeat(MAX_INPUT_BYTES));
    assert_eq!(
        sanitize_checked(&big),
        Err(HtmlError::TooLarge {
            len: MAX_INPUT_BYTES + 7,
            limit: MAX_INPUT_BYTES
        })
    );
    // The message names the problem for the API's 400 body.
    let msg = sanitize_checked(&big).unwrap_err().to_string();
    assert!(msg.contains("limit"), "{msg}");
}
