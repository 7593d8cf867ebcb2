//! Planned against done: which logged session fulfils which planned one,
//! the weekly volumes of a plan and of its logs, and the evidence that
//! adaptation reads from the last weeks. Pure: the logs come in as
//! `LoggedSession`s, whatever stored them.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::load::{self, LOAD_HISTORY_DAYS, LoadInput, WarningKind};
use super::numbers;
use super::plan::adapt::{EFFORT_MARGIN, Evidence};
use super::plan::model::{Plan, PlannedSession};
use super::session::PlannedLink;
use super::vocabulary::SessionKind;
use crate::ids::{PlanId, SessionId};

/// What pairing and adherence need of a logged session.
#[derive(Debug, Clone)]
pub struct LoggedSession {
    pub id: SessionId,
    pub planned: Option<PlannedLink>,
    pub kind: SessionKind,
    pub started_at: DateTime<Utc>,
    pub duration_min: f64,
    pub distance_km: Option<f64>,
    pub rpe: Option<u8>,
}

impl LoggedSession {
    fn date(&self) -> NaiveDate {
        self.started_at.date_naive()
    }
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Volume {
    pub sessions: u32,
    pub minutes: f64,
    pub km: f64,
}

impl Volume {
    /// As answered: minutes and km to three decimals (sums of logged
    /// decimals are not exact in binary), never `-0.0`.
    fn rounded(self) -> Volume {
        Volume {
            minutes: numbers::round_to(self.minutes, 3),
            km: numbers::round_to(self.km, 3),
            ..self
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdherenceWeek {
    pub index: u16,
    #[schema(value_type = String, format = Date)]
    pub start_date: NaiveDate,
    pub planned: Volume,
    pub done: Volume,
    /// Planned sessions with a matching log.
    pub matched: u32,
    /// Planned sessions on past days without a matching log.
    pub missed: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Adherence {
    #[schema(value_type = Uuid)]
    pub plan_id: PlanId,
    pub weeks: Vec<AdherenceWeek>,
}

/// Strength and circuits fulfil each other; every other kind only itself.
fn same_family(planned: SessionKind, logged: SessionKind) -> bool {
    let strength = |k: SessionKind| matches!(k, SessionKind::Strength | SessionKind::HiitCircuit);
    planned == logged || (strength(planned) && strength(logged))
}

/// A planned session and the log that fulfils it, if any.
pub struct Pairing<'a> {
    pub date: NaiveDate,
    pub week: usize,
    pub planned: &'a PlannedSession,
    pub log: Option<&'a LoggedSession>,
}

/// Pairs logs with planned sessions: by explicit link first, else by date
/// and kind; each log fulfils at most one planned session.
pub fn pair_logs<'a>(
    plan: &'a Plan,
    plan_id: PlanId,
    logs: &'a [LoggedSession],
) -> Vec<Pairing<'a>> {
    let mut used: HashSet<SessionId> = HashSet::new();
    let mut pairings = Vec::new();
    for (week_index, week) in plan.weeks.iter().enumerate() {
        for day in &week.days {
            for (index, planned) in day.sessions.iter().enumerate() {
                let linked = logs.iter().find(|l| {
                    !used.contains(&l.id)
                        && l.planned.as_ref().is_some_and(|p| {
                            p.plan_id == plan_id
                                && p.date == day.date
                                && usize::from(p.index) == index
                        })
                });
                let by_kind = || {
                    logs.iter().find(|l| {
                        !used.contains(&l.id)
                            && l.planned.is_none()
                            && l.date() == day.date
                            && same_family(planned.kind, l.kind)
                    })
                };
                let log = linked.or_else(by_kind);
                if let Some(log) = log {
                    used.insert(log.id);
                }
                pairings.push(Pairing {
                    date: day.date,
                    week: week_index,
                    planned,
                    log,
                });
            }
        }
    }
    pairings
}

/// Planned vs done, week by week; a planned session is missed once its
/// day is before `today` without a log.
pub fn adherence(
    plan: &Plan,
    plan_id: PlanId,
    logs: &[LoggedSession],
    today: NaiveDate,
) -> Adherence {
    let pairings = pair_logs(plan, plan_id, logs);
    let weeks = plan
        .weeks
        .iter()
        .enumerate()
        .map(|(week_index, week)| {
            let mut planned = Volume::default();
            let (mut matched, mut missed) = (0, 0);
            for pairing in pairings.iter().filter(|p| p.week == week_index) {
                planned.sessions += 1;
                planned.minutes += f64::from(pairing.planned.duration_min);
                planned.km += pairing.planned.distance_km.unwrap_or(0.0);
                match pairing.log {
                    Some(_) => matched += 1,
                    None if pairing.date < today => missed += 1,
                    None => {}
                }
            }
            let end = week.start_date + Duration::days(7);
            let mut done = Volume::default();
            for log in logs
                .iter()
                .filter(|l| l.date() >= week.start_date && l.date() < end)
            {
                done.sessions += 1;
                done.minutes += log.duration_min;
                if log.kind.is_run() {
                    done.km += log.distance_km.unwrap_or(0.0);
                }
            }
            AdherenceWeek {
                index: week.index,
                start_date: week.start_date,
                planned: planned.rounded(),
                done: done.rounded(),
                matched,
                missed,
            }
        })
        .collect();
    Adherence { plan_id, weeks }
}

/// What the logs before `from` show, for adaptation: sessions missed and
/// efforts well above target in the last two weeks, load warnings in the
/// last four, and the running of the last week and month.
pub fn adaptation_evidence(
    plan: &Plan,
    plan_id: PlanId,
    logs: &[LoggedSession],
    load_inputs: &[LoadInput],
    from: NaiveDate,
) -> Evidence {
    let window = from - Duration::days(14);
    let recent = |date: NaiveDate| date >= window && date < from;
    let mut evidence = Evidence::default();
    for pairing in pair_logs(plan, plan_id, logs) {
        if !recent(pairing.date) {
            continue;
        }
        match pairing.log {
            None => evidence.missed.push(pairing.date),
            // A log without an RPE says nothing about the effort.
            Some(log) => {
                let target = pairing.planned.target_rpe;
                if let Some(rpe) = log.rpe.filter(|rpe| *rpe >= target + EFFORT_MARGIN) {
                    evidence.too_hard.push((log.id, pairing.date, rpe, target));
                }
            }
        }
    }
    let report = load::report(
        load_inputs,
        from - Duration::days(LOAD_HISTORY_DAYS),
        from - Duration::days(28),
        from - Duration::days(1),
    );
    evidence.warnings = report
        .warnings
        .iter()
        .filter(|w| w.kind != WarningKind::MuscleUntrained)
        .map(|w| {
            format!(
                "load warning on {}: {}",
                w.date,
                w.message.trim_end_matches('.')
            )
        })
        .collect();
    let runs_since = |days: i64| {
        logs.iter()
            .filter(move |l| {
                l.kind.is_run() && l.date() >= from - Duration::days(days) && l.date() < from
            })
            .filter_map(|l| l.distance_km)
    };
    evidence.recent_run_km = numbers::sum(runs_since(7));
    evidence.longest_logged_run_km = runs_since(30).fold(0.0, f64::max);
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::{marathon_request, seed_catalog};
    use crate::domain::plan::generate::generate;

    fn plan() -> Plan {
        generate(&marathon_request(), &seed_catalog()).unwrap()
    }

    /// The planned sessions of the plan's first week, with their dates and
    /// indexes within the day.
    fn first_week(plan: &Plan) -> Vec<(NaiveDate, u8, &PlannedSession)> {
        plan.weeks[0]
            .days
            .iter()
            .flat_map(|day| {
                day.sessions
                    .iter()
                    .enumerate()
                    .map(move |(index, session)| (day.date, index as u8, session))
            })
            .collect()
    }

    fn log(date: NaiveDate, kind: SessionKind, minutes: f64, km: Option<f64>) -> LoggedSession {
        LoggedSession {
            id: SessionId::new_v7(),
            planned: None,
            kind,
            started_at: date.and_hms_opt(7, 0, 0).unwrap().and_utc(),
            duration_min: minutes,
            distance_km: km,
            rpe: Some(4),
        }
    }

    #[test]
    fn a_log_fulfils_the_planned_session_of_its_day_and_kind_once() {
        let plan = plan();
        let (date, _, planned) = first_week(&plan)[0];
        let one = log(date, planned.kind, 40.0, Some(8.0));
        let again = log(date, planned.kind, 30.0, Some(6.0));
        let logs = [one.clone(), again];
        let pairings = pair_logs(&plan, PlanId::from(uuid::Uuid::nil()), &logs);
        let fulfilled: Vec<_> = pairings.iter().filter_map(|p| p.log).collect();
        assert_eq!(fulfilled.len(), 1, "two logs, one planned session that day");
        assert_eq!(fulfilled[0].id, one.id);
    }

    #[test]
    fn an_explicit_link_wins_over_date_and_kind_and_needs_this_plan() {
        let plan = plan();
        let plan_id = PlanId::new_v7();
        let week = first_week(&plan);
        let (date, index, planned) = week[1];
        // Logged on another day and as another kind, but linked.
        let mut linked = log(week[0].0, SessionKind::Mobility, 20.0, None);
        linked.planned = Some(PlannedLink {
            plan_id,
            date,
            index,
        });
        let logs = [linked.clone()];
        let pairing = |id| {
            pair_logs(&plan, id, &logs)
                .into_iter()
                .find(|p| p.date == date && std::ptr::eq(p.planned, planned))
                .and_then(|p| p.log.map(|l| l.id))
        };
        assert_eq!(pairing(plan_id), Some(linked.id));
        assert_eq!(pairing(PlanId::new_v7()), None, "a link to another plan");
    }

    #[test]
    fn strength_and_circuits_fulfil_each_other_but_runs_do_not() {
        assert!(same_family(SessionKind::Strength, SessionKind::HiitCircuit));
        assert!(same_family(SessionKind::HiitCircuit, SessionKind::Strength));
        assert!(!same_family(SessionKind::EasyRun, SessionKind::LongRun));
        assert!(!same_family(SessionKind::Strength, SessionKind::EasyRun));
    }

    #[test]
    fn weeks_count_missed_only_before_today_and_run_km_only_from_runs() {
        let plan = plan();
        let week = first_week(&plan);
        let start = plan.weeks[0].start_date;
        let (date, _, planned) = week[0];
        let logs = [
            log(date, planned.kind, 45.5, Some(9.25)),
            // Strength adds minutes, never km.
            log(start, SessionKind::Strength, 30.0, Some(3.0)),
        ];
        let before_plan = adherence(&plan, PlanId::from(uuid::Uuid::nil()), &logs, start);
        let first = &before_plan.weeks[0];
        assert_eq!(first.missed, 0, "nothing is missed before its day");
        assert_eq!(first.done.sessions, 2);
        assert_eq!(first.done.minutes, 75.5);
        let run_km = if planned.kind.is_run() { 9.25 } else { 0.0 };
        assert_eq!(first.done.km, run_km);
        assert_eq!(first.planned.sessions as usize, week.len());

        let after_week = adherence(
            &plan,
            PlanId::from(uuid::Uuid::nil()),
            &logs,
            start + Duration::days(7),
        );
        let first = &after_week.weeks[0];
        assert!(first.matched >= 1);
        assert_eq!(first.matched + first.missed, week.len() as u32);
    }
}
