//! A Remote Settings client that reads Mozilla's translation models the way
//! Firefox does.
//!
//! Firefox's path (`TranslationsParent.sys.mjs` and the remote-settings
//! client), which this module follows step for step:
//! - the server root (`GET {server}/`) names the attachment host in
//!   `capabilities.attachments.base_url`; an attachment lives at
//!   `{base_url}{attachment.location}`. Nothing here hard-wires Mozilla's CDN,
//!   so a replica or a newsroom's own Remote Settings works the same way;
//! - records come from `{server}/buckets/main/collections/translations-models-v2/records`,
//!   one record per file (`fileType` model, lex, vocab, srcvocab, trgvocab,
//!   qualityModel), tagged with Mozilla's language tags (`zh-Hans`, not `zh`);
//! - a record counts only when its `filter_expression` admits a desktop
//!   release build ([`filter`]), its major version is the one the engine
//!   supports, and it is not a pre-release ([`version`]);
//! - a pair's files are used as one set: the version of the chosen model
//!   record decides, and files of other versions are dropped
//!   (`#filterByModelVersion`) — see [`select`].
//!
//! Downloading and verifying the chosen attachments is `download`'s job;
//! installing them is the store's. This module only talks to the server and
//! decides.

pub mod filter;
pub mod select;
pub mod version;

use fxtranslate::fetch::Fetch;
use serde::Deserialize;
use warta_core::Lang;

use crate::{ModelError, Result};

/// Mozilla's production server (what Firefox uses).
pub const DEFAULT_SERVER: &str = "https://firefox.settings.services.mozilla.com/v1";
/// The collection of Firefox Translations models (the `-v2` one Firefox 140+
/// reads; the legacy `translations-models` holds older formats).
pub const COLLECTION: &str = "translations-models-v2";
/// The model major version fxtranslate runs (its `remote::SUPPORTED_MAJOR`):
/// a new major means a new model format the engine may not read.
pub const SUPPORTED_MAJOR: u64 = fxtranslate::remote::SUPPORTED_MAJOR;

/// The tag Mozilla's records use for a warta language. warta's `zh` is
/// Simplified Chinese (DESIGN.md), which Mozilla tags `zh-Hans`; `zh-Hant` is
/// Traditional Chinese, a different language and never a stand-in.
pub fn mozilla_tag(lang: Lang) -> &'static str {
    match lang.code() {
        "zh" => "zh-Hans",
        code => code,
    }
}

/// One model-file record (Mozilla's v2 schema).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub id: String,
    /// The decompressed file's name, e.g. `model.enzh.intgemm.alphas.bin`.
    pub name: String,
    pub version: String,
    pub file_type: String,
    #[serde(default)]
    pub architecture: Option<String>,
    pub source_language: String,
    pub target_language: String,
    pub decompressed_hash: String,
    pub decompressed_size: u64,
    #[serde(default, rename = "filter_expression")]
    pub filter_expression: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    pub attachment: Attachment,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Attachment {
    /// SHA-256 of the compressed attachment.
    pub hash: String,
    /// Size in bytes of the compressed attachment.
    pub size: u64,
    pub filename: String,
    /// Path under the server's attachment `base_url`.
    pub location: String,
    #[serde(default)]
    pub mimetype: Option<String>,
}

/// What the server published: where attachments live and every readable
/// model record.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The server as given (`…/v1`), for messages and the manifest's origin.
    pub server: String,
    pub attachments_base: String,
    pub records: Vec<Record>,
}

impl Catalog {
    /// Read the server root and the model records. One line of error naming
    /// the URL when the server cannot be reached or does not look like
    /// Remote Settings.
    pub fn fetch(fetch: &dyn Fetch, server: &str) -> Result<Catalog> {
        let server = server.trim_end_matches('/').to_string();
        let root_url = format!("{server}/");
        let fail = |url: &str, reason: String| ModelError::RemoteSettings {
            url: url.to_string(),
            reason,
        };

        let body = fetch
            .get(&root_url)
            .map_err(|e| fail(&root_url, fetch_reason(&e, &root_url)))?;
        let root: Root = serde_json::from_slice(&body).map_err(|e| {
            fail(
                &root_url,
                format!("not a Remote Settings server root ({e})"),
            )
        })?;
        let attachments_base = root
            .capabilities
            .and_then(|c| c.attachments)
            .and_then(|a| a.base_url)
            .filter(|b| b.starts_with("http://") || b.starts_with("https://"))
            .ok_or_else(|| {
                fail(
                    &root_url,
                    "the server offers no attachments (no capabilities.attachments.base_url)"
                        .into(),
                )
            })?;

        let records_url = format!("{server}/buckets/main/collections/{COLLECTION}/records");
        let body = fetch
            .get(&records_url)
            .map_err(|e| fail(&records_url, fetch_reason(&e, &records_url)))?;
        let records = parse_records(&body).map_err(|reason| fail(&records_url, reason))?;
        Ok(Catalog {
            server,
            attachments_base,
            records,
        })
    }

    /// Where the attachment of `record` is downloaded from. Firefox joins
    /// `base_url` and `location` as strings; the slash is normalised so a
    /// base without a trailing slash still works.
    pub fn attachment_url(&self, record: &Record) -> String {
        let base = self.attachments_base.trim_end_matches('/');
        let location = record.attachment.location.trim_start_matches('/');
        format!("{base}/{location}")
    }
}

#[derive(Deserialize)]
struct Root {
    capabilities: Option<Capabilities>,
}

#[derive(Deserialize)]
struct Capabilities {
    attachments: Option<AttachmentsCapability>,
}

#[derive(Deserialize)]
struct AttachmentsCapability {
    base_url: Option<String>,
}

/// Parse a records response (`{"data": [...]}`). A record that does not have
/// the v2 shape (or carries unusable values) is left out, not fatal: the
/// collection holds shapes warta does not use, and a record warta cannot
/// verify must never be downloaded.
pub fn parse_records(body: &[u8]) -> std::result::Result<Vec<Record>, String> {
    #[derive(Deserialize)]
    struct Records {
        data: Vec<serde_json::Value>,
    }
    let list: Records =
        serde_json::from_slice(body).map_err(|e| format!("not a records list ({e})"))?;
    let mut out = Vec::new();
    for value in list.data {
        let id = value
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_string();
        match serde_json::from_value::<Record>(value) {
            Ok(r) => match r.check() {
                Ok(()) => out.push(r),
                Err(why) => tracing::debug!(record = %id, "skipping record: {why}"),
            },
            Err(e) => tracing::debug!(record = %id, "skipping record: {e}"),
        }
    }
    Ok(out)
}

impl Record {
    /// Values that must hold before a record may be downloaded at all.
    fn check(&self) -> std::result::Result<(), String> {
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex64(&self.decompressed_hash) || !hex64(&self.attachment.hash) {
            return Err("hashes are not SHA-256 hex".into());
        }
        if !crate::manifest::is_plain_file_name(&self.name) {
            return Err(format!("name `{}` is not a plain file name", self.name));
        }
        let loc = &self.attachment.location;
        if loc.is_empty() || loc.contains("://") || loc.split('/').any(|seg| seg == "..") {
            return Err(format!("attachment location `{loc}` is not a path"));
        }
        Ok(())
    }
}

/// Network errors from ureq can span lines; the CLI promises one.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

/// The reason in a fetch error about `url`, without the `GET {url}: {url}: `
/// that fxtranslate and ureq put before it: the message around it already
/// names the URL once.
pub(crate) fn fetch_reason(e: &str, url: &str) -> String {
    let line = first_line(e);
    let mut rest = line.as_str();
    for prefix in [
        format!("GET {url}: "),
        format!("reading {url}: "),
        format!("{url}: "),
    ] {
        rest = rest.strip_prefix(prefix.as_str()).unwrap_or(rest);
    }
    rest.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_simplified_and_never_traditional() {
        // Mozilla's tags (DESIGN.md, "Production models").
        assert_eq!(mozilla_tag(Lang::parse("zh").unwrap()), "zh-Hans");
        assert_eq!(
            mozilla_tag(Lang::parse("zh-Hant").unwrap()),
            "zh-Hans",
            "warta has one Chinese: Simplified"
        );
        for code in ["id", "en", "ja", "ar", "fr"] {
            assert_eq!(mozilla_tag(Lang::parse(code).unwrap()), code);
        }
    }

    #[test]
    fn records_without_verifiable_hashes_are_left_out() {
        // Field names and shapes from a translations-models-v2 record
        // (DESIGN.md); values made up.
        let good = r#"{"id":"a","schema":1,"last_modified":2,"name":"vocab.enzh.spm","version":"3.0",
            "fileType":"vocab","architecture":"base","sourceLanguage":"en","targetLanguage":"zh-Hans",
            "decompressedHash":"0000000000000000000000000000000000000000000000000000000000000000",
            "decompressedSize":10,"filter_expression":"",
            "attachment":{"hash":"1111111111111111111111111111111111111111111111111111111111111111",
            "size":5,"filename":"vocab.enzh.spm.zst","location":"main-workspace/x.zst","mimetype":"application/zstd"}}"#;
        let no_hash = good.replace("\"decompressedHash\":\"0000000000000000000000000000000000000000000000000000000000000000\",", "");
        let escaping = good.replace(
            "vocab.enzh.spm\",\"version",
            "../vocab.enzh.spm\",\"version",
        );
        let body = format!(
            r#"{{"data":[{good},{no_hash},{escaping},{{"id":"wasm","name":"bergamot"}}]}}"#
        );
        let records = parse_records(body.as_bytes()).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].target_language, "zh-Hans");
        assert!(parse_records(b"<html>").is_err());
    }
}
