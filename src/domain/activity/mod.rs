//! Activity files from a watch, read into one [`Activity`]: FIT (Garmin's
//! binary format, `fit`), GPX 1.1 (`gpx`) and Garmin TCX,
//! TrainingCenterDatabase v2 (`tcx`).
//!
//! [`parse`] takes the raw bytes and answers an [`Activity`] or an
//! [`ImportError`] whose message says what is wrong with the file (fit for
//! a 422 `detail`). It never panics on any input and never holds much more
//! than the input: the numbers of messages, points, laps and samples, the
//! XML nesting and the span of the recording are bounded ([`limits`]).
//!
//! What a file does not state is computed from its track (the track module):
//! distance from the positions (haversine), moving time without the pauses,
//! elevation gain above a noise threshold, heart rate from the samples.

mod fit;
mod gpx;
mod tcx;
mod track;
mod xml;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use super::vocabulary::SessionKind;

/// The file formats [`parse`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityFormat {
    Fit,
    Gpx,
    Tcx,
}

impl ActivityFormat {
    /// The format of a request body by its media type
    /// (`application/vnd.ant.fit`, `application/gpx+xml`,
    /// `application/vnd.garmin.tcx+xml`); parameters such as `charset` are
    /// ignored. None for any other type.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "application/vnd.ant.fit" => Some(Self::Fit),
            "application/gpx+xml" => Some(Self::Gpx),
            "application/vnd.garmin.tcx+xml" => Some(Self::Tcx),
            _ => None,
        }
    }

    /// `fit`, `gpx` or `tcx`: the name in a session's `source.format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fit => "fit",
            Self::Gpx => "gpx",
            Self::Tcx => "tcx",
        }
    }
}

/// The sport a file says it records, reduced to what chooses a session kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sport {
    /// Running of any kind: road, trail, track, treadmill.
    Running,
    /// Walking and hiking.
    Walking,
    Cycling,
    Swimming,
    /// Strength training.
    Strength,
    /// Yoga, pilates, flexibility and mobility work.
    Mobility,
    /// High-intensity interval training.
    Hiit,
    /// A sport the file names that is none of the above.
    Other,
    /// The file does not say (a GPX without `<type>`, FIT sport "generic").
    Unspecified,
}

impl Sport {
    /// The session kind an import takes when the request names none: runs
    /// (and files that do not say, since runners upload runs) are easy
    /// runs; other endurance sports are cross training.
    pub fn default_session_kind(self) -> SessionKind {
        match self {
            Self::Running | Self::Unspecified => SessionKind::EasyRun,
            Self::Strength => SessionKind::Strength,
            Self::Mobility => SessionKind::Mobility,
            Self::Hiit => SessionKind::HiitCircuit,
            Self::Walking | Self::Cycling | Self::Swimming | Self::Other => {
                SessionKind::CrossTraining
            }
        }
    }
}

/// One heart-rate reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartRateSample {
    /// Milliseconds after the activity's `started_at`.
    pub offset_ms: u32,
    pub bpm: u16,
}

/// A lap as the device split it (FIT lap messages, TCX `<Lap>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Lap {
    pub started_at: DateTime<Utc>,
    /// Timer time of the lap, pauses excluded.
    pub duration_s: f64,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<u16>,
}

/// What an activity file records, whatever its format.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub format: ActivityFormat,
    pub sport: Sport,
    pub started_at: DateTime<Utc>,
    /// Timer time (FIT, TCX: the device's own total, pauses excluded) or
    /// moving time computed from the track (GPX): what `duration_min` logs.
    /// Always above zero.
    pub duration_s: f64,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<u16>,
    pub max_hr: Option<u16>,
    pub elevation_gain_m: Option<f64>,
    /// In the order of the file; empty when the format has none (GPX).
    pub laps: Vec<Lap>,
    /// In time order, for TRIMP; empty without a heart-rate sensor.
    pub heart_rate: Vec<HeartRateSample>,
}

/// Why a file could not be read. The message names the problem in words
/// an athlete can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The bytes are not the announced format at all.
    #[error("not a {format} file: {reason}")]
    BadHeader {
        format: &'static str,
        reason: String,
    },
    /// A FIT checksum does not match: the file was damaged in transfer.
    #[error(
        "the FIT file is damaged: its {part} CRC is {stored:#06x} but its content gives {computed:#06x}"
    )]
    CrcMismatch {
        part: &'static str,
        stored: u16,
        computed: u16,
    },
    /// The file ends before its own structure does.
    #[error("the file is truncated: {0}")]
    Truncated(String),
    /// FIT data that does not decode.
    #[error("the FIT data cannot be decoded: {0}")]
    MalformedFit(String),
    /// XML that is not well formed.
    #[error("the XML is malformed: {0}")]
    MalformedXml(String),
    /// A well-formed file that records no activity (a workout, a course,
    /// a file without timestamps or without moving time).
    #[error("the file holds no activity: {0}")]
    NoActivity(String),
    /// A TCX with more than one `<Activity>`: one import logs one session.
    #[error("the file holds several activities: export and import them one at a time")]
    SeveralActivities,
    /// A GPX with waypoints or routes but no recorded track.
    #[error("the GPX file has no track: {0}")]
    NoTrack(String),
    /// A value no real activity has (a latitude of 400, a 3-day run, an
    /// average of 300 bpm).
    #[error("the file holds an implausible value: {0}")]
    Implausible(String),
    /// More records, points, laps or nesting than any real activity has.
    #[error("the file is too large to import: {0}")]
    TooLarge(String),
}

impl ImportError {
    /// A stable machine-readable name for the kind of problem (for a
    /// problem+json `code`, or a metrics label).
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadHeader { .. } => "bad_header",
            Self::CrcMismatch { .. } => "crc_mismatch",
            Self::Truncated(_) => "truncated",
            Self::MalformedFit(_) => "malformed_fit",
            Self::MalformedXml(_) => "malformed_xml",
            Self::NoActivity(_) => "no_activity",
            Self::SeveralActivities => "several_activities",
            Self::NoTrack(_) => "no_track",
            Self::Implausible(_) => "implausible_value",
            Self::TooLarge(_) => "too_large",
        }
    }
}

/// Reads an activity file of the given format.
pub fn parse(format: ActivityFormat, bytes: &[u8]) -> Result<Activity, ImportError> {
    match format {
        ActivityFormat::Fit => fit::parse(bytes),
        ActivityFormat::Gpx => gpx::parse(bytes),
        ActivityFormat::Tcx => tcx::parse(bytes),
    }
}

/// The bounds every parser keeps, and what a plausible activity is. The
/// duration, distance, heart-rate and elevation bounds are those of a
/// logged session, so anything parsed can be logged.
pub mod limits {
    /// FIT messages (definitions and data) in one file: a day of 1 s
    /// records is under 100,000.
    pub const MAX_FIT_MESSAGES: usize = 1_000_000;
    /// FIT developer-field descriptions in one file.
    pub const MAX_FIT_FIELD_DESCRIPTIONS: usize = 256;
    /// Track points (FIT records, GPX `trkpt`, TCX `Trackpoint`): two per
    /// second for 24 hours.
    pub const MAX_POINTS: usize = 172_800;
    pub const MAX_LAPS: usize = 1_000;
    /// XML elements in one file, and how deep they may nest.
    pub const MAX_XML_ELEMENTS: usize = 4_000_000;
    pub const MAX_XML_DEPTH: usize = 32;
    /// Timer or moving time: a session lasts at most a day.
    pub const MAX_DURATION_S: f64 = 86_400.0;
    /// From the first to the last timestamp, pauses included.
    pub const MAX_SPAN_S: f64 = 2.0 * 86_400.0;
    pub const MAX_DISTANCE_M: f64 = 400_000.0;
    pub const MAX_ELEVATION_GAIN_M: f64 = 10_000.0;
    /// Average speed over the whole activity: 108 km/h, beyond any
    /// self-propelled sport (a car trip or a corrupt file).
    pub const MAX_AVERAGE_SPEED_M_S: f64 = 30.0;
    /// Heart rates a person has; a reading outside is a sensor glitch and
    /// dropped, a summary outside makes the file implausible.
    pub const HEART_RATE_BPM: std::ops::RangeInclusive<u16> = 25..=250;
    /// Altitudes on Earth's surface; a reading outside is dropped.
    pub const ALTITUDE_M: std::ops::RangeInclusive<f64> = -1_000.0..=10_000.0;
    /// Timestamps from 2000 to 2099. Earlier ones are an unset clock or,
    /// in FIT, a device's relative time (values under 0x10000000 count
    /// seconds since power-on and decode to dates before mid-1998).
    pub const FIRST_YEAR: i32 = 2000;
    pub const LAST_YEAR: i32 = 2099;
}

/// A heart-rate summary value from a file: zero means "none" (devices
/// without a sensor write it); anything else outside a human range makes
/// the file implausible.
fn summary_heart_rate(what: &str, bpm: Option<u16>) -> Result<Option<u16>, ImportError> {
    match bpm {
        None | Some(0) => Ok(None),
        Some(bpm) if limits::HEART_RATE_BPM.contains(&bpm) => Ok(Some(bpm)),
        Some(bpm) => Err(ImportError::Implausible(format!(
            "{what} of {bpm} bpm (a person's heart rate is between {} and {})",
            limits::HEART_RATE_BPM.start(),
            limits::HEART_RATE_BPM.end()
        ))),
    }
}

/// The sport a GPX `<type>` or a TCX `Sport` names, by the words apps use
/// ("running", "Run", "trail_running", "Biking", "hiking", …). A bare
/// number (old Strava codes) says nothing reliable.
fn sport_named(name: &str) -> Sport {
    let name = name.trim().to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| name.contains(word));
    if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
        Sport::Unspecified
    } else if has(&["run", "jog"]) {
        Sport::Running
    } else if has(&["walk", "hik"]) {
        Sport::Walking
    } else if has(&["bik", "cycl", "ride"]) {
        Sport::Cycling
    } else if has(&["swim"]) {
        Sport::Swimming
    } else if has(&["strength", "weight"]) {
        Sport::Strength
    } else if has(&["yoga", "pilates", "mobility", "flexibility", "stretch"]) {
        Sport::Mobility
    } else if has(&["hiit"]) {
        Sport::Hiit
    } else {
        Sport::Other
    }
}

/// Average (time-weighted, as TRIMP weighs the samples) and maximum heart
/// rate of the samples.
fn heart_rate_summary(samples: &[HeartRateSample]) -> (Option<u16>, Option<u16>) {
    let max = samples.iter().map(|sample| sample.bpm).max();
    let (weighted, seconds) = super::trimp::sample_durations(samples)
        .fold((0.0, 0.0), |(weighted, total), (bpm, seconds)| {
            (weighted + f64::from(bpm) * seconds, total + seconds)
        });
    let avg = if seconds > 0.0 {
        Some((weighted / seconds).round() as u16)
    } else {
        max
    };
    (avg, max)
}

/// A timestamp inside the years any real recording has.
fn plausible_time(what: &str, time: DateTime<Utc>) -> Result<DateTime<Utc>, ImportError> {
    use chrono::Datelike;
    if (limits::FIRST_YEAR..=limits::LAST_YEAR).contains(&time.year()) {
        Ok(time)
    } else {
        Err(ImportError::Implausible(format!(
            "{what} is {}, outside the years {} to {}",
            time.to_rfc3339(),
            limits::FIRST_YEAR,
            limits::LAST_YEAR
        )))
    }
}

/// The checks every format's result passes before it is answered: a
/// duration above zero and within a day, and distance, elevation and speed
/// a real activity can have.
fn checked(activity: Activity) -> Result<Activity, ImportError> {
    let duration = activity.duration_s;
    if !duration.is_finite() || duration <= 0.0 {
        return Err(ImportError::NoActivity(
            "it records no moving or timer time".to_owned(),
        ));
    }
    if duration > limits::MAX_DURATION_S {
        return Err(ImportError::Implausible(format!(
            "a duration of {:.1} h (a session lasts at most 24 h)",
            duration / 3600.0
        )));
    }
    if let Some(distance) = activity.distance_m {
        if !distance.is_finite() || !(0.0..=limits::MAX_DISTANCE_M).contains(&distance) {
            return Err(ImportError::Implausible(format!(
                "a distance of {:.1} km (at most {} km)",
                distance / 1000.0,
                limits::MAX_DISTANCE_M / 1000.0
            )));
        }
        let speed = distance / duration;
        if speed > limits::MAX_AVERAGE_SPEED_M_S {
            return Err(ImportError::Implausible(format!(
                "an average speed of {:.0} km/h",
                speed * 3.6
            )));
        }
    }
    if let Some(gain) = activity.elevation_gain_m
        && (!gain.is_finite() || !(0.0..=limits::MAX_ELEVATION_GAIN_M).contains(&gain))
    {
        return Err(ImportError::Implausible(format!(
            "an elevation gain of {gain:.0} m (at most {} m)",
            limits::MAX_ELEVATION_GAIN_M
        )));
    }
    for lap in &activity.laps {
        if !lap.duration_s.is_finite() || !(0.0..=limits::MAX_DURATION_S).contains(&lap.duration_s)
        {
            return Err(ImportError::Implausible(format!(
                "a lap of {:.0} s",
                lap.duration_s
            )));
        }
        if let Some(distance) = lap.distance_m
            && (!distance.is_finite() || !(0.0..=limits::MAX_DISTANCE_M).contains(&distance))
        {
            return Err(ImportError::Implausible(format!(
                "a lap of {:.1} km",
                distance / 1000.0
            )));
        }
    }
    Ok(activity)
}
