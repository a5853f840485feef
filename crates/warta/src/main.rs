//! `warta`: the command that wires warta's crates together.
//!
//! This binary owns argument parsing, configuration, terminal output and exit
//! codes — nothing else. Every command's work lives in a library crate
//! (`warta-models`, `warta-engine`...); errors from them are printed as one
//! readable line with a non-zero exit status.

mod bench;
mod cli;
mod demo_cmd;
mod doctor_cmd;
mod glossary_cmd;
mod import_cmd;
mod models_cmd;
mod serve_cmd;
mod translate_cmd;

use std::process::ExitCode;
use std::sync::OnceLock;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.global.log_format);
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the error and its causes, joined.
            let msg = e
                .chain()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            match LOG_FORMAT.get() {
                Some(cli::LogFormat::Json) => {
                    tracing::error!(target: "warta", "{}", msg.replace('\n', " "))
                }
                _ => eprintln!("error: {}", msg.replace('\n', " ")),
            }
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, filtered by `WARTA_LOG` (e.g. `info`,
/// `warta_server=debug`). JSON logs default to `info`: whoever asks for JSON
/// feeds a collector and wants the request lines; people at a terminal get
/// warnings only.
fn init_logging(format: cli::LogFormat) {
    let _ = LOG_FORMAT.set(format);
    let default = match format {
        cli::LogFormat::Text => "warn",
        cli::LogFormat::Json => "info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARTA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        cli::LogFormat::Text => builder.init(),
        // Span fields (request_id, job_id) flattened into each line, so a
        // collector can filter on them without knowing the span names.
        cli::LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

static LOG_FORMAT: OnceLock<cli::LogFormat> = OnceLock::new();

/// A message for the operator of a long-running command ("serving at …"):
/// a plain line on stderr, or an INFO event when logs are JSON, so that a
/// collector reading stderr sees nothing but JSON lines.
pub(crate) fn notice(msg: impl std::fmt::Display) {
    match LOG_FORMAT.get() {
        Some(cli::LogFormat::Json) => tracing::info!(target: "warta", "{msg}"),
        _ => eprintln!("{msg}"),
    }
}
