//! The steps of the plan's runs other than quality sessions (easy runs,
//! strides, long and medium-long runs, race-week shakeouts, the race
//! itself) and the planned session a step list becomes. Every run starts
//! with easy jogging and ends with jogging or walking.

use super::pacing::{Effort, Pacing, StepKind, StepList};
use crate::domain::plan::model::{PlannedExercise, PlannedSession, TimeOfDay};
use crate::domain::vocabulary::SessionKind;

pub fn round_down_tenth(km: f64) -> f64 {
    ((km + 1e-9) * 10.0).floor() / 10.0
}

/// What a run session is, before its steps are timed.
pub struct RunSession<'a> {
    pub kind: SessionKind,
    pub title: String,
    pub rpe: u8,
    pub steps: StepList<'a>,
    pub reasons: Vec<String>,
    /// The distance to report when not the steps' (walk/run sessions
    /// report their running only; the race its race distance).
    pub distance_km: Option<f64>,
}

impl RunSession<'_> {
    /// The planned session; its duration and distance are its steps'.
    pub fn planned(
        self,
        warm_up: Vec<PlannedExercise>,
        cool_down: Vec<PlannedExercise>,
    ) -> PlannedSession {
        let distance = self
            .distance_km
            .unwrap_or_else(|| round_down_tenth(self.steps.km()));
        PlannedSession {
            kind: self.kind,
            title: self.title,
            time_of_day: TimeOfDay::Morning,
            duration_min: self.steps.minutes().round().max(1.0) as u16,
            distance_km: Some(distance),
            target_rpe: self.rpe,
            warm_up,
            cool_down,
            exercises: Vec::new(),
            reasons: self.reasons,
            steps: self.steps.steps,
        }
    }
}

/// An easy run of about `km` (never more, within 100 m), starting and
/// ending with a few hundred metres of very easy jogging, with six
/// strides near the end when `strides`.
pub fn easy<'a>(pacing: &'a Pacing, km: f64, strides: bool) -> StepList<'a> {
    let mut list = StepList::new(pacing);
    let tenths = (km * 10.0 + 1e-6).floor() as u32;
    let (warm, cool) = if tenths >= 50 { (10, 5) } else { (5, 3) };
    let strides_km = if strides {
        6.0 * (20.0 / pacing.planning_pace(Effort::Strides)
            + 60.0 / pacing.planning_pace(Effort::Jog))
    } else {
        0.0
    };
    let work = tenths
        .saturating_sub(warm + cool + (strides_km * 10.0).ceil() as u32)
        .max(10);
    list.over(
        StepKind::WarmUp,
        Effort::Jog,
        warm * 100,
        Some("start very easy"),
    );
    list.over(
        StepKind::Work,
        Effort::Easy,
        work * 100,
        Some("conversational"),
    );
    if strides {
        list.repeat(6, |r| {
            r.timed(
                StepKind::Work,
                Effort::Strides,
                20,
                Some("stride: quick and relaxed, not a sprint"),
            );
            r.timed(
                StepKind::Recovery,
                Effort::Jog,
                60,
                Some("walk or jog back"),
            );
        });
    }
    list.over(
        StepKind::CoolDown,
        Effort::Jog,
        cool * 100,
        Some("easy jog"),
    );
    list
}

/// A short race-week run: `minutes` easy, with strides when `strides`.
pub fn shakeout(pacing: &Pacing, minutes: u32, strides: bool) -> StepList<'_> {
    let mut list = StepList::new(pacing);
    list.timed(StepKind::WarmUp, Effort::Jog, 300, Some("start very easy"));
    let strides_s = if strides { 4 * 80 } else { 0 };
    let work = (minutes * 60)
        .saturating_sub(300 + strides_s + 120)
        .max(300);
    list.timed(StepKind::Work, Effort::Easy, work, Some("relaxed"));
    if strides {
        list.repeat(4, |r| {
            r.timed(
                StepKind::Work,
                Effort::Strides,
                20,
                Some("stride: quick and relaxed"),
            );
            r.timed(StepKind::Recovery, Effort::Jog, 60, None);
        });
    }
    list.timed(StepKind::Walk, Effort::Walk, 120, Some("walk to finish"));
    list
}

/// A long run of about `km` (never more): easy, with the last
/// `fast_km` at `fast` pace when given.
pub fn long<'a>(pacing: &'a Pacing, km: f64, fast: Option<(Effort, f64)>) -> StepList<'a> {
    // Whole hundreds of metres, so the run is the distance asked for.
    let tenths = (km * 10.0 + 1e-6).floor() as u32;
    let fast_tenths = fast.map_or(0, |(_, k)| (k * 10.0).round() as u32);
    let (warm, cool) = (15.min(tenths / 4), 5.min(tenths / 8));
    let easy = tenths.saturating_sub(warm + cool + fast_tenths).max(5);
    let mut list = StepList::new(pacing);
    list.over(
        StepKind::WarmUp,
        Effort::Jog,
        warm.max(1) * 100,
        Some("the first kilometres very easy"),
    );
    list.over(
        StepKind::Work,
        Effort::Long,
        easy * 100,
        Some("easy, steady; drink and fuel as on race day"),
    );
    if let Some((effort, _)) = fast {
        let note = if effort == Effort::Marathon {
            "at marathon pace"
        } else {
            "at half-marathon pace"
        };
        list.over(StepKind::Work, effort, fast_tenths * 100, Some(note));
    }
    list.over(
        StepKind::CoolDown,
        Effort::Jog,
        cool.max(1) * 100,
        Some("easy jog, then walk"),
    );
    list
}

/// The race: a warm-up fitting its distance, the race at its pace, a walk.
pub fn race(pacing: &Pacing, race_km: f64) -> StepList<'_> {
    let mut list = StepList::new(pacing);
    let (warm_up, note) = if race_km > 25.0 {
        (300, "walk and jog gently; save the legs")
    } else if race_km > 12.0 {
        (600, "easy jogging and a few strides")
    } else {
        (900, "easy jogging, drills and a few strides")
    };
    list.timed(StepKind::WarmUp, Effort::Jog, warm_up, Some(note));
    list.over(
        StepKind::Work,
        Effort::Race(race_km),
        (race_km * 1000.0).round() as u32,
        Some("even pace: the first kilometre no faster than the target"),
    );
    list.timed(
        StepKind::Walk,
        Effort::Walk,
        600,
        Some("cool down walking: drink, keep warm"),
    );
    list
}

/// `seconds` as h:mm:ss or m:ss.
pub fn clock(seconds: f64) -> String {
    let total = seconds.round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::marathon_request;
    use crate::domain::plan::steps::{Step, total_seconds};

    #[test]
    fn runs_start_with_jogging_and_add_up_to_their_session() {
        let pacing = Pacing::new(&marathon_request(), false);
        for list in [
            easy(&pacing, 9.0, true),
            easy(&pacing, 4.0, false),
            long(&pacing, 26.0, Some((Effort::Marathon, 8.0))),
            shakeout(&pacing, 20, true),
            race(&pacing, 42.195),
        ] {
            assert!(matches!(list.steps[0], Step::WarmUp(_)), "{:?}", list.steps);
            assert!(
                matches!(list.steps.last(), Some(Step::CoolDown(_) | Step::Walk(_))),
                "{:?}",
                list.steps
            );
            let fallback = list.seconds / list.km();
            let counted = total_seconds(&list.steps, fallback);
            assert!(
                (counted - list.seconds).abs() < 0.1 * list.seconds,
                "{counted} vs {}",
                list.seconds
            );
        }
        let run = easy(&pacing, 9.05, false);
        assert!((run.km() - 9.0).abs() < 1e-9, "{}", run.km());
        let long_run = long(&pacing, 26.05, None);
        assert!((long_run.km() - 26.0).abs() < 1e-9, "{}", long_run.km());
        assert_eq!(clock(3.0 * 3600.0 + 65.0), "3:01:05");
    }
}
