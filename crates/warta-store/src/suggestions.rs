//! Translations suggested from outside (LibreTranslate's `POST /suggest`),
//! waiting for an editor.
//!
//! A suggestion is a source text and a better translation of it into one
//! target. Accepted, it does what an editor's sentence fix does
//! ([`Store::approve_segment`]), in one transaction: the text becomes the
//! human translation-memory entry for that source and pair, and the
//! published articles whose sentence it is are re-queued, so their next
//! translation takes it from the memory. Rejected, it is only closed. Both
//! are audited in the same transaction. The same suggestion sent again while
//! open is stored once.
//!
//! Normalisation belongs to the segmenter: the caller gives the source's
//! normalised form (the memory's key) with the suggestion.

use serde::{Deserialize, Serialize};
use warta_core::{Lang, Pair};

use crate::audit::{audit_in_tx, change, AuditAction};
use crate::error::{Result, StoreError};
use crate::tm::NewTmEntry;
use crate::types::{parse_lang, text_enum, Origin};
use crate::{now_millis, sha256_hex, with_db, Store};

/// Longest source text or suggestion (characters): a sentence, or a
/// short paragraph, as the desk's sentence editor takes.
pub const MAX_SUGGESTION_CHARS: usize = 2000;

/// Longest page of suggestions one call returns.
pub const MAX_SUGGESTION_PAGE: u32 = 200;

/// Open suggestions kept at most: past this, new ones are refused until
/// editors decide some (a key that floods cannot fill the disk).
const MAX_OPEN_SUGGESTIONS: i64 = 10_000;

text_enum!(
    /// Where a suggestion stands.
    SuggestionState { Open => "open", Accepted => "accepted", Rejected => "rejected" }
);

/// A suggestion to store.
#[derive(Debug, Clone)]
pub struct NewSuggestion<'a> {
    pub pair: Pair,
    pub source_text: &'a str,
    /// `source_text` normalised as the segmenter normalises a segment.
    pub source_norm: &'a str,
    pub suggested_text: &'a str,
    /// The API key's name that sent it.
    pub submitted_by: &'a str,
}

/// A stored suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub id: i64,
    pub source_lang: Lang,
    pub target_lang: Lang,
    pub source_text: String,
    pub suggested_text: String,
    pub submitted_by: String,
    pub state: SuggestionState,
    /// Unix milliseconds.
    pub created_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SuggestionRow {
    id: i64,
    source_lang: String,
    target_lang: String,
    source_text: String,
    source_norm: String,
    suggested_text: String,
    submitted_by: String,
    state: String,
    created_at: i64,
    decided_by: Option<String>,
    decided_at: Option<i64>,
}

const SUGGESTION_COLS: &str =
    "id, source_lang, target_lang, source_text, source_norm, suggested_text, \
     submitted_by, state, created_at, decided_by, decided_at";

impl SuggestionRow {
    fn parse(self) -> Result<Suggestion> {
        Ok(Suggestion {
            id: self.id,
            source_lang: parse_lang(&self.source_lang)?,
            target_lang: parse_lang(&self.target_lang)?,
            source_text: self.source_text,
            suggested_text: self.suggested_text,
            submitted_by: self.submitted_by,
            state: SuggestionState::from_db(&self.state)?,
            created_at: self.created_at,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
        })
    }
}

fn check_text(what: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(StoreError::Invalid(format!("{what} must not be empty")));
    }
    if text.chars().count() > MAX_SUGGESTION_CHARS {
        return Err(StoreError::Invalid(format!(
            "{what} is longer than {MAX_SUGGESTION_CHARS} characters"
        )));
    }
    Ok(())
}

impl Store {
    /// Store a suggestion for an editor; the same one sent again while it
    /// is open is the stored one. [`StoreError::Invalid`] for an empty or
    /// overlong text; [`StoreError::Conflict`] when
    /// [`MAX_OPEN_SUGGESTIONS`] wait already.
    pub async fn add_suggestion(&self, s: &NewSuggestion<'_>) -> Result<Suggestion> {
        check_text("the source text", s.source_text)?;
        check_text("the suggestion", s.suggested_text)?;
        let now = now_millis();
        let dedup = sha256_hex(&format!(
            "{}\n{}\n{}\n{}",
            s.pair.src, s.pair.trg, s.source_text, s.suggested_text
        ));
        let row: SuggestionRow = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let open: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM suggestions WHERE state = 'open'")
                    .fetch_one(&mut *tx)
                    .await?;
            if open >= MAX_OPEN_SUGGESTIONS {
                return Err(StoreError::Conflict(format!(
                    "{open} suggestions wait for an editor already; try again later"
                )));
            }
            sqlx::query(
                "INSERT INTO suggestions (source_lang, target_lang, source_text, source_norm, \
                 suggested_text, dedup_key, submitted_by, state, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) \
                 ON CONFLICT (dedup_key) WHERE state = 'open' DO NOTHING",
            )
            .bind(s.pair.src.code())
            .bind(s.pair.trg.code())
            .bind(s.source_text)
            .bind(s.source_norm)
            .bind(s.suggested_text)
            .bind(&dedup)
            .bind(s.submitted_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let row: SuggestionRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {SUGGESTION_COLS} FROM suggestions WHERE dedup_key = $1 AND state = 'open'"
            )))
            .bind(&dedup)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            row
        });
        row.parse()
    }

    /// Suggestions in `state`, oldest first (the order they were sent),
    /// after id `after` (the cursor of the next page), at most `limit`
    /// (capped at [`MAX_SUGGESTION_PAGE`]).
    pub async fn suggestions(
        &self,
        state: SuggestionState,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Suggestion>> {
        let limit = i64::from(limit.clamp(1, MAX_SUGGESTION_PAGE));
        let rows: Vec<SuggestionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {SUGGESTION_COLS} FROM suggestions WHERE state = $1 AND id > $2 \
                 ORDER BY id LIMIT $3"
            )))
            .bind(state.as_str())
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(SuggestionRow::parse).collect()
    }

    /// Suggestion `id`.
    pub async fn suggestion(&self, id: i64) -> Result<Suggestion> {
        let row: Option<SuggestionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {SUGGESTION_COLS} FROM suggestions WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("suggestion #{id}")))?
            .parse()
    }

    /// An editor (this handle's actor) accepts open suggestion `id`, in one
    /// transaction: it is closed as accepted, its text becomes the human
    /// translation-memory entry for its source and pair (replacing an older
    /// one), the published machine translations into its target whose
    /// sentence is its source are queued again (their next translation takes
    /// it from the memory), and the audit record is written. Returns the
    /// suggestion and how many jobs were queued. [`StoreError::NotFound`]
    /// for no such suggestion; [`StoreError::Conflict`] when it was decided
    /// already.
    pub async fn accept_suggestion(&self, id: i64) -> Result<(Suggestion, u64)> {
        self.decide_suggestion(id, SuggestionState::Accepted).await
    }

    /// An editor rejects open suggestion `id` (audited); errors as
    /// [`Store::accept_suggestion`].
    pub async fn reject_suggestion(&self, id: i64) -> Result<Suggestion> {
        Ok(self
            .decide_suggestion(id, SuggestionState::Rejected)
            .await?
            .0)
    }

    async fn decide_suggestion(&self, id: i64, to: SuggestionState) -> Result<(Suggestion, u64)> {
        let now = now_millis();
        let editor = self.actor.name.clone();
        let (row, queued): (SuggestionRow, u64) = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let row: Option<SuggestionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE suggestions SET state = $2, decided_by = $3, decided_at = $4 \
                 WHERE id = $1 AND state = 'open' RETURNING {SUGGESTION_COLS}"
            )))
            .bind(id)
            .bind(to.as_str())
            .bind(&editor)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                let exists: Option<String> =
                    sqlx::query_scalar("SELECT state FROM suggestions WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                return Err(match exists {
                    Some(state) => {
                        StoreError::Conflict(format!("suggestion #{id} was {state} already"))
                    }
                    None => StoreError::NotFound(format!("suggestion #{id}")),
                });
            };
            let mut queued = 0;
            let action = match to {
                SuggestionState::Accepted => {
                    let pair = Pair {
                        src: parse_lang(&row.source_lang)?,
                        trg: parse_lang(&row.target_lang)?,
                    };
                    let glossary_version: i64 =
                        sqlx::query_scalar(crate::publish::GLOSSARY_VERSION)
                            .fetch_one(&mut *tx)
                            .await?;
                    let memory = [NewTmEntry {
                        pair,
                        source_norm: row.source_norm.clone(),
                        target_text: row.suggested_text.clone(),
                        origin: Origin::Human,
                        model_id: None,
                        glossary_version,
                    }];
                    crate::tm::insert_memory_in_tx!(&mut *tx, &memory, now);
                    // Every article (none is excepted: ids start at 1).
                    queued = sqlx::query(crate::jobs::REQUEUE_SHARING_SEGMENT)
                        .bind(pair.trg.code())
                        .bind(&row.source_text)
                        .bind(now)
                        .bind(0_i64)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    AuditAction::SuggestionAccept
                }
                _ => AuditAction::SuggestionReject,
            };
            audit_in_tx!(
                &mut *tx,
                self,
                action,
                format!("suggestion #{id} {}→{}", row.source_lang, row.target_lang),
                match to {
                    SuggestionState::Accepted => format!(
                        "{}; {queued} translation(s) re-queued",
                        change(&row.source_text, &row.suggested_text)
                    ),
                    _ => change(&row.source_text, &row.suggested_text),
                },
                now
            );
            tx.commit().await?;
            (row, queued)
        });
        if queued > 0 {
            self.jobs_changed();
        }
        tracing::info!(suggestion = id, state = %to, editor, queued, "suggestion decided");
        Ok((row.parse()?, queued))
    }
}
