//! Which lines does the currency-and-unit part of the numbers check flag?
//!
//! ```text
//! cargo run --release -p warta-qa --example money_flags -- SOURCE.txt TARGET.txt SRC_LANG TRG_LANG
//! ```
//!
//! SOURCE and TARGET are line-aligned. Runs [`warta_qa::money_and_units`] on
//! every line and prints each flagged line (severity, detail, both sides),
//! then the counts. On a human reference every flag is either a false alarm
//! or a place where the translator changed a currency or unit.

use std::process::ExitCode;

use warta_core::Lang;
use warta_qa::{money_and_units, SegmentCheck, Severity};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 4 {
        eprintln!("usage: money_flags SOURCE.txt TARGET.txt SRC_LANG TRG_LANG");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("money_flags: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let (src_text, trg_text) = (read(&args[0])?, read(&args[1])?);
    let src_lang: Lang = args[2].parse().map_err(|e| format!("{e}"))?;
    let trg_lang: Lang = args[3].parse().map_err(|e| format!("{e}"))?;
    let src: Vec<&str> = src_text.lines().collect();
    let trg: Vec<&str> = trg_text.lines().collect();
    if src.len() != trg.len() {
        return Err(format!(
            "{} has {} lines but {} has {}",
            args[0],
            src.len(),
            args[1],
            trg.len()
        ));
    }
    let (mut errors, mut warnings) = (0, 0);
    for (i, (s, t)) in src.iter().zip(&trg).enumerate() {
        let Some(f) = money_and_units(&SegmentCheck::new(s, t, src_lang, trg_lang)) else {
            continue;
        };
        match f.severity {
            Severity::Error => errors += 1,
            _ => warnings += 1,
        }
        println!(
            "line {} [{}] {}\n  src: {s}\n  trg: {t}",
            i + 1,
            f.severity,
            f.detail
        );
    }
    println!(
        "{} lines, {src_lang}→{trg_lang}: {errors} flagged error, {warnings} flagged warning",
        src.len()
    );
    Ok(())
}
