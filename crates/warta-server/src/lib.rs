//! The newsroom service: ingest API, durable translation jobs and the
//! multilingual site, on one axum app.
//!
//! - [`configuration`] reads the TOML file and `WARTA_*` overrides.
//! - [`client_addr`] says who is asking, through trusted reverse proxies.
//! - Posted articles are validated and sanitised by `warta-ingest`, whose
//!   errors [`error`] turns into HTTP answers.
//! - [`worker`] leases jobs from the database and runs `warta-pipeline`
//!   (segment → memory → engine → enforce → check) on blocking threads.
//! - [`routes`] serves the CMS API, the LibreTranslate-compatible API, the
//!   public site (rendered by `warta-site`, kept by [`page_cache`]) and
//!   operations endpoints.
//! - [`startup`] builds all of it, binds the port and returns a handle.
//! - [`telemetry`] gives every request an id and a span for the logs.
//!
//! No inference on async threads: the HTTP side only reads and writes the
//! database and wakes workers; translation happens on worker threads, at a
//! lower scheduling [`priority`] than the threads serving HTTP.

pub mod client_addr;
pub mod clock;
pub mod configuration;
pub mod error;
mod isolate;
pub mod metrics;
pub mod page_cache;
pub mod priority;
pub mod routes;
mod scoring;
mod settle;
pub mod startup;
pub mod telemetry;
mod translation;
pub mod webhooks;
pub mod worker;

pub use configuration::Config;
pub use startup::{App, AppHandle};
