//! The strength half of generated plans, for any goal, experience, kit and
//! injuries: nothing the athlete cannot do or should avoid, loaded lifts
//! whenever free weights are at hand, doses by phase and experience within
//! their classes, explosive work first, foot contacts within a runner's
//! range and rising, one short session in taper weeks.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::catalog::{
    PlanCatalog, has_load_equipment, is_jumping, is_leg_pattern, is_loaded_with, landing_injuries,
};
use super::fixtures::{base_request, seed_catalog};
use super::generate::strength::dose::{DoseClass, MAX_FOOT_CONTACTS, foot_contacts};
use super::generate::strength::session::BODYWEIGHT_WEEKS;
use super::generate::{PlanError, generate};
use super::model::{Plan, PlannedExercise, PlannedSession, PlannedWeek};
use super::request::PlanRequest;
use super::strength_rules::is_explosive_work;
use crate::domain::catalog::Exercise;
use crate::domain::profile::Race;
use crate::domain::vocabulary::*;

fn request(
    goal: Goal,
    experience: Experience,
    equipment: Vec<Equipment>,
    injuries: Vec<InjuryArea>,
    weeks: u8,
    race: Option<RaceDistance>,
) -> PlanRequest {
    let start_date = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let race = race.map(|distance| Race {
        date: start_date + chrono::Duration::days(i64::from(weeks) * 7 - 1),
        distance,
        distance_km: (distance == RaceDistance::Custom).then_some(30.0),
    });
    PlanRequest {
        start_date,
        weeks: if race.is_some() { None } else { Some(weeks) },
        race,
        goal,
        experience,
        minutes_per_day: Some(75),
        runs_per_week: if experience == Experience::Beginner {
            3
        } else {
            4
        },
        equipment,
        injuries,
        allow_hiit: true,
        ..base_request()
    }
}

fn max_difficulty(experience: Experience) -> u8 {
    match experience {
        Experience::Beginner => 2,
        Experience::Intermediate => 3,
        Experience::Advanced => 5,
    }
}

/// Whether the catalog holds a loaded squat, hinge or lunge this athlete
/// may do: then every strength session must have one.
fn loaded_leg_work_exists(catalog: &PlanCatalog, request: &PlanRequest) -> bool {
    catalog.exercises().iter().any(|e| {
        let d = &e.definition;
        is_leg_pattern(e)
            && d.compound
            && d.category == Category::LowerBody
            && is_loaded_with(e, &request.equipment)
            && d.difficulty <= max_difficulty(request.experience)
            && !d.avoid_with.iter().any(|a| request.injuries.contains(a))
    })
}

fn strength_sessions(week: &PlannedWeek) -> impl Iterator<Item = &PlannedSession> {
    week.days
        .iter()
        .flat_map(|d| &d.sessions)
        .filter(|s| s.kind == SessionKind::Strength)
}

fn exercises<'a>(
    session: &'a PlannedSession,
    catalog: &'a PlanCatalog,
) -> Vec<(&'a PlannedExercise, &'a Exercise)> {
    session
        .exercises
        .iter()
        .map(|p| {
            (
                p,
                catalog
                    .lookup(p.exercise_id, &p.exercise_slug)
                    .expect("generated plans name catalog exercises"),
            )
        })
        .collect()
}

/// Every strength property of one generated plan; the message says what broke.
fn check_plan(plan: &Plan, request: &PlanRequest, catalog: &PlanCatalog) -> Result<(), String> {
    let landing = landing_injuries(&request.injuries);
    let must_load =
        has_load_equipment(&request.equipment) && loaded_leg_work_exists(catalog, request);
    let beginner = request.experience == Experience::Beginner;
    for week in &plan.weeks {
        let at = |what: String| format!("week {} ({}): {what}", week.index, week.phase);
        for session in week.days.iter().flat_map(|d| &d.sessions) {
            for planned in session
                .warm_up
                .iter()
                .chain(&session.exercises)
                .chain(&session.cool_down)
            {
                let e = catalog
                    .lookup(planned.exercise_id, &planned.exercise_slug)
                    .unwrap();
                let d = &e.definition;
                if !d.doable_with(&request.equipment) {
                    return Err(at(format!(
                        "{} needs {:?}",
                        d.slug,
                        d.missing_with(&request.equipment)
                    )));
                }
                if d.avoid_with.iter().any(|a| request.injuries.contains(a)) {
                    return Err(at(format!(
                        "{} is to be avoided with {:?}",
                        d.slug, request.injuries
                    )));
                }
                if !landing.is_empty() && is_jumping(e) {
                    return Err(at(format!("{} jumps with {:?}", d.slug, landing)));
                }
            }
        }
        let sessions: Vec<&PlannedSession> = strength_sessions(week).collect();
        if week.phase == Phase::Taper && sessions.len() > 1 {
            return Err(at(format!(
                "{} strength sessions in a taper week",
                sessions.len()
            )));
        }
        for session in sessions {
            let chosen = exercises(session, catalog);
            let bodyweight_weeks = beginner && usize::from(week.index) <= BODYWEIGHT_WEEKS;
            if must_load
                && !bodyweight_weeks
                && !chosen
                    .iter()
                    .any(|(_, e)| is_leg_pattern(e) && is_loaded_with(e, &request.equipment))
            {
                return Err(at(format!(
                    "no loaded squat, hinge or lunge in {:?}",
                    session
                        .exercises
                        .iter()
                        .map(|p| &p.exercise_slug)
                        .collect::<Vec<_>>()
                )));
            }
            if bodyweight_weeks
                && chosen
                    .iter()
                    .any(|(_, e)| is_leg_pattern(e) && is_loaded_with(e, &request.equipment))
            {
                return Err(at("loaded legs in a beginner's first weeks".to_owned()));
            }
            if let Some(first_other) = chosen.iter().position(|(_, e)| !is_explosive_work(e))
                && chosen[first_other..]
                    .iter()
                    .any(|(_, e)| is_explosive_work(e))
            {
                return Err(at("explosive work after the lifts".to_owned()));
            }
            let contacts: u16 = chosen.iter().filter_map(|(p, _)| p.foot_contacts).sum();
            if contacts > MAX_FOOT_CONTACTS {
                return Err(at(format!("{contacts} foot contacts")));
            }
            if week.phase == Phase::Taper
                && (chosen.len() > 5 || chosen.iter().any(|(p, e)| p.sets > 2 || is_jumping(e)))
            {
                return Err(at(
                    "the taper session is not a short maintenance one".to_owned()
                ));
            }
            for (planned, exercise) in &chosen {
                check_dose(planned, exercise, request, week.phase)
                    .map_err(|why| at(format!("{}: {why}", exercise.definition.slug)))?;
            }
            if !beginner
                && matches!(week.phase, Phase::Base | Phase::Build)
                && let Some((main, _)) = chosen.iter().find(|(p, e)| {
                    !is_explosive_work(e)
                        && is_loaded_with(e, &request.equipment)
                        && is_leg_pattern(e)
                        && p.reps.is_some_and(|r| r <= 6)
                })
                && !((3..=4).contains(&main.sets)
                    && main.target_rir.is_some_and(|r| (2..=3).contains(&r)))
            {
                return Err(at(format!("heavy main lift dosed {main:?}")));
            }
        }
    }
    check_recovery_weeks(plan, request, catalog)
}

fn check_dose(
    planned: &PlannedExercise,
    exercise: &Exercise,
    request: &PlanRequest,
    phase: Phase,
) -> Result<(), String> {
    let class = DoseClass::of(exercise);
    if !class.sets().contains(&planned.sets) {
        return Err(format!("{} sets outside {:?}", planned.sets, class.sets()));
    }
    if let Some(reps) = planned.reps
        && !class.reps().contains(&reps)
    {
        return Err(format!("{reps} reps outside {:?}", class.reps()));
    }
    if let Some(hold) = planned.hold_s
        && !class.hold_s().contains(&hold)
    {
        return Err(format!("{hold} s outside {:?}", class.hold_s()));
    }
    if class == DoseClass::Jump {
        let counted = foot_contacts(
            planned.sets,
            planned.reps.unwrap_or(0),
            exercise.definition.unilateral,
        );
        if planned.foot_contacts != Some(counted) || planned.target_rir.is_some() {
            return Err(format!("a jump dosed {planned:?}"));
        }
        if request.experience == Experience::Beginner {
            return Err("plyometrics for a novice".to_owned());
        }
    } else if planned.reps.is_some() && !planned.target_rir.is_some_and(|r| (1..=4).contains(&r)) {
        return Err(format!("reps in reserve {:?}", planned.target_rir));
    }
    if planned.load_kg.is_some() {
        return Err("a load without any logs".to_owned());
    }
    if request.experience == Experience::Beginner
        && let Some(reps) = planned.reps
        && (!(8..=12).contains(&reps) || !(2..=3).contains(&planned.sets))
    {
        return Err(format!(
            "a novice lifting {} × {reps} in {phase}",
            planned.sets
        ));
    }
    Ok(())
}

/// Recovery weeks lift fewer sets than the loading week before them.
fn check_recovery_weeks(
    plan: &Plan,
    request: &PlanRequest,
    catalog: &PlanCatalog,
) -> Result<(), String> {
    let sets_per_session = |week: &PlannedWeek| {
        let sessions: Vec<&PlannedSession> = strength_sessions(week).collect();
        let sets: usize = sessions
            .iter()
            .flat_map(|s| exercises(s, catalog))
            .map(|(p, _)| usize::from(p.sets))
            .sum();
        (!sessions.is_empty()).then(|| sets as f64 / sessions.len() as f64)
    };
    let beginner = request.experience == Experience::Beginner;
    for (index, week) in plan.weeks.iter().enumerate() {
        if week.phase != Phase::Recovery {
            continue;
        }
        let loading = plan.weeks[..index].iter().rev().find(|w| {
            matches!(w.phase, Phase::Base | Phase::Build)
                && !(beginner && usize::from(w.index) <= BODYWEIGHT_WEEKS)
        });
        if let (Some(loading), Some(recovery)) = (loading, sets_per_session(week))
            && let Some(before) = sets_per_session(loading)
            && recovery >= before
        {
            return Err(format!(
                "recovery week {} lifts {recovery} sets a session, week {} {before}",
                week.index, loading.index
            ));
        }
    }
    Ok(())
}

fn equipment_strategy() -> impl Strategy<Value = Vec<Equipment>> {
    prop_oneof![
        Just(Vec::new()),
        Just(vec![Equipment::Dumbbell]),
        Just(vec![Equipment::Kettlebell]),
        Just(vec![Equipment::Barbell]),
        Just(vec![Equipment::Barbell, Equipment::Bench]),
        proptest::sample::subsequence(Equipment::ALL[1..].to_vec(), 0..=12),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7374_7267),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_strength_half_of_every_plan_is_one_a_coach_would_sign(
        goal in proptest::sample::select(Goal::ALL.to_vec()),
        experience in proptest::sample::select(Experience::ALL.to_vec()),
        equipment in equipment_strategy(),
        injuries in proptest::sample::subsequence(InjuryArea::ALL.to_vec(), 0..=2),
        weeks in 4u8..=30,
        race in proptest::option::of(proptest::sample::select(RaceDistance::ALL.to_vec())),
    ) {
        let catalog = seed_catalog();
        let request = request(goal, experience, equipment, injuries, weeks, race);
        match generate(&request, &catalog) {
            Ok(plan) => {
                if let Err(why) = check_plan(&plan, &request, &catalog) {
                    prop_assert!(false, "{}", why);
                }
            }
            Err(PlanError::Infeasible { .. }) => {}
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }
}

#[test]
fn every_kit_loads_the_legs_and_the_kinds_of_lift_a_coach_expects() {
    let catalog = seed_catalog();
    let main_lifts = |equipment: Vec<Equipment>, experience: Experience| {
        let request = request(
            Goal::GeneralFitness,
            experience,
            equipment,
            vec![],
            12,
            None,
        );
        let plan = generate(&request, &catalog).unwrap_or_else(|e| panic!("{request:?}: {e:?}"));
        check_plan(&plan, &request, &catalog).unwrap();
        let mut slugs: Vec<String> = plan
            .weeks
            .iter()
            .filter(|w| w.index > 2)
            .flat_map(strength_sessions)
            .flat_map(|s| s.exercises.iter().map(|e| e.exercise_slug.clone()))
            .collect();
        slugs.sort();
        slugs.dedup();
        slugs
    };
    let advanced_barbell = main_lifts(
        vec![Equipment::Barbell, Equipment::Bench],
        Experience::Advanced,
    );
    for lift in ["barbell-back-squat", "romanian-deadlift"] {
        assert!(
            advanced_barbell.iter().any(|s| s == lift),
            "{lift}: {advanced_barbell:?}"
        );
    }
    let dumbbells = main_lifts(vec![Equipment::Dumbbell], Experience::Beginner);
    for lift in ["goblet-squat", "dumbbell-split-squat"] {
        assert!(dumbbells.iter().any(|s| s == lift), "{lift}: {dumbbells:?}");
    }
    let kettlebell = main_lifts(vec![Equipment::Kettlebell], Experience::Intermediate);
    assert!(
        kettlebell.iter().any(|s| s == "goblet-squat"),
        "{kettlebell:?}"
    );
    let nothing = main_lifts(vec![], Experience::Intermediate);
    assert!(
        !nothing
            .iter()
            .any(|s| s.contains("dumbbell") || s.contains("barbell"))
    );
}

#[test]
fn foot_contacts_rise_over_the_loading_weeks() {
    let catalog = seed_catalog();
    let request = request(
        Goal::SpeedPower,
        Experience::Intermediate,
        vec![],
        vec![],
        12,
        None,
    );
    let plan = generate(&request, &catalog).unwrap();
    let contacts: Vec<(u16, String, u16)> = plan
        .weeks
        .iter()
        .filter(|w| matches!(w.phase, Phase::Base | Phase::Build))
        .flat_map(|w| strength_sessions(w).map(move |s| (w.index, s)))
        .flat_map(|(index, s)| {
            s.exercises
                .iter()
                .filter_map(move |e| e.foot_contacts.map(|c| (index, e.exercise_slug.clone(), c)))
        })
        .collect();
    assert!(!contacts.is_empty());
    // The same jump never loses contacts from one loading week to a later one.
    for (i, (week, slug, count)) in contacts.iter().enumerate() {
        for (later_week, later_slug, later) in &contacts[i + 1..] {
            if later_slug == slug && later_week > week {
                assert!(
                    later >= count,
                    "{slug}: {count} in week {week}, {later} in week {later_week}"
                );
            }
        }
    }
    let first = contacts.first().unwrap().2;
    let most = contacts.iter().map(|c| c.2).max().unwrap();
    assert!(most > first, "{contacts:?}");
}

#[test]
fn a_knee_injury_rules_out_jumps_and_brings_protective_work_with_reasons() {
    let catalog = seed_catalog();
    let request = request(
        Goal::InjuryPrevention,
        Experience::Intermediate,
        vec![Equipment::Dumbbell, Equipment::Mat],
        vec![InjuryArea::Knee],
        8,
        None,
    );
    let plan = generate(&request, &catalog).unwrap();
    check_plan(&plan, &request, &catalog).unwrap();
    for session in plan.weeks.iter().flat_map(strength_sessions) {
        assert!(
            session.exercises.iter().any(|p| {
                catalog
                    .by_slug(&p.exercise_slug)
                    .unwrap()
                    .definition
                    .helps_with
                    .contains(&InjuryArea::Knee)
            }),
            "{session:?}"
        );
        assert!(
            session
                .reasons
                .iter()
                .any(|r| r.contains("protects the injured knee"))
        );
        assert!(
            session
                .reasons
                .iter()
                .any(|r| r.contains("No jumping") && r.contains("knee"))
        );
    }
}

/// An endurance goal gets muscular-endurance work beside the heavy lifts in
/// every base and build week (rule goal_emphasis): accessories at 12+ reps
/// for trained athletes, 10–12 for beginners, or long holds; and a week
/// without any is flagged.
#[test]
fn an_endurance_goal_brings_high_rep_accessories_every_loading_week() {
    let catalog = seed_catalog();
    let kits = [
        vec![Equipment::Dumbbell, Equipment::Mat],
        vec![
            Equipment::Kettlebell,
            Equipment::Mat,
            Equipment::ResistanceBand,
        ],
        vec![],
    ];
    for experience in Experience::ALL.iter().copied() {
        for kit in &kits {
            let request = request(
                Goal::Endurance,
                experience,
                kit.clone(),
                vec![],
                16,
                Some(RaceDistance::HalfMarathon),
            );
            let mut plan = generate(&request, &catalog).unwrap();
            assert!(
                !plan
                    .soft_violations
                    .iter()
                    .any(|v| v.rule_id == super::rules::GOAL_EMPHASIS),
                "{experience:?} {kit:?}: {:?}",
                plan.soft_violations
            );
            let high = if experience == Experience::Beginner {
                10
            } else {
                12
            };
            for week in plan.weeks.iter().filter(|w| {
                matches!(w.phase, Phase::Base | Phase::Build) && strength_sessions(w).count() > 0
            }) {
                let accessories: Vec<u8> = strength_sessions(week)
                    .flat_map(|s| exercises(s, &catalog))
                    .filter(|(_, e)| DoseClass::of(e) == DoseClass::Accessory)
                    .filter_map(|(p, _)| p.reps)
                    .collect();
                assert!(
                    accessories.iter().all(|reps| *reps >= high),
                    "{experience:?} week {}: accessories at {accessories:?}",
                    week.index
                );
            }
            // The same plan with every set at 8 reps and no long hold: flagged.
            let first = &mut plan.weeks[0];
            for day in &mut first.days {
                for session in &mut day.sessions {
                    for exercise in &mut session.exercises {
                        exercise.reps = exercise.reps.map(|_| 8);
                        exercise.hold_s = exercise.hold_s.map(|s| s.min(20));
                    }
                }
            }
            let flagged = super::validate::validate(&plan, &catalog);
            assert!(
                flagged
                    .iter()
                    .any(|v| v.rule_id == super::rules::GOAL_EMPHASIS
                        && v.dates.contains(&plan.weeks[0].start_date)),
                "{experience:?} {kit:?}"
            );
        }
    }
}
