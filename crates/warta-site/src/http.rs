//! HTTP caching helpers: strong ETags, HTTP dates and the conditional-GET
//! decision of RFC 9110 §13.
//!
//! Pure functions; the server reads the request headers and writes the
//! response (`304 Not Modified` with the same `ETag` and `Last-Modified`).

use sha2::{Digest, Sha256};

use warta_core::Timestamp;

/// A strong ETag for a response body: the first 128 bits of its SHA-256, in
/// hex, quoted (`"3f2a…"`). Same bytes, same tag, on every server.
pub fn etag_for(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 IMF-fixdate), for
/// `Last-Modified` and `Date`. Instants outside 1970..=9999 are clamped.
pub fn http_date(unix_secs: i64) -> String {
    Timestamp::from_unix_secs(unix_secs).http_date()
}

/// Whether a GET/HEAD may be answered `304 Not Modified`.
///
/// RFC 9110 §13.2.2: `If-None-Match`, when present, decides alone (weak
/// comparison, `*` matches any current representation) and
/// `If-Modified-Since` is then ignored; otherwise `If-Modified-Since`
/// matches when the resource has not changed since that date. A header that
/// does not parse is ignored, as §13.1.3 requires for dates.
pub fn not_modified(
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
    etag: &str,
    last_modified: Option<Timestamp>,
) -> bool {
    if let Some(inm) = if_none_match {
        return inm.trim() == "*" || entity_tags(inm).any(|t| weak_eq(t, etag));
    }
    match (if_modified_since, last_modified) {
        (Some(ims), Some(lm)) => match httpdate::parse_http_date(ims.trim()) {
            Ok(since) => lm <= Timestamp::from_system_time(since),
            Err(_) => false,
        },
        _ => false,
    }
}

/// Weak comparison (RFC 9110 §8.8.3.2): opaque tags equal, `W/` ignored.
fn weak_eq(a: &str, b: &str) -> bool {
    let opaque = |t: &str| t.trim().strip_prefix("W/").unwrap_or(t.trim()).to_string();
    opaque(a) == opaque(b)
}

/// The entity-tags of an `If-None-Match` list. Commas may appear inside a
/// quoted tag, so the list is scanned quote by quote rather than split.
fn entity_tags(list: &str) -> impl Iterator<Item = &str> {
    let mut rest = list;
    std::iter::from_fn(move || loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return None;
        }
        let body_start = if rest.starts_with("W/\"") {
            3
        } else if rest.starts_with('"') {
            1
        } else {
            0
        };
        if body_start == 0 {
            // Not a tag: skip to the next comma.
            let end = rest.find(',').unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        match rest[body_start..].find('"') {
            Some(close) => {
                let end = body_start + close + 1;
                let tag = &rest[..end];
                rest = &rest[end..];
                return Some(tag);
            }
            None => {
                rest = "";
                return None;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETAG: &str = "\"abc\"";

    #[test]
    fn etag_is_a_quoted_prefix_of_the_sha256() {
        // SHA-256("abc") from FIPS 180-2 appendix B.1:
        // ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(etag_for(b"abc"), "\"ba7816bf8f01cfea414140de5dae2223\"");
        assert_ne!(etag_for(b"abc"), etag_for(b"abd"));
    }

    #[test]
    fn http_date_matches_rfc_9110_example() {
        // RFC 9110 §5.6.7 example: Sun, 06 Nov 1994 08:49:37 GMT = 784111777.
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn if_none_match_matches_weakly_and_in_lists() {
        assert!(not_modified(Some("\"abc\""), None, ETAG, None));
        assert!(not_modified(Some("W/\"abc\""), None, ETAG, None));
        assert!(not_modified(
            Some("\"x\", \"a,b\" , W/\"abc\""),
            None,
            ETAG,
            None
        ));
        assert!(not_modified(Some("*"), None, ETAG, None));
        assert!(!not_modified(Some("\"abd\""), None, ETAG, None));
        assert!(!not_modified(Some("abc"), None, ETAG, None));
        assert!(!not_modified(Some("\"unterminated"), None, ETAG, None));
    }

    #[test]
    fn if_none_match_takes_precedence_over_if_modified_since() {
        // RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since when
        // the request contains If-None-Match.
        let lm = Some(Timestamp::from_unix_secs(784_111_777));
        let later = "Mon, 07 Nov 1994 08:49:37 GMT";
        assert!(!not_modified(Some("\"other\""), Some(later), ETAG, lm));
        assert!(not_modified(None, Some(later), ETAG, lm));
    }

    #[test]
    fn if_modified_since_compares_at_second_precision() {
        let lm = Some(Timestamp::from_unix_secs(784_111_777));
        assert!(not_modified(
            None,
            Some("Sun, 06 Nov 1994 08:49:37 GMT"),
            ETAG,
            lm
        ));
        assert!(!not_modified(
            None,
            Some("Sun, 06 Nov 1994 08:49:36 GMT"),
            ETAG,
            lm
        ));
        // Unparseable or absent dates never yield 304.
        assert!(!not_modified(None, Some("yesterday"), ETAG, lm));
        assert!(!not_modified(
            None,
            Some("Sun, 06 Nov 1994 08:49:37 GMT"),
            ETAG,
            None
        ));
        assert!(!not_modified(None, None, ETAG, lm));
    }
}
