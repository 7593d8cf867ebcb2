//! Training load and insight from logged sessions: pure functions over a
//! day-by-day series. Formulas (and the conventions chosen) are stated
//! next to each.
//!
//! * Session-RPE load (Foster 2001): RPE (CR-10) × minutes, runs and lifts alike.
//!   A session without an RPE (imported from a watch, not rated yet) adds
//!   no RPE load; it is not dropped: its minutes are `unrated`, the day
//!   counts it and the report lists it, so that a client can ask for the
//!   rating.
//! * TRIMP (Banister, see `domain::trimp`): the day's sum over the
//!   sessions that have one (imports with heart rate), beside the RPE load.
//! * ACWR, EWMA form (Williams et al. 2017): λ = 2 / (N + 1), N = 7 (acute)
//!   and 28 (chronic); EWMA_t = λ·load_t + (1 − λ)·EWMA_{t−1}, starting at 0
//!   on the first day of the history; ratio = acute / chronic.
//! * ACWR, uncoupled rolling form: mean load of the last 7 days over the
//!   mean of the 28 days before those (days t−34 … t−7), so the acute week
//!   is not part of the chronic base.
//!   The ACWR warning waits for 28 days of logs: before that the chronic
//!   load is still filling up and every ratio looks high.
//! * Monotony and strain (Foster 1998), per 7-day week: monotony = mean
//!   daily load / population standard deviation; strain = weekly load ×
//!   monotony. A week of identical days has no finite monotony (null).
//! * Fitness / fatigue / form (Banister impulse-response, as in the
//!   CTL/ATL/TSB convention): CTL_t = CTL_{t−1} + (load_t − CTL_{t−1}) / 42,
//!   ATL_t the same with 7, both from 0; form TSB_t = CTL_{t−1} − ATL_{t−1}
//!   (yesterday's fitness minus yesterday's fatigue: how fresh you start today).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::numbers;
use super::vocabulary::{Muscle, SessionKind};
use crate::ids::SessionId;

/// What the metrics need of one logged session.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadInput {
    pub id: SessionId,
    pub date: NaiveDate,
    pub kind: SessionKind,
    pub duration_min: f64,
    /// None for a session not rated yet.
    pub rpe: Option<u8>,
    pub trimp: Option<f64>,
    pub distance_km: Option<f64>,
    /// One entry per set: the primary muscles of its exercise.
    pub set_muscles: Vec<Vec<Muscle>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IntensityMinutes {
    /// RPE 1–4.
    pub easy: f64,
    /// RPE 5–6.
    pub moderate: f64,
    /// RPE 7–10.
    pub hard: f64,
    /// Sessions without an RPE.
    pub unrated: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DayLoad {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Σ RPE × minutes (sessions without an RPE add nothing).
    pub load: f64,
    /// Σ Banister TRIMP of the sessions that have one.
    pub trimp: f64,
    /// Sessions this day without an RPE (not in `load`).
    pub sessions_without_rpe: u32,
    pub run_km: f64,
    pub minutes: IntensityMinutes,
    /// Sets per muscle group (each set counts for every primary muscle).
    pub sets_by_muscle: BTreeMap<Muscle, u32>,
    pub acute_ewma: f64,
    pub chronic_ewma: f64,
    /// Null while the chronic load is still zero.
    pub acwr_ewma: Option<f64>,
    /// Null until 35 days of history exist, or when the chronic mean is zero.
    pub acwr_rolling: Option<f64>,
    /// CTL (42-day).
    pub fitness: f64,
    /// ATL (7-day).
    pub fatigue: f64,
    /// TSB: yesterday's fitness minus yesterday's fatigue.
    pub form: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WeekLoad {
    #[schema(value_type = String, format = Date)]
    pub start_date: NaiveDate,
    pub load: f64,
    pub trimp: f64,
    pub sessions_without_rpe: u32,
    pub run_km: f64,
    pub minutes: IntensityMinutes,
    pub sets_by_muscle: BTreeMap<Muscle, u32>,
    /// Null when every day had the same load (no spread).
    pub monotony: Option<f64>,
    pub strain: Option<f64>,
}

/// Session-RPE load (Foster 2001): RPE (CR-10) × minutes, runs and lifts
/// alike. Every place that reports a session's load computes it here.
pub fn session_rpe_load(rpe: u8, duration_min: f64) -> f64 {
    f64::from(rpe) * duration_min
}

/// Days of history before a report's first day that the rolling metrics
/// (EWMAs, CTL/ATL, the 28-day ACWR) read.
pub const LOAD_HISTORY_DAYS: i64 = 56;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    LongestRunSpike,
    WeeklyJump,
    Monotony,
    Acwr,
    MuscleUntrained,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LoadWarning {
    pub kind: WarningKind,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LoadReport {
    pub days: Vec<DayLoad>,
    pub weeks: Vec<WeekLoad>,
    pub warnings: Vec<LoadWarning>,
    /// Sessions of the report's days without an RPE, by start: their
    /// minutes count as `unrated` and they add no RPE load until rated.
    #[schema(value_type = Vec<Uuid>)]
    pub sessions_without_rpe: Vec<SessionId>,
}

/// Major muscle groups for the "untrained for 14 days" warning.
pub const MAJOR_GROUPS: [(&str, &[Muscle]); 6] = [
    ("quadriceps", &[Muscle::Quadriceps]),
    (
        "glutes and hamstrings",
        &[Muscle::Glutes, Muscle::Hamstrings],
    ),
    ("calves and feet", &[Muscle::Calves, Muscle::FeetAnkles]),
    ("core", &[Muscle::Abs, Muscle::Obliques, Muscle::LowerBack]),
    ("back", &[Muscle::UpperBack, Muscle::Lats]),
    (
        "chest and shoulders",
        &[Muscle::Chest, Muscle::Shoulders, Muscle::Triceps],
    ),
];

pub const ACWR_LIMIT: f64 = 1.5;
pub const MONOTONY_LIMIT: f64 = 2.0;
pub const WEEKLY_JUMP_LIMIT: f64 = 1.3;
pub const LONGEST_RUN_LIMIT: f64 = 1.1;
pub const UNTRAINED_DAYS: i64 = 14;

fn empty_minutes() -> IntensityMinutes {
    IntensityMinutes {
        easy: 0.0,
        moderate: 0.0,
        hard: 0.0,
        unrated: 0.0,
    }
}

fn rounded_minutes(minutes: IntensityMinutes) -> IntensityMinutes {
    IntensityMinutes {
        easy: round(minutes.easy),
        moderate: round(minutes.moderate),
        hard: round(minutes.hard),
        unrated: round(minutes.unrated),
    }
}

fn add_minutes(into: &mut IntensityMinutes, from: &IntensityMinutes) {
    into.easy += from.easy;
    into.moderate += from.moderate;
    into.hard += from.hard;
    into.unrated += from.unrated;
}

/// Every number of the report is shown to three decimals (never `-0.0`).
fn round(value: f64) -> f64 {
    numbers::round_to(value, 3)
}

/// Metrics for `from..=to`. `sessions` may (and for the rolling metrics
/// should) reach back before `from`: the EWMAs, CTL/ATL and warnings start
/// at `history_start` and run through the history.
pub fn report(
    sessions: &[LoadInput],
    history_start: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> LoadReport {
    let mut by_day: HashMap<NaiveDate, Vec<&LoadInput>> = HashMap::new();
    for session in sessions
        .iter()
        .filter(|s| s.date >= history_start && s.date <= to)
    {
        by_day.entry(session.date).or_default().push(session);
    }
    let (lambda_acute, lambda_chronic) = (2.0 / 8.0, 2.0 / 29.0);
    let (mut acute, mut chronic, mut fitness, mut fatigue) = (0.0, 0.0, 0.0, 0.0);
    let mut daily_loads: Vec<f64> = Vec::new();
    let mut days = Vec::new();
    let mut warnings = Vec::new();
    let mut runs: Vec<(NaiveDate, f64)> = Vec::new();
    let mut last_trained: Vec<Option<NaiveDate>> = vec![None; MAJOR_GROUPS.len()];
    // ACWR means little before four weeks of logs exist.
    let mut first_logged: Option<NaiveDate> = None;
    let mut without_rpe = Vec::new();
    let mut date = history_start;
    while date <= to {
        let today = by_day.get(&date).map(Vec::as_slice).unwrap_or(&[]);
        let load = numbers::sum(
            today
                .iter()
                .filter_map(|s| s.rpe.map(|rpe| session_rpe_load(rpe, s.duration_min))),
        );
        let trimp = numbers::sum(today.iter().filter_map(|s| s.trimp));
        let unrated: Vec<SessionId> = today
            .iter()
            .filter(|s| s.rpe.is_none())
            .map(|s| s.id)
            .collect();
        let mut minutes = empty_minutes();
        let mut sets_by_muscle: BTreeMap<Muscle, u32> = BTreeMap::new();
        let mut run_km = 0.0;
        for session in today {
            match session.rpe {
                None => minutes.unrated += session.duration_min,
                Some(0..=4) => minutes.easy += session.duration_min,
                Some(5 | 6) => minutes.moderate += session.duration_min,
                Some(_) => minutes.hard += session.duration_min,
            }
            for muscles in &session.set_muscles {
                for muscle in muscles {
                    *sets_by_muscle.entry(*muscle).or_default() += 1;
                }
            }
            if session.kind.is_run() {
                let km = session.distance_km.unwrap_or(0.0);
                run_km += km;
                let window = super::dates::add_days(date, -30).unwrap_or(NaiveDate::MIN);
                let longest = runs
                    .iter()
                    .filter(|(d, _)| *d >= window && *d < date)
                    .map(|(_, k)| *k)
                    .fold(0.0, f64::max);
                if longest > 0.0 && km > LONGEST_RUN_LIMIT * longest && date >= from {
                    warnings.push(LoadWarning {
                        kind: WarningKind::LongestRunSpike,
                        date,
                        message: format!("A {km:.1} km run is over 110% of the longest of the 30 days before ({longest:.1} km)."),
                    });
                }
            }
        }
        for session in today.iter().filter(|s| s.kind.is_run()) {
            runs.push((date, session.distance_km.unwrap_or(0.0)));
        }
        for (index, (_, group)) in MAJOR_GROUPS.iter().enumerate() {
            if group.iter().any(|m| sets_by_muscle.contains_key(m)) {
                last_trained[index] = Some(date);
            }
        }
        if load > 0.0 && first_logged.is_none() {
            first_logged = Some(date);
        }
        let form = fitness - fatigue;
        acute = lambda_acute * load + (1.0 - lambda_acute) * acute;
        chronic = lambda_chronic * load + (1.0 - lambda_chronic) * chronic;
        fitness += (load - fitness) / 42.0;
        fatigue += (load - fatigue) / 7.0;
        daily_loads.push(load);
        let n = daily_loads.len();
        let acwr_rolling = (n >= 35).then(|| {
            let acute_mean = daily_loads[n - 7..].iter().sum::<f64>() / 7.0;
            let chronic_mean = daily_loads[n - 35..n - 7].iter().sum::<f64>() / 28.0;
            (chronic_mean > 0.0).then(|| acute_mean / chronic_mean)
        });
        let acwr_ewma = (chronic > 0.0).then(|| acute / chronic);
        if date >= from {
            if let Some(ratio) = acwr_ewma
                && ratio > ACWR_LIMIT
                && first_logged.is_some_and(|first| (date - first).num_days() >= 27)
            {
                warnings.push(LoadWarning {
                    kind: WarningKind::Acwr,
                    date,
                    message: format!("Acute:chronic workload ratio {ratio:.2} is above 1.5."),
                });
            }
            days.push(DayLoad {
                date,
                load: round(load),
                trimp: round(trimp),
                sessions_without_rpe: unrated.len() as u32,
                run_km: round(run_km),
                minutes: rounded_minutes(minutes),
                sets_by_muscle,
                acute_ewma: round(acute),
                chronic_ewma: round(chronic),
                acwr_ewma: acwr_ewma.map(round),
                acwr_rolling: acwr_rolling.flatten().map(round),
                fitness: round(fitness),
                fatigue: round(fatigue),
                form: round(form),
            });
            without_rpe.extend(unrated);
        }
        // Checked: a report that reaches chrono's last day ends there.
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    // Muscle groups untrained for two weeks, as of the last day.
    let span = (to - history_start).num_days() + 1;
    if span >= UNTRAINED_DAYS {
        for (index, (name, _)) in MAJOR_GROUPS.iter().enumerate() {
            let days_since = last_trained[index].map(|d| (to - d).num_days());
            if days_since.is_none_or(|d| d >= UNTRAINED_DAYS) {
                warnings.push(LoadWarning {
                    kind: WarningKind::MuscleUntrained,
                    date: to,
                    message: format!("No strength work for the {name} in the last 14 days."),
                });
            }
        }
    }
    let weeks = weeks_of(&days, &mut warnings);
    warnings.sort_by_key(|w| w.date);
    LoadReport {
        days,
        weeks,
        warnings,
        sessions_without_rpe: without_rpe,
    }
}

/// 7-day weeks from the first day of the report, with monotony, strain and
/// the week-to-week jump warning (load or running volume over +30%).
fn weeks_of(days: &[DayLoad], warnings: &mut Vec<LoadWarning>) -> Vec<WeekLoad> {
    let mut weeks: Vec<WeekLoad> = Vec::new();
    for chunk in days.chunks(7) {
        let loads: Vec<f64> = chunk.iter().map(|d| d.load).collect();
        let total = numbers::sum(loads.iter().copied());
        let mut minutes = empty_minutes();
        let mut sets_by_muscle: BTreeMap<Muscle, u32> = BTreeMap::new();
        for day in chunk {
            add_minutes(&mut minutes, &day.minutes);
            for (muscle, count) in &day.sets_by_muscle {
                *sets_by_muscle.entry(*muscle).or_default() += count;
            }
        }
        // Monotony is defined for full weeks only.
        let (monotony, strain) = if chunk.len() == 7 {
            let mean = total / 7.0;
            let variance = loads.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / 7.0;
            let sd = variance.sqrt();
            if sd > 1e-9 {
                let monotony = mean / sd;
                (Some(round(monotony)), Some(round(total * monotony)))
            } else {
                (None, None)
            }
        } else {
            (None, None)
        };
        let week = WeekLoad {
            start_date: chunk[0].date,
            load: round(total),
            trimp: round(numbers::sum(chunk.iter().map(|d| d.trimp))),
            sessions_without_rpe: chunk.iter().map(|d| d.sessions_without_rpe).sum(),
            run_km: round(numbers::sum(chunk.iter().map(|d| d.run_km))),
            minutes: rounded_minutes(minutes),
            sets_by_muscle,
            monotony,
            strain,
        };
        if let Some(m) = week.monotony
            && m > MONOTONY_LIMIT
        {
            warnings.push(LoadWarning {
                kind: WarningKind::Monotony,
                date: week.start_date,
                message: format!("Training monotony {m:.2} is above 2: vary hard and easy days."),
            });
        }
        if let Some(previous) = weeks.last()
            && chunk.len() == 7
        {
            for (what, now, before) in [
                ("load", week.load, previous.load),
                ("running volume", week.run_km, previous.run_km),
            ] {
                if before > 0.0 && now > WEEKLY_JUMP_LIMIT * before {
                    warnings.push(LoadWarning {
                        kind: WarningKind::WeeklyJump,
                        date: week.start_date,
                        message: format!(
                            "Weekly {what} rose {:.0}% over the week before.",
                            (now / before - 1.0) * 100.0
                        ),
                    });
                }
            }
        }
        weeks.push(week);
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + Duration::days(n)
    }

    fn session(n: i64, minutes: f64, rpe: u8, km: Option<f64>) -> LoadInput {
        LoadInput {
            id: SessionId::from(uuid::Uuid::nil()),
            date: day(n),
            kind: if km.is_some() {
                SessionKind::EasyRun
            } else {
                SessionKind::Strength
            },
            duration_min: minutes,
            rpe: Some(rpe),
            trimp: None,
            distance_km: km,
            set_muscles: Vec::new(),
        }
    }

    /// Eight weeks: Mon/Wed/Fri 60 min at RPE 5 (load 300), Sun 100 min at
    /// RPE 4 (load 400) with 16 km; weekly load 1300.
    fn eight_weeks() -> Vec<LoadInput> {
        let mut sessions = Vec::new();
        for week in 0..8 {
            for weekday in [0, 2, 4] {
                sessions.push(session(week * 7 + weekday, 60.0, 5, None));
            }
            sessions.push(session(week * 7 + 6, 100.0, 4, Some(16.0)));
        }
        sessions
    }

    #[test]
    fn a_fixed_eight_week_log_gives_the_hand_computed_numbers() {
        let report = report(&eight_weeks(), day(0), day(0), day(55));
        assert_eq!(report.days.len(), 56);
        assert_eq!(report.weeks.len(), 8);
        // Day 0: acute = 0.25 × 300 = 75; chronic = 2/29 × 300 = 20.690;
        // CTL = 300/42 = 7.143; ATL = 300/7 = 42.857; form uses yesterday: 0.
        let first = &report.days[0];
        assert_eq!(first.load, 300.0);
        assert_eq!(first.acute_ewma, 75.0);
        assert_eq!(first.chronic_ewma, 20.69);
        assert_eq!(first.fitness, 7.143);
        assert_eq!(first.fatigue, 42.857);
        assert_eq!(first.form, 0.0);
        assert_eq!(first.minutes.moderate, 60.0);
        // Day 1 (rest): acute = 0.75 × 75 = 56.25; CTL = 7.143 × 41/42 = 6.973;
        // form = 7.143 − 42.857 = −35.714.
        let second = &report.days[1];
        assert_eq!(second.acute_ewma, 56.25);
        assert_eq!(second.fitness, 6.973);
        assert_eq!(second.form, -35.714);
        // Each week: load 1300 = 3 × 300 + 400, 16 km, 180 moderate + 100 easy minutes.
        let week = &report.weeks[0];
        assert_eq!(week.load, 1300.0);
        assert_eq!(week.run_km, 16.0);
        assert_eq!(week.minutes.moderate, 180.0);
        assert_eq!(week.minutes.easy, 100.0);
        // Daily loads 300,0,300,0,300,0,400: mean 185.714, population sd 164.130
        // → monotony 1.132, strain 1300 × 1.1315 = 1470.956.
        assert_eq!(week.monotony, Some(1.132));
        assert_eq!(week.strain, Some(1470.956));
        // Steady weeks: rolling ACWR exactly 1 once 35 days exist (day 34 ends week 5).
        assert_eq!(report.days[33].acwr_rolling, None);
        assert_eq!(report.days[48].acwr_rolling, Some(1.0));
        // Nothing unusual in a steady log but untrained muscle groups.
        assert!(
            report
                .warnings
                .iter()
                .all(|w| w.kind == WarningKind::MuscleUntrained),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn spikes_jumps_and_monotony_are_warned_about() {
        let mut sessions = eight_weeks();
        // Week 9: the same run every day at high effort, and a 20 km long run.
        for weekday in 0..6 {
            sessions.push(session(56 + weekday, 60.0, 7, Some(10.0)));
        }
        sessions.push(session(62, 130.0, 5, Some(20.0)));
        let report = report(&sessions, day(0), day(49), day(62));
        let kinds: Vec<WarningKind> = report.warnings.iter().map(|w| w.kind).collect();
        for kind in [
            WarningKind::LongestRunSpike,
            WarningKind::WeeklyJump,
            WarningKind::Monotony,
            WarningKind::Acwr,
        ] {
            assert!(kinds.contains(&kind), "{kind:?} missing: {kinds:?}");
        }
        let spike = report
            .warnings
            .iter()
            .find(|w| w.kind == WarningKind::LongestRunSpike)
            .unwrap();
        assert_eq!(spike.date, day(62));
    }

    #[test]
    fn trained_muscles_clear_the_untrained_warning() {
        let mut sessions = eight_weeks();
        let mut lift = session(50, 45.0, 7, None);
        lift.set_muscles = MAJOR_GROUPS
            .iter()
            .map(|(_, muscles)| muscles.to_vec())
            .collect();
        sessions.push(lift);
        let report = report(&sessions, day(0), day(0), day(55));
        assert!(
            report
                .warnings
                .iter()
                .all(|w| w.kind != WarningKind::MuscleUntrained),
            "{:?}",
            report.warnings
        );
        assert_eq!(report.days[50].sets_by_muscle[&Muscle::Quadriceps], 1);
    }

    #[test]
    fn a_day_without_sessions_has_a_load_of_zero_not_minus_zero() {
        let report = report(&[session(0, 60.0, 5, Some(10.0))], day(0), day(0), day(6));
        let json = serde_json::to_string(&report.days[1]).unwrap();
        assert!(json.contains(r#""load":0.0"#), "{json}");
        assert_eq!(
            crate::domain::numbers::negative_zero_at(&serde_json::to_value(&report).unwrap()),
            None
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6c6f_6164),
            ..ProptestConfig::default()
        })]

        /// Every metric is finite for any log; raising one day's effort
        /// never lowers that day's acute load or its ACWR.
        #[test]
        fn metrics_are_finite_and_monotone_in_load(
            raw in proptest::collection::vec((0i64..42, 1.0f64..300.0, 1u8..=10, proptest::option::of(0.0f64..60.0)), 0..80),
            bump_day in 0i64..42,
        ) {
            let sessions: Vec<LoadInput> = raw.iter().map(|(d, m, r, k)| session(*d, *m, *r, *k)).collect();
            let base = report(&sessions, day(0), day(0), day(41));
            for d in &base.days {
                for value in [d.load, d.acute_ewma, d.chronic_ewma, d.fitness, d.fatigue, d.form, d.run_km] {
                    prop_assert!(value.is_finite());
                }
                prop_assert!(d.acwr_ewma.is_none_or(f64::is_finite));
                prop_assert!(d.acwr_rolling.is_none_or(f64::is_finite));
            }
            for w in &base.weeks {
                prop_assert!(w.monotony.is_none_or(f64::is_finite) && w.strain.is_none_or(f64::is_finite));
            }
            let mut bumped = sessions.clone();
            bumped.push(session(bump_day, 60.0, 10, None));
            let more = report(&bumped, day(0), day(0), day(41));
            let index = bump_day as usize;
            prop_assert!(more.days[index].acute_ewma >= base.days[index].acute_ewma);
            if let (Some(before), Some(after)) = (base.days[index].acwr_ewma, more.days[index].acwr_ewma) {
                prop_assert!(after >= before - 1e-9);
            }
            // More load never clears an ACWR warning on that day.
            let warned = |r: &LoadReport| r.warnings.iter().any(|w| w.kind == WarningKind::Acwr && w.date == day(bump_day));
            prop_assert!(!warned(&base) || warned(&more));
        }

        /// No number of any report is negative zero, whatever the log and
        /// the window (empty days, a week of rest, fatigue above fitness).
        #[test]
        fn no_report_holds_a_negative_zero(
            raw in proptest::collection::vec((0i64..70, 1.0f64..300.0, 1u8..=10, proptest::option::of(0.0f64..60.0)), 0..40),
            first in 0i64..60,
            length in 0i64..30,
        ) {
            let sessions: Vec<LoadInput> = raw.iter().map(|(d, m, r, k)| session(*d, *m, *r, *k)).collect();
            let report = report(&sessions, day(0), day(first), day(first + length));
            let json = serde_json::to_value(&report).unwrap();
            prop_assert_eq!(crate::domain::numbers::negative_zero_at(&json), None);
        }
    }
}
