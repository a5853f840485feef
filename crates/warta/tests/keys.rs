//! `warta keys` with scopes, as an operator uses it: the real binary on a
//! real SQLite file. The scope names are warta-store's `Scope` (issue 22:
//! `translate`, `articles`, `glossary`, `webhooks`; and `stats`).

use std::path::Path;
use std::process::{Command, Output};

fn warta(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warta"))
        .args(args)
        .env("WARTA_DATA_DIR", dir)
        .env("WARTA_MODELS_DIR", dir.join("models"))
        .env_remove("WARTA_DATABASE_URL")
        .env_remove("WARTA_CONFIG")
        .output()
        .expect("run warta")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[test]
fn keys_are_created_with_the_scopes_chosen_and_listed_with_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = warta(
        dir,
        &["keys", "create", "browser-plugin", "--scope", "translate"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = text(&out.stdout).trim().to_string();
    assert!(key.starts_with("wk_"), "the key, alone on stdout: {key}");
    assert!(
        text(&out.stderr).contains("(scopes: translate)"),
        "{}",
        text(&out.stderr)
    );
    let out = warta(
        dir,
        &[
            "keys",
            "create",
            "cms",
            "--scope",
            "articles,glossary",
            "--scope",
            "webhooks",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Without --scope: every scope (`admin` included), and a warning.
    let out = warta(dir, &["keys", "create", "old-style"]);
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("may do everything"));

    let out = warta(dir, &["keys", "list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&out.stdout);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(
        lines[0].contains("browser-plugin") && lines[0].ends_with("translate"),
        "{list}"
    );
    assert!(lines[1].ends_with("articles, glossary, webhooks"), "{list}");
    assert!(
        lines[2].ends_with("translate, articles, glossary, webhooks, stats, admin"),
        "{list}"
    );
    assert!(lines.iter().all(|l| l.contains("active")), "{list}");
}

#[test]
fn an_unknown_scope_is_one_clear_line_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = warta(dir, &["keys", "create", "x", "--scope", "translate,root"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("`root`") && err.contains("translate, articles"),
        "{err}"
    );
    let out = warta(dir, &["keys", "list"]);
    assert_eq!(text(&out.stdout), "", "no key was created");
}
