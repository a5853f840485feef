//! The translation pipeline of warta: one source document in, one typed
//! [`TranslatedDoc`] out, through the stages every path shares —
//!
//! ```text
//! segment → memory → engine → enforce → check
//! ```
//!
//! 1. **segment** ([`prepare`]): the document is cut into units (title,
//!    summary and the HTML blocks of the body via `warta-html`, or the lines
//!    of a plain text) and each unit into sentences; the route to the target
//!    (direct or through English) is resolved once.
//! 2. **memory**: the caller looks the sentences up in its translation
//!    memory ([`Prepared::tm_queries`]) and hands the answers back — this
//!    crate does no I/O.
//! 3. **engine** ([`execute`]): the rest go to `warta-engine` in batches
//!    across all requests; sentences with inline markup, glossary terms or
//!    protected spans the plain output lost take the aligned path.
//! 4. **enforce** ([`enforce`]): a missing glossary term or protected span is
//!    put where its source went, only where that placement is sound; a
//!    name spelled two ways gets the article's usual spelling where that is
//!    sound.
//! 5. **check** ([`check`]): the `warta-qa` checks per sentence, the markup
//!    check on the rebuilt body, one spelling per name per article, model
//!    confidence ([`score`]).
//!
//! The newsroom worker, `warta translate` and the LibreTranslate endpoints
//! all call this crate, so the glossary and QA apply on every path. It is
//! synchronous and CPU-bound (run it on a worker thread), knows nothing of
//! HTTP or databases, and never panics on input.

use warta_core::{normalize_segment, Origin, Pair};

pub mod adequacy;
pub mod check;
pub mod enforce;
mod policy;
mod rescore;
mod run;
pub mod truecase;

pub use adequacy::Adequacy;
pub use policy::{Decision, Policy};
pub use rescore::{score_published, Rescored, StoredSentence};
pub use run::{
    execute, missing_pair, prepare, score, source_sentences, translate, Prepared, Request,
    TmAnswers, TmQuery,
};
use warta_qa::SummaryInput;
pub use warta_qa::{Check, Flag, QualitySummary, Severity, SeverityCounts};

/// A glossary entry for one target language: the source term, the
/// rendering the translation must use, and whether case matters.
pub use warta_qa::ExpectedTerm as Term;

/// What to translate: a source revision's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDoc {
    pub title: String,
    pub summary: String,
    pub body: Body,
}

/// The body of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A sanitised HTML fragment: its blocks are units, inline markup is
    /// carried over to the translation.
    Html(String),
    /// Plain text: each line is a unit; line breaks are kept.
    Text(String),
}

impl SourceDoc {
    /// An article revision.
    pub fn article(
        title: impl Into<String>,
        summary: impl Into<String>,
        body_html: impl Into<String>,
    ) -> SourceDoc {
        SourceDoc {
            title: title.into(),
            summary: summary.into(),
            body: Body::Html(body_html.into()),
        }
    }

    /// A bare HTML fragment (no title or summary).
    pub fn html(body_html: impl Into<String>) -> SourceDoc {
        SourceDoc::article("", "", body_html)
    }

    /// Plain text (no title or summary).
    pub fn text(text: impl Into<String>) -> SourceDoc {
        SourceDoc {
            title: String::new(),
            summary: String::new(),
            body: Body::Text(text.into()),
        }
    }
}

/// One translated sentence of a document.
#[derive(Debug, Clone)]
pub struct SegmentOut {
    /// The unit it belongs to: 0 the title, 1 the summary, then the body's
    /// blocks (HTML) or lines (text) in order.
    pub unit: usize,
    pub source: String,
    pub target: String,
    /// The English pivot, on two-leg routes.
    pub pivot: Option<String>,
    pub confidence: Option<f64>,
    pub origin: Origin,
    pub flags: Vec<Flag>,
    /// Where the text came from: the memory or the engine.
    pub from_memory: bool,
    /// The engine's own output before glossary and protected spans were put
    /// in: what model confidence is computed on.
    pub raw: Option<String>,
    /// Confidence has been computed (it may still be `None` when undefined).
    pub scored: bool,
}

/// A translated document.
#[derive(Debug, Clone)]
pub struct TranslatedDoc {
    pub title: String,
    pub summary: String,
    /// The body in the source's form: HTML for [`Body::Html`], text for
    /// [`Body::Text`].
    pub body: String,
    pub model_id: String,
    pub segments: Vec<SegmentOut>,
    /// Sentences sent to the engine for this document.
    pub engine_sentences: usize,
    pub memory_hits: usize,
    /// Whole-document findings (markup and links lost in the rebuild).
    pub doc_flags: Vec<Flag>,
    /// Glossary terms and protected spans put in place, and those refused
    /// because the placement was not sound (left for the check to flag).
    pub enforced: usize,
    pub refused: usize,
    /// Names re-spelled to the article's usual spelling.
    pub respelled: usize,
    /// The reverse model the adequacy check needed and did not have (or
    /// could not use): short segments went unchecked.
    pub adequacy_unavailable: Option<Pair>,
}

impl TranslatedDoc {
    /// Machine sentences made now, for the translation memory:
    /// (normalised source, target).
    pub fn new_memory(&self) -> Vec<(String, String)> {
        self.segments
            .iter()
            .filter(|s| !s.from_memory && s.origin == Origin::Machine)
            .map(|s| (normalize_segment(&s.source), s.target.clone()))
            .collect()
    }

    /// Every flag, with the index of its segment (`None` for whole-document
    /// findings), document flags first.
    pub fn flags(&self) -> Vec<(Option<usize>, &Flag)> {
        let mut out: Vec<(Option<usize>, &Flag)> =
            self.doc_flags.iter().map(|f| (None, f)).collect();
        for (i, s) in self.segments.iter().enumerate() {
            out.extend(s.flags.iter().map(|f| (Some(i), f)));
        }
        out
    }

    /// The quality summary stored with the version and served by the API.
    pub fn summary(&self) -> QualitySummary {
        let mut s = QualitySummary::of(SummaryInput {
            segments: self.segments.len(),
            flags: self.flags(),
            confidences: self.segments.iter().filter_map(|s| s.confidence),
            engine_sentences: self.engine_sentences,
            memory_hits: self.memory_hits,
        });
        s.adequacy_unavailable = self.adequacy_unavailable.map(|p| p.to_string());
        s
    }
}

/// Why a document could not be translated. The three kinds call for
/// different actions: wait for a model, fix a broken one, fix the input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PipelineError {
    /// A model of the route is not installed: the job waits for it.
    #[error("waiting for the {0} model")]
    MissingModel(Pair),
    /// The model is installed but cannot be used (corrupt file, checksum
    /// mismatch, failed load) or failed while running.
    #[error("model unusable: {0}")]
    ModelBroken(String),
    /// The document itself cannot be translated (its HTML is refused).
    #[error("bad input: {0}")]
    BadInput(String),
}

/// Options of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Compute model confidence per machine sentence inline.
    pub confidence: bool,
    /// Flag sentences whose confidence is below this mean log-probability.
    pub confidence_threshold: f64,
    /// The adequacy check on short segments ([`adequacy`]), before anything
    /// is returned; `None` turns it off.
    pub adequacy: Option<Adequacy>,
}

impl Default for Options {
    /// No inline confidence; the adequacy check on, with its default
    /// thresholds (every path that translates reports it).
    fn default() -> Options {
        Options {
            confidence: false,
            confidence_threshold: 0.0,
            adequacy: Some(Adequacy::default()),
        }
    }
}
