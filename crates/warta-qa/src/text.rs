//! Small text helpers shared by the checks: tokens, scripts, bounded search.

pub(crate) use warta_core::script::is_cjk as is_cjk_char;

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
}
