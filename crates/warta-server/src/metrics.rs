//! The counters a node keeps for `/metrics`: what its workers translated,
//! scored and failed, how long articles waited, and what the checks found.

use std::sync::atomic::{AtomicU64, AtomicUsize};

use warta_core::Lang;

/// Counters for `/metrics`.
#[derive(Default)]
pub struct Metrics {
    pub jobs_done: AtomicU64,
    pub jobs_failed: AtomicU64,
    pub jobs_waiting_for_model: AtomicU64,
    pub segments_translated: AtomicU64,
    pub sentences_translated: AtomicU64,
    pub translate_micros: AtomicU64,
    pub tm_lookups: AtomicU64,
    pub tm_hits: AtomicU64,
    /// Job attempts that panicked (and were failed alone).
    pub jobs_panicked: AtomicU64,
    /// Worker threads of this process that died and were replaced.
    pub workers_restarted: AtomicU64,
    /// Worker threads running now, and how many this node should run.
    pub workers_alive: AtomicUsize,
    pub workers_expected: AtomicUsize,
    /// Source words of the versions published by this process.
    pub words_translated: AtomicU64,
    /// Seconds from a job's creation to its version's publication, per
    /// target language.
    pub latency: std::sync::Mutex<std::collections::BTreeMap<Lang, Histogram>>,
    /// QA flags written, by check.
    pub flags_by_check: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

/// A Prometheus histogram with fixed buckets (seconds).
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    /// Count of observations ≤ each bound of [`Histogram::BOUNDS`].
    pub buckets: [u64; 10],
    pub count: u64,
    pub sum: f64,
}

impl Histogram {
    /// From "within a second" to "five minutes": the range in which a
    /// newsroom feels translation latency.
    pub const BOUNDS: [f64; 10] = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0];

    pub fn observe(&mut self, seconds: f64) {
        for (b, bound) in self.buckets.iter_mut().zip(Self::BOUNDS) {
            if seconds <= bound {
                *b += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}
