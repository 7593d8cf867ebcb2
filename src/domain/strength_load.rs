//! Loads from the logs: an estimated one-repetition maximum from logged
//! sets, and double progression from one session of a lift to the next.
//! Pure arithmetic, no I/O; the plan engine calls it.
//!
//! **Estimated 1RM.** Reps in reserve count as reps (a set of 8 with 2 in
//! reserve is 10 to failure). Up to 10 reps to failure the estimate is
//! Brzycki's `w × 36 / (37 − r)`, above 10 Epley's `w × (1 + r / 30)`:
//! the two agree exactly at 10 (both give `w × 4/3`), Brzycki is the
//! closer fit for low reps and Epley does not blow up for high ones.
//! The inverse gives the weight for a target set.
//!
//! **Double progression.** A lift has a rep range (4–6 heavy, 8–12 for
//! novices) and a target RIR. When every working set of the last session
//! reached the top of the range with at least the target RIR, the load
//! goes up 2.5% (5% when every set had 2 or more reps in reserve beyond
//! the target), rounded to what the equipment allows (and at least one
//! step), and the reps start again at the bottom of the range. A set that
//! fell below the range lowers the load 5% (at least one step); a set in
//! the range but with fewer reps in reserve than the target holds the
//! load and the reps; otherwise the load holds and the target is one rep
//! more. Sets logged far outside the range (10 reps logged for a 4–6
//! plan) say little about it, so the load comes from the estimate instead.

use uuid::Uuid;

use crate::domain::plan::catalog::FastMap;
use crate::domain::session::LoggedSet;
use crate::domain::vocabulary::Equipment;

/// Reps to failure above which Epley replaces Brzycki.
const BRZYCKI_UP_TO: f64 = 10.0;

/// Estimated one-repetition maximum of `weight_kg` lifted `reps` times
/// with `rir` reps in reserve.
pub fn estimated_one_rm(weight_kg: f64, reps: u16, rir: u8) -> f64 {
    let to_failure = f64::from(reps) + f64::from(rir);
    if to_failure <= BRZYCKI_UP_TO {
        weight_kg * 36.0 / (37.0 - to_failure)
    } else {
        weight_kg * (1.0 + to_failure / 30.0)
    }
}

/// The weight an athlete with `one_rm_kg` lifts `reps` times leaving
/// `rir` in reserve: the inverse of [`estimated_one_rm`].
pub fn weight_for(one_rm_kg: f64, reps: u8, rir: u8) -> f64 {
    let to_failure = f64::from(reps) + f64::from(rir);
    if to_failure <= BRZYCKI_UP_TO {
        one_rm_kg * (37.0 - to_failure) / 36.0
    } else {
        one_rm_kg / (1.0 + to_failure / 30.0)
    }
}

/// What the weight is made of, which decides the steps it comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadKit {
    /// A bar with plates in pairs: 2.5 kg steps (two 1.25 kg plates).
    Barbell,
    /// Fixed or adjustable dumbbells: 1 kg steps up to 10 kg, 2 kg above.
    Dumbbell,
    /// Kettlebells: the common 4 kg steps (8, 12, 16, 20, 24 kg …).
    Kettlebell,
    /// Anything else (a cable stack, a medicine ball): 1 kg steps.
    Other,
}

impl LoadKit {
    /// The load kit of an exercise's kit: the heaviest-loading item in it.
    pub fn of(kit: &[Equipment]) -> Option<LoadKit> {
        if kit.contains(&Equipment::Barbell) {
            Some(LoadKit::Barbell)
        } else if kit.contains(&Equipment::Dumbbell) {
            Some(LoadKit::Dumbbell)
        } else if kit.contains(&Equipment::Kettlebell) {
            Some(LoadKit::Kettlebell)
        } else if kit
            .iter()
            .any(|item| matches!(item, Equipment::CableMachine | Equipment::MedicineBall))
        {
            Some(LoadKit::Other)
        } else {
            None
        }
    }

    /// The step between two weights near `kg`.
    pub fn step_kg(self, kg: f64) -> f64 {
        match self {
            LoadKit::Barbell => 2.5,
            LoadKit::Dumbbell if kg < 10.0 => 1.0,
            LoadKit::Dumbbell => 2.0,
            LoadKit::Kettlebell => 4.0,
            LoadKit::Other => 1.0,
        }
    }

    /// `kg` rounded to the nearest weight the kit has.
    pub fn nearest(self, kg: f64) -> f64 {
        let step = self.step_kg(kg);
        ((kg / step).round() * step).max(step)
    }

    /// `kg` rounded down to a weight the kit has (never above an estimate).
    pub fn at_most(self, kg: f64) -> f64 {
        let step = self.step_kg(kg);
        (kg / step + 1e-9).floor() * step
    }
}

/// A lift's target: its rep range and the reps to leave in reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepTarget {
    pub low: u8,
    pub high: u8,
    pub rir: u8,
}

/// One working set as logged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetDone {
    pub reps: u16,
    pub weight_kg: f64,
    /// Absent when not logged: then taken as the target (the athlete
    /// stopped where the plan said).
    pub rir: Option<u8>,
}

/// How the last session decided the next load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Top of the range at the target RIR: load up, reps back to the bottom.
    Progress,
    /// In the range: same load, one more rep (or the same reps after a
    /// set harder than planned).
    Hold,
    /// Below the range: load down.
    Lower,
    /// Logged far from this range: the load comes from the estimated 1RM.
    FromEstimate,
}

/// The next prescription of a lift.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NextLoad {
    pub load_kg: f64,
    pub reps: u8,
    pub verdict: Verdict,
    /// The estimate the decision was based on.
    pub one_rm_kg: f64,
    /// The working weight of the last session.
    pub last_kg: f64,
}

const WEIGHT_EPSILON: f64 = 0.01;

/// The next load of a lift from its last session's sets, for `target`
/// with weights from `kit`; `None` when no set carried a weight.
pub fn next_load(sets: &[SetDone], target: RepTarget, kit: LoadKit) -> Option<NextLoad> {
    let working: Vec<&SetDone> = sets
        .iter()
        .filter(|s| s.weight_kg > 0.0 && s.reps > 0)
        .collect();
    let top_kg = working.iter().map(|s| s.weight_kg).fold(0.0, f64::max);
    let top: Vec<&&SetDone> = working
        .iter()
        .filter(|s| (s.weight_kg - top_kg).abs() < WEIGHT_EPSILON)
        .collect();
    if top.is_empty() {
        return None;
    }
    let rir = |s: &SetDone| s.rir.unwrap_or(target.rir);
    let one_rm_kg = top
        .iter()
        .map(|s| estimated_one_rm(s.weight_kg, s.reps, rir(s)))
        .fold(0.0, f64::max);
    let (low, high) = (u16::from(target.low), u16::from(target.high));
    let comparable = top.iter().all(|s| s.reps + 2 >= low && s.reps <= high + 2);
    let fewest = top.iter().map(|s| s.reps).min().unwrap_or(low);
    let step = kit.step_kg(top_kg);
    let (load_kg, reps, verdict) = if !comparable {
        let load = kit.at_most(weight_for(one_rm_kg, target.low, target.rir));
        if load <= 0.0 {
            return None;
        }
        (load, target.low, Verdict::FromEstimate)
    } else if top.iter().all(|s| s.reps >= high && rir(s) >= target.rir) {
        let easy = top.iter().all(|s| rir(s) >= target.rir + 2);
        let raised = kit.nearest(top_kg * if easy { 1.05 } else { 1.025 });
        let load = if raised <= top_kg + WEIGHT_EPSILON {
            top_kg + step
        } else {
            raised
        };
        (load, target.low, Verdict::Progress)
    } else if fewest < low {
        let lowered = kit.nearest(top_kg * 0.95);
        let load = if lowered >= top_kg - WEIGHT_EPSILON {
            (top_kg - step).max(step)
        } else {
            lowered
        };
        (load, target.low, Verdict::Lower)
    } else if top.iter().any(|s| rir(s) < target.rir) {
        (top_kg, fewest.min(high) as u8, Verdict::Hold)
    } else {
        (top_kg, (fewest + 1).min(high) as u8, Verdict::Hold)
    };
    Some(NextLoad {
        load_kg,
        reps,
        verdict,
        one_rm_kg,
        last_kg: top_kg,
    })
}

/// One planned week of double progression on a known load: one more rep,
/// or at the top of the range the smallest raise (2.5%, at least one
/// step) and the reps back at the bottom.
pub fn advance(load_kg: f64, reps: u8, target: RepTarget, kit: LoadKit) -> (f64, u8) {
    if reps < target.high {
        (load_kg, reps + 1)
    } else {
        let raised = kit.nearest(load_kg * 1.025);
        let load = if raised <= load_kg + WEIGHT_EPSILON {
            load_kg + kit.step_kg(load_kg)
        } else {
            raised
        };
        (load, target.low)
    }
}

/// The weighted sets of the most recent session of each exercise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiftHistory {
    latest: FastMap<Uuid, Vec<SetDone>>,
}

impl LiftHistory {
    /// From logged sessions, newest first: each exercise keeps the
    /// weighted sets of the newest session that has any.
    pub fn from_sessions<'a>(sessions: impl IntoIterator<Item = &'a [LoggedSet]>) -> Self {
        let mut latest: FastMap<Uuid, Vec<SetDone>> = FastMap::default();
        for sets in sessions {
            let mut this_session: FastMap<Uuid, Vec<SetDone>> = FastMap::default();
            for set in sets {
                if let (Some(reps), Some(weight_kg)) = (set.reps, set.weight_kg)
                    && weight_kg > 0.0
                    && reps > 0
                {
                    this_session
                        .entry(set.exercise_id)
                        .or_default()
                        .push(SetDone {
                            reps,
                            weight_kg,
                            rir: set.rir,
                        });
                }
            }
            for (exercise, done) in this_session {
                latest.entry(exercise).or_insert(done);
            }
        }
        LiftHistory { latest }
    }

    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }

    /// The newest weighted sets of an exercise, if it was ever logged with a weight.
    pub fn sets_of(&self, exercise: Uuid) -> Option<&[SetDone]> {
        if self.latest.is_empty() {
            return None;
        }
        self.latest.get(&exercise).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn sets(reps: &[u16], kg: f64, rir: Option<u8>) -> Vec<SetDone> {
        reps.iter()
            .map(|r| SetDone {
                reps: *r,
                weight_kg: kg,
                rir,
            })
            .collect()
    }

    const HEAVY: RepTarget = RepTarget {
        low: 4,
        high: 6,
        rir: 2,
    };
    const NOVICE: RepTarget = RepTarget {
        low: 8,
        high: 12,
        rir: 3,
    };

    #[test]
    fn brzycki_up_to_ten_reps_to_failure_epley_above_and_they_meet_at_ten() {
        // 100 kg × 5 at RIR 0: Brzycki 100 × 36 / 32 = 112.5.
        assert!(close(estimated_one_rm(100.0, 5, 0), 112.5));
        // 8 reps at RIR 2 is 10 to failure: 60 × 36 / 27 = 80, and Epley
        // gives the same at 10: 60 × (1 + 10/30) = 80.
        assert!(close(estimated_one_rm(60.0, 8, 2), 80.0));
        assert!(close(60.0 * (1.0 + 10.0 / 30.0), 80.0));
        // 12 reps at RIR 3 is 15: Epley 20 × (1 + 15/30) = 30.
        assert!(close(estimated_one_rm(20.0, 12, 3), 30.0));
        // The inverse: 4 reps at RIR 3 (7 to failure) from 30 kg: 30 × 30/36 = 25.
        assert!(close(weight_for(30.0, 4, 3), 25.0));
        // And above ten: 12 at RIR 3 from 30 kg: 30 / 1.5 = 20.
        assert!(close(weight_for(30.0, 12, 3), 20.0));
    }

    #[test]
    fn weights_round_to_what_the_kit_has() {
        assert!(close(LoadKit::Barbell.nearest(61.4), 62.5));
        assert!(close(LoadKit::Barbell.at_most(62.4), 60.0));
        assert!(close(LoadKit::Dumbbell.nearest(20.9), 20.0));
        assert!(close(LoadKit::Dumbbell.nearest(7.4), 7.0));
        assert!(close(LoadKit::Kettlebell.nearest(18.5), 20.0));
        assert!(close(LoadKit::Kettlebell.at_most(15.9), 12.0));
        assert_eq!(
            LoadKit::of(&[Equipment::Barbell, Equipment::Bench]),
            Some(LoadKit::Barbell)
        );
        assert_eq!(LoadKit::of(&[Equipment::Mat]), None);
    }

    #[test]
    fn the_top_of_the_range_at_the_target_rir_adds_load_and_restarts_the_reps() {
        // 3 × 6 at 80 kg, RIR 2, on a 4–6 @ RIR 2 plan: + 2.5% = 82 → 82.5 kg.
        let next = next_load(&sets(&[6, 6, 6], 80.0, Some(2)), HEAVY, LoadKit::Barbell).unwrap();
        assert_eq!(next.verdict, Verdict::Progress);
        assert!(close(next.load_kg, 82.5), "{next:?}");
        assert_eq!(next.reps, 4);
        // Every set with 4 in reserve (2 beyond the target): + 5% = 84,
        // which on a barbell is 85 kg.
        let next = next_load(&sets(&[6, 6, 6], 80.0, Some(4)), HEAVY, LoadKit::Barbell).unwrap();
        assert!(close(next.load_kg, 85.0), "{next:?}");
        // Light dumbbells: 12 kg + 2.5% = 12.3, which rounds back to 12,
        // so the raise is one step: 14 kg.
        let next = next_load(&sets(&[12, 12], 12.0, None), NOVICE, LoadKit::Dumbbell).unwrap();
        assert_eq!(next.verdict, Verdict::Progress);
        assert!(close(next.load_kg, 14.0), "{next:?}");
        assert_eq!(next.reps, 8);
    }

    #[test]
    fn a_missed_target_holds_or_lowers_the_load() {
        // One set of 3 on a 4–6 plan: 80 × 0.95 = 76 → 75 kg.
        let next = next_load(&sets(&[5, 4, 3], 80.0, Some(0)), HEAVY, LoadKit::Barbell).unwrap();
        assert_eq!(next.verdict, Verdict::Lower);
        assert!(close(next.load_kg, 75.0), "{next:?}");
        // In the range but ground out (RIR 0 against 2): same load, same reps.
        let next = next_load(&sets(&[5, 5, 5], 80.0, Some(0)), HEAVY, LoadKit::Barbell).unwrap();
        assert_eq!(next.verdict, Verdict::Hold);
        assert!(close(next.load_kg, 80.0));
        assert_eq!(next.reps, 5);
        // In the range at the target: same load, one more rep.
        let next = next_load(&sets(&[5, 5, 5], 80.0, Some(2)), HEAVY, LoadKit::Barbell).unwrap();
        assert_eq!((next.verdict, next.reps), (Verdict::Hold, 6));
        assert!(close(next.load_kg, 80.0));
        // Light dumbbell that rounds back up when lowered: 9 kg × 0.95 = 8.55
        // → 9, so it drops one step to 8 kg.
        let next = next_load(&sets(&[6], 9.0, Some(0)), NOVICE, LoadKit::Dumbbell).unwrap();
        assert_eq!(next.verdict, Verdict::Lower);
        assert!(close(next.load_kg, 8.0), "{next:?}");
    }

    #[test]
    fn sets_far_from_the_range_go_through_the_estimate() {
        // 3 × 12 at 20 kg, RIR 3, for a 4–6 @ RIR 3 plan: Epley 20 × 1.5 =
        // 30 kg; 4 reps at RIR 3 is 7 to failure: 30 × 30/36 = 25 → 24 kg.
        let target = RepTarget {
            low: 4,
            high: 6,
            rir: 3,
        };
        let next = next_load(
            &sets(&[12, 12, 12], 20.0, Some(3)),
            target,
            LoadKit::Dumbbell,
        )
        .unwrap();
        assert_eq!(next.verdict, Verdict::FromEstimate);
        assert!(close(next.one_rm_kg, 30.0));
        assert!(close(next.load_kg, 24.0), "{next:?}");
        assert_eq!(next.reps, 4);
    }

    #[test]
    fn only_the_heaviest_sets_count_and_unweighted_sets_none() {
        // A warm-up set at 40 kg is ignored; the working sets at 60 kg
        // reached the top: 60 × 1.025 = 61.5 → 62.5 kg.
        let mut logged = sets(&[8], 40.0, Some(5));
        logged.extend(sets(&[6, 6], 60.0, Some(2)));
        let next = next_load(&logged, HEAVY, LoadKit::Barbell).unwrap();
        assert!(close(next.last_kg, 60.0));
        assert!(close(next.load_kg, 62.5));
        assert!(next_load(&sets(&[10], 0.0, None), HEAVY, LoadKit::Barbell).is_none());
        assert!(next_load(&[], HEAVY, LoadKit::Barbell).is_none());
    }

    #[test]
    fn a_planned_week_adds_a_rep_until_the_top_then_load() {
        assert_eq!(advance(20.0, 9, NOVICE, LoadKit::Dumbbell), (20.0, 10));
        // 20 × 1.025 = 20.5 rounds back to 20: one step up.
        assert_eq!(advance(20.0, 12, NOVICE, LoadKit::Dumbbell), (22.0, 8));
        assert_eq!(advance(100.0, 6, HEAVY, LoadKit::Barbell), (102.5, 4));
    }

    #[test]
    fn the_history_keeps_the_newest_weighted_session_of_each_exercise() {
        let squat = Uuid::from_u128(1);
        let row = Uuid::from_u128(2);
        let lift = |exercise_id, reps, weight_kg: Option<f64>| LoggedSet {
            exercise_id,
            reps: Some(reps),
            hold_s: None,
            weight_kg,
            rir: None,
        };
        let newest = vec![lift(squat, 5, Some(70.0)), lift(row, 10, None)];
        let older = vec![lift(squat, 5, Some(65.0)), lift(row, 10, Some(20.0))];
        let history = LiftHistory::from_sessions([newest.as_slice(), older.as_slice()]);
        assert!(close(history.sets_of(squat).unwrap()[0].weight_kg, 70.0));
        // The newest row session had no weight: the older one counts.
        assert!(close(history.sets_of(row).unwrap()[0].weight_kg, 20.0));
        assert!(history.sets_of(Uuid::from_u128(3)).is_none());
    }
}
