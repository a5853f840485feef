//! The newsroom glossary: source terms with a fixed rendering per language.
//!
//! Every change bumps one counter, the glossary version. Machine entries of
//! the translation memory are keyed by it, so a glossary change invalidates
//! exactly the cached translations that might now be wrong.

use serde::{Deserialize, Serialize};
use warta_core::{FieldError, Lang};

use crate::audit::{audit_in_tx, change, quoted, AuditAction};
use crate::error::{conflict_on_unique, Result, StoreError};
use crate::requeue::requeue_in_tx;
use crate::types::parse_lang;
use crate::{now_millis, with_db, Store};

/// A glossary entry to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGlossaryEntry {
    pub source_term: String,
    pub target_lang: Lang,
    pub target_term: String,
    pub case_sensitive: bool,
    pub note: Option<String>,
}

/// Longest source or target term, in characters.
pub const MAX_TERM_CHARS: usize = 200;
/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// A glossary entry as someone typed it (the API, the desk, the command
/// line, an import file): every field as text, missing ones `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlossaryFields {
    pub source: Option<String>,
    pub target_lang: Option<String>,
    pub target: Option<String>,
    pub case_sensitive: Option<bool>,
    pub note: Option<String>,
}

impl NewGlossaryEntry {
    /// The two terms as stored (trimmed); the store's last guard against an
    /// empty one, for callers that built the entry without [`Self::parse`].
    fn terms(&self) -> Result<(&str, &str)> {
        let (source, target) = (self.source_term.trim(), self.target_term.trim());
        if source.is_empty() || target.is_empty() {
            return Err(StoreError::Invalid(
                "glossary terms must not be empty".into(),
            ));
        }
        Ok((source, target))
    }

    /// The entry as stored under `id`, its terms trimmed.
    fn stored(&self, id: i64, created_at: i64) -> Result<GlossaryEntry> {
        let (source_term, target_term) = self.terms()?;
        Ok(GlossaryEntry {
            id,
            source_term: source_term.to_string(),
            target_lang: self.target_lang,
            target_term: target_term.to_string(),
            case_sensitive: self.case_sensitive,
            note: self.note.clone(),
            created_at,
        })
    }

    /// The one validation of an entry, wherever it comes from: terms
    /// non-empty, at most [`MAX_TERM_CHARS`], without control characters
    /// (a tab or line break in a term could never match a segment);
    /// `target_lang` one of the newsroom's `targets`; the note optional, at
    /// most [`MAX_NOTE_CHARS`].
    pub fn parse(f: GlossaryFields, targets: &[Lang]) -> Result<NewGlossaryEntry, FieldError> {
        let required = |field: &str, v: Option<String>| {
            v.ok_or_else(|| FieldError::new(field, format!("`{field}` is required")))
        };
        let source_term = term("source", &required("source", f.source)?, MAX_TERM_CHARS)?;
        let code = required("target_lang", f.target_lang)?;
        let list = targets
            .iter()
            .map(|l| l.code())
            .collect::<Vec<_>>()
            .join(", ");
        let not_a_target = || {
            FieldError::new(
                "target_lang",
                format!(
                    "`target_lang` must be one of this newsroom's target languages ({list}), got `{}`",
                    code.trim()
                ),
            )
        };
        let target_lang = Lang::parse(code.trim()).map_err(|_| not_a_target())?;
        if !targets.contains(&target_lang) {
            return Err(not_a_target());
        }
        let target_term = term("target", &required("target", f.target)?, MAX_TERM_CHARS)?;
        let note = match f.note {
            Some(n) if !n.trim().is_empty() => Some(term("note", &n, MAX_NOTE_CHARS)?),
            _ => None,
        };
        Ok(NewGlossaryEntry {
            source_term,
            target_lang,
            target_term,
            case_sensitive: f.case_sensitive.unwrap_or(false),
            note,
        })
    }
}

/// One line of text: trimmed, non-empty, bounded, no control characters.
fn term(field: &str, s: &str, max_chars: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    if t.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("`{field}` is longer than {max_chars} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("`{field}` contains control characters"),
        ));
    }
    Ok(t.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlossaryEntry {
    pub id: i64,
    pub source_term: String,
    pub target_lang: Lang,
    pub target_term: String,
    pub case_sensitive: bool,
    pub note: Option<String>,
    pub created_at: i64,
}

/// The glossary for one language as of one glossary version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlossarySnapshot {
    pub version: i64,
    pub entries: Vec<GlossaryEntry>,
}

impl GlossarySnapshot {
    /// The entries as the check and enforce stages take them: the one place
    /// a stored entry becomes a term a translation must use.
    pub fn terms(&self) -> Vec<warta_qa::ExpectedTerm> {
        self.entries
            .iter()
            .map(|g| warta_qa::ExpectedTerm {
                source_term: g.source_term.clone(),
                target_term: g.target_term.clone(),
                case_sensitive: g.case_sensitive,
            })
            .collect()
    }
}

#[derive(sqlx::FromRow)]
struct GlossaryRow {
    id: i64,
    source_term: String,
    target_lang: String,
    target_term: String,
    case_sensitive: bool,
    note: Option<String>,
    created_at: i64,
}

impl GlossaryRow {
    fn parse(self) -> Result<GlossaryEntry> {
        Ok(GlossaryEntry {
            id: self.id,
            source_term: self.source_term,
            target_lang: parse_lang(&self.target_lang)?,
            target_term: self.target_term,
            case_sensitive: self.case_sensitive,
            note: self.note,
            created_at: self.created_at,
        })
    }
}

macro_rules! glossary_cols {
    () => {
        "id, source_term, target_lang, target_term, case_sensitive, note, created_at"
    };
}

/// An entry as the audit log shows a side of an edit: `term → lang: target`.
fn entry_text(source_term: &str, lang: Lang, target_term: &str) -> String {
    format!("{source_term} → {lang}: {target_term}")
}

/// Insert entry `$e` (its terms `$source`, `$target`, trimmed) in the open
/// transaction `$tx`: its id, or [`StoreError::Conflict`] with `$clash()`'s
/// words if the language has the term already. A macro because the
/// transaction's type differs per database.
macro_rules! insert_entry {
    ($tx:expr, $e:expr, $source:expr, $target:expr, $now:expr, $clash:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO glossary (source_term, target_lang, target_term, case_sensitive, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind($source)
        .bind($e.target_lang.code())
        .bind($target)
        .bind($e.case_sensitive)
        .bind(&$e.note)
        .bind($now)
        .fetch_one($tx)
        .await
        .map_err(|err| conflict_on_unique(err, $clash))
    };
}

impl Store {
    /// Add an entry; [`StoreError::Conflict`] if the language already has
    /// one for that source term (delete it first to change it). In the same
    /// transaction, the audit record is written, the glossary version is bumped and the translations of
    /// every live article that mentions the term are re-queued (see
    /// [`Store::requeue_for_term`]); returns the entry and how many jobs.
    pub async fn add_glossary_entry(&self, e: &NewGlossaryEntry) -> Result<(GlossaryEntry, u64)> {
        let (source_term, target_term) = e.terms()?;
        let matched = self
            .revisions_mentioning(source_term, e.case_sensitive, e.target_lang)
            .await?;
        let now = now_millis();
        let (id, requeued): (i64, u64) = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            // The version first: its row lock orders this change against
            // workers' version writes, which check it (publish_translation).
            sqlx::query("UPDATE glossary_version SET version = version + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            let id = insert_entry!(&mut *tx, e, source_term, target_term, now, || {
                format!("glossary already has `{source_term}` for {}", e.target_lang)
            })?;
            let requeued = requeue_in_tx!(&mut *tx, &matched, e.target_lang, now);
            audit_in_tx!(
                &mut *tx,
                self,
                AuditAction::GlossaryAdd,
                format!("{source_term} → {}", e.target_lang),
                format!(
                    "{}; {requeued} translation(s) re-queued",
                    quoted(target_term)
                ),
                now
            );
            tx.commit().await?;
            self.jobs_changed();
            (id, requeued)
        });
        let entry = e.stored(id, now)?;
        tracing::info!(term = source_term, lang = %e.target_lang, jobs = requeued, "glossary entry added; translations re-queued");
        Ok((entry, requeued))
    }

    /// Entries for `lang` (all languages if `None`), by language and term.
    pub async fn list_glossary(&self, lang: Option<Lang>) -> Result<Vec<GlossaryEntry>> {
        let rows: Vec<GlossaryRow> = with_db!(self, |pool, _d| {
            match lang {
                Some(l) => {
                    sqlx::query_as(concat!(
                        "SELECT ",
                        glossary_cols!(),
                        " FROM glossary WHERE target_lang = $1 ORDER BY source_term, id"
                    ))
                    .bind(l.code())
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query_as(concat!(
                        "SELECT ",
                        glossary_cols!(),
                        " FROM glossary ORDER BY target_lang, source_term, id"
                    ))
                    .fetch_all(pool)
                    .await?
                }
            }
        });
        rows.into_iter().map(GlossaryRow::parse).collect()
    }

    /// The glossary version and the entries for `lang` as of (at least) that
    /// version. Read version first: if the glossary changes in between, the
    /// entries are newer than the version, so translation memory made with
    /// them is tagged with a version that no longer matches, never the reverse.
    pub async fn glossary_snapshot(&self, lang: Lang) -> Result<GlossarySnapshot> {
        let version = self.glossary_version().await?;
        let entries = self.list_glossary(Some(lang)).await?;
        Ok(GlossarySnapshot { version, entries })
    }

    /// Delete entry `id`; like [`Store::add_glossary_entry`], the version
    /// bump and the re-queue of the articles that mention its term commit
    /// with it. Returns the deleted entry and how many jobs were queued.
    pub async fn delete_glossary_entry(&self, id: i64) -> Result<(GlossaryEntry, u64)> {
        let entry = self
            .glossary_entry(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("glossary entry #{id}")))?;
        let matched = self
            .revisions_mentioning(&entry.source_term, entry.case_sensitive, entry.target_lang)
            .await?;
        let now = now_millis();
        let (deleted, requeued) = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            sqlx::query("UPDATE glossary_version SET version = version + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query("DELETE FROM glossary WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                // Deleted meanwhile: nothing changed, undo the bump.
                tx.rollback().await?;
                (0, 0)
            } else {
                let requeued = requeue_in_tx!(&mut *tx, &matched, entry.target_lang, now);
                audit_in_tx!(
                    &mut *tx,
                    self,
                    AuditAction::GlossaryDelete,
                    format!("{} → {}", entry.source_term, entry.target_lang),
                    format!(
                        "was {}; {requeued} translation(s) re-queued",
                        quoted(&entry.target_term)
                    ),
                    now
                );
                tx.commit().await?;
                self.jobs_changed();
                (n, requeued)
            }
        });
        if deleted == 0 {
            return Err(StoreError::NotFound(format!("glossary entry #{id}")));
        }
        tracing::info!(term = %entry.source_term, lang = %entry.target_lang, jobs = requeued, "glossary entry deleted; translations re-queued");
        Ok((entry, requeued))
    }

    /// Replace entry `id` with `e` (an editor's edit), in one transaction
    /// like [`Store::add_glossary_entry`]: the version bump, the row, and
    /// the re-queue of the articles that mention the old term or the new
    /// one (each in its language). [`StoreError::NotFound`] if there is no
    /// such entry; [`StoreError::Conflict`] if the language already has
    /// another entry for the new source term. Returns the entry as stored
    /// and how many jobs were queued.
    pub async fn update_glossary_entry(
        &self,
        id: i64,
        e: &NewGlossaryEntry,
    ) -> Result<(GlossaryEntry, u64)> {
        let (source_term, target_term) = e.terms()?;
        let old = self
            .glossary_entry(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("glossary entry #{id}")))?;
        let mut before = self
            .revisions_mentioning(&old.source_term, old.case_sensitive, old.target_lang)
            .await?;
        let mut after = self
            .revisions_mentioning(source_term, e.case_sensitive, e.target_lang)
            .await?;
        if old.target_lang == e.target_lang {
            // One language: each article once.
            after.append(&mut before);
            after.sort_unstable();
            after.dedup();
        }
        let now = now_millis();
        let (updated, requeued): (u64, u64) = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            sqlx::query("UPDATE glossary_version SET version = version + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query(
                "UPDATE glossary SET source_term = $2, target_lang = $3, target_term = $4, \
                 case_sensitive = $5, note = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(source_term)
            .bind(e.target_lang.code())
            .bind(target_term)
            .bind(e.case_sensitive)
            .bind(&e.note)
            .execute(&mut *tx)
            .await
            .map_err(|err| {
                conflict_on_unique(err, || {
                    format!("glossary already has `{source_term}` for {}", e.target_lang)
                })
            })?
            .rows_affected();
            if n == 0 {
                // Deleted meanwhile: nothing changed, undo the bump.
                tx.rollback().await?;
                (0, 0)
            } else {
                let mut requeued = requeue_in_tx!(&mut *tx, &after, e.target_lang, now);
                if old.target_lang != e.target_lang {
                    requeued += requeue_in_tx!(&mut *tx, &before, old.target_lang, now);
                }
                audit_in_tx!(
                    &mut *tx,
                    self,
                    AuditAction::GlossaryEdit,
                    format!("{} → {}", old.source_term, old.target_lang),
                    format!(
                        "{}; {requeued} translation(s) re-queued",
                        change(
                            &entry_text(&old.source_term, old.target_lang, &old.target_term),
                            &entry_text(source_term, e.target_lang, target_term)
                        )
                    ),
                    now
                );
                tx.commit().await?;
                self.jobs_changed();
                (n, requeued)
            }
        });
        if updated == 0 {
            return Err(StoreError::NotFound(format!("glossary entry #{id}")));
        }
        let entry = e.stored(id, old.created_at)?;
        tracing::info!(term = source_term, lang = %e.target_lang, jobs = requeued, "glossary entry changed; translations re-queued");
        Ok((entry, requeued))
    }

    /// Entry `id`, if it exists.
    pub async fn glossary_entry(&self, id: i64) -> Result<Option<GlossaryEntry>> {
        let row: Option<GlossaryRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                glossary_cols!(),
                " FROM glossary WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(GlossaryRow::parse).transpose()
    }

    /// The current glossary version (0 before the first change).
    pub async fn glossary_version(&self) -> Result<i64> {
        Ok(with_db!(self, |pool, _d| {
            sqlx::query_scalar("SELECT version FROM glossary_version WHERE id = 1")
                .fetch_one(pool)
                .await?
        }))
    }
}

// ---------------------------------------------------------------- TSV files

/// The columns of a glossary file, as [`glossary_tsv`] writes them. A file
/// to import names its columns in a header line, in any order; `source`,
/// `target_lang` and `target` are required, the others optional
/// (`target` may be left empty on a `do_not_translate` line).
pub const TSV_COLUMNS: [&str; 6] = [
    "source",
    "target_lang",
    "target",
    "case_sensitive",
    "do_not_translate",
    "note",
];

/// The media type of a glossary file (IANA `text/tab-separated-values`).
pub const TSV_MEDIA_TYPE: &str = "text/tab-separated-values";

/// A valid line of a glossary file: its number (from 1) and its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsvLine {
    pub line: usize,
    pub entry: NewGlossaryEntry,
}

/// A line of a glossary file that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedLine {
    pub line: usize,
    pub reason: String,
}

/// A glossary file, read: the valid lines and the refused ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlossaryTsv {
    pub lines: Vec<TsvLine>,
    pub refused: Vec<RefusedLine>,
}

/// What an import did. When `refused` is not empty nothing was written:
/// an import is all or nothing (see [`Store::import_glossary`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GlossaryImport {
    /// The entries added, in file order.
    pub added: Vec<GlossaryEntry>,
    /// Lines whose entry the glossary already had, exactly (skipped).
    pub unchanged: Vec<usize>,
    /// Lines refused, in file order.
    pub refused: Vec<RefusedLine>,
    /// Translation jobs re-queued because their article mentions an added term.
    pub requeued: u64,
}

fn tsv_bool(column: &str, raw: &str) -> Result<Option<bool>, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "1" => Ok(Some(true)),
        "false" | "no" | "0" => Ok(Some(false)),
        _ => Err(format!(
            "`{column}` must be true or false, got `{}`",
            raw.trim()
        )),
    }
}

/// Read a glossary file: the header line (after blank lines and `#`
/// comments) names the columns ([`TSV_COLUMNS`]); every other line is an
/// entry, validated by [`NewGlossaryEntry::parse`] as the API and the desk
/// validate one. Every problem is reported with its line number; a file
/// without a readable header reports only that.
pub fn parse_glossary_tsv(text: &str, targets: &[Lang]) -> GlossaryTsv {
    let mut out = GlossaryTsv::default();
    let mut columns: Option<Vec<usize>> = None;
    let refuse = |out: &mut GlossaryTsv, line: usize, reason: String| {
        out.refused.push(RefusedLine { line, reason })
    };
    let header_help = format!(
        "expected the header line naming the columns, tab-separated: `{}` (the first three are required)",
        TSV_COLUMNS.join("\\t")
    );
    // A byte-order mark, as spreadsheet programs write one, is not text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        let Some(cols) = &columns else {
            let mut cols = Vec::new();
            for f in &fields {
                match TSV_COLUMNS
                    .iter()
                    .position(|c| *c == f.trim().to_ascii_lowercase())
                {
                    Some(c) if !cols.contains(&c) => cols.push(c),
                    _ => {
                        refuse(&mut out, no, header_help.clone());
                        return out;
                    }
                }
            }
            if !(0..3).all(|c| cols.contains(&c)) {
                refuse(&mut out, no, header_help);
                return out;
            }
            columns = Some(cols);
            continue;
        };
        if fields.len() > cols.len() {
            refuse(
                &mut out,
                no,
                format!(
                    "{} tab-separated columns where the header names {}",
                    fields.len(),
                    cols.len()
                ),
            );
            continue;
        }
        // The value of column `c` of TSV_COLUMNS on this line, if given.
        let value = |c: usize| -> Option<&str> {
            cols.iter()
                .position(|&k| k == c)
                .and_then(|at| fields.get(at).copied())
        };
        let flags = tsv_bool(TSV_COLUMNS[3], value(3).unwrap_or(""))
            .and_then(|cs| Ok((cs, tsv_bool(TSV_COLUMNS[4], value(4).unwrap_or(""))?)));
        let (case_sensitive, keep) = match flags {
            Ok(f) => f,
            Err(why) => {
                refuse(&mut out, no, why);
                continue;
            }
        };
        let source = value(0).unwrap_or("");
        let target = value(2).unwrap_or("");
        let keep = keep.unwrap_or(false);
        if keep && !target.trim().is_empty() && target.trim() != source.trim() {
            refuse(
                &mut out,
                no,
                format!(
                    "`do_not_translate` is true but `target` (`{}`) is not the source term",
                    target.trim()
                ),
            );
            continue;
        }
        let input = GlossaryFields {
            source: Some(source.to_string()),
            target_lang: Some(value(1).unwrap_or("").to_string()),
            target: Some(if keep { source } else { target }.to_string()),
            case_sensitive,
            note: value(5).map(str::to_string),
        };
        match NewGlossaryEntry::parse(input, targets) {
            Ok(entry) => {
                let first = out.lines.iter().find(|l| {
                    l.entry.source_term == entry.source_term
                        && l.entry.target_lang == entry.target_lang
                });
                match first {
                    Some(first) => {
                        let reason = format!(
                            "`{}` for {} is already on line {}",
                            entry.source_term, entry.target_lang, first.line
                        );
                        refuse(&mut out, no, reason)
                    }
                    None => out.lines.push(TsvLine { line: no, entry }),
                }
            }
            Err(e) => refuse(&mut out, no, e.message),
        }
    }
    if columns.is_none() {
        refuse(&mut out, 1, format!("empty file: {header_help}"));
    }
    out
}

/// The glossary as a file [`parse_glossary_tsv`] reads back: a header line
/// of every column of [`TSV_COLUMNS`], then one line per entry. No field
/// needs quoting: terms and notes hold no tabs or line breaks (they have
/// no control characters, [`NewGlossaryEntry::parse`]).
pub fn glossary_tsv(entries: &[GlossaryEntry]) -> String {
    let mut s = TSV_COLUMNS.join("\t");
    s.push('\n');
    for e in entries {
        let keep = e.source_term == e.target_term;
        let fields = [
            e.source_term.as_str(),
            e.target_lang.code(),
            e.target_term.as_str(),
            if e.case_sensitive { "true" } else { "false" },
            if keep { "true" } else { "false" },
            e.note.as_deref().unwrap_or(""),
        ];
        s.push_str(&fields.join("\t"));
        s.push('\n');
    }
    s
}

impl Store {
    /// Import the lines of a glossary file, all or nothing: a line whose
    /// term the glossary already has for that language, differently, is
    /// refused (edit or delete that entry first); one it already has
    /// exactly is skipped (so importing the same file twice changes
    /// nothing). If any line is refused, nothing is written and the report
    /// lists them; otherwise every new entry is added in one transaction
    /// with one glossary-version bump and the re-queue of every article
    /// that mentions an added term (once per article and language).
    ///
    /// All or nothing because a glossary file is one list an editor keeps:
    /// half of it imported would leave the editor to work out which half,
    /// while fixing the refused lines and importing again is one step.
    pub async fn import_glossary(&self, lines: &[TsvLine]) -> Result<GlossaryImport> {
        let (mut report, new) = self.sort_import(lines).await?;
        if !report.refused.is_empty() || new.is_empty() {
            return Ok(report);
        }
        // The articles to re-queue, per language, each once.
        let mut matched: Vec<(Lang, Vec<(i64, i64)>)> = Vec::new();
        for l in &new {
            let e = &l.entry;
            let found = self
                .revisions_mentioning(&e.source_term, e.case_sensitive, e.target_lang)
                .await?;
            match matched.iter_mut().find(|(lang, _)| *lang == e.target_lang) {
                Some((_, v)) => v.extend(found),
                None => matched.push((e.target_lang, found)),
            }
        }
        for (_, v) in &mut matched {
            v.sort_unstable();
            v.dedup();
        }
        let now = now_millis();
        let (ids, requeued): (Vec<i64>, u64) = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            sqlx::query("UPDATE glossary_version SET version = version + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            let mut ids = Vec::with_capacity(new.len());
            for l in &new {
                let e = &l.entry;
                let id = insert_entry!(&mut *tx, e, &e.source_term, &e.target_term, now, || {
                    format!(
                        "line {}: the glossary got `{}` for {} meanwhile; import again",
                        l.line, e.source_term, e.target_lang
                    )
                })?;
                ids.push(id);
            }
            let mut requeued = 0;
            for (lang, revisions) in &matched {
                requeued += requeue_in_tx!(&mut *tx, revisions, *lang, now);
            }
            // One audit record per entry, as an added entry writes one.
            for l in &new {
                let e = &l.entry;
                audit_in_tx!(
                    &mut *tx,
                    self,
                    AuditAction::GlossaryAdd,
                    format!("{} → {}", e.source_term, e.target_lang),
                    format!("{} (imported, line {})", quoted(&e.target_term), l.line),
                    now
                );
            }
            tx.commit().await?;
            self.jobs_changed();
            (ids, requeued)
        });
        report.added = new
            .iter()
            .zip(ids)
            .map(|(l, id)| GlossaryEntry {
                id,
                source_term: l.entry.source_term.clone(),
                target_lang: l.entry.target_lang,
                target_term: l.entry.target_term.clone(),
                case_sensitive: l.entry.case_sensitive,
                note: l.entry.note.clone(),
                created_at: now,
            })
            .collect();
        report.requeued = requeued;
        tracing::info!(
            added = report.added.len(),
            unchanged = report.unchanged.len(),
            jobs = requeued,
            "glossary file imported; translations re-queued"
        );
        Ok(report)
    }

    /// Read and import a glossary file: [`parse_glossary_tsv`], then
    /// [`Store::import_glossary`]. The report lists every refused line of
    /// both steps (a line that does not parse, a clash with the glossary);
    /// with any, nothing is written.
    pub async fn import_glossary_tsv(
        &self,
        text: &str,
        targets: &[Lang],
    ) -> Result<GlossaryImport> {
        let file = parse_glossary_tsv(text, targets);
        if file.refused.is_empty() {
            return self.import_glossary(&file.lines).await;
        }
        // Nothing is written; the clashes are reported with the rest.
        let (mut report, _) = self.sort_import(&file.lines).await?;
        report.unchanged.clear();
        report.refused.extend(file.refused);
        report.refused.sort_by_key(|r| r.line);
        Ok(report)
    }

    /// The lines of an import as the glossary stands: new ones, ones it
    /// has exactly (`unchanged`) and ones it has differently (`refused`).
    async fn sort_import<'a>(
        &self,
        lines: &'a [TsvLine],
    ) -> Result<(GlossaryImport, Vec<&'a TsvLine>)> {
        let existing = self.list_glossary(None).await?;
        let mut report = GlossaryImport::default();
        let mut new = Vec::new();
        for l in lines {
            let e = &l.entry;
            match existing
                .iter()
                .find(|x| x.source_term == e.source_term && x.target_lang == e.target_lang)
            {
                None => new.push(l),
                Some(x)
                    if x.target_term == e.target_term
                        && x.case_sensitive == e.case_sensitive
                        && x.note == e.note =>
                {
                    report.unchanged.push(l.line)
                }
                Some(x) => report.refused.push(RefusedLine {
                    line: l.line,
                    reason: format!(
                        "the glossary already has `{}` for {} (as `{}`, entry #{}); edit or delete that entry first",
                        x.source_term, x.target_lang, x.target_term, x.id
                    ),
                }),
            }
        }
        Ok((report, new))
    }
}

// ---------------------------------------------------------- term suggestions

/// How many of the newest live articles the term suggestions read.
pub const TERM_WINDOW: i64 = 200;
/// Most suggestions one call returns.
pub const MAX_TERM_SUGGESTIONS: usize = 100;

/// One spelling the model gave a name, and in how many articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermRendering {
    pub text: String,
    pub articles: usize,
}

/// A name of recent originals that the glossary of `lang` has no entry
/// for ([`Store::term_suggestions`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermSuggestion {
    pub source: String,
    pub lang: Lang,
    /// Articles of the window whose original has it.
    pub articles: usize,
    /// The spellings found in the translations, most articles first: more
    /// than one is the same name written two ways.
    pub renderings: Vec<TermRendering>,
    /// Articles where no translation sentence spells it closely (the
    /// model translated or dropped it).
    pub unmatched: usize,
    /// The newest article that has it.
    pub example_slug: String,
}

impl TermSuggestion {
    /// The name is written more than one way across the articles.
    pub fn has_variants(&self) -> bool {
        self.renderings.len() > 1
    }
}

/// Per name: its articles, and per spelling the articles that use it.
#[derive(Default)]
struct NameSeen {
    articles: Vec<i64>,
    spellings: Vec<(String, Vec<i64>)>,
    example: String,
}

/// The suggestions of one language from (article id, slug, source
/// sentence, target sentence) rows, newest article first: names (as
/// warta-qa's consistency check finds them, [`warta_qa::name_renderings`])
/// in two or more articles, never written in lowercase in the window's
/// originals (a capitalised common word is not a name), with no glossary
/// entry whose source term contains them as a whole word (the one term
/// matcher, [`warta_core::term::contains_term`]).
pub fn suggest_terms(
    lang: Lang,
    rows: &[(i64, String, String, String)],
    glossary: &[GlossaryEntry],
) -> Vec<TermSuggestion> {
    let mut seen: Vec<(String, NameSeen)> = Vec::new();
    let mut lower_words = std::collections::HashSet::new();
    for (article, slug, source, target) in rows {
        for w in source.split(|c: char| !c.is_alphabetic()) {
            if w.chars().next().is_some_and(char::is_lowercase) {
                lower_words.insert(w.to_string());
            }
        }
        for (name, spelling) in warta_qa::name_renderings(source, target) {
            let at = match seen.iter().position(|(n, _)| *n == name) {
                Some(at) => at,
                None => {
                    seen.push((name, NameSeen::default()));
                    seen.len() - 1
                }
            };
            let n = &mut seen[at].1;
            if !n.articles.contains(article) {
                n.articles.push(*article);
                if n.example.is_empty() {
                    n.example = slug.clone();
                }
            }
            if let Some(sp) = spelling {
                match n.spellings.iter_mut().find(|(s, _)| *s == sp) {
                    Some((_, ids)) if ids.contains(article) => {}
                    Some((_, ids)) => ids.push(*article),
                    None => n.spellings.push((sp, vec![*article])),
                }
            }
        }
    }
    let mut out: Vec<TermSuggestion> = seen
        .into_iter()
        .filter(|(name, n)| {
            n.articles.len() >= 2
                && !lower_words.contains(&name.to_lowercase())
                && !glossary.iter().any(|g| {
                    g.target_lang == lang
                        && warta_core::term::contains_term(&g.source_term, name, false)
                })
        })
        .map(|(name, n)| {
            let unmatched = n
                .articles
                .iter()
                .filter(|id| !n.spellings.iter().any(|(_, ids)| ids.contains(id)))
                .count();
            let mut renderings: Vec<TermRendering> = n
                .spellings
                .into_iter()
                .map(|(text, ids)| TermRendering {
                    text,
                    articles: ids.len(),
                })
                .collect();
            renderings.sort_by(|a, b| b.articles.cmp(&a.articles).then(a.text.cmp(&b.text)));
            TermSuggestion {
                source: name,
                lang,
                articles: n.articles.len(),
                renderings,
                unmatched,
                example_slug: n.example,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.has_variants()
            .cmp(&a.has_variants())
            .then(b.articles.cmp(&a.articles))
            .then(a.source.cmp(&b.source))
    });
    out.truncate(MAX_TERM_SUGGESTIONS);
    out
}

impl Store {
    /// Names of the [`TERM_WINDOW`] newest live articles' originals that
    /// the glossary of `lang` lacks, each with the spellings the model
    /// gave it in the `lang` translations ([`suggest_terms`]). Read from
    /// the stored sentences of machine translations (`segments`), the
    /// only place a sentence and its translation are kept side by side.
    pub async fn term_suggestions(&self, lang: Lang) -> Result<Vec<TermSuggestion>> {
        let rows: Vec<(i64, String, String, String)> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT a.id, a.slug, s.source_text, s.target_text FROM segments s \
                 JOIN articles a ON a.id = s.article_id \
                 WHERE s.lang = $1 AND s.origin = 'machine' AND a.id IN ( \
                   SELECT n.id FROM articles n WHERE n.deleted_at IS NULL \
                   ORDER BY n.published_at DESC, n.id DESC LIMIT $2) \
                 ORDER BY a.published_at DESC, a.id DESC, s.idx",
            )
            .bind(lang.code())
            .bind(TERM_WINDOW)
            .fetch_all(pool)
            .await?
        });
        let glossary = self.list_glossary(Some(lang)).await?;
        Ok(suggest_terms(lang, &rows, &glossary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Lang> {
        vec![Lang::parse("pt").unwrap()]
    }

    #[test]
    fn header_comments_blank_lines_and_optional_columns() {
        let text = "\u{feff}# newsroom glossary\nsource\ttarget_lang\ttarget\tcase_sensitive\tnote\r\n\nCSTO\tpt\tOTSC\ttrue\talliance\nJoko Widodo\tpt\tJoko Widodo\n  # done\n";
        let f = parse_glossary_tsv(text, &targets());
        assert!(f.refused.is_empty(), "{:?}", f.refused);
        assert_eq!(f.lines.len(), 2);
        assert_eq!(
            (f.lines[0].line, f.lines[0].entry.case_sensitive),
            (4, true)
        );
        assert_eq!(f.lines[0].entry.note.as_deref(), Some("alliance"));
        assert_eq!(
            (f.lines[1].line, f.lines[1].entry.case_sensitive),
            (5, false)
        );
    }

    #[test]
    fn columns_follow_the_header_and_do_not_translate_keeps_the_source() {
        let text =
            "note\tdo_not_translate\ttarget\tsource\ttarget_lang\nnewspaper\tyes\t\tKompas\tpt\n";
        let f = parse_glossary_tsv(text, &targets());
        assert!(f.refused.is_empty(), "{:?}", f.refused);
        let e = &f.lines[0].entry;
        assert_eq!(
            (
                e.source_term.as_str(),
                e.target_term.as_str(),
                e.note.as_deref()
            ),
            ("Kompas", "Kompas", Some("newspaper"))
        );
        // Keep-as-is with another target is a contradiction, said as such.
        let f = parse_glossary_tsv(
            "source\ttarget_lang\ttarget\tdo_not_translate\nKompas\tpt\tCompasso\ttrue\n",
            &targets(),
        );
        assert_eq!(f.refused[0].line, 2);
        assert!(f.refused[0].reason.contains("do_not_translate"));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = "source\ttarget_lang\ttarget\nCSTO\tfr\tOTSC\nonly two\tpt\nCSTO\tpt\tOTSC\nCSTO\tpt\tOTAN\nA\tpt\tB\ttrue\n";
        let f = parse_glossary_tsv(text, &targets());
        let nos: Vec<usize> = f.refused.iter().map(|p| p.line).collect();
        // Line 3 lacks `target` (required, so empty is refused); line 5
        // repeats line 4's term; line 6 has more columns than the header.
        assert_eq!(nos, [2, 3, 5, 6], "{:?}", f.refused);
        assert!(f.refused[0].reason.contains("target_lang"));
        assert!(f.refused[2].reason.contains("line 4"));
        let f = parse_glossary_tsv(
            "source\ttarget_lang\ttarget\tcase_sensitive\nA\tpt\tB\tmaybe\n",
            &targets(),
        );
        assert!(f.refused[0].reason.contains("case_sensitive"));
    }

    #[test]
    fn a_missing_header_is_the_first_problem() {
        let f = parse_glossary_tsv("CSTO\tpt\tOTSC\n", &targets());
        assert_eq!(f.refused[0].line, 1);
        assert!(f.refused[0].reason.contains("header"));
        let f = parse_glossary_tsv("source\ttarget\n", &targets());
        assert!(
            f.refused[0].reason.contains("header"),
            "target_lang is required"
        );
        let f = parse_glossary_tsv("# nothing\n", &targets());
        assert!(f.refused[0].reason.contains("empty"));
    }

    #[test]
    fn names_in_two_articles_are_suggested_with_each_spelling() {
        // Hand-made sentences: Palu in three articles, spelled two ways;
        // Kompas in two but in the glossary; Jakarta in one only; Monday in
        // two but also written lowercase ("monday"), so no name; Central
        // counted in one article only (in the other it opens the sentence,
        // and a first word is not counted).
        let pt = Lang::parse("pt").unwrap();
        let row = |id: i64, src: &str, trg: &str| {
            (id, format!("story-{id}"), src.to_string(), trg.to_string())
        };
        let rows = [
            row(
                3,
                "Rescuers reached Palu on Monday.",
                "Os socorristas chegaram a Pálu na segunda.",
            ),
            row(
                3,
                "The paper Kompas said so.",
                "O jornal Kompas disse isso.",
            ),
            row(
                2,
                "An earthquake hit Palu and Jakarta.",
                "Um terremoto atingiu Palu e Jacarta.",
            ),
            row(
                2,
                "Readers of Kompas wrote in.",
                "Leitores do Kompas escreveram.",
            ),
            row(1, "Aid arrived in Palu.", "A ajuda chegou a Palu."),
            row(1, "It was the monday after.", "Era a segunda depois."),
            row(
                1,
                "Schools in Central Sulawesi closed.",
                "Escolas no Sulawesi Central fecharam.",
            ),
            row(
                2,
                "Central Sulawesi was hit.",
                "Sulawesi Central foi atingida.",
            ),
            row(
                2,
                "Markets shut on Monday.",
                "Os mercados fecharam na segunda-feira.",
            ),
        ];
        let glossary = [GlossaryEntry {
            id: 1,
            source_term: "Kompas".into(),
            target_lang: pt,
            target_term: "Kompas".into(),
            case_sensitive: false,
            note: None,
            created_at: 0,
        }];
        let got = suggest_terms(pt, &rows, &glossary);
        let names: Vec<&str> = got.iter().map(|s| s.source.as_str()).collect();
        // Palu first (two spellings); then the names of two articles.
        assert_eq!(names, ["Palu", "Sulawesi"], "{got:?}");
        assert_eq!(got[0].articles, 3);
        assert_eq!(
            got[0].renderings,
            vec![
                TermRendering {
                    text: "Palu".into(),
                    articles: 2
                },
                TermRendering {
                    text: "Pálu".into(),
                    articles: 1
                },
            ]
        );
        assert_eq!(got[0].example_slug, "story-3");
        assert!(got[0].has_variants() && !got[1].has_variants());
        assert_eq!((got[0].unmatched, got[1].unmatched), (0, 0));
        assert_eq!(got[1].renderings[0].text, "Sulawesi");
    }

    #[test]
    fn the_export_reads_back_as_the_same_entries() {
        let pt = Lang::parse("pt").unwrap();
        let entry = |id, s: &str, t: &str, cs, note: Option<&str>| GlossaryEntry {
            id,
            source_term: s.into(),
            target_lang: pt,
            target_term: t.into(),
            case_sensitive: cs,
            note: note.map(str::to_string),
            created_at: 0,
        };
        let entries = [
            entry(1, "CSTO", "OTSC", true, Some("alliance, \"quoted\"")),
            entry(2, "Kompas", "Kompas", false, None),
            entry(3, "São Paulo", "São Paulo", true, Some("city")),
        ];
        let text = glossary_tsv(&entries);
        assert!(text
            .starts_with("source\ttarget_lang\ttarget\tcase_sensitive\tdo_not_translate\tnote\n"));
        let f = parse_glossary_tsv(&text, &[pt]);
        assert!(f.refused.is_empty(), "{:?}", f.refused);
        let back: Vec<NewGlossaryEntry> = f.lines.into_iter().map(|l| l.entry).collect();
        let want: Vec<NewGlossaryEntry> = entries
            .iter()
            .map(|e| NewGlossaryEntry {
                source_term: e.source_term.clone(),
                target_lang: e.target_lang,
                target_term: e.target_term.clone(),
                case_sensitive: e.case_sensitive,
                note: e.note.clone(),
            })
            .collect();
        assert_eq!(back, want);
    }
}
