//! Encoded workouts read back with fitparser (its own CRC checks on), step
//! by step. Garmin's FIT SDK reads the same files in `.ci/watch/run`.

use chrono::TimeZone;
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value as FitValue};

use super::*;
use crate::domain::activity::{self, ActivityFormat, ImportError};
use crate::domain::fit_protocol;

fn created() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 6, 0, 0).unwrap()
}

fn segment(duration_s: Option<u32>, distance_m: Option<u32>) -> Segment {
    Segment {
        duration_s,
        distance_m,
        ..Segment::default()
    }
}

fn paced(mut segment: Segment, min: u16, max: u16) -> Segment {
    let target = segment.target.get_or_insert_with(StepTarget::default);
    target.pace_s_per_km = Some(Range { min, max });
    segment
}

/// 10 min warm-up, 5 × (1000 m at 4:00–4:10/km with HR 165–175, 2 min
/// recovery), 10 min cool-down.
fn intervals() -> Workout {
    let mut work = paced(segment(None, Some(1000)), 240, 250);
    work.target.as_mut().unwrap().hr_bpm = Some(Range { min: 165, max: 175 });
    let mut recovery = segment(Some(120), None);
    recovery.target = Some(StepTarget {
        rpe: Some(3),
        ..StepTarget::default()
    });
    recovery.note = Some("easy jog".into());
    Workout {
        name: "5 × 1000 m".to_owned(),
        body: WorkoutBody::Run(vec![
            Step::WarmUp(paced(segment(Some(600), None), 330, 360)),
            Step::Repeat(RepeatGroup {
                times: 5,
                steps: vec![Step::Work(work), Step::Recovery(recovery)],
            }),
            Step::CoolDown(segment(Some(600), None)),
        ]),
    }
}

fn records(bytes: &[u8]) -> Vec<FitDataRecord> {
    fitparser::from_bytes(bytes).expect("fitparser reads it, CRCs included")
}

fn steps(bytes: &[u8]) -> Vec<FitDataRecord> {
    records(bytes)
        .into_iter()
        .filter(|r| r.kind() == MesgNum::WorkoutStep)
        .collect()
}

fn field<'a>(record: &'a FitDataRecord, name: &str) -> Option<&'a FitValue> {
    record
        .fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

fn text(record: &FitDataRecord, name: &str) -> String {
    match field(record, name) {
        Some(FitValue::String(s)) => s.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn number(record: &FitDataRecord, name: &str) -> f64 {
    match field(record, name) {
        Some(FitValue::Float64(v)) => *v,
        Some(FitValue::UInt32(v)) => f64::from(*v),
        Some(FitValue::UInt16(v)) => f64::from(*v),
        Some(FitValue::SInt64(v)) => *v as f64,
        other => panic!("{name}: {other:?}"),
    }
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-9, "{got} is not {want}");
}

#[test]
fn an_interval_session_reads_back_step_by_step() {
    let bytes = encode(&intervals(), created()).unwrap();
    let header = fit_protocol::read_header(&bytes).unwrap();
    assert_eq!(header.file_len(), bytes.len());
    assert_eq!(fit_protocol::crc16(0, &bytes), 0, "the CRC covers the file");

    let all = records(&bytes);
    assert_eq!(text(&all[0], "type"), "workout");
    let workout = all.iter().find(|r| r.kind() == MesgNum::Workout).unwrap();
    assert_eq!(text(workout, "wkt_name"), "5 × 1000 m");
    assert_eq!(text(workout, "sport"), "running");
    assert_eq!(number(workout, "num_valid_steps"), 5.0);

    let steps = steps(&bytes);
    let kinds: Vec<String> = steps.iter().map(|s| text(s, "duration_type")).collect();
    assert_eq!(
        kinds,
        [
            "time",
            "distance",
            "time",
            "repeat_until_steps_cmplt",
            "time"
        ]
    );
    // Warm-up: 600 s at 5:30–6:00/km = 2.778–3.030 m/s.
    assert_eq!(number(&steps[0], "duration_time"), 600.0);
    assert_eq!(text(&steps[0], "target_type"), "speed");
    close(number(&steps[0], "custom_target_speed_low"), 2.778);
    close(number(&steps[0], "custom_target_speed_high"), 3.030);
    assert_eq!(text(&steps[0], "intensity"), "warmup");
    // Work: 1000 m at 4:00–4:10/km (4.0–4.167 m/s), HR 165–175 secondary.
    assert_eq!(number(&steps[1], "duration_distance"), 1000.0);
    close(number(&steps[1], "custom_target_speed_low"), 4.0);
    close(number(&steps[1], "custom_target_speed_high"), 4.167);
    assert_eq!(text(&steps[1], "intensity"), "active");
    // Recovery: RPE and note in the notes, open target.
    assert_eq!(text(&steps[2], "target_type"), "open");
    assert_eq!(text(&steps[2], "notes"), "RPE 3 · easy jog");
    assert_eq!(text(&steps[2], "intensity"), "recovery");
    // The repeat goes back to step 1, five times.
    assert_eq!(number(&steps[3], "duration_step"), 1.0);
    assert_eq!(number(&steps[3], "repeat_steps"), 5.0);
    assert_eq!(text(&steps[4], "intensity"), "cooldown");
    // And it is no activity.
    let error = activity::parse(ActivityFormat::Fit, &bytes).unwrap_err();
    assert!(matches!(error, ImportError::NoActivity(_)), "{error}");
}

#[test]
fn heart_rate_targets_carry_fits_bpm_offset() {
    let bytes = encode(&intervals(), created()).unwrap();
    let work = &steps(&bytes)[1];
    // Secondary target: heart rate, custom 165–175 bpm written as +100.
    assert_eq!(text(work, "secondary_target_type"), "heart_rate");
    assert_eq!(
        number(work, "secondary_custom_target_heart_rate_low"),
        265.0
    );
    assert_eq!(
        number(work, "secondary_custom_target_heart_rate_high"),
        275.0
    );
    // A step with only a heart-rate range has it as its main target.
    let mut easy = segment(Some(1800), None);
    easy.target = Some(StepTarget {
        hr_bpm: Some(Range { min: 130, max: 145 }),
        ..StepTarget::default()
    });
    let workout = Workout {
        name: "Easy".to_owned(),
        body: WorkoutBody::Run(vec![Step::Work(easy)]),
    };
    let only = &steps(&encode(&workout, created()).unwrap())[0];
    assert_eq!(text(only, "target_type"), "heart_rate");
    assert_eq!(number(only, "custom_target_heart_rate_low"), 230.0);
    assert_eq!(number(only, "custom_target_heart_rate_high"), 245.0);
    assert!(
        field(only, "secondary_target_type").is_none(),
        "no secondary target"
    );
}

#[test]
fn a_strength_session_has_each_exercise_with_its_rest_and_sets() {
    let workout = Workout {
        name: "Strength A".to_owned(),
        body: WorkoutBody::Strength(vec![
            Exercise {
                name: "Goblet squat".to_owned(),
                sets: 3,
                reps: Some(10),
                hold_s: None,
                rest_s: 90,
                note: None,
            },
            Exercise {
                name: "Side plank".to_owned(),
                sets: 1,
                reps: None,
                hold_s: Some(30),
                rest_s: 0,
                note: Some("each side".to_owned()),
            },
        ]),
    };
    let bytes = encode(&workout, created()).unwrap();
    let all = records(&bytes);
    let header = all.iter().find(|r| r.kind() == MesgNum::Workout).unwrap();
    assert_eq!(text(header, "sport"), "training");
    assert_eq!(text(header, "sub_sport"), "strength_training");
    let steps = steps(&bytes);
    assert_eq!(steps.len(), 4);
    assert_eq!(text(&steps[0], "wkt_step_name"), "Goblet squat");
    assert_eq!(text(&steps[0], "duration_type"), "reps");
    assert_eq!(number(&steps[0], "duration_reps"), 10.0);
    assert_eq!(text(&steps[0], "notes"), "3 × 10 reps · 90 s rest");
    assert_eq!(text(&steps[1], "intensity"), "rest");
    assert_eq!(number(&steps[1], "duration_time"), 90.0);
    assert_eq!(number(&steps[2], "duration_step"), 0.0);
    assert_eq!(number(&steps[2], "repeat_steps"), 3.0);
    assert_eq!(text(&steps[3], "wkt_step_name"), "Side plank");
    assert_eq!(number(&steps[3], "duration_time"), 30.0);
    assert_eq!(text(&steps[3], "notes"), "1 × 30 s hold · each side");
}

#[test]
fn long_texts_are_cut_at_a_character_boundary() {
    let mut step = segment(Some(60), None);
    step.note = Some("é".repeat(150).into());
    let workout = Workout {
        name: "ü".repeat(40),
        body: WorkoutBody::Run(vec![Step::Work(step)]),
    };
    let bytes = encode(&workout, created()).unwrap();
    let all = records(&bytes);
    let header = all.iter().find(|r| r.kind() == MesgNum::Workout).unwrap();
    assert_eq!(text(header, "wkt_name"), "ü".repeat(25));
    assert_eq!(text(&steps(&bytes)[0], "notes"), "é".repeat(100));
}

#[test]
fn the_same_workout_gives_the_same_bytes() {
    assert_eq!(
        encode(&intervals(), created()).unwrap(),
        encode(&intervals(), created()).unwrap()
    );
}

#[test]
fn steps_that_cannot_be_followed_are_refused() {
    let run = |steps: Vec<Step>| {
        encode(
            &Workout {
                name: "x".to_owned(),
                body: WorkoutBody::Run(steps),
            },
            created(),
        )
    };
    assert_eq!(run(vec![]), Err(WorkoutError::NoSteps));
    let both = run(vec![Step::Work(segment(Some(60), Some(200)))]).unwrap_err();
    assert!(
        both.to_string().contains("step 1: a step has exactly one"),
        "{both}"
    );
    let neither = run(vec![Step::Work(segment(None, None))]).unwrap_err();
    assert!(matches!(neither, WorkoutError::InvalidStep { step: 1, .. }));
    let backwards = run(vec![
        Step::WarmUp(segment(Some(60), None)),
        Step::Work(paced(segment(Some(60), None), 300, 240)),
    ])
    .unwrap_err();
    assert!(
        backwards.to_string().starts_with("step 2: pace_s_per_km"),
        "{backwards}"
    );
    let zero_pace = run(vec![Step::Work(paced(segment(Some(60), None), 0, 240))]);
    assert!(zero_pace.is_err());
    let nested = run(vec![Step::Repeat(RepeatGroup {
        times: 2,
        steps: vec![Step::Repeat(RepeatGroup {
            times: 2,
            steps: vec![Step::Work(segment(Some(60), None))],
        })],
    })])
    .unwrap_err();
    assert_eq!(
        nested,
        WorkoutError::InvalidStep {
            step: 2,
            reason: "repeat groups do not nest".to_owned()
        }
    );
    let empty = run(vec![Step::Repeat(RepeatGroup {
        times: 2,
        steps: vec![],
    })]);
    assert!(empty.is_err());
    let many = run(vec![
        Step::Work(segment(Some(60), None));
        limits::MAX_STEPS + 1
    ]);
    assert_eq!(many, Err(WorkoutError::TooManySteps));
    let strength = |exercise: Exercise| {
        encode(
            &Workout {
                name: "s".to_owned(),
                body: WorkoutBody::Strength(vec![exercise]),
            },
            created(),
        )
    };
    let both = Exercise {
        name: "Plank".to_owned(),
        sets: 2,
        reps: Some(5),
        hold_s: Some(30),
        rest_s: 30,
        note: None,
    };
    assert!(strength(both.clone()).is_err());
    assert!(
        strength(Exercise {
            sets: 0,
            reps: None,
            ..both.clone()
        })
        .is_err()
    );
    assert!(
        strength(Exercise {
            name: " ".to_owned(),
            reps: None,
            ..both
        })
        .is_err()
    );
}

#[test]
fn steps_deserialize_from_spec_json() {
    let steps: Vec<Step> = serde_json::from_str(
        r#"[{"kind": "warm_up", "duration_s": 600, "target": {"rpe": 3}},
            {"kind": "repeat", "times": 4, "steps": [
                {"kind": "work", "distance_m": 400, "target": {"pace_s_per_km": {"min": 230, "max": 240}}},
                {"kind": "walk", "duration_s": 90, "note": "walk it off"}]},
            {"kind": "cool_down", "duration_s": 300}]"#,
    )
    .unwrap();
    assert_eq!(steps.len(), 3);
    let Step::Repeat(group) = &steps[1] else {
        panic!("{:?}", steps[1]);
    };
    assert_eq!(group.times, 4);
    assert_eq!(
        group.steps[1],
        Step::Walk(Segment {
            duration_s: Some(90),
            note: Some("walk it off".into()),
            ..Segment::default()
        })
    );
    let unknown = serde_json::from_str::<Vec<Step>>(r#"[{"kind": "sprint", "duration_s": 10}]"#);
    assert!(unknown.is_err());
}

#[test]
fn file_names_are_plain_ascii() {
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    assert_eq!(file_name(date, "Long run"), "2026-03-01-long-run.fit");
    assert_eq!(
        file_name(date, "5 × 1000 m @ 10K pace!"),
        "2026-03-01-5-1000-m-10k-pace.fit"
    );
    assert_eq!(file_name(date, "Üben"), "2026-03-01-ben.fit");
    assert_eq!(file_name(date, "—"), "2026-03-01-workout.fit");
}

mod planned_sessions {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::plan::fixtures::seed_catalog;
    use crate::domain::plan::generate::generate;
    use crate::domain::plan::model::PlannedSession;
    use crate::domain::plan::tests::request_strategy;
    use crate::domain::vocabulary::SessionKind;

    fn name_of(exercise: &crate::domain::plan::model::PlannedExercise) -> String {
        format!("name of {}", exercise.exercise_slug)
    }

    fn session(kind: SessionKind) -> PlannedSession {
        serde_json::from_value(serde_json::json!({
            "kind": kind,
            "title": "Easy run",
            "time_of_day": "morning",
            "duration_min": 40,
            "target_rpe": 3,
        }))
        .unwrap()
    }

    #[test]
    fn a_run_without_steps_is_one_step_of_its_distance_or_minutes() {
        let mut run = session(SessionKind::EasyRun);
        let Some(Workout {
            name,
            body: WorkoutBody::Run(steps),
        }) = workout_for(&run, name_of)
        else {
            panic!("a run has a workout");
        };
        assert_eq!(name, "Easy run");
        assert_eq!(steps.len(), 1);
        let Step::Work(only) = &steps[0] else {
            panic!("{steps:?}")
        };
        assert_eq!((only.duration_s, only.distance_m), (Some(2400), None));
        assert_eq!(only.target.as_ref().unwrap().rpe, Some(3));
        run.distance_km = Some(8.25);
        let workout = workout_for(&run, name_of).unwrap();
        let WorkoutBody::Run(steps) = workout.body else {
            panic!()
        };
        assert_eq!(steps[0].segment().unwrap().distance_m, Some(8250));
        assert_eq!(steps[0].segment().unwrap().duration_s, None);
    }

    #[test]
    fn a_strength_session_is_its_warm_up_exercises_and_cool_down_by_name() {
        let mut strength = session(SessionKind::Strength);
        let planned = |slug: &str| -> crate::domain::plan::model::PlannedExercise {
            serde_json::from_value(serde_json::json!({
                "exercise_slug": slug, "sets": 3, "reps": 8, "rest_s": 90,
                "target_rir": 2, "load_kg": 22.5, "tempo": "3-1-1-0",
            }))
            .unwrap()
        };
        strength.warm_up = vec![planned("leg-swing")];
        strength.exercises = vec![planned("goblet-squat"), planned("calf-raise")];
        strength.cool_down = vec![planned("hip-flexor-stretch")];
        let workout = workout_for(&strength, name_of).unwrap();
        let WorkoutBody::Strength(exercises) = &workout.body else {
            panic!()
        };
        let names: Vec<&str> = exercises.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "name of leg-swing",
                "name of goblet-squat",
                "name of calf-raise",
                "name of hip-flexor-stretch"
            ]
        );
        assert_eq!(
            exercises[1].note.as_deref(),
            Some("22.5 kg · 2 in reserve · tempo 3-1-1-0")
        );
        let bytes = encode(&workout, created()).unwrap();
        // Per exercise: the step, its rest and the repeat for the sets.
        assert_eq!(super::steps(&bytes).len(), 12);
    }

    #[test]
    fn rest_and_sessions_with_nothing_to_follow_have_no_workout() {
        assert_eq!(workout_for(&session(SessionKind::Rest), name_of), None);
        assert_eq!(
            workout_for(&session(SessionKind::CrossTraining), name_of),
            None
        );
        assert_eq!(workout_for(&session(SessionKind::Mobility), name_of), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 60,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6669_7421),
            ..ProptestConfig::default()
        })]

        /// Every session of every generated plan that a watch could follow
        /// encodes, and the file reads back with its CRCs and one workout
        /// step at least per planned step.
        #[test]
        fn every_generated_session_encodes(request in request_strategy()) {
            let catalog = seed_catalog();
            let Ok(plan) = generate(&request, &catalog) else { return Ok(()) };
            for day in plan.days() {
                for session in &day.sessions {
                    let Some(workout) = workout_for(session, name_of) else {
                        prop_assert!(matches!(session.kind, SessionKind::Rest | SessionKind::CrossTraining),
                            "{:?} has no workout", session.kind);
                        continue;
                    };
                    let bytes = encode(&workout, created())
                        .map_err(|e| TestCaseError::fail(format!("{}: {e}", session.title)))?;
                    let planned_steps = match &workout.body {
                        WorkoutBody::Run(steps) => steps.len(),
                        WorkoutBody::Strength(exercises) => exercises.len(),
                    };
                    prop_assert!(super::steps(&bytes).len() >= planned_steps);
                }
            }
        }
    }
}
