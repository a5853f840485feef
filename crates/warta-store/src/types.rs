//! Domain rows: what the store hands out and takes in.
//!
//! Rows are read into private `*Row` structs of plain SQL types, then parsed
//! once into these types; a value that does not parse is
//! [`StoreError::Corrupt`], never a panic.

use std::fmt;

use serde::{Deserialize, Serialize};
use warta_core::{Lang, Pair, Slug};
pub use warta_qa::QualitySummary;

use crate::error::{Result, StoreError};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Database id of an article; stable across revisions and languages.
    ArticleId
);
id_type!(
    /// Revision number of an article's source: 1, 2, … in order of arrival.
    RevisionNo
);
id_type!(
    /// Database id of a translation job.
    JobId
);
id_type!(
    /// Database id of a newsroom user.
    UserId
);
id_type!(
    /// Database id of an API key.
    ApiKeyId
);

pub(crate) fn parse_lang(s: &str) -> Result<Lang> {
    Lang::parse(s).map_err(|e| StoreError::Corrupt(format!("language: {e}")))
}

pub(crate) fn parse_slug(s: &str) -> Result<Slug> {
    Slug::parse(s).map_err(|e| StoreError::Corrupt(format!("slug: {e}")))
}

pub(crate) fn parse_pair(s: &str) -> Result<Pair> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("pair: {e}")))
}

/// Enums stored as lower-case text, with a CHECK constraint in the schema.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub(crate) fn from_db(s: &str) -> Result<$name> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(StoreError::Corrupt(format!(
                        concat!(stringify!($name), " `{}`"), other))),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

pub use warta_core::Origin;

pub(crate) fn origin_from_db(s: &str) -> Result<Origin> {
    Origin::parse(s).ok_or_else(|| StoreError::Corrupt(format!("Origin `{s}`")))
}

text_enum!(
    /// Whether readers see a version. `Held` keeps a version out of the site
    /// and feeds until an editor looks at it (e.g. QA found errors).
    VersionState { Published => "published", Held => "held" }
);

text_enum!(
    /// Life of a translation job.
    ///
    /// `queued` → `running` (leased) → `done`; `running` → `queued` again on
    /// a retryable failure or an expired lease, → `failed` after the last
    /// attempt, → `waiting_for_model` when the model for a pair is missing
    /// (woken back to `queued` when it is installed). A newer revision or a
    /// deletion turns every unfinished job of the article into `superseded`.
    JobState {
        Queued => "queued",
        Running => "running",
        WaitingForModel => "waiting_for_model",
        Done => "done",
        Failed => "failed",
        Superseded => "superseded",
    }
);

impl JobState {
    /// No worker will touch the job again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Superseded
        )
    }
}

/// An article: the stable identity behind every revision and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    pub id: ArticleId,
    pub slug: Slug,
    pub current_revision: RevisionNo,
    /// Language of the current revision: the authoritative original.
    pub source_lang: Lang,
    /// Publication time of the current revision (unix ms).
    pub published_at: i64,
    /// Set when the article was deleted; it is then unpublished everywhere.
    pub deleted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ArticleRow {
    pub(crate) id: i64,
    slug: String,
    pub(crate) current_revision: i64,
    source_lang: String,
    published_at: i64,
    pub(crate) deleted_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

macro_rules! article_cols {
    () => {
        "id, slug, current_revision, source_lang, published_at, deleted_at, created_at, updated_at"
    };
}
pub(crate) use article_cols;

impl ArticleRow {
    pub(crate) fn parse(self) -> Result<Article> {
        Ok(Article {
            id: ArticleId(self.id),
            slug: parse_slug(&self.slug)?,
            current_revision: RevisionNo(self.current_revision),
            source_lang: parse_lang(&self.source_lang)?,
            published_at: self.published_at,
            deleted_at: self.deleted_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A source revision as submitted: what ingest hands the store, already
/// validated and sanitised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRevision {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML; the store does not look inside.
    pub body_html: String,
    pub author: Option<String>,
    /// When the newsroom published the story (unix ms), not when it arrived.
    pub published_at: i64,
    pub source_lang: Lang,
}

/// One stored source revision of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub article_id: ArticleId,
    pub revision: RevisionNo,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub author: Option<String>,
    pub published_at: i64,
    pub source_lang: Lang,
    pub created_at: i64,
}

impl Revision {
    /// Same content as `new` (the slug is the article's, so not compared).
    pub(crate) fn same_content(&self, new: &NewRevision) -> bool {
        self.title == new.title
            && self.summary == new.summary
            && self.body_html == new.body_html
            && self.author == new.author
            && self.published_at == new.published_at
            && self.source_lang == new.source_lang
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RevisionRow {
    article_id: i64,
    revision: i64,
    title: String,
    summary: String,
    body_html: String,
    author: Option<String>,
    published_at: i64,
    source_lang: String,
    created_at: i64,
}

macro_rules! revision_cols {
    () => {
        "article_id, revision, title, summary, body_html, author, published_at, source_lang, created_at"
    };
}
pub(crate) use revision_cols;

impl RevisionRow {
    pub(crate) fn parse(self) -> Result<Revision> {
        Ok(Revision {
            article_id: ArticleId(self.article_id),
            revision: RevisionNo(self.revision),
            title: self.title,
            summary: self.summary,
            body_html: self.body_html,
            author: self.author,
            published_at: self.published_at,
            source_lang: parse_lang(&self.source_lang)?,
            created_at: self.created_at,
        })
    }
}

/// What [`Store::create_or_revise`](crate::Store::create_or_revise) did.
#[derive(Debug, Clone, Serialize)]
pub struct Revised {
    pub article: Article,
    /// The article's current revision after the call.
    pub revision: RevisionNo,
    /// The submitted content equalled the current revision: nothing new was
    /// stored and `revision` is the existing one.
    pub unchanged: bool,
    /// The jobs of `revision`, one per target language.
    pub jobs: Vec<Job>,
}

/// A translation job: translate one revision of one article into one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: JobId,
    pub article_id: ArticleId,
    pub revision: RevisionNo,
    pub lang: Lang,
    pub state: JobState,
    /// Times the job has been leased (including leases lost to a crash).
    pub attempts: i64,
    /// Not leased before this time (retry backoff).
    pub run_after: i64,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<i64>,
    pub last_error: Option<String>,
    /// The pair whose model the job is waiting for, when `waiting_for_model`.
    pub waiting_pair: Option<Pair>,
    /// What the job does when leased: translate, or score the version it
    /// published.
    pub phase: JobPhase,
    pub created_at: i64,
    pub updated_at: i64,
}

text_enum!(
    /// A job's two phases: `translate` publishes the version; `score`
    /// computes the model's confidence for it afterwards (queued behind
    /// every translation, durable across restarts).
    JobPhase { Translate => "translate", Score => "score" }
);

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: i64,
    article_id: i64,
    revision: i64,
    lang: String,
    state: String,
    attempts: i64,
    run_after: i64,
    lease_owner: Option<String>,
    lease_expires_at: Option<i64>,
    last_error: Option<String>,
    waiting_pair: Option<String>,
    phase: String,
    created_at: i64,
    updated_at: i64,
}

macro_rules! job_cols {
    () => {
        "id, article_id, revision, lang, state, attempts, run_after, lease_owner, \
         lease_expires_at, last_error, waiting_pair, phase, created_at, updated_at"
    };
}
pub(crate) use job_cols;

impl JobRow {
    pub(crate) fn parse(self) -> Result<Job> {
        Ok(Job {
            id: JobId(self.id),
            article_id: ArticleId(self.article_id),
            revision: RevisionNo(self.revision),
            lang: parse_lang(&self.lang)?,
            state: JobState::from_db(&self.state)?,
            attempts: self.attempts,
            run_after: self.run_after,
            lease_owner: self.lease_owner,
            lease_expires_at: self.lease_expires_at,
            last_error: self.last_error,
            waiting_pair: self.waiting_pair.as_deref().map(parse_pair).transpose()?,
            phase: JobPhase::from_db(&self.phase)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub(crate) fn parse_jobs(rows: Vec<JobRow>) -> Result<Vec<Job>> {
    rows.into_iter().map(JobRow::parse).collect()
}

/// One segment of a version: the source text and its translation, in
/// document order. Kept so QA and reviewers can work segment by segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub idx: i64,
    pub source_text: String,
    pub target_text: String,
    /// The English pivot of a two-leg route, shown to reviewers.
    #[serde(default)]
    pub pivot_text: Option<String>,
    /// Model confidence: mean token log-probability of `target_text`.
    #[serde(default)]
    pub confidence: Option<f64>,
    /// `human` once an editor wrote or approved this segment.
    #[serde(default = "machine_origin")]
    pub origin: Origin,
}

fn machine_origin() -> Origin {
    Origin::Machine
}

/// A translation to store for one article and language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVersion {
    pub article_id: ArticleId,
    pub lang: Lang,
    /// The source revision this translation was made from.
    pub revision: RevisionNo,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub origin: Origin,
    pub state: VersionState,
    /// Required for machine versions: which model produced the text.
    pub model_id: Option<String>,
    /// Quality summary (QA counts, model confidence), stored as JSON text.
    pub quality: Option<QualitySummary>,
    /// Editor who wrote or approved it (human versions).
    pub reviewed_by: Option<String>,
    /// Replaces the version's stored segments (empty: none kept).
    pub segments: Vec<Segment>,
}

/// The text readers see for one article in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub article_id: ArticleId,
    pub lang: Lang,
    pub revision: RevisionNo,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub origin: Origin,
    pub state: VersionState,
    pub model_id: Option<String>,
    pub quality: Option<QualitySummary>,
    /// A human version whose source has been revised since: still shown,
    /// waiting for an editor.
    pub outdated: bool,
    pub translated_at: i64,
    pub reviewed_by: Option<String>,
    pub updated_at: i64,
    /// Why a `held` version waits for an editor.
    pub hold_reason: Option<String>,
    /// Since when it waits.
    pub held_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    article_id: i64,
    lang: String,
    revision: i64,
    title: String,
    summary: String,
    body_html: String,
    origin: String,
    state: String,
    model_id: Option<String>,
    quality_json: Option<String>,
    outdated: bool,
    translated_at: i64,
    reviewed_by: Option<String>,
    updated_at: i64,
    hold_reason: Option<String>,
    held_at: Option<i64>,
}

macro_rules! version_cols {
    () => {
        "article_id, lang, revision, title, summary, body_html, origin, state, model_id, \
         quality_json, outdated, translated_at, reviewed_by, updated_at, hold_reason, held_at"
    };
}
pub(crate) use version_cols;

impl VersionRow {
    pub(crate) fn parse(self) -> Result<Version> {
        let quality = self
            .quality_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("quality JSON: {e}")))?;
        Ok(Version {
            article_id: ArticleId(self.article_id),
            lang: parse_lang(&self.lang)?,
            revision: RevisionNo(self.revision),
            title: self.title,
            summary: self.summary,
            body_html: self.body_html,
            origin: origin_from_db(&self.origin)?,
            state: VersionState::from_db(&self.state)?,
            model_id: self.model_id,
            quality,
            outdated: self.outdated,
            translated_at: self.translated_at,
            reviewed_by: self.reviewed_by,
            updated_at: self.updated_at,
            hold_reason: self.hold_reason,
            held_at: self.held_at,
        })
    }
}

/// What [`Store::put_version`](crate::Store::put_version) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PutOutcome {
    Written,
    /// A machine version was offered where a human one exists; kept the human one.
    SkippedHuman,
    /// A machine version of a revision that is no longer current (or older
    /// than the stored one); a newer job will write the right one.
    SkippedStale,
}

/// One entry of a language's front page or feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub article_id: ArticleId,
    pub slug: Slug,
    pub lang: Lang,
    /// Source revision the shown text belongs to.
    pub revision: RevisionNo,
    pub current_revision: RevisionNo,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    /// From the current source revision, so every language sorts alike.
    pub published_at: i64,
    pub updated_at: i64,
    /// `None`: this is the source original; otherwise who translated it.
    pub origin: Option<Origin>,
    pub outdated: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PublishedRow {
    pub(crate) article_id: i64,
    pub(crate) slug: String,
    pub(crate) lang: String,
    pub(crate) revision: i64,
    pub(crate) current_revision: i64,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) body_html: String,
    pub(crate) published_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) origin: Option<String>,
    pub(crate) outdated: bool,
}

impl PublishedRow {
    pub(crate) fn parse(self) -> Result<Published> {
        Ok(Published {
            article_id: ArticleId(self.article_id),
            slug: parse_slug(&self.slug)?,
            lang: parse_lang(&self.lang)?,
            revision: RevisionNo(self.revision),
            current_revision: RevisionNo(self.current_revision),
            title: self.title,
            summary: self.summary,
            body_html: self.body_html,
            published_at: self.published_at,
            updated_at: self.updated_at,
            origin: self.origin.as_deref().map(origin_from_db).transpose()?,
            outdated: self.outdated,
        })
    }
}

/// A newsroom user (password hash never leaves the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: crate::team::Role,
    pub created_at: i64,
}

/// A logged-in session, looked up by its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub user_id: UserId,
    pub username: String,
    pub role: crate::team::Role,
    /// Per-session token forms must echo back.
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Session {
    /// May manage the team (the desk shows admins alone the way there).
    pub fn is_admin(&self) -> bool {
        self.role == crate::team::Role::Admin
    }
}

/// An API key as listed (the key itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, enough to tell keys apart in a list.
    pub prefix: String,
    /// What the key may do.
    pub scopes: crate::auth::Scopes,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}
