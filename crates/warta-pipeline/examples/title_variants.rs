//! Experiment (issue 20 point 3; results in BENCHMARKS.md "Headline variants
//! chosen by a score"): translate each NTREX title in a few cheap
//! variants and keep the one a score prefers. Writes one file per strategy
//! (one title per line) to OUT_DIR for `scripts/eval-quality` against
//! `titles.reference.txt` (also written: the pt-BR reference's first line of
//! each document).
//!
//! `cargo run --release -p warta-pipeline --example title_variants -- MODELS NTREX_DIR OUT_DIR`

use std::collections::HashSet;

use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;
use warta_pipeline::truecase::{self, CaseEvidence};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [models, ntrex, out] = [&args[0], &args[1], &args[2]];
    let read = |name: &str| warta_testkit::ntrex(std::path::Path::new(ntrex), name);
    let src = read("newstest2019-src.eng.txt");
    let refs = read("newstest2019-ref.por-BR.txt");
    let ids = read("DOCUMENT_IDS.tsv");
    // Documents in order: (title, reference title, body lines).
    let mut docs: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut seen = HashSet::new();
    for ((id, line), r) in ids.iter().zip(&src).zip(&refs) {
        if seen.insert(id.clone()) {
            docs.push((line.clone(), r.clone(), Vec::new()));
        } else {
            docs.last_mut().unwrap().2.push(line.clone());
        }
    }
    let cased: Vec<String> = docs
        .iter()
        .map(|(t, _, body)| {
            truecase::recase(t, &CaseEvidence::of(body.iter().map(String::as_str)))
                .unwrap_or_else(|| t.clone())
        })
        .collect();
    let ends = |t: &str| t.trim_end().ends_with(['.', '!', '?', '"', '\'', ':']);
    // Variants of each title: what the engine reads, and how to read the
    // output back.
    type Back = fn(&str) -> String;
    let keep: Back = |o| o.to_string();
    let unstop: Back = |o| {
        o.trim_end()
            .strip_suffix('.')
            .unwrap_or(o.trim_end())
            .to_string()
    };
    let mut variants: Vec<Vec<(String, Back, &'static str)>> = Vec::new();
    for (i, (t, _, _)) in docs.iter().enumerate() {
        let c = &cased[i];
        let mut v: Vec<(String, Back, &'static str)> = vec![(c.clone(), keep, "cased")];
        if !ends(c) {
            v.push((format!("{c}."), unstop, "cased+period"));
        }
        if c != t {
            v.push((t.clone(), keep, "raw"));
            if !ends(t) {
                v.push((format!("{t}."), unstop, "raw+period"));
            }
        }
        variants.push(v);
    }
    let pool = ModelPool::new(ModelStore::open(models), 2);
    let en = Lang::english();
    let pt = Lang::parse("pt").unwrap();
    let fwd = pool.translator(en, pt).expect("en-pt model");
    let rev = pool.translator(pt, en).expect("pt-en model");
    let flat: Vec<&str> = variants
        .iter()
        .flatten()
        .map(|(s, _, _)| s.as_str())
        .collect();
    let outs = fwd.translate_texts(&flat, None);
    let backs: Vec<String> = variants
        .iter()
        .flatten()
        .zip(&outs)
        .map(|((_, back, _), o)| back(o))
        .collect();
    // Each output scored against the title as the engine read it first
    // (the cased one), so every variant of a title is scored on one source.
    let mut sources: Vec<&str> = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        sources.extend(std::iter::repeat_n(cased[i].as_str(), v.len()));
    }
    let rpairs: Vec<(&str, &str)> = backs
        .iter()
        .map(String::as_str)
        .zip(sources.iter().copied())
        .collect();
    let fpairs: Vec<(&str, &str)> = sources
        .iter()
        .copied()
        .zip(backs.iter().map(String::as_str))
        .collect();
    let r = rev.score(&rpairs).expect("reverse");
    let f = fwd.score(&fpairs).expect("forward");
    std::fs::create_dir_all(out).unwrap();
    let mut k = 0;
    let mut files: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (i, v) in variants.iter().enumerate() {
        let range = k..k + v.len();
        k += v.len();
        let first = range.start;
        let pick = |score: &dyn Fn(usize) -> f32| {
            range
                .clone()
                .max_by(|&a, &b| score(a).total_cmp(&score(b)))
                .unwrap()
        };
        let by_rev = pick(&|j| r[j].mean);
        let by_sum = pick(&|j| r[j].mean + f[j].mean);
        let by_rev_margin = if r[by_rev].mean > r[first].mean + 0.3 {
            by_rev
        } else {
            first
        };
        let with_period = range
            .clone()
            .find(|&j| v[j - first].2 == "cased+period")
            .unwrap_or(first);
        let reference = &docs[i].1;
        let chrf_oracle = range
            .clone()
            .max_by(|&a, &b| chrf(&backs[a], reference).total_cmp(&chrf(&backs[b], reference)))
            .unwrap();
        for (name, j) in [
            ("cased", first),
            ("period", with_period),
            ("by_reverse", by_rev),
            ("by_sum", by_sum),
            ("by_reverse_margin", by_rev_margin),
            ("oracle_chrf", chrf_oracle),
        ] {
            files.entry(name).or_default().push(backs[j].clone());
        }
        files
            .entry("reference")
            .or_default()
            .push(reference.clone());
        for j in range.clone() {
            eprintln!(
                "{i}\t{}\t{:.2}\t{:.2}\t{}\t=> {}",
                v[j - first].2,
                r[j].mean,
                f[j].mean,
                v[j - first].0,
                backs[j]
            );
        }
    }
    for (name, lines) in files {
        std::fs::write(format!("{out}/titles.{name}.txt"), lines.join("\n") + "\n").unwrap();
    }
}

/// Sentence chrF (character 6-grams, β = 2; sacrebleu's defaults without
/// word n-grams), only to pick the oracle variant; the reported figures are
/// sacrebleu's.
fn chrf(hyp: &str, reference: &str) -> f32 {
    let grams = |s: &str, n: usize| {
        let c: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        let mut m: std::collections::HashMap<String, i32> = Default::default();
        if c.len() >= n {
            for w in c.windows(n) {
                *m.entry(w.iter().collect()).or_default() += 1;
            }
        }
        m
    };
    let (mut p, mut r) = (0.0f32, 0.0f32);
    for n in 1..=6 {
        let (h, g) = (grams(hyp, n), grams(reference, n));
        let common: i32 = h
            .iter()
            .map(|(k, v)| (*v).min(*g.get(k).unwrap_or(&0)))
            .sum();
        let (th, tg): (i32, i32) = (h.values().sum(), g.values().sum());
        p += if th > 0 {
            common as f32 / th as f32
        } else {
            0.0
        };
        r += if tg > 0 {
            common as f32 / tg as f32
        } else {
            0.0
        };
    }
    let (p, r) = (p / 6.0, r / 6.0);
    if p + r == 0.0 {
        0.0
    } else {
        5.0 * p * r / (4.0 * p + r)
    }
}
