//! The editors' desk in the store (desk.rs), against real databases: the
//! articles list, its counts and filters on a seeded newsroom, and the
//! dismissal of a flag. Every suite function runs on a fresh SQLite file and
//! on a fresh PostgreSQL database when one is reachable (`common/mod.rs`).
//!
//! The oracle: the newsroom is seeded by formula (article `i`, language
//! offset `o`, `m = i + 37·o`: every 100th article revised while its new
//! translation is held, `m % 100 == 11` queued, `m % 200 == 13` failed,
//! `m % 50 == 17` held, `m % 100 == 19` a person's, `m % 20 == 3` two open
//! flags, every 1000th article deleted), and [`expected`] states, from the
//! same formula and the definitions of each state, what the list
//! must say. The ignored `desk_list_timings_at_100k_articles` is the
//! benchmark of BENCHMARKS.md ("Editors' desk").

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{Kind, TestDb};
use sqlx::Connection;
use warta_core::Lang;
use warta_store::*;

on_both_backends!(
    the_list_pages_and_filters_agree_with_the_seeded_states,
    the_counts_agree_with_the_seeded_states,
    a_dismissal_resolves_the_flag_records_it_and_survives_a_rerun,
    a_dismissal_that_fails_midway_leaves_the_flag_open,
    an_edited_glossary_entry_requeues_the_articles_of_the_old_and_the_new_term,
);

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

/// 2025-12-01T00:00:00Z (GNU `date -u -d 2025-12-01 +%s` × 1000); article
/// `i` is published `i` minutes later.
const BASE: i64 = 1_764_547_200_000;

/// The targets, with the offset the formula gives each.
const TARGETS: [(&str, i64); 2] = [("pt", 0), ("ar", 1)];

async fn exec(db: &TestDb, statements: &[String]) {
    match db.kind {
        Kind::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
        Kind::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            // Seeding 100,000 rows a statement: the site-generation and
            // foreign-key triggers off for this connection (the rows are
            // consistent by construction).
            let _ = sqlx::query("SET session_replication_role = replica")
                .execute(&mut c)
                .await;
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }
}

/// Seed `n` articles by the formula of the module docs, in a handful of
/// statements (written once for both databases).
async fn seed(db: &TestDb, n: i64) {
    let identity = match db.kind {
        Kind::Sqlite => "",
        Kind::Postgres => "OVERRIDING SYSTEM VALUE",
    };
    let numbers = format!(
        "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {n}), \
         l(lang, o) AS (SELECT 'pt', 0 UNION ALL SELECT 'ar', 1)"
    );
    let m = "(i + 37 * o)";
    let revised = "i % 100 = 7";
    let human = format!("(NOT {revised} AND {m} % 100 = 19)");
    let held = format!("({revised} OR {m} % 50 = 17)");
    let topic = "CASE i % 4 WHEN 0 THEN 'floods' WHEN 1 THEN 'the market' WHEN 2 THEN 'schools' \
                 ELSE 'the council' END";
    let statements = vec![
        format!(
            "{numbers} INSERT INTO articles (id, slug, current_revision, source_lang, published_at, \
             deleted_at, created_at, updated_at) {identity} \
             SELECT i, 'story-' || i, CASE WHEN {revised} THEN 2 ELSE 1 END, 'en', {BASE} + i * 60000, \
             CASE WHEN i % 1000 = 3 THEN {BASE} ELSE NULL END, {BASE}, {BASE} FROM n"
        ),
        format!(
            "{numbers} INSERT INTO revisions (article_id, revision, title, summary, body_html, author, \
             published_at, source_lang, created_at) \
             SELECT i, 1, 'Story number ' || i || ' about ' || {topic}, '', '<p>x</p>', NULL, \
             {BASE} + i * 60000, 'en', {BASE} FROM n"
        ),
        format!(
            "{numbers} INSERT INTO revisions (article_id, revision, title, summary, body_html, author, \
             published_at, source_lang, created_at) \
             SELECT i, 2, 'Story number ' || i || ' revised, about ' || {topic}, '', '<p>y</p>', NULL, \
             {BASE} + i * 60000, 'en', {BASE} FROM n WHERE {revised}"
        ),
        format!(
            "{numbers} INSERT INTO jobs (article_id, revision, lang, state, attempts, run_after, \
             created_at, updated_at) \
             SELECT i, CASE WHEN {revised} THEN 2 ELSE 1 END, lang, \
             CASE WHEN {revised} THEN 'done' WHEN {m} % 100 = 11 THEN 'queued' \
                  WHEN {m} % 200 = 13 THEN 'failed' ELSE 'done' END, 1, {BASE}, {BASE}, {BASE} \
             FROM n CROSS JOIN l"
        ),
        format!(
            "{numbers} INSERT INTO versions (article_id, lang, revision, title, summary, body_html, origin, \
             state, model_id, quality_json, outdated, translated_at, reviewed_by, updated_at, \
             hold_reason, held_at) \
             SELECT i, lang, CASE WHEN {revised} THEN 2 ELSE 1 END, 'T', '', '<p>t</p>', \
             CASE WHEN {human} THEN 'human' ELSE 'machine' END, \
             CASE WHEN {held} THEN 'held' ELSE 'published' END, \
             CASE WHEN {human} THEN NULL ELSE 'opus-mt-en-' || lang END, NULL, FALSE, {BASE}, \
             CASE WHEN {human} THEN 'translator' ELSE NULL END, {BASE}, \
             CASE WHEN {held} THEN 'seeded' ELSE NULL END, CASE WHEN {held} THEN {BASE} ELSE NULL END \
             FROM n CROSS JOIN l WHERE {revised} OR ({m} % 100 <> 11 AND {m} % 200 <> 13)"
        ),
        // Readers see revision 1 of a revised article (its revision 2 is held).
        "INSERT INTO published_versions (article_id, lang, revision, title, summary, body_html, origin, \
         model_id, reviewed_by, translated_at, first_published_at, corrected_at, updated_at) \
         SELECT article_id, lang, 1, title, summary, body_html, origin, model_id, reviewed_by, \
         translated_at, translated_at, NULL, updated_at FROM versions \
         WHERE state = 'published' OR revision = 2"
            .to_string(),
        format!(
            "WITH f(k, resolved) AS (SELECT 0, 0 UNION ALL SELECT 1, 0 UNION ALL SELECT 2, 1) \
             INSERT INTO qa_flags (article_id, lang, revision, segment_idx, check_name, severity, detail, \
             created_at, resolved_at, resolved_by) \
             SELECT v.article_id, v.lang, v.revision, f.k, 'numbers', 'warning', 'seeded', {BASE}, \
             CASE WHEN f.resolved = 1 THEN {BASE} ELSE NULL END, \
             CASE WHEN f.resolved = 1 THEN 'rina' ELSE NULL END \
             FROM versions v CROSS JOIN f \
             WHERE v.origin = 'machine' AND (f.resolved = 1 OR \
               (v.article_id + 37 * (CASE WHEN v.lang = 'ar' THEN 1 ELSE 0 END)) % 20 = 3)"
        ),
    ];
    exec(db, &statements).await;
    // What a database that has lived with this data looks like: SQLite's
    // log checkpointed into the file (as it is every 1000 pages in use);
    // PostgreSQL vacuumed and analysed (autovacuum does it soon after a
    // table grows this much). SQLite gets no ANALYZE: warta runs none.
    let settle = match db.kind {
        Kind::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        Kind::Postgres => "VACUUM ANALYZE",
    };
    exec(db, &[settle.to_string()]).await;
}

/// What the list must say of article `i` in the language of offset `o`:
/// `None` for a deleted article (not listed).
fn expected(i: i64, o: i64) -> Option<Vec<DeskStatus>> {
    use DeskStatus::*;
    if i % 1000 == 3 {
        return None;
    }
    let m = i + 37 * o;
    let mut s = Vec::new();
    if i % 100 == 7 {
        // Revision 2's translation is held; readers see revision 1's.
        s.push(Held);
        if m % 20 == 3 {
            s.push(Flagged);
        }
        s.extend([Outdated, Published]);
    } else if m % 100 == 11 {
        s.push(Queued);
    } else if m % 200 == 13 {
        s.push(Failed);
    } else {
        let human = m % 100 == 19;
        let held = m % 50 == 17;
        if held {
            s.push(Held);
        }
        if !human && m % 20 == 3 {
            s.push(Flagged);
        }
        if human {
            s.push(Human);
        }
        if !held {
            s.push(Published);
        }
    }
    Some(s)
}

fn targets() -> Vec<Lang> {
    TARGETS.iter().map(|(l, _)| lang(l)).collect()
}

/// Every article the filter lists, walking its pages forward; checks each
/// article's states against [`expected`] on the way.
async fn walk(db: &TestDb, filter: &ArticleFilter) -> Vec<i64> {
    let mut f = filter.clone();
    f.page = DeskPage::First;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = db.store.desk_articles(&f, &targets()).await.unwrap();
        pages += 1;
        assert!(pages < 1000, "paging does not end");
        for a in &page.articles {
            let i = a.id.0;
            assert_eq!(a.slug.as_str(), format!("story-{i}"));
            for (l, (code, o)) in a.languages.iter().zip(TARGETS) {
                assert_eq!(l.lang.code(), code);
                assert_eq!(
                    Some(l.statuses.clone()),
                    expected(i, o),
                    "article {i} {code}"
                );
                let open = if l.statuses.contains(&DeskStatus::Flagged) {
                    2
                } else {
                    0
                };
                assert_eq!(l.open_flags, open, "article {i} {code}");
            }
            seen.push(i);
        }
        match page.older {
            Some(c) => f.page = DeskPage::After(c),
            None => break,
        }
    }
    seen
}

/// The articles the oracle says `filter`'s status and language select
/// (newest, i.e. highest `i`, first).
fn oracle(n: i64, status: Option<DeskStatus>, lang_offset: Option<i64>) -> Vec<i64> {
    (1..=n)
        .rev()
        .filter(|&i| {
            TARGETS.iter().any(|(_, o)| {
                lang_offset.is_none_or(|x| x == *o)
                    && expected(i, *o).is_some_and(|s| status.is_none_or(|st| s.contains(&st)))
            })
        })
        .collect()
}

async fn the_list_pages_and_filters_agree_with_the_seeded_states(db: &TestDb) {
    let n = 1200;
    seed(db, n).await;
    let base = ArticleFilter {
        limit: 37,
        ..Default::default()
    };
    assert_eq!(walk(db, &base).await, oracle(n, None, None));
    for status in DeskStatus::ALL {
        for (lang_filter, offset) in [(None, None), (Some("pt"), Some(0)), (Some("ar"), Some(1))] {
            let f = ArticleFilter {
                status: Some(status),
                lang: lang_filter.map(lang),
                ..base.clone()
            };
            let want = oracle(n, Some(status), offset);
            assert!(!want.is_empty(), "the seed has {status} in {lang_filter:?}");
            assert_eq!(walk(db, &f).await, want, "{status} {lang_filter:?}");
        }
    }

    // Paging back from the last page reaches the first, page by page.
    let mut f = base.clone();
    let mut last = db.store.desk_articles(&f, &targets()).await.unwrap();
    while let Some(c) = last.older {
        f.page = DeskPage::After(c);
        last = db.store.desk_articles(&f, &targets()).await.unwrap();
    }
    let mut back: Vec<i64> = last.articles.iter().map(|a| a.id.0).collect();
    let mut at = last.newer;
    while let Some(c) = at {
        f.page = DeskPage::Before(c);
        let p = db.store.desk_articles(&f, &targets()).await.unwrap();
        assert_eq!(p.articles.len(), 37, "full pages going back");
        let mut ids: Vec<i64> = p.articles.iter().map(|a| a.id.0).collect();
        ids.extend(back);
        back = ids;
        at = p.newer;
    }
    assert_eq!(back, oracle(n, None, None));

    // Search: title words (any case), the slug, wildcards taken literally.
    let search = |q: &str| ArticleFilter {
        search: Some(q.to_string()),
        limit: 200,
        ..Default::default()
    };
    let floods: Vec<i64> = oracle(n, None, None)
        .into_iter()
        .filter(|i| i % 4 == 0)
        .collect();
    assert_eq!(walk(db, &search("FLOODS")).await, floods);
    assert_eq!(walk(db, &search("story-1199")).await, [1199]);
    assert_eq!(walk(db, &search("number 42 about")).await, [42]);
    // Every revised article (i % 100 == 7, all ≡ 3 mod 4: "the council").
    assert_eq!(
        walk(db, &search("revised, about the council")).await,
        [1107, 1007, 907, 807, 707, 607, 507, 407, 307, 207, 107, 7]
    );
    // A needle in nearly every article: found by walking, not the index.
    assert_eq!(walk(db, &search("Story")).await, oracle(n, None, None));
    assert!(walk(db, &search("100%")).await.is_empty());
    assert!(
        walk(db, &search("story_1")).await.is_empty(),
        "_ is not a wildcard"
    );

    // A check: every seeded flag is a `numbers` flag, so its open flags
    // select exactly the `flagged` articles; no article has another check's.
    for (lang_filter, offset) in [(None, None), (Some("pt"), Some(0)), (Some("ar"), Some(1))] {
        let f = ArticleFilter {
            check: Some(Check::Numbers),
            lang: lang_filter.map(lang),
            ..base.clone()
        };
        assert_eq!(
            walk(db, &f).await,
            oracle(n, Some(DeskStatus::Flagged), offset)
        );
    }
    let f = ArticleFilter {
        check: Some(Check::Glossary),
        ..base.clone()
    };
    assert!(walk(db, &f).await.is_empty());

    // Dates: from (inclusive) and before (exclusive), combined with a state.
    let f = ArticleFilter {
        published_from: Some(BASE + 100 * 60_000),
        published_before: Some(BASE + 200 * 60_000),
        status: Some(DeskStatus::Held),
        limit: 200,
        ..Default::default()
    };
    let want: Vec<i64> = oracle(n, Some(DeskStatus::Held), None)
        .into_iter()
        .filter(|i| (100..200).contains(i))
        .collect();
    assert_eq!(walk(db, &f).await, want);
    assert!(!want.is_empty());
}

async fn the_counts_agree_with_the_seeded_states(db: &TestDb) {
    let n = 1200;
    seed(db, n).await;
    for (lang_filter, offsets) in [
        (None, vec![0, 1]),
        (Some("pt"), vec![0]),
        (Some("ar"), vec![1]),
    ] {
        let counts = db.store.desk_counts(lang_filter.map(lang)).await.unwrap();
        let mut want: HashMap<DeskStatus, i64> = HashMap::new();
        for i in 1..=n {
            for &o in &offsets {
                for s in expected(i, o).unwrap_or_default() {
                    *want.entry(s).or_default() += 1;
                }
            }
        }
        for s in DeskStatus::ALL {
            assert_eq!(
                counts.of(s),
                want.get(&s).copied().unwrap_or(0),
                "{s} {lang_filter:?}"
            );
        }
        let live = (1..=n).filter(|i| i % 1000 != 3).count() as i64;
        assert_eq!(counts.articles, live, "live articles");
    }
}

/// An open flag of the first flagged article's `pt`.
async fn open_flag(db: &TestDb) -> QaFlag {
    // m = i for pt: i % 20 == 3 and not deleted, not revised: article 23.
    let flags = db
        .store
        .qa_flags(ArticleId(23), lang("pt"), RevisionNo(1))
        .await
        .unwrap();
    flags
        .into_iter()
        .find(|f| f.resolved_at.is_none())
        .expect("article 23 has open flags")
}

async fn a_dismissal_resolves_the_flag_records_it_and_survives_a_rerun(db: &TestDb) {
    seed(db, 40).await;
    let flag = open_flag(db).await;
    let dismiss = |reason: &'static str| FlagDismissal {
        flag: flag.id,
        editor: "rina",
        reason,
    };
    assert!(matches!(
        db.store.dismiss_flag(&dismiss("  ")).await,
        Err(StoreError::Invalid(_))
    ));
    let long = "x".repeat(MAX_DISMISSAL_CHARS + 1);
    assert!(matches!(
        db.store
            .dismiss_flag(&FlagDismissal {
                reason: &long,
                ..dismiss("")
            })
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(db.store.dismissals_by_check().await.unwrap().is_empty());

    let done = db
        .store
        .dismiss_flag(&dismiss(" a year, not an amount "))
        .await
        .unwrap();
    assert_eq!(done.id, flag.id);
    assert_eq!(done.resolved_by.as_deref(), Some("rina"));
    assert!(done.resolved_at.is_some());
    assert_eq!(
        done.dismissed_reason.as_deref(),
        Some("a year, not an amount")
    );
    assert_eq!(db.store.qa_flag(flag.id).await.unwrap(), done);
    assert_eq!(
        db.store.dismissals_by_check().await.unwrap(),
        [("numbers".to_string(), 1)]
    );
    assert!(matches!(
        db.store.dismiss_flag(&dismiss("again")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        db.store
            .dismiss_flag(&FlagDismissal {
                flag: 999_999,
                ..dismiss("x")
            })
            .await,
        Err(StoreError::NotFound(_))
    ));

    // The checks run again and find only this one: it stays dismissed, the
    // other finding is gone, and the language is no longer flagged.
    let again = NewQaFlag {
        segment_idx: flag.segment_idx,
        check: flag.check,
        severity: flag.severity,
        detail: flag.detail.clone(),
    };
    db.store
        .replace_qa_flags(ArticleId(23), lang("pt"), RevisionNo(1), &[again])
        .await
        .unwrap();
    let flags = db
        .store
        .qa_flags(ArticleId(23), lang("pt"), RevisionNo(1))
        .await
        .unwrap();
    let kept = flags
        .iter()
        .find(|f| f.segment_idx == flag.segment_idx && f.detail == flag.detail)
        .unwrap();
    assert_eq!(
        kept.dismissed_reason.as_deref(),
        Some("a year, not an amount")
    );
    let page = db
        .store
        .desk_articles(
            &ArticleFilter {
                search: Some("story-23".into()),
                limit: 5,
                ..Default::default()
            },
            &targets(),
        )
        .await
        .unwrap();
    assert_eq!(
        page.articles[0].languages[0].statuses,
        [DeskStatus::Published]
    );
}

async fn a_dismissal_that_fails_midway_leaves_the_flag_open(db: &TestDb) {
    seed(db, 40).await;
    let flag = open_flag(db).await;
    db.fail_inserts_into("flag_dismissals").await;
    let r = db
        .store
        .dismiss_flag(&FlagDismissal {
            flag: flag.id,
            editor: "rina",
            reason: "wrong",
        })
        .await;
    assert!(matches!(r, Err(StoreError::Database(_))), "{r:?}");
    let now = db.store.qa_flag(flag.id).await.unwrap();
    assert_eq!(now.resolved_at, None, "the flag stays open");
    assert_eq!(now.dismissed_reason, None);
}

/// Lease every runnable job and complete it, as a worker would.
async fn finish_all_jobs(db: &TestDb) {
    loop {
        let jobs = db
            .store
            .lease_jobs("test-worker", 50, Duration::from_secs(60))
            .await
            .unwrap();
        if jobs.is_empty() {
            return;
        }
        for j in jobs {
            db.store.complete_job(j.id, "test-worker").await.unwrap();
        }
    }
}

async fn an_edited_glossary_entry_requeues_the_articles_of_the_old_and_the_new_term(db: &TestDb) {
    let (pt, ar) = (lang("pt"), lang("ar"));
    for (slug, body) in [
        ("kompas", "The Kompas daily reported it."),
        ("rain", "It rained."),
    ] {
        db.store
            .create_or_revise(
                &NewRevision {
                    slug: warta_core::Slug::parse(slug).unwrap(),
                    title: "A story".into(),
                    summary: String::new(),
                    body_html: format!("<p>{body}</p>"),
                    author: None,
                    published_at: BASE,
                    source_lang: lang("en"),
                },
                &[pt, ar],
            )
            .await
            .unwrap();
    }
    finish_all_jobs(db).await;
    let entry = |source: &str, l: Lang| NewGlossaryEntry {
        source_term: source.into(),
        target_lang: l,
        target_term: source.into(),
        case_sensitive: false,
        note: None,
    };
    let (e, n) = db
        .store
        .add_glossary_entry(&entry("Kompas", pt))
        .await
        .unwrap();
    assert_eq!(n, 1, "the one article that mentions Kompas, in pt");
    finish_all_jobs(db).await;
    let version = db.store.glossary_version().await.unwrap();

    // Now "daily" in Arabic: the old term's pt job and the new term's ar
    // job (the same article) are both made again.
    let (changed, n) = db
        .store
        .update_glossary_entry(e.id, &entry("daily", ar))
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        (changed.source_term.as_str(), changed.target_lang),
        ("daily", ar)
    );
    assert_eq!(changed.created_at, e.created_at);
    assert_eq!(db.store.glossary_version().await.unwrap(), version + 1);
    finish_all_jobs(db).await;
    // Same language: each article once.
    let (_, n) = db
        .store
        .update_glossary_entry(e.id, &entry("Kompas daily", ar))
        .await
        .unwrap();
    assert_eq!(n, 1);

    let (other, _) = db
        .store
        .add_glossary_entry(&entry("rained", ar))
        .await
        .unwrap();
    assert!(matches!(
        db.store
            .update_glossary_entry(other.id, &entry("Kompas daily", ar))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        db.store
            .update_glossary_entry(999_999, &entry("x", ar))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        db.store
            .glossary_entry(other.id)
            .await
            .unwrap()
            .unwrap()
            .source_term,
        "rained",
        "a refused edit changes nothing"
    );
}

// ---------------------------------------------------------------- benchmark

/// The median of `runs` timed calls of `f` (after one untimed call).
async fn median<F, Fut, T>(runs: usize, f: F) -> (Duration, T)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut out = f().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        out = f().await;
        times.push(t.elapsed());
    }
    times.sort();
    (times[runs / 2], out)
}

async fn bench(db: &TestDb, n: i64) {
    let t = Instant::now();
    seed(db, n).await;
    let seeded = t.elapsed();
    let backend = match db.kind {
        Kind::Sqlite => "SQLite",
        Kind::Postgres => "PostgreSQL",
    };
    println!("{backend}: seeded {n} articles in {seeded:.1?}");
    let page = |f: ArticleFilter| ArticleFilter { limit: 50, ..f };
    let middle = DeskCursor {
        published_at: BASE + (n / 2) * 60_000,
        id: ArticleId(n / 2),
    };
    let cases: Vec<(&str, ArticleFilter)> = vec![
        ("first page", page(Default::default())),
        (
            "page after the 50,000th",
            page(ArticleFilter {
                page: DeskPage::After(middle),
                ..Default::default()
            }),
        ),
        (
            "status=held",
            page(ArticleFilter {
                status: Some(DeskStatus::Held),
                ..Default::default()
            }),
        ),
        (
            "status=flagged lang=pt",
            page(ArticleFilter {
                status: Some(DeskStatus::Flagged),
                lang: Some(lang("pt")),
                ..Default::default()
            }),
        ),
        (
            "status=queued lang=ar",
            page(ArticleFilter {
                status: Some(DeskStatus::Queued),
                lang: Some(lang("ar")),
                ..Default::default()
            }),
        ),
        (
            "status=failed",
            page(ArticleFilter {
                status: Some(DeskStatus::Failed),
                ..Default::default()
            }),
        ),
        (
            "status=outdated",
            page(ArticleFilter {
                status: Some(DeskStatus::Outdated),
                ..Default::default()
            }),
        ),
        (
            "status=human, page after the 50,000th",
            page(ArticleFilter {
                status: Some(DeskStatus::Human),
                page: DeskPage::After(middle),
                ..Default::default()
            }),
        ),
        (
            "status=published",
            page(ArticleFilter {
                status: Some(DeskStatus::Published),
                ..Default::default()
            }),
        ),
        (
            "search \"floods\" (1 in 4)",
            page(ArticleFilter {
                search: Some("floods".into()),
                ..Default::default()
            }),
        ),
        (
            "search \"number 99999\" (1 article)",
            page(ArticleFilter {
                search: Some("number 99999".into()),
                ..Default::default()
            }),
        ),
        (
            "check=numbers lang=pt (open flags of one check)",
            page(ArticleFilter {
                check: Some(Check::Numbers),
                lang: Some(lang("pt")),
                ..Default::default()
            }),
        ),
        (
            "one day, status=held",
            page(ArticleFilter {
                published_from: Some(BASE + (n / 2) * 60_000),
                published_before: Some(BASE + (n / 2) * 60_000 + 86_400_000),
                status: Some(DeskStatus::Held),
                ..Default::default()
            }),
        ),
    ];
    for (label, f) in &cases {
        let (d, p) = median(7, || async {
            db.store.desk_articles(f, &targets()).await.unwrap()
        })
        .await;
        println!(
            "{backend} | {label} | {:.1} ms | {} articles",
            d.as_secs_f64() * 1000.0,
            p.articles.len()
        );
    }
    // The paths taken at this size are right too: a common needle (walked)
    // and a check with thousands of open flags (asked per article).
    let ids = |p: ArticlePage| p.articles.iter().map(|a| a.id.0).collect::<Vec<_>>();
    let floods = ArticleFilter {
        search: Some("floods".into()),
        limit: 50,
        ..Default::default()
    };
    let want: Vec<i64> = oracle(n, None, None)
        .into_iter()
        .filter(|i| i % 4 == 0)
        .take(50)
        .collect();
    assert_eq!(
        ids(db.store.desk_articles(&floods, &targets()).await.unwrap()),
        want
    );
    let by = |check, status| ArticleFilter {
        check,
        status,
        lang: Some(lang("pt")),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        ids(db
            .store
            .desk_articles(&by(Some(Check::Numbers), None), &targets())
            .await
            .unwrap()),
        ids(db
            .store
            .desk_articles(&by(None, Some(DeskStatus::Flagged)), &targets())
            .await
            .unwrap())
    );
    for (label, l) in [
        ("counts, all languages", None),
        ("counts, lang=pt", Some(lang("pt"))),
    ] {
        let (d, _) = median(7, || async { db.store.desk_counts(l).await.unwrap() }).await;
        println!("{backend} | {label} | {:.1} ms |", d.as_secs_f64() * 1000.0);
    }
}

/// `cargo test --release -p warta-store --test desk -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: seeds 100,000 articles per backend"]
async fn desk_list_timings_at_100k_articles() {
    let n = 100_000;
    bench(&TestDb::sqlite().await, n).await;
    if let Some(db) = TestDb::postgres().await {
        bench(&db, n).await;
    }
}
