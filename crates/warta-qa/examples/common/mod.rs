//! What the line-aligned examples share: their command line and reading
//! SOURCE.txt TARGET.txt SRC_LANG TRG_LANG.

use std::ops::RangeInclusive;
use std::process::ExitCode;

use warta_core::Lang;

/// Run `run` on the arguments when there are `arity` of them, else print
/// `usage`; an error is one line naming the example, exit status 1.
pub fn main_with(
    name: &str,
    usage: &str,
    arity: RangeInclusive<usize>,
    run: fn(&[String]) -> Result<(), String>,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !arity.contains(&args.len()) {
        eprintln!("usage: {name} {usage}");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Read `SOURCE.txt TARGET.txt SRC_LANG TRG_LANG` (the first four
/// arguments): both files line by line (they must have as many lines) and
/// the two languages.
pub fn aligned(args: &[String]) -> Result<(Vec<String>, Vec<String>, Lang, Lang), String> {
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let lines = |t: String| t.lines().map(String::from).collect::<Vec<_>>();
    let (src, trg) = (lines(read(&args[0])?), lines(read(&args[1])?));
    let src_lang: Lang = args[2].parse().map_err(|e| format!("{e}"))?;
    let trg_lang: Lang = args[3].parse().map_err(|e| format!("{e}"))?;
    if src.len() != trg.len() {
        return Err(format!(
            "{} has {} lines but {} has {}",
            args[0],
            src.len(),
            args[1],
            trg.len()
        ));
    }
    Ok((src, trg, src_lang, trg_lang))
}
