//! Checks any plan in the plan format against every rule, generated or
//! written by a coach by hand. Pure: the plan and the catalog are all it
//! needs (plus the athlete snapshot inside the plan for the rules that
//! depend on injuries, equipment and run history).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::catalog::{PlanCatalog, is_core, is_leg_exercise, is_plyometric, is_single_leg};
use super::model::{Plan, PlannedExercise, PlannedSession, Violation};
use super::rules::{self, Severity};
use crate::domain::dates;
use crate::domain::vocabulary::{
    Category, Experience, Goal, Muscle, Phase, RaceDistance, SessionKind,
};

/// Weeks of at most this many kilometres may follow any week: the 30% and
/// 10% caps start to bite above it (a first 8 km week after none is fine).
pub const VOLUME_CAP_FLOOR_KM: f64 = 10.0;
/// A run of up to this length needs no longer run before it.
pub const LONGEST_RUN_FLOOR_KM: f64 = 3.0;
/// Rounding slack for distances computed from rounded session values.
const EPSILON_KM: f64 = 0.05;

pub fn is_run(kind: SessionKind) -> bool {
    matches!(
        kind,
        SessionKind::EasyRun
            | SessionKind::LongRun
            | SessionKind::TempoRun
            | SessionKind::IntervalRun
    )
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

fn distance(session: &PlannedSession) -> f64 {
    session.distance_km.unwrap_or(0.0)
}

/// Collects violations, one per rule with every date that breaks it.
struct Findings {
    by_rule: BTreeMap<&'static str, (Vec<NaiveDate>, Vec<String>, String)>,
}

impl Findings {
    fn add(&mut self, rule: &'static str, dates: &[NaiveDate], message: String, fix: &str) {
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

/// Every violation of every rule, hard ones first.
pub fn validate(plan: &Plan, catalog: &PlanCatalog) -> Vec<Violation> {
    let mut findings = Findings {
        by_rule: BTreeMap::new(),
    };
    let days: Vec<(NaiveDate, &Vec<PlannedSession>)> =
        plan.days().map(|d| (d.date, &d.sessions)).collect();
    let by_date: BTreeMap<NaiveDate, &Vec<PlannedSession>> = days.iter().copied().collect();
    let next_day = |date: NaiveDate| date.succ_opt().and_then(|next| by_date.get(&next).copied());

    check_day_after_leg_days(&days, &next_day, catalog, &mut findings);
    check_muscle_recovery(&days, &next_day, catalog, &mut findings);
    check_same_day(plan, &days, catalog, &mut findings);
    check_sessions(plan, &days, catalog, &mut findings);
    check_weeks(plan, catalog, &mut findings);
    check_longest_run(plan, &days, &mut findings);
    for found in super::strength_rules::check(plan, catalog) {
        findings.add(found.rule, &found.dates, found.message, found.fix);
    }
    findings.into_violations()
}

type NextDay<'a> = dyn Fn(NaiveDate) -> Option<&'a Vec<PlannedSession>> + 'a;

fn check_day_after_leg_days(
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

fn check_muscle_recovery(
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    next_day: &NextDay<'_>,
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    for (date, sessions) in days {
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

fn check_same_day(
    plan: &Plan,
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    let two_a_days_allowed = plan.athlete.as_ref().is_none_or(|a| a.allow_two_a_days);
    for (date, sessions) in days {
        let active: Vec<&PlannedSession> = sessions
            .iter()
            .filter(|s| s.kind != SessionKind::Rest)
            .collect();
        if active.len() < 2 {
            continue;
        }
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
        if active.iter().any(|s| is_run(s.kind))
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

fn all_exercises(session: &PlannedSession) -> impl Iterator<Item = &PlannedExercise> {
    session
        .warm_up
        .iter()
        .chain(&session.exercises)
        .chain(&session.cool_down)
}

fn check_sessions(
    plan: &Plan,
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    for (date, sessions) in days {
        for session in sessions.iter().filter(|s| s.kind != SessionKind::Rest) {
            if session.warm_up.is_empty() {
                findings.add(
                    rules::WARM_UP,
                    &[*date],
                    format!("{} on {date} has no warm-up.", session.title),
                    "Add a warm-up: easy jogging and dynamic drills.",
                );
            }
            if is_hard(session.kind) && session.cool_down.is_empty() {
                findings.add(
                    rules::COOL_DOWN,
                    &[*date],
                    format!("{} on {date} has no cool-down.", session.title),
                    "Add a cool-down: easy jogging and stretches.",
                );
            }
            if session.kind == SessionKind::Strength {
                check_strength_shape(session, *date, catalog, findings);
            }
            if let Some(athlete) = &plan.athlete {
                for planned in all_exercises(session) {
                    let Some(exercise) =
                        catalog.lookup(planned.exercise_id, &planned.exercise_slug)
                    else {
                        continue;
                    };
                    let hurt: Vec<&str> = exercise
                        .definition
                        .avoid_with
                        .iter()
                        .filter(|area| athlete.injuries.contains(area))
                        .map(|area| area.as_str())
                        .collect();
                    if !hurt.is_empty() {
                        findings.add(
                            rules::INJURY_SAFE,
                            &[*date],
                            format!(
                                "{} on {date} should be avoided with a {} injury.",
                                exercise.definition.name,
                                hurt.join("/")
                            ),
                            "Use a substitute that spares the injured area.",
                        );
                    }
                    let missing: Vec<&str> = exercise
                        .definition
                        .missing_with(&athlete.equipment)
                        .iter()
                        .map(|item| item.as_str())
                        .collect();
                    if !missing.is_empty() {
                        findings.add(
                            rules::EQUIPMENT_AVAILABLE,
                            &[*date],
                            format!(
                                "{} on {date} needs {}.",
                                exercise.definition.name,
                                missing.join(", ")
                            ),
                            "Use a substitute the athlete has the equipment for.",
                        );
                    }
                }
            }
        }
    }
}

fn check_strength_shape(
    session: &PlannedSession,
    date: NaiveDate,
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    let known: Vec<_> = session
        .exercises
        .iter()
        .filter_map(|e| catalog.lookup(e.exercise_id, &e.exercise_slug))
        // Explosive work comes before the lifts (rule explosive_first).
        .filter(|e| !super::strength_rules::is_explosive_work(e))
        .collect();
    let mut problems = Vec::new();
    if let Some(first_isolation) = known.iter().position(|e| !e.definition.compound)
        && known[first_isolation..]
            .iter()
            .any(|e| e.definition.compound)
    {
        problems.push("a compound exercise comes after an isolation one");
    }
    if !known.iter().any(|e| is_single_leg(e)) {
        problems.push("no single-leg work");
    }
    if !known.iter().any(|e| is_core(e)) {
        problems.push("no core stability work");
    }
    if !problems.is_empty() {
        findings.add(
            rules::STRENGTH_SESSION_SHAPE,
            &[date],
            format!("{} on {date}: {}.", session.title, problems.join(", ")),
            "Order compound lifts first and include one single-leg and one core exercise.",
        );
    }
}

/// Running kilometres of one week, from its sessions.
fn week_km(week: &super::model::PlannedWeek) -> f64 {
    week.days
        .iter()
        .flat_map(|d| &d.sessions)
        .filter(|s| is_run(s.kind))
        .map(distance)
        .sum()
}

fn check_weeks(plan: &Plan, catalog: &PlanCatalog, findings: &mut Findings) {
    let beginner = plan.experience == Experience::Beginner;
    let mut previous_km = plan.athlete.as_ref().map(|a| a.current_weekly_km);
    let mut reference_km = previous_km;
    let mut loading_streak = 0;
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
        let strength_count = sessions.iter().filter(|s| is_strength(s.kind)).count();
        if week.phase == Phase::Taper && strength_count > 1 {
            findings.add(
                rules::TAPER_STRENGTH,
                &[start],
                format!(
                    "Taper week {} has {strength_count} strength sessions.",
                    week.index
                ),
                "Keep one short maintenance strength session in taper weeks.",
            );
        }
        if matches!(week.phase, Phase::Base | Phase::Build | Phase::Peak)
            && !(2..=3).contains(&strength_count)
            && week.days.len() == 7
        {
            findings.add(
                rules::STRENGTH_FREQUENCY,
                &[start],
                format!(
                    "Week {} has {strength_count} strength session(s).",
                    week.index
                ),
                "Plan two or three full-body strength sessions a week.",
            );
        }
        let km = week_km(week);
        if let Some(previous) = previous_km
            && km > (previous * 1.3).max(VOLUME_CAP_FLOOR_KM) + EPSILON_KM
        {
            findings.add(
                rules::RUN_VOLUME_CAP,
                &[start],
                format!(
                    "Week {} runs {km:.1} km after {previous:.1} km, more than 30% up.",
                    week.index
                ),
                "Raise weekly volume by at most 10% a week.",
            );
        }
        if let Some(reference) = reference_km
            && km > (reference * 1.1).max(VOLUME_CAP_FLOOR_KM) + EPSILON_KM
        {
            findings.add(
                rules::RUN_VOLUME_10PCT,
                &[start],
                format!(
                    "Week {} runs {km:.1} km, more than 10% over {reference:.1} km.",
                    week.index
                ),
                "Raise weekly volume by at most 10% over the last full week.",
            );
        }
        check_intensity(week, &sessions, km, findings);
        if week.phase == Phase::Recovery {
            if let Some(previous) = previous_km
                && previous > 0.0
            {
                let ratio = km / previous;
                if !(0.68..=0.82).contains(&ratio) {
                    findings.add(
                        rules::RECOVERY_WEEKS,
                        &[start],
                        format!(
                            "Recovery week {} runs {:.0}% of the week before, not 70–80%.",
                            week.index,
                            ratio * 100.0
                        ),
                        "Cut a recovery week's volume by 20–30%.",
                    );
                }
            }
            loading_streak = 0;
        } else if matches!(week.phase, Phase::Base | Phase::Build | Phase::Peak) {
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
        }
        check_strength_week(plan, week.phase, start, &sessions, catalog, findings);
        if !matches!(week.phase, Phase::Recovery | Phase::Taper) {
            reference_km = Some(km);
        }
        previous_km = Some(km);
    }
    check_taper(plan, findings);
}

fn check_intensity(
    week: &super::model::PlannedWeek,
    sessions: &[&PlannedSession],
    km: f64,
    findings: &mut Findings,
) {
    let runs: Vec<&&PlannedSession> = sessions.iter().filter(|s| is_run(s.kind)).collect();
    let total_min: u32 = runs.iter().map(|s| u32::from(s.duration_min)).sum();
    let easy_min: u32 = runs
        .iter()
        .filter(|s| s.target_rpe <= 4)
        .map(|s| u32::from(s.duration_min))
        .sum();
    if total_min > 0 && f64::from(easy_min) < 0.75 * f64::from(total_min) {
        findings.add(
            rules::EASY_SHARE,
            &[week.start_date],
            format!(
                "Week {}: {:.0}% of running time is easy.",
                week.index,
                100.0 * f64::from(easy_min) / f64::from(total_min)
            ),
            "Make more of the running easy; keep one or two quality sessions.",
        );
    }
    if let Some(long) = runs
        .iter()
        .filter(|s| s.kind == SessionKind::LongRun)
        .map(|s| distance(s))
        .reduce(f64::max)
        && km > 0.0
        && long > 0.3 * km + EPSILON_KM
    {
        findings.add(
            rules::LONG_RUN_SHARE,
            &[week.start_date],
            format!(
                "Week {}: the long run is {:.0}% of the week's running.",
                week.index,
                100.0 * long / km
            ),
            "Shorten the long run or add easy volume on other days.",
        );
    }
}

fn check_strength_week(
    plan: &Plan,
    phase: Phase,
    start: NaiveDate,
    sessions: &[&PlannedSession],
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    let strength: Vec<&&PlannedSession> = sessions.iter().filter(|s| is_strength(s.kind)).collect();
    if strength.is_empty() {
        return;
    }
    let main: Vec<(&PlannedExercise, &crate::domain::catalog::Exercise)> = strength
        .iter()
        .flat_map(|s| &s.exercises)
        .filter_map(|p| {
            catalog
                .lookup(p.exercise_id, &p.exercise_slug)
                .map(|e| (p, e))
        })
        .collect();
    let trained = |group: &[Muscle]| {
        main.iter().any(|(_, e)| {
            e.definition
                .primary_muscles
                .iter()
                .any(|m| group.contains(m))
        })
    };
    let groups: [(&str, &[Muscle]); 6] = [
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
    let missing: Vec<&str> = groups
        .iter()
        .filter(|(_, g)| !trained(g))
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        findings.add(
            rules::MUSCLE_BALANCE,
            &[start],
            format!("The week of {start} trains no {}.", missing.join(", ")),
            "Add an exercise for each missing group to one of the week's sessions.",
        );
    }
    let building = matches!(phase, Phase::Base | Phase::Build);
    let emphasis_missing = match plan.goal {
        Goal::SpeedPower if building => !main.iter().any(|(_, e)| is_plyometric(e)),
        Goal::RunningForm => !main.iter().any(|(_, e)| is_single_leg(e)),
        Goal::InjuryPrevention => plan.athlete.as_ref().is_some_and(|a| {
            !a.injuries.is_empty()
                && !main.iter().any(|(_, e)| {
                    e.definition
                        .helps_with
                        .iter()
                        .any(|area| a.injuries.contains(area))
                })
        }),
        Goal::Endurance if building => !main.iter().any(|(p, _)| p.reps.is_some_and(|r| r >= 12)),
        _ => false,
    };
    if emphasis_missing {
        findings.add(
            rules::GOAL_EMPHASIS,
            &[start],
            format!("The week of {start} has no work that serves the {} goal.", plan.goal),
            "Add the goal's typical work (plyometrics, higher reps, single-leg or protective exercises).",
        );
    }
    let rep_based: Vec<u8> = main
        .iter()
        .filter(|(_, e)| !is_plyometric(e) && e.definition.category != Category::Mobility)
        .filter_map(|(p, _)| p.reps)
        .collect();
    let wrong = match plan.experience {
        Experience::Beginner => rep_based.iter().any(|r| !(8..=12).contains(r)),
        _ if building => !main
            .iter()
            .any(|(p, _)| p.sets >= 3 && p.reps.is_some_and(|r| (4..=6).contains(&r))),
        _ => false,
    };
    if wrong {
        findings.add(
            rules::REP_RANGES,
            &[start],
            match plan.experience {
                Experience::Beginner => format!("The week of {start} has beginner sets outside 8–12 reps."),
                _ => format!("The week of {start} has no heavy set (3 × 4–6) for a trained athlete."),
            },
            "Beginners: 8–12 reps. Trained athletes in base and build: a heavy 3 × 4–6 lift plus plyometrics.",
        );
    }
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

fn check_taper(plan: &Plan, findings: &mut Findings) {
    let Some(race) = &plan.race else { return };
    let taper_count = plan
        .weeks
        .iter()
        .rev()
        .take_while(|w| w.phase == Phase::Taper)
        .count();
    let (fewest, most) = taper_weeks(race);
    // Short plans cannot hold a full taper; one week is then enough.
    let fewest = fewest.min(plan.weeks.len().saturating_sub(1)).max(1);
    let last = plan.weeks.last();
    let peak = plan
        .weeks
        .iter()
        .filter(|w| w.phase != Phase::Taper)
        .map(week_km)
        .fold(0.0, f64::max);
    let final_km = last.map(week_km).unwrap_or(0.0);
    let ratio = if peak > 0.0 { final_km / peak } else { 0.5 };
    if plan.weeks.len() >= 2
        && (!(fewest..=most).contains(&taper_count) || !(0.35..=0.65).contains(&ratio))
    {
        findings.add(
            rules::TAPER,
            &[last.map_or(plan.end_date, |w| w.start_date)],
            format!(
                "The plan ends with {taper_count} taper week(s) at {:.0}% of peak volume; {fewest}–{most} week(s) at 40–60% suit this race.",
                ratio * 100.0
            ),
            "End with the taper length for the race distance, cutting volume 40–60% and keeping some intensity.",
        );
    }
}

fn check_longest_run(
    plan: &Plan,
    days: &[(NaiveDate, &Vec<PlannedSession>)],
    findings: &mut Findings,
) {
    let history = plan
        .athlete
        .as_ref()
        .map_or(0.0, |a| a.longest_recent_run_km);
    let mut runs: Vec<(NaiveDate, f64)> = Vec::new();
    for (date, sessions) in days {
        for session in sessions.iter().filter(|s| is_run(s.kind)) {
            let km = distance(session);
            let window_start = dates::add_days(*date, -30).unwrap_or(NaiveDate::MIN);
            let mut longest = runs
                .iter()
                .filter(|(d, _)| *d >= window_start && d < date)
                .map(|(_, k)| *k)
                .fold(0.0, f64::max);
            if window_start < plan.start_date {
                longest = longest.max(history);
            }
            if km > (1.1 * longest).max(LONGEST_RUN_FLOOR_KM) + EPSILON_KM {
                findings.add(
                    rules::LONGEST_RUN_CAP,
                    &[*date],
                    format!("{} on {date} is {km:.1} km; the longest run of the 30 days before is {longest:.1} km.", session.title),
                    "Keep every run within 110% of the longest run of the previous 30 days.",
                );
            }
        }
        for session in sessions.iter().filter(|s| is_run(s.kind)) {
            runs.push((*date, distance(session)));
        }
    }
}
