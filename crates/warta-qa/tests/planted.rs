//! Recall and precision on the planted-error corpus (`tests/planted/corpus.tsv`).
//!
//! Every row states its origin: hand-written errors of the kinds DESIGN.md
//! names, and real errors of warta's en→pt output on NTREX (NTREX-128,
//! CC BY-SA 4.0). Each error row must be flagged by its expected check; each
//! `clean` row — a correct translation written by hand — must raise no flag.

use warta_core::Lang;
use warta_qa::{check_segment, Check, ExpectedTerm, SegmentCheck};

struct Row {
    line: usize,
    expect: String,
    src: Lang,
    trg: Lang,
    source: String,
    target: String,
    glossary: Vec<ExpectedTerm>,
    origin: String,
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn corpus() -> Vec<Row> {
    let text = include_str!("planted/corpus.tsv");
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            6,
            "corpus.tsv line {}: expected 6 columns",
            i + 1
        );
        let (src, trg) = cols[1].split_once('-').expect("pair is SRC-TRG");
        let glossary = if cols[4] == "-" {
            Vec::new()
        } else {
            cols[4]
                .split(';')
                .map(|e| {
                    let (s, t) = e.split_once('=').expect("glossary entry is SRC=TRG");
                    ExpectedTerm::new(s, t)
                })
                .collect()
        };
        rows.push(Row {
            line: i + 1,
            expect: cols[0].to_string(),
            src: Lang::parse(src).unwrap(),
            trg: Lang::parse(trg).unwrap(),
            source: cols[2].to_string(),
            target: cols[3].to_string(),
            glossary,
            origin: cols[5].to_string(),
        });
    }
    rows
}

fn flags_of(row: &Row) -> Vec<warta_qa::Flag> {
    let html = row.expect == "tags" || row.source.contains('<');
    let (s, t) = if html {
        (strip_tags(&row.source), strip_tags(&row.target))
    } else {
        (row.source.clone(), row.target.clone())
    };
    let seg = SegmentCheck {
        glossary: &row.glossary,
        source_html: html.then_some(row.source.as_str()),
        target_html: html.then_some(row.target.as_str()),
        ..SegmentCheck::new(&s, &t, row.src, row.trg)
    };
    check_segment(&seg)
}

#[test]
fn every_planted_error_is_flagged_by_its_check() {
    let rows = corpus();
    let mut missed = Vec::new();
    for row in rows.iter().filter(|r| r.expect != "clean") {
        let want = Check::from_name(&row.expect)
            .unwrap_or_else(|| panic!("line {}: unknown check {}", row.line, row.expect));
        let flags = flags_of(row);
        if !flags.iter().any(|f| f.check == want) {
            missed.push(format!(
                "line {} ({}; {}): got {:?}",
                row.line, row.expect, row.origin, flags
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "planted errors not flagged:\n{}",
        missed.join("\n")
    );
}

#[test]
fn clean_translations_raise_no_flag() {
    let rows = corpus();
    let mut noisy = Vec::new();
    for row in rows.iter().filter(|r| r.expect == "clean") {
        let flags = flags_of(row);
        if !flags.is_empty() {
            noisy.push(format!(
                "line {}: {} → {}: {:?}",
                row.line, row.source, row.target, flags
            ));
        }
    }
    assert!(
        noisy.is_empty(),
        "false flags on clean pairs:\n{}",
        noisy.join("\n")
    );
}

#[test]
fn corpus_covers_every_segment_check_at_least_four_times() {
    let rows = corpus();
    for c in Check::ALL
        .into_iter()
        // Model scores and document-level findings are not planted rows.
        .filter(|c| !matches!(c, Check::Confidence | Check::Consistency | Check::Adequacy))
    {
        let n = rows.iter().filter(|r| r.expect == c.name()).count();
        assert!(n >= 4, "{} has {n} planted rows", c.name());
    }
    assert!(rows.iter().filter(|r| r.expect == "clean").count() >= 20);
}
