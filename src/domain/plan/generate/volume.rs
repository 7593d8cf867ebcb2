//! How far the plan runs: the weekly volume it builds to and the long run
//! sized to the race, both growing from where the athlete is within the
//! 10% weekly and 110% single-run rules.
//!
//! Peaks follow published plans (REFERENCES.md): a first marathon near
//! 55–70 km a week with a long run of 28 km or more (Higdon Novice 1:
//! 64 km, 32 km), an experienced marathoner near 85–100 km with 32–35 km
//! long runs (Pfitzinger 18/55: 88 km, three 32 km runs). Long runs are
//! 70–80% of the marathon, 85–110% of the half, 110–160% of 10 km and
//! 150–250% of 5 km, never over 3.5 h.

use super::workouts::Event;
use crate::domain::vocabulary::{Experience, Phase};

/// No long run is planned over this (SPEC: never longer than about 3.5 h).
pub const LONG_RUN_MAX_MIN: u16 = 210;

/// The long run's share of the week it may take, by runs a week: half the
/// week from three runs (Higdon Novice 1 peaks at 20 of 40 miles).
pub fn long_run_share_cap(runs_per_week: usize) -> f64 {
    match runs_per_week {
        0 | 1 => 1.0,
        2 => 0.6,
        _ => 0.5,
    }
}

fn level(experience: Experience) -> usize {
    match experience {
        Experience::Beginner => 0,
        Experience::Intermediate => 1,
        Experience::Advanced => 2,
    }
}

/// Peak weekly volume a race calls for, by experience.
fn race_peak_km(event: Event, experience: Experience) -> Option<f64> {
    let table: [f64; 3] = match event {
        Event::General => return None,
        Event::FiveK => [30.0, 45.0, 65.0],
        Event::TenK => [35.0, 50.0, 70.0],
        Event::Half => [40.0, 55.0, 75.0],
        Event::Marathon => [62.0, 75.0, 92.0],
    };
    Some(table[level(experience)])
}

/// The peak long run a race calls for, and the most it may be.
fn race_long_run_km(event: Event, experience: Experience) -> Option<(f64, f64)> {
    let (table, most): ([f64; 3], f64) = match event {
        Event::General => return None,
        Event::FiveK => ([8.0, 10.0, 12.0], 12.5),
        Event::TenK => ([11.0, 13.0, 15.0], 16.0),
        Event::Half => ([18.0, 20.0, 22.0], 23.0),
        Event::Marathon => ([29.0, 32.0, 34.0], 35.0),
    };
    Some((table[level(experience)], most))
}

/// The shortest long run that makes a race safe to run: without it the
/// race is refused (feasibility).
pub fn safe_long_run_km(event: Event) -> f64 {
    match event {
        Event::General => 0.0,
        Event::FiveK => 3.5,
        Event::TenK => 7.0,
        Event::Half => 13.0,
        Event::Marathon => 24.0,
    }
}

/// What the volume plan is built from.
pub struct Inputs {
    pub event: Event,
    pub experience: Experience,
    pub runs_per_week: usize,
    /// Weekly km and longest run where the loading weeks start.
    pub start_km: f64,
    pub longest_km: f64,
    pub minutes_per_day: Option<u16>,
    /// Minutes each run of the week but the long run may take, when limited.
    pub other_runs_minutes: Vec<Option<f64>>,
    pub long_run_minutes: u16,
    /// Planning paces, seconds per km.
    pub easy_pace: f64,
    pub long_pace: f64,
    /// The phases of the loading weeks (base, build, peak), in order.
    pub loading: Vec<Phase>,
}

/// Weekly and long-run targets of the loading weeks, before the rules'
/// caps on the weeks actually planned.
#[derive(Debug, Clone)]
pub struct VolumePlan {
    pub start_km: f64,
    pub peak_km: f64,
    growth: f64,
    pub long_start_km: f64,
    pub long_peak_km: f64,
    long_growth: f64,
    long_reach: usize,
    loading_weeks: usize,
    /// Marathon long runs alternate big and shorter once at their peak.
    alternate: bool,
    /// The long run the time available allows.
    pub long_time_km: f64,
}

impl VolumePlan {
    pub fn new(inputs: &Inputs) -> VolumePlan {
        let count = inputs.loading.len();
        let first_peak = inputs
            .loading
            .iter()
            .position(|p| *p == Phase::Peak)
            .unwrap_or(count.saturating_sub(1));
        let long_minutes = inputs.long_run_minutes.min(LONG_RUN_MAX_MIN);
        let long_time_km = f64::from(long_minutes) * 60.0 / inputs.long_pace;
        let start = inputs.start_km.max(0.0);
        let longest = inputs.longest_km.max(3.0);
        // Other runs: at most 12/16/20 km each, and what their minutes hold.
        let run_max: f64 = [12.0, 16.0, 20.0][level(inputs.experience)];
        let other_runs: f64 = inputs
            .other_runs_minutes
            .iter()
            .map(|minutes| {
                minutes.map_or(run_max, |m| {
                    run_max.min((m - 2.0).max(10.0) * 60.0 / inputs.easy_pace)
                })
            })
            .sum();
        let long_peak = match race_long_run_km(inputs.event, inputs.experience) {
            // Someone already running longer builds a little further.
            Some((wanted, most)) => wanted.max((1.1 * longest).min(most)),
            None => {
                let peak = race_peak_km(inputs.event, inputs.experience).unwrap_or(start * 1.2);
                (0.33 * peak).clamp(longest.min(21.0), 21.0)
            }
        }
        .min(long_time_km);
        let capacity = if inputs.runs_per_week == 0 {
            0.0
        } else {
            long_peak + other_runs
        };
        let wanted_peak = race_peak_km(inputs.event, inputs.experience)
            .unwrap_or(start * 1.2)
            .max(start);
        let reachable = start.max(1.0) * 1.1f64.powi(first_peak as i32);
        let peak = wanted_peak.min(capacity).min(reachable).max(start);
        let growth = if first_peak > 0 && start > 0.0 {
            (peak / start).powf(1.0 / first_peak as f64).min(1.1)
        } else {
            1.0
        };
        let long_reach = ((count.saturating_sub(1)) as f64 * 0.7).round() as usize;
        let long_growth = if long_peak > longest {
            (long_peak / longest)
                .powf(1.0 / (long_reach + 1) as f64)
                .min(1.1)
        } else {
            1.0
        };
        VolumePlan {
            start_km: start,
            peak_km: peak,
            growth,
            long_start_km: longest,
            long_peak_km: long_peak,
            long_growth,
            long_reach,
            loading_weeks: count,
            alternate: inputs.event == Event::Marathon,
            long_time_km,
        }
    }

    /// The volume of loading week `index` (0-based among loading weeks).
    pub fn week_km(&self, index: usize) -> f64 {
        (self.start_km * self.growth.powi(index as i32)).min(self.peak_km)
    }

    /// The long run of loading week `index`: growing to the race's peak,
    /// then (marathon) a shorter one every other week, the last before the
    /// taper a big one, as Pfitzinger alternates 32 km runs with shorter.
    pub fn long_km(&self, index: usize) -> f64 {
        let path = self.long_start_km * self.long_growth.powi(index as i32 + 1);
        if path < self.long_peak_km - 0.05 {
            return path;
        }
        let from_end = self.loading_weeks.saturating_sub(1).saturating_sub(index);
        if self.alternate && from_end % 2 == 1 && index > self.long_reach {
            0.85 * self.long_peak_km
        } else {
            self.long_peak_km
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(
        event: Event,
        experience: Experience,
        start: f64,
        longest: f64,
        weeks: usize,
    ) -> Inputs {
        let mut loading = vec![Phase::Build; weeks];
        if let Some(last) = loading.last_mut() {
            *last = Phase::Peak;
        }
        Inputs {
            event,
            experience,
            runs_per_week: if experience == Experience::Advanced {
                6
            } else {
                4
            },
            start_km: start,
            longest_km: longest,
            minutes_per_day: None,
            other_runs_minutes: vec![
                None;
                if experience == Experience::Advanced {
                    5
                } else {
                    3
                }
            ],
            long_run_minutes: 210,
            easy_pace: 360.0,
            long_pace: 360.0,
            loading,
        }
    }

    #[test]
    fn a_first_marathon_builds_from_24_km_and_10_km_within_the_rules() {
        let plan = VolumePlan::new(&inputs(
            Event::Marathon,
            Experience::Beginner,
            24.0,
            10.0,
            11,
        ));
        assert!((55.0..=70.0).contains(&plan.peak_km), "{plan:?}");
        assert!(plan.week_km(10) >= plan.week_km(9));
        for week in 1..11 {
            assert!(plan.week_km(week) <= 1.1 * plan.week_km(week - 1) + 1e-9);
            assert!(plan.long_km(week) <= 1.1 * plan.long_km(week - 1) + 1e-9);
        }
        assert!(plan.long_km(10) >= 28.0, "{}", plan.long_km(10));
    }

    #[test]
    fn an_experienced_marathoner_peaks_near_90_km_with_32_to_35_km_runs() {
        let plan = VolumePlan::new(&inputs(
            Event::Marathon,
            Experience::Advanced,
            65.0,
            24.0,
            12,
        ));
        assert!((85.0..=100.0).contains(&plan.peak_km), "{plan:?}");
        let longest: Vec<f64> = (0..12).map(|w| plan.long_km(w)).collect();
        assert!(
            longest
                .iter()
                .filter(|k| (32.0..=35.0).contains(*k))
                .count()
                >= 2,
            "{longest:?}"
        );
        assert!((32.0..=35.0).contains(&longest[11]), "{longest:?}");
    }

    #[test]
    fn the_long_run_stays_within_its_time() {
        let mut slow = inputs(Event::Marathon, Experience::Beginner, 40.0, 20.0, 12);
        slow.long_pace = 480.0;
        let plan = VolumePlan::new(&slow);
        // 210 minutes at 8:00/km.
        assert!((plan.long_peak_km - 26.25).abs() < 1e-9, "{plan:?}");
        assert!((0..12).all(|w| plan.long_km(w) <= 26.25 + 1e-9));
    }
}
