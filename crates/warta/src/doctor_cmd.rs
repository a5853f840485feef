//! `warta doctor`: is this machine ready to run the configured newsroom?
//!
//! One line per check, `ok` or `PROBLEM`, and for every problem the exact
//! command (or edit) that fixes it. Exits non-zero when anything is wrong, so
//! deploy scripts can gate on it. Checks, in order: the configuration loads;
//! the database opens and its migrations apply; every model the source and
//! targets need is installed (directly, or both legs through English); the
//! file systems of `data_dir` and `models_dir` have room.
//!
//! Doctor reads; the only thing it may write is what `warta serve` would
//! create anyway on start (the SQLite file and its schema).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::bail;
use warta_models::{ModelError, ModelStore, Route};
use warta_server::Config;
use warta_store::Store;

use crate::cli::{Global, ServeArgs};

/// Below this much free space a check fails. A SQLite newsroom grows by a
/// few megabytes a day; one model pair is 20–150 MB and a pull stages a copy
/// before moving it in, so half a gigabyte is the least that is safe.
const MIN_FREE_BYTES: u64 = 512 << 20;

/// How long the database may take to answer.
const DB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

struct Report {
    problems: usize,
}

impl Report {
    fn ok(&self, what: &str, detail: impl std::fmt::Display) {
        println!("ok       {what}: {detail}");
    }

    fn problem(&mut self, what: &str, detail: impl std::fmt::Display, fix: impl std::fmt::Display) {
        self.problems += 1;
        println!("PROBLEM  {what}: {detail}");
        println!("         fix: {fix}");
    }

    /// Works, with something less than the configuration asks for.
    fn note(&self, what: &str, detail: impl std::fmt::Display, fix: impl std::fmt::Display) {
        println!("note     {what}: {detail}");
        println!("         fix: {fix}");
    }
}

pub fn run(global: &Global, args: ServeArgs) -> anyhow::Result<()> {
    let mut r = Report { problems: 0 };
    let config_name = args
        .config
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "no file (defaults and WARTA_* variables)".into());
    let config = match crate::serve_cmd::config(global, &args) {
        Ok(c) => c,
        Err(e) => {
            let fix = match &args.config {
                Some(p) => format!("edit {} (see README.md, \"Configuration\")", p.display()),
                None => "correct the WARTA_* variable named above".into(),
            };
            r.problem("config", format!("{e:#}"), fix);
            // Nothing else can be checked without a configuration.
            bail!("1 problem found");
        }
    };
    r.ok(
        "config",
        format!(
            "{config_name}: source {}, targets {}",
            config.source,
            config
                .targets
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );

    check_database(&mut r, &config);
    check_models(&mut r, &config);
    if config.database_url.starts_with("sqlite:") {
        check_disk(&mut r, "data_dir", &config.data_dir);
    }
    check_disk(&mut r, "models_dir", &config.models_dir);

    match r.problems {
        0 => {
            println!("all checks passed");
            Ok(())
        }
        1 => bail!("1 problem found"),
        n => bail!("{n} problems found"),
    }
}

fn check_database(r: &mut Report, config: &Config) {
    let url = crate::serve_cmd::redact(&config.database_url);
    let opened = crate::serve_cmd::runtime().and_then(|rt| {
        rt.block_on(async {
            if config.database_url.starts_with("sqlite:") {
                std::fs::create_dir_all(&config.data_dir)?;
            }
            // A PostgreSQL server that drops packets would otherwise hold
            // doctor for the pool's 30 s acquire timeout.
            let store = tokio::time::timeout(DB_TIMEOUT, Store::connect(&config.database_url))
                .await
                .map_err(|_| anyhow::anyhow!("no answer within {} s", DB_TIMEOUT.as_secs()))??;
            store.close().await;
            anyhow::Ok(())
        })
    });
    match opened {
        Ok(()) => r.ok(
            "database",
            format!("{url} is reachable and its schema is up to date"),
        ),
        Err(e) => {
            let fix = if config.database_url.starts_with("postgres") {
                "start PostgreSQL or correct database_url / WARTA_DATABASE_URL (user, password, host, database)"
            } else {
                "make data_dir writable or point database_url / WARTA_DATABASE_URL at a writable file"
            };
            r.problem("database", format!("{url}: {e:#}"), fix);
        }
    }
}

fn check_models(r: &mut Report, config: &Config) {
    let store = ModelStore::open(&config.models_dir);
    // `warta models pull` installs into --models-dir / WARTA_MODELS_DIR or the
    // default store; name this store in the command unless it is the default.
    let pull = if config.models_dir == ModelStore::default_root() {
        "warta models pull".to_string()
    } else {
        format!(
            "warta --models-dir {} models pull",
            shell_word(&config.models_dir)
        )
    };
    let mut all_missing = BTreeSet::new();
    let mut problems = 0;
    for &t in &config.targets {
        let what = format!("model {}→{t}", config.source);
        match store.route(config.source, t) {
            Ok(Route::Direct(p)) => {
                r.ok(&what, format!("{p} installed"));
                // The adequacy check scores short segments under the reverse
                // model; without it they go unchecked (said in each
                // version's quality summary).
                let reverse = warta_core::Pair { src: p.trg, trg: p.src };
                if config.adequacy.is_some() && !matches!(store.get(reverse), Ok(Some(_))) {
                    r.note(
                        &format!("adequacy check {}→{t}", config.source),
                        format!("the reverse model {reverse} is not installed: short segments (titles, labels) are not checked for invented content"),
                        format!("{pull} {reverse} (or `adequacy = false` in the configuration)"),
                    );
                }
            }
            Ok(route @ Route::Pivot { .. }) => r.ok(
                &what,
                format!(
                    "through English: {} installed",
                    route
                        .legs()
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            ),
            Err(ModelError::NoRoute { missing, pulls, .. }) => {
                all_missing.extend(pulls.split_whitespace().map(str::to_string));
                problems += 1;
                r.problem(
                    &what,
                    format!("missing {missing}"),
                    format!("{pull} {pulls}"),
                );
            }
            // A broken manifest is not a missing model: say which it is.
            Err(e) => {
                problems += 1;
                r.problem(
                    &what,
                    e,
                    format!("warta models verify, then re-install the pair with {pull} PAIR"),
                );
            }
        }
    }
    if problems > 1 && !all_missing.is_empty() {
        println!(
            "         all at once: {pull} {}",
            all_missing.into_iter().collect::<Vec<_>>().join(" ")
        );
    }
}

fn check_disk(r: &mut Report, what: &str, dir: &Path) {
    // The directory may not exist yet: measure the file system it will be on.
    let existing: PathBuf = dir
        .ancestors()
        .find(|p| p.exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ".".into());
    let existing = if existing.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        existing
    };
    match fs4::available_space(&existing) {
        Ok(free) if free >= MIN_FREE_BYTES => {
            r.ok(what, format!("{} has {} free", dir.display(), human(free)))
        }
        Ok(free) => r.problem(
            what,
            format!(
                "{} has only {} free (warta needs at least {})",
                dir.display(),
                human(free),
                human(MIN_FREE_BYTES)
            ),
            format!(
                "free space on that file system (`df -h {}`) or move {what} in the config",
                shell_word(&existing)
            ),
        ),
        Err(e) => r.problem(
            what,
            format!("cannot measure free space on {}: {e}", existing.display()),
            "check that the directory is readable",
        ),
    }
}

fn human(bytes: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    const MIB: f64 = (1u64 << 20) as f64;
    if bytes as f64 >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB)
    } else {
        format!("{:.0} MiB", bytes as f64 / MIB)
    }
}

/// A path as one shell word, quoted only when it needs to be.
fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
