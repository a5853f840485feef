//! The parameters of a LibreTranslate request, read from where LibreTranslate
//! reads them and bounded before anything is kept per text.
//!
//! Matched: LibreTranslate 1.9.6 (PyPI wheel), `libretranslate/app.py`:
//! `translate()`, `detect()`, `get_req_api_key()` and `get_json_dict()`,
//! on Flask/Werkzeug's `request.is_json` and `request.values`:
//! - A JSON body (`application/json` or `application/*+json`) is the only
//!   source; the query string is not read. The body must be an object
//!   (LibreTranslate: "Invalid JSON format"); of a repeated key the last
//!   counts (Python's `json`).
//! - Otherwise the query string, then the form body (`request.values`:
//!   `args` before `form`), urlencoded or `multipart/form-data` (parts with
//!   a file name are files, not fields). A field present in the query string
//!   wins even when empty (`values.get` stops at the first source that has
//!   the key). Of a repeated field the first counts — except `q` on
//!   `/translate`: its repeated values are a batch, like a JSON list (warta's
//!   extension; LibreTranslate keeps the first). Form texts of `/translate`
//!   get LibreTranslate's line-end normalisation (`"\n".join(q.splitlines())`).
//! - Any other body is refused with 415 naming the accepted content types;
//!   an empty body with any content type, or none, is no source (deep-translator
//!   posts its fields as a query string with an empty body).
//!
//! Bounds: texts are counted as they are read. Past `batch_limit` texts or
//! `char_limit` characters nothing more is kept, only counted (so the refusal
//! reports LibreTranslate's exact figures), and a JSON list is walked without
//! building it. Every other field is one string, within the body limit. Form
//! bodies are decoded strictly: a broken escape or a field that is not UTF-8
//! is a 400, never text other than what was sent.

use std::borrow::Cow;
use std::fmt;

use axum::extract::Multipart;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The LibreTranslate route being read: `/translate` takes a batch and every
/// field, `/detect` one text, `/suggest` one text, its suggested
/// translation `s` and the pair (as LibreTranslate's `suggest()` reads them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Translate,
    Detect,
    Suggest,
}

/// `[limits]`' LibreTranslate allowances: texts of one request, and
/// characters of all of them together.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub batch: usize,
    pub chars: usize,
}

/// Why a request's parameters cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 400: the body does not parse, or a field is not of its kind.
    Invalid(String),
    /// 415: a body in a content type LibreTranslate does not read.
    Unsupported(String),
}

/// The texts of `q`: kept while within the bounds, counted beyond them.
#[derive(Debug)]
pub struct Texts {
    kept: Vec<String>,
    /// A list (JSON) or a repeated form field: answered with a list.
    pub many: bool,
    pub count: usize,
    /// Characters of the texts counted (all of them, unless the batch was
    /// over its limit, where counting characters stopped).
    pub chars: usize,
    first_empty: bool,
    bounds: Bounds,
}

/// A request over LibreTranslate's `batch_limit` or `char_limit`, with its
/// figures.
#[derive(Debug, PartialEq, Eq)]
pub enum OverLimit {
    Batch { count: usize, limit: usize },
    Chars { count: usize, limit: usize },
}

impl fmt::Display for OverLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverLimit::Batch { count, limit } => write!(
                f,
                "Invalid request: request ({count}) exceeds batch limit ({limit})"
            ),
            OverLimit::Chars { count, limit } => write!(
                f,
                "Invalid request: request ({count}) exceeds text limit ({limit})"
            ),
        }
    }
}

impl Texts {
    fn new(bounds: Bounds, many: bool) -> Texts {
        Texts {
            kept: Vec::new(),
            many,
            count: 0,
            chars: 0,
            first_empty: false,
            bounds,
        }
    }

    /// Over the batch limit: it applies to a batch only (LibreTranslate's
    /// `if batch and ...`).
    fn past_batch(&self) -> bool {
        (self.many || self.count > 1) && self.count > self.bounds.batch
    }

    fn over(&self) -> bool {
        self.past_batch() || self.chars > self.bounds.chars
    }

    /// One more text; `text` is only called while it may be kept or its
    /// characters still count.
    fn push<'t>(
        &mut self,
        text: impl FnOnce() -> Result<Cow<'t, str>, Refusal>,
    ) -> Result<(), Refusal> {
        self.count += 1;
        if self.past_batch() {
            // Over the batch limit: that is the answer; nothing more is read.
            self.kept = Vec::new();
            return Ok(());
        }
        let text = text()?;
        if self.count == 1 {
            self.first_empty = text.is_empty();
        }
        self.chars = self.chars.saturating_add(text.chars().count());
        if self.over() {
            self.kept = Vec::new();
        } else {
            self.kept.push(text.into_owned());
        }
        Ok(())
    }

    /// LibreTranslate's `if not q`: no text, an empty list, or one empty text.
    pub fn is_missing(&self) -> bool {
        self.count == 0 || (!self.many && self.first_empty)
    }

    /// The texts, or the limit they are over: the batch limit first, then
    /// the characters (LibreTranslate's order).
    pub fn within_limits(self) -> Result<Vec<String>, OverLimit> {
        let Bounds { batch, chars } = self.bounds;
        if self.many && self.count > batch {
            return Err(OverLimit::Batch {
                count: self.count,
                limit: batch,
            });
        }
        if self.chars > chars {
            return Err(OverLimit::Chars {
                count: self.chars,
                limit: chars,
            });
        }
        Ok(self.kept)
    }
}

/// A number of alternatives, as LibreTranslate reads it (`int(...)`, then
/// `max(0, n)`); `Err` when it is not a number.
pub type Alternatives = Result<u64, ()>;

/// What a LibreTranslate route reads.
#[derive(Debug, Default)]
pub struct Params {
    pub q: Option<Texts>,
    pub source: Option<String>,
    pub target: Option<String>,
    pub format: Option<String>,
    pub alternatives: Option<Alternatives>,
    /// `/suggest`'s suggested translation.
    pub s: Option<String>,
    /// `api_key` (LibreTranslate's name), else `apiKey` (the npm client's).
    api_key: Option<String>,
    api_key_camel: Option<String>,
}

impl Params {
    /// The key the parameters carry, LibreTranslate's `api_key` first.
    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref().or(self.api_key_camel.as_deref())
    }
}

/// The fields warta reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Q,
    Source,
    Target,
    Format,
    Alternatives,
    S,
    ApiKey,
    ApiKeyCamel,
}

impl Field {
    fn of(route: Route, name: &str) -> Option<Field> {
        let field = match name {
            "q" => Field::Q,
            "api_key" => Field::ApiKey,
            "apiKey" => Field::ApiKeyCamel,
            "source" => Field::Source,
            "target" => Field::Target,
            "format" => Field::Format,
            "alternatives" => Field::Alternatives,
            "s" => Field::S,
            _ => return None,
        };
        let reads = match route {
            Route::Translate => field != Field::S,
            Route::Detect => matches!(field, Field::Q | Field::ApiKey | Field::ApiKeyCamel),
            Route::Suggest => !matches!(field, Field::Format | Field::Alternatives),
        };
        reads.then_some(field)
    }
}

/// The kind of a request body, from its `Content-Type`.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Multipart,
    /// No content type, or one LibreTranslate reads no fields from (its text,
    /// for the message): fine for an empty body, 415 for any other.
    Other(Option<String>),
}

impl BodyKind {
    pub fn of(content_type: Option<&axum::http::HeaderValue>) -> BodyKind {
        let Some(ct) = content_type else {
            return BodyKind::Other(None);
        };
        let Ok(ct) = ct.to_str() else {
            return BodyKind::Other(Some("(not text)".into()));
        };
        let mime = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        // Werkzeug's `is_json`: `application/json` or `application/*+json`.
        if mime == "application/json"
            || (mime.starts_with("application/") && mime.ends_with("+json"))
        {
            BodyKind::Json
        } else if mime == "application/x-www-form-urlencoded" {
            BodyKind::Form
        } else if mime == "multipart/form-data" {
            BodyKind::Multipart
        } else {
            BodyKind::Other(Some(mime.chars().take(80).collect()))
        }
    }

    /// The 415 for a non-empty body of this kind.
    pub fn refusal(&self) -> Refusal {
        let what = match self {
            BodyKind::Other(Some(ct)) => format!("Unsupported content type `{ct}`"),
            _ => "A body without a Content-Type".to_string(),
        };
        Refusal::Unsupported(format!(
            "{what}: send the parameters as application/json, application/x-www-form-urlencoded \
             or multipart/form-data, or in the query string with an empty body"
        ))
    }
}

/// Reads the sources of one request in LibreTranslate's order: each field
/// from the first source that has it.
pub struct Reader {
    route: Route,
    bounds: Bounds,
    params: Params,
    /// `q` came from an earlier source: later ones do not add to it.
    q_closed: bool,
}

impl Reader {
    pub fn new(route: Route, bounds: Bounds) -> Reader {
        Reader {
            route,
            bounds,
            params: Params::default(),
            q_closed: false,
        }
    }

    /// The parameters read so far (the key of the query string, before the
    /// body is read).
    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn finish(self) -> Params {
        self.params
    }

    fn start_source(&mut self) {
        self.q_closed = self.params.q.is_some();
    }

    /// What to do with a form field: `None` when it is not read (unknown,
    /// or already given by an earlier field or source).
    fn form_wants(&mut self, name: &str) -> Option<Field> {
        let field = Field::of(self.route, name)?;
        let p = &self.params;
        let given = match field {
            Field::Q => self.q_closed || (self.route != Route::Translate && p.q.is_some()),
            Field::S => p.s.is_some(),
            Field::Source => p.source.is_some(),
            Field::Target => p.target.is_some(),
            Field::Format => p.format.is_some(),
            Field::Alternatives => p.alternatives.is_some(),
            Field::ApiKey => p.api_key.is_some(),
            Field::ApiKeyCamel => p.api_key_camel.is_some(),
        };
        (!given).then_some(field)
    }

    /// A form text of `q`: normalised as LibreTranslate normalises form texts
    /// of `/translate`.
    fn push_form_text<'t>(
        &mut self,
        text: impl FnOnce() -> Result<Cow<'t, str>, Refusal>,
    ) -> Result<(), Refusal> {
        let translate = self.route == Route::Translate;
        let texts = self
            .params
            .q
            .get_or_insert_with(|| Texts::new(self.bounds, false));
        if texts.count == 1 {
            texts.many = true; // a repeated `q` (only on /translate: see form_wants)
        }
        texts.push(|| {
            let t = text()?;
            if !translate {
                return Ok(t);
            }
            let normalised = match normalise_line_ends(&t) {
                Cow::Owned(s) => Some(s),
                Cow::Borrowed(_) => None,
            };
            Ok(normalised.map(Cow::Owned).unwrap_or(t))
        })
    }

    fn set_form_field(&mut self, field: Field, value: String) {
        let p = &mut self.params;
        match field {
            Field::Q => {}
            Field::Source => p.source = Some(value),
            Field::Target => p.target = Some(value),
            Field::Format => p.format = Some(value),
            Field::Alternatives => p.alternatives = Some(python_int(&value)),
            Field::S => p.s = Some(value),
            Field::ApiKey => p.api_key = Some(value),
            Field::ApiKeyCamel => p.api_key_camel = Some(value),
        }
    }

    /// An urlencoded source: the query string or a form body.
    pub fn urlencoded(&mut self, raw: &[u8]) -> Result<(), Refusal> {
        self.start_source();
        let text = std::str::from_utf8(raw)
            .map_err(|_| invalid("the form body is not UTF-8".to_string()))?;
        for part in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            check_escapes(name, part)?;
            check_escapes(value, part)?;
            let name = decode_component(name, part)?;
            match self.form_wants(&name) {
                Some(Field::Q) => self.push_form_text(|| decode_component(value, part))?,
                Some(field) => {
                    let value = decode_component(value, part)?.into_owned();
                    self.set_form_field(field, value);
                }
                // Not read, but checked like the rest: a broken form is
                // refused whole.
                None => {
                    decode_component(value, part)?;
                }
            }
        }
        Ok(())
    }

    /// A `multipart/form-data` body, read part by part.
    pub async fn multipart(&mut self, mut body: Multipart) -> Result<(), MultipartRefusal> {
        self.start_source();
        while let Some(field) = body.next_field().await.map_err(MultipartRefusal::Read)? {
            // Werkzeug: a part with a file name is a file, not a value.
            if field.file_name().is_some() {
                continue;
            }
            let Some(name) = field.name().map(str::to_string) else {
                continue;
            };
            let wanted = self.form_wants(&name);
            let Some(wanted) = wanted else {
                continue; // multer skips the unread rest of a part
            };
            if wanted == Field::Q {
                let texts = self
                    .params
                    .q
                    .get_or_insert_with(|| Texts::new(self.bounds, false));
                let past_batch = texts.count >= self.bounds.batch && texts.count >= 1;
                if past_batch {
                    // Counted, not read.
                    self.push_form_text(|| Ok(Cow::Borrowed("")))
                        .map_err(MultipartRefusal::Params)?;
                    continue;
                }
            }
            let bytes = field.bytes().await.map_err(MultipartRefusal::Read)?;
            let value = String::from_utf8(bytes.to_vec()).map_err(|_| {
                MultipartRefusal::Params(invalid(format!(
                    "form field `{}` is not UTF-8 text",
                    plain(&name)
                )))
            })?;
            match wanted {
                Field::Q => self
                    .push_form_text(|| Ok(Cow::Owned(value)))
                    .map_err(MultipartRefusal::Params)?,
                field => self.set_form_field(field, value),
            }
        }
        Ok(())
    }

    /// A JSON body: an object, its fields read as they are parsed.
    pub fn json(&mut self, body: &[u8]) -> Result<(), Refusal> {
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|&b| b != b'{') {
            // LibreTranslate's `get_json_dict`: a body that is not an object.
            return Err(invalid("Invalid JSON format".into()));
        }
        let mut refusal = None;
        let mut de = serde_json::Deserializer::from_slice(body);
        let seed = JsonObject {
            reader: self,
            refusal: &mut refusal,
        };
        let parsed = seed.deserialize(&mut de).and_then(|()| de.end());
        match (refusal, parsed) {
            (Some(r), _) => Err(r),
            (None, Ok(())) => Ok(()),
            (None, Err(e)) => Err(invalid(format!("invalid JSON: {e}"))),
        }
    }
}

/// A multipart body that cannot be read: the transfer (size, syntax) or a
/// field.
#[derive(Debug)]
pub enum MultipartRefusal {
    Read(axum::extract::multipart::MultipartError),
    Params(Refusal),
}

fn invalid(msg: String) -> Refusal {
    Refusal::Invalid(format!("Invalid request: {msg}"))
}

/// Every `%` of a raw form component is followed by two hex digits.
fn check_escapes(raw: &str, part: &str) -> Result<(), Refusal> {
    let bytes = raw.as_bytes();
    for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'%') {
        let hex = |k: usize| bytes.get(i + k).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(1) && hex(2)) {
            return Err(invalid(format!(
                "malformed percent-escape in form field `{}`",
                field_name(part)
            )));
        }
    }
    Ok(())
}

/// A form component decoded (`+` is a space, then percent-escapes), which
/// must be UTF-8. Borrowed when there is nothing to decode.
fn decode_component<'a>(raw: &'a str, part: &str) -> Result<Cow<'a, str>, Refusal> {
    let spaced: Cow<'a, [u8]> = match raw.contains('+') {
        true => Cow::Owned(
            raw.bytes()
                .map(|b| if b == b'+' { b' ' } else { b })
                .collect(),
        ),
        false => Cow::Borrowed(raw.as_bytes()),
    };
    let not_utf8 = || {
        invalid(format!(
            "form field `{}` does not decode to UTF-8 text",
            field_name(part)
        ))
    };
    match spaced {
        Cow::Borrowed(b) => percent_encoding::percent_decode(b)
            .decode_utf8()
            .map_err(|_| not_utf8()),
        Cow::Owned(b) => percent_encoding::percent_decode(&b)
            .decode_utf8()
            .map(|c| Cow::Owned(c.into_owned()))
            .map_err(|_| not_utf8()),
    }
}

/// The key of a raw `key=value` form pair, for error messages: only its
/// plain ASCII part, so nothing the client sent is echoed undecoded.
fn field_name(pair: &str) -> String {
    plain(pair.split('=').next().unwrap_or_default())
}

fn plain(name: &str) -> String {
    name.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect()
}

/// Python's `"\n".join(s.splitlines())`, LibreTranslate's normalisation of
/// form texts: every line boundary `str.splitlines` knows (`\r\n` as one)
/// becomes `\n`, and a boundary at the very end is dropped.
pub fn normalise_line_ends(s: &str) -> Cow<'_, str> {
    const BOUNDARIES: &[char] = &[
        '\n', '\r', '\u{0b}', '\u{0c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}',
        '\u{2029}',
    ];
    if !s.contains(BOUNDARIES) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            chars.next();
            out.push('\n');
        } else if BOUNDARIES.contains(&c) {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    if out.ends_with('\n') {
        out.pop();
    }
    Cow::Owned(out)
}

/// Python's `max(0, int(s))` for a text: optional sign, digits, spaces around.
fn python_int(s: &str) -> Alternatives {
    let t = s.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    if negative {
        return Ok(0);
    }
    // Beyond u64 is "many" all the same: warta answers no alternatives.
    Ok(digits.parse::<u64>().unwrap_or(u64::MAX))
}

/// The JSON object, read key by key into the reader (a repeated key: the
/// last counts, as in Python's `json`).
struct JsonObject<'r> {
    reader: &'r mut Reader,
    refusal: &'r mut Option<Refusal>,
}

impl<'de> DeserializeSeed<'de> for JsonObject<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for JsonObject<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object of parameters")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let route = self.reader.route;
        let bounds = self.reader.bounds;
        while let Some(key) = map.next_key_seed(JsonKey(route))? {
            let p = &mut self.reader.params;
            match key {
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(Field::Q) => {
                    let mut texts = Texts::new(bounds, false);
                    let seed = JsonTexts {
                        texts: &mut texts,
                        route,
                        refusal: &mut *self.refusal,
                    };
                    map.next_value_seed(seed)?;
                    p.q = (texts.count > 0 || texts.many).then_some(texts);
                }
                Some(Field::Alternatives) => {
                    p.alternatives = map.next_value_seed(JsonAlternatives)?;
                }
                Some(field) => {
                    let value = map.next_value_seed(JsonText {
                        field,
                        refusal: &mut *self.refusal,
                    })?;
                    match field {
                        Field::Source => p.source = value,
                        Field::Target => p.target = value,
                        Field::Format => p.format = value,
                        Field::S => p.s = value,
                        Field::ApiKey => p.api_key = value,
                        Field::ApiKeyCamel => p.api_key_camel = value,
                        Field::Q | Field::Alternatives => {}
                    }
                }
            }
        }
        Ok(())
    }
}

/// A key of the object: a field the route reads, or `None`, without
/// allocating.
struct JsonKey(Route);

impl<'de> DeserializeSeed<'de> for JsonKey {
    type Value = Option<Field>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Field>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for JsonKey {
    type Value = Option<Field>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Field>, E> {
        Ok(Field::of(self.0, v))
    }
}

fn name(field: Field) -> &'static str {
    match field {
        Field::Q => "q",
        Field::Source => "source",
        Field::Target => "target",
        Field::Format => "format",
        Field::Alternatives => "alternatives",
        Field::S => "s",
        Field::ApiKey => "api_key",
        Field::ApiKeyCamel => "apiKey",
    }
}

/// A text field (`source`, `target`, `format`, the key); `null` is absent.
struct JsonText<'r> {
    field: Field,
    refusal: &'r mut Option<Refusal>,
}

impl<'de> DeserializeSeed<'de> for JsonText<'_> {
    type Value = Option<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl JsonText<'_> {
    fn refuse<E: de::Error>(self) -> Result<Option<String>, E> {
        let msg = format!("{} must be a text", name(self.field));
        *self.refusal = Some(invalid(msg.clone()));
        Err(E::custom(msg))
    }
}

impl<'de> Visitor<'de> for JsonText<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} as a text", name(self.field))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<String>, E> {
        Ok(Some(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<String>, E> {
        self.refuse()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<String>, E> {
        self.refuse()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<String>, E> {
        self.refuse()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<String>, E> {
        self.refuse()
    }
    // A list or an object is refused at its first byte, unread.
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Option<String>, A::Error> {
        self.refuse()
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Option<String>, A::Error> {
        self.refuse()
    }
}

/// `alternatives`: LibreTranslate's `int(json.get("alternatives", 0))`, a
/// number or a numeric text; `null` is absent.
struct JsonAlternatives;

impl<'de> DeserializeSeed<'de> for JsonAlternatives {
    type Value = Option<Alternatives>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonAlternatives {
    type Value = Option<Alternatives>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number of alternatives")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Ok(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Ok(u64::try_from(v).unwrap_or(0))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // Python's int() truncates a float; NaN and infinities are errors.
        match v.is_finite() {
            true => Ok(Some(Ok(if v <= 0.0 { 0 } else { v as u64 }))),
            false => Ok(Some(Err(()))),
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(Ok(u64::from(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(python_int(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Ok(Some(Err(())))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Ok(Some(Err(())))
    }
}

/// `q`: a text, or (on `/translate`) a list of texts walked one by one.
struct JsonTexts<'r> {
    texts: &'r mut Texts,
    route: Route,
    refusal: &'r mut Option<Refusal>,
}

impl<'de> DeserializeSeed<'de> for JsonTexts<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl JsonTexts<'_> {
    fn refuse<E: de::Error>(self) -> Result<(), E> {
        let msg = match self.route {
            Route::Translate => "q must be a text or a list of texts",
            Route::Detect | Route::Suggest => "q must be a text",
        };
        *self.refusal = Some(invalid(msg.to_string()));
        Err(E::custom(msg))
    }
}

impl<'de> Visitor<'de> for JsonTexts<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text or a list of texts")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.texts
            .push(|| Ok(Cow::Borrowed(v)))
            .map_err(|_| E::custom("q"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.refuse()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.refuse()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.refuse()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.refuse()
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.refuse()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.route != Route::Translate {
            return self.refuse();
        }
        self.texts.many = true;
        let bounds = self.texts.bounds;
        loop {
            // Past the batch limit an item is only counted (and checked to
            // be a text), never copied.
            let past = self.texts.count >= bounds.batch;
            let item = JsonItem {
                texts: &mut *self.texts,
                past,
            };
            match seq.next_element_seed(item) {
                Ok(Some(())) => {}
                Ok(None) => return Ok(()),
                Err(e) => {
                    if self.refusal.is_none() {
                        *self.refusal =
                            Some(invalid("q must be a text or a list of texts".to_string()));
                    }
                    return Err(e);
                }
            }
        }
    }
}

/// One text of a `q` list.
struct JsonItem<'r> {
    texts: &'r mut Texts,
    past: bool,
}

impl<'de> DeserializeSeed<'de> for JsonItem<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // A string is handed over borrowed from the body or serde_json's
        // scratch buffer: nothing is allocated unless it is kept.
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for JsonItem<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if self.past {
            self.texts.count += 1;
            self.texts.kept = Vec::new();
            return Ok(());
        }
        self.texts
            .push(|| Ok(Cow::Borrowed(v)))
            .map_err(|_| E::custom("q"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: Bounds = Bounds {
        batch: 3,
        chars: 10,
    };

    fn form(route: Route, query: &str, body: &str) -> Params {
        let mut r = Reader::new(route, BOUNDS);
        r.urlencoded(query.as_bytes()).unwrap();
        r.urlencoded(body.as_bytes()).unwrap();
        r.finish()
    }

    fn texts(p: Params) -> Result<(Vec<String>, bool), OverLimit> {
        let t = p.q.unwrap();
        let many = t.many;
        t.within_limits().map(|k| (k, many))
    }

    /// Expected values: Python 3.11, `"\n".join(s.splitlines())`.
    #[test]
    fn line_ends_are_normalised_as_python_splitlines_joined() {
        for (input, expected) in [
            ("a\r\nb", "a\nb"),
            ("a\rb\n", "a\nb"),
            ("a\n\n", "a\n"),
            ("\n", ""),
            ("a\u{2028}b\u{85}c\u{0c}", "a\nb\nc"),
            ("a\r\r\nb", "a\n\nb"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(normalise_line_ends(input), expected, "{input:?}");
        }
    }

    /// Expected: Werkzeug's `request.values` (args before form, first value
    /// of a key), and warta's batch for a repeated `q`.
    #[test]
    fn the_query_string_wins_over_the_form_field_by_field() {
        let p = form(
            Route::Translate,
            "target=en&q=from+query",
            "q=a&q=b&target=pt&source=en",
        );
        assert_eq!(p.target.as_deref(), Some("en"));
        assert_eq!(p.source.as_deref(), Some("en"));
        assert_eq!(texts(p).unwrap(), (vec!["from query".to_string()], false));
        // An empty value in the query still wins (LibreTranslate then says
        // the parameter is missing).
        let p = form(Route::Translate, "source=", "source=en&q=a&q=b");
        assert_eq!(p.source.as_deref(), Some(""));
        assert_eq!(texts(p).unwrap(), (vec!["a".into(), "b".into()], true));
        // /detect: the first `q`, never a batch.
        let p = form(Route::Detect, "", "q=one&q=two&source=en");
        assert_eq!(p.source, None);
        assert_eq!(texts(p).unwrap(), (vec!["one".to_string()], false));
    }

    /// Expected: LibreTranslate's `suggest()` reads `q`, `s`, `source` and
    /// `target` from `request.values` (the first of each), or from a JSON
    /// body; `/translate` has no `s`, `/suggest` no `format`.
    #[test]
    fn suggest_reads_one_text_its_suggestion_and_the_pair() {
        let p = form(
            Route::Suggest,
            "s=Ol%C3%A1",
            "q=Hi\r\nyou&q=two&s=other&source=en&target=pt&format=html",
        );
        assert_eq!(p.s.as_deref(), Some("Olá"));
        assert_eq!(
            (p.source.as_deref(), p.target.as_deref()),
            (Some("en"), Some("pt"))
        );
        assert_eq!(p.format, None);
        // Not normalised as /translate's form texts are.
        assert_eq!(texts(p).unwrap(), (vec!["Hi\r\nyou".to_string()], false));
        assert_eq!(form(Route::Translate, "", "s=x&q=a").s, None);
        let mut r = Reader::new(Route::Suggest, BOUNDS);
        r.json(br#"{"q": "Hi", "s": "Oi", "source": "en", "target": "pt"}"#)
            .unwrap();
        assert_eq!(r.finish().s.as_deref(), Some("Oi"));
        let mut r = Reader::new(Route::Suggest, BOUNDS);
        assert!(
            r.json(br#"{"q": ["a", "b"], "s": "x"}"#).is_err(),
            "one text"
        );
        let mut r = Reader::new(Route::Suggest, BOUNDS);
        assert!(r.json(br#"{"q": "a", "s": 1}"#).is_err(), "s is a text");
    }

    #[test]
    fn limits_are_counted_exactly_but_nothing_past_them_is_kept() {
        let mut r = Reader::new(Route::Translate, BOUNDS);
        r.urlencoded("q=&".repeat(1000).as_bytes()).unwrap();
        let t = r.finish().q.unwrap();
        assert!(t.kept.is_empty() && t.kept.capacity() == 0);
        assert_eq!(
            t.within_limits(),
            Err(OverLimit::Batch {
                count: 1000,
                limit: 3
            })
        );
        let mut r = Reader::new(Route::Translate, BOUNDS);
        r.json(br#"{"q": ["12345", "123456", "1"]}"#).unwrap();
        assert_eq!(
            r.finish().q.unwrap().within_limits(),
            Err(OverLimit::Chars {
                count: 12,
                limit: 10
            })
        );
        // A single text is no batch: the batch limit does not apply.
        let mut r = Reader::new(
            Route::Translate,
            Bounds {
                batch: 0,
                chars: 10,
            },
        );
        r.json(br#"{"q": "abc"}"#).unwrap();
        assert_eq!(
            r.finish().q.unwrap().within_limits(),
            Ok(vec!["abc".to_string()])
        );
    }

    #[test]
    fn json_is_the_only_source_and_the_last_repeated_key_counts() {
        let mut r = Reader::new(Route::Translate, BOUNDS);
        r.json(br#"{"q": "x", "q": ["a", "b"], "apiKey": "k2", "api_key": "k1", "extra": {"deep": [1, 2]}}"#)
            .unwrap();
        let p = r.finish();
        assert_eq!(p.api_key(), Some("k1"));
        assert_eq!(texts(p).unwrap(), (vec!["a".into(), "b".into()], true));
        for (body, msg) in [
            (&b"[1, 2]"[..], "Invalid request: Invalid JSON format"),
            (
                b"{\"q\": [\"a\", 1]}",
                "Invalid request: q must be a text or a list of texts",
            ),
            (
                b"{\"q\": 5}",
                "Invalid request: q must be a text or a list of texts",
            ),
            (
                b"{\"source\": [\"en\"]}",
                "Invalid request: source must be a text",
            ),
        ] {
            let mut r = Reader::new(Route::Translate, BOUNDS);
            assert_eq!(r.json(body), Err(Refusal::Invalid(msg.into())), "{body:?}");
        }
        let mut r = Reader::new(Route::Detect, BOUNDS);
        assert_eq!(
            r.json(br#"{"q": ["a"]}"#),
            Err(Refusal::Invalid("Invalid request: q must be a text".into()))
        );
    }

    /// Expected: Python's `max(0, int(x))`.
    #[test]
    fn alternatives_read_as_python_int() {
        assert_eq!(python_int(" 3 "), Ok(3));
        assert_eq!(python_int("-2"), Ok(0));
        assert_eq!(python_int("+1"), Ok(1));
        assert_eq!(python_int("3.5"), Err(()));
        assert_eq!(python_int(""), Err(()));
        let mut r = Reader::new(Route::Translate, BOUNDS);
        r.json(br#"{"alternatives": 2.9}"#).unwrap();
        assert_eq!(r.finish().alternatives, Some(Ok(2)));
    }
}
