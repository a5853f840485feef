//! RSS 2.0 feed per language (<https://www.rssboard.org/rss-specification>).
//!
//! Written by hand with [`escape`] rather than through an XML library: the
//! document is a fixed shape and every value passes through that one
//! function, which the tests check against a real XML parser.

use std::fmt::Write;

use crate::escape::escape;
use crate::messages::Key;
use crate::view::{Feed, Site};

/// "Warta (日本語)": the channel title, also the page's feed link title.
pub(crate) fn feed_title(site: &Site, lang: warta_core::Lang) -> String {
    format!("{} ({})", site.name(), lang.autonym())
}

/// The feed as an RSS 2.0 document; serve as `application/rss+xml`.
pub fn render_feed(feed: &Feed) -> String {
    let site = feed.site;
    let lang = feed.lang;
    let msgs = site.messages();
    let title = feed_title(site, lang);
    let description = msgs.fill_text(lang, Key::FeedDescription, &[("site", site.name())]);
    let self_url = site.feed_url(lang);

    let mut x = String::with_capacity(1024 + feed.items.len() * 512);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    let _ = writeln!(x, "<title>{}</title>", escape(&title));
    let _ = writeln!(x, "<link>{}</link>", escape(&site.front_url(lang)));
    let _ = writeln!(x, "<description>{}</description>", escape(&description));
    let _ = writeln!(x, "<language>{}</language>", lang.code());
    // The RSS Advisory Board recommends a self link so readers can find the
    // feed's own address.
    let _ = writeln!(
        x,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(&self_url)
    );
    if let Some(newest) = feed.items.iter().map(|i| i.published_at).max() {
        let _ = writeln!(x, "<lastBuildDate>{}</lastBuildDate>", newest.http_date());
    }
    for item in &feed.items {
        let url = escape(&item.url);
        x.push_str("<item>\n");
        let _ = writeln!(x, "<title>{}</title>", escape(&item.title));
        let _ = writeln!(x, "<link>{url}</link>");
        let _ = writeln!(x, "<guid isPermaLink=\"true\">{url}</guid>");
        let _ = writeln!(x, "<pubDate>{}</pubDate>", item.published_at.http_date());
        let _ = writeln!(x, "<description>{}</description>", escape(&item.summary));
        if item.origin.is_machine() {
            let _ = writeln!(
                x,
                "<category>{}</category>",
                escape(msgs.text(lang, Key::MachineBadge))
            );
        }
        x.push_str("</item>\n");
    }
    x.push_str("</channel>\n</rss>\n");
    x
}

#[cfg(test)]
mod tests {
    use warta_core::Lang;

    use super::*;
    use crate::{ArticleSummary, Messages, Origin, Timestamp};

    const XSS: &str = "<script>alert(1)</script>";

    fn site() -> Site {
        let langs: Vec<Lang> = ["id", "en", "ja"]
            .iter()
            .map(|c| Lang::parse(c).unwrap())
            .collect();
        Site::new(
            "Warta & Co",
            "https://news.example",
            langs[0],
            &langs,
            Messages::builtin(),
        )
        .unwrap()
    }

    fn item(n: i64, title: &str, origin: Origin) -> ArticleSummary {
        ArticleSummary {
            title: title.into(),
            summary: format!("Summary {n} with {XSS} & \u{1}control"),
            url: format!("https://news.example/en/story-{n}"),
            published_at: Timestamp::from_unix_secs(784_111_777 + n * 86_400),
            origin,
        }
    }

    #[test]
    fn feed_is_well_formed_rss_with_escaped_items() {
        let site = site();
        let feed = Feed {
            site: &site,
            lang: Lang::parse("en").unwrap(),
            items: vec![
                item(
                    1,
                    &format!("Title {XSS}"),
                    Origin::Machine { model: "m".into() },
                ),
                item(2, "Plain", Origin::Source),
                item(3, "Third \"q\" 'a'", Origin::Human { reviewed: true }),
            ],
        };
        let xml = render_feed(&feed);
        assert!(!xml.contains(XSS));
        // roxmltree is the well-formedness oracle.
        let doc = roxmltree::Document::parse(&xml).expect("feed is well-formed XML");
        let rss = doc.root_element();
        assert_eq!(rss.tag_name().name(), "rss");
        assert_eq!(rss.attribute("version"), Some("2.0"));
        let channel = rss.children().find(|n| n.has_tag_name("channel")).unwrap();
        let child = |n: roxmltree::Node, name: &str| {
            n.children()
                .find(|c| c.has_tag_name(name))
                .and_then(|c| c.text())
                .map(str::to_string)
        };
        assert_eq!(
            child(channel, "title").as_deref(),
            Some("Warta & Co (English)")
        );
        assert_eq!(
            child(channel, "link").as_deref(),
            Some("https://news.example/en/")
        );
        assert_eq!(
            child(channel, "description").as_deref(),
            Some("Latest news from Warta & Co.")
        );
        assert_eq!(child(channel, "language").as_deref(), Some("en"));

        let items: Vec<_> = channel
            .children()
            .filter(|n| n.has_tag_name("item"))
            .collect();
        assert_eq!(items.len(), 3);
        assert_eq!(child(items[0], "title"), Some(format!("Title {XSS}")));
        assert_eq!(
            child(items[0], "description"),
            Some(format!("Summary 1 with {XSS} & control"))
        );
        assert_eq!(child(items[2], "title").as_deref(), Some("Third \"q\" 'a'"));
        for (i, it) in items.iter().enumerate() {
            let guid = it.children().find(|c| c.has_tag_name("guid")).unwrap();
            assert_eq!(guid.attribute("isPermaLink"), Some("true"));
            assert_eq!(guid.text(), child(*it, "link").as_deref());
            // pubDate is RFC 822; httpdate's parser is the oracle for the format.
            let date = child(*it, "pubDate").unwrap();
            let parsed = httpdate::parse_http_date(&date).expect("RFC 822 date");
            assert_eq!(
                Timestamp::from_system_time(parsed).unix_secs(),
                784_111_777 + (i as i64 + 1) * 86_400
            );
        }
        // Machine translations are labelled for feed readers too.
        assert_eq!(
            child(items[0], "category").as_deref(),
            Some("Machine translation")
        );
        assert_eq!(child(items[1], "category"), None);
    }

    #[test]
    fn empty_feed_is_valid_and_has_no_build_date() {
        let site = site();
        let xml = render_feed(&Feed {
            site: &site,
            lang: Lang::parse("ja").unwrap(),
            items: vec![],
        });
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(
            doc.descendants().filter(|n| n.has_tag_name("item")).count(),
            0
        );
        assert!(!xml.contains("lastBuildDate"));
        assert!(xml.contains("<description>Warta &amp; Coの最新ニュース。</description>"));
    }
}
