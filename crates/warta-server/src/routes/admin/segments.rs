//! One sentence of a machine translation, edited and approved: the page
//! the queue links to, and the approval every sentence edit of the desk
//! goes through ([`approve_sentence`]).
//!
//! Approving a fix does four things, each idempotent so a retry converges:
//! the segment becomes the editor's text (`human`), the sentence goes into
//! the translation memory as a human entry (so every later article with the
//! same sentence reuses it), the segment's flags are resolved, and a job to
//! rebuild the version is queued ahead of the backlog (the worker takes the
//! approved sentence from the memory), with jobs for the other published
//! articles that contain the same sentence.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use warta_core::{normalize_segment, Lang, Pair, Slug};
use warta_store::{Approval, QaFlag, ReviewItem, SegmentApproval, Session};

use super::{
    checked_post, confidence, form_or_empty, html, one_line, store_as, AdminError, Editor,
    LineRefused,
};
use crate::startup::App;

/// Longest corrected sentence accepted (characters).
pub(super) const MAX_SEGMENT_CHARS: usize = 2000;

#[derive(Template)]
#[template(path = "admin/segment.html")]
struct SegmentPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    message: Option<&'a str>,
    title: &'a str,
    idx_display: i64,
    lang: &'static str,
    lang_name: &'static str,
    dir: &'static str,
    source_lang: &'static str,
    revision: i64,
    confidence: String,
    public_url: String,
    action: String,
    flags: &'a [QaFlag],
    source: &'a str,
    pivot: Option<&'a str>,
    published: &'a str,
    /// What the textarea holds: the published text, or the rejected input.
    text: &'a str,
    max_chars: usize,
}

/// Ahead of every ordinary job: an editor is looking at the page.
const APPROVAL_PRIORITY: i64 = 10;

/// The editor's page of segment `idx` of the `lang` version of `slug`.
pub(super) fn edit_url(slug: &Slug, lang: Lang, idx: i64) -> String {
    format!("/admin/segments/{}/{}/{}", slug.as_str(), lang.code(), idx)
}

/// The segment named by the URL: a live article, a target language of this
/// site, a segment index.
pub(super) struct SegmentRef {
    pub slug: Slug,
    pub lang: Lang,
    pub idx: i64,
}

pub(super) fn parse_segment_ref(
    app: &App,
    slug: &str,
    lang: &str,
    idx: &str,
) -> Result<SegmentRef, AdminError> {
    let not_found = || AdminError::new(StatusCode::NOT_FOUND, "No such segment.");
    let slug = Slug::parse(slug).map_err(|_| not_found())?;
    let lang = Lang::parse(lang)
        .ok()
        .filter(|l| app.config().targets.contains(l))
        .ok_or_else(not_found)?;
    let idx = idx.parse::<u32>().map_err(|_| not_found())?;
    Ok(SegmentRef {
        slug,
        lang,
        idx: i64::from(idx),
    })
}

pub(super) async fn load_segment(app: &App, r: &SegmentRef) -> Result<ReviewItem, AdminError> {
    let article = app.ctx.store.article(&r.slug).await?;
    Ok(app
        .ctx
        .store
        .review_segment(article.id, r.lang, r.idx)
        .await?)
}

fn segment_page(
    app: &App,
    session: &Session,
    item: &ReviewItem,
    status: StatusCode,
    message: Option<&str>,
    text: &str,
) -> Response {
    html(
        status,
        &SegmentPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            message,
            title: &item.title,
            idx_display: item.segment.idx + 1,
            lang: item.lang.code(),
            lang_name: item.lang.english_name(),
            dir: item.lang.dir().as_str(),
            source_lang: app.config().source.code(),
            revision: item.revision.0,
            confidence: confidence(item.segment.confidence),
            public_url: app.site.article_url(item.lang, &item.slug),
            action: edit_url(&item.slug, item.lang, item.segment.idx),
            flags: &item.flags,
            source: &item.segment.source_text,
            pivot: item.segment.pivot_text.as_deref(),
            published: &item.segment.target_text,
            text,
            max_chars: MAX_SEGMENT_CHARS,
        },
    )
}

pub(super) async fn edit_form(
    State(app): State<Arc<App>>,
    editor: Editor,
    Path((slug, lang, idx)): Path<(String, String, String)>,
) -> Response {
    match find_segment(&app, &slug, &lang, &idx).await {
        Ok(item) => segment_page(
            &app,
            &editor.session,
            &item,
            StatusCode::OK,
            None,
            &item.segment.target_text,
        ),
        Err(e) => e.page(&app, Some(&editor.session)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub(super) csrf: String,
    pub(super) text: String,
}

/// The editor's sentence, parsed: line breaks and tabs a textarea lets in
/// become single spaces (a segment is one sentence of running text); other
/// control characters, blank text and overlong text are refused.
pub(super) fn parse_segment_text(raw: &str) -> Result<String, &'static str> {
    one_line(raw, MAX_SEGMENT_CHARS).map_err(|e| match e {
        LineRefused::Empty => "The corrected translation must not be empty.",
        LineRefused::Control => {
            "The corrected translation contains control characters; retype it as plain text."
        }
        LineRefused::TooLong => "The corrected translation is too long for one sentence.",
    })
}

/// A sentence an editor posted (from its own page or the article's review
/// page): the form's token checked and the segment found, with the text
/// parsed or why it was refused.
pub(super) struct SentenceEdit {
    pub(super) item: ReviewItem,
    pub(super) text: Result<String, &'static str>,
    /// What the editor typed, to show again when it is refused.
    pub(super) typed: String,
}

impl SentenceEdit {
    /// `Err` is the answer to send as it is (a refused token, no such
    /// segment); a refused text is each page's to show.
    pub(super) async fn read(
        app: &App,
        session: &Session,
        headers: &HeaderMap,
        (slug, lang, idx): (&str, &str, &str),
        form: Result<Form<EditForm>, FormRejection>,
    ) -> Result<SentenceEdit, Response> {
        let form = form_or_empty(form);
        checked_post(app, session, headers, &form.csrf)?;
        let item = find_segment(app, slug, lang, idx)
            .await
            .map_err(|e| e.page(app, Some(session)))?;
        Ok(SentenceEdit {
            item,
            text: parse_segment_text(&form.text),
            typed: form.text,
        })
    }
}

/// The segment `slug`/`lang`/`idx` of a URL, as the editor sees it.
pub(super) async fn find_segment(
    app: &App,
    slug: &str,
    lang: &str,
    idx: &str,
) -> Result<ReviewItem, AdminError> {
    load_segment(app, &parse_segment_ref(app, slug, lang, idx)?).await
}

pub(super) async fn approve(
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
            return segment_page(
                &app,
                session,
                &edit.item,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
                &edit.typed,
            )
        }
    };
    if let Err(e) = approve_sentence(&app, session, &item, &text).await {
        return e.page(&app, Some(session));
    }
    let flash = "published";
    Redirect::to(&format!("/admin?flash={flash}")).into_response()
}

/// Approve `text` as segment `item` (as the editor saw it): one store
/// transaction — the sentence, its flags, the memory, the `approved` event,
/// and the page rebuilt by a worker through the queue like every
/// translation, ahead of the backlog (the approved text is in the memory as
/// a human entry, so the job uses it verbatim), with the other articles
/// published with the same sentence. Every sentence edit of the desk comes
/// here.
pub(super) async fn approve_sentence(
    app: &App,
    session: &Session,
    item: &ReviewItem,
    text: &str,
) -> Result<Approval, AdminError> {
    let editor_name = session.username.as_str();
    let (article, lang, idx) = (item.article_id, item.lang, item.segment.idx);
    let events = crate::webhooks::events(
        app.config(),
        crate::configuration::WebhookEvent::Approved,
        &item.slug,
        lang,
        item.revision,
        None,
        Some(editor_name),
    );
    let approval = SegmentApproval {
        article,
        lang,
        idx,
        source_text: &item.segment.source_text,
        source_norm: &normalize_segment(&item.segment.source_text),
        pair: Pair {
            src: app.config().source,
            trg: lang,
        },
        text,
        editor: editor_name,
        events: &events,
        priority: APPROVAL_PRIORITY,
    };
    let approved = store_as(app, session).approve_segment(&approval).await?;
    tracing::info!(slug = %item.slug, %lang, idx, editor = editor_name,
        others = approved.others_queued, "segment approved");
    Ok(approved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_text_is_one_line_of_printable_text() {
        assert_eq!(
            parse_segment_text("  Uma frase\r\ncorrigida.\t").unwrap(),
            "Uma frase corrigida."
        );
        assert!(parse_segment_text(" \n ").is_err());
        assert!(parse_segment_text("nul\u{0}byte").is_err());
        assert!(parse_segment_text("bell\u{7}").is_err());
        assert!(parse_segment_text(&"a".repeat(MAX_SEGMENT_CHARS + 1)).is_err());
        // Arabic with a right-to-left mark is text, not a control character.
        assert!(parse_segment_text("مرحبا\u{200F} بالعالم").is_ok());
    }
}
