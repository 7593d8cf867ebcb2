//! Phases: walk/run weeks first for someone not running yet, then base →
//! build → peak with recovery weeks, and the taper.

use crate::domain::plan::validate::taper_weeks;
use crate::domain::profile::Race;
use crate::domain::vocabulary::{Experience, Phase};

/// Loading weeks between recovery weeks: beginners recover every 3rd week,
/// others every 4th.
pub fn loading_weeks_per_cycle(experience: Experience) -> usize {
    match experience {
        Experience::Beginner => 2,
        _ => 3,
    }
}

/// Taper length for this race and plan length: the longer taper when the
/// plan has room for it (16 weeks or more).
pub fn taper_length(race: Option<&Race>, weeks: usize) -> usize {
    let Some(race) = race else { return 0 };
    if weeks <= 1 {
        return weeks;
    }
    let (fewest, most) = taper_weeks(race);
    let wanted = if weeks >= 16 { most } else { fewest };
    wanted.min(weeks - 1)
}

/// Volume of each taper week as a share of peak volume: falling every
/// week, the race week in the middle of 40–60% (Bosquet 2007; Pfitzinger
/// 78/58/40%), since its last two days are short by rule.
pub fn taper_fraction(position: usize, length: usize) -> f64 {
    let shares: &[f64] = match length {
        1 => &[0.55],
        2 => &[0.7, 0.5],
        _ => &[0.75, 0.62, 0.5],
    };
    shares[position.min(shares.len() - 1)]
}

/// Which of `loading` weeks are recovery weeks in a race plan, counted back
/// from the taper: the last two or three weeks before it load (the taper
/// is the rest that follows them, so no recovery week comes just before
/// it), and before them blocks of two or three loading weeks each end in
/// a recovery week. Blocks of the athlete's cycle are preferred; `None`
/// when no split fits (short plans), and then every week loads.
fn race_recovery_weeks(loading: usize, preferred: usize) -> Option<Vec<bool>> {
    // best[n]: the fewest off-cycle blocks that split the first n weeks
    // into blocks of (2 or 3 loading + 1 recovery), with the block sizes.
    let mut best: Vec<Option<(usize, Vec<usize>)>> = vec![None; loading + 1];
    best[0] = Some((0, Vec::new()));
    for n in 1..=loading {
        for load in [2, 3] {
            let size = load + 1;
            if n >= size
                && let Some((cost, blocks)) = best[n - size].clone()
            {
                let cost = cost + usize::from(load != preferred);
                if best[n].as_ref().is_none_or(|(c, _)| cost < *c) {
                    let mut blocks = blocks;
                    blocks.push(load);
                    best[n] = Some((cost, blocks));
                }
            }
        }
    }
    let mut chosen: Option<(usize, usize, Vec<usize>)> = None;
    for last in [3, 2] {
        if loading < last {
            continue;
        }
        if let Some((cost, blocks)) = &best[loading - last] {
            let cost = cost + usize::from(last != 3);
            if chosen.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                chosen = Some((cost, last, blocks.clone()));
            }
        }
    }
    let (_, _, blocks) = chosen?;
    let mut recovery = Vec::with_capacity(loading);
    for load in blocks {
        recovery.extend(std::iter::repeat_n(false, load));
        recovery.push(true);
    }
    recovery.resize(loading, false);
    Some(recovery)
}

/// The phase of every week: `walk_run` weeks of base first (walk/run
/// sessions), then base → build → peak → taper for race plans and base →
/// build otherwise, with recovery weeks every 3rd or 4th week.
pub fn phases(
    weeks: usize,
    race: Option<&Race>,
    experience: Experience,
    walk_run: usize,
) -> Vec<Phase> {
    let taper = taper_length(race, weeks);
    let before_taper = weeks - taper;
    let walk_run = walk_run.min(before_taper);
    let loading = before_taper - walk_run;
    let cycle = loading_weeks_per_cycle(experience);
    let recovery: Vec<bool> = match race {
        Some(_) => race_recovery_weeks(loading, cycle).unwrap_or_else(|| vec![false; loading]),
        None => (0..loading).map(|i| (i + 1) % (cycle + 1) == 0).collect(),
    };
    let mut phases: Vec<Phase> = recovery
        .iter()
        .map(|r| if *r { Phase::Recovery } else { Phase::Base })
        .collect();
    let training: Vec<usize> = (0..loading).filter(|i| !recovery[*i]).collect();
    let count = training.len();
    for (position, week) in training.iter().enumerate() {
        let fraction = (position as f64 + 0.5) / count as f64;
        phases[*week] = match race {
            Some(_) if count >= 4 && fraction > 0.8 => Phase::Peak,
            Some(_) if fraction > 0.4 => Phase::Build,
            None if fraction > 0.34 => Phase::Build,
            _ => Phase::Base,
        };
    }
    let mut all = vec![Phase::Base; walk_run];
    all.extend(phases);
    all.extend(std::iter::repeat_n(Phase::Taper, taper));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::RaceDistance;
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
        let phases = phases(18, Some(&marathon), Experience::Intermediate, 0);
        assert_eq!(phases.len(), 18);
        assert_eq!(&phases[15..], [Phase::Taper; 3]);
        // 15 weeks before the taper: L L L R ×3, then three loading weeks.
        assert_eq!(phases[3], Phase::Recovery);
        assert_eq!(phases[7], Phase::Recovery);
        assert_eq!(phases[11], Phase::Recovery);
        assert_ne!(
            phases[14],
            Phase::Recovery,
            "no recovery week just before the taper"
        );
        assert_eq!(phases[14], Phase::Peak);
        assert_eq!(phases[0], Phase::Base);
        let first_build = phases.iter().position(|p| *p == Phase::Build).unwrap();
        let last_base = phases.iter().rposition(|p| *p == Phase::Base).unwrap();
        assert!(last_base < first_build);
        assert_eq!(taper_length(Some(&race(RaceDistance::FiveK)), 10), 1);
        assert_eq!(taper_length(Some(&race(RaceDistance::HalfMarathon)), 10), 2);
        assert_eq!(taper_length(Some(&marathon), 8), 2);
    }

    #[test]
    fn loading_streaks_stay_within_the_cycle_for_any_length() {
        for experience in Experience::ALL {
            for weeks in 8..=52 {
                let phases = phases(weeks, Some(&race(RaceDistance::Marathon)), *experience, 0);
                let mut streak = 0;
                for phase in &phases {
                    streak = if matches!(phase, Phase::Base | Phase::Build | Phase::Peak) {
                        streak + 1
                    } else {
                        0
                    };
                    assert!(streak <= 3, "{weeks} weeks {experience}: {phases:?}");
                }
                let before_taper = phases.iter().rposition(|p| *p != Phase::Taper).unwrap();
                assert_ne!(phases[before_taper], Phase::Recovery, "{phases:?}");
            }
        }
    }

    #[test]
    fn beginners_recover_every_third_week_and_walk_run_weeks_come_first() {
        let phases = phases(9, None, Experience::Beginner, 0);
        assert_eq!(phases[2], Phase::Recovery);
        assert_eq!(phases[5], Phase::Recovery);
        assert!(!phases.contains(&Phase::Taper));
        let with_walk_run = super::phases(
            12,
            Some(&race(RaceDistance::FiveK)),
            Experience::Beginner,
            9,
        );
        assert_eq!(&with_walk_run[..9], [Phase::Base; 9]);
        assert_eq!(with_walk_run[11], Phase::Taper);
    }
}
