//! Newsroom users, their sessions, and API keys.
//!
//! Only hashes are stored. Passwords: argon2id (PHC string, salt and
//! parameters inside), computed on a blocking thread because it is meant to
//! be slow. API keys and session tokens: SHA-256 hex. They are 32 random
//! bytes, so a fast hash is enough, and it lets a key be found by its hash
//! in one indexed lookup (no per-row comparison to time).

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

use crate::error::{conflict_on_unique, Result, StoreError};
use crate::types::*;
use crate::{duration_millis, now_millis, random_hex, sha256_hex, with_db, Store};

/// Every API key starts with this, so a leaked one is recognisable in logs
/// and secret scanners.
pub const API_KEY_PREFIX: &str = "wk_";

/// How many admin login attempts may reach the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    pub per_user: u32,
    pub per_addr: u32,
    pub window: Duration,
}

/// Whether a login attempt may go on to the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginVerdict {
    Allowed,
    /// Over the allowance; the earliest time a retry can be allowed.
    Throttled {
        retry_after: Duration,
    },
}

/// Characters of a key kept in clear for listing: the prefix plus 8 hex digits.
const SHOWN_KEY_CHARS: usize = API_KEY_PREFIX.len() + 8;

fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to check against when the user does not exist, so that "no such
/// user" takes as long as "wrong password" and usernames cannot be probed.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("warta dummy password").unwrap_or_default())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Password(format!("hashing task: {e}")))
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(r: ApiKeyRow) -> ApiKey {
        ApiKey {
            id: ApiKeyId(r.id),
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    username: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Session {
        Session {
            user_id: UserId(r.user_id),
            username: r.username,
            csrf_token: r.csrf_token,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

impl Store {
    /// Create a user; [`StoreError::Conflict`] if the name is taken.
    pub async fn create_user(&self, username: &str, password: &str) -> Result<User> {
        let username = username.trim().to_string();
        if username.is_empty() {
            return Err(StoreError::Invalid("username must not be empty".into()));
        }
        if password.is_empty() {
            return Err(StoreError::Invalid("password must not be empty".into()));
        }
        let password = password.to_string();
        let hash = blocking(move || hash_password(&password)).await??;
        let now = now_millis();
        let id: i64 = with_db!(self, |pool, _d| {
            sqlx::query_scalar(
                "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(&username)
            .bind(&hash)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(|e| conflict_on_unique(e, || format!("user `{username}` already exists")))?
        });
        Ok(User {
            id: UserId(id),
            username,
            created_at: now,
        })
    }

    /// Replace a user's password (e.g. `warta demo` handing out a fresh one
    /// each start); [`StoreError::NotFound`] if there is no such user. Their
    /// sessions end, so an old password's session does not outlive it.
    pub async fn set_password(&self, username: &str, password: &str) -> Result<User> {
        if password.is_empty() {
            return Err(StoreError::Invalid("password must not be empty".into()));
        }
        let password = password.to_string();
        let hash = blocking(move || hash_password(&password)).await??;
        let username = username.trim().to_string();
        let row: Option<(i64, i64)> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let row: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE users SET password_hash = $2 WHERE username = $1 RETURNING id, created_at",
            )
            .bind(&username)
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id, _)) = row {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            row
        });
        let (id, created_at) =
            row.ok_or_else(|| StoreError::NotFound(format!("user `{username}`")))?;
        Ok(User {
            id: UserId(id),
            username,
            created_at,
        })
    }

    /// The user, if `password` is theirs.
    pub async fn verify_user(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row: Option<(i64, String, String, i64)> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT id, username, password_hash, created_at FROM users WHERE username = $1",
            )
            .bind(username.trim())
            .fetch_optional(pool)
            .await?
        });
        let password = password.to_string();
        match row {
            Some((id, username, hash, created_at)) => {
                let ok = blocking(move || password_matches(&password, &hash)).await?;
                Ok(ok.then_some(User {
                    id: UserId(id),
                    username,
                    created_at,
                }))
            }
            None => {
                blocking(move || password_matches(&password, dummy_hash())).await?;
                Ok(None)
            }
        }
    }

    /// Start a session for `user` lasting `ttl`. Returns the session token
    /// (for the cookie; only its hash is stored) and the session.
    pub async fn create_session(&self, user: UserId, ttl: Duration) -> Result<(String, Session)> {
        let token = random_hex(32)?;
        let csrf = random_hex(16)?;
        let now = now_millis();
        let expires = now.saturating_add(duration_millis(ttl));
        let row: Option<SessionRow> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let username: Option<String> =
                sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
                    .bind(user.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            match username {
                None => None,
                Some(username) => {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(sha256_hex(&token))
                    .bind(user.0)
                    .bind(&csrf)
                    .bind(now)
                    .bind(expires)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Some(SessionRow {
                        user_id: user.0,
                        username,
                        csrf_token: csrf,
                        created_at: now,
                        expires_at: expires,
                    })
                }
            }
        });
        let row = row.ok_or_else(|| StoreError::NotFound(format!("user #{user}")))?;
        Ok((token, row.into()))
    }

    /// The live session for `token`, if any (expired sessions are not returned).
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let now = now_millis();
        let row: Option<SessionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT s.user_id, u.username, s.csrf_token, s.created_at, s.expires_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(sha256_hex(token))
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Session::from))
    }

    /// Log out: forget the session for `token` (no-op if unknown).
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        with_db!(self, |pool, _d| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(sha256_hex(token))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Remove expired sessions; returns how many.
    pub async fn delete_expired_sessions(&self) -> Result<u64> {
        let now = now_millis();
        Ok(with_db!(self, |pool, _d| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Count one admin login attempt for `username` and for the client
    /// address `addr` — before the password is checked — and say whether it
    /// may go on to the check: at most `limit.per_user` attempts per username
    /// and `limit.per_addr` per address within a window of `limit.window`.
    ///
    /// Each count is one atomic upsert that returns the new count, so however
    /// many nodes race, concurrent attempts on one name get distinct counts
    /// 1, 2, 3… and exactly the first `per_user` of a window are allowed.
    /// Refused attempts count too: a guesser who keeps trying stays locked
    /// out until the window ends.
    pub async fn login_attempt(
        &self,
        username: &str,
        addr: &str,
        limit: &LoginLimit,
    ) -> Result<LoginVerdict> {
        let now = now_millis();
        let since = now.saturating_sub(duration_millis(limit.window));
        let user = username.trim().to_lowercase();
        let mut allowed = true;
        let mut window_end = now;
        for (scope, key, max) in [
            ("user", user.as_str(), limit.per_user),
            ("addr", addr, limit.per_addr),
        ] {
            let (attempts, window_start): (i64, i64) = with_db!(self, |pool, _d| {
                sqlx::query_as(
                    "INSERT INTO login_attempts (scope, key, window_start, attempts) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (scope, key) DO UPDATE SET \
                       attempts = CASE WHEN login_attempts.window_start <= $4 THEN 1 \
                                       ELSE login_attempts.attempts + 1 END, \
                       window_start = CASE WHEN login_attempts.window_start <= $4 THEN $3 \
                                           ELSE login_attempts.window_start END \
                     RETURNING attempts, window_start",
                )
                .bind(scope)
                .bind(key)
                .bind(now)
                .bind(since)
                .fetch_one(pool)
                .await?
            });
            if attempts > i64::from(max) {
                allowed = false;
                window_end =
                    window_end.max(window_start.saturating_add(duration_millis(limit.window)));
            }
        }
        // Rows of ended windows count for nothing; forgetting them keeps the
        // table as small as one window of traffic.
        with_db!(self, |pool, _d| {
            sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
                .bind(since)
                .execute(pool)
                .await?;
        });
        if allowed {
            return Ok(LoginVerdict::Allowed);
        }
        let wait = u64::try_from(window_end.saturating_sub(now)).unwrap_or(0);
        Ok(LoginVerdict::Throttled {
            retry_after: Duration::from_millis(wait.max(1000)),
        })
    }

    /// A successful login forgets that username's attempts, so an editor who
    /// mistyped once starts the next shift with a full allowance. The
    /// address's attempts stay: they limit guessing across many usernames.
    pub async fn clear_login_attempts(&self, username: &str) -> Result<()> {
        let user = username.trim().to_lowercase();
        with_db!(self, |pool, _d| {
            sqlx::query("DELETE FROM login_attempts WHERE scope = 'user' AND key = $1")
                .bind(&user)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Create an API key named `name`. Returns the key — shown once, never
    /// stored — and its listing entry.
    pub async fn create_api_key(&self, name: &str) -> Result<(String, ApiKey)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("API key name must not be empty".into()));
        }
        let key = format!("{API_KEY_PREFIX}{}", random_hex(32)?);
        let prefix = key[..SHOWN_KEY_CHARS].to_string();
        let now = now_millis();
        let id: i64 = with_db!(self, |pool, _d| {
            sqlx::query_scalar(
                "INSERT INTO api_keys (name, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(name)
            .bind(sha256_hex(&key))
            .bind(&prefix)
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        tracing::info!(name, %prefix, "created API key");
        Ok((
            key,
            ApiKey {
                id: ApiKeyId(id),
                name: name.to_string(),
                prefix,
                created_at: now,
                revoked_at: None,
            },
        ))
    }

    /// The unrevoked key whose plaintext is `key`, if any.
    pub async fn verify_api_key(&self, key: &str) -> Result<Option<ApiKey>> {
        if !key.starts_with(API_KEY_PREFIX) {
            return Ok(None);
        }
        let row: Option<ApiKeyRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT id, name, prefix, created_at, revoked_at FROM api_keys \
                 WHERE key_hash = $1 AND revoked_at IS NULL",
            )
            .bind(sha256_hex(key))
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(ApiKey::from))
    }

    /// Every API key, revoked ones included, oldest first.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows: Vec<ApiKeyRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT id, name, prefix, created_at, revoked_at FROM api_keys ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    /// Revoke key `id` (keeps the row for the audit trail; revoking twice
    /// keeps the first time).
    pub async fn revoke_api_key(&self, id: ApiKeyId) -> Result<ApiKey> {
        let now = now_millis();
        let row: Option<ApiKeyRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 \
                 RETURNING id, name, prefix, created_at, revoked_at",
            )
            .bind(id.0)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        row.map(ApiKey::from)
            .ok_or_else(|| StoreError::NotFound(format!("API key #{id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_is_argon2id_phc_and_verifies_only_the_right_password() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(password_matches("correct horse", &h));
        assert!(!password_matches("wrong horse", &h));
        assert!(!password_matches("correct horse", "not a phc string"));
    }
}
