//! The athlete profile: a name plus the plan-request fields of SPEC "Plan
//! generation" (all but `start_date` and `weeks`), which plan generation
//! takes as defaults.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::validation::{Errors, FieldError};
use super::vocabulary::{Equipment, Experience, Goal, InjuryArea, RaceDistance, Weekday};
pub use super::zones::RecentRace;

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
            RaceDistance::Custom => self.distance_km.unwrap_or(0.0),
            standard => Race::distance_km_of(standard),
        }
    }

    /// The length of a standard distance (0 for `custom`).
    pub fn distance_km_of(distance: RaceDistance) -> f64 {
        match distance {
            RaceDistance::FiveK => 5.0,
            RaceDistance::TenK => 10.0,
            RaceDistance::HalfMarathon => 21.0975,
            RaceDistance::Marathon => 42.195,
            RaceDistance::Custom => 0.0,
        }
    }
}

/// The plan-request fields an athlete profile stores (SPEC "Plan
/// request"), declared once. `athlete_fields!(callback!(args))` hands the
/// list to `callback`, which builds a type from it: the profile and the
/// plan request (`full_fields!`), their partial forms for PATCH and plan
/// overrides (`partial_fields!`, documentation only), and the conversion
/// between them (`profile_from_fields!`). serde's `flatten` would do the
/// same but cannot be combined with `deny_unknown_fields`.
///
/// Each entry: attributes shared by every form, `name: FullType`, the
/// full form's own attributes in brackets, then `as PartialType` and the
/// partial form's own attributes, and for a number its bounds,
/// `within MIN..=MAX`: they become the schema's `minimum`/`maximum` in
/// every form and the profile's check (`check_bounds!`), from this one
/// place. Fields a request requires may be left out of a partial body but
/// not cleared with `null` (not nullable).
macro_rules! athlete_fields {
    ($callback:ident ! ($($args:tt)*)) => {
        $crate::domain::zones::heart_rate_bounds! {
            $crate::domain::profile::athlete_field_list!($callback ($($args)*))
        }
    };
}
pub(crate) use athlete_fields;

/// The list itself, once `heart_rate_bounds!` has handed it the heart-rate
/// bounds (which `zones::check_inputs` checks, with the pairs).
macro_rules! athlete_field_list {
    (
        ($callback:ident ($($args:tt)*))
        max_hr $max_min:tt ..= $max_max:tt;
        resting_hr $resting_min:tt ..= $resting_max:tt;
        threshold_hr $threshold_min:tt ..= $threshold_max:tt;
    ) => {
        $callback! { ($($args)*)
            goal: Goal [] as Option<Goal> [#[schema(nullable = false)]];
            experience: Experience [] as Option<Experience> [#[schema(nullable = false)]];
            /// Days the athlete can train; at least one, none twice.
            #[schema(min_items = 1)]
            available_days: Vec<Weekday> [] as Option<Vec<Weekday>> [#[schema(nullable = false)]];
            /// Minutes available on a training day (the long run has its own).
            minutes_per_day: Option<u16> [#[serde(default)]] as Option<u16> [] within 15..=600;
            /// Minutes available for the long run; default the larger of
            /// `minutes_per_day` and 210. No long run is planned over 3.5 h.
            long_run_minutes: Option<u16> [#[serde(default)]] as Option<u16> [] within 30..=600;
            long_run_day: Weekday [] as Option<Weekday> [#[schema(nullable = false)]];
            runs_per_week: u8 [] as Option<u8> [#[schema(nullable = false)]] within 0..=7;
            /// 1–3; when absent, plan generation picks from goal and experience.
            strength_sessions_per_week: Option<u8> [#[serde(default)]] as Option<u8> [] within 1..=3;
            /// Running volume of a typical recent week.
            current_weekly_km: f64 [] as Option<f64> [#[schema(nullable = false)]] within 0..=300;
            /// Longest run of the last 30 days.
            longest_recent_run_km: f64 [] as Option<f64> [#[schema(nullable = false)]] within 0..=150;
            /// Equipment the athlete has.
            equipment: Vec<Equipment> [#[serde(default)]] as Option<Vec<Equipment>> [];
            /// Injury areas to protect.
            injuries: Vec<InjuryArea> [#[serde(default)]] as Option<Vec<InjuryArea>> [];
            race: Option<Race> [#[serde(default)]] as Option<Race> [
                #[doc = "Replaces the stored race; `null` removes it (a plan without a race)."]
            ];
            /// A recent race: training paces and race predictions follow
            /// from it (Daniels' VDOT; see `POST /v1/zones`).
            recent_race: Option<RecentRace> [#[serde(default)]] as Option<RecentRace> [];
            /// Maximum heart rate, for Karvonen zones (with `resting_hr`).
            #[schema(minimum = $max_min, maximum = $max_max)]
            max_hr: Option<u16> [#[serde(default)]] as Option<u16> [];
            #[schema(minimum = $resting_min, maximum = $resting_max)]
            resting_hr: Option<u16> [#[serde(default)]] as Option<u16> [];
            /// Lactate-threshold heart rate, for Friel zones.
            #[schema(minimum = $threshold_min, maximum = $threshold_max)]
            threshold_hr: Option<u16> [#[serde(default)]] as Option<u16> [];
            /// Whether combined HIIT / circuit sessions are welcome.
            allow_hiit: bool [#[serde(default)]] as Option<bool> [];
            /// Whether two sessions on one day are welcome.
            allow_two_a_days: bool [#[serde(default)]] as Option<bool> [];
        }
    };
}
pub(crate) use athlete_field_list;

/// A struct of its own fields followed by the athlete fields, public.
macro_rules! full_fields {
    (
        ($(#[$meta:meta])* pub struct $name:ident { $($own:tt)* })
        $( $(#[$shared:meta])* $field:ident : $full:ty [$(#[$full_only:meta])*] as $partial:ty [$(#[$partial_only:meta])*] $(within $min:tt ..= $max:tt)?; )*
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($own)*
            $( $(#[$shared])* $(#[schema(minimum = $min, maximum = $max)])? $(#[$full_only])* pub $field: $full, )*
        }
    };
}
pub(crate) use full_fields;

/// A documentation-only struct of its own fields followed by every athlete
/// field as optional.
macro_rules! partial_fields {
    (
        ($(#[$meta:meta])* pub struct $name:ident { $($own:tt)* })
        $( $(#[$shared:meta])* $field:ident : $full:ty [$(#[$full_only:meta])*] as $partial:ty [$(#[$partial_only:meta])*] $(within $min:tt ..= $max:tt)?; )*
    ) => {
        $(#[$meta])*
        #[allow(dead_code)]
        pub struct $name {
            $($own)*
            $( $(#[$shared])* $(#[schema(minimum = $min, maximum = $max)])? $(#[$partial_only])* $field: $partial, )*
        }
    };
}
pub(crate) use partial_fields;

/// `fn as_profile(&self, name) -> AthleteProfile` for a type with every
/// athlete field, to reuse the profile's checks.
macro_rules! profile_from_fields {
    (
        ($name:ident)
        $( $(#[$shared:meta])* $field:ident : $full:ty [$(#[$full_only:meta])*] as $partial:ty [$(#[$partial_only:meta])*] $(within $min:tt ..= $max:tt)?; )*
    ) => {
        impl $name {
            /// The athlete fields of this value as a profile named `name`.
            pub fn as_profile(&self, name: &str) -> $crate::domain::profile::AthleteProfile {
                $crate::domain::profile::AthleteProfile {
                    name: name.to_owned(),
                    $( $field: self.$field.clone(), )*
                }
            }
        }
    };
}
pub(crate) use profile_from_fields;

/// `fn check_bounds(&self, errors)` for the profile: every field declared
/// `within MIN..=MAX` must be (an absent optional field passes).
macro_rules! check_bounds {
    (
        ($name:ident)
        $( $(#[$shared:meta])* $field:ident : $full:ty [$(#[$full_only:meta])*] as $partial:ty [$(#[$partial_only:meta])*] $(within $min:tt ..= $max:tt)?; )*
    ) => {
        impl $name {
            fn check_bounds(&self, errors: &mut Errors) {
                $($(
                    errors.check(
                        Bounded::within(&self.$field, $min as f64, $max as f64),
                        concat!("/", stringify!($field)),
                        concat!("between ", stringify!($min), " and ", stringify!($max)),
                    );
                )?)*
            }
        }
    };
}

/// A number checked against the bounds its field declares.
trait Bounded {
    fn within(&self, min: f64, max: f64) -> bool;
}

impl Bounded for u8 {
    fn within(&self, min: f64, max: f64) -> bool {
        (min..=max).contains(&f64::from(*self))
    }
}

impl Bounded for u16 {
    fn within(&self, min: f64, max: f64) -> bool {
        (min..=max).contains(&f64::from(*self))
    }
}

impl Bounded for f64 {
    fn within(&self, min: f64, max: f64) -> bool {
        self.is_finite() && (min..=max).contains(self)
    }
}

impl<T: Bounded> Bounded for Option<T> {
    fn within(&self, min: f64, max: f64) -> bool {
        self.as_ref().is_none_or(|value| value.within(min, max))
    }
}

athlete_fields!(full_fields!(
    /// An athlete profile as clients write it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct AthleteProfile {
        /// 1 to 100 characters, not all white space.
        #[schema(example = "Sam Runner", min_length = 1, pattern = "\\S")]
        pub name: String,
    }
));

athlete_fields!(check_bounds!(AthleteProfile));

athlete_fields!(partial_fields!(
    /// A partial profile for `PATCH` (JSON merge patch, RFC 7396): fields
    /// present replace the stored ones, `null` clears an optional field.
    /// Documentation only; the server merges and re-validates the whole.
    #[derive(Debug, Serialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct AthleteProfilePatch {
        #[schema(min_length = 1, pattern = "\\S", nullable = false)]
        name: Option<String>,
    }
));

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
        // Over 7 is told once, by the bounds below.
        errors.check(
            self.runs_per_week > 7 || usize::from(self.runs_per_week) <= self.available_days.len(),
            "/runs_per_week",
            "cannot exceed the number of available days",
        );
        self.check_bounds(&mut errors);
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
        super::zones::check_inputs(
            &mut errors,
            "",
            self.recent_race.as_ref(),
            self.max_hr,
            self.resting_hr,
            self.threshold_hr,
        );
        errors.into_result()
    }

    /// Minutes available for the long run.
    pub fn long_run_minutes(&self) -> u16 {
        long_run_minutes(self.long_run_minutes, self.minutes_per_day)
    }
}

/// Minutes available for the long run: its own field, else the larger of
/// `minutes_per_day` and 210 (SPEC).
pub fn long_run_minutes(long_run: Option<u16>, per_day: Option<u16>) -> u16 {
    long_run.unwrap_or_else(|| per_day.unwrap_or(0).max(210))
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
    use crate::domain::validation::test_support::{documented_bounds, pointers_of};
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

    /// The bounds the document states are the bounds the check keeps:
    /// for every property of the profile's schema with a `minimum` and a
    /// `maximum`, those values pass and a step outside each fails, on the
    /// field's pointer alone.
    #[test]
    fn the_documented_bounds_are_the_checked_bounds() {
        let bounds = documented_bounds::<AthleteProfile>();
        for (field, min, max) in &bounds {
            let (min, max) = (*min, *max);
            let pointer = format!("/{field}");
            let with = |value: f64| {
                let mut body = serde_json::to_value(example_profile()).unwrap();
                // Whole numbers as JSON integers, which the integer fields need.
                body[field] = json!(value as i64);
                // Keep runs_per_week within the available days.
                body["available_days"] = json!([
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday"
                ]);
                match serde_json::from_value::<AthleteProfile>(body) {
                    Ok(profile) => pointers(&profile),
                    // Outside what the type holds at all (a u8 below 0).
                    Err(_) => vec![pointer.clone()],
                }
            };
            assert!(!with(min).contains(&pointer), "{field} at {min}");
            assert!(!with(max).contains(&pointer), "{field} at {max}");
            assert_eq!(with(max + 1.0), [pointer.as_str()], "{field} above {max}");
            assert_eq!(with(min - 1.0), [pointer.as_str()], "{field} below {min}");
        }
        // Six `within` fields and the three heart rates (zones::check_inputs).
        assert_eq!(bounds.len(), 9, "the bounded fields of athlete_fields!");
    }

    fn pointers(profile: &AthleteProfile) -> Vec<String> {
        pointers_of(profile.validate())
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
