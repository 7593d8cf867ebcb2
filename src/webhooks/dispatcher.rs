//! The delivery loop every instance runs (see the module above for the
//! flow): fan the outbox out into deliveries, lease due deliveries, send
//! them, record each attempt.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use diesel::{Connection, PgConnection};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;

use super::{
    backoff,
    events::EventType,
    sealing::SealingKey,
    target::{self, GuardedResolver},
    warnings,
};
use crate::config::WebhookSettings;
use crate::db::{self, PgPool};
use crate::domain::dates::midnight;
use crate::domain::load;
use crate::error::ApiError;
use crate::models::webhook::WebhookRow;
use crate::repo::sessions::{between, load_inputs};
use crate::repo::webhooks::{
    self as repo, AttemptOutcome, DueDelivery, FinishedAttempt, NewDelivery, NextStep, OutboxEvent,
};

/// Each attempt gets this long, connection included (SPEC: 5 s).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// A lease outlives any attempt and its recording; after it, a crashed
/// instance's deliveries are due again.
const LEASE: Duration = Duration::from_secs(30);

/// Finished attempts recorded per transaction, at most.
const RECORD_BATCH: usize = 64;

/// Outbox events fanned out per transaction.
const FAN_OUT_BATCH: i64 = 100;

/// Error texts kept per attempt.
const MAX_ERROR_LEN: usize = 300;

/// The running loop; `stop` ends it gracefully.
pub struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Running {
    /// Stops leasing, lets attempts in flight finish and be recorded (each
    /// ends within its timeout), and gives back leases still held, so that
    /// no delivery waits for a lease to run out after a clean stop.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(ATTEMPT_TIMEOUT * 3, self.task)
            .await
            .is_err()
        {
            tracing::warn!("webhooks: the dispatcher did not stop in time");
        }
    }
}

struct Dispatcher {
    pool: PgPool,
    /// The line in front of the API's connections: while they are all in
    /// use the machine is saturated and deliveries yield (see `run`).
    api_line: db::Line,
    client: reqwest::Client,
    settings: WebhookSettings,
    key: SealingKey,
    /// This instance, as the owner of its leases.
    instance: Uuid,
}

/// Starts the loop on the current runtime. `pool` should be the
/// dispatcher's own, so that it never takes the API's connections;
/// `api_line` is the API pool's line, to yield to.
pub fn start(
    pool: PgPool,
    api_line: db::Line,
    settings: WebhookSettings,
    key: SealingKey,
) -> Running {
    let client = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: settings.allow_private_targets,
        }))
        .user_agent(concat!("runstrong-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook client's settings are valid");
    let dispatcher = Arc::new(Dispatcher {
        pool,
        api_line,
        client,
        settings,
        key,
        instance: Uuid::now_v7(),
    });
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(dispatcher.run(stopped));
    Running { stop, task }
}

impl Dispatcher {
    async fn run(self: Arc<Self>, mut stopped: watch::Receiver<bool>) {
        let permits = Arc::new(Semaphore::new(self.settings.concurrency));
        let mut attempts = JoinSet::new();
        // Bounded: when recording falls behind, attempts wait (holding
        // their permits), so leasing slows down rather than memory growing.
        let (records, finished) = mpsc::channel(RECORD_BATCH * 2);
        let recorder = tokio::spawn(self.clone().record(finished));
        let mut busy = false;
        loop {
            if !busy {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = tokio::time::sleep(self.settings.poll_interval) => {}
                }
            } else if *stopped.borrow() {
                break;
            }
            while attempts.try_join_next().is_some() {}
            let fanned = self.fan_out().await.unwrap_or_else(|error| {
                tracing::warn!(%error, "webhooks: fan-out failed");
                0
            });
            // With most permits taken, wait for attempts to end first, so
            // that each lease takes a batch rather than one delivery at a
            // time (one round trip per lease).
            while permits.available_permits() < self.settings.concurrency.div_ceil(2)
                && !attempts.is_empty()
            {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = attempts.join_next() => {}
                }
            }
            if *stopped.borrow() {
                break;
            }
            let free = permits.available_permits();
            let due = self.lease(free).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "webhooks: leasing deliveries failed");
                Vec::new()
            });
            // With more to do the loop goes round again at once, unless
            // the API's connections are all in use: then the machine is
            // saturated, and deliveries yield to requests — one round per
            // poll interval until connections are free again. Events are
            // late under such a load, never lost; the backlog drains after.
            busy = (fanned as i64 == FAN_OUT_BATCH || (free > 0 && due.len() == free))
                && !self.api_line.saturated();
            for delivery in due {
                let permit = permits
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                let (dispatcher, records) = (self.clone(), records.clone());
                attempts.spawn(async move {
                    dispatcher.attempt(delivery, records).await;
                    drop(permit);
                });
            }
        }
        // Attempts in flight end within their timeout; then what is left
        // is given back.
        let drained = tokio::time::timeout(ATTEMPT_TIMEOUT * 2, async {
            while attempts.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            attempts.abort_all();
        }
        // The recorder ends once it has written what the attempts sent.
        drop(records);
        attempts.shutdown().await;
        if recorder.await.is_err() {
            tracing::warn!("webhooks: the recorder stopped abnormally");
        }
        let instance = self.instance;
        match db::run(&self.pool, move |c| {
            repo::release_leases(c, instance).map_err(ApiError::from)
        })
        .await
        {
            Ok(0) => {}
            Ok(released) => tracing::info!(released, "webhooks: leases given back at stop"),
            Err(error) => tracing::warn!(%error, "webhooks: leases not given back"),
        }
    }

    async fn fan_out(&self) -> Result<usize, ApiError> {
        db::run(&self.pool, |connection| {
            connection.transaction(|connection| {
                let events = repo::fan_out_batch(connection, FAN_OUT_BATCH)?;
                for event in events.iter().filter(|e| e.wants_warnings) {
                    announce_warnings(connection, event, Utc::now().date_naive())?;
                }
                Ok(events.len())
            })
        })
        .await
    }

    /// Leases up to `limit` due deliveries, each with whether its
    /// subscriber may still read the athlete.
    async fn lease(&self, limit: usize) -> Result<Vec<DueDelivery>, ApiError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let instance = self.instance;
        db::run(&self.pool, move |connection| {
            repo::lease_due(connection, instance, limit as i64, LEASE).map_err(ApiError::from)
        })
        .await
    }

    async fn attempt(&self, delivery: DueDelivery, records: mpsc::Sender<FinishedAttempt>) {
        let attempted_at = Utc::now();
        let outcome = if delivery.readable {
            let sent = self.send(&delivery, attempted_at).await;
            self.judge(&delivery, attempted_at, sent)
        } else {
            // A revoked grant stops delivery at once, retries included.
            AttemptOutcome {
                attempted_at,
                status_code: None,
                error: Some("not sent: the subscriber may no longer read this athlete".into()),
                next: NextStep::GiveUp,
            }
        };
        let finished = FinishedAttempt {
            webhook_id: delivery.webhook_id,
            delivery_id: delivery.id,
            attempt: delivery.attempts + 1,
            outcome,
        };
        if records.send(finished).await.is_err() {
            // Only at a stop that gave up waiting: the lease runs out and
            // another attempt follows (at least once).
            tracing::warn!("webhooks: an attempt was not recorded");
        }
    }

    /// Records finished attempts as they come, in batches of what has
    /// piled up meanwhile (one transaction each), until every sender is
    /// gone.
    async fn record(self: Arc<Self>, mut finished: mpsc::Receiver<FinishedAttempt>) {
        let mut batch = Vec::with_capacity(RECORD_BATCH);
        while finished.recv_many(&mut batch, RECORD_BATCH).await > 0 {
            let attempts = std::mem::take(&mut batch);
            let recorded = db::run(&self.pool, move |connection| {
                repo::record_attempts(connection, &attempts).map_err(ApiError::from)
            })
            .await;
            if let Err(error) = recorded {
                // Their leases run out and other attempts follow, with the
                // same ids: at least once.
                tracing::warn!(%error, "webhooks: attempts were not recorded");
            }
        }
    }

    /// One POST: the status code, or why there was none.
    async fn send(&self, delivery: &DueDelivery, at: DateTime<Utc>) -> Result<u16, String> {
        let secret = self
            .key
            .open(delivery.webhook_id, &delivery.secret_sealed)
            .map_err(|error| error.to_string())?;
        let url = target::parse(&delivery.url).map_err(|error| error.to_string())?;
        if let Some(address) = target::literal_address(&url)
            && !self.settings.allow_private_targets
            && !target::is_public(address)
        {
            return Err(target::TargetError::NotPublic(address).to_string());
        }
        let message_id = message_id(delivery.id);
        let timestamp = at.timestamp();
        let signature = secret.sign(&message_id, timestamp, delivery.body.as_bytes());
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(describe)?;
        Ok(response.status().as_u16())
    }

    fn judge(
        &self,
        delivery: &DueDelivery,
        attempted_at: DateTime<Utc>,
        sent: Result<u16, String>,
    ) -> AttemptOutcome {
        let (status_code, error) = match sent {
            Ok(code) if (200..300).contains(&code) => {
                return AttemptOutcome {
                    attempted_at,
                    status_code: Some(code),
                    error: None,
                    next: NextStep::Delivered,
                };
            }
            Ok(code) => (Some(code), None),
            Err(error) => (None, Some(truncate(error))),
        };
        let failures = (delivery.attempts + 1).max(1) as u32;
        let delay =
            backoff::retry_delay(self.settings.retry_base, failures, backoff::random_unit());
        let retry_at = attempted_at + delay;
        let give_up_at = delivery.created_at + self.settings.give_up_after;
        AttemptOutcome {
            attempted_at,
            status_code,
            error,
            next: if retry_at > give_up_at {
                NextStep::GiveUp
            } else {
                NextStep::RetryAt(retry_at)
            },
        }
    }
}

/// The `webhook-id` of a delivery, the same on every retry.
pub fn message_id(delivery_id: Uuid) -> String {
    format!("msg_{}", delivery_id.simple())
}

/// A send error with its causes (reqwest's own text says little).
fn describe(error: reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        format!("timed out after {} s", ATTEMPT_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn truncate(mut text: String) -> String {
    if text.len() > MAX_ERROR_LEN {
        let mut end = MAX_ERROR_LEN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The body of an event, as signed and sent.
fn body(event_type: &str, at: DateTime<Utc>, data: &serde_json::Value) -> String {
    serde_json::json!({
        "type": event_type,
        "timestamp": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// `load.warning` deliveries for the warnings a change to the sessions
/// brought, to the subscriptions of readers of the athlete that want them
/// (the other events of the batch were fanned out in SQL).
fn announce_warnings(
    connection: &mut PgConnection,
    event: &OutboxEvent,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let readers = repo::readers_of(connection, event.athlete_id)?;
    let warned: Vec<WebhookRow> = repo::subscriptions_of(connection, &readers)?
        .into_iter()
        .filter(|s| {
            s.events
                .iter()
                .any(|e| e == EventType::LoadWarning.as_str())
        })
        .collect();
    if warned.is_empty() {
        return Ok(());
    }
    let mut deliveries = Vec::new();
    for warning in new_warnings(connection, event, today)? {
        for subscription in &warned {
            deliveries.push(NewDelivery {
                webhook_id: subscription.id,
                id: Uuid::now_v7(),
                athlete_id: event.athlete_id,
                event_type: EventType::LoadWarning.as_str().to_owned(),
                body: body(EventType::LoadWarning.as_str(), event.occurred_at, &warning),
            });
        }
    }
    repo::insert_deliveries(connection, &deliveries).map_err(ApiError::from)
}

/// The warnings the change brought, marked as announced; each as the
/// `data` of a `load.warning` event.
fn new_warnings(
    connection: &mut PgConnection,
    event: &OutboxEvent,
    today: NaiveDate,
) -> Result<Vec<serde_json::Value>, ApiError> {
    let Some(session_date) = event.data["date"]
        .as_str()
        .and_then(|date| date.parse::<NaiveDate>().ok())
    else {
        return Ok(Vec::new());
    };
    let (history_start, from, to) = warnings::window(session_date, today);
    let sessions = between(
        connection,
        crate::ids::AthleteId::from(event.athlete_id),
        midnight(history_start),
        midnight(to + chrono::Duration::days(1)),
    )?;
    let inputs = load_inputs(connection, &sessions)?;
    let report = load::report(&inputs, history_start, from, to);
    let announced: HashSet<(String, NaiveDate)> =
        repo::announced_warnings(connection, event.athlete_id, from, to)?
            .into_iter()
            .collect();
    let mut data = Vec::new();
    for warning in warnings::unannounced(&report.warnings, &announced) {
        let kind = warnings::warning_kind(warning);
        repo::announce_warning(connection, event.athlete_id, &kind, warning.date)?;
        data.push(serde_json::json!({
            "athlete_id": event.athlete_id,
            "warning_id": warnings::warning_id(warning),
            "kind": kind,
            "date": warning.date,
            "message": warning.message,
            "session_id": event.data["session_id"],
        }));
    }
    Ok(data)
}
