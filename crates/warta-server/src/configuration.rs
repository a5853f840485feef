//! Configuration: a TOML file (`--config` / `WARTA_CONFIG`) with `WARTA_*`
//! environment overrides, parsed once into typed values.
//!
//! Every key has a default, so `warta serve` with no file at all runs the
//! Indonesian newsroom of DESIGN.md on an embedded SQLite database in `./data`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use warta_core::Lang;
use warta_pipeline::Policy;

/// Default flag threshold for model confidence (mean token log-probability).
/// Chosen from the distribution on NTREX en→pt output (BENCHMARKS.md): about
/// below it are 1.8 % of sentences, and those are mostly real errors.
pub const DEFAULT_CONFIDENCE_THRESHOLD: f64 = -0.5;

/// The raw file, as written by people.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    source: Option<String>,
    targets: Option<Vec<String>>,
    listen: Option<String>,
    base_url: Option<String>,
    site_name: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    models_dir: Option<PathBuf>,
    /// Remote Settings server `warta models pull` reads (Mozilla's by default).
    remote_settings: Option<String>,
    /// Inference threads (0 = all cores): the crew a node's workers share,
    /// and the threads of each LibreTranslate request.
    threads: Option<usize>,
    /// Translation workers of `warta serve` (0: a site/API-only node), each
    /// a batch in flight on the shared inference threads (default 2: one
    /// stores while the other decodes); `warta worker` runs at least one.
    workers: Option<usize>,
    /// Seconds a leased job belongs to its worker without a heartbeat: how
    /// long a killed worker's jobs wait before another worker takes them.
    lease_seconds: Option<u64>,
    /// `/healthz` reports unhealthy when a runnable job has waited longer.
    max_queue_age_seconds: Option<u64>,
    /// Jobs one worker leases at once: more jobs, bigger batches.
    lease_batch: Option<usize>,
    max_attempts: Option<i64>,
    /// Compute model confidence per sentence (one more decoder pass).
    confidence: Option<bool>,
    /// Flag sentences below this mean token log-probability.
    confidence_threshold: Option<f64>,
    /// The adequacy check of short segments under the reverse model.
    adequacy: Option<bool>,
    /// Its warning and error thresholds (mean log-probability per token).
    adequacy_warning: Option<f64>,
    adequacy_error: Option<f64>,
    /// Site texts per language: `[messages.ar] disclaimer = "…"`.
    messages: Option<BTreeMap<String, BTreeMap<String, String>>>,
    /// `[[webhooks]] url = "…", secret = "…", events = ["published", …]`.
    webhooks: Option<Vec<RawWebhook>>,
    /// `[limits]`: input and abuse limits.
    limits: Option<Limits>,
    /// Memory for rendered public pages, in MiB (0: no page cache).
    page_cache_mb: Option<u64>,
    /// How much nicer than HTTP translation threads run (0..=19; 0: not).
    worker_nice: Option<i32>,
    http_nice: Option<i32>,
    /// `[http]`: timeouts, the connection cap and the trusted proxies.
    http: Option<RawHttp>,
    /// When set, `/metrics` answers only `Authorization: Bearer <token>`.
    metrics_token: Option<String>,
    /// When set, `/metrics` is served on this address, not on `listen`.
    metrics_listen: Option<String>,
    /// Accept `http://` webhook URLs (a receiver on the same machine, tests);
    /// by default only `https://`, so payloads and signatures are not sent
    /// in clear.
    allow_http_webhooks: Option<bool>,
    /// `[publishing]`: which versions wait for an editor.
    publishing: Option<RawPublishing>,
}

/// `[publishing]` as written: `policy` for every language, and
/// `[publishing.languages] ar = "review"` for one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublishing {
    policy: Option<String>,
    languages: Option<BTreeMap<String, String>>,
}

/// The publishing policy of each target language (DESIGN.md, "Trust"):
/// `auto`, `hold_errors` (the default) or `review`.
#[derive(Debug, Clone, Default)]
pub struct Publishing {
    pub default: Policy,
    pub languages: BTreeMap<Lang, Policy>,
}

impl Publishing {
    pub fn policy(&self, lang: Lang) -> Policy {
        self.languages.get(&lang).copied().unwrap_or(self.default)
    }
}

/// `[http]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    trusted_proxies: Option<Vec<String>>,
    forwarded_header: Option<String>,
    header_read_timeout_seconds: Option<u64>,
    request_timeout_seconds: Option<u64>,
    body_timeout_seconds: Option<u64>,
    max_connections: Option<usize>,
}

/// How the server faces the network, validated (`[http]`). The defaults
/// suit a newsroom behind a reverse proxy, which sends each request's
/// headers at once and keeps a few connections open; they are also safe
/// without one (README, "Security").
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Reverse proxies whose forwarded header names the client
    /// ([`crate::client_addr`]); none by default.
    pub proxies: crate::client_addr::TrustedProxies,
    /// A connection must send a request's complete headers within this
    /// (default 10 s), or it is closed. Also how long an idle kept-alive
    /// connection stays open.
    pub header_read_timeout: std::time::Duration,
    /// A request must be answered within this (default 60 s), or it gets 503.
    pub request_timeout: std::time::Duration,
    /// The longest pause between two pieces of a request body (default 30 s).
    pub body_timeout: std::time::Duration,
    /// Connections served at once (default 1024); further ones wait in the
    /// kernel's accept queue until one closes.
    pub max_connections: usize,
}

impl Default for HttpSettings {
    fn default() -> HttpSettings {
        HttpSettings {
            proxies: Default::default(),
            header_read_timeout: std::time::Duration::from_secs(10),
            request_timeout: std::time::Duration::from_secs(60),
            body_timeout: std::time::Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: String,
    secret: String,
    events: Option<Vec<WebhookEvent>>,
}

/// What a webhook can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookEvent {
    /// A language version was published (machine or human).
    Published,
    /// A published machine version carries error-level QA flags.
    Flagged,
    /// An editor approved a fix, or a whole version.
    Approved,
    /// A version was held for an editor (the publishing policy, or a hold).
    Held,
}

impl WebhookEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::Published => "published",
            WebhookEvent::Flagged => "flagged",
            WebhookEvent::Approved => "approved",
            WebhookEvent::Held => "held",
        }
    }
}

/// A receiver of events, validated.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    /// The HMAC-SHA256 key of the `X-Warta-Signature` header.
    pub secret: String,
    pub events: Vec<WebhookEvent>,
}

/// warta's configuration, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub source: Lang,
    pub targets: Vec<Lang>,
    pub listen: SocketAddr,
    /// Public base URL of the site (canonical links, feeds, sitemap).
    pub base_url: String,
    pub site_name: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub models_dir: PathBuf,
    pub remote_settings: String,
    pub threads: usize,
    pub workers: usize,
    pub lease: std::time::Duration,
    pub max_queue_age: std::time::Duration,
    pub lease_batch: usize,
    pub max_attempts: i64,
    pub confidence: bool,
    pub confidence_threshold: f64,
    /// The adequacy check (`None`: off). Needs the reverse models.
    pub adequacy: Option<warta_pipeline::Adequacy>,
    pub messages: BTreeMap<String, BTreeMap<String, String>>,
    pub webhooks: Vec<Webhook>,
    pub limits: Limits,
    /// Bytes of rendered pages the page cache may hold (0: off).
    pub page_cache_bytes: u64,
    /// Nice increment of the translation workers' inference crew (see `priority`).
    pub worker_nice: i32,
    /// Nice increment of `warta serve`'s request threads (see `priority`).
    pub http_nice: i32,
    pub http: HttpSettings,
    /// The bearer token `/metrics` requires, if any.
    pub metrics_token: Option<String>,
    /// `/metrics` on its own address instead of `listen`.
    pub metrics_listen: Option<SocketAddr>,
    /// `http://` webhook URLs are accepted (default: https only).
    pub allow_http_webhooks: bool,
    pub publishing: Publishing,
}

/// `[limits]`: what one client may ask of the service. Each key has a
/// default that no real newsroom or LibreTranslate client reaches.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// LibreTranslate's `char_limit`: characters in all `q` texts of one request.
    pub translate_char_limit: usize,
    /// LibreTranslate's `batch_limit`: `q` entries in one request.
    pub translate_batch_limit: usize,
    /// `/translate` requests translating at once in this process; more wait
    /// up to `translate_queue_ms` for a slot, then get 429.
    pub translate_concurrency: usize,
    pub translate_queue_ms: u64,
    /// `/translate` and `/detect` requests per minute per API key (0: no limit).
    pub requests_per_minute: u32,
    /// Bytes of an article's `body_html`, and its block elements (paragraphs).
    pub article_max_bytes: usize,
    pub article_max_paragraphs: usize,
    /// Admin login attempts that may reach the password check per
    /// `login_window_secs`: per username from one client address, and per
    /// client address (over all usernames). A username tried from
    /// elsewhere has its own allowance, so nobody can lock an editor out.
    pub login_attempts_per_user: u32,
    pub login_attempts_per_address: u32,
    pub login_window_secs: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            translate_char_limit: 20_000,
            translate_batch_limit: 100,
            translate_concurrency: 2,
            translate_queue_ms: 2_000,
            requests_per_minute: 120,
            article_max_bytes: warta_ingest::Limits::DEFAULT.article_max_bytes,
            article_max_paragraphs: warta_ingest::Limits::DEFAULT.article_max_paragraphs,
            login_attempts_per_user: 5,
            login_attempts_per_address: 30,
            login_window_secs: 15 * 60,
        }
    }
}

impl Config {
    /// What an import into this newsroom needs (`warta import`, `warta demo`).
    pub fn newsroom(&self) -> warta_ingest::Newsroom {
        warta_ingest::Newsroom {
            source: self.source,
            targets: self.targets.clone(),
            limits: self.limits.article(),
        }
    }
}

impl Limits {
    /// The part of the limits the ingest stage enforces on an article.
    pub fn article(&self) -> warta_ingest::Limits {
        warta_ingest::Limits {
            article_max_bytes: self.article_max_bytes,
            article_max_paragraphs: self.article_max_paragraphs,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("config `{key}`: {reason}")]
    Value { key: &'static str, reason: String },
}

impl Config {
    /// Load from `path` (if given) and the process environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("WARTA_"))
            .collect();
        let path = path
            .map(Path::to_path_buf)
            .or_else(|| env.get("WARTA_CONFIG").map(PathBuf::from));
        let raw = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| ConfigError::File {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::File {
                    path: p.display().to_string(),
                    reason: e.to_string().replace('\n', " "),
                })?
            }
            None => RawConfig::default(),
        };
        Config::from_raw(raw, &env)
    }

    /// Parse TOML text with the given environment (tests).
    pub fn from_toml(text: &str, env: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::File {
            path: "<text>".into(),
            reason: e.to_string(),
        })?;
        Config::from_raw(raw, env)
    }

    fn from_raw(mut raw: RawConfig, env: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        if let Some(v) = get("WARTA_SOURCE") {
            raw.source = Some(v);
        }
        if let Some(v) = get("WARTA_TARGETS") {
            raw.targets = Some(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            );
        }
        if let Some(v) = get("WARTA_LISTEN") {
            raw.listen = Some(v);
        }
        if let Some(v) = get("WARTA_BASE_URL") {
            raw.base_url = Some(v);
        }
        if let Some(v) = get("WARTA_DATA_DIR") {
            raw.data_dir = Some(v.into());
        }
        if let Some(v) = get("WARTA_DATABASE_URL") {
            raw.database_url = Some(v);
        }
        if let Some(v) = get("WARTA_MODELS_DIR") {
            raw.models_dir = Some(v.into());
        }
        if let Some(v) = get("WARTA_REMOTE_SETTINGS") {
            raw.remote_settings = Some(v);
        }
        if let Some(v) = get("WARTA_THREADS") {
            raw.threads = Some(
                v.parse()
                    .map_err(|_| value("threads", format!("`{v}` is not a number")))?,
            );
        }
        if let Some(v) = get("WARTA_ADEQUACY") {
            raw.adequacy = Some(matches!(v.as_str(), "1" | "true" | "yes" | "on"));
        }
        if let Some(v) = get("WARTA_CONFIDENCE") {
            raw.confidence = Some(matches!(v.as_str(), "1" | "true" | "yes" | "on"));
        }
        if let Some(v) = get("WARTA_LEASE_SECONDS") {
            raw.lease_seconds = Some(
                v.parse()
                    .map_err(|_| value("lease_seconds", format!("`{v}` is not a number")))?,
            );
        }
        if let Some(v) = get("WARTA_MAX_ATTEMPTS") {
            raw.max_attempts = Some(
                v.parse()
                    .map_err(|_| value("max_attempts", format!("`{v}` is not a number")))?,
            );
        }
        if let Some(v) = get("WARTA_PAGE_CACHE_MB") {
            raw.page_cache_mb = Some(
                v.parse()
                    .map_err(|_| value("page_cache_mb", format!("`{v}` is not a number")))?,
            );
        }
        if let Some(v) = get("WARTA_WORKER_NICE") {
            raw.worker_nice = Some(
                v.parse()
                    .map_err(|_| value("worker_nice", format!("`{v}` is not a number")))?,
            );
        }
        if let Some(v) = get("WARTA_HTTP_NICE") {
            raw.http_nice = Some(
                v.parse()
                    .map_err(|_| value("http_nice", format!("`{v}` is not a number")))?,
            );
        }
        if let Some(v) = get("WARTA_METRICS_TOKEN") {
            raw.metrics_token = Some(v);
        }
        if let Some(v) = get("WARTA_TRUSTED_PROXIES") {
            raw.http
                .get_or_insert_with(Default::default)
                .trusted_proxies = Some(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            );
        }
        if let Some(v) = get("WARTA_PUBLISHING_POLICY") {
            raw.publishing.get_or_insert_with(Default::default).policy = Some(v);
        }
        if let Some(v) = get("WARTA_WORKERS") {
            raw.workers = Some(
                v.parse()
                    .map_err(|_| value("workers", format!("`{v}` is not a number")))?,
            );
        }

        let lang =
            |key: &'static str, s: &str| Lang::parse(s).map_err(|e| value(key, e.to_string()));
        let source = lang("source", raw.source.as_deref().unwrap_or("id"))?;
        let targets = match raw.targets {
            Some(t) => t
                .iter()
                .map(|s| lang("targets", s))
                .collect::<Result<Vec<_>, _>>()?,
            None => ["en", "zh", "ja", "ar", "fr"]
                .iter()
                .map(|s| Lang::parse(s).expect("known"))
                .collect(),
        };
        let mut uniq = Vec::new();
        for t in targets {
            if t == source {
                return Err(value("targets", format!("`{t}` is the source language")));
            }
            if !uniq.contains(&t) {
                uniq.push(t);
            }
        }
        let listen_s = raw.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_s.parse().map_err(|_| {
            value(
                "listen",
                format!("`{listen_s}` is not an address like 127.0.0.1:8080"),
            )
        })?;
        let base_url = raw.base_url.unwrap_or_else(|| format!("http://{listen}"));
        let data_dir = raw.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = raw.database_url.unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("warta.sqlite").display()
            )
        });
        let models_dir = raw
            .models_dir
            .unwrap_or_else(warta_models::ModelStore::default_root);
        let allow_http_webhooks = raw.allow_http_webhooks.unwrap_or(false);
        let publishing = {
            let raw = raw.publishing.unwrap_or_default();
            let policy = |s: &str| {
                Policy::parse(s).ok_or_else(|| {
                    value(
                        "publishing",
                        format!("policy `{s}` is not one of auto, hold_errors, review"),
                    )
                })
            };
            let mut languages = BTreeMap::new();
            for (code, p) in raw.languages.unwrap_or_default() {
                let l = lang("publishing", &code)?;
                if !uniq.contains(&l) {
                    return Err(value(
                        "publishing",
                        format!("`{code}` is not one of the targets"),
                    ));
                }
                languages.insert(l, policy(&p)?);
            }
            Publishing {
                default: raw
                    .policy
                    .as_deref()
                    .map(policy)
                    .transpose()?
                    .unwrap_or_default(),
                languages,
            }
        };
        let http = http_settings(raw.http.unwrap_or_default())?;
        let metrics_token = match raw.metrics_token {
            Some(t) if t.trim().chars().count() < 16 => {
                return Err(value(
                    "metrics_token",
                    "must have at least 16 characters".into(),
                ))
            }
            t => t.map(|t| t.trim().to_string()),
        };
        let metrics_listen = raw
            .metrics_listen
            .map(|s| {
                s.parse::<SocketAddr>().map_err(|_| {
                    value(
                        "metrics_listen",
                        format!("`{s}` is not an address like 127.0.0.1:9090"),
                    )
                })
            })
            .transpose()?;
        Ok(Config {
            source,
            targets: uniq,
            listen,
            base_url,
            site_name: raw.site_name.unwrap_or_else(|| "warta".into()),
            data_dir,
            database_url,
            models_dir,
            remote_settings: raw
                .remote_settings
                .unwrap_or_else(|| warta_models::remote_settings::DEFAULT_SERVER.to_string()),
            threads: raw.threads.unwrap_or(0),
            workers: raw.workers.unwrap_or(2),
            lease: std::time::Duration::from_secs(match raw.lease_seconds.unwrap_or(30) {
                n @ 2..=3600 => n,
                n => return Err(value("lease_seconds", format!("{n} is outside 2..=3600"))),
            }),
            max_queue_age: std::time::Duration::from_secs(
                raw.max_queue_age_seconds.unwrap_or(900).max(1),
            ),
            lease_batch: raw.lease_batch.unwrap_or(16).clamp(1, 256),
            max_attempts: match raw.max_attempts.unwrap_or(5) {
                n @ 1..=100 => n,
                n => return Err(value("max_attempts", format!("{n} is outside 1..=100"))),
            },
            confidence: raw.confidence.unwrap_or(true),
            confidence_threshold: raw
                .confidence_threshold
                .unwrap_or(DEFAULT_CONFIDENCE_THRESHOLD),
            adequacy: match raw.adequacy.unwrap_or(true) {
                false => None,
                true => {
                    let d = warta_pipeline::Adequacy::default();
                    let a = warta_pipeline::Adequacy {
                        warning: raw.adequacy_warning.unwrap_or(d.warning),
                        error: raw.adequacy_error.unwrap_or(d.error),
                    };
                    if !(a.error.is_finite() && a.warning.is_finite() && a.error <= a.warning && a.warning <= 0.0) {
                        return Err(value(
                            "adequacy_error",
                            format!(
                                "adequacy_error ({}) must be at most adequacy_warning ({}), both at most 0",
                                a.error, a.warning
                            ),
                        ));
                    }
                    Some(a)
                }
            },
            messages: raw.messages.unwrap_or_default(),
            webhooks: raw
                .webhooks
                .unwrap_or_default()
                .into_iter()
                .map(|w| {
                    webhook_url(&w.url, allow_http_webhooks)?;
                    if w.secret.chars().count() < 16 {
                        return Err(value(
                            "webhooks",
                            format!("the secret of {} must have at least 16 characters", w.url),
                        ));
                    }
                    let events = w.events.unwrap_or_else(|| {
                        vec![
                            WebhookEvent::Published,
                            WebhookEvent::Flagged,
                            WebhookEvent::Approved,
                            WebhookEvent::Held,
                        ]
                    });
                    Ok(Webhook {
                        url: w.url,
                        secret: w.secret,
                        events,
                    })
                })
                .collect::<Result<_, _>>()?,
            limits: raw.limits.unwrap_or_default(),
            page_cache_bytes: match raw.page_cache_mb.unwrap_or(64) {
                n @ 0..=65_536 => n * 1024 * 1024,
                n => return Err(value("page_cache_mb", format!("{n} is outside 0..=65536"))),
            },
            worker_nice: match raw.worker_nice.unwrap_or(crate::priority::WORKER_NICE) {
                n @ 0..=19 => n,
                n => return Err(value("worker_nice", format!("{n} is outside 0..=19"))),
            },
            http_nice: match raw.http_nice.unwrap_or(crate::priority::HTTP_NICE) {
                n @ 0..=19 => n,
                n => return Err(value("http_nice", format!("{n} is outside 0..=19"))),
            },
            http,
            metrics_token,
            metrics_listen,
            allow_http_webhooks,
            publishing,
        })
    }

    /// The source first, then the targets: every language the site publishes.
    pub fn languages(&self) -> Vec<Lang> {
        std::iter::once(self.source)
            .chain(self.targets.iter().copied())
            .collect()
    }
}

fn value(key: &'static str, reason: String) -> ConfigError {
    ConfigError::Value { key, reason }
}

/// A webhook URL: https (http only when allowed), with a host.
fn webhook_url(url: &str, allow_http: bool) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(url).map_err(|e| value("webhooks", format!("`{url}`: {e}")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => {
            return Err(value(
                "webhooks",
                format!(
                    "`{url}` is not https: payloads and signatures would travel in clear \
                     (set allow_http_webhooks = true for a receiver on this machine)"
                ),
            ))
        }
        _ => return Err(value("webhooks", format!("`{url}` is not an https URL"))),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(value("webhooks", format!("`{url}` has no host")));
    }
    Ok(())
}

fn http_settings(raw: RawHttp) -> Result<HttpSettings, ConfigError> {
    use crate::client_addr::{ForwardedHeader, TrustedProxies};
    let d = HttpSettings::default();
    let nets = raw
        .trusted_proxies
        .unwrap_or_default()
        .iter()
        .map(|s| {
            TrustedProxies::parse_net(s).ok_or_else(|| {
                value(
                    "http.trusted_proxies",
                    format!("`{s}` is not an address or network like 10.0.0.0/8"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let header = match raw.forwarded_header {
        None => ForwardedHeader::XForwardedFor,
        Some(h) => ForwardedHeader::parse(&h).ok_or_else(|| {
            value(
                "http.forwarded_header",
                format!("`{h}` is neither \"x-forwarded-for\" nor \"forwarded\""),
            )
        })?,
    };
    let secs = |key: &'static str, v: Option<u64>, default: std::time::Duration| match v {
        None => Ok(default),
        Some(n @ 1..=3600) => Ok(std::time::Duration::from_secs(n)),
        Some(n) => Err(value(key, format!("{n} is outside 1..=3600"))),
    };
    Ok(HttpSettings {
        proxies: TrustedProxies { nets, header },
        header_read_timeout: secs(
            "http.header_read_timeout_seconds",
            raw.header_read_timeout_seconds,
            d.header_read_timeout,
        )?,
        request_timeout: secs(
            "http.request_timeout_seconds",
            raw.request_timeout_seconds,
            d.request_timeout,
        )?,
        body_timeout: secs(
            "http.body_timeout_seconds",
            raw.body_timeout_seconds,
            d.body_timeout,
        )?,
        max_connections: match raw.max_connections {
            None => d.max_connections,
            Some(n @ 1..=1_000_000) => n,
            Some(n) => {
                return Err(value(
                    "http.max_connections",
                    format!("{n} is outside 1..=1000000"),
                ))
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_indonesian_newsroom_of_design_md() {
        let c = Config::from_toml("", &BTreeMap::new()).unwrap();
        assert_eq!(c.source.code(), "id");
        let t: Vec<_> = c.targets.iter().map(|l| l.code()).collect();
        assert_eq!(t, ["en", "zh", "ja", "ar", "fr"]);
        assert!(c.database_url.starts_with("sqlite://"));
        assert_eq!(
            c.remote_settings, "https://firefox.settings.services.mozilla.com/v1",
            "DESIGN.md's server"
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let env: BTreeMap<String, String> = [
            ("WARTA_DATABASE_URL", "postgres://x/y"),
            ("WARTA_LISTEN", "127.0.0.1:9999"),
            ("WARTA_TARGETS", "pt, ar"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let c = Config::from_toml(
            "source = \"en\"\ntargets = [\"fr\"]\nlisten = \"0.0.0.0:1\"",
            &env,
        )
        .unwrap();
        assert_eq!(c.database_url, "postgres://x/y");
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(
            c.targets.iter().map(|l| l.code()).collect::<Vec<_>>(),
            ["pt", "ar"]
        );
        assert_eq!(c.base_url, "http://127.0.0.1:9999");
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = Config::from_toml("source = \"xx\"", &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config `source`"), "{e}");
        let e = Config::from_toml("source = \"en\"\ntargets = [\"en\"]", &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`targets`"), "{e}");
        let e = Config::from_toml("colour = 1", &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("colour"), "{e}");
    }

    /// `[http]` defaults are the ones README "Security" documents; every
    /// key parses and a bad value names its key.
    #[test]
    fn http_settings_have_documented_defaults_and_named_errors() {
        let c = Config::from_toml("", &BTreeMap::new()).unwrap();
        assert_eq!(c.http.header_read_timeout.as_secs(), 10);
        assert_eq!(c.http.request_timeout.as_secs(), 60);
        assert_eq!(c.http.body_timeout.as_secs(), 30);
        assert_eq!(c.http.max_connections, 1024);
        assert!(c.http.proxies.nets.is_empty());
        assert!(c.metrics_token.is_none() && c.metrics_listen.is_none());
        assert!(!c.allow_http_webhooks);

        let c = Config::from_toml(
            "metrics_token = \"0123456789abcdef\"\nmetrics_listen = \"127.0.0.1:9090\"\n\
             [http]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nforwarded_header = \"Forwarded\"\n\
             header_read_timeout_seconds = 5\nmax_connections = 64\n",
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(c.http.proxies.nets.len(), 2);
        assert_eq!(
            c.http.proxies.header,
            crate::client_addr::ForwardedHeader::Forwarded
        );
        assert_eq!(c.http.header_read_timeout.as_secs(), 5);
        assert_eq!(c.http.max_connections, 64);
        assert_eq!(c.metrics_listen.unwrap().port(), 9090);

        for (text, key) in [
            (
                "[http]\ntrusted_proxies = [\"10.0.0.0/33\"]",
                "http.trusted_proxies",
            ),
            (
                "[http]\nforwarded_header = \"x-real-ip\"",
                "http.forwarded_header",
            ),
            (
                "[http]\nheader_read_timeout_seconds = 0",
                "http.header_read_timeout_seconds",
            ),
            ("[http]\nmax_connections = 0", "http.max_connections"),
            ("metrics_token = \"short\"", "metrics_token"),
            ("metrics_listen = \"nowhere\"", "metrics_listen"),
        ] {
            let e = Config::from_toml(text, &BTreeMap::new())
                .unwrap_err()
                .to_string();
            assert!(e.contains(&format!("`{key}`")), "{text}: {e}");
        }
        let env: BTreeMap<String, String> = [
            ("WARTA_TRUSTED_PROXIES", "192.0.2.1, 10.0.0.0/8"),
            ("WARTA_METRICS_TOKEN", "a-token-from-the-environment"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let c = Config::from_toml("", &env).unwrap();
        assert_eq!(c.http.proxies.nets.len(), 2);
        assert_eq!(
            c.metrics_token.as_deref(),
            Some("a-token-from-the-environment")
        );
    }
}
