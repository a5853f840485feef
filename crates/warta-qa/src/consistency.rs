//! One name rendered two ways in one article ("Palu" in one sentence,
//! "Pálu" in the next) — a failure no single-segment check can see.
//!
//! For every capitalised source word that occurs in two or more sentences
//! of a document, the check looks in each target sentence for the word
//! closest in spelling (edit distance within a quarter of its length, at
//! least 1). Sentences where no such word exists (the name was translated,
//! transliterated into another script or replaced by a pronoun) say
//! nothing; two or more *different* close spellings are an inconsistency.

/// A source name and the different target spellings found for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inconsistency {
    pub source_name: String,
    /// (segment index, spelling), one per segment where a spelling was found.
    pub renderings: Vec<(usize, String)>,
}

/// Names rendered inconsistently across the (source, target) segments of
/// one document.
pub fn inconsistent_names(segments: &[(&str, &str)]) -> Vec<Inconsistency> {
    let mut by_name: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, (src, _)) in segments.iter().enumerate() {
        for name in names(src) {
            match by_name.iter_mut().find(|(n, _)| *n == name) {
                Some((_, segs)) => {
                    if segs.last() != Some(&i) {
                        segs.push(i);
                    }
                }
                None => by_name.push((name, vec![i])),
            }
        }
    }
    let mut out = Vec::new();
    for (name, segs) in by_name {
        if segs.len() < 2 {
            continue;
        }
        let renderings: Vec<(usize, String)> = segs
            .iter()
            .filter_map(|&i| closest(&name, segments[i].1).map(|w| (i, w)))
            .collect();
        let mut distinct: Vec<&String> = renderings.iter().map(|(_, w)| w).collect();
        distinct.sort();
        distinct.dedup();
        if distinct.len() > 1 {
            out.push(Inconsistency {
                source_name: name,
                renderings,
            });
        }
    }
    out
}

/// Each name of a source sentence (as [`inconsistent_names`] finds them:
/// capitalised words of four or more letters, not the first word) with
/// how the target sentence spells it: the capitalised target word closest
/// in spelling, or `None` where there is none (translated, transliterated,
/// replaced by a pronoun). The desk's term suggestions read a newsroom's
/// names and the model's spellings of them from here.
pub fn name_renderings(source: &str, target: &str) -> Vec<(String, Option<String>)> {
    names(source)
        .into_iter()
        .map(|name| {
            let found = closest(&name, target);
            (name, found)
        })
        .collect()
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Capitalised words of four or more letters, except the sentence's first
/// word (capitalised anyway).
fn names(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .skip(1)
        .filter(|w| w.chars().count() >= 4 && w.chars().next().is_some_and(char::is_uppercase))
        .filter(|w| w.chars().all(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

/// The capitalised target word closest in spelling to `name`, if close.
fn closest(name: &str, target: &str) -> Option<String> {
    let limit = (name.chars().count() / 4).max(1);
    words(target)
        .into_iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(|w| (distance(name, w), w))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, w)| w.to_string())
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_with_the_target_spelling_closest_to_them() {
        // Hand-written: Palu kept with an accent; Lisbon as Lisboa (one
        // edit, within a quarter of six letters); Saturday as the
        // lowercase "sábado", which is no name.
        let got = name_renderings(
            "Rescuers reached Palu from Lisbon on Saturday.",
            "Os socorristas chegaram a Pálu vindos de Lisboa no sábado.",
        );
        assert_eq!(
            got,
            vec![
                ("Palu".to_string(), Some("Pálu".to_string())),
                ("Lisbon".to_string(), Some("Lisboa".to_string())),
                ("Saturday".to_string(), None),
            ]
        );
    }

    #[test]
    fn a_city_spelled_two_ways_is_found() {
        // Hand-written: the second sentence spells Palu with an accent.
        let doc = [
            (
                "An earthquake hit Palu on Friday.",
                "Um terremoto atingiu Palu na sexta-feira.",
            ),
            (
                "Rescuers reached Palu on Saturday.",
                "Os socorristas chegaram a Pálu no sábado.",
            ),
        ];
        let found = inconsistent_names(&doc);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].source_name, "Palu");
        assert_eq!(
            found[0].renderings,
            vec![(0, "Palu".to_string()), (1, "Pálu".to_string())]
        );
    }

    #[test]
    fn consistent_translations_and_pronouns_are_fine() {
        // Hand-written: Lisbon → Lisboa both times; a pronoun in the third.
        let doc = [
            (
                "Police arrested three men in Lisbon.",
                "A polícia prendeu três homens em Lisboa.",
            ),
            (
                "The men were taken to Lisbon prison.",
                "Os homens foram levados para a prisão de Lisboa.",
            ),
            (
                "They will appear before Lisbon judges.",
                "Eles vão comparecer perante juízes da cidade.",
            ),
        ];
        assert!(inconsistent_names(&doc).is_empty());
    }

    #[test]
    fn edit_distance_matches_the_textbook_examples() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("Palu", "Pálu"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
