//! Operations as an operator meets them: `warta doctor` on a fresh machine
//! and on a ready one, and `--log-format json` on a serving newsroom. The
//! real binary, a real SQLite file, the real test models
//! (scripts/fetch-test-models) and real HTTP on 127.0.0.1.
//!
//! Expected values: the models a newsroom needs come from DESIGN.md's
//! language table (default `id` source; `en` direct, `zh ja ar fr` through
//! English) and its test newsroom (`source = "en"`, `targets = ["pt"]`,
//! served by the en-pt test model); the exit codes and "the command that
//! fixes it" from issue 8.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use warta_testkit::{copy_dir, test_models};

/// `warta` with nothing from this process's WARTA_* environment, HOME (and
/// so the default model store) inside `home`, run from `home`.
fn warta(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warta"));
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WARTA_") || k.starts_with("XDG_"))
    {
        cmd.env_remove(k);
    }
    cmd.env("HOME", home).current_dir(home);
    cmd
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// `warta doctor` on the English→Portuguese newsroom with `models` as the
/// store; it must succeed. Its stdout.
fn doctor_en_pt(home: &Path, models: &Path) -> String {
    let config = home.join("warta.toml");
    std::fs::write(
        &config,
        format!(
            "source = \"en\"\ntargets = [\"pt\"]\nmodels_dir = \"{}\"\n",
            models.display()
        ),
    )
    .unwrap();
    let o = warta(home)
        .args(["doctor", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    out
}

/// The `fix:` line printed right under the `PROBLEM` line that contains `what`.
fn fix_for(out: &str, what: &str) -> String {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("PROBLEM") && l.contains(what))
        .unwrap_or_else(|| panic!("no PROBLEM line with {what:?} in\n{out}"));
    lines[i + 1]
        .trim()
        .strip_prefix("fix: ")
        .unwrap_or_else(|| panic!("no fix under {what:?} in\n{out}"))
        .to_string()
}

#[test]
fn doctor_on_a_fresh_machine_names_every_missing_model_with_its_pull_command() {
    let home = tempfile::tempdir().unwrap();
    // No config file, no models: the Indonesian newsroom of DESIGN.md.
    let o = warta(home.path()).arg("doctor").output().unwrap();
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    assert!(out.contains("ok       config: no file"), "{out}");
    assert!(out.contains("ok       database: sqlite://"), "{out}");
    // The default store is empty, so the command needs no --models-dir.
    assert_eq!(fix_for(&out, "model id→en:"), "warta models pull id-en");
    for t in ["zh", "ja", "ar", "fr"] {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("model id→{t}:")))
            .unwrap();
        assert!(
            line.contains(&format!("missing id-en and en-{t}")),
            "{line}"
        );
        assert_eq!(
            fix_for(&out, &format!("model id→{t}:")),
            format!("warta models pull id-en en-{t}")
        );
    }
    assert!(
        out.contains("all at once: warta models pull en-ar en-fr en-ja en-zh id-en"),
        "{out}"
    );
    assert!(out.contains("ok       data_dir: data has"), "{out}");
    assert!(out.contains("ok       models_dir: "), "{out}");
    assert_eq!(stderr(&o).trim(), "error: 5 problems found");
}

#[test]
fn doctor_with_the_test_models_and_the_en_pt_newsroom_passes() {
    let home = tempfile::tempdir().unwrap();
    let out = doctor_en_pt(home.path(), &test_models());
    assert!(
        out.contains("ok       config: ") && out.contains("source en, targets pt"),
        "{out}"
    );
    assert!(
        out.contains("ok       model en→pt: en-pt installed"),
        "{out}"
    );
    assert!(!out.contains("PROBLEM"), "{out}");
    // The test models include pt→en, the adequacy check's reverse model.
    assert!(!out.contains("note     adequacy"), "{out}");
    assert!(out.trim_end().ends_with("all checks passed"), "{out}");
}

/// Without the reverse model the adequacy check cannot run: doctor says so
/// and how to fix it, but it is not a problem (the newsroom translates and
/// publishes; each version's quality summary names the missing model).
#[test]
fn doctor_notes_a_missing_reverse_model_for_the_adequacy_check() {
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("models");
    copy_dir(&test_models().join("en-pt"), &store.join("en-pt"));
    let out = doctor_en_pt(home.path(), &store);
    assert!(
        out.contains("note     adequacy check en→pt: the reverse model pt-en is not installed"),
        "{out}"
    );
    assert!(
        out.contains("models pull pt-en (or `adequacy = false` in the configuration)"),
        "{out}"
    );
    assert!(!out.contains("PROBLEM"), "{out}");
}

#[test]
fn doctor_names_a_model_store_that_is_not_the_default_in_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("my-models");
    let o = warta(home.path())
        .args(["doctor"])
        .env("WARTA_SOURCE", "en")
        .env("WARTA_TARGETS", "pt")
        .env("WARTA_MODELS_DIR", &store)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    // The command must install where this newsroom looks.
    assert_eq!(
        fix_for(&stdout(&o), "model en→pt:"),
        format!("warta --models-dir {} models pull en-pt", store.display())
    );
}

#[test]
fn doctor_reports_a_bad_config_and_stops() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("warta.toml");
    std::fs::write(&config, "source = \"xx\"\n").unwrap();
    let o = warta(home.path())
        .args(["doctor", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.starts_with("PROBLEM  config: config `source`"), "{out}");
    assert_eq!(
        fix_for(&out, "config"),
        format!(
            "edit {} (see README.md, \"Configuration\")",
            config.display()
        )
    );
    // Nothing was checked, so nothing was created.
    assert!(!home.path().join("data").exists());
}

/// One HTTP/1.1 GET; the status, the `x-request-id` response header.
fn get(addr: &str, path: &str, request_id: Option<&str>) -> (u16, Option<String>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let extra = request_id
        .map(|id| format!("x-request-id: {id}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split_whitespace().nth(1).unwrap().parse().unwrap();
    let id = resp
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("x-request-id: ").map(str::to_string));
    (status, id)
}

#[test]
fn json_logs_are_json_lines_with_the_request_id() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("warta.toml");
    std::fs::write(
        &config,
        format!(
            "source = \"en\"\ntargets = [\"pt\"]\nlisten = \"127.0.0.1:0\"\nmodels_dir = \"{}\"\n",
            test_models().display()
        ),
    )
    .unwrap();
    let mut child = warta(home.path())
        .args(["serve", "--log-format", "json", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("serve started");
        lines.push(line.clone());
        if let Some(rest) = line.split("at http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // A proxy's id is kept; without one, warta makes one.
    assert_eq!(
        get(&addr, "/healthz", Some("test-req-1")),
        (200, Some("test-req-1".into()))
    );
    let (status, made) = get(&addr, "/en/", None);
    assert_eq!(status, 200);
    let made = made.expect("an x-request-id on every response");
    assert_eq!(made.len(), 36, "a UUID: {made}");
    // Wait for the log lines of both requests, as the reader thread passes
    // them on (each is written before its response is sent).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !(lines.iter().any(|l| l.contains("test-req-1"))
        && lines.iter().any(|l| l.contains(&made)))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(e) => panic!("no log line for both requests ({e}): {lines:?}"),
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    lines.extend(rx.try_iter());

    let events: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let response_for = |id: &str| {
        events.iter().find(|e| {
            e["span"]["request_id"] == id
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("finished processing request"))
        })
    };
    let first = response_for("test-req-1")
        .unwrap_or_else(|| panic!("no response line for test-req-1 in {lines:#?}"));
    assert_eq!(first["status"], 200);
    assert_eq!(first["span"]["path"], "/healthz");
    assert!(response_for(&made).is_some(), "{lines:#?}");
}
