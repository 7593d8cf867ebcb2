//! A plan as an iCalendar feed (RFC 5545): one event per session, at the
//! session's time of day, in floating local time (the athlete's own clock,
//! wherever they travel).

use chrono::{DateTime, Utc};

use super::model::{Plan, PlannedSession};
use crate::ids::PlanId;

/// Escapes TEXT values (RFC 5545 §3.3.11). Control characters other than
/// tab cannot appear in TEXT at all; names typed by users may hold them,
/// so they are dropped.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push('\t'),
            c if c.is_control() => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Folds a content line at 75 octets, never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn describe(session: &PlannedSession) -> String {
    let mut lines = vec![format!("Target effort: RPE {} of 10.", session.target_rpe)];
    if let Some(km) = session.distance_km {
        lines.push(format!("Distance: {km:.1} km."));
    }
    let list = |label: &str, items: &[super::model::PlannedExercise]| {
        (!items.is_empty()).then(|| {
            let names: Vec<String> = items
                .iter()
                .map(|e| {
                    let dose = match (e.reps, e.hold_s) {
                        (Some(reps), _) => format!("{} {}×{}", e.exercise_slug, e.sets, reps),
                        (None, Some(hold)) => format!("{} {}×{} s", e.exercise_slug, e.sets, hold),
                        _ => e.exercise_slug.clone(),
                    };
                    match e.load_kg {
                        Some(load) => format!("{dose} @ {load} kg"),
                        None => dose,
                    }
                })
                .collect();
            format!("{label}: {}.", names.join(", "))
        })
    };
    if !session.steps.is_empty() {
        lines.push(format!(
            "Steps: {}.",
            super::steps::describe(&session.steps)
        ));
    }
    lines.extend(list("Warm-up", &session.warm_up));
    lines.extend(list("Exercises", &session.exercises));
    lines.extend(list("Cool-down", &session.cool_down));
    lines.extend(session.reasons.iter().cloned());
    lines.join("\n")
}

/// The events of one stored plan: its sessions, with UIDs made of the
/// plan's id, the day and the session's place in it (stable across
/// fetches, new for an adapted plan, which is a plan of its own).
pub struct PlanEvents<'a> {
    pub plan: &'a Plan,
    pub plan_id: PlanId,
    /// When the plan was made (DTSTAMP), passed in so the text is a pure
    /// function of the stored plans (and its ETag with it).
    pub stamp: DateTime<Utc>,
}

/// How a calendar introduces itself.
pub struct CalendarHeader<'a> {
    /// X-WR-CALNAME, the name calendar apps show.
    pub name: &'a str,
    /// For subscriptions: how often to poll (RFC 7986 REFRESH-INTERVAL,
    /// and X-PUBLISHED-TTL, which Outlook reads instead).
    pub refresh_minutes: Option<u32>,
}

/// One plan's calendar text (the export of `GET /v1/plans/{id}/calendar.ics`).
pub fn to_ics(plan: &Plan, plan_id: PlanId, stamp: DateTime<Utc>) -> String {
    calendar_ics(
        &CalendarHeader {
            name: "runstrong training plan",
            refresh_minutes: None,
        },
        &[PlanEvents {
            plan,
            plan_id,
            stamp,
        }],
    )
}

/// A calendar holding the events of every plan given, in that order.
pub fn calendar_ics(header: &CalendarHeader, plans: &[PlanEvents]) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//runstrong//plan calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(header.name)), &mut out);
    if let Some(minutes) = header.refresh_minutes {
        fold(
            &format!("REFRESH-INTERVAL;VALUE=DURATION:PT{minutes}M"),
            &mut out,
        );
        fold(&format!("X-PUBLISHED-TTL:PT{minutes}M"), &mut out);
    }
    for events in plans {
        push_events(events, &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

fn push_events(events: &PlanEvents, out: &mut String) {
    let plan_id = events.plan_id;
    let stamp = events.stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for day in events.plan.days() {
        for (index, session) in day.sessions.iter().enumerate() {
            let start = session.time_of_day.start_minute();
            fold("BEGIN:VEVENT", out);
            fold(
                &format!(
                    "UID:{plan_id}-{}-{index}@runstrong",
                    day.date.format("%Y%m%d")
                ),
                out,
            );
            fold(&format!("DTSTAMP:{stamp}"), out);
            fold(
                &format!(
                    "DTSTART:{}T{:02}{:02}00",
                    day.date.format("%Y%m%d"),
                    start / 60,
                    start % 60
                ),
                out,
            );
            fold(&format!("DURATION:PT{}M", session.duration_min.max(1)), out);
            fold(&format!("SUMMARY:{}", escape(&session.title)), out);
            fold(&format!("DESCRIPTION:{}", escape(&describe(session))), out);
            fold(&format!("CATEGORIES:{}", session.kind), out);
            fold("END:VEVENT", out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::fixtures::{marathon_request, seed_catalog};
    use crate::domain::plan::generate::generate;
    use uuid::Uuid;

    /// Unfolds and splits into (name, value) pairs, as a calendar app would.
    fn parse(text: &str) -> Vec<(String, String)> {
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.ends_with("\r\n"));
        unfolded
            .split("\r\n")
            .filter(|line| !line.is_empty())
            .map(|line| {
                let (name, value) = line
                    .split_once(':')
                    .expect("every line has a name and a value");
                (name.to_owned(), value.to_owned())
            })
            .collect()
    }

    #[test]
    fn every_session_becomes_one_event_on_its_day_and_time() {
        let plan = generate(&marathon_request(), &seed_catalog()).unwrap();
        let text = to_ics(
            &plan,
            PlanId::from(Uuid::nil()),
            DateTime::from_timestamp(0, 0).unwrap(),
        );
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "unfolded line: {line}");
        }
        let lines = parse(&text);
        let sessions: usize = plan.days().map(|d| d.sessions.len()).sum();
        assert_eq!(
            lines
                .iter()
                .filter(|(n, v)| n == "BEGIN" && v == "VEVENT")
                .count(),
            sessions
        );
        let starts: Vec<&String> = lines
            .iter()
            .filter(|(n, _)| n == "DTSTART")
            .map(|(_, v)| v)
            .collect();
        let first = plan.days().find(|d| !d.sessions.is_empty()).unwrap();
        assert!(starts[0].starts_with(&first.date.format("%Y%m%d").to_string()));
        let uids: std::collections::HashSet<&String> = lines
            .iter()
            .filter(|(n, _)| n == "UID")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(uids.len(), sessions, "UIDs must be unique");
        assert_eq!(lines.first().unwrap().1, "VCALENDAR");
        assert_eq!(
            lines.last().unwrap(),
            &("END".to_owned(), "VCALENDAR".to_owned())
        );
    }

    #[test]
    fn the_race_is_an_event_and_runs_describe_their_steps() {
        let plan = generate(&marathon_request(), &seed_catalog()).unwrap();
        let text = to_ics(
            &plan,
            PlanId::from(Uuid::nil()),
            DateTime::from_timestamp(0, 0).unwrap(),
        );
        let unfolded = text.replace("\r\n ", "");
        let race = unfolded
            .split("BEGIN:VEVENT")
            .find(|event| event.contains("CATEGORIES:race"))
            .expect("the race is in the calendar");
        assert!(race.contains("DTSTART:20270418T"), "{race}");
        assert!(race.contains("SUMMARY:Race: marathon (42.2 km)"), "{race}");
        assert!(
            race.contains("Steps: 15 min warm-up") || race.contains("Steps: 5 min warm-up"),
            "{race}"
        );
        assert!(
            unfolded.contains("× ("),
            "interval runs list their repeat groups"
        );
    }

    #[test]
    fn one_calendar_holds_several_plans_with_distinct_uids() {
        let plan = generate(&marathon_request(), &seed_catalog()).unwrap();
        let stamp = DateTime::from_timestamp(0, 0).unwrap();
        let (a, b) = (
            PlanId::from(Uuid::from_u128(1)),
            PlanId::from(Uuid::from_u128(2)),
        );
        let text = calendar_ics(
            &CalendarHeader {
                name: "Sam, subscribed",
                refresh_minutes: Some(60),
            },
            &[
                PlanEvents {
                    plan: &plan,
                    plan_id: a,
                    stamp,
                },
                PlanEvents {
                    plan: &plan,
                    plan_id: b,
                    stamp,
                },
            ],
        );
        let lines = parse(&text);
        let sessions: usize = plan.days().map(|d| d.sessions.len()).sum();
        let uids: std::collections::HashSet<&String> = lines
            .iter()
            .filter(|(n, _)| n == "UID")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(uids.len(), 2 * sessions);
        assert!(lines.contains(&("X-WR-CALNAME".to_owned(), "Sam\\, subscribed".to_owned())));
        assert!(lines.contains(&(
            "REFRESH-INTERVAL;VALUE=DURATION".to_owned(),
            "PT60M".to_owned()
        )));
        // The single-plan export is the same calendar with one plan.
        assert_eq!(
            to_ics(&plan, a, stamp).matches("BEGIN:VEVENT").count(),
            sessions
        );
    }

    #[test]
    fn text_is_escaped_and_long_lines_fold_on_character_boundaries() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(escape("bell\u{7}\r\u{85}\tend"), "bell\tend");
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        assert!(out.split("\r\n").all(|line| line.len() <= 75));
        assert_eq!(
            out.replace("\r\n ", "").trim_end(),
            format!("SUMMARY:{}", "é".repeat(60))
        );
    }
}
