//! Where short segments' adequacy falls (issue 20): each NTREX title (first
//! line of a document) and every NTREX line of six words or fewer, plus the
//! short strings the issue reports, translated en→pt and scored by the
//! reverse model (pt→en: the source given the output), mean log-probability
//! per token. Prints every line with its score, lowest first, and the
//! quantiles, for choosing the `adequacy` thresholds.
//!
//! `cargo run -p warta-engine --example short_adequacy -- MODELS NTREX_DIR`

use std::collections::HashSet;

use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [models, ntrex] = [&args[0], &args[1]];
    let read = |name: &str| warta_testkit::ntrex(std::path::Path::new(ntrex), name);
    let src = read("newstest2019-src.eng.txt");
    let ids = read("DOCUMENT_IDS.tsv");
    let mut seen = HashSet::new();
    let mut lines: Vec<String> = vec![
        "Thank you".into(),
        "Thank you.".into(),
        "Breaking news".into(),
        "Hello".into(),
        "Police arrest suspect".into(),
    ];
    for (id, line) in ids.iter().zip(&src) {
        let title = seen.insert(id.clone());
        if title || line.split_whitespace().count() <= 6 {
            lines.push(line.clone());
        }
    }
    let pool = ModelPool::new(ModelStore::open(models), 2);
    let en = Lang::english();
    let pt = Lang::parse("pt").unwrap();
    let fwd = pool.translator(en, pt).expect("en-pt model");
    let rev = pool.translator(pt, en).expect("pt-en model");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let outs = fwd.translate_texts(&refs, None);
    let pairs: Vec<(&str, &str)> = outs.iter().map(String::as_str).zip(refs.iter().copied()).collect();
    let forward: Vec<(&str, &str)> = refs.iter().copied().zip(outs.iter().map(String::as_str)).collect();
    let r = rev.score(&pairs).expect("reverse scores");
    let f = fwd.score(&forward).expect("forward scores");
    let mut rows: Vec<(f64, f64, &str, &str)> = r
        .iter()
        .zip(&f)
        .zip(refs.iter().zip(&outs))
        .map(|((r, f), (s, o))| (f64::from(r.mean), f64::from(f.mean), *s, o.as_str()))
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (r, f, s, o) in &rows {
        println!("{r:7.2} {f:7.2}  {s}  =>  {o}");
    }
    let q = |p: f64| rows[((rows.len() - 1) as f64 * p) as usize].0;
    println!(
        "{} lines; reverse mean quantiles: 1% {:.2}  2% {:.2}  5% {:.2}  10% {:.2}  50% {:.2}",
        rows.len(),
        q(0.01),
        q(0.02),
        q(0.05),
        q(0.10),
        q(0.5)
    );
}
