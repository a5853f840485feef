//! The command-line interface (DESIGN.md's contract: keep these names).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use warta_models::ModelStore;

#[derive(Parser)]
#[command(name = "warta", version, about = "Newsroom translation and publishing service")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Global {
    /// Model store directory (default: ~/.local/share/warta/models).
    #[arg(long, global = true, env = "WARTA_MODELS_DIR")]
    pub models_dir: Option<PathBuf>,
}

impl Global {
    pub fn model_store(&self) -> ModelStore {
        ModelStore::open(self.models_dir.clone().unwrap_or_else(ModelStore::default_root))
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the site, the API and in-process translation workers.
    Serve(ServeArgs),
    /// Run translation workers only (scale-out: point several at one PostgreSQL).
    Worker(ServeArgs),
    /// Manage API keys for the CMS API.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage newsroom users (editors of the review queue).
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage the glossary (changes re-queue the articles that use a term).
    #[command(subcommand)]
    Glossary(GlossaryCommand),
    /// Translate stdin to stdout (plain text: one segment per line).
    Translate(TranslateArgs),
    /// Manage the model store.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Throughput benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Args)]
pub struct TranslateArgs {
    /// Source language code (e.g. en, id).
    #[arg(long = "from")]
    pub from: String,
    /// Target language code (e.g. pt, fr).
    #[arg(long = "to")]
    pub to: String,
    /// Input is an HTML fragment: translate text, keep markup.
    #[arg(long)]
    pub html: bool,
    /// Print JSON: per-segment output and timings.
    #[arg(long)]
    pub json: bool,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Configuration file (TOML); `WARTA_*` variables override it.
    #[arg(long, env = "WARTA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Translation worker threads, overriding `workers` in the config
    /// (`serve --workers 0`: a site/API-only node that translates nothing).
    #[arg(long)]
    pub workers: Option<usize>,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a key; it is printed once and only its hash is stored.
    Create {
        name: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List keys (name, prefix, state).
    List {
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Revoke a key by id.
    Revoke {
        id: i64,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create a user; the password is read from WARTA_PASSWORD or stdin.
    Create {
        username: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Subcommand)]
pub enum GlossaryCommand {
    /// Import entries from a TSV file with the header
    /// `source<TAB>target_lang<TAB>target[<TAB>case_sensitive[<TAB>note]]`;
    /// nothing is imported unless every line is valid.
    Import {
        file: PathBuf,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List entries (all target languages, or one).
    List {
        #[arg(long)]
        lang: Option<String>,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Add one entry (TARGET equal to SOURCE: do not translate).
    Add {
        source: String,
        target_lang: String,
        target: String,
        #[arg(long)]
        case_sensitive: bool,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Delete an entry by id.
    Delete {
        id: i64,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// List installed pairs.
    List,
    /// Import a model directory as a pair (validated by loading it).
    Import {
        dir: PathBuf,
        /// The pair the model translates, SRC-TRG (e.g. id-en).
        #[arg(long)]
        pair: String,
        /// Version to record (default: from the folder name, e.g. enpt-1693087644).
        #[arg(long)]
        version: Option<String>,
    },
    /// Download pairs from Mozilla's distribution or a mirror.
    Pull {
        #[arg(required = true)]
        pairs: Vec<String>,
        /// A mirror laid out like a warta store ({URL}/{pair}/manifest.json).
        #[arg(long, env = "WARTA_MODELS_MIRROR")]
        mirror: Option<String>,
    },
    /// Re-hash every installed file against its manifest.
    Verify,
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Translate a corpus file (one sentence per line) and report throughput.
    Translate(bench::BenchArgs),
    /// Time from POST to published page for NTREX documents, against the
    /// bare engine on the same text.
    Newsroom(bench::NewsroomArgs),
}

use crate::bench;

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => crate::serve_cmd::serve(&cli.global, args),
        Command::Worker(args) => crate::serve_cmd::worker(&cli.global, args),
        Command::Keys(cmd) => crate::serve_cmd::keys(&cli.global, cmd),
        Command::Users(cmd) => crate::serve_cmd::users(&cli.global, cmd),
        Command::Glossary(cmd) => crate::glossary_cmd::run(cmd),
        Command::Translate(args) => crate::translate_cmd::run(&cli.global, args),
        Command::Models(cmd) => crate::models_cmd::run(&cli.global, cmd),
        Command::Bench(BenchCommand::Translate(args)) => bench::run(&cli.global, args),
        Command::Bench(BenchCommand::Newsroom(args)) => bench::newsroom(&cli.global, args),
    }
}
