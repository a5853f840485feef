//! The publishing policy: whether a translated version goes to readers at
//! once or waits for an editor (DESIGN.md, "Trust"). Decided per target
//! language, after the checks, before anything is stored.

use serde::Deserialize;
use warta_qa::{Check, QualitySummary};

/// What a newsroom does with a language's machine translations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Publish everything.
    Auto,
    /// Hold a version with an error-severity flag for an editor (default).
    #[default]
    HoldErrors,
    /// Hold every version until an editor approves it.
    Review,
}

/// What the policy decided for one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Publish,
    /// Held, with the reason an editor and the API see.
    Hold(String),
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::Auto => "auto",
            Policy::HoldErrors => "hold_errors",
            Policy::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<Policy> {
        [Policy::Auto, Policy::HoldErrors, Policy::Review]
            .into_iter()
            .find(|p| p.name() == s)
    }

    /// The decision for a version whose checks found `quality`.
    pub fn decide(self, quality: &QualitySummary) -> Decision {
        match self {
            Policy::Auto => Decision::Publish,
            Policy::Review => Decision::Hold("every version is reviewed (policy `review`)".into()),
            Policy::HoldErrors if quality.has_errors() => {
                let checks: Vec<&str> = Check::ALL
                    .into_iter()
                    .filter(|c| quality.by_check.contains_key(c))
                    .map(Check::name)
                    .collect();
                Decision::Hold(format!(
                    "{} error flag{} ({}; policy `hold_errors`)",
                    quality.flags.error,
                    if quality.flags.error == 1 { "" } else { "s" },
                    checks.join(", ")
                ))
            }
            Policy::HoldErrors => Decision::Publish,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warta_qa::SeverityCounts;

    #[test]
    fn only_errors_hold_under_the_default_and_review_holds_all() {
        let clean = QualitySummary::default();
        let mut warned = QualitySummary::default();
        warned.flags = SeverityCounts {
            warning: 2,
            ..Default::default()
        };
        let mut wrong = QualitySummary::default();
        wrong.flags.error = 1;
        wrong.by_check.insert(Check::Numbers, 1);
        assert_eq!(Policy::default(), Policy::HoldErrors);
        assert_eq!(Policy::HoldErrors.decide(&clean), Decision::Publish);
        assert_eq!(Policy::HoldErrors.decide(&warned), Decision::Publish);
        assert_eq!(
            Policy::HoldErrors.decide(&wrong),
            Decision::Hold("1 error flag (numbers; policy `hold_errors`)".into())
        );
        assert_eq!(Policy::Auto.decide(&wrong), Decision::Publish);
        assert!(matches!(Policy::Review.decide(&clean), Decision::Hold(_)));
        assert_eq!(Policy::parse("review"), Some(Policy::Review));
        assert_eq!(Policy::parse("sometimes"), None);
    }
}
