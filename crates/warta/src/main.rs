//! `warta`: the command that wires warta's crates together.
//!
//! This binary owns argument parsing, configuration, terminal output and exit
//! codes — nothing else. Every command's work lives in a library crate
//! (`warta-models`, `warta-engine`...); errors from them are printed as one
//! readable line with a non-zero exit status.

mod bench;
mod cli;
mod glossary_cmd;
mod models_cmd;
mod serve_cmd;
mod translate_cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WARTA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the error and its causes, joined.
            let msg = e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ");
            eprintln!("error: {}", msg.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
