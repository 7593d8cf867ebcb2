//! The dates the API accepts: 1900-01-01 to 2200-12-31, for every date
//! and time of every input (bodies, query parameters, cursors).
//!
//! chrono represents years from −262143 to 262142 and PostgreSQL others
//! still; arithmetic near either end panics or fails in the database. No
//! training plan or logged run needs more than these three centuries, so
//! every input is held to them where it is parsed (a 400 pointing at the
//! field), and the domain's date arithmetic is checked on top of that.
//!
//! Input types use the serde helpers here:
//! `#[serde(deserialize_with = "crate::domain::dates::date")]` and its
//! siblings for optional values, lists and times. Rows the service wrote
//! before it bounded dates are read back through [`reading_stored`],
//! which lets them through: the bound is for what comes in, and a stored
//! profile or plan must stay readable (and correctable) rather than fail.

use std::cell::Cell;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

thread_local! {
    static READING_STORED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read` (a deserialization of stored data) with the range checks
/// off, on this thread only.
pub fn reading_stored<T>(read: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            READING_STORED.set(self.0);
        }
    }
    let _restore = Restore(READING_STORED.replace(true));
    read()
}

fn checks_apply() -> bool {
    !READING_STORED.get()
}

pub const MIN_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
pub const MAX_DATE: NaiveDate = NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date");

/// What every refusal says.
pub const OUT_OF_RANGE: &str = "must be between 1900-01-01 and 2200-12-31";

pub fn is_in_range(date: NaiveDate) -> bool {
    (MIN_DATE..=MAX_DATE).contains(&date)
}

/// Whether a moment falls on a day in range (its UTC date).
pub fn is_moment_in_range(moment: DateTime<Utc>) -> bool {
    is_in_range(moment.date_naive())
}

/// `date` plus `days` (negative: minus), `None` when that leaves chrono's
/// range. Callers hold dates in range, so `None` means a bug upstream.
pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    let magnitude = Days::new(days.unsigned_abs());
    if days >= 0 {
        date.checked_add_days(magnitude)
    } else {
        date.checked_sub_days(magnitude)
    }
}

/// A `YYYY-MM-DD` text as a date in range; the error is the detail for a
/// field error.
pub fn parse_date(text: &str) -> Result<NaiveDate, &'static str> {
    let date = text.parse::<NaiveDate>().map_err(|_| "a YYYY-MM-DD date")?;
    if is_in_range(date) {
        Ok(date)
    } else {
        Err(OUT_OF_RANGE)
    }
}

/// The midnight (UTC) that starts `date`.
pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

fn in_range<E: serde::de::Error>(date: NaiveDate) -> Result<NaiveDate, E> {
    if is_in_range(date) || !checks_apply() {
        Ok(date)
    } else {
        Err(E::custom(format!("{date}: {OUT_OF_RANGE}")))
    }
}

fn moment_in_range<E: serde::de::Error>(moment: DateTime<Utc>) -> Result<DateTime<Utc>, E> {
    if is_moment_in_range(moment) || !checks_apply() {
        Ok(moment)
    } else {
        Err(E::custom(format!(
            "{}: {OUT_OF_RANGE}",
            moment.to_rfc3339()
        )))
    }
}

/// `deserialize_with` for a date field.
pub fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    in_range(NaiveDate::deserialize(deserializer)?)
}

/// `deserialize_with` for an optional date field (add `#[serde(default)]`).
pub fn optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    Option::<NaiveDate>::deserialize(deserializer)?
        .map(in_range)
        .transpose()
}

/// `deserialize_with` for a list of dates.
pub fn dates<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<NaiveDate>, D::Error> {
    Vec::<NaiveDate>::deserialize(deserializer)?
        .into_iter()
        .map(in_range)
        .collect()
}

/// `deserialize_with` for an RFC 3339 time field.
pub fn moment<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    moment_in_range(DateTime::<Utc>::deserialize(deserializer)?)
}

/// `deserialize_with` for an optional time field (add `#[serde(default)]`).
pub fn optional_moment<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<DateTime<Utc>>::deserialize(deserializer)?
        .map(moment_in_range)
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Input {
        #[serde(deserialize_with = "date")]
        day: NaiveDate,
        #[serde(default, deserialize_with = "optional_date")]
        maybe: Option<NaiveDate>,
        #[serde(default, deserialize_with = "dates")]
        days: Vec<NaiveDate>,
        #[serde(default, deserialize_with = "optional_moment")]
        at: Option<DateTime<Utc>>,
    }

    fn parse(json: &str) -> Result<Input, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn the_ends_of_the_range_are_in_and_a_day_beyond_is_out() {
        assert!(parse(r#"{"day": "1900-01-01"}"#).is_ok());
        assert!(parse(r#"{"day": "2200-12-31"}"#).is_ok());
        for outside in ["1899-12-31", "2201-01-01", "+262142-12-31", "-262143-01-01"] {
            let error = parse(&format!(r#"{{"day": "{outside}"}}"#)).unwrap_err();
            assert!(error.contains(OUT_OF_RANGE), "{outside}: {error}");
        }
        assert!(parse(r#"{"day": "2027-01-04", "maybe": "0001-01-01"}"#).is_err());
        assert!(parse(r#"{"day": "2027-01-04", "maybe": null}"#).is_ok());
        assert!(parse(r#"{"day": "2027-01-04", "days": ["2027-01-04", "9999-01-01"]}"#).is_err());
        assert!(parse(r#"{"day": "2027-01-04", "at": "2201-01-01T00:00:00Z"}"#).is_err());
        assert!(parse(r#"{"day": "2027-01-04", "at": "2200-12-31T23:59:59Z"}"#).is_ok());
        // A time zone does not move a time out of range by itself.
        assert!(parse(r#"{"day": "2027-01-04", "at": "1900-01-01T01:00:00+01:00"}"#).is_ok());
    }

    #[test]
    fn stored_data_is_read_back_whatever_its_dates() {
        let old = r#"{"day": "1850-06-01"}"#;
        assert!(parse(old).is_err());
        assert_eq!(
            reading_stored(|| parse(old)).unwrap().day,
            NaiveDate::from_ymd_opt(1850, 6, 1).unwrap()
        );
        // Only inside the closure.
        assert!(parse(old).is_err());
        let _ = std::panic::catch_unwind(|| reading_stored(|| panic!("a failed read")));
        assert!(parse(old).is_err());
    }

    #[test]
    fn query_dates_are_parsed_and_bounded() {
        assert_eq!(
            parse_date("2027-01-04"),
            Ok(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap())
        );
        assert_eq!(parse_date("-262143-01-01"), Err(OUT_OF_RANGE));
        assert_eq!(parse_date("2027-02-30"), Err("a YYYY-MM-DD date"));
    }

    proptest! {
        /// Adding days never panics, anywhere in chrono's range.
        #[test]
        fn day_arithmetic_is_checked(days_from_ce in -100_000_000i32..100_000_000, offset in any::<i64>()) {
            if let Some(date) = NaiveDate::from_num_days_from_ce_opt(days_from_ce) {
                let moved = add_days(date, offset);
                if let Some(moved) = moved {
                    prop_assert_eq!((moved - date).num_days(), offset);
                }
            }
        }
    }
}
