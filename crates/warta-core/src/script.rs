//! Which writing system a character belongs to — the one place warta answers
//! "is this CJK?" and "does this script put spaces between words?".
//!
//! Term matching (word boundaries), QA tokenising, markup projection (how far
//! a span may grow) and the language of a text all ask these questions; they
//! all ask [`Script`].

use unicode_script::UnicodeScript;

use crate::Lang;

/// The writing system of a character, as far as warta's checks care: the
/// scripts of the languages it publishes and their neighbours, by the
/// Unicode Script property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    Latin,
    Greek,
    Cyrillic,
    Arabic,
    Hebrew,
    Devanagari,
    Thai,
    Lao,
    Myanmar,
    Khmer,
    Han,
    Hiragana,
    Katakana,
    /// Written with spaces, but particles attach to the word before
    /// (`CSTO는`), so a Hangul letter never makes a word boundary matter.
    Hangul,
    /// A letter of any other script.
    Other,
    /// Not a letter of any particular script: digits, punctuation, symbols,
    /// combining marks.
    Common,
}

impl Script {
    /// The script of `c`. The Japanese prolonged-sound and iteration marks
    /// (`ー` `々` `〆`), script Common in Unicode, are letters of Japanese
    /// words (ヨーロッパ, 人々) and count as kana or Han.
    pub fn of(c: char) -> Script {
        use unicode_script::Script as U;
        match c {
            'ー' | 'ｰ' => return Script::Katakana,
            '々' | '〆' => return Script::Han,
            _ => {}
        }
        match c.script() {
            U::Latin => Script::Latin,
            U::Greek => Script::Greek,
            U::Cyrillic => Script::Cyrillic,
            U::Arabic => Script::Arabic,
            U::Hebrew => Script::Hebrew,
            U::Devanagari => Script::Devanagari,
            U::Thai => Script::Thai,
            U::Lao => Script::Lao,
            U::Myanmar => Script::Myanmar,
            U::Khmer => Script::Khmer,
            U::Han => Script::Han,
            U::Hiragana => Script::Hiragana,
            U::Katakana => Script::Katakana,
            U::Hangul => Script::Hangul,
            U::Common | U::Inherited | U::Unknown => Script::Common,
            _ => Script::Other,
        }
    }

    /// Han, kana or Hangul.
    pub fn is_cjk(self) -> bool {
        matches!(
            self,
            Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul
        )
    }

    /// Written without spaces between words: every character may end a word.
    pub fn is_unspaced(self) -> bool {
        matches!(
            self,
            Script::Han
                | Script::Hiragana
                | Script::Katakana
                | Script::Thai
                | Script::Lao
                | Script::Myanmar
                | Script::Khmer
        )
    }
}

/// Han, kana or Hangul: one character is one token for QA.
pub fn is_cjk(c: char) -> bool {
    Script::of(c).is_cjk()
}

/// A letter of a script written without spaces between words.
pub fn is_unspaced(c: char) -> bool {
    Script::of(c).is_unspaced()
}

/// A letter or digit of a script that separates words with spaces: only
/// these make a word boundary, on either side of a word (`CSTOは`, `CSTO는`
/// and `OTSC的` hold the whole word `CSTO`/`OTSC`).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && {
        let s = Script::of(c);
        !s.is_unspaced() && s != Script::Hangul
    }
}

/// Whether text in `lang` is written without spaces between words.
pub fn lang_is_unspaced(lang: Lang) -> bool {
    matches!(lang.script(), "Hans" | "Hant" | "Jpan" | "Kore" | "Thai")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_news_characters() {
        // Expected values: the Unicode Script property (Scripts.txt), with
        // the Japanese marks as the module documents.
        assert_eq!(Script::of('中'), Script::Han);
        assert_eq!(Script::of('は'), Script::Hiragana);
        assert_eq!(Script::of('ロ'), Script::Katakana);
        assert_eq!(Script::of('ー'), Script::Katakana);
        assert_eq!(Script::of('々'), Script::Han);
        assert_eq!(Script::of('는'), Script::Hangul);
        assert_eq!(Script::of('ไ'), Script::Thai);
        assert_eq!(Script::of('a'), Script::Latin);
        assert_eq!(Script::of('ж'), Script::Cyrillic);
        assert_eq!(Script::of('ع'), Script::Arabic);
        assert_eq!(Script::of('ሀ'), Script::Other);
        assert_eq!(Script::of('7'), Script::Common);
        assert_eq!(Script::of(','), Script::Common);
        assert!(is_word_char('a') && is_word_char('7') && is_word_char('é'));
        assert!(!is_word_char('は') && !is_word_char('는') && !is_word_char('-'));
        assert!(is_cjk('는') && !is_unspaced('는'));
        assert!(
            lang_is_unspaced(Lang::parse("ja").unwrap())
                && !lang_is_unspaced(Lang::parse("ar").unwrap())
        );
    }
}
