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

use crate::error::{Result, StoreError};
use crate::types::*;
use crate::{duration_millis, now_millis, random_hex, sha256_hex, with_db, Store};

/// Every API key starts with this, so a leaked one is recognisable in logs
/// and secret scanners.
pub const API_KEY_PREFIX: &str = "wk_";

/// How many admin login attempts may reach the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    /// Per username from one client address: a username tried from
    /// elsewhere has an allowance of its own, so nobody can lock an editor
    /// out by guessing their password.
    pub per_user: u32,
    /// Per client address, over all usernames.
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

/// What an API key may do. Each scope opens one group of routes, and a key
/// holds the scopes it was created with (`warta keys create NAME --scope …`).
/// Keys cannot manage keys; the editors' desk (`/admin`) takes a login,
/// not a key. A key with the `admin` scope does through the API what the
/// desk's admins do: manage the team and read the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The LibreTranslate-compatible routes (`/translate`, `/detect`): what a
    /// browser plugin or script needs, and nothing that changes the site.
    Translate,
    /// The CMS API: create, revise, read and delete articles, put human
    /// translations (`/api/v1/articles…`).
    Articles,
    /// Read and change the glossary (`/api/v1/glossary…`).
    Glossary,
    /// Read the webhook delivery log, payloads included (`/api/v1/webhooks…`).
    Webhooks,
    /// Read the translation-memory and job counters (`/api/v1/stats`).
    Stats,
    /// Manage the team (`/api/v1/users…`) and read the audit log
    /// (`/api/v1/audit`).
    Admin,
}

impl Scope {
    /// Every scope, in the order they are listed.
    pub const ALL: [Scope; 6] = [
        Scope::Translate,
        Scope::Articles,
        Scope::Glossary,
        Scope::Webhooks,
        Scope::Stats,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Translate => "translate",
            Scope::Articles => "articles",
            Scope::Glossary => "glossary",
            Scope::Webhooks => "webhooks",
            Scope::Stats => "stats",
            Scope::Admin => "admin",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Scope> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "unknown API key scope `{}`; the scopes are {}",
                    s.trim(),
                    Scopes::all()
                ))
            })
    }
}

/// A set of [`Scope`]s. Stored as their names separated by spaces (the
/// OAuth 2.0 `scope` convention), in [`Scope::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Scopes(u8);

impl Scopes {
    pub fn all() -> Scopes {
        Scope::ALL.into_iter().collect()
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// Scope names separated by commas and/or spaces (`translate,articles`);
    /// `all` is every scope. An unknown name is an error naming it.
    pub fn parse(list: &str) -> Result<Scopes> {
        let mut scopes = Scopes::default();
        for name in list.split([',', ' ']).filter(|n| !n.trim().is_empty()) {
            if name.trim() == "all" {
                scopes = Scopes::all();
            } else {
                let scope: Scope = name.parse()?;
                scopes.0 |= scope.bit();
            }
        }
        Ok(scopes)
    }

    /// The stored form: names separated by single spaces.
    pub fn to_db(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }

    /// Read the stored form; a name this version does not know is corrupt
    /// data, not "no scope" (a newer version may have written it).
    fn from_db(s: &str) -> Result<Scopes> {
        Scopes::parse(s).map_err(|e| StoreError::Corrupt(format!("api_keys.scopes: {e}")))
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Scopes {
        Scopes(iter.into_iter().fold(0, |acc, s| acc | s.bit()))
    }
}

/// A list of names: `["translate", "articles"]`.
impl serde::Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Scope::as_str))
    }
}

impl std::fmt::Display for Scopes {
    /// `translate, articles`; `none` for the empty set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let names: Vec<&str> = self.iter().map(Scope::as_str).collect();
        f.write_str(&names.join(", "))
    }
}

/// The `user_addr` key of a login attempt: the username as typed, trimmed
/// and lower-cased (so `Rina` and ` rina` are one name), and the address.
/// No address contains a newline, so the pair reads back unambiguously.
fn user_addr_key(username: &str, addr: &str) -> String {
    format!("{addr}\n{}", username.trim().to_lowercase())
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
    scopes: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

const API_KEY_COLS: &str = "id, name, prefix, scopes, created_at, revoked_at";

impl ApiKeyRow {
    fn parse(self) -> Result<ApiKey> {
        Ok(ApiKey {
            id: ApiKeyId(self.id),
            name: self.name,
            prefix: self.prefix,
            scopes: Scopes::from_db(&self.scopes)?,
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    username: String,
    role: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
}

impl SessionRow {
    fn parse(self) -> Result<Session> {
        Ok(Session {
            user_id: UserId(self.user_id),
            username: self.username,
            role: crate::team::Role::from_db(&self.role)?,
            csrf_token: self.csrf_token,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}

/// `password`'s argon2id hash, computed on a blocking thread.
pub(crate) async fn hash_password_blocking(password: &str) -> Result<String> {
    let password = password.to_string();
    blocking(move || hash_password(&password)).await?
}

impl Store {
    /// Create a user; [`StoreError::Conflict`] if the name is taken. Made
    /// on the server's command line (or by `warta demo`), so an admin: the
    /// desk's admins make editors ([`Store::add_team_member`]).
    pub async fn create_user(&self, username: &str, password: &str) -> Result<User> {
        self.create_user_with_role(username, password, crate::team::Role::Admin)
            .await
    }

    /// Replace a user's password (e.g. `warta demo` handing out a fresh one
    /// each start); [`StoreError::NotFound`] if there is no such user. Their
    /// sessions end, so an old password's session does not outlive it.
    pub async fn set_password(&self, username: &str, password: &str) -> Result<User> {
        if password.is_empty() {
            return Err(StoreError::Invalid("password must not be empty".into()));
        }
        let hash = hash_password_blocking(password).await?;
        let username = username.trim().to_string();
        let now = now_millis();
        let row: Option<(i64, String, i64)> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let row: Option<(i64, String, i64)> = sqlx::query_as(
                "UPDATE users SET password_hash = $2 WHERE username = $1 \
                 RETURNING id, role, created_at",
            )
            .bind(&username)
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id, _, _)) = row {
                let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                crate::audit::audit_in_tx!(
                    &mut *tx,
                    self,
                    crate::audit::AuditAction::PasswordReset,
                    format!("user {username}"),
                    format!("{ended} session(s) ended"),
                    now
                );
            }
            tx.commit().await?;
            row
        });
        let (id, role, created_at) =
            row.ok_or_else(|| StoreError::NotFound(format!("user `{username}`")))?;
        Ok(User {
            id: UserId(id),
            username,
            role: crate::team::Role::from_db(&role)?,
            created_at,
        })
    }

    /// The user, if `password` is theirs.
    pub async fn verify_user(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row: Option<(i64, String, String, String, i64)> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT id, username, password_hash, role, created_at FROM users WHERE username = $1",
            )
            .bind(username.trim())
            .fetch_optional(pool)
            .await?
        });
        let password = password.to_string();
        match row {
            Some((id, username, hash, role, created_at)) => {
                let ok = blocking(move || password_matches(&password, &hash)).await?;
                let role = crate::team::Role::from_db(&role)?;
                Ok(ok.then_some(User {
                    id: UserId(id),
                    username,
                    role,
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
            let user_row: Option<(String, String)> =
                sqlx::query_as("SELECT username, role FROM users WHERE id = $1")
                    .bind(user.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            match user_row {
                None => None,
                Some((username, role)) => {
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
                        role,
                        csrf_token: csrf,
                        created_at: now,
                        expires_at: expires,
                    })
                }
            }
        });
        let row = row.ok_or_else(|| StoreError::NotFound(format!("user #{user}")))?;
        Ok((token, row.parse()?))
    }

    /// The live session for `token`, if any (expired sessions are not returned).
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let now = now_millis();
        let row: Option<SessionRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(
                "SELECT s.user_id, u.username, u.role, s.csrf_token, s.created_at, s.expires_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(sha256_hex(token))
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        row.map(SessionRow::parse).transpose()
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

    /// Count one admin login attempt for `username` from the client
    /// address `addr` — before the password is checked — and say whether it
    /// may go on to the check: at most `limit.per_user` attempts per
    /// (username, address) and `limit.per_addr` per address within a window
    /// of `limit.window`.
    ///
    /// Each count is an atomic upsert that returns the new count, so however
    /// many nodes race, concurrent attempts on one key get distinct counts
    /// 1, 2, 3… and exactly the first `per_user` of a window are allowed.
    /// Refused attempts count too: a guesser who keeps trying stays locked
    /// out until the window ends. Both counts are one transaction (one
    /// commit: a login flood costs the database as little as it can), and
    /// rows of ended windows are left to [`Store::delete_stale_login_attempts`].
    pub async fn login_attempt(
        &self,
        username: &str,
        addr: &str,
        limit: &LoginLimit,
    ) -> Result<LoginVerdict> {
        self.login_attempt_at(username, addr, limit, now_millis())
            .await
    }

    /// [`Store::login_attempt`] as at `now` (unix epoch milliseconds): a
    /// test of the window's end passes a later instant rather than waiting.
    pub async fn login_attempt_at(
        &self,
        username: &str,
        addr: &str,
        limit: &LoginLimit,
        now: i64,
    ) -> Result<LoginVerdict> {
        let since = now.saturating_sub(duration_millis(limit.window));
        let user_addr = user_addr_key(username, addr);
        let counts: Vec<(i64, i64, u32)> = with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let mut counts = Vec::with_capacity(2);
            for (scope, key, max) in [
                ("user_addr", user_addr.as_str(), limit.per_user),
                ("addr", addr, limit.per_addr),
            ] {
                let (attempts, window_start): (i64, i64) = sqlx::query_as(
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
                .fetch_one(&mut *tx)
                .await?;
                counts.push((attempts, window_start, max));
            }
            tx.commit().await?;
            counts
        });
        let mut window_end = None;
        for (attempts, window_start, max) in counts {
            if attempts > i64::from(max) {
                let end = window_start.saturating_add(duration_millis(limit.window));
                window_end = Some(window_end.map_or(end, |e: i64| e.max(end)));
            }
        }
        let Some(window_end) = window_end else {
            return Ok(LoginVerdict::Allowed);
        };
        let wait = u64::try_from(window_end.saturating_sub(now)).unwrap_or(0);
        Ok(LoginVerdict::Throttled {
            retry_after: Duration::from_millis(wait.max(1000)),
        })
    }

    /// A successful login forgets the attempts of that username from that
    /// address, so an editor who mistyped once starts the next shift with a
    /// full allowance. The address's own count stays: it limits guessing
    /// across many usernames.
    pub async fn clear_login_attempts(&self, username: &str, addr: &str) -> Result<()> {
        let key = user_addr_key(username, addr);
        with_db!(self, |pool, _d| {
            sqlx::query("DELETE FROM login_attempts WHERE scope = 'user_addr' AND key = $1")
                .bind(&key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forget attempt counts whose window (`window` long) has ended: they
    /// count for nothing, and forgetting them keeps the table as small as
    /// one window of traffic. Returns how many. Run by the housekeeping
    /// loop, not by each login.
    pub async fn delete_stale_login_attempts(&self, window: Duration) -> Result<u64> {
        let since = now_millis().saturating_sub(duration_millis(window));
        Ok(with_db!(self, |pool, _d| {
            sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
                .bind(since)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Create an API key named `name` with every scope: what every key
    /// could do before keys had scopes. People choose scopes
    /// (`warta keys create NAME --scope …`, [`Store::create_scoped_api_key`]);
    /// this is for programs and tests that need a key for everything.
    pub async fn create_api_key(&self, name: &str) -> Result<(String, ApiKey)> {
        self.create_scoped_api_key(name, Scopes::all()).await
    }

    /// Create an API key named `name` that may do `scopes` (at least one).
    /// Returns the key — shown once, never stored — and its listing entry.
    pub async fn create_scoped_api_key(
        &self,
        name: &str,
        scopes: Scopes,
    ) -> Result<(String, ApiKey)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("API key name must not be empty".into()));
        }
        if scopes.is_empty() {
            return Err(StoreError::Invalid(format!(
                "an API key needs at least one scope; the scopes are {}",
                Scopes::all()
            )));
        }
        let key = format!("{API_KEY_PREFIX}{}", random_hex(32)?);
        let prefix = key[..SHOWN_KEY_CHARS].to_string();
        let now = now_millis();
        let id: i64 = with_db!(self, |pool, _d| {
            sqlx::query_scalar(
                "INSERT INTO api_keys (name, key_hash, prefix, scopes, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(sha256_hex(&key))
            .bind(&prefix)
            .bind(scopes.to_db())
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        tracing::info!(name, %prefix, %scopes, "created API key");
        Ok((
            key,
            ApiKey {
                id: ApiKeyId(id),
                name: name.to_string(),
                prefix,
                scopes,
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
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {API_KEY_COLS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
            )))
            .bind(sha256_hex(key))
            .fetch_optional(pool)
            .await?
        });
        row.map(ApiKeyRow::parse).transpose()
    }

    /// Every API key, revoked ones included, oldest first.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows: Vec<ApiKeyRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {API_KEY_COLS} FROM api_keys ORDER BY id"
            )))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(ApiKeyRow::parse).collect()
    }

    /// Revoke key `id` (keeps the row for the audit trail; revoking twice
    /// keeps the first time).
    pub async fn revoke_api_key(&self, id: ApiKeyId) -> Result<ApiKey> {
        let now = now_millis();
        let row: Option<ApiKeyRow> = with_db!(self, |pool, _d| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 \
                 RETURNING {API_KEY_COLS}"
            )))
            .bind(id.0)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound(format!("API key #{id}")))?
            .parse()
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
