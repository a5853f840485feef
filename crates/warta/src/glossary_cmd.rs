//! `warta glossary import | export | list | add | delete`.
//!
//! Entries are validated by the same rules as `POST /api/v1/glossary`
//! (`NewGlossaryEntry::parse`), and every change re-queues the translations of the
//! articles that mention the term, as the API does. A running server's
//! workers pick those jobs up on their next poll.

use std::path::Path;

use anyhow::{bail, Context};
use warta_core::Lang;
use warta_server::Config;
use warta_store::{
    glossary_tsv, parse_glossary_tsv, GlossaryEntry, GlossaryFields, NewGlossaryEntry, RefusedLine,
    Store, StoreError, TsvLine,
};

use crate::cli::{GlossaryCommand, ServeArgs};

pub fn run(cmd: GlossaryCommand) -> anyhow::Result<()> {
    let serve = match &cmd {
        GlossaryCommand::Import { serve, .. }
        | GlossaryCommand::List { serve, .. }
        | GlossaryCommand::Export { serve, .. }
        | GlossaryCommand::Add { serve, .. }
        | GlossaryCommand::Delete { serve, .. } => serve,
    };
    let config = load_config(serve)?;
    // Parse the file before touching the database: a bad file changes nothing.
    let import = match &cmd {
        GlossaryCommand::Import { file, .. } => Some(parse_file(file, &config.targets)?),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let store = open_store(&config).await?;
        let result = match cmd {
            GlossaryCommand::Import { file, .. } => {
                import_entries(&store, &file, import.unwrap_or_default()).await
            }
            GlossaryCommand::List { lang, .. } => list(&store, lang.as_deref()).await,
            GlossaryCommand::Export { lang, .. } => export(&store, lang.as_deref()).await,
            GlossaryCommand::Add {
                source,
                target_lang,
                target,
                case_sensitive,
                note,
                ..
            } => {
                let input = GlossaryFields {
                    source: Some(source),
                    target_lang: Some(target_lang),
                    target: Some(target),
                    case_sensitive: Some(case_sensitive),
                    note,
                };
                let new = NewGlossaryEntry::parse(input, &config.targets)?;
                add(&store, &new).await
            }
            GlossaryCommand::Delete { id, .. } => delete(&store, id).await,
        };
        store.close().await;
        result
    })
}

fn load_config(serve: &ServeArgs) -> anyhow::Result<Config> {
    Ok(Config::load(serve.config.as_deref())?)
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    }
    Store::connect(&config.database_url)
        .await
        .context("opening the database")
}

/// Every line of `file`, validated (`warta_store::parse_glossary_tsv`,
/// as the desk and the API read a file); all problems at once, as
/// `FILE:LINE: problem` on stderr, and an error if there was any.
fn parse_file(file: &Path, targets: &[Lang]) -> anyhow::Result<Vec<TsvLine>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let read = parse_glossary_tsv(&text, targets);
    report_refused(file, &read.refused)?;
    Ok(read.lines)
}

fn report_refused(file: &Path, refused: &[RefusedLine]) -> anyhow::Result<()> {
    if refused.is_empty() {
        return Ok(());
    }
    for r in refused {
        eprintln!("{}:{}: {}", file.display(), r.line, r.reason);
    }
    bail!(
        "{} bad line{} in {}; nothing imported",
        refused.len(),
        if refused.len() == 1 { "" } else { "s" },
        file.display()
    )
}

async fn import_entries(store: &Store, file: &Path, lines: Vec<TsvLine>) -> anyhow::Result<()> {
    let report = store.import_glossary(&lines).await?;
    report_refused(file, &report.refused)?;
    for no in &report.unchanged {
        eprintln!(
            "{}:{no}: skipped: the glossary already has this entry",
            file.display()
        );
    }
    let added = report.added.len();
    let requeued = report.requeued;
    println!(
        "imported {added} entr{}, skipped {} already in the glossary; re-queued {requeued} translation job{}",
        if added == 1 { "y" } else { "ies" },
        report.unchanged.len(),
        if requeued == 1 { "" } else { "s" }
    );
    Ok(())
}

async fn export(store: &Store, lang: Option<&str>) -> anyhow::Result<()> {
    let lang = lang
        .map(|l| Lang::parse(l.trim()).context("--lang"))
        .transpose()?;
    print!("{}", glossary_tsv(&store.list_glossary(lang).await?));
    Ok(())
}

fn describe(e: &GlossaryEntry) -> String {
    let mut s = format!(
        "{:>5}  {}  {} → {}",
        e.id, e.target_lang, e.source_term, e.target_term
    );
    if e.source_term == e.target_term {
        s.push_str("  (do not translate)");
    }
    if e.case_sensitive {
        s.push_str("  (case-sensitive)");
    }
    if let Some(n) = &e.note {
        s.push_str("  # ");
        s.push_str(n);
    }
    s
}

async fn list(store: &Store, lang: Option<&str>) -> anyhow::Result<()> {
    let lang = lang
        .map(|l| Lang::parse(l.trim()).context("--lang"))
        .transpose()?;
    let entries = store.list_glossary(lang).await?;
    if entries.is_empty() {
        println!(
            "no glossary entries (add some with `warta glossary add` or `warta glossary import`)"
        );
    }
    for e in &entries {
        println!("{}", describe(e));
    }
    Ok(())
}

async fn add(store: &Store, new: &NewGlossaryEntry) -> anyhow::Result<()> {
    let (e, requeued) = match store.add_glossary_entry(new).await {
        Err(StoreError::Conflict(m)) => bail!("{m} (delete it first to change it)"),
        other => other?,
    };
    println!("added {}", describe(&e).trim_start());
    println!(
        "re-queued {requeued} translation job{}",
        if requeued == 1 { "" } else { "s" }
    );
    Ok(())
}

async fn delete(store: &Store, id: i64) -> anyhow::Result<()> {
    let (e, requeued) = match store.delete_glossary_entry(id).await {
        Err(StoreError::NotFound(_)) => {
            bail!("glossary entry #{id} not found (see `warta glossary list`)")
        }
        other => other?,
    };
    println!("deleted {}", describe(&e).trim_start());
    println!(
        "re-queued {requeued} translation job{}",
        if requeued == 1 { "" } else { "s" }
    );
    Ok(())
}
