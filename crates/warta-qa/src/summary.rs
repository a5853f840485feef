//! A version's quality at a glance: the counts the API serves, the store
//! keeps with each version and the desk lists. Computed in one place from a
//! version's flags and confidences, whoever produced them (the pipeline at
//! translation time, the scoring phase afterwards).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{Check, Flag, Severity};

/// A version's quality at a glance: stored with it, served by the API.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualitySummary {
    /// Sentences in the version.
    pub segments: usize,
    /// Sentences with at least one flag.
    pub flagged_segments: usize,
    pub flags: SeverityCounts,
    /// Flags per check.
    pub by_check: BTreeMap<Check, usize>,
    /// Mean and lowest model confidence (mean token log-probability) of the
    /// scored machine sentences; absent until they are scored.
    pub confidence_mean: Option<f64>,
    pub confidence_min: Option<f64>,
    /// Sentences the engine translated for this version.
    pub engine_sentences: usize,
    /// Sentences taken from the translation memory.
    pub memory_hits: usize,
    /// The reverse model the adequacy check needs and the newsroom lacks
    /// (`pt-en` for an en→pt version): short segments were not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adequacy_unavailable: Option<String>,
}

/// Flags by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

/// What a summary is computed from.
pub struct SummaryInput<'a, F, C>
where
    F: IntoIterator<Item = (Option<usize>, &'a Flag)>,
    C: IntoIterator<Item = f64>,
{
    /// Sentences in the version.
    pub segments: usize,
    /// Every flag with its segment (`None`: a whole-document finding).
    pub flags: F,
    /// The confidences of the scored sentences.
    pub confidences: C,
    pub engine_sentences: usize,
    pub memory_hits: usize,
}

impl QualitySummary {
    pub fn of<'a, F, C>(input: SummaryInput<'a, F, C>) -> QualitySummary
    where
        F: IntoIterator<Item = (Option<usize>, &'a Flag)>,
        C: IntoIterator<Item = f64>,
    {
        let mut flags = SeverityCounts::default();
        let mut by_check = BTreeMap::new();
        let mut flagged = HashSet::new();
        for (segment, f) in input.flags {
            match f.severity {
                Severity::Error => flags.error += 1,
                Severity::Warning => flags.warning += 1,
                Severity::Info => flags.info += 1,
            }
            *by_check.entry(f.check).or_default() += 1;
            flagged.extend(segment);
        }
        let confs: Vec<f64> = input.confidences.into_iter().collect();
        QualitySummary {
            segments: input.segments,
            flagged_segments: flagged.len(),
            flags,
            by_check,
            confidence_mean: (!confs.is_empty())
                .then(|| confs.iter().sum::<f64>() / confs.len() as f64),
            confidence_min: confs.iter().copied().reduce(f64::min),
            engine_sentences: input.engine_sentences,
            memory_hits: input.memory_hits,
            adequacy_unavailable: None,
        }
    }

    /// Whether any flag is an error: what `hold_errors` holds.
    pub fn has_errors(&self) -> bool {
        self.flags.error > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_the_flags_and_confidences_given() {
        // Hand-counted: two flags on segment 0 (one error, one warning), a
        // document flag (info), confidences −0.2 and −0.6 (mean −0.4).
        let a = Flag::new(Check::Numbers, Severity::Error, "7 → 8");
        let b = Flag::new(Check::Repetition, Severity::Warning, "x x");
        let c = Flag::new(Check::Tags, Severity::Info, "link");
        let s = QualitySummary::of(SummaryInput {
            segments: 3,
            flags: [(Some(0), &a), (Some(0), &b), (None, &c)],
            confidences: [-0.2, -0.6],
            engine_sentences: 2,
            memory_hits: 1,
        });
        assert_eq!(s.flagged_segments, 1);
        assert_eq!(
            s.flags,
            SeverityCounts {
                error: 1,
                warning: 1,
                info: 1
            }
        );
        assert_eq!(s.by_check[&Check::Numbers], 1);
        assert!((s.confidence_mean.unwrap() + 0.4).abs() < 1e-12);
        assert_eq!(s.confidence_min, Some(-0.6));
        assert!(s.has_errors());
    }
}
