//! Print the hard alignment of one sentence: `cargo run --example align_dump -- MODELS SRC TRG "text"`.
use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pool = ModelPool::new(ModelStore::open(&a[1]), 1);
    let tr = pool
        .translator(Lang::parse(&a[2]).unwrap(), Lang::parse(&a[3]).unwrap())
        .unwrap();
    let out = tr.translate_aligned(&a[4]);
    println!("{}", out.target);
    let al = &out.alignment;
    for (t, r) in al.target_tokens.iter().enumerate() {
        let row = &al.weights[t];
        let best = (0..row.len())
            .max_by(|&x, &y| row[x].total_cmp(&row[y]))
            .unwrap();
        println!(
            "{:>14} <- {:<14} ({:.2})",
            &out.target[r.clone()],
            &a[4][al.source_tokens[best].clone()],
            row[best]
        );
    }
}
