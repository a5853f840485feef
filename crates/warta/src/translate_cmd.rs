//! `warta translate --from SRC --to TRG [--html] [--json]`: stdin → stdout.
//!
//! Text (one unit per line) and HTML fragments both go through
//! `warta-pipeline`, as the newsroom's articles do: the glossary of the
//! configured newsroom (when `--from` is its source language and its
//! database exists), protected spans and the QA checks apply; `--json`
//! reports each sentence's flags.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;
use warta_core::Lang;
use warta_engine::ModelPool;
use warta_pipeline::{Flag, Options, Request, SourceDoc, Term};
use warta_server::Config;

use crate::cli::{Global, TranslateArgs};

#[derive(Serialize)]
struct JsonOut<'a> {
    from: &'a str,
    to: &'a str,
    pivot: Option<&'a str>,
    model_id: &'a str,
    /// The translated HTML, with `--html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<&'a str>,
    /// Glossary entries applied, and where they were read from.
    glossary: GlossaryInfo,
    segments: Vec<JsonSegment<'a>>,
    /// Whole-document findings (markup lost), with `--html`.
    document_flags: &'a [Flag],
    quality: warta_pipeline::QualitySummary,
    timings: Timings,
}

#[derive(Serialize)]
struct GlossaryInfo {
    entries: usize,
    source: Option<String>,
}

/// A line of text (or, with `--html`, a sentence) with its QA flags.
#[derive(Serialize)]
struct JsonSegment<'a> {
    index: usize,
    source: &'a str,
    target: &'a str,
    flags: Vec<&'a Flag>,
}

#[derive(Serialize)]
struct Timings {
    load_ms: f64,
    translate_ms: f64,
    segments: usize,
    sentences: usize,
    source_words: usize,
    words_per_second: f64,
}

pub fn run(global: &Global, args: TranslateArgs) -> anyhow::Result<()> {
    let src = Lang::parse(&args.from).context("--from")?;
    let trg = Lang::parse(&args.to).context("--to")?;
    if src == trg {
        bail!("--from and --to are both `{src}`: nothing to translate");
    }
    let input = read_stdin()?;
    // The newsroom's configuration decides the adequacy thresholds (or
    // that the check is off) and where the glossary is, as in `serve`.
    let config =
        Config::load(args.config.as_deref()).context("reading the configuration")?;
    let (terms, glossary_source) = if args.no_glossary {
        (Vec::new(), None)
    } else {
        glossary(&config, src, trg)?
    };

    let t_load = Instant::now();
    let pool = ModelPool::new(global.model_store(), args.threads);
    let translator = pool.translator(src, trg)?;
    let load_ms = t_load.elapsed().as_secs_f64() * 1e3;

    let text = input.strip_suffix('\n').unwrap_or(&input);
    let doc = if args.html {
        SourceDoc::html(input.as_str())
    } else {
        SourceDoc::text(text)
    };
    let bar = progress_bar(&input);
    let t_tr = Instant::now();
    let glossaries = HashMap::from([(trg, terms)]);
    let result = warta_pipeline::translate(
        &pool,
        src,
        vec![Request {
            doc: Arc::new(doc),
            target: trg,
        }],
        &glossaries,
        &Options {
            adequacy: config.adequacy,
            ..Options::default()
        },
    )
    .pop()
    .context("no result from the pipeline")?;
    let translate_ms = t_tr.elapsed().as_secs_f64() * 1e3;
    bar.finish_and_clear();
    let out_doc = result?;

    let mut out = std::io::stdout().lock();
    if args.json {
        let words: usize = out_doc
            .segments
            .iter()
            .map(|s| s.source.split_whitespace().count())
            .sum();
        let json = JsonOut {
            from: src.code(),
            to: trg.code(),
            pivot: translator.pivot().map(Lang::code),
            model_id: &out_doc.model_id,
            html: args.html.then_some(out_doc.body.as_str()),
            glossary: GlossaryInfo {
                entries: glossaries[&trg].len(),
                source: glossary_source,
            },
            segments: if args.html {
                out_doc
                    .segments
                    .iter()
                    .enumerate()
                    .map(|(index, s)| JsonSegment {
                        index,
                        source: &s.source,
                        target: &s.target,
                        flags: s.flags.iter().collect(),
                    })
                    .collect()
            } else {
                // One per input line (units 2.. of a text document).
                text.split('\n')
                    .zip(out_doc.body.split('\n'))
                    .enumerate()
                    .map(|(index, (source, target))| JsonSegment {
                        index,
                        source,
                        target,
                        flags: out_doc
                            .segments
                            .iter()
                            .filter(|s| s.unit == index + 2)
                            .flat_map(|s| &s.flags)
                            .collect(),
                    })
                    .collect()
            },
            document_flags: &out_doc.doc_flags,
            quality: out_doc.summary(),
            timings: Timings {
                load_ms,
                translate_ms,
                segments: if args.html {
                    out_doc.segments.len()
                } else {
                    text.split('\n').filter(|l| !l.trim().is_empty()).count()
                },
                sentences: out_doc.engine_sentences,
                source_words: words,
                words_per_second: words as f64 / (translate_ms / 1e3).max(1e-9),
            },
        };
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else if args.html {
        write!(out, "{}", out_doc.body)?;
        if input.ends_with('\n') && !out_doc.body.ends_with('\n') {
            writeln!(out)?;
        }
    } else {
        writeln!(out, "{}", out_doc.body)?;
    }
    out.flush()?;
    Ok(())
}

/// The glossary entries for `trg` of the configured newsroom (`--config`,
/// `WARTA_CONFIG`, or the defaults), when `src` is its source language and
/// its database exists; with where they came from. A database that is
/// configured explicitly but cannot be read is an error; the default SQLite
/// file not existing is not (no newsroom here yet).
fn glossary(config: &Config, src: Lang, trg: Lang) -> anyhow::Result<(Vec<Term>, Option<String>)> {
    if config.source != src {
        return Ok((Vec::new(), None));
    }
    let url = config.database_url.clone();
    if let Some(path) = sqlite_path(&url) {
        if !Path::new(&path).exists() {
            return Ok((Vec::new(), None));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let terms = runtime.block_on(async {
        let store = warta_store::Store::connect(&url).await.with_context(|| {
            format!(
                "opening the newsroom database for its glossary ({})",
                redact(&url)
            )
        })?;
        let snap = store
            .glossary_snapshot(trg)
            .await
            .context("reading the glossary");
        store.close().await;
        anyhow::Ok(snap?)
    })?;
    Ok((terms.terms(), Some(redact(&url))))
}

/// The file of an SQLite URL (`sqlite://data/warta.sqlite?mode=rwc`).
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest).to_string())
}

/// A database URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// All of stdin as UTF-8 text, or a one-line reason why not.
pub fn read_stdin() -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("reading stdin")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "stdin is not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    if text.trim().is_empty() {
        bail!("nothing to translate: stdin is empty");
    }
    Ok(text)
}

/// A spinner on stderr for long inputs, only when a person is watching.
fn progress_bar(input: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || input.len() < 5_000 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!(
        "translating {} words",
        input.split_whitespace().count()
    ));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
