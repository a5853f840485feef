//! The team, the audit log and outside suggestions (issue 21, points 6 and
//! 7), against real databases: every suite function runs once on a fresh
//! SQLite file and once on a fresh PostgreSQL database (when reachable).
//!
//! Expected values come from the issue: "every approval, edit, dismissal,
//! policy change and glossary change is in an audit log (who, when, what)";
//! an admin creates editors, resets passwords and ends sessions; a
//! suggestion accepted becomes the memory's entry for its source and
//! re-queues the articles with that sentence, as an editor's fix does. That
//! an action and its record are all-or-nothing follows from the brief: a
//! failure injected into either (a database trigger) leaves neither.

mod common;

use std::time::Duration;

use common::TestDb;
use warta_core::{Lang, Pair, Slug};
use warta_store::*;

on_both_backends!(
    each_desk_action_is_recorded_with_its_actor_object_and_detail,
    the_log_pages_newest_first_and_filters_by_actor_and_action,
    an_action_that_fails_writes_no_audit_row,
    an_action_whose_audit_row_cannot_be_written_is_not_done,
    each_write_of_an_original_is_recorded_with_its_writer,
    admins_make_editors_reset_passwords_and_end_sessions,
    an_accepted_suggestion_becomes_the_memory_and_requeues_its_sentence,
    a_rejected_or_repeated_suggestion_changes_nothing_else,
);

const MINUTE: Duration = Duration::from_secs(60);

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

fn pair() -> Pair {
    Pair::new(lang("en"), lang("pt")).unwrap()
}

/// An article whose body is `sentences`, published in Portuguese by the
/// machine (each sentence `S` translated as `T(S)`), its jobs done.
async fn published(s: &Store, slug: &str, sentences: &[&str]) -> Article {
    let r = s
        .create_or_revise(
            &NewRevision {
                slug: Slug::parse(slug).unwrap(),
                title: sentences[0].to_string(),
                summary: String::new(),
                body_html: format!("<p>{}</p>", sentences.join(" ")),
                author: None,
                published_at: 1_700_000_000_000,
                source_lang: lang("en"),
            },
            &[lang("pt")],
        )
        .await
        .unwrap();
    let v = NewVersion {
        article_id: r.article.id,
        lang: lang("pt"),
        revision: RevisionNo(1),
        title: format!("T({})", sentences[0]),
        summary: String::new(),
        body_html: "<p>…</p>".into(),
        origin: Origin::Machine,
        state: VersionState::Published,
        model_id: Some("en-pt/tiny".into()),
        quality: None,
        reviewed_by: None,
        segments: sentences
            .iter()
            .enumerate()
            .map(|(i, t)| Segment {
                idx: i as i64,
                source_text: t.to_string(),
                target_text: format!("T({t})"),
                pivot_text: None,
                confidence: None,
                origin: Origin::Machine,
            })
            .collect(),
    };
    assert_eq!(s.put_version(&v).await.unwrap(), PutOutcome::Written);
    finish_all(s).await;
    r.article
}

/// Lease and complete every runnable job, as a worker would.
async fn finish_all(s: &Store) {
    for j in s.lease_jobs("w", 100, MINUTE).await.unwrap() {
        s.complete_job(j.id, "w").await.unwrap();
    }
}

fn approval<'a>(a: &'a Article, idx: i64, source: &'a str, text: &'a str) -> SegmentApproval<'a> {
    SegmentApproval {
        article: a.id,
        lang: lang("pt"),
        idx,
        source_text: source,
        source_norm: source,
        pair: pair(),
        text,
        editor: "rina",
        events: &[],
        priority: 10,
    }
}

fn glossary(term: &str, target: &str) -> NewGlossaryEntry {
    NewGlossaryEntry {
        source_term: term.into(),
        target_lang: lang("pt"),
        target_term: target.into(),
        case_sensitive: true,
        note: None,
    }
}

/// The whole log, newest first, as (actor, kind, action, object, detail),
/// less the originals the setup stored ([`published`], as the system: each
/// is recorded, and [`each_write_of_an_original_is_recorded_with_its_writer`]
/// shows how).
async fn log(s: &Store) -> Vec<(String, String, String, String, String)> {
    s.audit_log(&AuditFilter {
        limit: MAX_AUDIT_PAGE,
        ..AuditFilter::default()
    })
    .await
    .unwrap()
    .entries
    .into_iter()
    .filter(|e| !(e.action == AuditAction::ArticleCreate && e.actor_kind == ActorKind::System))
    .map(|e| {
        (
            e.actor,
            e.actor_kind.to_string(),
            e.action.to_string(),
            e.object,
            e.detail,
        )
    })
    .collect()
}

fn row(
    actor: &str,
    kind: &str,
    action: &str,
    object: &str,
    detail: &str,
) -> (String, String, String, String, String) {
    (
        actor.into(),
        kind.into(),
        action.into(),
        object.into(),
        detail.into(),
    )
}

async fn each_desk_action_is_recorded_with_its_actor_object_and_detail(db: &TestDb) {
    let a = published(&db.store, "banjir", &["Rain fell.", "Rivers rose."]).await;
    let rina = db.store.acting_as(Actor::user("rina"));
    let cms = db.store.acting_as(Actor::api_key("cms"));
    // An approval unchanged, then an edit: the old and new text.
    rina.approve_segment(&approval(&a, 0, "Rain fell.", "T(Rain fell.)"))
        .await
        .unwrap();
    rina.approve_segment(&approval(&a, 1, "Rivers rose.", "Os rios subiram."))
        .await
        .unwrap();
    cms.hold_translation(a.id, lang("pt"), "legal", "check the quote")
        .await
        .unwrap();
    cms.release_hold(a.id, lang("pt")).await.unwrap();
    // Releasing what is not held does nothing, and records nothing.
    assert!(!cms.release_hold(a.id, lang("pt")).await.unwrap());
    rina.approve_version(&VersionApproval {
        article: a.id,
        lang: lang("pt"),
        editor: "rina",
        events: &[],
    })
    .await
    .unwrap();
    // Each glossary change re-queues the article's finished job.
    finish_all(&db.store).await;
    let (e, _) = rina
        .add_glossary_entry(&glossary("Rivers", "Rios"))
        .await
        .unwrap();
    finish_all(&db.store).await;
    rina.update_glossary_entry(e.id, &glossary("Rivers", "Rios grandes"))
        .await
        .unwrap();
    finish_all(&db.store).await;
    rina.delete_glossary_entry(e.id).await.unwrap();
    db.store
        .replace_qa_flags(
            a.id,
            lang("pt"),
            RevisionNo(1),
            &[NewQaFlag {
                segment_idx: Some(0),
                check: Check::from_name("numbers").unwrap(),
                severity: Severity::Warning,
                detail: "numbers".into(),
            }],
        )
        .await
        .unwrap();
    let flag_id = db
        .store
        .review_segment(a.id, lang("pt"), 0)
        .await
        .unwrap()
        .flags[0]
        .id;
    rina.dismiss_flag(&FlagDismissal {
        flag: flag_id,
        editor: "rina",
        reason: "a year",
    })
    .await
    .unwrap();

    assert_eq!(
        log(&db.store).await,
        [
            row(
                "rina",
                "user",
                "flag_dismiss",
                "banjir/pt sentence 1",
                &format!("flag #{flag_id} (numbers): “a year”")
            ),
            row(
                "rina",
                "user",
                "glossary_delete",
                "Rivers → pt",
                "was “Rios grandes”; 1 translation(s) re-queued"
            ),
            row(
                "rina",
                "user",
                "glossary_edit",
                "Rivers → pt",
                "“Rivers → pt: Rios” → “Rivers → pt: Rios grandes”; 1 translation(s) re-queued"
            ),
            row(
                "rina",
                "user",
                "glossary_add",
                "Rivers → pt",
                "“Rios”; 1 translation(s) re-queued"
            ),
            row(
                "rina",
                "user",
                "version_approve",
                "banjir/pt",
                "revision 1 approved as rina"
            ),
            row("cms", "api_key", "release", "banjir/pt", "hold released"),
            row(
                "cms",
                "api_key",
                "hold",
                "banjir/pt",
                "held as legal: “check the quote”"
            ),
            row(
                "rina",
                "user",
                "segment_edit",
                "banjir/pt sentence 2",
                "“T(Rivers rose.)” → “Os rios subiram.”"
            ),
            row(
                "rina",
                "user",
                "segment_approve",
                "banjir/pt sentence 1",
                "“T(Rain fell.)”"
            ),
        ]
    );
    // `when` is the clock of the action: within this test's run.
    let newest = db
        .store
        .audit_log(&AuditFilter {
            limit: 1,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let age = now_millis() - newest.entries[0].at;
    assert!((0..600_000).contains(&age), "{age}");
}

async fn the_log_pages_newest_first_and_filters_by_actor_and_action(db: &TestDb) {
    for (who, term) in [
        ("rina", "A"),
        ("budi", "B"),
        ("rina", "C"),
        ("budi", "D"),
        ("rina", "E"),
    ] {
        db.store
            .acting_as(Actor::user(who))
            .add_glossary_entry(&glossary(term, term))
            .await
            .unwrap();
    }
    let objects = |p: &AuditPage| {
        p.entries
            .iter()
            .map(|e| e.object.clone())
            .collect::<Vec<_>>()
    };
    let first = db
        .store
        .audit_log(&AuditFilter {
            limit: 2,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(objects(&first), ["E → pt", "D → pt"]);
    let second = db
        .store
        .audit_log(&AuditFilter {
            limit: 2,
            before: first.next_before,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(objects(&second), ["C → pt", "B → pt"]);
    let last = db
        .store
        .audit_log(&AuditFilter {
            limit: 2,
            before: second.next_before,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(objects(&last), ["A → pt"]);
    assert_eq!(last.next_before, None, "the last page says so");
    let rina = db
        .store
        .audit_log(&AuditFilter {
            actor: Some("rina".into()),
            action: Some(AuditAction::GlossaryAdd),
            limit: 10,
            before: None,
        })
        .await
        .unwrap();
    assert_eq!(objects(&rina), ["E → pt", "C → pt", "A → pt"]);
    let none = db
        .store
        .audit_log(&AuditFilter {
            action: Some(AuditAction::GlossaryDelete),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(none.entries.is_empty());
}

async fn an_action_that_fails_writes_no_audit_row(db: &TestDb) {
    let a = published(&db.store, "gagal", &["Rain fell."]).await;
    let rina = db.store.acting_as(Actor::user("rina"));
    // Refused before anything is written.
    assert!(matches!(
        rina.approve_segment(&approval(&a, 0, "Rain fell.", "  "))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        rina.dismiss_flag(&FlagDismissal {
            flag: 999_999,
            editor: "rina",
            reason: "x"
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    // Failing inside the transaction, after the segment was written: the
    // memory refuses its entry.
    db.fail_inserts_into("translation_memory").await;
    assert!(rina
        .approve_segment(&approval(&a, 0, "Rain fell.", "Choveu."))
        .await
        .is_err());
    assert_eq!(log(&db.store).await, []);
    let seg = &db.store.segments(a.id, lang("pt")).await.unwrap()[0];
    assert_eq!(
        (seg.target_text.as_str(), seg.origin),
        ("T(Rain fell.)", Origin::Machine)
    );
}

async fn an_action_whose_audit_row_cannot_be_written_is_not_done(db: &TestDb) {
    let a = published(&db.store, "audit", &["Rain fell."]).await;
    let version = db.store.glossary_version().await.unwrap();
    db.fail_inserts_into("audit_log").await;
    let rina = db.store.acting_as(Actor::user("rina"));
    assert!(rina
        .add_glossary_entry(&glossary("Rain", "Chuva"))
        .await
        .is_err());
    assert!(rina
        .approve_segment(&approval(&a, 0, "Rain fell.", "Choveu."))
        .await
        .is_err());
    assert!(rina
        .add_team_member("dewi", "a long passphrase", Role::Editor)
        .await
        .is_err());
    assert_eq!(db.store.list_glossary(None).await.unwrap(), []);
    assert_eq!(db.store.glossary_version().await.unwrap(), version);
    let seg = &db.store.segments(a.id, lang("pt")).await.unwrap()[0];
    assert_eq!(seg.target_text, "T(Rain fell.)");
    assert!(db.store.team().await.unwrap().is_empty());
    // An original created, revised or deleted: nothing of it stays.
    let cms = db.store.acting_as(Actor::api_key("cms"));
    let new = |slug: &str, title: &str| NewRevision {
        slug: Slug::parse(slug).unwrap(),
        title: title.into(),
        summary: String::new(),
        body_html: "<p>Rain fell.</p>".into(),
        author: None,
        published_at: 1_700_000_000_000,
        source_lang: lang("en"),
    };
    assert!(cms
        .create_or_revise(&new("fresh", "Fresh"), &[lang("pt")])
        .await
        .is_err());
    assert!(matches!(
        db.store.article(&Slug::parse("fresh").unwrap()).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(cms
        .create_or_revise(&new("audit", "Rain again"), &[lang("pt")])
        .await
        .is_err());
    assert!(cms.delete_article(&a.slug).await.is_err());
    let kept = db.store.article(&a.slug).await.unwrap();
    assert_eq!((kept.current_revision, kept.deleted_at), (RevisionNo(1), None));
}

async fn each_write_of_an_original_is_recorded_with_its_writer(db: &TestDb) {
    // Issue 21's brief: every write of an article through the CMS API
    // (create, revise, delete) is in the log as the key that made it.
    let cms = db.store.acting_as(Actor::api_key("cms"));
    let new = |title: &str| NewRevision {
        slug: Slug::parse("banjir").unwrap(),
        title: title.into(),
        summary: String::new(),
        body_html: format!("<p>{title}.</p>"),
        author: None,
        published_at: 1_700_000_000_000,
        source_lang: lang("en"),
    };
    let targets = [lang("pt")];
    cms.create_or_revise(&new("Banjir"), &targets).await.unwrap();
    // The same content again stores nothing, and records nothing.
    assert!(cms.create_or_revise(&new("Banjir"), &targets).await.unwrap().unchanged);
    cms.create_or_revise(&new("Banjir besar"), &targets).await.unwrap();
    let slug = Slug::parse("banjir").unwrap();
    cms.delete_article(&slug).await.unwrap();
    // Deleting a deleted article changes nothing, and records nothing.
    cms.delete_article(&slug).await.unwrap();
    // Posting it again brings it back: a revision.
    cms.create_or_revise(&new("Banjir lagi"), &targets).await.unwrap();
    assert_eq!(
        log(&db.store).await,
        [
            row("cms", "api_key", "article_revise", "banjir", "revision 3 revised: “Banjir lagi”"),
            row("cms", "api_key", "article_delete", "banjir", "deleted at revision 2"),
            row("cms", "api_key", "article_revise", "banjir", "revision 2 revised: “Banjir besar”"),
            row("cms", "api_key", "article_create", "banjir", "revision 1 created: “Banjir”"),
        ]
    );
}

async fn admins_make_editors_reset_passwords_and_end_sessions(db: &TestDb) {
    // The command line's user is an admin (someone makes the first editor).
    let first = db
        .store
        .create_user("ayu", "first admin pass")
        .await
        .unwrap();
    assert_eq!(first.role, Role::Admin);
    let ayu = db.store.acting_as(Actor::user("ayu"));
    // What an admin may give: checked before anything is written.
    for (name, password) in [
        ("dewi", "short"),
        ("two words", "a long passphrase"),
        ("", "a long passphrase"),
    ] {
        assert!(
            matches!(
                ayu.add_team_member(name, password, Role::Editor).await,
                Err(StoreError::Invalid(_))
            ),
            "{name:?} {password:?}"
        );
    }
    let dewi = ayu
        .add_team_member("dewi", "a long passphrase", Role::Editor)
        .await
        .unwrap();
    assert_eq!(dewi.role, Role::Editor);
    assert!(matches!(
        ayu.add_team_member("dewi", "another passphrase", Role::Admin)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let user = db
        .store
        .verify_user("dewi", "a long passphrase")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, Role::Editor);
    let (t1, s1) = db.store.create_session(user.id, MINUTE).await.unwrap();
    let (t2, _) = db.store.create_session(user.id, MINUTE).await.unwrap();
    assert_eq!(s1.role, Role::Editor);
    assert_eq!(
        db.store.session(&t1).await.unwrap().unwrap().role,
        Role::Editor
    );
    let team: Vec<(String, Role, i64)> = db
        .store
        .team()
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.username, m.role, m.live_sessions))
        .collect();
    assert_eq!(
        team,
        [
            ("ayu".into(), Role::Admin, 0),
            ("dewi".into(), Role::Editor, 2)
        ]
    );
    assert_eq!(ayu.end_sessions("dewi").await.unwrap(), 2);
    assert!(db.store.session(&t1).await.unwrap().is_none());
    assert!(db.store.session(&t2).await.unwrap().is_none());
    assert!(matches!(
        ayu.end_sessions("nobody").await,
        Err(StoreError::NotFound(_))
    ));
    let (t3, _) = db.store.create_session(user.id, MINUTE).await.unwrap();
    assert!(matches!(
        ayu.reset_password("dewi", "short").await,
        Err(StoreError::Invalid(_))
    ));
    ayu.reset_password("dewi", "a new long passphrase")
        .await
        .unwrap();
    assert!(
        db.store.session(&t3).await.unwrap().is_none(),
        "a reset ends sessions"
    );
    assert!(db
        .store
        .verify_user("dewi", "a long passphrase")
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .verify_user("dewi", "a new long passphrase")
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        log(&db.store).await,
        [
            row(
                "ayu",
                "user",
                "password_reset",
                "user dewi",
                "1 session(s) ended"
            ),
            row(
                "ayu",
                "user",
                "sessions_end",
                "user dewi",
                "2 session(s) ended"
            ),
            row("ayu", "user", "user_create", "user dewi", "role editor"),
            row("system", "system", "user_create", "user ayu", "role admin"),
        ]
    );
}

async fn an_accepted_suggestion_becomes_the_memory_and_requeues_its_sentence(db: &TestDb) {
    let a = published(&db.store, "satu", &["Rain fell.", "Rivers rose."]).await;
    let b = published(&db.store, "dua", &["Rivers rose.", "Roads closed."]).await;
    let c = published(&db.store, "tiga", &["Roads closed."]).await;
    let sent = db
        .store
        .add_suggestion(&NewSuggestion {
            pair: pair(),
            source_text: "Rivers rose.",
            source_norm: "rivers rose.",
            suggested_text: "Os rios subiram.",
            submitted_by: "plugin",
        })
        .await
        .unwrap();
    assert_eq!(sent.state, SuggestionState::Open);
    let open = db
        .store
        .suggestions(SuggestionState::Open, 0, 10)
        .await
        .unwrap();
    assert_eq!(open, [sent.clone()]);
    let rina = db.store.acting_as(Actor::user("rina"));
    let (accepted, queued) = rina.accept_suggestion(sent.id).await.unwrap();
    assert_eq!(accepted.state, SuggestionState::Accepted);
    assert_eq!(accepted.decided_by.as_deref(), Some("rina"));
    // Articles a and b have the sentence; c has not.
    assert_eq!(queued, 2);
    let state = |id: ArticleId| {
        let s = db.store.clone();
        async move { s.job_states(id, RevisionNo(1)).await.unwrap()[0].state }
    };
    assert_eq!(state(a.id).await, JobState::Queued);
    assert_eq!(state(b.id).await, JobState::Queued);
    assert_eq!(state(c.id).await, JobState::Done);
    // The memory answers with it, as a person's, for any model.
    let hash = tm_source_hash("rivers rose.");
    let hits = db
        .store
        .tm_lookup(pair(), &[hash.clone()], "any-model", 0)
        .await
        .unwrap();
    assert_eq!(
        hits.get(&hash),
        Some(&TmHit {
            target_text: "Os rios subiram.".into(),
            origin: Origin::Human
        })
    );
    assert!(matches!(
        rina.accept_suggestion(sent.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        rina.reject_suggestion(999_999).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        log(&db.store).await,
        [row(
            "rina",
            "user",
            "suggestion_accept",
            &format!("suggestion #{} en→pt", sent.id),
            "“Rivers rose.” → “Os rios subiram.”; 2 translation(s) re-queued"
        )]
    );
}

async fn a_rejected_or_repeated_suggestion_changes_nothing_else(db: &TestDb) {
    let a = published(&db.store, "satu", &["Rivers rose."]).await;
    let new = NewSuggestion {
        pair: pair(),
        source_text: "Rivers rose.",
        source_norm: "rivers rose.",
        suggested_text: "Rios.",
        submitted_by: "plugin",
    };
    let first = db.store.add_suggestion(&new).await.unwrap();
    let again = db.store.add_suggestion(&new).await.unwrap();
    assert_eq!(first.id, again.id, "an open suggestion is stored once");
    for bad in ["", &"x".repeat(MAX_SUGGESTION_CHARS + 1)] {
        assert!(matches!(
            db.store
                .add_suggestion(&NewSuggestion {
                    suggested_text: bad,
                    ..new.clone()
                })
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
    let budi = db.store.acting_as(Actor::api_key("desk-bot"));
    let rejected = budi.reject_suggestion(first.id).await.unwrap();
    assert_eq!(rejected.state, SuggestionState::Rejected);
    assert_eq!(rejected.decided_by.as_deref(), Some("desk-bot"));
    assert!(db
        .store
        .suggestions(SuggestionState::Open, 0, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        db.store.job_states(a.id, RevisionNo(1)).await.unwrap()[0].state,
        JobState::Done
    );
    let hash = tm_source_hash("rivers rose.");
    assert!(db
        .store
        .tm_lookup(pair(), &[hash], "m", 0)
        .await
        .unwrap()
        .is_empty());
    // Rejected, the same text may be suggested again.
    let later = db.store.add_suggestion(&new).await.unwrap();
    assert_ne!(later.id, first.id);
    assert_eq!(
        log(&db.store).await,
        [row(
            "desk-bot",
            "api_key",
            "suggestion_reject",
            &format!("suggestion #{} en→pt", first.id),
            "“Rivers rose.” → “Rios.”"
        )]
    );
}
