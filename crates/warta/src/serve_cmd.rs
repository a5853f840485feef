//! `warta serve`, `warta worker`, `warta keys`, `warta users`.

use std::io::Read;

use anyhow::Context;
use warta_server::{App, AppHandle, Config};

use crate::cli::{Global, KeysCommand, ServeArgs, UsersCommand};

pub(crate) fn config(global: &Global, args: &ServeArgs) -> anyhow::Result<Config> {
    let mut c = Config::load(args.config.as_deref())?;
    if let Some(dir) = &global.models_dir {
        c.models_dir = dir.clone();
    }
    if let Some(n) = args.workers {
        c.workers = n;
    }
    Ok(c)
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// The runtime of a process that serves readers: its threads (the request
/// threads, and the blocking pool they start) run `http_nice` nicer, so
/// that under a flood of requests the inference crew outweighs them
/// (warta-server `priority`). The crew and the database's threads are
/// started from the thread that calls `block_on`, which keeps its priority.
pub(crate) fn serving_runtime(config: &Config) -> anyhow::Result<tokio::runtime::Runtime> {
    let nice = config.http_nice;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(move || {
            if let Err(e) = warta_server::priority::renice_current_thread(nice) {
                tracing::warn!("could not lower a request thread's priority: {e}");
            }
        })
        .build()
        .context("starting the async runtime")
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub fn serve(global: &Global, args: ServeArgs) -> anyhow::Result<()> {
    let config = config(global, &args)?;
    serving_runtime(&config)?.block_on(async move {
        let workers = config.workers;
        let app = App::build(config).await?;
        report_models(&app);
        let handle = AppHandle::start(app.clone(), workers).await?;
        crate::notice(format_args!(
            "warta is serving {} at http://{}/ (source {}, targets {}; {}); Ctrl-C to stop",
            app.config().site_name,
            handle.addr,
            app.config().source,
            app.config()
                .targets
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join(", "),
            match workers {
                0 => "no translation workers: run `warta worker` against the same database"
                    .to_string(),
                n => format!("{n} translation worker(s)"),
            }
        ));
        shutdown_signal().await;
        crate::notice("stopping: finishing the current batch...");
        handle.stop().await;
        Ok(())
    })
}

/// Say at startup which targets cannot be translated yet, and how to fix it.
fn report_models(app: &App) {
    let store = app.ctx.pool.store();
    for &t in &app.config().targets {
        if let Err(e) = store.route(app.config().source, t) {
            crate::notice(format_args!(
                "note: {t} articles will wait for a model: {e}"
            ));
        }
    }
}

pub fn worker(global: &Global, args: ServeArgs) -> anyhow::Result<()> {
    let config = config(global, &args)?;
    runtime()?.block_on(async move {
        let n = config.workers.max(1);
        let app = App::build(config).await?;
        report_models(&app);
        crate::notice(format_args!(
            "warta worker running {n} worker(s) on {}; Ctrl-C to stop",
            redact(&app.config().database_url)
        ));
        warta_server::startup::run_workers(app, n, shutdown_signal()).await
    })
}

pub(crate) fn redact(url: &str) -> String {
    // Never print a database password.
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

pub fn keys(global: &Global, cmd: KeysCommand) -> anyhow::Result<()> {
    let args = match &cmd {
        KeysCommand::Create { serve, .. }
        | KeysCommand::List { serve }
        | KeysCommand::Revoke { serve, .. } => serve,
    };
    let config = config(global, args)?;
    runtime()?.block_on(async move {
        let app = App::build(config).await?;
        let store = &app.ctx.store;
        match cmd {
            KeysCommand::Create { name, scopes, .. } => {
                let scopes = if scopes.is_empty() {
                    eprintln!(
                        "no --scope given: this key may do everything ({}); a LibreTranslate \
                         client needs only `--scope translate`",
                        warta_store::Scopes::all()
                    );
                    warta_store::Scopes::all()
                } else {
                    warta_store::Scopes::parse(&scopes.join(","))?
                };
                let (key, k) = store.create_scoped_api_key(&name, scopes).await?;
                eprintln!(
                    "created API key #{} `{}` (scopes: {}); it is shown only now:",
                    k.id.0, k.name, k.scopes
                );
                println!("{key}");
            }
            KeysCommand::List { .. } => {
                for k in store.list_api_keys().await? {
                    let state = if k.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!(
                        "{:>4}  {:<24} {}…  {state:<7}  {}",
                        k.id.0, k.name, k.prefix, k.scopes
                    );
                }
            }
            KeysCommand::Revoke { id, .. } => {
                let k = store.revoke_api_key(warta_store::ApiKeyId(id)).await?;
                println!("revoked key #{} `{}`", k.id.0, k.name);
            }
        }
        store.close().await;
        Ok(())
    })
}

pub fn users(global: &Global, cmd: UsersCommand) -> anyhow::Result<()> {
    let UsersCommand::Create { username, serve } = cmd;
    let config = config(global, &serve)?;
    let password = match std::env::var("WARTA_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading the password from stdin")?;
            s.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    // The same rule as the desk's team page (warta-store's team.rs).
    warta_store::check_new_password(&password)?;
    runtime()?.block_on(async move {
        let app = App::build(config).await?;
        let u = app.ctx.store.create_user(&username, &password).await?;
        println!("created user `{}`", u.username);
        app.ctx.store.close().await;
        Ok(())
    })
}
