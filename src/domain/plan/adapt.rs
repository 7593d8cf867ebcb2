//! Re-planning a stored plan from a date on, using what the logs say.
//! The weeks before that date stay exactly as they were.

use chrono::NaiveDate;

use super::catalog::PlanCatalog;
use super::generate::{Options, PlanError, generate_with_lifts};
use super::model::Plan;
use super::request::PlanRequest;
use super::rules::Severity;
use super::validate::validate;
use crate::domain::dates;

/// What the logs of the weeks before the re-plan date show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Planned sessions of the last two weeks with no log: their dates.
    pub missed: Vec<NaiveDate>,
    /// Logs well above their planned effort: (log id, date, logged RPE, target RPE).
    pub too_hard: Vec<(crate::ids::SessionId, NaiveDate, u8, u8)>,
    /// Load warnings of the last four weeks, as text with their dates.
    pub warnings: Vec<String>,
    /// Running kilometres logged in the 7 days before the re-plan date.
    pub recent_run_km: f64,
    /// Longest run logged in the 30 days before the re-plan date.
    pub longest_logged_run_km: f64,
    /// The newest weighted sets of each exercise before the re-plan date:
    /// the loads of the weeks re-planned.
    pub lifts: crate::domain::strength_load::LiftHistory,
}

/// Missed sessions, efforts and warnings that call for holding back.
pub const MISSED_LIMIT: usize = 2;
pub const TOO_HARD_LIMIT: usize = 2;
/// "Well above target": logged session RPE at least this much over.
pub const EFFORT_MARGIN: u8 = 2;

impl Evidence {
    pub fn calls_for_holding_back(&self) -> bool {
        self.missed.len() >= MISSED_LIMIT
            || self.too_hard.len() >= TOO_HARD_LIMIT
            || !self.warnings.is_empty()
    }

    /// The reasons, citing the logs (and the sessions that were not logged).
    pub fn reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        if self.missed.len() >= MISSED_LIMIT {
            let dates: Vec<String> = self.missed.iter().map(ToString::to_string).collect();
            reasons.push(format!(
                "{} planned sessions not logged ({})",
                self.missed.len(),
                dates.join(", ")
            ));
        }
        if self.too_hard.len() >= TOO_HARD_LIMIT {
            let cited: Vec<String> = self
                .too_hard
                .iter()
                .map(|(id, date, logged, target)| {
                    format!("session {id} on {date} at RPE {logged} against {target}")
                })
                .collect();
            reasons.push(format!("effort well above target: {}", cited.join("; ")));
        }
        reasons.extend(self.warnings.iter().cloned());
        reasons
    }
}

/// The index of the plan week holding `from` (the first week when `from`
/// is before the plan).
pub fn week_holding(plan: &Plan, from: NaiveDate) -> Option<usize> {
    if from <= plan.start_date {
        return Some(0);
    }
    plan.weeks.iter().position(|w| {
        from >= w.start_date && dates::add_days(w.start_date, 7).is_none_or(|end| from < end)
    })
}

/// A new version of `plan` from the week holding `from` on: the past kept
/// as it was, the rest generated again from what the logs show, holding
/// progression and bringing the recovery week forward when the evidence
/// calls for it. The whole still keeps every hard rule.
pub fn adapt(
    plan: &Plan,
    request: &PlanRequest,
    from: NaiveDate,
    evidence: &Evidence,
    catalog: &PlanCatalog,
) -> Result<Plan, PlanError> {
    let cut = week_holding(plan, from).ok_or_else(|| {
        PlanError::Invalid(vec![crate::domain::validation::FieldError::new(
            "/from",
            "after the plan's last week: nothing left to re-plan",
        )])
    })?;
    let kept = &plan.weeks[..cut];
    let cut_date = plan.weeks[cut].start_date;
    let month_before_cut = dates::add_days(cut_date, -30).unwrap_or(NaiveDate::MIN);
    // Never start above what the plan itself had (the caps look back at it).
    let planned_last_km = kept
        .last()
        .map_or(request.current_weekly_km, |w| w.planned_run_km);
    let planned_longest = kept
        .iter()
        .flat_map(|w| &w.days)
        .filter(|d| d.date >= month_before_cut)
        .flat_map(|d| &d.sessions)
        .filter(|s| s.kind.is_run())
        .filter_map(|s| s.distance_km)
        .fold(
            if month_before_cut < plan.start_date {
                request.longest_recent_run_km
            } else {
                0.0
            },
            f64::max,
        );
    let logged = cut > 0 || evidence.recent_run_km > 0.0;
    let mut remaining = request.clone();
    remaining.start_date = cut_date;
    if remaining.race.is_none() {
        remaining.weeks = Some((plan.weeks.len() - cut) as u8);
    }
    remaining.current_weekly_km = if logged {
        evidence.recent_run_km.min(planned_last_km)
    } else {
        planned_last_km
    };
    remaining.longest_recent_run_km = if logged {
        evidence.longest_logged_run_km.min(planned_longest)
    } else {
        planned_longest
    };
    let hold = evidence.calls_for_holding_back();
    // Walk/run resumes where the kept weeks left it (a week back when the
    // logs call for holding back).
    let walk_run_weeks = kept
        .iter()
        .take_while(|w| {
            w.days
                .iter()
                .flat_map(|d| &d.sessions)
                .any(|s| s.steps.iter().any(|step| step.is_walk_run()))
        })
        .count();
    let mut fresh = generate_with_lifts(
        &remaining,
        catalog,
        Options {
            first_week_recovery: hold,
            walk_run_done: if hold {
                walk_run_weeks.saturating_sub(1)
            } else {
                walk_run_weeks
            },
        },
        &evidence.lifts,
    )?;
    let why = evidence.reasons();
    let headline = if hold {
        format!(
            "Re-planned from {cut_date}: progression held and a recovery week brought forward because {}.",
            why.join("; ")
        )
    } else {
        format!(
            "Re-planned from {cut_date} from the logs: {:.1} km run in the last 7 days.",
            crate::domain::numbers::round_to(evidence.recent_run_km, 1)
        )
    };
    for session in fresh.weeks[0]
        .days
        .iter_mut()
        .flat_map(|d| d.sessions.iter_mut())
    {
        session.reasons.insert(0, headline.clone());
    }
    let mut weeks = kept.to_vec();
    for mut week in fresh.weeks {
        week.index += cut as u16;
        weeks.push(week);
    }
    let mut notes = plan.notes.clone();
    notes.push(headline);
    let mut adapted = Plan {
        weeks,
        notes,
        soft_violations: Vec::new(),
        ..plan.clone()
    };
    let violations = validate(&adapted, catalog);
    if let Some(hard) = violations.iter().find(|v| v.severity == Severity::Hard) {
        return Err(PlanError::Internal(format!(
            "adapted plan breaks {}: {}",
            hard.rule_id, hard.message
        )));
    }
    adapted.soft_violations = violations;
    Ok(adapted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::{marathon_request, seed_catalog};
    use crate::domain::plan::generate::generate;
    use chrono::Duration;

    #[test]
    fn missed_sessions_and_hard_efforts_hold_progression_and_keep_the_past() {
        let catalog = seed_catalog();
        let request = marathon_request();
        let plan = generate(&request, &catalog).unwrap();
        let from = plan.weeks[5].start_date + Duration::days(2);
        let evidence = Evidence {
            missed: vec![
                from - Duration::days(3),
                from - Duration::days(5),
                from - Duration::days(8),
            ],
            too_hard: vec![
                (
                    crate::ids::SessionId::from(uuid::Uuid::nil()),
                    from - Duration::days(2),
                    9,
                    3,
                ),
                (
                    crate::ids::SessionId::from(uuid::Uuid::nil()),
                    from - Duration::days(4),
                    8,
                    4,
                ),
            ],
            warnings: vec![],
            recent_run_km: plan.weeks[4].planned_run_km * 0.6,
            longest_logged_run_km: 12.0,
            ..Evidence::default()
        };
        let adapted = adapt(&plan, &request, from, &evidence, &catalog).unwrap();
        assert_eq!(
            &adapted.weeks[..5],
            &plan.weeks[..5],
            "the past stays as it was"
        );
        assert_eq!(adapted.weeks.len(), plan.weeks.len());
        assert_eq!(
            adapted.weeks[5].phase,
            crate::domain::vocabulary::Phase::Recovery
        );
        // The recovery week brought forward carries less; the weeks after
        // it resume from the logged volume (below the plan's), so that the
        // next four weeks together carry less.
        assert!(
            adapted.weeks[5].planned_load < plan.weeks[5].planned_load,
            "week 6 should carry less load: {} vs {}",
            adapted.weeks[5].planned_load,
            plan.weeks[5].planned_load
        );
        assert!(
            adapted.weeks[6].planned_run_km
                < plan.weeks[6]
                    .planned_run_km
                    .max(plan.weeks[4].planned_run_km)
        );
        let total = |p: &Plan| p.weeks[5..9].iter().map(|w| w.planned_load).sum::<u32>();
        assert!(
            total(&adapted) < total(&plan),
            "the next four weeks carry less load"
        );
        let reason = &adapted.weeks[5]
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .next()
            .unwrap()
            .reasons[0];
        assert!(
            reason.contains("3 planned sessions not logged") && reason.contains("RPE 9 against 3"),
            "{reason}"
        );
        assert!(
            validate(&adapted, &catalog)
                .iter()
                .all(|v| v.severity != Severity::Hard)
        );
    }

    #[test]
    fn quiet_logs_continue_the_plan_without_a_forced_recovery() {
        let catalog = seed_catalog();
        let request = marathon_request();
        let plan = generate(&request, &catalog).unwrap();
        let from = plan.weeks[1].start_date;
        let evidence = Evidence {
            recent_run_km: plan.weeks[0].planned_run_km,
            longest_logged_run_km: 16.0,
            ..Evidence::default()
        };
        let adapted = adapt(&plan, &request, from, &evidence, &catalog).unwrap();
        assert_ne!(
            adapted.weeks[1].phase,
            crate::domain::vocabulary::Phase::Recovery
        );
        assert_eq!(adapted.weeks[0], plan.weeks[0]);
    }
}
