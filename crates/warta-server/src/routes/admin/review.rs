//! One language of one article, whole, at `/admin/articles/{slug}/{lang}`:
//! the title, summary and every body sentence as source | English pivot
//! (two-leg routes) | translation, each flag beside its sentence with a
//! form to dismiss it (`flags.rs`), every sentence editable in place (saved
//! through [`approve_sentence`], as the queue's editor does), the version
//! approved as a whole (`Store::approve_version`: a held one is published),
//! a preview of the page as readers will see it, and, for a translation of
//! an older revision, what changed in the original since: the sentences
//! added, removed and changed between the two revisions, each cut by the
//! pipeline's own segmenter (`warta_pipeline::source_sentences`) and
//! compared with `similar`'s Myers diff.
//!
//! Every form is a plain HTML form that works without script; each saves
//! one thing and comes back to this page at the sentence it changed.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use warta_core::{Lang, Slug, Timestamp};
use warta_engine::Piece;
use warta_site::Origin as SiteOrigin;
use warta_store::{
    Article, JobPhase, JobState, Origin, QaFlag, Revision, Segment, Session, TranslationHold,
    Version, VersionApproval, VersionState,
};

use super::articles::review_url;
use super::login::CsrfForm;
use super::segments::{approve_sentence, EditForm, SentenceEdit, MAX_SEGMENT_CHARS};
use super::{checked_post, confidence, form_or_empty, html, store_as, AdminError, Editor, Flash};
use crate::startup::App;

struct FlagItem {
    id: i64,
    check: &'static str,
    severity: &'static str,
    detail: String,
    open: bool,
    /// "resolved by rina", "dismissed by rina: not a number".
    verdict: Option<String>,
    dismiss_action: String,
}

struct SentenceView {
    idx: i64,
    number: i64,
    source: String,
    pivot: Option<String>,
    target: String,
    human: bool,
    confidence: String,
    flags: Vec<FlagItem>,
    action: String,
    /// Why the editor's last input was refused, and that input.
    error: Option<&'static str>,
    text: String,
}

struct Section {
    heading: &'static str,
    sentences: Vec<SentenceView>,
}

/// One change of the original between the translated revision and the
/// current one: `added`, `removed` or `changed` (then both sides).
#[derive(Debug, PartialEq, Eq)]
struct OriginalChange {
    kind: &'static str,
    before: Option<String>,
    after: Option<String>,
}

/// The sentences added, removed and changed from `old` to `new` (the same
/// sentence in both is not listed). A changed sentence is a removed run
/// and an added run at the same place, paired in order; what is left over
/// on either side is removed or added.
fn original_changes(old: &Revision, new: &Revision) -> Result<Vec<OriginalChange>, AdminError> {
    let cut = |r: &Revision| {
        warta_pipeline::source_sentences(&warta_pipeline::SourceDoc::article(
            r.title.clone(),
            r.summary.clone(),
            r.body_html.clone(),
        ))
        .map_err(AdminError::internal)
    };
    let (old, new) = (cut(old)?, cut(new)?);
    let mut out = Vec::new();
    let change = |kind, before: Option<&String>, after: Option<&String>| OriginalChange {
        kind,
        before: before.cloned(),
        after: after.cloned(),
    };
    // Runs of removed and added sentences between two equal stretches.
    let (mut removed, mut added): (Vec<&String>, Vec<&String>) = (Vec::new(), Vec::new());
    let mut flush = |removed: &mut Vec<&String>, added: &mut Vec<&String>| {
        let paired = removed.len().min(added.len());
        for i in 0..paired {
            out.push(change("changed", Some(removed[i]), Some(added[i])));
        }
        out.extend(
            removed[paired..]
                .iter()
                .map(|s| change("removed", Some(s), None)),
        );
        out.extend(
            added[paired..]
                .iter()
                .map(|s| change("added", None, Some(s))),
        );
        removed.clear();
        added.clear();
    };
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        let (tag, before, after) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            flush(&mut removed, &mut added);
        } else {
            removed.extend(&old[before]);
            added.extend(&new[after]);
        }
    }
    flush(&mut removed, &mut added);
    Ok(out)
}

#[derive(Template)]
#[template(path = "admin/review.html")]
struct ReviewPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    flash: Option<Flash>,
    slug: &'a str,
    title: &'a str,
    lang: &'static str,
    lang_name: &'static str,
    dir: &'static str,
    source_lang: &'static str,
    source_dir: &'static str,
    revision: i64,
    /// The state line: "held", "published", "no translation yet (job: queued)".
    state: String,
    held: bool,
    hold_reason: Option<&'a str>,
    editor_hold: Option<String>,
    stale: Option<String>,
    /// The revision the translation was made from, when older than the
    /// current one, and what changed in the original since.
    changed_since: Option<i64>,
    changes: Vec<OriginalChange>,
    origin_note: Option<String>,
    reviewed_by: Option<&'a str>,
    model: Option<&'a str>,
    public_url: Option<String>,
    preview_url: Option<String>,
    approve_action: Option<String>,
    approve_label: &'static str,
    editable: bool,
    rebuilding: bool,
    doc_flags: Vec<FlagItem>,
    sections: Vec<Section>,
    max_chars: usize,
}

/// Everything the page shows, loaded once.
struct Loaded {
    article: Article,
    lang: Lang,
    /// The current source revision.
    current: Revision,
    version: Option<Version>,
    /// The revision the version was made from.
    version_source: Option<Revision>,
    segments: Vec<Segment>,
    flags: Vec<QaFlag>,
    hold: Option<TranslationHold>,
    /// The current revision's job in this language.
    job: Option<warta_store::Job>,
    /// Readers see a version in this language.
    readable: bool,
}

fn not_found() -> AdminError {
    AdminError::new(StatusCode::NOT_FOUND, "No such article or language.")
}

/// A target language of this site, from the URL.
fn target(app: &App, lang: &str) -> Result<Lang, AdminError> {
    Lang::parse(lang)
        .ok()
        .filter(|l| app.config().targets.contains(l))
        .ok_or_else(not_found)
}

async fn load(app: &App, slug: &str, lang: &str) -> Result<Loaded, AdminError> {
    let slug = Slug::parse(slug).map_err(|_| not_found())?;
    let lang = target(app, lang)?;
    let store = &app.ctx.store;
    let article = store.article(&slug).await?;
    let current = store
        .revision_by_id(article.id, article.current_revision)
        .await?;
    let version = store.version(article.id, lang).await?;
    let (version_source, segments, flags) = match &version {
        Some(v) => {
            let source = if v.revision == current.revision {
                current.clone()
            } else {
                store.revision_by_id(article.id, v.revision).await?
            };
            (
                Some(source),
                store.segments(article.id, lang).await?,
                store.qa_flags(article.id, lang, v.revision).await?,
            )
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let hold = store.translation_hold(article.id, lang).await?;
    let job = store
        .job_states(article.id, article.current_revision)
        .await?
        .into_iter()
        .find(|j| j.lang == lang);
    let readable = store
        .readable_versions(article.id)
        .await?
        .iter()
        .any(|v| v.lang == lang);
    Ok(Loaded {
        article,
        lang,
        current,
        version,
        version_source,
        segments,
        flags,
        hold,
        job,
        readable,
    })
}

/// How many sentences the segmenter finds in `text`: the pipeline cuts
/// title, summary and body into sentences with the same segmenter
/// (warta-pipeline's run.rs), one stored segment each, in that order.
fn sentence_count(text: &str) -> usize {
    warta_engine::pieces(text)
        .iter()
        .filter(|p| matches!(p, Piece::Sentence(_)))
        .count()
}

fn flag_item(f: &QaFlag) -> FlagItem {
    let verdict = match (&f.resolved_by, &f.dismissed_reason) {
        (Some(by), Some(why)) => Some(format!("dismissed by {by}: {why}")),
        (None, Some(why)) => Some(format!("dismissed: {why}")),
        (Some(by), None) => Some(format!("resolved by {by}")),
        (None, None) => f.resolved_at.map(|_| "resolved".to_string()),
    };
    FlagItem {
        id: f.id,
        check: f.check.name(),
        severity: f.severity.as_str(),
        detail: f.detail.clone(),
        open: f.resolved_at.is_none(),
        verdict,
        dismiss_action: format!("/admin/flags/{}/dismiss", f.id),
    }
}

fn flash_for(code: Option<&str>) -> Option<Flash> {
    match code? {
        "saved" => Some(Flash {
            kind: "ok",
            text: "Sentence saved and remembered; the page is being rebuilt with it.",
        }),
        "approved" => Some(Flash {
            kind: "ok",
            text: "Approved: readers see this version now, marked as reviewed.",
        }),
        "dismissed" => Some(Flash {
            kind: "ok",
            text: "Flag dismissed; the reason is kept with it.",
        }),
        _ => None,
    }
}

/// The sentence the editor's input was refused for, with the input.
struct Refused<'a> {
    idx: i64,
    why: &'static str,
    text: &'a str,
}

fn review_page(
    app: &App,
    session: &Session,
    l: &Loaded,
    status: StatusCode,
    flash: Option<Flash>,
    refused: Option<Refused<'_>>,
) -> Response {
    let slug = &l.article.slug;
    let lang = l.lang;
    let url = review_url(slug, lang);
    let v = l.version.as_ref();
    let current_version = v.is_some_and(|v| v.revision == l.current.revision);
    let deleted = l.article.deleted_at.is_some();
    let editable = !deleted && current_version && v.is_some_and(|v| v.origin == Origin::Machine);
    let mut by_segment: std::collections::BTreeMap<i64, Vec<FlagItem>> = Default::default();
    let mut doc_flags = Vec::new();
    for f in &l.flags {
        match f.segment_idx {
            Some(i) => by_segment.entry(i).or_default().push(flag_item(f)),
            None => doc_flags.push(flag_item(f)),
        }
    }
    let (n_title, n_summary) = l.version_source.as_ref().map_or((0, 0), |r| {
        (sentence_count(&r.title), sentence_count(&r.summary))
    });
    let mut sections = vec![
        Section {
            heading: "Title",
            sentences: Vec::new(),
        },
        Section {
            heading: "Summary",
            sentences: Vec::new(),
        },
        Section {
            heading: "Body",
            sentences: Vec::new(),
        },
    ];
    for (n, s) in l.segments.iter().enumerate() {
        let section = if n < n_title {
            0
        } else if n < n_title + n_summary {
            1
        } else {
            2
        };
        let (error, text) = match &refused {
            Some(r) if r.idx == s.idx => (Some(r.why), r.text.to_string()),
            _ => (None, s.target_text.clone()),
        };
        sections[section].sentences.push(SentenceView {
            idx: s.idx,
            number: s.idx + 1,
            source: s.source_text.clone(),
            pivot: s.pivot_text.clone(),
            target: s.target_text.clone(),
            human: s.origin == Origin::Human,
            confidence: confidence(s.confidence),
            flags: by_segment.remove(&s.idx).unwrap_or_default(),
            action: format!("{url}/segments/{}", s.idx),
            error,
            text,
        });
    }
    // Flags of segments that are not stored (should not happen) still show.
    for (_, flags) in by_segment {
        doc_flags.extend(flags);
    }
    sections.retain(|s| !s.sentences.is_empty());
    let state = match v {
        None => format!(
            "no translation yet (job: {})",
            l.job.as_ref().map_or("none", |j| j.state.as_str())
        ),
        Some(v) if v.state == VersionState::Held => "held for an editor".to_string(),
        Some(_) => "published".to_string(),
    };
    let stale = v.filter(|_| !current_version).map(|v| {
        format!(
            "This translation was made from revision {} of the original; the current revision is {} \
             (its translation: {}). It cannot be edited or approved until that is done.",
            v.revision,
            l.current.revision,
            l.job.as_ref().map_or("none", |j| j.state.as_str())
        )
    });
    let (changed_since, changes) = match (&l.version_source, current_version) {
        (Some(old), false) => match original_changes(old, &l.current) {
            Ok(c) => (Some(old.revision.0), c),
            Err(e) => return e.page(app, Some(session)),
        },
        _ => (None, Vec::new()),
    };
    let origin_note = v.filter(|v| v.origin == Origin::Human).map(|v| {
        format!(
            "Written by a person ({}); it is replaced as a whole through the API, not edited sentence by sentence.",
            v.reviewed_by.as_deref().unwrap_or("translator not named")
        )
    });
    let held = v.is_some_and(|v| v.state == VersionState::Held);
    // A saved sentence is rebuilt into the page by a worker: until then
    // the page (and an approval) has the text before it.
    let rebuilding = v.is_some()
        && l.job.as_ref().is_some_and(|j| {
            j.phase == JobPhase::Translate
                && matches!(j.state, JobState::Queued | JobState::Running)
        });
    html(
        status,
        &ReviewPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            flash,
            slug: slug.as_str(),
            title: &l.current.title,
            lang: lang.code(),
            lang_name: lang.english_name(),
            dir: lang.dir().as_str(),
            source_lang: l.current.source_lang.code(),
            source_dir: l.current.source_lang.dir().as_str(),
            revision: l.current.revision.0,
            state,
            held,
            hold_reason: v.and_then(|v| v.hold_reason.as_deref()),
            editor_hold: l
                .hold
                .as_ref()
                .map(|h| format!("{} holds this language: {}", h.held_by, h.reason)),
            stale,
            changed_since,
            changes,
            origin_note,
            reviewed_by: v.and_then(|v| v.reviewed_by.as_deref()),
            model: v.and_then(|v| v.model_id.as_deref()),
            public_url: (l.readable && !deleted).then(|| app.site.article_url(lang, slug)),
            preview_url: v.map(|_| format!("{url}/preview")),
            approve_action: (current_version && !deleted).then(|| format!("{url}/approve")),
            approve_label: if held {
                "Approve and publish"
            } else {
                "Mark as reviewed"
            },
            editable,
            rebuilding,
            doc_flags,
            sections,
            max_chars: MAX_SEGMENT_CHARS,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewQuery {
    flash: Option<String>,
}

pub(super) async fn page(
    State(app): State<Arc<App>>,
    editor: Editor,
    Path((slug, lang)): Path<(String, String)>,
    query: Result<Query<ReviewQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let session = &editor.session;
    let flash = query
        .ok()
        .and_then(|Query(q)| flash_for(q.flash.as_deref()));
    match load(&app, &slug, &lang).await {
        Ok(l) => review_page(&app, session, &l, StatusCode::OK, flash, None),
        Err(e) => e.page(&app, Some(session)),
    }
}

/// `POST …/segments/{idx}`: save one sentence as the queue's editor does.
pub(super) async fn save_sentence(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path((slug, lang, idx)): Path<(String, String, String)>,
    form: Result<Form<EditForm>, FormRejection>,
) -> Response {
    let session = &editor.session;
    let edit = match SentenceEdit::read(&app, session, &headers, (&slug, &lang, &idx), form).await {
        Ok(e) => e,
        Err(answer) => return answer,
    };
    let (item, text) = match edit.text {
        Ok(t) => (edit.item, t),
        Err(why) => {
            return match load(&app, &slug, &lang).await {
                Ok(l) => review_page(
                    &app,
                    session,
                    &l,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(Refused {
                        idx: edit.item.segment.idx,
                        why,
                        text: &edit.typed,
                    }),
                ),
                Err(e) => e.page(&app, Some(session)),
            }
        }
    };
    if let Err(e) = approve_sentence(&app, session, &item, &text).await {
        return e.page(&app, Some(session));
    }
    Redirect::to(&format!(
        "{}?flash=saved#s{}",
        review_url(&item.slug, item.lang),
        item.segment.idx
    ))
    .into_response()
}

/// `POST …/approve`: the version as a whole.
pub(super) async fn approve(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(refused) = checked_post(&app, session, &headers, &form.csrf) {
        return refused;
    }
    let done = async {
        let slug = Slug::parse(&slug).map_err(|_| not_found())?;
        let lang = target(&app, &lang)?;
        let store = &store_as(&app, session);
        let article = store.article(&slug).await?;
        let v = store
            .version(article.id, lang)
            .await?
            .ok_or_else(not_found)?;
        let editor_name = session.username.as_str();
        let events = crate::webhooks::events(
            app.config(),
            crate::configuration::WebhookEvent::Approved,
            &slug,
            lang,
            v.revision,
            None,
            Some(editor_name),
        );
        store
            .approve_version(&VersionApproval {
                article: article.id,
                lang,
                editor: editor_name,
                events: &events,
            })
            .await?;
        tracing::info!(%slug, %lang, editor = editor_name, "version approved at the desk");
        Ok::<_, AdminError>(review_url(&slug, lang))
    }
    .await;
    match done {
        Ok(url) => Redirect::to(&format!("{url}?flash=approved")).into_response(),
        Err(e) => e.page(&app, Some(session)),
    }
}

/// `GET …/preview`: the stored version (held or not) rendered by the site's
/// own article template, as readers will see it once published.
pub(super) async fn preview(
    State(app): State<Arc<App>>,
    editor: Editor,
    Path((slug, lang)): Path<(String, String)>,
) -> Response {
    let session = &editor.session;
    let l = match load(&app, &slug, &lang).await {
        Ok(l) => l,
        Err(e) => return e.page(&app, Some(session)),
    };
    let Some(v) = &l.version else {
        return not_found().page(&app, Some(session));
    };
    let ts = Timestamp::from_unix_millis;
    let source = l.current.source_lang;
    // The languages readers can switch to once this one is published.
    let mut published: Vec<Lang> = match app.ctx.store.readable_versions(l.article.id).await {
        Ok(vs) => vs.iter().map(|r| r.lang).collect(),
        Err(e) => return AdminError::from(e).page(&app, Some(session)),
    };
    if !published.contains(&l.lang) {
        published.push(l.lang);
    }
    let page = warta_site::ArticlePage {
        site: &app.site,
        lang: l.lang,
        alternates: app
            .site
            .article_alternates(&l.article.slug, source, &published),
        canonical_url: app.site.article_url(l.lang, &l.article.slug),
        title: v.title.clone(),
        summary: v.summary.clone(),
        body_html: v.body_html.clone(),
        author: l.current.author.clone(),
        published_at: ts(l.current.published_at),
        translated_at: Some(ts(v.translated_at)),
        corrected_at: None,
        origin: match v.origin {
            Origin::Machine if v.reviewed_by.is_some() => SiteOrigin::MachineReviewed {
                model: v.model_id.clone().unwrap_or_default(),
            },
            Origin::Machine => SiteOrigin::Machine {
                model: v.model_id.clone().unwrap_or_default(),
            },
            Origin::Human => SiteOrigin::Human { reviewed: true },
        },
    };
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        warta_site::render_article(&page),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_summaries_count_as_the_segmenter_cuts_them() {
        // The pipeline's unit test texts: one sentence, two, none.
        assert_eq!(sentence_count("Floods hit the city"), 1);
        assert_eq!(
            sentence_count("Heavy rain caused floods. Schools were closed."),
            2
        );
        assert_eq!(sentence_count(""), 0);
    }

    fn revision(no: i64, title: &str, body_html: &str) -> Revision {
        Revision {
            article_id: warta_store::ArticleId(1),
            revision: warta_store::RevisionNo(no),
            title: title.into(),
            summary: String::new(),
            body_html: body_html.into(),
            author: None,
            published_at: 0,
            source_lang: Lang::parse("en").unwrap(),
            created_at: 0,
        }
    }

    #[test]
    fn changes_of_the_original_are_listed_sentence_by_sentence() {
        // Hand-made revisions: the second sentence reworded, the third
        // removed, one added at the end; the title and first sentence kept.
        let old = revision(
            1,
            "Floods hit the city",
            "<p>The river rose. Schools were closed on Monday. Roads were cut.</p>",
        );
        let new = revision(
            2,
            "Floods hit the city",
            "<p>The river rose. Schools were closed on Tuesday.</p><p>The mayor asked for help.</p>",
        );
        let got = original_changes(&old, &new).ok().unwrap();
        let s = |t: &str| Some(t.to_string());
        assert_eq!(
            got,
            vec![
                OriginalChange {
                    kind: "changed",
                    before: s("Schools were closed on Monday."),
                    after: s("Schools were closed on Tuesday."),
                },
                OriginalChange {
                    kind: "changed",
                    before: s("Roads were cut."),
                    after: s("The mayor asked for help."),
                },
            ]
        );
        assert!(original_changes(&old, &old).ok().unwrap().is_empty());
        let longer = revision(
            3,
            "Floods hit the city",
            "<p>The river rose. Schools were closed on Monday. Roads were cut. Rain fell.</p>",
        );
        assert_eq!(
            original_changes(&old, &longer).ok().unwrap(),
            vec![OriginalChange {
                kind: "added",
                before: None,
                after: s("Rain fell.")
            }]
        );
    }
}
