//! Re-translation after a glossary change.
//!
//! A glossary entry changes how a term is rendered in one language, so every
//! live article whose current source mentions the term must be translated
//! into that language again; articles that do not mention it keep their
//! translation (DESIGN.md: glossary changes must be "fixable once", without
//! re-running the whole newsroom).
//!
//! Finding the articles is two steps: SQL `LIKE` narrows the current
//! revisions to a candidate set that is never smaller than the true one, then
//! the one term matcher ([`warta_core::term`]) confirms each candidate in Rust
//! with the rule SQL cannot express portably: the term must stand as a whole word, so `CSTO` does not
//! match `CSTOX`.
//!
//! What this module must never do: touch a language whose version is human
//! (a machine run would not replace it anyway, and an editor owns it), touch
//! a job a worker holds (the lease belongs to the worker), or resurrect old
//! revisions and deleted articles.

use warta_core::Lang;

use crate::error::Result;
use crate::{now_millis, with_db, Store};

/// Current revisions scanned per round trip.
const PAGE: i64 = 500;

#[derive(sqlx::FromRow)]
struct CandidateRow {
    article_id: i64,
    revision: i64,
    title: String,
    summary: String,
    body_html: String,
}

// `$2` is a `LIKE` pattern with `\` as escape character; `$3` pages by id.
// SQLite's `LIKE` ignores ASCII case even in the case-sensitive query, which
// only widens the candidate set.
const CANDIDATES_ANY_CASE: &str = concat!(
    "SELECT r.article_id, r.revision, r.title, r.summary, r.body_html ",
    "FROM articles a JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision ",
    "WHERE a.deleted_at IS NULL AND a.source_lang <> $1 AND a.id > $3 ",
    "AND (lower(r.title) LIKE $2 ESCAPE '\\' OR lower(r.summary) LIKE $2 ESCAPE '\\' ",
    "OR lower(r.body_html) LIKE $2 ESCAPE '\\') ",
    "ORDER BY a.id LIMIT $4"
);

const CANDIDATES_EXACT_CASE: &str = concat!(
    "SELECT r.article_id, r.revision, r.title, r.summary, r.body_html ",
    "FROM articles a JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision ",
    "WHERE a.deleted_at IS NULL AND a.source_lang <> $1 AND a.id > $3 ",
    "AND (r.title LIKE $2 ESCAPE '\\' OR r.summary LIKE $2 ESCAPE '\\' ",
    "OR r.body_html LIKE $2 ESCAPE '\\') ",
    "ORDER BY a.id LIMIT $4"
);

// Re-run a finished, parked or running job of the revision that is still
// current, for a language without a human version. Queued jobs will read the
// new glossary when leased; a running one is taken from its worker (whose
// write is then refused: the lease is the fence) and runs again.
pub(crate) const REQUEUE_JOB: &str = concat!(
    "UPDATE jobs SET state = 'queued', phase = 'translate', priority = 0, attempts = 0, run_after = $4, lease_owner = NULL, ",
    "lease_expires_at = NULL, last_error = NULL, waiting_pair = NULL, updated_at = $4 ",
    "WHERE article_id = $1 AND revision = $2 AND lang = $3 ",
    "AND state IN ('done', 'failed', 'waiting_for_model', 'superseded', 'running') ",
    "AND EXISTS (SELECT 1 FROM articles a WHERE a.id = $1 AND a.current_revision = $2 ",
    "AND a.deleted_at IS NULL) ",
    "AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = $1 AND v.lang = $3 ",
    "AND v.origin = 'human')"
);

// The same revision never had a job for the language (e.g. it became a
// target later). `WHERE` before `ON CONFLICT` is what SQLite's parser needs.
pub(crate) const INSERT_JOB: &str = concat!(
    "INSERT INTO jobs (article_id, revision, lang, state, attempts, run_after, created_at, updated_at) ",
    "SELECT a.id, a.current_revision, $3, 'queued', 0, $4, $4, $4 FROM articles a ",
    "WHERE a.id = $1 AND a.current_revision = $2 AND a.deleted_at IS NULL AND a.source_lang <> $3 ",
    "AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = $1 AND v.lang = $3 ",
    "AND v.origin = 'human') ",
    "ON CONFLICT (article_id, revision, lang) DO NOTHING"
);

/// Re-queue the jobs of `matched` (article, revision) for `lang` inside the
/// open transaction `tx` (see `REQUEUE_JOB`, `INSERT_JOB`); evaluates to the
/// number of jobs queued. A macro because the transaction's type differs
/// per database.
macro_rules! requeue_in_tx {
    ($tx:expr, $matched:expr, $lang:expr, $now:expr) => {{
        let mut queued = 0u64;
        for &(article, revision) in $matched {
            let mut n = sqlx::query($crate::requeue::REQUEUE_JOB)
                .bind(article)
                .bind(revision)
                .bind($lang.code())
                .bind($now)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
            if n == 0 {
                n = sqlx::query($crate::requeue::INSERT_JOB)
                    .bind(article)
                    .bind(revision)
                    .bind($lang.code())
                    .bind($now)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected();
            }
            queued += n;
        }
        queued
    }};
}
pub(crate) use requeue_in_tx;

impl Store {
    /// Make the `lang` translation of every live article whose current
    /// source (title, summary or body) contains `term` as a whole word
    /// runnable again: its job for the current revision goes back to
    /// `queued` (attempts 0, run now) if it was `done`, `failed`, waiting
    /// for a model, superseded or running (taken from its worker), and is
    /// created if there is none. Articles with a human `lang` version, and
    /// jobs already queued, are left alone. Returns how many jobs were
    /// queued. Glossary changes do this in their own transaction
    /// ([`Store::add_glossary_entry`]); this is for re-queuing by hand.
    pub async fn requeue_for_term(
        &self,
        term: &str,
        case_sensitive: bool,
        lang: Lang,
    ) -> Result<u64> {
        let matched = self
            .revisions_mentioning(term, case_sensitive, lang)
            .await?;
        if matched.is_empty() {
            return Ok(0);
        }
        let now = now_millis();
        let queued = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let queued = requeue_in_tx!(&mut *tx, &matched, lang, now);
            tx.commit().await?;
            queued
        });
        self.jobs_changed();
        tracing::info!(term, %lang, articles = matched.len(), jobs = queued, "re-queued for a glossary change");
        Ok(queued)
    }

    /// (article, current revision) of every live article whose current
    /// source mentions `term` and whose language is not `lang`.
    pub(crate) async fn revisions_mentioning(
        &self,
        term: &str,
        case_sensitive: bool,
        lang: Lang,
    ) -> Result<Vec<(i64, i64)>> {
        let term = term.trim();
        if term.is_empty() {
            return Ok(Vec::new());
        }
        let pattern = like_pattern(term, case_sensitive);
        let query = if case_sensitive {
            CANDIDATES_EXACT_CASE
        } else {
            CANDIDATES_ANY_CASE
        };

        let mut matched: Vec<(i64, i64)> = Vec::new();
        let mut after = 0i64;
        loop {
            let rows: Vec<CandidateRow> = with_db!(self, |pool, _d| {
                sqlx::query_as(query)
                    .bind(lang.code())
                    .bind(&pattern)
                    .bind(after)
                    .bind(PAGE)
                    .fetch_all(pool)
                    .await?
            });
            let Some(last) = rows.last() else { break };
            after = last.article_id;
            let full_page = rows.len() as i64 == PAGE;
            for r in rows {
                let found = term_occurs(&r.title, term, case_sensitive)
                    || term_occurs(&r.summary, term, case_sensitive)
                    || term_occurs(&html_text(&r.body_html), term, case_sensitive);
                if found {
                    matched.push((r.article_id, r.revision));
                }
            }
            if !full_page {
                break;
            }
        }
        Ok(matched)
    }
}

/// Whether `term` occurs in `text`: the one term matcher
/// ([`warta_core::term`]), which enforcement and the glossary QA check use too.
fn term_occurs(text: &str, term: &str, case_sensitive: bool) -> bool {
    warta_core::term::contains_term(text, term, case_sensitive)
}

/// The text of an article body, read by warta-html's parser.
fn html_text(html: &str) -> String {
    warta_html::text_content(html)
}

/// A `LIKE` pattern every revision containing `term` satisfies: the longest
/// run of the term's letters and digits that survives both databases'
/// `lower()` (SQLite folds ASCII only) and HTML escaping, or `%` (scan all)
/// when there is none.
fn like_pattern(term: &str, case_sensitive: bool) -> String {
    let keep = |c: char| c.is_alphanumeric() && (case_sensitive || c.is_ascii() || !has_case(c));
    let run = term
        .split(|c: char| !keep(c))
        .max_by_key(|s| s.chars().count())
        .unwrap_or("");
    let run = if case_sensitive {
        run.to_string()
    } else {
        run.to_ascii_lowercase()
    };
    let mut p = String::from("%");
    for c in run.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    if !run.is_empty() {
        p.push('%');
    }
    p
}

fn has_case(c: char) -> bool {
    c.to_lowercase().ne(c.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        // The brief's example: the acronym must not match a longer word.
        assert!(term_occurs("the Russia-led CSTO said", "CSTO", true));
        assert!(!term_occurs("the CSTOX index", "CSTO", true));
        assert!(!term_occurs("XCSTO", "CSTO", true));
        assert!(term_occurs("(CSTO)", "CSTO", true));
        assert!(term_occurs("CSTO", "CSTO", true));
        assert!(
            term_occurs("a CSTOX and a CSTO", "CSTO", true),
            "second occurrence counts"
        );
    }

    #[test]
    fn case_folding_follows_the_flag() {
        assert!(!term_occurs("the csto said", "CSTO", true));
        assert!(term_occurs("the csto said", "CSTO", false));
        assert!(term_occurs("PÉREZ won", "Pérez", false));
        assert!(!term_occurs("PÉREZ won", "Pérez", true));
    }

    #[test]
    fn multi_word_terms_span_white_space_and_inline_tags() {
        assert!(term_occurs(
            &html_text("<p>Joko <b>Widodo</b> said</p>"),
            "Joko Widodo",
            true
        ));
        assert!(term_occurs("Joko\n  Widodo", "Joko Widodo", true));
        assert!(term_occurs(
            &html_text("<p>AT&amp;T shares</p>"),
            "AT&T",
            true
        ));
        assert!(!term_occurs(
            &html_text("<p>foo</p><p>barbaz</p>"),
            "bar",
            true
        ));
        assert!(term_occurs(&html_text("<p>foo</p><p>bar</p>"), "bar", true));
    }

    #[test]
    fn terms_in_unspaced_scripts_match_inside_text() {
        assert!(term_occurs(
            "集体安全条约组织今天",
            "集体安全条约组织",
            true
        ));
        assert!(term_occurs("CSTOは", "CSTO", true));
    }

    #[test]
    fn edges_that_are_not_letters_need_no_boundary() {
        assert!(term_occurs("use C++11 now", "C++", true));
        assert!(!term_occurs("use XC++ now", "C++", true));
    }

    #[test]
    fn like_patterns_escape_wildcards_and_avoid_unfoldable_letters() {
        assert_eq!(like_pattern("CSTO", false), "%csto%");
        assert_eq!(like_pattern("CSTO", true), "%CSTO%");
        assert_eq!(like_pattern("Joko Widodo", false), "%widodo%");
        assert_eq!(like_pattern("AT&T", false), "%at%");
        // `é` is folded differently by SQLite and PostgreSQL: use `rez`.
        assert_eq!(like_pattern("Pérez", false), "%rez%");
        assert_eq!(like_pattern("Pérez", true), "%Pérez%");
        assert_eq!(like_pattern("É", false), "%");
        assert_eq!(like_pattern("+++", true), "%");
        assert_eq!(like_pattern("集体安全", false), "%集体安全%");
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use warta_core::text_strategy::{nasty_html, nasty_term, nasty_text};

        proptest! {
            #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

            /// The SQL prefilter may only ever widen the candidate set (module
            /// docs): whenever `term_occurs` says yes, both databases' `LIKE`
            /// with `like_pattern` must have matched the same text. Emulated
            /// here: SQLite's `lower()` and `LIKE` fold ASCII only;
            /// PostgreSQL's `lower()` folds Unicode and its `LIKE` is exact.
            #[test]
            fn the_like_prefilter_never_misses_what_term_occurs_finds(
                text in nasty_text(), term in nasty_term(), cs in any::<bool>(), html in nasty_html(),
            ) {
                let planted = format!("{text} {term} {}", if cs { String::new() } else { term.to_uppercase() });
                let _ = term_occurs(&html_text(&html), &term, cs);
                for t in [&text, &planted] {
                    if !term_occurs(t, &term, cs) {
                        continue;
                    }
                    let pattern = like_pattern(&term, cs);
                    let run = pattern.trim_matches('%').replace('\\', "");
                    let sqlite = t.to_ascii_lowercase().contains(&run.to_ascii_lowercase());
                    let postgres = if cs { t.contains(&run) } else { t.to_lowercase().contains(&run) };
                    prop_assert!(sqlite && postgres, "term {:?} in {:?}: pattern {:?} misses (sqlite {}, postgres {})", term, t, pattern, sqlite, postgres);
                }
            }
        }
    }
}
