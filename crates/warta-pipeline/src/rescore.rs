//! The scoring phase of a published version: model confidence for the
//! machine sentences that have none yet, their flags, and the version's
//! quality summary with them counted — from the sentences as stored, so a
//! worker can score long after publication (or after a restart).

use warta_engine::Translator;
use warta_qa::{Flag, QualitySummary, SummaryInput};

use crate::check;

/// One stored sentence of a published version.
#[derive(Debug, Clone)]
pub struct StoredSentence {
    pub source: String,
    /// The published text (what is scored).
    pub target: String,
    /// The English pivot, on two-leg routes.
    pub pivot: Option<String>,
    pub confidence: Option<f64>,
    /// Made by the machine (an editor's sentence is not scored).
    pub machine: bool,
}

/// What scoring found.
#[derive(Debug, Clone)]
pub struct Rescored {
    /// (sentence position, confidence) of the sentences scored now.
    pub confidences: Vec<(usize, f64)>,
    /// Flags the scores raised, by sentence position.
    pub flags: Vec<(usize, Flag)>,
    /// The version's summary with every stored flag and confidence and the
    /// new ones counted.
    pub summary: QualitySummary,
}

/// Score the machine sentences of `sentences` that have no confidence yet
/// with `tr` and flag those below `threshold`. `stored_flags` are the
/// version's flags already stored (by sentence position; `None` for whole
/// document findings) and `previous` its stored summary, whose engine and
/// memory counts carry over.
pub fn score_published(
    tr: &Translator,
    sentences: &[StoredSentence],
    stored_flags: &[(Option<usize>, Flag)],
    previous: Option<&QualitySummary>,
    threshold: f64,
) -> Rescored {
    let todo: Vec<usize> = (0..sentences.len())
        .filter(|&i| sentences[i].machine && sentences[i].confidence.is_none())
        .collect();
    let items: Vec<(&str, Option<&str>, &str)> = todo
        .iter()
        .map(|&i| {
            let s = &sentences[i];
            (s.source.as_str(), s.pivot.as_deref(), s.target.as_str())
        })
        .collect();
    let scores = if items.is_empty() {
        Vec::new()
    } else {
        tr.confidence(&items)
    };
    let mut confidences = Vec::new();
    let mut flags = Vec::new();
    for (i, c) in todo.into_iter().zip(scores) {
        if c.is_finite() {
            let c = c as f64;
            confidences.push((i, c));
            flags.extend(check::confidence_flag(c, threshold).map(|f| (i, f)));
        }
    }
    let all_confidences = sentences
        .iter()
        .filter_map(|s| s.confidence)
        .chain(confidences.iter().map(|&(_, c)| c));
    let mut summary = QualitySummary::of(SummaryInput {
        segments: sentences.len(),
        flags: stored_flags
            .iter()
            .map(|(i, f)| (*i, f))
            .chain(flags.iter().map(|(i, f)| (Some(*i), f))),
        confidences: all_confidences,
        engine_sentences: previous.map_or(0, |p| p.engine_sentences),
        memory_hits: previous.map_or(0, |p| p.memory_hits),
    });
    summary.adequacy_unavailable = previous.and_then(|p| p.adequacy_unavailable.clone());
    Rescored {
        confidences,
        flags,
        summary,
    }
}
