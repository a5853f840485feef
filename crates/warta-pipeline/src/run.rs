//! Segment, route, batch through the engine, assemble: the stages of
//! [`crate`] in order. See the crate docs for the data flow.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use warta_core::{normalize_segment, Alignment, Lang, Origin, Pair};
use warta_engine::{AlignedText, ModelPool, Piece, Translator};
use warta_html::{project_spans, Fragment, UnitTranslation};
use warta_models::ModelStore;

use crate::check::{self, Spelling};
use crate::enforce::{self, Requirement};
use crate::truecase::{self, CaseEvidence};
use crate::{Body, Flag, Options, PipelineError, SegmentOut, SourceDoc, Term, TranslatedDoc};

/// One request: translate `doc` into `target`.
#[derive(Clone)]
pub struct Request {
    pub doc: Arc<SourceDoc>,
    pub target: Lang,
}

/// A sentence inside a unit: its byte range in the unit's text.
#[derive(Debug, Clone)]
struct Sent {
    range: Range<usize>,
    /// An inline element of the unit overlaps it: needs alignment.
    has_markup: bool,
}

/// The sentences of `doc` in the order its segments are stored (title,
/// summary, then the body's blocks): the pipeline's own cut, so a
/// comparison of two revisions (the desk's "what changed in the
/// original") sees the sentences a translation was made of.
pub fn source_sentences(doc: &SourceDoc) -> Result<Vec<String>, PipelineError> {
    let p = Parsed::new(doc)?;
    Ok(p.texts
        .iter()
        .zip(&p.sents)
        .flat_map(|(text, ss)| ss.iter().map(move |s| text[s.range.clone()].to_string()))
        .collect())
}

/// A document cut into units and sentences.
struct Parsed {
    /// The body's HTML fragment; `None` for plain text.
    fragment: Option<Fragment>,
    /// Unit texts: [title, summary, body units...].
    texts: Vec<String>,
    /// What the engine reads of each unit: the text, or a headline-cased
    /// unit cased as the document writes its words ([`truecase`]). Same
    /// length as `texts`, character for character, so sentence ranges
    /// hold in both.
    engine: Vec<String>,
    /// Per unit: alternating pieces as (is_sentence, range).
    pieces: Vec<Vec<(bool, Range<usize>)>>,
    /// Per unit: its sentences.
    sents: Vec<Vec<Sent>>,
}

impl Parsed {
    fn new(doc: &SourceDoc) -> Result<Parsed, PipelineError> {
        let mut texts = vec![doc.title.clone(), doc.summary.clone()];
        let mut spans: Vec<Vec<Range<usize>>> = vec![Vec::new(), Vec::new()];
        let fragment = match &doc.body {
            Body::Html(html) => {
                let fragment =
                    Fragment::parse(html).map_err(|e| PipelineError::BadInput(e.to_string()))?;
                for u in fragment.units() {
                    texts.push(u.text.clone());
                    spans.push(u.spans.iter().map(|s| s.range.clone()).collect());
                }
                Some(fragment)
            }
            Body::Text(text) => {
                for line in text.split('\n') {
                    texts.push(line.to_string());
                    spans.push(Vec::new());
                }
                None
            }
        };
        let mut pieces = Vec::new();
        let mut sents = Vec::new();
        for (text, spans) in texts.iter().zip(&spans) {
            let mut ps = Vec::new();
            let mut ss = Vec::new();
            for p in warta_engine::pieces(text) {
                let (is_sentence, s) = match p {
                    Piece::Sentence(s) => (true, s),
                    Piece::Gap(g) => (false, g),
                };
                let start = s.as_ptr() as usize - text.as_ptr() as usize;
                let range = start..start + s.len();
                if is_sentence {
                    // An element covers part of the sentence, or (br, img) sits inside it.
                    let has_markup = spans.iter().any(|r| {
                        if r.is_empty() {
                            range.start < r.start && r.start <= range.end
                        } else {
                            r.start < range.end && range.start < r.end
                        }
                    });
                    ss.push(Sent {
                        range: range.clone(),
                        has_markup,
                    });
                }
                ps.push((is_sentence, range));
            }
            pieces.push(ps);
            sents.push(ss);
        }
        let engine = engine_texts(&texts);
        Ok(Parsed {
            fragment,
            texts,
            engine,
            pieces,
            sents,
        })
    }

    /// A sentence as the engine reads it.
    fn engine_sentence(&self, unit: usize, s: &Sent) -> &str {
        &self.engine[unit][s.range.clone()]
    }

    /// Every sentence text in document order.
    fn sentences(&self) -> impl Iterator<Item = &str> {
        self.texts
            .iter()
            .zip(&self.sents)
            .flat_map(|(t, ss)| ss.iter().map(move |s| &t[s.range.clone()]))
    }
}

/// What the engine reads of each unit (see [`Parsed::engine`]): the title
/// and summary, and body units of four words or fewer (labels, short
/// captions), recased when headline-cased, with the body's other units as
/// the evidence of how the document writes its words. Longer body units are
/// left alone: on NTREX, recasing body lines of up to twelve words lowered
/// names the rest of the document never writes (`Alasdair Lamont`).
fn engine_texts(texts: &[String]) -> Vec<String> {
    const SHORT_UNIT_WORDS: usize = 4;
    let body = |except: usize| {
        texts
            .iter()
            .enumerate()
            .filter(move |&(j, _)| j >= 2 && j != except)
            .map(|(_, t)| t.as_str())
    };
    let mut headline_evidence = None;
    texts
        .iter()
        .enumerate()
        .map(|(u, text)| {
            let candidate = u < 2 || text.split_whitespace().count() <= SHORT_UNIT_WORDS;
            if !candidate || !truecase::is_headline_case(text) {
                return text.clone();
            }
            let recased = if u < 2 {
                let e = headline_evidence.get_or_insert_with(|| CaseEvidence::of(body(usize::MAX)));
                truecase::recase(text, e)
            } else {
                truecase::recase(text, &CaseEvidence::of(body(u)))
            };
            recased.unwrap_or_else(|| text.clone())
        })
        .collect()
}

/// Requests parsed and routed, ready for memory lookup and translation.
pub struct Prepared {
    requests: Vec<Request>,
    parsed: Vec<Result<Arc<Parsed>, PipelineError>>,
    routes: Vec<Result<Translator, PipelineError>>,
    /// Per request, the reverse translator of a direct route (the adequacy
    /// check's), `Ok(None)` for a route through English, or the missing pair.
    reverses: Vec<Result<Option<Translator>, Pair>>,
}

/// One memory lookup the caller makes: the route's final output for `pair`.
pub struct TmQuery {
    pub request: usize,
    pub pair: Pair,
    pub model_id: String,
    /// Normalised source sentences.
    pub sources: Vec<String>,
}

/// Memory answers per request: normalised source → (target, origin).
pub type TmAnswers = Vec<HashMap<String, (String, Origin)>>;

/// Parse and route every request.
pub fn prepare(pool: &ModelPool, source: Lang, requests: Vec<Request>) -> Prepared {
    let mut by_doc: HashMap<*const SourceDoc, Result<Arc<Parsed>, PipelineError>> = HashMap::new();
    let mut parsed = Vec::with_capacity(requests.len());
    let mut routes = Vec::with_capacity(requests.len());
    for r in &requests {
        let p = by_doc
            .entry(Arc::as_ptr(&r.doc))
            .or_insert_with(|| Parsed::new(&r.doc).map(Arc::new))
            .clone();
        parsed.push(p);
        routes.push(pool.translator(source, r.target).map_err(|e| match e {
            // Missing and broken are different states for an operator: a
            // missing model waits for `models pull`; a broken one is an
            // error the job reports (and retries) until someone fixes it.
            warta_engine::EngineError::Models(
                warta_models::ModelError::NotInstalled { .. }
                | warta_models::ModelError::NoRoute { .. },
            ) => PipelineError::MissingModel(missing_pair(pool.store(), source, r.target)),
            e => PipelineError::ModelBroken(e.to_string()),
        }));
    }
    let reverses = routes
        .iter()
        .map(|r| match r {
            Ok(tr) => crate::adequacy::reverse(pool, tr),
            Err(_) => Ok(None),
        })
        .collect();
    Prepared {
        reverses,
        requests,
        parsed,
        routes,
    }
}

impl Prepared {
    pub fn tm_queries(&self) -> Vec<TmQuery> {
        let mut out = Vec::new();
        for (i, (p, r)) in self.parsed.iter().zip(&self.routes).enumerate() {
            if let (Ok(p), Ok(tr)) = (p, r) {
                let mut seen = HashSet::new();
                let sources = p
                    .sentences()
                    .map(normalize_segment)
                    .filter(|s| seen.insert(s.clone()))
                    .collect();
                out.push(TmQuery {
                    request: i,
                    pair: Pair {
                        src: tr.src(),
                        trg: tr.trg(),
                    },
                    model_id: tr.model_id(),
                    sources,
                });
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.requests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }
}

/// How one sentence of one request will be produced.
#[derive(Clone)]
enum Plan {
    Memory(String, Origin),
    Batch,
    Aligned,
}

/// Translate everything; results are index-aligned with the requests.
pub fn execute(
    prepared: Prepared,
    memory: &TmAnswers,
    glossaries: &HashMap<Lang, Vec<Term>>,
    opts: &Options,
) -> Vec<Result<TranslatedDoc, PipelineError>> {
    let Prepared {
        requests,
        parsed,
        routes,
        reverses,
    } = prepared;
    let n = requests.len();
    let empty_memory = HashMap::new();
    let no_terms = Vec::new();

    // Decide per sentence.
    let mut plans: Vec<Vec<Vec<Plan>>> = Vec::with_capacity(n);
    for i in 0..n {
        let (Ok(p), Ok(_)) = (&parsed[i], &routes[i]) else {
            plans.push(Vec::new());
            continue;
        };
        let mem = memory.get(i).unwrap_or(&empty_memory);
        let terms = glossaries.get(&requests[i].target).unwrap_or(&no_terms);
        let unit_plans = p
            .texts
            .iter()
            .zip(&p.sents)
            .map(|(text, ss)| {
                ss.iter()
                    .map(|s| {
                        let src = &text[s.range.clone()];
                        match mem.get(&normalize_segment(src)) {
                            Some((t, Origin::Human)) => Plan::Memory(t.clone(), Origin::Human),
                            Some((t, o)) if !s.has_markup => Plan::Memory(t.clone(), *o),
                            _ if s.has_markup || enforce::has_glossary_term(src, terms) => {
                                Plan::Aligned
                            }
                            _ => Plan::Batch,
                        }
                    })
                    .collect()
            })
            .collect();
        plans.push(unit_plans);
    }

    // Batch path: first legs grouped by model, then second legs.
    let mut leg_out: HashMap<(Pair, String), String> = HashMap::new();
    let mut leg_err: HashMap<Pair, String> = HashMap::new();
    let batch_sources = |i: usize| -> Vec<String> {
        let (Ok(p), Some(up)) = (&parsed[i], plans.get(i)) else {
            return Vec::new();
        };
        let mut v = Vec::new();
        for (u, (ss, ps)) in p.sents.iter().zip(up).enumerate() {
            for (s, plan) in ss.iter().zip(ps) {
                if matches!(plan, Plan::Batch) {
                    v.push(p.engine_sentence(u, s).to_string());
                }
            }
        }
        v
    };
    let pool_of = |i: usize| routes[i].as_ref().ok();
    let mut by_leg: HashMap<Pair, (Translator, Vec<String>)> = HashMap::new();
    for i in 0..n {
        if let Some(tr) = pool_of(i) {
            let first = single_leg(tr, 0);
            by_leg
                .entry(first.legs()[0].pair)
                .or_insert_with(|| (first, Vec::new()))
                .1
                .extend(batch_sources(i));
        }
    }
    run_legs(by_leg, &mut leg_out, &mut leg_err);
    let mut by_leg: HashMap<Pair, (Translator, Vec<String>)> = HashMap::new();
    for i in 0..n {
        if let Some(tr) = pool_of(i) {
            if tr.legs().len() == 2 {
                let p0 = tr.legs()[0].pair;
                let mids: Vec<String> = batch_sources(i)
                    .into_iter()
                    .filter_map(|s| leg_out.get(&(p0, s)).cloned())
                    .collect();
                let second = single_leg(tr, 1);
                by_leg
                    .entry(second.legs()[0].pair)
                    .or_insert_with(|| (second, Vec::new()))
                    .1
                    .extend(mids);
            }
        }
    }
    run_legs(by_leg, &mut leg_out, &mut leg_err);

    // Assemble each request.
    (0..n)
        .map(|i| {
            let p = parsed[i].clone()?;
            let tr = routes[i].as_ref().map_err(Clone::clone)?;
            for leg in tr.legs() {
                if let Some(e) = leg_err.get(&leg.pair) {
                    return Err(PipelineError::ModelBroken(e.clone()));
                }
            }
            let terms = glossaries.get(&requests[i].target).unwrap_or(&no_terms);
            let mut doc = assemble(tr, &p, &plans[i], &leg_out, terms, opts)?;
            if let Some(thresholds) = &opts.adequacy {
                match &reverses[i] {
                    Ok(Some(reverse)) => {
                        if !crate::adequacy::check(&mut doc, tr, reverse, thresholds) {
                            doc.adequacy_unavailable = Some(reverse.legs()[0].pair);
                        }
                    }
                    Ok(None) => {}
                    Err(pair) => doc.adequacy_unavailable = Some(*pair),
                }
            }
            Ok(doc)
        })
        .collect()
}

/// A one-leg translator for leg `k` of `tr`.
fn single_leg(tr: &Translator, k: usize) -> Translator {
    tr.leg_translator(k)
}

/// Translate each leg's sentences in one batch. A leg whose engine returns
/// the wrong number of sentences is recorded in `err`: every request on it
/// fails as "model broken" rather than publishing empty sentences.
fn run_legs(
    by_leg: HashMap<Pair, (Translator, Vec<String>)>,
    out: &mut HashMap<(Pair, String), String>,
    err: &mut HashMap<Pair, String>,
) {
    for (pair, (tr, texts)) in by_leg {
        let mut seen = HashSet::new();
        let todo: Vec<String> = texts
            .into_iter()
            .filter(|t| {
                !t.trim().is_empty()
                    && !out.contains_key(&(pair, t.clone()))
                    && seen.insert(t.clone())
            })
            .collect();
        if todo.is_empty() {
            continue;
        }
        let refs: Vec<&str> = todo.iter().map(String::as_str).collect();
        let translated = tr.translate_sentences(&refs, None);
        if translated.len() != todo.len() {
            err.insert(
                pair,
                format!(
                    "the {pair} engine returned {} sentences for {}",
                    translated.len(),
                    todo.len()
                ),
            );
            continue;
        }
        for (s, t) in todo.into_iter().zip(translated) {
            out.insert((pair, s), t);
        }
    }
}

/// One sentence's result before the document is rebuilt.
struct Done {
    target: String,
    raw: Option<String>,
    pivot: Option<String>,
    alignment: Option<Alignment>,
    origin: Origin,
    from_memory: bool,
    engine: bool,
}

/// What enforcement did in one document.
#[derive(Default)]
struct Tally {
    placed: usize,
    refused: usize,
}

fn assemble(
    tr: &Translator,
    p: &Parsed,
    plans: &[Vec<Plan>],
    leg_out: &HashMap<(Pair, String), String>,
    terms: &[Term],
    opts: &Options,
) -> Result<TranslatedDoc, PipelineError> {
    let trg = tr.trg();
    let src_lang = tr.src();
    // First pass: each sentence's requirements and, on the batch path, the
    // plain output through every leg. A plain output that lost something it
    // must keep is redone with alignment, like the sentences planned for the
    // aligned path, so that every aligned decode of the document goes to the
    // engine's threads in one call (not one at a time on this thread).
    enum First {
        Memory(String, Origin),
        Plain(String, Option<String>),
        Aligned,
    }
    let mut first: Vec<Vec<(First, Vec<Requirement>)>> = Vec::with_capacity(p.texts.len());
    let mut aligned_src: Vec<&str> = Vec::new();
    for (u, ((text, ss), ps)) in p.texts.iter().zip(&p.sents).zip(plans).enumerate() {
        let mut unit = Vec::with_capacity(ss.len());
        for (s, plan) in ss.iter().zip(ps) {
            let src = &text[s.range.clone()];
            let engine_src = p.engine_sentence(u, s);
            let reqs = enforce::requirements(src, src_lang, trg, terms);
            let f = match plan {
                Plan::Memory(t, o) => First::Memory(t.clone(), *o),
                Plan::Aligned => First::Aligned,
                Plan::Batch => {
                    let mut acc = engine_src.to_string();
                    let mut pivot = None;
                    for (k, leg) in tr.legs().iter().enumerate() {
                        let blank = acc.trim().is_empty();
                        acc = match leg_out.get(&(leg.pair, acc)) {
                            Some(t) => t.clone(),
                            // Only blank texts are never sent: a blank
                            // sentence, or the blank pivot a first leg made
                            // of one it reads as nothing (a lone U+200B).
                            None if blank => String::new(),
                            None => {
                                return Err(PipelineError::ModelBroken(format!(
                                    "the {} engine gave no output for a sentence",
                                    leg.pair
                                )))
                            }
                        };
                        if k == 0 && tr.legs().len() == 2 {
                            pivot = Some(acc.clone());
                        }
                    }
                    if enforce::unmet(&acc, &reqs, src_lang, trg).is_empty() {
                        First::Plain(acc, pivot)
                    } else {
                        // Put what it lost where its source was.
                        First::Aligned
                    }
                }
            };
            if matches!(f, First::Aligned) {
                aligned_src.push(engine_src);
            }
            unit.push((f, reqs));
        }
        first.push(unit);
    }
    let aligned_out = tr.translate_aligned_many(&aligned_src);
    if aligned_out.len() != aligned_src.len() {
        return Err(PipelineError::ModelBroken(format!(
            "the {} engine returned {} aligned sentences for {}",
            tr.model_id(),
            aligned_out.len(),
            aligned_src.len()
        )));
    }
    let mut aligned_out = aligned_out.into_iter();

    let mut tally = Tally::default();
    let mut done: Vec<Vec<Done>> = Vec::with_capacity(p.texts.len());
    for ((text, ss), unit_first) in p.texts.iter().zip(&p.sents).zip(first) {
        let mut unit = Vec::with_capacity(ss.len());
        for (s, (f, reqs)) in ss.iter().zip(unit_first) {
            let src = &text[s.range.clone()];
            let d = match f {
                First::Memory(target, origin) => Done {
                    target,
                    raw: None,
                    pivot: None,
                    alignment: None,
                    origin,
                    from_memory: true,
                    engine: false,
                },
                First::Plain(acc, pivot) => Done {
                    raw: Some(acc.clone()),
                    target: acc,
                    pivot,
                    alignment: None,
                    origin: Origin::Machine,
                    from_memory: false,
                    engine: true,
                },
                First::Aligned => {
                    let a = aligned_out.next().ok_or_else(|| {
                        PipelineError::ModelBroken("aligned output missing".into())
                    })?;
                    enforced(a, src, &reqs, src_lang, trg, &mut tally)
                }
            };
            unit.push(d);
        }
        done.push(unit);
    }

    // One name, one spelling per article: re-spell an odd one out where that
    // is sound (see `check::spellings`), flag the rest.
    let mut consistency_flags: HashMap<(usize, usize), Vec<Flag>> = HashMap::new();
    let mut respelled = 0;
    {
        let keys: Vec<(usize, usize)> = done
            .iter()
            .enumerate()
            .flat_map(|(u, ds)| (0..ds.len()).map(move |k| (u, k)))
            .collect();
        let pairs: Vec<(&str, &str)> = keys
            .iter()
            .map(|&(u, k)| {
                (
                    &p.texts[u][p.sents[u][k].range.clone()],
                    done[u][k].target.as_str(),
                )
            })
            .collect();
        for verdict in check::spellings(&pairs) {
            match verdict {
                Spelling::Fix { segment, from, to } => {
                    let (u, k) = keys[segment];
                    let d = &mut done[u][k];
                    let hits = warta_core::term::find_term(&d.target, &from, true);
                    if d.origin == Origin::Machine && hits.len() == 1 {
                        let mut a = AlignedText {
                            target: std::mem::take(&mut d.target),
                            pivot: None,
                            alignment: d.alignment.take().unwrap_or_default(),
                        };
                        enforce::replace(&mut a, hits[0].clone(), &to);
                        d.target = a.target;
                        if !a.alignment.target_tokens.is_empty() {
                            d.alignment = Some(a.alignment);
                        }
                        respelled += 1;
                    }
                }
                Spelling::Flag { segment, flag } => {
                    let (u, k) = keys[segment];
                    if done[u][k].origin == Origin::Machine {
                        consistency_flags.entry((u, k)).or_default().push(flag);
                    }
                }
            }
        }
    }

    // Confidence for engine sentences.
    let mut confidences: HashMap<(usize, usize), f64> = HashMap::new();
    if opts.confidence {
        let mut keys = Vec::new();
        let mut items: Vec<(&str, Option<&str>, &str)> = Vec::new();
        for (u, (text, ss)) in p.texts.iter().zip(&p.sents).enumerate() {
            for (k, s) in ss.iter().enumerate() {
                let d = &done[u][k];
                if let (true, Some(raw)) = (d.engine, &d.raw) {
                    keys.push((u, k));
                    items.push((&text[s.range.clone()], d.pivot.as_deref(), raw.as_str()));
                }
            }
        }
        for (key, c) in keys.into_iter().zip(tr.confidence(&items)) {
            if c.is_finite() {
                confidences.insert(key, c as f64);
            }
        }
    }

    // Rebuild units, run QA per sentence.
    let mut segments = Vec::new();
    let mut outs: Vec<String> = Vec::with_capacity(p.texts.len());
    let mut units: Vec<UnitTranslation> = Vec::new();
    let body_units = p.fragment.as_ref().map(|f| f.units()).unwrap_or_default();
    for (u, text) in p.texts.iter().enumerate() {
        let mut target = String::new();
        let mut alignment = Alignment::default();
        let mut k = 0;
        let pieces = &p.pieces[u];
        for (j, (is_sentence, range)) in pieces.iter().enumerate() {
            if !is_sentence {
                let between = j > 0 && j + 1 < pieces.len();
                if warta_engine::keep_gap(&text[range.clone()], trg, between) {
                    target.push_str(&text[range.clone()]);
                }
                continue;
            }
            let d = &done[u][k];
            if let Some(a) = &d.alignment {
                warta_engine::append_alignment(&mut alignment, a, range.start, target.len());
            }
            target.push_str(&d.target);
            let src = &text[range.clone()];
            let confidence = confidences.get(&(u, k)).copied();
            let mut flags = if d.origin == Origin::Machine {
                check::check(src, &d.target, src_lang, trg, terms)
            } else {
                Vec::new()
            };
            flags.extend(consistency_flags.remove(&(u, k)).unwrap_or_default());
            if let Some(c) = confidence {
                flags.extend(check::confidence_flag(c, opts.confidence_threshold));
            }
            segments.push(SegmentOut {
                unit: u,
                source: src.to_string(),
                target: d.target.clone(),
                pivot: d.pivot.clone(),
                confidence,
                origin: d.origin,
                flags,
                from_memory: d.from_memory,
                raw: if d.engine { d.raw.clone() } else { None },
                scored: confidence.is_some(),
            });
            k += 1;
        }
        if u >= 2 {
            if let Some(unit) = body_units.get(u - 2) {
                let spans = if unit.spans.is_empty() {
                    Vec::new()
                } else {
                    project_spans(text, &unit.spans, &target, &alignment)
                };
                units.push(UnitTranslation {
                    text: target.clone(),
                    spans,
                });
            }
        }
        outs.push(target);
    }
    let (body, doc_flags) = match &p.fragment {
        Some(fragment) => {
            let body = fragment
                .render(&units)
                .map_err(|e| PipelineError::BadInput(e.to_string()))?;
            let flags =
                check::check_markup(&fragment.render_source_unchanged(), &body, src_lang, trg);
            (body, flags)
        }
        None => (outs[2..].join("\n"), Vec::new()),
    };
    let engine_sentences = done.iter().flatten().filter(|d| d.engine).count();
    let memory_hits = done.iter().flatten().filter(|d| d.from_memory).count();
    Ok(TranslatedDoc {
        title: outs[0].clone(),
        summary: outs[1].clone(),
        body,
        model_id: tr.model_id(),
        segments,
        engine_sentences,
        memory_hits,
        doc_flags,
        enforced: tally.placed,
        refused: tally.refused,
        respelled,
        adequacy_unavailable: None,
    })
}

/// Compute model confidence for the engine-made sentences of `doc` and flag
/// those below `threshold`. Separate from [`execute`] so a worker can publish
/// first and score when idle (scoring costs about one more decoder pass).
///
/// Scores at most `max` sentences per call and returns whether every
/// engine sentence now has its score, so a worker can interleave scoring
/// with newly arrived translation work.
pub fn score(tr: &Translator, doc: &mut TranslatedDoc, threshold: f64, max: usize) -> bool {
    let mut idx: Vec<usize> = (0..doc.segments.len())
        .filter(|&i| doc.segments[i].raw.is_some() && !doc.segments[i].scored)
        .collect();
    let complete = idx.len() <= max;
    idx.truncate(max);
    if idx.is_empty() {
        return true;
    }
    let items: Vec<(&str, Option<&str>, &str)> = idx
        .iter()
        .map(|&i| {
            let s = &doc.segments[i];
            (
                s.source.as_str(),
                s.pivot.as_deref(),
                s.raw.as_deref().unwrap_or(""),
            )
        })
        .collect();
    let scores = tr.confidence(&items);
    for (i, c) in idx.into_iter().zip(scores) {
        let s = &mut doc.segments[i];
        s.scored = true;
        if c.is_finite() {
            s.confidence = Some(c as f64);
            s.flags.extend(check::confidence_flag(c as f64, threshold));
        }
    }
    complete
}

/// Put the requirements into an aligned translation.
fn enforced(
    mut a: AlignedText,
    src: &str,
    reqs: &[Requirement],
    src_lang: Lang,
    trg: Lang,
    tally: &mut Tally,
) -> Done {
    let raw = a.target.clone();
    let (placed, refused) = enforce::enforce(&mut a, src, reqs, src_lang, trg);
    tally.placed += placed;
    tally.refused += refused;
    Done {
        target: a.target,
        raw: Some(raw),
        pivot: a.pivot,
        alignment: Some(a.alignment),
        origin: Origin::Machine,
        from_memory: false,
        engine: true,
    }
}

/// The first pair the route from `src` to `trg` lacks (the route's owner,
/// `warta_models::Route`, decides direct or through English).
pub fn missing_pair(store: &ModelStore, src: Lang, trg: Lang) -> Pair {
    store
        .missing_pairs(src, trg)
        .first()
        .copied()
        .unwrap_or(Pair { src, trg })
}

/// Prepare and execute in one call, without a translation memory: for
/// callers that translate one-off texts (the CLI, the LibreTranslate
/// endpoints) with the glossary they have.
pub fn translate(
    pool: &ModelPool,
    source: Lang,
    requests: Vec<Request>,
    glossaries: &HashMap<Lang, Vec<Term>>,
    opts: &Options,
) -> Vec<Result<TranslatedDoc, PipelineError>> {
    let prepared = prepare(pool, source, requests);
    execute(prepared, &Vec::new(), glossaries, opts)
}
