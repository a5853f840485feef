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
    let text = std::fs::read_to_string(&args.input)
        .with_context(|| format!("reading {}", args.input.display()))?;
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
            .map(|l| {
                translator
                    .legs()
                    .iter()
                    .fold(l.to_string(), |acc, leg| leg.engine.translate_long(&acc))
            })
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
    let mode = if args.one_by_one {
        "one-by-one (raw engine)".to_string()
    } else {
        format!("batched, {} threads", translator.threads())
    };
    println!("pair            {pair} ({})", translator.model_id());
    println!("mode            {mode}");
    println!("lines           {}", lines.len());
    println!("source words    {words}");
    println!("load            {load_s:.2} s");
    println!("translate       {secs:.2} s");
    println!("sentences/s     {:.1}", lines.len() as f64 / secs);
    println!("words/s         {:.1}", words as f64 / secs);
    println!(
        "peak RSS        {}",
        peak_rss()
            .map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
            .unwrap_or_else(|| "n/a".into())
    );
    Ok(())
}

/// Peak resident set size in KiB (Linux `VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Args)]
pub struct NewsroomArgs {
    /// The NTREX folder (newstest2019-src.eng.txt + DOCUMENT_IDS.tsv).
    #[arg(long, default_value = "../shared/data/ntrex")]
    pub ntrex: PathBuf,
    /// Number of documents.
    #[arg(long, default_value_t = 20)]
    pub docs: usize,
    /// Target language (the model en→TARGET must be installed).
    #[arg(long, default_value = "pt")]
    pub target: String,
    /// Worker threads for inference (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// NTREX English documents as articles: first line the title, the rest one
/// paragraph per line.
pub(crate) fn ntrex_documents(
    dir: &std::path::Path,
    n: usize,
) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let src = std::fs::read_to_string(dir.join("newstest2019-src.eng.txt"))
        .with_context(|| format!("reading {}/newstest2019-src.eng.txt", dir.display()))?;
    let ids = std::fs::read_to_string(dir.join("DOCUMENT_IDS.tsv"))?;
    let mut docs: Vec<(String, Vec<String>)> = Vec::new();
    for (id, line) in ids.lines().zip(src.lines()) {
        match docs.last_mut() {
            Some((d, lines)) if d == id => lines.push(line.to_string()),
            _ => docs.push((id.to_string(), vec![line.to_string()])),
        }
    }
    docs.truncate(n);
    Ok(docs)
}

pub fn newsroom(global: &Global, args: NewsroomArgs) -> anyhow::Result<()> {
    use warta_server::{App, AppHandle, Config};
    // The documents to time, and unseen ones for the revision measurement.
    let mut docs = ntrex_documents(&args.ntrex, args.docs + 6)?;
    let spare = docs.split_off(args.docs.min(docs.len()));
    let target = warta_core::Lang::parse(&args.target)?;
    let tmp = std::env::temp_dir().join(format!("warta-bench-{}", std::process::id()));
    let models = global
        .models_dir
        .clone()
        .unwrap_or_else(warta_models::ModelStore::default_root);
    let env: std::collections::BTreeMap<String, String> = [
        ("WARTA_LISTEN", "127.0.0.1:0".to_string()),
        ("WARTA_DATA_DIR", tmp.display().to_string()),
        ("WARTA_MODELS_DIR", models.display().to_string()),
        ("WARTA_THREADS", args.threads.to_string()),
        ("WARTA_SOURCE", "en".to_string()),
        ("WARTA_TARGETS", target.code().to_string()),
        (
            "WARTA_CONFIDENCE",
            std::env::var("WARTA_CONFIDENCE").unwrap_or_else(|_| "true".into()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    // The adequacy check and the policy as the caller's environment says
    // (on and `hold_errors` by default), for on/off comparisons.
    .chain(
        ["WARTA_ADEQUACY", "WARTA_PUBLISHING_POLICY"]
            .into_iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v))),
    )
    .collect();
    let config = Config::from_toml("", &env)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async {
        let app = App::build(config).await?;
        let key = app.ctx.store.create_api_key("bench").await?.0;
        let handle = AppHandle::start(app.clone(), 1).await?;
        let base = format!("http://{}", handle.addr);
        let client = Client {
            base: base.clone(),
            key,
        };

        // Warm up: load the model through one article.
        let warm = client
            .post(
                "warm-up",
                "How are you today?",
                &["Good morning.".to_string()],
            )
            .await?;
        client.wait_decided(target, "warm-up", warm).await?;
        client.wait_scored(target, "warm-up", warm).await?;

        // Each document: POST → decided (published, or held by the
        // publishing policy: either way the reader's side is settled),
        // then → scored (model confidence, the job's second phase); the
        // next document is posted only when this one is scored, so no
        // document's scoring runs inside another's clock.
        let mut service = Vec::new();
        let mut scored = Vec::new();
        let mut held = 0;
        for (i, (_, lines)) in docs.iter().enumerate() {
            let slug = format!("ntrex-{i}");
            let t = Instant::now();
            client.post(&slug, &lines[0], &lines[1..]).await?;
            if client.wait_decided(target, &slug, t).await? == "held" {
                held += 1;
            }
            service.push(t.elapsed().as_secs_f64());
            client.wait_scored(target, &slug, t).await?;
            scored.push(t.elapsed().as_secs_f64());
        }
        // A 20-paragraph article, then a revision of one paragraph: only the
        // changed paragraph's sentences should reach the engine.
        let lines: Vec<String> = spare
            .iter()
            .flat_map(|(_, l)| l.iter().skip(1).cloned())
            .take(40)
            .collect();
        anyhow::ensure!(
            lines.len() == 40,
            "not enough NTREX lines for a 20-paragraph article"
        );
        let paragraphs: Vec<String> = lines.chunks(2).map(|c| c.join(" ")).collect();
        let model = app.ctx.pool.model(warta_core::Pair {
            src: app.config().source,
            trg: target,
        })?;
        let n0 = model.sentences.load(std::sync::atomic::Ordering::Relaxed);
        let t = Instant::now();
        client
            .post("twenty-paragraphs", "Twenty paragraphs", &paragraphs)
            .await?;
        client.wait_decided(target, "twenty-paragraphs", t).await?;
        let first_s = t.elapsed().as_secs_f64();
        let n1 = model.sentences.load(std::sync::atomic::Ordering::Relaxed);
        let mut revised = paragraphs.clone();
        revised[10] =
            "The storm moved north overnight. Roads to the coast remain closed.".to_string();
        let t = Instant::now();
        client
            .post("twenty-paragraphs", "Twenty paragraphs", &revised)
            .await?;
        client
            .wait_revision(target, "twenty-paragraphs", 2, t)
            .await?;
        let revision_s = t.elapsed().as_secs_f64();
        let n2 = model.sentences.load(std::sync::atomic::Ordering::Relaxed);
        let revision = (first_s, n1 - n0, revision_s, n2 - n1);

        // The bare engine on exactly the texts the pipeline translates.
        let tr = app.ctx.pool.translator(app.config().source, target)?;
        let mut bare = Vec::new();
        for (_, lines) in &docs {
            let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
            let t = Instant::now();
            let tr = tr.clone();
            let texts: Vec<String> = texts.iter().map(|s| s.to_string()).collect();
            tokio::task::spawn_blocking(move || {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                // Title, (empty) summary and one paragraph per line, as posted.
                tr.translate_texts(&refs, None)
            })
            .await?;
            bare.push(t.elapsed().as_secs_f64());
        }
        handle.stop().await;
        anyhow::Ok((service, scored, held, bare, revision))
    });
    let _ = std::fs::remove_dir_all(&tmp);
    let (service, scored, held, bare, (first_s, first_n, rev_s, rev_n)) = result?;
    let words: usize = docs
        .iter()
        .flat_map(|(_, l)| l.iter())
        .map(|l| l.split_whitespace().count())
        .sum();
    let s: f64 = service.iter().sum();
    let b: f64 = bare.iter().sum();
    println!(
        "documents        {} (NTREX, English side, en→{target})",
        docs.len()
    );
    println!("source words     {words}");
    let sc: f64 = scored.iter().sum();
    println!(
        "POST→published   {s:.2} s total, median {:.3} s per document (published or held; {held} held)",
        median(&service)
    );
    println!(
        "POST→scored      {sc:.2} s total, median {:.3} s per document (model confidence too)",
        median(&scored)
    );
    println!(
        "bare engine      {b:.2} s total, median {:.3} s per document",
        median(&bare)
    );
    println!(
        "overhead         {:+.1} % to published, {:+.1} % to scored",
        (s / b - 1.0) * 100.0,
        (sc / b - 1.0) * 100.0
    );
    println!("20-paragraph article: first translation {first_s:.2} s ({first_n} sentences to the engine)");
    println!("one paragraph revised: {rev_s:.2} s ({rev_n} sentences to the engine)");
    Ok(())
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// A minimal HTTP/1.1 client over a TCP socket for the benchmark: keeps the
/// binary free of a client library used nowhere else.
struct Client {
    base: String,
    key: String,
}

impl Client {
    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> anyhow::Result<(u16, String)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = self.base.trim_start_matches("http://");
        let mut s = tokio::net::TcpStream::connect(host).await?;
        let body = body.unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.key,
            body.len()
        );
        s.write_all(req.as_bytes()).await?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await?;
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Ok((status, text))
    }

    async fn post(
        &self,
        slug: &str,
        title: &str,
        paragraphs: &[String],
    ) -> anyhow::Result<Instant> {
        let body_html: String = paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>", warta_site::escape(p)))
            .collect();
        let body =
            serde_json::json!({ "slug": slug, "title": title, "body_html": body_html }).to_string();
        let t = Instant::now();
        let (status, text) = self.request("POST", "/api/v1/articles", Some(body)).await?;
        anyhow::ensure!(status == 202, "POST {slug}: {text}");
        Ok(t)
    }

    async fn wait_revision(
        &self,
        lang: warta_core::Lang,
        slug: &str,
        revision: i64,
        since: Instant,
    ) -> anyhow::Result<()> {
        loop {
            let (status, text) = self
                .request("GET", &format!("/api/v1/articles/{slug}/{lang}"), None)
                .await?;
            let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            if status == 200 && v["revision"] == revision {
                return Ok(());
            }
            anyhow::ensure!(
                since.elapsed().as_secs() < 300,
                "{slug} revision {revision} not published after 300 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// The version of `slug` in `lang` from the API, once it exists.
    async fn version(
        &self,
        lang: warta_core::Lang,
        slug: &str,
    ) -> anyhow::Result<Option<serde_json::Value>> {
        let (status, text) = self
            .request("GET", &format!("/api/v1/articles/{slug}/{lang}"), None)
            .await?;
        let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
        Ok((status == 200)
            .then(|| serde_json::from_str(body).ok())
            .flatten())
    }

    /// Poll (every 5 ms) until `done` says yes of the version, or 300 s.
    async fn wait_version<T>(
        &self,
        lang: warta_core::Lang,
        slug: &str,
        since: Instant,
        what: &str,
        done: impl Fn(&serde_json::Value) -> Option<T>,
    ) -> anyhow::Result<T> {
        loop {
            if let Some(v) = self.version(lang, slug).await? {
                if let Some(out) = done(&v) {
                    return Ok(out);
                }
            }
            anyhow::ensure!(
                since.elapsed().as_secs() < 300,
                "{slug} not {what} after 300 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Until the version is published or held; which of the two.
    async fn wait_decided(
        &self,
        lang: warta_core::Lang,
        slug: &str,
        since: Instant,
    ) -> anyhow::Result<String> {
        self.wait_version(lang, slug, since, "published or held", |v| {
            let state = v["state"].as_str()?;
            matches!(state, "published" | "held").then(|| state.to_string())
        })
        .await
    }

    /// Until the version's machine sentences have their model confidence
    /// (or it has none to score, or scoring is off).
    async fn wait_scored(
        &self,
        lang: warta_core::Lang,
        slug: &str,
        since: Instant,
    ) -> anyhow::Result<()> {
        let off = std::env::var("WARTA_CONFIDENCE").is_ok_and(|v| v == "false");
        self.wait_version(lang, slug, since, "scored", |v| {
            let q = &v["quality"];
            (off || !q["confidence_mean"].is_null() || q["engine_sentences"] == 0).then_some(())
        })
        .await
    }
}

#[derive(Args)]
pub struct EnforcementArgs {
    /// The NTREX folder (newstest2019-src.eng.txt + DOCUMENT_IDS.tsv).
    #[arg(long, default_value = "../shared/data/ntrex")]
    pub ntrex: PathBuf,
    /// Target language (the model en→TARGET must be installed).
    #[arg(long, default_value = "pt")]
    pub target: String,
    /// Worker threads for inference (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Also write the outputs to this folder, for scoring against the
    /// references (`scripts/eval-quality`): engine.txt and pipeline.txt (all
    /// lines), titles.engine.txt, titles.pipeline.txt and, where NTREX has
    /// the target's reference, titles.reference.txt (each document's first
    /// line, its title).
    #[arg(long)]
    pub write: Option<PathBuf>,
}

/// NTREX's reference file for `target`, by its language code.
fn ntrex_reference(ntrex: &std::path::Path, target: warta_core::Lang) -> Option<PathBuf> {
    let name = match target.code() {
        "pt" => "por-BR",
        "fr" => "fra",
        "zh" => "zho-CN",
        "ja" => "jpn",
        "ar" => "arb",
        "id" => "ind",
        _ => return None,
    };
    Some(ntrex.join(format!("newstest2019-ref.{name}.txt"))).filter(|p| p.exists())
}

/// Every NTREX line translated twice — by the raw engine, line by line, and
/// by the pipeline (one document per NTREX document, its first line the
/// title, no glossary, so what differs is protected-span enforcement, name
/// re-spelling and headline casing) —
/// and each line whose output differs printed with both texts, for a person
/// to judge fix, neutral or damage (BENCHMARKS.md "Enforcement on NTREX").
pub fn enforcement(global: &Global, args: EnforcementArgs) -> anyhow::Result<()> {
    use std::collections::HashMap;
    use std::sync::Arc;
    use warta_pipeline::{Options, Request, SourceDoc};
    let docs = ntrex_documents(&args.ntrex, usize::MAX)?;
    let en = warta_core::Lang::english();
    let target = warta_core::Lang::parse(&args.target)?;
    let pool = warta_engine::ModelPool::new(global.model_store(), args.threads);
    let tr = pool.translator(en, target)?;
    let lines: Vec<&str> = docs
        .iter()
        .flat_map(|(_, ls)| ls.iter().map(String::as_str))
        .collect();
    let started = Instant::now();
    let raw = tr.translate_texts(&lines, None);
    let raw_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let requests: Vec<Request> = docs
        .iter()
        .map(|(_, ls)| Request {
            // The first line is the document's title, as in an article.
            doc: Arc::new(SourceDoc {
                title: ls[0].clone(),
                summary: String::new(),
                body: warta_pipeline::Body::Text(ls[1..].join("\n")),
            }),
            target,
        })
        .collect();
    let results =
        warta_pipeline::translate(&pool, en, requests, &HashMap::new(), &Options::default());
    let pipeline_s = started.elapsed().as_secs_f64();
    let mut piped: Vec<String> = Vec::with_capacity(lines.len());
    let (mut placed, mut refused, mut respelled) = (0, 0, 0);
    for ((id, ls), r) in docs.iter().zip(results) {
        let d = r.with_context(|| format!("document {id}"))?;
        placed += d.enforced;
        refused += d.refused;
        respelled += d.respelled;
        let out: Vec<&str> = std::iter::once(d.title.as_str())
            .chain(d.body.split('\n').take(ls.len() - 1))
            .collect();
        anyhow::ensure!(
            out.len() == ls.len(),
            "document {id}: {} lines out for {}",
            out.len(),
            ls.len()
        );
        piped.extend(out.into_iter().map(str::to_string));
    }
    if let Some(dir) = &args.write {
        write_outputs(dir, &args.ntrex, target, &docs, &raw, &piped)?;
    }
    let mut changed = 0;
    for (i, ((src, a), b)) in lines.iter().zip(&raw).zip(&piped).enumerate() {
        if a != b {
            changed += 1;
            println!(
                "line {}\n  source:   {src}\n  engine:   {a}\n  pipeline: {b}\n",
                i + 1
            );
        }
    }
    println!(
        "{changed} of {} lines changed; {placed} spans put in place, {refused} refused as unsound, {respelled} names re-spelled; engine {raw_s:.1} s, pipeline {pipeline_s:.1} s",
        lines.len()
    );
    Ok(())
}

/// The files of `bench enforcement --write` (see [`EnforcementArgs::write`]).
fn write_outputs(
    dir: &std::path::Path,
    ntrex: &std::path::Path,
    target: warta_core::Lang,
    docs: &[(String, Vec<String>)],
    raw: &[String],
    piped: &[String],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // The index of each document's first line among all lines.
    let firsts: Vec<usize> = docs
        .iter()
        .scan(0, |at, (_, ls)| {
            let first = *at;
            *at += ls.len();
            Some(first)
        })
        .collect();
    let write = |name: &str, lines: &mut dyn Iterator<Item = &str>| -> anyhow::Result<()> {
        let mut text = String::new();
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    write("engine.txt", &mut raw.iter().map(String::as_str))?;
    write("pipeline.txt", &mut piped.iter().map(String::as_str))?;
    write(
        "titles.engine.txt",
        &mut firsts.iter().map(|&i| raw[i].as_str()),
    )?;
    write(
        "titles.pipeline.txt",
        &mut firsts.iter().map(|&i| piped[i].as_str()),
    )?;
    if let Some(reference) = ntrex_reference(ntrex, target) {
        let text = std::fs::read_to_string(&reference)
            .with_context(|| format!("reading {}", reference.display()))?;
        let all: Vec<&str> = text.lines().collect();
        anyhow::ensure!(
            all.len() >= raw.len(),
            "{} has {} lines for {} sources",
            reference.display(),
            all.len(),
            raw.len()
        );
        write("titles.reference.txt", &mut firsts.iter().map(|&i| all[i]))?;
    }
    Ok(())
}
