//! Whether a race can be reached safely in the weeks given: walk/run to
//! continuous running first when needed, then long runs growing at most
//! 10% a week (with recovery weeks) to the shortest long run that makes
//! the race safe, then the taper. A race too soon is refused with the
//! earliest safe date and a shorter distance that fits.

use chrono::Duration;

use super::PlanError;
use super::periodization::{loading_weeks_per_cycle, taper_length};
use super::volume::safe_long_run_km;
use super::walk_run;
use super::workouts::Event;
use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::rules;
use crate::domain::profile::Race;
use crate::domain::vocabulary::{Experience, RaceDistance};

/// The longest run a walk/run start reaches: 30 minutes of jogging.
const WALK_RUN_LONGEST_KM: f64 = 30.0 * 60.0 / walk_run::JOG_S_PER_KM;

/// Weeks a plan for `race` needs, and why, for this athlete.
fn weeks_needed(request: &PlanRequest, race: &Race, walk_run_weeks: usize) -> (usize, String) {
    let event = Event::of(Some(race));
    let walk_run = walk_run_weeks > 0;
    let (mut weeks, start_km) = if walk_run {
        (walk_run_weeks, WALK_RUN_LONGEST_KM)
    } else {
        (0, request.longest_recent_run_km.max(3.0))
    };
    let safe = safe_long_run_km(event);
    let growth = if safe > start_km {
        ((safe / start_km).ln() / 1.1f64.ln()).ceil() as usize
    } else {
        0
    };
    // Loading weeks with a recovery week after every cycle.
    let cycle = loading_weeks_per_cycle(request.experience);
    let loading = growth + growth.saturating_sub(1) / cycle;
    weeks += loading;
    let taper = taper_length(Some(race), weeks + 3).max(1);
    weeks += taper;
    let mut why = Vec::new();
    if walk_run {
        why.push(format!(
            "{walk_run_weeks} weeks of walk/run to 30 minutes of continuous running"
        ));
    }
    if loading > 0 {
        why.push(format!(
            "{loading} weeks to build the long run from {start_km:.1} to {safe:.0} km at no more than 10% a week"
        ));
    }
    why.push(format!("a {taper}-week taper"));
    (weeks, why.join(", then "))
}

fn distance_name(distance: RaceDistance) -> &'static str {
    match distance {
        RaceDistance::FiveK => "5k",
        RaceDistance::TenK => "10k",
        RaceDistance::HalfMarathon => "half marathon",
        RaceDistance::Marathon => "marathon",
        RaceDistance::Custom => "race",
    }
}

/// Refuses a race that cannot be reached safely in `week_count` weeks
/// of which the first `walk_run_weeks` are walk/run.
pub fn check(
    request: &PlanRequest,
    week_count: usize,
    walk_run_weeks: usize,
) -> Result<(), PlanError> {
    let Some(race) = &request.race else {
        return Ok(());
    };
    let barely_runs = request.current_weekly_km < 5.0 || request.longest_recent_run_km < 3.0;
    if request.runs_per_week == 0 && barely_runs {
        return Err(PlanError::Infeasible {
            conflict: format!(
                "A race on {} needs running, but runs_per_week is 0 and the athlete barely runs yet (rule {}).",
                race.date,
                rules::WALK_RUN_FIRST
            ),
            suggestions: vec![
                "set runs_per_week to 3 to start with walk/run".to_owned(),
                "or plan weeks of strength without a race".to_owned(),
            ],
        });
    }
    let (needed, why) = weeks_needed(request, race, walk_run_weeks);
    if week_count >= needed {
        return Ok(());
    }
    let earliest = race.date + Duration::weeks((needed - week_count) as i64);
    let mut suggestions = vec![format!(
        "move the race to {earliest} or later, the earliest safe date"
    )];
    let shorter = [
        RaceDistance::HalfMarathon,
        RaceDistance::TenK,
        RaceDistance::FiveK,
    ]
    .into_iter()
    .filter(|d| Race::distance_km_of(*d) < race.km())
    .find(|distance| {
        let candidate = Race {
            distance: *distance,
            distance_km: None,
            ..race.clone()
        };
        weeks_needed(request, &candidate, walk_run_weeks).0 <= week_count
    });
    if let Some(distance) = shorter {
        suggestions.push(format!(
            "choose a shorter race on {}: a {} fits the weeks given",
            race.date,
            distance_name(distance)
        ));
    }
    if walk_run_weeks > 0 {
        suggestions.push(format!(
            "or plan {} weeks without a race (walk/run to continuous running)",
            week_count.clamp(walk_run::WEEKS, 52)
        ));
    }
    let experience = match request.experience {
        Experience::Beginner => "a beginner",
        Experience::Intermediate => "an intermediate runner",
        Experience::Advanced => "an advanced runner",
    };
    Err(PlanError::Infeasible {
        conflict: format!(
            "A {} on {} is {week_count} week(s) away; for {experience} running {:.0} km a week with a longest run of {:.1} km, reaching it safely takes about {needed} weeks: {why} (rules {}, {}, {}).",
            distance_name(race.distance),
            race.date,
            request.current_weekly_km,
            request.longest_recent_run_km,
            rules::WALK_RUN_FIRST,
            rules::LONGEST_RUN_CAP,
            rules::TAPER
        ),
        suggestions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::marathon_request;
    use chrono::NaiveDate;

    #[test]
    fn a_marathon_nine_weeks_from_zero_is_refused_with_a_date_and_a_shorter_race() {
        let mut request = marathon_request();
        request.current_weekly_km = 0.0;
        request.longest_recent_run_km = 0.0;
        request.start_date = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        let race = request.race.as_mut().unwrap();
        race.date = NaiveDate::from_ymd_opt(2027, 3, 7).unwrap();
        let Err(PlanError::Infeasible {
            conflict,
            suggestions,
        }) = check(&request, 9, 9)
        else {
            panic!("a marathon nine weeks from zero must be refused");
        };
        assert!(conflict.contains("walk/run"), "{conflict}");
        assert!(
            suggestions[0].starts_with("move the race to 2027-"),
            "{suggestions:?}"
        );
        assert!(
            suggestions.iter().all(|s| !s.contains("a 5k fits")),
            "a 5k needs 10 weeks: {suggestions:?}"
        );
        assert!(
            check(&request, 44, 9).is_ok(),
            "{:?}",
            weeks_needed(&request, request.race.as_ref().unwrap(), 9)
        );
        let mut five_k = request.clone();
        five_k.race.as_mut().unwrap().distance = RaceDistance::FiveK;
        assert!(check(&five_k, 10, 9).is_ok());
        let Err(PlanError::Infeasible { suggestions, .. }) = check(&request, 12, 9) else {
            panic!("refused");
        };
        assert!(
            suggestions.iter().any(|s| s.contains("a 5k fits")),
            "{suggestions:?}"
        );
    }

    #[test]
    fn runners_with_history_get_their_race() {
        let request = marathon_request();
        assert!(check(&request, 19, 0).is_ok());
        // 16 km to 24 km takes five loading weeks, a recovery week and a
        // two-week taper: eight weeks.
        assert!(check(&request, 8, 0).is_ok());
        assert!(check(&request, 7, 0).is_err());
    }
}
