//! How well the adequacy signals find wrong translations (issue 20, point 5;
//! BENCHMARKS.md "Adequacy on labelled lines").
//!
//! ```text
//! adequacy_eval run MODELS NTREX OUT          translate + score every NTREX line, synthetic errors
//! adequacy_eval short MODELS OUT SHORTSET     the short-segment set through the pipeline
//! adequacy_eval candidates OUT N              the lines to label: bottom N by each signal
//! adequacy_eval report OUT LABELS SHORTSET    weights chosen on half A, figures on half B
//! ```
//!
//! `run` translates the 123 NTREX documents en→pt through the pipeline
//! (`warta_pipeline::translate`, each document's first line its title, the
//! rest its body, the default options plus inline confidence), so the
//! outputs and the default flags are the ones a newsroom gets; then scores
//! every engine sentence with `warta_pipeline::adequacy::signals` (the
//! pipeline's own scorer: forward confidence, reverse score, length ratio).
//! Synthetic errors are made on every line and judged by the pipeline's own
//! checks (`check::check`, `check::confidence_flag`, `Adequacy::flag` where
//! `adequacy::decides`). Everything is written to OUT as TSV, so `report`
//! re-derives every figure without the models.
//!
//! Sentence chrF is chrF2 with sacrebleu 2.5.1's defaults (character
//! 1–6-grams, whitespace removed, β = 2, averaged precision and recall over
//! the orders both sides have), checked against sacrebleu on NTREX lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;
use warta_pipeline::adequacy::{self, Signals, Weights, REVERSE_ONLY};
use warta_pipeline::{check, Adequacy, Body, Options, Request, SourceDoc};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("run") if args.len() == 4 => run(&args[1], Path::new(&args[2]), Path::new(&args[3])),
        Some("short") if args.len() == 4 => short(&args[1], Path::new(&args[2]), Path::new(&args[3])),
        Some("candidates") if args.len() == 3 => {
            candidates(Path::new(&args[1]), args[2].parse().unwrap_or(50))
        }
        Some("report") if args.len() == 4 => {
            report(Path::new(&args[1]), Path::new(&args[2]), Path::new(&args[3]))
        }
        _ => Err("usage: adequacy_eval run MODELS NTREX OUT | short MODELS OUT SHORTSET | candidates OUT N | report OUT LABELS SHORTSET".into()),
    };
    if let Err(e) = r {
        eprintln!("adequacy_eval: {e}");
        std::process::exit(1);
    }
}

/// The default confidence threshold of the configuration (`confidence_threshold`).
const CONFIDENCE_THRESHOLD: f64 = -0.5;

fn read_lines(path: &Path) -> Res<Vec<String>> {
    Ok(std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .lines()
        .map(str::to_string)
        .collect())
}

/// NTREX as documents: (first line index, lines), in file order.
/// English lines, pt-BR reference lines, documents as (first line, lines).
type Ntrex = (Vec<String>, Vec<String>, Vec<(usize, usize)>);

fn ntrex_docs(ntrex: &Path) -> Res<Ntrex> {
    let src = read_lines(&ntrex.join("newstest2019-src.eng.txt"))?;
    let refs = read_lines(&ntrex.join("newstest2019-ref.por-BR.txt"))?;
    let ids = read_lines(&ntrex.join("DOCUMENT_IDS.tsv"))?;
    if src.len() != refs.len() || src.len() != ids.len() {
        return Err("NTREX source, reference and document ids differ in length".into());
    }
    let mut docs: Vec<(usize, usize)> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if i == 0 || ids[i - 1] != *id {
            docs.push((i, 0));
        }
        docs.last_mut().unwrap().1 += 1;
    }
    Ok((src, refs, docs))
}

/// Half A: documents with an even index (0-based, in file order); B: odd.
fn half(doc: usize) -> char {
    if doc.is_multiple_of(2) {
        'A'
    } else {
        'B'
    }
}

fn flags_text(flags: &[warta_pipeline::Flag]) -> String {
    let v: Vec<String> = flags
        .iter()
        .map(|f| format!("{}:{:?}", f.check.name(), f.severity))
        .collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(",")
    }
}

fn clean(s: &str) -> String {
    s.replace(['\t', '\n'], " ")
}

fn models(dir: &str) -> Res<(ModelPool, Lang, Lang)> {
    let pool = ModelPool::new(ModelStore::open(dir), 0);
    Ok((pool, Lang::english(), Lang::parse("pt")?))
}

fn run(models_dir: &str, ntrex: &Path, out: &Path) -> Res<()> {
    std::fs::create_dir_all(out)?;
    let (src, refs, docs) = ntrex_docs(ntrex)?;
    let (pool, en, pt) = models(models_dir)?;
    let fwd = pool.translator(en, pt)?;
    let rev = pool.translator(pt, en)?;
    let opts = Options {
        confidence: true,
        confidence_threshold: CONFIDENCE_THRESHOLD,
        adequacy: Some(Adequacy::default()),
    };
    let requests: Vec<Request> = docs
        .iter()
        .map(|&(first, n)| Request {
            doc: Arc::new(SourceDoc {
                title: src[first].clone(),
                summary: String::new(),
                body: Body::Text(src[first + 1..first + n].join("\n")),
            }),
            target: pt,
        })
        .collect();
    let t = std::time::Instant::now();
    let results = warta_pipeline::translate(&pool, en, requests, &HashMap::new(), &opts);
    eprintln!(
        "translated {} documents in {:.1} s",
        docs.len(),
        t.elapsed().as_secs_f64()
    );

    let mut outputs = vec![String::new(); src.len()];
    let mut line_flags: Vec<Vec<warta_pipeline::Flag>> = vec![Vec::new(); src.len()];
    // (line, unit, source sentence, engine output)
    let mut segs: Vec<(usize, usize, String, String)> = Vec::new();
    for (d, ((first, n), r)) in docs.iter().zip(results).enumerate() {
        let doc = r.map_err(|e| format!("document {d}: {e}"))?;
        let body: Vec<&str> = doc.body.split('\n').collect();
        if body.len() != n - 1 {
            return Err(format!("document {d}: {} body lines for {}", body.len(), n - 1).into());
        }
        outputs[*first] = doc.title.clone();
        for (k, b) in body.iter().enumerate() {
            outputs[first + 1 + k] = b.to_string();
        }
        for s in &doc.segments {
            let line = match s.unit {
                0 => *first,
                1 => continue,
                u => first + u - 1,
            };
            line_flags[line].extend(s.flags.iter().cloned());
            if let Some(raw) = &s.raw {
                segs.push((line, s.unit, s.source.clone(), raw.clone()));
            }
        }
    }
    let t = std::time::Instant::now();
    let pairs: Vec<(&str, &str)> = segs.iter().map(|s| (s.2.as_str(), s.3.as_str())).collect();
    let sig = adequacy::signals(&fwd, &rev, &pairs)?;
    eprintln!(
        "scored {} sentences both ways in {:.1} s",
        pairs.len(),
        t.elapsed().as_secs_f64()
    );

    let mut doc_of = vec![0; src.len()];
    for (d, &(first, n)) in docs.iter().enumerate() {
        doc_of[first..first + n].fill(d);
    }
    let mut text = String::from(
        "line\tdoc\thalf\ttitle\tsrc_words\tchrf\tdefault_flags\tsource\toutput\treference\n",
    );
    for i in 0..src.len() {
        let d = doc_of[i];
        writeln!(
            text,
            "{}\t{d}\t{}\t{}\t{}\t{:.2}\t{}\t{}\t{}\t{}",
            i + 1,
            half(d),
            u8::from(docs[d].0 == i),
            src[i].split_whitespace().count(),
            chrf(&outputs[i], &refs[i]),
            flags_text(&line_flags[i]),
            clean(&src[i]),
            clean(&outputs[i]),
            clean(&refs[i]),
        )?;
    }
    std::fs::write(out.join("lines.tsv"), text)?;
    let mut text =
        String::from("line\tunit\tdecides\tforward\treverse\tlog_len_ratio\tsource\toutput\n");
    for (s, g) in segs.iter().zip(&sig) {
        writeln!(
            text,
            "{}\t{}\t{}\t{:.4}\t{:.4}\t{:.4}\t{}\t{}",
            s.0 + 1,
            s.1,
            u8::from(adequacy::decides(s.1, &s.2)),
            g.forward,
            g.reverse,
            g.log_len_ratio,
            clean(&s.2),
            clean(&s.3)
        )?;
    }
    std::fs::write(out.join("segments.tsv"), text)?;

    // Synthetic errors, one line at a time (the line as one pair).
    let is_title: Vec<bool> = (0..src.len()).map(|i| docs[doc_of[i]].0 == i).collect();
    let mut text =
        String::from("kind\tline\tforward\treverse\tlog_len_ratio\tdefault_flags\toutput\n");
    for kind in KINDS {
        let t = std::time::Instant::now();
        let made: Vec<(usize, String)> = (0..src.len())
            .filter_map(|i| synthetic(kind, i, &src, &outputs).map(|o| (i, o)))
            .collect();
        let pairs: Vec<(&str, &str)> = made
            .iter()
            .map(|(i, o)| (src[*i].as_str(), o.as_str()))
            .collect();
        let sig = adequacy::signals(&fwd, &rev, &pairs)?;
        for ((i, o), g) in made.iter().zip(&sig) {
            let unit = if is_title[*i] { 0 } else { 2 };
            let flags = default_flags(&src[*i], o, unit, g, en, pt);
            writeln!(
                text,
                "{kind}\t{}\t{:.4}\t{:.4}\t{:.4}\t{}\t{}",
                i + 1,
                g.forward,
                g.reverse,
                g.log_len_ratio,
                flags_text(&flags),
                clean(o)
            )?;
        }
        eprintln!(
            "synthetic {kind}: {} lines in {:.1} s",
            made.len(),
            t.elapsed().as_secs_f64()
        );
    }
    std::fs::write(out.join("synthetic.tsv"), text)?;
    Ok(())
}

/// The pipeline's default flags for a (source, output) pair that did not
/// come from the engine: the QA checks, confidence below the default
/// threshold, and adequacy where the check decides (title or short).
fn default_flags(
    source: &str,
    output: &str,
    unit: usize,
    g: &Signals,
    en: Lang,
    pt: Lang,
) -> Vec<warta_pipeline::Flag> {
    let mut flags = check::check(source, output, en, pt, &[]);
    flags.extend(check::confidence_flag(g.forward, CONFIDENCE_THRESHOLD));
    if adequacy::decides(unit, source) && g.reverse.is_finite() {
        flags.extend(Adequacy::default().flag(g.reverse, source, output));
    }
    flags
}

const KINDS: [&str; 6] = [
    "none",
    "detached",
    "half_dropped",
    "number",
    "currency_unit",
    "copied_source",
];

/// The synthetic output of `kind` for line `i`, or `None` where the kind
/// does not apply (no number, no currency or unit, fewer than two words).
fn synthetic(kind: &str, i: usize, src: &[String], out: &[String]) -> Option<String> {
    let o = &out[i];
    match kind {
        "none" => Some(o.clone()),
        // Another line's translation: the line half the corpus away, which
        // is in another document.
        "detached" => Some(out[(i + out.len() / 2) % out.len()].clone()),
        "half_dropped" => {
            let w: Vec<&str> = o.split_whitespace().collect();
            (w.len() >= 2).then(|| w[..w.len().div_ceil(2)].join(" "))
        }
        // The first digit of the first number changed (d → d+1 mod 10).
        "number" => {
            let p = o.find(|c: char| c.is_ascii_digit())?;
            let d = o.as_bytes()[p] - b'0';
            let mut s = o.clone();
            s.replace_range(p..p + 1, &((d + 1) % 10).to_string());
            Some(s)
        }
        "currency_unit" => swap_currency_or_unit(o),
        "copied_source" => Some(src[i].clone()),
        _ => None,
    }
}

/// The first currency or unit of a Portuguese output replaced by another
/// (patterns of this program's own, not the check's lexicon), or `None`.
fn swap_currency_or_unit(o: &str) -> Option<String> {
    const SWAPS: [(&str, &str); 22] = [
        ("US$", "€"),
        ("R$", "US$"),
        ("$", "€"),
        ("€", "$"),
        ("£", "€"),
        ("dólares", "euros"),
        ("euros", "libras"),
        ("libras", "euros"),
        ("reais", "dólares"),
        ("ienes", "dólares"),
        ("rupias", "dólares"),
        ("por cento", "pontos"),
        ("%", " pontos"),
        ("quilômetros", "milhas"),
        ("km", "milhas"),
        ("milhas", "quilômetros"),
        ("quilos", "libras"),
        ("kg", "libras"),
        ("metros", "pés"),
        ("pés", "metros"),
        ("graus", "metros"),
        ("polegadas", "centímetros"),
    ];
    o.find(|c: char| c.is_ascii_digit())?;
    // The earliest marker in the text; longer markers first at equal places.
    let mut best: Option<(usize, &str, &str)> = None;
    for (from, to) in SWAPS {
        let mut start = 0;
        while let Some(p) = o[start..].find(from) {
            let p = start + p;
            let before = o[..p].chars().next_back();
            let after = o[p + from.len()..].chars().next();
            let word_like = from.chars().all(char::is_alphabetic);
            let bounded = !word_like
                || (!before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric));
            // A marker counts beside a number: a digit within 20 bytes.
            let lo = p.saturating_sub(20);
            let hi = (p + from.len() + 20).min(o.len());
            let near = o
                .char_indices()
                .any(|(k, c)| k >= lo && k < hi && c.is_ascii_digit());
            if bounded && near {
                if best.is_none_or(|(bp, bf, _)| p < bp || (p == bp && from.len() > bf.len())) {
                    best = Some((p, from, to));
                }
                break;
            }
            start = p + from.len();
        }
    }
    let (p, from, to) = best?;
    let mut s = o.to_string();
    s.replace_range(p..p + from.len(), to);
    Some(s)
}

/// sacrebleu's sentence chrF (chrF2, character 1–6-grams, whitespace
/// removed), 0–100.
fn chrf(hyp: &str, reference: &str) -> f64 {
    let h: Vec<char> = hyp.chars().filter(|c| !c.is_whitespace()).collect();
    let r: Vec<char> = reference.chars().filter(|c| !c.is_whitespace()).collect();
    fn grams(v: &[char], n: usize) -> HashMap<&[char], usize> {
        let mut m = HashMap::new();
        if v.len() >= n {
            for w in v.windows(n) {
                *m.entry(w).or_insert(0) += 1;
            }
        }
        m
    }
    let beta2 = 4.0;
    let (mut p_sum, mut r_sum, mut order) = (0.0, 0.0, 0);
    for n in 1..=6 {
        let (hg, rg) = (grams(&h, n), grams(&r, n));
        let n_hyp: usize = hg.values().sum();
        let n_ref: usize = rg.values().sum();
        let matched: usize = hg
            .iter()
            .map(|(g, c)| (*c).min(*rg.get(g).unwrap_or(&0)))
            .sum();
        if n_hyp > 0 && n_ref > 0 {
            p_sum += matched as f64 / n_hyp as f64;
            r_sum += matched as f64 / n_ref as f64;
            order += 1;
        }
    }
    if order == 0 {
        return 0.0;
    }
    let (p, r) = (p_sum / order as f64, r_sum / order as f64);
    if p + r == 0.0 {
        return 0.0;
    }
    100.0 * (1.0 + beta2) * p * r / (beta2 * p + r)
}

/// One row of a TSV with a header: column name → value.
fn tsv(path: &Path) -> Res<Vec<HashMap<String, String>>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let head: Vec<String> = lines
        .next()
        .ok_or("empty TSV")?
        .split('\t')
        .map(str::to_string)
        .collect();
    Ok(lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split('\t').map(str::to_string))
                .collect()
        })
        .collect())
}

fn num(row: &HashMap<String, String>, k: &str) -> f64 {
    row.get(k).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

/// The short-segment set through the pipeline: each string not taken from
/// NTREX is the title of an article with no body (NTREX titles are read
/// from `run`'s output, translated with their documents).
fn short(models_dir: &str, out: &Path, set: &Path) -> Res<()> {
    let rows = tsv(set)?;
    let (pool, en, pt) = models(models_dir)?;
    let fwd = pool.translator(en, pt)?;
    let rev = pool.translator(pt, en)?;
    let own: Vec<&HashMap<String, String>> =
        rows.iter().filter(|r| r["kind"] != "ntrex-title").collect();
    let requests: Vec<Request> = own
        .iter()
        .map(|r| Request {
            doc: Arc::new(SourceDoc::article(r["source"].clone(), "", "")),
            target: pt,
        })
        .collect();
    let opts = Options {
        confidence: true,
        confidence_threshold: CONFIDENCE_THRESHOLD,
        adequacy: Some(Adequacy::default()),
    };
    let results = warta_pipeline::translate(&pool, en, requests, &HashMap::new(), &opts);
    let mut text = String::from("source\toutput\tdefault_flags\tforward\treverse\tlog_len_ratio\n");
    let mut docs = Vec::new();
    for r in results {
        docs.push(r?);
    }
    let pairs: Vec<(&str, &str)> = own
        .iter()
        .zip(&docs)
        .map(|(r, d)| {
            (
                r["source"].as_str(),
                d.segments[0].raw.as_deref().unwrap_or(&d.title),
            )
        })
        .collect();
    let sig = adequacy::signals(&fwd, &rev, &pairs)?;
    for ((r, d), g) in own.iter().zip(&docs).zip(&sig) {
        let flags: Vec<warta_pipeline::Flag> =
            d.flags().into_iter().map(|(_, f)| f.clone()).collect();
        writeln!(
            text,
            "{}\t{}\t{}\t{:.4}\t{:.4}\t{:.4}",
            r["source"],
            clean(&d.title),
            flags_text(&flags),
            g.forward,
            g.reverse,
            g.log_len_ratio
        )?;
    }
    std::fs::write(out.join("short.tsv"), text)?;
    Ok(())
}

/// A row's signals (columns forward, reverse, log_len_ratio).
fn row_signals(r: &HashMap<String, String>) -> Signals {
    Signals {
        forward: num(r, "forward"),
        reverse: num(r, "reverse"),
        log_len_ratio: num(r, "log_len_ratio"),
    }
}

/// Per line: its sentences' signals (a line is as bad as its worst
/// sentence); `decided_only`: only the sentences the check decides on.
fn line_signals(out: &Path, decided_only: bool) -> Res<BTreeMap<usize, Vec<Signals>>> {
    let mut m: BTreeMap<usize, Vec<Signals>> = BTreeMap::new();
    for r in tsv(&out.join("segments.tsv"))? {
        if !decided_only || r["decides"] == "1" {
            m.entry(num(&r, "line") as usize)
                .or_default()
                .push(row_signals(&r));
        }
    }
    Ok(m)
}

fn line_score(sig: Option<&Vec<Signals>>, w: &Weights) -> f64 {
    sig.map(|v| {
        v.iter()
            .map(|g| g.score_with(w))
            .filter(|x| x.is_finite())
            .fold(f64::INFINITY, f64::min)
    })
    .unwrap_or(f64::INFINITY)
}

fn forward_score(sig: Option<&Vec<Signals>>) -> f64 {
    sig.map(|v| {
        v.iter()
            .map(|g| g.forward)
            .filter(|x| x.is_finite())
            .fold(f64::INFINITY, f64::min)
    })
    .unwrap_or(f64::INFINITY)
}

fn candidates(out: &Path, n: usize) -> Res<()> {
    let lines = tsv(&out.join("lines.tsv"))?;
    let sig = line_signals(out, false)?;
    let center = median(sig.values().flatten().map(|g| g.log_len_ratio).collect());
    let by = |f: &dyn Fn(&HashMap<String, String>) -> f64| -> Vec<usize> {
        let mut v: Vec<(f64, usize)> = lines
            .iter()
            .map(|r| (f(r), num(r, "line") as usize))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v.into_iter().take(n).map(|(_, l)| l).collect()
    };
    let chrf_low = by(&|r| num(r, "chrf"));
    let fwd_low = by(&|r| forward_score(sig.get(&(num(r, "line") as usize))));
    let rev_low = by(&|r| line_score(sig.get(&(num(r, "line") as usize)), &REVERSE_ONLY));
    let len_odd = by(&|r| {
        -sig.get(&(num(r, "line") as usize))
            .map(|v| {
                v.iter()
                    .map(|g| (g.log_len_ratio - center).abs())
                    .fold(0.0, f64::max)
            })
            .unwrap_or(0.0)
    });
    let mut chosen: Vec<usize> = chrf_low
        .iter()
        .chain(&fwd_low)
        .chain(&rev_low)
        .chain(&len_odd)
        .copied()
        .collect();
    chosen.sort();
    chosen.dedup();
    let mut text = String::new();
    for r in &lines {
        let l = num(r, "line") as usize;
        if chosen.contains(&l) {
            writeln!(
                text,
                "{l}\tchrf {}  why {}{}{}{}\n  S: {}\n  O: {}\n  R: {}",
                r["chrf"],
                if chrf_low.contains(&l) { "c" } else { "" },
                if fwd_low.contains(&l) { "f" } else { "" },
                if rev_low.contains(&l) { "r" } else { "" },
                if len_odd.contains(&l) { "l" } else { "" },
                r["source"],
                r["output"],
                r["reference"]
            )?;
        }
    }
    std::fs::write(out.join("candidates.txt"), text)?;
    println!("{} lines chosen (bottom {n} by chrF, forward, reverse, length-ratio distance from {center:.3})", chosen.len());
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// The value below which a `rate` share of `scores` falls.
fn quantile(scores: &[f64], rate: f64) -> f64 {
    let mut v: Vec<f64> = scores.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let k = ((v.len() as f64) * rate).floor() as usize;
    v.get(k).copied().unwrap_or(f64::NEG_INFINITY)
}

/// A labelled line: (line, label).
fn labels(path: &Path) -> Res<BTreeMap<usize, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut m = BTreeMap::new();
    for l in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
    {
        let mut f = l.split('\t');
        let line: usize = f.next().unwrap_or("").parse()?;
        let label = f.next().ok_or("label missing")?.to_string();
        m.insert(line, label);
    }
    Ok(m)
}

/// Whether the defaults of this build flag a line: a flag of a check other
/// than adequacy among `flags` (the run's, made by the build that ran it),
/// or a decided sentence whose [`Signals::score`] is below the default
/// warning (`error`: only error flags, below the default error).
fn flagged_now(flags: &str, decided: &[Signals], error: bool) -> bool {
    let a = Adequacy::default();
    let limit = if error { a.error } else { a.warning };
    let other = flags
        .split(',')
        .any(|f| f != "-" && !f.starts_with("adequacy:") && (!error || f.ends_with("Error")));
    other || decided.iter().any(|g| g.score() < limit)
}

/// The reverse-only warning threshold shipped before the combination.
const REVERSE_WARNING_BEFORE: f64 = -3.0;

/// The flag rate the weights are tuned for, on half A's lines.
const TARGET_RATE: f64 = 0.045;

fn report(out: &Path, labels_path: &Path, short_set: &Path) -> Res<()> {
    let lines = tsv(&out.join("lines.tsv"))?;
    let sig = &line_signals(out, false)?;
    let lab = labels(labels_path)?;
    let half_of: HashMap<usize, char> = lines
        .iter()
        .map(|r| {
            (
                num(r, "line") as usize,
                r["half"].chars().next().unwrap_or('A'),
            )
        })
        .collect();
    let all: Vec<usize> = lines.iter().map(|r| num(r, "line") as usize).collect();
    let half_of = &half_of;
    let all = &all;
    let in_half = move |h: char| all.iter().copied().filter(move |l| half_of[l] == h);
    let center = median(
        in_half('A')
            .flat_map(|l| sig.get(&l).into_iter().flatten().map(|g| g.log_len_ratio))
            .collect(),
    );
    println!("labelled lines: {}; by half and label:", lab.len());
    for h in ['A', 'B'] {
        let mut c: BTreeMap<&str, usize> = BTreeMap::new();
        for (l, v) in &lab {
            if half_of[l] == h {
                *c.entry(v.as_str()).or_default() += 1;
            }
        }
        println!(
            "  half {h}: {c:?} ({} lines in the half)",
            in_half(h).count()
        );
    }
    println!("length-ratio center (median log ratio, half A): {center:.3}");

    // A scorer: line → score (lower worse).
    type Scorer<'a> = Box<dyn Fn(usize) -> f64 + 'a>;
    let eval = |name: &str, score: &Scorer, threshold: f64| {
        let flagged = |l: usize| score(l) < threshold;
        let count = |h: char, label: &str| {
            let v: Vec<usize> = lab
                .iter()
                .filter(|(l, v)| half_of[l] == h && *v == label)
                .map(|(l, _)| *l)
                .collect();
            (v.iter().filter(|&&l| flagged(l)).count(), v.len())
        };
        let (wb, wn) = count('B', "wrong");
        let (rb, rn) = count('B', "right");
        let (cb, cn) = count('B', "clumsy");
        let (wa, wan) = count('A', "wrong");
        let rate_b =
            in_half('B').filter(|&l| flagged(l)).count() as f64 / in_half('B').count() as f64;
        let rate_all = all.iter().filter(|&&l| flagged(l)).count() as f64 / all.len() as f64;
        println!(
            "| {name} | {threshold:.3} | {wa}/{wan} | {wb}/{wn} ({:.0} %) | {cb}/{cn} | {rb}/{rn} ({:.0} %) | {:.1} % | {:.1} % |",
            100.0 * wb as f64 / wn.max(1) as f64,
            100.0 * rb as f64 / rn.max(1) as f64,
            100.0 * rate_b,
            100.0 * rate_all
        );
    };
    let tune = |score: &Scorer| -> (f64, usize, usize) {
        let a: Vec<f64> = in_half('A').map(score).collect();
        let t = quantile(&a, TARGET_RATE);
        let w = lab
            .iter()
            .filter(|(l, v)| half_of[l] == 'A' && *v == "wrong" && score(**l) < t)
            .count();
        let r = lab
            .iter()
            .filter(|(l, v)| half_of[l] == 'A' && *v == "right" && score(**l) < t)
            .count();
        (t, w, r)
    };
    let fwd: Scorer = Box::new(|l| forward_score(sig.get(&l)));
    let revs: Scorer = Box::new(|l| line_score(sig.get(&l), &REVERSE_ONLY));
    // Grid search on half A.
    let mut best: Option<(Weights, f64, usize, usize)> = None;
    for a in [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0] {
        for b in [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0] {
            let w = Weights {
                forward: a,
                length: b,
                center,
            };
            let s: Scorer = Box::new(move |l| line_score(sig.get(&l), &w));
            let (t, wa, ra) = tune(&s);
            let better = match &best {
                None => true,
                Some((_, _, bw, br)) => wa > *bw || (wa == *bw && ra < *br),
            };
            if better {
                best = Some((w, t, wa, ra));
            }
        }
    }
    let (w, t_comb, _, _) = best.ok_or("no weights")?;
    println!("chosen on half A: forward weight {}, length weight {}, center {:.3}; threshold {t_comb:.3} (the {:.1} % quantile of half A)", w.forward, w.length, w.center, 100.0 * TARGET_RATE);
    println!("\n| signal | threshold (from half A) | wrong flagged, A | wrong flagged, B | clumsy flagged, B | right flagged, B | flag rate, B | flag rate, all 1,997 |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let (tf, _, _) = tune(&fwd);
    eval("forward confidence alone", &fwd, tf);
    let (tr_, _, _) = tune(&revs);
    eval("reverse score alone", &revs, tr_);
    let comb: Scorer = Box::new(move |l| line_score(sig.get(&l), &w));
    eval("combination", &comb, t_comb);
    // Error threshold: the 1 % quantile of half A.
    let a: Vec<f64> = in_half('A').map(&comb).collect();
    let t_err = quantile(&a, 0.01);
    eval("combination, error level (1 % of half A)", &comb, t_err);
    // The shipped thresholds on the combination's scale (README: adequacy_warning, adequacy_error).
    let shipped = Adequacy::default();
    eval("combination, shipped warning", &comb, shipped.warning);
    eval("combination, shipped error", &comb, shipped.error);
    // Today's defaults: confidence −0.5; reverse −3.0 on titles and short lines only.
    let defaults: HashMap<usize, bool> = lines
        .iter()
        .map(|r| (num(r, "line") as usize, r["default_flags"] != "-"))
        .collect();
    let dflt: Scorer = Box::new(|l| if defaults[&l] { -1.0 } else { 1.0 });
    eval(
        "defaults before (reverse alone on short segments, any flag)",
        &dflt,
        0.0,
    );
    let decided = line_signals(out, true)?;
    let flags_of: HashMap<usize, String> = lines
        .iter()
        .map(|r| (num(r, "line") as usize, r["default_flags"].clone()))
        .collect();
    let now: Scorer = Box::new(|l| {
        let d = decided.get(&l).cloned().unwrap_or_default();
        if flagged_now(&flags_of[&l], &d, false) {
            -1.0
        } else {
            1.0
        }
    });
    eval(
        "defaults now (combination on short segments, any flag)",
        &now,
        0.0,
    );

    // Reverse only where it decides: the line's forward below τ, or short/title.
    println!("\nReverse pass only on sentences whose forward confidence is below τ (others pass), threshold as above:");
    println!("| τ | sentences reverse-scored | source words reverse-scored | wrong flagged, B | right flagged, B | flag rate, all |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let segs = tsv(&out.join("segments.tsv"))?;
    let total_words: usize = segs
        .iter()
        .map(|r| r["source"].split_whitespace().count())
        .sum();
    for tau in [f64::INFINITY, -0.05, -0.08, -0.1, -0.15, -0.2] {
        let gated = |g: &Signals| g.forward < tau;
        let scored: Vec<&HashMap<String, String>> =
            segs.iter().filter(|r| num(r, "forward") < tau).collect();
        let words: usize = scored
            .iter()
            .map(|r| r["source"].split_whitespace().count())
            .sum();
        let s: Scorer = Box::new(move |l| {
            sig.get(&l)
                .map(|v| {
                    v.iter()
                        .filter(|g| gated(g))
                        .map(|g| g.score_with(&w))
                        .filter(|x| x.is_finite())
                        .fold(f64::INFINITY, f64::min)
                })
                .unwrap_or(f64::INFINITY)
        });
        let flagged = |l: usize| s(l) < t_comb;
        let cnt = |label: &str| {
            let v: Vec<usize> = lab
                .iter()
                .filter(|(l, v)| half_of[l] == 'B' && *v == label)
                .map(|(l, _)| *l)
                .collect();
            format!("{}/{}", v.iter().filter(|&&l| flagged(l)).count(), v.len())
        };
        println!(
            "| {tau} | {:.0} % | {:.0} % | {} | {} | {:.1} % |",
            100.0 * scored.len() as f64 / segs.len() as f64,
            100.0 * words as f64 / total_words as f64,
            cnt("wrong"),
            cnt("right"),
            100.0 * all.iter().filter(|&&l| flagged(l)).count() as f64 / all.len() as f64
        );
    }

    // Synthetic errors.
    println!("\nSynthetic errors (each line scored as one pair):");
    println!("| kind | lines | flagged by the defaults | before publishing (no confidence) | of which errors | flagged by the combination (< {t_comb:.2}) | defaults or combination |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let syn = tsv(&out.join("synthetic.tsv")).unwrap_or_default();
    let by_line: HashMap<usize, &HashMap<String, String>> =
        lines.iter().map(|r| (num(r, "line") as usize, r)).collect();
    let mut missed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for kind in KINDS {
        let rows: Vec<&HashMap<String, String>> =
            syn.iter().filter(|r| r["kind"] == kind).collect();
        let g = row_signals;
        let decides = |r: &HashMap<String, String>| {
            let l: usize = r["line"].parse().unwrap_or(0);
            by_line.get(&l).is_some_and(|lr| {
                lr["title"] == "1" || num(lr, "src_words") <= adequacy::SHORT_WORDS as f64
            })
        };
        let now = |r: &HashMap<String, String>, error: bool| {
            let d = if decides(r) { vec![g(r)] } else { Vec::new() };
            flagged_now(&r["default_flags"], &d, error)
        };
        let d = rows.iter().filter(|r| now(r, false)).count();
        // Before publishing: without the confidence flag (the job's second phase).
        let pre = rows
            .iter()
            .filter(|r| {
                let kept: Vec<&str> = r["default_flags"]
                    .split(',')
                    .filter(|f| !f.starts_with("confidence:"))
                    .collect();
                let flags = if kept.is_empty() {
                    "-".to_string()
                } else {
                    kept.join(",")
                };
                let d = if decides(r) { vec![g(r)] } else { Vec::new() };
                flagged_now(&flags, &d, false)
            })
            .count();
        let e = rows.iter().filter(|r| now(r, true)).count();
        let c = rows.iter().filter(|r| g(r).score_with(&w) < t_comb).count();
        let either = rows
            .iter()
            .filter(|r| now(r, false) || g(r).score_with(&w) < t_comb)
            .count();
        for r in &rows {
            if (kind == "detached" || kind == "currency_unit")
                && !now(r, false)
                && g(r).score_with(&w) >= t_comb
            {
                missed
                    .entry(kind.to_string())
                    .or_default()
                    .push(r["line"].clone());
            }
        }
        let n = rows.len().max(1) as f64;
        println!(
            "| {kind} | {} | {d} ({:.1} %) | {pre} ({:.1} %) | {e} | {c} ({:.1} %) | {either} ({:.1} %) |",
            rows.len(),
            100.0 * d as f64 / n,
            100.0 * pre as f64 / n,
            100.0 * c as f64 / n,
            100.0 * either as f64 / n
        );
    }
    for (k, v) in &missed {
        println!("missed {k}: {} lines: {}", v.len(), v.join(" "));
    }

    // Short segments.
    short_report(out, short_set, &lines, sig, &w, t_comb)?;
    Ok(())
}

/// (kind, label, flagged by the defaults, an error by the defaults,
/// flagged by the combination, chrF against the reference, output,
/// flagged by the reverse score alone).
type ShortResult = (String, String, bool, bool, bool, f64, String, bool);

fn short_report(
    out: &Path,
    set: &Path,
    lines: &[HashMap<String, String>],
    sig: &BTreeMap<usize, Vec<Signals>>,
    w: &Weights,
    t_comb: f64,
) -> Res<()> {
    let rows = tsv(set)?;
    let by_line: HashMap<usize, &HashMap<String, String>> =
        lines.iter().map(|r| (num(r, "line") as usize, r)).collect();
    let own: HashMap<String, HashMap<String, String>> = match tsv(&out.join("short.tsv")) {
        Ok(v) => v.into_iter().map(|r| (r["source"].clone(), r)).collect(),
        Err(_) => HashMap::new(),
    };
    // (kind, label, default flagged, default error, combination flagged, chrF vs ref, output, reverse alone flagged)
    let mut results: Vec<ShortResult> = Vec::new();
    for r in &rows {
        let (flags, score, output, reference, rev) = if r["kind"] == "ntrex-title" {
            let l: usize = r["ntrex_line"].parse()?;
            let lr = by_line
                .get(&l)
                .ok_or(format!("line {l} not in lines.tsv"))?;
            (
                lr["default_flags"].clone(),
                line_score(sig.get(&l), w),
                lr["output"].clone(),
                lr["reference"].clone(),
                line_score(sig.get(&l), &REVERSE_ONLY),
            )
        } else {
            let Some(o) = own.get(&r["source"]) else {
                return Err(
                    format!("`{}` not in short.tsv: run `short` first", r["source"]).into(),
                );
            };
            let g = row_signals(o);
            (
                o["default_flags"].clone(),
                g.score_with(w),
                o["output"].clone(),
                r["reference"].clone(),
                g.reverse,
            )
        };
        // Every string of the set is a title: the check decides on it.
        let g_now = Signals {
            forward: 0.0,
            reverse: score,
            log_len_ratio: 0.0,
        };
        results.push((
            r["kind"].clone(),
            r["label"].clone(),
            flagged_now(&flags, &[g_now], false),
            flagged_now(&flags, &[g_now], true),
            score < t_comb,
            chrf(&output, &reference),
            output,
            rev < REVERSE_WARNING_BEFORE,
        ));
    }
    println!("\nShort-segment set ({} strings):", results.len());
    println!("| kind | strings | wrong | wrong flagged by the defaults | of which errors | wrong flagged by the combination | wrong flagged by reverse < -3.0 | right flagged by the defaults | right flagged by the combination | right flagged by reverse < -3.0 | chrF |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let kinds: Vec<String> = {
        let mut seen = HashSet::new();
        results
            .iter()
            .map(|r| r.0.clone())
            .filter(|k| seen.insert(k.clone()))
            .chain(["all".to_string()])
            .collect()
    };
    for k in kinds {
        let v: Vec<&ShortResult> = results.iter().filter(|r| k == "all" || r.0 == k).collect();
        let wrong: Vec<_> = v.iter().filter(|r| r.1 == "wrong").collect();
        let right: Vec<_> = v.iter().filter(|r| r.1 != "wrong").collect();
        let mean_chrf = v.iter().map(|r| r.5).sum::<f64>() / v.len().max(1) as f64;
        println!(
            "| {k} | {} | {} | {} | {} | {} | {} | {}/{} | {}/{} | {}/{} | {mean_chrf:.1} |",
            v.len(),
            wrong.len(),
            wrong.iter().filter(|r| r.2).count(),
            wrong.iter().filter(|r| r.3).count(),
            wrong.iter().filter(|r| r.4).count(),
            wrong.iter().filter(|r| r.7).count(),
            right.iter().filter(|r| r.2).count(),
            right.len(),
            right.iter().filter(|r| r.4).count(),
            right.len(),
            right.iter().filter(|r| r.7).count(),
            right.len()
        );
    }
    for r in &results {
        if r.1 == "wrong" && !r.2 {
            println!("  wrong, not flagged by the defaults: {}", r.6);
        }
    }
    for r in &results {
        if r.1 != "wrong" && r.2 {
            println!("  right/clumsy, flagged by the defaults: {}", r.6);
        }
    }
    Ok(())
}
