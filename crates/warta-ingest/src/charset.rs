//! A feed's bytes, in whatever encoding they came, as UTF-8 text.
//!
//! feed-rs reads through quick-xml, which switches decoders when it meets the
//! XML declaration: for UTF-16 that switch panics (`set_encoding() called
//! after prefix buffer was drained`), and a document in Shift_JIS, EUC-JP,
//! EUC-KR or KOI8-R comes out as "no root element". So the feed is decoded
//! here first, with `encoding_rs` (the WHATWG Encoding Standard, what browsers
//! decode), and handed on as UTF-8 whose declaration no longer names another
//! encoding.
//!
//! Where the encoding comes from, first match wins:
//! 1. a byte order mark (UTF-8, UTF-16LE/BE; UTF-32 too, decoded here);
//! 2. the first bytes of `<` in UTF-16/UTF-32 without a mark (XML 1.0,
//!    appendix F: `3C 00 3F 00` is UTF-16LE…);
//! 3. the XML declaration's `encoding=`, read in the ASCII-compatible way
//!    (a declaration that names UTF-16 in ASCII bytes is UTF-8, as the
//!    Encoding Standard rules for `<meta charset>`);
//! 4. the `charset` of the HTTP `Content-Type`, when the feed was fetched;
//! 5. UTF-8 when the bytes are UTF-8; else chardetng's guess (Firefox's
//!    detector for legacy text that declares nothing).
//!
//! The declaration comes before the HTTP charset, unlike RFC 7303: it is
//! written by the software that wrote the bytes, while a web server's
//! `charset` is often its default for every `.xml` file.
//!
//! An encoding named but not one of the WHATWG ones (EBCDIC, VISCII, a
//! typo) is used only if the bytes are UTF-8 anyway (ASCII reads the same
//! in all of them); otherwise the feed is refused by name, never guessed.
//! Bytes invalid in the chosen encoding become U+FFFD, as in a browser.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Where a feed's encoding was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    ByteOrderMark,
    /// UTF-16/UTF-32 without a mark, known by how `<` is laid out.
    FirstBytes,
    Declaration,
    HttpCharset,
    /// Valid UTF-8 that names no encoding.
    Utf8,
    /// Not UTF-8 and nothing named an encoding: chardetng's guess.
    Guessed,
}

/// A feed as UTF-8 text, with the encoding it was read in.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name (`Shift_JIS`, `UTF-16LE`…), or `UTF-32LE`/`UTF-32BE`.
    pub encoding: &'static str,
    pub evidence: Evidence,
    /// Some bytes were invalid in that encoding and became U+FFFD.
    pub had_errors: bool,
}

/// Decode `bytes` (see the module doc for the order of evidence) and take
/// the encoding out of its XML declaration. `http_charset` is the `charset`
/// parameter of the response's `Content-Type`, if it was fetched. The error
/// is one sentence for the caller to prefix.
pub fn decode_feed(bytes: &[u8], http_charset: Option<&str>) -> Result<Decoded, String> {
    let mut decoded = read(bytes, http_charset)?;
    strip_declared_encoding(&mut decoded.text);
    Ok(decoded)
}

fn read(bytes: &[u8], http_charset: Option<&str>) -> Result<Decoded, String> {
    // UTF-32's marks first: the little-endian one begins with UTF-16LE's.
    match bytes {
        [0, 0, 0xFE, 0xFF, rest @ ..] => return Ok(utf32(rest, true, Evidence::ByteOrderMark)),
        [0xFF, 0xFE, 0, 0, rest @ ..] => return Ok(utf32(rest, false, Evidence::ByteOrderMark)),
        _ => {}
    }
    if let Some((encoding, mark)) = Encoding::for_bom(bytes) {
        return Ok(decode(encoding, &bytes[mark..], Evidence::ByteOrderMark));
    }
    match bytes {
        [0, 0, 0, 0x3C, ..] => return Ok(utf32(bytes, true, Evidence::FirstBytes)),
        [0x3C, 0, 0, 0, ..] => return Ok(utf32(bytes, false, Evidence::FirstBytes)),
        [0, 0x3C, 0, b, ..] if *b != 0 => return Ok(decode(UTF_16BE, bytes, Evidence::FirstBytes)),
        [0x3C, 0, b, 0, ..] if *b != 0 => return Ok(decode(UTF_16LE, bytes, Evidence::FirstBytes)),
        // `<?xm` in EBCDIC (XML 1.0, appendix F).
        [0x4C, 0x6F, 0xA7, 0x94, ..] => {
            return Err("the document is in EBCDIC, which warta does not read; \
                        re-encode the feed as UTF-8"
                .into())
        }
        _ => {}
    }
    let is_utf8 = std::str::from_utf8(bytes).is_ok();
    if let Some(label) = declaration(bytes).and_then(|d| d.encoding) {
        let label = &bytes[label];
        match for_label(label) {
            Some(e) => return Ok(decode(ascii_compatible(e), bytes, Evidence::Declaration)),
            None if is_utf8 => return Ok(decode(UTF_8, bytes, Evidence::Utf8)),
            None => {
                return Err(format!(
                    "the feed declares encoding `{}`, which is not one of the WHATWG \
                     encodings warta reads, and its bytes are not UTF-8; re-encode it as UTF-8",
                    String::from_utf8_lossy(label)
                ))
            }
        }
    }
    if let Some(e) = http_charset.and_then(|c| for_label(c.trim().as_bytes())) {
        return Ok(decode(ascii_compatible(e), bytes, Evidence::HttpCharset));
    }
    if is_utf8 {
        return Ok(decode(UTF_8, bytes, Evidence::Utf8));
    }
    // Not UTF-8 (it failed above), and not ISO-2022-JP, whose escapes can
    // hide ASCII markup: browsers deny it for the same reason.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    Ok(decode(guess, bytes, Evidence::Guessed))
}

/// The WHATWG encoding a label names; `_` read as `-` too, as Java and
/// Python write labels (`EUC_JP`, `windows_1252`, `ISO8859_1`).
fn for_label(label: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_label(label).or_else(|| {
        let dashed: Vec<u8> = label
            .iter()
            .map(|&b| if b == b'_' { b'-' } else { b })
            .collect();
        Encoding::for_label(&dashed)
    })
}

/// A label read from ASCII-compatible bytes (or sent for them) that names
/// UTF-16 cannot be right: the Encoding Standard reads such text as UTF-8.
fn ascii_compatible(e: &'static Encoding) -> &'static Encoding {
    if e == UTF_16LE || e == UTF_16BE {
        UTF_8
    } else {
        e
    }
}

fn decode(encoding: &'static Encoding, bytes: &[u8], evidence: Evidence) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        evidence,
        had_errors,
    }
}

/// UTF-32 is no WHATWG encoding (no browser reads it), but it is a valid
/// XML encoding and trivial: four bytes a scalar value.
fn utf32(bytes: &[u8], big_endian: bool, evidence: Evidence) -> Decoded {
    let mut had_errors = !bytes.len().is_multiple_of(4);
    let text = bytes
        .chunks(4)
        .map(|c| {
            let word = match <[u8; 4]>::try_from(c) {
                Ok(w) if big_endian => u32::from_be_bytes(w),
                Ok(w) => u32::from_le_bytes(w),
                Err(_) => u32::MAX,
            };
            char::from_u32(word).unwrap_or_else(|| {
                had_errors = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    Decoded {
        text,
        encoding: if big_endian { "UTF-32BE" } else { "UTF-32LE" },
        evidence,
        had_errors,
    }
}

/// Byte ranges in an XML declaration at the start of a document.
struct Declaration {
    /// The ` encoding="…"` pseudo-attribute, from the space before it to
    /// the closing quote.
    attribute: std::ops::Range<usize>,
    /// Its value.
    encoding: Option<std::ops::Range<usize>>,
}

/// The declaration's `encoding`, read from ASCII-compatible bytes (or UTF-8
/// text) without decoding: `<?xml version="1.0" encoding="EUC-JP"?>`.
/// Leading whitespace is allowed (not XML, but common in the wild).
fn declaration(bytes: &[u8]) -> Option<Declaration> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[start..];
    if !rest.starts_with(b"<?xml") || !rest.get(5).is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    // A declaration is short; a missing `?>` within 1 KiB is no declaration.
    let end = start + rest.iter().take(1024).position(|&b| b == b'>')?;
    let decl = &bytes[..end];
    let mut i = start + 5;
    while i < decl.len() {
        let ws = i;
        while i < decl.len() && decl[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = i;
        while i < decl.len() && (decl[i].is_ascii_alphanumeric() || decl[i] == b'_') {
            i += 1;
        }
        let is_encoding = &decl[name..i] == b"encoding";
        while i < decl.len() && decl[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == name || decl.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        while i < decl.len() && decl[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = *decl.get(i).filter(|q| **q == b'"' || **q == b'\'')?;
        let value = i + 1;
        let close = value + decl[value..].iter().position(|&b| b == quote)?;
        i = close + 1;
        if is_encoding {
            return Some(Declaration {
                attribute: ws..i,
                encoding: Some(value..close),
            });
        }
    }
    None
}

/// Remove `encoding="…"` from the declaration of text that is now UTF-8,
/// so that the XML parser reads it as what it is (a declaration without
/// an encoding means UTF-8).
fn strip_declared_encoding(text: &mut String) {
    if let Some(d) = declaration(text.as_bytes()) {
        // The range ends at an ASCII quote and starts at ASCII whitespace:
        // both are character boundaries.
        text.replace_range(d.attribute, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warta_testkit::utf16_bytes as utf16;

    const FEED: &str = "<rss version=\"2.0\"><channel><title>Ação 年</title></channel></rss>";

    #[test]
    fn utf16_with_and_without_a_mark_becomes_utf8_without_its_declaration() {
        let doc = format!("<?xml version=\"1.0\" encoding=\"utf-16\"?>{FEED}");
        for (be, mark) in [(false, true), (true, true), (false, false), (true, false)] {
            let d = decode_feed(&utf16(&doc, be, mark), None).unwrap();
            assert_eq!(
                d.text,
                format!("<?xml version=\"1.0\"?>{FEED}"),
                "{be} {mark}"
            );
            assert_eq!(d.encoding, if be { "UTF-16BE" } else { "UTF-16LE" });
            assert!(!d.had_errors);
        }
    }

    #[test]
    fn a_declared_legacy_encoding_is_decoded() {
        // "年" in EUC-KR is B3 E2 (python3: '년'.encode('euc-kr') is b'\xb3\xe2').
        let doc = b"<?xml version='1.0' encoding='EUC-KR' ?><rss><title>\xb3\xe2</title></rss>";
        let d = decode_feed(doc, None).unwrap();
        assert_eq!(
            d.text,
            "<?xml version='1.0' ?><rss><title>\u{b144}</title></rss>"
        );
        assert_eq!((d.encoding, d.evidence), ("EUC-KR", Evidence::Declaration));
    }

    #[test]
    fn the_declaration_comes_before_the_http_charset_and_that_before_guessing() {
        // 0xE9 is é in windows-1252 and ISO-8859-1 (which WHATWG reads as 1252),
        // И (U+0418) in KOI8-R (RFC 1489's table).
        let doc = b"<?xml version=\"1.0\" encoding=\"koi8-r\"?><rss>\xe9</rss>";
        assert!(decode_feed(doc, Some("iso-8859-1"))
            .unwrap()
            .text
            .contains('\u{418}'));
        let doc = b"<rss>\xe9</rss>";
        let d = decode_feed(doc, Some("koi8-r")).unwrap();
        assert_eq!(
            (d.text.as_str(), d.evidence),
            ("<rss>\u{418}</rss>", Evidence::HttpCharset)
        );
        let d = decode_feed("<rss>é</rss>".as_bytes(), None).unwrap();
        assert_eq!((d.encoding, d.evidence), ("UTF-8", Evidence::Utf8));
    }

    #[test]
    fn undeclared_legacy_text_is_guessed() {
        // "ゲーム三昧な正月" in EUC-JP (python3 .encode('euc-jp')), the title of
        // feedparser's tests/illformed/chardet/eucjp.xml.
        let title = b"\xa5\xb2\xa1\xbc\xa5\xe0\xbb\xb0\xcb\xe6\xa4\xca\xc0\xb5\xb7\xee";
        let mut doc = b"<rss><channel><item><title>".to_vec();
        doc.extend(title);
        doc.extend(b"</title></item></channel></rss>");
        let d = decode_feed(&doc, None).unwrap();
        assert_eq!((d.encoding, d.evidence), ("EUC-JP", Evidence::Guessed));
        assert!(d.text.contains("ゲーム三昧な正月"), "{}", d.text);
    }

    #[test]
    fn utf16_named_in_ascii_bytes_is_utf8() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>ã</rss>";
        let d = decode_feed(doc.as_bytes(), None).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("<?xml version=\"1.0\"?><rss>ã</rss>", "UTF-8")
        );
    }

    #[test]
    fn an_unknown_encoding_is_refused_unless_the_bytes_are_utf8() {
        let d = decode_feed(b"<?xml version=\"1.0\" encoding=\"bogus\"?><rss/>", None).unwrap();
        assert_eq!(d.text, "<?xml version=\"1.0\"?><rss/>");
        let e = decode_feed(
            b"<?xml version=\"1.0\" encoding=\"viscii\"?><rss>\x80</rss>",
            None,
        )
        .unwrap_err();
        assert!(e.contains("`viscii`"), "{e}");
        // Java's and Python's spellings are the WHATWG labels with `_`.
        let d = decode_feed(
            b"<?xml version=\"1.0\" encoding=\"EUC_KR\"?><rss>\xb3\xe2</rss>",
            None,
        );
        assert_eq!(d.unwrap().encoding, "EUC-KR");
        let e = decode_feed(&[0x4C, 0x6F, 0xA7, 0x94, 0x93], None).unwrap_err();
        assert!(e.contains("EBCDIC"), "{e}");
    }

    #[test]
    fn utf32_is_read_by_hand() {
        let doc = "<rss>ã年</rss>";
        let be: Vec<u8> = doc.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        let mut le = vec![0xFF, 0xFE, 0, 0];
        le.extend(doc.chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(decode_feed(&be, None).unwrap().text, doc);
        assert_eq!(decode_feed(&le, None).unwrap().text, doc);
        // A surrogate is no scalar value: replaced, never a panic.
        let d = decode_feed(&[0x3C, 0, 0, 0, 0x00, 0xD8, 0, 0], None).unwrap();
        assert_eq!((d.text.as_str(), d.had_errors), ("<\u{FFFD}", true));
    }

    #[test]
    fn declarations_are_read_only_where_they_are_well_formed() {
        for doc in [
            &b"<?xml version=\"1.0\" encoding=\"EUC-KR"[..],
            b"<?xml version=1.0 encoding=\"EUC-KR\"?>",
            b"<?xmlfoo encoding=\"EUC-KR\"?>",
            b"<rss encoding=\"EUC-KR\">",
            b"",
            b"<",
        ] {
            assert!(
                declaration(doc).and_then(|d| d.encoding).is_none(),
                "{doc:?}"
            );
        }
        let d =
            declaration(b"  <?xml version = '1.0'  encoding = \"x\" standalone='yes'?>").unwrap();
        assert_eq!((d.attribute, d.encoding), (23..39, Some(37..38)));
    }
}
