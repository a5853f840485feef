//! Build the application, bind the port, start the workers.
//!
//! The HTTP server is hyper's HTTP/1.1 connection builder under an accept
//! loop of our own rather than `axum::serve`, because `axum::serve` runs
//! hyper without a timer, which silently turns off the header-read timeout:
//! a client that never finishes its headers would hold its connection
//! forever. Here every connection has a header-read timeout (which is also
//! the idle time of a kept-alive connection), the connections served at
//! once are capped (the accept loop waits for a free slot; further clients
//! wait in the kernel's queue), and the router adds request and body
//! timeouts (`[http]` in the config, README "Security"). HTTP/2 and TLS are
//! the reverse proxy's business.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;
use warta_engine::ModelPool;
use warta_models::ModelStore;
use warta_site::{Messages, Site};
use warta_store::Store;

use crate::clock::Clock;
use crate::configuration::{Config, HttpSettings};
use crate::page_cache::PageCache;
use crate::routes::login_throttle::LoginThrottle;
use crate::routes::site::SitemapParts;
use crate::worker::{Metrics, WorkerContext, Workers};

/// How often expired sessions and ended login-attempt windows are deleted.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Everything a request handler needs.
pub struct App {
    pub ctx: Arc<WorkerContext>,
    pub site: Site,
    /// Rendered public pages, current for the store's site generation.
    pub pages: PageCache,
    /// How many files the sitemap has, per site generation.
    pub sitemap_parts: SitemapParts,
    /// The admin login throttle of this node.
    pub logins: LoginThrottle,
    /// Rounds of the housekeeping sweep done since start (expired sessions,
    /// ended login windows); a watch, so a test can wait for one.
    pub sweeps: tokio::sync::watch::Sender<u64>,
    /// What the page cache's TTL and `/healthz`'s queue age are timed by.
    pub clock: Clock,
    /// `listen` bound early when it asked for any free port (port 0) and
    /// `base_url` was left to follow it: the links in pages and feeds must
    /// name the port actually bound. [`AppHandle::start`] serves on it.
    bound: std::sync::Mutex<Option<tokio::net::TcpListener>>,
}

/// A running server: its address and how to stop it.
pub struct AppHandle {
    pub addr: SocketAddr,
    /// Where `/metrics` is served when `metrics_listen` is set (port 0
    /// there picks a free port too).
    pub metrics_addr: Option<SocketAddr>,
    pub app: Arc<App>,
    server: tokio::task::JoinHandle<()>,
    metrics_server: Option<tokio::task::JoinHandle<()>>,
    workers: Workers,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl App {
    /// Connect the database (running migrations) and prepare the site.
    pub async fn build(mut config: Config) -> anyhow::Result<Arc<App>> {
        let bound = if config.listen.port() == 0
            && config.base_url == format!("http://{}", config.listen)
        {
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("binding {}", config.listen))?;
            config.base_url = format!("http://{}", listener.local_addr()?);
            Some(listener)
        } else {
            None
        };
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
        let clock = Clock::default();
        let pages = PageCache::new(config.page_cache_bytes, clock.clone());
        let logins = LoginThrottle::new(&config.limits);
        let ctx = Arc::new(WorkerContext {
            store,
            pool,
            config,
            wake: tokio::sync::Notify::new(),
            settled: tokio::sync::watch::Sender::new(0),
            metrics: Metrics::default(),
            shutdown: Default::default(),
        });
        Ok(Arc::new(App {
            ctx,
            site,
            pages,
            sitemap_parts: SitemapParts::default(),
            logins,
            sweeps: tokio::sync::watch::Sender::new(0),
            clock,
            bound: std::sync::Mutex::new(bound),
        }))
    }

    pub fn config(&self) -> &Config {
        &self.ctx.config
    }

    /// The client's address: the connection's peer, or what a trusted
    /// proxy says the client is ([`crate::client_addr`]).
    pub fn client_addr(&self, headers: &HeaderMap, ext: &Extensions) -> IpAddr {
        let peer = ext
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ci| ci.0.ip());
        self.config().http.proxies.client(peer, headers)
    }
}

impl AppHandle {
    /// Bind `config.listen` (port 0 picks a free port) and serve, with
    /// `workers` in-process translation workers (0 for an API-only node).
    pub async fn start(app: Arc<App>, workers: usize) -> anyhow::Result<AppHandle> {
        let early = app.bound.lock().expect("bound listener lock").take();
        let listener = match early {
            Some(l) => l,
            None => tokio::net::TcpListener::bind(app.config().listen)
                .await
                .with_context(|| format!("binding {}", app.config().listen))?,
        };
        let addr = listener.local_addr()?;
        let metrics_listener = match app.config().metrics_listen {
            Some(a) => Some(
                tokio::net::TcpListener::bind(a)
                    .await
                    .with_context(|| format!("binding metrics_listen {a}"))?,
            ),
            None => None,
        };
        let metrics_addr = match &metrics_listener {
            Some(l) => Some(l.local_addr()?),
            None => None,
        };
        raise_open_files_limit(app.config().http.max_connections);
        let (tx, rx) = tokio::sync::watch::channel(false);
        let http = app.config().http.clone();
        let server = tokio::spawn(serve(
            listener,
            crate::routes::router(app.clone()),
            http.clone(),
            rx.clone(),
        ));
        let metrics_server = metrics_listener.map(|l| {
            tokio::spawn(serve(
                l,
                crate::routes::metrics_router(app.clone()),
                http,
                rx.clone(),
            ))
        });
        let handle = tokio::runtime::Handle::current();
        let workers = Workers::start(app.ctx.clone(), workers, worker_prefix(), handle)
            .context("starting workers")?;
        start_webhook_delivery(&app.ctx);
        tokio::spawn(sweep_loop(app.clone(), rx));
        Ok(AppHandle {
            addr,
            metrics_addr,
            app,
            server,
            metrics_server,
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
        if let Some(m) = self.metrics_server {
            let _ = m.await;
        }
        let workers = self.workers;
        let _ = tokio::task::spawn_blocking(move || workers.join()).await;
        self.app.ctx.store.close().await;
    }
}

/// Serve `router` on `listener` until `shutdown` turns true, then stop
/// accepting, let the requests in flight finish (up to the request
/// timeout) and return. See the module docs for the timeouts and the cap.
async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    http: HttpSettings,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(http.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(http.header_read_timeout);
    loop {
        // A slot first: at the cap, the next client waits in the kernel's
        // accept queue rather than being accepted and starved.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = stopped(&mut shutdown) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            _ = stopped(&mut shutdown) => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        // The peer address for handlers, as axum's `ConnectInfo`.
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are the client's (reset, header timeout, garbage).
            if let Err(e) = conn.await {
                tracing::debug!(%peer, "connection: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(http.request_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the request timeout; closing");
    }
}

/// Resolves once `shutdown` turns true (or its sender is gone).
async fn stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// After a failed accept: errors of one connection (the client gave up) are
/// nothing; running out of file descriptors or memory gets a pause, so the
/// loop does not spin while connections close (as axum::serve does).
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    ) {
        return;
    }
    tracing::error!("accepting a connection: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Each connection is a file descriptor: make sure the process may open
/// `max_connections` of them plus its own files, raising the soft limit
/// towards the hard one (as Go's runtime does at start) when it is lower.
fn raise_open_files_limit(max_connections: usize) {
    let wanted = u64::try_from(max_connections)
        .unwrap_or(u64::MAX)
        .saturating_add(256);
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 || lim.rlim_cur >= wanted {
            return;
        }
        let target = wanted.min(lim.rlim_max);
        if target > lim.rlim_cur {
            lim.rlim_cur = target;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
    if lim.rlim_cur < wanted {
        tracing::warn!(
            open_files = lim.rlim_cur,
            max_connections,
            "the open-files limit is below http.max_connections; raise it (ulimit -n) or lower the cap"
        );
    }
}

/// Delete expired sessions and ended login-attempt windows: once at start,
/// then every [`SWEEP_INTERVAL`], until shutdown. Each round is two indexed
/// deletes; every node runs it, and a round that finds nothing costs nothing.
async fn sweep_loop(app: Arc<App>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let store = &app.ctx.store;
    let window = Duration::from_secs(app.config().limits.login_window_secs);
    loop {
        match store.delete_expired_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "deleted expired sessions"),
            Err(e) => tracing::warn!("deleting expired sessions: {e}"),
        }
        if let Err(e) = store.delete_stale_login_attempts(window).await {
            tracing::warn!("deleting ended login-attempt windows: {e}");
        }
        app.sweeps.send_modify(|n| *n += 1);
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_INTERVAL) => {}
            _ = stopped(&mut shutdown) => return,
        }
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
