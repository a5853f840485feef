//! HTML pages: article, front page, not-found page.
//!
//! Templates live in `templates/` and are compiled into the crate by askama,
//! which checks them at build time and HTML-escapes every variable. The only
//! unescaped insertions are marked `|safe` in the templates: the article body
//! (sanitised upstream) and the texts this module assembles with
//! [`Messages::fill_html`](crate::Messages::fill_html), whose parts are
//! escaped there.

use askama::Template;
use warta_core::Lang;

use crate::escape::escape;
use crate::messages::Key;
use crate::view::{Alternates, ArticlePage, FrontPage, LangLink, Origin, Site};
use warta_core::Timestamp;

/// What every page shares: `<head>`, masthead with language switcher, footer.
struct Chrome<'a> {
    lang: &'static str,
    dir: &'static str,
    title: String,
    description: Option<&'a str>,
    noindex: bool,
    canonical: Option<&'a str>,
    alternates: Vec<Alt<'a>>,
    switcher: Vec<SwitchLink<'a>>,
    stylesheet: String,
    site_name: &'a str,
    front_url: String,
    feed_url: String,
    feed_title: String,
    feed_label: &'a str,
    switcher_label: &'a str,
    skip_label: &'a str,
}

struct Alt<'a> {
    hreflang: &'static str,
    href: &'a str,
}

struct SwitchLink<'a> {
    code: &'static str,
    dir: &'static str,
    href: &'a str,
    autonym: &'static str,
    current: bool,
}

/// How a page relates to its other language versions.
enum Versions<'a> {
    /// Indexable page: switcher, hreflang alternates plus x-default, canonical.
    Indexable {
        alternates: &'a Alternates,
        canonical: &'a str,
    },
    /// Not-found page: switcher to the front pages only, `noindex`.
    NoIndex { switcher: &'a Alternates },
}

fn chrome<'a>(
    site: &'a Site,
    lang: Lang,
    title: String,
    description: Option<&'a str>,
    versions: Versions<'a>,
) -> Chrome<'a> {
    let msgs = site.messages();
    let (switch_from, alternates, canonical, noindex) = match versions {
        Versions::Indexable {
            alternates,
            canonical,
        } => {
            let mut alts: Vec<Alt> = alternates
                .iter()
                .map(|l| Alt {
                    hreflang: l.lang.code(),
                    href: &l.url,
                })
                .collect();
            alts.push(Alt {
                hreflang: "x-default",
                href: &alternates.source().url,
            });
            (alternates, alts, Some(canonical), false)
        }
        Versions::NoIndex { switcher } => (switcher, Vec::new(), None, true),
    };
    let switcher = switch_from
        .iter()
        .map(|l| SwitchLink {
            code: l.lang.code(),
            dir: l.lang.dir().as_str(),
            href: &l.url,
            autonym: l.lang.autonym(),
            current: l.lang == lang,
        })
        .collect();
    Chrome {
        lang: lang.code(),
        dir: lang.dir().as_str(),
        title,
        description,
        noindex,
        canonical,
        alternates,
        switcher,
        stylesheet: site.stylesheet_url(),
        site_name: site.name(),
        front_url: site.front_url(lang),
        feed_url: site.feed_url(lang),
        feed_title: crate::feed::feed_title(site, lang),
        feed_label: msgs.text(lang, Key::FeedLink),
        switcher_label: msgs.text(lang, Key::SwitcherLabel),
        skip_label: msgs.text(lang, Key::SkipToContent),
    }
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticleTemplate<'a> {
    c: Chrome<'a>,
    title: &'a str,
    summary: &'a str,
    byline: Option<String>,
    published_html: String,
    translated_html: Option<String>,
    corrected_html: Option<String>,
    disclaimer_html: Option<String>,
    /// A machine translation an editor reviewed (instead of the disclaimer).
    reviewed_html: Option<String>,
    model_note: Option<String>,
    human_mark: Option<&'a str>,
    reviewed: bool,
    outdated_html: Option<String>,
    body_html: &'a str,
}

/// One language version of an article.
pub fn render_article(page: &ArticlePage) -> String {
    let site = page.site;
    let lang = page.lang;
    let msgs = site.messages();
    let source_link = || source_link_html(site, lang, page.alternates.source());
    let time = |key, t| msgs.fill_html(lang, key, &[("time", &time_html(site, lang, t))]);

    let (mut disclaimer_html, mut model_note, mut human_mark, mut reviewed, mut outdated_html) =
        (None, None, None, false, None);
    let mut reviewed_html = None;
    match &page.origin {
        Origin::Source => {}
        Origin::Machine { model } | Origin::MachineUnderReview { model } => {
            disclaimer_html = Some(msgs.fill_html(
                lang,
                Key::DisclaimerMachine,
                &[("source_link", &source_link())],
            ));
            model_note = (!model.trim().is_empty())
                .then(|| msgs.fill_text(lang, Key::MachineModel, &[("model", model)]));
            if matches!(page.origin, Origin::MachineUnderReview { .. }) {
                outdated_html = Some(msgs.fill_html(
                    lang,
                    Key::UnderReview,
                    &[("source_link", &source_link())],
                ));
            }
        }
        Origin::MachineReviewed { .. } => {
            reviewed_html = Some(msgs.fill_html(
                lang,
                Key::MachineReviewed,
                &[("source_link", &source_link())],
            ));
        }
        Origin::Human { reviewed: true } => {
            human_mark = Some(msgs.text(lang, Key::HumanReviewed));
            reviewed = true;
        }
        Origin::Human { reviewed: false } => {
            human_mark = Some(msgs.text(lang, Key::HumanTranslated))
        }
        Origin::HumanOutdated => {
            human_mark = Some(msgs.text(lang, Key::HumanTranslated));
            outdated_html =
                Some(msgs.fill_html(lang, Key::HumanOutdated, &[("source_link", &source_link())]));
        }
    }
    let translated_html = match page.origin {
        Origin::Source => None,
        _ => page.translated_at.map(|t| time(Key::Translated, t)),
    };
    let corrected_html = match page.origin {
        Origin::Source => None,
        _ => page.corrected_at.map(|t| time(Key::Corrected, t)),
    };

    let tpl = ArticleTemplate {
        c: chrome(
            site,
            lang,
            format!("{} – {}", page.title, site.name()),
            (!page.summary.is_empty()).then_some(page.summary.as_str()),
            Versions::Indexable {
                alternates: &page.alternates,
                canonical: &page.canonical_url,
            },
        ),
        title: &page.title,
        summary: &page.summary,
        byline: page
            .author
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .map(|a| msgs.fill_text(lang, Key::Byline, &[("author", a)])),
        published_html: time(Key::Published, page.published_at),
        translated_html,
        corrected_html,
        disclaimer_html,
        reviewed_html,
        model_note,
        human_mark,
        reviewed,
        outdated_html,
        body_html: &page.body_html,
    };
    render(&tpl)
}

struct FrontItem<'a> {
    title: &'a str,
    summary: &'a str,
    url: &'a str,
    iso: String,
    human: String,
    badge: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "front.html")]
struct FrontTemplate<'a> {
    c: Chrome<'a>,
    heading: &'a str,
    empty: &'a str,
    items: Vec<FrontItem<'a>>,
}

/// A language's front page.
pub fn render_front_page(page: &FrontPage) -> String {
    let site = page.site;
    let lang = page.lang;
    let msgs = site.messages();
    let alternates = site.front_alternates();
    let canonical = site.front_url(lang);
    let heading = msgs.text(lang, Key::FrontHeading);
    let items = page
        .articles
        .iter()
        .map(|a| FrontItem {
            title: &a.title,
            summary: &a.summary,
            url: &a.url,
            iso: a.published_at.rfc3339(),
            human: msgs.format_time(lang, a.published_at),
            badge: a
                .origin
                .is_machine()
                .then(|| msgs.text(lang, Key::MachineBadge)),
        })
        .collect();
    let tpl = FrontTemplate {
        c: chrome(
            site,
            lang,
            format!("{} – {}", site.name(), heading),
            None,
            Versions::Indexable {
                alternates: &alternates,
                canonical: &canonical,
            },
        ),
        heading,
        empty: msgs.text(lang, Key::FrontEmpty),
        items,
    };
    render(&tpl)
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundTemplate<'a> {
    c: Chrome<'a>,
    heading: &'a str,
    body: &'a str,
    back: &'a str,
}

/// The 404 page in `lang` (serve it with status 404). It is `noindex`, so it
/// has no canonical or hreflang links; its switcher leads to the front pages.
pub fn render_not_found(site: &Site, lang: Lang) -> String {
    let msgs = site.messages();
    let front_pages = site.front_alternates();
    let heading = msgs.text(lang, Key::NotFoundTitle);
    let tpl = NotFoundTemplate {
        c: chrome(
            site,
            lang,
            format!("{} – {}", heading, site.name()),
            None,
            Versions::NoIndex {
                switcher: &front_pages,
            },
        ),
        heading,
        body: msgs.text(lang, Key::NotFoundBody),
        back: msgs.text(lang, Key::BackToFront),
    };
    render(&tpl)
}

fn render(tpl: &impl Template) -> String {
    // Askama fails only when a value's Display impl or a custom filter does;
    // these templates print `&str`, `String` and `bool` and use no custom
    // filters.
    tpl.render()
        .expect("templates print only strings and booleans")
}

/// `<time datetime="2025-03-03T00:05:09Z">3 March 2025, 00:05 UTC</time>`
fn time_html(site: &Site, lang: Lang, t: Timestamp) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        t.rfc3339(),
        escape(&site.messages().format_time(lang, t))
    )
}

/// The link to the original that the machine disclaimer and the outdated
/// note carry. It names the source language in the page's language when the
/// messages table can, else by its autonym marked with its own `lang`.
fn source_link_html(site: &Site, page_lang: Lang, source: &LangLink) -> String {
    let code = source.lang.code();
    let url = escape(&source.url);
    match site.messages().lang_name(page_lang, source.lang) {
        Some(name) => format!(
            "<a href=\"{url}\" hreflang=\"{code}\" data-warta=\"source-link\">{}</a>",
            escape(name)
        ),
        None => format!(
            "<a href=\"{url}\" hreflang=\"{code}\" lang=\"{code}\" dir=\"{}\" data-warta=\"source-link\">{}</a>",
            source.lang.dir().as_str(),
            escape(source.lang.autonym())
        ),
    }
}

#[cfg(test)]
mod tests;
