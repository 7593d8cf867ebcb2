//! Choosing strength work: the roles a session fills, and the part of the
//! catalog the athlete can use for each, ranked once per plan. What the
//! athlete can use is what one of the exercise's kits allows, what spares
//! the injuries (no jumping at all with an injury that landings load),
//! and what suits the experience; with free weights at hand the squat,
//! hinge and lunge slots take loaded lifts only.

pub mod dose;
pub mod loads;
pub mod session;

use crate::domain::catalog::Exercise;
use crate::domain::plan::catalog::{
    PlanCatalog, has_load_equipment, is_core, is_explosive, is_jumping, is_leg_exercise,
    is_loaded_with, is_single_leg, landing_injuries,
};
use crate::domain::plan::request::PlanRequest;
use crate::domain::strength_load::LiftHistory;
use crate::domain::vocabulary::{
    Benefit, Category, Equipment, Experience, Goal, InjuryArea, MovementPattern, Muscle, Phase,
};

/// What a slot of a session asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Jumps, or throws and swings when jumping is ruled out.
    Explosive,
    /// A bilateral squat: the main lift of one session.
    MainSquat,
    /// A bilateral hinge or hip thrust: the main lift of the other.
    MainHinge,
    /// Any single-leg lift.
    SingleLeg,
    /// Single-leg work led by the knee: split squats, lunges, step-ups.
    SingleLegKnee,
    /// Single-leg work led by the hip: single-leg deadlifts, hip thrusts.
    SingleLegHip,
    Pull,
    Push,
    Core,
    Calf,
    Hip,
    Protect,
}

impl Role {
    /// The roles whose lifts take load when free weights are at hand.
    pub fn loads_the_legs(self) -> bool {
        matches!(
            self,
            Role::MainSquat
                | Role::MainHinge
                | Role::SingleLeg
                | Role::SingleLegKnee
                | Role::SingleLegHip
        )
    }

    pub fn is_main(self) -> bool {
        matches!(self, Role::MainSquat | Role::MainHinge)
    }

    fn fits(self, exercise: &Exercise, injuries: &[InjuryArea]) -> bool {
        let d = &exercise.definition;
        let reps = d.default_prescription.reps.is_some();
        let single_leg = is_single_leg(exercise) && d.compound && !is_jumping(exercise) && reps;
        let main = d.category == Category::LowerBody
            && d.compound
            && !d.unilateral
            && reps
            && is_leg_exercise(exercise)
            && !is_jumping(exercise)
            && !is_explosive(exercise);
        // Jumps, throws and swings fill the explosive slot and no other.
        if self != Role::Explosive && (is_jumping(exercise) || is_explosive(exercise)) {
            return false;
        }
        match self {
            // Plyometric jumps and throws, swings and slams; not the
            // burpee, which is conditioning for circuits.
            Role::Explosive => {
                (is_jumping(exercise) && d.category == Category::Plyometric)
                    || is_explosive(exercise)
            }
            Role::MainSquat => main && d.movement_pattern == MovementPattern::Squat,
            Role::MainHinge => {
                main && matches!(
                    d.movement_pattern,
                    MovementPattern::Hinge | MovementPattern::Bridge
                )
            }
            Role::SingleLeg => single_leg,
            Role::SingleLegKnee => {
                single_leg
                    && matches!(
                        d.movement_pattern,
                        MovementPattern::Lunge | MovementPattern::Squat
                    )
            }
            Role::SingleLegHip => {
                single_leg
                    && matches!(
                        d.movement_pattern,
                        MovementPattern::Hinge | MovementPattern::Bridge
                    )
            }
            Role::Pull => {
                d.movement_pattern == MovementPattern::Pull
                    && d.compound
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
                d.movement_pattern == MovementPattern::CalfRaise
                    && d.primary_muscles
                        .iter()
                        .any(|m| matches!(m, Muscle::Calves | Muscle::FeetAnkles))
            }
            Role::Hip => {
                d.primary_muscles.contains(&Muscle::HipAbductors)
                    || d.primary_muscles.contains(&Muscle::Adductors)
            }
            Role::Protect => {
                d.helps_with.iter().any(|area| injuries.contains(area))
                    && !is_jumping(exercise)
                    && !is_explosive(exercise)
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            Role::Explosive => "explosive",
            Role::MainSquat => "main squat",
            Role::MainHinge => "main hinge",
            Role::SingleLeg | Role::SingleLegKnee | Role::SingleLegHip => "single-leg",
            Role::Pull => "upper-body pull",
            Role::Push => "upper-body push",
            Role::Core => "core stability",
            Role::Calf => "calf and foot",
            Role::Hip => "hip stability",
            Role::Protect => "injury protection",
        }
    }
}

const ROLES: [Role; 12] = [
    Role::Explosive,
    Role::MainSquat,
    Role::MainHinge,
    Role::SingleLeg,
    Role::SingleLegKnee,
    Role::SingleLegHip,
    Role::Pull,
    Role::Push,
    Role::Core,
    Role::Calf,
    Role::Hip,
    Role::Protect,
];

/// Why an exercise cannot be used by this athlete with `kit`, if it cannot.
pub fn unusable_because(
    exercise: &Exercise,
    request: &PlanRequest,
    kit: &[Equipment],
) -> Option<String> {
    let missing = exercise.definition.missing_with(kit);
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|item| item.as_str()).collect();
        return Some(format!("no {}", names.join(" or ")));
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
    let landing = landing_injuries(&request.injuries);
    if is_jumping(exercise) && !landing.is_empty() {
        let names: Vec<&str> = landing.iter().map(|area| area.as_str()).collect();
        return Some(format!("no jumping with an injured {}", names.join(" or ")));
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

/// How well an exercise suits the athlete in a role: protecting an injured
/// area counts most, then a lift the athlete has logged (its load is
/// known), the goal, a difficulty near the athlete's level, and for
/// trained athletes' main lifts the barbell, which loads heaviest.
fn score(
    request: &PlanRequest,
    exercise: &Exercise,
    role: Role,
    kit: &[Equipment],
    history: &LiftHistory,
) -> i32 {
    let d = &exercise.definition;
    let protects = d
        .helps_with
        .iter()
        .filter(|a| request.injuries.contains(a))
        .count() as i32;
    let serves_goal = i32::from(d.benefits.contains(&goal_benefit(request.goal)));
    let distance =
        (i32::from(d.difficulty) - i32::from(target_difficulty(request.experience))).abs();
    let logged = i32::from(history.sets_of(exercise.id).is_some());
    let barbell = i32::from(
        role.is_main()
            && request.experience != Experience::Beginner
            && d.kit_for(kit)
                .is_some_and(|k| k.contains(&Equipment::Barbell)),
    );
    let jumps = i32::from(role == Role::Explosive && is_jumping(exercise));
    protects * 4 + logged * 3 + serves_goal * 2 - distance * 2
        + barbell * 3
        + jumps * 2
        + i32::from(d.compound)
}

/// Candidates of one role, best first: those the athlete can use, and all
/// of them (to name the favourite that had to be replaced).
struct Ranking<'a> {
    usable: Vec<(&'a Exercise, i32)>,
    all: Vec<&'a Exercise>,
}

/// The athlete's usable catalog for one kit, ranked once per plan for
/// every role.
pub struct Chooser<'a> {
    catalog: &'a PlanCatalog,
    request: &'a PlanRequest,
    kit: Vec<Equipment>,
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

/// Candidates within this many points of the best take turns.
const ROTATION_SPREAD: i32 = 2;

impl<'a> Chooser<'a> {
    /// A chooser for the athlete's own equipment.
    pub fn new(catalog: &'a PlanCatalog, request: &'a PlanRequest, history: &LiftHistory) -> Self {
        Self::with_kit(catalog, request, request.equipment.clone(), history)
    }

    /// A chooser for `kit` (a beginner's first weeks leave the weights aside).
    pub fn with_kit(
        catalog: &'a PlanCatalog,
        request: &'a PlanRequest,
        kit: Vec<Equipment>,
        history: &LiftHistory,
    ) -> Self {
        let max = max_difficulty(request.experience);
        let loads = has_load_equipment(&kit);
        let usable = |e: &Exercise| {
            unusable_because(e, request, &kit).is_none()
                && e.definition.difficulty <= max
                && !matches!(
                    e.definition.category,
                    Category::WarmUp | Category::CoolDown | Category::Mobility
                )
        };
        let rankings = ROLES
            .iter()
            .map(|role| {
                let mut all: Vec<(&'a Exercise, i32)> = catalog
                    .exercises()
                    .iter()
                    .filter(|e| role.fits(e, &request.injuries) && e.definition.difficulty <= max)
                    .map(|e| (e, score(request, e, *role, &kit, history)))
                    .collect();
                // Stable sort: equal scores keep the catalog's slug order.
                all.sort_by_key(|(_, score)| -score);
                let mut usable: Vec<(&'a Exercise, i32)> =
                    all.iter().copied().filter(|(e, _)| usable(e)).collect();
                // With free weights at hand the legs lift them (SPEC).
                if loads
                    && role.loads_the_legs()
                    && usable.iter().any(|(e, _)| is_loaded_with(e, &kit))
                {
                    usable.retain(|(e, _)| is_loaded_with(e, &kit));
                }
                Ranking {
                    usable,
                    all: all.into_iter().map(|(e, _)| e).collect(),
                }
            })
            .collect();
        let drills = |category: Category| {
            catalog
                .exercises()
                .iter()
                .filter(|e| {
                    e.definition.category == category
                        && unusable_because(e, request, &kit).is_none()
                })
                .collect()
        };
        let warm_up = drills(Category::WarmUp);
        let cool_down = drills(Category::CoolDown);
        Chooser {
            catalog,
            request,
            kit,
            rankings,
            warm_up,
            cool_down,
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

    /// The equipment this chooser picks with.
    pub fn kit(&self) -> &[Equipment] {
        &self.kit
    }

    /// The best exercise for `role` not in `avoid`; `rotation` picks among
    /// those close to the best so that blocks vary deterministically.
    pub fn choose(&self, role: Role, avoid: &[&str], rotation: usize) -> Option<Choice<'a>> {
        let ranking = self.ranking(role);
        let open = |e: &&'a Exercise| !avoid.contains(&e.definition.slug.as_str());
        let best = ranking.usable.iter().find(|(e, _)| open(e))?.1;
        let top: Vec<&'a Exercise> = ranking
            .usable
            .iter()
            .filter(|(e, score)| open(e) && *score >= best - ROTATION_SPREAD)
            .take(3)
            .map(|(e, _)| *e)
            .collect();
        let exercise = top[rotation % top.len()];
        // Explain when the favourite for this slot was ruled out.
        let reason = ranking.all.iter().find(|e| open(e)).and_then(|favourite| {
            if favourite.definition.slug == exercise.definition.slug {
                return None;
            }
            unusable_because(favourite, self.request, &self.kit).map(|why| {
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

    /// The first of `roles` that has a candidate.
    pub fn choose_first(
        &self,
        roles: &[Role],
        avoid: &[&str],
        rotation: usize,
    ) -> Option<Choice<'a>> {
        roles
            .iter()
            .find_map(|role| self.choose(*role, avoid, rotation))
    }

    /// The main lift from `roles` (the day's pattern first): with free
    /// weights the first loaded choice; for a trained athlete without
    /// them single-leg work, which body weight still makes hard.
    pub fn choose_main(
        &self,
        roles: &[Role],
        avoid: &[&str],
        rotation: usize,
    ) -> Option<Choice<'a>> {
        if has_load_equipment(&self.kit) {
            let loaded = roles.iter().find_map(|role| {
                self.choose(*role, avoid, rotation)
                    .filter(|choice| is_loaded_with(choice.exercise, &self.kit))
            });
            if loaded.is_some() {
                return loaded;
            }
        } else if self.request.experience != Experience::Beginner {
            let single_leg_first: Vec<Role> = roles
                .iter()
                .copied()
                .filter(|role| !role.is_main())
                .chain(roles.iter().copied().filter(|role| role.is_main()))
                .collect();
            return self.choose_first(&single_leg_first, avoid, rotation);
        }
        self.choose_first(roles, avoid, rotation)
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

/// The slots of a strength session, in the order they are chosen (the
/// session orders them afterwards): explosive work for trained athletes
/// in base and build (and for a power goal in peak weeks), one main lift
/// (squat and hinge alternate across the week), single-leg work led by
/// the other joint, an upper-body pull or push, calf or hip work and core;
/// the exercises that protect the athlete's injuries; the goal's extras.
/// A taper week's one maintenance session keeps the main lift, single-leg
/// work, one upper-body lift and core.
pub fn roles(
    request: &PlanRequest,
    phase: Phase,
    variant: usize,
    sessions_in_week: usize,
) -> Vec<Vec<Role>> {
    use Role::*;
    let trained = request.experience != Experience::Beginner;
    let squat_day = sessions_in_week <= 1 || variant.is_multiple_of(2);
    // The main lift: the day's pattern, else single-leg work led by the
    // same joint, else the other pattern (the session takes the first
    // that is loaded when free weights are at hand).
    let main = if squat_day {
        vec![MainSquat, SingleLegKnee, MainHinge, SingleLegHip]
    } else {
        vec![MainHinge, SingleLegHip, MainSquat, SingleLegKnee]
    };
    let single_leg = if squat_day {
        vec![SingleLegHip, SingleLegKnee, SingleLeg]
    } else {
        vec![SingleLegKnee, SingleLegHip, SingleLeg]
    };
    if phase == Phase::Taper {
        let upper = if squat_day { Pull } else { Push };
        return vec![main, single_leg, vec![upper], vec![Core]];
    }
    let mut roles = Vec::new();
    let explosive = trained
        && (matches!(phase, Phase::Base | Phase::Build)
            || (phase == Phase::Peak && request.goal == Goal::SpeedPower));
    if explosive {
        roles.push(vec![Explosive]);
    }
    roles.push(main);
    roles.push(single_leg);
    if sessions_in_week <= 1 {
        roles.extend([vec![Pull], vec![Push], vec![Calf]]);
    } else if squat_day {
        roles.extend([vec![Pull], vec![Calf]]);
    } else {
        roles.extend([vec![Push], vec![Hip]]);
    }
    roles.push(vec![Core]);
    if !request.injuries.is_empty() {
        roles.push(vec![Protect]);
    }
    if request.goal == Goal::RunningForm {
        roles.push(vec![SingleLeg]);
        if !roles.iter().any(|r| r.contains(&Hip)) {
            roles.push(vec![Hip]);
        }
    }
    roles
}
