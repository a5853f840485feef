//! Per-language versions of an article and their segments.
//!
//! The rule this module enforces (DESIGN.md, product rule): a machine run
//! never overwrites a human version; when the source changes, the human
//! version stays published but is marked outdated until an editor redoes it.

use warta_core::Lang;

use crate::error::{Result, StoreError};
use crate::types::*;
use crate::{now_millis, with_db, Store};

/// A version checked and encoded for writing ([`write_version_in_tx`]).
pub(crate) struct VersionWrite<'a> {
    pub v: &'a NewVersion,
    pub quality_json: Option<String>,
    /// The state written: `v.state`, unless the translation is held by
    /// hand ([`VersionWrite::held`]).
    pub state: VersionState,
    /// Why a held version waits.
    pub hold_reason: Option<String>,
}

impl<'a> VersionWrite<'a> {
    pub fn new(v: &'a NewVersion, hold_reason: Option<&str>) -> Result<VersionWrite<'a>> {
        let hold_reason = match v.state {
            VersionState::Held => Some(hold_reason.unwrap_or("held for review").to_string()),
            VersionState::Published => None,
        };
        if v.origin == Origin::Machine && v.model_id.as_deref().is_none_or(str::is_empty) {
            return Err(StoreError::Invalid(
                "a machine version needs the model id that produced it".into(),
            ));
        }
        let quality_json = v
            .quality
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("quality summary: {e}")))?;
        Ok(VersionWrite {
            v,
            quality_json,
            state: v.state,
            hold_reason,
        })
    }
}

/// Copy the stored version (`$1` article, `$2` lang) into what readers
/// see, `$3` now. A text replacing a published one of the same source
/// revision is a correction (its date shown to readers); the language's
/// first publication date stays.
pub(crate) const PUBLISH_COPY: &str = "INSERT INTO published_versions (article_id, lang, revision, \
     title, summary, body_html, origin, model_id, reviewed_by, translated_at, first_published_at, \
     corrected_at, updated_at) \
     SELECT article_id, lang, revision, title, summary, body_html, origin, model_id, reviewed_by, \
       translated_at, $3, NULL, $3 FROM versions WHERE article_id = $1 AND lang = $2 \
     ON CONFLICT (article_id, lang) DO UPDATE SET \
       corrected_at = CASE \
         WHEN published_versions.revision <> excluded.revision THEN NULL \
         WHEN published_versions.title <> excluded.title OR published_versions.summary <> excluded.summary \
           OR published_versions.body_html <> excluded.body_html THEN excluded.updated_at \
         ELSE published_versions.corrected_at END, \
       revision = excluded.revision, title = excluded.title, summary = excluded.summary, \
       body_html = excluded.body_html, origin = excluded.origin, model_id = excluded.model_id, \
       reviewed_by = excluded.reviewed_by, translated_at = excluded.translated_at, \
       updated_at = excluded.updated_at";

impl VersionWrite<'_> {
    /// The same version, held with `reason` (an editor's hold).
    pub fn held(mut self, reason: String) -> Self {
        self.state = VersionState::Held;
        self.hold_reason = Some(reason);
        self
    }
}

/// Write a [`VersionWrite`] inside the open transaction `$tx` (the rules of
/// [`Store::put_version`]); evaluates to the [`PutOutcome`]. Segments are
/// replaced only when the version is written. A macro because the
/// transaction's type differs per database.
macro_rules! write_version_in_tx {
    ($tx:expr, $row:expr, $now:expr) => {{
        let row: &$crate::versions::VersionWrite<'_> = $row;
        let v = row.v;
        let article: Option<$crate::types::ArticleRow> = sqlx::query_as(concat!(
            "SELECT ",
            $crate::types::article_cols!(),
            " FROM articles WHERE id = $1"
        ))
        .bind(v.article_id.0)
        .fetch_optional(&mut *$tx)
        .await?;
        let article = article.ok_or_else(|| {
            $crate::StoreError::NotFound(format!("article #{}", v.article_id))
        })?;
        let source_lang: Option<String> = sqlx::query_scalar(
            "SELECT source_lang FROM revisions WHERE article_id = $1 AND revision = $2",
        )
        .bind(v.article_id.0)
        .bind(v.revision.0)
        .fetch_optional(&mut *$tx)
        .await?;
        let source_lang = source_lang.ok_or_else(|| {
            $crate::StoreError::Invalid(format!(
                "article #{} has no revision {}",
                v.article_id, v.revision
            ))
        })?;
        if source_lang == v.lang.code() {
            return Err($crate::StoreError::Invalid(format!(
                "revision {} of article #{} is written in {}; it has no translation into it",
                v.revision, v.article_id, v.lang
            )));
        }
        if v.origin == $crate::types::Origin::Machine
            && v.revision.0 < article.current_revision
        {
            $crate::types::PutOutcome::SkippedStale
        } else {
            let outdated = v.origin == $crate::types::Origin::Human
                && v.revision.0 < article.current_revision;
            // The WHERE on the conflict branch is the rule itself, checked
            // atomically with the write: a concurrent human put cannot be
            // overwritten between a check and the upsert.
            let written = sqlx::query(
                "INSERT INTO versions (article_id, lang, revision, title, summary, body_html, origin, state, \
                 model_id, quality_json, outdated, translated_at, reviewed_by, updated_at, hold_reason, held_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $14, \
                   CASE WHEN $14 IS NULL THEN NULL ELSE $12 END) \
                 ON CONFLICT (article_id, lang) DO UPDATE SET \
                   revision = excluded.revision, title = excluded.title, summary = excluded.summary, \
                   body_html = excluded.body_html, origin = excluded.origin, state = excluded.state, \
                   model_id = excluded.model_id, quality_json = excluded.quality_json, \
                   outdated = excluded.outdated, translated_at = excluded.translated_at, \
                   reviewed_by = excluded.reviewed_by, updated_at = excluded.updated_at, \
                   hold_reason = excluded.hold_reason, \
                   held_at = CASE WHEN excluded.held_at IS NULL THEN NULL \
                     WHEN versions.held_at IS NOT NULL AND versions.revision = excluded.revision \
                     THEN versions.held_at ELSE excluded.held_at END \
                 WHERE excluded.origin = 'human' \
                    OR (versions.origin = 'machine' AND versions.revision <= excluded.revision)",
            )
            .bind(v.article_id.0)
            .bind(v.lang.code())
            .bind(v.revision.0)
            .bind(&v.title)
            .bind(&v.summary)
            .bind(&v.body_html)
            .bind(v.origin.as_str())
            .bind(row.state.as_str())
            .bind(&v.model_id)
            .bind(&row.quality_json)
            .bind(outdated)
            .bind($now)
            .bind(&v.reviewed_by)
            .bind(&row.hold_reason)
            .execute(&mut *$tx)
            .await?
            .rows_affected()
                > 0;
            if written {
                sqlx::query("DELETE FROM segments WHERE article_id = $1 AND lang = $2")
                    .bind(v.article_id.0)
                    .bind(v.lang.code())
                    .execute(&mut *$tx)
                    .await?;
                for s in &v.segments {
                    sqlx::query(
                        "INSERT INTO segments (article_id, lang, idx, source_text, target_text, \
                         pivot_text, confidence, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(v.article_id.0)
                    .bind(v.lang.code())
                    .bind(s.idx)
                    .bind(&s.source_text)
                    .bind(&s.target_text)
                    .bind(&s.pivot_text)
                    .bind(s.confidence)
                    .bind(s.origin.as_str())
                    .execute(&mut *$tx)
                    .await
                    .map_err(|e| {
                        $crate::error::conflict_on_unique(e, || {
                            format!("segment index {} given twice", s.idx)
                        })
                    })?;
                }
                if row.state == $crate::types::VersionState::Published {
                    sqlx::query($crate::versions::PUBLISH_COPY)
                        .bind(v.article_id.0)
                        .bind(v.lang.code())
                        .bind($now)
                        .execute(&mut *$tx)
                        .await?;
                }
                $crate::types::PutOutcome::Written
            } else {
                let origin: String = sqlx::query_scalar(
                    "SELECT origin FROM versions WHERE article_id = $1 AND lang = $2",
                )
                .bind(v.article_id.0)
                .bind(v.lang.code())
                .fetch_one(&mut *$tx)
                .await?;
                if origin == $crate::types::Origin::Human.as_str() {
                    $crate::types::PutOutcome::SkippedHuman
                } else {
                    $crate::types::PutOutcome::SkippedStale
                }
            }
        }
    }};
}
pub(crate) use write_version_in_tx;

impl Store {
    /// Store `v` as the text of its article in `v.lang`, replacing the
    /// previous version and its segments, unless:
    /// - `v` is a machine version and a human version exists
    ///   ([`PutOutcome::SkippedHuman`]);
    /// - `v` is a machine version of a revision older than the article's
    ///   current one or than the stored version ([`PutOutcome::SkippedStale`]).
    ///
    /// A human version always wins. It is `outdated` exactly when it was
    /// made from an older revision than the current one, so putting a human
    /// version of the current revision clears the flag. A human version
    /// written is audited in the same transaction.
    pub async fn put_version(&self, v: &NewVersion) -> Result<PutOutcome> {
        let row = VersionWrite::new(v, None)?;
        let now = now_millis();
        let outcome = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let outcome = write_version_in_tx!(&mut *tx, &row, now);
            if outcome == PutOutcome::Written && v.origin == Origin::Human {
                let object = crate::audit::article_object_in_tx!(&mut *tx, v.article_id, v.lang);
                crate::audit::audit_in_tx!(
                    &mut *tx,
                    self,
                    crate::audit::AuditAction::HumanTranslation,
                    object,
                    format!(
                        "revision {}: {}",
                        v.revision,
                        crate::audit::quoted(&v.title)
                    ),
                    now
                );
            }
            tx.commit().await?;
            outcome
        });
        if outcome == PutOutcome::Written {
            self.site_changed();
            tracing::debug!(article = %v.article_id, lang = %v.lang, revision = %v.revision,
                origin = %v.origin, "stored version");
        }
        Ok(outcome)
    }

    /// The version of article `id` in `lang`, if any.
    pub async fn version(&self, id: ArticleId, lang: Lang) -> Result<Option<Version>> {
        let row: Option<VersionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                version_cols!(),
                " FROM versions WHERE article_id = $1 AND lang = $2"
            ))
            .bind(id.0)
            .bind(lang.code())
            .fetch_optional(pool)
            .await?
        });
        row.map(VersionRow::parse).transpose()
    }

    /// Every version of article `id`, by language code.
    pub async fn versions_of(&self, id: ArticleId) -> Result<Vec<Version>> {
        let rows: Vec<VersionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                version_cols!(),
                " FROM versions WHERE article_id = $1 ORDER BY lang"
            ))
            .bind(id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(VersionRow::parse).collect()
    }

    /// The segments stored with the version of article `id` in `lang`, in order.
    pub async fn segments(&self, id: ArticleId, lang: Lang) -> Result<Vec<Segment>> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, String, Option<String>, Option<f64>, String)> = with_db!(
            self,
            |pool, _d| {
                sqlx::query_as(
                "SELECT idx, source_text, target_text, pivot_text, confidence, origin FROM segments \
                 WHERE article_id = $1 AND lang = $2 ORDER BY idx",
            )
            .bind(id.0)
            .bind(lang.code())
            .fetch_all(pool)
            .await?
            }
        );
        rows.into_iter()
            .map(
                |(idx, source_text, target_text, pivot_text, confidence, origin)| {
                    Ok(Segment {
                        idx,
                        source_text,
                        target_text,
                        pivot_text,
                        confidence,
                        origin: crate::types::origin_from_db(&origin)?,
                    })
                },
            )
            .collect()
    }
}
