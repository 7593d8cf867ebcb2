//! Training paces and heart-rate zones: Daniels' VDOT model for paces and
//! race predictions, Friel's and Karvonen's heart-rate zones. Pure
//! functions; the plan engine and `POST /v1/zones` both use them.
//!
//! # Daniels' VDOT model (Daniels & Gilbert, *Oxygen Power*, 1979)
//!
//! Two fitted equations, with `v` the speed in metres per minute and `t`
//! the race time in minutes:
//!
//! - oxygen cost of running at `v`:
//!   `VO2(v) = −4.60 + 0.182258·v + 0.000104·v²` (ml/kg/min);
//! - the fraction of VO2max that can be held for `t` minutes:
//!   `F(t) = 0.8 + 0.1894393·e^(−0.012778·t) + 0.2989558·e^(−0.1932605·t)`.
//!
//! A race of `d` metres in `t` minutes gives `VDOT = VO2(d/t) / F(t)`
//! (a 5 km in 24:34 gives 39.1). A prediction for another distance solves
//! `VO2(d/t) = VDOT·F(t)` for `t`. Training paces are the speeds whose
//! oxygen cost is a share of VDOT: easy 59–74%, threshold 83–88%,
//! interval 95–100%; marathon pace is the predicted marathon pace and
//! repetition pace the predicted 1500 m to mile pace.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::Errors;

/// Oxygen cost (ml/kg/min) of running at `speed_m_per_min`.
pub fn oxygen_cost(speed_m_per_min: f64) -> f64 {
    -4.60 + 0.182258 * speed_m_per_min + 0.000104 * speed_m_per_min * speed_m_per_min
}

/// The fraction of VO2max that can be sustained for `minutes`.
pub fn sustainable_fraction(minutes: f64) -> f64 {
    0.8 + 0.189_439_3 * (-0.012778 * minutes).exp() + 0.298_955_8 * (-0.193_260_5 * minutes).exp()
}

/// VDOT of a race of `distance_m` run in `time_s`.
pub fn vdot(distance_m: f64, time_s: f64) -> f64 {
    let minutes = time_s / 60.0;
    oxygen_cost(distance_m / minutes) / sustainable_fraction(minutes)
}

/// The speed (m/min) whose oxygen cost is `vo2`: the positive root of the
/// cost equation.
fn speed_for_oxygen(vo2: f64) -> f64 {
    let (a, b, c) = (0.000104, 0.182258, -4.60 - vo2);
    (-b + (b * b - 4.0 * a * c).sqrt()) / (2.0 * a)
}

/// Predicted time (s) for `distance_m` at `vdot`: the `t` where the race's
/// oxygen cost meets what can be held for `t`. The difference falls as `t`
/// grows, so bisection finds it.
pub fn predicted_time_s(vdot: f64, distance_m: f64) -> f64 {
    let gap =
        |minutes: f64| oxygen_cost(distance_m / minutes) - vdot * sustainable_fraction(minutes);
    let (mut fast, mut slow) = (distance_m / 1000.0, distance_m / 20.0);
    for _ in 0..60 {
        let middle = 0.5 * (fast + slow);
        if gap(middle) > 0.0 {
            fast = middle;
        } else {
            slow = middle;
        }
    }
    30.0 * (fast + slow)
}

/// Seconds per kilometre at `speed_m_per_min`.
fn pace_s_per_km(speed_m_per_min: f64) -> f64 {
    60_000.0 / speed_m_per_min
}

/// A pace range; `min_s_per_km` is the faster end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaceRange {
    #[schema(example = 311, maximum = 65535)]
    pub min_s_per_km: u16,
    #[schema(example = 320, maximum = 65535)]
    pub max_s_per_km: u16,
}

impl PaceRange {
    fn between(fast_s: f64, slow_s: f64) -> PaceRange {
        PaceRange {
            min_s_per_km: fast_s.round() as u16,
            max_s_per_km: slow_s.round() as u16,
        }
    }

    /// The middle of the range, for estimating durations.
    pub fn middle(self) -> f64 {
        0.5 * (f64::from(self.min_s_per_km) + f64::from(self.max_s_per_km))
    }
}

/// Daniels' five training paces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingPaces {
    /// 59–74% of VDOT: easy and long runs, warm-ups, recoveries.
    pub easy: PaceRange,
    /// The predicted marathon pace.
    pub marathon: PaceRange,
    /// 83–88% of VDOT: about the pace held for an hour (tempo, cruise intervals).
    pub threshold: PaceRange,
    /// 95–100% of VDOT: about 3–5 km race pace (VO2max intervals).
    pub interval: PaceRange,
    /// Predicted 1500 m to mile race pace (short, fast repetitions).
    pub repetition: PaceRange,
}

fn pace_at_share(vdot: f64, share: f64) -> f64 {
    pace_s_per_km(speed_for_oxygen(vdot * share))
}

fn race_pace_s_per_km(vdot: f64, distance_m: f64) -> f64 {
    predicted_time_s(vdot, distance_m) / (distance_m / 1000.0)
}

/// Training paces for `vdot`.
pub fn training_paces(vdot: f64) -> TrainingPaces {
    let marathon = race_pace_s_per_km(vdot, MARATHON_M);
    TrainingPaces {
        easy: PaceRange::between(pace_at_share(vdot, 0.74), pace_at_share(vdot, 0.59)),
        marathon: PaceRange::between(marathon - 4.0, marathon + 4.0),
        threshold: PaceRange::between(pace_at_share(vdot, 0.88), pace_at_share(vdot, 0.83)),
        interval: PaceRange::between(pace_at_share(vdot, 1.0), pace_at_share(vdot, 0.95)),
        repetition: PaceRange::between(
            race_pace_s_per_km(vdot, 1500.0),
            race_pace_s_per_km(vdot, 1609.344) + 3.0,
        ),
    }
}

pub const MARATHON_M: f64 = 42_195.0;
pub const HALF_MARATHON_M: f64 = 21_097.5;

/// A predicted race time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RacePrediction {
    #[schema(example = 10.0)]
    pub distance_km: f64,
    // A u32 is beyond `int32`, the format the derive would write.
    #[schema(example = 3065, format = Int64, maximum = 4294967295_u64)]
    pub time_s: u32,
}

/// Predictions for 5 km, 10 km, the half and the marathon.
pub fn race_predictions(vdot: f64) -> Vec<RacePrediction> {
    [5_000.0, 10_000.0, HALF_MARATHON_M, MARATHON_M]
        .into_iter()
        .map(|distance_m| RacePrediction {
            distance_km: distance_m / 1000.0,
            time_s: predicted_time_s(vdot, distance_m).round() as u32,
        })
        .collect()
}

/// One heart-rate zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HrZone {
    /// `1`–`5` (Karvonen) or `1`, `2`, `3`, `4`, `5a`, `5b`, `5c` (Friel).
    #[schema(example = "2")]
    pub zone: String,
    #[schema(maximum = 65535)]
    pub min_bpm: u16,
    #[schema(maximum = 65535)]
    pub max_bpm: u16,
}

/// Which formula the heart-rate zones come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HrZoneMethod {
    /// Shares of the lactate-threshold heart rate.
    Friel,
    /// Shares of the heart-rate reserve (max − resting) above resting.
    Karvonen,
}

/// Contiguous zones: zone `i` runs from its own floor to one beat under the
/// next zone's floor; the first starts at `floor`, the last ends at `ceiling`.
fn contiguous(names: &[&str], floors: &[f64], floor: u16, ceiling: u16) -> Vec<HrZone> {
    let mut starts: Vec<u16> = floors.iter().map(|f| f.round() as u16).collect();
    starts[0] = floor.min(starts.get(1).copied().unwrap_or(floor).saturating_sub(1));
    names
        .iter()
        .enumerate()
        .map(|(i, name)| HrZone {
            zone: (*name).to_owned(),
            min_bpm: starts[i],
            max_bpm: starts
                .get(i + 1)
                .map_or(ceiling.max(starts[i]), |next| next.saturating_sub(1)),
        })
        .collect()
}

/// Friel's running zones from the lactate-threshold heart rate: Z1 under
/// 85%, Z2 85–89%, Z3 90–94%, Z4 95–99%, Z5a 100–102%, Z5b 103–106%,
/// Z5c over 106%. Zone 1 starts at the resting heart rate when known
/// (else 60% of threshold); zone 5c ends at the maximum when known (else
/// 110% of threshold).
pub fn friel_zones(threshold_hr: u16, resting_hr: Option<u16>, max_hr: Option<u16>) -> Vec<HrZone> {
    let lthr = f64::from(threshold_hr);
    let shares = [0.0, 0.85, 0.90, 0.95, 1.00, 1.03, 1.07];
    let floors: Vec<f64> = shares.iter().map(|s| s * lthr).collect();
    let floor = resting_hr.unwrap_or((0.6 * lthr).round() as u16);
    let ceiling = max_hr.unwrap_or((1.1 * lthr).round() as u16);
    contiguous(
        &["1", "2", "3", "4", "5a", "5b", "5c"],
        &floors,
        floor,
        ceiling,
    )
}

/// Karvonen's zones: resting + share × (max − resting) at 50, 60, 70, 80
/// and 90% of the reserve, the last ending at the maximum.
pub fn karvonen_zones(max_hr: u16, resting_hr: u16) -> Vec<HrZone> {
    let (max, rest) = (f64::from(max_hr), f64::from(resting_hr));
    let floors: Vec<f64> = [0.5, 0.6, 0.7, 0.8, 0.9]
        .iter()
        .map(|s| rest + s * (max - rest))
        .collect();
    contiguous(
        &["1", "2", "3", "4", "5"],
        &floors,
        floors[0].round() as u16,
        max_hr,
    )
}

/// A recent race, for paces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecentRace {
    /// 1.5 to 42.2 km: the distances Daniels' model was fitted for.
    #[schema(minimum = 1.5, maximum = 42.2, example = 5.0)]
    pub distance_km: f64,
    /// Finishing time in seconds.
    #[schema(minimum = 1, maximum = 86400, example = 1474)]
    pub time_s: u32,
    /// Checked in `validate` with the other fields (1900–2200, as every
    /// date the API takes), so that one answer names every bad field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date, example = "2026-11-15")]
    pub date: Option<NaiveDate>,
}

/// The VDOT range accepted: below 15 is walking, above 85 beyond the best
/// runners alive.
pub const VDOT_RANGE: std::ops::RangeInclusive<f64> = 15.0..=85.0;

impl RecentRace {
    pub fn vdot(&self) -> f64 {
        vdot(self.distance_km * 1000.0, f64::from(self.time_s))
    }
}

/// The heart rates the API accepts, in beats a minute, declared once:
/// `heart_rate_bounds!(callback!(args))` hands `callback` its `(args)`
/// and then `max_hr 100..=230; resting_hr 25..=120; threshold_hr 80..=220;`.
/// They become the schema's `minimum`/`maximum` of the zones request and
/// of every athlete form (`athlete_fields!`), and the ranges
/// `check_inputs` holds the values to.
macro_rules! heart_rate_bounds {
    ($($callback:ident)::+ ! ($($args:tt)*)) => {
        $($callback)::+! { ($($args)*)
            max_hr 100..=230;
            resting_hr 25..=120;
            threshold_hr 80..=220;
        }
    };
}
pub(crate) use heart_rate_bounds;

/// `ZonesRequest` and the ranges `check_inputs` keeps, from the bounds.
macro_rules! zones_request_and_ranges {
    (() $( $field:ident $min:tt ..= $max:tt; )*) => {
        /// What paces and zones are computed from (the profile's fields of the
        /// same names).
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct ZonesRequest {
            #[serde(default)]
            pub recent_race: Option<RecentRace>,
            $(
                #[serde(default)]
                #[schema(minimum = $min, maximum = $max)]
                pub $field: Option<u16>,
            )*
        }

        /// The accepted range of each heart-rate input, named as its field.
        #[allow(non_upper_case_globals)]
        mod bpm_range {
            $( pub const $field: std::ops::RangeInclusive<u16> = $min..=$max; )*
        }
    };
}
heart_rate_bounds!(zones_request_and_ranges!());

/// Paces, predictions and heart-rate zones; each part present when its
/// inputs were given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Zones {
    /// Daniels' VDOT of the recent race, one decimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 39.1)]
    pub vdot: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paces: Option<TrainingPaces>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub race_predictions: Option<Vec<RacePrediction>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hr_zones: Option<Vec<HrZone>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hr_zone_method: Option<HrZoneMethod>,
}

/// Checks the pace and heart-rate inputs; `prefix` is the JSON Pointer of
/// the object holding them (empty for a top-level body).
pub fn check_inputs(
    errors: &mut Errors,
    prefix: &str,
    recent_race: Option<&RecentRace>,
    max_hr: Option<u16>,
    resting_hr: Option<u16>,
    threshold_hr: Option<u16>,
) {
    if let Some(race) = recent_race {
        let distance_ok = race.distance_km.is_finite() && (1.5..=42.2).contains(&race.distance_km);
        errors.check(
            distance_ok,
            format!("{prefix}/recent_race/distance_km"),
            "between 1.5 and 42.2 (the distances Daniels' model covers)",
        );
        errors.check(
            (1..=86_400).contains(&race.time_s),
            format!("{prefix}/recent_race/time_s"),
            "between 1 and 86400 seconds",
        );
        if distance_ok && (1..=86_400).contains(&race.time_s) {
            let value = race.vdot();
            errors.check(
                VDOT_RANGE.contains(&value),
                format!("{prefix}/recent_race/time_s"),
                format!(
                    "{:.1} km in {} s gives a VDOT of {value:.1}, outside the 15–85 the model covers; check the distance and the time",
                    race.distance_km, race.time_s
                ),
            );
        }
        if let Some(date) = race.date {
            errors.check(
                crate::domain::dates::is_in_range(date),
                format!("{prefix}/recent_race/date"),
                "between 1900-01-01 and 2200-12-31",
            );
        }
    }
    // Each in its range first; the pairs are compared only when both are.
    let mut in_range = |value: Option<u16>, field: &str, range: std::ops::RangeInclusive<u16>| {
        let bpm = value?;
        let ok = range.contains(&bpm);
        errors.check(
            ok,
            format!("{prefix}/{field}"),
            format!(
                "between {} and {} beats a minute",
                range.start(),
                range.end()
            ),
        );
        ok.then_some(bpm)
    };
    let max_hr = in_range(max_hr, "max_hr", bpm_range::max_hr);
    let resting_hr = in_range(resting_hr, "resting_hr", bpm_range::resting_hr);
    let threshold_hr = in_range(threshold_hr, "threshold_hr", bpm_range::threshold_hr);
    if let (Some(max), Some(rest)) = (max_hr, resting_hr) {
        errors.check(
            rest + 30 <= max,
            format!("{prefix}/resting_hr"),
            "at least 30 beats under max_hr",
        );
    }
    if let (Some(max), Some(threshold)) = (max_hr, threshold_hr) {
        errors.check(
            threshold < max,
            format!("{prefix}/threshold_hr"),
            "must be under max_hr",
        );
    }
    if let (Some(rest), Some(threshold)) = (resting_hr, threshold_hr) {
        errors.check(
            threshold > rest + 20,
            format!("{prefix}/threshold_hr"),
            "must be more than 20 beats over resting_hr",
        );
    }
}

impl ZonesRequest {
    pub fn validate(&self) -> Result<(), Vec<super::validation::FieldError>> {
        let mut errors = Errors::default();
        check_inputs(
            &mut errors,
            "",
            self.recent_race.as_ref(),
            self.max_hr,
            self.resting_hr,
            self.threshold_hr,
        );
        if errors.is_empty() && zones(self).is_empty() {
            errors.add(
                "",
                "give a recent_race (for paces), a threshold_hr, or max_hr with resting_hr (for heart-rate zones)",
            );
        }
        errors.into_result()
    }
}

impl Zones {
    pub fn is_empty(&self) -> bool {
        self.vdot.is_none() && self.hr_zones.is_none()
    }
}

/// Paces from the recent race; zones from the threshold heart rate
/// (Friel) or else from maximum and resting heart rate (Karvonen).
pub fn zones(input: &ZonesRequest) -> Zones {
    let vdot = input
        .recent_race
        .as_ref()
        .map(RecentRace::vdot)
        .filter(|v| VDOT_RANGE.contains(v));
    let (hr_zones, method) = match (input.threshold_hr, input.max_hr, input.resting_hr) {
        (Some(threshold), max, rest) => (
            Some(friel_zones(threshold, rest, max)),
            Some(HrZoneMethod::Friel),
        ),
        (None, Some(max), Some(rest)) => (
            Some(karvonen_zones(max, rest)),
            Some(HrZoneMethod::Karvonen),
        ),
        _ => (None, None),
    };
    Zones {
        vdot: vdot.map(|v| (v * 10.0).round() / 10.0),
        paces: vdot.map(training_paces),
        race_predictions: vdot.map(race_predictions),
        hr_zones,
        hr_zone_method: method,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validation::test_support::{documented_bounds, pointers_of};

    #[test]
    fn a_5k_in_24_34_is_vdot_39_1() {
        assert!((vdot(5000.0, 24.0 * 60.0 + 34.0) - 39.1).abs() < 0.05);
    }

    #[test]
    fn published_vdot_table_values() {
        // Daniels' Running Formula, VDOT table: VDOT 50 ≈ 5 km 19:57,
        // half 1:31:35, marathon 3:10:49; VDOT 40 ≈ 10 km 50:03;
        // VDOT 60 ≈ 5 km 17:03.
        let cases = [
            (5_000.0, 19.0 * 60.0 + 57.0, 50.0),
            (HALF_MARATHON_M, 3600.0 + 31.0 * 60.0 + 35.0, 50.0),
            (MARATHON_M, 3.0 * 3600.0 + 10.0 * 60.0 + 49.0, 50.0),
            (10_000.0, 50.0 * 60.0 + 3.0, 40.0),
            (5_000.0, 17.0 * 60.0 + 3.0, 60.0),
        ];
        for (distance, time, expected) in cases {
            let got = vdot(distance, time);
            assert!(
                (got - expected).abs() < 0.3,
                "{distance} m in {time} s: {got}"
            );
        }
    }

    #[test]
    fn predictions_invert_the_vdot_of_a_race() {
        for value in [30.0, 39.1, 50.0, 70.0] {
            for distance in [1_500.0, 5_000.0, HALF_MARATHON_M, MARATHON_M] {
                let time = predicted_time_s(value, distance);
                assert!((vdot(distance, time) - value).abs() < 0.01);
            }
        }
        let from_5k = race_predictions(vdot(5000.0, 1474.0));
        assert_eq!(from_5k[0].time_s, 1474);
        // Longer races at slower paces, about 2.1 × for double the distance.
        let ratio = f64::from(from_5k[1].time_s) / f64::from(from_5k[0].time_s);
        assert!((2.05..2.15).contains(&ratio), "{ratio}");
    }

    #[test]
    fn paces_are_ordered_from_repetition_to_easy() {
        let paces = training_paces(39.1);
        // Daniels' table for VDOT 39: threshold about 5:10/km, interval 4:42/km.
        assert!(
            (300..=320).contains(&paces.threshold.min_s_per_km),
            "{paces:?}"
        );
        assert!(
            (275..=290).contains(&paces.interval.min_s_per_km),
            "{paces:?}"
        );
        let order = [
            paces.repetition,
            paces.interval,
            paces.threshold,
            paces.marathon,
            paces.easy,
        ];
        for range in order {
            assert!(range.min_s_per_km <= range.max_s_per_km, "{range:?}");
        }
        for pair in order.windows(2) {
            assert!(pair[0].middle() < pair[1].middle(), "{pair:?}");
        }
    }

    #[test]
    fn friel_zones_follow_threshold_shares_and_touch() {
        let zones = friel_zones(170, Some(50), Some(190));
        let names: Vec<&str> = zones.iter().map(|z| z.zone.as_str()).collect();
        assert_eq!(names, ["1", "2", "3", "4", "5a", "5b", "5c"]);
        assert_eq!((zones[0].min_bpm, zones[0].max_bpm), (50, 144));
        assert_eq!((zones[1].min_bpm, zones[1].max_bpm), (145, 152));
        assert_eq!(zones[4].min_bpm, 170);
        assert_eq!(zones[6].max_bpm, 190);
        for pair in zones.windows(2) {
            assert_eq!(pair[0].max_bpm + 1, pair[1].min_bpm);
        }
    }

    #[test]
    fn karvonen_zones_are_shares_of_the_reserve() {
        // Reserve 190 − 50 = 140: zone 2 starts at 50 + 0.6 × 140 = 134.
        let zones = karvonen_zones(190, 50);
        assert_eq!(zones.len(), 5);
        assert_eq!(zones[0].min_bpm, 120);
        assert_eq!(zones[1].min_bpm, 134);
        assert_eq!(zones[4].max_bpm, 190);
    }

    #[test]
    fn zones_use_friel_when_a_threshold_is_known_and_refuse_nothing_to_compute() {
        let answer = zones(&ZonesRequest {
            threshold_hr: Some(168),
            max_hr: Some(188),
            resting_hr: Some(48),
            ..ZonesRequest::default()
        });
        assert_eq!(answer.hr_zone_method, Some(HrZoneMethod::Friel));
        assert!(answer.vdot.is_none());
        assert!(ZonesRequest::default().validate().is_err());
        let bad = ZonesRequest {
            max_hr: Some(150),
            resting_hr: Some(140),
            recent_race: Some(RecentRace {
                distance_km: 5.0,
                time_s: 600,
                date: None,
            }),
            ..ZonesRequest::default()
        };
        let pointers: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/recent_race/time_s", "/resting_hr"]);
    }

    /// The zones request's documented heart-rate bounds are the checked
    /// ones: each bound alone passes its range check, one beat outside
    /// fails on that field alone.
    #[test]
    fn the_documented_heart_rate_bounds_are_the_checked_bounds() {
        let bounds = documented_bounds::<ZonesRequest>();
        for (field, min, max) in &bounds {
            let (min, max) = (*min as u64, *max as u64);
            let pointer = format!("/{field}");
            let errors_at = |bpm: u64| -> Vec<String> {
                let request: ZonesRequest =
                    serde_json::from_value(serde_json::json!({ field.as_str(): bpm })).unwrap();
                let mut errors = Errors::default();
                check_inputs(
                    &mut errors,
                    "",
                    None,
                    request.max_hr,
                    request.resting_hr,
                    request.threshold_hr,
                );
                pointers_of(errors.into_result())
            };
            assert!(errors_at(min).is_empty(), "{field} at {min}");
            assert!(errors_at(max).is_empty(), "{field} at {max}");
            assert_eq!(
                errors_at(min - 1),
                [pointer.as_str()],
                "{field} below {min}"
            );
            assert_eq!(
                errors_at(max + 1),
                [pointer.as_str()],
                "{field} above {max}"
            );
        }
        assert_eq!(bounds.len(), 3, "max_hr, resting_hr and threshold_hr");
    }
}
