//! GPX 1.1 (and 1.0, whose tracks have the same shape): the points of
//! every `<trk>/<trkseg>/<trkpt>` (position, `<ele>`, `<time>`), heart rate
//! from Garmin's TrackPointExtension (`<gpxtpx:hr>`, or any `<hr>` or
//! `<heartrate>` in a point's `<extensions>`) and the sport from the
//! track's `<type>`. GPX states no totals and no laps: distance, moving
//! time and elevation gain come from the points (see the track module).
//!
//! The `gpx` crate was not used: it skips `<extensions>` (no heart rate,
//! hence no TRIMP) and keeps every point as a ~300-byte struct; this reader
//! keeps only the heart-rate samples.

use super::track::{self, Point, Track};
use super::xml::{self, Node, XmlWalker};
use super::{Activity, ActivityFormat, ImportError, Sport, checked, heart_rate_summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Gpx,
    Trk,
    Trkseg,
    Trkpt,
    Ele,
    Time,
    Type,
    Extensions,
    HeartRate,
    Wpt,
    Rte,
    Other,
}

fn classify(local_name: &str) -> Tag {
    match local_name {
        "gpx" => Tag::Gpx,
        "trk" => Tag::Trk,
        "trkseg" => Tag::Trkseg,
        "trkpt" => Tag::Trkpt,
        "ele" => Tag::Ele,
        "time" => Tag::Time,
        "type" => Tag::Type,
        "extensions" => Tag::Extensions,
        "hr" | "heartrate" => Tag::HeartRate,
        "wpt" => Tag::Wpt,
        "rte" => Tag::Rte,
        _ => Tag::Other,
    }
}

pub(super) fn parse(bytes: &[u8]) -> Result<Activity, ImportError> {
    let mut walker = XmlWalker::new(bytes, classify)?;
    let mut track = Track::new();
    let mut point: Option<Point> = None;
    let mut sport_name: Option<String> = None;
    let (mut waypoints, mut routes) = (0usize, 0usize);
    while let Some(node) = walker.next()? {
        let path = walker.path();
        match node {
            Node::Open(start) => match path {
                [Tag::Gpx] => check_version(xml::attribute(&start, "version")?)?,
                [_] => return Err(not_gpx("its root element is not <gpx>")),
                [Tag::Gpx, Tag::Trk, Tag::Trkseg] => track.break_segment(),
                [Tag::Gpx, Tag::Trk, Tag::Trkseg, Tag::Trkpt] => {
                    point = Some(Point {
                        position: Some(position(&start)?),
                        ..Point::default()
                    });
                }
                [Tag::Gpx, Tag::Wpt] => waypoints += 1,
                [Tag::Gpx, Tag::Rte] => routes += 1,
                _ => {}
            },
            Node::Close => {
                let text = walker.text();
                match path {
                    [Tag::Gpx, Tag::Trk, Tag::Type] => sport_name = Some(text.to_owned()),
                    [.., Tag::Trkpt] => {
                        if let Some(point) = point.take() {
                            track.push(point)?;
                        }
                    }
                    [.., Tag::Trkpt, Tag::Ele] => {
                        if let Some(point) = point.as_mut() {
                            point.altitude_m = Some(xml::number("an elevation", text)?);
                        }
                    }
                    [.., Tag::Trkpt, Tag::Time] => {
                        if let Some(point) = point.as_mut() {
                            point.time = Some(xml::date_time("a track point time", text)?);
                        }
                    }
                    [.., Tag::HeartRate]
                        if path.contains(&Tag::Trkpt) && path.contains(&Tag::Extensions) =>
                    {
                        if let Some(point) = point.as_mut() {
                            point.heart_rate = heart_rate(text);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let summary = track.finish();
    if summary.points == 0 {
        return Err(ImportError::NoTrack(if waypoints + routes > 0 {
            format!(
                "it holds {waypoints} waypoints and {routes} routes but no recorded track points"
            )
        } else {
            "it holds no track points".to_owned()
        }));
    }
    let Some(started_at) = summary.first_time else {
        return Err(ImportError::NoActivity(
            "its track points have no times".to_owned(),
        ));
    };
    let heart_rate = summary.samples_from(started_at);
    let (avg_hr, max_hr) = heart_rate_summary(&heart_rate);
    checked(Activity {
        format: ActivityFormat::Gpx,
        sport: sport_name
            .as_deref()
            .map_or(Sport::Unspecified, super::sport_named),
        started_at,
        duration_s: summary.moving_s,
        distance_m: summary.distance_m,
        avg_hr,
        max_hr,
        elevation_gain_m: summary.elevation_gain_m,
        laps: Vec::new(),
        heart_rate,
    })
}

fn not_gpx(reason: &str) -> ImportError {
    ImportError::BadHeader {
        format: "GPX",
        reason: reason.to_owned(),
    }
}

fn check_version(version: Option<String>) -> Result<(), ImportError> {
    match version.as_deref() {
        Some("1.1" | "1.0") => Ok(()),
        Some(other) => Err(not_gpx(&format!(
            "it is GPX version {other:?}; 1.1 and 1.0 are read"
        ))),
        None => Err(not_gpx("its <gpx> element has no version")),
    }
}

fn position(start: &quick_xml::events::BytesStart<'_>) -> Result<(f64, f64), ImportError> {
    let coordinate = |name: &str| -> Result<f64, ImportError> {
        let value = xml::attribute(start, name)?.ok_or_else(|| {
            ImportError::MalformedXml(format!("a <trkpt> has no {name} attribute"))
        })?;
        xml::number(name, &value)
    };
    track::position(coordinate("lat")?, coordinate("lon")?)
}

/// A heart-rate reading; one that is not a whole number in range is
/// dropped like any sensor glitch.
fn heart_rate(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok()
}
