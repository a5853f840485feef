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

use std::process::ExitCode;

use warta_core::Lang;
use warta_qa::{check_segment, Check, SegmentCheck};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 || args.len() > 5 {
        eprintln!("usage: false_flags SOURCE.txt TARGET.txt SRC_LANG TRG_LANG [EXAMPLES]");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("false_flags: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let (src_text, trg_text) = (read(&args[0])?, read(&args[1])?);
    let src_lang: Lang = args[2].parse().map_err(|e| format!("{e}"))?;
    let trg_lang: Lang = args[3].parse().map_err(|e| format!("{e}"))?;
    let n_examples: usize = match args.get(4) {
        Some(s) => s
            .parse()
            .map_err(|_| format!("EXAMPLES must be a number, got `{s}`"))?,
        None => 5,
    };
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
