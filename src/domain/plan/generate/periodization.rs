//! Phases and weekly running volume targets.

use crate::domain::plan::validate::taper_weeks;
use crate::domain::profile::Race;
use crate::domain::vocabulary::{Experience, Phase, RaceDistance};

/// Loading weeks between recovery weeks: beginners recover every 3rd week,
/// others every 4th.
pub fn loading_weeks_per_cycle(experience: Experience) -> usize {
    match experience {
        Experience::Beginner => 2,
        _ => 3,
    }
}

/// Taper length for this race and plan length.
pub fn taper_length(race: Option<&Race>, weeks: usize) -> usize {
    let Some(race) = race else { return 0 };
    if weeks <= 1 {
        return weeks;
    }
    let (fewest, most) = taper_weeks(race);
    let wanted = if weeks >= 16 { most } else { fewest };
    wanted.min(weeks - 1)
}

/// The phase of every week: base → build → peak → taper for race plans,
/// base → build otherwise, with recovery weeks every 3rd or 4th week.
pub fn phases(weeks: usize, race: Option<&Race>, experience: Experience) -> Vec<Phase> {
    let taper = taper_length(race, weeks);
    let loading = weeks - taper;
    let cycle = loading_weeks_per_cycle(experience) + 1;
    let mut phases: Vec<Phase> = (0..loading)
        .map(|index| {
            if (index + 1) % cycle == 0 {
                Phase::Recovery
            } else {
                Phase::Base
            }
        })
        .collect();
    let training: Vec<usize> = (0..loading)
        .filter(|i| phases[*i] != Phase::Recovery)
        .collect();
    let count = training.len();
    for (position, week) in training.iter().enumerate() {
        let fraction = (position as f64 + 0.5) / count as f64;
        phases[*week] = match race {
            Some(_) if count >= 4 && fraction > 0.85 => Phase::Peak,
            Some(_) if fraction > 0.45 => Phase::Build,
            None if fraction > 0.34 => Phase::Build,
            _ => Phase::Base,
        };
    }
    phases.extend(std::iter::repeat_n(Phase::Taper, taper));
    phases
}

/// The weekly volume the plan builds towards.
pub fn peak_target_km(race: Option<&Race>, experience: Experience, current_km: f64) -> f64 {
    let level = match experience {
        Experience::Beginner => 0,
        Experience::Intermediate => 1,
        Experience::Advanced => 2,
    };
    let by_race = race.map(|race| {
        let table: [f64; 3] = match race.distance {
            RaceDistance::FiveK => [25.0, 35.0, 50.0],
            RaceDistance::TenK => [30.0, 45.0, 60.0],
            RaceDistance::HalfMarathon => [35.0, 50.0, 70.0],
            RaceDistance::Marathon => [45.0, 65.0, 90.0],
            RaceDistance::Custom => {
                let km = race.km();
                [25.0 + km * 0.5, 35.0 + km * 0.7, 50.0 + km * 0.9]
            }
        };
        table[level]
    });
    let target = by_race.unwrap_or(current_km * 1.2);
    target.max(current_km).clamp(8.0, 160.0)
}

/// Volume of each taper week as a share of peak volume.
pub fn taper_fraction(position: usize, length: usize) -> f64 {
    match (length, position) {
        (1, _) => 0.5,
        (2, 0) => 0.7,
        (2, _) => 0.5,
        (_, 0) => 0.8,
        (_, 1) => 0.65,
        _ => 0.5,
    }
}

/// Where week 1 starts: the athlete's current volume, or a gentle 8 km
/// for someone not running yet.
pub fn starting_km(current_km: f64) -> f64 {
    if current_km < 8.0 { 8.0 } else { current_km }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn race(distance: RaceDistance) -> Race {
        Race {
            date: NaiveDate::from_ymd_opt(2027, 4, 18).unwrap(),
            distance,
            distance_km: None,
        }
    }

    #[test]
    fn race_plans_run_base_build_peak_taper_with_recovery_weeks() {
        let marathon = race(RaceDistance::Marathon);
        let phases = phases(18, Some(&marathon), Experience::Intermediate);
        assert_eq!(phases.len(), 18);
        assert_eq!(&phases[15..], [Phase::Taper; 3]);
        assert_eq!(phases[3], Phase::Recovery);
        assert_eq!(phases[7], Phase::Recovery);
        assert_eq!(phases[0], Phase::Base);
        assert!(phases.contains(&Phase::Build) && phases.contains(&Phase::Peak));
        let first_build = phases.iter().position(|p| *p == Phase::Build).unwrap();
        let last_base = phases.iter().rposition(|p| *p == Phase::Base).unwrap();
        assert!(last_base < first_build);
        assert_eq!(taper_length(Some(&race(RaceDistance::FiveK)), 10), 1);
        assert_eq!(taper_length(Some(&race(RaceDistance::HalfMarathon)), 10), 2);
        assert_eq!(taper_length(Some(&marathon), 8), 2);
    }

    #[test]
    fn beginners_recover_every_third_week() {
        let phases = phases(9, None, Experience::Beginner);
        assert_eq!(phases[2], Phase::Recovery);
        assert_eq!(phases[5], Phase::Recovery);
        assert!(!phases.contains(&Phase::Taper));
    }
}
