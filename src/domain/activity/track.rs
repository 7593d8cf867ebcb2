//! What a track says once its points are added up: distance, moving time,
//! elevation gain and heart-rate samples, computed point by point so that
//! nothing but the samples is kept.
//!
//! The rules, for formats (GPX) or files (a FIT file without its session
//! summary) that do not state the totals:
//!
//! * **Distance**: the device's own cumulative distance where both points
//!   carry one (FIT records, TCX `DistanceMeters`), else the great-circle
//!   (haversine) distance between their positions, on a sphere of the
//!   Earth's mean radius, 6,371,008.8 m. Nothing is counted across a gap
//!   between segments (GPX `trkseg`, TCX `Track`).
//! * **Moving time**: the sum of the intervals between consecutive points
//!   in which the athlete moved: where the interval's distance is known, its
//!   average speed is at least [`MIN_MOVING_SPEED_M_S`] (standing at a
//!   light, or a pause during which the device kept recording, does not
//!   count) and it lasts at most [`MAX_MOVING_INTERVAL_S`]; where no
//!   distance is known (a treadmill file with heart rate only), it lasts at
//!   most [`MAX_UNMEASURED_INTERVAL_S`], since watches stop recording while
//!   paused and a longer gap is a pause.
//! * **Elevation gain**: altitudes pass a hysteresis of
//!   [`ELEVATION_NOISE_M`]: a climb counts once the altitude has risen that
//!   far above the lowest point since the last counted climb, so GPS and
//!   barometer jitter of a few metres adds nothing.
//! * **Heart rate**: readings outside a human range are dropped as sensor
//!   glitches, and so are readings earlier than the one before them.

use chrono::{DateTime, Utc};

use super::{HeartRateSample, ImportError, limits};

/// Slowest average speed over an interval that still counts as moving:
/// 1.8 km/h, a third of a slow walk.
pub const MIN_MOVING_SPEED_M_S: f64 = 0.5;
/// Longest interval between two points that counts as moving, when the
/// distance covered is known (a GPS dropout in a tunnel while running).
pub const MAX_MOVING_INTERVAL_S: f64 = 600.0;
/// Longest interval that counts as moving when no distance is known.
pub const MAX_UNMEASURED_INTERVAL_S: f64 = 30.0;
/// Altitude jitter ignored by the elevation gain.
pub const ELEVATION_NOISE_M: f64 = 3.0;
/// Mean Earth radius (IUGG), for the haversine.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// One point of a track, as much as the file says of it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Point {
    pub time: Option<DateTime<Utc>>,
    /// Latitude and longitude in degrees, already checked to be in range.
    pub position: Option<(f64, f64)>,
    pub altitude_m: Option<f64>,
    /// Cumulative distance measured by the device.
    pub distance_m: Option<f64>,
    pub heart_rate: Option<u16>,
}

/// What a whole track adds up to.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TrackSummary {
    /// First and last timestamps.
    pub first_time: Option<DateTime<Utc>>,
    pub last_time: Option<DateTime<Utc>>,
    pub moving_s: f64,
    pub distance_m: Option<f64>,
    pub elevation_gain_m: Option<f64>,
    pub points: usize,
    /// Offsets from `first_time`.
    samples: Vec<HeartRateSample>,
}

impl TrackSummary {
    /// The heart-rate samples with offsets from `started_at` instead of
    /// from the first point; samples before `started_at` are dropped.
    pub fn samples_from(&self, started_at: DateTime<Utc>) -> Vec<HeartRateSample> {
        let Some(first) = self.first_time else {
            return Vec::new();
        };
        let shift = (first - started_at).num_milliseconds();
        let max = (limits::MAX_SPAN_S * 1000.0) as i64;
        self.samples
            .iter()
            .filter_map(|sample| {
                let offset = i64::from(sample.offset_ms) + shift;
                (0..=max).contains(&offset).then_some(HeartRateSample {
                    offset_ms: offset as u32,
                    bpm: sample.bpm,
                })
            })
            .collect()
    }
}

/// The last point seen in the current segment.
#[derive(Debug, Clone, Copy)]
struct Previous {
    time_ms: Option<i64>,
    position: Option<(f64, f64)>,
    distance_m: Option<f64>,
}

/// Adds up a track point by point.
#[derive(Debug, Default)]
pub(super) struct Track {
    points: usize,
    first_time: Option<DateTime<Utc>>,
    last_time: Option<DateTime<Utc>>,
    previous: Option<Previous>,
    moving_ms: i64,
    distance_m: f64,
    measured_distance: bool,
    climb: Climb,
    samples: Vec<HeartRateSample>,
}

impl Track {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next point of the current segment.
    pub fn push(&mut self, point: Point) -> Result<(), ImportError> {
        self.points += 1;
        if self.points > limits::MAX_POINTS {
            return Err(ImportError::TooLarge(format!(
                "more than {} track points",
                limits::MAX_POINTS
            )));
        }
        let time_ms = match point.time {
            Some(time) => Some(self.offset_ms(time)?),
            None => None,
        };
        if let Some(previous) = self.previous {
            self.add_interval(previous, time_ms, &point);
        }
        if let Some(altitude) = point.altitude_m.filter(|a| limits::ALTITUDE_M.contains(a)) {
            self.climb.add(altitude);
        }
        if let (Some(offset), Some(bpm)) = (time_ms, point.heart_rate) {
            self.add_sample(offset, bpm);
        }
        self.previous = Some(Previous {
            time_ms,
            position: point.position,
            distance_m: point.distance_m.filter(|d| d.is_finite()),
        });
        Ok(())
    }

    /// Ends the current segment: the next point starts a new one.
    pub fn break_segment(&mut self) {
        self.previous = None;
        self.climb.restart();
    }

    pub fn finish(self) -> TrackSummary {
        TrackSummary {
            first_time: self.first_time,
            last_time: self.last_time,
            moving_s: self.moving_ms as f64 / 1000.0,
            distance_m: self.measured_distance.then_some(self.distance_m),
            elevation_gain_m: self.climb.seen.then_some(self.climb.gain),
            points: self.points,
            samples: self.samples,
        }
    }

    /// Milliseconds from the first timestamp; the recording may not span
    /// more than [`limits::MAX_SPAN_S`] either way.
    fn offset_ms(&mut self, time: DateTime<Utc>) -> Result<i64, ImportError> {
        let first = *self.first_time.get_or_insert(time);
        let offset = (time - first).num_milliseconds();
        if offset.unsigned_abs() as f64 > limits::MAX_SPAN_S * 1000.0 {
            return Err(ImportError::Implausible(format!(
                "track points {:.1} days apart",
                offset.unsigned_abs() as f64 / 86_400_000.0
            )));
        }
        if self.last_time.is_none_or(|last| time > last) {
            self.last_time = Some(time);
        }
        Ok(offset)
    }

    fn add_interval(&mut self, previous: Previous, time_ms: Option<i64>, point: &Point) {
        let device_distance = match (previous.distance_m, point.distance_m) {
            // A counter that goes back (a device reset) covers nothing.
            (Some(before), Some(after)) if after.is_finite() => Some((after - before).max(0.0)),
            _ => None,
        };
        let covered = device_distance.or_else(|| match (previous.position, point.position) {
            (Some(from), Some(to)) => Some(haversine_m(from, to)),
            _ => None,
        });
        if let Some(covered) = covered {
            self.distance_m += covered;
            self.measured_distance = true;
        }
        let (Some(before), Some(after)) = (previous.time_ms, time_ms) else {
            return;
        };
        let interval_ms = after - before;
        if interval_ms <= 0 {
            return;
        }
        let interval_s = interval_ms as f64 / 1000.0;
        let moving = match covered {
            Some(covered) => {
                interval_s <= MAX_MOVING_INTERVAL_S && covered / interval_s >= MIN_MOVING_SPEED_M_S
            }
            None => interval_s <= MAX_UNMEASURED_INTERVAL_S,
        };
        if moving {
            self.moving_ms += interval_ms;
        }
    }

    fn add_sample(&mut self, offset_ms: i64, bpm: u16) {
        if !limits::HEART_RATE_BPM.contains(&bpm) || offset_ms < 0 {
            return;
        }
        if self
            .samples
            .last()
            .is_some_and(|last| i64::from(last.offset_ms) > offset_ms)
        {
            return;
        }
        self.samples.push(HeartRateSample {
            offset_ms: offset_ms as u32,
            bpm,
        });
    }
}

/// Elevation gain with a hysteresis of [`ELEVATION_NOISE_M`].
#[derive(Debug, Default)]
struct Climb {
    /// The lowest altitude since the last counted rise (or the last counted
    /// top), None at the start of a segment.
    reference: Option<f64>,
    gain: f64,
    seen: bool,
}

impl Climb {
    fn add(&mut self, altitude: f64) {
        self.seen = true;
        match self.reference {
            Some(reference) if altitude - reference >= ELEVATION_NOISE_M => {
                self.gain += altitude - reference;
                self.reference = Some(altitude);
            }
            Some(reference) if altitude < reference => self.reference = Some(altitude),
            Some(_) => {}
            None => self.reference = Some(altitude),
        }
    }

    fn restart(&mut self) {
        self.reference = None;
    }
}

/// Great-circle distance between two (latitude, longitude) points in
/// degrees.
pub(super) fn haversine_m(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lon1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lon2) = (to.0.to_radians(), to.1.to_radians());
    let a = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// A latitude and longitude in degrees, refused when off the globe.
pub(super) fn position(latitude: f64, longitude: f64) -> Result<(f64, f64), ImportError> {
    if latitude.is_finite()
        && longitude.is_finite()
        && (-90.0..=90.0).contains(&latitude)
        && (-180.0..=180.0).contains(&longitude)
    {
        Ok((latitude, longitude))
    } else {
        Err(ImportError::Implausible(format!(
            "a position at latitude {latitude}, longitude {longitude}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> Option<DateTime<Utc>> {
        Some(Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap())
    }

    /// A point `metres` north of (45°, 7°) along the meridian.
    fn north(seconds: i64, metres: f64) -> Point {
        let degrees = metres / (EARTH_RADIUS_M * std::f64::consts::PI / 180.0);
        Point {
            time: at(seconds),
            position: Some((45.0 + degrees, 7.0)),
            ..Point::default()
        }
    }

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude on the mean sphere: 2πR / 360.
        let degree = 2.0 * std::f64::consts::PI * EARTH_RADIUS_M / 360.0;
        assert!((haversine_m((0.0, 0.0), (1.0, 0.0)) - degree).abs() < 1e-6);
        // A degree of longitude at 60° north is half as long.
        assert!((haversine_m((60.0, 0.0), (60.0, 1.0)) - degree / 2.0).abs() < 2.0);
        assert_eq!(haversine_m((10.0, 20.0), (10.0, 20.0)), 0.0);
    }

    #[test]
    fn moving_time_leaves_out_standing_and_gaps() {
        let mut track = Track::new();
        // 60 s running at 3 m/s, 60 s standing (still recorded), a 5-minute
        // gap with no points, then 30 s running again.
        for s in 0..=60 {
            track.push(north(s, 3.0 * s as f64)).unwrap();
        }
        for s in 61..=120 {
            track.push(north(s, 180.0)).unwrap();
        }
        for s in 0..=30 {
            track.push(north(420 + s, 180.0 + 3.0 * s as f64)).unwrap();
        }
        let summary = track.finish();
        // Running: 60 + 30 intervals of 1 s. The 300 s gap covers 0 m.
        assert_eq!(summary.moving_s, 90.0);
        assert!((summary.distance_m.unwrap() - 270.0).abs() < 1e-6);
        assert_eq!(summary.points, 61 + 60 + 31);
    }

    #[test]
    fn without_distance_short_intervals_count_and_long_ones_are_pauses() {
        let mut track = Track::new();
        for s in [0, 10, 20, 50, 60] {
            track
                .push(Point {
                    time: at(s),
                    heart_rate: Some(140),
                    ..Point::default()
                })
                .unwrap();
        }
        let summary = track.finish();
        // 10 + 10 + (30: exactly the limit) + 10.
        assert_eq!(summary.moving_s, 60.0);
        assert_eq!(summary.distance_m, None);
    }

    #[test]
    fn device_distance_wins_over_positions_and_a_reset_counts_nothing() {
        let mut track = Track::new();
        let mut point = north(0, 0.0);
        point.distance_m = Some(1000.0);
        track.push(point).unwrap();
        let mut point = north(10, 10.0);
        point.distance_m = Some(1040.0);
        track.push(point).unwrap();
        let mut point = north(20, 20.0);
        point.distance_m = Some(0.0);
        track.push(point).unwrap();
        let summary = track.finish();
        assert!((summary.distance_m.unwrap() - 40.0).abs() < 1e-9);
        // Only the first interval moved (4 m/s); the reset covered 0 m.
        assert_eq!(summary.moving_s, 10.0);
    }

    #[test]
    fn elevation_gain_ignores_jitter_and_counts_climbs() {
        let mut track = Track::new();
        // Jitter of ±1.5 m around 100 m, then a climb to 120 m, down to
        // 105 m, and up to 112 m.
        let altitudes = [
            100.0, 101.5, 99.0, 100.5, 102.0, 105.0, 110.0, 115.0, 120.0, 119.0, 110.0, 105.0,
            108.0, 112.0,
        ];
        for (s, altitude) in altitudes.into_iter().enumerate() {
            let mut point = north(s as i64, 0.0);
            point.altitude_m = Some(altitude);
            track.push(point).unwrap();
        }
        let summary = track.finish();
        // Lowest point 99 → 120 (21 m), then 105 → 112 (7 m).
        assert!((summary.elevation_gain_m.unwrap() - 28.0).abs() < 1e-9);
    }

    #[test]
    fn altitudes_off_the_earth_are_dropped() {
        let mut track = Track::new();
        for (s, altitude) in [(0, 100.0), (1, -99_999.0), (2, 104.0)] {
            let mut point = north(s, 0.0);
            point.altitude_m = Some(altitude);
            track.push(point).unwrap();
        }
        assert_eq!(track.finish().elevation_gain_m, Some(4.0));
    }

    #[test]
    fn samples_drop_glitches_and_going_back_and_shift_to_the_start() {
        let mut track = Track::new();
        for (s, bpm) in [(0, 120), (1, 0), (2, 255), (3, 130), (2, 140), (4, 150)] {
            track
                .push(Point {
                    time: at(s),
                    heart_rate: Some(bpm),
                    ..Point::default()
                })
                .unwrap();
        }
        let summary = track.finish();
        let from_first = summary.samples_from(at(0).unwrap());
        let bpms: Vec<(u32, u16)> = from_first.iter().map(|s| (s.offset_ms, s.bpm)).collect();
        assert_eq!(bpms, [(0, 120), (3000, 130), (4000, 150)]);
        // From a start 3 s after the first point, earlier samples go.
        let later: Vec<u32> = summary
            .samples_from(at(3).unwrap())
            .iter()
            .map(|s| s.offset_ms)
            .collect();
        assert_eq!(later, [0, 1000]);
    }

    #[test]
    fn segments_are_not_joined() {
        let mut track = Track::new();
        track.push(north(0, 0.0)).unwrap();
        track.push(north(10, 30.0)).unwrap();
        track.break_segment();
        track.push(north(20, 1000.0)).unwrap();
        track.push(north(30, 1030.0)).unwrap();
        let summary = track.finish();
        assert!((summary.distance_m.unwrap() - 60.0).abs() < 1e-6);
        assert_eq!(summary.moving_s, 20.0);
    }

    #[test]
    fn bounds_hold() {
        let mut track = Track::new();
        track.push(north(0, 0.0)).unwrap();
        let error = track.push(north(3 * 86_400, 0.0)).unwrap_err();
        assert!(matches!(error, ImportError::Implausible(_)), "{error}");
        assert!(matches!(
            position(91.0, 0.0),
            Err(ImportError::Implausible(_))
        ));
        assert!(matches!(
            position(0.0, f64::NAN),
            Err(ImportError::Implausible(_))
        ));
        let mut track = Track::new();
        for _ in 0..limits::MAX_POINTS {
            track.push(Point::default()).unwrap();
        }
        assert!(matches!(
            track.push(Point::default()),
            Err(ImportError::TooLarge(_))
        ));
    }
}
