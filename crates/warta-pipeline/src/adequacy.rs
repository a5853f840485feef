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
//! The check combines three signals of each scored sentence into one
//! score ([`Signals::score`]): the reverse model's mean log-probability
//! of the source given the output, plus [`WEIGHTS`]`.forward` (4) times the
//! forward confidence (the route's own mean log-probability of the
//! output). Chosen on half A of 166 NTREX lines labelled by reading (even
//! documents), reported on half B (odd ones), with `cargo run -p
//! warta-pipeline --example adequacy_eval` (BENCHMARKS.md "Adequacy on
//! labelled lines"): scoring every sentence, the combination flags 24 of
//! the 28 wrong lines of half B with 4.8 % of all 1,997 lines flagged,
//! where the reverse score alone flags 21 and the forward confidence alone
//! 19 at the same rate. The length ratio (output to source pieces) is a
//! signal too, but its weight came out 0 on half A.
//!
//! A reverse pass costs about as much CPU as translating (BENCHMARKS.md,
//! "Teacher-forced scoring"), so the check scores the segments that decide
//! something: the title, the summary and any sentence of [`SHORT_WORDS`]
//! words or fewer ([`decides`]). Thresholds ([`Adequacy::default`]) are on
//! the combined score's scale: a warning below −3.1 (the 4.5 % quantile
//! of half A's lines), an error below −5.0 (1.4 % of the lines; the
//! invented `Thank you` headline scores −5.81). Long body sentences are
//! not scored before publishing: the forward pass they would need is the
//! confidence phase, which runs after publication (BENCHMARKS.md weighs
//! gating the reverse pass by forward confidence).
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

/// The adequacy check's thresholds, on the scale of [`Signals::score`]
/// (lower is worse; about −0.3 for a faithful line).
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
            warning: -3.1,
            error: -5.0,
        }
    }
}

impl Adequacy {
    /// The flag for an adequacy score ([`Signals::score`]), if any.
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
                "the output may not say what the source says: `{target}` for `{source}` has adequacy score {score:.2} (the reverse model's mean log-probability of the source plus {} × the model's confidence), below {:.2}",
                WEIGHTS.forward,
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

/// The weights the check uses, chosen on half A of the labelled NTREX
/// lines (see the module docs): the forward weight maximised the wrong
/// lines flagged at a 4.5 % flag rate over a grid of 0–8, the length
/// weight over 0–4 came out 0, and `center` is the median log length ratio
/// of half A's sentences (en→pt).
pub const WEIGHTS: Weights = Weights {
    forward: 4.0,
    length: 0.0,
    center: 0.041,
};

/// Reverse score alone: the combination's weights that reduce it to the
/// reverse model's mean log-probability.
pub const REVERSE_ONLY: Weights = Weights {
    forward: 0.0,
    length: 0.0,
    center: 0.0,
};

impl Signals {
    /// The adequacy score with the check's [`WEIGHTS`].
    pub fn score(&self) -> f64 {
        self.score_with(&WEIGHTS)
    }

    /// `reverse + forward·w.forward − w.length·|log_len_ratio − w.center|`:
    /// on the reverse model's scale (mean log-probability per token), lower
    /// is worse. NaN where a scorer could not score the pair.
    pub fn score_with(&self, w: &Weights) -> f64 {
        self.reverse + w.forward * self.forward - w.length * (self.log_len_ratio - w.center).abs()
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
pub(crate) fn reverse(pool: &ModelPool, route: &Translator) -> Result<Option<Translator>, Pair> {
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

/// Score the short engine-made segments of `doc` (see [`decides`]) under
/// `forward` (the route that made them) and `reverse`, and add their
/// adequacy flags. A scoring failure adds nothing and is logged by the
/// caller's summary as unavailable.
pub(crate) fn check(
    doc: &mut TranslatedDoc,
    forward: &Translator,
    reverse: &Translator,
    thresholds: &Adequacy,
) -> bool {
    let idx: Vec<usize> = (0..doc.segments.len())
        .filter(|&i| {
            let s = &doc.segments[i];
            s.raw.is_some() && !s.target.trim().is_empty() && decides(s.unit, &s.source)
        })
        .collect();
    if idx.is_empty() {
        return true;
    }
    let pairs: Vec<(&str, &str)> = idx
        .iter()
        .map(|&i| {
            let s = &doc.segments[i];
            (s.source.as_str(), s.raw.as_deref().unwrap_or(&s.target))
        })
        .collect();
    let Ok(scores) = signals(forward, reverse, &pairs) else {
        return false;
    };
    let flags: Vec<(usize, Flag)> = idx
        .iter()
        .zip(&scores)
        .filter_map(|(&i, g)| {
            let s = &doc.segments[i];
            let score = g.score();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Signals of labelled NTREX lines as `adequacy_eval run` wrote them
    /// (segments.tsv, en→pt test model; labels from
    /// `eval/ntrex-en-pt-labels.tsv`): (forward, reverse, log length ratio).
    const WRONG: [(&str, f64, f64, f64); 3] = [
        // 1988 `We got outplayed."` → "Nós nos superamos"." (the opposite)
        ("1988", -0.4845, -3.2586, -0.1542),
        // 1873 `It tears us apart.` → "Ele nos destró-a."
        ("1873", -2.499, -3.6556, 0.2513),
        // 76 `£11million` → "11 milhões de euros" in a headline
        ("76", -0.132, -3.2011, 0.0),
    ];
    const RIGHT: [(&str, f64, f64, f64); 2] = [
        // 1762 `Clean water is scarce.` → "Água limpa é escassa." (chrF 12.9)
        ("1762", -0.1203, -0.0371, 0.1542),
        // 864 `The charges will be reviewed ...` (identical to the reference)
        ("864", -0.0966, -1.1602, -0.4055),
    ];

    fn signals_of(&(_, f, r, l): &(&str, f64, f64, f64)) -> Signals {
        Signals {
            forward: f,
            reverse: r,
            log_len_ratio: l,
        }
    }

    #[test]
    fn the_combination_flags_the_labelled_wrong_lines_and_passes_the_right_ones() {
        let a = Adequacy::default();
        for w in &WRONG {
            let s = signals_of(w).score();
            assert!(s < a.warning, "line {} scores {s}", w.0);
        }
        for r in &RIGHT {
            let s = signals_of(r).score();
            assert!(s >= a.warning, "line {} scores {s}", r.0);
        }
    }

    #[test]
    fn the_score_is_reverse_plus_four_times_forward() {
        // 1988: reverse and forward from the program's output, by hand.
        let g = signals_of(&WRONG[0]);
        assert!((g.score() - (g.reverse + 4.0 * g.forward)).abs() < 1e-12);
        assert_eq!(g.score_with(&REVERSE_ONLY), g.reverse);
    }

    #[test]
    fn an_unscorable_pair_gives_no_flag() {
        let g = Signals {
            forward: f64::NAN,
            reverse: -1.0,
            log_len_ratio: 0.0,
        };
        assert!(g.score().is_nan());
    }
}
