//! What plan generation takes: the athlete profile's fields plus a start
//! date and either a number of weeks or a race.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::dates;
use crate::domain::profile::{AthleteProfile, Race};
use crate::domain::validation::{Errors, FieldError};
use crate::domain::vocabulary::{Equipment, Experience, Goal, InjuryArea, Weekday};

pub const MAX_WEEKS: i64 = 52;

/// A plan request (SPEC "Plan request"; field names fixed).
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
    #[serde(default)]
    pub race: Option<Race>,
    pub goal: Goal,
    pub experience: Experience,
    /// Days the athlete can train; at least one, none twice.
    #[schema(min_items = 1)]
    pub available_days: Vec<Weekday>,
    #[serde(default)]
    #[schema(minimum = 15, maximum = 600)]
    pub minutes_per_day: Option<u16>,
    pub long_run_day: Weekday,
    #[schema(minimum = 0, maximum = 7)]
    pub runs_per_week: u8,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3)]
    pub strength_sessions_per_week: Option<u8>,
    #[schema(minimum = 0, maximum = 300)]
    pub current_weekly_km: f64,
    #[schema(minimum = 0, maximum = 150)]
    pub longest_recent_run_km: f64,
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    #[serde(default)]
    pub injuries: Vec<InjuryArea>,
    #[serde(default)]
    pub allow_hiit: bool,
    #[serde(default)]
    pub allow_two_a_days: bool,
}

impl PlanRequest {
    /// The profile fields of this request, to reuse their checks.
    fn as_profile(&self) -> AthleteProfile {
        AthleteProfile {
            name: "plan".to_owned(),
            goal: self.goal,
            experience: self.experience,
            available_days: self.available_days.clone(),
            minutes_per_day: self.minutes_per_day,
            long_run_day: self.long_run_day,
            runs_per_week: self.runs_per_week,
            strength_sessions_per_week: self.strength_sessions_per_week,
            current_weekly_km: self.current_weekly_km,
            longest_recent_run_km: self.longest_recent_run_km,
            equipment: self.equipment.clone(),
            injuries: self.injuries.clone(),
            race: self.race.clone(),
            allow_hiit: self.allow_hiit,
            allow_two_a_days: self.allow_two_a_days,
        }
    }

    /// Checks the request; on success returns the plan's number of weeks
    /// and its last day.
    pub fn validate(&self) -> Result<(usize, NaiveDate), Vec<FieldError>> {
        let mut errors = Errors::default();
        if let Err(profile_errors) = self.as_profile().validate() {
            for error in profile_errors {
                errors.add(error.pointer, error.detail);
            }
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
