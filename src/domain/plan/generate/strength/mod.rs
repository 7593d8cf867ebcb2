//! Choosing strength work: the roles a session fills, and the part of the
//! catalog the athlete can use for each, ranked once per plan. What the
//! athlete can use is what one of the exercise's kits allows, what spares
//! the injuries (no jumping at all with an injury that landings load),
//! and what suits the experience; with free weights at hand the squat,
//! hinge and lunge slots take loaded lifts only.

use std::cell::OnceCell;

pub mod dose;
pub mod loads;
pub mod session;

use crate::domain::catalog::Exercise;
use crate::domain::plan::catalog::{
    PlanCatalog, has_load_equipment, is_core, is_explosive, is_jumping, is_leg_exercise,
    is_loaded_with, is_single_leg, landing_injuries,
};
use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::rules;
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

/// [`unusable_because`] without the words: whether the athlete can use
/// the exercise with `kit` (the chooser asks this of every exercise).
pub fn is_usable(exercise: &Exercise, request: &PlanRequest, kit: &[Equipment]) -> bool {
    let d = &exercise.definition;
    d.doable_with(kit)
        && !d.avoid_with.iter().any(|a| request.injuries.contains(a))
        && (!is_jumping(exercise) || landing_injuries(&request.injuries).is_empty())
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

/// How well an exercise suits the athlete, whatever the role: protecting
/// an injured area counts most, then a lift the athlete has logged (its
/// load is known), the goal, and a difficulty near the athlete's level.
fn base_score(request: &PlanRequest, exercise: &Exercise, history: &LiftHistory) -> i32 {
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
    protects * 4 + logged * 3 + serves_goal * 2 - distance * 2 + i32::from(d.compound)
}

/// What a role adds: for trained athletes' main lifts the barbell, which
/// loads heaviest; for the explosive slot, real jumps over throws.
fn role_bonus(request: &PlanRequest, exercise: &Exercise, role: Role, kit: &[Equipment]) -> i32 {
    let barbell = role.is_main()
        && request.experience != Experience::Beginner
        && exercise
            .definition
            .kit_for(kit)
            .is_some_and(|k| k.contains(&Equipment::Barbell));
    let jumps = role == Role::Explosive && is_jumping(exercise);
    i32::from(barbell) * 3 + i32::from(jumps) * 2
}

/// Candidates of one role, best first: those the athlete can use, and all
/// of them (to name the favourite that had to be replaced).
struct Ranking<'a> {
    usable: Vec<(&'a Exercise, i32)>,
    /// Every candidate, as positions in the catalog.
    all: Vec<usize>,
}

/// The athlete's usable catalog for one kit, ranked once per plan for
/// every role.
pub struct Chooser<'a> {
    catalog: &'a PlanCatalog,
    request: &'a PlanRequest,
    kit: Vec<Equipment>,
    /// Whether each exercise of the catalog can be used with `kit`.
    usable: Vec<bool>,
    /// Why not, written the first time a reason needs it.
    why_not: Vec<OnceCell<Option<String>>>,
    rankings: Vec<Ranking<'a>>,
    warm_up: Vec<&'a Exercise>,
    cool_down: Vec<&'a Exercise>,
}

/// One chosen exercise with its role and, when a better-known one was
/// ruled out, why (a whole sentence naming the rules, for the reasons).
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
        let exercises = catalog.exercises();
        let usable: Vec<bool> = exercises
            .iter()
            .map(|e| is_usable(e, request, &kit))
            .collect();
        let base: Vec<i32> = exercises
            .iter()
            .map(|e| base_score(request, e, history))
            .collect();
        let blocked = |index: usize| !usable[index];
        let rankings = ROLES
            .iter()
            .map(|role| {
                let mut all: Vec<(usize, i32)> = exercises
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| {
                        e.definition.difficulty <= max
                            && !matches!(
                                e.definition.category,
                                Category::WarmUp | Category::CoolDown | Category::Mobility
                            )
                            && role.fits(e, &request.injuries)
                    })
                    .map(|(index, e)| (index, base[index] + role_bonus(request, e, *role, &kit)))
                    .collect();
                // Stable sort: equal scores keep the catalog's slug order.
                all.sort_by_key(|(_, score)| -score);
                let mut usable: Vec<(&'a Exercise, i32)> = all
                    .iter()
                    .filter(|(index, _)| !blocked(*index))
                    .map(|(index, score)| (&exercises[*index], *score))
                    .collect();
                // With free weights at hand the legs lift them (SPEC).
                if loads
                    && role.loads_the_legs()
                    && usable.iter().any(|(e, _)| is_loaded_with(e, &kit))
                {
                    usable.retain(|(e, _)| is_loaded_with(e, &kit));
                }
                Ranking {
                    usable,
                    all: all.into_iter().map(|(index, _)| index).collect(),
                }
            })
            .collect();
        let drills = |category: Category| {
            exercises
                .iter()
                .enumerate()
                .filter(|(index, e)| e.definition.category == category && !blocked(*index))
                .map(|(_, e)| e)
                .collect()
        };
        let warm_up = drills(Category::WarmUp);
        let cool_down = drills(Category::CoolDown);
        Chooser {
            catalog,
            request,
            kit,
            why_not: exercises.iter().map(|_| OnceCell::new()).collect(),
            usable,
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
        // The (up to) three best open candidates, without allocating: this
        // runs for every slot of every session.
        let mut top: [Option<&'a Exercise>; 3] = [None; 3];
        let mut count = 0;
        for (e, _) in ranking
            .usable
            .iter()
            .filter(|(e, score)| open(e) && *score >= best - ROTATION_SPREAD)
            .take(3)
        {
            top[count] = Some(*e);
            count += 1;
        }
        let exercise = top[rotation % count].expect("the best candidate is open");
        // Explain when the favourite for this slot was ruled out.
        let exercises = self.catalog.exercises();
        let reason = ranking
            .all
            .iter()
            .find(|index| open(&&exercises[**index]))
            .and_then(|index| {
                let favourite = &exercises[*index];
                if favourite.definition.slug == exercise.definition.slug {
                    return None;
                }
                if self.usable[*index] {
                    return None;
                }
                let why = self.why_not[*index]
                    .get_or_init(|| unusable_because(favourite, self.request, &self.kit));
                why.as_ref().map(|why| {
                    format!(
                        "{} instead of {} ({}): {why} ({} / {}).",
                        exercise.definition.name,
                        favourite.definition.name.to_lowercase(),
                        role.label(),
                        rules::EQUIPMENT_AVAILABLE,
                        rules::INJURY_SAFE
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
    pub fn drills(
        &self,
        category: Category,
        count: usize,
        rotation: usize,
    ) -> impl Iterator<Item = &'a Exercise> + '_ {
        let usable = if category == Category::CoolDown {
            &self.cool_down
        } else {
            &self.warm_up
        };
        (0..count.min(usable.len())).map(move |i| usable[(rotation + i) % usable.len()])
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
) -> Vec<&'static [Role]> {
    use Role::*;
    let trained = request.experience != Experience::Beginner;
    let squat_day = sessions_in_week <= 1 || variant.is_multiple_of(2);
    // The main lift: the day's pattern, else single-leg work led by the
    // same joint, else the other pattern (the session takes the first
    // that is loaded when free weights are at hand).
    let (main, single_leg, upper): (&'static [Role], &'static [Role], &'static [Role]) =
        if squat_day {
            (
                &[MainSquat, SingleLegKnee, MainHinge, SingleLegHip],
                &[SingleLegHip, SingleLegKnee, SingleLeg],
                &[Pull],
            )
        } else {
            (
                &[MainHinge, SingleLegHip, MainSquat, SingleLegKnee],
                &[SingleLegKnee, SingleLegHip, SingleLeg],
                &[Push],
            )
        };
    if phase == Phase::Taper {
        return vec![main, single_leg, upper, &[Core]];
    }
    let mut roles: Vec<&'static [Role]> = Vec::with_capacity(10);
    let explosive = trained
        && (matches!(phase, Phase::Base | Phase::Build)
            || (phase == Phase::Peak && request.goal == Goal::SpeedPower));
    if explosive {
        roles.push(&[Explosive]);
    }
    roles.push(main);
    roles.push(single_leg);
    if sessions_in_week <= 1 {
        roles.extend([&[Pull][..], &[Push], &[Calf]]);
    } else if squat_day {
        roles.extend([&[Pull][..], &[Calf]]);
    } else {
        roles.extend([&[Push][..], &[Hip]]);
    }
    roles.push(&[Core]);
    if !request.injuries.is_empty() {
        roles.push(&[Protect]);
    }
    if request.goal == Goal::RunningForm {
        roles.push(&[SingleLeg]);
        if !roles.iter().any(|r| r.contains(&Hip)) {
            roles.push(&[Hip]);
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::{marathon_request, seed_catalog};

    #[test]
    fn usable_and_its_reason_agree() {
        let catalog = seed_catalog();
        let mut request = marathon_request();
        for (kit, injuries) in [
            (vec![], vec![]),
            (
                vec![Equipment::Dumbbell, Equipment::Mat],
                vec![InjuryArea::Knee],
            ),
            (
                vec![Equipment::Barbell, Equipment::Bench, Equipment::Box],
                vec![InjuryArea::LowerBack, InjuryArea::Achilles],
            ),
        ] {
            request.injuries = injuries;
            for exercise in catalog.exercises() {
                assert_eq!(
                    is_usable(exercise, &request, &kit),
                    unusable_because(exercise, &request, &kit).is_none(),
                    "{}",
                    exercise.definition.slug
                );
            }
        }
    }
}
