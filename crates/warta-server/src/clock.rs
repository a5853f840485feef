//! This node's clock: the time the store keeps (unix epoch milliseconds)
//! and a monotonic instant for in-memory ages, both moved on together by
//! [`Clock::advance`].
//!
//! Only tests advance it, where time passing is the subject (the page
//! cache's generation TTL, the queue age `/healthz` judges): they move the
//! clock instead of sleeping. In a running server nothing does, so it is the
//! system's clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Cheap to clone; clones share the offset.
#[derive(Clone, Default)]
pub struct Clock {
    ahead_ms: Arc<AtomicU64>,
}

impl Clock {
    /// Now, as unix epoch milliseconds (see [`warta_store::now_millis`]).
    pub fn now_millis(&self) -> i64 {
        let ahead = i64::try_from(self.ahead_ms.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
        warta_store::now_millis().saturating_add(ahead)
    }

    /// Now, for measuring how long ago something happened in this process.
    pub fn instant(&self) -> Instant {
        Instant::now() + Duration::from_millis(self.ahead_ms.load(Ordering::Relaxed))
    }

    /// Move this clock `by` into the future.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.ahead_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_both_readings() {
        let clock = Clock::default();
        let (wall, mono) = (warta_store::now_millis(), Instant::now());
        clock.advance(Duration::from_secs(5));
        // Read after `wall`/`mono`, so at least the 5 s advanced.
        assert!(clock.now_millis() >= wall + 5_000);
        assert!(clock.instant() >= mono + Duration::from_secs(5));
    }
}
