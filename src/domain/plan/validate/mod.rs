//! Checks any plan in the plan format against every rule, generated or
//! written by a coach by hand. Pure: the plan and the catalog are all it
//! needs (plus the athlete snapshot inside the plan for the rules that
//! depend on injuries, equipment and run history).

//! Where the rules live: placement of sessions (leg days, 48 h, same-day
//! spacing) in `placement`; each session's warm-up, shape, injuries and
//! equipment in `sessions`; weekly volume, intensity and single runs in
//! `volume`; a week's strength work in `strength_week`; the taper and
//! race week in `race`; run steps and walk/run in `steps`.

mod placement;
mod race;
mod sessions;
mod steps;
mod strength_week;
mod volume;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::catalog::{PlanCatalog, is_leg_exercise};
use super::model::{Plan, PlannedSession, Violation};
use super::rules::{self, Severity};
use crate::domain::vocabulary::{RaceDistance, SessionKind};

/// Weeks of at most this many kilometres may follow any week: the 30% and
/// 10% caps start to bite above it (a first 8 km week after none is fine).
pub const VOLUME_CAP_FLOOR_KM: f64 = 10.0;
/// A run of up to this length needs no longer run before it.
pub const LONGEST_RUN_FLOOR_KM: f64 = 3.0;
/// Rounding slack for distances computed from rounded session values.
const EPSILON_KM: f64 = 0.05;

/// Running that is training: every run but the race, which is the goal
/// and counts in no volume or single-run rule.
pub fn is_training_run(kind: SessionKind) -> bool {
    kind.is_run() && kind != SessionKind::Race
}

/// A quality run; a HIIT circuit counts as one (and as strength).
pub fn is_key_run(kind: SessionKind) -> bool {
    matches!(
        kind,
        SessionKind::TempoRun | SessionKind::IntervalRun | SessionKind::HiitCircuit
    )
}

pub fn is_strength(kind: SessionKind) -> bool {
    matches!(kind, SessionKind::Strength | SessionKind::HiitCircuit)
}

pub fn is_hard(kind: SessionKind) -> bool {
    matches!(
        kind,
        SessionKind::LongRun
            | SessionKind::TempoRun
            | SessionKind::IntervalRun
            | SessionKind::Strength
            | SessionKind::HiitCircuit
            | SessionKind::Race
    )
}

/// Leg-heavy: a circuit always is (it has running intervals); a strength
/// session is when two or more of its exercises work the legs.
pub fn is_leg_heavy(session: &PlannedSession, catalog: &PlanCatalog) -> bool {
    match session.kind {
        SessionKind::HiitCircuit => true,
        SessionKind::Strength => {
            session
                .exercises
                .iter()
                .filter_map(|e| catalog.lookup(e.exercise_id, &e.exercise_slug))
                .filter(|e| is_leg_exercise(e))
                .count()
                >= 2
        }
        _ => false,
    }
}

fn distance(session: &PlannedSession) -> f64 {
    session.distance_km.unwrap_or(0.0)
}

/// `value` with one decimal, rounded away from `limit`: a number that
/// broke a rule never prints as one that keeps it (a long run of 30.04%
/// of the week, over a 30% limit, prints as 30.1%).
fn beyond(value: f64, limit: f64) -> String {
    let tenths = value * 10.0;
    let shown = if value > limit {
        tenths.ceil()
    } else {
        tenths.floor()
    } / 10.0;
    format!("{shown:.1}")
}

/// A share as a percentage, rounded away from the limit (a share too).
fn percent_beyond(share: f64, limit: f64) -> String {
    format!("{}%", beyond(100.0 * share, 100.0 * limit))
}

/// Collects violations, one per rule with every date that breaks it.
pub(super) struct Findings {
    by_rule: BTreeMap<&'static str, (Vec<NaiveDate>, Vec<String>, String)>,
}

impl Findings {
    pub(super) fn add(
        &mut self,
        rule: &'static str,
        dates: &[NaiveDate],
        message: String,
        fix: &str,
    ) {
        let entry = self
            .by_rule
            .entry(rule)
            .or_insert_with(|| (Vec::new(), Vec::new(), fix.to_owned()));
        entry.0.extend_from_slice(dates);
        if entry.1.len() < 5 && !entry.1.contains(&message) {
            entry.1.push(message);
        }
    }

    fn into_violations(self) -> Vec<Violation> {
        let mut violations: Vec<Violation> = self
            .by_rule
            .into_iter()
            .map(|(rule_id, (mut dates, messages, fix))| {
                dates.sort();
                dates.dedup();
                let severity = rules::find(rule_id).map_or(Severity::Hard, |r| r.severity);
                Violation {
                    rule_id: rule_id.to_owned(),
                    severity,
                    dates,
                    message: messages.join(" "),
                    suggested_fix: fix,
                }
            })
            .collect();
        // Hard first, then in rule-catalog order.
        let order = |id: &str| {
            rules::RULES
                .iter()
                .position(|r| r.id == id)
                .unwrap_or(usize::MAX)
        };
        violations.sort_by_key(|v| order(&v.rule_id));
        violations
    }
}

type Days<'a> = [(NaiveDate, &'a Vec<PlannedSession>)];
type NextDay<'a> = dyn Fn(NaiveDate) -> Option<&'a Vec<PlannedSession>> + 'a;

/// Every violation of every rule, hard ones first.
pub fn validate(plan: &Plan, catalog: &PlanCatalog) -> Vec<Violation> {
    let mut findings = Findings {
        by_rule: BTreeMap::new(),
    };
    let days: Vec<(NaiveDate, &Vec<PlannedSession>)> =
        plan.days().map(|d| (d.date, &d.sessions)).collect();
    let by_date: BTreeMap<NaiveDate, &Vec<PlannedSession>> = days.iter().copied().collect();
    let next_day = |date: NaiveDate| date.succ_opt().and_then(|next| by_date.get(&next).copied());

    placement::check_day_after_leg_days(&days, &next_day, catalog, &mut findings);
    placement::check_muscle_recovery(&days, &next_day, catalog, &mut findings);
    placement::check_same_day(plan, &days, catalog, &mut findings);
    sessions::check_sessions(plan, &days, catalog, &mut findings);
    volume::check_weeks(plan, catalog, &mut findings);
    volume::check_longest_run(plan, &days, &mut findings);
    race::check_race(plan, &days, catalog, &mut findings);
    steps::check_steps(plan, &days, &mut findings);
    for found in super::strength_rules::check(plan, catalog) {
        findings.add(found.rule, &found.dates, found.message, found.fix);
    }
    findings.into_violations()
}

/// Taper weeks wanted for a race distance: (fewest, most).
pub fn taper_weeks(race: &crate::domain::profile::Race) -> (usize, usize) {
    match race.distance {
        RaceDistance::FiveK | RaceDistance::TenK => (1, 1),
        RaceDistance::HalfMarathon => (2, 2),
        RaceDistance::Marathon => (2, 3),
        RaceDistance::Custom => match race.km() {
            km if km <= 12.0 => (1, 1),
            km if km <= 25.0 => (2, 2),
            _ => (2, 3),
        },
    }
}
