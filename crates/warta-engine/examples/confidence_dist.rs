//! Distribution of model confidence (mean token log-probability) over a
//! corpus and its translation, to choose the QA flag threshold:
//! `cargo run --release -p warta-engine --example confidence_dist -- MODELS SRC TRG SOURCE.txt TARGET.txt [N]`
use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pool = ModelPool::new(ModelStore::open(&a[1]), 0);
    let tr = pool
        .translator(Lang::parse(&a[2]).unwrap(), Lang::parse(&a[3]).unwrap())
        .unwrap();
    let src = std::fs::read_to_string(&a[4]).unwrap();
    let trg = std::fs::read_to_string(&a[5]).unwrap();
    let n: usize = a.get(6).and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
    let items: Vec<(&str, Option<&str>, &str)> = src
        .lines()
        .zip(trg.lines())
        .take(n)
        .map(|(s, t)| (s, None, t))
        .collect();
    let t = std::time::Instant::now();
    let mut scores = tr.confidence(&items);
    let secs = t.elapsed().as_secs_f64();
    let mut ranked: Vec<(f32, usize)> = scores.iter().copied().zip(0..).collect();
    ranked.sort_by(|x, y| x.0.total_cmp(&y.0));
    scores.sort_by(f32::total_cmp);
    let pct = |p: f64| scores[((scores.len() - 1) as f64 * p) as usize];
    println!("sentences {}  time {secs:.1} s", scores.len());
    for p in [0.01, 0.02, 0.05, 0.10, 0.25, 0.5, 0.75, 0.9] {
        println!("p{:<4} {:.3}", (p * 100.0) as u32, pct(p));
    }
    for th in [-0.5f32, -0.75, -1.0, -1.25, -1.5, -2.0] {
        let k = scores.iter().filter(|&&c| c < th).count();
        println!(
            "below {th:>5}: {k} ({:.1} %)",
            100.0 * k as f64 / scores.len() as f64
        );
    }
    let lines: Vec<&str> = src.lines().collect();
    let tl: Vec<&str> = trg.lines().collect();
    println!("lowest:");
    for (c, i) in ranked.iter().take(8) {
        println!("{c:.2}  line {}: {} => {}", i + 1, lines[*i], tl[*i]);
    }
}
