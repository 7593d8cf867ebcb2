//! Choosing and dosing exercises: strength sessions, circuits, warm-ups
//! and cool-downs, from the part of the catalog the athlete can use.

pub mod session;

use crate::domain::catalog::Exercise;
use crate::domain::plan::catalog::{
    PlanCatalog, is_core, is_leg_exercise, is_plyometric, is_single_leg,
};
use crate::domain::plan::model::PlannedExercise;
use crate::domain::plan::request::PlanRequest;
use crate::domain::vocabulary::{
    Benefit, Category, Equipment, Experience, Goal, InjuryArea, MovementPattern, Muscle, Phase,
};

/// What a slot of a session asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Plyometric,
    MainLower,
    SingleLeg,
    Pull,
    Push,
    Core,
    Calf,
    Hip,
    Protect,
}

impl Role {
    fn fits(self, exercise: &Exercise, injuries: &[InjuryArea]) -> bool {
        let d = &exercise.definition;
        match self {
            Role::Plyometric => is_plyometric(exercise),
            Role::MainLower => {
                d.compound
                    && !d.unilateral
                    && matches!(d.category, Category::LowerBody | Category::FullBody)
                    && matches!(
                        d.movement_pattern,
                        MovementPattern::Squat | MovementPattern::Hinge | MovementPattern::Bridge
                    )
                    && is_leg_exercise(exercise)
                    && d.default_prescription.reps.is_some()
            }
            Role::SingleLeg => is_single_leg(exercise) && d.compound && !is_plyometric(exercise),
            Role::Pull => {
                d.movement_pattern == MovementPattern::Pull
                    && d.primary_muscles
                        .iter()
                        .any(|m| matches!(m, Muscle::UpperBack | Muscle::Lats))
            }
            Role::Push => {
                d.movement_pattern == MovementPattern::Push
                    && d.primary_muscles
                        .iter()
                        .any(|m| matches!(m, Muscle::Chest | Muscle::Shoulders | Muscle::Triceps))
            }
            // Trunk stability proper: not the glute bridge, which the
            // article files under core but which trains the hips.
            Role::Core => {
                is_core(exercise)
                    && d.category == Category::Core
                    && d.primary_muscles
                        .iter()
                        .any(|m| matches!(m, Muscle::Abs | Muscle::Obliques | Muscle::LowerBack))
                    && matches!(
                        d.movement_pattern,
                        MovementPattern::AntiRotation
                            | MovementPattern::AntiExtension
                            | MovementPattern::Rotation
                    )
            }
            Role::Calf => {
                d.primary_muscles
                    .iter()
                    .any(|m| matches!(m, Muscle::Calves | Muscle::FeetAnkles))
                    && !is_plyometric(exercise)
            }
            Role::Hip => {
                d.primary_muscles.contains(&Muscle::HipAbductors)
                    || d.primary_muscles.contains(&Muscle::Adductors)
            }
            Role::Protect => {
                d.helps_with.iter().any(|area| injuries.contains(area)) && !is_plyometric(exercise)
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            Role::Plyometric => "plyometric",
            Role::MainLower => "main lower-body lift",
            Role::SingleLeg => "single-leg",
            Role::Pull => "upper-body pull",
            Role::Push => "upper-body push",
            Role::Core => "core stability",
            Role::Calf => "calf and foot",
            Role::Hip => "hip stability",
            Role::Protect => "injury protection",
        }
    }
}

/// Why an exercise cannot be used by this athlete, if it cannot.
fn unusable_because(exercise: &Exercise, request: &PlanRequest) -> Option<String> {
    let missing: Vec<&str> = exercise
        .definition
        .equipment
        .iter()
        .filter(|item| **item != Equipment::None && !request.equipment.contains(item))
        .map(|item| item.as_str())
        .collect();
    if !missing.is_empty() {
        return Some(format!("no {}", missing.join(" or ")));
    }
    let hurt: Vec<&str> = exercise
        .definition
        .avoid_with
        .iter()
        .filter(|area| request.injuries.contains(area))
        .map(|area| area.as_str())
        .collect();
    if !hurt.is_empty() {
        return Some(format!("to spare the {}", hurt.join(" and ")));
    }
    None
}

fn max_difficulty(experience: Experience) -> u8 {
    match experience {
        Experience::Beginner => 2,
        Experience::Intermediate => 3,
        Experience::Advanced => 5,
    }
}

fn target_difficulty(experience: Experience) -> u8 {
    match experience {
        Experience::Beginner => 1,
        Experience::Intermediate => 2,
        Experience::Advanced => 3,
    }
}

fn goal_benefit(goal: Goal) -> Benefit {
    match goal {
        Goal::Endurance => Benefit::Endurance,
        Goal::SpeedPower => Benefit::Power,
        Goal::RunningForm => Benefit::Form,
        Goal::InjuryPrevention => Benefit::InjuryPrevention,
        Goal::GeneralFitness | Goal::BodyComposition | Goal::Strength => Benefit::RunningEconomy,
    }
}

const ROLES: [Role; 9] = [
    Role::Plyometric,
    Role::MainLower,
    Role::SingleLeg,
    Role::Pull,
    Role::Push,
    Role::Core,
    Role::Calf,
    Role::Hip,
    Role::Protect,
];

/// Candidates of one role, best first: those the athlete can use, and all
/// of them (to name the favourite that had to be replaced).
struct Ranking<'a> {
    usable: Vec<&'a Exercise>,
    all: Vec<&'a Exercise>,
}

/// The athlete's usable catalog, ranked once per plan for every role, and
/// the choices made from it.
pub struct Chooser<'a> {
    catalog: &'a PlanCatalog,
    request: &'a PlanRequest,
    rankings: Vec<Ranking<'a>>,
    warm_up: Vec<&'a Exercise>,
    cool_down: Vec<&'a Exercise>,
}

/// One chosen exercise with its role and, when a better-known one was
/// ruled out, why.
pub struct Choice<'a> {
    pub exercise: &'a Exercise,
    pub role: Role,
    pub reason: Option<String>,
}

fn score(request: &PlanRequest, exercise: &Exercise) -> i32 {
    let d = &exercise.definition;
    let protects = d
        .helps_with
        .iter()
        .filter(|a| request.injuries.contains(a))
        .count() as i32;
    let serves_goal = i32::from(d.benefits.contains(&goal_benefit(request.goal)));
    let distance =
        (i32::from(d.difficulty) - i32::from(target_difficulty(request.experience))).abs();
    protects * 4 + serves_goal * 2 - distance * 2 + i32::from(d.compound)
}

impl<'a> Chooser<'a> {
    pub fn new(catalog: &'a PlanCatalog, request: &'a PlanRequest) -> Self {
        let max = max_difficulty(request.experience);
        let usable = |e: &Exercise| {
            unusable_because(e, request).is_none()
                && e.definition.difficulty <= max
                && !matches!(e.definition.category, Category::WarmUp | Category::CoolDown)
        };
        let rankings = ROLES
            .iter()
            .map(|role| {
                let mut all: Vec<&'a Exercise> = catalog
                    .exercises()
                    .iter()
                    .filter(|e| role.fits(e, &request.injuries) && e.definition.difficulty <= max)
                    .collect();
                // Stable sort: equal scores keep the catalog's slug order.
                all.sort_by_key(|e| -score(request, e));
                let usable = all.iter().copied().filter(|e| usable(e)).collect();
                Ranking { usable, all }
            })
            .collect();
        let drills = |category: Category| {
            catalog
                .exercises()
                .iter()
                .filter(|e| {
                    e.definition.category == category && unusable_because(e, request).is_none()
                })
                .collect()
        };
        Chooser {
            catalog,
            request,
            rankings,
            warm_up: drills(Category::WarmUp),
            cool_down: drills(Category::CoolDown),
        }
    }

    fn ranking(&self, role: Role) -> &Ranking<'a> {
        &self.rankings[ROLES
            .iter()
            .position(|r| *r == role)
            .expect("every role is ranked")]
    }

    pub fn lookup(&self, slug: &str) -> Option<&'a Exercise> {
        self.catalog.by_slug(slug)
    }

    /// The best exercise for `role` not in `avoid`; `rotation` picks among
    /// the top few so that sessions and blocks vary deterministically.
    pub fn choose(&self, role: Role, avoid: &[&str], rotation: usize) -> Option<Choice<'a>> {
        let ranking = self.ranking(role);
        let open = |e: &&&'a Exercise| !avoid.contains(&e.definition.slug.as_str());
        let top: Vec<&'a Exercise> = ranking
            .usable
            .iter()
            .filter(open)
            .take(3)
            .copied()
            .collect();
        if top.is_empty() {
            return None;
        }
        let exercise = top[rotation % top.len()];
        // Explain when the favourite for this slot was ruled out.
        let reason = ranking.all.iter().find(open).and_then(|favourite| {
            if favourite.definition.slug == exercise.definition.slug {
                return None;
            }
            unusable_because(favourite, self.request).map(|why| {
                format!(
                    "{} instead of {} ({}): {why}",
                    exercise.definition.name,
                    favourite.definition.name.to_lowercase(),
                    role.label()
                )
            })
        });
        Some(Choice {
            exercise,
            role,
            reason,
        })
    }

    /// Warm-up or cool-down drills, `count` of them, rotating.
    pub fn drills(&self, category: Category, count: usize, rotation: usize) -> Vec<&'a Exercise> {
        let usable = if category == Category::CoolDown {
            &self.cool_down
        } else {
            &self.warm_up
        };
        if usable.is_empty() {
            return Vec::new();
        }
        (0..count.min(usable.len()))
            .map(|i| usable[(rotation + i) % usable.len()])
            .collect()
    }
}

/// The slots of a strength session: compound lower-body work, single-leg
/// work and core in every one (SPEC), the week's sessions alternating
/// pull and push, a lone session covering both, plus the goal's emphasis.
pub fn roles(
    request: &PlanRequest,
    phase: Phase,
    variant: usize,
    sessions_in_week: usize,
) -> Vec<Role> {
    let trained = request.experience != Experience::Beginner;
    let building = matches!(phase, Phase::Base | Phase::Build);
    let mut roles = Vec::new();
    if (trained && building)
        || (request.goal == Goal::SpeedPower && request.experience != Experience::Beginner)
    {
        roles.push(Role::Plyometric);
    }
    roles.push(Role::MainLower);
    roles.push(Role::SingleLeg);
    if sessions_in_week <= 1 {
        roles.extend([Role::Pull, Role::Push, Role::Calf]);
    } else if variant.is_multiple_of(2) {
        roles.extend([Role::Pull, Role::Calf]);
    } else {
        roles.extend([Role::Push, Role::Hip]);
    }
    roles.push(Role::Core);
    match request.goal {
        Goal::InjuryPrevention if !request.injuries.is_empty() => roles.push(Role::Protect),
        Goal::RunningForm => {
            roles.push(Role::SingleLeg);
            if !roles.contains(&Role::Hip) {
                roles.push(Role::Hip);
            }
        }
        _ => {}
    }
    roles
}

/// Sets, reps or hold, rest and reps in reserve for one exercise.
pub fn prescribe(
    exercise: &Exercise,
    role: Role,
    request: &PlanRequest,
    phase: Phase,
    first_lift: bool,
) -> PlannedExercise {
    let default = &exercise.definition.default_prescription;
    let beginner = request.experience == Experience::Beginner;
    let light_week = matches!(phase, Phase::Recovery | Phase::Taper | Phase::Peak);
    let mut planned = PlannedExercise {
        exercise_id: Some(exercise.id),
        exercise_slug: exercise.definition.slug.clone(),
        sets: if light_week {
            2
        } else {
            default.sets.clamp(2, 3)
        },
        reps: default.reps,
        hold_s: default.hold_s,
        tempo: default.tempo.clone(),
        rest_s: default.rest_s.max(30),
        target_rir: Some(if light_week || beginner { 3 } else { 2 }),
    };
    if planned.hold_s.is_some() {
        planned.target_rir = None;
        return planned;
    }
    if role == Role::Plyometric {
        planned.reps = Some(if request.goal == Goal::SpeedPower {
            6
        } else {
            5
        });
        planned.sets = if light_week { 2 } else { 3 };
        planned.rest_s = 90;
        planned.tempo = None;
        planned.target_rir = None;
        return planned;
    }
    let reps = default.reps.unwrap_or(10);
    planned.reps = Some(if beginner {
        reps.clamp(8, 12)
    } else if first_lift && matches!(phase, Phase::Base | Phase::Build) {
        // Heavy strength for trained runners: 3 × 4–6 (SPEC).
        planned.sets = 3;
        planned.rest_s = 150;
        5
    } else if first_lift {
        // Peak and taper keep the load, drop the volume.
        planned.rest_s = 150;
        4
    } else {
        match request.goal {
            Goal::Endurance | Goal::BodyComposition => reps.clamp(12, 20),
            Goal::SpeedPower => {
                planned.tempo = Some("2-0-x-0".to_owned());
                reps.clamp(5, 8)
            }
            _ => reps.clamp(8, 12),
        }
    });
    planned
}
