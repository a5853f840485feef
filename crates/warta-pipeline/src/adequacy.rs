//! Adequacy of short segments: does the output say what the source says?
//!
//! The model's own confidence cannot see a fluent invention: the headline
//! `Thank you` comes out as "Obrigado por enviar uma edição." ("Thank you for
//! submitting an edit") with a mean log-probability of −0.04. The reverse
//! model can: scored by pt→en as the source given the output (teacher
//! forcing, `warta_engine::Translator::score`), `Thank you` is improbable,
//! −5.65 per token, where a faithful short line scores about −0.1 to −1
//! (dual conditional cross-entropy, Junczys-Dowmunt 2018).
//!
//! Short segments are where the models invent, and a reverse pass costs
//! about as much CPU as translating (BENCHMARKS.md, "Teacher-forced
//! scoring"), so the check scores the segments that decide something: the
//! title, the summary and any sentence of [`SHORT_WORDS`] words or fewer.
//! The thresholds ([`Adequacy::default`]) come from the reverse scores of
//! the 123 NTREX titles, NTREX's 100 lines of six words or fewer and the
//! issue's five short strings (`cargo run -p warta-engine --example
//! short_adequacy`, BENCHMARKS.md "Adequacy of short segments"): an error
//! below −5.0, which only the invented `Thank you` and one wrong line
//! reach; a warning below −3.0, about the lowest 5 %. They are a first
//! cut, not yet tuned on labelled lines.
//!
//! What this module must never do: score a sentence the engine did not
//! make (memory and editors' sentences are not the model's), or fail a
//! translation because the reverse model is missing (the document says so
//! instead).

use warta_core::{Lang, Pair};
use warta_engine::{EngineError, ModelPool, Translator};
use warta_qa::{Check, Flag, Severity};

use crate::TranslatedDoc;

/// Sentences of this many source words or fewer are scored, besides the
/// title and the summary.
pub const SHORT_WORDS: usize = 6;

/// The adequacy check's thresholds: mean log-probability per token of the
/// source given the output, under the reverse model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adequacy {
    /// Below this, a warning.
    pub warning: f64,
    /// Below this, an error (with the default publishing policy, held).
    pub error: f64,
}

impl Default for Adequacy {
    fn default() -> Adequacy {
        Adequacy {
            warning: -3.0,
            error: -5.0,
        }
    }
}

impl Adequacy {
    /// The flag for a reverse score, if any.
    pub fn flag(&self, score: f64, source: &str, target: &str) -> Option<Flag> {
        let severity = if score < self.error {
            Severity::Error
        } else if score < self.warning {
            Severity::Warning
        } else {
            return None;
        };
        Some(Flag::new(
            Check::Adequacy,
            severity,
            format!(
                "the output may not say what the source says: `{target}` gives back `{source}` with mean log-probability {score:.2} under the reverse model (below {:.2})",
                if severity == Severity::Error { self.error } else { self.warning }
            ),
        ))
    }
}

/// Whether the check scores a segment: the title (unit 0), the summary
/// (unit 1), or a sentence of [`SHORT_WORDS`] source words or fewer.
pub fn decides(unit: usize, source: &str) -> bool {
    unit < 2 || source.split_whitespace().count() <= SHORT_WORDS
}

/// What one sentence's adequacy score is made of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signals {
    /// Forward confidence: mean log-probability per token of the output
    /// given the source, under the route's own model.
    pub forward: f64,
    /// Mean log-probability per token of the source given the output, under
    /// the reverse model.
    pub reverse: f64,
    /// ln(output tokens / source tokens), each counted by its scorer
    /// (SentencePiece pieces and the end of sentence): pieces, not
    /// characters, so that a pair whose scripts differ is not far from 0.
    pub log_len_ratio: f64,
}

/// How [`Signals`] are combined into one score (see [`Signals::score_with`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Weight of the forward confidence.
    pub forward: f64,
    /// Penalty per unit of |log length ratio − `center`|.
    pub length: f64,
    /// The usual log length ratio of the pair.
    pub center: f64,
}

/// Reverse score alone: the combination's weights that reduce it to the
/// reverse model's mean log-probability.
pub const REVERSE_ONLY: Weights = Weights {
    forward: 0.0,
    length: 0.0,
    center: 0.0,
};

impl Signals {
    /// `reverse + forward·w.forward − w.length·|log_len_ratio − w.center|`:
    /// on the reverse model's scale (mean log-probability per token), lower
    /// is worse. NaN where a scorer could not score the pair.
    pub fn score_with(&self, w: &Weights) -> f64 {
        self.reverse + w.forward * self.forward
            - w.length * (self.log_len_ratio - w.center).abs()
    }
}

/// Forward and reverse teacher-forced scores of (source, output) pairs:
/// `forward` is the route that made the outputs (direct), `reverse` its
/// reverse. One batched pass of each scorer.
pub fn signals(
    forward: &Translator,
    reverse: &Translator,
    pairs: &[(&str, &str)],
) -> Result<Vec<Signals>, EngineError> {
    let back: Vec<(&str, &str)> = pairs.iter().map(|&(s, t)| (t, s)).collect();
    let f = forward.score(pairs)?;
    let r = reverse.score(&back)?;
    Ok(f.iter()
        .zip(&r)
        .map(|(f, r)| Signals {
            forward: f64::from(f.mean),
            reverse: f64::from(r.mean),
            log_len_ratio: (f.token_logprobs.len().max(1) as f64
                / r.token_logprobs.len().max(1) as f64)
                .ln(),
        })
        .collect())
}

/// The reverse of a direct route `src → trg`: the translator `trg → src`,
/// or the pair that is missing. A route through English is not scored yet
/// (its legs' reverses are two more models): `Ok(None)`.
pub(crate) fn reverse(
    pool: &ModelPool,
    route: &Translator,
) -> Result<Option<Translator>, Pair> {
    if route.legs().len() != 1 {
        return Ok(None);
    }
    let (src, trg): (Lang, Lang) = (route.src(), route.trg());
    let pair = Pair { src: trg, trg: src };
    if !matches!(pool.store().get(pair), Ok(Some(_))) {
        return Err(pair);
    }
    match pool.translator(trg, src) {
        Ok(t) if t.legs().len() == 1 => Ok(Some(t)),
        _ => Err(pair),
    }
}

/// Score the short engine-made segments of `doc` under `reverse` and add
/// their adequacy flags. A scoring failure adds nothing and is logged by
/// the caller's summary as unavailable.
pub(crate) fn check(doc: &mut TranslatedDoc, reverse: &Translator, thresholds: &Adequacy) -> bool {
    let idx: Vec<usize> = (0..doc.segments.len())
        .filter(|&i| {
            let s = &doc.segments[i];
            s.raw.is_some()
                && !s.target.trim().is_empty()
                && decides(s.unit, &s.source)
        })
        .collect();
    if idx.is_empty() {
        return true;
    }
    let pairs: Vec<(&str, &str)> = idx
        .iter()
        .map(|&i| {
            let s = &doc.segments[i];
            (s.raw.as_deref().unwrap_or(&s.target), s.source.as_str())
        })
        .collect();
    let Ok(scores) = reverse.score(&pairs) else {
        return false;
    };
    let flags: Vec<(usize, Flag)> = idx
        .iter()
        .zip(&scores)
        .filter_map(|(&i, sc)| {
            let s = &doc.segments[i];
            let score = f64::from(sc.mean);
            score
                .is_finite()
                .then(|| thresholds.flag(score, &s.source, &s.target))
                .flatten()
                .map(|f| (i, f))
        })
        .collect();
    for (i, f) in flags {
        doc.segments[i].flags.push(f);
    }
    true
}
