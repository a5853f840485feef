//! The committed evaluation sets of the adequacy check (`eval/`, issue 20;
//! BENCHMARKS.md "Adequacy on labelled lines") parse and refer to existing
//! NTREX lines: the labels are line numbers into NTREX newstest2019 (not
//! committed), so a label file that drifted from the corpus would make every
//! figure derived from it wrong without an error.

use std::collections::HashSet;
use std::path::PathBuf;

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("eval")
}

/// NTREX's English source and pt-BR reference, or `None` (skipped) where
/// NTREX is absent — never under `CI=true`.
fn ntrex() -> Option<(Vec<String>, Vec<String>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ntrex");
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .ok()
            .map(|t| t.lines().map(String::from).collect::<Vec<_>>())
    };
    match (
        read("newstest2019-src.eng.txt"),
        read("newstest2019-ref.por-BR.txt"),
    ) {
        (Some(s), Some(r)) => Some((s, r)),
        _ => {
            // A test that skips silently in CI does not exist.
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "NTREX not found in {}, required under CI=true",
                dir.display()
            );
            eprintln!("SKIPPED (NTREX part): {} absent", dir.display());
            None
        }
    }
}

/// Data rows of a TSV whose comment lines start with `#`, header skipped.
fn rows(name: &str) -> (String, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(eval_dir().join(name)).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header = lines.next().expect("a header").to_string();
    let rows = lines
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn the_ntrex_labels_parse_and_name_existing_lines_once_each() {
    let text = std::fs::read_to_string(eval_dir().join("ntrex-en-pt-labels.tsv")).unwrap();
    assert!(
        text.starts_with("# "),
        "the labelling rule is written at the top of the file"
    );
    let (header, rows) = rows("ntrex-en-pt-labels.tsv");
    assert_eq!(header, "line\tlabel\treason");
    // The issue asks for at least 150 labelled lines.
    assert!(rows.len() >= 150, "{} labelled lines", rows.len());
    let mut seen = HashSet::new();
    let mut wrong = 0;
    for r in &rows {
        assert_eq!(r.len(), 3, "three columns: {r:?}");
        let line: usize = r[0]
            .parse()
            .unwrap_or_else(|_| panic!("line number: {r:?}"));
        assert!((1..=1997).contains(&line), "NTREX has 1,997 lines: {r:?}");
        assert!(seen.insert(line), "line {line} labelled twice");
        assert!(
            ["wrong", "clumsy", "right"].contains(&r[1].as_str()),
            "label: {r:?}"
        );
        assert!(!r[2].trim().is_empty(), "a reason: {r:?}");
        wrong += usize::from(r[1] == "wrong");
    }
    assert!(wrong > 0, "no line labelled wrong");
    if let Some((src, _)) = ntrex() {
        assert_eq!(src.len(), 1997, "NTREX newstest2019 has 1,997 lines");
        for &l in &seen {
            assert!(!src[l - 1].trim().is_empty(), "line {l} is blank in NTREX");
        }
    }
}

#[test]
fn the_short_segment_set_parses_and_its_ntrex_titles_are_titles() {
    let (header, rows) = rows("short-segments.tsv");
    assert_eq!(
        header,
        "kind\tntrex_line\tsource\treference\torigin\tlabel\treason"
    );
    // The issue asks for at least 100 short news strings.
    assert!(rows.len() >= 100, "{} strings", rows.len());
    let ntrex = ntrex();
    let ids: Option<Vec<String>> = ntrex.as_ref().map(|_| {
        std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/ntrex/DOCUMENT_IDS.tsv"),
        )
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
    });
    for r in &rows {
        assert_eq!(r.len(), 7, "seven columns: {r:?}");
        assert!(
            ["wrong", "clumsy", "right"].contains(&r[5].as_str()),
            "label: {r:?}"
        );
        if r[0] == "ntrex-title" {
            let line: usize = r[1].parse().unwrap();
            // NTREX text is not committed: the line number stands for it.
            assert!(r[2].is_empty() && r[3].is_empty(), "{r:?}");
            if let Some(ids) = &ids {
                // A title is the first line of its document.
                assert!(
                    line == 1 || ids[line - 1] != ids[line - 2],
                    "line {line} is no title"
                );
            }
        } else {
            assert_eq!(r[1], "-");
            assert!(
                !r[2].is_empty() && !r[3].is_empty() && !r[4].is_empty(),
                "{r:?}"
            );
        }
    }
}
