//! `warta translate --from SRC --to TRG [--html] [--json]`: stdin → stdout.

use std::collections::HashSet;
use std::io::{IsTerminal, Read, Write};
use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;
use warta_core::Lang;
use warta_engine::ModelPool;

use crate::cli::{Global, TranslateArgs};

#[derive(Serialize)]
struct JsonOut<'a> {
    from: &'a str,
    to: &'a str,
    pivot: Option<&'a str>,
    model_id: String,
    segments: Vec<JsonSegment<'a>>,
    timings: Timings,
}

#[derive(Serialize)]
struct JsonSegment<'a> {
    index: usize,
    source: &'a str,
    target: &'a str,
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

    let t_load = Instant::now();
    let pool = ModelPool::new(global.model_store(), args.threads);
    let translator = pool.translator(src, trg)?;
    let load_ms = t_load.elapsed().as_secs_f64() * 1e3;

    if args.html {
        return run_html(&pool, src, trg, &input, args.json, load_ms);
    }
    // Segments: one per line.
    let segments: Vec<&str> = input.lines().collect();
    let to_translate: Vec<&str> = segments.iter().copied().filter(|l| !l.trim().is_empty()).collect();
    let bar = progress_bar(&to_translate);

    let t_tr = Instant::now();
    let translated = translator.translate_texts(&to_translate, Some(&|n| bar.inc(n as u64)));
    let translate_ms = t_tr.elapsed().as_secs_f64() * 1e3;
    bar.finish_and_clear();

    // Put blank lines back where they were.
    let mut it = translated.iter();
    let outputs: Vec<&str> = segments
        .iter()
        .map(|l| if l.trim().is_empty() { "" } else { it.next().map(String::as_str).unwrap_or("") })
        .collect();

    let mut out = std::io::stdout().lock();
    if args.json {
        let words: usize = to_translate.iter().map(|s| s.split_whitespace().count()).sum();
        let json = JsonOut {
            from: src.code(),
            to: trg.code(),
            pivot: translator.pivot().map(Lang::code),
            model_id: translator.model_id(),
            segments: segments
                .iter()
                .zip(&outputs)
                .enumerate()
                .map(|(index, (s, t))| JsonSegment { index, source: s, target: t })
                .collect(),
            timings: Timings {
                load_ms,
                translate_ms,
                segments: to_translate.len(),
                sentences: to_translate.iter().map(|t| warta_engine::split_sentences(t).len()).sum(),
                source_words: words,
                words_per_second: words as f64 / (translate_ms / 1e3).max(1e-9),
            },
        };
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else {
        for line in &outputs {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// `--html`: the fragment's blocks are the segments; markup is carried over.
fn run_html(pool: &ModelPool, src: Lang, trg: Lang, input: &str, json: bool, load_ms: f64) -> anyhow::Result<()> {
    use warta_server::pipeline::{translate, Request, SourceDoc};
    let doc = std::sync::Arc::new(SourceDoc { title: String::new(), summary: String::new(), body_html: input.to_string() });
    let t = Instant::now();
    let result = translate(pool, src, vec![Request { doc, target: trg }]).pop().expect("one result");
    let translate_ms = t.elapsed().as_secs_f64() * 1e3;
    let out_doc = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    if json {
        let words: usize = out_doc.segments.iter().map(|s| s.source.split_whitespace().count()).sum();
        let value = serde_json::json!({
            "from": src.code(),
            "to": trg.code(),
            "model_id": out_doc.model_id,
            "html": out_doc.body_html,
            "segments": out_doc.segments.iter().enumerate()
                .map(|(i, s)| serde_json::json!({"index": i, "source": s.source, "target": s.target}))
                .collect::<Vec<_>>(),
            "timings": {
                "load_ms": load_ms,
                "translate_ms": translate_ms,
                "segments": out_doc.segments.len(),
                "sentences": out_doc.engine_sentences,
                "source_words": words,
                "words_per_second": words as f64 / (translate_ms / 1e3).max(1e-9),
            },
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", out_doc.body_html)?;
        if input.ends_with('\n') && !out_doc.body_html.ends_with('\n') {
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// All of stdin as UTF-8 text, or a one-line reason why not.
pub fn read_stdin() -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).context("reading stdin")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!("stdin is not valid UTF-8 (first bad byte at offset {})", e.utf8_error().valid_up_to())
    })?;
    if text.trim().is_empty() {
        bail!("nothing to translate: stdin is empty");
    }
    Ok(text)
}

/// A bar on stderr for long inputs, only when a person is watching.
fn progress_bar(texts: &[&str]) -> indicatif::ProgressBar {
    let unique: HashSet<&str> = texts.iter().flat_map(|t| warta_engine::split_sentences(t)).collect();
    if !std::io::stderr().is_terminal() || unique.len() < 50 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(unique.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} sentences, {per_sec}, eta {eta}")
            .expect("valid template"),
    );
    bar
}
