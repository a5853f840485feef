//! The newsroom glossary: source terms with a fixed rendering per language.
//!
//! Every change bumps one counter, the glossary version. Machine entries of
//! the translation memory are keyed by it, so a glossary change invalidates
//! exactly the cached translations that might now be wrong.

use serde::{Deserialize, Serialize};
use warta_core::{FieldError, Lang};

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

impl Store {
    /// Add an entry; [`StoreError::Conflict`] if the language already has
    /// one for that source term (delete it first to change it). In the same
    /// transaction, the glossary version is bumped and the translations of
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
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO glossary (source_term, target_lang, target_term, case_sensitive, note, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(source_term)
            .bind(e.target_lang.code())
            .bind(target_term)
            .bind(e.case_sensitive)
            .bind(&e.note)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|err| {
                conflict_on_unique(err, || {
                    format!("glossary already has `{source_term}` for {}", e.target_lang)
                })
            })?;
            let requeued = requeue_in_tx!(&mut *tx, &matched, e.target_lang, now);
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
