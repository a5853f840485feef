//! The store's behaviour, against real databases: every suite function runs
//! once on a fresh SQLite file and once on a fresh PostgreSQL database (when
//! a server is reachable; see `common/mod.rs`).
//!
//! Expected values come from the product rules in DESIGN.md and the brief of
//! this crate (quoted where they matter), not from what the code prints.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use common::{Kind, TestDb};
use warta_core::{Lang, Pair, Slug};
use warta_store::*;

on_both_backends!(
    a_held_version_never_replaces_what_readers_see_until_approved,
    an_editors_hold_holds_the_next_machine_versions_until_released,
    an_approval_of_a_version_made_from_an_older_revision_is_a_conflict,
    first_post_creates_revision_1_with_one_job_per_target,
    changed_content_makes_the_next_revision_and_identical_repost_changes_nothing,
    revising_supersedes_unfinished_jobs_of_older_revisions,
    concurrent_revisions_of_one_article_all_land_with_distinct_numbers,
    only_one_of_many_concurrent_leasers_gets_a_single_job,
    concurrent_workers_never_lease_the_same_job_twice,
    expired_lease_is_leased_again_and_the_old_owner_is_refused,
    a_renewed_lease_outlives_its_first_expiry_and_a_lost_one_is_not_renewed,
    a_worker_that_lost_its_lease_cannot_write_its_result,
    a_publication_that_fails_midway_leaves_nothing_behind,
    a_version_made_with_an_older_glossary_is_refused_and_its_job_runs_again,
    scoring_is_a_queued_phase_of_the_job_behind_translations_and_survives_a_restart,
    a_leaser_of_one_phase_takes_only_that_phase_expired_leases_included,
    a_dead_workers_jobs_are_released_at_once_and_queue_age_sees_waiting_jobs,
    an_approval_takes_the_job_from_its_worker_and_jumps_the_queue,
    an_approved_sentence_requeues_the_other_articles_that_contain_it,
    failed_job_backs_off_then_fails_for_good_after_max_attempts,
    job_waiting_for_a_model_sleeps_until_its_pair_is_woken,
    machine_version_never_overwrites_a_human_version,
    revising_marks_human_version_outdated_and_a_human_put_clears_it,
    stale_work_is_superseded_not_published,
    api_key_verifies_until_revoked_and_only_its_hash_is_stored,
    deleted_article_disappears_from_every_listing_and_its_jobs_stop,
    listing_shows_source_in_source_language_and_published_versions_elsewhere,
    committed_writes_survive_closing_and_reopening_the_database,
    users_sign_in_with_argon2_and_sessions_expire,
    glossary_changes_bump_the_version_and_duplicates_conflict,
    translation_memory_human_entries_win_machine_entries_match_model_and_glossary,
    qa_flags_are_replaced_per_version,
    site_generation_moves_with_what_readers_see_and_only_with_it,
    site_entries_list_every_readable_version_once_in_one_query,
);

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

/// DESIGN.md's newsroom: Indonesian source, five targets.
fn targets() -> Vec<Lang> {
    ["en", "zh", "ja", "ar", "fr"].map(lang).to_vec()
}

fn rev(s: &str, title: &str) -> NewRevision {
    NewRevision {
        slug: slug(s),
        title: title.to_string(),
        summary: "Ringkasan berita.".to_string(),
        body_html: "<p>Hujan deras sejak Senin malam.</p>".to_string(),
        author: Some("Redaksi".to_string()),
        published_at: 1_700_000_000_000,
        source_lang: lang("id"),
    }
}

/// A summary whose only distinguishing value is the mean confidence.
fn quality(confidence: f64) -> QualitySummary {
    QualitySummary {
        segments: 1,
        confidence_mean: Some(confidence),
        confidence_min: Some(confidence),
        ..QualitySummary::default()
    }
}

/// `v` alone, nothing published with it.
fn bare(v: NewVersion, then: AfterPublish) -> Publication {
    Publication {
        version: v,
        flags: Vec::new(),
        memory: Vec::new(),
        events: Vec::new(),
        held_events: Vec::new(),
        then,
        hold_reason: None,
    }
}

/// A webhook event `event` to the test CMS.
fn hook_event(event: &str) -> NewWebhookEvent {
    NewWebhookEvent {
        urls: vec!["https://cms.example.org/hook".into()],
        event: event.into(),
        payload: "{}".into(),
    }
}

/// A worker's whole result for `v`: the version with a flag on its
/// segment, a memory entry whose target is `target_text`, and a
/// `published` webhook event.
fn whole(v: NewVersion, target_text: &str, then: AfterPublish) -> Publication {
    Publication {
        flags: vec![NewQaFlag {
            segment_idx: Some(0),
            check: Check::Numbers,
            severity: Severity::Error,
            detail: "7 → 8".into(),
        }],
        memory: vec![NewTmEntry {
            pair: Pair::new(lang("id"), lang("en")).unwrap(),
            source_norm: "Hujan deras sejak Senin malam.".into(),
            target_text: target_text.into(),
            origin: Origin::Machine,
            model_id: Some("id-en/2024-01".into()),
            glossary_version: 0,
        }],
        events: vec![hook_event("published")],
        ..bare(v, then)
    }
}

/// `v` published as the result of `job` leased by `worker`, translated with
/// glossary version `glossary` and nothing else with it.
async fn publish(
    s: &Store,
    v: NewVersion,
    job: JobId,
    worker: &str,
    glossary: i64,
    then: AfterPublish,
) -> Result<PublishOutcome, StoreError> {
    let p = bare(v, then);
    let lease = Lease {
        job,
        worker,
        glossary_version: Some(glossary),
    };
    s.publish_translation(&p, lease).await
}

fn machine(article: &Article, code: &str, revision: RevisionNo, title: &str) -> NewVersion {
    NewVersion {
        article_id: article.id,
        lang: lang(code),
        revision,
        title: title.to_string(),
        summary: "Summary.".to_string(),
        body_html: "<p>Heavy rain since Monday night.</p>".to_string(),
        origin: Origin::Machine,
        state: VersionState::Published,
        model_id: Some("id-en/2024-01".to_string()),
        quality: Some(quality(-0.4)),
        reviewed_by: None,
        segments: vec![Segment {
            idx: 0,
            source_text: "Hujan deras sejak Senin malam.".to_string(),
            target_text: "Heavy rain since Monday night.".to_string(),
            pivot_text: None,
            confidence: Some(-0.4),
            origin: Origin::Machine,
        }],
    }
}

fn human(article: &Article, code: &str, revision: RevisionNo, title: &str) -> NewVersion {
    NewVersion {
        origin: Origin::Human,
        model_id: None,
        quality: None,
        reviewed_by: Some("editor".to_string()),
        segments: vec![],
        ..machine(article, code, revision, title)
    }
}

const MINUTE: Duration = Duration::from_secs(60);

async fn first_post_creates_revision_1_with_one_job_per_target(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(&rev("banjir-jakarta", "Banjir di Jakarta"), &targets())
        .await
        .unwrap();
    assert!(!r.unchanged);
    assert_eq!(r.revision, RevisionNo(1));
    assert_eq!(r.article.current_revision, RevisionNo(1));
    assert_eq!(r.article.slug.as_str(), "banjir-jakarta");
    assert_eq!(
        (r.article.source_lang, r.article.published_at),
        (lang("id"), 1_700_000_000_000)
    );
    let langs: Vec<&str> = r.jobs.iter().map(|j| j.lang.code()).collect();
    assert_eq!(
        langs,
        ["ar", "en", "fr", "ja", "zh"],
        "one job per target, by code"
    );
    assert!(r
        .jobs
        .iter()
        .all(|j| j.state == JobState::Queued && j.revision == RevisionNo(1) && j.attempts == 0));

    let cur = s.current_revision(&slug("banjir-jakarta")).await.unwrap();
    assert_eq!(cur.title, "Banjir di Jakarta");
    assert_eq!(cur.source_lang, lang("id"));
    assert_eq!(cur.author.as_deref(), Some("Redaksi"));
    assert_eq!(
        s.revision(&slug("banjir-jakarta"), RevisionNo(1))
            .await
            .unwrap(),
        cur
    );
    assert_eq!(
        s.revision_by_id(r.article.id, RevisionNo(1)).await.unwrap(),
        cur
    );
    assert_eq!(s.article(&slug("banjir-jakarta")).await.unwrap(), r.article);

    // The source language among the targets is ignored, duplicates collapse.
    let r2 = s
        .create_or_revise(
            &rev("gempa", "Gempa"),
            &[lang("id"), lang("en"), lang("en")],
        )
        .await
        .unwrap();
    assert_eq!(r2.jobs.len(), 1);

    assert!(matches!(
        s.article(&slug("tidak-ada")).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.revision(&slug("banjir-jakarta"), RevisionNo(2)).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn changed_content_makes_the_next_revision_and_identical_repost_changes_nothing(db: &TestDb) {
    let s = &db.store;
    let first = s
        .create_or_revise(&rev("banjir", "Banjir"), &targets())
        .await
        .unwrap();

    // Idempotent: "posting an identical revision returns the current revision
    // without a new one".
    let again = s
        .create_or_revise(&rev("banjir", "Banjir"), &targets())
        .await
        .unwrap();
    assert!(again.unchanged);
    assert_eq!(again.revision, RevisionNo(1));
    assert_eq!(again.article.id, first.article.id);
    assert_eq!(again.jobs, first.jobs, "same jobs, none added");

    // A newly configured target language is picked up by a re-post.
    let mut more = targets();
    more.push(lang("pt"));
    let again = s
        .create_or_revise(&rev("banjir", "Banjir"), &more)
        .await
        .unwrap();
    assert!(again.unchanged);
    assert_eq!(again.jobs.len(), 6);

    for (n, changed) in [
        (
            2,
            NewRevision {
                title: "Banjir meluas".into(),
                ..rev("banjir", "")
            },
        ),
        (
            3,
            NewRevision {
                author: None,
                ..rev("banjir", "Banjir meluas")
            },
        ),
        (
            4,
            NewRevision {
                published_at: 1_700_000_000_001,
                ..rev("banjir", "Banjir meluas")
            },
        ),
    ] {
        let r = s.create_or_revise(&changed, &targets()).await.unwrap();
        assert!(!r.unchanged, "revision {n}");
        assert_eq!(r.revision, RevisionNo(n));
        assert_eq!(r.article.id, first.article.id);
    }
    assert_eq!(
        s.revision(&slug("banjir"), RevisionNo(1))
            .await
            .unwrap()
            .title,
        "Banjir",
        "old revisions are kept"
    );
    assert_eq!(
        s.current_revision(&slug("banjir")).await.unwrap().revision,
        RevisionNo(4)
    );
    let article = s.article(&slug("banjir")).await.unwrap();
    assert_eq!(
        article.published_at, 1_700_000_000_001,
        "the article follows its current revision"
    );
}

async fn revising_supersedes_unfinished_jobs_of_older_revisions(db: &TestDb) {
    let s = &db.store;
    let r1 = s
        .create_or_revise(
            &rev("pemilu", "Pemilu"),
            &[lang("en"), lang("fr"), lang("ja")],
        )
        .await
        .unwrap();
    let leased = s.lease_jobs("w1", 1, MINUTE).await.unwrap(); // running
    assert_eq!(leased.len(), 1);
    let done = s.lease_jobs("w1", 1, MINUTE).await.unwrap();
    assert_eq!(
        s.complete_job(done[0].id, "w1").await.unwrap(),
        JobState::Done
    );
    // Third job stays queued.

    let r2 = s
        .create_or_revise(
            &rev("pemilu", "Pemilu diundur"),
            &[lang("en"), lang("fr"), lang("ja")],
        )
        .await
        .unwrap();
    let old = s.job_states(r1.article.id, RevisionNo(1)).await.unwrap();
    let by_id = |id: JobId| old.iter().find(|j| j.id == id).unwrap().state;
    assert_eq!(
        by_id(leased[0].id),
        JobState::Superseded,
        "running job of old revision"
    );
    assert_eq!(
        by_id(done[0].id),
        JobState::Done,
        "finished work keeps its state"
    );
    assert_eq!(
        old.iter()
            .filter(|j| j.state == JobState::Superseded)
            .count(),
        2,
        "running and queued"
    );
    assert!(r2
        .jobs
        .iter()
        .all(|j| j.state == JobState::Queued && j.revision == RevisionNo(2)));
    assert_eq!(r2.jobs.len(), 3);

    // Workers only ever see the new revision's jobs now.
    let next = s.lease_jobs("w2", 10, MINUTE).await.unwrap();
    assert_eq!(next.len(), 3);
    assert!(next.iter().all(|j| j.revision == RevisionNo(2)));
}

async fn concurrent_revisions_of_one_article_all_land_with_distinct_numbers(db: &TestDb) {
    // Two CMS instances posting at once, through two pools: the first post
    // of a slug races on creating the article, later ones on the number.
    let stores = [db.store.clone(), db.open_another().await];
    let n = 6;
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::new();
    for i in 0..n {
        let store = stores[i % 2].clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let new = rev("rapat-darurat", &format!("Rapat darurat, versi {i}"));
            store
                .create_or_revise(&new, &[lang("en")])
                .await
                .unwrap()
                .revision
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap().0);
    }
    got.sort();
    assert_eq!(
        got,
        (1..=n as i64).collect::<Vec<_>>(),
        "every post is one revision"
    );
    let a = db.store.article(&slug("rapat-darurat")).await.unwrap();
    assert_eq!(a.current_revision, RevisionNo(n as i64));
    let live: Vec<Job> = db.store.lease_jobs("w", 100, MINUTE).await.unwrap();
    assert_eq!(
        live.len(),
        1,
        "only the newest revision's job is left to run"
    );
    assert_eq!(live[0].revision, a.current_revision);
}

async fn only_one_of_many_concurrent_leasers_gets_a_single_job(db: &TestDb) {
    db.store
        .create_or_revise(&rev("satu", "Satu"), &[lang("en")])
        .await
        .unwrap();
    let other = db.open_another().await; // second pool: like a second process
    let stores = [db.store.clone(), other];
    let leasers = 8;
    let barrier = Arc::new(tokio::sync::Barrier::new(leasers));
    let mut tasks = Vec::new();
    for i in 0..leasers {
        let store = stores[i % 2].clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.lease_jobs(&format!("w{i}"), 1, MINUTE).await.unwrap()
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.extend(t.await.unwrap());
    }
    assert_eq!(got.len(), 1, "exactly one leaser wins: {got:?}");
    assert_eq!(got[0].state, JobState::Running);
    assert_eq!(got[0].attempts, 1);
    let stored = db.store.job(got[0].id).await.unwrap();
    assert_eq!(stored.lease_owner, got[0].lease_owner);
}

async fn concurrent_workers_never_lease_the_same_job_twice(db: &TestDb) {
    let n_articles = 10;
    for i in 0..n_articles {
        db.store
            .create_or_revise(&rev(&format!("berita-{i}"), "Berita"), &targets())
            .await
            .unwrap();
    }
    let total = n_articles * targets().len();
    let other = db.open_another().await;
    let stores = [db.store.clone(), other];
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store = stores[w % 2].clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("worker-{w}");
            let mut mine = Vec::new();
            loop {
                let jobs = store.lease_jobs(&worker, 3, MINUTE).await.unwrap();
                if jobs.is_empty() {
                    break mine;
                }
                for j in jobs {
                    assert_eq!(
                        store.complete_job(j.id, &worker).await.unwrap(),
                        JobState::Done
                    );
                    mine.push(j.id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<JobId> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "a job was leased twice");
    assert_eq!(all.len(), total, "every job was done once");
    let counts = db.store.job_counts().await.unwrap();
    assert_eq!(counts, vec![(JobState::Done, total as i64)]);
}

async fn expired_lease_is_leased_again_and_the_old_owner_is_refused(db: &TestDb) {
    let s = &db.store;
    s.create_or_revise(&rev("krisis", "Krisis"), &[lang("en")])
        .await
        .unwrap();
    let crashed = s
        .lease_jobs("crashed-worker", 5, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(crashed.len(), 1);
    // Leased for no time at all: the lease has already run out.
    let recovered = s.lease_jobs("rescuer", 5, MINUTE).await.unwrap();
    assert_eq!(
        recovered.len(),
        1,
        "expired lease is crash recovery, the job comes back"
    );
    assert_eq!(recovered[0].id, crashed[0].id);
    assert_eq!(
        recovered[0].attempts, 2,
        "the crashed run counts as an attempt"
    );
    assert_eq!(recovered[0].lease_owner.as_deref(), Some("rescuer"));
    assert!(
        s.lease_jobs("third", 5, MINUTE).await.unwrap().is_empty(),
        "live lease is exclusive"
    );

    let late = s.complete_job(crashed[0].id, "crashed-worker").await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    let late = s
        .fail_job(crashed[0].id, "crashed-worker", "boom", Duration::ZERO)
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    assert_eq!(
        s.complete_job(crashed[0].id, "rescuer").await.unwrap(),
        JobState::Done
    );

    // A job whose lease expires on its last attempt is given up, not retried forever.
    let strict = db
        .open_with(&StoreOptions {
            max_attempts: 1,
            ..StoreOptions::default()
        })
        .await;
    let r = strict
        .create_or_revise(&rev("krisis-2", "Krisis"), &[lang("en")])
        .await
        .unwrap();
    strict
        .lease_jobs("crashed-again", 1, Duration::ZERO)
        .await
        .unwrap();
    // Leased for no time at all: the lease has already run out.
    assert!(strict
        .lease_jobs("rescuer", 1, MINUTE)
        .await
        .unwrap()
        .is_empty());
    let job = strict.job(r.jobs[0].id).await.unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert!(job.last_error.unwrap().contains("lease expired"));
}

async fn a_renewed_lease_outlives_its_first_expiry_and_a_lost_one_is_not_renewed(db: &TestDb) {
    let s = &db.store;
    s.create_or_revise(&rev("heartbeat", "Heartbeat"), &[lang("en"), lang("fr")])
        .await
        .unwrap();
    let lease = Duration::from_millis(300);
    let t0 = now_millis();
    let mine = s.lease_jobs_at("busy", 1, lease, t0).await.unwrap();
    let slow = s
        .lease_jobs_at("stalled", 1, Duration::ZERO, t0)
        .await
        .unwrap();
    assert_eq!((mine.len(), slow.len()), (1, 1));
    // Renew three times across twice the original lease (200 ms apart, the
    // store told the time): the job stays ours.
    for step in 1..=3 {
        assert_eq!(
            s.renew_leases_at("busy", lease, t0 + 200 * step)
                .await
                .unwrap(),
            vec![mine[0].id]
        );
    }
    // 600 ms on, the stalled worker's lease has run out and a rescuer takes
    // the job; the renewed one (to t0 + 900) stays. The stalled worker's
    // heartbeat must not take it back.
    let rescued = s
        .lease_jobs_at("rescuer", 5, MINUTE, t0 + 600)
        .await
        .unwrap();
    assert_eq!(
        rescued.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![slow[0].id],
        "only the expired job moves"
    );
    assert!(s.renew_leases("stalled", MINUTE).await.unwrap().is_empty());
    assert_eq!(
        s.job(slow[0].id).await.unwrap().lease_owner.as_deref(),
        Some("rescuer")
    );
}

async fn a_worker_that_lost_its_lease_cannot_write_its_result(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(&rev("fenced", "Fenced"), &[lang("en")])
        .await
        .unwrap();
    let article = s.article(&slug("fenced")).await.unwrap();
    let stalled = s.lease_jobs("stalled", 1, Duration::ZERO).await.unwrap();
    // Leased for no time at all: the lease has already run out.
    let taken = s.lease_jobs("rescuer", 1, MINUTE).await.unwrap();
    assert_eq!(taken[0].id, stalled[0].id);

    // The stalled worker's whole result: version, segments, a flag, a
    // memory entry and a webhook event. None of it may land.
    let late = whole(
        machine(&article, "en", r.revision, "Late"),
        "Late",
        AfterPublish::Score,
    );
    let stalled_lease = Lease {
        job: stalled[0].id,
        worker: "stalled",
        glossary_version: Some(0),
    };
    let refused = s.publish_translation(&late, stalled_lease).await;
    assert!(
        matches!(refused, Err(StoreError::LeaseLost(_))),
        "{refused:?}"
    );
    assert!(
        s.version(article.id, lang("en")).await.unwrap().is_none(),
        "no version"
    );
    for (table, sql) in [
        ("segments", "SELECT source_text FROM segments"),
        ("qa_flags", "SELECT detail FROM qa_flags"),
        ("memory", "SELECT source_text FROM translation_memory"),
        ("webhooks", "SELECT url FROM webhook_deliveries"),
    ] {
        assert!(db.raw_text_rows(sql).await.is_empty(), "nothing in {table}");
    }
    let job = s.job(stalled[0].id).await.unwrap();
    assert_eq!(
        (job.state, job.lease_owner.as_deref(), job.phase),
        (JobState::Running, Some("rescuer"), JobPhase::Translate),
        "the job stays the rescuer's"
    );

    let ok = publish(
        s,
        machine(&article, "en", r.revision, "Owner"),
        taken[0].id,
        "rescuer",
        0,
        AfterPublish::Done,
    )
    .await
    .map(|o| o.version);
    assert_eq!(ok.unwrap(), PutOutcome::Written);
    assert_eq!(
        s.version(article.id, lang("en"))
            .await
            .unwrap()
            .unwrap()
            .title,
        "Owner"
    );
    // Published and completed in one go: the job is nobody's now, and a
    // late write is refused too.
    assert_eq!(s.job(taken[0].id).await.unwrap().state, JobState::Done);
    let after = publish(
        s,
        machine(&article, "en", r.revision, "After"),
        taken[0].id,
        "rescuer",
        0,
        AfterPublish::Done,
    )
    .await
    .map(|o| o.version);
    assert!(matches!(after, Err(StoreError::LeaseLost(_))), "{after:?}");
}

async fn a_publication_that_fails_midway_leaves_nothing_behind(db: &TestDb) {
    // The database refuses the webhook event, written after the version,
    // its segments and flags: the version, segments, flags, memory and the
    // job's completion must all be undone with it.
    let s = &db.store;
    let r = s
        .create_or_revise(&rev("halfway", "Halfway"), &[lang("en")])
        .await
        .unwrap();
    let article = s.article(&slug("halfway")).await.unwrap();
    let job = s.lease_jobs("w", 1, MINUTE).await.unwrap().remove(0);
    db.fail_inserts_into("webhook_deliveries").await;
    let p = whole(
        machine(&article, "en", r.revision, "Halfway"),
        "Heavy rain since Monday night.",
        AfterPublish::Done,
    );
    let lease = Lease {
        job: job.id,
        worker: "w",
        glossary_version: Some(0),
    };
    let failed = s.publish_translation(&p, lease).await;
    assert!(failed.is_err(), "{failed:?}");
    assert!(s.version(article.id, lang("en")).await.unwrap().is_none());
    for sql in [
        "SELECT source_text FROM segments",
        "SELECT detail FROM qa_flags",
        "SELECT source_text FROM translation_memory",
    ] {
        assert!(db.raw_text_rows(sql).await.is_empty(), "{sql}");
    }
    assert_eq!(s.job(job.id).await.unwrap().state, JobState::Running);
}

async fn a_version_made_with_an_older_glossary_is_refused_and_its_job_runs_again(db: &TestDb) {
    // Issue 9: "a job checks the glossary version it started with before
    // writing and re-runs if it changed".
    let s = &db.store;
    let r = s
        .create_or_revise(&rev("glossed", "Glossed"), &[lang("en")])
        .await
        .unwrap();
    let article = s.article(&slug("glossed")).await.unwrap();
    let leased = s.lease_jobs("w", 1, MINUTE).await.unwrap();
    let started_with = s.glossary_version().await.unwrap();
    // The glossary changes while the job runs (a term this article lacks,
    // so nothing re-queues it: only the version check can catch it).
    let entry = NewGlossaryEntry {
        source_term: "Jakarta".into(),
        target_lang: lang("en"),
        target_term: "Jakarta".into(),
        case_sensitive: true,
        note: None,
    };
    let (_, requeued) = s.add_glossary_entry(&entry).await.unwrap();
    assert_eq!(requeued, 0);
    let late = publish(
        s,
        machine(&article, "en", r.revision, "Old glossary"),
        leased[0].id,
        "w",
        started_with,
        AfterPublish::Done,
    )
    .await
    .map(|o| o.version);
    assert!(
        matches!(late, Err(StoreError::GlossaryChanged(_))),
        "{late:?}"
    );
    assert!(
        s.version(article.id, lang("en")).await.unwrap().is_none(),
        "nothing written"
    );
    // The worker puts it back without using up an attempt, and it runs again.
    assert!(s
        .retry_job_now(leased[0].id, "w", "glossary changed")
        .await
        .unwrap());
    let job = s.job(leased[0].id).await.unwrap();
    assert_eq!(
        (job.state, job.attempts, job.lease_owner.as_deref()),
        (JobState::Queued, 0, None)
    );
    let again = s.lease_jobs("w", 1, MINUTE).await.unwrap();
    assert_eq!(again[0].id, leased[0].id);
    let now = s.glossary_version().await.unwrap();
    let ok = publish(
        s,
        machine(&article, "en", r.revision, "New glossary"),
        again[0].id,
        "w",
        now,
        AfterPublish::Done,
    )
    .await
    .map(|o| o.version);
    assert_eq!(ok.unwrap(), PutOutcome::Written);
}

async fn scoring_is_a_queued_phase_of_the_job_behind_translations_and_survives_a_restart(
    db: &TestDb,
) {
    // Issue 9: "the same job kind carries confidence scoring, so scores
    // survive a restart".
    let s = &db.store;
    let r = s
        .create_or_revise(&rev("to-score", "To score"), &[lang("en")])
        .await
        .unwrap();
    let article = s.article(&slug("to-score")).await.unwrap();
    let job = s.lease_jobs("w", 1, MINUTE).await.unwrap().remove(0);
    assert_eq!(job.phase, JobPhase::Translate);
    let v = s.glossary_version().await.unwrap();
    let published = publish(
        s,
        machine(&article, "en", r.revision, "Published"),
        job.id,
        "w",
        v,
        AfterPublish::Score,
    )
    .await
    .unwrap();
    assert_eq!(
        published.job,
        JobState::Queued,
        "its scoring phase is queued"
    );
    // A translation that arrives meanwhile goes first.
    s.create_or_revise(&rev("newer", "Newer"), &[lang("en")])
        .await
        .unwrap();
    // A restart: a new store on the same database.
    let after = db.open_with(&StoreOptions::default()).await;
    let first = after.lease_jobs("w2", 1, MINUTE).await.unwrap().remove(0);
    assert_eq!(
        (first.phase, first.article_id == article.id),
        (JobPhase::Translate, false)
    );
    let second = after.lease_jobs("w2", 1, MINUTE).await.unwrap().remove(0);
    assert_eq!(
        (second.id, second.phase, second.revision),
        (job.id, JobPhase::Score, r.revision)
    );
    assert_eq!(
        after.complete_job(second.id, "w2").await.unwrap(),
        JobState::Done
    );
    // Queue age is about translations: a waiting scoring phase is not late work.
    let third = s
        .create_or_revise(&rev("third", "Third"), &[lang("en")])
        .await
        .unwrap();
    let j = after.lease_jobs("w3", 1, MINUTE).await.unwrap().remove(0);
    assert_eq!(j.article_id, third.article.id);
    let third_article = s.article(&slug("third")).await.unwrap();
    let t = machine(&third_article, "en", third.revision, "T");
    publish(&after, t, j.id, "w3", v, AfterPublish::Score)
        .await
        .unwrap();
    after.complete_job(first.id, "w2").await.unwrap();
    assert_eq!(
        after.queue_age().await.unwrap(),
        None,
        "only a scoring phase waits"
    );
}

async fn a_leaser_of_one_phase_takes_only_that_phase_expired_leases_included(db: &TestDb) {
    // A node's translation workers lease translations and its scorer the
    // scoring phases (worker.rs), so each must see only its own phase,
    // whatever the priorities say.
    let s = &db.store;
    s.create_or_revise(&rev("scored", "Scored"), &[lang("en")])
        .await
        .unwrap();
    let article = s.article(&slug("scored")).await.unwrap();
    let job = s
        .lease_jobs_in_phase("w", 5, MINUTE, JobPhase::Translate)
        .await
        .unwrap()
        .remove(0);
    let v = s.glossary_version().await.unwrap();
    publish(
        s,
        machine(&article, "en", RevisionNo(1), "S"),
        job.id,
        "w",
        v,
        AfterPublish::Score,
    )
    .await
    .unwrap();
    s.create_or_revise(&rev("waiting", "Waiting"), &[lang("en")])
        .await
        .unwrap();

    // The translation outranks the scoring phase, yet the scorer gets the
    // scoring phase and only it.
    let scoring = s
        .lease_jobs_in_phase("scorer", 5, Duration::ZERO, JobPhase::Score)
        .await
        .unwrap();
    assert_eq!(
        scoring.iter().map(|j| (j.id, j.phase)).collect::<Vec<_>>(),
        vec![(job.id, JobPhase::Score)]
    );
    let translating = s
        .lease_jobs_in_phase("w", 5, MINUTE, JobPhase::Translate)
        .await
        .unwrap();
    assert_eq!(translating.len(), 1);
    assert_eq!(translating[0].phase, JobPhase::Translate);
    assert_ne!(translating[0].id, job.id);

    // The scorer's lease runs out (it died): another scorer takes the job
    // over, a translation worker never does.
    // Leased for no time at all: the lease has already run out.
    assert!(s
        .lease_jobs_in_phase("w2", 5, MINUTE, JobPhase::Translate)
        .await
        .unwrap()
        .is_empty());
    let again = s
        .lease_jobs_in_phase("scorer2", 5, MINUTE, JobPhase::Score)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(),
        vec![(job.id, 2)]
    );
}

async fn a_dead_workers_jobs_are_released_at_once_and_queue_age_sees_waiting_jobs(db: &TestDb) {
    let s = &db.store;
    assert_eq!(s.queue_age().await.unwrap(), None, "empty queue");
    s.create_or_revise(&rev("released", "Released"), &[lang("en"), lang("fr")])
        .await
        .unwrap();
    // Asked 50 ms after they were queued (or later), the jobs have waited
    // at least that long.
    let age = s
        .queue_age_at(now_millis() + 50)
        .await
        .unwrap()
        .expect("two runnable jobs");
    assert!(age >= Duration::from_millis(50), "{age:?}");
    let held = s.lease_jobs("dying", 2, MINUTE).await.unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(
        s.queue_age().await.unwrap(),
        None,
        "leased jobs are not waiting"
    );
    assert_eq!(
        s.release_leases("dying", "worker dying died: test")
            .await
            .unwrap(),
        2
    );
    let again = s.lease_jobs("replacement", 5, MINUTE).await.unwrap();
    assert_eq!(again.len(), 2, "released without waiting for the lease");
    assert!(
        again.iter().all(|j| j.attempts == 2),
        "the dead worker's attempt stays counted"
    );
    assert_eq!(
        again[0].last_error.as_deref(),
        Some("worker dying died: test")
    );
}

async fn an_approval_takes_the_job_from_its_worker_and_jumps_the_queue(db: &TestDb) {
    let s = &db.store;
    let first = s
        .create_or_revise(&rev("backlog", "Backlog"), &[lang("en")])
        .await
        .unwrap();
    let r = s
        .create_or_revise(&rev("approved", "Approved"), &[lang("en")])
        .await
        .unwrap();
    let article = s.article(&slug("approved")).await.unwrap();
    // A slow worker holds the job of the article being reviewed.
    let held = s.lease_jobs("slow", 2, MINUTE).await.unwrap();
    assert_eq!(held.len(), 2);
    let id = s.requeue_now(article.id, lang("en"), 10).await.unwrap();
    assert_eq!(id, r.jobs[0].id, "the revision's own job, not a second one");
    // The slow worker's result, made before the approval, is refused.
    let late = publish(
        s,
        machine(&article, "en", r.revision, "Before the fix"),
        id,
        "slow",
        0,
        AfterPublish::Done,
    )
    .await
    .map(|o| o.version);
    assert!(matches!(late, Err(StoreError::LeaseLost(_))), "{late:?}");
    // Queued again ahead of older work.
    s.complete_job(first.jobs[0].id, "slow").await.unwrap();
    s.create_or_revise(&rev("older-queued", "Older"), &[lang("en")])
        .await
        .unwrap();
    let next = s.lease_jobs("fast", 1, MINUTE).await.unwrap();
    assert_eq!(next[0].id, id, "the approval's job first");
    assert_eq!(next[0].attempts, 1, "attempts start over");
}

async fn an_approved_sentence_requeues_the_other_articles_that_contain_it(db: &TestDb) {
    let s = &db.store;
    let mut articles = Vec::new();
    for name in ["fixed-here", "same-sentence", "other-lang-only"] {
        let r = s
            .create_or_revise(&rev(name, name), &[lang("en"), lang("fr")])
            .await
            .unwrap();
        articles.push((s.article(&slug(name)).await.unwrap(), r.revision));
    }
    for j in s.lease_jobs("w", 10, MINUTE).await.unwrap() {
        s.complete_job(j.id, "w").await.unwrap();
    }
    // `machine()` stores the segment "Hujan deras sejak Senin malam.".
    for (a, revision) in &articles[..2] {
        s.put_version(&machine(a, "en", *revision, "Rain"))
            .await
            .unwrap();
    }
    s.put_version(&machine(&articles[2].0, "fr", articles[2].1, "Pluie"))
        .await
        .unwrap();
    let n = s
        .requeue_sharing_segment(
            lang("en"),
            "Hujan deras sejak Senin malam.",
            articles[0].0.id,
        )
        .await
        .unwrap();
    assert_eq!(n, 1, "only the other English version with the sentence");
    let queued = s.lease_jobs("w", 10, MINUTE).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].article_id, queued[0].lang),
        (articles[1].0.id, lang("en"))
    );
}

async fn failed_job_backs_off_then_fails_for_good_after_max_attempts(db: &TestDb) {
    let s = db
        .open_with(&StoreOptions {
            max_attempts: 2,
            ..StoreOptions::default()
        })
        .await;
    let r = s
        .create_or_revise(&rev("ekonomi", "Ekonomi"), &[lang("en"), lang("fr")])
        .await
        .unwrap();
    let (en, fr) = (r.jobs[0].id, r.jobs[1].id);

    let j = s.lease_jobs("w", 1, MINUTE).await.unwrap();
    assert_eq!(j[0].id, en, "oldest first");
    let before = now_millis();
    assert_eq!(
        s.fail_job(en, "w", "model crashed", Duration::from_secs(3600))
            .await
            .unwrap(),
        JobState::Queued
    );
    let en_job = s.job(en).await.unwrap();
    assert!(
        en_job.run_after >= before + 3_600_000,
        "backoff pushes run_after out"
    );
    assert_eq!(en_job.last_error.as_deref(), Some("model crashed"));
    assert_eq!(en_job.lease_owner, None);

    let j = s.lease_jobs("w", 1, MINUTE).await.unwrap();
    assert_eq!(j[0].id, fr, "a job in backoff is not leased");
    assert_eq!(
        s.fail_job(fr, "w", "first failure", Duration::ZERO)
            .await
            .unwrap(),
        JobState::Queued
    );
    let j = s.lease_jobs("w", 1, MINUTE).await.unwrap();
    assert_eq!((j[0].id, j[0].attempts), (fr, 2));
    assert_eq!(
        s.fail_job(fr, "w", "second failure", Duration::ZERO)
            .await
            .unwrap(),
        JobState::Failed
    );
    let fr_job = s.job(fr).await.unwrap();
    assert_eq!(fr_job.state, JobState::Failed);
    assert_eq!(fr_job.last_error.as_deref(), Some("second failure"));
    assert!(
        s.lease_jobs("w", 5, MINUTE).await.unwrap().is_empty(),
        "failed is final; en still backs off"
    );
}

async fn job_waiting_for_a_model_sleeps_until_its_pair_is_woken(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(&rev("sains", "Sains"), &[lang("zh")])
        .await
        .unwrap();
    let id_en: Pair = "id-en".parse().unwrap();
    let en_zh: Pair = "en-zh".parse().unwrap();
    let j = s.lease_jobs("w", 1, MINUTE).await.unwrap();
    assert_eq!(
        s.park_job_waiting_for_model(j[0].id, "w", en_zh)
            .await
            .unwrap(),
        JobState::WaitingForModel
    );
    let parked = s.job(r.jobs[0].id).await.unwrap();
    assert_eq!(parked.waiting_pair, Some(en_zh));
    assert_eq!(
        parked.attempts, 0,
        "waiting for a model is not a failed attempt"
    );
    assert!(s.lease_jobs("w", 5, MINUTE).await.unwrap().is_empty());

    assert_eq!(
        s.wake_waiting_jobs(id_en).await.unwrap(),
        0,
        "another pair wakes nothing"
    );
    assert_eq!(s.wake_waiting_jobs(en_zh).await.unwrap(), 1);
    let j = s.lease_jobs("w", 5, MINUTE).await.unwrap();
    assert_eq!(j.len(), 1);
    assert_eq!(j[0].waiting_pair, None);
    assert_eq!(j[0].attempts, 1);
}

async fn machine_version_never_overwrites_a_human_version(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(&rev("csto", "CSTO"), &[lang("en")])
        .await
        .unwrap();
    let a = &r.article;
    let en = lang("en");
    assert_eq!(
        s.put_version(&machine(a, "en", RevisionNo(1), "Machine 1"))
            .await
            .unwrap(),
        PutOutcome::Written
    );
    let v = s.version(a.id, en).await.unwrap().unwrap();
    assert_eq!((v.origin, v.title.as_str()), (Origin::Machine, "Machine 1"));
    assert_eq!(v.quality, Some(quality(-0.4)));
    assert_eq!(s.segments(a.id, en).await.unwrap().len(), 1);

    // "A machine run never overwrites a human version while the source is unchanged."
    assert_eq!(
        s.put_version(&human(a, "en", RevisionNo(1), "Human"))
            .await
            .unwrap(),
        PutOutcome::Written
    );
    assert_eq!(
        s.put_version(&machine(a, "en", RevisionNo(1), "Machine 2"))
            .await
            .unwrap(),
        PutOutcome::SkippedHuman
    );
    let v = s.version(a.id, en).await.unwrap().unwrap();
    assert_eq!((v.origin, v.title.as_str()), (Origin::Human, "Human"));
    assert_eq!(v.reviewed_by.as_deref(), Some("editor"));
    assert!(
        s.segments(a.id, en).await.unwrap().is_empty(),
        "human put replaced the machine segments"
    );

    // Nor after the source changed.
    s.create_or_revise(&rev("csto", "CSTO baru"), &[en])
        .await
        .unwrap();
    assert_eq!(
        s.put_version(&machine(a, "en", RevisionNo(2), "Machine 3"))
            .await
            .unwrap(),
        PutOutcome::SkippedHuman
    );
    assert_eq!(s.version(a.id, en).await.unwrap().unwrap().title, "Human");

    // Malformed puts are refused with a reason.
    let no_model = NewVersion {
        model_id: None,
        ..machine(a, "fr", RevisionNo(2), "x")
    };
    assert!(matches!(
        s.put_version(&no_model).await,
        Err(StoreError::Invalid(_))
    ));
    let into_source = machine(a, "id", RevisionNo(2), "x");
    assert!(matches!(
        s.put_version(&into_source).await,
        Err(StoreError::Invalid(_))
    ));
    let no_article = NewVersion {
        article_id: ArticleId(9999),
        ..machine(a, "fr", RevisionNo(1), "x")
    };
    assert!(matches!(
        s.put_version(&no_article).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.versions_of(a.id).await.unwrap().len(), 1);
}

async fn revising_marks_human_version_outdated_and_a_human_put_clears_it(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(
            &rev("harga-beras", "Harga beras"),
            &[lang("en"), lang("fr")],
        )
        .await
        .unwrap();
    let a = &r.article;
    s.put_version(&human(a, "en", RevisionNo(1), "Rice prices"))
        .await
        .unwrap();
    s.put_version(&machine(a, "fr", RevisionNo(1), "Prix du riz"))
        .await
        .unwrap();
    assert!(!s.version(a.id, lang("en")).await.unwrap().unwrap().outdated);

    // "When the source changes, the human version stays published but is
    // marked outdated and re-queued for review."
    let r2 = s
        .create_or_revise(
            &rev("harga-beras", "Harga beras naik"),
            &[lang("en"), lang("fr")],
        )
        .await
        .unwrap();
    let en = s.version(a.id, lang("en")).await.unwrap().unwrap();
    assert!(en.outdated);
    assert_eq!(
        (en.title.as_str(), en.revision, en.state),
        ("Rice prices", RevisionNo(1), VersionState::Published)
    );
    assert!(
        !s.version(a.id, lang("fr")).await.unwrap().unwrap().outdated,
        "only human versions go outdated"
    );
    assert!(
        r2.jobs.iter().any(|j| j.lang == lang("en")),
        "machine job still queued for the runner to check"
    );
    let listed = s.list_published(lang("en"), 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].outdated);

    assert_eq!(
        s.put_version(&human(a, "en", RevisionNo(2), "Rice prices rise"))
            .await
            .unwrap(),
        PutOutcome::Written
    );
    let en = s.version(a.id, lang("en")).await.unwrap().unwrap();
    assert!(
        !en.outdated,
        "a human version of the current revision is up to date"
    );
    assert_eq!(en.revision, RevisionNo(2));

    // A human version made from an old revision is outdated from the start.
    s.put_version(&human(a, "en", RevisionNo(1), "Rice prices (late)"))
        .await
        .unwrap();
    assert!(s.version(a.id, lang("en")).await.unwrap().unwrap().outdated);
}

async fn stale_work_is_superseded_not_published(db: &TestDb) {
    let s = &db.store;
    s.create_or_revise(&rev("kebakaran", "Kebakaran"), &[lang("en")])
        .await
        .unwrap();
    let old = s.lease_jobs("w", 1, MINUTE).await.unwrap().remove(0);
    let r2 = s
        .create_or_revise(&rev("kebakaran", "Kebakaran padam"), &[lang("en")])
        .await
        .unwrap();
    let a = &r2.article;

    // The worker of the old revision finishes: its output must not land.
    assert_eq!(
        s.put_version(&machine(a, "en", old.revision, "Fire"))
            .await
            .unwrap(),
        PutOutcome::SkippedStale
    );
    assert_eq!(
        s.complete_job(old.id, "w").await.unwrap(),
        JobState::Superseded
    );
    assert!(s.version(a.id, lang("en")).await.unwrap().is_none());

    let new = s.lease_jobs("w", 1, MINUTE).await.unwrap().remove(0);
    assert_eq!(new.revision, RevisionNo(2));
    assert_eq!(
        s.put_version(&machine(a, "en", new.revision, "Fire out"))
            .await
            .unwrap(),
        PutOutcome::Written
    );
    // The revision moves on while this job is still running: it completes as superseded.
    s.create_or_revise(&rev("kebakaran", "Kebakaran padam total"), &[lang("en")])
        .await
        .unwrap();
    assert_eq!(
        s.complete_job(new.id, "w").await.unwrap(),
        JobState::Superseded
    );
}

async fn api_key_verifies_until_revoked_and_only_its_hash_is_stored(db: &TestDb) {
    let s = &db.store;
    let (key, listed) = s.create_api_key("cms").await.unwrap();
    assert!(key.starts_with(API_KEY_PREFIX));
    assert_eq!(key.len(), API_KEY_PREFIX.len() + 64, "32 random bytes, hex");
    assert!(key.starts_with(&listed.prefix) && listed.prefix.len() < key.len() / 2);
    let (key2, _) = s.create_api_key("feed importer").await.unwrap();
    assert_ne!(key, key2);

    assert_eq!(s.verify_api_key(&key).await.unwrap(), Some(listed.clone()));
    assert_eq!(s.verify_api_key(&format!("{key}x")).await.unwrap(), None);
    assert_eq!(s.verify_api_key("").await.unwrap(), None);

    // Hash-only storage: nothing in the row, or (SQLite) anywhere in the
    // file, gives the key back.
    for row in db
        .raw_text_rows("SELECT name, key_hash, prefix FROM api_keys")
        .await
    {
        for col in row {
            assert!(
                !col.contains(&key) && !col.contains(&key[API_KEY_PREFIX.len()..]),
                "plaintext stored: {col}"
            );
        }
    }
    if let Some(bytes) = db.sqlite_file_bytes() {
        let needle = &key.as_bytes()[API_KEY_PREFIX.len()..];
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "plaintext key in the database file"
        );
    }

    let revoked = s.revoke_api_key(listed.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(
        s.verify_api_key(&key).await.unwrap(),
        None,
        "revoked keys stop working"
    );
    assert!(
        s.verify_api_key(&key2).await.unwrap().is_some(),
        "other keys keep working"
    );
    let all = s.list_api_keys().await.unwrap();
    assert_eq!(all.len(), 2, "revoked keys stay listed");
    assert_eq!(all[0].revoked_at, revoked.revoked_at);
    assert!(matches!(
        s.revoke_api_key(ApiKeyId(9999)).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn deleted_article_disappears_from_every_listing_and_its_jobs_stop(db: &TestDb) {
    let s = &db.store;
    let keep = s
        .create_or_revise(&rev("tetap", "Tetap"), &[lang("en")])
        .await
        .unwrap();
    let gone = s
        .create_or_revise(&rev("hapus", "Hapus"), &[lang("en")])
        .await
        .unwrap();
    for r in [&keep, &gone] {
        s.put_version(&machine(&r.article, "en", RevisionNo(1), "x"))
            .await
            .unwrap();
    }
    assert_eq!(s.list_published(lang("id"), 10).await.unwrap().len(), 2);
    assert_eq!(s.list_published(lang("en"), 10).await.unwrap().len(), 2);

    let deleted = s.delete_article(&slug("hapus")).await.unwrap();
    assert!(deleted.deleted_at.is_some());
    for code in ["id", "en"] {
        let listed = s.list_published(lang(code), 10).await.unwrap();
        assert_eq!(
            listed.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(),
            ["tetap"],
            "{code}"
        );
    }
    let jobs = s.job_states(gone.article.id, RevisionNo(1)).await.unwrap();
    assert!(
        jobs.iter().all(|j| j.state == JobState::Superseded),
        "{jobs:?}"
    );
    assert!(
        s.article(&slug("hapus"))
            .await
            .unwrap()
            .deleted_at
            .is_some(),
        "kept for a 410, not erased"
    );
    s.delete_article(&slug("hapus")).await.unwrap(); // again: no-op
    assert!(matches!(
        s.delete_article(&slug("tidak-ada")).await,
        Err(StoreError::NotFound(_))
    ));

    // Posting it again brings it back as a new revision.
    let back = s
        .create_or_revise(&rev("hapus", "Hapus"), &[lang("en")])
        .await
        .unwrap();
    assert_eq!(
        (back.revision, back.unchanged, back.article.deleted_at),
        (RevisionNo(2), false, None)
    );
    assert_eq!(s.list_published(lang("id"), 10).await.unwrap().len(), 2);
}

async fn listing_shows_source_in_source_language_and_published_versions_elsewhere(db: &TestDb) {
    let s = &db.store;
    let mut ids = Vec::new();
    for (i, name) in ["satu", "dua", "tiga", "empat"].iter().enumerate() {
        let new = NewRevision {
            published_at: 1_700_000_000_000 + i as i64 * 1000,
            ..rev(name, name)
        };
        ids.push(
            s.create_or_revise(&new, &[lang("en")])
                .await
                .unwrap()
                .article,
        );
    }
    // An English-language article: its own source is what /en/ shows.
    let en_source = NewRevision {
        source_lang: lang("en"),
        published_at: 1_700_000_010_000,
        ..rev("english", "English")
    };
    s.create_or_revise(&en_source, &[lang("id")]).await.unwrap();

    s.put_version(&machine(&ids[0], "en", RevisionNo(1), "One"))
        .await
        .unwrap();
    s.put_version(&human(&ids[2], "en", RevisionNo(1), "Three"))
        .await
        .unwrap();
    let held = NewVersion {
        state: VersionState::Held,
        ..machine(&ids[3], "en", RevisionNo(1), "Four")
    };
    s.put_version(&held).await.unwrap();

    let id_list = s.list_published(lang("id"), 10).await.unwrap();
    assert_eq!(
        id_list.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(),
        ["empat", "tiga", "dua", "satu"],
        "newest first; the English article has no Indonesian version"
    );
    assert!(id_list
        .iter()
        .all(|p| p.origin.is_none() && p.lang == lang("id")));

    let en_list = s.list_published(lang("en"), 10).await.unwrap();
    let shown: Vec<(&str, &str, Option<Origin>)> = en_list
        .iter()
        .map(|p| (p.slug.as_str(), p.title.as_str(), p.origin))
        .collect();
    assert_eq!(
        shown,
        [
            ("english", "English", None),
            ("tiga", "Three", Some(Origin::Human)),
            ("satu", "One", Some(Origin::Machine)),
        ],
        "source original, then versions; untranslated and held ones absent"
    );
    assert_eq!(
        s.list_published(lang("en"), 2).await.unwrap().len(),
        2,
        "limit"
    );
    assert!(s.list_published(lang("ja"), 10).await.unwrap().is_empty());
}

async fn committed_writes_survive_closing_and_reopening_the_database(db: &TestDb) {
    let r = db
        .store
        .create_or_revise(&rev("arsip", "Arsip"), &targets())
        .await
        .unwrap();
    db.store
        .put_version(&machine(&r.article, "en", RevisionNo(1), "Archive"))
        .await
        .unwrap();
    let (key, _) = db.store.create_api_key("cms").await.unwrap();
    db.store.close().await;

    // Reopen from the URL alone, as a restarted process would.
    let reopened = Store::connect(&db.url).await.unwrap();
    let cur = reopened.current_revision(&slug("arsip")).await.unwrap();
    assert_eq!(cur.title, "Arsip");
    assert_eq!(
        reopened
            .job_states(r.article.id, RevisionNo(1))
            .await
            .unwrap(),
        r.jobs,
        "queued jobs survive"
    );
    assert_eq!(
        reopened
            .version(r.article.id, lang("en"))
            .await
            .unwrap()
            .unwrap()
            .title,
        "Archive"
    );
    assert!(reopened.verify_api_key(&key).await.unwrap().is_some());
    if db.kind == Kind::Sqlite {
        assert_eq!(reopened.backend(), Backend::Sqlite);
    }
    reopened.close().await;
}

async fn users_sign_in_with_argon2_and_sessions_expire(db: &TestDb) {
    let s = &db.store;
    let user = s.create_user("dewi", "kata sandi rahasia").await.unwrap();
    assert!(matches!(
        s.create_user("dewi", "other").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.create_user(" ", "x").await,
        Err(StoreError::Invalid(_))
    ));

    assert_eq!(
        s.verify_user("dewi", "kata sandi rahasia").await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(s.verify_user("dewi", "salah").await.unwrap(), None);
    assert_eq!(
        s.verify_user("budi", "kata sandi rahasia").await.unwrap(),
        None
    );

    let stored = db.raw_text_rows("SELECT password_hash FROM users").await;
    assert!(stored[0][0].starts_with("$argon2id$"), "{:?}", stored[0][0]);
    assert!(!stored[0][0].contains("rahasia"));

    let (token, session) = s
        .create_session(user.id, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(session.username, "dewi");
    let found = s.session(&token).await.unwrap().unwrap();
    assert_eq!(found, session);
    assert!(!found.csrf_token.is_empty() && found.csrf_token != token);
    let tokens = db.raw_text_rows("SELECT token_hash FROM sessions").await;
    assert_ne!(tokens[0][0], token, "only the token's hash is stored");
    s.delete_session(&token).await.unwrap();
    assert_eq!(s.session(&token).await.unwrap(), None, "logged out");

    let (expired, _) = s.create_session(user.id, Duration::ZERO).await.unwrap();
    assert_eq!(
        s.session(&expired).await.unwrap(),
        None,
        "expired sessions do not authenticate"
    );
    assert_eq!(s.delete_expired_sessions().await.unwrap(), 1);
    assert!(matches!(
        s.create_session(UserId(9999), Duration::from_secs(1)).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn glossary_changes_bump_the_version_and_duplicates_conflict(db: &TestDb) {
    let s = &db.store;
    assert_eq!(s.glossary_version().await.unwrap(), 0);
    let entry = |src: &str, code: &str, trg: &str| NewGlossaryEntry {
        source_term: src.to_string(),
        target_lang: lang(code),
        target_term: trg.to_string(),
        case_sensitive: true,
        note: Some("the CSTO of DESIGN.md".to_string()),
    };
    let (csto, _) = s
        .add_glossary_entry(&entry("CSTO", "en", "CSTO"))
        .await
        .unwrap();
    s.add_glossary_entry(&entry("CSTO", "fr", "OTSC"))
        .await
        .unwrap();
    assert_eq!(s.glossary_version().await.unwrap(), 2);

    let dup = s
        .add_glossary_entry(&entry(
            "CSTO",
            "en",
            "Collective Security Treaty Organization",
        ))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    assert_eq!(
        s.glossary_version().await.unwrap(),
        2,
        "a refused change changes nothing"
    );
    assert!(matches!(
        s.add_glossary_entry(&entry(" ", "en", "x")).await,
        Err(StoreError::Invalid(_))
    ));

    assert_eq!(
        s.list_glossary(Some(lang("en"))).await.unwrap(),
        vec![csto.clone()]
    );
    assert_eq!(s.list_glossary(None).await.unwrap().len(), 2);
    let snap = s.glossary_snapshot(lang("fr")).await.unwrap();
    assert_eq!((snap.version, snap.entries.len()), (2, 1));

    s.delete_glossary_entry(csto.id).await.unwrap();
    assert_eq!(s.glossary_version().await.unwrap(), 3);
    assert!(matches!(
        s.delete_glossary_entry(csto.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(s.list_glossary(Some(lang("en"))).await.unwrap().is_empty());
}

async fn translation_memory_human_entries_win_machine_entries_match_model_and_glossary(
    db: &TestDb,
) {
    let s = &db.store;
    let pair: Pair = "id-en".parse().unwrap();
    let src = "hujan deras sejak senin malam";
    let other = "harga beras naik";
    let h = tm_source_hash(src);
    let h_other = tm_source_hash(other);
    let entry =
        |source: &str, target: &str, origin: Origin, model: Option<&str>, gv: i64| NewTmEntry {
            pair,
            source_norm: source.to_string(),
            target_text: target.to_string(),
            origin,
            model_id: model.map(str::to_string),
            glossary_version: gv,
        };
    s.tm_insert_many(&[
        entry(
            src,
            "Heavy rain since Monday night",
            Origin::Machine,
            Some("m1"),
            1,
        ),
        entry(other, "Rice price rises", Origin::Machine, Some("m1"), 1),
    ])
    .await
    .unwrap();
    let hashes = vec![h.clone(), h_other.clone(), tm_source_hash("never seen")];
    let hits = s.tm_lookup(pair, &hashes, "m1", 1).await.unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[&h].target_text, "Heavy rain since Monday night");
    assert!(
        s.tm_lookup(pair, &hashes, "m2", 1)
            .await
            .unwrap()
            .is_empty(),
        "other model: miss"
    );
    assert!(
        s.tm_lookup(pair, &hashes, "m1", 2)
            .await
            .unwrap()
            .is_empty(),
        "newer glossary: miss"
    );
    assert!(
        s.tm_lookup("id-fr".parse().unwrap(), &hashes, "m1", 1)
            .await
            .unwrap()
            .is_empty(),
        "other pair"
    );
    // Re-inserting a known machine entry keeps the first.
    assert_eq!(
        s.tm_insert_many(&[entry(src, "changed", Origin::Machine, Some("m1"), 1)])
            .await
            .unwrap(),
        0
    );

    // An editor's correction wins for every model and glossary version.
    s.tm_insert_many(&[entry(
        src,
        "Torrential rain since Monday night",
        Origin::Human,
        None,
        1,
    )])
    .await
    .unwrap();
    for (model, gv) in [("m1", 1), ("m2", 7)] {
        let hit = &s.tm_lookup(pair, &hashes, model, gv).await.unwrap()[&h];
        assert_eq!(
            (hit.origin, hit.target_text.as_str()),
            (Origin::Human, "Torrential rain since Monday night")
        );
    }
    // A later correction replaces the earlier one.
    s.tm_insert_many(&[entry(
        src,
        "Downpour since Monday night",
        Origin::Human,
        None,
        3,
    )])
    .await
    .unwrap();
    assert_eq!(
        s.tm_lookup(pair, &hashes, "m1", 1).await.unwrap()[&h].target_text,
        "Downpour since Monday night"
    );

    let bad = entry(src, "x", Origin::Machine, None, 1);
    assert!(matches!(
        s.tm_insert_many(&[bad]).await,
        Err(StoreError::Invalid(_))
    ));

    // Lookups larger than one IN-list chunk.
    let many: Vec<String> = (0..1200)
        .map(|i| tm_source_hash(&format!("kalimat {i}")))
        .chain([h.clone()])
        .collect();
    assert_eq!(s.tm_lookup(pair, &many, "m1", 1).await.unwrap().len(), 1);
}

async fn qa_flags_are_replaced_per_version(db: &TestDb) {
    let s = &db.store;
    let a = s
        .create_or_revise(&rev("angka", "Angka"), &[lang("en"), lang("fr")])
        .await
        .unwrap()
        .article;
    let flag = |idx: Option<i64>, check: &str, severity| NewQaFlag {
        segment_idx: idx,
        check: Check::from_name(check).expect("a check name"),
        severity,
        detail: format!("{check} detail"),
    };
    let (en, fr, r1) = (lang("en"), lang("fr"), RevisionNo(1));
    s.replace_qa_flags(
        a.id,
        en,
        r1,
        &[
            flag(Some(3), "numbers", Severity::Error),
            flag(None, "length_ratio", Severity::Info),
        ],
    )
    .await
    .unwrap();
    s.replace_qa_flags(
        a.id,
        fr,
        r1,
        &[flag(Some(0), "glossary", Severity::Warning)],
    )
    .await
    .unwrap();
    let got = s.qa_flags(a.id, en, r1).await.unwrap();
    let summary: Vec<(Option<i64>, &str, Severity)> = got
        .iter()
        .map(|f| (f.segment_idx, f.check.name(), f.severity))
        .collect();
    assert_eq!(
        summary,
        [
            (None, "length_ratio", Severity::Info),
            (Some(3), "numbers", Severity::Error)
        ]
    );

    s.replace_qa_flags(a.id, en, r1, &[]).await.unwrap();
    assert!(
        s.qa_flags(a.id, en, r1).await.unwrap().is_empty(),
        "a clean re-run clears old findings"
    );
    assert_eq!(
        s.qa_flags(a.id, fr, r1).await.unwrap().len(),
        1,
        "other languages untouched"
    );
}

/// The page cache's contract (crates/warta-store/src/site.rs): the site
/// generation changes in the same transaction as anything a public page
/// shows, on every connection to the database, and not for bookkeeping.
async fn site_generation_moves_with_what_readers_see_and_only_with_it(db: &TestDb) {
    let s = &db.store;
    let other = db.open_another().await;
    let g = s.site_generation().await.unwrap();
    let local = s.local_site_changes();

    let r = s
        .create_or_revise(&rev("banjir", "Banjir"), &[lang("en")])
        .await
        .unwrap();
    let g1 = s.site_generation().await.unwrap();
    assert!(g1 > g, "a new article is visible on the source page");
    assert_eq!(
        other.site_generation().await.unwrap(),
        g1,
        "every pool reads the committed counter"
    );
    assert!(s.local_site_changes() > local, "this process knows at once");
    assert_eq!(
        other.local_site_changes(),
        0,
        "the other pool did not publish anything"
    );

    s.create_or_revise(&rev("banjir", "Banjir"), &[lang("en")])
        .await
        .unwrap();
    assert_eq!(
        s.site_generation().await.unwrap(),
        g1,
        "an identical re-post changes no page"
    );

    let jobs = s.lease_jobs("w", 1, MINUTE).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        s.site_generation().await.unwrap(),
        g1,
        "leasing a job changes no page"
    );

    let local = s.local_site_changes();
    s.put_version(&machine(&r.article, "en", RevisionNo(1), "Floods"))
        .await
        .unwrap();
    let g2 = s.site_generation().await.unwrap();
    assert!(g2 > g1, "publishing a version");
    assert!(s.local_site_changes() > local);

    let scores = Scores {
        article: r.article.id,
        lang: lang("en"),
        revision: RevisionNo(1),
        confidences: vec![(0, -0.1)],
        quality: quality(-0.1),
        flags: Vec::new(),
    };
    let lease = Lease {
        job: jobs[0].id,
        worker: "w",
        glossary_version: None,
    };
    let updated = s.finish_scoring(&scores, lease).await.unwrap();
    assert!(updated);
    assert_eq!(
        s.site_generation().await.unwrap(),
        g2,
        "completing a job and scoring confidence change no page"
    );

    s.create_or_revise(&rev("banjir", "Banjir besar"), &[lang("en")])
        .await
        .unwrap();
    let g3 = s.site_generation().await.unwrap();
    assert!(g3 > g2, "a new revision");

    other.delete_article(&slug("banjir")).await.unwrap();
    let g4 = s.site_generation().await.unwrap();
    assert!(g4 > g3, "a delete through another pool");
    other.close().await;
}

async fn site_entries_list_every_readable_version_once_in_one_query(db: &TestDb) {
    let s = &db.store;
    let a = s
        .create_or_revise(&rev("satu", "Satu"), &[lang("en"), lang("fr")])
        .await
        .unwrap()
        .article;
    let b = s
        .create_or_revise(&rev("dua", "Dua"), &[lang("en")])
        .await
        .unwrap()
        .article;
    let c = s
        .create_or_revise(&rev("tiga", "Tiga"), &[lang("en")])
        .await
        .unwrap()
        .article;
    let en_source = NewRevision {
        source_lang: lang("en"),
        ..rev("english", "English")
    };
    let d = s
        .create_or_revise(&en_source, &[lang("id")])
        .await
        .unwrap()
        .article;
    s.put_version(&machine(&a, "fr", RevisionNo(1), "Un"))
        .await
        .unwrap();
    s.put_version(&machine(&a, "en", RevisionNo(1), "One"))
        .await
        .unwrap();
    s.put_version(&NewVersion {
        state: VersionState::Held,
        ..machine(&b, "en", RevisionNo(1), "Two")
    })
    .await
    .unwrap();
    s.put_version(&machine(&c, "en", RevisionNo(1), "Three"))
        .await
        .unwrap();
    s.put_version(&machine(&d, "id", RevisionNo(1), "Inggris"))
        .await
        .unwrap();
    s.delete_article(&slug("tiga")).await.unwrap();

    let entries = s.site_entries().await.unwrap();
    let got: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e.slug.as_str(), e.source_lang.code(), e.lang.code()))
        .collect();
    assert_eq!(
        got,
        [
            ("satu", "id", "en"),
            ("satu", "id", "fr"),
            ("satu", "id", "id"),
            ("dua", "id", "id"),
            ("english", "en", "en"),
            ("english", "en", "id"),
        ],
        "by article, then language code; the held version and the deleted article absent"
    );
    let satu_fr = s.version(a.id, lang("fr")).await.unwrap().unwrap();
    assert_eq!(entries[1].updated_at, satu_fr.updated_at);
    assert_eq!(
        entries[2].updated_at,
        s.article(&slug("satu")).await.unwrap().updated_at
    );
}

/// Publish `v` (in `state`) as the result of the next job of `worker`.
async fn publish_next(
    s: &Store,
    mut v: NewVersion,
    state: VersionState,
    worker: &str,
) -> PublishOutcome {
    let job = s.lease_jobs(worker, 1, MINUTE).await.unwrap().remove(0);
    assert_eq!((job.article_id, job.revision), (v.article_id, v.revision));
    v.state = state;
    let p = Publication {
        events: vec![hook_event("published")],
        held_events: vec![hook_event("held")],
        hold_reason: (state == VersionState::Held).then(|| "1 error flag (numbers)".into()),
        ..bare(v, AfterPublish::Done)
    };
    let v = s.glossary_version().await.unwrap();
    let lease = Lease {
        job: job.id,
        worker,
        glossary_version: Some(v),
    };
    s.publish_translation(&p, lease).await.unwrap()
}

async fn a_held_version_never_replaces_what_readers_see_until_approved(db: &TestDb) {
    // Issue 20, point 4: "A held revision never replaces what readers see:
    // the previous translation stays with a note"; held versions appear on
    // no page, front page, feed or sitemap; an approval publishes them.
    let s = &db.store;
    let en = lang("en");
    let r1 = s
        .create_or_revise(&rev("held", "Held"), &[en])
        .await
        .unwrap();
    let a = r1.article.clone();
    let out = publish_next(
        s,
        machine(&a, "en", r1.revision, "First"),
        VersionState::Published,
        "w",
    )
    .await;
    assert_eq!(
        (out.version, out.state),
        (PutOutcome::Written, VersionState::Published)
    );
    let readable = s.readable_versions(a.id).await.unwrap();
    assert_eq!(readable.len(), 1);
    assert_eq!(
        (readable[0].title.as_str(), readable[0].outdated),
        ("First", false)
    );

    // The original is revised; its translation is held.
    let mut changed = rev("held", "Held");
    changed.title = "Held again".into();
    let r2 = s.create_or_revise(&changed, &[en]).await.unwrap();
    let out = publish_next(
        s,
        machine(&a, "en", r2.revision, "Second"),
        VersionState::Held,
        "w",
    )
    .await;
    assert_eq!(
        (out.version, out.state),
        (PutOutcome::Written, VersionState::Held)
    );
    let v = s.version(a.id, en).await.unwrap().unwrap();
    assert_eq!((v.state, v.title.as_str()), (VersionState::Held, "Second"));
    assert_eq!(v.hold_reason.as_deref(), Some("1 error flag (numbers)"));
    assert!(v.held_at.is_some());
    let readable = s.readable_versions(a.id).await.unwrap();
    assert_eq!(
        readable[0].title, "First",
        "readers keep the published text"
    );
    assert_eq!(readable[0].revision, r1.revision);
    assert!(readable[0].outdated && readable[0].under_review);
    let front = s.list_published(en, 10).await.unwrap();
    assert_eq!(
        front.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
        ["First"]
    );
    assert!(s
        .site_entries()
        .await
        .unwrap()
        .iter()
        .any(|e| e.article_id == a.id && e.lang == en));
    assert_eq!(s.held_summary().await.unwrap().count, 1);
    assert_eq!(
        db.raw_text_rows("SELECT event FROM webhook_deliveries ORDER BY id")
            .await,
        [vec!["published".to_string()], vec!["held".to_string()]],
        "a held version announces `held`, not `published`"
    );

    // An editor approves it: readers see it, reviewed.
    let approved = [NewWebhookEvent {
        urls: vec!["https://cms.example.org/hook".into()],
        event: "approved".into(),
        payload: "{}".into(),
    }];
    let v = s
        .approve_version(&VersionApproval {
            article: a.id,
            lang: en,
            editor: "rina",
            events: &approved,
        })
        .await
        .unwrap();
    assert_eq!(
        (v.state, v.reviewed_by.as_deref()),
        (VersionState::Published, Some("rina"))
    );
    assert_eq!((v.hold_reason, v.held_at), (None, None));
    let readable = s.readable_versions(a.id).await.unwrap();
    assert_eq!(readable[0].title, "Second");
    assert_eq!(readable[0].reviewed_by.as_deref(), Some("rina"));
    assert!(!readable[0].outdated && !readable[0].under_review);
    assert_eq!(
        readable[0].corrected_at, None,
        "a new revision is not a correction"
    );
    assert_eq!(s.held_summary().await.unwrap().count, 0);

    // A first translation that is held is readable nowhere.
    let b = s
        .create_or_revise(&rev("fresh", "Fresh"), &[en])
        .await
        .unwrap();
    publish_next(
        s,
        machine(&b.article, "en", b.revision, "Invented"),
        VersionState::Held,
        "w",
    )
    .await;
    assert!(s.readable_versions(b.article.id).await.unwrap().is_empty());
    assert!(!s
        .site_entries()
        .await
        .unwrap()
        .iter()
        .any(|e| e.article_id == b.article.id && e.lang == en));
}

async fn an_editors_hold_holds_the_next_machine_versions_until_released(db: &TestDb) {
    let s = &db.store;
    let en = lang("en");
    let r = s
        .create_or_revise(&rev("tahan", "Tahan"), &[en])
        .await
        .unwrap();
    let a = r.article.clone();
    s.hold_translation(a.id, en, "budi", "legal check")
        .await
        .unwrap();
    assert_eq!(
        s.translation_hold(a.id, en)
            .await
            .unwrap()
            .map(|h| h.held_by),
        Some("budi".to_string())
    );
    // The policy said publish; the hold says wait.
    let out = publish_next(
        s,
        machine(&a, "en", r.revision, "T"),
        VersionState::Published,
        "w",
    )
    .await;
    assert_eq!(out.state, VersionState::Held);
    let v = s.version(a.id, en).await.unwrap().unwrap();
    assert_eq!(v.hold_reason.as_deref(), Some("held by budi: legal check"));
    assert!(s.readable_versions(a.id).await.unwrap().is_empty());
    assert!(s.release_hold(a.id, en).await.unwrap());
    assert!(!s.release_hold(a.id, en).await.unwrap(), "released once");
    // Re-queued by hand after the release: now it is published.
    s.requeue_now(a.id, en, 0).await.unwrap();
    let out = publish_next(
        s,
        machine(&a, "en", r.revision, "T"),
        VersionState::Published,
        "w",
    )
    .await;
    assert_eq!(out.state, VersionState::Published);
    assert_eq!(s.readable_versions(a.id).await.unwrap()[0].title, "T");
    // A published text replaced within the same revision is a correction.
    s.requeue_now(a.id, en, 0).await.unwrap();
    publish_next(
        s,
        machine(&a, "en", r.revision, "T, fixed"),
        VersionState::Published,
        "w",
    )
    .await;
    let readable = s.readable_versions(a.id).await.unwrap();
    assert_eq!(readable[0].title, "T, fixed");
    assert!(readable[0].corrected_at.is_some());
}

async fn an_approval_of_a_version_made_from_an_older_revision_is_a_conflict(db: &TestDb) {
    let s = &db.store;
    let en = lang("en");
    let r = s
        .create_or_revise(&rev("lama", "Lama"), &[en])
        .await
        .unwrap();
    publish_next(
        s,
        machine(&r.article, "en", r.revision, "Old"),
        VersionState::Held,
        "w",
    )
    .await;
    let mut changed = rev("lama", "Lama");
    changed.title = "Lama baru".into();
    s.create_or_revise(&changed, &[en]).await.unwrap();
    let err = s
        .approve_version(&VersionApproval {
            article: r.article.id,
            lang: en,
            editor: "rina",
            events: &[],
        })
        .await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    assert!(s.readable_versions(r.article.id).await.unwrap().is_empty());
    let none = s
        .approve_version(&VersionApproval {
            article: r.article.id,
            lang: lang("fr"),
            editor: "rina",
            events: &[],
        })
        .await;
    assert!(matches!(none, Err(StoreError::NotFound(_))), "{none:?}");
}
