//! The fixed vocabularies of SPEC: every enumeration the API speaks.
//!
//! Each vocabulary is declared once with its wire spelling; the macro gives
//! it serde, OpenAPI, parsing from query strings and the list of all values
//! that `/v1/vocabularies` serves and the database CHECK constraints mirror.

use std::fmt;

/// A string that is not a value of the vocabulary it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub vocabulary: &'static str,
    pub value: String,
    pub allowed: &'static [&'static str],
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a known {}; expected one of: {}",
            self.value,
            self.vocabulary,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownValue {}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident ($label:literal) { $($variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        // Written by hand rather than derived: the derive does not see the
        // per-variant renames through this macro and would document the
        // Rust names ("FiveK") instead of the wire names ("5k").
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .enum_values(Some(Self::NAMES.iter().copied()))
                    .description(Some(concat!("A ", $label, ".")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Every value, in the order the vocabulary lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every value's wire spelling, in the same order as `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(value: &str) -> Result<Self, UnknownValue> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        vocabulary: $label,
                        value: value.to_owned(),
                        allowed: Self::NAMES,
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What kind of work an exercise is.
    Category ("category") {
        Core => "core",
        LowerBody => "lower_body",
        UpperBody => "upper_body",
        FullBody => "full_body",
        Plyometric => "plyometric",
        Mobility => "mobility",
        WarmUp => "warm_up",
        CoolDown => "cool_down",
    }
}

vocabulary! {
    /// The basic movement an exercise trains.
    MovementPattern ("movement pattern") {
        Squat => "squat",
        Hinge => "hinge",
        Lunge => "lunge",
        Push => "push",
        Pull => "pull",
        Rotation => "rotation",
        AntiRotation => "anti_rotation",
        AntiExtension => "anti_extension",
        Bridge => "bridge",
        CalfRaise => "calf_raise",
        Jump => "jump",
        Carry => "carry",
        Mobility => "mobility",
    }
}

vocabulary! {
    /// Muscle groups, coarse enough for planning and load reports.
    Muscle ("muscle") {
        Glutes => "glutes",
        Hamstrings => "hamstrings",
        Quadriceps => "quadriceps",
        Calves => "calves",
        HipFlexors => "hip_flexors",
        Adductors => "adductors",
        HipAbductors => "hip_abductors",
        Abs => "abs",
        Obliques => "obliques",
        LowerBack => "lower_back",
        UpperBack => "upper_back",
        Lats => "lats",
        Chest => "chest",
        Shoulders => "shoulders",
        Triceps => "triceps",
        Biceps => "biceps",
        FeetAnkles => "feet_ankles",
    }
}

vocabulary! {
    /// Equipment an exercise needs; `none` means body weight only.
    Equipment ("equipment") {
        None => "none",
        Dumbbell => "dumbbell",
        Kettlebell => "kettlebell",
        MedicineBall => "medicine_ball",
        ResistanceBand => "resistance_band",
        CableMachine => "cable_machine",
        Box => "box",
        Bench => "bench",
        Barbell => "barbell",
        Step => "step",
        StabilityBall => "stability_ball",
        PullUpBar => "pull_up_bar",
        Mat => "mat",
    }
}

vocabulary! {
    /// How much ground impact an exercise puts through the legs.
    Impact ("impact level") {
        Low => "low",
        Moderate => "moderate",
        High => "high",
    }
}

vocabulary! {
    /// Body areas a runner commonly injures.
    InjuryArea ("injury area") {
        Knee => "knee",
        Ankle => "ankle",
        Achilles => "achilles",
        Hip => "hip",
        LowerBack => "lower_back",
        Shoulder => "shoulder",
        Wrist => "wrist",
        PlantarFascia => "plantar_fascia",
        Shin => "shin",
    }
}

vocabulary! {
    /// What an exercise does for a runner.
    Benefit ("benefit") {
        RunningEconomy => "running_economy",
        Power => "power",
        Endurance => "endurance",
        Stability => "stability",
        InjuryPrevention => "injury_prevention",
        Form => "form",
    }
}

vocabulary! {
    /// The athlete's main training goal.
    Goal ("goal") {
        Endurance => "endurance",
        SpeedPower => "speed_power",
        RunningForm => "running_form",
        InjuryPrevention => "injury_prevention",
        GeneralFitness => "general_fitness",
        BodyComposition => "body_composition",
        Strength => "strength",
    }
}

vocabulary! {
    /// Training experience.
    Experience ("experience level") {
        Beginner => "beginner",
        Intermediate => "intermediate",
        Advanced => "advanced",
    }
}

vocabulary! {
    /// Kinds of planned and logged sessions.
    SessionKind ("session kind") {
        EasyRun => "easy_run",
        LongRun => "long_run",
        TempoRun => "tempo_run",
        IntervalRun => "interval_run",
        Strength => "strength",
        HiitCircuit => "hiit_circuit",
        CrossTraining => "cross_training",
        Mobility => "mobility",
        Rest => "rest",
        Race => "race",
    }
}

impl SessionKind {
    /// Running: the run kinds and the race.
    pub fn is_run(self) -> bool {
        matches!(
            self,
            SessionKind::EasyRun
                | SessionKind::LongRun
                | SessionKind::TempoRun
                | SessionKind::IntervalRun
                | SessionKind::Race
        )
    }
}

vocabulary! {
    /// Race distances a plan can target.
    RaceDistance ("race distance") {
        FiveK => "5k",
        TenK => "10k",
        HalfMarathon => "half_marathon",
        Marathon => "marathon",
        Custom => "custom",
    }
}

vocabulary! {
    /// Days of the week, Monday first (ISO 8601).
    Weekday ("weekday") {
        Monday => "monday",
        Tuesday => "tuesday",
        Wednesday => "wednesday",
        Thursday => "thursday",
        Friday => "friday",
        Saturday => "saturday",
        Sunday => "sunday",
    }
}

vocabulary! {
    /// Training phases of a plan's weeks.
    Phase ("phase") {
        Base => "base",
        Build => "build",
        Peak => "peak",
        Taper => "taper",
        Recovery => "recovery",
    }
}

vocabulary! {
    /// What an account may do. Admins are made only by the command line.
    Role ("role") {
        Athlete => "athlete",
        Coach => "coach",
        Admin => "admin",
    }
}

vocabulary! {
    /// What a coach may do with an athlete's data.
    GrantAccess ("access level") {
        Read => "read",
        ReadWrite => "read_write",
    }
}

vocabulary! {
    /// Where a grant stands: made by the athlete and waiting for the
    /// coach (`pending`, which gives nothing), or accepted (`active`).
    GrantStatus ("grant status") {
        Pending => "pending",
        Active => "active",
    }
}

/// Parses a comma-separated list of vocabulary values (`a,b,c`), keeping
/// the first error so a query parameter can point at it. Empty items
/// (`a,,b` or a trailing comma) are refused rather than ignored.
pub fn parse_list<T: std::str::FromStr<Err = UnknownValue>>(
    raw: &str,
) -> Result<Vec<T>, UnknownValue> {
    raw.split(',').map(|item| item.trim().parse()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_parsing_and_serde() {
        for muscle in Muscle::ALL {
            assert_eq!(muscle.as_str().parse::<Muscle>().unwrap(), *muscle);
            let json = serde_json::to_string(muscle).unwrap();
            assert_eq!(json, format!("\"{}\"", muscle.as_str()));
        }
        assert_eq!(Muscle::ALL.len(), Muscle::NAMES.len());
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let error = "elbow".parse::<InjuryArea>().unwrap_err();
        assert_eq!(error.value, "elbow");
        assert!(error.to_string().contains("plantar_fascia"));
    }

    #[test]
    fn lists_refuse_empty_items() {
        assert_eq!(
            parse_list::<Equipment>("dumbbell,box").unwrap(),
            vec![Equipment::Dumbbell, Equipment::Box]
        );
        assert!(parse_list::<Equipment>("dumbbell,").is_err());
        assert!(parse_list::<Equipment>("").is_err());
    }
}
