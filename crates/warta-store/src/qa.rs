//! QA flags: what the check stage found in one version of one revision.

use serde::{Deserialize, Serialize};
use warta_core::Lang;

use crate::error::Result;
use crate::types::{parse_lang, ArticleId, RevisionNo};
use crate::{now_millis, with_db, Store, StoreError};

/// Which check found it and how bad it is: the check stage's own types
/// (`warta-qa`), stored by name. `Error` is meant to hold a version for review.
pub use warta_qa::{Check, Severity};

pub(crate) fn severity_from_db(s: &str) -> Result<Severity> {
    Severity::from_name(s).ok_or_else(|| StoreError::Corrupt(format!("Severity `{s}`")))
}

pub(crate) fn check_from_db(s: &str) -> Result<Check> {
    Check::from_name(s).ok_or_else(|| StoreError::Corrupt(format!("check `{s}`")))
}

/// A finding to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQaFlag {
    /// The segment it concerns; `None` for whole-document findings.
    pub segment_idx: Option<i64>,
    pub check: Check,
    pub severity: Severity,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QaFlag {
    pub id: i64,
    pub article_id: ArticleId,
    pub lang: Lang,
    pub revision: RevisionNo,
    pub segment_idx: Option<i64>,
    pub check: Check,
    pub severity: Severity,
    pub detail: String,
    pub created_at: i64,
    /// When an editor resolved it (fixed or accepted the segment, or
    /// dismissed the flag).
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
    /// Why an editor dismissed it as a false flag ([`Store::dismiss_flag`]);
    /// `None` for a flag that is open or was resolved by fixing the text.
    pub dismissed_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct QaFlagRow {
    id: i64,
    pub(crate) article_id: i64,
    pub(crate) lang: String,
    revision: i64,
    pub(crate) segment_idx: Option<i64>,
    pub(crate) check_name: String,
    severity: String,
    detail: String,
    created_at: i64,
    resolved_at: Option<i64>,
    resolved_by: Option<String>,
    dismissed_reason: Option<String>,
}

/// The columns of [`QaFlagRow`], unqualified.
macro_rules! qa_flag_cols {
    () => {
        "id, article_id, lang, revision, segment_idx, check_name, severity, detail, created_at, \
         resolved_at, resolved_by, dismissed_reason"
    };
}
pub(crate) use qa_flag_cols;

impl QaFlagRow {
    pub(crate) fn parse(self) -> Result<QaFlag> {
        Ok(QaFlag {
            id: self.id,
            article_id: ArticleId(self.article_id),
            lang: parse_lang(&self.lang)?,
            revision: RevisionNo(self.revision),
            segment_idx: self.segment_idx,
            check: check_from_db(&self.check_name)?,
            severity: severity_from_db(&self.severity)?,
            detail: self.detail,
            created_at: self.created_at,
            resolved_at: self.resolved_at,
            resolved_by: self.resolved_by,
            dismissed_reason: self.dismissed_reason,
        })
    }
}

/// Replace the flags of (article, lang, revision) inside the open
/// transaction `$tx` (the rules of [`Store::replace_qa_flags`]). A macro
/// because the transaction's type differs per database.
macro_rules! replace_flags_in_tx {
    ($tx:expr, $article:expr, $lang:expr, $revision:expr, $flags:expr, $now:expr) => {{
        let (article, lang, revision): (
            $crate::types::ArticleId,
            warta_core::Lang,
            $crate::types::RevisionNo,
        ) = ($article, $lang, $revision);
        let flags: &[$crate::qa::NewQaFlag] = $flags;
        #[allow(clippy::type_complexity)]
        let old: Vec<(
            Option<i64>,
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            String,
            Option<String>,
        )> = sqlx::query_as(
            "SELECT segment_idx, check_name, detail, created_at, resolved_at, resolved_by, severity, \
             dismissed_reason FROM qa_flags WHERE article_id = $1 AND lang = $2 AND revision = $3",
        )
        .bind(article.0)
        .bind(lang.code())
        .bind(revision.0)
        .fetch_all(&mut *$tx)
        .await?;
        sqlx::query("DELETE FROM qa_flags WHERE article_id = $1 AND lang = $2 AND revision = $3")
            .bind(article.0)
            .bind(lang.code())
            .bind(revision.0)
            .execute(&mut *$tx)
            .await?;
        let mut used = vec![false; old.len()];
        #[allow(clippy::type_complexity)]
        let mut rows: Vec<(
            Option<i64>,
            String,
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
        )> = Vec::new();
        for f in flags {
            let found = old.iter().enumerate().position(|(i, o)| {
                !used[i] && o.0 == f.segment_idx && o.1 == f.check.name() && o.2 == f.detail
            });
            // A finding found again keeps its age and the editor's verdict
            // (resolved, or dismissed with a reason).
            let (created, resolved_at, resolved_by, dismissed) = match found {
                Some(i) => {
                    used[i] = true;
                    (old[i].3, old[i].4, old[i].5.clone(), old[i].7.clone())
                }
                None => ($now, None, None, None),
            };
            rows.push((
                f.segment_idx,
                f.check.name().to_string(),
                f.severity.as_str().to_string(),
                f.detail.clone(),
                created,
                resolved_at,
                resolved_by,
                dismissed,
            ));
        }
        for (i, o) in old.iter().enumerate() {
            if !used[i] && o.4.is_some() {
                // Resolved and no longer found: keep as the review record.
                rows.push((
                    o.0,
                    o.1.clone(),
                    o.6.clone(),
                    o.2.clone(),
                    o.3,
                    o.4,
                    o.5.clone(),
                    o.7.clone(),
                ));
            }
        }
        for (segment_idx, check, severity, detail, created, resolved_at, resolved_by, dismissed) in rows {
            sqlx::query(
                "INSERT INTO qa_flags (article_id, lang, revision, segment_idx, check_name, severity, \
                 detail, created_at, resolved_at, resolved_by, dismissed_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(article.0)
            .bind(lang.code())
            .bind(revision.0)
            .bind(segment_idx)
            .bind(&check)
            .bind(&severity)
            .bind(&detail)
            .bind(created)
            .bind(resolved_at)
            .bind(&resolved_by)
            .bind(&dismissed)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use replace_flags_in_tx;

impl Store {
    /// Replace the flags of (article, lang, revision) with `flags`: a QA run
    /// states everything it found, so earlier findings do not linger. The
    /// review history survives a re-run: a finding that is found again keeps
    /// its age and, if an editor resolved it, stays resolved; resolved
    /// findings that are gone (the editor fixed the text) are kept as record.
    pub async fn replace_qa_flags(
        &self,
        article: ArticleId,
        lang: Lang,
        revision: RevisionNo,
        flags: &[NewQaFlag],
    ) -> Result<()> {
        self.replace_qa_flags_at(article, lang, revision, flags, now_millis())
            .await
    }

    /// [`Store::replace_qa_flags`] as at `now` (unix epoch milliseconds),
    /// the age new findings get: a test of ordering by age states the ages.
    pub async fn replace_qa_flags_at(
        &self,
        article: ArticleId,
        lang: Lang,
        revision: RevisionNo,
        flags: &[NewQaFlag],
        now: i64,
    ) -> Result<()> {
        with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            replace_flags_in_tx!(&mut *tx, article, lang, revision, flags, now);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The flags of (article, lang, revision): whole-document ones first,
    /// then in segment order (spelled out: the databases sort NULL differently).
    pub async fn qa_flags(
        &self,
        article: ArticleId,
        lang: Lang,
        revision: RevisionNo,
    ) -> Result<Vec<QaFlag>> {
        let rows: Vec<QaFlagRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                qa_flag_cols!(),
                " FROM qa_flags WHERE article_id = $1 AND lang = $2 AND revision = $3 \
                 ORDER BY segment_idx IS NOT NULL, segment_idx, id"
            ))
            .bind(article.0)
            .bind(lang.code())
            .bind(revision.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(QaFlagRow::parse).collect()
    }
}
