//! Model versions as Remote Settings publishes them (`3.0`, `3.10`, `3.0a1`),
//! ordered the way Firefox orders them.
//!
//! Firefox compares record versions with `Services.vc.compare`
//! (nsIVersionComparator, `TranslationsParent.isBetterRecordVersion`): parts
//! split on `.` compare numerically (`3.10` > `3.9`), missing parts count as
//! `0` (`3` = `3.0`), and a part with a letter suffix is a pre-release that
//! sorts before the same number without one (`3.0a1` < `3.0b2` < `3.0`).
//!
//! Only the shapes Mozilla uses are accepted — numeric dot-parts, with an
//! optional `<letters><number>` pre-release tag on the last one. Anything else
//! does not parse, and a record whose version does not parse is never chosen:
//! a version warta cannot order is a version it cannot pick correctly.

use std::cmp::Ordering;
use std::fmt;

#[derive(Debug, Clone)]
pub struct ModelVersion {
    text: String,
    parts: Vec<u64>,
    /// `Some(("a", 1))` for `3.0a1`; `None` for a release.
    pre: Option<(String, u64)>,
}

impl ModelVersion {
    pub fn parse(text: &str) -> Option<ModelVersion> {
        if text.is_empty() || text.len() > 64 {
            return None;
        }
        let pieces: Vec<&str> = text.split('.').collect();
        let (last, init) = pieces.split_last()?;
        let mut parts = Vec::with_capacity(pieces.len());
        for p in init {
            parts.push(number(p)?);
        }
        let digits_end = last
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(last.len());
        parts.push(number(&last[..digits_end])?);
        let rest = &last[digits_end..];
        let pre = if rest.is_empty() {
            None
        } else {
            let letters_end = rest
                .find(|c: char| !c.is_ascii_lowercase())
                .unwrap_or(rest.len());
            let (tag, n) = rest.split_at(letters_end);
            if tag.is_empty() {
                return None;
            }
            // `3.0a` (no number) is a pre-release too; nsIVersionComparator
            // reads the missing number as 0.
            let n = if n.is_empty() { 0 } else { number(n)? };
            Some((tag.to_string(), n))
        };
        Some(ModelVersion {
            text: text.to_string(),
            parts,
            pre,
        })
    }

    /// The major version: the first part (`3` for `3.10`).
    pub fn major(&self) -> u64 {
        self.parts[0]
    }

    /// Alphas and betas (`3.0a1`, `3.1b2`): what Mozilla ships to Nightly
    /// before a release.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Ord for ModelVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        for i in 0..n {
            let a = self.parts.get(i).copied().unwrap_or(0);
            let b = other.parts.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for ModelVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ModelVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ModelVersion {}

impl fmt::Display for ModelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ModelVersion {
        ModelVersion::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn orders_like_firefox_version_comparator() {
        // Each pair is "lower < higher" as nsIVersionComparator documents it
        // (xpcom/base/nsIVersionComparator.idl: 1.0pre1 < 1.0 , 1.1 < 1.10),
        // with the versions Mozilla's translations-models-v2 records carry.
        let ascending = [
            "2.1", "3.0a1", "3.0a2", "3.0b1", "3.0", "3.1", "3.9", "3.10", "3.11a1", "3.11", "4.0",
        ];
        for w in ascending.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("3"), v("3.0"));
        assert_eq!(v("3.0"), v("3.0.0"));
    }

    #[test]
    fn knows_major_and_prerelease() {
        assert_eq!(v("3.10").major(), 3);
        assert!(v("3.0a1").is_prerelease());
        assert!(v("3.0b2").is_prerelease());
        assert!(!v("3.0").is_prerelease());
    }

    #[test]
    fn refuses_what_it_cannot_order() {
        for bad in [
            "", "v3", "3.", ".3", "3..1", "3.0-beta", "3.0A1", "three", "3.0a1.2", "-1", "3.0 ",
        ] {
            assert!(ModelVersion::parse(bad).is_none(), "{bad:?} parsed");
        }
    }
}
