//! Race plans: the race on its date, a taper of the right length whose
//! volume falls every week, a race week at 40–60% of the peak, the last
//! two days easy and short, no leg strength in the last four.

use chrono::NaiveDate;

use super::volume::week_km;
use super::{Days, EPSILON_KM, Findings, is_leg_heavy, percent_beyond, taper_weeks};
use crate::domain::plan::catalog::PlanCatalog;
use crate::domain::plan::model::Plan;
use crate::domain::plan::rules;
use crate::domain::vocabulary::{Phase, SessionKind};

/// The longest run of each of the last two days before a race.
pub const EASY_DAY_MAX_MIN: u16 = 30;

pub(super) fn check_race(
    plan: &Plan,
    days: &Days<'_>,
    catalog: &PlanCatalog,
    findings: &mut Findings,
) {
    let Some(race) = &plan.race else { return };
    let on = |date: NaiveDate| days.iter().find(|(d, _)| *d == date).map(|(_, s)| *s);
    let in_plan = days.iter().any(|(d, _)| *d == race.date);
    if in_plan
        && !on(race.date)
            .is_some_and(|sessions| sessions.iter().any(|s| s.kind == SessionKind::Race))
    {
        findings.add(
            rules::RACE_DAY,
            &[race.date],
            format!(
                "The plan has no session of kind `race` on the race date, {}.",
                race.date
            ),
            "Add the race as a session of kind `race` on its date, with its distance.",
        );
    }
    for before in 1..=4 {
        let Some(date) = crate::domain::dates::add_days(race.date, -before) else {
            continue;
        };
        let Some(sessions) = on(date) else { continue };
        for session in sessions.iter() {
            if is_leg_heavy(session, catalog) {
                findings.add(
                    rules::RACE_WEEK_NO_LEG_STRENGTH,
                    &[date],
                    format!(
                        "{} on {date} loads the legs {before} day(s) before the race.",
                        session.title
                    ),
                    "Move lower-body strength at least five days before the race, or keep it to upper body and core.",
                );
            }
            let easy_and_short = match session.kind {
                SessionKind::EasyRun => {
                    session.duration_min <= EASY_DAY_MAX_MIN && session.target_rpe <= 4
                }
                SessionKind::Rest | SessionKind::Mobility => true,
                _ => false,
            };
            if before <= 2 && !easy_and_short {
                findings.add(
                    rules::RACE_WEEK_EASY_DAYS,
                    &[date],
                    format!(
                        "{} on {date} ({} min, RPE {}) is {before} day(s) before the race: only short easy runs (at most {EASY_DAY_MAX_MIN} min, RPE 4 or less) or strides then.",
                        session.title, session.duration_min, session.target_rpe
                    ),
                    "Keep the last two days to 20–30 minutes of easy running, with a few strides.",
                );
            }
        }
    }
    check_taper(plan, findings);
    check_race_week(plan, findings);
}

fn check_taper(plan: &Plan, findings: &mut Findings) {
    let Some(race) = &plan.race else { return };
    if plan.weeks.len() < 2 {
        return;
    }
    let taper_count = plan
        .weeks
        .iter()
        .rev()
        .take_while(|w| w.phase == Phase::Taper)
        .count();
    let (fewest, most) = taper_weeks(race);
    // Short plans cannot hold a full taper; one week is then enough.
    let fewest = fewest.min(plan.weeks.len().saturating_sub(1)).max(1);
    let last = plan.weeks.last().map_or(plan.end_date, |w| w.start_date);
    if !(fewest..=most).contains(&taper_count) {
        findings.add(
            rules::TAPER,
            &[last],
            format!(
                "The plan ends with {taper_count} taper week(s); {fewest}–{most} suit this race."
            ),
            "End with the taper length for the race distance, cutting volume while keeping some intensity.",
        );
    }
    let first_taper = plan.weeks.len() - taper_count;
    for index in first_taper.max(1)..plan.weeks.len() {
        let (before, week) = (&plan.weeks[index - 1], &plan.weeks[index]);
        let (before_km, km) = (week_km(before), week_km(week));
        if km > before_km - EPSILON_KM && before_km > 0.0 {
            findings.add(
                rules::TAPER,
                &[week.start_date],
                format!(
                    "Taper week {} runs {km:.1} km, not less than the {before_km:.1} km of the week before; taper volume falls every week.",
                    week.index
                ),
                "Cut each taper week's volume below the week before.",
            );
        }
    }
}

/// The race week: 40–60% of the peak week, pro-rated when the plan's last
/// week holds fewer than six days before the race.
fn check_race_week(plan: &Plan, findings: &mut Findings) {
    let (Some(race), Some(last)) = (&plan.race, plan.weeks.last()) else {
        return;
    };
    let peak = plan
        .weeks
        .iter()
        .filter(|w| w.phase != Phase::Taper)
        .map(week_km)
        .reduce(f64::max)
        .or_else(|| plan.athlete.as_ref().map(|a| a.current_weekly_km))
        .unwrap_or(0.0);
    let days_before = last.days.iter().filter(|d| d.date < race.date).count();
    if peak <= 0.0 || days_before == 0 {
        return;
    }
    let expected = peak * (days_before.min(6) as f64 / 6.0);
    let share = week_km(last) / expected;
    if !(0.4 - 0.005..=0.6 + 0.005).contains(&share) {
        let limit = if share < 0.4 { 0.4 } else { 0.6 };
        findings.add(
            rules::RACE_WEEK_VOLUME,
            &[last.start_date],
            format!(
                "The race week runs {:.1} km, {} of the {peak:.1} km peak week{}; 40–60% is wanted.",
                week_km(last),
                percent_beyond(share, limit),
                if days_before < 6 {
                    format!(" pro-rated to its {days_before} day(s) before the race")
                } else {
                    String::new()
                }
            ),
            "Run the race week at about half of the peak week, with a little race-pace work early in the week.",
        );
    }
}
