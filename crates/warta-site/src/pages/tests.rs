//! Pages rendered and read back with a real HTML parser (scraper, i.e.
//! html5ever), asserting what DESIGN.md "HTTP" promises for every page.
//! Expected autonyms are DESIGN.md's language table (plus CLDR's "Português").

use std::collections::BTreeSet;

use scraper::{Html, Selector};
use warta_core::{Lang, Slug};

use crate::*;

const LANGS: [&str; 7] = ["id", "en", "zh", "ja", "ar", "fr", "pt"];

/// DESIGN.md language table, "name (own language)" column; pt from CLDR.
fn expected_autonym(code: &str) -> &'static str {
    match code {
        "id" => "Bahasa Indonesia",
        "en" => "English",
        "zh" => "中文（简体）",
        "ja" => "日本語",
        "ar" => "العربية",
        "fr" => "Français",
        "pt" => "Português",
        _ => unreachable!(),
    }
}

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

fn site_with_source(source: &str) -> Site {
    let langs: Vec<Lang> = LANGS.iter().map(|c| lang(c)).collect();
    Site::new(
        "Warta",
        "https://news.example",
        lang(source),
        &langs,
        Messages::builtin(),
    )
    .unwrap()
}

fn slug() -> Slug {
    Slug::parse("banjir-jakarta").unwrap()
}

const PUBLISHED: i64 = 1_740_960_309; // 2025-03-03T00:05:09Z (GNU date)
const TRANSLATED: i64 = 1_740_960_381; // 2025-03-03T00:06:21Z

fn article<'a>(site: &'a Site, page_lang: &str, origin: Origin, title: &str) -> ArticlePage<'a> {
    let l = lang(page_lang);
    let published: Vec<Lang> = LANGS.iter().map(|c| lang(c)).collect();
    ArticlePage {
        site,
        lang: l,
        alternates: site.article_alternates(&slug(), site.source(), &published),
        canonical_url: site.article_url(l, &slug()),
        title: title.to_string(),
        summary: "Rain & \"wind\" hit the capital.".into(),
        body_html: "<p>Hujan <em>deras</em> turun.</p><blockquote><p>Quote</p></blockquote>".into(),
        author: Some("Siti Rahma".into()),
        published_at: Timestamp::from_unix_secs(PUBLISHED),
        translated_at: (origin != Origin::Source).then(|| Timestamp::from_unix_secs(TRANSLATED)),
        corrected_at: None,
        origin,
    }
}

fn machine() -> Origin {
    Origin::Machine {
        model: "opus-mt-id-en@2024-05".into(),
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn attr<'a>(doc: &'a Html, selector: &str, name: &str) -> Vec<&'a str> {
    doc.select(&sel(selector))
        .filter_map(|e| e.value().attr(name))
        .collect()
}

/// A machine page's source: Indonesian, except for the Indonesian page,
/// which the `source = "en"` newsroom of DESIGN.md translates into.
fn source_for(page_lang: &str) -> &'static str {
    if page_lang == "id" {
        "en"
    } else {
        "id"
    }
}

#[test]
fn every_language_machine_page_has_lang_dir_canonical_alternates_switcher_and_disclaimer() {
    for code in LANGS {
        let source = source_for(code);
        let site = site_with_source(source);
        let page = article(&site, code, machine(), "Banjir di Jakarta");
        let doc = Html::parse_document(&render_article(&page));
        let url = |c: &str| format!("https://news.example/{c}/banjir-jakarta");

        // <html lang dir>: direction from DESIGN.md's table (only Arabic is rtl).
        assert_eq!(attr(&doc, "html", "lang"), [code], "{code}");
        assert_eq!(
            attr(&doc, "html", "dir"),
            [if code == "ar" { "rtl" } else { "ltr" }],
            "{code}"
        );
        assert_eq!(attr(&doc, "meta[charset]", "charset"), ["utf-8"]);
        assert_eq!(doc.select(&sel("meta[name=viewport]")).count(), 1);

        // Exactly one canonical, pointing at this page.
        assert_eq!(
            attr(&doc, "link[rel=canonical]", "href"),
            [url(code)],
            "{code}"
        );

        // hreflang alternates: every published language plus x-default → source.
        let alternates: BTreeSet<(String, String)> = doc
            .select(&sel("link[rel=alternate][hreflang]"))
            .map(|e| {
                (
                    e.value().attr("hreflang").unwrap().to_string(),
                    e.value().attr("href").unwrap().to_string(),
                )
            })
            .collect();
        let mut expected: BTreeSet<(String, String)> =
            LANGS.iter().map(|c| (c.to_string(), url(c))).collect();
        expected.insert(("x-default".into(), url(source)));
        assert_eq!(alternates, expected, "{code}");

        // Switcher: autonyms as link texts, own lang and hreflang on each link,
        // aria-current on this page's language only.
        let links: Vec<_> = doc.select(&sel("nav[data-warta=switcher] a")).collect();
        assert_eq!(links.len(), LANGS.len(), "{code}");
        for a in &links {
            let l = a.value().attr("lang").unwrap();
            assert_eq!(a.text().collect::<String>(), expected_autonym(l), "{code}");
            assert_eq!(a.value().attr("hreflang"), Some(l));
            assert_eq!(a.value().attr("href"), Some(url(l).as_str()));
            assert_eq!(
                a.value().attr("aria-current").is_some(),
                l == code,
                "{code}: {l}"
            );
        }

        // Disclaimer in the page's language, linking the source page.
        let disclaimers: Vec<_> = doc.select(&sel("[data-warta=disclaimer]")).collect();
        assert_eq!(disclaimers.len(), 1, "{code}");
        let text: String = disclaimers[0].text().collect();
        let phrase = match code {
            "id" => "diterjemahkan oleh mesin",
            "en" => "translated by machine",
            "zh" => "机器翻译",
            "ja" => "機械翻訳",
            "ar" => "آليًا",
            "fr" => "traduit automatiquement",
            "pt" => "traduzido automaticamente",
            _ => unreachable!(),
        };
        assert!(text.contains(phrase), "{code}: {text}");
        let link = disclaimers[0]
            .select(&sel("a[data-warta=source-link]"))
            .next()
            .expect("source link");
        assert_eq!(
            link.value().attr("href"),
            Some(url(source).as_str()),
            "{code}"
        );
        assert!(
            text.contains("opus-mt-id-en@2024-05"),
            "{code}: model named"
        );
        assert_eq!(
            doc.select(&sel("[data-warta=reviewed]")).count(),
            0,
            "{code}"
        );

        // Publication and translation times, machine-readable.
        assert_eq!(
            attr(&doc, "time", "datetime"),
            ["2025-03-03T00:05:09Z", "2025-03-03T00:06:21Z"],
            "{code}"
        );
    }
}

#[test]
fn disclaimer_names_the_source_language_in_the_page_language() {
    // The names come from CLDR's language display names for each locale.
    for (code, name) in [
        ("en", "Indonesian"),
        ("zh", "印尼语"),
        ("ja", "インドネシア語"),
        ("ar", "الإندونيسية"),
        ("fr", "indonésien"),
        ("pt", "indonésio"),
    ] {
        let site = site_with_source("id");
        let doc = Html::parse_document(&render_article(&article(&site, code, machine(), "t")));
        let link = doc
            .select(&sel("[data-warta=disclaimer] a"))
            .next()
            .unwrap();
        assert_eq!(link.text().collect::<String>(), name, "{code}");
    }
    // A page language without a name for the source falls back to the
    // source's autonym, marked with its own lang.
    let site = site_with_source("id");
    let mut page = article(&site, "de", machine(), "t");
    page.alternates = site.article_alternates(&slug(), lang("id"), &[lang("de")]);
    let doc = Html::parse_document(&render_article(&page));
    let link = doc
        .select(&sel("[data-warta=disclaimer] a"))
        .next()
        .unwrap();
    assert_eq!(link.text().collect::<String>(), "Bahasa Indonesia");
    assert_eq!(link.value().attr("lang"), Some("id"));
}

#[test]
fn human_pages_show_the_newsroom_mark_and_no_disclaimer() {
    for code in LANGS {
        let site = site_with_source(source_for(code));
        for (origin, reviewed) in [
            (Origin::Human { reviewed: true }, "true"),
            (Origin::Human { reviewed: false }, "false"),
        ] {
            let doc = Html::parse_document(&render_article(&article(&site, code, origin, "t")));
            assert_eq!(
                doc.select(&sel("[data-warta=disclaimer]")).count(),
                0,
                "{code}"
            );
            assert_eq!(
                attr(&doc, "[data-warta=reviewed]", "data-reviewed"),
                [reviewed],
                "{code}"
            );
            assert_eq!(
                doc.select(&sel("[data-warta=outdated]")).count(),
                0,
                "{code}"
            );
        }
    }
}

#[test]
fn outdated_human_page_notes_the_update_and_links_the_original() {
    let site = site_with_source("id");
    let doc = Html::parse_document(&render_article(&article(
        &site,
        "fr",
        Origin::HumanOutdated,
        "t",
    )));
    assert_eq!(doc.select(&sel("[data-warta=disclaimer]")).count(), 0);
    assert_eq!(doc.select(&sel("[data-warta=reviewed]")).count(), 1);
    let note = doc
        .select(&sel("[data-warta=outdated]"))
        .next()
        .expect("outdated note");
    assert!(note.text().collect::<String>().contains("mis à jour"));
    assert_eq!(
        attr(&doc, "[data-warta=outdated] a", "href"),
        ["https://news.example/id/banjir-jakarta"]
    );
}

#[test]
fn source_page_has_no_disclaimer_no_mark_and_no_translation_time() {
    let site = site_with_source("id");
    let doc = Html::parse_document(&render_article(&article(&site, "id", Origin::Source, "t")));
    for hook in ["disclaimer", "reviewed", "outdated"] {
        assert_eq!(
            doc.select(&sel(&format!("[data-warta={hook}]"))).count(),
            0,
            "{hook}"
        );
    }
    assert_eq!(attr(&doc, "time", "datetime"), ["2025-03-03T00:05:09Z"]);
    assert_eq!(
        attr(&doc, "link[hreflang=x-default]", "href"),
        ["https://news.example/id/banjir-jakarta"]
    );
}

#[test]
fn arabic_page_is_rtl_and_foreign_autonyms_keep_their_direction() {
    let site = site_with_source("id");
    let doc = Html::parse_document(&render_article(&article(&site, "ar", machine(), "t")));
    assert_eq!(attr(&doc, "html", "dir"), ["rtl"]);
    assert_eq!(
        attr(&doc, "nav[data-warta=switcher] a[lang=en]", "dir"),
        ["ltr"]
    );
    assert_eq!(
        attr(&doc, "nav[data-warta=switcher] a[lang=ar]", "dir"),
        ["rtl"]
    );
}

const XSS: &str = "<script>alert(1)</script>";

#[test]
fn script_in_title_summary_and_author_is_escaped_on_the_page() {
    let site = site_with_source("id");
    let mut page = article(
        &site,
        "en",
        machine(),
        &format!("Floods {XSS} \"quoted\" 'single'"),
    );
    page.summary = format!("Summary {XSS}");
    page.author = Some(format!("Eve {XSS}"));
    let html = render_article(&page);
    assert!(!html.contains(XSS), "raw script tag in output");
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script")).count(), 0);
    let h1: String = doc.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1, format!("Floods {XSS} \"quoted\" 'single'"));
    let title: String = doc.select(&sel("title")).next().unwrap().text().collect();
    assert!(title.starts_with(&format!("Floods {XSS}")));
    assert_eq!(
        attr(&doc, "meta[name=description]", "content"),
        [format!("Summary {XSS}")]
    );
}

#[test]
fn article_body_is_inserted_as_trusted_html() {
    let site = site_with_source("id");
    let doc = Html::parse_document(&render_article(&article(&site, "en", machine(), "t")));
    assert_eq!(
        doc.select(&sel("[data-warta=body] blockquote p")).count(),
        1
    );
    assert_eq!(doc.select(&sel("[data-warta=body] em")).count(), 1);
}

#[test]
fn configured_disclaimer_replaces_the_builtin_and_stays_escaped() {
    let mut o = MessageOverrides::new();
    o.entry("fr".into()).or_default().insert(
        "disclaimer_machine".into(),
        "<b>Traduction</b> automatique ; l’original en {source_link} prime.".into(),
    );
    let langs: Vec<Lang> = LANGS.iter().map(|c| lang(c)).collect();
    let messages = Messages::builtin().with_overrides(&o).unwrap();
    let site = Site::new(
        "Warta",
        "https://news.example",
        lang("id"),
        &langs,
        messages,
    )
    .unwrap();
    let doc = Html::parse_document(&render_article(&article(&site, "fr", machine(), "t")));
    let d = doc
        .select(&sel("[data-warta=disclaimer] p"))
        .next()
        .unwrap();
    assert_eq!(
        d.text().collect::<String>(),
        "<b>Traduction</b> automatique ; l’original en indonésien prime."
    );
    assert_eq!(doc.select(&sel("[data-warta=disclaimer] b")).count(), 0);
}

#[test]
fn front_page_lists_articles_links_feed_and_switches_between_front_pages() {
    let site = site_with_source("id");
    let items = vec![
        ArticleSummary {
            title: format!("One {XSS}"),
            summary: "First.".into(),
            url: "https://news.example/ja/one".into(),
            published_at: Timestamp::from_unix_secs(PUBLISHED),
            origin: machine(),
        },
        ArticleSummary {
            title: "Two".into(),
            summary: String::new(),
            url: "https://news.example/ja/two".into(),
            published_at: Timestamp::from_unix_secs(PUBLISHED - 3600),
            origin: Origin::Human { reviewed: true },
        },
    ];
    let html = render_front_page(&FrontPage {
        site: &site,
        lang: lang("ja"),
        articles: items,
    });
    assert!(!html.contains(XSS));
    let doc = Html::parse_document(&html);
    assert_eq!(attr(&doc, "html", "lang"), ["ja"]);
    assert_eq!(
        attr(&doc, ".article-item h2 a", "href"),
        ["https://news.example/ja/one", "https://news.example/ja/two"]
    );
    assert_eq!(
        doc.select(&sel(".article-item .badge")).count(),
        1,
        "machine badge on the machine item only"
    );
    assert_eq!(
        attr(&doc, "link[rel=canonical]", "href"),
        ["https://news.example/ja/"]
    );
    assert_eq!(
        attr(&doc, "link[hreflang=x-default]", "href"),
        ["https://news.example/id/"]
    );
    assert_eq!(
        doc.select(&sel("link[rel=alternate][hreflang]")).count(),
        LANGS.len() + 1
    );
    let switcher = attr(&doc, "nav[data-warta=switcher] a", "href");
    assert_eq!(
        switcher,
        LANGS.map(|c| format!("https://news.example/{c}/"))
    );
    assert!(attr(&doc, "a", "href").contains(&"https://news.example/ja/feed.xml"));
    assert_eq!(
        attr(&doc, "link[type='application/rss+xml']", "href"),
        ["https://news.example/ja/feed.xml"]
    );
}

#[test]
fn empty_front_page_says_so() {
    let site = site_with_source("id");
    let doc = Html::parse_document(&render_front_page(&FrontPage {
        site: &site,
        lang: lang("ar"),
        articles: vec![],
    }));
    assert_eq!(attr(&doc, "html", "dir"), ["rtl"]);
    assert_eq!(
        doc.select(&sel(".empty"))
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
        "لا توجد مقالات بعد."
    );
}

#[test]
fn not_found_page_is_localised_noindex_and_has_no_alternates() {
    let site = site_with_source("id");
    let doc = Html::parse_document(&render_not_found(&site, lang("zh")));
    assert_eq!(attr(&doc, "html", "lang"), ["zh"]);
    assert_eq!(attr(&doc, "meta[name=robots]", "content"), ["noindex"]);
    assert_eq!(
        doc.select(&sel("link[rel=canonical], link[hreflang]"))
            .count(),
        0
    );
    assert_eq!(
        doc.select(&sel("h1"))
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
        "页面未找到"
    );
    assert_eq!(
        doc.select(&sel("nav[data-warta=switcher] a")).count(),
        LANGS.len()
    );
}

#[test]
fn every_page_links_the_versioned_stylesheet() {
    let site = site_with_source("id");
    let doc = Html::parse_document(&render_not_found(&site, lang("en")));
    let href = attr(&doc, "link[rel=stylesheet]", "href");
    assert_eq!(href.len(), 1);
    assert!(href[0].starts_with("https://news.example/assets/site.css?v="));
}
