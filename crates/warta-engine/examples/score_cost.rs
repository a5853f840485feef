//! What teacher-forced scoring costs next to translating (issue 20): on the
//! first N lines of a corpus, CPU seconds per 1k source words of
//! translating them en→pt, of the forward forced pass (en→pt scores each
//! output given its line: confidence) and of the reverse one (pt→en scores
//! each line given its output: adequacy), and the share of the two passes
//! in the translation's own CPU time. `--stepwise` adds the step-by-step
//! reference pass (fxtranslate `decode_step` + `project` per token) and the
//! largest difference between the two scorers' means.
//!
//! `cargo run --release -p warta-engine --example score_cost -- MODELS CORPUS.txt [N] [--threads T] [--stepwise]`
//!
//! CPU time is the process's user + system time (`getrusage`), so it counts
//! every thread; models are loaded and the scorers' decoders read before
//! the clock starts.

use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;

fn usage() -> libc::rusage {
    // SAFETY: `getrusage` fills the struct it is given; zeroed is a valid
    // starting value for a plain C struct.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    assert_eq!(rc, 0, "getrusage");
    u
}

fn cpu_seconds() -> f64 {
    let u = usage();
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Peak resident memory so far, MiB (Linux reports KiB).
fn peak_rss_mib() -> f64 {
    usage().ru_maxrss as f64 / 1024.0
}

/// Runs `f`, returning its result with (wall, CPU) seconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (w, c) = (std::time::Instant::now(), cpu_seconds());
    let out = f();
    (out, w.elapsed().as_secs_f64(), cpu_seconds() - c)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let positional: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--threads"))
        .map(|(_, a)| a)
        .collect();
    let (Some(models), Some(corpus)) = (positional.first(), positional.get(1)) else {
        eprintln!("usage: score_cost MODELS CORPUS.txt [N] [--threads T] [--stepwise]");
        std::process::exit(2);
    };
    let n: usize = positional
        .get(2)
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let threads = value("--threads").unwrap_or(1);
    let text = std::fs::read_to_string(corpus).unwrap_or_else(|e| {
        eprintln!("{corpus}: {e}");
        std::process::exit(2);
    });
    let lines: Vec<&str> = text.lines().take(n).collect();
    let words: usize = lines.iter().map(|l| l.split_whitespace().count()).sum();
    let kwords = words as f64 / 1000.0;

    let pool = ModelPool::new(ModelStore::open(models.as_str()), threads);
    let lang = |c: &str| Lang::parse(c).unwrap();
    let fwd = pool
        .translator(lang("en"), lang("pt"))
        .expect("en-pt model");
    let rev = pool
        .translator(lang("pt"), lang("en"))
        .expect("pt-en model");
    // Load both engines and both scorers outside the clock.
    let warm = fwd.translate_sentences(&lines[..1], None);
    rev.translate_sentences(&[warm[0].as_str()], None);
    let rss_engines = peak_rss_mib();
    fwd.score(&[(lines[0], &warm[0])]).unwrap();
    rev.score(&[(&warm[0], lines[0])]).unwrap();
    let rss_scorers = peak_rss_mib();

    let (out, tw, tc) = timed(|| fwd.translate_sentences(&lines, None));
    let forward: Vec<(&str, &str)> = lines
        .iter()
        .copied()
        .zip(out.iter().map(String::as_str))
        .collect();
    let reverse: Vec<(&str, &str)> = forward.iter().map(|&(s, t)| (t, s)).collect();
    let (fs, fw, fc) = timed(|| fwd.score(&forward).unwrap());
    let (rs, rw, rc) = timed(|| rev.score(&reverse).unwrap());

    println!(
        "{} lines, {words} words, {threads} thread(s), int8 GEMM kernel {}",
        lines.len(),
        fxtranslate::gemm::backend()
    );
    println!("| pass | wall s | CPU s | CPU s / 1k words | share of translation |");
    println!("|---|---:|---:|---:|---:|");
    let row = |name: &str, w: f64, c: f64| {
        println!(
            "| {name} | {w:.2} | {c:.2} | {:.3} | {:.1} % |",
            c / kwords,
            100.0 * c / tc
        )
    };
    row("translate en→pt", tw, tc);
    row("forward forced (en→pt)", fw, fc);
    row("reverse forced (pt→en)", rw, rc);
    println!(
        "(forward + reverse) / translation: {:.1} % (target ≤ 25 %)",
        100.0 * (fc + rc) / tc
    );
    println!(
        "peak RSS: {rss_engines:.1} MiB with both engines, {rss_scorers:.1} MiB with both scorers too, {:.1} MiB at the end",
        peak_rss_mib()
    );

    if flag("--stepwise") {
        let fm = &fwd.legs()[0];
        let rm = &rev.legs()[0];
        let (sf, sfw, sfc) = timed(|| {
            forward
                .iter()
                .map(|(s, t)| fm.score_stepwise(s, t))
                .collect::<Vec<_>>()
        });
        let (sr, srw, src) = timed(|| {
            reverse
                .iter()
                .map(|(s, t)| rm.score_stepwise(s, t))
                .collect::<Vec<_>>()
        });
        row("forward step by step (1 thread)", sfw, sfc);
        row("reverse step by step (1 thread)", srw, src);
        let worst = |a: &[warta_engine::ForcedScore], b: &[warta_engine::ForcedScore]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x.mean - y.mean).abs())
                .fold(0.0f32, f32::max)
        };
        println!(
            "largest |mean difference|: forward {:e}, reverse {:e}",
            worst(&fs, &sf),
            worst(&rs, &sr)
        );
    }
}
