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
//! [`term_occurs`] confirms each candidate in Rust with the rule SQL cannot
//! express portably: the term must stand as a whole word, so `CSTO` does not
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

// Re-run a finished or parked job of the revision that is still current, for
// a language without a human version. Queued jobs will read the new glossary
// when leased; running ones belong to their worker.
const REQUEUE_JOB: &str = concat!(
    "UPDATE jobs SET state = 'queued', attempts = 0, run_after = $4, lease_owner = NULL, ",
    "lease_expires_at = NULL, last_error = NULL, waiting_pair = NULL, updated_at = $4 ",
    "WHERE article_id = $1 AND revision = $2 AND lang = $3 ",
    "AND state IN ('done', 'failed', 'waiting_for_model', 'superseded') ",
    "AND EXISTS (SELECT 1 FROM articles a WHERE a.id = $1 AND a.current_revision = $2 ",
    "AND a.deleted_at IS NULL) ",
    "AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = $1 AND v.lang = $3 ",
    "AND v.origin = 'human')"
);

// The same revision never had a job for the language (e.g. it became a
// target later). `WHERE` before `ON CONFLICT` is what SQLite's parser needs.
const INSERT_JOB: &str = concat!(
    "INSERT INTO jobs (article_id, revision, lang, state, attempts, run_after, created_at, updated_at) ",
    "SELECT a.id, a.current_revision, $3, 'queued', 0, $4, $4, $4 FROM articles a ",
    "WHERE a.id = $1 AND a.current_revision = $2 AND a.deleted_at IS NULL AND a.source_lang <> $3 ",
    "AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = $1 AND v.lang = $3 ",
    "AND v.origin = 'human') ",
    "ON CONFLICT (article_id, revision, lang) DO NOTHING"
);

impl Store {
    /// Make the `lang` translation of every live article whose current
    /// source (title, summary or body) contains `term` as a whole word
    /// runnable again: its job for the current revision goes back to
    /// `queued` (attempts 0, run now) if it was `done`, `failed`, waiting
    /// for a model or superseded, and is created if there is none. Articles
    /// with a human `lang` version, and jobs already queued or running, are
    /// left alone. Returns how many jobs were queued.
    ///
    /// Call it after the glossary change is committed: a worker that leases
    /// the job afterwards reads the new glossary.
    pub async fn requeue_for_term(
        &self,
        term: &str,
        case_sensitive: bool,
        lang: Lang,
    ) -> Result<u64> {
        let term = term.trim();
        if term.is_empty() {
            return Ok(0);
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
        if matched.is_empty() {
            return Ok(0);
        }

        let now = now_millis();
        let queued = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let mut queued = 0u64;
            for &(article, revision) in &matched {
                let mut n = sqlx::query(REQUEUE_JOB)
                    .bind(article)
                    .bind(revision)
                    .bind(lang.code())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    n = sqlx::query(INSERT_JOB)
                        .bind(article)
                        .bind(revision)
                        .bind(lang.code())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                queued += n;
            }
            tx.commit().await?;
            queued
        });
        tracing::info!(term, %lang, articles = matched.len(), jobs = queued, "re-queued for a glossary change");
        Ok(queued)
    }
}

/// Whether `term` occurs in `text` as a whole word: not preceded or followed
/// by a letter or digit where the term itself starts or ends with one. Runs
/// of white space count as one space on both sides, so a term spanning a line
/// break or a removed inline tag still matches. Scripts written without
/// spaces between words (Han, kana, Thai…) have no word boundaries: a term in
/// them matches anywhere, and their letters bound a Latin term (`CSTOは`).
pub fn term_occurs(text: &str, term: &str, case_sensitive: bool) -> bool {
    let fold = |s: &str| {
        let s = collapse_space(s);
        if case_sensitive {
            s
        } else {
            s.to_lowercase()
        }
    };
    let (text, term) = (fold(text), fold(term.trim()));
    let Some(first) = term.chars().next() else {
        return false;
    };
    let last = term.chars().next_back().unwrap_or(first);
    let check_before = is_word_char(first);
    let check_after = is_word_char(last);
    let mut from = 0;
    while let Some(pos) = text[from..].find(&term) {
        let start = from + pos;
        let end = start + term.len();
        let before_ok =
            !check_before || !text[..start].chars().next_back().is_some_and(is_word_char);
        let after_ok = !check_after || !text[end..].chars().next().is_some_and(is_word_char);
        if before_ok && after_ok {
            return true;
        }
        // Next char boundary after `start`.
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// A letter or digit of a script that separates words with spaces: only
/// these make a word boundary matter, on either side of the match.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_unspaced(c)
}

/// Letters of scripts that do not separate words with spaces.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables (spaced, but particles attach)
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x3134F) // CJK extensions B–G
}

fn collapse_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// The text of a sanitised HTML fragment, good enough to look for a term:
/// tags become spaces and the entities a serialiser writes are decoded. The
/// store never renders this; it only answers "does the article say X".
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(j) => {
                    out.push(' ');
                    rest = &rest[j + 1..];
                }
                None => {
                    rest = "";
                }
            }
        } else {
            let end = rest[1..].find(';').map(|j| j + 1).filter(|&j| j <= 10);
            let decoded = end.and_then(|j| decode_entity(&rest[1..j]));
            match (end, decoded) {
                (Some(j), Some(c)) => {
                    out.push(c);
                    rest = &rest[j + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
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
