//! Where each byte of SentencePiece's normal form of a text came from.
//!
//! fxtranslate reports source token spans over the vocabulary's
//! *normalised* source (`Aligned::source_normalized`): a `▁` (U+2581) dummy
//! prefix, every run of whitespace one `▁` — and with the Firefox
//! Translations charsmaps no-break, ideographic and zero-width spaces,
//! direction marks, the BOM and U+FFFD count as whitespace —, control
//! characters dropped, NFKC rewrites ('ﬁ' → "fi", '㎏' → "kg", 'e' + U+0301
//! → 'é'). The normaliser (SentencePiece's `Normalizer::Normalize`, ported
//! by fxtranslate) keeps no offsets, so this module rebuilds the normal form
//! from the text itself: each character normalised alone by the same
//! vocabulary, grouped with the characters after it where the vocabulary
//! rewrites them together, spaces collapsed as the normaliser collapses
//! them. Every byte of the rebuilt form knows the characters it came from.
//!
//! Where the rebuilt form differs from the engine's (a rewrite this grouping
//! does not see), the differing words map to the span of characters they
//! came from: coarser, never off by more than those words. Whatever the
//! input, every range this module returns lies on char boundaries of the
//! raw text, in order — it never indexes out of bounds.

use std::collections::HashMap;
use std::ops::Range;

use fxtranslate::spm::SpmVocab;

/// At most this many characters are looked at together for one rewrite
/// (a letter and its combining marks; Hangul jamo). Bounds the work on a
/// letter under hundreds of marks; a longer rewrite falls back to words.
const MAX_GROUP_CHARS: usize = 8;

/// For each byte of a normal form, the raw byte range it came from.
pub(crate) struct NormalMap {
    spans: Vec<Range<usize>>,
}

impl NormalMap {
    /// The map from `norm` (what `vocab` made of `raw`, as fxtranslate
    /// returned it) to `raw`.
    pub(crate) fn new(vocab: &SpmVocab, raw: &str, norm: &str) -> NormalMap {
        let forms = Forms::new(vocab);
        let (rebuilt, spans) = forms.rebuild(raw);
        NormalMap {
            spans: align(&rebuilt, &spans, norm, &forms.space),
        }
    }

    /// The raw byte range of normalised bytes `r` (clamped to the normal
    /// form; an empty `r` gives an empty range where it sits).
    pub(crate) fn raw_range(&self, r: Range<usize>) -> Range<usize> {
        let len = self.spans.len();
        let (start, end) = (r.start.min(len), r.end.min(len));
        let at = |b: usize| match self.spans.get(b) {
            Some(s) => s.start,
            None => self.spans.last().map_or(0, |s| s.end),
        };
        if start >= end {
            let p = at(start);
            return p..p;
        }
        let from = at(start);
        from..self.spans[end - 1].end.max(from)
    }
}

/// Each character's normal form, as `vocab` writes it in the middle of a
/// word (its spaces as `▁`, no dummy prefix).
struct Forms<'v> {
    vocab: &'v SpmVocab,
    /// What the normaliser makes of "0": the dummy prefix and the "0".
    zero: String,
    /// The dummy prefix alone.
    prefix: String,
    /// How a space is written in the normal form.
    space: String,
    cache: std::cell::RefCell<HashMap<char, String>>,
}

impl<'v> Forms<'v> {
    fn new(vocab: &'v SpmVocab) -> Forms<'v> {
        let zero = vocab.normalize("0");
        let prefix = zero.strip_suffix('0').unwrap_or("").to_string();
        let mut forms = Forms {
            vocab,
            zero,
            prefix,
            space: String::new(),
            cache: Default::default(),
        };
        forms.space = forms.of(" ");
        if forms.space.is_empty() {
            forms.space = "\u{2581}".to_string();
        }
        forms
    }

    /// `x` normalised between two "0"s (which no rule rewrites together
    /// with a neighbour), so that neither the dummy prefix nor the trimming
    /// of leading and trailing spaces applies to it.
    fn of(&self, x: &str) -> String {
        let n = self.vocab.normalize(&format!("0{x}0"));
        if let Some(mid) = n
            .strip_prefix(self.zero.as_str())
            .and_then(|m| m.strip_suffix('0'))
        {
            return mid.to_string();
        }
        // A rule took a "0" in: `x` alone, without its dummy prefix.
        let n = self.vocab.normalize(x);
        n.strip_prefix(self.prefix.as_str())
            .unwrap_or(&n)
            .to_string()
    }

    fn of_char(&self, c: char) -> String {
        if let Some(f) = self.cache.borrow().get(&c) {
            return f.clone();
        }
        let mut buf = [0u8; 4];
        let f = self.of(c.encode_utf8(&mut buf));
        self.cache.borrow_mut().insert(c, f.clone());
        f
    }

    /// The normal form of `raw` rebuilt group by group, with the raw byte
    /// range each of its bytes came from (a dummy prefix: an empty range
    /// where the first group that wrote something starts).
    fn rebuild(&self, raw: &str) -> (String, Vec<Range<usize>>) {
        let chars: Vec<(usize, char)> = raw.char_indices().collect();
        let end_of = |k: usize| chars.get(k + 1).map_or(raw.len(), |c| c.0);
        let mut out = String::new();
        let mut spans: Vec<Range<usize>> = Vec::new();
        // The normaliser drops leading whitespace and collapses runs.
        let mut after_space = true;
        let mut i = 0;
        while i < chars.len() {
            let start = chars[i].0;
            let mut form = self.of_char(chars[i].1);
            let mut j = i + 1;
            // ASCII never composes with ASCII (NFKC of an ASCII string is
            // itself), so plain text costs one cached lookup per char.
            while j < chars.len()
                && j - i < MAX_GROUP_CHARS
                && !(chars[j - 1].1.is_ascii() && chars[j].1.is_ascii())
            {
                let together = self.of(&raw[start..end_of(j)]);
                // Apart, as the normaliser would join them: a space after
                // a space collapses (that is no rewrite of the two).
                let next = self.of_char(chars[j].1);
                let mut apart = form.clone();
                match next.strip_prefix(self.space.as_str()) {
                    Some(rest) if form.ends_with(self.space.as_str()) => apart.push_str(rest),
                    _ => apart.push_str(&next),
                }
                if together == apart {
                    break;
                }
                form = together;
                j += 1;
            }
            let span = start..end_of(j - 1);
            i = j;

            let mut piece = form.as_str();
            while after_space && !piece.is_empty() {
                match piece.strip_prefix(self.space.as_str()) {
                    Some(rest) => piece = rest,
                    None => break,
                }
            }
            if piece.is_empty() {
                continue;
            }
            if out.is_empty() {
                out.push_str(&self.prefix);
                spans.extend(std::iter::repeat_n(
                    span.start..span.start,
                    self.prefix.len(),
                ));
            }
            out.push_str(piece);
            spans.extend(std::iter::repeat_n(span, piece.len()));
            after_space = piece.ends_with(self.space.as_str());
        }
        while out.ends_with(self.space.as_str()) {
            out.truncate(out.len() - self.space.len());
            spans.truncate(out.len());
        }
        (out, spans)
    }
}

/// Spans for each byte of `norm`, taken from the rebuilt form's: exact
/// where the two agree, word by word where they have the same words and
/// spaces, else exact over their common prefix and suffix with the middle
/// mapped to the characters the rebuilt middle came from.
fn align(rebuilt: &str, spans: &[Range<usize>], norm: &str, space: &str) -> Vec<Range<usize>> {
    if rebuilt == norm {
        return spans.to_vec();
    }
    let (a, b) = (segments(rebuilt, space), segments(norm, space));
    if a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.1 == y.1) {
        let mut out = Vec::with_capacity(norm.len());
        for ((ra, _), (rb, _)) in a.iter().zip(&b) {
            if rebuilt[ra.clone()] == norm[rb.clone()] {
                out.extend_from_slice(&spans[ra.clone()]);
            } else {
                let u = union(&spans[ra.clone()], spans, ra.start);
                out.extend(std::iter::repeat_n(u, rb.len()));
            }
        }
        return out;
    }
    // Common prefix and suffix, on char boundaries of both.
    let mut pre = 0;
    for ((i, x), y) in rebuilt.char_indices().zip(norm.chars()) {
        if x != y {
            break;
        }
        pre = i + x.len_utf8();
    }
    let mut suf = 0;
    for (x, y) in rebuilt[pre..].chars().rev().zip(norm[pre..].chars().rev()) {
        if x != y {
            break;
        }
        suf += x.len_utf8();
    }
    let mut out = Vec::with_capacity(norm.len());
    out.extend_from_slice(&spans[..pre]);
    let middle = pre..rebuilt.len() - suf;
    let u = union(&spans[middle.clone()], spans, middle.start);
    out.extend(std::iter::repeat_n(u, norm.len() - suf - pre));
    out.extend_from_slice(&spans[rebuilt.len() - suf..]);
    out
}

/// The smallest range holding all of `part` (a slice of `all` starting at
/// byte `at`); for an empty part, an empty range where it sits.
fn union(part: &[Range<usize>], all: &[Range<usize>], at: usize) -> Range<usize> {
    match (part.first(), part.iter().map(|r| r.end).max()) {
        (Some(first), Some(end)) => first.start..end.max(first.start),
        _ => {
            let p = match all.get(at) {
                Some(r) => r.start,
                None => all.last().map_or(0, |r| r.end),
            };
            p..p
        }
    }
}

/// `s` as maximal runs of non-space text and single spaces (`space` is how
/// the normal form writes one), each with whether it is a space.
fn segments(s: &str, space: &str) -> Vec<(Range<usize>, bool)> {
    let mut out = Vec::new();
    let mut word = None;
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(space) {
            if let Some(w) = word.take() {
                out.push((w..i, false));
            }
            out.push((i..i + space.len(), true));
            i += space.len();
        } else {
            word.get_or_insert(i);
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if let Some(w) = word {
        out.push((w..s.len(), false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The en→pt test model's vocabulary (`scripts/fetch-test-models`).
    fn vocab() -> SpmVocab {
        let dir = std::env::var_os("WARTA_TEST_MODELS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target/test-models")
            });
        let path = dir.join("en-pt/vocab.enpt.spm");
        SpmVocab::load(&path)
            .unwrap_or_else(|e| panic!("{}: {e}: run scripts/fetch-test-models", path.display()))
    }

    /// Raw slice of each normalised char of `raw`'s normal form.
    fn pairs(v: &SpmVocab, raw: &str) -> Vec<(String, String)> {
        let norm = v.normalize(raw);
        let map = NormalMap::new(v, raw, &norm);
        norm.char_indices()
            .map(|(b, c)| {
                let r = map.raw_range(b..b + c.len_utf8());
                (c.to_string(), raw[r].to_string())
            })
            .collect()
    }

    fn p(x: &[(&str, &str)]) -> Vec<(String, String)> {
        x.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    // Expected pairs: the normal forms are the vocabulary's own output
    // (`SpmVocab::normalize`, printed for these inputs), each char paired
    // with the raw characters that produced it, worked out by hand.

    #[test]
    fn space_runs_of_any_kind_become_one_marker_mapped_to_the_first() {
        let v = vocab();
        // "a  b": the dummy prefix maps to nothing before "a".
        assert_eq!(
            pairs(&v, " a \u{a0}\u{3000}\tb\u{200b} "),
            p(&[("▁", ""), ("a", "a"), ("▁", " "), ("b", "b")])
        );
        assert_eq!(
            pairs(&v, "д\u{a0}\u{a0}д"),
            p(&[("▁", ""), ("д", "д"), ("▁", "\u{a0}"), ("д", "д")])
        );
    }

    #[test]
    fn rewrites_map_to_the_characters_they_came_from() {
        let v = vocab();
        assert_eq!(
            pairs(&v, "ﬁx 3㎏"),
            p(&[
                ("▁", ""),
                ("f", "ﬁ"),
                ("i", "ﬁ"),
                ("x", "x"),
                ("▁", " "),
                ("3", "3"),
                ("k", "㎏"),
                ("g", "㎏")
            ])
        );
        // A combining acute composes with its letter: one char from two.
        assert_eq!(
            pairs(&v, "e\u{301}x"),
            p(&[("▁", ""), ("é", "e\u{301}"), ("x", "x")])
        );
        // Control characters are dropped: "b" is still "b".
        assert_eq!(
            pairs(&v, "a\u{1}\u{7f}b"),
            p(&[("▁", ""), ("a", "a"), ("b", "b")])
        );
        // A ZWJ is a space to this vocabulary.
        assert_eq!(
            pairs(&v, "👨\u{200d}👩"),
            p(&[("▁", ""), ("👨", "👨"), ("▁", "\u{200d}"), ("👩", "👩")])
        );
    }

    #[test]
    fn a_normal_form_that_differs_maps_word_by_word_and_never_out_of_bounds() {
        let v = vocab();
        let raw = "ab cd ef";
        // Pretend the engine wrote the middle word differently.
        let map = NormalMap::new(&v, raw, "▁ab▁XYZ▁ef");
        let x = "▁ab▁".len();
        assert_eq!(map.raw_range(x..x + 3), 3..5, "XYZ comes from \"cd\"");
        assert_eq!(map.raw_range(x + 6..x + 7), 6..7, "'e' still exact");
        // Different structure: common prefix and suffix exact, the rest
        // from the middle.
        let map = NormalMap::new(&v, raw, "▁abQef");
        assert_eq!(map.raw_range(3..4), 0..1);
        assert_eq!(map.raw_range(5..6), 2..6, "Q stands for \" cd \"");
        assert_eq!(map.raw_range(7..8), 7..8);
        // Out of range and reversed input ranges stay inside the text.
        assert_eq!(map.raw_range(100..200), 8..8);
        assert_eq!(map.raw_range(Range { start: 6, end: 2 }), 6..6);
        let empty = NormalMap::new(&v, "", "");
        assert_eq!(empty.raw_range(0..5), 0..0);
    }
}
