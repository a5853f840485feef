//! The glossary at `/admin/glossary`: list and search the entries, add one
//! (case sensitivity, keep-as-is, note), edit one, delete one. Every change
//! is one store transaction that re-queues the translations of the
//! articles mentioning the term (`Store::add_glossary_entry`,
//! `update_glossary_entry`, `delete_glossary_entry`), and the page says how
//! many it re-queued. An entry is validated by `NewGlossaryEntry::parse`,
//! as the API and the command line do.
//!
//! The glossary as a file: `GET /admin/glossary/export.tsv` downloads it
//! (`warta_store::glossary_tsv`); `POST /admin/glossary/import` uploads one
//! (a multipart form, `Store::import_glossary_tsv`): all or nothing, every
//! refused line listed with its number and reason.

use std::sync::Arc;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use warta_core::Lang;
use warta_store::{
    GlossaryEntry, GlossaryFields, GlossaryImport, NewGlossaryEntry, RefusedLine, Session,
    MAX_NOTE_CHARS, MAX_TERM_CHARS,
};

use super::login::CsrfForm;
use super::{checked_post, form_or_empty, html, store_as, AdminError, Editor};
use crate::startup::App;

struct Row {
    id: i64,
    source: String,
    lang: &'static str,
    target: String,
    keep: bool,
    case_sensitive: bool,
    note: String,
    edit_url: String,
    delete_action: String,
}

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

/// What the add or edit form holds: empty, an entry, or the rejected input.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryForm {
    csrf: String,
    source: String,
    target_lang: String,
    target: String,
    /// A checkbox: present ("on") when ticked.
    keep: Option<String>,
    case_sensitive: Option<String>,
    note: String,
    /// `terms` when posted from the term suggestions, to go back there.
    back: String,
}

impl EntryForm {
    fn of(e: &GlossaryEntry) -> EntryForm {
        let keep = e.source_term == e.target_term;
        EntryForm {
            csrf: String::new(),
            source: e.source_term.clone(),
            target_lang: e.target_lang.code().to_string(),
            target: if keep {
                String::new()
            } else {
                e.target_term.clone()
            },
            keep: keep.then(|| "on".into()),
            case_sensitive: e.case_sensitive.then(|| "on".into()),
            note: e.note.clone().unwrap_or_default(),
            back: String::new(),
        }
    }

    /// The entry, by the one validation of an entry. "Keep as is" makes
    /// the target the source (a do-not-translate entry).
    fn parse(&self, targets: &[Lang]) -> Result<NewGlossaryEntry, warta_core::FieldError> {
        let keep = self.keep.is_some();
        NewGlossaryEntry::parse(
            GlossaryFields {
                source: Some(self.source.clone()),
                target_lang: Some(self.target_lang.clone()),
                target: Some(if keep {
                    self.source.clone()
                } else {
                    self.target.clone()
                }),
                case_sensitive: Some(self.case_sensitive.is_some()),
                note: Some(self.note.clone()),
            },
            targets,
        )
    }
}

#[derive(Template)]
#[template(path = "admin/glossary.html")]
struct GlossaryPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    notice: Option<String>,
    error: Option<String>,
    total: usize,
    rows: Vec<Row>,
    filter_langs: Vec<Choice>,
    q: &'a str,
    form: &'a EntryForm,
    form_langs: Vec<Choice>,
    max_term: usize,
    max_note: usize,
    /// An import refused: why, and each refused line.
    import_error: Option<String>,
    refused: &'a [RefusedLine],
}

#[derive(Template)]
#[template(path = "admin/glossary_edit.html")]
struct EditPage<'a> {
    site_name: &'a str,
    desk_user: Option<&'a warta_store::Session>,
    csrf: &'a str,
    error: Option<String>,
    action: String,
    form: &'a EntryForm,
    form_langs: Vec<Choice>,
    max_term: usize,
    max_note: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    lang: Option<String>,
    q: Option<String>,
    flash: Option<String>,
    requeued: Option<String>,
    /// After an import: entries added, and lines skipped as already there.
    added: Option<String>,
    skipped: Option<String>,
}

fn lang_choices(app: &App, selected: &str, any: Option<&str>) -> Vec<Choice> {
    let mut v: Vec<Choice> = any
        .map(|label| Choice {
            value: "",
            label: label.to_string(),
            selected: selected.is_empty(),
        })
        .into_iter()
        .collect();
    v.extend(app.config().targets.iter().map(|l| Choice {
        value: l.code(),
        label: format!("{} ({})", l.english_name(), l.code()),
        selected: l.code() == selected,
    }));
    v
}

/// The notice after a change: fixed words around the count from the URL
/// (parsed as a number; nothing else from the URL is shown).
fn notice(q: &ListQuery) -> Option<String> {
    let number = |v: &Option<String>| {
        v.as_deref()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let n = number(&q.requeued);
    let imported;
    let what = match q.flash.as_deref()? {
        "added" => "Entry added",
        "changed" => "Entry changed",
        "deleted" => "Entry deleted",
        "imported" => {
            let (added, skipped) = (number(&q.added), number(&q.skipped));
            imported = format!(
                "File imported: {added} {} added, {skipped} already in the glossary",
                if added == 1 { "entry" } else { "entries" }
            );
            imported.as_str()
        }
        _ => return None,
    };
    Some(requeued_notice(what, n))
}

/// "`what`; N translations re-queued: …", as every glossary change says it
/// (here and on the term suggestions, `terms.rs`).
pub(super) fn requeued_notice(what: &str, n: u64) -> String {
    match n {
        0 => format!("{what}; no published translation mentions the term."),
        1 => format!("{what}; 1 translation re-queued: it is being made again with the glossary."),
        n => format!(
            "{what}; {n} translations re-queued: they are being made again with the glossary."
        ),
    }
}

fn entry_url(id: i64) -> String {
    format!("/admin/glossary/{id}")
}

/// What went wrong on the page, if anything: the add form's input, or an
/// import file's refused lines.
enum Trouble<'a> {
    None,
    Entry(String),
    Import(String, &'a [RefusedLine]),
}

async fn list_page(
    app: &App,
    session: &Session,
    query: &ListQuery,
    status: StatusCode,
    trouble: Trouble<'_>,
    form: &EntryForm,
) -> Response {
    let (error, import_error, refused) = match trouble {
        Trouble::None => (None, None, &[][..]),
        Trouble::Entry(e) => (Some(e), None, &[][..]),
        Trouble::Import(e, lines) => (None, Some(e), lines),
    };
    let lang = query
        .lang
        .as_deref()
        .and_then(|l| Lang::parse(l).ok())
        .filter(|l| app.config().targets.contains(l));
    let entries = match app.ctx.store.list_glossary(lang).await {
        Ok(e) => e,
        Err(e) => return AdminError::from(e).page(app, Some(session)),
    };
    let q = query.q.as_deref().unwrap_or("").trim().to_string();
    let needle = q.to_lowercase();
    let rows: Vec<Row> = entries
        .iter()
        .filter(|e| {
            needle.is_empty()
                || e.source_term.to_lowercase().contains(&needle)
                || e.target_term.to_lowercase().contains(&needle)
                || e.note
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&needle))
        })
        .map(|e| Row {
            id: e.id,
            source: e.source_term.clone(),
            lang: e.target_lang.code(),
            target: e.target_term.clone(),
            keep: e.source_term == e.target_term,
            case_sensitive: e.case_sensitive,
            note: e.note.clone().unwrap_or_default(),
            edit_url: entry_url(e.id),
            delete_action: format!("{}/delete", entry_url(e.id)),
        })
        .collect();
    let selected = lang.map_or("", |l| l.code());
    let form_lang = if form.target_lang.is_empty() {
        app.config().targets.first().map_or("", |l| l.code())
    } else {
        form.target_lang.as_str()
    };
    html(
        status,
        &GlossaryPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            notice: notice(query),
            error,
            total: entries.len(),
            rows,
            filter_langs: lang_choices(app, selected, Some("All languages")),
            q: &q,
            form,
            form_langs: lang_choices(app, form_lang, None),
            max_term: MAX_TERM_CHARS,
            max_note: MAX_NOTE_CHARS,
            import_error,
            refused,
        },
    )
}

pub(super) async fn list(
    State(app): State<Arc<App>>,
    editor: Editor,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    list_page(
        &app,
        &editor.session,
        &query,
        StatusCode::OK,
        Trouble::None,
        &EntryForm::default(),
    )
    .await
}

fn done(flash: &str, requeued: u64) -> Response {
    Redirect::to(&format!(
        "/admin/glossary?flash={flash}&requeued={requeued}"
    ))
    .into_response()
}

/// What an editor reads for a refused entry: the field and why.
fn refused(e: &warta_core::FieldError) -> String {
    let field = match e.field.as_str() {
        "source" => "Source term",
        "target" => "Translation",
        "target_lang" => "Language",
        "note" => "Note",
        other => other,
    };
    format!("{field}: {}", e.message.replace('`', ""))
}

pub(super) async fn add(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    form: Result<Form<EntryForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(refused) = checked_post(&app, session, &headers, &form.csrf) {
        return refused;
    }
    let again = |status, why: String| {
        let form = &form;
        let app = &app;
        async move {
            let q = ListQuery::default();
            list_page(app, session, &q, status, Trouble::Entry(why), form).await
        }
    };
    let entry = match form.parse(&app.config().targets) {
        Ok(e) => e,
        Err(e) => return again(StatusCode::UNPROCESSABLE_ENTITY, refused(&e)).await,
    };
    match store_as(&app, session).add_glossary_entry(&entry).await {
        Ok((_, requeued)) if form.back == "terms" => {
            Redirect::to(&format!("/admin/terms?flash=added&requeued={requeued}")).into_response()
        }
        Ok((_, requeued)) => done("added", requeued),
        Err(warta_store::StoreError::Conflict(why)) => {
            again(
                StatusCode::CONFLICT,
                format!("{why}; edit that entry instead."),
            )
            .await
        }
        Err(e) => AdminError::from(e).page(&app, Some(session)),
    }
}

fn edit_page(
    app: &App,
    session: &Session,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    form: &EntryForm,
) -> Response {
    html(
        status,
        &EditPage {
            site_name: &app.config().site_name,
            desk_user: Some(session),
            csrf: &session.csrf_token,
            error,
            action: entry_url(id),
            form,
            form_langs: lang_choices(app, &form.target_lang, None),
            max_term: MAX_TERM_CHARS,
            max_note: MAX_NOTE_CHARS,
        },
    )
}

fn no_entry() -> AdminError {
    AdminError::new(StatusCode::NOT_FOUND, "No such glossary entry.")
}

fn parse_id(id: &str) -> Result<i64, AdminError> {
    id.parse::<i64>().map_err(|_| no_entry())
}

pub(super) async fn edit_form(
    State(app): State<Arc<App>>,
    editor: Editor,
    Path(id): Path<String>,
) -> Response {
    let session = &editor.session;
    let found = async {
        let id = parse_id(&id)?;
        match app.ctx.store.glossary_entry(id).await? {
            Some(e) => Ok((id, e)),
            None => Err(no_entry()),
        }
    };
    match found.await {
        Ok((id, e)) => edit_page(&app, session, id, StatusCode::OK, None, &EntryForm::of(&e)),
        Err(e) => e.page(&app, Some(session)),
    }
}

pub(super) async fn update(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<EntryForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(refused) = checked_post(&app, session, &headers, &form.csrf) {
        return refused;
    }
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return e.page(&app, Some(session)),
    };
    let entry = match form.parse(&app.config().targets) {
        Ok(e) => e,
        Err(e) => {
            return edit_page(
                &app,
                session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(refused(&e)),
                &form,
            )
        }
    };
    match store_as(&app, session)
        .update_glossary_entry(id, &entry)
        .await
    {
        Ok((_, requeued)) => done("changed", requeued),
        Err(warta_store::StoreError::Conflict(why)) => edit_page(
            &app,
            session,
            id,
            StatusCode::CONFLICT,
            Some(format!("{why}.")),
            &form,
        ),
        Err(e) => AdminError::from(e).page(&app, Some(session)),
    }
}

pub(super) async fn delete(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let form = form_or_empty(form);
    let session = &editor.session;
    if let Err(refused) = checked_post(&app, session, &headers, &form.csrf) {
        return refused;
    }
    let deleted = async {
        Ok::<_, AdminError>(
            store_as(&app, session)
                .delete_glossary_entry(parse_id(&id)?)
                .await?,
        )
    };
    match deleted.await {
        Ok((_, requeued)) => done("deleted", requeued),
        Err(e) => e.page(&app, Some(session)),
    }
}

/// `GET /admin/glossary/export.tsv`: the whole glossary as a file.
pub(super) async fn export(State(app): State<Arc<App>>, editor: Editor) -> Response {
    match app.ctx.store.list_glossary(None).await {
        Ok(entries) => crate::routes::glossary::tsv_file(&entries),
        Err(e) => AdminError::from(e).page(&app, Some(&editor.session)),
    }
}

/// The form token and the file of the import form, read from its
/// multipart body; `None` for what is missing or unreadable.
async fn import_form(mut form: Multipart) -> (String, Option<Vec<u8>>) {
    let (mut csrf, mut file) = (String::new(), None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => file = field.bytes().await.ok().map(|b| b.to_vec()),
            _ => {}
        }
    }
    (csrf, file)
}

/// `POST /admin/glossary/import`: a TSV file, all or nothing
/// (`Store::import_glossary_tsv`). Imported: back to the list, saying how
/// many entries and re-queued translations; refused: the list with every
/// refused line.
pub(super) async fn import(
    State(app): State<Arc<App>>,
    editor: Editor,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let session = &editor.session;
    let (csrf, file) = match form {
        Ok(form) => import_form(form).await,
        Err(_) => (String::new(), None),
    };
    if let Err(refused) = checked_post(&app, session, &headers, &csrf) {
        return refused;
    }
    let refused = |why: &str, lines: &[RefusedLine]| {
        let (app, why) = (&app, why.to_string());
        let lines = lines.to_vec();
        async move {
            let q = ListQuery::default();
            let trouble = Trouble::Import(why, &lines);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            list_page(app, session, &q, status, trouble, &EntryForm::default()).await
        }
    };
    let text = match file.as_deref().map(std::str::from_utf8) {
        None | Some(Ok("")) => return refused("Choose a TSV file to import.", &[]).await,
        Some(Err(_)) => {
            return refused("The file is not UTF-8 text; save it as UTF-8 TSV.", &[]).await
        }
        Some(Ok(text)) => text,
    };
    let report: GlossaryImport = match store_as(&app, session)
        .import_glossary_tsv(text, &app.config().targets)
        .await
    {
        Ok(r) => r,
        Err(e) => return AdminError::from(e).page(&app, Some(session)),
    };
    if !report.refused.is_empty() {
        let n = report.refused.len();
        let why = format!(
            "Nothing imported: {n} line{} refused. Fix {} and import the file again.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        );
        return refused(&why, &report.refused).await;
    }
    Redirect::to(&format!(
        "/admin/glossary?flash=imported&added={}&skipped={}&requeued={}",
        report.added.len(),
        report.unchanged.len(),
        report.requeued
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_show_only_fixed_words_and_a_number() {
        let q = |flash: Option<&str>, requeued: &str| ListQuery {
            flash: flash.map(str::to_string),
            requeued: Some(requeued.to_string()),
            added: Some("2".into()),
            skipped: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            notice(&q(Some("added"), "3")).unwrap(),
            "Entry added; 3 translations re-queued: they are being made again with the glossary."
        );
        assert_eq!(
            notice(&q(Some("deleted"), "<b>")).unwrap(),
            "Entry deleted; no published translation mentions the term."
        );
        assert_eq!(
            notice(&q(Some("imported"), "1")).unwrap(),
            "File imported: 2 entries added, 0 already in the glossary; 1 translation re-queued: it is being made again with the glossary."
        );
        assert_eq!(notice(&q(Some("other"), "1")), None);
        assert_eq!(notice(&q(None, "1")), None);
    }

    #[test]
    fn keep_as_is_makes_a_do_not_translate_entry() {
        let pt = Lang::parse("pt").unwrap();
        let f = EntryForm {
            source: " Kompas ".into(),
            target_lang: "pt".into(),
            target: "".into(),
            keep: Some("on".into()),
            ..Default::default()
        };
        let e = f.parse(&[pt]).unwrap();
        assert_eq!(
            (e.source_term.as_str(), e.target_term.as_str()),
            ("Kompas", "Kompas")
        );
        assert!(!e.case_sensitive);
        let f = EntryForm { keep: None, ..f };
        assert_eq!(f.parse(&[pt]).unwrap_err().field, "target");
    }
}
