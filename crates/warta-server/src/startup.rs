//! Build the application, bind the port, start the workers.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Context;
use warta_engine::ModelPool;
use warta_models::ModelStore;
use warta_site::{Messages, Site};
use warta_store::Store;

use crate::configuration::Config;
use crate::page_cache::PageCache;
use crate::worker::{Metrics, WorkerContext, Workers};

/// Everything a request handler needs.
pub struct App {
    pub ctx: Arc<WorkerContext>,
    pub site: Site,
    /// Rendered public pages, current for the store's site generation.
    pub pages: PageCache,
}

/// A running server: its address and how to stop it.
pub struct AppHandle {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    server: tokio::task::JoinHandle<()>,
    workers: Workers,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl App {
    /// Connect the database (running migrations) and prepare the site.
    pub async fn build(config: Config) -> anyhow::Result<Arc<App>> {
        if config.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("creating data directory {}", config.data_dir.display())
            })?;
        }
        let opts = warta_store::StoreOptions {
            max_attempts: u32::try_from(config.max_attempts).unwrap_or(5),
            ..Default::default()
        };
        let store = Store::connect_with(&config.database_url, &opts)
            .await
            .context("opening the database")?;
        let messages = Messages::builtin()
            .with_overrides(&config.messages)
            .context("config [messages]")?;
        let site = Site::new(
            &config.site_name,
            &config.base_url,
            config.source,
            &config.languages(),
            messages,
        )
        .context("config base_url")?;
        let pool = Arc::new(ModelPool::new(
            ModelStore::open(&config.models_dir),
            config.threads,
        ));
        let pages = PageCache::new(config.page_cache_bytes);
        let ctx = Arc::new(WorkerContext {
            store,
            pool,
            config,
            wake: tokio::sync::Notify::new(),
            settled: tokio::sync::watch::Sender::new(0),
            metrics: Metrics::default(),
            shutdown: Default::default(),
        });
        Ok(Arc::new(App { ctx, site, pages }))
    }

    pub fn config(&self) -> &Config {
        &self.ctx.config
    }
}

impl AppHandle {
    /// Bind `config.listen` (port 0 picks a free port) and serve, with
    /// `workers` in-process translation workers (0 for an API-only node).
    pub async fn start(app: Arc<App>, workers: usize) -> anyhow::Result<AppHandle> {
        let listener = tokio::net::TcpListener::bind(app.config().listen)
            .await
            .with_context(|| format!("binding {}", app.config().listen))?;
        let addr = listener.local_addr()?;
        let router = crate::routes::router(app.clone());
        let (tx, mut rx) = tokio::sync::watch::channel(false);
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.changed().await;
            };
            // With connect info: the login throttle counts per client address.
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            if let Err(e) = axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!("server: {e}");
            }
        });
        let handle = tokio::runtime::Handle::current();
        let workers = Workers::start(app.ctx.clone(), workers, worker_prefix(), handle)
            .context("starting workers")?;
        start_webhook_delivery(&app.ctx);
        Ok(AppHandle {
            addr,
            app,
            server,
            workers,
            shutdown: tx,
        })
    }

    /// Stop serving, let workers finish their current batch, close the pool.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        self.app.ctx.shutdown.store(true, Ordering::Relaxed);
        self.app.ctx.wake.notify_waiters();
        let _ = self.server.await;
        let workers = self.workers;
        let _ = tokio::task::spawn_blocking(move || workers.join()).await;
        self.app.ctx.store.close().await;
    }
}

/// Every node sends webhook deliveries (leased, so each is sent by one).
fn start_webhook_delivery(ctx: &Arc<WorkerContext>) {
    if !ctx.config.webhooks.is_empty() {
        tokio::spawn(crate::webhooks::deliver_loop(
            ctx.clone(),
            format!("{}-webhooks", worker_prefix()),
        ));
    }
}

/// A worker name unique across processes and machines: host and pid.
pub fn worker_prefix() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}-{}", std::process::id())
}

/// Run translation workers only (`warta worker`), until `shutdown` resolves.
pub async fn run_workers(
    app: Arc<App>,
    n: usize,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let handle = tokio::runtime::Handle::current();
    let workers = Workers::start(app.ctx.clone(), n.max(1), worker_prefix(), handle)
        .context("starting workers")?;
    start_webhook_delivery(&app.ctx);
    shutdown.await;
    app.ctx.shutdown.store(true, Ordering::Relaxed);
    app.ctx.wake.notify_waiters();
    let _ = tokio::task::spawn_blocking(move || workers.join()).await;
    app.ctx.store.close().await;
    Ok(())
}
