//! The steps of a run session (SPEC "Steps"): what a watch follows. Each
//! step lasts a time or a distance, with an optional target; repeat groups
//! hold plain steps. The FIT workout export reads the same shape.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};

/// A range of whole numbers; `min` ≤ `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    #[schema(maximum = 65535)]
    pub min: u16,
    #[schema(maximum = 65535)]
    pub max: u16,
}

/// What to aim for during a step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepTarget {
    /// Seconds per kilometre; `min` is the faster end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace_s_per_km: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hr_bpm: Option<Range>,
    /// Effort, CR-10 RPE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10)]
    pub rpe: Option<u8>,
}

/// A step that is not a repeat: exactly one of `duration_s` and `distance_m`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 86400)]
    pub duration_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 400000)]
    pub distance_m: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<StepTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    // Borrowed for the engine's own notes: no allocation per step.
    #[schema(value_type = Option<String>, max_length = 200)]
    pub note: Option<Cow<'static, str>>,
}

/// Plain steps repeated `times` times (intervals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepeatGroup {
    #[schema(minimum = 1, maximum = 50)]
    pub times: u8,
    /// Plain steps only: repeat groups do not nest (the schema is
    /// written in `repeat_group`).
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<Step>,
}

/// One step of a run, or a repeat group. The schema is written here: the
/// derive would make each variant `allOf` the segment's closed object and
/// the `kind`, which no step could satisfy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    WarmUp(Segment),
    Work(Segment),
    Recovery(Segment),
    CoolDown(Segment),
    Walk(Segment),
    Repeat(RepeatGroup),
}

/// `object` with a required `kind` of the single value `kind`.
fn with_kind(
    object: &utoipa::openapi::schema::Object,
    kind: &str,
    description: &str,
) -> RefOr<Schema> {
    let mut object = object.clone();
    object.properties.insert(
        "kind".to_owned(),
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some([kind]))
            .into(),
    );
    object.required.insert(0, "kind".to_owned());
    object.description = Some(description.to_owned());
    RefOr::T(Schema::Object(object))
}

/// The five plain steps, each a segment with its `kind`.
fn plain_steps() -> Vec<RefOr<Schema>> {
    let RefOr::T(Schema::Object(segment)) = <Segment as utoipa::PartialSchema>::schema() else {
        unreachable!("a segment is an object");
    };
    vec![
        with_kind(
            &segment,
            "warm_up",
            "Warming up: easy jogging (or walking) first.",
        ),
        with_kind(&segment, "work", "The work of the session at its target."),
        with_kind(
            &segment,
            "recovery",
            "An easy jog or a walk between repetitions.",
        ),
        with_kind(&segment, "cool_down", "Easy jogging or walking to finish."),
        with_kind(&segment, "walk", "Walking (walk/run sessions)."),
    ]
}

fn one_of(items: Vec<RefOr<Schema>>, description: &str) -> RefOr<Schema> {
    let mut one_of = items
        .into_iter()
        .fold(OneOfBuilder::new(), |builder, item| builder.item(item))
        .description(Some(description))
        .build();
    one_of.discriminator = None;
    RefOr::T(Schema::OneOf(one_of))
}

/// A repeat group: `times` and the plain steps (`PlainStep`) it repeats,
/// so that the document says that groups do not nest.
fn repeat_group() -> RefOr<Schema> {
    let RefOr::T(Schema::Object(group)) = <RepeatGroup as utoipa::PartialSchema>::schema() else {
        unreachable!("a repeat group is an object");
    };
    let mut group = group;
    group.properties.insert(
        "steps".to_owned(),
        ArrayBuilder::new()
            .items(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                "PlainStep",
            )))
            .min_items(Some(1))
            .description(Some("Plain steps only: repeat groups do not nest."))
            .into(),
    );
    with_kind(
        &group,
        "repeat",
        "A repeat group: plain steps `times` times.",
    )
}

impl utoipa::PartialSchema for Step {
    fn schema() -> RefOr<Schema> {
        let mut items = plain_steps();
        items.push(repeat_group());
        one_of(
            items,
            "One step of a run, or a repeat group; a plain step has exactly one of `duration_s` and `distance_m`.",
        )
    }
}

impl ToSchema for Step {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "PlainStep".to_owned(),
            one_of(
                plain_steps(),
                "A step that is not a repeat group: exactly one of `duration_s` and `distance_m`.",
            ),
        ));
        schemas.push((
            "StepTarget".to_owned(),
            <StepTarget as utoipa::PartialSchema>::schema(),
        ));
        schemas.push((
            "Range".to_owned(),
            <Range as utoipa::PartialSchema>::schema(),
        ));
    }
}

impl Step {
    /// The segment of a plain step.
    pub fn segment(&self) -> Option<&Segment> {
        match self {
            Step::WarmUp(s)
            | Step::Work(s)
            | Step::Recovery(s)
            | Step::CoolDown(s)
            | Step::Walk(s) => Some(s),
            Step::Repeat(_) => None,
        }
    }

    /// Seconds the step takes; distances are converted at the step's
    /// target pace, else at `fallback_s_per_km`.
    pub fn seconds(&self, fallback_s_per_km: f64) -> f64 {
        match self {
            Step::Repeat(group) => {
                f64::from(group.times)
                    * group
                        .steps
                        .iter()
                        .map(|s| s.seconds(fallback_s_per_km))
                        .sum::<f64>()
            }
            _ => {
                let segment = self.segment().expect("a plain step");
                match (segment.duration_s, segment.distance_m) {
                    (Some(seconds), _) => f64::from(seconds),
                    (None, Some(metres)) => {
                        let pace = segment
                            .target
                            .as_ref()
                            .and_then(|t| t.pace_s_per_km)
                            .map_or(fallback_s_per_km, |p| {
                                0.5 * (f64::from(p.min) + f64::from(p.max))
                            });
                        f64::from(metres) / 1000.0 * pace
                    }
                    (None, None) => 0.0,
                }
            }
        }
    }

    /// Work time at an effort above easy (target RPE over 4), in seconds.
    pub fn hard_seconds(&self, fallback_s_per_km: f64) -> f64 {
        match self {
            Step::Repeat(group) => {
                f64::from(group.times)
                    * group
                        .steps
                        .iter()
                        .map(|s| s.hard_seconds(fallback_s_per_km))
                        .sum::<f64>()
            }
            Step::Work(segment)
                if segment
                    .target
                    .as_ref()
                    .and_then(|t| t.rpe)
                    .is_some_and(|rpe| rpe > 4) =>
            {
                self.seconds(fallback_s_per_km)
            }
            _ => 0.0,
        }
    }

    /// Whether this is walk/run: a repeat group alternating with walks.
    pub fn is_walk_run(&self) -> bool {
        match self {
            Step::Repeat(group) => group.steps.iter().any(|s| matches!(s, Step::Walk(_))),
            _ => false,
        }
    }
}

fn clock(seconds: u32) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m}:{s:02}"),
    }
}

fn pace(seconds_per_km: u16) -> String {
    format!("{}:{:02}", seconds_per_km / 60, seconds_per_km % 60)
}

/// One line for a calendar or a message: "10 min warm-up; 5 × (1000 m
/// work at 4:40–4:52/km, 3:45 recovery); 10 min cool-down".
pub fn describe(steps: &[Step]) -> String {
    let plain = |name: &str, segment: &Segment| {
        let amount = match (segment.duration_s, segment.distance_m) {
            (Some(seconds), _) => clock(seconds),
            (None, Some(metres)) if metres >= 2000 => {
                format!("{:.1} km", f64::from(metres) / 1000.0)
            }
            (None, Some(metres)) => format!("{metres} m"),
            (None, None) => String::new(),
        };
        let target = segment.target.as_ref().map_or(String::new(), |t| {
            let mut parts = Vec::new();
            if let Some(p) = t.pace_s_per_km {
                parts.push(format!("at {}–{}/km", pace(p.min), pace(p.max)));
            }
            if let Some(hr) = t.hr_bpm {
                parts.push(format!("HR {}–{}", hr.min, hr.max));
            }
            if parts.is_empty()
                && let Some(rpe) = t.rpe
            {
                parts.push(format!("RPE {rpe}"));
            }
            if parts.is_empty() {
                String::new()
            } else {
                format!(" {}", parts.join(", "))
            }
        });
        format!("{amount} {name}{target}")
    };
    let one = |step: &Step| match step {
        Step::WarmUp(s) => plain("warm-up", s),
        Step::Work(s) => plain("work", s),
        Step::Recovery(s) => plain("recovery", s),
        Step::CoolDown(s) => plain("cool-down", s),
        Step::Walk(s) => plain("walk", s),
        Step::Repeat(_) => String::new(),
    };
    steps
        .iter()
        .map(|step| match step {
            Step::Repeat(group) => format!(
                "{} × ({})",
                group.times,
                group.steps.iter().map(one).collect::<Vec<_>>().join(", ")
            ),
            other => one(other),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Total seconds of `steps`.
pub fn total_seconds(steps: &[Step], fallback_s_per_km: f64) -> f64 {
    steps.iter().map(|s| s.seconds(fallback_s_per_km)).sum()
}

/// What is wrong with the shape of `steps` (exactly one of duration and
/// distance, positive, repeat groups of plain steps, ranges in order), as
/// (JSON Pointer below the steps, detail) pairs.
pub fn shape_errors(steps: &[Step]) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Repeat(group) => {
                if !(1..=50).contains(&group.times) {
                    errors.push((format!("/{i}/times"), "between 1 and 50".to_owned()));
                }
                if group.steps.is_empty() {
                    errors.push((format!("/{i}/steps"), "at least one step".to_owned()));
                }
                for (j, inner) in group.steps.iter().enumerate() {
                    match inner {
                        Step::Repeat(_) => errors.push((
                            format!("/{i}/steps/{j}"),
                            "repeat groups do not nest".to_owned(),
                        )),
                        _ => segment_errors(
                            inner.segment().expect("plain"),
                            &format!("/{i}/steps/{j}"),
                            &mut errors,
                        ),
                    }
                }
            }
            _ => segment_errors(
                step.segment().expect("plain"),
                &format!("/{i}"),
                &mut errors,
            ),
        }
    }
    errors
}

fn segment_errors(segment: &Segment, at: &str, errors: &mut Vec<(String, String)>) {
    match (segment.duration_s, segment.distance_m) {
        (Some(_), Some(_)) | (None, None) => errors.push((
            at.to_owned(),
            "give exactly one of duration_s and distance_m".to_owned(),
        )),
        (Some(seconds), None) if !(1..=86_400).contains(&seconds) => {
            errors.push((format!("{at}/duration_s"), "between 1 and 86400".to_owned()))
        }
        (None, Some(metres)) if !(1..=400_000).contains(&metres) => errors.push((
            format!("{at}/distance_m"),
            "between 1 and 400000".to_owned(),
        )),
        _ => {}
    }
    if segment
        .note
        .as_ref()
        .is_some_and(|note| note.chars().count() > 200)
    {
        errors.push((format!("{at}/note"), "at most 200 characters".to_owned()));
    }
    if let Some(target) = &segment.target {
        for (name, range) in [
            ("pace_s_per_km", target.pace_s_per_km),
            ("hr_bpm", target.hr_bpm),
        ] {
            if range.is_some_and(|r| r.min > r.max) {
                errors.push((
                    format!("{at}/target/{name}"),
                    "min must not be over max".to_owned(),
                ));
            }
        }
        if target.rpe.is_some_and(|rpe| !(1..=10).contains(&rpe)) {
            errors.push((format!("{at}/target/rpe"), "between 1 and 10".to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn steps_read_and_write_the_spec_shape() {
        let body = json!([
            {"kind": "warm_up", "duration_s": 600, "target": {"rpe": 3}},
            {"kind": "repeat", "times": 5, "steps": [
                {"kind": "work", "distance_m": 1000, "target": {"pace_s_per_km": {"min": 280, "max": 290}, "rpe": 8}},
                {"kind": "recovery", "duration_s": 120}
            ]},
            {"kind": "cool_down", "duration_s": 600, "note": "easy jog, then walk"}
        ]);
        let steps: Vec<Step> = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&steps).unwrap(), body);
        assert!(shape_errors(&steps).is_empty());
        assert_eq!(
            describe(&steps),
            "10 min warm-up RPE 3; 5 × (1000 m work at 4:40–4:50/km, 2 min recovery); 10 min cool-down"
        );
        // 10 min + 5 × (1 km at 4:45 + 2 min) + 10 min.
        assert!((total_seconds(&steps, 360.0) - (1200.0 + 5.0 * (285.0 + 120.0))).abs() < 1e-9);
        assert!((steps[1].hard_seconds(360.0) - 5.0 * 285.0).abs() < 1e-9);
        let unknown = json!([{"kind": "work", "duration_s": 60, "pace": 300}]);
        assert!(serde_json::from_value::<Vec<Step>>(unknown).is_err());
    }

    #[test]
    fn shape_errors_point_at_the_bad_step() {
        let steps: Vec<Step> = serde_json::from_value(json!([
            {"kind": "work", "duration_s": 60, "distance_m": 200},
            {"kind": "repeat", "times": 2, "steps": [
                {"kind": "repeat", "times": 2, "steps": [{"kind": "work", "duration_s": 30}]},
                {"kind": "walk", "target": {"hr_bpm": {"min": 150, "max": 140}}}
            ]}
        ]))
        .unwrap();
        let pointers: Vec<String> = shape_errors(&steps).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/0", "/1/steps/0", "/1/steps/1", "/1/steps/1/target/hr_bpm"]
        );
    }
}
