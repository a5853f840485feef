//! `warta models …`

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::{bail, Context};
use warta_core::Pair;
use warta_models::{
    pairs_for, Catalog, Fetch, ModelStore, NetworkFetch, Progress, PullOptions, PullOutcome,
};
use warta_server::Config;

use crate::cli::{Global, ModelsCommand, PullArgs};

pub fn run(global: &Global, cmd: ModelsCommand) -> anyhow::Result<()> {
    let store = global.model_store();
    match cmd {
        ModelsCommand::List => {
            let entries = store.list()?;
            if entries.is_empty() {
                println!(
                    "no models in {} (get some with `warta models pull PAIR`)",
                    store.root().display()
                );
            }
            for e in entries {
                match e {
                    Ok(m) => println!(
                        "{:<7} {:>6.1} MiB  version {}  {}  ({})",
                        m.pair().to_string(),
                        m.bytes() as f64 / (1024.0 * 1024.0),
                        m.manifest.version,
                        m.model_id(),
                        m.manifest.origin
                    ),
                    Err(e) => println!("broken  {e}"),
                }
            }
        }
        ModelsCommand::Import { dir, pair, version } => {
            let pair: Pair = pair.parse()?;
            let m = store.import(&dir, pair, version.as_deref())?;
            println!(
                "imported {} into {} ({})",
                pair,
                m.dir.display(),
                m.model_id()
            );
        }
        ModelsCommand::Pull(args) => pull(global, args)?,
        ModelsCommand::Mirror { dir } => {
            let written = store
                .write_mirror(&dir)
                .with_context(|| format!("writing the mirror {}", dir.display()))?;
            if written.is_empty() {
                bail!(
                    "no models in {} to mirror (pull some first)",
                    store.root().display()
                );
            }
            for m in &written {
                println!(
                    "{:<7} {}  ({})",
                    m.pair().to_string(),
                    m.dir.display(),
                    m.model_id()
                );
            }
            println!(
                "serve {} over HTTP; other machines run `warta models pull PAIR… --mirror URL`",
                dir.display()
            );
        }
        ModelsCommand::Verify => {
            let reports = store.verify().context("verifying the model store")?;
            let mut bad = 0;
            for r in &reports {
                if r.problems.is_empty() {
                    println!("ok      {}", r.pair);
                } else {
                    bad += 1;
                    for p in &r.problems {
                        println!("FAILED  {}: {p}", r.pair);
                    }
                }
            }
            if bad > 0 {
                bail!(
                    "{bad} of {} installed pairs failed verification",
                    reports.len()
                );
            }
            if reports.is_empty() {
                println!("no models in {}", store.root().display());
            }
        }
    }
    Ok(())
}

enum Source {
    RemoteSettings(Catalog),
    Mirror(String),
}

/// `warta models pull`: every pair is tried and reported on its own line
/// (stdout); the one error line (stderr) sums up what was not installed.
fn pull(global: &Global, args: PullArgs) -> anyhow::Result<()> {
    let config = Config::load(args.serve.config.as_deref())?;
    let store = ModelStore::open(
        global
            .models_dir
            .clone()
            .unwrap_or_else(|| config.models_dir.clone()),
    );
    let opts = PullOptions {
        allow_prerelease: args.allow_prerelease,
    };
    let fetch = NetworkFetch::new();

    let source = match (args.mirror, args.remote_settings) {
        (Some(m), Some(r)) => bail!("choose one source: --mirror {m} or --remote-settings {r}"),
        (Some(url), None) => Source::Mirror(url),
        // Read once for every pair: the records list is one document.
        (None, server) => {
            let server = server.unwrap_or_else(|| config.remote_settings.clone());
            Source::RemoteSettings(Catalog::fetch(&fetch, &server)?)
        }
    };

    let mut pairs: Vec<Pair> = Vec::new();
    for p in &args.pairs {
        let p: Pair = p.parse()?;
        if !pairs.contains(&p) {
            pairs.push(p);
        }
    }
    if args.for_config {
        let direct = |p: Pair| match &source {
            Source::RemoteSettings(catalog) => catalog.publishes(p, &opts),
            Source::Mirror(url) => fetch
                .get(&format!(
                    "{}/{}/manifest.json",
                    url.trim_end_matches('/'),
                    p.dir_name()
                ))
                .is_ok(),
        };
        let route = pairs_for(config.source, &config.targets, &direct, false);
        // The adequacy check scores a direct pair's output under its
        // reverse model; pulled where the source publishes it (a route
        // through English is not checked, so it needs none).
        let reverse: Vec<Pair> = match config.adequacy {
            Some(_) => config
                .targets
                .iter()
                .map(|&t| Pair { src: config.source, trg: t })
                .filter(|p| route.contains(p))
                .map(|p| Pair { src: p.trg, trg: p.src })
                .filter(|&p| direct(p))
                .collect(),
            None => Vec::new(),
        };
        for p in route.into_iter().chain(reverse) {
            if !pairs.contains(&p) {
                pairs.push(p);
            }
        }
    }

    let mut missing = Vec::new();
    for &pair in &pairs {
        let mut progress = TermProgress::new(pair);
        let outcome = match &source {
            Source::RemoteSettings(catalog) => {
                store.pull_remote_settings(&fetch, catalog, pair, &opts, &mut progress)
            }
            Source::Mirror(url) => store.pull_mirror(&fetch, url, pair, &mut progress),
        };
        let line = match outcome {
            Ok(PullOutcome::Installed(m)) => {
                format!("installed {} ({})", m.manifest.version, m.model_id())
            }
            Ok(PullOutcome::AlreadyCurrent(m)) => {
                format!("already current {} ({})", m.manifest.version, m.model_id())
            }
            Ok(PullOutcome::NotPublished) => {
                let what = match &source {
                    Source::RemoteSettings(_) => "not published by Mozilla".to_string(),
                    Source::Mirror(url) => format!("not on the mirror {url}"),
                };
                missing.push(format!("{pair} {what}"));
                what
            }
            Err(e) => {
                let what = format!("failed: {}", e.to_string().replace('\n', " "));
                missing.push(format!("{pair} {what}"));
                what
            }
        };
        println!("{:<7} {line}", pair.to_string());
    }
    if !missing.is_empty() {
        bail!(
            "{} of {} pairs not installed: {}",
            missing.len(),
            pairs.len(),
            missing.join("; ")
        );
    }
    Ok(())
}

/// A progress bar per download when a person is watching (stderr is a
/// terminal); otherwise one plain line per finished file on stdout, which
/// reads well in logs.
struct TermProgress {
    pair: Pair,
    bar: Option<indicatif::ProgressBar>,
    terminal: bool,
    file: String,
    bytes: u64,
    started: Instant,
}

impl TermProgress {
    fn new(pair: Pair) -> TermProgress {
        TermProgress {
            pair,
            bar: None,
            terminal: std::io::stderr().is_terminal(),
            file: String::new(),
            bytes: 0,
            started: Instant::now(),
        }
    }
}

impl Progress for TermProgress {
    fn start(&mut self, file: &str, bytes: u64) {
        self.file = file.to_string();
        self.bytes = bytes;
        self.started = Instant::now();
        if self.terminal {
            let bar = indicatif::ProgressBar::new(bytes);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix:7} {msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("valid template"),
            );
            bar.set_prefix(self.pair.to_string());
            bar.set_message(file.to_string());
            self.bar = Some(bar);
        }
    }

    fn advance(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn finish(&mut self, ok: bool) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if ok && !self.terminal {
            println!(
                "        {} {:.1} MiB in {:.1} s",
                self.file,
                self.bytes as f64 / (1024.0 * 1024.0),
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}
