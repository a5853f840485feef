//! `warta bench translate`: throughput of the translate stage on a corpus.
//!
//! Reports sentences/s, words/s (source words, whitespace-separated, the
//! convention fxtranslate's own figures use) and the process's peak resident
//! memory (VmHWM). `--one-by-one` runs the raw engine on each line alone, no
//! batching and no threads: the baseline the batched path must match in
//! output and beat in speed.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use warta_core::Pair;
use warta_engine::ModelPool;

use crate::cli::Global;

#[derive(Args)]
pub struct BenchArgs {
    /// Language pair, SRC-TRG.
    #[arg(long)]
    pub pair: String,
    /// Corpus: one sentence (or segment) per line.
    #[arg(long)]
    pub input: PathBuf,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Write the translations here, one per line (for scoring).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Translate line by line with the raw engine (baseline).
    #[arg(long)]
    pub one_by_one: bool,
    /// Use only the first N lines.
    #[arg(long)]
    pub limit: Option<usize>,
}

pub fn run(global: &Global, args: BenchArgs) -> anyhow::Result<()> {
    let pair: Pair = args.pair.parse()?;
    let text = std::fs::read_to_string(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(n) = args.limit {
        lines.truncate(n);
    }
    anyhow::ensure!(!lines.is_empty(), "{} has no lines", args.input.display());
    let words: usize = lines.iter().map(|l| l.split_whitespace().count()).sum();

    let t_load = Instant::now();
    let pool = ModelPool::new(global.model_store(), args.threads);
    let translator = pool.translator(pair.src, pair.trg)?;
    let load_s = t_load.elapsed().as_secs_f64();

    let t = Instant::now();
    let out: Vec<String> = if args.one_by_one {
        lines
            .iter()
            .map(|l| translator.legs().iter().fold(l.to_string(), |acc, leg| leg.engine.translate_long(&acc)))
            .collect()
    } else {
        translator.translate_texts(&lines, None)
    };
    let secs = t.elapsed().as_secs_f64();

    if let Some(path) = &args.output {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for l in &out {
            writeln!(f, "{l}")?;
        }
    }
    let mode = if args.one_by_one { "one-by-one (raw engine)".to_string() } else { format!("batched, {} threads", translator.threads()) };
    println!("pair            {pair} ({})", translator.model_id());
    println!("mode            {mode}");
    println!("lines           {}", lines.len());
    println!("source words    {words}");
    println!("load            {load_s:.2} s");
    println!("translate       {secs:.2} s");
    println!("sentences/s     {:.1}", lines.len() as f64 / secs);
    println!("words/s         {:.1}", words as f64 / secs);
    println!("peak RSS        {}", peak_rss().map(|k| format!("{:.1} MiB", k as f64 / 1024.0)).unwrap_or_else(|| "n/a".into()));
    Ok(())
}

/// Peak resident set size in KiB (Linux `VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
