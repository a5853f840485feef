//! Installing real models: the install-time load is the engine's load,
//! shortlist included (issue 10: a broken shortlist used to install silently
//! because the check loaded the model without it).

use warta_models::{load_engine, ModelStore};

#[test]
fn a_broken_shortlist_is_refused_at_install() {
    let Some(models) = warta_testkit::test_models_if_fetched() else {
        return;
    };
    let src = models.join("en-pt");
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "model.enpt.intgemm.alphas.bin",
        "vocab.enpt.spm",
        "lex.50.50.enpt.s2t.bin",
    ] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let lex = dir.path().join("lex.50.50.enpt.s2t.bin");
    let bytes = std::fs::read(&lex).unwrap();
    std::fs::write(&lex, &bytes[..bytes.len() / 2]).unwrap();

    let store_dir = tempfile::tempdir().unwrap();
    let store = ModelStore::open(store_dir.path());
    let err = store
        .import(dir.path(), "en-pt".parse().unwrap(), Some("1"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("shortlist") && err.contains("lex.50.50.enpt.s2t.bin"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(store_dir.path()).unwrap().count(),
        0,
        "store not empty"
    );
}

#[test]
fn the_install_load_translates_like_the_engine() {
    let Some(models) = warta_testkit::test_models_if_fetched() else {
        return;
    };
    // Expected text: the CLI test's "done when" example (crates/warta/tests/cli.rs),
    // which goes through the engine pool.
    let installed = ModelStore::open(&models)
        .require("en-pt".parse().unwrap())
        .unwrap();
    let paths = installed.paths();
    assert!(paths.lex.is_some(), "the test model ships a shortlist");
    let engine = load_engine(&paths).unwrap();
    assert_eq!(
        engine.translate("How are you today?"),
        "Como você está hoje?"
    );
}
