//! Garmin TCX, TrainingCenterDatabase v2: the one `<Activity>` of
//! `<Activities>` (its `Sport` and `<Id>`, the start time), each `<Lap>`
//! (`StartTime`, `<TotalTimeSeconds>` — timer time —, `<DistanceMeters>`,
//! average and maximum heart rate) and the `<Trackpoint>`s of its
//! `<Track>`s (time, position, altitude, cumulative distance, heart rate).
//! The laps' totals are the device's own and win; what they lack comes
//! from the track points (see the track module).

use chrono::{DateTime, Utc};
use quick_xml::events::BytesStart;

use super::track::{self, Point, Track};
use super::xml::{self, Node, XmlWalker};
use super::{
    Activity, ActivityFormat, ImportError, Lap, checked, heart_rate_summary, limits,
    summary_heart_rate,
};

const NAMESPACE_V2: &str = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Database,
    Activities,
    Activity,
    Id,
    Lap,
    TotalTimeSeconds,
    DistanceMeters,
    AverageHeartRateBpm,
    MaximumHeartRateBpm,
    Value,
    Track,
    Trackpoint,
    Time,
    Position,
    LatitudeDegrees,
    LongitudeDegrees,
    AltitudeMeters,
    HeartRateBpm,
    Other,
}

fn classify(local_name: &str) -> Tag {
    match local_name {
        "TrainingCenterDatabase" => Tag::Database,
        "Activities" => Tag::Activities,
        "Activity" => Tag::Activity,
        "Id" => Tag::Id,
        "Lap" => Tag::Lap,
        "TotalTimeSeconds" => Tag::TotalTimeSeconds,
        "DistanceMeters" => Tag::DistanceMeters,
        "AverageHeartRateBpm" => Tag::AverageHeartRateBpm,
        "MaximumHeartRateBpm" => Tag::MaximumHeartRateBpm,
        "Value" => Tag::Value,
        "Track" => Tag::Track,
        "Trackpoint" => Tag::Trackpoint,
        "Time" => Tag::Time,
        "Position" => Tag::Position,
        "LatitudeDegrees" => Tag::LatitudeDegrees,
        "LongitudeDegrees" => Tag::LongitudeDegrees,
        "AltitudeMeters" => Tag::AltitudeMeters,
        "HeartRateBpm" => Tag::HeartRateBpm,
        _ => Tag::Other,
    }
}

/// A lap as read so far.
#[derive(Debug, Default)]
struct LapBuilder {
    started_at: Option<DateTime<Utc>>,
    duration_s: Option<f64>,
    distance_m: Option<f64>,
    avg_hr: Option<u16>,
    max_hr: Option<u16>,
}

/// A track point as read so far; the position needs both coordinates.
#[derive(Debug, Default)]
struct PointBuilder {
    point: Point,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Debug, Default)]
struct Reading {
    activities: usize,
    sport: Option<String>,
    id: Option<DateTime<Utc>>,
    laps: Vec<LapBuilder>,
    track: Track,
    point: Option<PointBuilder>,
}

pub(super) fn parse(bytes: &[u8]) -> Result<Activity, ImportError> {
    let mut walker = XmlWalker::new(bytes, classify)?;
    let mut reading = Reading::default();
    while let Some(node) = walker.next()? {
        let path = walker.path();
        match (node, path) {
            (Node::Open(start), [Tag::Database]) => check_namespace(&start)?,
            (Node::Open(_), [_]) => {
                return Err(not_tcx("its root element is not <TrainingCenterDatabase>"));
            }
            (Node::Open(start), [Tag::Database, Tag::Activities, Tag::Activity, rest @ ..]) => {
                reading.open(&start, rest)?;
            }
            (Node::Close, [Tag::Database, Tag::Activities, Tag::Activity, rest @ ..]) => {
                reading.close(walker.text(), rest)?;
            }
            _ => {}
        }
    }
    reading.finish()
}

impl Reading {
    /// An element opens inside an `<Activity>` (`rest` is the path below it).
    fn open(&mut self, start: &BytesStart<'_>, rest: &[Tag]) -> Result<(), ImportError> {
        match rest {
            [] => {
                self.activities += 1;
                if self.activities > 1 {
                    return Err(ImportError::SeveralActivities);
                }
                self.sport = xml::attribute(start, "Sport")?;
            }
            [Tag::Lap] => {
                if self.laps.len() >= limits::MAX_LAPS {
                    return Err(ImportError::TooLarge(format!(
                        "more than {} laps",
                        limits::MAX_LAPS
                    )));
                }
                let started_at = match xml::attribute(start, "StartTime")? {
                    Some(text) => Some(xml::date_time("a lap start", &text)?),
                    None => None,
                };
                self.laps.push(LapBuilder {
                    started_at,
                    ..LapBuilder::default()
                });
            }
            [Tag::Lap, Tag::Track] => self.track.break_segment(),
            [Tag::Lap, Tag::Track, Tag::Trackpoint] => self.point = Some(PointBuilder::default()),
            _ => {}
        }
        Ok(())
    }

    /// An element closes inside an `<Activity>` with `text` in it.
    fn close(&mut self, text: &str, rest: &[Tag]) -> Result<(), ImportError> {
        if let [Tag::Lap, Tag::Track, Tag::Trackpoint, inner @ ..] = rest {
            return self.close_in_point(text, inner);
        }
        if let [Tag::Id] = rest {
            self.id = Some(xml::date_time("the activity id", text)?);
            return Ok(());
        }
        let Some(lap) = self.laps.last_mut() else {
            return Ok(());
        };
        match rest {
            [Tag::Lap, Tag::TotalTimeSeconds] => {
                lap.duration_s = Some(xml::number("a lap's total time", text)?);
            }
            [Tag::Lap, Tag::DistanceMeters] => {
                lap.distance_m = Some(xml::number("a lap's distance", text)?);
            }
            [Tag::Lap, Tag::AverageHeartRateBpm, Tag::Value] => {
                lap.avg_hr = summary_heart_rate("a lap's average heart rate", whole(text))?;
            }
            [Tag::Lap, Tag::MaximumHeartRateBpm, Tag::Value] => {
                lap.max_hr = summary_heart_rate("a lap's maximum heart rate", whole(text))?;
            }
            _ => {}
        }
        Ok(())
    }

    /// An element closes inside a `<Trackpoint>` (`inner` is the path below
    /// it; empty for the point itself).
    fn close_in_point(&mut self, text: &str, inner: &[Tag]) -> Result<(), ImportError> {
        if inner.is_empty() {
            if let Some(builder) = self.point.take() {
                let mut point = builder.point;
                if let (Some(latitude), Some(longitude)) = (builder.latitude, builder.longitude) {
                    point.position = Some(track::position(latitude, longitude)?);
                }
                self.track.push(point)?;
            }
            return Ok(());
        }
        let Some(builder) = self.point.as_mut() else {
            return Ok(());
        };
        match inner {
            [Tag::Time] => builder.point.time = Some(xml::date_time("a track point time", text)?),
            [Tag::Position, Tag::LatitudeDegrees] => {
                builder.latitude = Some(xml::number("a latitude", text)?);
            }
            [Tag::Position, Tag::LongitudeDegrees] => {
                builder.longitude = Some(xml::number("a longitude", text)?);
            }
            [Tag::AltitudeMeters] => {
                builder.point.altitude_m = Some(xml::number("an altitude", text)?);
            }
            [Tag::DistanceMeters] => {
                builder.point.distance_m = Some(xml::number("a track point distance", text)?);
            }
            // A reading that is not a whole number is dropped as a glitch.
            [Tag::HeartRateBpm, Tag::Value] => builder.point.heart_rate = whole(text),
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Activity, ImportError> {
        if self.activities == 0 {
            return Err(ImportError::NoActivity(
                "it has no <Activity> (a course or a workout, not a recorded activity)".to_owned(),
            ));
        }
        let summary = self.track.finish();
        let Some(started_at) = self
            .id
            .or_else(|| self.laps.first().and_then(|lap| lap.started_at))
            .or(summary.first_time)
        else {
            return Err(ImportError::NoActivity(
                "it states no start time".to_owned(),
            ));
        };
        let laps_have =
            |has: fn(&LapBuilder) -> bool| !self.laps.is_empty() && self.laps.iter().all(has);
        let duration_s = if laps_have(|lap| lap.duration_s.is_some()) {
            self.laps.iter().filter_map(|lap| lap.duration_s).sum()
        } else {
            summary.moving_s
        };
        let lap_distance: f64 = self.laps.iter().filter_map(|lap| lap.distance_m).sum();
        let distance_m = if lap_distance > 0.0 {
            Some(lap_distance)
        } else {
            summary.distance_m.filter(|d| *d > 0.0)
        };
        let heart_rate = summary.samples_from(started_at);
        let (mut avg_hr, mut max_hr) = heart_rate_summary(&heart_rate);
        if laps_have(|lap| lap.avg_hr.is_some() && lap.duration_s.is_some()) && duration_s > 0.0 {
            let weighted: f64 = self
                .laps
                .iter()
                .map(|lap| f64::from(lap.avg_hr.unwrap_or(0)) * lap.duration_s.unwrap_or(0.0))
                .sum();
            avg_hr = Some((weighted / duration_s).round() as u16);
        }
        if let Some(lap_max) = self.laps.iter().filter_map(|lap| lap.max_hr).max() {
            max_hr = Some(lap_max);
        }
        let laps = self
            .laps
            .iter()
            .map(|lap| Lap {
                started_at: lap.started_at.unwrap_or(started_at),
                duration_s: lap.duration_s.unwrap_or(0.0),
                distance_m: lap.distance_m,
                avg_hr: lap.avg_hr,
            })
            .collect();
        checked(Activity {
            format: ActivityFormat::Tcx,
            sport: self
                .sport
                .as_deref()
                .map_or(super::Sport::Unspecified, super::sport_named),
            started_at,
            duration_s,
            distance_m,
            avg_hr,
            max_hr,
            elevation_gain_m: summary.elevation_gain_m,
            laps,
            heart_rate,
        })
    }
}

fn not_tcx(reason: &str) -> ImportError {
    ImportError::BadHeader {
        format: "TCX",
        reason: reason.to_owned(),
    }
}

/// The root must declare the v2 namespace (v1 files are shaped otherwise).
fn check_namespace(root: &BytesStart<'_>) -> Result<(), ImportError> {
    for attribute in root.attributes().with_checks(false) {
        let attribute =
            attribute.map_err(|e| ImportError::MalformedXml(format!("the root element: {e}")))?;
        let key = attribute.key.as_ref();
        if (key == "xmlns" || key.starts_with("xmlns:")) && attribute.value == NAMESPACE_V2 {
            return Ok(());
        }
    }
    Err(not_tcx(
        "its root element is not in the TrainingCenterDatabase v2 namespace",
    ))
}

/// A whole number of beats per minute; None when it is not one.
fn whole(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok()
}
