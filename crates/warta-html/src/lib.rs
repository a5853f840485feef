//! `warta-html` owns HTML in warta, the HTML half of the *segment* stage of the
//! data flow (see `DESIGN.md`): it sanitises the HTML an editor sends
//! ([`sanitize`], [`sanitize_checked`]), cuts a sanitised fragment into
//! translatable [`Unit`]s — one per text-carrying block and one per
//! translatable attribute — with the inline markup of each block recorded as
//! [`InlineSpan`]s over the block's plain text ([`Fragment::parse`]), and
//! rebuilds the fragment from translated units, carrying every inline element
//! over to its place in the translation ([`Fragment::render`],
//! [`project_spans`]).
//!
//! What it must never do: translate (it has no engine dependency — the
//! translate stage hands it `UnitTranslation`s), perform I/O, or change a URL.
//! Whatever the translations say, [`Fragment::render`] emits well-formed,
//! escaped HTML in which every link survives with its `href`.
//!
//! Inline-tag transfer follows Bergamot's HTML mode
//! (`browsermt/bergamot-translator`, `src/translator/html.cpp`): hard-align
//! each target token to its most attended source token and let it inherit the
//! markup of that source token.

mod fragment;
mod outline;
mod project;
mod sanitize;
mod tree;

pub use fragment::{Fragment, InlineSpan, Unit, UnitKind, UnitTranslation};
pub use outline::{outline, text_content, Element, Outline};
pub use project::project_spans;
pub use sanitize::{sanitize, sanitize_checked, MAX_INPUT_BYTES};
pub use tree::MAX_DEPTH;

/// Everything that can go wrong in this crate. Each message names the problem
/// in words an API client can act on: the API answers 400 with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HtmlError {
    /// The input is larger than [`MAX_INPUT_BYTES`].
    #[error("HTML is {len} bytes, more than the limit of {limit} bytes")]
    TooLarge { len: usize, limit: usize },
    /// Nothing readable is left once disallowed markup is removed.
    #[error("HTML has no text or image left after removing markup that is not allowed")]
    EmptyAfterSanitize,
    /// Elements nest deeper than [`MAX_DEPTH`]; real articles never do, and
    /// walking such a tree recursively could exhaust the stack.
    #[error("HTML nests elements more than {limit} levels deep")]
    TooDeep { limit: usize },
    /// `render` needs exactly one translation per unit.
    #[error("got {got} unit translations for a fragment of {expected} units")]
    TranslationCount { expected: usize, got: usize },
    /// A translation's span list must be index-aligned with its unit's spans.
    #[error("unit {unit}: got {got} span placements for {expected} inline spans")]
    SpanCount {
        unit: usize,
        expected: usize,
        got: usize,
    },
}
