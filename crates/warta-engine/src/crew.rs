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
///
/// Work comes in two kinds. Foreground calls (translation) go to the queue
/// at once. Background calls (confidence scoring, which is done after
/// publication) yield to them: their pieces are handed to the queue one at
/// a time, at most one per thread, and only while no foreground call is
/// running, so an article's translation waits behind at most one scoring
/// piece per thread, never behind another article's whole scoring.
pub struct Crew {
    pool: rayon::ThreadPool,
    threads: usize,
    load: std::sync::Mutex<Load>,
    changed: std::sync::Condvar,
}

/// What the crew is doing, for background calls to wait on.
#[derive(Default)]
struct Load {
    /// Foreground calls running now.
    foreground: usize,
    /// Background pieces queued or running now.
    background: usize,
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
        // Return only once every thread has run `on_start` (it runs before
        // a thread takes any work): a crew is started when its threads are,
        // priorities included.
        pool.broadcast(|_| ());
        Ok(Crew {
            pool,
            threads,
            load: Default::default(),
            changed: Default::default(),
        })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    fn load(&self) -> std::sync::MutexGuard<'_, Load> {
        // The counters stay consistent even if a holder panicked: every
        // change is one statement.
        self.load.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every piece of a foreground call to the queue, first in first out;
    /// the caller only waits. (Not `install`: a crew thread that waits for
    /// one caller's pieces would take up another caller's whole call
    /// meanwhile, and the first caller would wait for both.)
    fn foreground(&self, n: usize, job: &(impl Fn(usize) + Sync)) {
        self.load().foreground += 1;
        let _done = Release(self, |l: &mut Load| l.foreground -= 1);
        self.pool.in_place_scope_fifo(|s| {
            for i in 0..n {
                s.spawn_fifo(move |_| job(i));
            }
        })
    }

    /// The pieces of a background call, each handed over when no foreground
    /// call runs and fewer background pieces than threads are in the crew.
    fn background(&self, n: usize, job: &(impl Fn(usize) + Sync)) {
        self.pool.in_place_scope_fifo(|s| {
            for i in 0..n {
                let mut load = self.load();
                while load.foreground > 0 || load.background >= self.threads {
                    load = self.changed.wait(load).unwrap_or_else(|e| e.into_inner());
                }
                load.background += 1;
                drop(load);
                s.spawn_fifo(move |_| {
                    let _done = Release(self, |l: &mut Load| l.background -= 1);
                    job(i)
                });
            }
        })
    }
}

/// Undoes a [`Load`] count when dropped, also when the piece or call
/// panics, and wakes the background callers waiting on it.
struct Release<'a, F: Fn(&mut Load)>(&'a Crew, F);

impl<F: Fn(&mut Load)> Drop for Release<'_, F> {
    fn drop(&mut self) {
        (self.1)(&mut self.0.load());
        self.0.changed.notify_all();
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
            Runner::Crew(crew) => crew.foreground(n, &job),
        }
    }

    /// [`for_each`](Self::for_each) for work that may wait: on a crew, it
    /// yields to every foreground call (see [`Crew`]); on threads of its
    /// own, there is nothing to yield to.
    pub(crate) fn for_each_background(&self, n: usize, job: impl Fn(usize) + Sync) {
        match self {
            Runner::Own(threads) => crate::batch::for_each_parallel(n, *threads, job),
            Runner::Crew(crew) => crew.background(n, &job),
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

    /// Background work (confidence scoring) yields: a background call made
    /// while a foreground call runs starts none of its pieces until that
    /// call has returned, and a foreground call made while background
    /// pieces run waits behind at most one of them per thread.
    #[test]
    fn background_pieces_wait_for_foreground_calls_and_hold_them_up_by_one_per_thread() {
        let crew = Arc::new(Crew::new(2, "bg-crew", || {}).unwrap());
        let runner = Runner::Crew(crew);
        let t0 = std::time::Instant::now();
        let at = || t0.elapsed();
        let fg_ended = Mutex::new(Vec::new());
        let bg_started = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            s.spawn(|| {
                // Seven: in the last round one thread has nothing left of it.
                runner.for_each(7, |_| {
                    std::thread::sleep(Duration::from_millis(20));
                    fg_ended.lock().unwrap().push(at());
                })
            });
            // Called while the foreground call surely runs (7 × 20 ms on
            // two threads).
            std::thread::sleep(Duration::from_millis(15));
            s.spawn(|| {
                runner.for_each_background(6, |_| {
                    bg_started.lock().unwrap().push(at());
                    std::thread::sleep(Duration::from_millis(20));
                })
            });
        });
        let bg_started = bg_started.into_inner().unwrap();
        let fg_done = fg_ended.into_inner().unwrap().into_iter().max().unwrap();
        assert_eq!(bg_started.len(), 6);
        assert!(
            bg_started.iter().all(|&t| t >= fg_done),
            "no background piece before the foreground call's last piece ended: {bg_started:?} vs {fg_done:?}"
        );

        // Now the other way round: a long background call, then a
        // foreground call in the middle of it.
        let bg_started = Mutex::new(Vec::new());
        let fg_started = Mutex::new(Vec::new());
        let t1 = std::time::Instant::now();
        let at = || t1.elapsed();
        let fg_called = std::thread::scope(|s| {
            s.spawn(|| {
                runner.for_each_background(40, |_| {
                    bg_started.lock().unwrap().push(at());
                    std::thread::sleep(Duration::from_millis(10));
                })
            });
            std::thread::sleep(Duration::from_millis(55));
            let called = at();
            runner.for_each(4, |_| {
                fg_started.lock().unwrap().push(at());
                std::thread::sleep(Duration::from_millis(10));
            });
            called
        });
        let fg_started = fg_started.into_inner().unwrap();
        let last_fg = fg_started.iter().copied().max().unwrap();
        let overtaking = bg_started
            .into_inner()
            .unwrap()
            .into_iter()
            .filter(|&t| t > fg_called && t <= last_fg)
            .count();
        // Two in flight when the call came, and at most one more handed over
        // between reading the clock and the call's start; without yielding,
        // the ~30 pieces still queued would all go first.
        assert!(
            overtaking <= 3,
            "{overtaking} background pieces started while the foreground call waited"
        );
    }

    #[test]
    fn a_panicking_background_piece_reaches_its_caller_and_leaves_the_crew_usable() {
        let crew = Arc::new(Crew::new(2, "bg-panic", || {}).unwrap());
        let runner = Runner::Crew(crew);
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runner.for_each_background(10, |i| assert!(i != 3, "piece 3 fails"))
        }));
        assert!(out.is_err());
        // The counts were given back: both kinds still run to the end.
        let n = AtomicUsize::new(0);
        runner.for_each_background(10, |_| {
            n.fetch_add(1, Ordering::SeqCst);
        });
        runner.for_each(10, |_| {
            n.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(n.load(Ordering::SeqCst), 20);
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
