//! `warta glossary import | list | add | delete`.
//!
//! Entries are validated by the same rules as `POST /api/v1/glossary`
//! (`NewGlossaryEntry::parse`), and every change re-queues the translations of the
//! articles that mention the term, as the API does. A running server's
//! workers pick those jobs up on their next poll.

use std::path::Path;

use anyhow::{bail, Context};
use warta_core::Lang;
use warta_server::Config;
use warta_store::{GlossaryEntry, GlossaryFields, NewGlossaryEntry, Store, StoreError};

use crate::cli::{GlossaryCommand, ServeArgs};

/// The columns of an import file, in order; the last two may be left out.
const COLUMNS: [&str; 5] = ["source", "target_lang", "target", "case_sensitive", "note"];
const REQUIRED_COLUMNS: usize = 3;

pub fn run(cmd: GlossaryCommand) -> anyhow::Result<()> {
    let serve = match &cmd {
        GlossaryCommand::Import { serve, .. }
        | GlossaryCommand::List { serve, .. }
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

/// One valid line of an import file.
struct Line {
    no: usize,
    entry: NewGlossaryEntry,
}

/// Every line of `file`, validated; all problems at once, as `FILE:LINE:
/// problem` on stderr, and an error if there was any.
fn parse_file(file: &Path, targets: &[Lang]) -> anyhow::Result<Vec<Line>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let (lines, problems) = parse_tsv(&text, targets);
    if !problems.is_empty() {
        for (no, problem) in &problems {
            eprintln!("{}:{no}: {problem}", file.display());
        }
        bail!(
            "{} bad line{} in {}; nothing imported",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            file.display()
        );
    }
    Ok(lines)
}

/// Parse the TSV text: valid lines, and `(line number, problem)` for the rest.
fn parse_tsv(text: &str, targets: &[Lang]) -> (Vec<Line>, Vec<(usize, String)>) {
    let mut lines: Vec<Line> = Vec::new();
    let mut problems = Vec::new();
    let mut columns: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        let Some(n) = columns else {
            let names: Vec<String> = fields
                .iter()
                .map(|f| f.trim().to_ascii_lowercase())
                .collect();
            if names.len() >= REQUIRED_COLUMNS
                && names.len() <= COLUMNS.len()
                && names.iter().zip(COLUMNS).all(|(a, b)| a == b)
            {
                columns = Some(names.len());
            } else {
                problems.push((
                    no,
                    format!(
                        "expected the header line `{}` (tab-separated; the last two columns are optional)",
                        COLUMNS.join("\\t")
                    ),
                ));
                // Without a header the rest cannot be read meaningfully.
                return (lines, problems);
            }
            continue;
        };
        if fields.len() < REQUIRED_COLUMNS || fields.len() > n {
            problems.push((
                no,
                format!(
                    "expected {REQUIRED_COLUMNS} to {n} tab-separated columns, found {}",
                    fields.len()
                ),
            ));
            continue;
        }
        let case_sensitive = match fields.get(3).map(|s| s.trim().to_ascii_lowercase()) {
            None => None,
            Some(s) => match s.as_str() {
                "" => None,
                "true" | "yes" | "1" => Some(true),
                "false" | "no" | "0" => Some(false),
                _ => {
                    problems.push((
                        no,
                        format!(
                            "`case_sensitive` must be true or false, got `{}`",
                            fields[3].trim()
                        ),
                    ));
                    continue;
                }
            },
        };
        let input = GlossaryFields {
            source: Some(fields[0].to_string()),
            target_lang: Some(fields[1].to_string()),
            target: Some(fields[2].to_string()),
            case_sensitive,
            note: fields.get(4).map(|s| s.to_string()),
        };
        match NewGlossaryEntry::parse(input, targets) {
            Ok(entry) => {
                if let Some(first) = lines.iter().find(|l| {
                    l.entry.source_term == entry.source_term
                        && l.entry.target_lang == entry.target_lang
                }) {
                    problems.push((
                        no,
                        format!(
                            "`{}` for {} is already on line {}",
                            entry.source_term, entry.target_lang, first.no
                        ),
                    ));
                } else {
                    lines.push(Line { no, entry });
                }
            }
            Err(e) => problems.push((no, e.message)),
        }
    }
    if columns.is_none() {
        problems.push((
            1,
            format!(
                "empty file: expected the header line `{}`",
                COLUMNS.join("\\t")
            ),
        ));
    }
    (lines, problems)
}

async fn import_entries(store: &Store, file: &Path, lines: Vec<Line>) -> anyhow::Result<()> {
    let mut added = Vec::new();
    let mut skipped = 0;
    let mut requeued = 0;
    for line in lines {
        match store.add_glossary_entry(&line.entry).await {
            Ok((e, n)) => {
                added.push(e);
                requeued += n;
            }
            Err(StoreError::Conflict(_)) => {
                skipped += 1;
                eprintln!(
                    "{}:{}: skipped: the glossary already has `{}` for {}",
                    file.display(),
                    line.no,
                    line.entry.source_term,
                    line.entry.target_lang
                );
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "{}:{}: importing stopped after {} entries",
                        file.display(),
                        line.no,
                        added.len()
                    )
                })
            }
        }
    }
    println!(
        "imported {} entr{}, skipped {} already in the glossary; re-queued {requeued} translation job{}",
        added.len(),
        if added.len() == 1 { "y" } else { "ies" },
        skipped,
        if requeued == 1 { "" } else { "s" }
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Lang> {
        vec![Lang::parse("pt").unwrap()]
    }

    #[test]
    fn header_comments_blank_lines_and_optional_columns() {
        let text = "# newsroom glossary\nsource\ttarget_lang\ttarget\tcase_sensitive\tnote\r\n\nCSTO\tpt\tOTSC\ttrue\talliance\nJoko Widodo\tpt\tJoko Widodo\n  # done\n";
        let (lines, problems) = parse_tsv(text, &targets());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].no, lines[0].entry.case_sensitive), (4, true));
        assert_eq!(lines[0].entry.note.as_deref(), Some("alliance"));
        assert_eq!((lines[1].no, lines[1].entry.case_sensitive), (5, false));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = "source\ttarget_lang\ttarget\nCSTO\tfr\tOTSC\nonly two\tpt\nCSTO\tpt\tOTSC\nCSTO\tpt\tOTAN\n";
        let (_, problems) = parse_tsv(text, &targets());
        let nos: Vec<usize> = problems.iter().map(|p| p.0).collect();
        assert_eq!(nos, [2, 3, 5], "{problems:?}");
        assert!(problems[0].1.contains("target_lang"));
        // Four columns where the header declared three.
        let (_, p) = parse_tsv("source\ttarget_lang\ttarget\nA\tpt\tB\ttrue\n", &targets());
        assert_eq!(p[0].0, 2);
    }

    #[test]
    fn a_missing_header_is_the_first_problem() {
        let (_, p) = parse_tsv("CSTO\tpt\tOTSC\n", &targets());
        assert_eq!(p[0].0, 1);
        assert!(p[0].1.contains("header"));
        let (_, p) = parse_tsv("# nothing\n", &targets());
        assert!(p[0].1.contains("empty"));
    }
}
