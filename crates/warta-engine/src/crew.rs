//! Where the pieces of one call run: threads started for the call, or a
//! [`Crew`] of long-lived threads that several callers share.
//!
//! A call on threads of its own leaves cores idle whenever its caller does
//! anything else (reading the next jobs, checking and storing the last
//! ones) and during the call's tail, when the last mini-batch runs on one
//! thread while the others have nothing left. Translation workers therefore
//! share one crew: while one worker stores its batch, or its call is down to
//! its last mini-batch, the crew's other threads decode the next worker's
//! mini-batches, so a backlog keeps every core busy without running more
//! inference threads than cores.

use std::sync::Arc;

/// A fixed set of inference threads shared by the translators made on it
/// ([`ModelPool::on_crew`](crate::ModelPool::on_crew)), taking the pieces
/// of every caller's calls from one queue in the order they came (a rayon
/// pool): a thread that runs out of one call's mini-batches takes the next
/// call's.
pub struct Crew {
    pool: rayon::ThreadPool,
    threads: usize,
}

impl Crew {
    /// Start `threads` threads (0: one per core) named `{name}-{i}`;
    /// `on_start` runs first on each (to lower its priority, say).
    pub fn new(
        threads: usize,
        name: &str,
        on_start: impl Fn() + Send + Sync + 'static,
    ) -> std::io::Result<Crew> {
        let threads = resolve_threads(threads);
        let name = name.to_string();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |i| format!("{name}-{i}"))
            .start_handler(move |_| on_start())
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Crew { pool, threads })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }
}

/// `0` means one thread per core.
pub(crate) fn resolve_threads(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        n => n,
    }
}

/// How a translator runs the independent pieces of a call.
#[derive(Clone)]
pub(crate) enum Runner {
    /// Up to this many threads started for each call.
    Own(usize),
    /// On a shared crew.
    Crew(Arc<Crew>),
}

impl Runner {
    pub(crate) fn threads(&self) -> usize {
        match self {
            Runner::Own(n) => *n,
            Runner::Crew(c) => c.threads,
        }
    }

    /// Run `job(i)` for every `i < n`, lowest `i` first as far as threads
    /// allow (callers put the longest pieces first), and return when all
    /// have run. A panic in a job reaches the caller.
    pub(crate) fn for_each(&self, n: usize, job: impl Fn(usize) + Sync) {
        match self {
            Runner::Own(threads) => crate::batch::for_each_parallel(n, *threads, job),
            // Every piece goes to the crew's queue, first in first out; the
            // caller only waits. (Not `install`: a crew thread that waits
            // for one caller's pieces would take up another caller's whole
            // call meanwhile, and the first caller would wait for both.)
            Runner::Crew(crew) => {
                let job = &job;
                crew.pool.in_place_scope_fifo(|s| {
                    for i in 0..n {
                        s.spawn_fifo(move |_| job(i));
                    }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::time::Duration;

    #[test]
    fn every_piece_runs_once_on_the_crews_threads() {
        let started = Arc::new(AtomicUsize::new(0));
        let s = started.clone();
        let crew = Arc::new(
            Crew::new(2, "test-crew", move || {
                s.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap(),
        );
        let runner = Runner::Crew(crew);
        let seen = Mutex::new(Vec::new());
        let names = Mutex::new(HashSet::new());
        runner.for_each(100, |i| {
            seen.lock().unwrap().push(i);
            names
                .lock()
                .unwrap()
                .insert(std::thread::current().name().unwrap_or("").to_string());
        });
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
        let names = names.into_inner().unwrap();
        assert!(
            names.iter().all(|n| n.starts_with("test-crew-")),
            "{names:?}"
        );
        // Each thread runs the hook as it starts (not necessarily before the
        // pieces above: one thread may have taken them all).
        let t = std::time::Instant::now();
        while started.load(Ordering::SeqCst) < 2 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            started.load(Ordering::SeqCst),
            2,
            "the start hook runs on each of the crew's threads"
        );
    }

    #[test]
    fn two_callers_share_the_crew_and_a_panic_reaches_only_its_caller() {
        let crew = Arc::new(Crew::new(2, "shared-crew", || {}).unwrap());
        let (a, b) = (Runner::Crew(crew.clone()), Runner::Crew(crew));
        std::thread::scope(|s| {
            let panicking = s.spawn(|| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    a.for_each(8, |i| {
                        std::thread::sleep(Duration::from_millis(5));
                        assert!(i != 5, "piece 5 fails");
                    })
                }))
            });
            let done = AtomicUsize::new(0);
            b.for_each(50, |_| {
                std::thread::sleep(Duration::from_millis(2));
                done.fetch_add(1, Ordering::SeqCst);
            });
            assert_eq!(done.load(Ordering::SeqCst), 50);
            assert!(
                panicking.join().unwrap().is_err(),
                "the panic of piece 5 reaches its caller"
            );
        });
        // The crew survives its callers' panics.
        let n = AtomicUsize::new(0);
        b.for_each(10, |_| {
            n.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(n.load(Ordering::SeqCst), 10);
    }
}
