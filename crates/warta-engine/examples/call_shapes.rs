//! Experiment: the same lines translated in different call shapes, to split
//! the backlog's extra CPU per word between call size, the crew and two
//! callers. `cargo run --release -p warta-engine --example call_shapes -- MODELS LINES.txt SHAPE CHUNK`
//! SHAPE: own-one | own-chunks | crew-one | crew-chunks | crew-two
use std::sync::Arc;
use std::time::Instant;
use warta_core::Lang;
use warta_engine::{Crew, ModelPool};
use warta_models::ModelStore;

fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&a[2]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let shape = a[3].as_str();
    let chunk: usize = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(262);
    let base = ModelPool::new(ModelStore::open(&a[1]), 2);
    let pool = if shape.starts_with("crew") {
        base.on_crew(Arc::new(Crew::new(2, "crew", || {}).unwrap()))
    } else {
        base
    };
    let tr = pool
        .translator(Lang::parse("en").unwrap(), Lang::parse("pt").unwrap())
        .unwrap();
    tr.translate_texts(&["Warm up."], None);
    let (c0, t0) = (cpu(), Instant::now());
    let out: usize = match shape {
        "own-one" | "crew-one" => tr.translate_texts(&lines, None).len(),
        "own-chunks" | "crew-chunks" => lines
            .chunks(chunk)
            .map(|c| tr.translate_texts(c, None).len())
            .sum(),
        "crew-two" => {
            let chunks: Vec<&[&str]> = lines.chunks(chunk).collect();
            let next = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|s| {
                let hs: Vec<_> = (0..2)
                    .map(|_| {
                        s.spawn(|| {
                            let mut n = 0;
                            loop {
                                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                if i >= chunks.len() {
                                    break n;
                                }
                                n += tr.translate_texts(chunks[i], None).len();
                            }
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).sum()
            })
        }
        other => {
            eprintln!(
                "unknown shape `{other}`: own-one, own-chunks, crew-one, crew-chunks or crew-two"
            );
            std::process::exit(2)
        }
    };
    let (secs, cpus) = (t0.elapsed().as_secs_f64(), cpu() - c0);
    println!(
        "{shape:12} chunk {chunk:5} lines {out} wall {secs:6.2} s cpu {cpus:6.2} s busy {:.2}",
        cpus / secs
    );
}
