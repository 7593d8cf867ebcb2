//! Running volume: weekly rises (10% soft, 30% hard, against the larger
//! of the two weeks before), volume going forward, recovery weeks, rest
//! days, the easy share and the long run's share, single runs (110% of
//! the recent longest, 3.5 h at most).

use chrono::NaiveDate;

use super::{
    EPSILON_KM, Findings, LONGEST_RUN_FLOOR_KM, VOLUME_CAP_FLOOR_KM, beyond, distance,
    is_training_run, percent_beyond, strength_week,
};
use crate::domain::plan::catalog::PlanCatalog;
use crate::domain::plan::model::{Plan, PlannedSession, PlannedWeek};
use crate::domain::plan::rules;
use crate::domain::plan::steps::Step;
use crate::domain::vocabulary::{Experience, Phase, SessionKind};

/// The longest training run, in minutes.
pub const LONG_RUN_MAX_MIN: u16 = 210;

/// Training kilometres of one week (the race is not counted).
pub fn week_km(week: &PlannedWeek) -> f64 {
    // Not `Iterator::sum`: its sum of no f64 is -0.0, which prints as "-0".
    crate::domain::numbers::sum(
        week.days
            .iter()
            .flat_map(|d| &d.sessions)
            .filter(|s| is_training_run(s.kind))
            .map(distance),
    )
}

fn is_loading(phase: Phase) -> bool {
    matches!(phase, Phase::Base | Phase::Build | Phase::Peak)
}

/// A walk/run week builds running time at about the same total time: it
/// is neither a loading nor a recovery week (Couch to 5K has no down weeks).
fn is_walk_run(week: &PlannedWeek) -> bool {
    week.days
        .iter()
        .flat_map(|d| &d.sessions)
        .any(|s| s.steps.iter().any(Step::is_walk_run))
}

/// How far a loading week may fall below the best earlier one and still
/// count as going forward: 2% (a workout's size varies a little).
const FORWARD_SLACK: f64 = 0.02;

pub(super) fn check_weeks(plan: &Plan, catalog: &PlanCatalog, findings: &mut Findings) {
    let beginner = plan.experience == Experience::Beginner;
    // The athlete's week before the plan counts as the week before week 1.
    let mut earlier: Vec<f64> = plan
        .athlete
        .as_ref()
        .map(|a| a.current_weekly_km)
        .into_iter()
        .collect();
    let mut loading_streak = 0;
    let mut best_loading: Option<f64> = None;
    for week in &plan.weeks {
        let dates: Vec<NaiveDate> = week.days.iter().map(|d| d.date).collect();
        let start = week.start_date;
        let rest_days = 7 - week
            .days
            .iter()
            .filter(|d| d.sessions.iter().any(|s| s.kind != SessionKind::Rest))
            .count();
        let needed = if beginner { 2 } else { 1 };
        if rest_days < needed {
            findings.add(
                rules::REST_DAYS,
                &dates,
                format!(
                    "Week {} has {rest_days} rest day(s); {needed} needed.",
                    week.index
                ),
                "Turn the lightest session of the week into a rest day.",
            );
        }
        let sessions: Vec<&PlannedSession> = week.days.iter().flat_map(|d| &d.sessions).collect();
        strength_week::check_counts(week, &sessions, findings);
        let km = week_km(week);
        let reference = earlier.iter().rev().take(2).copied().reduce(f64::max);
        if let Some(reference) = reference {
            check_rise(week, km, reference, findings);
        }
        check_intensity(week, &sessions, km, findings);
        let previous = earlier.last().copied();
        if week.phase == Phase::Recovery {
            if let Some(previous) = previous
                && previous > 0.0
            {
                let ratio = km / previous;
                if !(0.68..=0.82).contains(&ratio) {
                    let limit = if ratio < 0.68 { 0.68 } else { 0.82 };
                    findings.add(
                        rules::RECOVERY_WEEKS,
                        &[start],
                        format!(
                            "Recovery week {} runs {km:.1} km, {} of the week before ({previous:.1} km); 70–80% is wanted.",
                            week.index,
                            percent_beyond(ratio, limit)
                        ),
                        "Cut a recovery week's volume by 20–30%.",
                    );
                }
            }
            loading_streak = 0;
        } else if is_loading(week.phase) && !is_walk_run(week) {
            loading_streak += 1;
            if loading_streak > 3 && week.days.len() == 7 {
                findings.add(
                    rules::RECOVERY_WEEKS,
                    &[start],
                    format!(
                        "Week {} is the {loading_streak}th loading week in a row.",
                        week.index
                    ),
                    "Make every 3rd or 4th week a recovery week.",
                );
            }
            if let Some(best) = best_loading
                && km + EPSILON_KM < best * (1.0 - FORWARD_SLACK)
                && week.days.len() == 7
            {
                findings.add(
                    rules::VOLUME_FORWARD,
                    &[start],
                    format!(
                        "Week {} ({}) runs {km:.1} km, {} under an earlier loading week's {best:.1} km (at most 2% under).",
                        week.index,
                        week.phase,
                        percent_beyond(1.0 - km / best, FORWARD_SLACK)
                    ),
                    "Resume at or above the best earlier week after a recovery week; a recovery week is a dip, not a reset.",
                );
            }
            best_loading = Some(best_loading.map_or(km, |b: f64| b.max(km)));
        }
        strength_week::check_strength_week(plan, week.phase, start, &sessions, catalog, findings);
        earlier.push(km);
    }
    check_peak_is_largest(plan, findings);
}

/// The 30% (hard) and 10% (soft) caps against the larger of the two weeks before.
fn check_rise(week: &PlannedWeek, km: f64, reference: f64, findings: &mut Findings) {
    let rise = if reference > 0.0 {
        km / reference - 1.0
    } else {
        f64::INFINITY
    };
    for (rule, limit) in [(rules::RUN_VOLUME_CAP, 0.3), (rules::RUN_VOLUME_10PCT, 0.1)] {
        if km > (reference * (1.0 + limit)).max(VOLUME_CAP_FLOOR_KM) + EPSILON_KM {
            findings.add(
                rule,
                &[week.start_date],
                format!(
                    "Week {} runs {km:.1} km, {} more than {reference:.1} km (the larger of the two weeks before); at most {:.0}% is allowed.",
                    week.index,
                    if rise.is_finite() { percent_beyond(rise, limit) } else { "far".to_owned() },
                    100.0 * limit
                ),
                if limit > 0.2 {
                    "Raise weekly volume by at most 30% over the larger of the two weeks before (10% is the guide)."
                } else {
                    "Raise weekly volume by at most 10% over the larger of the two weeks before."
                },
            );
            break;
        }
    }
}

/// The largest week is a peak week, when the plan has peak weeks.
fn check_peak_is_largest(plan: &Plan, findings: &mut Findings) {
    let peak = plan
        .weeks
        .iter()
        .filter(|w| w.phase == Phase::Peak)
        .map(week_km)
        .reduce(f64::max);
    let Some(peak) = peak else { return };
    if let Some(bigger) = plan
        .weeks
        .iter()
        .find(|w| w.phase != Phase::Peak && week_km(w) > peak + EPSILON_KM)
    {
        findings.add(
            rules::VOLUME_FORWARD,
            &[bigger.start_date],
            format!(
                "Week {} ({}) runs {:.1} km, more than the largest peak week's {peak:.1} km.",
                bigger.index,
                bigger.phase,
                week_km(bigger)
            ),
            "Make the peak weeks the largest of the plan.",
        );
    }
}

/// Seconds of a run above easy effort: its hard work steps when it has
/// steps, else the whole run when its target RPE is over 4.
fn hard_seconds(session: &PlannedSession) -> f64 {
    let total = f64::from(session.duration_min) * 60.0;
    if session.steps.is_empty() {
        return if session.target_rpe > 4 { total } else { 0.0 };
    }
    let pace = super::steps::average_pace(session);
    session
        .steps
        .iter()
        .map(|s: &Step| s.hard_seconds(pace))
        .sum::<f64>()
        .min(total)
}

fn check_intensity(
    week: &PlannedWeek,
    sessions: &[&PlannedSession],
    km: f64,
    findings: &mut Findings,
) {
    let runs: Vec<&&PlannedSession> = sessions
        .iter()
        .filter(|s| is_training_run(s.kind))
        .collect();
    let total: f64 = runs.iter().map(|s| f64::from(s.duration_min) * 60.0).sum();
    let hard: f64 = runs.iter().map(|s| hard_seconds(s)).sum();
    if total > 0.0 && total - hard < 0.75 * total {
        findings.add(
            rules::EASY_SHARE,
            &[week.start_date],
            format!(
                "Week {}: {} of running time is easy; about 80% (at least 75%) should be.",
                week.index,
                percent_beyond((total - hard) / total, 0.75)
            ),
            "Make more of the running easy; keep one or two quality sessions.",
        );
    }
    let cap = if runs.len() >= 3 { 0.5 } else { return };
    if let Some(long) = runs
        .iter()
        .filter(|s| s.kind == SessionKind::LongRun)
        .map(|s| distance(s))
        .reduce(f64::max)
        && km > 0.0
        && long > cap * km + EPSILON_KM
    {
        findings.add(
            rules::LONG_RUN_SHARE,
            &[week.start_date],
            format!(
                "Week {}: the long run of {long:.1} km is {} of the week's {km:.1} km of running; at most 50%.",
                week.index,
                percent_beyond(long / km, cap)
            ),
            "Shorten the long run or add easy volume on other days.",
        );
    }
}

/// No training run over 110% of the longest of the 30 days before it, nor
/// over 3.5 hours.
pub(super) fn check_longest_run(plan: &Plan, days: &super::Days<'_>, findings: &mut Findings) {
    let history = plan
        .athlete
        .as_ref()
        .map_or(0.0, |a| a.longest_recent_run_km);
    let mut runs: Vec<(NaiveDate, f64)> = Vec::new();
    for (date, sessions) in days {
        for session in sessions.iter().filter(|s| is_training_run(s.kind)) {
            let km = distance(session);
            let window_start = crate::domain::dates::add_days(*date, -30).unwrap_or(NaiveDate::MIN);
            let mut longest = runs
                .iter()
                .filter(|(d, _)| *d >= window_start && d < date)
                .map(|(_, k)| *k)
                .fold(0.0, f64::max);
            if window_start < plan.start_date {
                longest = longest.max(history);
            }
            let allowed = (1.1 * longest).max(LONGEST_RUN_FLOOR_KM);
            if km > allowed + EPSILON_KM {
                findings.add(
                    rules::LONGEST_RUN_CAP,
                    &[*date],
                    format!(
                        "{} on {date} is {km:.1} km; the longest run of the 30 days before is {longest:.1} km, so at most {} km.",
                        session.title,
                        beyond(allowed, km)
                    ),
                    "Keep every run within 110% of the longest run of the previous 30 days.",
                );
            }
            if session.duration_min > LONG_RUN_MAX_MIN {
                findings.add(
                    rules::LONG_RUN_DURATION,
                    &[*date],
                    format!(
                        "{} on {date} lasts {} min; at most {LONG_RUN_MAX_MIN} (3.5 h).",
                        session.title, session.duration_min
                    ),
                    "Cap training runs at 3.5 hours: run the rest of the distance on another day.",
                );
            }
        }
        for session in sessions.iter().filter(|s| is_training_run(s.kind)) {
            runs.push((*date, distance(session)));
        }
    }
}
