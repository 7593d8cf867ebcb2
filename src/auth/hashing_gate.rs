//! A per-instance cap on concurrent password hashing.
//!
//! argon2id is meant to be expensive (about 20 ms and 19 MiB each). Without
//! a cap, a flood of sign-ins or registrations fills every blocking thread
//! with hashing and every other request queues behind it. With it, at most
//! `limit` hashes run at once and the excess is refused at once (503 with
//! `Retry-After`) instead of waiting: the rest of the API keeps its cores.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::web;

use crate::error::ApiError;

/// Seconds a refused client should wait: one hash takes milliseconds.
pub const RETRY_AFTER_S: u64 = 1;

#[derive(Debug)]
pub struct HashingGate {
    in_flight: AtomicUsize,
    limit: usize,
}

/// One admitted hash; dropping it lets the next one in.
#[derive(Debug)]
pub struct HashingPermit {
    gate: web::Data<HashingGate>,
}

impl Drop for HashingPermit {
    fn drop(&mut self) {
        self.gate.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashingGate {
    pub fn new(limit: usize) -> Self {
        HashingGate {
            in_flight: AtomicUsize::new(0),
            limit: limit.max(1),
        }
    }

    /// A permit if fewer than `limit` hashes run now, else a 503.
    pub fn try_enter(gate: &web::Data<HashingGate>) -> Result<HashingPermit, ApiError> {
        gate.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |running| {
                (running < gate.limit).then_some(running + 1)
            })
            .map(|_| HashingPermit { gate: gate.clone() })
            .map_err(|_| ApiError::Overloaded {
                detail: "too many sign-ins and registrations are being checked right now; \
                         retry in a moment"
                    .to_owned(),
                retry_after_s: RETRY_AFTER_S,
            })
    }

    /// Hashes running now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_and_frees_on_drop() {
        let gate = web::Data::new(HashingGate::new(2));
        let first = HashingGate::try_enter(&gate).unwrap();
        let _second = HashingGate::try_enter(&gate).unwrap();
        let refused = HashingGate::try_enter(&gate).unwrap_err();
        assert!(matches!(
            refused,
            ApiError::Overloaded {
                retry_after_s: RETRY_AFTER_S,
                ..
            }
        ));
        drop(first);
        assert_eq!(gate.in_flight(), 1);
        assert!(HashingGate::try_enter(&gate).is_ok());
    }

    #[test]
    fn concurrent_entries_never_exceed_the_limit() {
        let gate = web::Data::new(HashingGate::new(3));
        let peak = std::sync::Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (gate, peak) = (gate.clone(), peak.clone());
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        if let Ok(_permit) = HashingGate::try_enter(&gate) {
                            peak.fetch_max(gate.in_flight(), Ordering::AcqRel);
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(peak.load(Ordering::Acquire) <= 3);
        assert_eq!(gate.in_flight(), 0);
    }
}
