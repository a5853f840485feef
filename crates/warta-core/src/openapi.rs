//! OpenAPI schemas of the domain types (feature `openapi`), as they appear
//! in JSON: a [`Lang`] is its code, a [`Slug`] and a [`Pair`] their text.
//! Written by hand because the types serialise by hand; each schema states
//! exactly what `parse` accepts on the way in and `Serialize` writes out.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::{Lang, Pair, Slug, LANGUAGES, MAX_SLUG_LEN};

/// What [`Slug::parse`] accepts: words of `a-z0-9` joined by single hyphens.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

impl PartialSchema for Lang {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A language code (ISO 639-1) that warta knows."))
            .enum_values(Some(LANGUAGES.iter().map(|l| l.code)))
            .examples(["pt"])
            .into()
    }
}

impl ToSchema for Lang {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Lang")
    }
}

impl PartialSchema for Slug {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An article's stable, URL-safe name: lower-case letters a-z, digits and single hyphens between words.",
            ))
            .pattern(Some(SLUG_PATTERN))
            .min_length(Some(1))
            .max_length(Some(MAX_SLUG_LEN))
            .examples(["banjir-jakarta"])
            .into()
    }
}

impl ToSchema for Slug {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Slug")
    }
}

impl PartialSchema for Pair {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A translation direction `SRC-TRG` of two language codes.",
            ))
            .pattern(Some("^[a-z]{2,3}-[a-z]{2,3}$"))
            .examples(["en-pt"])
            .into()
    }
}

impl ToSchema for Pair {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Pair")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slug_pattern_agrees_with_parse() {
        // The same strings, judged by `Slug::parse` and by the pattern read
        // literally (no regex engine here: the pattern is simple enough to
        // restate as "hyphen-separated non-empty runs of [a-z0-9]").
        let by_pattern = |s: &str| {
            s.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
        };
        for s in [
            "banjir-jakarta",
            "a",
            "2024",
            "a-b-c",
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a_b",
            "é",
            "a b",
        ] {
            assert_eq!(Slug::parse(s).is_ok(), by_pattern(s), "{s:?}");
        }
        assert_eq!(SLUG_PATTERN, "^[a-z0-9]+(-[a-z0-9]+)*$");
    }

    #[test]
    fn every_language_code_is_in_the_lang_schema_and_two_or_three_letters() {
        let RefOr::T(Schema::Object(o)) = Lang::schema() else {
            panic!("Lang is an inline object schema")
        };
        let codes = o.enum_values.unwrap();
        assert_eq!(codes.len(), LANGUAGES.len());
        // The Pair pattern's `[a-z]{2,3}` must admit every code.
        assert!(LANGUAGES
            .iter()
            .all(|l| (2..=3).contains(&l.code.len())
                && l.code.bytes().all(|b| b.is_ascii_lowercase())));
    }
}
