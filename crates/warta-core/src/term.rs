//! Finding a glossary term in a text — the one term matcher of warta.
//!
//! Glossary enforcement (does the translation hold the term? where is it in
//! the source?), the glossary QA check and the store's re-queue after a
//! glossary change all ask this module, so they cannot disagree: a term is
//! found as a whole word, by the rules of [`crate::script`]:
//!
//! - a term edge that is a letter or digit of a spaced script must not touch
//!   another such letter or digit (`CSTO` is not in `CSTOX`, and `OTSC` is
//!   not in `OTSCs`); letters of scripts written without spaces, and Hangul
//!   (particles attach), never make a boundary (`CSTOは`, `CSTO는`);
//! - an edge that is punctuation (`#MeToo`, `-led`) has no boundary rule;
//! - white space in the term matches any run of white space in the text, so
//!   a term spanning a line break still matches;
//! - case-insensitive matching folds both sides character by character and
//!   every range indexes the text itself: lower-casing changes byte lengths
//!   (`İ` is 2 bytes, its lower case 3), so no offset is ever carried over
//!   from a folded copy.

use std::ops::Range;

use crate::script::is_word_char;

/// Byte ranges of the non-overlapping whole-word occurrences of `term` in
/// `text`, leftmost first.
pub fn find_term(text: &str, term: &str, case_sensitive: bool) -> Vec<Range<usize>> {
    let needle = key(term.trim(), case_sensitive);
    let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else {
        return Vec::new();
    };
    let check_before = is_word_char(first);
    let check_after = is_word_char(last);
    let mut out: Vec<Range<usize>> = Vec::new();
    for (start, _) in text.char_indices() {
        if out.last().is_some_and(|r| start < r.end) {
            continue; // matches do not overlap
        }
        let Some(end) = match_at(text, start, &needle, case_sensitive) else {
            continue;
        };
        let before_ok =
            !check_before || !text[..start].chars().next_back().is_some_and(is_word_char);
        let after_ok = !check_after || !text[end..].chars().next().is_some_and(is_word_char);
        if before_ok && after_ok {
            out.push(start..end);
        }
    }
    out
}

/// Whether `term` occurs in `text` (see [`find_term`]).
pub fn contains_term(text: &str, term: &str, case_sensitive: bool) -> bool {
    !find_term(text, term, case_sensitive).is_empty()
}

/// One character case-folded for comparison: its lower case, with the Greek
/// final sigma as the ordinary one (`ΟΔΟΣ` / `οδος`).
pub fn fold(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase().map(|l| if l == 'ς' { 'σ' } else { l })
}

/// The comparison form of a term: folded unless case-sensitive, every run of
/// white space as one `' '`.
fn key(term: &str, case_sensitive: bool) -> Vec<char> {
    let mut out = Vec::with_capacity(term.len());
    for c in term.chars() {
        if c.is_whitespace() {
            if out.last() != Some(&' ') {
                out.push(' ');
            }
        } else if case_sensitive {
            out.push(c);
        } else {
            out.extend(fold(c));
        }
    }
    out
}

/// Where in `text` a match of `needle` starting at byte `start` ends: `None`
/// unless the needle is consumed exactly at a character boundary of `text`
/// (the needle `i` does not match half of `İ`, whose lower case is `i` +
/// U+0307). A `' '` in the needle consumes one or more white-space
/// characters.
fn match_at(text: &str, start: usize, needle: &[char], case_sensitive: bool) -> Option<usize> {
    let mut k = 0;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if needle[k] == ' ' {
            if !c.is_whitespace() {
                return None;
            }
            while chars.peek().is_some_and(|(_, n)| n.is_whitespace()) {
                chars.next();
            }
            k += 1;
        } else if case_sensitive {
            if needle[k] != c {
                return None;
            }
            k += 1;
        } else {
            for f in fold(c) {
                if needle.get(k) != Some(&f) {
                    return None;
                }
                k += 1;
            }
        }
        if k == needle.len() {
            let end = chars.peek().map_or(text.len() - start, |(j, _)| *j);
            return Some(start + end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found<'a>(text: &'a str, term: &str, cs: bool) -> Vec<&'a str> {
        find_term(text, term, cs)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(
            find_term("the Russia-led CSTO, said", "CSTO", false),
            vec![15..19]
        );
        assert!(find_term("CSTOX and XCSTO", "CSTO", false).is_empty());
        assert_eq!(found("csto", "CSTO", false), ["csto"]);
        assert!(find_term("csto", "CSTO", true).is_empty());
    }

    #[test]
    fn the_plural_is_not_the_term() {
        // Issue 9: "OTSCs" — enforcement said present (substring), QA said
        // missing (whole word). One rule now: not the term.
        assert!(!contains_term("as OTSCs disseram", "OTSC", true));
        assert!(contains_term("a OTSC disse", "OTSC", true));
    }

    #[test]
    fn letters_of_unspaced_scripts_and_particles_do_not_bound_a_latin_term() {
        // Issue 9: "CSTOは" — the store re-queued, enforcement never matched.
        assert_eq!(
            found("ロシア主導のCSTOは声明を出した", "CSTO", false),
            ["CSTO"]
        );
        assert_eq!(found("CSTO는 성명을", "csto", false), ["CSTO"]);
        assert_eq!(
            found("俄罗斯主导的集安组织发表", "集安组织", true),
            ["集安组织"]
        );
    }

    #[test]
    fn punctuation_edges_and_white_space_runs() {
        assert_eq!(found("apoio ao#MeToo hoje", "#MeToo", true), ["#MeToo"]);
        assert_eq!(
            found(
                "the Collective Security\n  Treaty",
                "collective security treaty",
                false
            ),
            ["Collective Security\n  Treaty"]
        );
        assert!(find_term("Collective Securities", "collective security", false).is_empty());
    }

    #[test]
    fn folding_never_shifts_offsets() {
        let text = "İstanbul ẞ CSTO";
        assert_eq!(found(text, "csto", false), ["CSTO"]);
        assert_eq!(found("İİİ csto İ", "CSTO", false), ["csto"]);
        assert_eq!(
            found("di istanbul, İSTANBUL", "İstanbul", false),
            ["İSTANBUL"],
            "`istanbul` has no dot above (Unicode lower-casing)"
        );
        assert_eq!(
            found("STRAẞE «CSTO» İSTANBUL csto", "CSTO", false),
            ["CSTO", "csto"]
        );
        assert!(find_term("İ", "i", false).is_empty());
        assert_eq!(find_term("ΟΔΟΣ", "οδος", false), vec![0..8]);
        assert!(find_term("anything", "   ", false).is_empty());
    }
}
