//! The *check* stage inside the pipeline: the `warta-qa` checks on each
//! machine sentence, the markup check on the rebuilt body, model confidence,
//! and one spelling per name per article.

use warta_core::Lang;
use warta_qa::{Check, Flag, Severity};

use crate::Term;

/// QA flags for one machine-translated sentence.
pub fn check(src: &str, tgt: &str, src_lang: Lang, trg_lang: Lang, terms: &[Term]) -> Vec<Flag> {
    let seg = warta_qa::SegmentCheck {
        source: src,
        target: tgt,
        src_lang,
        trg_lang,
        glossary: terms,
        source_html: None,
        target_html: None,
    };
    warta_qa::check_segment(&seg)
}

/// Tags and links of a whole rebuilt body against its source: every element
/// and every `href` must survive, well-formed.
pub fn check_markup(
    source_html: &str,
    target_html: &str,
    src_lang: Lang,
    trg_lang: Lang,
) -> Vec<Flag> {
    let seg = warta_qa::SegmentCheck {
        source: "",
        target: "",
        src_lang,
        trg_lang,
        glossary: &[],
        source_html: Some(source_html),
        target_html: Some(target_html),
    };
    warta_qa::check_segment(&seg)
        .into_iter()
        .filter(|f| f.check == Check::Tags)
        .collect()
}

/// A flag when the model's confidence is below `threshold`.
pub fn confidence_flag(c: f64, threshold: f64) -> Option<Flag> {
    warta_qa::confidence_flag(c, threshold)
}

/// Names spelled two ways in one article: each segment using a minority
/// spelling gets a `consistency` warning naming the usual one (the most
/// frequent; the first seen on a tie), for an editor to settle.
///
/// Not rewritten automatically: on NTREX en→pt, re-spelling accent variants
/// to the article's majority changed 9 lines and damaged most of them — the
/// unaccented majority came from English proper names (`West Virginia
/// University`, `Baja California`, `Air Navigation Indonesia`) and was
/// pushed onto correct Portuguese (`Califórnia`, `América`); see
/// BENCHMARKS.md "Enforcement on NTREX".
pub fn consistency_flags(segments: &[(&str, &str)]) -> Vec<(usize, Flag)> {
    let mut out = Vec::new();
    for inc in warta_qa::inconsistent_names(segments) {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, w) in &inc.renderings {
            match counts.iter_mut().find(|(s, _)| s == w) {
                Some((_, n)) => *n += 1,
                None => counts.push((w, 1)),
            }
        }
        let usual = counts.iter().fold(("", 0), |best, &(w, n)| if n > best.1 { (w, n) } else { best }).0;
        for (idx, w) in &inc.renderings {
            if w != usual {
                out.push((
                    *idx,
                    Flag::new(
                        Check::Consistency,
                        Severity::Warning,
                        format!("`{}` is spelled `{w}` here but `{usual}` elsewhere in the article", inc.source_name),
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minority_spelling_of_a_name_is_flagged() {
        // Shape of real warta en→pt output on NTREX (newsweek.51310), where
        // "Virginia" came out as "Virgínia" in most sentences and "Virginia"
        // in one; the sentences here are hand-written.
        let segs = [
            ("Storms hit Virginia on Monday.", "Tempestades atingiram a Virgínia na segunda-feira."),
            ("Officials in Virginia closed roads.", "Autoridades da Virgínia fecharam estradas."),
            ("Schools in Virginia stayed open.", "As escolas em Virginia ficaram abertas."),
        ];
        let flags = consistency_flags(&segs);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].0, 2);
        assert_eq!(flags[0].1.check, Check::Consistency);
        assert!(flags[0].1.detail.contains("`Virginia` here but `Virgínia`"), "{}", flags[0].1.detail);
    }
}
