//! One pass of the translation pipeline over a set of (article revision,
//! target language) requests: segment → translate → rebuild.
//!
//! Requests are translated together so the engine sees big batches: every
//! text of every request that goes through the same model is sent in one
//! call, and a two-leg route's first leg (`id→en`) is computed once for all
//! targets that pivot through it — that same English output *is* the English
//! version when English is a target.
//!
//! Blocks whose markup must be carried over (links, emphasis) go through the
//! aligned path instead, which returns the same text plus word alignments.
//!
//! Runs on a blocking worker thread; no async here.

use std::collections::HashMap;
use std::sync::Arc;

use warta_core::{Lang, Pair};
use warta_engine::{ModelPool, Translator};
use warta_html::{project_spans, Fragment, UnitTranslation};
use warta_models::ModelStore;

/// What to translate: a source revision's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDoc {
    pub title: String,
    pub summary: String,
    pub body_html: String,
}

/// One request: translate `doc` into `target`.
pub struct Request {
    pub doc: Arc<SourceDoc>,
    pub target: Lang,
}

/// A translated document.
#[derive(Debug, Clone)]
pub struct TranslatedDoc {
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub model_id: String,
    /// (source, target) per translated unit, in document order.
    pub segments: Vec<(String, String)>,
    /// Sentences sent to the engine for this document (before de-duplication).
    pub sentences: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("waiting for the {0} model")]
    MissingModel(Pair),
    #[error("{0}")]
    Engine(String),
    #[error("HTML: {0}")]
    Html(#[from] warta_html::HtmlError),
}

/// A document cut into units: title, summary, then the body's units.
struct Parsed {
    fragment: Fragment,
    /// Unit texts in order: [title, summary, body units...].
    texts: Vec<String>,
    /// Which texts need the aligned path (body units with inline markup).
    aligned: Vec<bool>,
}

impl Parsed {
    fn new(doc: &SourceDoc) -> Result<Parsed, PipelineError> {
        let fragment = Fragment::parse(&doc.body_html)?;
        let mut texts = vec![doc.title.clone(), doc.summary.clone()];
        let mut aligned = vec![false, false];
        for u in fragment.units() {
            texts.push(u.text.clone());
            aligned.push(!u.spans.is_empty());
        }
        Ok(Parsed { fragment, texts, aligned })
    }
}

/// Translate every request. Results are index-aligned with `requests`.
pub fn translate(pool: &ModelPool, source: Lang, requests: &[Request]) -> Vec<Result<TranslatedDoc, PipelineError>> {
    // Parse each distinct document once.
    let mut parsed: HashMap<*const SourceDoc, Result<Arc<Parsed>, String>> = HashMap::new();
    for r in requests {
        parsed
            .entry(Arc::as_ptr(&r.doc))
            .or_insert_with(|| Parsed::new(&r.doc).map(Arc::new).map_err(|e| e.to_string()));
    }

    // Routes, and which requests can run.
    let mut routes: Vec<Result<Translator, PipelineError>> = Vec::with_capacity(requests.len());
    for r in requests {
        routes.push(match pool.translator(source, r.target) {
            Ok(t) => Ok(t),
            Err(_) => Err(PipelineError::MissingModel(missing_pair(pool.store(), source, r.target))),
        });
    }

    // Plain texts through the first leg, grouped by model.
    let plain = |i: usize| -> Vec<String> {
        match &parsed[&Arc::as_ptr(&requests[i].doc)] {
            Ok(p) => p.texts.iter().zip(&p.aligned).filter(|(_, a)| !**a).map(|(t, _)| t.clone()).collect(),
            Err(_) => Vec::new(),
        }
    };
    let mut leg_outputs: HashMap<(Pair, String), String> = HashMap::new();
    let run_leg = |pair: Pair, texts: Vec<String>, outputs: &mut HashMap<(Pair, String), String>| -> Result<(), String> {
        let todo: Vec<String> = {
            let mut seen = std::collections::HashSet::new();
            texts
                .into_iter()
                .filter(|t| !t.trim().is_empty() && !outputs.contains_key(&(pair, t.clone())) && seen.insert(t.clone()))
                .collect()
        };
        if todo.is_empty() {
            return Ok(());
        }
        let tr = pool.translator(pair.src, pair.trg).map_err(|e| e.to_string())?;
        let refs: Vec<&str> = todo.iter().map(String::as_str).collect();
        let out = tr.translate_texts(&refs, None);
        for (t, o) in todo.into_iter().zip(out) {
            outputs.insert((pair, t), o);
        }
        Ok(())
    };

    let mut first_legs: HashMap<Pair, Vec<String>> = HashMap::new();
    for (i, route) in routes.iter().enumerate() {
        if let Ok(tr) = route {
            first_legs.entry(tr.legs()[0].pair).or_default().extend(plain(i));
        }
    }
    let mut leg_errors: HashMap<Pair, String> = HashMap::new();
    for (pair, texts) in first_legs {
        if let Err(e) = run_leg(pair, texts, &mut leg_outputs) {
            leg_errors.insert(pair, e);
        }
    }
    let mut second_legs: HashMap<Pair, Vec<String>> = HashMap::new();
    for (i, route) in routes.iter().enumerate() {
        if let Ok(tr) = route {
            if let [first, second] = tr.legs() {
                let mids = plain(i).into_iter().filter_map(|t| leg_outputs.get(&(first.pair, t)).cloned());
                second_legs.entry(second.pair).or_default().extend(mids);
            }
        }
    }
    for (pair, texts) in second_legs {
        if let Err(e) = run_leg(pair, texts, &mut leg_outputs) {
            leg_errors.insert(pair, e);
        }
    }

    // Assemble each request.
    requests
        .iter()
        .zip(routes)
        .map(|(r, route)| {
            let tr = route?;
            let p = parsed[&Arc::as_ptr(&r.doc)].clone().map_err(PipelineError::Engine)?;
            for leg in tr.legs() {
                if let Some(e) = leg_errors.get(&leg.pair) {
                    return Err(PipelineError::Engine(e.clone()));
                }
            }
            let through = |text: &str| -> String {
                if text.trim().is_empty() {
                    return text.to_string();
                }
                tr.legs().iter().fold(text.to_string(), |acc, leg| {
                    leg_outputs.get(&(leg.pair, acc)).cloned().unwrap_or_default()
                })
            };
            assemble(&tr, &p, &through)
        })
        .collect()
}

fn assemble(tr: &Translator, p: &Parsed, through: &dyn Fn(&str) -> String) -> Result<TranslatedDoc, PipelineError> {
    let mut outs: Vec<String> = Vec::with_capacity(p.texts.len());
    let mut units: Vec<UnitTranslation> = Vec::new();
    let body_units = p.fragment.units();
    for (i, text) in p.texts.iter().enumerate() {
        if i < 2 {
            outs.push(through(text));
            continue;
        }
        let unit = &body_units[i - 2];
        let ut = if p.aligned[i] {
            let a = tr.translate_aligned(text);
            let spans = project_spans(text, &unit.spans, &a.target, &a.alignment);
            UnitTranslation { text: a.target, spans }
        } else {
            UnitTranslation { text: through(text), spans: Vec::new() }
        };
        outs.push(ut.text.clone());
        units.push(ut);
    }
    let body_html = p.fragment.render(&units)?;
    let sentences = p.texts.iter().map(|t| warta_engine::split_sentences(t).len()).sum();
    Ok(TranslatedDoc {
        title: outs[0].clone(),
        summary: outs[1].clone(),
        body_html,
        model_id: tr.model_id(),
        segments: p.texts.iter().cloned().zip(outs).filter(|(s, _)| !s.trim().is_empty()).collect(),
        sentences,
    })
}

/// The first pair a route from `src` to `trg` lacks: the direct pair when
/// either side is English, otherwise the missing leg through English.
pub fn missing_pair(store: &ModelStore, src: Lang, trg: Lang) -> Pair {
    let direct = Pair { src, trg };
    let en = Lang::english();
    if src == en || trg == en {
        return direct;
    }
    let first = Pair { src, trg: en };
    if !matches!(store.get(first), Ok(Some(_))) {
        return first;
    }
    Pair { src: en, trg }
}
