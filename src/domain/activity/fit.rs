//! FIT activity files, decoded with the `fitparser` crate (MIT), one
//! message at a time.
//!
//! Before any message is decoded this reader checks the framing itself
//! ([`crate::domain::fit_protocol`]): header size and ".FIT" signature, the
//! header CRC, that the file is as long as its header says, and the file
//! CRC. Its own check comes first because fitparser slices the input by the
//! header's size byte unchecked (a hostile header makes it panic) and its
//! errors do not tell a truncated file from a damaged one. fitparser is then
//! handed exactly the data records of each file of a chain (its own CRC
//! checks are switched off: they are done), so it never reads a second
//! header or a CRC.
//!
//! What is read: `file_id` (the file must be an activity), `session` (the
//! device's totals: start, timer time, distance, heart rate, ascent,
//! sport), `lap`, `sport`, and `record` (time, position, altitude,
//! distance, heart rate: the heart-rate samples, and the totals when a
//! file has no session, such as a recording cut short by a flat battery).
//! Several sessions (a multisport file) add up to one activity.

use chrono::{DateTime, Utc};
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};

use super::track::{self, Point, Track};
use super::{
    Activity, ActivityFormat, ImportError, Lap, Sport, checked, heart_rate_summary, limits,
    plausible_time, summary_heart_rate,
};
use crate::domain::fit_protocol::{self, Header, HeaderError};

/// `file_id.type` of an activity file.
const FILE_TYPE_ACTIVITY: u8 = 4;
/// Global number of `field_description` messages (developer fields).
const FIELD_DESCRIPTION: u16 = 206;
/// Semicircles per degree: positions are stored as 2³¹ semicircles = 180°.
const SEMICIRCLES_PER_DEGREE: f64 = 2_147_483_648.0 / 180.0;

// Field numbers in the FIT profile.
mod field {
    pub const TIMESTAMP: u8 = 253;
    pub const FILE_TYPE: u8 = 0;
    pub const SPORT_SPORT: u8 = 0;
    pub const SPORT_SUB_SPORT: u8 = 1;
    pub const START_TIME: u8 = 2;
    pub const TOTAL_ELAPSED_TIME: u8 = 7;
    pub const TOTAL_TIMER_TIME: u8 = 8;
    pub const TOTAL_DISTANCE: u8 = 9;
    pub const SESSION_SPORT: u8 = 5;
    pub const SESSION_SUB_SPORT: u8 = 6;
    pub const SESSION_AVG_HEART_RATE: u8 = 16;
    pub const SESSION_MAX_HEART_RATE: u8 = 17;
    pub const SESSION_TOTAL_ASCENT: u8 = 22;
    pub const LAP_AVG_HEART_RATE: u8 = 15;
    pub const RECORD_POSITION_LAT: u8 = 0;
    pub const RECORD_POSITION_LONG: u8 = 1;
    pub const RECORD_ALTITUDE: u8 = 2;
    pub const RECORD_HEART_RATE: u8 = 3;
    pub const RECORD_DISTANCE: u8 = 5;
    pub const RECORD_ENHANCED_ALTITUDE: u8 = 78;
}

pub(super) fn parse(bytes: &[u8]) -> Result<Activity, ImportError> {
    let mut reading = Reading::default();
    let mut rest = bytes;
    loop {
        let header = framing(rest, reading.files)?;
        read_messages(&rest[..header.size + header.data_size], &mut reading)?;
        reading.files += 1;
        rest = &rest[header.file_len()..];
        if rest.is_empty() {
            break;
        }
    }
    reading.finish()
}

/// Checks the header, length and CRC of the file at the start of `bytes`
/// (the `index`-th of a chain).
fn framing(bytes: &[u8], index: usize) -> Result<Header, ImportError> {
    let header = fit_protocol::read_header(bytes).map_err(|error| match error {
        HeaderError::Short { have } if index == 0 && looks_like_a_header_start(bytes) => {
            ImportError::Truncated(format!("it ends after {have} bytes, inside the FIT header"))
        }
        HeaderError::Short { .. } | HeaderError::NotFit(_) if index > 0 => {
            ImportError::MalformedFit(format!(
                "{} bytes after the end of the FIT data are not another FIT file",
                bytes.len()
            ))
        }
        HeaderError::Short { .. } => bad_header("it is too short for a FIT header"),
        HeaderError::NotFit(reason) => bad_header(reason),
        HeaderError::Crc { stored, computed } => ImportError::CrcMismatch {
            part: "header",
            stored,
            computed,
        },
    })?;
    if bytes.len() < header.file_len() {
        return Err(ImportError::Truncated(format!(
            "it has {} bytes but its FIT header announces {}",
            bytes.len(),
            header.file_len()
        )));
    }
    let crc_at = header.file_len() - 2;
    let stored = u16::from_le_bytes([bytes[crc_at], bytes[crc_at + 1]]);
    let computed = fit_protocol::crc16(0, &bytes[..crc_at]);
    if stored != computed {
        return Err(ImportError::CrcMismatch {
            part: "file",
            stored,
            computed,
        });
    }
    Ok(header)
}

/// A short file whose first byte is a FIT header size is a cut-off FIT file
/// rather than something else.
fn looks_like_a_header_start(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(12 | 14))
}

fn bad_header(reason: &str) -> ImportError {
    ImportError::BadHeader {
        format: "FIT",
        reason: reason.to_owned(),
    }
}

/// Decodes the messages of one file: `file` is its header and data records,
/// without the CRC.
fn read_messages(file: &[u8], reading: &mut Reading) -> Result<(), ImportError> {
    let mut processor = FitStreamProcessor::new();
    for option in [
        DecodeOption::SkipHeaderCrcValidation,
        DecodeOption::SkipDataCrcValidation,
        DecodeOption::ReturnNumericEnumValues,
        DecodeOption::DropUnknownFields,
    ] {
        processor.add_option(option);
    }
    let mut input = file;
    while !input.is_empty() {
        let (remaining, object) = processor.deserialize_next(input).map_err(decode_error)?;
        input = remaining;
        match object {
            FitObject::DataMessage(message) => {
                reading.count_message()?;
                if message.global_message_number() == FIELD_DESCRIPTION {
                    reading.field_descriptions += 1;
                    if reading.field_descriptions > limits::MAX_FIT_FIELD_DESCRIPTIONS {
                        return Err(ImportError::TooLarge(format!(
                            "more than {} developer field descriptions",
                            limits::MAX_FIT_FIELD_DESCRIPTIONS
                        )));
                    }
                }
                let record = processor.decode_message(message).map_err(decode_error)?;
                reading.add(&record)?;
            }
            FitObject::DefinitionMessage(_) => reading.count_message()?,
            FitObject::Header(_) | FitObject::Crc(_) => {}
        }
    }
    Ok(())
}

// fitparser's error type is a Box.
#[allow(clippy::boxed_local)]
fn decode_error(error: fitparser::Error) -> ImportError {
    match *error {
        fitparser::ErrorKind::UnexpectedEof(_) => ImportError::MalformedFit(
            "a message is cut off at the end of the data records".to_owned(),
        ),
        other => ImportError::MalformedFit(other.to_string()),
    }
}

/// The device's totals from one `session` message.
#[derive(Debug, Default)]
struct SessionTotals {
    started_at: Option<DateTime<Utc>>,
    timer_s: Option<f64>,
    elapsed_s: Option<f64>,
    distance_m: Option<f64>,
    avg_hr: Option<u16>,
    max_hr: Option<u16>,
    ascent_m: Option<f64>,
    sport: Option<Sport>,
}

#[derive(Debug, Default)]
struct Reading {
    files: usize,
    messages: usize,
    field_descriptions: usize,
    /// `file_id.type` of the first file that states one.
    file_type: Option<u8>,
    sessions: Vec<SessionTotals>,
    laps: Vec<Lap>,
    /// From a `sport` message, for files without a session.
    sport: Option<Sport>,
    track: Track,
}

impl Reading {
    fn count_message(&mut self) -> Result<(), ImportError> {
        self.messages += 1;
        if self.messages > limits::MAX_FIT_MESSAGES {
            return Err(ImportError::TooLarge(format!(
                "more than {} FIT messages",
                limits::MAX_FIT_MESSAGES
            )));
        }
        Ok(())
    }

    fn add(&mut self, record: &FitDataRecord) -> Result<(), ImportError> {
        let fields = Fields(record);
        match record.kind() {
            MesgNum::FileId if self.file_type.is_none() => {
                self.file_type = fields.number(field::FILE_TYPE).map(|t| t as u8);
            }
            MesgNum::Record => self.add_record(&fields)?,
            MesgNum::Lap => {
                if self.laps.len() >= limits::MAX_LAPS {
                    return Err(ImportError::TooLarge(format!(
                        "more than {} laps",
                        limits::MAX_LAPS
                    )));
                }
                let Some(started_at) = fields.time(field::START_TIME)? else {
                    return Ok(());
                };
                self.laps.push(Lap {
                    started_at,
                    duration_s: fields.number(field::TOTAL_TIMER_TIME).unwrap_or(0.0),
                    distance_m: fields.number(field::TOTAL_DISTANCE),
                    avg_hr: summary_heart_rate(
                        "a lap's average heart rate",
                        fields.whole(field::LAP_AVG_HEART_RATE),
                    )?,
                });
            }
            MesgNum::Session => {
                if self.sessions.len() >= limits::MAX_LAPS {
                    return Err(ImportError::TooLarge(format!(
                        "more than {} sessions",
                        limits::MAX_LAPS
                    )));
                }
                self.sessions.push(SessionTotals {
                    started_at: fields.time(field::START_TIME)?,
                    timer_s: fields.number(field::TOTAL_TIMER_TIME),
                    elapsed_s: fields.number(field::TOTAL_ELAPSED_TIME),
                    distance_m: fields.number(field::TOTAL_DISTANCE),
                    avg_hr: summary_heart_rate(
                        "the average heart rate",
                        fields.whole(field::SESSION_AVG_HEART_RATE),
                    )?,
                    max_hr: summary_heart_rate(
                        "the maximum heart rate",
                        fields.whole(field::SESSION_MAX_HEART_RATE),
                    )?,
                    ascent_m: fields.number(field::SESSION_TOTAL_ASCENT),
                    sport: fields.sport(field::SESSION_SPORT, field::SESSION_SUB_SPORT),
                });
            }
            MesgNum::Sport => {
                self.sport = fields.sport(field::SPORT_SPORT, field::SPORT_SUB_SPORT);
            }
            _ => {}
        }
        Ok(())
    }

    fn add_record(&mut self, fields: &Fields<'_>) -> Result<(), ImportError> {
        let position = match (
            fields.number(field::RECORD_POSITION_LAT),
            fields.number(field::RECORD_POSITION_LONG),
        ) {
            (Some(lat), Some(long)) => Some(track::position(
                lat / SEMICIRCLES_PER_DEGREE,
                long / SEMICIRCLES_PER_DEGREE,
            )?),
            _ => None,
        };
        self.track.push(Point {
            time: fields.time(field::TIMESTAMP)?,
            position,
            altitude_m: fields
                .number(field::RECORD_ENHANCED_ALTITUDE)
                .or_else(|| fields.number(field::RECORD_ALTITUDE)),
            distance_m: fields.number(field::RECORD_DISTANCE),
            heart_rate: fields.whole(field::RECORD_HEART_RATE),
        })
    }

    fn finish(self) -> Result<Activity, ImportError> {
        if let Some(file_type) = self.file_type.filter(|t| *t != FILE_TYPE_ACTIVITY) {
            return Err(ImportError::NoActivity(format!(
                "it is a FIT {} file, not an activity",
                file_type_name(file_type)
            )));
        }
        let summary = self.track.finish();
        if self.sessions.is_empty() && self.laps.is_empty() && summary.points == 0 {
            return Err(ImportError::NoActivity(
                "it has no session, lap or record messages".to_owned(),
            ));
        }
        let sessions = &self.sessions;
        let started_at = sessions
            .iter()
            .filter_map(|s| s.started_at)
            .min()
            .or_else(|| self.laps.iter().map(|lap| lap.started_at).min())
            .or(summary.first_time)
            .ok_or_else(|| ImportError::NoActivity("it states no start time".to_owned()))?;
        let sum = |value: fn(&SessionTotals) -> Option<f64>| -> Option<f64> {
            sessions
                .iter()
                .map(value)
                .reduce(|a, b| Some(a? + b?))
                .flatten()
        };
        let lap_timer: f64 = self.laps.iter().map(|lap| lap.duration_s).sum();
        let duration_s = sum(|s| s.timer_s)
            .or_else(|| sum(|s| s.elapsed_s))
            .or((lap_timer > 0.0).then_some(lap_timer))
            .unwrap_or(summary.moving_s);
        let distance_m = sum(|s| s.distance_m).or(summary.distance_m);
        let elevation_gain_m = sum(|s| s.ascent_m).or(summary.elevation_gain_m);
        let heart_rate = summary.samples_from(started_at);
        let (samples_avg, samples_max) = heart_rate_summary(&heart_rate);
        let avg_hr = weighted_average_hr(sessions).or(samples_avg);
        let max_hr = sessions
            .iter()
            .filter_map(|s| s.max_hr)
            .max()
            .or(samples_max);
        let sport = match sessions.first().and_then(|s| s.sport) {
            Some(first) if sessions.iter().all(|s| s.sport == Some(first)) => first,
            Some(_) => Sport::Other,
            None => self.sport.unwrap_or(Sport::Unspecified),
        };
        checked(Activity {
            format: ActivityFormat::Fit,
            sport,
            started_at,
            duration_s,
            distance_m,
            avg_hr,
            max_hr,
            elevation_gain_m,
            laps: self.laps,
            heart_rate,
        })
    }
}

/// The sessions' average heart rates weighted by their timer time; None
/// unless every session has both.
fn weighted_average_hr(sessions: &[SessionTotals]) -> Option<u16> {
    let mut weighted = 0.0;
    let mut seconds = 0.0;
    for session in sessions {
        let (avg, timer) = (session.avg_hr?, session.timer_s?);
        weighted += f64::from(avg) * timer;
        seconds += timer;
    }
    match sessions {
        [] => None,
        [only] => only.avg_hr,
        _ => (seconds > 0.0).then(|| (weighted / seconds).round() as u16),
    }
}

/// The fields of one decoded message, by field number.
struct Fields<'a>(&'a FitDataRecord);

impl Fields<'_> {
    fn value(&self, number: u8) -> Option<&Value> {
        self.0
            .fields()
            .iter()
            .find(|field| field.number() == number)
            .map(|field| field.value())
    }

    /// A numeric field, scaled and offset as the profile says.
    fn number(&self, number: u8) -> Option<f64> {
        let value = match self.value(number)? {
            Value::Byte(v) | Value::Enum(v) | Value::UInt8(v) | Value::UInt8z(v) => f64::from(*v),
            Value::SInt8(v) => f64::from(*v),
            Value::SInt16(v) => f64::from(*v),
            Value::UInt16(v) | Value::UInt16z(v) => f64::from(*v),
            Value::SInt32(v) => f64::from(*v),
            Value::UInt32(v) | Value::UInt32z(v) => f64::from(*v),
            Value::Float32(v) => f64::from(*v),
            Value::Float64(v) => *v,
            Value::SInt64(v) => *v as f64,
            Value::UInt64(v) | Value::UInt64z(v) => *v as f64,
            Value::Timestamp(_) | Value::String(_) | Value::Array(_) | Value::Invalid => {
                return None;
            }
        };
        value.is_finite().then_some(value)
    }

    /// A small whole number (heart rates).
    fn whole(&self, number: u8) -> Option<u16> {
        self.number(number)
            .filter(|v| (0.0..=f64::from(u16::MAX)).contains(v))
            .map(|v| v.round() as u16)
    }

    fn time(&self, number: u8) -> Result<Option<DateTime<Utc>>, ImportError> {
        match self.value(number) {
            Some(Value::Timestamp(time)) => {
                plausible_time("a FIT timestamp", time.with_timezone(&Utc)).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn sport(&self, sport: u8, sub_sport: u8) -> Option<Sport> {
        let sport = self.number(sport)? as u8;
        let sub_sport = self.number(sub_sport).map(|s| s as u8);
        Some(fit_sport(sport, sub_sport))
    }
}

/// The FIT profile's `sport` and `sub_sport` values reduced to [`Sport`].
fn fit_sport(sport: u8, sub_sport: Option<u8>) -> Sport {
    match (sport, sub_sport) {
        (0, _) => Sport::Unspecified,
        (1, _) => Sport::Running,
        (11 | 17, _) => Sport::Walking,
        (2 | 21, _) => Sport::Cycling,
        (5, _) => Sport::Swimming,
        (62, _) => Sport::Hiit,
        (86, _) => Sport::Mobility,
        // training: strength_training; flexibility_training, yoga, pilates.
        (10, Some(20)) => Sport::Strength,
        (10, Some(19 | 43 | 44)) => Sport::Mobility,
        _ => Sport::Other,
    }
}

fn file_type_name(file_type: u8) -> String {
    match file_type {
        1 => "device".to_owned(),
        2 => "settings".to_owned(),
        3 => "sport".to_owned(),
        5 => "workout".to_owned(),
        6 => "course".to_owned(),
        7 => "schedules".to_owned(),
        9 => "weight".to_owned(),
        10 => "totals".to_owned(),
        11 => "goals".to_owned(),
        15 | 28 | 32 => "monitoring".to_owned(),
        34 => "segment".to_owned(),
        other => format!("type {other}"),
    }
}
