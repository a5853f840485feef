//! What the server hands to the renderers: the site (built once at startup)
//! and one view struct per page, feed or sitemap.
//!
//! The URL layout of DESIGN.md (`/{lang}/`, `/{lang}/{slug}`,
//! `/{lang}/feed.xml`, `/sitemap.xml`, and `/sitemap-{n}.xml` when the
//! sitemap is split) is written down once, in [`Site`]'s URL methods, so the
//! router and the links in pages cannot disagree.

use warta_core::{Lang, Slug};

use crate::messages::Messages;
use crate::SiteError;
use warta_core::Timestamp;

/// Where the stylesheet is served; the server routes this path to
/// [`crate::STYLESHEET`].
pub const STYLESHEET_PATH: &str = "/assets/site.css";

/// The public site: its name, where it lives, which languages it publishes,
/// and the texts it shows.
#[derive(Debug, Clone)]
pub struct Site {
    name: String,
    base_url: String,
    source: Lang,
    languages: Vec<Lang>,
    messages: Messages,
}

impl Site {
    /// `base_url` is the absolute `http(s)://` URL the site is reached at,
    /// with or without a path prefix (`https://news.example/warta`); a
    /// trailing `/` is ignored. `languages` is the switcher order; `source`
    /// is put first if it is missing, and repeats are dropped.
    pub fn new(
        name: impl Into<String>,
        base_url: &str,
        source: Lang,
        languages: &[Lang],
        messages: Messages,
    ) -> Result<Site, SiteError> {
        let base = base_url.trim_end_matches('/');
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .ok_or_else(|| {
                SiteError::BaseUrl(base_url.to_string(), "must start with http:// or https://")
            })?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(SiteError::BaseUrl(base_url.to_string(), "has no host"));
        }
        if rest.contains(['?', '#'])
            || rest.contains(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        {
            return Err(SiteError::BaseUrl(
                base_url.to_string(),
                "must be a plain URL without query, fragment, spaces or quotes",
            ));
        }
        let mut langs = Vec::new();
        if !languages.contains(&source) {
            langs.push(source);
        }
        for &l in languages {
            if !langs.contains(&l) {
                langs.push(l);
            }
        }
        Ok(Site {
            name: name.into(),
            base_url: base.to_string(),
            source,
            languages: langs,
            messages,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Without trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn source(&self) -> Lang {
        self.source
    }

    /// Published languages in switcher order.
    pub fn languages(&self) -> &[Lang] {
        &self.languages
    }

    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// `{base}/{lang}/`
    pub fn front_url(&self, lang: Lang) -> String {
        format!("{}/{}/", self.base_url, lang.code())
    }

    /// `{base}/{lang}/{slug}`
    pub fn article_url(&self, lang: Lang, slug: &Slug) -> String {
        format!("{}/{}/{}", self.base_url, lang.code(), slug.as_str())
    }

    /// `{base}/{lang}/feed.xml`
    pub fn feed_url(&self, lang: Lang) -> String {
        format!("{}/{}/feed.xml", self.base_url, lang.code())
    }

    /// `{base}/sitemap.xml`
    pub fn sitemap_url(&self) -> String {
        format!("{}/sitemap.xml", self.base_url)
    }

    /// `{base}/sitemap-{n}.xml`: file `n` (from 1) of a sitemap split into
    /// several, listed by the index at [`Site::sitemap_url`].
    pub fn sitemap_part_url(&self, n: usize) -> String {
        format!("{}/sitemap-{n}.xml", self.base_url)
    }

    /// `{base}/assets/site.css?v={hash}`: the query changes whenever the
    /// stylesheet does, so the server may cache it as immutable.
    pub fn stylesheet_url(&self) -> String {
        format!(
            "{}{}?v={}",
            self.base_url,
            STYLESHEET_PATH,
            crate::style::stylesheet_version()
        )
    }

    /// The front pages of every published language, the source's as
    /// x-default.
    pub fn front_alternates(&self) -> Alternates {
        let links = self
            .languages
            .iter()
            .map(|&lang| LangLink {
                lang,
                url: self.front_url(lang),
                is_source: lang == self.source,
            })
            .collect();
        Alternates::new(links).expect("site languages are unique and contain the source")
    }

    /// An article's language versions at their canonical URLs, in switcher
    /// order. `published` are the languages with a published version
    /// (`source` is included whether listed or not).
    pub fn article_alternates(&self, slug: &Slug, source: Lang, published: &[Lang]) -> Alternates {
        let mut langs: Vec<Lang> = published.to_vec();
        if !langs.contains(&source) {
            langs.push(source);
        }
        langs.sort_by_key(|l| self.switcher_rank(*l));
        langs.dedup();
        let links = langs
            .into_iter()
            .map(|lang| LangLink {
                lang,
                url: self.article_url(lang, slug),
                is_source: lang == source,
            })
            .collect();
        Alternates::new(links).expect("deduplicated languages with the source among them")
    }

    /// Position in the switcher: site order, then languages the site does not
    /// list (an article published before a language was dropped) by code.
    fn switcher_rank(&self, lang: Lang) -> (usize, &'static str) {
        match self.languages.iter().position(|&l| l == lang) {
            Some(i) => (i, ""),
            None => (self.languages.len(), lang.code()),
        }
    }
}

/// One language version of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangLink {
    pub lang: Lang,
    /// Absolute URL.
    pub url: String,
    /// This version is the original the others were translated from.
    pub is_source: bool,
}

/// The language versions of one page: the switcher, the hreflang alternates
/// and the sitemap alternates all come from here. Exactly one version is the
/// source (x-default), and no language appears twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternates {
    links: Vec<LangLink>,
    source: usize,
}

impl Alternates {
    /// Keeps the given order (the switcher's order).
    pub fn new(links: Vec<LangLink>) -> Result<Alternates, SiteError> {
        let mut sources = links.iter().enumerate().filter(|(_, l)| l.is_source);
        let source = match (sources.next(), sources.next()) {
            (Some((i, _)), None) => i,
            (None, _) => return Err(SiteError::Alternates("no version is marked as the source")),
            (Some(_), Some(_)) => {
                return Err(SiteError::Alternates(
                    "more than one version is marked as the source",
                ))
            }
        };
        for (i, l) in links.iter().enumerate() {
            if links[..i].iter().any(|m| m.lang == l.lang) {
                return Err(SiteError::Alternates("a language appears twice"));
            }
        }
        Ok(Alternates { links, source })
    }

    pub fn source(&self) -> &LangLink {
        &self.links[self.source]
    }

    pub fn get(&self, lang: Lang) -> Option<&LangLink> {
        self.links.iter().find(|l| l.lang == lang)
    }

    pub fn iter(&self) -> impl Iterator<Item = &LangLink> {
        self.links.iter()
    }

    pub fn len(&self) -> usize {
        self.links.len()
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

/// Where a version's text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The original as the newsroom wrote it.
    Source,
    /// Machine translation by the named model.
    Machine { model: String },
    /// A machine translation of an earlier revision of the source, shown
    /// while the new revision's translation waits for an editor.
    MachineUnderReview { model: String },
    /// A machine translation an editor approved or corrected: readers are
    /// told it was reviewed instead of the machine-translation disclaimer.
    MachineReviewed { model: String },
    /// Translated (and, if `reviewed`, checked by an editor) by people.
    Human { reviewed: bool },
    /// A human translation of an earlier revision of the source.
    HumanOutdated,
}

impl Origin {
    pub fn is_machine(&self) -> bool {
        matches!(
            self,
            Origin::Machine { .. }
                | Origin::MachineUnderReview { .. }
                | Origin::MachineReviewed { .. }
        )
    }
}

/// One language version of an article, as its page shows it.
#[derive(Debug, Clone)]
pub struct ArticlePage<'a> {
    pub site: &'a Site,
    /// The language of this page.
    pub lang: Lang,
    /// Every published version of the article, this one included.
    pub alternates: Alternates,
    /// Normally `site.article_url(lang, slug)`.
    pub canonical_url: String,
    pub title: String,
    pub summary: String,
    /// Sanitised upstream (ingest runs it through ammonia, translation only
    /// restores those tags): inserted as is, never escaped.
    pub body_html: String,
    pub author: Option<String>,
    pub published_at: Timestamp,
    /// When this version's text was produced; `None` for the source.
    pub translated_at: Option<Timestamp>,
    /// When a published text of this version was replaced by a corrected
    /// one (readers get a dated note); `None` if never.
    pub corrected_at: Option<Timestamp>,
    pub origin: Origin,
}

/// An article in a list: front page entry and feed item.
#[derive(Debug, Clone)]
pub struct ArticleSummary {
    pub title: String,
    pub summary: String,
    /// Absolute URL of the version in the list's language.
    pub url: String,
    pub published_at: Timestamp,
    pub origin: Origin,
}

/// A language's front page: its newest articles, newest first.
#[derive(Debug, Clone)]
pub struct FrontPage<'a> {
    pub site: &'a Site,
    pub lang: Lang,
    pub articles: Vec<ArticleSummary>,
}

/// A language's RSS feed.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    pub site: &'a Site,
    pub lang: Lang,
    pub items: Vec<ArticleSummary>,
}

/// One page in all its languages: the sitemap writes a `<url>` per version,
/// each listing every version and x-default.
#[derive(Debug, Clone)]
pub struct SitemapEntry {
    pub alternates: Alternates,
    /// Latest change of any version.
    pub lastmod: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> Lang {
        Lang::parse(code).unwrap()
    }

    fn site(base: &str, langs: &[&str]) -> Result<Site, SiteError> {
        let langs: Vec<Lang> = langs.iter().map(|c| lang(c)).collect();
        Site::new("Warta", base, lang("id"), &langs, Messages::builtin())
    }

    #[test]
    fn urls_follow_design_md_routes() {
        // DESIGN.md "HTTP": /{lang}/, /{lang}/{slug}, /{lang}/feed.xml, /sitemap.xml.
        let s = site("https://news.example/warta/", &["id", "en"]).unwrap();
        let slug = Slug::parse("banjir-jakarta").unwrap();
        assert_eq!(s.front_url(lang("en")), "https://news.example/warta/en/");
        assert_eq!(
            s.article_url(lang("ar"), &slug),
            "https://news.example/warta/ar/banjir-jakarta"
        );
        assert_eq!(
            s.feed_url(lang("ja")),
            "https://news.example/warta/ja/feed.xml"
        );
        assert_eq!(s.sitemap_url(), "https://news.example/warta/sitemap.xml");
        assert!(s
            .stylesheet_url()
            .starts_with("https://news.example/warta/assets/site.css?v="));
    }

    #[test]
    fn base_url_must_be_absolute_http() {
        for bad in [
            "news.example",
            "ftp://x",
            "https://",
            "https:///x",
            "https://x/?a",
            "https://x/\"y",
        ] {
            assert!(site(bad, &["id"]).is_err(), "{bad}");
        }
    }

    #[test]
    fn site_languages_keep_order_and_always_hold_the_source() {
        let s = site("http://x", &["en", "ar", "en"]).unwrap();
        assert_eq!(s.languages(), [lang("id"), lang("en"), lang("ar")]);
        let s = site("http://x", &["en", "id", "ar"]).unwrap();
        assert_eq!(s.languages(), [lang("en"), lang("id"), lang("ar")]);
    }

    #[test]
    fn alternates_need_exactly_one_source_and_unique_languages() {
        let l = |c: &str, s: bool| LangLink {
            lang: lang(c),
            url: format!("http://x/{c}/a"),
            is_source: s,
        };
        assert!(Alternates::new(vec![l("id", true), l("en", false)]).is_ok());
        assert!(Alternates::new(vec![l("id", false), l("en", false)]).is_err());
        assert!(Alternates::new(vec![l("id", true), l("en", true)]).is_err());
        assert!(Alternates::new(vec![l("id", true), l("en", false), l("en", false)]).is_err());
    }

    #[test]
    fn article_alternates_use_site_order_and_include_the_source() {
        let s = site("http://x", &["id", "en", "zh", "ja", "ar", "fr"]).unwrap();
        let slug = Slug::parse("a").unwrap();
        let a = s.article_alternates(&slug, lang("id"), &[lang("fr"), lang("ar"), lang("de")]);
        let codes: Vec<_> = a.iter().map(|l| l.lang.code()).collect();
        assert_eq!(codes, ["id", "ar", "fr", "de"]);
        assert_eq!(a.source().url, "http://x/id/a");
    }
}
