//! The *check* stage of warta's data flow: finds the ways machine-translated
//! news goes wrong in one segment, and names the source spans that must
//! survive translation.
//!
//! Machine translation of news fails in recognisable ways: a name garbled
//! ("the Russia-led CSTO" → "the Organization of Unity for Unity"), a phrase
//! repeated back to back, a number changed, an amount moved to another
//! currency (`£120 million` → "120 milhões de euros"), a sentence left
//! untranslated, output in the wrong script. [`check_segment`] runs one check per failure
//! on a source/target sentence pair and returns [`Flag`]s an editor can act
//! on; [`protected_spans`] lists the URLs, addresses, handles, hashtags, dates
//! and quantities of a source sentence, and [`expected_in_target`] says how
//! each may acceptably appear in a given target language (numbers re-written
//! in the target's digit grouping, see [`render_number`]).
//!
//! This crate is pure functions over strings. It never does I/O, never calls
//! the engine, never translates and never changes text: it only reads a
//! source and a target and reports. Storing flags, deciding what blocks
//! publication and showing flags to editors belong to the store and site
//! stages. No input makes it panic.

use serde::{Deserialize, Serialize};
use warta_core::Lang;

mod checks;
mod consistency;
mod date;
mod money;
mod number;
mod protect;
mod summary;
mod text;

#[cfg(test)]
mod properties;

pub use checks::{length_band, money_and_units, span_groups, span_preserved};
pub use consistency::{inconsistent_names, name_renderings, Inconsistency};
pub use number::{parse_number, render_number, Number};
pub use protect::{
    expected_in_target, protected_spans, render_protected, Protected, ProtectedKind,
};
pub use summary::{QualitySummary, SeverityCounts, SummaryInput};

/// Which check raised a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Numbers,
    Glossary,
    Repetition,
    Untranslated,
    LengthRatio,
    Script,
    Tags,
    Protected,
    Confidence,
    /// One source name spelled two ways in one article (a document check).
    Consistency,
    /// The reverse model finds the source improbable given the output: the
    /// output may say something else (warta-pipeline `adequacy`).
    Adequacy,
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 11] = [
        Check::Numbers,
        Check::Glossary,
        Check::Repetition,
        Check::Untranslated,
        Check::LengthRatio,
        Check::Script,
        Check::Tags,
        Check::Protected,
        Check::Confidence,
        Check::Consistency,
        Check::Adequacy,
    ];

    /// Stable name, as stored and shown: `numbers`, `length_ratio`...
    pub fn name(self) -> &'static str {
        match self {
            Check::Numbers => "numbers",
            Check::Glossary => "glossary",
            Check::Repetition => "repetition",
            Check::Untranslated => "untranslated",
            Check::LengthRatio => "length_ratio",
            Check::Script => "script",
            Check::Tags => "tags",
            Check::Protected => "protected",
            Check::Confidence => "confidence",
            Check::Consistency => "consistency",
            Check::Adequacy => "adequacy",
        }
    }

    /// The check with this [`name`](Check::name).
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How bad a flag is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing to fix.
    Info,
    /// Probably wrong; an editor should look.
    Warning,
    /// Wrong as published: content changed, lost or not translated.
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Same as [`name`](Severity::name): the stored form.
    pub fn as_str(self) -> &'static str {
        self.name()
    }

    /// The severity with this [`name`](Severity::name).
    pub fn from_name(name: &str) -> Option<Severity> {
        [Severity::Info, Severity::Warning, Severity::Error]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem found in one segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub check: Check,
    pub severity: Severity,
    /// Human-readable, names the offending text.
    pub detail: String,
}

impl Flag {
    pub fn new(check: Check, severity: Severity, detail: impl Into<String>) -> Flag {
        Flag {
            check,
            severity,
            detail: detail.into(),
        }
    }
}

/// A glossary entry the translation must honour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedTerm {
    pub source_term: String,
    pub target_term: String,
    pub case_sensitive: bool,
}

impl ExpectedTerm {
    pub fn new(source_term: impl Into<String>, target_term: impl Into<String>) -> ExpectedTerm {
        ExpectedTerm {
            source_term: source_term.into(),
            target_term: target_term.into(),
            case_sensitive: false,
        }
    }
}

/// One segment (sentence) to check: its source, its translation and what the
/// checks need to know about them.
#[derive(Debug, Clone, Copy)]
pub struct SegmentCheck<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub src_lang: Lang,
    pub trg_lang: Lang,
    /// Glossary entries that apply to this article.
    pub glossary: &'a [ExpectedTerm],
    /// The HTML of the unit the segment came from, when it had markup; the
    /// tag check runs only when both sides are given.
    pub source_html: Option<&'a str>,
    pub target_html: Option<&'a str>,
}

impl<'a> SegmentCheck<'a> {
    /// A plain-text segment with no glossary.
    pub fn new(
        source: &'a str,
        target: &'a str,
        src_lang: Lang,
        trg_lang: Lang,
    ) -> SegmentCheck<'a> {
        SegmentCheck {
            source,
            target,
            src_lang,
            trg_lang,
            glossary: &[],
            source_html: None,
            target_html: None,
        }
    }
}

/// Run every per-segment check (all but `confidence`, which needs the
/// engine's score: see [`confidence_flag`]). Flags come in [`Check::ALL`]
/// order; a check reports at most one flag per segment, naming everything it
/// found. An empty source and target yields no flags.
pub fn check_segment(seg: &SegmentCheck) -> Vec<Flag> {
    let mut flags = Vec::new();
    flags.extend(checks::numbers(seg));
    flags.extend(checks::glossary(seg));
    flags.extend(checks::repetition(seg));
    flags.extend(checks::untranslated(seg));
    flags.extend(checks::length_ratio(seg));
    flags.extend(checks::script(seg));
    flags.extend(checks::tags(seg));
    flags.extend(checks::protected(seg));
    flags
}

/// A warning when the model's mean token log-probability for the segment is
/// below `threshold` (both ≤ 0; e.g. `-1.5`). A score that is not a number is
/// also flagged: confidence unknown is not confidence.
pub fn confidence_flag(mean_logprob: f64, threshold: f64) -> Option<Flag> {
    if mean_logprob.is_nan() {
        return Some(Flag::new(
            Check::Confidence,
            Severity::Warning,
            "model confidence unknown (score is not a number)",
        ));
    }
    (mean_logprob < threshold).then(|| {
        Flag::new(
            Check::Confidence,
            Severity::Warning,
            format!(
                "low model confidence: mean log-probability {mean_logprob:.2} below {threshold:.2}"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_info_warning_error() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        assert_eq!(Severity::Error.name(), "error");
    }

    #[test]
    fn check_names_round_trip() {
        for c in Check::ALL {
            assert_eq!(Check::from_name(c.name()), Some(c));
        }
        assert_eq!(Check::LengthRatio.name(), "length_ratio");
        assert_eq!(
            serde_json::to_string(&Check::LengthRatio).unwrap(),
            "\"length_ratio\""
        );
    }

    #[test]
    fn confidence_warns_below_threshold_only() {
        assert!(confidence_flag(-0.4, -1.5).is_none());
        let f = confidence_flag(-2.31, -1.5).unwrap();
        assert_eq!(
            (f.check, f.severity),
            (Check::Confidence, Severity::Warning)
        );
        assert!(f.detail.contains("-2.31"));
        assert!(confidence_flag(f64::NAN, -1.5).is_some());
        assert!(confidence_flag(f64::NEG_INFINITY, -1.5).is_some());
    }
}
