//! Where sessions sit: the day after a leg day, 48 h between sessions on
//! the same muscles, two sessions on one day.

use chrono::NaiveDate;

use super::{Findings, NextDay, is_leg_heavy, is_strength};
use crate::domain::plan::catalog::PlanCatalog;
use crate::domain::plan::model::{Plan, PlannedSession};
use crate::domain::plan::rules;
use crate::domain::vocabulary::{Muscle, SessionKind};

/// Muscles a strength or circuit session loads hard: the primary muscles of
/// its main exercises.
fn hard_muscles(session: &PlannedSession, catalog: &PlanCatalog) -> Vec<Muscle> {
    if !is_strength(session.kind) {
        return Vec::new();
    }
    let mut muscles: Vec<Muscle> = session
        .exercises
        .iter()
        .filter_map(|e| catalog.lookup(e.exercise_id, &e.exercise_slug))
        .flat_map(|e| e.definition.primary_muscles.iter().copied())
        .collect();
    muscles.sort();
    muscles.dedup();
    muscles
}

pub(super) fn check_day_after_leg_days(
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    next_day: &NextDay<'_>,
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    for (date, sessions) in days {
        if !sessions.iter().any(|s| is_leg_heavy(s, catalog)) {
            continue;
        }
        let (Some(next), Some(after)) = (next_day(*date), date.succ_opt()) else {
            continue;
        };
        for session in next {
            match session.kind {
                SessionKind::LongRun => findings.add(
                    rules::NO_LONG_RUN_AFTER_LEG_DAY,
                    &[*date, after],
                    format!("Long run on {after} follows lower-body strength on {date}."),
                    "Move the long run two days after the leg session, or the leg session to after the long run.",
                ),
                SessionKind::TempoRun | SessionKind::IntervalRun | SessionKind::HiitCircuit => findings.add(
                    rules::DAY_AFTER_LEG_DAY,
                    &[*date, after],
                    format!("{} on {after} follows lower-body strength on {date}.", session.title),
                    "Make the day after a leg session a rest day or an easy run; move the hard session.",
                ),
                SessionKind::Strength if is_leg_heavy(session, catalog) => findings.add(
                    rules::DAY_AFTER_LEG_DAY,
                    &[*date, after],
                    format!("More leg work on {after} after lower-body strength on {date}."),
                    "Keep the day after a leg session to rest, an easy run or upper-body/core work.",
                ),
                SessionKind::CrossTraining if session.target_rpe > 4 => findings.add(
                    rules::DAY_AFTER_LEG_DAY,
                    &[*date, after],
                    format!("Hard cross-training on {after} after lower-body strength on {date}."),
                    "Keep cross-training the day after a leg session easy (RPE 4 or less).",
                ),
                _ => {}
            }
        }
    }
}

pub(super) fn check_muscle_recovery(
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    next_day: &NextDay<'_>,
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    for (date, sessions) in days {
        // Every pair starts with a strength session of this day.
        if !sessions.iter().any(|s| is_strength(s.kind)) {
            continue;
        }
        let strength: Vec<&PlannedSession> =
            sessions.iter().filter(|s| is_strength(s.kind)).collect();
        // Two strength sessions on one day, or on consecutive days.
        let mut pairs: Vec<(&PlannedSession, &PlannedSession, NaiveDate)> = Vec::new();
        for (i, first) in strength.iter().enumerate() {
            for second in &strength[i + 1..] {
                pairs.push((first, second, *date));
            }
        }
        if let (Some(next), Some(after)) = (next_day(*date), date.succ_opt()) {
            for first in &strength {
                for second in next.iter().filter(|s| is_strength(s.kind)) {
                    pairs.push((first, second, after));
                }
            }
        }
        for (first, second, second_date) in pairs {
            let first_muscles = hard_muscles(first, catalog);
            let shared: Vec<&str> = hard_muscles(second, catalog)
                .into_iter()
                .filter(|m| first_muscles.contains(m))
                .map(Muscle::as_str)
                .collect();
            if !shared.is_empty() {
                findings.add(
                    rules::MUSCLE_RECOVERY_48H,
                    &[*date, second_date],
                    format!("{} loaded again within 48 h ({date} and {second_date}).", shared.join(", ")),
                    "Leave a day between sessions that work the same muscles, or split upper and lower body.",
                );
            }
        }
    }
}

fn end_minute(session: &PlannedSession) -> u32 {
    session.time_of_day.start_minute() + u32::from(session.duration_min)
}

pub(super) fn check_same_day(
    plan: &Plan,
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    let two_a_days_allowed = plan.athlete.as_ref().is_none_or(|a| a.allow_two_a_days);
    for (date, sessions) in days {
        if sessions
            .iter()
            .filter(|s| s.kind != SessionKind::Rest)
            .count()
            < 2
        {
            continue;
        }
        let active: Vec<&PlannedSession> = sessions
            .iter()
            .filter(|s| s.kind != SessionKind::Rest)
            .collect();
        if !two_a_days_allowed {
            findings.add(
                rules::SAME_DAY_SPACING,
                &[*date],
                format!("Two sessions on {date}, but the athlete does not want two-a-days."),
                "Move one session to another day.",
            );
        }
        let mut ordered = active.clone();
        ordered.sort_by_key(|s| s.time_of_day.start_minute());
        for pair in ordered.windows(2) {
            let gap =
                i64::from(pair[1].time_of_day.start_minute()) - i64::from(end_minute(pair[0]));
            if gap < 3 * 60 {
                findings.add(
                    rules::SAME_DAY_SPACING,
                    &[*date],
                    format!(
                        "{} and {} on {date} are less than 3 h apart.",
                        pair[0].title, pair[1].title
                    ),
                    "Do one session in the morning and the other in the evening.",
                );
            } else if gap < 6 * 60 {
                findings.add(
                    rules::SAME_DAY_6H,
                    &[*date],
                    format!(
                        "{} and {} on {date} are less than 6 h apart.",
                        pair[0].title, pair[1].title
                    ),
                    "Put the sessions in the morning and the evening.",
                );
            }
        }
        // Keep hard days hard: strength after the quality run, not before.
        for strength in active
            .iter()
            .filter(|s| s.kind == SessionKind::Strength && is_leg_heavy(s, catalog))
        {
            for run in active
                .iter()
                .filter(|s| matches!(s.kind, SessionKind::TempoRun | SessionKind::IntervalRun))
            {
                if strength.time_of_day <= run.time_of_day {
                    findings.add(
                        rules::KEEP_HARD_DAYS_HARD,
                        &[*date],
                        format!(
                            "On {date} the leg session comes before the {}.",
                            run.title.to_lowercase()
                        ),
                        "Run first, lift later the same day.",
                    );
                }
            }
        }
        if active.iter().any(|s| s.kind.is_run())
            && active.iter().any(|s| s.kind == SessionKind::Strength)
        {
            findings.add(
                rules::ALTERNATE_DAYS,
                &[*date],
                format!("Running and strength share {date}."),
                "Where a free day exists, move the strength session to it.",
            );
        }
    }
}
