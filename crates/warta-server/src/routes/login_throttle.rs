//! The admin login throttle: which login attempts may reach the password
//! check, and how many are checked at once.
//!
//! An attempt is counted per (username, client address) and per client
//! address (`[limits] login_attempts_per_user`, `…_per_address`,
//! `login_window_secs`), never per username alone: a username tried from
//! elsewhere has its own allowance, so nobody can lock an editor out, and a
//! correct password from an address that did not fail is accepted. The
//! address is the client's, through trusted proxies ([`crate::client_addr`]).
//!
//! Three gates, cheapest first:
//! 1. in memory (governor's GCRA, keyed; the same allowances): an attempt
//!    this node already knows is over is refused without touching the
//!    database, so a flood from one address costs a hash-map lookup;
//! 2. a few login checks at once per node ([`CONCURRENT_LOGINS`], waiting
//!    at most [`LOGIN_QUEUE`]): the database count and argon2 of a flood
//!    from many addresses queue here instead of taking the database's
//!    connections and every core from ingest and the translators; past the
//!    wait, 503 with `Retry-After`;
//! 3. the database's count ([`warta_store::Store::login_attempt`]), one
//!    transaction, shared by every node, which makes the allowance hold
//!    across nodes exactly.
//!
//! What this module must never do: refuse an attempt that no gate has
//! counted against its own (username, address) or address, or write to the
//! database for an attempt the memory gate refused.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use warta_store::{LoginLimit, LoginVerdict, Store, StoreError};

use crate::configuration::Limits;

/// Logins counted and checked at once per node: argon2 is built to be
/// expensive (tens of ms of a core each), and each check writes its count.
pub const CONCURRENT_LOGINS: usize = 2;
/// How long an attempt waits for one of those slots before 503.
pub const LOGIN_QUEUE: Duration = Duration::from_secs(5);
/// Keys the in-memory gates keep before forgetting those back at a full
/// allowance.
const MAX_REMEMBERED: usize = 100_000;

/// Why an attempt does not reach the password check.
#[derive(Debug)]
pub enum Refused {
    /// Over an allowance; a retry may be allowed after this.
    Throttled(Duration),
    /// Too many logins in progress on this node right now.
    Busy(Duration),
    Store(StoreError),
}

/// Leave to check one password; the slot is held until it is dropped.
pub struct Admitted {
    _slot: OwnedSemaphorePermit,
}

pub struct LoginThrottle {
    limit: LoginLimit,
    per_user_addr: Option<DefaultKeyedRateLimiter<(IpAddr, String)>>,
    per_addr: Option<DefaultKeyedRateLimiter<IpAddr>>,
    slots: Arc<Semaphore>,
}

/// `n` attempts per `window`, all of them at once if need be: the
/// database's fixed window allows a burst of `n` too.
fn quota(n: u32, window: Duration) -> Option<Quota> {
    let n = NonZeroU32::new(n)?;
    let period = window.checked_div(n.get())?.max(Duration::from_nanos(1));
    Some(Quota::with_period(period)?.allow_burst(n))
}

impl LoginThrottle {
    pub fn new(limits: &Limits) -> LoginThrottle {
        let limit = LoginLimit {
            per_user: limits.login_attempts_per_user,
            per_addr: limits.login_attempts_per_address,
            window: Duration::from_secs(limits.login_window_secs),
        };
        LoginThrottle {
            per_user_addr: quota(limit.per_user, limit.window).map(RateLimiter::keyed),
            per_addr: quota(limit.per_addr, limit.window).map(RateLimiter::keyed),
            limit,
            slots: Arc::new(Semaphore::new(CONCURRENT_LOGINS)),
        }
    }

    /// May this attempt by `username` from `addr` go on to the password
    /// check? Counted before the check, so a burst of parallel guesses
    /// cannot all reach it before the first failure is counted.
    pub async fn admit(
        &self,
        store: &Store,
        username: &str,
        addr: IpAddr,
    ) -> Result<Admitted, Refused> {
        self.in_memory(username, addr)?;
        let slot = match tokio::time::timeout(LOGIN_QUEUE, self.slots.clone().acquire_owned()).await
        {
            Ok(Ok(slot)) => slot,
            _ => return Err(Refused::Busy(Duration::from_secs(5))),
        };
        match store
            .login_attempt(username, &addr.to_string(), &self.limit)
            .await
        {
            Ok(LoginVerdict::Allowed) => Ok(Admitted { _slot: slot }),
            Ok(LoginVerdict::Throttled { retry_after }) => Err(Refused::Throttled(retry_after)),
            Err(e) => Err(Refused::Store(e)),
        }
    }

    /// The right password: forget this (username, address)'s failures in
    /// the database (the memory gate refills on its own within the window).
    pub async fn succeeded(&self, store: &Store, username: &str, addr: IpAddr) {
        if let Err(e) = store
            .clear_login_attempts(username, &addr.to_string())
            .await
        {
            tracing::warn!("forgetting login attempts of {username}: {e}");
        }
    }

    /// The memory gate: the address first (a refused guess still uses up
    /// its address's allowance, as in the database), then the pair.
    fn in_memory(&self, username: &str, addr: IpAddr) -> Result<(), Refused> {
        let now = DefaultClock::default().now();
        if let Some(limiter) = &self.per_addr {
            if limiter.len() > MAX_REMEMBERED {
                limiter.retain_recent();
            }
            if let Err(not_until) = limiter.check_key(&addr) {
                return Err(Refused::Throttled(not_until.wait_time_from(now)));
            }
        }
        if let Some(limiter) = &self.per_user_addr {
            if limiter.len() > MAX_REMEMBERED {
                limiter.retain_recent();
            }
            let key = (addr, username.trim().to_lowercase());
            if let Err(not_until) = limiter.check_key(&key) {
                return Err(Refused::Throttled(not_until.wait_time_from(now)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_user: u32, per_addr: u32) -> LoginThrottle {
        LoginThrottle::new(&Limits {
            login_attempts_per_user: per_user,
            login_attempts_per_address: per_addr,
            login_window_secs: 900,
            ..Limits::default()
        })
    }

    /// The memory gate lets through exactly the allowances the database
    /// enforces (so it never refuses what the database would allow), then
    /// refuses with the wait until one more attempt is allowed: a window
    /// divided by the allowance (GCRA's emission interval).
    #[test]
    fn the_memory_gate_allows_the_configured_allowances_then_refuses() {
        let t = throttle(5, 30);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..5 {
            assert!(t.in_memory("rina", a).is_ok());
        }
        let Err(Refused::Throttled(wait)) = t.in_memory(" Rina", a) else {
            panic!("the 6th attempt for rina from a passed")
        };
        assert!(
            wait > Duration::from_secs(170) && wait <= Duration::from_secs(180),
            "{wait:?}"
        );
        // Another address: a full allowance for the same name.
        assert!(t.in_memory("rina", b).is_ok());
        // The address's own allowance spans names: 6 used, 24 left.
        for i in 0..24 {
            assert!(t.in_memory(&format!("user-{i}"), a).is_ok(), "{i}");
        }
        assert!(matches!(
            t.in_memory("someone-else", a),
            Err(Refused::Throttled(_))
        ));
    }

    /// 0 means "no attempt at all" to the database (every count is over
    /// it); the memory gate has nothing to add and lets the database say no.
    #[test]
    fn an_allowance_of_zero_is_left_to_the_database() {
        let t = throttle(0, 0);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..100 {
            assert!(t.in_memory("rina", a).is_ok());
        }
    }
}
