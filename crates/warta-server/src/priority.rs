//! Scheduling of the inference threads against the threads that serve
//! requests, so that under load neither side starves the other.
//!
//! The translation workers' inference crew keeps every core it is given busy
//! for as long as the backlog lasts; the async runtime serving the site and
//! the API needs a core for a few microseconds at a time. Linux's fair
//! scheduler (EEVDF since 6.6) shares the CPU among runnable threads by
//! weight (the nice value) and runs a thread that wakes after sleeping soon,
//! since it is owed time. So the crew runs at the process's own weight
//! ([`WORKER_NICE`] = 0) and `warta serve`'s request threads at nice +4
//! ([`HTTP_NICE`], weight 423 against 1,024): under an unending flood of
//! page requests the crew outweighs them and keeps a floor (at equal
//! weights it got a third of a 2-core machine with `wrk` beside it, 33 % of
//! `bench translate`; at +4, 46 %), pages still answer promptly because
//! their threads sleep between requests, and anything else running beside
//! warta (another service, a build) cannot push translation down to a
//! tenth of a core, as a nice +10 crew was beside such programs
//! (BENCHMARKS.md, "Scheduling: both sides keep a floor": a nice +10 crew
//! published nothing during a page flood, and 54 % of its idle-machine pace
//! beside other programs). With no translation running, the request
//! threads' nice value changes nothing. The crew also runs `SCHED_BATCH`
//! (the kernel treats it as CPU-bound; it never preempts others on
//! wake-up); the request threads keep the normal policy, so a request that
//! wakes one still preempts the crew.
//!
//! `worker_nice` (config) still lowers the crew's weight and `http_nice = 0`
//! gives the request threads an equal one, for a front node whose pages
//! matter more than its translations' pace; a dedicated translation node
//! needs nothing (no page traffic to share with).
//!
//! Only the crew is lowered, not the workers' own threads: those mostly wait
//! on the database and the crew, and a lowered thread that wakes up waits
//! for a core behind the busy crew every time (measured: a batch's writes
//! took up to 1.4 s instead of 50–100 ms, BENCHMARKS.md "Backlog throughput
//! at the target").
//!
//! On Linux the nice value and the policy belong to a thread, and threads
//! inherit them from the thread that creates them. The crew lowers each of
//! its threads as it starts (`Workers::start`). A thread pool shared with
//! the site must never be started from a lowered thread, nor a thread that
//! must keep the process's weight from a request thread: the store opens its
//! SQLite connection threads at startup from the caller's task, and the crew
//! and the workers are started from the thread that runs `block_on`
//! (tested: `crates/warta/tests/scheduling.rs`).
//!
//! Unprivileged processes can lower a thread's priority but not raise it
//! again, so this is done only on threads that do nothing else. Elsewhere
//! than Linux it does nothing.

/// How much nicer than the rest of the process an inference thread runs, unless
/// configured otherwise (`worker_nice`): none, see the module docs.
pub const WORKER_NICE: i32 = 0;

/// How much nicer than normal `warta serve`'s request threads (the async
/// runtime's) run, unless configured otherwise (`http_nice`): +4, a weight
/// of 423 against the crew's 1,024, see the module docs.
pub const HTTP_NICE: i32 = 4;

/// Lower the calling thread's priority for background work by `nice` (see
/// the module docs). Returns what the operating system refused, if
/// anything; the thread works either way, only less politely.
pub fn lower_current_thread(nice: i32) -> std::io::Result<()> {
    imp::lower_current_thread(nice)
}

/// Raise the calling thread's nice value by `nice` (capped at 19), keeping
/// its policy: for the request threads, which must still preempt on
/// wake-up (see the module docs). Elsewhere than Linux it does nothing.
pub fn renice_current_thread(nice: i32) -> std::io::Result<()> {
    imp::renice_current_thread(nice)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::io;

    pub fn lower_current_thread(nice: i32) -> io::Result<()> {
        // SAFETY: plain system calls on the calling thread, with valid
        // arguments; no memory is shared with the kernel beyond `param`,
        // which lives across the call.
        unsafe {
            let param = libc::sched_param { sched_priority: 0 };
            // pid 0: the calling thread (Linux schedules threads).
            if libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        renice_current_thread(nice)
    }

    pub fn renice_current_thread(nice: i32) -> io::Result<()> {
        // SAFETY: plain system calls on the calling thread (its own tid).
        unsafe {
            let tid = libc::gettid() as libc::id_t;
            // getpriority may legitimately return -1: clear errno to tell.
            *libc::__errno_location() = 0;
            let now = libc::getpriority(libc::PRIO_PROCESS, tid);
            if now == -1 && *libc::__errno_location() != 0 {
                return Err(io::Error::last_os_error());
            }
            let target = (now + nice.max(0)).min(19);
            if target > now && libc::setpriority(libc::PRIO_PROCESS, tid, target) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Read back through /proc, the kernel's own account of the thread
        /// (proc(5): field 19 of /proc/thread-self/stat is the nice value,
        /// field 41 the policy; SCHED_BATCH is 3 in <linux/sched.h>).
        fn nice_and_policy() -> (i64, i64) {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            // The command name (field 2) is parenthesised and may hold spaces.
            let rest = &stat[stat.rfind(')').unwrap() + 2..];
            let fields: Vec<&str> = rest.split(' ').collect();
            (
                fields[19 - 3].parse().unwrap(),
                fields[41 - 3].parse().unwrap(),
            )
        }

        #[test]
        fn a_lowered_thread_and_the_threads_it_starts_run_nicer_others_do_not() {
            let before = std::thread::spawn(nice_and_policy).join().unwrap();
            let (lowered, child) = std::thread::spawn(|| {
                lower_current_thread(10).unwrap();
                (
                    nice_and_policy(),
                    std::thread::spawn(nice_and_policy).join().unwrap(),
                )
            })
            .join()
            .unwrap();
            let expected = ((before.0 + 10).min(19), 3);
            assert_eq!(lowered, expected);
            assert_eq!(
                child, expected,
                "inherited by the inference threads a worker starts"
            );
            assert_eq!(
                nice_and_policy(),
                before,
                "the rest of the process keeps its priority"
            );
        }

        #[test]
        fn a_reniced_thread_keeps_its_policy() {
            let before = std::thread::spawn(nice_and_policy).join().unwrap();
            let reniced = std::thread::spawn(|| {
                renice_current_thread(4).unwrap();
                nice_and_policy()
            })
            .join()
            .unwrap();
            // SCHED_OTHER is 0 in <linux/sched.h>: still preempts on wake-up.
            assert_eq!(reniced, ((before.0 + 4).min(19), before.1));
            assert_eq!(before.1, 0);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub fn renice_current_thread(_nice: i32) -> std::io::Result<()> {
        Ok(())
    }

    pub fn lower_current_thread(_nice: i32) -> std::io::Result<()> {
        Ok(())
    }
}
