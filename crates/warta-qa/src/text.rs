//! Small text helpers shared by the checks: tokens, scripts, bounded search.

use unicode_script::{Script, UnicodeScript};
use warta_core::Lang;

/// Han, kana or Hangul: scripts written without spaces between words, where
/// one character is one token.
pub(crate) fn is_cjk_char(c: char) -> bool {
    // ー (prolonged sound mark) and 々 (iteration mark) are script Common but
    // are letters of Japanese words (ヨーロッパ, 人々).
    matches!(c, 'ー' | 'ｰ' | '々' | '〆')
        || matches!(
            c.script(),
            Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul
        )
}

/// Whether `lang` is written without spaces between words.
pub(crate) fn unspaced(lang: Lang) -> bool {
    matches!(lang.script(), "Hans" | "Hant" | "Jpan" | "Kore" | "Thai")
}

/// Lower-cased word tokens: runs of letters and digits (with inner
/// apostrophes and hyphens), and every CJK character on its own. Punctuation
/// is dropped.
pub(crate) fn tokens(s: &str) -> Vec<String> {
    tokens_marked(s).into_iter().map(|(t, _)| t).collect()
}

/// [`tokens`], each with whether punctuation separates it from the token
/// before (`阿奎罗，阿奎罗` is a figure of speech; `阿奎罗阿奎罗` a loop).
pub(crate) fn tokens_marked(s: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut punct = false;
    let chars: Vec<char> = s.chars().collect();
    let flush = |cur: &mut String, punct: &mut bool, out: &mut Vec<(String, bool)>| {
        if !cur.is_empty() {
            out.push((std::mem::take(cur), *punct));
            *punct = false;
        }
    };
    for (k, &c) in chars.iter().enumerate() {
        if is_cjk_char(c) {
            flush(&mut cur, &mut punct, &mut out);
            out.push((c.to_string(), punct));
            punct = false;
        } else if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’' | '-')
            && !cur.is_empty()
            && chars
                .get(k + 1)
                .is_some_and(|n| n.is_alphanumeric() && !is_cjk_char(*n))
        {
            cur.push(c);
        } else {
            flush(&mut cur, &mut punct, &mut out);
            if !c.is_whitespace() {
                punct = true;
            }
        }
    }
    flush(&mut cur, &mut punct, &mut out);
    out
}

/// Whitespace-separated words with surrounding punctuation trimmed, case kept.
pub(crate) fn words(s: &str) -> Vec<&str> {
    s.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `needle` occurs in `hay` as a whole word (no letter or digit
/// directly before or after), case-insensitively unless `case_sensitive`.
/// In scripts without spaces, and for needles that begin or end with
/// punctuation, any occurrence counts.
pub(crate) fn contains_term(hay: &str, needle: &str, case_sensitive: bool, lang: Lang) -> bool {
    count_term(hay, needle, case_sensitive, lang) > 0
}

pub(crate) fn count_term(hay: &str, needle: &str, case_sensitive: bool, lang: Lang) -> usize {
    let needle = needle.trim();
    if needle.is_empty() {
        return 0;
    }
    let (h, n) = if case_sensitive {
        (hay.to_string(), needle.to_string())
    } else {
        (hay.to_lowercase(), needle.to_lowercase())
    };
    let bounded_start = n
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() && !is_cjk_char(c));
    let bounded_end = n
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() && !is_cjk_char(c));
    let loose = unspaced(lang);
    let mut count = 0;
    let mut from = 0;
    while let Some(pos) = h[from..].find(&n) {
        let a = from + pos;
        let b = a + n.len();
        let before_ok = loose
            || !bounded_start
            || h[..a]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
        let after_ok =
            loose || !bounded_end || h[b..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            count += 1;
            from = b;
        } else {
            from = a + n.chars().next().map_or(1, char::len_utf8);
        }
    }
    count
}

/// Collapse whitespace (including no-break spaces) and lower-case, for
/// loose comparisons.
pub(crate) fn loose(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{202F}' || c == '\u{00A0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_cjk_by_character_and_keep_inner_hyphens() {
        assert_eq!(
            tokens("The Russia-led CSTO, 'said'"),
            ["the", "russia-led", "csto", "said"]
        );
        assert_eq!(tokens("东京 Tokyo"), ["东", "京", "tokyo"]);
    }

    #[test]
    fn term_search_respects_word_boundaries() {
        let en = Lang::parse("en").unwrap();
        assert!(contains_term("the Russia-led CSTO said", "csto", false, en));
        assert!(!contains_term("the CSTOs said", "CSTO", false, en));
        assert!(!contains_term("the csto said", "CSTO", true, en));
        assert!(contains_term(
            "集安组织",
            "集安",
            false,
            Lang::parse("zh").unwrap()
        ));
        assert_eq!(count_term("a b a", "a", false, en), 2);
        assert!(!contains_term("", "a", false, en));
        assert!(!contains_term("abc", "  ", false, en));
    }
}
