//! Re-queueing after a glossary change, against real databases (a fresh
//! SQLite file, and a fresh PostgreSQL database when a server is reachable;
//! see `common/mod.rs`).
//!
//! Expected values come from the issue ("Glossary changes re-queue affected
//! articles") and the rules of the brief: only the current revision of live
//! articles that contain the term as a whole word, never a human version,
//! never a job a worker holds.

mod common;

use std::time::Duration;

use common::TestDb;
use warta_core::{Lang, Pair, Slug};
use warta_store::*;

on_both_backends!(
    finished_jobs_of_articles_mentioning_the_term_are_queued_again,
    a_longer_word_containing_the_term_is_not_a_mention,
    case_sensitivity_follows_the_entry,
    failed_waiting_and_running_jobs_are_queued_again_queued_ones_are_left_alone,
    human_versions_deleted_articles_and_old_revisions_are_not_touched,
    a_language_without_a_job_gets_one,
    terms_are_found_through_markup_and_entities,
);

const MINUTE: Duration = Duration::from_secs(60);

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

fn article(slug: &str, title: &str, body_html: &str) -> NewRevision {
    NewRevision {
        slug: Slug::parse(slug).unwrap(),
        title: title.to_string(),
        summary: String::new(),
        body_html: body_html.to_string(),
        author: None,
        published_at: 1_700_000_000_000,
        source_lang: lang("en"),
    }
}

/// Lease and complete every runnable job, as a worker would.
async fn finish_all(s: &Store) {
    for j in s.lease_jobs("w", 100, MINUTE).await.unwrap() {
        s.complete_job(j.id, "w").await.unwrap();
    }
}

async fn job(s: &Store, r: &Revised, code: &str) -> Job {
    let jobs = s.job_states(r.article.id, r.revision).await.unwrap();
    jobs.into_iter()
        .find(|j| j.lang == lang(code))
        .unwrap_or_else(|| panic!("no {code} job for {}", r.article.slug))
}

async fn finished_jobs_of_articles_mentioning_the_term_are_queued_again(db: &TestDb) {
    let s = &db.store;
    let targets = [lang("pt"), lang("ar")];
    let csto = s
        .create_or_revise(
            &article("csto", "Summit", "<p>The Russia-led CSTO met.</p>"),
            &targets,
        )
        .await
        .unwrap();
    let other = s
        .create_or_revise(
            &article("rain", "Rain", "<p>Heavy rain since Monday.</p>"),
            &targets,
        )
        .await
        .unwrap();
    finish_all(s).await;
    let before = job(s, &csto, "pt").await;
    assert_eq!((before.state, before.attempts), (JobState::Done, 1));

    assert_eq!(
        s.requeue_for_term("CSTO", true, lang("pt")).await.unwrap(),
        1
    );
    let after = job(s, &csto, "pt").await;
    assert_eq!(after.id, before.id, "the same job runs again, no new row");
    assert_eq!((after.state, after.attempts), (JobState::Queued, 0));
    assert!(after.lease_owner.is_none() && after.last_error.is_none());
    assert_eq!(
        job(s, &csto, "ar").await.state,
        JobState::Done,
        "other languages keep theirs"
    );
    assert_eq!(
        job(s, &other, "pt").await.state,
        JobState::Done,
        "articles without the term keep theirs"
    );

    // The queued job is leasable right away (run_after is now).
    let leased = s.lease_jobs("w", 10, MINUTE).await.unwrap();
    assert_eq!(leased.iter().map(|j| j.id).collect::<Vec<_>>(), [before.id]);
}

async fn a_longer_word_containing_the_term_is_not_a_mention(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(
            &article(
                "index",
                "CSTOX index rises",
                "<p>The CSTOX rose; so did XCSTO.</p>",
            ),
            &[lang("pt")],
        )
        .await
        .unwrap();
    finish_all(s).await;
    assert_eq!(
        s.requeue_for_term("CSTO", false, lang("pt")).await.unwrap(),
        0
    );
    assert_eq!(job(s, &r, "pt").await.state, JobState::Done);
}

async fn case_sensitivity_follows_the_entry(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(
            &article("apple", "Apple", "<p>He ate an apple.</p>"),
            &[lang("pt")],
        )
        .await
        .unwrap();
    let r2 = s
        .create_or_revise(
            &article("corp", "Earnings", "<p>APPLE reported earnings.</p>"),
            &[lang("pt")],
        )
        .await
        .unwrap();
    finish_all(s).await;
    // Case-sensitive "apple" (the fruit): only the lower-case mention.
    assert_eq!(
        s.requeue_for_term("apple", true, lang("pt")).await.unwrap(),
        1
    );
    assert_eq!(job(s, &r, "pt").await.state, JobState::Queued);
    assert_eq!(job(s, &r2, "pt").await.state, JobState::Done);
    finish_all(s).await;
    // Case-insensitive: both (title "Apple" and body "APPLE").
    assert_eq!(
        s.requeue_for_term("apple", false, lang("pt"))
            .await
            .unwrap(),
        2
    );
    // Non-ASCII letters fold the same on both databases.
    let r3 = s
        .create_or_revise(
            &article("perez", "PÉREZ WINS", "<p>Results.</p>"),
            &[lang("pt")],
        )
        .await
        .unwrap();
    finish_all(s).await;
    assert_eq!(
        s.requeue_for_term("Pérez", false, lang("pt"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(job(s, &r3, "pt").await.state, JobState::Queued);
}

async fn failed_waiting_and_running_jobs_are_queued_again_queued_ones_are_left_alone(db: &TestDb) {
    // One attempt, so one failure is final.
    let s = db
        .open_with(&StoreOptions {
            max_attempts: 1,
            ..StoreOptions::default()
        })
        .await;
    let body = "<p>CSTO leaders met.</p>";
    let failed = s
        .create_or_revise(&article("failed", "A", body), &[lang("pt")])
        .await
        .unwrap();
    let waiting = s
        .create_or_revise(&article("waiting", "B", body), &[lang("pt")])
        .await
        .unwrap();
    let jobs = s.lease_jobs("w", 2, MINUTE).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(
        s.fail_job(jobs[0].id, "w", "boom", MINUTE).await.unwrap(),
        JobState::Failed
    );
    let en_pt: Pair = "en-pt".parse().unwrap();
    assert_eq!(
        s.park_job_waiting_for_model(jobs[1].id, "w", en_pt)
            .await
            .unwrap(),
        JobState::WaitingForModel
    );
    let running = s
        .create_or_revise(&article("running", "C", body), &[lang("pt")])
        .await
        .unwrap();
    let leased = s.lease_jobs("w2", 1, MINUTE).await.unwrap();
    assert_eq!(leased[0].article_id, running.article.id);
    let queued = s
        .create_or_revise(&article("queued", "D", body), &[lang("pt")])
        .await
        .unwrap();

    assert_eq!(
        s.requeue_for_term("CSTO", true, lang("pt")).await.unwrap(),
        3
    );
    let f = job(&s, &failed, "pt").await;
    assert_eq!(
        (f.state, f.attempts, f.last_error.as_deref()),
        (JobState::Queued, 0, None)
    );
    let w = job(&s, &waiting, "pt").await;
    assert_eq!((w.state, w.waiting_pair), (JobState::Queued, None));
    // The running job was translated with the old glossary: it is taken
    // from its worker, whose result is then refused (the lease is the fence).
    let r = job(&s, &running, "pt").await;
    assert_eq!(
        (r.state, r.lease_owner.as_deref()),
        (JobState::Queued, None)
    );
    assert!(
        s.complete_job(r.id, "w2").await.is_err(),
        "w2 no longer holds it"
    );
    assert_eq!(job(&s, &queued, "pt").await.state, JobState::Queued);
}

async fn human_versions_deleted_articles_and_old_revisions_are_not_touched(db: &TestDb) {
    let s = &db.store;
    let body = "<p>The CSTO met.</p>";
    let human = s
        .create_or_revise(&article("human", "A", body), &[lang("pt")])
        .await
        .unwrap();
    let deleted = s
        .create_or_revise(&article("deleted", "B", body), &[lang("pt")])
        .await
        .unwrap();
    let revised = s
        .create_or_revise(&article("revised", "C", body), &[lang("pt")])
        .await
        .unwrap();
    finish_all(s).await;
    s.put_version(&NewVersion {
        article_id: human.article.id,
        lang: lang("pt"),
        revision: human.revision,
        title: "A".into(),
        summary: String::new(),
        body_html: "<p>A OTSC reuniu-se.</p>".into(),
        origin: Origin::Human,
        state: VersionState::Published,
        model_id: None,
        quality: None,
        reviewed_by: Some("editor".into()),
        segments: vec![],
    })
    .await
    .unwrap();
    s.delete_article(&deleted.article.slug).await.unwrap();
    // Revision 2 no longer mentions the term; revision 1 did.
    let rev2 = s
        .create_or_revise(
            &article("revised", "C", "<p>The alliance met.</p>"),
            &[lang("pt")],
        )
        .await
        .unwrap();
    finish_all(s).await;

    assert_eq!(
        s.requeue_for_term("CSTO", true, lang("pt")).await.unwrap(),
        0
    );
    assert_eq!(job(s, &human, "pt").await.state, JobState::Done);
    assert_eq!(job(s, &deleted, "pt").await.state, JobState::Done);
    assert_eq!(job(s, &revised, "pt").await.revision, RevisionNo(1));
    assert_eq!(job(s, &revised, "pt").await.state, JobState::Done);
    assert_eq!(job(s, &rev2, "pt").await.state, JobState::Done);
    // The source language is never a translation target.
    assert_eq!(
        s.requeue_for_term("CSTO", true, lang("en")).await.unwrap(),
        0
    );
}

async fn a_language_without_a_job_gets_one(db: &TestDb) {
    let s = &db.store;
    let r = s
        .create_or_revise(
            &article("csto", "CSTO summit", "<p>Leaders met.</p>"),
            &[lang("pt")],
        )
        .await
        .unwrap();
    finish_all(s).await;
    // French became a target after the article was translated.
    assert_eq!(
        s.requeue_for_term("CSTO", true, lang("fr")).await.unwrap(),
        1
    );
    let fr = job(s, &r, "fr").await;
    assert_eq!(
        (fr.state, fr.revision, fr.attempts),
        (JobState::Queued, RevisionNo(1), 0)
    );
    // Queued already: nothing more to do.
    assert_eq!(
        s.requeue_for_term("CSTO", true, lang("fr")).await.unwrap(),
        0
    );
    assert_eq!(
        s.job_states(r.article.id, r.revision).await.unwrap().len(),
        2
    );
}

async fn terms_are_found_through_markup_and_entities(db: &TestDb) {
    let s = &db.store;
    // Sanitised HTML escapes `&` and may put inline markup inside a name.
    let r = s
        .create_or_revise(
            &article(
                "names",
                "Markets",
                "<p>AT&amp;T and <b>Joko</b> <i>Widodo</i> spoke.</p>",
            ),
            &[lang("pt")],
        )
        .await
        .unwrap();
    finish_all(s).await;
    assert_eq!(
        s.requeue_for_term("Joko Widodo", true, lang("pt"))
            .await
            .unwrap(),
        1
    );
    finish_all(s).await;
    assert_eq!(
        s.requeue_for_term("AT&T", true, lang("pt")).await.unwrap(),
        1
    );
    finish_all(s).await;
    assert_eq!(
        s.requeue_for_term("AT&", true, lang("pt")).await.unwrap(),
        1
    );
    finish_all(s).await;
    // Tag names and attributes are not text.
    assert_eq!(s.requeue_for_term("b", true, lang("pt")).await.unwrap(), 0);
    assert_eq!(job(s, &r, "pt").await.state, JobState::Done);
}
