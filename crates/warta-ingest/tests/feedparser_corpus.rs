//! Python's feedparser as the oracle of warta's feed reading, on its own
//! test corpus (issue 18).
//!
//! The corpus is the `tests/` folder of feedparser's PyPI sdist and the
//! oracle is that same feedparser version, run by `tests/feeds/oracle.py`;
//! both are fetched by `scripts/fetch-feedparser-corpus` (never committed).
//! Under `CI=true` they are required; elsewhere the test says it skipped.
//!
//! What is checked, for all of its ~2,200 files:
//! - no file makes warta's parser panic (a panic caught by its guard counts
//!   as one too);
//! - every file in which feedparser finds entries with a title or a link and
//!   a body (what a newsroom imports) gives warta the same number of
//!   articles (items that pass the CMS API's validation) with the same
//!   titles and links — or is in [`REFUSED`] with the reason;
//! - every file of the encoding folders (`encoding/`, `illformed/chardet/`)
//!   is read with the feed title feedparser reads, or refused with one line
//!   (the error is a single line of text), or is in [`REFUSED`].
//!
//! A file listed in [`REFUSED`] must still differ: when warta learns to
//! read it, the test says so and the entry goes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use warta_core::Lang;
use warta_ingest::{parse_feed, Limits, Newsroom};

const NO_HEADLINE: &str = "an item without a title: warta publishes no article without a headline";
const MAC: &str = "`mac` and `csmacintosh` are WHATWG labels of macintosh, where 0x80 is \
                   `Ä`; feedparser does not know them and falls back to windows-1252 (bozo)";

/// Files warta reads differently from feedparser, and why a newsroom
/// would accept that.
const REFUSED: &[(&str, &str)] = &[
    (
        "encoding/bozo_invalid-bytes-with-bom.xml",
        "UTF-8 by its byte order mark, with one invalid byte: warta keeps the valid UTF-8 and \
         shows the bad byte as U+FFFD, as browsers do; feedparser re-reads the whole file as \
         windows-1252 (bozo), garbling the valid part",
    ),
    ("encoding/x80_csmacintosh.xml", MAC),
    ("encoding/x80_mac.xml", MAC),
    (
        "wellformed/base/cdf_item_abstract_xml_base.xml",
        "Microsoft's Channel Definition Format (1997): not a feed format a newsroom publishes",
    ),
    (
        "wellformed/media-rss/media_group.xml",
        "its only text besides the title is a Media RSS description in a group with no media, \
         which feed-rs drops: not an article",
    ),
    (
        "wellformed/psc/rss2.0simplechapter.xml",
        "an RSS item written with Atom's element names (`<summary>`, `<link href>`) outside the \
         Atom namespace: not RSS; feedparser matches element names loosely",
    ),
    (
        "wellformed/rss/item_description_br_shorttag.xml",
        NO_HEADLINE,
    ),
    ("wellformed/rss/item_description_code_br.xml", NO_HEADLINE),
];

#[derive(Debug, Deserialize)]
struct Oracle {
    feed_title: String,
    articles: Vec<Article>,
    content_type: Option<String>,
    bozo: bool,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone)]
struct Article {
    title: String,
    link: String,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset")).then(|| v.trim().trim_matches('"').to_string())
    })
}

fn required() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// `target/feedparser` of the workspace, or `WARTA_FEEDPARSER_DIR`.
fn corpus_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::var_os("WARTA_FEEDPARSER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/feedparser"));
    if dir.join("corpus").is_dir() && dir.join("venv/bin/python").exists() {
        return Some(dir);
    }
    let why = format!(
        "feedparser's corpus and oracle are not in {} (run scripts/fetch-feedparser-corpus)",
        dir.display()
    );
    assert!(!required(), "{why}");
    eprintln!("skipped: {why}");
    None
}

fn oracle(dir: &Path) -> BTreeMap<String, Oracle> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/feeds/oracle.py");
    let out = Command::new(dir.join("venv/bin/python"))
        .arg(script)
        .arg(dir.join("corpus"))
        .output()
        .expect("run the feedparser oracle");
    assert!(
        out.status.success(),
        "oracle.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle.py writes JSON")
}

/// What warta makes of one file: its feed title and its articles, or the
/// one-line reason it refuses the file.
fn warta(bytes: &[u8], oracle: &Oracle) -> Result<(String, Vec<Article>), String> {
    let newsroom = Newsroom {
        source: Lang::english(),
        targets: vec![Lang::parse("pt").unwrap()],
        limits: Limits::default(),
    };
    let http_charset = oracle.content_type.as_deref().and_then(charset);
    let feed = parse_feed(bytes, None, http_charset.as_deref()).map_err(|e| e.to_string())?;
    let articles = feed
        .items
        .iter()
        .filter_map(|item| {
            let rev = item.revision(&newsroom, 0).ok()?;
            Some(Article {
                title: squash(&rev.title),
                link: item.link.clone().unwrap_or_default().trim().to_string(),
            })
        })
        .collect();
    Ok((squash(&feed.title), articles))
}

#[test]
fn warta_reads_feedparsers_corpus_as_feedparser_does() {
    let Some(dir) = corpus_dir() else { return };
    let oracle = oracle(&dir);
    assert!(oracle.len() > 2000, "{} files", oracle.len());
    let refused: BTreeMap<&str, &str> = REFUSED.iter().copied().collect();
    let mut failures = Vec::new();
    let (mut compared, mut matched, mut encoding_files, mut encoding_read, mut encoding_refused) =
        (0, 0, 0, 0, 0);
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for (file, want) in &oracle {
        let bytes = std::fs::read(dir.join("corpus").join(file)).unwrap();
        let got = std::panic::catch_unwind(|| warta(&bytes, want));
        let got = match got {
            Ok(got) => got,
            Err(_) => {
                failures.push(format!("{file}: panicked"));
                continue;
            }
        };
        if let Err(e) = &got {
            if e.contains("failed on this document") {
                failures.push(format!("{file}: a dependency panicked: {e}"));
                continue;
            }
            if e.contains('\n') {
                failures.push(format!("{file}: the error is not one line: {e:?}"));
            }
        }
        let listed = refused.get(file.as_str());
        let mut differs = None;
        if !want.articles.is_empty() {
            compared += 1;
            match &got {
                Ok((_, articles)) if *articles == want.articles => matched += 1,
                Ok((_, articles)) => {
                    differs = Some(format!(
                        "articles: feedparser {:?}, warta {articles:?}",
                        want.articles
                    ))
                }
                Err(e) => differs = Some(format!("refused: {e}")),
            }
        }
        let encoding = file.starts_with("encoding/") || file.starts_with("illformed/chardet/");
        if encoding {
            encoding_files += 1;
            match &got {
                Ok((title, _)) if *title == want.feed_title => encoding_read += 1,
                Ok((title, _)) => {
                    differs.get_or_insert(format!(
                        "feed title: feedparser {:?} (bozo {}), warta {title:?}",
                        want.feed_title, want.bozo
                    ));
                }
                Err(e) => {
                    encoding_refused += 1;
                    // Grouped by the sentence, without the label it names.
                    let kind = e.split('`').next().unwrap_or(e).to_string();
                    *refusals.entry(kind).or_default() += 1;
                }
            }
        }
        match (differs, listed) {
            (Some(_), Some(reason)) => *by_reason.entry(reason).or_default() += 1,
            (Some(d), None) => failures.push(format!("{file}: {d}")),
            (None, Some(_)) => failures.push(format!(
                "{file}: listed in REFUSED but now read as feedparser reads it: remove it"
            )),
            (None, None) => {}
        }
    }
    eprintln!(
        "feedparser corpus: {} files; {compared} with articles, {matched} read alike, \
         {} listed; encoding files: {encoding_files}, {encoding_read} with feedparser's feed \
         title, {encoding_refused} refused in one line",
        oracle.len(),
        by_reason.values().sum::<usize>()
    );
    for (reason, n) in &by_reason {
        eprintln!("  listed {n}: {reason}");
    }
    for (reason, n) in &refusals {
        eprintln!("  refused {n}: {reason}…");
    }
    assert!(
        failures.is_empty(),
        "{} files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
