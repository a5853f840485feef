//! The command-line interface (DESIGN.md's contract: keep these names).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use warta_models::ModelStore;

#[derive(Parser)]
#[command(
    name = "warta",
    version,
    about = "Newsroom translation and publishing service"
)]
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
    /// Log lines as human-readable text or as JSON objects, one per line
    /// (for a log collector); the level is set with WARTA_LOG.
    #[arg(long, global = true, value_enum, env = "WARTA_LOG_FORMAT", default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Global {
    pub fn model_store(&self) -> ModelStore {
        ModelStore::open(
            self.models_dir
                .clone()
                .unwrap_or_else(ModelStore::default_root),
        )
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
    /// Run a demo newsroom (English → Portuguese, test model fetched if
    /// missing, sample articles) until Ctrl-C.
    Demo(DemoArgs),
    /// Check configuration, database, models and disk space; print the fix
    /// for each problem (exit status 1 if there is any).
    Doctor(ServeArgs),
    /// Import articles from a feed or WordPress; running it again creates
    /// nothing new, and a changed item becomes a new revision.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Args)]
pub struct DemoArgs {
    /// Directory for the demo's database and config file.
    #[arg(long, default_value = "warta-demo")]
    pub dir: PathBuf,
    /// Address to serve on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The NTREX corpus folder; when it is missing, built-in sample articles.
    #[arg(long, default_value = "../shared/data/ntrex")]
    pub ntrex: PathBuf,
    /// How many NTREX documents to import.
    #[arg(long, default_value_t = 8)]
    pub docs: usize,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// An RSS 2.0 or Atom feed (URL or file). Each item's full content
    /// (`content:encoded`, Atom `content`) is imported, else its summary.
    Feed {
        /// `https://…/feed.xml` or a file.
        source: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// WordPress posts through the REST API, every page (site URL or
    /// `…/wp-json/wp/v2/posts`), or a file holding one page's JSON array.
    Wordpress {
        /// `https://news.example` or a file.
        source: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
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
    /// Newsroom configuration whose adequacy thresholds apply, and its
    /// glossary (when `--from` is its source language and its database
    /// exists).
    #[arg(long, env = "WARTA_CONFIG")]
    pub config: Option<std::path::PathBuf>,
    /// Do not apply the newsroom's glossary.
    #[arg(long)]
    pub no_glossary: bool,
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
        /// What the key may do: translate (the LibreTranslate routes),
        /// articles (the CMS API), glossary, webhooks (the delivery log),
        /// stats, admin (the team and the audit log), or all; repeat or
        /// separate with commas. Without it the key may do everything.
        #[arg(long = "scope", value_name = "SCOPE", value_delimiter = ',')]
        scopes: Vec<String>,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List keys (id, name, prefix, state, scopes).
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
    /// Import entries from a TSV file whose header line names its columns
    /// (`source`, `target_lang`, `target`; optional `case_sensitive`,
    /// `do_not_translate`, `note`); nothing is imported unless every line
    /// is valid. Entries the glossary already has exactly are skipped.
    Import {
        file: PathBuf,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Write the glossary as TSV to stdout (all columns; `import` reads it back).
    Export {
        #[arg(long)]
        lang: Option<String>,
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
    /// Download pairs from Mozilla's Remote Settings (as Firefox reads it) or
    /// a newsroom mirror; every pair is reported, and the exit status is
    /// non-zero if any was not installed.
    Pull(PullArgs),
    /// Write the installed pairs to DIR as a static mirror that
    /// `pull --mirror URL` reads once DIR is served over HTTP.
    Mirror { dir: PathBuf },
    /// Re-hash every installed file against its manifest.
    Verify,
}

#[derive(Args)]
pub struct PullArgs {
    /// Pairs SRC-TRG (e.g. id-en en-zh); with --for-config, none needed.
    #[arg(required_unless_present = "for_config")]
    pub pairs: Vec<String>,
    /// Pull what the configuration's source and targets need, direct or
    /// through English.
    #[arg(long)]
    pub for_config: bool,
    /// Remote Settings server (default: config `remote_settings` /
    /// WARTA_REMOTE_SETTINGS, else Mozilla's,
    /// https://firefox.settings.services.mozilla.com/v1).
    #[arg(long)]
    pub remote_settings: Option<String>,
    /// A mirror laid out like a warta store ({URL}/{pair}/manifest.json),
    /// instead of Remote Settings.
    #[arg(long, env = "WARTA_MODELS_MIRROR")]
    pub mirror: Option<String>,
    /// Also take pre-release models (3.1a1...), which Mozilla ships to
    /// Nightly for testing.
    #[arg(long)]
    pub allow_prerelease: bool,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Translate a corpus file (one sentence per line) and report throughput.
    Translate(bench::BenchArgs),
    /// Time from POST to published page for NTREX documents, against the
    /// bare engine on the same text.
    Newsroom(bench::NewsroomArgs),
    /// Every NTREX line through the raw engine and through the pipeline;
    /// print each line enforcement changed.
    Enforcement(bench::EnforcementArgs),
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
        Command::Bench(BenchCommand::Enforcement(args)) => bench::enforcement(&cli.global, args),
        Command::Bench(BenchCommand::Newsroom(args)) => bench::newsroom(&cli.global, args),
        Command::Demo(args) => crate::demo_cmd::run(&cli.global, args),
        Command::Doctor(args) => crate::doctor_cmd::run(&cli.global, args),
        Command::Import(cmd) => crate::import_cmd::run(&cli.global, cmd),
    }
}
