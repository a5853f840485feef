//! `sitemap.xml` with hreflang alternates, as the sitemaps protocol
//! (<https://www.sitemaps.org/protocol.html>) and Google's "localized
//! versions" extension describe: one `<url>` per language version, each
//! listing every version of the page (itself included) and `x-default`.

use std::fmt::Write;

use crate::escape::escape;
use crate::view::SitemapEntry;

/// The sitemap document; serve as `application/xml`. The protocol caps a
/// sitemap at 50,000 URLs: past that the server should split by entry and
/// write a sitemap index.
pub fn render_sitemap(entries: &[SitemapEntry]) -> String {
    let mut x = String::with_capacity(256 + entries.len() * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for entry in entries {
        let lastmod = entry.lastmod.rfc3339();
        for version in entry.alternates.iter() {
            x.push_str("<url>\n");
            let _ = writeln!(x, "<loc>{}</loc>", escape(&version.url));
            let _ = writeln!(x, "<lastmod>{lastmod}</lastmod>");
            for alt in entry.alternates.iter() {
                let _ = writeln!(
                    x,
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    alt.lang.code(),
                    escape(&alt.url)
                );
            }
            let _ = writeln!(
                x,
                "<xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>",
                escape(&entry.alternates.source().url)
            );
            x.push_str("</url>\n");
        }
    }
    x.push_str("</urlset>\n");
    x
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use warta_core::{Lang, Slug};

    use super::*;
    use crate::{Alternates, LangLink, Messages, Site, Timestamp};

    const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
    const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

    fn lang(c: &str) -> Lang {
        Lang::parse(c).unwrap()
    }

    #[test]
    fn every_version_lists_all_alternates_and_x_default() {
        let langs: Vec<Lang> = ["id", "en", "ar"].iter().map(|c| lang(c)).collect();
        let site = Site::new(
            "W",
            "https://news.example",
            lang("id"),
            &langs,
            Messages::builtin(),
        )
        .unwrap();
        let a = Slug::parse("a").unwrap();
        let entries = [
            SitemapEntry {
                alternates: site.front_alternates(),
                lastmod: Timestamp::from_unix_secs(0),
            },
            SitemapEntry {
                alternates: site.article_alternates(&a, lang("id"), &[lang("ar")]),
                lastmod: Timestamp::from_unix_secs(1_740_960_309),
            },
        ];
        let xml = render_sitemap(&entries);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let urls: Vec<_> = doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name((SITEMAP_NS, "url")))
            .collect();
        assert_eq!(urls.len(), 3 + 2);
        for url in &urls {
            let loc = url
                .children()
                .find(|n| n.has_tag_name((SITEMAP_NS, "loc")))
                .unwrap()
                .text()
                .unwrap();
            let alts: BTreeMap<&str, &str> = url
                .children()
                .filter(|n| n.has_tag_name((XHTML_NS, "link")))
                .map(|n| {
                    assert_eq!(n.attribute("rel"), Some("alternate"));
                    (
                        n.attribute("hreflang").unwrap(),
                        n.attribute("href").unwrap(),
                    )
                })
                .collect();
            // The page itself is among its alternates (Google's rule for
            // sitemap hreflang: each URL lists every version including itself).
            assert!(alts.values().any(|h| *h == loc), "{loc}");
            if loc.ends_with("/a") {
                assert_eq!(
                    alts.keys().copied().collect::<Vec<_>>(),
                    ["ar", "id", "x-default"]
                );
                assert_eq!(alts["x-default"], "https://news.example/id/a");
                let lastmod = url
                    .children()
                    .find(|n| n.has_tag_name((SITEMAP_NS, "lastmod")))
                    .unwrap();
                assert_eq!(lastmod.text(), Some("2025-03-03T00:05:09Z"));
            } else {
                assert_eq!(alts.len(), 4);
                assert_eq!(alts["x-default"], "https://news.example/id/");
            }
        }
    }

    #[test]
    fn urls_are_xml_escaped() {
        let alternates = Alternates::new(vec![LangLink {
            lang: lang("en"),
            url: "https://x.example/en/a?<script>alert(1)</script>&b='c'".into(),
            is_source: true,
        }])
        .unwrap();
        let xml = render_sitemap(&[SitemapEntry {
            alternates,
            lastmod: Timestamp::from_unix_secs(0),
        }]);
        assert!(!xml.contains("<script>"));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let loc = doc
            .descendants()
            .find(|n| n.has_tag_name((SITEMAP_NS, "loc")))
            .unwrap();
        assert_eq!(
            loc.text(),
            Some("https://x.example/en/a?<script>alert(1)</script>&b='c'")
        );
    }
}
