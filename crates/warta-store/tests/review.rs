//! The editors' review queue, against real databases: every suite function
//! runs once on a fresh SQLite file and once on a fresh PostgreSQL database
//! (when a server is reachable; see `common/mod.rs`).
//!
//! Expected values come from the issue that asked for the queue: "a list of
//! flagged segments across articles ordered by severity and age", only what
//! an editor can act on (current revision, live article, machine version),
//! and "edit and approve" making the segment human and the flags resolved.

mod common;

use common::TestDb;
use warta_core::{Lang, Pair, Slug};
use warta_store::*;

on_both_backends!(
    queue_orders_segments_by_worst_flag_then_oldest_and_groups_their_flags,
    queue_shows_only_what_an_editor_can_act_on,
    queue_pages_with_limit_and_offset_and_counts_every_segment,
    resolving_a_segment_takes_it_off_the_queue_and_records_the_editor,
    an_edited_segment_becomes_human_and_blank_or_missing_edits_are_refused,
    a_segment_of_a_human_or_outdated_version_is_not_reviewable,
    an_approval_that_fails_midway_leaves_nothing_behind,
);

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

/// The newsroom: English source, Portuguese and Arabic targets.
fn targets() -> Vec<Lang> {
    vec![lang("pt"), lang("ar")]
}

fn rev(slug: &str, title: &str) -> NewRevision {
    NewRevision {
        slug: Slug::parse(slug).unwrap(),
        title: title.to_string(),
        summary: String::new(),
        body_html: format!("<p>{title}. Second sentence. Third sentence.</p>"),
        author: None,
        published_at: 1_700_000_000_000,
        source_lang: lang("en"),
    }
}

/// A machine version of `revision` with three sentences; sentence `i`
/// reads `S{i} of {title}` and its translation `T{i} de {title}`.
fn machine(a: &Article, code: &str, revision: RevisionNo, title: &str) -> NewVersion {
    NewVersion {
        article_id: a.id,
        lang: lang(code),
        revision,
        title: format!("T0 de {title}"),
        summary: String::new(),
        body_html: "<p>…</p>".to_string(),
        origin: Origin::Machine,
        state: VersionState::Published,
        model_id: Some("en-pt/tiny".to_string()),
        quality: None,
        reviewed_by: None,
        segments: (0..3)
            .map(|i| Segment {
                idx: i,
                source_text: format!("S{i} of {title}"),
                target_text: format!("T{i} de {title}"),
                pivot_text: None,
                confidence: Some(-0.5 - i as f64),
                origin: Origin::Machine,
            })
            .collect(),
    }
}

fn flag(idx: Option<i64>, check: &str, severity: Severity) -> NewQaFlag {
    NewQaFlag {
        segment_idx: idx,
        check: warta_store::Check::from_name(check).expect("a check name"),
        severity,
        detail: format!("{check} detail"),
    }
}

/// An article with a published machine version in `code`.
async fn published(s: &Store, slug: &str, title: &str, code: &str) -> Article {
    let a = s
        .create_or_revise(&rev(slug, title), &targets())
        .await
        .unwrap()
        .article;
    assert_eq!(
        s.put_version(&machine(&a, code, RevisionNo(1), title))
            .await
            .unwrap(),
        PutOutcome::Written
    );
    a
}

fn keys(items: &[ReviewItem]) -> Vec<(String, String, i64)> {
    items
        .iter()
        .map(|i| (i.slug.to_string(), i.lang.to_string(), i.segment.idx))
        .collect()
}

async fn queue_orders_segments_by_worst_flag_then_oldest_and_groups_their_flags(db: &TestDb) {
    let s = &db.store;
    let (pt, ar, r1) = (lang("pt"), lang("ar"), RevisionNo(1));
    let a = published(s, "banjir", "Banjir", "pt").await;
    s.put_version(&machine(&a, "ar", r1, "Banjir"))
        .await
        .unwrap();
    // Flags are timed in milliseconds: each group is found a millisecond
    // after the one before, so "older" is unambiguous.
    let t0 = warta_store::now_millis();
    // Oldest: two warnings and an info on pt segment 1.
    s.replace_qa_flags_at(
        a.id,
        pt,
        r1,
        &[
            flag(Some(1), "length_ratio", Severity::Info),
            flag(Some(1), "glossary", Severity::Warning),
            flag(Some(1), "numbers", Severity::Warning),
        ],
        t0,
    )
    .await
    .unwrap();
    // Then an info on ar segment 2.
    s.replace_qa_flags_at(
        a.id,
        ar,
        r1,
        &[flag(Some(2), "script", Severity::Info)],
        t0 + 1,
    )
    .await
    .unwrap();
    // Newest: an error on another article's pt segment 0, and a warning.
    let b = published(s, "gempa", "Gempa", "pt").await;
    s.replace_qa_flags_at(
        b.id,
        pt,
        r1,
        &[
            flag(Some(0), "repetition", Severity::Error),
            flag(Some(2), "untranslated", Severity::Warning),
        ],
        t0 + 2,
    )
    .await
    .unwrap();

    let q = s.review_queue(50, 0).await.unwrap();
    // error first; then the warnings, older first; then the info.
    assert_eq!(
        keys(&q),
        [
            ("gempa".into(), "pt".into(), 0),
            ("banjir".into(), "pt".into(), 1),
            ("gempa".into(), "pt".into(), 2),
            ("banjir".into(), "ar".into(), 2),
        ]
    );
    let first = &q[0];
    assert_eq!(first.worst, Severity::Error);
    assert_eq!(first.title, "Gempa");
    assert_eq!(first.revision, r1);
    assert_eq!(first.segment.source_text, "S0 of Gempa");
    assert_eq!(first.segment.target_text, "T0 de Gempa");
    assert_eq!(first.segment.confidence, Some(-0.5));
    let grouped = &q[1];
    let checks: Vec<&str> = grouped.flags.iter().map(|f| f.check.name()).collect();
    assert_eq!(
        checks,
        ["glossary", "numbers", "length_ratio"],
        "all flags of the segment, worst first"
    );
    assert_eq!(grouped.worst, Severity::Warning);
    assert!(grouped.flagged_at.unwrap() < q[2].flagged_at.unwrap());
}

async fn queue_shows_only_what_an_editor_can_act_on(db: &TestDb) {
    let s = &db.store;
    let (pt, ar, r1, r2) = (lang("pt"), lang("ar"), RevisionNo(1), RevisionNo(2));
    // Kept: a flagged segment of a current machine version.
    let keep = published(s, "tetap", "Tetap", "pt").await;
    s.replace_qa_flags(
        keep.id,
        pt,
        r1,
        &[
            flag(Some(0), "numbers", Severity::Error),
            flag(None, "length_ratio", Severity::Error),
        ],
    )
    .await
    .unwrap();
    // A deleted article.
    let gone = published(s, "hapus", "Hapus", "pt").await;
    s.replace_qa_flags(
        gone.id,
        pt,
        r1,
        &[flag(Some(0), "numbers", Severity::Error)],
    )
    .await
    .unwrap();
    s.delete_article(&gone.slug).await.unwrap();
    // A flag of revision 1 after the source moved on to revision 2.
    let old = published(s, "lama", "Lama", "pt").await;
    s.replace_qa_flags(old.id, pt, r1, &[flag(Some(0), "numbers", Severity::Error)])
        .await
        .unwrap();
    let mut r = rev("lama", "Lama baru");
    r.body_html.push_str("<p>More.</p>");
    assert_eq!(
        s.create_or_revise(&r, &targets()).await.unwrap().revision,
        r2
    );
    // A human version (the flag predates the editor's translation).
    let hum = published(s, "manusia", "Manusia", "pt").await;
    s.replace_qa_flags(hum.id, pt, r1, &[flag(Some(0), "numbers", Severity::Error)])
        .await
        .unwrap();
    let mut h = machine(&hum, "pt", r1, "Manusia");
    h.origin = Origin::Human;
    h.model_id = None;
    h.segments.clear();
    h.reviewed_by = Some("editor".into());
    s.put_version(&h).await.unwrap();
    // A flag in a language with no version, and one naming a segment that does not exist.
    s.replace_qa_flags(
        keep.id,
        ar,
        r1,
        &[flag(Some(0), "numbers", Severity::Error)],
    )
    .await
    .unwrap();
    let nos = published(s, "tanpa", "Tanpa", "pt").await;
    s.replace_qa_flags(nos.id, pt, r1, &[flag(Some(9), "numbers", Severity::Error)])
        .await
        .unwrap();

    let q = s.review_queue(50, 0).await.unwrap();
    assert_eq!(keys(&q), [("tetap".into(), "pt".into(), 0)]);
    assert_eq!(
        q[0].flags.len(),
        1,
        "the whole-document flag has no sentence to fix"
    );
    assert_eq!(s.review_queue_len().await.unwrap(), 1);
}

async fn queue_pages_with_limit_and_offset_and_counts_every_segment(db: &TestDb) {
    let s = &db.store;
    let (pt, r1) = (lang("pt"), RevisionNo(1));
    let a = published(s, "halaman", "Halaman", "pt").await;
    s.replace_qa_flags(
        a.id,
        pt,
        r1,
        &[
            flag(Some(0), "numbers", Severity::Error),
            flag(Some(1), "numbers", Severity::Warning),
            flag(Some(2), "numbers", Severity::Info),
        ],
    )
    .await
    .unwrap();
    assert_eq!(s.review_queue_len().await.unwrap(), 3);
    let idx = |q: Vec<ReviewItem>| q.iter().map(|i| i.segment.idx).collect::<Vec<_>>();
    assert_eq!(idx(s.review_queue(2, 0).await.unwrap()), [0, 1]);
    assert_eq!(idx(s.review_queue(2, 2).await.unwrap()), [2]);
    assert!(s.review_queue(2, 4).await.unwrap().is_empty());
    assert!(s.review_queue(0, 0).await.unwrap().is_empty());
}

/// An approval of segment `idx` of the pt version of `a`, as the desk
/// makes one, with `events` to queue.
fn approval<'a>(
    a: &'a Article,
    code: &str,
    idx: i64,
    source_text: &'a str,
    text: &'a str,
    editor: &'a str,
    events: &'a [NewWebhookEvent],
) -> SegmentApproval<'a> {
    SegmentApproval {
        article: a.id,
        lang: lang(code),
        idx,
        source_text,
        source_norm: source_text,
        pair: Pair::new(lang("en"), lang(code)).unwrap(),
        text,
        editor,
        events,
        priority: 10,
    }
}

async fn resolving_a_segment_takes_it_off_the_queue_and_records_the_editor(db: &TestDb) {
    let s = &db.store;
    let (pt, r1) = (lang("pt"), RevisionNo(1));
    let a = published(s, "selesai", "Selesai", "pt").await;
    s.replace_qa_flags(
        a.id,
        pt,
        r1,
        &[
            flag(Some(0), "numbers", Severity::Error),
            flag(Some(0), "glossary", Severity::Warning),
            flag(Some(1), "length_ratio", Severity::Info),
        ],
    )
    .await
    .unwrap();
    // Approving the machine's own text unchanged resolves its flags.
    let ok = s
        .approve_segment(&approval(
            &a,
            "pt",
            0,
            "S0 of Selesai",
            "T0 de Selesai",
            "rina",
            &[],
        ))
        .await
        .unwrap();
    assert_eq!(ok.segment.origin, Origin::Human);
    s.approve_segment(&approval(
        &a,
        "pt",
        0,
        "S0 of Selesai",
        "T0 de Selesai",
        "budi",
        &[],
    ))
    .await
    .unwrap();
    assert_eq!(
        keys(&s.review_queue(50, 0).await.unwrap()),
        [("selesai".into(), "pt".into(), 1)]
    );
    let by = db
        .raw_text_rows("SELECT resolved_by FROM qa_flags WHERE resolved_at IS NOT NULL ORDER BY id")
        .await;
    assert_eq!(
        by,
        [vec!["rina".to_string()], vec!["rina".to_string()]],
        "resolving twice changes nothing"
    );
    // The flags stay on record (resolved), so the version's QA history is kept.
    assert_eq!(s.qa_flags(a.id, pt, r1).await.unwrap().len(), 3);
}

async fn an_edited_segment_becomes_human_and_blank_or_missing_edits_are_refused(db: &TestDb) {
    let s = &db.store;
    let pt = lang("pt");
    let a = published(s, "sunting", "Sunting", "pt").await;
    let fixed = "Segunda frase, corrigida.";
    let done = s
        .approve_segment(&approval(&a, "pt", 1, "S1 of Sunting", fixed, "rina", &[]))
        .await
        .unwrap();
    let seg = done.segment;
    assert_eq!(seg.origin, Origin::Human);
    assert_eq!(seg.source_text, "S1 of Sunting");
    assert_eq!(seg.target_text, fixed);
    let stored = s.segments(a.id, pt).await.unwrap();
    assert_eq!(stored[1], seg);
    assert_eq!(
        stored[0].origin,
        Origin::Machine,
        "other segments untouched"
    );
    let v = s.version(a.id, pt).await.unwrap().unwrap();
    assert_eq!(v.reviewed_by.as_deref(), Some("rina"));
    assert_eq!(
        v.origin,
        Origin::Machine,
        "the version is rebuilt by republishing, not here"
    );
    // The fix is in the memory as a human entry, whatever the model.
    let en_pt = Pair::new(lang("en"), pt).unwrap();
    let hits = s
        .tm_lookup(en_pt, &[tm_source_hash("S1 of Sunting")], "any-model", 99)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    let hit = hits.into_values().next().unwrap();
    assert_eq!(
        (hit.target_text.as_str(), hit.origin),
        (fixed, Origin::Human)
    );
    // The page is rebuilt by a job queued ahead of the backlog.
    let job = s.job(done.job).await.unwrap();
    assert_eq!((job.state, job.lang), (JobState::Queued, pt));
    assert_eq!(
        db.raw_text_rows(
            "SELECT CAST(priority AS TEXT) FROM jobs WHERE state = 'queued' AND lang = 'pt'"
        )
        .await,
        [vec!["10".to_string()]],
        "ahead of the backlog"
    );

    for (article, code, idx, source, text) in [(&a, "pt", 1, "S1 of Sunting", "  \n")] {
        assert!(matches!(
            s.approve_segment(&approval(article, code, idx, source, text, "rina", &[]))
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
    let mut gone = a.clone();
    gone.id = ArticleId(9999);
    for (article, code, idx, source) in [
        (&a, "pt", 7, "S7 of Sunting"),
        (&a, "ar", 0, "S0 of Sunting"),
        (&gone, "pt", 0, "S0 of Sunting"),
        (&a, "pt", 0, "a source the segment does not have"),
    ] {
        assert!(
            matches!(
                s.approve_segment(&approval(article, code, idx, source, "x", "rina", &[]))
                    .await,
                Err(StoreError::NotFound(_))
            ),
            "{code} {idx} {source}"
        );
    }
    // A new source revision makes the old version's segments not editable.
    let mut r = rev("sunting", "Sunting");
    r.title = "Sunting lagi".into();
    s.create_or_revise(&r, &targets()).await.unwrap();
    assert!(matches!(
        s.approve_segment(&approval(&a, "pt", 0, "S0 of Sunting", "x", "rina", &[]))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        s.segments(a.id, pt).await.unwrap()[0].target_text,
        "T0 de Sunting"
    );
}

async fn an_approval_that_fails_midway_leaves_nothing_behind(db: &TestDb) {
    // The approval's last writes are the webhook event and the re-queue;
    // a database that refuses the event (a trigger) must undo the sentence,
    // its flags, the reviewer and the memory entry written before it.
    let s = &db.store;
    let (pt, r1) = (lang("pt"), RevisionNo(1));
    let a = published(s, "gagal", "Gagal", "pt").await;
    s.replace_qa_flags(a.id, pt, r1, &[flag(Some(2), "numbers", Severity::Error)])
        .await
        .unwrap();
    let jobs_before = db
        .raw_text_rows("SELECT state || ':' || CAST(priority AS TEXT) FROM jobs ORDER BY id")
        .await;
    db.fail_inserts_into("webhook_deliveries").await;
    let events = [NewWebhookEvent {
        urls: vec!["https://cms.example.org/hook".into()],
        event: "approved".into(),
        payload: "{}".into(),
    }];
    let failed = s
        .approve_segment(&approval(
            &a,
            "pt",
            2,
            "S2 of Gagal",
            "Corrigido.",
            "rina",
            &events,
        ))
        .await;
    assert!(failed.is_err(), "{failed:?}");
    let seg = &s.segments(a.id, pt).await.unwrap()[2];
    assert_eq!(
        (seg.target_text.as_str(), seg.origin),
        ("T2 de Gagal", Origin::Machine)
    );
    assert_eq!(
        s.version(a.id, pt).await.unwrap().unwrap().reviewed_by,
        None
    );
    assert!(s.qa_flags(a.id, pt, r1).await.unwrap()[0]
        .resolved_at
        .is_none());
    assert_eq!(
        db.raw_text_rows("SELECT source_text FROM translation_memory")
            .await,
        Vec::<Vec<String>>::new()
    );
    assert_eq!(
        db.raw_text_rows("SELECT state || ':' || CAST(priority AS TEXT) FROM jobs ORDER BY id")
            .await,
        jobs_before,
        "no job re-queued"
    );
    assert_eq!(s.review_queue_len().await.unwrap(), 1);
}

async fn a_segment_of_a_human_or_outdated_version_is_not_reviewable(db: &TestDb) {
    let s = &db.store;
    let (pt, ar, r1) = (lang("pt"), lang("ar"), RevisionNo(1));
    let a = published(s, "tinjau", "Tinjau", "pt").await;
    s.replace_qa_flags(a.id, pt, r1, &[flag(Some(2), "numbers", Severity::Warning)])
        .await
        .unwrap();
    let item = s.review_segment(a.id, pt, 2).await.unwrap();
    assert_eq!(item.segment.source_text, "S2 of Tinjau");
    assert_eq!(item.flags.len(), 1);
    assert_eq!(item.worst, Severity::Warning);
    let clean = s.review_segment(a.id, pt, 0).await.unwrap();
    assert!(
        clean.flags.is_empty() && clean.flagged_at.is_none(),
        "an unflagged segment opens too"
    );
    assert!(matches!(
        s.review_segment(a.id, pt, 3).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.review_segment(a.id, ar, 0).await,
        Err(StoreError::NotFound(_))
    ));

    let mut r = rev("tinjau", "Tinjau");
    r.title = "Tinjau ulang".into();
    s.create_or_revise(&r, &targets()).await.unwrap();
    assert!(
        matches!(
            s.review_segment(a.id, pt, 2).await,
            Err(StoreError::Conflict(_))
        ),
        "outdated version"
    );

    let b = published(s, "orang", "Orang", "pt").await;
    let mut h = machine(&b, "pt", r1, "Orang");
    h.origin = Origin::Human;
    h.model_id = None;
    h.reviewed_by = Some("editor".into());
    s.put_version(&h).await.unwrap();
    assert!(
        matches!(
            s.review_segment(b.id, pt, 0).await,
            Err(StoreError::Conflict(_))
        ),
        "human version"
    );
    s.delete_article(&b.slug).await.unwrap();
    assert!(
        matches!(
            s.review_segment(b.id, pt, 0).await,
            Err(StoreError::NotFound(_))
        ),
        "deleted article"
    );
}
