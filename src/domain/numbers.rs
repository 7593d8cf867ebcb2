//! Numbers as the API shows them: rounded, and never negative zero.
//!
//! IEEE 754 has a signed zero, JSON can spell it (`-0.0`) and Rust makes
//! it easily: the sum of no `f64`s is `-0.0` (`Sum` starts from negative
//! zero, so that a sum of negative zeros stays one), and rounding a small
//! negative value (a fatigue 1e-12 above fitness) gives it too. To a
//! reader "load": -0.0 or "-0.0 km" is a bug, so every number the service
//! computes for an answer is summed and rounded here. Numbers clients
//! send are cleared of it where bodies are parsed (`http::extract`).

/// `value`, with a zero of either sign as `0.0`; every other value as it is.
pub fn unsigned_zero(value: f64) -> f64 {
    if value == 0.0 { 0.0 } else { value }
}

/// `value` rounded to `decimals` places (halves away from zero), never
/// `-0.0`.
pub fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    unsigned_zero((value * scale).round() / scale)
}

/// The sum of `values`, `0.0` for none (where `Iterator::sum` gives `-0.0`).
pub fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(0.0, |total, value| total + value)
}

/// The JSON Pointer of the first negative zero in `value`, if any: what
/// the tests of every answer look for.
pub fn negative_zero_at(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Number(number) => number
            .as_f64()
            .filter(|n| *n == 0.0 && n.is_sign_negative())
            .map(|_| String::new()),
        Value::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
            negative_zero_at(item).map(|below| format!("/{index}{below}"))
        }),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(key, field)| negative_zero_at(field).map(|below| format!("/{key}{below}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_negative_zero(value: f64) -> bool {
        value == 0.0 && value.is_sign_negative()
    }

    #[test]
    fn nothing_sums_to_positive_zero_where_the_standard_sum_gives_negative_zero() {
        let standard: f64 = std::iter::empty::<f64>().sum();
        assert!(is_negative_zero(standard), "the reason this module exists");
        assert!(!is_negative_zero(sum(std::iter::empty())));
        assert!(!is_negative_zero(sum([-0.0, -0.0])));
        assert_eq!(sum([1.5, 2.25]), 3.75);
    }

    #[test]
    fn rounding_a_small_negative_value_gives_positive_zero() {
        assert!(!is_negative_zero(round_to(-1e-12, 3)));
        assert!(!is_negative_zero(round_to(-0.04, 1)));
        assert_eq!(format!("{:.1}", round_to(-0.04, 1)), "0.0");
        assert_eq!(round_to(-35.7142, 3), -35.714);
        assert_eq!(round_to(2.25, 1), 2.3);
        assert!(round_to(f64::NAN, 2).is_nan());
    }

    #[test]
    fn negative_zeros_are_found_where_they_are() {
        let value = serde_json::json!({"days": [{"load": 0.0}, {"load": -0.0}]});
        assert_eq!(negative_zero_at(&value).as_deref(), Some("/days/1/load"));
        assert_eq!(
            negative_zero_at(&serde_json::json!({"load": 0.0, "form": -1.5})),
            None
        );
    }

    proptest! {
        #[test]
        fn no_rounding_or_sum_is_negative_zero(
            values in proptest::collection::vec(-1e6f64..1e6, 0..20),
            decimals in 0i32..6,
        ) {
            prop_assert!(!is_negative_zero(sum(values.iter().copied())));
            for value in &values {
                let rounded = round_to(*value, decimals);
                prop_assert!(!is_negative_zero(rounded));
                prop_assert!((rounded - value).abs() <= 0.5 / 10f64.powi(decimals) + 1e-9);
                // Shown with as many decimals, it never reads "-0.00".
                let text = format!("{rounded:.prec$}", prec = decimals as usize);
                prop_assert!(!(text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.')), "{}", text);
            }
        }
    }
}

#[cfg(test)]
mod plan_outputs {
    use chrono::NaiveDate;

    use super::negative_zero_at;
    use crate::domain::plan::fixtures::{base_request, seed_catalog};
    use crate::domain::plan::generate::{PlanError, generate};
    use crate::domain::plan::request::PlanRequest;
    use crate::domain::profile::Race;
    use crate::domain::vocabulary::{Experience, RaceDistance, Weekday};

    /// Plans for athletes starting from nothing (0 km a week, no long run
    /// yet), for some weeks or a race, answer no `-0.0`, not even in text.
    #[test]
    fn plans_from_zero_volume_hold_no_negative_zero() {
        let catalog = seed_catalog();
        let start_date = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        for race in [None, Some(RaceDistance::FiveK)] {
            for runs_per_week in [0, 3] {
                let request = PlanRequest {
                    start_date,
                    weeks: race.is_none().then_some(8),
                    race: race.map(|distance| Race {
                        date: NaiveDate::from_ymd_opt(2027, 3, 28).unwrap(),
                        distance,
                        distance_km: None,
                    }),
                    experience: Experience::Beginner,
                    available_days: Weekday::ALL.to_vec(),
                    runs_per_week,
                    strength_sessions_per_week: Some(2),
                    current_weekly_km: 0.0,
                    longest_recent_run_km: 0.0,
                    ..base_request()
                };
                let plan = match generate(&request, &catalog) {
                    Ok(plan) => plan,
                    // A race with no runs at all cannot be planned; the
                    // refusal names the walk/run start instead.
                    Err(PlanError::Infeasible { suggestions, .. })
                        if race.is_some() && runs_per_week == 0 =>
                    {
                        assert!(suggestions.iter().any(|s| s.contains("walk/run")));
                        continue;
                    }
                    Err(error) => panic!("{race:?} {runs_per_week}: {error:?}"),
                };
                let json = serde_json::to_value(&plan).unwrap();
                assert_eq!(negative_zero_at(&json), None, "{race:?} {runs_per_week}");
                assert!(
                    !json.to_string().contains("-0.0"),
                    "{race:?} {runs_per_week}"
                );
            }
        }
    }
}
