//! Banister's training impulse (TRIMP) from heart-rate samples.
//!
//! TRIMP = Σ minutes × HRr × 0.64 e^(1.92 HRr), with the heart-rate reserve
//! fraction HRr = (HR − resting) / (max − resting) clamped to 0…1 (a reading
//! below resting adds nothing, one above the maximum counts as the maximum).
//! 0.64 and 1.92 are Banister's coefficients for men (1991); the ones for
//! women (0.86, 1.67) need the athlete's sex, which the profile does not
//! hold, so SPEC's single formula is used for everyone.
//!
//! Samples: each reading holds until the next one, so a sample counts for
//! the time to the following sample (the last counts for none). An interval
//! longer than [`MAX_SAMPLE_INTERVAL_S`] is a pause or a dropout: it counts
//! for that many seconds at most, enough for the sparse recording some
//! watches do, without crediting a half-hour café stop at running effort.

use super::activity::HeartRateSample;

/// Banister's weighting coefficient (men).
pub const COEFFICIENT: f64 = 0.64;
/// Banister's exponent (men).
pub const EXPONENT: f64 = 1.92;
/// The longest stretch one sample stands for.
pub const MAX_SAMPLE_INTERVAL_S: f64 = 30.0;

/// An athlete's resting and maximum heart rate; the maximum is above the
/// resting rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartRateReserve {
    resting: u16,
    max: u16,
}

impl HeartRateReserve {
    /// None unless `max_hr` is above `resting_hr`.
    pub fn new(resting_hr: u16, max_hr: u16) -> Option<Self> {
        (max_hr > resting_hr).then_some(Self {
            resting: resting_hr,
            max: max_hr,
        })
    }

    /// HRr for a heart rate, clamped to 0…1.
    fn fraction(self, bpm: u16) -> f64 {
        let reserve = f64::from(self.max - self.resting);
        ((f64::from(bpm) - f64::from(self.resting)) / reserve).clamp(0.0, 1.0)
    }
}

/// Banister's TRIMP over time-ordered samples; None when they cover no
/// time at all (no samples, or a single one).
pub fn banister_trimp(samples: &[HeartRateSample], reserve: HeartRateReserve) -> Option<f64> {
    let mut covered_s = 0.0;
    let mut trimp = 0.0;
    for (bpm, seconds) in sample_durations(samples) {
        let fraction = reserve.fraction(bpm);
        trimp += seconds / 60.0 * fraction * COEFFICIENT * (EXPONENT * fraction).exp();
        covered_s += seconds;
    }
    (covered_s > 0.0).then_some(trimp)
}

/// Each sample's heart rate with the seconds it stands for (see the module
/// documentation). Also weights the average heart rate of a track, so both
/// treat pauses alike.
pub(crate) fn sample_durations(
    samples: &[HeartRateSample],
) -> impl Iterator<Item = (u16, f64)> + '_ {
    samples.windows(2).map(|pair| {
        let gap_ms = pair[1].offset_ms.saturating_sub(pair[0].offset_ms);
        (
            pair[0].bpm,
            (f64::from(gap_ms) / 1000.0).min(MAX_SAMPLE_INTERVAL_S),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(bpm: u16, seconds: u32) -> Vec<HeartRateSample> {
        (0..=seconds)
            .map(|s| HeartRateSample {
                offset_ms: s * 1000,
                bpm,
            })
            .collect()
    }

    fn reserve() -> HeartRateReserve {
        HeartRateReserve::new(60, 190).unwrap()
    }

    #[test]
    fn thirty_minutes_at_half_the_reserve() {
        // HRr = (125 − 60) / (190 − 60) = 0.5.
        // 30 × 0.5 × 0.64 × e^0.96 = 30 × 0.5 × 0.64 × 2.6116965 = 25.07229.
        let trimp = banister_trimp(&steady(125, 1800), reserve()).unwrap();
        assert!((trimp - 25.07229).abs() < 1e-4, "{trimp}");
    }

    #[test]
    fn readings_are_clamped_to_the_reserve() {
        // Above the maximum counts as HRr = 1: 10 × 0.64 × e^1.92 =
        // 10 × 0.64 × 6.8209585 = 43.65413.
        let trimp = banister_trimp(&steady(200, 600), reserve()).unwrap();
        assert!((trimp - 43.65413).abs() < 1e-4, "{trimp}");
        // Below resting adds nothing.
        assert_eq!(banister_trimp(&steady(50, 600), reserve()), Some(0.0));
    }

    #[test]
    fn a_long_gap_counts_for_thirty_seconds_at_most() {
        // 60 s at HRr 0.5, a 10-minute pause, then 60 s more.
        let mut samples = steady(125, 60);
        samples.extend(steady(125, 60).into_iter().map(|s| HeartRateSample {
            offset_ms: s.offset_ms + 660_000,
            ..s
        }));
        let per_minute = 0.5 * 0.64 * (0.96f64).exp();
        // 60 s + 30 s (the gap, capped) + 60 s = 2.5 minutes.
        let trimp = banister_trimp(&samples, reserve()).unwrap();
        assert!((trimp - 2.5 * per_minute).abs() < 1e-9, "{trimp}");
    }

    #[test]
    fn irregular_samples_weigh_by_the_time_they_hold() {
        // 125 bpm for 10 s, then 190 bpm (HRr 1) for 20 s, then the end.
        let samples = [
            HeartRateSample {
                offset_ms: 0,
                bpm: 125,
            },
            HeartRateSample {
                offset_ms: 10_000,
                bpm: 190,
            },
            HeartRateSample {
                offset_ms: 30_000,
                bpm: 100,
            },
        ];
        let expected =
            10.0 / 60.0 * 0.5 * 0.64 * (0.96f64).exp() + 20.0 / 60.0 * 1.0 * 0.64 * (1.92f64).exp();
        let trimp = banister_trimp(&samples, reserve()).unwrap();
        assert!((trimp - expected).abs() < 1e-12);
    }

    #[test]
    fn nothing_to_weigh_gives_none() {
        assert_eq!(banister_trimp(&[], reserve()), None);
        assert_eq!(banister_trimp(&steady(150, 0), reserve()), None);
        assert_eq!(HeartRateReserve::new(60, 60), None);
        assert_eq!(HeartRateReserve::new(70, 60), None);
    }
}
