//! First come, first served admission to the connection pool.
//!
//! r2d2 wakes the threads waiting for a connection in no fair order: under
//! a load larger than the pool a few requests lose the race again and
//! again and wait far past their client's patience, while the median stays
//! fast (p99 at 120× p50 in `bench/run` at c = 64). In front of the pool,
//! a FIFO semaphore with one permit per connection admits requests in the
//! order they came, so no one waits for more than the queue ahead of them.
//! The pool timeout bounds the whole wait (queue and checkout), and a
//! queue already longer than `max_waiting` answers 503 at once: a request
//! that would only time out is told to retry now rather than later.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// What a refused request is told: the queue drains within about a
/// second at the throughput these pools see.
const RETRY_AFTER_S: u64 = 1;

#[derive(Debug)]
pub struct Admission {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    timeout: Duration,
}

/// Leave to use a connection, and when the wait for it began (the pool
/// checkout gets what is left of the timeout).
pub struct Admitted {
    _permit: OwnedSemaphorePermit,
    pub since: Instant,
}

impl Admitted {
    /// What is left of `timeout` for the checkout itself.
    pub fn remaining(&self, timeout: Duration) -> Duration {
        timeout
            .saturating_sub(self.since.elapsed())
            .max(Duration::from_millis(1))
    }
}

impl Admission {
    /// `connections` permits; `max_waiting` 0 means eight per connection.
    pub fn new(connections: u32, max_waiting: usize, timeout: Duration) -> Self {
        let connections = connections as usize;
        Admission {
            permits: Arc::new(Semaphore::new(connections)),
            waiting: AtomicUsize::new(0),
            max_waiting: if max_waiting == 0 {
                connections * 8
            } else {
                max_waiting
            },
            timeout,
        }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Requests waiting for a permit now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Every connection is in use or requests wait for one.
    pub fn saturated(&self) -> bool {
        self.permits.available_permits() == 0 || self.waiting() > 0
    }

    /// Waits in line for a permit (tokio's semaphore is FIFO), at most the
    /// pool timeout; 503 with `Retry-After` when the line is full or the
    /// wait runs out.
    pub async fn admit(&self) -> Result<Admitted, ApiError> {
        let since = Instant::now();
        // A free permit needs no place in the line.
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(Admitted {
                _permit: permit,
                since,
            });
        }
        let ahead = self.waiting.fetch_add(1, Ordering::AcqRel);
        let _place = InLine(&self.waiting);
        if ahead >= self.max_waiting {
            return Err(busy(format!(
                "{ahead} requests are already waiting for a database connection"
            )));
        }
        match tokio::time::timeout(self.timeout, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Admitted {
                _permit: permit,
                since,
            }),
            Ok(Err(_closed)) => Err(ApiError::Unavailable("the pool is closed".to_owned())),
            Err(_elapsed) => Err(busy(format!(
                "no database connection came free within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }
}

/// A place in the line, given up however the wait ends (a client that
/// goes away drops the future).
struct InLine<'a>(&'a AtomicUsize);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn busy(detail: String) -> ApiError {
    ApiError::Overloaded {
        detail: format!("{detail}; retry shortly"),
        retry_after_s: RETRY_AFTER_S,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_are_admitted_in_arrival_order() {
        let admission = Arc::new(Admission::new(1, 100, Duration::from_secs(5)));
        let first = admission.admit().await.unwrap();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for index in 0..20 {
            let line = admission.clone();
            let order = order.clone();
            handles.push(tokio::spawn(async move {
                let admitted = line.admit().await.unwrap();
                order.lock().unwrap().push(index);
                // Hold the permit a moment so the next one must wait.
                tokio::task::yield_now().await;
                drop(admitted);
            }));
            // Each waiter is in line before the next arrives.
            while admission.waiting() < index + 1 {
                tokio::task::yield_now().await;
            }
        }
        drop(first);
        for handle in handles {
            handle.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
        assert_eq!(admission.waiting(), 0);
    }

    #[tokio::test]
    async fn a_full_line_is_refused_at_once_and_a_long_wait_times_out() {
        let admission = Arc::new(Admission::new(1, 2, Duration::from_millis(300)));
        let _held = admission.admit().await.unwrap();
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let admission = admission.clone();
                tokio::spawn(async move { admission.admit().await.map(|_| ()) })
            })
            .collect();
        while admission.waiting() < 2 {
            tokio::task::yield_now().await;
        }
        let started = Instant::now();
        let refused = admission.admit().await.err().expect("the line is full");
        assert!(started.elapsed() < Duration::from_millis(100));
        assert!(matches!(
            refused,
            ApiError::Overloaded {
                retry_after_s: 1,
                ..
            }
        ));
        for waiter in waiters {
            let timed_out = waiter.await.unwrap().expect_err("the permit is held");
            assert!(
                matches!(timed_out, ApiError::Overloaded { .. }),
                "{timed_out:?}"
            );
        }
        assert_eq!(admission.waiting(), 0);
    }

    #[tokio::test]
    async fn the_line_is_saturated_only_while_every_permit_is_taken() {
        let admission = Admission::new(2, 10, Duration::from_secs(5));
        assert!(!admission.saturated());
        let first = admission.admit().await.unwrap();
        assert!(!admission.saturated(), "one connection is still free");
        let second = admission.admit().await.unwrap();
        assert!(admission.saturated());
        drop(first);
        assert!(!admission.saturated());
        drop(second);
    }
}
