//! The quality sessions: which workout a week's quality slot holds (by
//! race distance, phase and experience) and its steps, sized to the week.
//! Volumes follow Daniels' limits: threshold work about 10% of the week,
//! intervals about 8%, repetitions about 5%.

use super::pacing::{Effort, StepKind, StepList};
use crate::domain::profile::Race;
use crate::domain::vocabulary::{Experience, InjuryArea, Phase, RaceDistance, SessionKind};

/// What the plan trains for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A plan of weeks, no race.
    General,
    FiveK,
    TenK,
    Half,
    Marathon,
}

impl Event {
    pub fn of(race: Option<&Race>) -> Event {
        let Some(race) = race else {
            return Event::General;
        };
        match race.distance {
            RaceDistance::FiveK => Event::FiveK,
            RaceDistance::TenK => Event::TenK,
            RaceDistance::HalfMarathon => Event::Half,
            RaceDistance::Marathon => Event::Marathon,
            RaceDistance::Custom => match race.km() {
                km if km <= 7.5 => Event::FiveK,
                km if km <= 15.0 => Event::TenK,
                km if km <= 30.0 => Event::Half,
                _ => Event::Marathon,
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Event::General => "general fitness",
            Event::FiveK => "5 km",
            Event::TenK => "10 km",
            Event::Half => "half marathon",
            Event::Marathon => "marathon",
        }
    }
}

/// A quality session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workout {
    Hills,
    Fartlek,
    Progression,
    Tempo,
    Cruise,
    Vo2max,
    Repetition,
    MarathonPace,
    /// Race-week work at race pace.
    Sharpener,
}

/// The workout of quality slot `slot` (0 = the week's first) in a week of
/// `phase`; `week` rotates between the phase's workouts.
pub fn choose(
    event: Event,
    phase: Phase,
    experience: Experience,
    slot: usize,
    week: usize,
) -> Workout {
    use Event::*;
    use Workout::*;
    let alternate = |a: Workout, b: Workout| if week.is_multiple_of(2) { a } else { b };
    let beginner = experience == Experience::Beginner;
    match (phase, slot) {
        (Phase::Base, 0) => match event {
            FiveK | TenK => alternate(Fartlek, Hills),
            Half | Marathon => alternate(Hills, Progression),
            General => [Fartlek, Hills, Progression][week % 3],
        },
        (Phase::Base, _) => match event {
            Half => Fartlek,
            _ => Tempo,
        },
        (Phase::Build, 0) if beginner => match event {
            FiveK | TenK | General => alternate(Fartlek, Tempo),
            Half => alternate(Tempo, Fartlek),
            Marathon => alternate(Tempo, MarathonPace),
        },
        (Phase::Build, 0) => match event {
            FiveK => alternate(Vo2max, Repetition),
            TenK => Vo2max,
            Half | Marathon => alternate(Cruise, Tempo),
            General => alternate(Tempo, Vo2max),
        },
        (Phase::Build, _) => match event {
            FiveK => Cruise,
            TenK => alternate(Cruise, Tempo),
            Half => Vo2max,
            Marathon if experience == Experience::Advanced => alternate(Vo2max, MarathonPace),
            Marathon => Vo2max,
            General => Fartlek,
        },
        (_, 0) if beginner => match event {
            Marathon => MarathonPace,
            _ => Tempo,
        },
        // At peak a half's threshold work comes as cruise intervals (more
        // time at threshold than a continuous tempo, with short jogs:
        // Daniels' peak-phase session), a marathon's as a tempo run.
        (_, 0) => match event {
            FiveK | General => Vo2max,
            TenK | Half => Cruise,
            Marathon => Tempo,
        },
        // The long runs carry marathon pace at peak; midweek, VO2max.
        (_, _) => match event {
            FiveK => Repetition,
            TenK | Half | Marathon => Vo2max,
            General => Tempo,
        },
    }
}

/// Hill repeats (and the jog down) load the knee, the achilles, the
/// plantar fascia and the shins: with one of those injured, surges on the
/// flat instead.
pub fn spare_injuries(workout: Workout, injuries: &[InjuryArea]) -> (Workout, Option<String>) {
    let sore = injuries.iter().find(|area| {
        matches!(
            area,
            InjuryArea::Knee | InjuryArea::Achilles | InjuryArea::PlantarFascia | InjuryArea::Shin
        )
    });
    match (workout, sore) {
        (Workout::Hills, Some(area)) => (
            Workout::Fartlek,
            Some(format!(
                "Surges on the flat instead of hill repeats, which load the {} the athlete is protecting.",
                area.as_str().replace('_', " ")
            )),
        ),
        _ => (workout, None),
    }
}

/// What a workout is sized for.
pub struct Sizing {
    pub experience: Experience,
    pub event: Event,
    pub phase: Phase,
    /// The week's running volume.
    pub week_km: f64,
    /// Minutes the day leaves for the run.
    pub minutes: Option<f64>,
    /// The longest the run may be (the 110% rule).
    pub max_km: f64,
    /// 0 at the first loading week, 1 at the peak: repetitions grow.
    pub progress: f64,
    /// The race distance, for race-pace work.
    pub race_km: f64,
}

/// A built quality session.
pub struct Built<'a> {
    pub steps: StepList<'a>,
    pub kind: SessionKind,
    /// Session RPE (CR-10) of the whole session.
    pub rpe: u8,
    pub title: String,
    pub reason: String,
}

fn warm_up(list: &mut StepList, experience: Experience, short: bool) {
    let minutes = if experience == Experience::Beginner || short {
        10
    } else {
        15
    };
    list.timed(
        StepKind::WarmUp,
        Effort::Jog,
        minutes * 60,
        Some("easy jogging, then the warm-up drills"),
    );
}

fn cool_down(list: &mut StepList, short: bool) {
    list.timed(
        StepKind::CoolDown,
        Effort::Jog,
        if short { 300 } else { 600 },
        Some("easy jogging, then walk a few minutes"),
    );
}

/// Rounds seconds to a multiple of 15.
fn quarter_minutes(seconds: f64) -> u32 {
    ((seconds / 15.0).round() as u32).max(1) * 15
}

/// The steps of `workout` with `reps` repetitions (or minutes of work for
/// continuous runs), and its title.
fn steps_of<'a>(
    list: &mut StepList<'a>,
    workout: Workout,
    reps: u32,
    sizing: &Sizing,
    short_frame: bool,
) -> String {
    let beginner = sizing.experience == Experience::Beginner;
    let pacing = list.pacing();
    warm_up(list, sizing.experience, short_frame);
    let times = reps.clamp(1, 50) as u8;
    let title = match workout {
        Workout::Hills => {
            let seconds = if sizing.experience == Experience::Advanced {
                75
            } else {
                60
            };
            list.repeat(times, |r| {
                r.timed(
                    StepKind::Work,
                    Effort::Hill,
                    seconds,
                    Some("uphill at a strong, controlled effort"),
                );
                r.timed(StepKind::Recovery, Effort::Jog, 120, Some("jog back down"));
            });
            format!("Hill repeats: {reps} × {seconds} s uphill")
        }
        Workout::Fartlek => {
            list.repeat(times, |r| {
                r.timed(
                    StepKind::Work,
                    Effort::Interval,
                    60,
                    Some("surge, relaxed and quick"),
                );
                r.timed(StepKind::Recovery, Effort::Jog, 90, None);
            });
            format!("Fartlek: {reps} × 1 min surges")
        }
        Workout::Progression => {
            let easy = reps * 60;
            list.timed(StepKind::Work, Effort::Easy, easy, None);
            list.timed(
                StepKind::Work,
                Effort::Marathon,
                600,
                Some("steady: marathon effort"),
            );
            list.timed(
                StepKind::Work,
                Effort::Threshold,
                300,
                Some("finish at threshold effort"),
            );
            format!("Progression run: {} min easy to threshold", reps + 15)
        }
        Workout::Tempo => {
            list.timed(
                StepKind::Work,
                Effort::Threshold,
                reps * 60,
                Some("comfortably hard, even pace"),
            );
            format!("Tempo run: {reps} min at threshold")
        }
        Workout::Cruise => {
            let metres = if beginner { 1000 } else { 1600 };
            list.repeat(times, |r| {
                r.over(StepKind::Work, Effort::Threshold, metres, None);
                r.timed(StepKind::Recovery, Effort::Jog, 60, None);
            });
            format!(
                "Cruise intervals: {reps} × {} km at threshold",
                f64::from(metres) / 1000.0
            )
        }
        Workout::Vo2max => {
            let metres = if beginner { 800 } else { 1000 };
            let rest = quarter_minutes(
                0.8 * f64::from(metres) / 1000.0 * pacing.planning_pace(Effort::Interval),
            );
            list.repeat(times, |r| {
                r.over(StepKind::Work, Effort::Interval, metres, None);
                r.timed(StepKind::Recovery, Effort::Jog, rest, Some("jog"));
            });
            format!("Intervals: {reps} × {metres} m at VO2max pace")
        }
        Workout::Repetition => {
            let metres = if beginner { 200 } else { 400 };
            list.repeat(times, |r| {
                r.over(
                    StepKind::Work,
                    Effort::Repetition,
                    metres,
                    Some("fast and relaxed"),
                );
                r.timed(
                    StepKind::Recovery,
                    Effort::Jog,
                    if beginner { 90 } else { 150 },
                    Some("easy jog, full recovery"),
                );
            });
            format!("Repetitions: {reps} × {metres} m at mile pace")
        }
        Workout::MarathonPace => {
            list.over(
                StepKind::Work,
                Effort::Marathon,
                reps * 1000,
                Some("marathon pace: rehearse race rhythm and drinks"),
            );
            format!("Marathon-pace run: {reps} km at marathon pace")
        }
        Workout::Sharpener => {
            let (metres, rest) = match sizing.event {
                Event::Marathon => (1600, 120),
                Event::Half => (1000, 120),
                Event::TenK => (800, 120),
                Event::FiveK => (400, 90),
                Event::General => (400, 90),
            };
            let effort = Effort::Race(sizing.race_km.max(5.0));
            list.repeat(times, |r| {
                r.over(StepKind::Work, effort, metres, Some("race pace"));
                r.timed(StepKind::Recovery, Effort::Jog, rest, None);
            });
            format!("Race-pace sharpener: {reps} × {metres} m at race pace")
        }
    };
    cool_down(list, short_frame);
    title
}

/// Repetitions (or work minutes / km) for the week, before time limits.
fn planned_reps(workout: Workout, sizing: &Sizing) -> u32 {
    let km = sizing.week_km;
    let level = match sizing.experience {
        Experience::Beginner => 0.8,
        Experience::Intermediate => 1.0,
        Experience::Advanced => 1.15,
    };
    let grow = |low: f64, high: f64| (low + (high - low) * sizing.progress.clamp(0.0, 1.0)) * level;
    let by_share = |share: f64, rep_km: f64, low: u32, high: u32| {
        ((share * km / rep_km).round() as u32).clamp(low, high)
    };
    let beginner = sizing.experience == Experience::Beginner;
    match workout {
        Workout::Hills => grow(6.0, 10.0).round() as u32,
        Workout::Fartlek => grow(6.0, 10.0).round() as u32,
        // Minutes of easy running before the faster finish.
        Workout::Progression => ((0.12 * km * 6.0) as u32).clamp(15, 45),
        // Minutes at threshold, about 10% of the week.
        Workout::Tempo => ((0.10 * km * 5.0).round() as u32).clamp(15, 35),
        Workout::Cruise => by_share(0.10, if beginner { 1.0 } else { 1.6 }, 3, 6),
        Workout::Vo2max => by_share(0.08, if beginner { 0.8 } else { 1.0 }, 3, 6),
        Workout::Repetition => by_share(0.05, if beginner { 0.2 } else { 0.4 }, 6, 12),
        Workout::MarathonPace => ((0.12 * km).round() as u32).clamp(5, 14),
        Workout::Sharpener => match sizing.event {
            Event::Marathon | Event::Half => 3,
            Event::TenK => 4,
            _ => 5,
        },
    }
}

/// The fewest repetitions worth doing.
fn fewest_reps(workout: Workout) -> u32 {
    match workout {
        Workout::Tempo => 10,
        Workout::Progression => 10,
        Workout::MarathonPace => 3,
        Workout::Repetition => 4,
        _ => 2,
    }
}

/// Why this workout, in the athlete's words.
fn why(workout: Workout) -> &'static str {
    match workout {
        Workout::Hills => {
            "Hill repeats build strength and power for running with little pounding: base-phase work"
        }
        Workout::Fartlek => {
            "Fartlek brings back faster running in relaxed surges before structured intervals"
        }
        Workout::Progression => {
            "A progression run starts easy and finishes at threshold effort: pace control on tiring legs"
        }
        Workout::Tempo => {
            "A continuous tempo at threshold pace (about the pace held for an hour) raises the lactate threshold, the best single predictor of endurance race times"
        }
        Workout::Cruise => {
            "Cruise intervals put more time at threshold pace than one long tempo, with less strain, thanks to short jogs"
        }
        Workout::Vo2max => {
            "VO2max intervals of 3–5 minutes at about 3–5 km race pace raise aerobic power: the key session for 5 and 10 km"
        }
        Workout::Repetition => {
            "Short repetitions at mile pace with full recoveries build speed and economy without much fatigue"
        }
        Workout::MarathonPace => {
            "Running at marathon pace rehearses the race's rhythm, shoes and drinks"
        }
        Workout::Sharpener => "A little race-pace work keeps the legs sharp while volume falls",
    }
}

fn kind_of(workout: Workout) -> (SessionKind, u8) {
    match workout {
        Workout::Hills | Workout::Vo2max | Workout::Repetition => (SessionKind::IntervalRun, 7),
        Workout::Fartlek => (SessionKind::IntervalRun, 6),
        Workout::Tempo | Workout::Cruise => (SessionKind::TempoRun, 6),
        Workout::Progression | Workout::MarathonPace | Workout::Sharpener => {
            (SessionKind::TempoRun, 5)
        }
    }
}

/// The session for `workout`, as large as the week calls for and no
/// longer than the day's minutes and `max_km` allow; `None` when even the
/// shortest version does not fit.
pub fn build<'a>(
    pacing: &'a super::pacing::Pacing,
    workout: Workout,
    sizing: &Sizing,
) -> Option<Built<'a>> {
    let mut reps = planned_reps(workout, sizing);
    if sizing.phase == Phase::Taper && workout != Workout::Sharpener {
        reps = (reps * 2).div_ceil(3).max(fewest_reps(workout));
    }
    // Short of time, a shorter warm-up and cool-down come before fewer repetitions.
    let mut short_frame = false;
    loop {
        let mut list = StepList::new(pacing);
        let title = steps_of(&mut list, workout, reps, sizing, short_frame);
        let fits = sizing.minutes.is_none_or(|m| list.minutes() <= m) && list.km() <= sizing.max_km;
        if !fits && !short_frame {
            short_frame = true;
            continue;
        }
        if !fits && reps <= fewest_reps(workout) {
            return None;
        }
        if fits {
            let (kind, rpe) = kind_of(workout);
            let phase = match sizing.phase {
                Phase::Taper => "taper",
                Phase::Peak => "peak phase",
                Phase::Build => "build phase",
                _ => "base phase",
            };
            let mut reason = format!("{} ({phase}, {}).", why(workout), sizing.event.name());
            if reps < planned_reps(workout, sizing) && sizing.phase != Phase::Taper {
                reason.push_str(" Shortened to fit the time available.");
            }
            return Some(Built {
                steps: list,
                kind,
                rpe,
                title,
                reason,
            });
        }
        reps -= if reps > 20 { 5 } else { 1 };
    }
}

/// The steps of a combined session of `minutes`: a jog, three rounds of
/// 3 min hard running and the circuit's exercises, a jog to finish.
pub fn hiit_steps(
    pacing: &super::pacing::Pacing,
    minutes: u16,
) -> Vec<crate::domain::plan::steps::Step> {
    use crate::domain::plan::steps::{Segment, Step, StepTarget};
    let mut list = StepList::new(pacing);
    list.timed(
        StepKind::WarmUp,
        Effort::Jog,
        480,
        Some("easy jogging, then the warm-up drills"),
    );
    let rounds = 3u32;
    let circuit_s = (u32::from(minutes) * 60).saturating_sub(480 + 300 + rounds * 180) / rounds;
    list.repeat(rounds as u8, |round| {
        round.timed(StepKind::Work, Effort::Interval, 180, Some("hard running"));
        round.steps.push(Step::Work(Segment {
            duration_s: Some(circuit_s.max(60)),
            distance_m: None,
            target: Some(StepTarget {
                rpe: Some(7),
                ..StepTarget::default()
            }),
            note: Some("the circuit's exercises, one round".into()),
        }));
    });
    list.timed(
        StepKind::CoolDown,
        Effort::Jog,
        300,
        Some("easy jogging, then walk"),
    );
    list.steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::marathon_request;
    use crate::domain::plan::generate::pacing::Pacing;

    #[test]
    fn workouts_vary_with_race_and_phase() {
        let pick =
            |event, phase, slot, week| choose(event, phase, Experience::Intermediate, slot, week);
        assert_eq!(pick(Event::FiveK, Phase::Build, 0, 0), Workout::Vo2max);
        assert_eq!(pick(Event::FiveK, Phase::Build, 0, 1), Workout::Repetition);
        assert_eq!(pick(Event::TenK, Phase::Build, 1, 1), Workout::Tempo);
        assert_eq!(pick(Event::Marathon, Phase::Build, 0, 0), Workout::Cruise);
        assert_eq!(pick(Event::Half, Phase::Base, 0, 0), Workout::Hills);
        assert_eq!(pick(Event::Marathon, Phase::Peak, 1, 0), Workout::Vo2max);
        assert_eq!(pick(Event::Marathon, Phase::Build, 1, 1), Workout::Vo2max);
        let mut seen: Vec<Workout> = Vec::new();
        for event in [
            Event::FiveK,
            Event::TenK,
            Event::Half,
            Event::Marathon,
            Event::General,
        ] {
            for phase in [Phase::Base, Phase::Build, Phase::Peak] {
                for experience in Experience::ALL {
                    for slot in 0..2 {
                        for week in 0..3 {
                            let workout = choose(event, phase, *experience, slot, week);
                            if !seen.contains(&workout) {
                                seen.push(workout);
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(
            seen.len(),
            8,
            "every workout but the sharpener is used: {seen:?}"
        );
    }

    #[test]
    fn intervals_are_repeat_groups_sized_to_the_week_and_the_clock() {
        let pacing = Pacing::new(&marathon_request(), false);
        let mut sizing = Sizing {
            experience: Experience::Intermediate,
            event: Event::TenK,
            phase: Phase::Build,
            week_km: 62.0,
            minutes: None,
            max_km: 30.0,
            progress: 0.5,
            race_km: 10.0,
        };
        let built = build(&pacing, Workout::Vo2max, &sizing).unwrap();
        assert_eq!(built.title, "Intervals: 5 × 1000 m at VO2max pace");
        assert_eq!(built.kind, SessionKind::IntervalRun);
        let crate::domain::plan::steps::Step::Repeat(group) = &built.steps.steps[1] else {
            panic!("intervals are a repeat group: {:?}", built.steps.steps);
        };
        assert_eq!(group.times, 5);
        assert!(matches!(
            built.steps.steps[0],
            crate::domain::plan::steps::Step::WarmUp(_)
        ));
        let long = built.steps.minutes();
        // Ten minutes less: a shorter warm-up and cool-down, the same intervals.
        sizing.minutes = Some(long - 10.0);
        let shorter = build(&pacing, Workout::Vo2max, &sizing).unwrap();
        assert_eq!(shorter.title, built.title);
        assert!(!shorter.reason.contains("Shortened"));
        sizing.minutes = Some(long - 14.0);
        let shorter = build(&pacing, Workout::Vo2max, &sizing).unwrap();
        assert!(shorter.steps.minutes() <= long - 14.0, "{}", shorter.title);
        assert_eq!(shorter.title, "Intervals: 4 × 1000 m at VO2max pace");
        assert!(shorter.reason.contains("Shortened"));
        sizing.minutes = Some(20.0);
        assert!(
            build(&pacing, Workout::Vo2max, &sizing).is_none(),
            "no room for intervals in 20 minutes"
        );
    }
}
