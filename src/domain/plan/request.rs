//! What plan generation takes: the athlete profile's fields plus a start
//! date and either a number of weeks or a race.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::dates;
use crate::domain::profile::{
    AthleteProfile, Race, RecentRace, athlete_fields, full_fields, partial_fields,
    profile_from_fields,
};
use crate::domain::validation::{Errors, FieldError};
use crate::domain::vocabulary::{Equipment, Experience, Goal, InjuryArea, Weekday};

pub const MAX_WEEKS: i64 = 52;

athlete_fields!(full_fields!(
    /// A plan request (SPEC "Plan request"; field names fixed): a start
    /// date, `weeks` or a `race`, and the athlete fields a profile stores.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct PlanRequest {
        #[schema(value_type = String, format = Date, example = "2026-12-07")]
        #[serde(deserialize_with = "crate::domain::dates::date")]
        pub start_date: NaiveDate,
        /// 1–52; give this or `race`.
        #[serde(default)]
        #[schema(minimum = 1, maximum = 52)]
        pub weeks: Option<u8>,
    }
));

athlete_fields!(profile_from_fields!(PlanRequest));

athlete_fields!(partial_fields!(
    /// Any fields of a plan request; the athlete's profile supplies the rest.
    /// `start_date` is required unless the plan starts today.
    /// Documentation only: the handler merges the body into the profile and
    /// parses the result as a `PlanRequest`, so the ranges here are that
    /// type's, and unknown fields are refused the same way.
    #[derive(Debug, Serialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct PlanOverrides {
        #[schema(value_type = Option<String>, format = Date, nullable = false)]
        start_date: Option<String>,
        /// A plan of this many weeks instead of one up to a race. Against a
        /// profile with a race, send `"race": null` with it: the race is never
        /// dropped silently (422 otherwise).
        #[schema(minimum = 1, maximum = 52)]
        weeks: Option<u8>,
    }
));

impl PlanRequest {
    /// Checks the request; on success returns the plan's number of weeks
    /// and its last day.
    pub fn validate(&self) -> Result<(usize, NaiveDate), Vec<FieldError>> {
        let mut errors = Errors::default();
        if let Err(profile_errors) = self.as_profile("plan").validate() {
            for error in profile_errors {
                errors.add(error.pointer, error.detail);
            }
        }
        if let Some(date) = self.recent_race.as_ref().and_then(|r| r.date) {
            errors.check(
                date <= self.start_date,
                "/recent_race/date",
                "must not be after start_date (a race already run)",
            );
        }
        let span = match (&self.race, self.weeks) {
            (Some(_), Some(_)) => {
                errors.add("/weeks", "give either `weeks` or `race`, not both");
                None
            }
            (None, None) => {
                errors.add("/weeks", "give `weeks` (1–52) or a `race`");
                None
            }
            (None, Some(weeks)) => {
                errors.check((1..=52).contains(&weeks), "/weeks", "between 1 and 52");
                let weeks = i64::from(weeks.clamp(1, 52));
                // Checked: the generator's dates all lie between the start
                // and this last day, so this proves they exist; and a plan
                // ends within the dates the API accepts, as its race would.
                match dates::add_days(self.start_date, 7 * weeks - 1)
                    .filter(|last| dates::is_in_range(*last))
                {
                    Some(last) => Some((weeks as usize, last)),
                    None => {
                        errors.add("/weeks", "the plan would end after 2200-12-31");
                        None
                    }
                }
            }
            (Some(race), None) => {
                let days = (race.date - self.start_date).num_days() + 1;
                if days < 2 {
                    errors.add("/race/date", "must be after the start date");
                    None
                } else if days > 7 * MAX_WEEKS {
                    errors.add("/race/date", "at most 52 weeks after the start date");
                    None
                } else {
                    Some((((days + 6) / 7) as usize, race.date))
                }
            }
        };
        errors.into_result()?;
        Ok(span.expect("no errors means a span"))
    }

    /// Strength sessions a week: the athlete's choice, or 2 (3 for a
    /// strength goal, trained athletes).
    pub fn strength_per_week(&self) -> u8 {
        self.strength_sessions_per_week
            .unwrap_or(match (self.goal, self.experience) {
                (Goal::Strength, Experience::Intermediate | Experience::Advanced) => 3,
                _ => 2,
            })
    }
}

/// Builds a request from a stored profile (as JSON) and a body of
/// overrides (JSON merge patch): any field of the body replaces the
/// profile's, `null` clears it.
pub fn request_from_profile(
    profile: &AthleteProfile,
    overrides: &serde_json::Value,
) -> serde_json::Value {
    let mut merged = serde_json::to_value(profile).expect("profiles serialize");
    if let Some(fields) = merged.as_object_mut() {
        fields.remove("name");
    }
    crate::domain::profile::merge_patch(&mut merged, overrides);
    merged
}
