//! `warta glossary` as a person uses it: the real binary on a real SQLite
//! file, configured for the test newsroom (`source = "en"`,
//! `targets = ["pt"]`).
//!
//! Expected behaviour comes from the issue ("`warta glossary import
//! FILE.tsv`") and DESIGN.md's error policy: a bad file is reported line by
//! line as `FILE:LINE: problem`, exits non-zero and imports nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use warta_testkit::test_models;

struct Newsroom {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Newsroom {
    fn new() -> Newsroom {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("warta.toml");
        let data = dir.path().join("data");
        std::fs::write(
            &config,
            format!(
                "source = \"en\"\ntargets = [\"pt\"]\ndata_dir = \"{}\"\n",
                data.display()
            ),
        )
        .unwrap();
        Newsroom { dir, config }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn warta(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_warta"));
        // Only the file configures this newsroom.
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WARTA_")) {
            cmd.env_remove(k);
        }
        cmd.args(["glossary"])
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .output()
            .expect("run warta")
    }

    fn import(&self, file: &Path) -> Output {
        self.warta(&["import", file.to_str().unwrap()])
    }

    fn list(&self) -> String {
        let o = self.warta(&["list"]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn entry_lines(list: &str) -> Vec<&str> {
    list.lines().filter(|l| l.contains('→')).collect()
}

const GOOD: &str = "\
# The newsroom's glossary.
source\ttarget_lang\ttarget\tcase_sensitive\tnote
CSTO\tpt\tOTSC\ttrue\tCollective Security Treaty Organization

Joko Widodo\tpt\tJoko Widodo\t\tperson: do not translate
Kompas\tpt\tKompas
";

#[test]
fn a_good_file_imports_every_entry_and_a_second_import_skips_them() {
    let n = Newsroom::new();
    let file = n.file("glossary.tsv", GOOD);
    let o = n.import(&file);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("imported 3 entries, skipped 0"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("re-queued 0"),
        "no articles yet: {}",
        stdout(&o)
    );

    let list = n.list();
    let entries = entry_lines(&list);
    assert_eq!(entries.len(), 3, "{list}");
    assert!(
        list.contains("CSTO → OTSC  (case-sensitive)  # Collective Security Treaty Organization"),
        "{list}"
    );
    assert!(
        list.contains("Joko Widodo → Joko Widodo  (do not translate)"),
        "{list}"
    );
    assert!(list.contains("Kompas → Kompas"), "{list}");

    // Duplicates of existing entries are skipped, not errors.
    let o = n.import(&file);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("imported 0 entries, skipped 3"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains(&format!("{}:3: skipped", file.display())),
        "{}",
        stderr(&o)
    );
    assert_eq!(entry_lines(&n.list()).len(), 3);
}

#[test]
fn a_file_with_bad_lines_reports_each_and_imports_nothing() {
    let n = Newsroom::new();
    let text = "\
source\ttarget_lang\ttarget\tcase_sensitive\tnote
CSTO\tpt\tOTSC
NATO\tfr\tOTAN
only two\tpt
Kompas\tpt\tKompas\tmaybe
";
    let file = n.file("bad.tsv", text);
    let o = n.import(&file);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let f = file.display().to_string();
    assert!(
        err.contains(&format!("{f}:3: ")) && err.contains("target_lang"),
        "{err}"
    );
    assert!(err.contains(&format!("{f}:4: ")), "{err}");
    assert!(
        err.contains(&format!("{f}:5: ")) && err.contains("case_sensitive"),
        "{err}"
    );
    assert!(!err.contains(&format!("{f}:2:")), "line 2 is fine: {err}");
    assert!(
        err.contains("3 bad lines") && err.contains("nothing imported"),
        "{err}"
    );
    assert!(
        entry_lines(&n.list()).is_empty(),
        "the good line 2 was not imported either"
    );

    let o = n.import(&n.file("headless.tsv", "CSTO\tpt\tOTSC\n"));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("headless.tsv:1: expected the header line"),
        "{}",
        stderr(&o)
    );
    let o = n.import(&n.dir.path().join("missing.tsv"));
    assert!(!o.status.success());
    assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn entries_are_added_and_deleted_one_at_a_time() {
    let n = Newsroom::new();
    let o = n.warta(&[
        "add",
        "CSTO",
        "pt",
        "OTSC",
        "--case-sensitive",
        "--note",
        "alliance",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("re-queued 0 translation jobs"),
        "{}",
        stdout(&o)
    );
    let list = n.list();
    let line = entry_lines(&list)[0].to_string();
    let id = line.split_whitespace().next().unwrap().to_string();

    // Same term and language again: one readable line, non-zero exit.
    let o = n.warta(&["add", "CSTO", "pt", "OTAN"]);
    assert!(!o.status.success());
    assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("already has `CSTO`"), "{}", stderr(&o));
    // Not a target of this newsroom.
    let o = n.warta(&["add", "NATO", "fr", "OTAN"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains(
            "`target_lang` must be one of this newsroom's target languages (pt), got `fr`"
        ),
        "{}",
        stderr(&o)
    );

    let o = n.warta(&["list", "--lang", "pt"]);
    assert_eq!(entry_lines(&stdout(&o)).len(), 1);
    let o = n.warta(&["delete", &id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(entry_lines(&n.list()).is_empty());
    let o = n.warta(&["delete", &id]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not found"), "{}", stderr(&o));
}

/// `warta translate` with this newsroom's configuration, `text` on stdin.
fn translate(n: &Newsroom, extra: &[&str], text: &str) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warta"));
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WARTA_")) {
        cmd.env_remove(k);
    }
    let mut child = cmd
        .args(["translate", "--from", "en", "--to", "pt", "--config"])
        .arg(&n.config)
        .args(extra)
        .env("WARTA_MODELS_DIR", test_models())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn warta");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn translate_applies_the_newsrooms_glossary_and_reports_flags_in_json() {
    // Issue 9: "`warta translate` applies a glossary entry (CSTO → OTSC)
    // and reports flags in --json". The raw en→pt test model keeps "CSTO"
    // as is (warta-server/tests/quality.rs checks that premise on the bare
    // engine), so "OTSC" in the output can only come from the glossary.
    let n = Newsroom::new();
    let line = "The Russia-led CSTO met in Moscow.\n";
    let before = translate(&n, &[], line);
    assert!(before.status.success(), "{}", stderr(&before));
    assert!(
        stdout(&before).contains("CSTO"),
        "no glossary yet: {}",
        stdout(&before)
    );

    let o = n.warta(&["add", "CSTO", "pt", "OTSC", "--case-sensitive"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = translate(&n, &[], line);
    assert!(after.status.success(), "{}", stderr(&after));
    let text = stdout(&after);
    assert!(text.contains("OTSC") && !text.contains("CSTO"), "{text}");
    assert_eq!(
        text.lines().count(),
        1,
        "one line in, one line out: {text:?}"
    );

    let o = translate(
        &n,
        &["--json"],
        "The Russia-led CSTO met in Moscow.\n\nIt sent 3,000 troops.\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["glossary"]["entries"], 1);
    let segs = v["segments"].as_array().unwrap();
    assert_eq!(segs.len(), 3, "one per input line, blank included");
    assert!(
        segs[0]["target"].as_str().unwrap().contains("OTSC"),
        "{}",
        segs[0]
    );
    for s in segs {
        assert!(s["flags"].is_array(), "every line reports its flags: {s}");
    }
    assert!(
        v["quality"]["segments"].as_u64().unwrap() >= 2,
        "{}",
        v["quality"]
    );

    // --no-glossary: the model's own text.
    let raw = translate(&n, &["--no-glossary"], line);
    assert!(stdout(&raw).contains("CSTO"), "{}", stdout(&raw));
}
