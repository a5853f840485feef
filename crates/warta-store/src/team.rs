//! The newsroom's team: users' roles, and what an admin does to accounts
//! (create an editor, reset a password, end someone's sessions).
//!
//! Two roles. An `admin` does everything the desk offers, including this;
//! an `editor` reviews, edits, approves and keeps the glossary, but cannot
//! touch accounts. Users made before roles existed, and users made on the
//! server's command line (`warta users create`), are admins: someone has to
//! be able to make the first editor. The routes check the role; the store
//! records each change in the audit log, in the change's transaction.
//!
//! Passwords and sessions themselves are auth.rs's.

use serde::{Deserialize, Serialize};

use crate::audit::{audit_in_tx, AuditAction};
use crate::error::{conflict_on_unique, Result, StoreError};
use crate::types::{text_enum, User, UserId};
use crate::{now_millis, with_db, Store};

/// The shortest password a new account or a reset may set (the command
/// line asks the same).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Longest username.
const MAX_USERNAME_CHARS: usize = 64;

text_enum!(
    /// What a user may do at the desk.
    Role { Admin => "admin", Editor => "editor" }
);

impl Role {
    /// The role named `s` (`admin` or `editor`), if it is one.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }
}

/// A user as the team page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub username: String,
    pub role: Role,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Sessions not yet expired: how many browsers are logged in as them.
    pub live_sessions: i64,
}

/// A password an admin may give: at least [`MIN_PASSWORD_CHARS`]
/// characters, no control characters.
pub fn check_new_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "the password must not contain control characters".into(),
        ));
    }
    Ok(())
}

/// A username an admin may give: 1 to 64 letters, digits, `.`, `_` or
/// `-` (it names the person in the audit log and in `reviewed_by`).
fn check_username(username: &str) -> Result<()> {
    let ok = !username.is_empty()
        && username.chars().count() <= MAX_USERNAME_CHARS
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "a username is 1 to {MAX_USERNAME_CHARS} letters, digits, `.`, `_` or `-`"
        )))
    }
}

impl Store {
    /// Every user, by name, with their role and live sessions.
    pub async fn team(&self) -> Result<Vec<TeamMember>> {
        let now = now_millis();
        let rows: Vec<(String, String, i64, i64)> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT u.username, u.role, u.created_at, \
                   CAST((SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > $1) AS BIGINT) \
                 FROM users u ORDER BY u.username",
            )
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(username, role, created_at, live_sessions)| {
                Ok(TeamMember {
                    username,
                    role: Role::from_db(&role)?,
                    created_at,
                    live_sessions,
                })
            })
            .collect()
    }

    /// An admin creates an account with `role` (the desk and the API); the
    /// username and password are checked ([`check_new_password`]), the
    /// record written with it. [`StoreError::Conflict`] if the name is
    /// taken.
    pub async fn add_team_member(
        &self,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<User> {
        check_username(username.trim())?;
        check_new_password(password)?;
        self.create_user_with_role(username, password, role).await
    }

    /// [`Store::create_user`] with a role, audited.
    pub(crate) async fn create_user_with_role(
        &self,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<User> {
        let username = username.trim().to_string();
        if username.is_empty() {
            return Err(StoreError::Invalid("username must not be empty".into()));
        }
        if password.is_empty() {
            return Err(StoreError::Invalid("password must not be empty".into()));
        }
        let hash = crate::auth::hash_password_blocking(password).await?;
        let now = now_millis();
        let id: i64 = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(&username)
            .bind(&hash)
            .bind(role.as_str())
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, || format!("user `{username}` already exists")))?;
            audit_in_tx!(
                &mut *tx,
                self,
                AuditAction::UserCreate,
                format!("user {username}"),
                format!("role {role}"),
                now
            );
            tx.commit().await?;
            id
        });
        Ok(User {
            id: UserId(id),
            username,
            role,
            created_at: now,
        })
    }

    /// An admin sets a new password for `username` (checked as
    /// [`check_new_password`]); their sessions end. [`StoreError::NotFound`]
    /// if there is no such user.
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<User> {
        check_new_password(password)?;
        self.set_password(username, password).await
    }

    /// An admin ends every session of `username` (logged out everywhere,
    /// at once); returns how many there were. [`StoreError::NotFound`] if
    /// there is no such user.
    pub async fn end_sessions(&self, username: &str) -> Result<u64> {
        let username = username.trim().to_string();
        let now = now_millis();
        let ended: Option<u64> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(&username)
                .fetch_optional(&mut *tx)
                .await?;
            match id {
                None => None,
                Some(id) => {
                    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    audit_in_tx!(
                        &mut *tx,
                        self,
                        AuditAction::SessionsEnd,
                        format!("user {username}"),
                        format!("{n} session(s) ended"),
                        now
                    );
                    tx.commit().await?;
                    Some(n)
                }
            }
        });
        ended.ok_or_else(|| StoreError::NotFound(format!("user `{username}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_usernames_an_admin_may_give() {
        assert!(check_new_password("ten chars!").is_ok());
        assert!(check_new_password("nine char").is_err());
        assert!(check_new_password("tab\there12345").is_err());
        assert!(check_username("rina").is_ok());
        assert!(check_username("dewi.s-2_x").is_ok());
        assert!(check_username("").is_err());
        assert!(check_username("two words").is_err());
        assert!(check_username("<script>").is_err());
        assert!(check_username(&"a".repeat(65)).is_err());
    }

    #[test]
    fn roles_read_back_from_their_names() {
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse(" editor "), Some(Role::Editor));
        assert_eq!(Role::parse("root"), None);
    }
}
