//! Builds a running instance: prepares the database, then starts the HTTP
//! server on the configured address.

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, middleware::from_fn, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    api,
    auth::hashing_gate::HashingGate,
    catalog_cache::CatalogCache,
    config::Config,
    db::{self, PgPool, prepare::PrepareError, reads::Reads},
    http::{extract, fallback, hardening, metrics, request_id},
    openapi, repo, retention,
    webhooks::{dispatcher, sealing::SealingKey},
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] PrepareError),
    #[error("cannot read the webhook sealing key: {0}")]
    SealingKey(String),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
}

/// A started server and the port it listens on.
pub struct Application {
    port: u16,
    server: Server,
    /// The pool the workers share; closed by `run_until_stopped`.
    pool: web::Data<PgPool>,
    /// The read router (and the replica's pool), closed likewise.
    reads: web::Data<Reads>,
    /// Its listening thread ends with the server.
    catalog: web::Data<CatalogCache>,
    /// The periodic purge of expired rows; aborted when the server stops.
    retention: tokio::task::JoinHandle<()>,
    /// The read replica's health check, when one is configured; aborted
    /// with the purge.
    replica_check: Option<tokio::task::JoinHandle<()>>,
    /// Webhook delivery; stopped gracefully after the server.
    webhooks: dispatcher::Running,
}

impl Application {
    /// Prepares the database (create, migrate, seed) and binds the listener.
    /// The server runs once `run_until_stopped` is awaited.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        // On the direct URL: advisory locks, CREATE DATABASE and long
        // migrations need a session of their own (see `db::prepare`).
        let url = config.direct_database_url().to_owned();
        let behind_pooler = !config.prepared_statements;
        let statement_timeout = config.statement_timeout;
        tokio::task::spawn_blocking(move || {
            db::prepare::prepare_database(&url)?;
            if behind_pooler {
                db::prepare::store_session_limits(&url, statement_timeout, db::LOCK_TIMEOUT)?;
            }
            Ok::<_, PrepareError>(())
        })
        .await
        .expect("database preparation does not panic")?;
        let pool = web::Data::new(db::build_pool(&config));
        let sealing_key = sealing_key(&config, pool.get_ref()).await?;
        let listener = TcpListener::bind(config.listen_addr)?;
        let port = listener.local_addr()?.port();
        // LISTEN needs a session of its own too: through a transaction
        // pooler it would land on a server connection that serves other
        // clients next, and notifications would never come back here.
        let catalog = web::Data::from(CatalogCache::start(config.direct_database_url().to_owned()));
        let (reads, replica_check) = Reads::new(&config, pool.get_ref().clone());
        let reads = web::Data::new(reads);
        let server = serve(
            listener,
            pool.clone(),
            reads.clone(),
            catalog.clone(),
            web::Data::new(sealing_key.clone()),
            &config,
        )?;
        let retention = retention::start(
            pool.get_ref().clone(),
            config.retention_interval,
            config.idempotency_retention,
        );
        let webhooks = dispatcher::start(
            db::build_pool(&dispatcher_pool_config(&config)),
            pool.line(),
            config.webhooks.clone(),
            sealing_key,
        );
        tracing::info!(address = %listener_address(&config, port), "runstrong is listening");
        Ok(Application {
            port,
            server,
            pool,
            reads,
            catalog,
            retention,
            replica_check,
            webhooks,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere (tests, signals).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM / Ctrl-C, then stops accepting and lets
    /// in-flight requests finish (up to the shutdown timeout).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let signals = tokio::spawn(stop_gracefully_on_signal(self.server.handle()));
        let result = self.server.await;
        self.retention.abort();
        if let Some(check) = &self.replica_check {
            check.abort();
        }
        self.webhooks.stop().await;
        self.catalog.stop();
        close_when_released(self.reads).await;
        close_when_released(self.pool).await;
        signals.abort();
        result
    }
}

/// The key that seals webhook secrets: the configured one, or (for
/// development) one kept in the database, with a warning.
async fn sealing_key(config: &Config, pool: &PgPool) -> Result<SealingKey, StartupError> {
    if let Some(key) = config.webhooks.secret_key {
        return Ok(SealingKey::new(key));
    }
    tracing::warn!(
        "RUNSTRONG_WEBHOOK_SECRET_KEY is not set: webhook secrets are sealed with a key kept \
         in the database itself; set it in production"
    );
    let stored = db::run(pool, |connection| {
        Ok(repo::webhooks::stored_sealing_key(connection)?)
    })
    .await
    .map_err(|error| StartupError::SealingKey(error.to_string()))?;
    Ok(SealingKey::new(stored))
}

/// The dispatcher's own two connections: its short transactions never
/// wait behind (or hold up) the API's requests.
fn dispatcher_pool_config(config: &Config) -> Config {
    Config {
        pool_size: 2,
        pool_queue: 0,
        ..config.clone()
    }
}

/// Closes the pooled connections here, before the process exits, rather
/// than in whichever worker thread happens to drop the pool last: libpq
/// closing TLS connections on a worker thread while the main thread runs
/// OpenSSL's exit handlers aborted the process now and then ("double
/// free or corruption") after a clean stop. The workers let go of the pool
/// as their threads end; this waits (briefly) for that.
async fn close_when_released<T>(shared: web::Data<T>) {
    let pool = shared.into_inner();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::sync::Arc::strong_count(&pool) > 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    if std::sync::Arc::strong_count(&pool) > 1 {
        tracing::warn!("workers still hold the database pool at exit");
    }
    drop(pool);
}

/// SIGTERM and SIGINT (Ctrl-C) both stop the server gracefully: it stops
/// accepting and lets in-flight requests finish. actix's own signal
/// handling treats SIGINT as a forced stop that cuts in-flight requests
/// off, so it is disabled in `serve`. A second signal exits at once.
async fn stop_gracefully_on_signal(handle: actix_web::dev::ServerHandle) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for SIGTERM/SIGINT; stop the process with SIGKILL");
        return;
    };
    let received = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    };
    tracing::info!(
        signal = received,
        "stopping: no new connections, finishing in-flight requests"
    );
    let graceful = handle.stop(true);
    tokio::select! {
        _ = graceful => {}
        _ = term.recv() => exit_now(),
        _ = interrupt.recv() => exit_now(),
    }
}

/// actix ignores a forced stop once a graceful one is under way, so the
/// second signal ends the process itself (in-flight requests are cut off,
/// as the operator asked; exit status 1).
fn exit_now() -> ! {
    tracing::warn!("second signal: exiting now, in-flight requests are cut off");
    std::process::exit(1);
}

fn listener_address(config: &Config, port: u16) -> String {
    format!("{}:{port}", config.listen_addr.ip())
}

fn serve(
    listener: TcpListener,
    pool: web::Data<PgPool>,
    reads: web::Data<Reads>,
    catalog: web::Data<CatalogCache>,
    sealing_key: web::Data<SealingKey>,
    config: &Config,
) -> std::io::Result<Server> {
    let spec = openapi::document();
    let known_routes = web::Data::new(fallback::KnownRoutes::from_spec(&spec));
    let document = web::Data::new(openapi::ServedDocument::new(&spec));
    drop(spec);
    let metrics = web::Data::new(metrics::Metrics::new());
    metrics.register(Box::new(reads.routed_counter()));
    let settings = web::Data::new(config.clone());
    // One gate for the whole instance: the cap counts across workers.
    let hashing_gate = web::Data::new(HashingGate::new(config.hashing_concurrency));
    let body_limit = config.body_limit_bytes;
    let body_timeout = extract::BodyTimeout(config.body_timeout);
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .app_data(pool.clone())
            .app_data(reads.clone())
            .app_data(catalog.clone())
            .app_data(sealing_key.clone())
            .app_data(metrics.clone())
            .app_data(settings.clone())
            .app_data(known_routes.clone())
            .app_data(hashing_gate.clone())
            .app_data(extract::query_config())
            .app_data(extract::path_config())
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(body_timeout)
            // Outermost last: request ids, then metrics (which see the
            // method as sent), then the edge rules.
            .wrap(from_fn(hardening::middleware))
            .wrap(from_fn(metrics::middleware))
            .wrap(from_fn(request_id::middleware))
            .into_utoipa_app()
            .configure(api::routes)
            .split_for_parts();
        app.service(web::redirect("/docs", "/docs/"))
            .app_data(document.clone())
            .route("/openapi.json", web::get().to(openapi::serve_document))
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .config(utoipa_swagger_ui::Config::from("/openapi.json")),
            )
            .default_service(web::to(fallback::fallback))
    })
    .listen(listener)?
    .shutdown_timeout(config.shutdown_timeout.as_secs())
    // Signals are handled in `run_until_stopped`, both gracefully.
    .disable_signals();
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    // Database work and plan generation run on each worker's blocking
    // threads. actix allows 512 / workers of them, each with its own stack
    // and allocations, though past the pool size they only wait for a
    // connection: pool size + 2 per worker lets one worker use the whole
    // pool and still have threads for CPU-only work (plans). With a read
    // replica, its pool (as large) may be in use at the same time.
    let pools = if config.replica_url.is_some() { 2 } else { 1 };
    server = server.worker_max_blocking_threads(pools * config.pool_size as usize + 2);
    Ok(server.run())
}
