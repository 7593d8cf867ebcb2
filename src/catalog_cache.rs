//! The global exercise catalog, held in memory.
//!
//! The catalog is small (about a hundred exercises) and read far more often
//! than it changes, so anonymous catalog reads and plan previews are served
//! from a snapshot instead of the database: each exercise is kept already
//! rendered as JSON with its ETag, and list pages are rendered once and
//! kept until the catalog changes.
//!
//! Consistency across instances: a trigger on `exercises` sends
//! `NOTIFY runstrong_catalog` on every change (migration 000006), and each
//! instance keeps one connection listening for it. A notification, or a
//! write through this instance, drops the snapshot; the next read loads a
//! fresh one. While the listening connection is down (database restart,
//! start-up), nothing is served from memory: reads go to the database as
//! if there were no cache, so a change can never be missed, only seen at
//! most one poll interval late on another instance.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use actix_web::web::Bytes;
use diesel::RunQueryDsl;

use crate::db::{self, PgPool};
use crate::domain::catalog::Exercise;
use crate::domain::plan::catalog::PlanCatalog;
use crate::error::ApiError;
use crate::http::etag::strong_etag;
use crate::repo::exercises as repo;

/// The channel the `exercises` trigger notifies.
pub const CHANNEL: &str = "runstrong_catalog";

/// How often the listening connection is read. Changes made through another
/// instance show here at most this late.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// How long to wait before reconnecting a lost listening connection.
const RECONNECT_DELAY: Duration = Duration::from_millis(500);

/// How often the listening connection is checked with a query, so that a
/// connection that died silently is noticed.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);

/// Rendered list pages kept per snapshot; past this, pages are rendered
/// per request (query strings are client-chosen, so the map is bounded).
const MAX_CACHED_PAGES: usize = 1024;

/// A JSON body and its strong ETag, ready to send.
#[derive(Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
}

impl Rendered {
    pub fn json<T: serde::Serialize>(value: &T) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
        Ok(Rendered {
            etag: strong_etag(&body),
            body: Bytes::from(body),
        })
    }
}

/// The global catalog at one moment.
pub struct CatalogSnapshot {
    /// In slug order, indexed by slug and id; also what plans are built from.
    catalog: Arc<PlanCatalog>,
    /// `rendered[i]` is `catalog.exercises()[i]` as JSON.
    rendered: Vec<Rendered>,
    /// Slug and id (as text) to index.
    by_key: HashMap<String, usize>,
    pages: Mutex<HashMap<String, Rendered>>,
}

impl CatalogSnapshot {
    fn new(exercises: Vec<Exercise>) -> Result<Self, ApiError> {
        let catalog = PlanCatalog::new(exercises);
        let rendered = catalog
            .exercises()
            .iter()
            .map(Rendered::json)
            .collect::<Result<_, _>>()?;
        let by_key = catalog
            .exercises()
            .iter()
            .enumerate()
            .flat_map(|(index, e)| {
                [
                    (e.definition.slug.clone(), index),
                    (e.id.to_string(), index),
                ]
            })
            .collect();
        Ok(CatalogSnapshot {
            catalog: Arc::new(catalog),
            rendered,
            by_key,
            pages: Mutex::new(HashMap::new()),
        })
    }

    pub fn plan_catalog(&self) -> Arc<PlanCatalog> {
        Arc::clone(&self.catalog)
    }

    /// The rendered exercise with this id (lower-case hyphenated, as ids
    /// are written) or slug.
    pub fn exercise(&self, key: &str) -> Option<&Rendered> {
        let index = match uuid::Uuid::parse_str(key) {
            Ok(id) => self.by_key.get(&id.to_string()),
            Err(_) => self.by_key.get(key),
        }?;
        self.rendered.get(*index)
    }

    pub fn exercises(&self) -> &[Exercise] {
        self.catalog.exercises()
    }

    /// A list page rendered earlier for the same query, or `render`'s
    /// result, kept for next time.
    pub fn page(
        &self,
        query: &str,
        render: impl FnOnce(&[Exercise]) -> Result<Rendered, ApiError>,
    ) -> Result<Rendered, ApiError> {
        if let Some(page) = self.pages().get(query) {
            return Ok(page.clone());
        }
        let page = render(self.exercises())?;
        let mut pages = self.pages();
        if pages.len() < MAX_CACHED_PAGES {
            pages.insert(query.to_owned(), page.clone());
        }
        Ok(page)
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, HashMap<String, Rendered>> {
        // A panic while holding the lock leaves a map that is still valid.
        self.pages
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The shared cache: the current snapshot, if any, and whether it may be
/// trusted (the listening connection is up).
#[derive(Default)]
pub struct CatalogCache {
    snapshot: RwLock<Option<Arc<CatalogSnapshot>>>,
    /// Bumped by every invalidation, so that a load that raced with a
    /// change is not kept.
    generation: AtomicU64,
    listening: AtomicBool,
    /// Set when the server stops: the listening thread ends.
    stopped: AtomicBool,
    /// Held while a snapshot loads, so that a burst of requests after a
    /// change loads it once rather than once per request.
    loading: tokio::sync::Mutex<()>,
}

impl CatalogCache {
    /// Starts the listening thread; until it has connected, every read
    /// goes to the database.
    pub fn start(database_url: String) -> Arc<Self> {
        let cache = Arc::new(CatalogCache::default());
        let listener = Arc::clone(&cache);
        std::thread::Builder::new()
            .name("catalog-listener".to_owned())
            .spawn(move || listener.listen_forever(&database_url))
            .expect("spawn the catalog listener thread");
        cache
    }

    /// Ends the listening thread (within one poll interval) and stops
    /// serving from memory.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.listening.store(false, Ordering::SeqCst);
    }

    /// Drops the snapshot: the catalog changed (here or elsewhere).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.write_slot() = None;
    }

    /// The current snapshot, loading one when needed; `None` while the
    /// cache cannot be trusted (read the database instead).
    pub async fn snapshot(&self, pool: &PgPool) -> Result<Option<Arc<CatalogSnapshot>>, ApiError> {
        if !self.listening.load(Ordering::SeqCst) {
            return Ok(None);
        }
        if let Some(snapshot) = self.read_slot().clone() {
            return Ok(Some(snapshot));
        }
        let _loading = self.loading.lock().await;
        // Another request may have loaded it while this one waited.
        if let Some(snapshot) = self.read_slot().clone() {
            return Ok(Some(snapshot));
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let exercises = db::run(pool, |connection| {
            repo::all(connection, None).map_err(ApiError::from)
        })
        .await?;
        let snapshot = Arc::new(CatalogSnapshot::new(exercises)?);
        let mut slot = self.write_slot();
        // Keep it only if nothing changed while it was loading and the
        // listener is still up; either way this request may use it, as a
        // database read started at the same moment would have.
        if self.generation.load(Ordering::SeqCst) == generation
            && self.listening.load(Ordering::SeqCst)
        {
            *slot = Some(Arc::clone(&snapshot));
        }
        Ok(Some(snapshot))
    }

    fn read_slot(&self) -> std::sync::RwLockReadGuard<'_, Option<Arc<CatalogSnapshot>>> {
        self.snapshot.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_slot(&self) -> std::sync::RwLockWriteGuard<'_, Option<Arc<CatalogSnapshot>>> {
        self.snapshot.write().unwrap_or_else(|p| p.into_inner())
    }

    fn listen_forever(&self, database_url: &str) {
        while !self.stopped.load(Ordering::SeqCst) {
            if let Err(error) = self.listen(database_url) {
                tracing::warn!(%error, "catalog listener lost its connection");
            }
            self.listening.store(false, Ordering::SeqCst);
            self.invalidate();
            std::thread::sleep(RECONNECT_DELAY);
        }
    }

    /// Listens until the connection fails or the server stops. Changes
    /// missed while it was down are covered by invalidating once listening
    /// has begun.
    fn listen(&self, database_url: &str) -> Result<(), diesel::result::Error> {
        let mut connection = db::establish(database_url)
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
        diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut connection)?;
        self.invalidate();
        if self.stopped.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.listening.store(true, Ordering::SeqCst);
        let mut since_keepalive = Duration::ZERO;
        while !self.stopped.load(Ordering::SeqCst) {
            let mut changed = false;
            for notification in connection.notifications_iter() {
                notification?;
                changed = true;
            }
            if changed {
                self.invalidate();
            }
            std::thread::sleep(POLL_INTERVAL);
            since_keepalive += POLL_INTERVAL;
            if since_keepalive >= KEEPALIVE_INTERVAL {
                diesel::sql_query("SELECT 1").execute(&mut connection)?;
                since_keepalive = Duration::ZERO;
            }
        }
        Ok(())
    }
}
