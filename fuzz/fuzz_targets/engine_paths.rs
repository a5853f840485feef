//! The translate stage with the real en→pt test model, whatever the text:
//! arbitrary bytes (UTF-8, lossy) through both paths of `warta-engine` and
//! through the whole pipeline (`warta_pipeline::translate`) as the body of
//! an HTML fragment with a link in it, as the newsroom worker runs it
//! (crates/warta-server/src/worker.rs).
//!
//! The model is loaded once, from `WARTA_TEST_MODELS` or else
//! `../target/test-models` beside this directory (`scripts/fetch-test-models`
//! writes it there); without it the target stops with a message before the
//! first input.
//!
//! Invariants, from the documented contracts:
//! - nothing panics (warta-engine and warta-pipeline: "never panics on
//!   input");
//! - the aligned path's text equals the batch path's for the same text
//!   (`Translator::translate_aligned`), direct and through a pivot
//!   (en→pt→en, one input in four, which also goes through the pipeline on
//!   a two-leg route, pt→en→fr, with en→pt installed as `en-fr` as in
//!   crates/warta-server/tests/pivot.rs);
//! - every alignment range lies on char boundaries of the string it
//!   refers to, source and target tokens each in order, one weight row per
//!   target token and one weight per source token (`warta_core::Alignment`);
//! - the pipeline translates the fragment or refuses it as bad input —
//!   never "model broken" or "model missing" with the model installed — and
//!   the link's `href` is in the translation unless a whole-document flag
//!   says markup was lost.
//!
//! The first byte steers: its low four bits repeat the text up to 16 times
//! (so a short input still reaches past the model's 127-token window),
//! 0x30 adds the pivot routes, 0x40 skips the pipeline (half the inputs
//! exercise only the engine, at twice the speed). The second byte places
//! the link.

#![no_main]

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use warta_core::{Alignment, Lang};
use warta_engine::{ModelPool, Translator};
use warta_models::ModelStore;
use warta_pipeline::{Options, PipelineError, Request, SourceDoc};

/// Longest text tried, in bytes: past the model's window (127 tokens) two
/// to eight times over, whatever the script, and still about a second per
/// execution (each decodes the text four times: batch, aligned, and the
/// pipeline's batch and aligned passes).
const MAX_TEXT: usize = 1200;
const HREF: &str = "https://example.org/x";

static POOL: OnceLock<ModelPool> = OnceLock::new();
/// pt-en and en-pt installed as `en-fr`: a two-leg route for the pipeline.
static PIVOT_POOL: OnceLock<ModelPool> = OnceLock::new();

/// A store in a temporary directory with pt-en and en-pt as `en-fr`
/// (the model files linked, the manifest rewritten).
fn pivot_store(models: &std::path::Path) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("warta-fuzz-pivot-{}", std::process::id()));
    for (from, to) in [("pt-en", "pt-en"), ("en-pt", "en-fr")] {
        let target = dir.join(to);
        std::fs::create_dir_all(&target)?;
        for e in std::fs::read_dir(models.join(from))? {
            let e = e?;
            let link = target.join(e.file_name());
            if e.file_name() == "manifest.json" {
                let m = std::fs::read_to_string(e.path())?.replace("\"en-pt\"", "\"en-fr\"");
                std::fs::write(link, m)?;
            } else if !link.exists() {
                std::os::unix::fs::symlink(e.path(), link)?;
            }
        }
    }
    Ok(dir)
}

fn models_dir() -> PathBuf {
    std::env::var_os("WARTA_TEST_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-models"))
}

fn lang(code: &str) -> Lang {
    Lang::parse(code).expect("a known code")
}

fn on_boundaries(s: &str, r: &Range<usize>) -> bool {
    r.start <= r.end && r.end <= s.len() && s.is_char_boundary(r.start) && s.is_char_boundary(r.end)
}

fn check_alignment(text: &str, target: &str, al: &Alignment) {
    for (what, s, tokens) in [("source", text, &al.source_tokens), ("target", target, &al.target_tokens)] {
        for r in tokens {
            assert!(on_boundaries(s, r), "{what} token {r:?} off {s:?}");
        }
        assert!(tokens.windows(2).all(|w| w[0].start <= w[1].start), "{what} tokens out of order: {tokens:?}");
    }
    assert_eq!(al.weights.len(), al.target_tokens.len(), "one row per target token");
    for row in &al.weights {
        assert_eq!(row.len(), al.source_tokens.len(), "one weight per source token");
    }
}

fn both_paths(tr: &Translator, text: &str) {
    let batch = tr.translate_texts(&[text], None).remove(0);
    let aligned = tr.translate_aligned(text);
    assert_eq!(aligned.target, batch, "aligned and batch texts differ for {text:?}");
    check_alignment(text, &aligned.target, &aligned.alignment);
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The char boundary of `s` at or below `at`.
fn floor(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The char boundary of `s` at or below `k`/256 of its length.
fn cut(s: &str, k: u8) -> usize {
    floor(s, s.len() * usize::from(k) / 256)
}

fuzz_target!(
    init: {
        let dir = models_dir();
        if !dir.join("en-pt/manifest.json").exists() {
            eprintln!(
                "engine_paths: no en-pt test model in {} (run scripts/fetch-test-models, or set WARTA_TEST_MODELS)",
                dir.display()
            );
            std::process::exit(2);
        }
        let pivot = pivot_store(&dir).unwrap_or_else(|e| {
            eprintln!("engine_paths: cannot set up the pivot store: {e}");
            std::process::exit(2)
        });
        // One inference thread: libFuzzer runs this process on one core.
        let _ = POOL.set(ModelPool::new(ModelStore::open(dir), 1));
        let _ = PIVOT_POOL.set(ModelPool::new(ModelStore::open(pivot), 1));
    },
    |data: &[u8]| {
        let Some((&head, rest)) = data.split_first() else { return };
        let Some((&cuts, rest)) = rest.split_first() else { return };
        let once = String::from_utf8_lossy(rest);
        let times = usize::from(head & 0x0f) + 1;
        let mut text = once.repeat(times);
        text.truncate(floor(&text, MAX_TEXT));
        let pool = POOL.get().expect("init loaded the model");

        let en_pt = pool.translator(lang("en"), lang("pt")).expect("en-pt is installed");
        both_paths(&en_pt, &text);
        if head & 0x30 == 0x30 {
            let pivot = pool.translator_via(lang("en"), lang("pt"), lang("en")).expect("both test models are installed");
            both_paths(&pivot, &text);
        }

        // The whole pipeline, with a link around a piece of the text: for
        // every other input (the slower half of the work).
        if head & 0x40 != 0 {
            return;
        }
        let (a, b) = (cut(&text, cuts & 0xf0), cut(&text, (cuts << 4) | 0x0f));
        let (a, b) = (a.min(b), a.max(b));
        let html = format!(
            "<p>{}<a href=\"{HREF}\">{}</a>{}</p>",
            escape(&text[..a]),
            escape(&text[a..b]),
            escape(&text[b..])
        );
        // What ingest stores (crates/warta-server/src/ingest.rs).
        let clean = warta_html::sanitize(&html);
        let mut runs = vec![(pool, "en", "pt")];
        if head & 0x30 == 0x30 {
            runs.push((PIVOT_POOL.get().expect("init set it up"), "pt", "fr"));
        }
        for (pool, src, trg) in runs {
            let req = Request { doc: Arc::new(SourceDoc::html(clean.clone())), target: lang(trg) };
            let out = warta_pipeline::translate(pool, lang(src), vec![req], &HashMap::new(), &Options::default());
            assert_eq!(out.len(), 1, "one document in, one out");
            match &out[0] {
                Ok(doc) => {
                    if clean.contains(HREF) {
                        assert!(
                            doc.body.contains(HREF) || !doc.doc_flags.is_empty(),
                            "{src}→{trg}: the link was lost without a flag: {clean:?} → {:?}",
                            doc.body
                        );
                    }
                }
                Err(PipelineError::BadInput(_)) => {}
                Err(e) => panic!("{src}→{trg}: {e} for {clean:?}"),
            }
        }
    }
);
