//! Requests and the catalog the plan tests start from, so that a fixture
//! says only what it is about and every test shares one baseline.

use chrono::NaiveDate;

use super::catalog::PlanCatalog;
use super::request::PlanRequest;
use crate::domain::profile::Race;
use crate::domain::vocabulary::*;

pub fn seed_catalog() -> PlanCatalog {
    PlanCatalog::new(crate::seed::exercises_with_fixed_ids())
}

/// Every day but Friday.
pub const SIX_DAYS: [Weekday; 6] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// The baseline fixtures override: an 8-week endurance plan from Monday
/// 2027-01-04 for an intermediate running four times on six days of an
/// hour, the long run on Sunday, 30 km a week and a 12 km longest run,
/// with no kit, injuries, race, HIIT, two-a-days or heart-rate data.
pub fn base_request() -> PlanRequest {
    PlanRequest {
        start_date: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        weeks: Some(8),
        race: None,
        goal: Goal::Endurance,
        experience: Experience::Intermediate,
        available_days: SIX_DAYS.to_vec(),
        minutes_per_day: Some(60),
        long_run_day: Weekday::Sunday,
        runs_per_week: 4,
        strength_sessions_per_week: None,
        current_weekly_km: 30.0,
        longest_recent_run_km: 12.0,
        equipment: Vec::new(),
        injuries: Vec::new(),
        allow_hiit: false,
        allow_two_a_days: false,
        long_run_minutes: None,
        recent_race: None,
        max_hr: None,
        resting_hr: None,
        threshold_hr: None,
    }
}

/// A spring marathon for an intermediate with a knee to mind.
pub fn marathon_request() -> PlanRequest {
    PlanRequest {
        start_date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        weeks: None,
        race: Some(Race {
            date: NaiveDate::from_ymd_opt(2027, 4, 18).unwrap(),
            distance: RaceDistance::Marathon,
            distance_km: None,
        }),
        minutes_per_day: Some(90),
        strength_sessions_per_week: Some(2),
        current_weekly_km: 40.0,
        longest_recent_run_km: 16.0,
        equipment: vec![
            Equipment::Dumbbell,
            Equipment::Mat,
            Equipment::ResistanceBand,
        ],
        injuries: vec![InjuryArea::Knee],
        ..base_request()
    }
}
