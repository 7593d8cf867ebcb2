//! The athlete profile: a name plus the plan-request fields of SPEC "Plan
//! generation" (all but `start_date` and `weeks`), which plan generation
//! takes as defaults.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::validation::{Errors, FieldError};
use super::vocabulary::{Equipment, Experience, Goal, InjuryArea, RaceDistance, Weekday};

/// A target race.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Race {
    #[schema(value_type = String, format = Date, example = "2027-04-18")]
    #[serde(deserialize_with = "crate::domain::dates::date")]
    pub date: NaiveDate,
    pub distance: RaceDistance,
    /// Only for `custom` distances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 400)]
    pub distance_km: Option<f64>,
}

impl Race {
    /// The race distance in kilometres.
    pub fn km(&self) -> f64 {
        match self.distance {
            RaceDistance::FiveK => 5.0,
            RaceDistance::TenK => 10.0,
            RaceDistance::HalfMarathon => 21.0975,
            RaceDistance::Marathon => 42.195,
            RaceDistance::Custom => self.distance_km.unwrap_or(0.0),
        }
    }
}

/// An athlete profile as clients write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AthleteProfile {
    /// 1 to 100 characters, not all white space.
    #[schema(example = "Sam Runner", min_length = 1, pattern = "\\S")]
    pub name: String,
    pub goal: Goal,
    pub experience: Experience,
    /// Days the athlete can train; at least one, none twice.
    #[schema(min_items = 1)]
    pub available_days: Vec<Weekday>,
    /// Minutes available on a training day.
    #[serde(default)]
    #[schema(minimum = 15, maximum = 600)]
    pub minutes_per_day: Option<u16>,
    pub long_run_day: Weekday,
    #[schema(minimum = 0, maximum = 7)]
    pub runs_per_week: u8,
    /// 1–3; when absent, plan generation picks from goal and experience.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3)]
    pub strength_sessions_per_week: Option<u8>,
    #[schema(minimum = 0, maximum = 300)]
    pub current_weekly_km: f64,
    #[schema(minimum = 0, maximum = 150)]
    pub longest_recent_run_km: f64,
    /// Equipment the athlete has.
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    /// Injury areas to protect.
    #[serde(default)]
    pub injuries: Vec<InjuryArea>,
    #[serde(default)]
    pub race: Option<Race>,
    /// Whether combined HIIT / circuit sessions are welcome.
    #[serde(default)]
    pub allow_hiit: bool,
    /// Whether two sessions on one day are welcome.
    #[serde(default)]
    pub allow_two_a_days: bool,
}

/// A partial profile for `PATCH` (JSON merge patch, RFC 7396): fields
/// present replace the stored ones, `null` clears an optional field.
/// Documentation only; the server merges and re-validates the whole.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AthleteProfilePatch {
    // The same ranges as `AthleteProfile`, which the merged result must be.
    // Fields the profile requires may be left out but not cleared: `null`
    // would remove them, and the result is no profile (so not nullable).
    #[schema(min_length = 1, pattern = "\\S", nullable = false)]
    name: Option<String>,
    #[schema(nullable = false)]
    goal: Option<Goal>,
    #[schema(nullable = false)]
    experience: Option<Experience>,
    #[schema(min_items = 1, nullable = false)]
    available_days: Option<Vec<Weekday>>,
    #[schema(minimum = 15, maximum = 600)]
    minutes_per_day: Option<u16>,
    #[schema(nullable = false)]
    long_run_day: Option<Weekday>,
    #[schema(minimum = 0, maximum = 7, nullable = false)]
    runs_per_week: Option<u8>,
    #[schema(minimum = 1, maximum = 3)]
    strength_sessions_per_week: Option<u8>,
    #[schema(minimum = 0, maximum = 300, nullable = false)]
    current_weekly_km: Option<f64>,
    #[schema(minimum = 0, maximum = 150, nullable = false)]
    longest_recent_run_km: Option<f64>,
    equipment: Option<Vec<Equipment>>,
    injuries: Option<Vec<InjuryArea>>,
    race: Option<Race>,
    allow_hiit: Option<bool>,
    allow_two_a_days: Option<bool>,
}

fn unique<T: PartialEq>(values: &[T]) -> bool {
    values
        .iter()
        .enumerate()
        .all(|(i, v)| !values[..i].contains(v))
}

impl AthleteProfile {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::default();
        let name_length = self.name.trim().chars().count();
        errors.check(
            (1..=100).contains(&name_length),
            "/name",
            "between 1 and 100 characters",
        );
        errors.check(
            !self.available_days.is_empty(),
            "/available_days",
            "at least one day",
        );
        errors.check(
            unique(&self.available_days),
            "/available_days",
            "days must not repeat",
        );
        errors.check(
            self.available_days.contains(&self.long_run_day),
            "/long_run_day",
            "must be one of the available days",
        );
        errors.check(
            usize::from(self.runs_per_week) <= self.available_days.len(),
            "/runs_per_week",
            "cannot exceed the number of available days",
        );
        errors.check(
            self.minutes_per_day.is_none_or(|m| (15..=600).contains(&m)),
            "/minutes_per_day",
            "between 15 and 600",
        );
        errors.check(
            self.strength_sessions_per_week
                .is_none_or(|s| (1..=3).contains(&s)),
            "/strength_sessions_per_week",
            "between 1 and 3",
        );
        errors.check(
            self.current_weekly_km.is_finite() && (0.0..=300.0).contains(&self.current_weekly_km),
            "/current_weekly_km",
            "between 0 and 300",
        );
        errors.check(
            self.longest_recent_run_km.is_finite()
                && (0.0..=150.0).contains(&self.longest_recent_run_km),
            "/longest_recent_run_km",
            "between 0 and 150",
        );
        errors.check(
            unique(&self.equipment),
            "/equipment",
            "values must not repeat",
        );
        errors.check(
            unique(&self.injuries),
            "/injuries",
            "values must not repeat",
        );
        if let Some(race) = &self.race {
            match (race.distance, race.distance_km) {
                (RaceDistance::Custom, Some(km)) => errors.check(
                    km.is_finite() && (1.0..=400.0).contains(&km),
                    "/race/distance_km",
                    "between 1 and 400",
                ),
                (RaceDistance::Custom, None) => {
                    errors.add("/race/distance_km", "required for a custom distance")
                }
                (_, Some(_)) => errors.add("/race/distance_km", "only for a custom distance"),
                (_, None) => {}
            }
        }
        errors.into_result()
    }
}

/// Applies an RFC 7396 JSON merge patch to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(patch_fields) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let fields = target.as_object_mut().expect("made an object above");
            for (key, value) in patch_fields {
                if value.is_null() {
                    fields.remove(key);
                } else {
                    merge_patch(fields.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub fn example_profile() -> AthleteProfile {
        serde_json::from_value(json!({
            "name": "Sam",
            "goal": "endurance",
            "experience": "intermediate",
            "available_days": ["monday", "wednesday", "friday", "saturday", "sunday"],
            "long_run_day": "sunday",
            "runs_per_week": 4,
            "current_weekly_km": 40.0,
            "longest_recent_run_km": 16.0,
            "equipment": ["dumbbell", "mat"],
            "injuries": ["knee"],
            "race": {"date": "2027-04-18", "distance": "marathon"}
        }))
        .unwrap()
    }

    fn pointers(profile: &AthleteProfile) -> Vec<String> {
        profile
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.pointer)
            .collect()
    }

    #[test]
    fn a_sensible_profile_is_valid() {
        assert!(example_profile().validate().is_ok());
    }

    #[test]
    fn inconsistent_fields_are_pointed_at() {
        let mut profile = example_profile();
        profile.long_run_day = Weekday::Tuesday;
        profile.runs_per_week = 6;
        profile.strength_sessions_per_week = Some(4);
        assert_eq!(
            pointers(&profile),
            [
                "/long_run_day",
                "/runs_per_week",
                "/strength_sessions_per_week"
            ]
        );

        let mut profile = example_profile();
        profile.race = Some(Race {
            date: NaiveDate::from_ymd_opt(2027, 5, 1).unwrap(),
            distance: RaceDistance::Custom,
            distance_km: None,
        });
        profile.current_weekly_km = f64::NAN;
        assert_eq!(
            pointers(&profile),
            ["/current_weekly_km", "/race/distance_km"]
        );
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]});
        merge_patch(
            &mut target,
            &json!({"a": null, "b": {"c": 5}, "e": [9], "f": "new"}),
        );
        assert_eq!(target, json!({"b": {"c": 5, "d": 3}, "e": [9], "f": "new"}));
    }
}
