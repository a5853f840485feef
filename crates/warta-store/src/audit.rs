//! The audit log: who did what, to which object, when.
//!
//! One table (`audit_log`) and one way in: [`audit_in_tx!`], called by
//! every store function that carries out a desk or API action — an
//! approval (a sentence or a whole version), a sentence edit, a dismissed
//! flag, a hold and its release, a human translation, a glossary change, a
//! team change, a suggestion accepted or rejected, an article's original
//! created, revised or deleted (by the CMS API, an import or the command
//! line) — inside that action's
//! own transaction. The action and its record commit together or not at
//! all: a refused or failed action leaves no row, and no action is done
//! without one.
//!
//! Who acted is the [`Actor`] the store handle carries
//! ([`Store::acting_as`]): the routes bind the logged-in user or the API
//! key's name before calling; anything else (the command line, tests) acts
//! as [`Actor::system`]. What the store must never do here: decide whether
//! an actor may act (the routes check roles and scopes first).

use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::types::text_enum;
use crate::{with_db, Store};

/// Longest text of one side of an edit kept in a record's detail: a
/// sentence is at most 2,000 characters at the desk.
const MAX_DETAIL_TEXT: usize = 2000;

/// Longest page of the log one call returns.
pub const MAX_AUDIT_PAGE: u32 = 200;

text_enum!(
    /// What kind of actor acted.
    ActorKind { User => "user", ApiKey => "api_key", System => "system" }
);

text_enum!(
    /// What was done. The names are stable: the API serves them and the
    /// desk filters by them.
    AuditAction {
        SegmentApprove => "segment_approve",
        SegmentEdit => "segment_edit",
        VersionApprove => "version_approve",
        HumanTranslation => "human_translation",
        FlagDismiss => "flag_dismiss",
        Hold => "hold",
        Release => "release",
        GlossaryAdd => "glossary_add",
        GlossaryEdit => "glossary_edit",
        GlossaryDelete => "glossary_delete",
        UserCreate => "user_create",
        PasswordReset => "password_reset",
        SessionsEnd => "sessions_end",
        SuggestionAccept => "suggestion_accept",
        SuggestionReject => "suggestion_reject",
        ArticleCreate => "article_create",
        ArticleRevise => "article_revise",
        ArticleDelete => "article_delete",
    }
);

impl AuditAction {
    /// Every action, in the order the desk lists them.
    pub const ALL: [AuditAction; 18] = [
        AuditAction::SegmentApprove,
        AuditAction::SegmentEdit,
        AuditAction::VersionApprove,
        AuditAction::HumanTranslation,
        AuditAction::FlagDismiss,
        AuditAction::Hold,
        AuditAction::Release,
        AuditAction::GlossaryAdd,
        AuditAction::GlossaryEdit,
        AuditAction::GlossaryDelete,
        AuditAction::UserCreate,
        AuditAction::PasswordReset,
        AuditAction::SessionsEnd,
        AuditAction::SuggestionAccept,
        AuditAction::SuggestionReject,
        AuditAction::ArticleCreate,
        AuditAction::ArticleRevise,
        AuditAction::ArticleDelete,
    ];

    /// The action named `s`, if it is one.
    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Who acts through a store handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    /// The username, or the API key's name.
    pub name: String,
}

impl Actor {
    /// A logged-in user of the desk.
    pub fn user(name: &str) -> Actor {
        Actor {
            kind: ActorKind::User,
            name: name.to_string(),
        }
    }

    /// A program with an API key, by the key's name.
    pub fn api_key(name: &str) -> Actor {
        Actor {
            kind: ActorKind::ApiKey,
            name: name.to_string(),
        }
    }

    /// warta itself: the command line, or a caller that named nobody.
    pub fn system() -> Actor {
        Actor {
            kind: ActorKind::System,
            name: "system".to_string(),
        }
    }
}

/// One record of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// The username or API key name.
    pub actor: String,
    pub actor_kind: ActorKind,
    pub action: AuditAction,
    /// What was acted on: `slug/lang` for an article's translation, `term →
    /// lang` for a glossary entry, `user NAME`, `suggestion #ID`.
    pub object: String,
    /// A short account: the old and new text of an edit, a reason, a count.
    pub detail: String,
}

/// Which records to read: newest first, older than `before` (an id, for
/// the next page), of one actor and/or one action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub before: Option<i64>,
    pub limit: u32,
}

/// One page of the log, and the cursor of the next (the last id shown)
/// when there may be more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<i64>,
}

/// `text`, quoted and cut to [`MAX_DETAIL_TEXT`] characters.
pub(crate) fn quoted(text: &str) -> String {
    let mut chars = text.chars();
    let kept: String = chars.by_ref().take(MAX_DETAIL_TEXT).collect();
    match chars.next() {
        Some(_) => format!("“{kept}…”"),
        None => format!("“{kept}”"),
    }
}

/// `“old” → “new”`, the detail of an edit.
pub(crate) fn change(old: &str, new: &str) -> String {
    format!("{} → {}", quoted(old), quoted(new))
}

/// Write one audit record inside the open transaction `$tx` of the action
/// it records, as `$store`'s actor: `$action` ([`AuditAction`]) on
/// `$object`, with `$detail`. A macro because the transaction's type
/// differs per database.
macro_rules! audit_in_tx {
    ($tx:expr, $store:expr, $action:expr, $object:expr, $detail:expr, $now:expr) => {{
        let actor: &$crate::audit::Actor = &$store.actor;
        let action: $crate::audit::AuditAction = $action;
        let object: &str = &$object;
        let detail: &str = &$detail;
        sqlx::query(
            "INSERT INTO audit_log (at, actor, actor_kind, action, object, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($now)
        .bind(&actor.name)
        .bind(actor.kind.as_str())
        .bind(action.as_str())
        .bind(object)
        .bind(detail)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use audit_in_tx;

/// `slug/lang` of an article's translation, read inside `$tx` (an
/// article that does not exist is named by its id).
macro_rules! article_object_in_tx {
    ($tx:expr, $article:expr, $lang:expr) => {{
        let article: $crate::types::ArticleId = $article;
        let lang: warta_core::Lang = $lang;
        let slug: Option<String> = sqlx::query_scalar("SELECT slug FROM articles WHERE id = $1")
            .bind(article.0)
            .fetch_optional(&mut *$tx)
            .await?;
        match slug {
            Some(slug) => format!("{slug}/{lang}"),
            None => format!("article #{article}/{lang}"),
        }
    }};
}
pub(crate) use article_object_in_tx;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    actor: String,
    actor_kind: String,
    action: String,
    object: String,
    detail: String,
}

impl AuditRow {
    fn parse(self) -> Result<AuditEntry> {
        Ok(AuditEntry {
            id: self.id,
            at: self.at,
            actor: self.actor,
            actor_kind: ActorKind::from_db(&self.actor_kind)?,
            action: AuditAction::from_db(&self.action)?,
            object: self.object,
            detail: self.detail,
        })
    }
}

impl Store {
    /// This handle, acting as `actor`: every audited action through it is
    /// recorded as theirs. Cheap (the pool is shared).
    pub fn acting_as(&self, actor: Actor) -> Store {
        Store {
            actor: std::sync::Arc::new(actor),
            ..self.clone()
        }
    }

    /// Who this handle acts as.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// One page of the audit log, newest first (see [`AuditFilter`]; the
    /// page is at most [`MAX_AUDIT_PAGE`]). Each filter reads its own
    /// index, so a page costs the same however long the log.
    pub async fn audit_log(&self, f: &AuditFilter) -> Result<AuditPage> {
        if f.actor.as_ref().is_some_and(|a| a.chars().count() > 200) {
            return Err(StoreError::Invalid(
                "an actor name is at most 200 characters".into(),
            ));
        }
        let limit = f.limit.clamp(1, MAX_AUDIT_PAGE);
        let rows: Vec<AuditRow> = with_db!(self, |pool, _d| {
            let mut q = crate::review::builder(
                pool,
                "SELECT id, at, actor, actor_kind, action, object, detail FROM audit_log WHERE 1 = 1",
            );
            if let Some(actor) = &f.actor {
                q.push(" AND actor = ").push_bind(actor.clone());
            }
            if let Some(action) = f.action {
                q.push(" AND action = ").push_bind(action.as_str());
            }
            if let Some(before) = f.before {
                q.push(" AND id < ").push_bind(before);
            }
            q.push(" ORDER BY id DESC LIMIT ")
                .push_bind(i64::from(limit) + 1);
            q.build_query_as().fetch_all(pool).await?
        });
        let more = rows.len() > limit as usize;
        let entries = rows
            .into_iter()
            .take(limit as usize)
            .map(AuditRow::parse)
            .collect::<Result<Vec<_>>>()?;
        let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
        Ok(AuditPage {
            entries,
            next_before,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_parses_back_from_its_name() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            assert_eq!(AuditAction::from_db(a.as_str()).unwrap(), a);
        }
        assert_eq!(AuditAction::parse("drop_table"), None);
    }

    #[test]
    fn long_texts_are_cut_in_the_detail() {
        assert_eq!(change("a", "b"), "“a” → “b”");
        let long = "x".repeat(MAX_DETAIL_TEXT + 5);
        let q = quoted(&long);
        assert_eq!(
            q.chars().count(),
            MAX_DETAIL_TEXT + 3,
            "quotes and an ellipsis"
        );
        assert!(q.ends_with("…”"));
    }
}
