//! When to try a failed delivery again: exponential backoff with "full
//! jitter" (a uniformly random wait up to the exponential bound), so that
//! receivers coming back after an outage are not hit by every instance's
//! retries at the same instant.

use std::time::Duration;

/// The bound stops doubling here: a day-long retry window at base 30 s
/// reaches about 8.5 h between tries at most.
const MAX_DOUBLINGS: u32 = 10;

/// The wait before attempt `failed_attempts + 1`, given a uniformly random
/// `unit` in [0, 1): between half the bound and the bound, so that retries
/// do spread but never come at once.
pub fn retry_delay(base: Duration, failed_attempts: u32, unit: f64) -> Duration {
    let doublings = failed_attempts.saturating_sub(1).min(MAX_DOUBLINGS);
    let bound = base.saturating_mul(1 << doublings);
    let unit = unit.clamp(0.0, 1.0);
    bound.mul_f64(0.5 + 0.5 * unit)
}

/// A uniformly random number in [0, 1) from the operating system.
pub fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_bound_doubles_per_failure() {
        let base = Duration::from_secs(30);
        assert_eq!(retry_delay(base, 1, 1.0), Duration::from_secs(30));
        assert_eq!(retry_delay(base, 2, 1.0), Duration::from_secs(60));
        assert_eq!(retry_delay(base, 3, 1.0), Duration::from_secs(120));
        assert_eq!(retry_delay(base, 1, 0.0), Duration::from_secs(15));
    }

    proptest! {
        #[test]
        fn delays_stay_within_half_the_bound_and_the_bound(
            base_ms in 1u64..600_000, failures in 1u32..100, unit in 0.0f64..1.0
        ) {
            let base = Duration::from_millis(base_ms);
            let bound = base * (1 << (failures - 1).min(MAX_DOUBLINGS));
            let delay = retry_delay(base, failures, unit);
            prop_assert!(delay >= bound / 2 && delay <= bound);
        }

        #[test]
        fn random_units_are_in_range(_ in 0u8..50) {
            let unit = random_unit();
            prop_assert!((0.0..1.0).contains(&unit));
        }
    }
}
