//! The scheduling `warta serve` sets up (warta-server `priority`), read back
//! from the kernel's own account of each thread (`/proc/PID/task/TID/stat`,
//! proc(5): field 19 is the nice value, field 41 the policy; SCHED_OTHER is
//! 0 and SCHED_BATCH 3 in <linux/sched.h>): the request threads run
//! `http_nice` (default +4) nicer with the normal policy, the inference crew
//! at the process's own weight under `SCHED_BATCH`, and the threads that
//! wait on the database and the crew — the workers and SQLite's — untouched.
//! Why these values: BENCHMARKS.md, "Scheduling: both sides keep a floor".
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use warta_testkit::test_models;

/// (nice, policy) of a /proc stat file's thread.
fn nice_and_policy(stat: &str) -> (i64, i64) {
    // The command name (field 2) is parenthesised and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    (
        fields[19 - 3].parse().unwrap(),
        fields[41 - 3].parse().unwrap(),
    )
}

/// Every thread of a running `warta serve` (with `env`) by name, as
/// (nice, policy) pairs, and the test process's own (nice, policy).
fn serve_threads(
    env: &[(&str, &str)],
    settled: impl Fn(&Threads) -> bool,
) -> (Threads, i64) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("warta.toml");
    std::fs::write(
        &config,
        format!(
            "source = \"en\"\ntargets = [\"pt\"]\nlisten = \"127.0.0.1:0\"\nmodels_dir = \"{}\"\n\
             data_dir = \"{}\"\nworkers = 1\nthreads = 2\n",
            test_models().display(),
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warta"));
    cmd.args(["serve", "--config"]).arg(&config);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WARTA_")) {
        cmd.env_remove(k);
    }
    let mut child = cmd
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The announcement (serve_cmd.rs) comes after the crew and the workers
    // have started, so every thread the test asks about exists by then.
    let announced = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("warta is serving "));
    // A thread names itself and sets its priority as it starts, so a
    // snapshot may catch one between the two (e.g. a blocking-pool thread
    // the runtime starts on demand): the test takes snapshots of the
    // running process until `settled` accepts one, for at most 10 s, and
    // judges the last.
    let mut threads = BTreeMap::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while announced {
        threads = snapshot(child.id());
        if settled(&threads) || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(announced, "`warta serve` exited before serving");
    (threads, own_nice())
}

/// Every thread of process `pid` by name, as (nice, policy) pairs.
fn snapshot(pid: u32) -> Threads {
    let mut threads = Threads::new();
    {
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
            let task = task.unwrap().path();
            let (Ok(comm), Ok(stat)) = (
                std::fs::read_to_string(task.join("comm")),
                std::fs::read_to_string(task.join("stat")),
            ) else {
                continue; // a thread that ended meanwhile
            };
            threads
                .entry(comm.trim().to_string())
                .or_default()
                .push(nice_and_policy(&stat));
        }
    }
    threads
}

type Threads = BTreeMap<String, Vec<(i64, i64)>>;

/// The (nice, policy) pairs of the threads whose name starts with `prefix`.
fn all(threads: &Threads, prefix: &str) -> Vec<(i64, i64)> {
    threads
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .flat_map(|(_, v)| v.iter().copied())
        .collect()
}

/// The one (nice, policy) every thread whose name starts with `prefix` has.
fn of(threads: &Threads, prefix: &str) -> (i64, i64) {
    let all = all(threads, prefix);
    assert!(!all.is_empty(), "no {prefix}* thread in {threads:?}");
    assert!(
        all.iter().all(|&p| p == all[0]),
        "{prefix}* threads differ: {all:?}"
    );
    all[0]
}

/// The process's own nice value.
fn own_nice() -> i64 {
    nice_and_policy(&std::fs::read_to_string("/proc/self/stat").unwrap()).0
}

/// Whether every thread with a name in `expected` has that (nice, policy).
fn all_match(threads: &Threads, expected: &[(&str, (i64, i64))]) -> bool {
    expected.iter().all(|&(prefix, want)| {
        let all = all(threads, prefix);
        !all.is_empty() && all.iter().all(|&p| p == want)
    })
}

#[test]
fn request_threads_run_nicer_than_the_crew_by_default() {
    let nice = own_nice();
    // The process's own weight, which the crew and the waiting threads keep.
    let base = (nice, 0);
    let (threads, _) = serve_threads(&[], |t| {
        all_match(
            t,
            &[
                ("tokio-rt-", ((nice + 4).min(19), 0)),
                ("warta-infer", (nice, 3)),
                ("sqlx-sqlite", base),
            ],
        )
    });
    assert_eq!(of(&threads, "tokio-rt-"), ((nice + 4).min(19), 0), "{threads:?}");
    assert_eq!(of(&threads, "warta-infer"), (nice, 3), "{threads:?}");
    assert_eq!(of(&threads, "sqlx-sqlite"), base, "{threads:?}");
    // Everything else — the main thread, the workers (`{host}-{pid}-w0`,
    // `…-s0`, worker.rs), the supervisor — keeps the process's weight.
    let others: Vec<(i64, i64)> = threads
        .iter()
        .filter(|(name, _)| !name.starts_with("tokio-rt-") && !name.starts_with("warta-infer"))
        .flat_map(|(_, v)| v.iter().copied())
        .collect();
    assert!(others.len() >= 4, "main, two workers, the supervisor: {threads:?}");
    assert!(others.iter().all(|&p| p == base), "{threads:?}");
}

#[test]
fn http_nice_zero_leaves_the_request_threads_at_the_process_weight() {
    let nice = own_nice();
    let expected = [
        ("tokio-rt-", (nice, 0)),
        ("warta-infer", ((nice + 5).min(19), 3)),
    ];
    let (threads, _) = serve_threads(
        &[("WARTA_HTTP_NICE", "0"), ("WARTA_WORKER_NICE", "5")],
        |t| all_match(t, &expected),
    );
    assert_eq!(of(&threads, "tokio-rt-"), (nice, 0), "{threads:?}");
    assert_eq!(of(&threads, "warta-infer"), ((nice + 5).min(19), 3), "{threads:?}");
}
