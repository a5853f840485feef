//! `sitemap.xml` with hreflang alternates, as the sitemaps protocol
//! (<https://www.sitemaps.org/protocol.html>) and Google's "localized
//! versions" extension describe: one `<url>` per language version, each
//! listing every version of the page (itself included) and `x-default`.
//!
//! The protocol caps one sitemap file at 50,000 URLs and 50 MiB
//! uncompressed. [`render_sitemaps`] splits past either limit, by entry (an
//! article's language versions stay in one file), into numbered files and
//! a sitemap index that lists them.

use std::fmt::Write;

use crate::escape::escape;
use crate::view::{Site, SitemapEntry};
use warta_core::Timestamp;

/// How much one sitemap file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SitemapLimits {
    /// `<url>` elements per file.
    pub max_urls: usize,
    /// Bytes per file, uncompressed.
    pub max_bytes: usize,
}

impl SitemapLimits {
    /// The sitemaps.org limits: 50,000 URLs and 52,428,800 bytes per file.
    pub const PROTOCOL: SitemapLimits = SitemapLimits {
        max_urls: 50_000,
        max_bytes: 52_428_800,
    };
}

impl Default for SitemapLimits {
    fn default() -> Self {
        SitemapLimits::PROTOCOL
    }
}

/// The site's sitemap documents (serve as `application/xml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sitemaps {
    /// What `/sitemap.xml` serves: the one sitemap when everything fits in
    /// a file, else the sitemap index listing [`Sitemaps::parts`].
    pub root: String,
    /// The files of a split sitemap: `parts[i]` is served at
    /// [`Site::sitemap_part_url`]`(i + 1)`. Empty when not split.
    pub parts: Vec<String>,
}

const URLSET_OPEN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
    <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
    xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// One sitemap document with every entry; the caller keeps within the
/// protocol's limits ([`render_sitemaps`] does).
pub fn render_sitemap(entries: &[SitemapEntry]) -> String {
    let mut x = String::with_capacity(256 + entries.len() * 1024);
    x.push_str(URLSET_OPEN);
    for entry in entries {
        write_entry(&mut x, entry);
    }
    x.push_str(URLSET_CLOSE);
    x
}

/// The `<url>` elements of one entry: one per language version.
fn write_entry(x: &mut String, entry: &SitemapEntry) {
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

/// The sitemap of `entries`, split within `limits`: one document when they
/// fit, else numbered files (entries in the given order, each file filled
/// as far as both limits allow) and an index of them. An entry alone larger
/// than a file still gets a file of its own: no URL is ever dropped.
pub fn render_sitemaps(site: &Site, entries: &[SitemapEntry], limits: SitemapLimits) -> Sitemaps {
    let fixed = URLSET_OPEN.len() + URLSET_CLOSE.len();
    let mut parts: Vec<(String, Option<Timestamp>)> = Vec::new();
    let mut body = String::new();
    let mut urls = 0;
    let mut lastmod: Option<Timestamp> = None;
    let mut block = String::new();
    for entry in entries {
        block.clear();
        write_entry(&mut block, entry);
        let n = entry.alternates.len();
        let fits =
            urls + n <= limits.max_urls && fixed + body.len() + block.len() <= limits.max_bytes;
        if !fits && urls > 0 {
            parts.push((close_urlset(&body), lastmod));
            body.clear();
            urls = 0;
            lastmod = None;
        }
        body.push_str(&block);
        urls += n;
        lastmod = lastmod.max(Some(entry.lastmod));
    }
    if parts.is_empty() {
        return Sitemaps {
            root: close_urlset(&body),
            parts: Vec::new(),
        };
    }
    if urls > 0 {
        parts.push((close_urlset(&body), lastmod));
    }
    let mut index = String::with_capacity(128 + parts.len() * 128);
    index.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, (_, lastmod)) in parts.iter().enumerate() {
        index.push_str("<sitemap>\n");
        let _ = writeln!(
            index,
            "<loc>{}</loc>",
            escape(&site.sitemap_part_url(i + 1))
        );
        if let Some(t) = lastmod {
            let _ = writeln!(index, "<lastmod>{}</lastmod>", t.rfc3339());
        }
        index.push_str("</sitemap>\n");
    }
    index.push_str("</sitemapindex>\n");
    Sitemaps {
        root: index,
        parts: parts.into_iter().map(|(x, _)| x).collect(),
    }
}

fn close_urlset(body: &str) -> String {
    let mut x = String::with_capacity(URLSET_OPEN.len() + body.len() + URLSET_CLOSE.len());
    x.push_str(URLSET_OPEN);
    x.push_str(body);
    x.push_str(URLSET_CLOSE);
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

    fn locs(xml: &str, container: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(xml).expect("well-formed");
        assert_eq!(doc.root_element().tag_name().name(), container);
        assert_eq!(doc.root_element().tag_name().namespace(), Some(SITEMAP_NS));
        doc.root_element()
            .children()
            .filter(|n| n.is_element())
            .map(|n| {
                n.children()
                    .find(|c| c.has_tag_name((SITEMAP_NS, "loc")))
                    .and_then(|c| c.text())
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    /// Seven articles, each in Indonesian and English: 14 URLs.
    fn fourteen_urls() -> (Site, Vec<SitemapEntry>) {
        let langs = [lang("id"), lang("en")];
        let site = Site::new(
            "W",
            "https://news.example",
            lang("id"),
            &langs,
            Messages::builtin(),
        )
        .unwrap();
        let entries = (0..7)
            .map(|i| SitemapEntry {
                alternates: site.article_alternates(
                    &Slug::parse(&format!("a{i}")).unwrap(),
                    lang("id"),
                    &[lang("en")],
                ),
                lastmod: Timestamp::from_unix_secs(1_740_960_000 + i),
            })
            .collect();
        (site, entries)
    }

    #[test]
    fn a_sitemap_within_the_limits_is_one_file() {
        let (site, entries) = fourteen_urls();
        let maps = render_sitemaps(
            &site,
            &entries,
            SitemapLimits {
                max_urls: 14,
                max_bytes: usize::MAX,
            },
        );
        assert!(maps.parts.is_empty());
        assert_eq!(maps.root, render_sitemap(&entries));
        assert_eq!(locs(&maps.root, "urlset").len(), 14);
    }

    #[test]
    fn past_the_url_limit_an_index_lists_files_that_hold_every_url_once() {
        let (site, entries) = fourteen_urls();
        // 5 URLs per file and 2 per article: files of 2 articles (4 URLs),
        // an article's versions never split: 4 files, the last with 1 article.
        let maps = render_sitemaps(
            &site,
            &entries,
            SitemapLimits {
                max_urls: 5,
                max_bytes: usize::MAX,
            },
        );
        assert_eq!(
            locs(&maps.root, "sitemapindex"),
            (1..=4)
                .map(|n| format!("https://news.example/sitemap-{n}.xml"))
                .collect::<Vec<_>>()
        );
        let per_file: Vec<Vec<String>> = maps.parts.iter().map(|p| locs(p, "urlset")).collect();
        assert_eq!(
            per_file.iter().map(Vec::len).collect::<Vec<_>>(),
            [4, 4, 4, 2]
        );
        let all: Vec<String> = per_file.concat();
        let expected: Vec<String> = (0..7)
            .flat_map(|i| {
                [
                    format!("https://news.example/id/a{i}"),
                    format!("https://news.example/en/a{i}"),
                ]
            })
            .collect();
        assert_eq!(all, expected, "every URL once, in entry order");
        // Each file's lastmod in the index is its newest entry's.
        let doc = roxmltree::Document::parse(&maps.root).unwrap();
        let lastmods: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name((SITEMAP_NS, "lastmod")))
            .filter_map(|n| n.text())
            .collect();
        // 1_740_960_000 = 2025-03-03T00:00:00Z; entry i is i seconds later.
        assert_eq!(
            lastmods,
            [
                "2025-03-03T00:00:01Z",
                "2025-03-03T00:00:03Z",
                "2025-03-03T00:00:05Z",
                "2025-03-03T00:00:06Z"
            ]
        );
    }

    #[test]
    fn past_the_byte_limit_files_stay_under_it() {
        let (site, entries) = fourteen_urls();
        let one = render_sitemap(&entries[..1]).len();
        let two = render_sitemap(&entries[..2]).len();
        let three = render_sitemap(&entries[..3]).len();
        assert!(two < three);
        // Room for exactly two articles per file.
        let limits = SitemapLimits {
            max_urls: 50_000,
            max_bytes: three - 1,
        };
        let maps = render_sitemaps(&site, &entries, limits);
        assert_eq!(maps.parts.len(), 4);
        assert!(maps.parts.iter().all(|p| p.len() <= limits.max_bytes));
        assert_eq!(maps.parts[0].len(), two);
        // A file smaller than one article still gets that article, alone.
        let tiny = render_sitemaps(
            &site,
            &entries,
            SitemapLimits {
                max_urls: 50_000,
                max_bytes: 10,
            },
        );
        assert_eq!(tiny.parts.len(), 7);
        assert!(tiny.parts.iter().all(|p| p.len() == one));
    }

    #[test]
    fn the_protocol_limits_are_the_published_ones() {
        // https://www.sitemaps.org/protocol.html: "no more than 50,000 URLs
        // and must be no larger than 50MB (52,428,800 bytes)".
        assert_eq!(
            SitemapLimits::default(),
            SitemapLimits {
                max_urls: 50_000,
                max_bytes: 52_428_800
            }
        );
    }
}
