//! How often the consistency check fires on real output, per document:
//! `cargo run --release -p warta-qa --example consistency_rate -- SOURCE.txt TARGET.txt DOCUMENT_IDS.tsv`
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let src = std::fs::read_to_string(&a[1]).unwrap();
    let trg = std::fs::read_to_string(&a[2]).unwrap();
    let ids = std::fs::read_to_string(&a[3]).unwrap();
    let mut docs: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for ((id, s), t) in ids.lines().zip(src.lines()).zip(trg.lines()) {
        match docs.last_mut() {
            Some((d, v)) if d == id => v.push((s.to_string(), t.to_string())),
            _ => docs.push((id.to_string(), vec![(s.to_string(), t.to_string())])),
        }
    }
    let (mut flagged_docs, mut flagged_segs, mut segs) = (0, 0, 0);
    for (id, lines) in &docs {
        segs += lines.len();
        let pairs: Vec<(&str, &str)> = lines
            .iter()
            .map(|(s, t)| (s.as_str(), t.as_str()))
            .collect();
        let found = warta_qa::inconsistent_names(&pairs);
        if !found.is_empty() {
            flagged_docs += 1;
        }
        for f in &found {
            flagged_segs += f.renderings.len();
            println!("{id}: {} → {:?}", f.source_name, f.renderings);
        }
    }
    println!(
        "documents {} flagged {flagged_docs}; segments {segs}, in a flagged rendering {flagged_segs} ({:.2} %)",
        docs.len(),
        100.0 * flagged_segs as f64 / segs as f64
    );
}
