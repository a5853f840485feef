//! How often does each check flag real translations?
//!
//! ```text
//! cargo run --release -p warta-qa --example false_flags -- SOURCE.txt TARGET.txt SRC_LANG TRG_LANG [EXAMPLES]
//! ```
//!
//! SOURCE and TARGET are line-aligned (one segment per line). Every check
//! runs on every line, with no glossary and no HTML (so `glossary` and
//! `tags` never fire here). Prints, per check, the number and share of lines
//! flagged, then up to EXAMPLES (default 5) flagged lines per check with the
//! flag's detail, so a human can judge whether they are real errors.

mod common;

use std::process::ExitCode;

use warta_qa::{check_segment, Check, SegmentCheck};

fn main() -> ExitCode {
    common::main_with(
        "false_flags",
        "SOURCE.txt TARGET.txt SRC_LANG TRG_LANG [EXAMPLES]",
        4..=5,
        run,
    )
}

fn run(args: &[String]) -> Result<(), String> {
    let (src, trg, src_lang, trg_lang) = common::aligned(args)?;
    let n_examples: usize = match args.get(4) {
        Some(s) => s
            .parse()
            .map_err(|_| format!("EXAMPLES must be a number, got `{s}`"))?,
        None => 5,
    };

    let mut flagged: Vec<Vec<(usize, String)>> = vec![Vec::new(); Check::ALL.len()];
    let mut any = 0usize;
    for (i, (s, t)) in src.iter().zip(&trg).enumerate() {
        let flags = check_segment(&SegmentCheck::new(s, t, src_lang, trg_lang));
        if !flags.is_empty() {
            any += 1;
        }
        for f in flags {
            let k = Check::ALL.iter().position(|c| *c == f.check).unwrap_or(0);
            flagged[k].push((i, format!("[{}] {}", f.severity, f.detail)));
        }
    }

    let total = src.len().max(1);
    println!("{} lines, {src_lang}→{trg_lang}", src.len());
    println!("{:<14} {:>8} {:>7}", "check", "flagged", "%");
    for (k, c) in Check::ALL.iter().enumerate() {
        let n = flagged[k].len();
        println!(
            "{:<14} {:>8} {:>6.2}%",
            c.name(),
            n,
            100.0 * n as f64 / total as f64
        );
    }
    println!(
        "{:<14} {:>8} {:>6.2}%",
        "any",
        any,
        100.0 * any as f64 / total as f64
    );

    for (k, c) in Check::ALL.iter().enumerate() {
        if flagged[k].is_empty() || n_examples == 0 {
            continue;
        }
        println!("\n== {} ({} lines) ==", c.name(), flagged[k].len());
        for (i, detail) in flagged[k].iter().take(n_examples) {
            println!(
                "line {}: {detail}\n  src: {}\n  trg: {}",
                i + 1,
                src[*i],
                trg[*i]
            );
        }
    }
    Ok(())
}
