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

mod common;

use std::process::ExitCode;

use warta_qa::{money_and_units, SegmentCheck, Severity};

fn main() -> ExitCode {
    common::main_with(
        "money_flags",
        "SOURCE.txt TARGET.txt SRC_LANG TRG_LANG",
        4..=4,
        run,
    )
}

fn run(args: &[String]) -> Result<(), String> {
    let (src, trg, src_lang, trg_lang) = common::aligned(args)?;
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
