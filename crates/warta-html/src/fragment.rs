//! Cutting a fragment into units and rebuilding it from translations.
//!
//! A *run* is a maximal sequence of sibling text and inline elements between
//! block boundaries. Every run that carries text is one [`Unit`]: its plain
//! text is what the model translates, and its inline elements are
//! [`InlineSpan`]s over that text. Rendering replaces each run by the
//! translated text with the inline elements re-wrapped around their target
//! ranges; everything outside runs (block structure, whitespace between
//! blocks, `pre`) is written back as parsed.

use crate::tree::{self, Raw, RawElement};
use crate::HtmlError;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One piece of text to translate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Plain text: entities decoded, whitespace collapsed to single spaces,
    /// trimmed. Inline `code` text is included (the model needs the context)
    /// but is restored verbatim on render.
    pub text: String,
    pub kind: UnitKind,
    /// Inline elements inside the block, in document order of their start
    /// tags (a parent always precedes its children). Empty for attributes.
    pub spans: Vec<InlineSpan>,
}

/// Where a unit's text lives in the fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UnitKind {
    /// Text of a block element, e.g. `p`, `h2`, `li`, `td`, `figcaption`.
    Block { tag: String },
    /// Text directly in the fragment, outside any block.
    Root,
    /// A translatable attribute value: `img alt`, any `title`.
    Attribute { tag: String, name: String },
}

/// One inline element of a block, located in the block's plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlineSpan {
    pub tag: String,
    /// The element's attributes as parsed (unescaped); escaped on output.
    pub attrs: Vec<(String, String)>,
    /// Byte range in [`Unit::text`]; empty for `br`, `img` and elements
    /// without text.
    pub range: Range<usize>,
    /// 0 for elements directly in the block, +1 per enclosing inline element.
    pub depth: usize,
}

impl InlineSpan {
    /// Void elements have no content: they sit at a position, not a range.
    pub fn is_void(&self) -> bool {
        tree::is_void(&self.tag)
    }

    /// Links are never dropped: their `href` must survive translation.
    pub fn is_link(&self) -> bool {
        self.tag == "a"
    }
}

/// The translation of one unit, as `render` consumes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnitTranslation {
    pub text: String,
    /// Index-aligned with the unit's spans: the byte range of each inline
    /// element in `text`, or `None` where it could not be placed.
    pub spans: Vec<Option<Range<usize>>>,
}

impl UnitTranslation {
    /// The unit "translated" into itself: for units left untranslated (for
    /// instance when a segment failed) and for round-trip tests.
    pub fn identity(unit: &Unit) -> Self {
        UnitTranslation {
            text: unit.text.clone(),
            spans: unit.spans.iter().map(|s| Some(s.range.clone())).collect(),
        }
    }
}

/// A parsed HTML fragment and its translatable units.
#[derive(Debug, Clone)]
pub struct Fragment {
    nodes: Vec<Node>,
    units: Vec<Unit>,
}

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Element(Element),
    Run(Run),
}

#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: Vec<Attr>,
    children: Vec<Node>,
}

#[derive(Debug, Clone)]
struct Attr {
    name: String,
    value: String,
    /// The attribute unit that translates this value, if any.
    unit: Option<usize>,
}

/// A run of inline content translated as one unit.
#[derive(Debug, Clone)]
struct Run {
    unit: usize,
    /// The run as parsed, for `render_source_unchanged` and for links that
    /// have to be appended with their original content.
    original: Vec<Node>,
    /// Per inline span: its parent span and its element as parsed.
    spans: Vec<SpanInfo>,
}

#[derive(Debug, Clone)]
struct SpanInfo {
    parent: Option<usize>,
    element: Element,
}

impl Fragment {
    /// Parses an HTML fragment (normally the output of [`crate::sanitize`]).
    /// Parsing repairs malformed markup the way browsers do; it fails only
    /// on nesting deeper than [`crate::MAX_DEPTH`]. Parsing does not make
    /// HTML safe: sanitise first.
    pub fn parse(html: &str) -> Result<Fragment, HtmlError> {
        let raw = tree::parse(html)?;
        let mut seg = Segmenter { units: Vec::new() };
        let nodes = seg.children(raw, None);
        Ok(Fragment {
            nodes,
            units: seg.units,
        })
    }

    /// The units in document order of their first character; a block's unit
    /// precedes the attribute units of the inline elements inside it.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Writes the fragment back without translating anything.
    pub fn render_source_unchanged(&self) -> String {
        let mut out = String::new();
        write_nodes(&self.nodes, None, false, &mut out);
        out
    }

    /// Rebuilds the fragment with each unit replaced by its translation
    /// (`translations[i]` translates `units()[i]`).
    ///
    /// The output is always well-formed. Inline elements go around their
    /// target ranges; a child whose range crosses its parent's is clamped
    /// into it (or given the parent's range when they do not meet at all);
    /// ranges that are out of bounds or not on character boundaries count as
    /// unplaced. Unplaced elements are dropped and their text kept — except
    /// links, which wrap the whole text when the unit has exactly one link
    /// and are otherwise appended after the text with their original
    /// content, and images, which go to the end of their parent's range.
    pub fn render(&self, translations: &[UnitTranslation]) -> Result<String, HtmlError> {
        if translations.len() != self.units.len() {
            return Err(HtmlError::TranslationCount {
                expected: self.units.len(),
                got: translations.len(),
            });
        }
        for (i, (unit, tr)) in self.units.iter().zip(translations).enumerate() {
            if unit.spans.len() != tr.spans.len() {
                return Err(HtmlError::SpanCount {
                    unit: i,
                    expected: unit.spans.len(),
                    got: tr.spans.len(),
                });
            }
        }
        let mut out = String::new();
        let ctx = RenderCtx {
            units: &self.units,
            translations,
        };
        write_nodes(&self.nodes, Some(&ctx), false, &mut out);
        Ok(out)
    }

    /// True when the fragment has any text or image: what "not empty" means
    /// for an article body.
    pub(crate) fn has_content(&self) -> bool {
        fn any(nodes: &[Node]) -> bool {
            nodes.iter().any(|n| match n {
                Node::Text(t) => !t.chars().all(tree::is_html_space),
                Node::Run(_) => true,
                Node::Element(e) => e.name == "img" || any(&e.children),
            })
        }
        any(&self.nodes)
    }

    /// Renames block elements (used to turn `h1` into `h2`: the article
    /// title is the page's only `h1`). Only reaches blocks, never runs.
    pub(crate) fn rename_blocks(&mut self, from: &str, to: &str) {
        fn walk(nodes: &mut [Node], from: &str, to: &str) {
            for n in nodes {
                if let Node::Element(e) = n {
                    if e.name == from {
                        e.name = to.to_string();
                    }
                    walk(&mut e.children, from, to);
                }
            }
        }
        walk(&mut self.nodes, from, to);
    }
}

// ---------------------------------------------------------------- segmenting

struct Segmenter {
    units: Vec<Unit>,
}

impl Segmenter {
    fn children(&mut self, raw: Vec<Raw>, container: Option<&str>) -> Vec<Node> {
        let mut out = Vec::new();
        let mut run = Vec::new();
        for r in raw {
            if is_inline(&r) {
                run.push(r);
            } else {
                self.flush(&mut run, container, &mut out);
                out.push(self.block(r));
            }
        }
        self.flush(&mut run, container, &mut out);
        out
    }

    fn flush(&mut self, run: &mut Vec<Raw>, container: Option<&str>, out: &mut Vec<Node>) {
        let raw = std::mem::take(run);
        if !raw.iter().any(has_text) {
            out.extend(raw.into_iter().map(|r| self.inline(r)));
            return;
        }
        let unit = self.units.len();
        self.units.push(Unit {
            text: String::new(),
            kind: match container {
                Some(tag) => UnitKind::Block {
                    tag: tag.to_string(),
                },
                None => UnitKind::Root,
            },
            spans: Vec::new(),
        });
        let original: Vec<Node> = raw.into_iter().map(|r| self.inline(r)).collect();
        let mut collector = Collector::default();
        for n in &original {
            collector.walk(n, None, 0);
        }
        let (text, spans, infos) = collector.finish();
        self.units[unit].text = text;
        self.units[unit].spans = spans;
        out.push(Node::Run(Run {
            unit,
            original,
            spans: infos,
        }));
    }

    fn block(&mut self, raw: Raw) -> Node {
        match raw {
            Raw::Text(t) => Node::Text(t),
            Raw::Element(e) if is_opaque(&e.name) => Node::Element(verbatim(e)),
            Raw::Element(e) => {
                let attrs = self.attrs(&e.name, e.attrs);
                let children = self.children(e.children, Some(&e.name));
                Node::Element(Element {
                    name: e.name,
                    attrs,
                    children,
                })
            }
        }
    }

    fn inline(&mut self, raw: Raw) -> Node {
        match raw {
            Raw::Text(t) => Node::Text(t),
            Raw::Element(e) if is_opaque(&e.name) => Node::Element(verbatim(e)),
            Raw::Element(e) => {
                let attrs = self.attrs(&e.name, e.attrs);
                let children = e.children.into_iter().map(|c| self.inline(c)).collect();
                Node::Element(Element {
                    name: e.name,
                    attrs,
                    children,
                })
            }
        }
    }

    /// Registers the translatable attributes of an element as units.
    fn attrs(&mut self, tag: &str, attrs: Vec<(String, String)>) -> Vec<Attr> {
        attrs
            .into_iter()
            .map(|(name, value)| {
                let translatable = name == "title" || (name == "alt" && tag == "img");
                let text = collapse(&value);
                let unit = (translatable && !text.is_empty()).then(|| {
                    self.units.push(Unit {
                        text,
                        kind: UnitKind::Attribute {
                            tag: tag.to_string(),
                            name: name.clone(),
                        },
                        spans: Vec::new(),
                    });
                    self.units.len() - 1
                });
                Attr { name, value, unit }
            })
            .collect()
    }
}

fn is_opaque(name: &str) -> bool {
    tree::is_opaque_block(name) || tree::is_opaque_inline(name)
}

/// Opaque content is copied as is: no units, attributes untouched.
fn verbatim(e: RawElement) -> Element {
    Element {
        name: e.name,
        attrs: e
            .attrs
            .into_iter()
            .map(|(name, value)| Attr {
                name,
                value,
                unit: None,
            })
            .collect(),
        children: e
            .children
            .into_iter()
            .map(|c| match c {
                Raw::Text(t) => Node::Text(t),
                Raw::Element(e) => Node::Element(verbatim(e)),
            })
            .collect(),
    }
}

/// Text and inline elements join a run. An inline element that (after the
/// parser's repairs) contains a block — `<a><p>…</p></a>` — is treated as a
/// container instead, so that the block inside still gets its own unit.
fn is_inline(raw: &Raw) -> bool {
    fn has_block(e: &RawElement) -> bool {
        e.children.iter().any(|c| match c {
            Raw::Text(_) => false,
            Raw::Element(c) => {
                tree::is_block(&c.name) || tree::is_opaque_block(&c.name) || has_block(c)
            }
        })
    }
    match raw {
        Raw::Text(_) => true,
        Raw::Element(e) if tree::is_opaque_inline(&e.name) => true,
        Raw::Element(e) => {
            !tree::is_block(&e.name) && !tree::is_opaque_block(&e.name) && !has_block(e)
        }
    }
}

fn has_text(raw: &Raw) -> bool {
    match raw {
        Raw::Text(t) => !t.chars().all(tree::is_html_space),
        Raw::Element(e) => e.children.iter().any(has_text),
    }
}

fn collapse(s: &str) -> String {
    let mut c = Collector::default();
    c.push_text(s);
    c.text
}

/// Builds a run's plain text and span ranges in one walk.
#[derive(Default)]
struct Collector {
    text: String,
    /// A space is owed before the next visible character. Emitting it lazily
    /// trims leading and trailing whitespace for free.
    pending_space: bool,
    spans: Vec<InlineSpan>,
    infos: Vec<SpanInfo>,
}

impl Collector {
    fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            if tree::is_html_space(c) {
                self.pending_space = !self.text.is_empty();
            } else {
                if self.pending_space {
                    self.text.push(' ');
                    self.pending_space = false;
                }
                self.text.push(c);
            }
        }
    }

    fn push_all_text(&mut self, nodes: &[Node]) {
        for n in nodes {
            match n {
                Node::Text(t) => self.push_text(t),
                Node::Element(e) => self.push_all_text(&e.children),
                Node::Run(r) => self.push_all_text(&r.original),
            }
        }
    }

    fn walk(&mut self, node: &Node, parent: Option<usize>, depth: usize) {
        match node {
            Node::Text(t) => self.push_text(t),
            Node::Run(r) => self.push_all_text(&r.original),
            Node::Element(e) => {
                let idx = self.spans.len();
                let start = self.text.len();
                self.spans.push(InlineSpan {
                    tag: e.name.clone(),
                    attrs: e
                        .attrs
                        .iter()
                        .map(|a| (a.name.clone(), a.value.clone()))
                        .collect(),
                    range: start..start,
                    depth,
                });
                self.infos.push(SpanInfo {
                    parent,
                    element: e.clone(),
                });
                if tree::is_opaque_inline(&e.name) {
                    self.push_all_text(&e.children);
                } else if e.name == "br" {
                    // A line break separates words: "satu<br>dua" must
                    // reach the model as two words.
                    self.pending_space = !self.text.is_empty();
                } else if !tree::is_void(&e.name) {
                    for c in &e.children {
                        self.walk(c, Some(idx), depth + 1);
                    }
                }
                self.spans[idx].range.end = self.text.len();
            }
        }
    }

    fn finish(mut self) -> (String, Vec<InlineSpan>, Vec<SpanInfo>) {
        let bytes = self.text.as_bytes();
        for i in 0..self.spans.len() {
            let Range { mut start, mut end } = self.spans[i].range.clone();
            // A span opened before an owed space starts at that space; the
            // space belongs between the words, not inside the element.
            while start < end && bytes[start] == b' ' {
                start += 1;
            }
            while end > start && bytes[end - 1] == b' ' {
                end -= 1;
            }
            if self.spans[i].is_void() {
                end = start;
            }
            if let Some(p) = self.infos[i].parent {
                let parent = self.spans[p].range.clone();
                start = start.clamp(parent.start, parent.end);
                end = end.clamp(start, parent.end);
            }
            self.spans[i].range = start..end;
        }
        (self.text, self.spans, self.infos)
    }
}

// ----------------------------------------------------------------- rendering

struct RenderCtx<'a> {
    units: &'a [Unit],
    translations: &'a [UnitTranslation],
}

impl RenderCtx<'_> {
    fn attr_value<'v>(&'v self, attr: &'v Attr) -> &'v str {
        match attr.unit.and_then(|u| self.translations.get(u)) {
            Some(tr) => &tr.text,
            None => &attr.value,
        }
    }
}

fn write_nodes(nodes: &[Node], ctx: Option<&RenderCtx>, raw_text: bool, out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) if raw_text => out.push_str(t),
            Node::Text(t) => tree::escape_text(t, out),
            Node::Element(e) => write_element(e, ctx, out),
            Node::Run(run) => match ctx {
                Some(ctx) => write_run(run, ctx, out),
                None => write_nodes(&run.original, None, false, out),
            },
        }
    }
}

fn write_start(e: &Element, ctx: Option<&RenderCtx>, out: &mut String) {
    let attrs = e.attrs.iter().map(|a| {
        let value = match ctx {
            Some(ctx) => ctx.attr_value(a),
            None => a.value.as_str(),
        };
        (a.name.as_str(), value)
    });
    tree::write_start_tag(&e.name, attrs, out);
}

fn write_element(e: &Element, ctx: Option<&RenderCtx>, out: &mut String) {
    write_start(e, ctx, out);
    if tree::is_void(&e.name) {
        return;
    }
    if tree::drops_leading_newline(&e.name) {
        if let Some(Node::Text(t)) = e.children.first() {
            if t.starts_with('\n') {
                out.push('\n');
            }
        }
    }
    write_nodes(&e.children, ctx, tree::is_raw_text(&e.name), out);
    tree::write_end_tag(&e.name, out);
}

/// Where each inline element of a run ends up in the translated text.
struct Placement {
    ranges: Vec<Option<Range<usize>>>,
    /// Links that could not be placed, appended after the text.
    appended: Vec<usize>,
}

fn is_ancestor(infos: &[SpanInfo], anc: usize, mut i: usize) -> bool {
    while let Some(p) = infos[i].parent {
        if p == anc {
            return true;
        }
        i = p;
    }
    false
}

fn holds_link(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match n {
        Node::Element(e) => e.name == "a" || holds_link(&e.children),
        Node::Run(r) => holds_link(&r.original),
        Node::Text(_) => false,
    })
}

/// Decides every span's final range so that the ranges nest properly.
/// Spans are processed parents first; each is clamped into its nearest
/// placed ancestor and shrunk off any already placed span it crosses.
fn place(unit: &Unit, infos: &[SpanInfo], tr: &UnitTranslation) -> Placement {
    let text = tr.text.as_str();
    let n = unit.spans.len();
    let mut ranges: Vec<Option<Range<usize>>> = vec![None; n];
    let mut appended = Vec::new();
    let mut suppressed = vec![false; n];
    let links = unit.spans.iter().filter(|s| s.is_link()).count();

    for i in 0..n {
        if suppressed[i] {
            continue;
        }
        let span = &unit.spans[i];
        let mut anc = infos[i].parent;
        while let Some(p) = anc {
            if ranges[p].is_some() {
                break;
            }
            anc = infos[p].parent;
        }
        let bounds = match anc {
            Some(p) => ranges[p].clone().unwrap_or(0..text.len()),
            None => 0..text.len(),
        };
        let zero_width = span.range.is_empty();
        let valid = tr.spans[i].clone().filter(|r| {
            r.start <= r.end
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
                && r.end <= text.len()
        });

        let placed = valid.and_then(|r| {
            if zero_width {
                let p = r.start.clamp(bounds.start, bounds.end);
                return Some(p..p);
            }
            if r.is_empty() {
                return None;
            }
            let (s, e) = (r.start.max(bounds.start), r.end.min(bounds.end));
            // A child that does not meet its parent at all takes the
            // parent's range: the markup survives on the right words' parent.
            let mut r = if s < e { s..e } else { bounds.clone() };
            loop {
                let crossing = (0..i).find_map(|j| {
                    let other = ranges[j].as_ref()?;
                    let crosses =
                        (other.start < r.start && r.start < other.end && other.end < r.end)
                            || (r.start < other.start && other.start < r.end && r.end < other.end);
                    (crosses && !is_ancestor(infos, j, i)).then(|| other.clone())
                });
                match crossing {
                    Some(o) if o.start < r.start => r.start = o.end,
                    Some(o) => r.end = o.start,
                    None => break,
                }
            }
            let r = trim_spaces(text, r);
            (!r.is_empty()).then_some(r)
        });
        // A link never goes inside another link (or around one): HTML has
        // no nested links, a parser splits them, and the page would no
        // longer be what was published (found by
        // fuzz/fuzz_targets/html_round_trip.rs: two links placed on one
        // word rendered as `<a><a>…</a></a>`). Such a link is left unplaced
        // and, like every unplaced link, appended with its own text.
        let placed = placed.filter(|r| {
            !span.is_link()
                || !(0..i).any(|j| {
                    unit.spans[j].is_link() && ranges[j].as_ref().is_some_and(|o| would_nest(r, o))
                })
        });

        ranges[i] = match placed {
            Some(r) => Some(r),
            None if span.is_link() && links == 1 && !zero_width => Some(bounds),
            // Code is restored verbatim with whatever it holds, so code
            // holding a link is a link too: dropping it dropped the link
            // (found by tests/properties.rs: `<code><a href=…>x</a></code>`
            // left unplaced rendered as bare text).
            None if span.is_link()
                || (tree::is_opaque_inline(&span.tag)
                    && holds_link(&infos[i].element.children)) =>
            {
                appended.push(i);
                for (j, s) in suppressed.iter_mut().enumerate().skip(i + 1) {
                    *s |= is_ancestor(infos, i, j);
                }
                None
            }
            None if span.tag == "img" => Some(bounds.end..bounds.end),
            None => None,
        };
    }
    Placement { ranges, appended }
}

/// Whether elements at ranges `a` and `b` (which do not cross: `place`
/// shrank them apart) would be written one inside the other, by the
/// nesting rule of `write_run`: containment, equality, or an empty range
/// strictly inside the other.
fn would_nest(a: &Range<usize>, b: &Range<usize>) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (false, false) => a.start < b.end && b.start < a.end,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (true, true) => false,
    }
}

/// Whitespace at the edge of an element belongs between words; the range is
/// left alone if it is nothing but whitespace. Whitespace in HTML's sense
/// (`tree::is_html_space`), the same the parser collapses: a no-break space
/// is text there, so trimming it here too moved it out of its element and
/// a rendered fragment no longer parsed into the units it was made from
/// (`<p><b>&nbsp;a</b></p>` became `<p>&nbsp;<b>a</b></p>`).
fn trim_spaces(text: &str, r: Range<usize>) -> Range<usize> {
    let Some(s) = text.get(r.clone()) else {
        return r;
    };
    let lead = s.len() - s.trim_start_matches(tree::is_html_space).len();
    let trail = s.len() - s.trim_end_matches(tree::is_html_space).len();
    if lead == s.len() {
        return r;
    }
    r.start + lead..r.end - trail
}

fn write_run(run: &Run, ctx: &RenderCtx, out: &mut String) {
    let unit = &ctx.units[run.unit];
    let tr = &ctx.translations[run.unit];
    let placement = place(unit, &run.spans, tr);
    let ranges = &placement.ranges;
    let placed: Vec<usize> = (0..ranges.len()).filter(|&i| ranges[i].is_some()).collect();
    let range = |i: usize| ranges[i].clone().unwrap_or(0..0);

    // Output parent of each placed span: the innermost placed span that
    // contains it. Equal ranges nest in document order; an empty span nests
    // in a non-ancestor only when strictly inside it.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); ranges.len()];
    let mut roots = Vec::new();
    for &i in &placed {
        let ri = range(i);
        let parent = placed
            .iter()
            .copied()
            .filter(|&j| {
                let rj = range(j);
                // Code is written back verbatim, children and all: nothing
                // may nest in it (a link that did was dropped; found by
                // tests/properties.rs).
                if j == i || tree::is_opaque_inline(&run.spans[j].element.name) {
                    return false;
                }
                if is_ancestor(&run.spans, j, i) {
                    return rj.start <= ri.start && ri.end <= rj.end;
                }
                if rj.is_empty() {
                    return false;
                }
                if ri.is_empty() {
                    return rj.start < ri.start && ri.start < rj.end;
                }
                rj.start <= ri.start && ri.end <= rj.end && (rj != ri || j < i)
            })
            .min_by_key(|&j| (range(j).len(), std::cmp::Reverse(j)));
        match parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    for list in children.iter_mut().chain(std::iter::once(&mut roots)) {
        list.sort_by_key(|&i| (range(i).start, range(i).end, i));
    }

    let emitter = Emitter {
        text: &tr.text,
        ranges,
        children: &children,
        infos: &run.spans,
        ctx,
    };
    emitter.emit(0..tr.text.len(), &roots, out);

    for &i in &placement.appended {
        if !tr.text.is_empty() && !tr.text.ends_with(char::is_whitespace) {
            out.push(' ');
        }
        write_element(&run.spans[i].element, Some(ctx), out);
    }
}

struct Emitter<'a> {
    text: &'a str,
    ranges: &'a [Option<Range<usize>>],
    children: &'a [Vec<usize>],
    infos: &'a [SpanInfo],
    ctx: &'a RenderCtx<'a>,
}

impl Emitter<'_> {
    fn slice(&self, from: usize, to: usize, out: &mut String) {
        if let Some(s) = self.text.get(from..to.max(from)) {
            tree::escape_text(s, out);
        }
    }

    fn emit(&self, within: Range<usize>, kids: &[usize], out: &mut String) {
        let mut cursor = within.start;
        for &k in kids {
            let Some(r) = self.ranges[k].clone() else {
                continue;
            };
            // Placement guarantees siblings do not overlap; the max() only
            // keeps a broken invariant from duplicating text.
            let start = r.start.max(cursor);
            let end = r.end.max(start);
            self.slice(cursor, start, out);
            let element = &self.infos[k].element;
            write_start(element, Some(self.ctx), out);
            if tree::is_void(&element.name) {
                // nothing inside
            } else if tree::is_opaque_inline(&element.name) {
                // Code comes back as the author wrote it, wherever it went.
                write_nodes(&element.children, None, false, out);
            } else {
                self.emit(start..end, &self.children[k], out);
            }
            tree::write_end_tag(&element.name, out);
            cursor = end;
        }
        self.slice(cursor, within.end, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(html: &str) -> Fragment {
        Fragment::parse(html).unwrap()
    }

    #[test]
    fn whitespace_is_collapsed_and_kept_out_of_spans() {
        // Expected by hand: HTML whitespace collapsing; the space between
        // "Hello" and "big" is text between words, not part of <b>.
        let f = frag("<p>\n  Hello <b> big </b>\tworld \n</p>");
        let u = &f.units()[0];
        assert_eq!(u.text, "Hello big world");
        assert_eq!(u.spans[0].range, 6..9);
    }

    #[test]
    fn a_no_break_space_stays_inside_its_element_on_render() {
        // Found by tests/properties.rs (identity round trip), input
        // `<p><b>&nbsp;İ</b></p>`: the parser keeps U+00A0 as text inside
        // <b>, so rendering the identity translation must too.
        let f = frag("<p><b>&nbsp;a</b> b</p>");
        let id: Vec<UnitTranslation> = f.units().iter().map(UnitTranslation::identity).collect();
        let out = f.render(&id).unwrap();
        assert_eq!(out, "<p><b>&nbsp;a</b> b</p>");
        assert_eq!(frag(&out).units(), f.units());
    }

    #[test]
    fn a_link_inside_unplaced_code_is_kept() {
        // Found by tests/properties.rs, input `<code><a href=…><`: code
        // the alignment could not place was dropped with the link in it.
        let f = frag(r#"<p>see <code><a href="https://e.org/x">y</a></code></p>"#);
        let tr = UnitTranslation {
            text: "veja y".into(),
            spans: vec![None],
        };
        let out = f.render(&[tr]).unwrap();
        assert_eq!(
            out,
            r#"<p>veja y <code><a href="https://e.org/x">y</a></code></p>"#
        );
    }

    #[test]
    fn an_element_placed_inside_code_is_kept_outside_it() {
        // Found by tests/properties.rs: an empty link placed inside the
        // range of a code span vanished, as code is written back verbatim.
        let f = frag(r#"<p><a href="https://e.org/x"><sup></sup></a><code>k</code></p>"#);
        let tr = UnitTranslation {
            text: "kode".into(),
            spans: vec![Some(2..2), Some(2..2), Some(0..4)],
        };
        let out = f.render(&[tr]).unwrap();
        assert!(out.contains(r#"href="https://e.org/x""#), "{out}");
    }

    #[test]
    fn two_links_placed_on_one_word_are_not_nested() {
        // Found by fuzz/fuzz_targets/html_round_trip.rs: two sibling links
        // placed on the same target range rendered one inside the other,
        // which a parser splits (so sanitising the page changed it).
        // Expected: the second link is unplaced and appended with its own
        // text, as the render docs say of every unplaced link.
        let rel = r#"rel="noopener noreferrer""#;
        let src = crate::sanitize(
            r#"<p><a href="https://a.example/">one</a> and <a href="https://b.example/">two</a></p>"#,
        );
        let tr = UnitTranslation {
            text: "um e dois".into(),
            spans: vec![Some(0..2), Some(0..2)],
        };
        let out = frag(&src).render(&[tr]).unwrap();
        assert_eq!(
            out,
            format!(
                r#"<p><a href="https://a.example/" {rel}>um</a> e dois <a href="https://b.example/" {rel}>two</a></p>"#
            )
        );
        assert_eq!(crate::sanitize(&out), out);
        // An empty link strictly inside another is nesting too.
        let src = crate::sanitize(
            r#"<p><a href="https://a.example/">one two</a><a href="https://b.example/"></a></p>"#,
        );
        let tr = UnitTranslation {
            text: "um dois".into(),
            spans: vec![Some(0..7), Some(3..3)],
        };
        let out = frag(&src).render(&[tr]).unwrap();
        assert!(!out.contains("um <a"), "{out}");
        assert_eq!(crate::sanitize(&out), out);
    }

    #[test]
    fn nested_spans_record_depth_and_order() {
        // Expected by hand: parents precede children; depth counts
        // enclosing inline elements.
        let f = frag(r#"<p><a href="/x">see <em>this <b>now</b></em></a> ok</p>"#);
        let spans = &f.units()[0].spans;
        let got: Vec<(&str, Range<usize>, usize)> = spans
            .iter()
            .map(|s| (s.tag.as_str(), s.range.clone(), s.depth))
            .collect();
        assert_eq!(got, [("a", 0..12, 0), ("em", 4..12, 1), ("b", 9..12, 2)]);
    }

    #[test]
    fn br_and_img_are_zero_width() {
        // Expected by hand: void elements sit between characters.
        // A br also separates words, so the text gets a space there.
        let f = frag(r#"<p>one<br>two <img src="https://e.org/i.png" alt="icon"> three</p>"#);
        let u = &f.units()[0];
        assert_eq!(u.text, "one two three");
        assert_eq!(u.spans[0].range, 3..3);
        assert_eq!(u.spans[1].range, 7..7);
        assert_eq!(f.units()[1].text, "icon");
    }

    #[test]
    fn crossing_child_is_clamped_into_parent() {
        // Source <b>one <i>two</i></b> three; translation puts <b> on 0..7
        // ("uno dos") and <i> on 4..12 ("dos tres"), crossing b's end.
        // Spec: clamp the child into the parent → <i> on 4..7.
        let f = frag("<p><b>one <i>two</i></b> three</p>");
        let tr = UnitTranslation {
            text: "uno dos tres".into(),
            spans: vec![Some(0..7), Some(4..12)],
        };
        let out = f.render(&[tr]).unwrap();
        assert_eq!(out, "<p><b>uno <i>dos</i></b> tres</p>");
    }

    #[test]
    fn crossing_siblings_are_shrunk_apart() {
        // Siblings <b> on 0..7 and <i> on 4..12 cross; spec: never emit
        // crossing tags — the later one gives up the overlap → <i> on 7..12,
        // less the space at its edge.
        let f = frag("<p><b>one</b> <i>two</i></p>");
        let tr = UnitTranslation {
            text: "uno dos tres".into(),
            spans: vec![Some(0..7), Some(4..12)],
        };
        let out = f.render(&[tr]).unwrap();
        assert_eq!(out, "<p><b>uno dos</b> <i>tres</i></p>");
    }

    #[test]
    fn child_disjoint_from_parent_takes_parent_range() {
        // Spec: "drop the child's range to its parent's".
        let f = frag("<p><b>one <i>two</i></b> three</p>");
        let tr = UnitTranslation {
            text: "uno dos tres".into(),
            spans: vec![Some(0..3), Some(8..12)],
        };
        assert_eq!(
            f.render(&[tr]).unwrap(),
            "<p><b><i>uno</i></b> dos tres</p>"
        );
    }

    #[test]
    fn empty_link_with_image_keeps_image_inside() {
        // An image link has no text: both are zero-width at the same spot
        // and the image must stay inside the link (hand-written expectation).
        let f = frag(
            r#"<p>See <a href="https://e.org/"><img src="https://e.org/i.png" alt="chart"></a> below</p>"#,
        );
        let u = &f.units()[0];
        assert_eq!(u.text, "See below");
        let tr = vec![
            UnitTranslation {
                text: "Lihat di bawah".into(),
                spans: vec![Some(6..6), Some(6..6)],
            },
            UnitTranslation {
                text: "grafik".into(),
                spans: vec![],
            },
        ];
        assert_eq!(
            f.render(&tr).unwrap(),
            r#"<p>Lihat <a href="https://e.org/"><img src="https://e.org/i.png" alt="grafik"></a>di bawah</p>"#
        );
    }

    #[test]
    fn wrong_counts_are_errors_not_panics() {
        let f = frag("<p>a <b>b</b></p>");
        assert_eq!(
            f.render(&[]).unwrap_err(),
            HtmlError::TranslationCount {
                expected: 1,
                got: 0
            }
        );
        let tr = UnitTranslation {
            text: "x".into(),
            spans: vec![],
        };
        assert_eq!(
            f.render(&[tr]).unwrap_err(),
            HtmlError::SpanCount {
                unit: 0,
                expected: 1,
                got: 0
            }
        );
    }
}
