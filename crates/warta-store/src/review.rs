//! The editors' review queue: flagged segments of published machine
//! translations, and what an editor's fix changes in the store.
//!
//! The queue holds the unresolved QA flags of the **current** revision of
//! every live article whose version in that language is machine-made, one
//! entry per segment (sentence) with all its flags, worst severity first,
//! then the segment waiting longest. Flags of superseded revisions, deleted
//! articles and human versions never show: an editor cannot act on them.
//!
//! This module stores the editor's decision (segment text, flags resolved);
//! it does not decide when to republish or remember the fix in the
//! translation memory — the admin routes call [`Store::tm_insert_many`] and
//! the worker's `republish` for that, and every step here is idempotent so a
//! retried approval converges.

use std::collections::HashMap;

use serde::Serialize;
use warta_core::{Lang, Pair, Slug};

use crate::audit::{article_object_in_tx, audit_in_tx, change, quoted, AuditAction};
use crate::error::{Result, StoreError};
use crate::publish::NewWebhookEvent;
use crate::qa::{QaFlag, QaFlagRow, Severity};
use crate::tm::NewTmEntry;
use crate::types::*;
use crate::{now_millis, with_db, Store};

/// Longest page of the queue one call returns.
pub const MAX_QUEUE_PAGE: u32 = 500;

/// Severity as a number that sorts worst-first when descending (the SQL of
/// the queue spells the same ranking).
pub fn severity_rank(s: Severity) -> i64 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

macro_rules! severity_rank_sql {
    ($col:literal) => {
        concat!(
            "CASE ",
            $col,
            " WHEN 'error' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END"
        )
    };
}

/// One segment waiting for an editor: the sentence in the source, its
/// English pivot (two-leg routes), the published translation, and why it
/// was flagged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    pub article_id: ArticleId,
    pub slug: Slug,
    /// Title of the current source revision, to recognise the story by.
    pub title: String,
    pub lang: Lang,
    pub revision: RevisionNo,
    pub segment: Segment,
    /// Unresolved flags of this segment, worst first.
    pub flags: Vec<QaFlag>,
    /// The worst of `flags` (`Info` when there are none).
    pub worst: Severity,
    /// When the oldest of `flags` was raised (unix ms; `None` without flags).
    pub flagged_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    article_id: i64,
    slug: String,
    title: String,
    lang: String,
    revision: i64,
    idx: i64,
    source_text: String,
    target_text: String,
    pivot_text: Option<String>,
    confidence: Option<f64>,
    origin: String,
    version_origin: String,
    is_current: bool,
    is_deleted: bool,
}

impl ItemRow {
    fn parse(self) -> Result<ReviewItem> {
        Ok(ReviewItem {
            article_id: ArticleId(self.article_id),
            slug: parse_slug(&self.slug)?,
            title: self.title,
            lang: parse_lang(&self.lang)?,
            revision: RevisionNo(self.revision),
            segment: Segment {
                idx: self.idx,
                source_text: self.source_text,
                target_text: self.target_text,
                pivot_text: self.pivot_text,
                confidence: self.confidence,
                origin: crate::types::origin_from_db(&self.origin)?,
            },
            flags: Vec::new(),
            worst: Severity::Info,
            flagged_at: None,
        })
    }
}

/// Columns of [`ItemRow`] over `a` (articles), `r` (revisions), `v`
/// (versions) and `s` (segments).
macro_rules! item_cols {
    () => {
        "a.id AS article_id, a.slug, r.title, s.lang, r.revision, s.idx, s.source_text, s.target_text, \
         s.pivot_text, s.confidence, s.origin, v.origin AS version_origin, \
         (v.revision = a.current_revision) AS is_current, (a.deleted_at IS NOT NULL) AS is_deleted"
    };
}

/// The unresolved, segment-level flags of the current revision of live
/// articles whose version in the flag's language is machine-made and of that
/// revision, with the segment they point at. `f`, `a`, `v`, `s` are bound.
macro_rules! queue_from {
    () => {
        " FROM qa_flags f \
          JOIN articles a ON a.id = f.article_id AND a.current_revision = f.revision AND a.deleted_at IS NULL \
          JOIN versions v ON v.article_id = f.article_id AND v.lang = f.lang AND v.revision = f.revision \
                         AND v.origin = 'machine' \
          JOIN segments s ON s.article_id = f.article_id AND s.lang = f.lang AND s.idx = f.segment_idx \
          WHERE f.resolved_at IS NULL AND f.segment_idx IS NOT NULL"
    };
}

/// A `segments` row: idx, source, target, pivot, confidence, origin.
type SegmentTuple = (i64, String, String, Option<String>, Option<f64>, String);

/// A query builder for `pool`'s database.
pub(crate) fn builder<DB: sqlx::Database>(
    _pool: &sqlx::Pool<DB>,
    init: &str,
) -> sqlx::QueryBuilder<DB>
where
    DB::Arguments: Default,
{
    sqlx::QueryBuilder::new(init)
}

/// Attach `flags` to the items they belong to and derive worst / oldest.
fn attach(items: &mut [ReviewItem], flags: Vec<QaFlag>) {
    let mut at: HashMap<(ArticleId, Lang, i64), usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        at.insert((it.article_id, it.lang, it.segment.idx), i);
    }
    for f in flags {
        let Some(idx) = f.segment_idx else { continue };
        if let Some(&i) = at.get(&(f.article_id, f.lang, idx)) {
            items[i].flags.push(f);
        }
    }
    for it in items {
        it.flags.sort_by_key(|f| (-severity_rank(f.severity), f.id));
        it.worst = it.flags.first().map_or(Severity::Info, |f| f.severity);
        it.flagged_at = it.flags.iter().map(|f| f.created_at).min();
    }
}

/// An editor's approval of one sentence ([`Store::approve_segment`]).
#[derive(Debug, Clone)]
pub struct SegmentApproval<'a> {
    pub article: ArticleId,
    pub lang: Lang,
    pub idx: i64,
    /// The segment's source, as the editor saw it: the approval misses if
    /// the segment changed meanwhile.
    pub source_text: &'a str,
    /// Its normalised form, the translation memory's key.
    pub source_norm: &'a str,
    /// The memory's pair: the article's source language and `lang`.
    pub pair: Pair,
    /// The approved text.
    pub text: &'a str,
    pub editor: &'a str,
    /// The `approved` events to queue.
    pub events: &'a [NewWebhookEvent],
    /// The rebuilding job's priority (ahead of the backlog).
    pub priority: i64,
}

/// What an approval did.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub segment: Segment,
    /// The job that rebuilds the page.
    pub job: JobId,
    /// Jobs queued for other articles with the same sentence.
    pub others_queued: u64,
}

impl Store {
    /// One page of the review queue: at most `limit` (capped at
    /// [`MAX_QUEUE_PAGE`]) segments, skipping the first `offset`, ordered by
    /// worst unresolved flag (error, warning, info), then oldest flag first.
    /// Whole-document flags (no segment) are not in the queue: there is no
    /// sentence to fix.
    pub async fn review_queue(&self, limit: u32, offset: u64) -> Result<Vec<ReviewItem>> {
        let limit = i64::from(limit.min(MAX_QUEUE_PAGE));
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let rows: Vec<ItemRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                item_cols!(),
                " FROM (SELECT f.article_id, f.lang, f.segment_idx, \
                          CAST(MAX(",
                severity_rank_sql!("f.severity"),
                ") AS BIGINT) AS worst, MIN(f.created_at) AS oldest",
                queue_from!(),
                " GROUP BY f.article_id, f.lang, f.segment_idx) g \
                 JOIN articles a ON a.id = g.article_id \
                 JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision \
                 JOIN versions v ON v.article_id = g.article_id AND v.lang = g.lang \
                 JOIN segments s ON s.article_id = g.article_id AND s.lang = g.lang AND s.idx = g.segment_idx \
                 ORDER BY g.worst DESC, g.oldest, g.article_id, g.lang, g.segment_idx \
                 LIMIT $1 OFFSET $2"
            ))
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?
        });
        let mut items = rows
            .into_iter()
            .map(ItemRow::parse)
            .collect::<Result<Vec<_>>>()?;
        if items.is_empty() {
            return Ok(items);
        }
        let mut ids: Vec<i64> = items.iter().map(|i| i.article_id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let flags: Vec<QaFlagRow> = with_db!(self, |pool, _d| {
            let mut q = builder(
                pool,
                concat!(
                    "SELECT f.id, f.article_id, f.lang, f.revision, f.segment_idx, f.check_name, f.severity, \
                     f.detail, f.created_at, f.resolved_at, f.resolved_by, f.dismissed_reason",
                    queue_from!(),
                    " AND f.article_id IN ("
                ),
            );
            let mut list = q.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(pool).await?
        });
        let flags = flags
            .into_iter()
            .map(QaFlagRow::parse)
            .collect::<Result<Vec<_>>>()?;
        attach(&mut items, flags);
        Ok(items)
    }

    /// How many segments the review queue holds (for paging).
    pub async fn review_queue_len(&self) -> Result<u64> {
        let n: i64 = with_db!(self, |pool, _d| {
            sqlx::query_scalar(concat!(
                "SELECT COUNT(*) FROM (SELECT f.article_id, f.lang, f.segment_idx",
                queue_from!(),
                " GROUP BY f.article_id, f.lang, f.segment_idx) g"
            ))
            .fetch_one(pool)
            .await?
        });
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Segment `idx` of the `lang` version of `article`, as the review queue
    /// shows it, with its unresolved flags (possibly none): what an editor
    /// opens to fix a sentence.
    ///
    /// [`StoreError::NotFound`] if the article, version or segment does not
    /// exist or the article was deleted; [`StoreError::Conflict`] if the
    /// version is a human translation (edited as a whole, not per segment)
    /// or was made from an older revision (a new translation is on its way).
    pub async fn review_segment(
        &self,
        article: ArticleId,
        lang: Lang,
        idx: i64,
    ) -> Result<ReviewItem> {
        let row: Option<ItemRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                item_cols!(),
                " FROM segments s \
                 JOIN versions v ON v.article_id = s.article_id AND v.lang = s.lang \
                 JOIN articles a ON a.id = s.article_id \
                 JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision \
                 WHERE s.article_id = $1 AND s.lang = $2 AND s.idx = $3"
            ))
            .bind(article.0)
            .bind(lang.code())
            .bind(idx)
            .fetch_optional(pool)
            .await?
        });
        let what = || format!("segment {idx} of the {lang} version of article #{article}");
        let row = row.ok_or_else(|| StoreError::NotFound(what()))?;
        if row.is_deleted {
            return Err(StoreError::NotFound(format!(
                "article #{article} (deleted)"
            )));
        }
        if row.version_origin != Origin::Machine.as_str() {
            return Err(StoreError::Conflict(format!(
                "the {lang} version of article #{article} is a human translation: it is edited as a whole"
            )));
        }
        if !row.is_current {
            return Err(StoreError::Conflict(format!(
                "the {lang} version of article #{article} was made from an older revision; \
                 the current revision is being translated"
            )));
        }
        let mut items = vec![row.parse()?];
        let flags: Vec<QaFlagRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT f.id, f.article_id, f.lang, f.revision, f.segment_idx, f.check_name, f.severity, \
                 f.detail, f.created_at, f.resolved_at, f.resolved_by, f.dismissed_reason",
                queue_from!(),
                " AND f.article_id = $1 AND f.lang = $2 AND f.segment_idx = $3"
            ))
            .bind(article.0)
            .bind(lang.code())
            .bind(idx)
            .fetch_all(pool)
            .await?
        });
        attach(
            &mut items,
            flags
                .into_iter()
                .map(QaFlagRow::parse)
                .collect::<Result<Vec<_>>>()?,
        );
        Ok(items.pop().expect("one item"))
    }

    /// An editor approves segment `idx` of the current machine version of
    /// `a.article` in `a.lang` with `a.text` (the machine's text unchanged,
    /// or a correction), in one transaction: the segment becomes `human` with
    /// the editor as the version's reviewer, its unresolved flags are
    /// resolved by the editor, the text goes into the translation memory as
    /// a human entry, the `approved` webhook events are queued, the article's
    /// job is queued at `a.priority` to rebuild the page (taken from a worker
    /// that holds it: that worker's older result is refused by the lease
    /// fence), the other published articles with the same sentence are
    /// queued to take the fix, and the audit log records it (`segment_edit`
    /// with the old and new text, or `segment_approve` when the text stays).
    /// A crash or an error leaves none of it.
    ///
    /// [`StoreError::Invalid`] for blank text; [`StoreError::NotFound`] when
    /// there is no such segment, with `a.source_text` as its source, in a
    /// current machine version of a live article.
    pub async fn approve_segment(&self, a: &SegmentApproval<'_>) -> Result<Approval> {
        if a.text.trim().is_empty() {
            return Err(StoreError::Invalid(
                "the segment text must not be empty".into(),
            ));
        }
        let now = now_millis();
        let (article, lang, idx) = (a.article, a.lang, a.idx);
        let done: Option<(SegmentTuple, Option<i64>, u64)> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let before: Option<String> = sqlx::query_scalar(
                "SELECT target_text FROM segments WHERE article_id = $1 AND lang = $2 AND idx = $3",
            )
            .bind(article.0)
            .bind(lang.code())
            .bind(idx)
            .fetch_optional(&mut *tx)
            .await?;
            // The version check and the write in one statement: a new
            // revision or a human version arriving meanwhile makes it miss.
            let row: Option<SegmentTuple> = sqlx::query_as(
                "UPDATE segments SET target_text = $4, origin = 'human' \
                     WHERE article_id = $1 AND lang = $2 AND idx = $3 AND source_text = $5 AND EXISTS ( \
                       SELECT 1 FROM versions v JOIN articles a ON a.id = v.article_id \
                       WHERE v.article_id = $1 AND v.lang = $2 AND v.origin = 'machine' \
                         AND v.revision = a.current_revision AND a.deleted_at IS NULL) \
                     RETURNING idx, source_text, target_text, pivot_text, confidence, origin",
            )
            .bind(article.0)
            .bind(lang.code())
            .bind(idx)
            .bind(a.text)
            .bind(a.source_text)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                None => None,
                Some(row) => {
                    sqlx::query(
                        "UPDATE versions SET reviewed_by = $3 WHERE article_id = $1 AND lang = $2",
                    )
                    .bind(article.0)
                    .bind(lang.code())
                    .bind(a.editor)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE qa_flags SET resolved_at = $4, resolved_by = $5 \
                         WHERE article_id = $1 AND lang = $2 AND segment_idx = $3 AND resolved_at IS NULL \
                           AND revision = (SELECT current_revision FROM articles WHERE id = $1)",
                    )
                    .bind(article.0)
                    .bind(lang.code())
                    .bind(idx)
                    .bind(now)
                    .bind(a.editor)
                    .execute(&mut *tx)
                    .await?;
                    let glossary_version: i64 =
                        sqlx::query_scalar(crate::publish::GLOSSARY_VERSION)
                            .fetch_one(&mut *tx)
                            .await?;
                    let memory = [NewTmEntry {
                        pair: a.pair,
                        source_norm: a.source_norm.to_string(),
                        target_text: a.text.to_string(),
                        origin: Origin::Human,
                        model_id: None,
                        glossary_version,
                    }];
                    crate::tm::insert_memory_in_tx!(&mut *tx, &memory, now);
                    crate::publish::queue_events_in_tx!(&mut *tx, a.events, now);
                    let job =
                        crate::jobs::requeue_now_in_tx!(&mut *tx, article, lang, a.priority, now);
                    let others = sqlx::query(crate::jobs::REQUEUE_SHARING_SEGMENT)
                        .bind(lang.code())
                        .bind(a.source_text)
                        .bind(now)
                        .bind(article.0)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    let before = before.unwrap_or_default();
                    let (action, detail) = if before == a.text {
                        (AuditAction::SegmentApprove, quoted(a.text))
                    } else {
                        (AuditAction::SegmentEdit, change(&before, a.text))
                    };
                    let object = article_object_in_tx!(&mut *tx, article, lang);
                    audit_in_tx!(
                        &mut *tx,
                        self,
                        action,
                        format!("{object} sentence {}", idx + 1),
                        detail,
                        now
                    );
                    tx.commit().await?;
                    Some((row, job, others))
                }
            }
        });
        let Some(((idx, source_text, target_text, pivot_text, confidence, origin), job, others)) =
            done
        else {
            return Err(StoreError::NotFound(format!(
                "segment {idx} of a current machine translation of article #{article} into {lang}"
            )));
        };
        let job = job.ok_or_else(|| StoreError::NotFound(format!("article #{article}")))?;
        self.jobs_changed();
        tracing::info!(%article, %lang, idx, editor = a.editor, others, "segment approved");
        Ok(Approval {
            segment: Segment {
                idx,
                source_text,
                target_text,
                pivot_text,
                confidence,
                origin: crate::types::origin_from_db(&origin)?,
            },
            job: JobId(job),
            others_queued: others,
        })
    }
}
