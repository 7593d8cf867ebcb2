//! The loads and reps of a plan's lifts, week by week: from the athlete's
//! logged sets where there are any (`strength_load::next_load`), then by
//! planned double progression, one step each base or build week in which
//! the lift comes round: a rep more, or at the top of the range a little
//! more load and the reps back at the bottom. Lighter weeks keep the load.

use crate::domain::catalog::Exercise;
use crate::domain::plan::catalog::FastMap;
use crate::domain::strength_load::{
    LiftHistory, LoadKit, NextLoad, RepTarget, Verdict, advance, estimated_one_rm, next_load,
    weight_for,
};
use crate::domain::vocabulary::Equipment;

/// Where a lift stands in the plan.
struct Lift {
    target: RepTarget,
    reps: u8,
    load_kg: Option<f64>,
    kit: LoadKit,
    /// The plan week it was last dosed in.
    week: usize,
    /// A raise the logs earned in a lighter week, made in the next loading week.
    pending_kg: Option<f64>,
}

/// A lift's dose for one session, and why when the logs set it.
pub struct Dosed {
    pub reps: u8,
    pub load_kg: Option<f64>,
    pub reason: Option<String>,
}

/// Every lift of one plan.
pub struct LoadBook<'a> {
    history: &'a LiftHistory,
    lifts: FastMap<uuid::Uuid, Lift>,
}

/// `22.5 kg`, `24 kg`.
pub fn kg(value: f64) -> String {
    let text = format!("{value:.1}");
    format!("{} kg", text.trim_end_matches(".0"))
}

impl<'a> LoadBook<'a> {
    pub fn new(history: &'a LiftHistory) -> Self {
        LoadBook {
            history,
            lifts: FastMap::default(),
        }
    }

    /// The reps and load of `exercise` (done with the athlete's `has`) for
    /// a session in plan week `week`; `progressing` in base and build
    /// weeks. A `capped` lift (body weight: no load to add) stays at the
    /// top of its range instead of starting again at the bottom.
    pub fn dose(
        &mut self,
        exercise: &Exercise,
        has: &[Equipment],
        target: RepTarget,
        week: usize,
        progressing: bool,
        capped: bool,
    ) -> Dosed {
        let d = &exercise.definition;
        // A lift logged with a weight its kit does not name (a weighted
        // step-up) was loaded somehow: whole kilograms then.
        let kit = d
            .kit_for(has)
            .and_then(LoadKit::of)
            .unwrap_or(LoadKit::Other);
        if let Some(lift) = self.lifts.get_mut(&exercise.id) {
            if (lift.target.low, lift.target.high) != (target.low, target.high) {
                // Another range (a heavy block after a novice one): carry the
                // load over through its estimated 1RM.
                lift.load_kg = lift.load_kg.map(|load| {
                    let one_rm = estimated_one_rm(load, u16::from(lift.reps), lift.target.rir);
                    lift.kit.at_most(weight_for(one_rm, target.low, target.rir))
                });
                lift.reps = target.low;
                lift.week = week;
            } else if progressing && week > lift.week {
                match lift.load_kg {
                    Some(_) if lift.pending_kg.is_some() => {
                        lift.load_kg = lift.pending_kg.take();
                        lift.reps = target.low;
                    }
                    Some(load) => {
                        (lift.load_kg, lift.reps) = {
                            let (load, reps) = advance(load, lift.reps, target, lift.kit);
                            (Some(load), reps)
                        }
                    }
                    None if lift.reps < target.high => lift.reps += 1,
                    None if capped => {}
                    None => lift.reps = target.low,
                }
                lift.week = week;
            }
            lift.target = target;
            return Dosed {
                reps: lift.reps,
                load_kg: lift.load_kg.filter(|load| *load > 0.0),
                reason: None,
            };
        }
        let logged = self
            .history
            .sets_of(exercise.id)
            .and_then(|sets| next_load(sets, target, kit));
        let (reps, load_kg, pending_kg, reason) = match logged {
            Some(next) => {
                // No extra load in a lighter week: the raise waits.
                let waits = next.verdict == Verdict::Progress && !progressing;
                let (load, reps) = if waits {
                    (next.last_kg, target.low)
                } else {
                    (next.load_kg, next.reps)
                };
                (
                    reps,
                    Some(load),
                    waits.then_some(next.load_kg),
                    Some(explain(&d.name, &next, load, target)),
                )
            }
            None => (target.low, None, None, None),
        };
        self.lifts.insert(
            exercise.id,
            Lift {
                target,
                reps,
                load_kg,
                kit,
                week,
                pending_kg,
            },
        );
        Dosed {
            reps,
            load_kg,
            reason,
        }
    }

    /// A circuit's load for `reps` at `rir` from the estimated 1RM of the
    /// logged sets; circuits do not progress.
    pub fn circuit_load(
        &self,
        exercise: &Exercise,
        has: &[Equipment],
        reps: u8,
        rir: u8,
    ) -> Option<f64> {
        let kit = exercise
            .definition
            .kit_for(has)
            .and_then(LoadKit::of)
            .unwrap_or(LoadKit::Other);
        let sets = self.history.sets_of(exercise.id)?;
        let one_rm = sets
            .iter()
            .map(|s| estimated_one_rm(s.weight_kg, s.reps, s.rir.unwrap_or(rir)))
            .fold(0.0, f64::max);
        Some(kit.at_most(weight_for(one_rm, reps, rir))).filter(|load| *load > 0.0)
    }
}

fn explain(name: &str, next: &NextLoad, load: f64, target: RepTarget) -> String {
    let range = format!("{}–{}", target.low, target.high);
    match next.verdict {
        Verdict::FromEstimate => format!(
            "{name} at {}: your logged sets at {} put the estimated one-rep max at {} (Brzycki up to 10 reps to failure, Epley above, reps in reserve counted), which gives {} × {} with {} in reserve.",
            kg(load),
            kg(next.last_kg),
            kg((next.one_rm_kg * 10.0).round() / 10.0),
            target.low,
            kg(load),
            target.rir
        ),
        Verdict::Progress if load > next.last_kg => format!(
            "{name} up from {} to {}: every set last time reached the top of {range} reps with {} or more in reserve (double progression); the reps start again at {}.",
            kg(next.last_kg),
            kg(load),
            target.rir,
            target.low
        ),
        Verdict::Progress => format!(
            "{name} stays at {} this lighter week; it goes up when the loading weeks resume.",
            kg(load)
        ),
        Verdict::Lower => format!(
            "{name} down from {} to {}: a set last time stopped below {range} reps.",
            kg(next.last_kg),
            kg(load)
        ),
        Verdict::Hold => format!(
            "{name} stays at {} for {} reps: double progression adds reps at this load until every set reaches {} with {} in reserve.",
            kg(load),
            next.reps,
            target.high,
            target.rir
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::session::LoggedSet;
    use crate::domain::strength_load::LiftHistory;

    const NOVICE: RepTarget = RepTarget {
        low: 8,
        high: 12,
        rir: 3,
    };

    #[test]
    fn a_raise_earned_before_a_lighter_week_comes_in_the_next_loading_week() {
        let catalog = crate::domain::plan::fixtures::seed_catalog();
        let goblet = catalog.by_slug("goblet-squat").unwrap();
        let set = LoggedSet {
            exercise_id: goblet.id,
            reps: Some(12),
            hold_s: None,
            weight_kg: Some(12.0),
            rir: Some(3),
        };
        let logged = [set.clone(), set.clone(), set];
        let history = LiftHistory::from_sessions([&logged[..]]);
        let mut book = LoadBook::new(&history);
        let has = [Equipment::Dumbbell];
        let mut dose = |week, progressing| {
            let dosed = book.dose(goblet, &has, NOVICE, week, progressing, false);
            (dosed.reps, dosed.load_kg)
        };
        // A recovery week first: the same 12 kg, reps at the bottom.
        assert_eq!(dose(0, false), (8, Some(12.0)));
        // Then the raise: 12 × 1.025 rounds back to 12, so one 2 kg step.
        assert_eq!(dose(1, true), (8, Some(14.0)));
        assert_eq!(dose(1, true), (8, Some(14.0)), "once a week");
        assert_eq!(dose(2, true), (9, Some(14.0)));
        assert_eq!(dose(3, false), (9, Some(14.0)), "lighter weeks hold");
    }

    #[test]
    fn body_weight_lifts_stay_at_the_top_and_others_start_over() {
        let catalog = crate::domain::plan::fixtures::seed_catalog();
        let history = LiftHistory::default();
        let mut book = LoadBook::new(&history);
        let squat = catalog.by_slug("bodyweight-squat").unwrap();
        let goblet = catalog.by_slug("goblet-squat").unwrap();
        let reps: Vec<u8> = (0..7)
            .map(|week| book.dose(squat, &[], NOVICE, week, true, true).reps)
            .collect();
        assert_eq!(reps, [8, 9, 10, 11, 12, 12, 12]);
        let reps: Vec<u8> = (0..7)
            .map(|week| {
                let dosed = book.dose(goblet, &[Equipment::Dumbbell], NOVICE, week, true, false);
                assert_eq!(dosed.load_kg, None, "no logs, no load");
                dosed.reps
            })
            .collect();
        assert_eq!(reps, [8, 9, 10, 11, 12, 8, 9]);
    }

    #[test]
    fn weights_print_without_needless_decimals() {
        assert_eq!(kg(24.0), "24 kg");
        assert_eq!(kg(22.5), "22.5 kg");
    }
}
