//! The editors' desk: every article with the state of each of its
//! languages, filtered and paged (`/admin/articles`, `GET /api/v1/articles`),
//! and an editor's dismissal of a false flag.
//!
//! A language of an article can be in several states at once — a held
//! version with open flags, while readers still see the translation of an
//! older revision. [`DeskStatus`] names each state, and its one query
//! ([`DeskStatus::pairs`]) says which (article, language) pairs are in it:
//! the list's filter, its counts and the chips beside each article all read
//! that query, so they cannot disagree. Each query walks only the rows of
//! its state (the partial indexes of migration 0012), not every article.
//!
//! Pages are found by keyset on (`published_at`, `id`), newest first: a
//! deep page costs what the first does (an index seek, no `OFFSET`), and an
//! article arriving meanwhile does not shift the pages an editor is paging
//! through. BENCHMARKS.md ("Editors' desk") has the timings at 100,000
//! articles on both databases.
//!
//! What this module must never do: decide a version's fate. Approving and
//! editing go through publish.rs and review.rs; a dismissal resolves one
//! flag and records the verdict, nothing more.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use warta_core::{FieldError, Lang, Slug};

use crate::error::{Result, StoreError};
use crate::qa::QaFlag;
use crate::types::*;
use crate::{now_millis, with_db, Store};

/// Longest page of the articles list one call returns.
pub const MAX_DESK_PAGE: u32 = 200;
/// Longest dismissal reason (characters).
pub const MAX_DISMISSAL_CHARS: usize = 500;

text_enum!(
    /// A state of one language of one article, as the desk shows it. A
    /// language may be in several (or, before its first job, none).
    DeskStatus {
        // A translation of the current revision is waiting for or in a worker.
        Queued => "queued",
        // The current revision's job gave up; nothing new will come by itself.
        Failed => "failed",
        // The newest version waits for an editor (policy or editor's hold).
        Held => "held",
        // The version of the current revision has open QA flags.
        Flagged => "flagged",
        // What readers see was translated from an older revision.
        Outdated => "outdated",
        // Written, edited or approved by a person.
        Human => "human",
        // Readers see a translation in this language.
        Published => "published",
    }
);

/// The deleted articles (a few, indexed by migration 0012).
macro_rules! deleted {
    () => {
        "SELECT d.id FROM articles d WHERE d.deleted_at IS NOT NULL"
    };
}

/// Below this many pairs in a status, a filtered page is read from the
/// status's own rows and sorted; from it on, by walking the articles newest
/// first and asking each (the answer comes within a few pages' worth).
const RARE: i64 = 1000;

impl DeskStatus {
    /// Every status, in the order the desk lists them.
    pub const ALL: [DeskStatus; 7] = [
        DeskStatus::Queued,
        DeskStatus::Failed,
        DeskStatus::Held,
        DeskStatus::Flagged,
        DeskStatus::Outdated,
        DeskStatus::Human,
        DeskStatus::Published,
    ];

    /// The status named `s` (its `as_str`), if any.
    pub fn parse(s: &str) -> Option<DeskStatus> {
        DeskStatus::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The (`article_id`, `lang`) rows of live articles in this status: the
    /// one definition of each status (a pair may repeat for `flagged`, one
    /// row per open flag). Every query of this module reads the statuses
    /// from here.
    fn pairs(self) -> &'static str {
        match self {
            // The translate phase only (a published version whose
            // confidence is being scored is not waiting for anything), and
            // not where a person's translation of the revision is in place
            // (the machine's would not replace it).
            DeskStatus::Queued => {
                "SELECT j.article_id, j.lang FROM jobs j \
                 JOIN articles a ON a.id = j.article_id AND a.current_revision = j.revision \
                   AND a.deleted_at IS NULL \
                 WHERE j.state IN ('queued', 'running', 'waiting_for_model') AND j.phase = 'translate' \
                   AND NOT EXISTS (SELECT 1 FROM versions h WHERE h.article_id = j.article_id \
                     AND h.lang = j.lang AND h.origin = 'human' AND h.revision = j.revision)"
            }
            DeskStatus::Failed => {
                "SELECT j.article_id, j.lang FROM jobs j \
                 JOIN articles a ON a.id = j.article_id AND a.current_revision = j.revision \
                   AND a.deleted_at IS NULL \
                 WHERE j.state = 'failed'"
            }
            // Versions and what readers see are keyed by article: live
            // means "not one of the few deleted" (a short list, indexed),
            // which a count walks much faster than a join with every article.
            DeskStatus::Held => {
                concat!(
                    "SELECT v.article_id, v.lang FROM versions v \
                     WHERE v.state = 'held' AND v.article_id NOT IN (",
                    deleted!(),
                    ")"
                )
            }
            // As the review queue counts them (review.rs): open flags of
            // the current revision's machine version.
            DeskStatus::Flagged => {
                "SELECT f.article_id, f.lang FROM qa_flags f \
                 JOIN articles a ON a.id = f.article_id AND a.current_revision = f.revision \
                   AND a.deleted_at IS NULL \
                 JOIN versions v ON v.article_id = f.article_id AND v.lang = f.lang \
                   AND v.revision = f.revision AND v.origin = 'machine' \
                 WHERE f.resolved_at IS NULL"
            }
            // Only revised articles can be: walked from their index (CROSS
            // JOIN keeps SQLite's planner from starting at every version).
            DeskStatus::Outdated => {
                "SELECT pv.article_id, pv.lang FROM articles a CROSS JOIN published_versions pv \
                 WHERE pv.article_id = a.id AND a.current_revision > 1 AND a.deleted_at IS NULL \
                   AND pv.revision < a.current_revision"
            }
            DeskStatus::Human => {
                concat!(
                    "SELECT v.article_id, v.lang FROM versions v \
                     WHERE (v.origin = 'human' OR v.reviewed_by IS NOT NULL) \
                       AND v.article_id NOT IN (",
                    deleted!(),
                    ")"
                )
            }
            DeskStatus::Published => {
                concat!(
                    "SELECT pv.article_id, pv.lang FROM published_versions pv \
                     WHERE pv.article_id NOT IN (",
                    deleted!(),
                    ")"
                )
            }
        }
    }
}

/// A place in the articles list: the (`published_at`, `id`) of an article.
/// Written `PUBLISHED_AT.ID` (unix ms, article id) in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeskCursor {
    pub published_at: i64,
    pub id: ArticleId,
}

impl fmt::Display for DeskCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.published_at, self.id)
    }
}

impl FromStr for DeskCursor {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<DeskCursor> {
        let bad = || StoreError::Invalid(format!("`{s}` is not a list position (PUBLISHED_AT.ID)"));
        let (at, id) = s.split_once('.').ok_or_else(bad)?;
        let published_at = at.parse::<i64>().map_err(|_| bad())?;
        let id = id.parse::<i64>().map_err(|_| bad())?;
        Ok(DeskCursor {
            published_at,
            id: ArticleId(id),
        })
    }
}

/// Which page of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeskPage {
    /// The newest articles.
    #[default]
    First,
    /// The articles older than this one.
    After(DeskCursor),
    /// The articles newer than this one (paging back).
    Before(DeskCursor),
}

/// What the editor asked the list for. Every filter is optional; they
/// combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// With `status`: the status must hold in this language. Also narrows
    /// [`Store::desk_counts`].
    pub lang: Option<Lang>,
    pub status: Option<DeskStatus>,
    /// Only articles with an open flag of this check (as `flagged` counts
    /// them: the current revision's machine version), in `lang` if given.
    pub check: Option<crate::qa::Check>,
    /// Published at or after (unix ms).
    pub published_from: Option<i64>,
    /// Published before (unix ms).
    pub published_before: Option<i64>,
    /// Part of the slug or of the current title. Case-insensitive (on
    /// SQLite for ASCII letters only, as its `LIKE` is).
    pub search: Option<String>,
    pub page: DeskPage,
    /// Articles per page (capped at [`MAX_DESK_PAGE`]).
    pub limit: u32,
}

/// The list's filters as a query string gives them (the admin page's form,
/// `GET /api/v1/articles`), parsed once into an [`ArticleFilter`] by
/// [`ArticleQuery::parse`]. Empty fields are absent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ArticleQuery {
    /// A language code.
    pub lang: Option<String>,
    /// A [`DeskStatus`] name.
    pub status: Option<String>,
    /// A QA check's name (`numbers`, `glossary`, …): articles with an open
    /// flag of it.
    pub check: Option<String>,
    /// `YYYY-MM-DD`: published on or after this day (UTC).
    pub from: Option<String>,
    /// `YYYY-MM-DD`: published on or before this day (UTC).
    pub to: Option<String>,
    /// Part of the slug or title.
    pub q: Option<String>,
    /// A [`DeskCursor`]: the page after it.
    pub after: Option<String>,
    /// A [`DeskCursor`]: the page before it.
    pub before: Option<String>,
    /// Articles per page.
    pub limit: Option<String>,
}

/// Longest search text (characters).
pub const MAX_SEARCH_CHARS: usize = 200;

impl ArticleQuery {
    /// The filter asked for. `languages` are the ones the list shows (the
    /// site's targets): a `lang` outside them is an error, as is a date that
    /// is not a day, an unknown status, a bad cursor, `after` and `before`
    /// together, or a `limit` outside 1..=[`MAX_DESK_PAGE`].
    pub fn parse(
        &self,
        languages: &[Lang],
        default_limit: u32,
    ) -> std::result::Result<ArticleFilter, FieldError> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let err = |field: &str, message: String| FieldError::new(field, message);
        let lang = match given(&self.lang) {
            None => None,
            Some(code) => {
                let lang = Lang::parse(code).map_err(|e| err("lang", e.to_string()))?;
                if !languages.contains(&lang) {
                    return Err(err(
                        "lang",
                        format!("`{lang}` is not one of this site's target languages"),
                    ));
                }
                Some(lang)
            }
        };
        let status = match given(&self.status) {
            None => None,
            Some(s) => Some(DeskStatus::parse(s).ok_or_else(|| {
                let names: Vec<&str> = DeskStatus::ALL.iter().map(|s| s.as_str()).collect();
                err(
                    "status",
                    format!("`{s}` is not one of {}", names.join(", ")),
                )
            })?),
        };
        let check = match given(&self.check) {
            None => None,
            Some(c) => Some(crate::qa::Check::from_name(c).ok_or_else(|| {
                let names: Vec<&str> = crate::qa::Check::ALL.iter().map(|c| c.name()).collect();
                err("check", format!("`{c}` is not one of {}", names.join(", ")))
            })?),
        };
        let day = |field: &'static str, v: &Option<String>| match given(v) {
            None => Ok(None),
            Some(d) => warta_core::Timestamp::parse_date(d)
                .map(|t| Some(t.unix_secs() * 1000))
                .ok_or_else(|| err(field, format!("`{d}` is not a date (YYYY-MM-DD)"))),
        };
        let published_from = day("from", &self.from)?;
        // The whole of the last day.
        let published_before = day("to", &self.to)?.map(|t| t + 86_400_000);
        let search = given(&self.q).map(str::to_string);
        if search.as_deref().is_some_and(|q| {
            q.chars().count() > MAX_SEARCH_CHARS || q.chars().any(char::is_control)
        }) {
            return Err(err(
                "q",
                format!(
                    "the search is longer than {MAX_SEARCH_CHARS} characters or not plain text"
                ),
            ));
        }
        let cursor = |field: &'static str, v: &Option<String>| {
            given(v)
                .map(|c| c.parse::<DeskCursor>())
                .transpose()
                .map_err(|e| err(field, e.to_string()))
        };
        let page = match (
            cursor("after", &self.after)?,
            cursor("before", &self.before)?,
        ) {
            (None, None) => DeskPage::First,
            (Some(c), None) => DeskPage::After(c),
            (None, Some(c)) => DeskPage::Before(c),
            (Some(_), Some(_)) => {
                return Err(err("before", "give `after` or `before`, not both".into()))
            }
        };
        let limit = match given(&self.limit) {
            None => default_limit,
            Some(n) => n
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_DESK_PAGE).contains(n))
                .ok_or_else(|| {
                    err(
                        "limit",
                        format!("`{n}` is not a number from 1 to {MAX_DESK_PAGE}"),
                    )
                })?,
        };
        Ok(ArticleFilter {
            lang,
            status,
            check,
            published_from,
            published_before,
            search,
            page,
            limit,
        })
    }
}

/// One language of one article in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskLanguage {
    pub lang: Lang,
    /// In the order of [`DeskStatus::ALL`]; empty before the first job.
    pub statuses: Vec<DeskStatus>,
    /// Open flags of the current revision's machine version.
    pub open_flags: i64,
}

/// One article in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskArticle {
    pub id: ArticleId,
    pub slug: Slug,
    /// Of the current revision.
    pub title: String,
    pub source_lang: Lang,
    pub published_at: i64,
    pub revision: RevisionNo,
    /// One per language asked for, in that order.
    pub languages: Vec<DeskLanguage>,
}

impl DeskArticle {
    pub fn cursor(&self) -> DeskCursor {
        DeskCursor {
            published_at: self.published_at,
            id: self.id,
        }
    }
}

/// A page of the list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticlePage {
    pub articles: Vec<DeskArticle>,
    /// Where the page of newer articles ends (`DeskPage::Before` this), if
    /// there is one.
    pub newer: Option<DeskCursor>,
    /// Where the page of older articles starts (`DeskPage::After` this), if
    /// there is one.
    pub older: Option<DeskCursor>,
}

/// How many live articles there are, and how many (article, language)
/// pairs are in each status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskCounts {
    pub articles: i64,
    /// Every status of [`DeskStatus::ALL`], in that order.
    pub by_status: Vec<(DeskStatus, i64)>,
}

impl DeskCounts {
    pub fn of(&self, status: DeskStatus) -> i64 {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// An editor's verdict that a flag is wrong ([`Store::dismiss_flag`]).
#[derive(Debug, Clone)]
pub struct FlagDismissal<'a> {
    pub flag: i64,
    pub editor: &'a str,
    /// Why (required, at most [`MAX_DISMISSAL_CHARS`]).
    pub reason: &'a str,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    slug: String,
    title: String,
    source_lang: String,
    published_at: i64,
    current_revision: i64,
}

/// `%needle%` for `LIKE … ESCAPE '\'`, with the needle's own wildcards
/// taken literally.
fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Which filters of a list hold for fewer than [`RARE`] rows: those are
/// read from their own rows (an index) first, the others asked of each
/// article as the list walks them newest first.
#[derive(Debug, Clone, Copy, Default)]
struct Rare {
    status: bool,
    search: bool,
    check: bool,
}

/// Push the ids of the articles whose slug or title (any revision's, on
/// PostgreSQL) may contain `$needle` (three characters or more), read from
/// the trigram indexes of migration 0014: SQLite's FTS5 trigram table of
/// slug and current title (a phrase query: the needle's trigrams in a
/// row), PostgreSQL's pg_trgm indexes (`ILIKE`). A superset of the exact
/// rule (it folds case beyond ASCII), which the caller still applies.
macro_rules! search_ids {
    ($q:expr, $needle:expr, $dialect:expr) => {{
        let needle: &str = $needle;
        match $dialect {
            crate::Dialect::Sqlite => {
                $q.push("SELECT rowid FROM article_search WHERE article_search MATCH ");
                $q.push_bind(format!("\"{}\"", needle.replace('"', "\"\"")));
            }
            crate::Dialect::Postgres => {
                let pattern = like_pattern(needle);
                $q.push("SELECT s.id FROM articles s WHERE s.slug ILIKE ");
                $q.push_bind(pattern.clone());
                $q.push(
                    " ESCAPE '\\' UNION SELECT t.article_id FROM revisions t WHERE t.title ILIKE ",
                );
                $q.push_bind(pattern);
                $q.push(" ESCAPE '\\'");
            }
        }
    }};
}

/// Push the (`article_id`, `lang`) rows of the open flags of `$check` (in
/// `$lang` if given), as `flagged` counts an open flag.
macro_rules! check_pairs {
    ($q:expr, $check:expr, $lang:expr) => {{
        $q.push(DeskStatus::Flagged.pairs());
        $q.push(" AND f.check_name = ");
        $q.push_bind($check.name());
        if let Some(lang) = $lang {
            $q.push(" AND f.lang = ");
            $q.push_bind(lang.code());
        }
    }};
}

/// Push the filters of `$f` (an [`ArticleFilter`]) onto the query builder
/// `$q`, whose FROM binds `a` (articles) and `r` (current revision); `$rare`:
/// which filters hold for fewer than [`RARE`] rows ([`Rare`]). A macro
/// because the builder's type differs per database.
macro_rules! push_filters {
    ($q:expr, $f:expr, $dialect:expr, $rare:expr) => {{
        let f: &ArticleFilter = $f;
        if let Some(from) = f.published_from {
            $q.push(" AND a.published_at >= ");
            $q.push_bind(from);
        }
        if let Some(before) = f.published_before {
            $q.push(" AND a.published_at < ");
            $q.push_bind(before);
        }
        if let Some(needle) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let like = match $dialect {
                crate::Dialect::Sqlite => " LIKE ",
                crate::Dialect::Postgres => " ILIKE ",
            };
            let pattern = like_pattern(needle);
            // A needle found in few articles (three characters or more:
            // see `search_ids!`) narrows the articles from the trigram
            // index first; the LIKE below keeps the exact rule. A common
            // one is found by walking the articles newest first.
            if $rare.search {
                $q.push(" AND a.id IN (");
                search_ids!($q, needle, $dialect);
                $q.push(")");
            }
            $q.push(" AND (a.slug");
            $q.push(like);
            $q.push_bind(pattern.clone());
            $q.push(" ESCAPE '\\' OR r.title");
            $q.push(like);
            $q.push_bind(pattern);
            $q.push(" ESCAPE '\\')");
        }
        if let Some(check) = f.check {
            // The open flags of the check (migration 0014 indexes them by
            // check), as `flagged` defines an open flag: read first when
            // few, else asked of each article walked.
            if $rare.check {
                $q.push(" AND a.id IN (SELECT s.article_id FROM (");
                check_pairs!($q, check, f.lang);
                $q.push(") s)");
            } else {
                $q.push(" AND EXISTS (SELECT 1 FROM (");
                check_pairs!($q, check, f.lang);
                $q.push(") s WHERE s.article_id = a.id)");
            }
        }
        if let Some(status) = f.status {
            if $rare.status {
                $q.push(" AND a.id IN (SELECT s.article_id FROM (");
                $q.push(status.pairs());
                $q.push(") s");
                if let Some(lang) = f.lang {
                    $q.push(" WHERE s.lang = ");
                    $q.push_bind(lang.code());
                }
                $q.push(")");
            } else {
                $q.push(" AND EXISTS (SELECT 1 FROM (");
                $q.push(status.pairs());
                $q.push(") s WHERE s.article_id = a.id");
                if let Some(lang) = f.lang {
                    $q.push(" AND s.lang = ");
                    $q.push_bind(lang.code());
                }
                $q.push(")");
            }
        }
    }};
}

impl Store {
    /// One page of live articles, newest first (by the newsroom's
    /// publication time), each with the statuses of `languages` (the
    /// site's targets, in the order to show them).
    pub async fn desk_articles(
        &self,
        f: &ArticleFilter,
        languages: &[Lang],
    ) -> Result<ArticlePage> {
        let limit = i64::from(f.limit.clamp(1, MAX_DESK_PAGE));
        let backwards = matches!(f.page, DeskPage::Before(_));
        let rare = self.rare_filters(f).await?;
        let mut rows: Vec<ListRow> = with_db!(self, |pool, dialect| {
            let mut q = crate::review::builder(
                pool,
                "SELECT a.id, a.slug, r.title, a.source_lang, a.published_at, a.current_revision \
                 FROM articles a \
                 JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision \
                 WHERE a.deleted_at IS NULL",
            );
            push_filters!(q, f, dialect, rare);
            match f.page {
                DeskPage::First => {}
                DeskPage::After(c) => {
                    q.push(" AND (a.published_at, a.id) < (");
                    q.push_bind(c.published_at);
                    q.push(", ");
                    q.push_bind(c.id.0);
                    q.push(")");
                }
                DeskPage::Before(c) => {
                    q.push(" AND (a.published_at, a.id) > (");
                    q.push_bind(c.published_at);
                    q.push(", ");
                    q.push_bind(c.id.0);
                    q.push(")");
                }
            }
            q.push(if backwards {
                " ORDER BY a.published_at, a.id LIMIT "
            } else {
                " ORDER BY a.published_at DESC, a.id DESC LIMIT "
            });
            q.push_bind(limit + 1);
            q.build_query_as().fetch_all(pool).await?
        });
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        if backwards {
            rows.reverse();
        }
        let mut articles = rows
            .into_iter()
            .map(|r| {
                Ok(DeskArticle {
                    id: ArticleId(r.id),
                    slug: parse_slug(&r.slug)?,
                    title: r.title,
                    source_lang: parse_lang(&r.source_lang)?,
                    published_at: r.published_at,
                    revision: RevisionNo(r.current_revision),
                    languages: languages
                        .iter()
                        .map(|&lang| DeskLanguage {
                            lang,
                            statuses: Vec::new(),
                            open_flags: 0,
                        })
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.attach_statuses(&mut articles).await?;
        // Paging forward, the page we came from is newer; paging back, the
        // one we came from is older. The other side is known from the
        // extra row fetched.
        let (newer, older) = match f.page {
            DeskPage::First => (false, more),
            DeskPage::After(_) => (true, more),
            DeskPage::Before(_) => (more, true),
        };
        Ok(ArticlePage {
            newer: articles.first().filter(|_| newer).map(DeskArticle::cursor),
            older: articles.last().filter(|_| older).map(DeskArticle::cursor),
            articles,
        })
    }

    /// The statuses and open-flag counts of the languages of `articles`.
    async fn attach_statuses(&self, articles: &mut [DeskArticle]) -> Result<()> {
        if articles.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = articles.iter().map(|a| a.id.0).collect();
        let rows: Vec<(i64, String, String, i64)> = with_db!(self, |pool, _d| {
            let mut q = crate::review::builder(pool, "");
            for (n, status) in DeskStatus::ALL.into_iter().enumerate() {
                if n > 0 {
                    q.push(" UNION ALL ");
                }
                q.push("SELECT s.article_id, s.lang, ");
                q.push_bind(status.as_str());
                q.push(" AS status, CAST(COUNT(*) AS BIGINT) AS n FROM (");
                q.push(status.pairs());
                q.push(") s WHERE s.article_id IN (");
                let mut list = q.separated(", ");
                for id in &ids {
                    list.push_bind(*id);
                }
                q.push(") GROUP BY s.article_id, s.lang");
            }
            q.build_query_as().fetch_all(pool).await?
        });
        let mut at: HashMap<(i64, &str), (usize, usize)> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            for (j, l) in a.languages.iter().enumerate() {
                at.insert((a.id.0, l.lang.code()), (i, j));
            }
        }
        let mut found: Vec<(usize, usize, DeskStatus, i64)> = Vec::new();
        for (id, lang, status, n) in &rows {
            let status = DeskStatus::from_db(status)?;
            // A language no longer among the site's targets is not shown.
            if let Some(&(i, j)) = at.get(&(*id, lang.as_str())) {
                found.push((i, j, status, *n));
            }
        }
        for (i, j, status, n) in found {
            let l = &mut articles[i].languages[j];
            l.statuses.push(status);
            if status == DeskStatus::Flagged {
                l.open_flags = n;
            }
        }
        for a in articles.iter_mut() {
            for l in &mut a.languages {
                l.statuses
                    .sort_by_key(|s| DeskStatus::ALL.iter().position(|x| x == s));
            }
        }
        Ok(())
    }

    /// Whether fewer than `n` rows of `status` (in `lang`) exist: a count
    /// that stops at `n`, so it costs little however common the status is.
    async fn pairs_below(&self, status: DeskStatus, lang: Option<Lang>, n: i64) -> Result<bool> {
        let found: i64 = with_db!(self, |pool, _d| {
            let mut q = crate::review::builder(
                pool,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM (",
            );
            q.push(status.pairs());
            q.push(") s");
            if let Some(lang) = lang {
                q.push(" WHERE s.lang = ");
                q.push_bind(lang.code());
            }
            q.push(" LIMIT ");
            q.push_bind(n);
            q.push(") p");
            q.build_query_scalar().fetch_one(pool).await?
        });
        Ok(found < n)
    }

    /// Which of `f`'s filters hold for fewer than [`RARE`] rows, each by a
    /// count that stops there.
    async fn rare_filters(&self, f: &ArticleFilter) -> Result<Rare> {
        let mut rare = Rare::default();
        if let Some(status) = f.status {
            rare.status = self.pairs_below(status, f.lang, RARE).await?;
        }
        let needle = f.search.as_deref().map(str::trim).unwrap_or("");
        // Two characters have no trigram: the index cannot answer.
        if needle.chars().count() >= 3 {
            let found: i64 = with_db!(self, |pool, dialect| {
                let mut q = crate::review::builder(
                    pool,
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM (",
                );
                search_ids!(q, needle, dialect);
                q.push(") i LIMIT ");
                q.push_bind(RARE);
                q.push(") p");
                q.build_query_scalar().fetch_one(pool).await?
            });
            rare.search = found < RARE;
        }
        if let Some(check) = f.check {
            let found: i64 = with_db!(self, |pool, _d| {
                let mut q = crate::review::builder(
                    pool,
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM (",
                );
                check_pairs!(q, check, f.lang);
                q.push(") c LIMIT ");
                q.push_bind(RARE);
                q.push(") p");
                q.build_query_scalar().fetch_one(pool).await?
            });
            rare.check = found < RARE;
        }
        Ok(rare)
    }

    /// Live articles, and (article, language) pairs per status; only the
    /// pairs of `lang` when given.
    pub async fn desk_counts(&self, lang: Option<Lang>) -> Result<DeskCounts> {
        let rows: Vec<(String, i64)> = with_db!(self, |pool, _d| {
            let mut q = crate::review::builder(
                pool,
                "SELECT 'articles' AS status, CAST(COUNT(*) AS BIGINT) AS n FROM articles \
                 WHERE deleted_at IS NULL",
            );
            for status in DeskStatus::ALL {
                q.push(" UNION ALL SELECT ");
                q.push_bind(status.as_str());
                if status == DeskStatus::Published {
                    // Nearly every pair: counted as every row readers see
                    // less those of the few deleted articles — the same set
                    // as `pairs`, counted from the narrow indexes instead
                    // of through a check of every row.
                    q.push(", CAST((SELECT COUNT(*) FROM published_versions pv");
                    if let Some(lang) = lang {
                        q.push(" WHERE pv.lang = ");
                        q.push_bind(lang.code());
                    }
                    q.push(
                        ") - (SELECT COUNT(*) FROM published_versions pv WHERE pv.article_id IN (",
                    );
                    q.push(deleted!());
                    q.push(")");
                    if let Some(lang) = lang {
                        q.push(" AND pv.lang = ");
                        q.push_bind(lang.code());
                    }
                    q.push(") AS BIGINT)");
                    continue;
                }
                q.push(", CAST(COUNT(*) AS BIGINT) FROM (SELECT ");
                // Only `flagged` has a row per flag, not per pair.
                if status == DeskStatus::Flagged {
                    q.push("DISTINCT ");
                }
                q.push("s.article_id, s.lang FROM (");
                q.push(status.pairs());
                q.push(") s");
                if let Some(lang) = lang {
                    q.push(" WHERE s.lang = ");
                    q.push_bind(lang.code());
                }
                q.push(") c");
            }
            q.build_query_as().fetch_all(pool).await?
        });
        let mut counts = DeskCounts {
            articles: 0,
            by_status: DeskStatus::ALL.iter().map(|&s| (s, 0)).collect(),
        };
        for (name, n) in rows {
            if name == "articles" {
                counts.articles = n;
            } else {
                let status = DeskStatus::from_db(&name)?;
                if let Some(slot) = counts.by_status.iter_mut().find(|(s, _)| *s == status) {
                    slot.1 = n;
                }
            }
        }
        Ok(counts)
    }

    /// The flag with this id.
    pub async fn qa_flag(&self, id: i64) -> Result<QaFlag> {
        let row: Option<crate::qa::QaFlagRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(concat!(
                "SELECT ",
                crate::qa::qa_flag_cols!(),
                " FROM qa_flags WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("flag #{id}")))?
            .parse()
    }

    /// An editor dismisses an open flag as wrong, in one transaction: the
    /// flag is resolved by the editor with the reason kept on it (a re-run
    /// of the checks that finds it again keeps it dismissed), and the
    /// dismissal is recorded for the per-check counts
    /// ([`Store::dismissals_by_check`]). What readers see does not change;
    /// a held version still waits for its approval.
    ///
    /// [`StoreError::Invalid`] for a blank or overlong reason;
    /// [`StoreError::NotFound`] for no such flag; [`StoreError::Conflict`]
    /// when it is already resolved.
    pub async fn dismiss_flag(&self, d: &FlagDismissal<'_>) -> Result<QaFlag> {
        let reason = d.reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "say why the flag is wrong: the reason must not be empty".into(),
            ));
        }
        if reason.chars().count() > MAX_DISMISSAL_CHARS {
            return Err(StoreError::Invalid(format!(
                "the reason is longer than {MAX_DISMISSAL_CHARS} characters"
            )));
        }
        let now = now_millis();
        let row: crate::qa::QaFlagRow = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let row: Option<crate::qa::QaFlagRow> = sqlx::query_as(concat!(
                "UPDATE qa_flags SET resolved_at = $2, resolved_by = $3, dismissed_reason = $4 \
                 WHERE id = $1 AND resolved_at IS NULL RETURNING ",
                crate::qa::qa_flag_cols!()
            ))
            .bind(d.flag)
            .bind(now)
            .bind(d.editor)
            .bind(reason)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM qa_flags WHERE id = $1")
                        .bind(d.flag)
                        .fetch_optional(&mut *tx)
                        .await?;
                return Err(match exists {
                    Some(_) => {
                        StoreError::Conflict(format!("flag #{} is already resolved", d.flag))
                    }
                    None => StoreError::NotFound(format!("flag #{}", d.flag)),
                });
            };
            sqlx::query(
                "INSERT INTO flag_dismissals (flag_id, article_id, lang, revision, check_name, severity, \
                 editor, reason, created_at) \
                 SELECT id, article_id, lang, revision, check_name, severity, $2, $3, $4 \
                 FROM qa_flags WHERE id = $1",
            )
            .bind(d.flag)
            .bind(d.editor)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let object = crate::audit::article_object_in_tx!(
                &mut *tx,
                ArticleId(row.article_id),
                crate::types::parse_lang(&row.lang)?
            );
            let sentence = row
                .segment_idx
                .map_or_else(String::new, |i| format!(" sentence {}", i + 1));
            crate::audit::audit_in_tx!(
                &mut *tx,
                self,
                crate::audit::AuditAction::FlagDismiss,
                format!("{object}{sentence}"),
                format!(
                    "flag #{} ({}): {}",
                    d.flag,
                    row.check_name,
                    crate::audit::quoted(reason)
                ),
                now
            );
            tx.commit().await?;
            row
        });
        let flag = row.parse()?;
        tracing::info!(flag = d.flag, article = %flag.article_id, lang = %flag.lang,
            check = flag.check.name(), editor = d.editor, "flag dismissed");
        Ok(flag)
    }

    /// How many flags the editors dismissed, per check name (every check
    /// that has had one), ever: a check's false-positive count, measured
    /// by the editors' own verdicts.
    pub async fn dismissals_by_check(&self) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT check_name, CAST(COUNT(*) AS BIGINT) FROM flag_dismissals \
                 GROUP BY check_name ORDER BY check_name",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_are_invalid() {
        let c = DeskCursor {
            published_at: 1_764_000_000_000,
            id: ArticleId(42),
        };
        assert_eq!(c.to_string(), "1764000000000.42");
        assert_eq!("1764000000000.42".parse::<DeskCursor>().unwrap(), c);
        assert_eq!(
            "-5.1".parse::<DeskCursor>().unwrap().published_at,
            -5,
            "before 1970 is a time too"
        );
        for bad in ["", "12", "a.b", "1.2.3", "1.", ".1"] {
            assert!(
                matches!(bad.parse::<DeskCursor>(), Err(StoreError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("floods"), "%floods%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn queries_parse_into_filters_and_bad_fields_are_named() {
        let pt = Lang::parse("pt").unwrap();
        let q = ArticleQuery {
            lang: Some("pt".into()),
            status: Some("held".into()),
            from: Some("2026-11-24".into()),
            to: Some("2026-11-24".into()),
            check: Some("numbers".into()),
            q: Some("  floods ".into()),
            after: Some("1795478400000.7".into()),
            before: Some("".into()),
            limit: None,
        };
        let f = q.parse(&[pt], 50).unwrap();
        assert_eq!(f.lang, Some(pt));
        assert_eq!(f.status, Some(DeskStatus::Held));
        assert_eq!(f.check, Some(crate::qa::Check::Numbers));
        // GNU `date -u -d 2026-11-24 +%s` = 1795478400; the to-day is whole.
        assert_eq!(f.published_from, Some(1_795_478_400_000));
        assert_eq!(f.published_before, Some(1_795_478_400_000 + 86_400_000));
        assert_eq!(f.search.as_deref(), Some("floods"));
        assert_eq!(
            f.page,
            DeskPage::After(DeskCursor {
                published_at: 1_795_478_400_000,
                id: ArticleId(7)
            })
        );
        assert_eq!(f.limit, 50);
        assert_eq!(
            ArticleQuery::default().parse(&[pt], 25).unwrap().page,
            DeskPage::First
        );
        for (q, field) in [
            (
                ArticleQuery {
                    lang: Some("ar".into()),
                    ..Default::default()
                },
                "lang",
            ),
            (
                ArticleQuery {
                    lang: Some("xx-!".into()),
                    ..Default::default()
                },
                "lang",
            ),
            (
                ArticleQuery {
                    status: Some("gone".into()),
                    ..Default::default()
                },
                "status",
            ),
            (
                ArticleQuery {
                    check: Some("spelling".into()),
                    ..Default::default()
                },
                "check",
            ),
            (
                ArticleQuery {
                    from: Some("2026-02-30".into()),
                    ..Default::default()
                },
                "from",
            ),
            (
                ArticleQuery {
                    to: Some("yesterday".into()),
                    ..Default::default()
                },
                "to",
            ),
            (
                ArticleQuery {
                    after: Some("x".into()),
                    ..Default::default()
                },
                "after",
            ),
            (
                ArticleQuery {
                    after: Some("1.1".into()),
                    before: Some("2.2".into()),
                    ..Default::default()
                },
                "before",
            ),
            (
                ArticleQuery {
                    limit: Some("0".into()),
                    ..Default::default()
                },
                "limit",
            ),
            (
                ArticleQuery {
                    limit: Some("201".into()),
                    ..Default::default()
                },
                "limit",
            ),
            (
                ArticleQuery {
                    q: Some("a\u{0}b".into()),
                    ..Default::default()
                },
                "q",
            ),
        ] {
            assert_eq!(q.parse(&[pt], 25).unwrap_err().field, field, "{q:?}");
        }
    }

    #[test]
    fn every_status_parses_from_its_name() {
        for s in DeskStatus::ALL {
            assert_eq!(DeskStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DeskStatus::parse("Held"), None);
    }
}
