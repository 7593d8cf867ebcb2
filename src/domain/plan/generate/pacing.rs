//! Paces and heart-rate targets for the steps of a plan's runs. Paces
//! come from the athlete's recent race (Daniels' VDOT); without one, the
//! engine still estimates durations from a typical VDOT for the athlete's
//! experience, but the steps' targets are RPE only (SPEC).

use crate::domain::plan::request::PlanRequest;
use crate::domain::plan::steps::{Range, RepeatGroup, Segment, Step, StepTarget};
use crate::domain::vocabulary::Experience;
use crate::domain::zones::{
    HrZone, PaceRange, TrainingPaces, Zones, ZonesRequest, predicted_time_s, training_paces, zones,
};

/// How hard a step is run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effort {
    Walk,
    /// Warm-up and cool-down jogging, recoveries between repetitions.
    Jog,
    Easy,
    Long,
    Marathon,
    HalfMarathon,
    Threshold,
    Interval,
    Repetition,
    Strides,
    /// Uphill repetitions, run by effort.
    Hill,
    /// A race of this many kilometres.
    Race(f64),
}

impl Effort {
    pub fn rpe(self) -> u8 {
        match self {
            Effort::Walk | Effort::Jog => 2,
            Effort::Easy => 3,
            Effort::Long => 4,
            Effort::Marathon => 5,
            Effort::HalfMarathon => 6,
            Effort::Threshold | Effort::Strides => 7,
            Effort::Interval | Effort::Repetition | Effort::Hill => 8,
            Effort::Race(km) if km > 25.0 => 8,
            Effort::Race(_) => 9,
        }
    }

    /// The zones (first, last; 0-based) of a heart-rate target, in Friel's
    /// seven zones and in Karvonen's five.
    fn zone_span(self, friel: bool) -> (usize, usize) {
        match (self, friel) {
            (Effort::Walk | Effort::Jog, _) => (0, 0),
            (Effort::Easy | Effort::Long, _) => (0, 1),
            (Effort::Marathon, _) => (2, 2),
            (Effort::HalfMarathon, true) => (2, 3),
            (Effort::HalfMarathon, false) => (3, 3),
            (Effort::Threshold, true) => (3, 4),
            (Effort::Threshold, false) => (3, 3),
            (Effort::Interval | Effort::Hill, true) => (5, 5),
            (Effort::Repetition | Effort::Strides, true) => (5, 6),
            (Effort::Interval | Effort::Hill | Effort::Repetition | Effort::Strides, false) => {
                (4, 4)
            }
            (Effort::Race(km), true) if km > 25.0 => (2, 3),
            (Effort::Race(km), true) if km > 12.0 => (3, 4),
            (Effort::Race(km), true) if km > 7.0 => (4, 5),
            (Effort::Race(_), true) => (5, 5),
            (Effort::Race(km), false) if km > 25.0 => (2, 3),
            (Effort::Race(km), false) if km > 12.0 => (3, 3),
            (Effort::Race(_), false) => (4, 4),
        }
    }
}

/// A typical VDOT by experience, for planning durations when the athlete
/// gave no race: easy running near 7:00, 6:00 and 5:15 per km, and near
/// 8:20 for someone starting with walk/run.
fn assumed_vdot(experience: Experience, walk_run: bool) -> f64 {
    match experience {
        _ if walk_run => 28.0,
        Experience::Beginner => 35.0,
        Experience::Intermediate => 42.0,
        Experience::Advanced => 50.0,
    }
}

/// Brisk walking, 10 min/km.
const WALK_S_PER_KM: f64 = 600.0;

/// What the plan's runs are paced by.
#[derive(Debug, Clone)]
pub struct Pacing {
    pub vdot: f64,
    pub paces: TrainingPaces,
    /// Whether the paces come from the athlete's own race (then targets carry them).
    pub known: bool,
    hr_zones: Option<(bool, Vec<HrZone>)>,
    /// What the plan reports as its `zones`.
    pub zones: Option<Zones>,
}

impl Pacing {
    pub fn new(request: &PlanRequest, walk_run: bool) -> Pacing {
        let answer = zones(&ZonesRequest {
            recent_race: request.recent_race.clone(),
            max_hr: request.max_hr,
            resting_hr: request.resting_hr,
            threshold_hr: request.threshold_hr,
        });
        let vdot = answer
            .vdot
            .unwrap_or_else(|| assumed_vdot(request.experience, walk_run));
        let hr_zones = answer.hr_zones.clone().map(|zones| {
            (
                answer.hr_zone_method == Some(crate::domain::zones::HrZoneMethod::Friel),
                zones,
            )
        });
        Pacing {
            vdot,
            paces: answer.paces.unwrap_or_else(|| training_paces(vdot)),
            known: answer.vdot.is_some(),
            hr_zones,
            zones: (!answer.is_empty()).then_some(answer),
        }
    }

    fn range(&self, effort: Effort) -> Option<PaceRange> {
        let p = &self.paces;
        Some(match effort {
            Effort::Walk => return None,
            Effort::Jog | Effort::Easy | Effort::Long => p.easy,
            Effort::Marathon => p.marathon,
            Effort::HalfMarathon => race_range(self.vdot, 21.0975),
            Effort::Threshold => p.threshold,
            Effort::Interval | Effort::Hill => p.interval,
            Effort::Repetition | Effort::Strides => p.repetition,
            Effort::Race(km) => race_range(self.vdot, km),
        })
    }

    /// Seconds per km to plan with: a little on the quick side of the
    /// middle of easy, the middle of the faster ranges.
    pub fn planning_pace(&self, effort: Effort) -> f64 {
        match effort {
            Effort::Walk => WALK_S_PER_KM,
            Effort::Jog => {
                let easy = self.paces.easy;
                f64::from(easy.min_s_per_km)
                    + 0.6 * f64::from(easy.max_s_per_km - easy.min_s_per_km)
            }
            Effort::Easy | Effort::Long => {
                let easy = self.paces.easy;
                f64::from(easy.min_s_per_km)
                    + 0.4 * f64::from(easy.max_s_per_km - easy.min_s_per_km)
            }
            other => self.range(other).map_or(WALK_S_PER_KM, PaceRange::middle),
        }
    }

    /// The target of a step at `effort`: RPE always, the pace range when
    /// the athlete's paces are known (not for walking), and the heart-rate
    /// zones when known.
    pub fn target(&self, effort: Effort) -> StepTarget {
        let pace_s_per_km = if self.known {
            self.range(effort).map(|r| Range {
                min: r.min_s_per_km,
                max: r.max_s_per_km,
            })
        } else {
            None
        };
        let hr_bpm = self.hr_zones.as_ref().map(|(friel, zones)| {
            let (first, last) = effort.zone_span(*friel);
            let last = last.min(zones.len() - 1);
            Range {
                min: zones[first.min(last)].min_bpm,
                max: zones[last].max_bpm,
            }
        });
        StepTarget {
            pace_s_per_km,
            hr_bpm,
            rpe: Some(effort.rpe()),
        }
    }
}

/// A race pace ± 3 s/km.
fn race_range(vdot: f64, km: f64) -> PaceRange {
    let pace = predicted_time_s(vdot, km * 1000.0) / km;
    PaceRange {
        min_s_per_km: (pace - 3.0).round() as u16,
        max_s_per_km: (pace + 3.0).round() as u16,
    }
}

/// The kind of a plain step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    WarmUp,
    Work,
    Recovery,
    CoolDown,
    Walk,
}

impl StepKind {
    fn wrap(self, segment: Segment) -> Step {
        match self {
            StepKind::WarmUp => Step::WarmUp(segment),
            StepKind::Work => Step::Work(segment),
            StepKind::Recovery => Step::Recovery(segment),
            StepKind::CoolDown => Step::CoolDown(segment),
            StepKind::Walk => Step::Walk(segment),
        }
    }
}

/// Builds a run's steps while keeping count of the time and distance
/// they take at the planning paces, so that a session's duration and
/// distance are its steps' (SPEC: they add up).
pub struct StepList<'a> {
    pacing: &'a Pacing,
    pub steps: Vec<Step>,
    pub seconds: f64,
    pub metres: f64,
}

impl<'a> StepList<'a> {
    pub fn new(pacing: &'a Pacing) -> Self {
        StepList {
            pacing,
            steps: Vec::with_capacity(6),
            seconds: 0.0,
            metres: 0.0,
        }
    }

    pub fn pacing(&self) -> &'a Pacing {
        self.pacing
    }

    /// A step of `seconds` at `effort`.
    pub fn timed(
        &mut self,
        kind: StepKind,
        effort: Effort,
        seconds: u32,
        note: Option<&'static str>,
    ) {
        let seconds = seconds.max(1);
        self.seconds += f64::from(seconds);
        self.metres += f64::from(seconds) / self.pacing.planning_pace(effort) * 1000.0;
        self.steps.push(kind.wrap(Segment {
            duration_s: Some(seconds),
            distance_m: None,
            target: Some(self.pacing.target(effort)),
            note: note.map(std::borrow::Cow::Borrowed),
        }));
    }

    /// A step of `metres` at `effort`.
    pub fn over(
        &mut self,
        kind: StepKind,
        effort: Effort,
        metres: u32,
        note: Option<&'static str>,
    ) {
        let metres = metres.max(1);
        self.metres += f64::from(metres);
        self.seconds += f64::from(metres) / 1000.0 * self.pacing.planning_pace(effort);
        self.steps.push(kind.wrap(Segment {
            duration_s: None,
            distance_m: Some(metres),
            target: Some(self.pacing.target(effort)),
            note: note.map(std::borrow::Cow::Borrowed),
        }));
    }

    /// `times` repetitions of the steps `body` adds.
    pub fn repeat(&mut self, times: u8, body: impl FnOnce(&mut StepList<'a>)) {
        let mut inner = StepList::new(self.pacing);
        body(&mut inner);
        self.seconds += f64::from(times) * inner.seconds;
        self.metres += f64::from(times) * inner.metres;
        self.steps.push(Step::Repeat(RepeatGroup {
            times,
            steps: inner.steps,
        }));
    }

    pub fn minutes(&self) -> f64 {
        self.seconds / 60.0
    }

    pub fn km(&self) -> f64 {
        self.metres / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::marathon_request;
    use crate::domain::zones::RecentRace;

    #[test]
    fn targets_carry_paces_only_from_a_known_race_and_zones_when_given() {
        let mut request = marathon_request();
        let estimated = Pacing::new(&request, false);
        assert!(!estimated.known && estimated.zones.is_none());
        let target = estimated.target(Effort::Threshold);
        assert_eq!(
            (target.pace_s_per_km, target.hr_bpm, target.rpe),
            (None, None, Some(7))
        );
        request.recent_race = Some(RecentRace {
            distance_km: 5.0,
            time_s: 1474,
            date: None,
        });
        request.threshold_hr = Some(170);
        let known = Pacing::new(&request, false);
        let target = known.target(Effort::Threshold);
        let pace = target.pace_s_per_km.unwrap();
        assert!((300..=320).contains(&pace.min), "{pace:?}");
        // Friel Z4–Z5a: 95–102% of 170.
        assert_eq!(target.hr_bpm, Some(Range { min: 162, max: 174 }));
        assert!(known.target(Effort::Walk).pace_s_per_km.is_none());
        assert_eq!(known.zones.as_ref().and_then(|z| z.vdot), Some(39.1));
    }
}
