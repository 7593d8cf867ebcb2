//! The week's volume and long-run targets, and the reason the athlete
//! reads for them: recovery, taper and race weeks, and the loading weeks
//! held to the 10% rule.

use chrono::Duration;

use super::{Context, History};
use crate::domain::plan::generate::periodization;
use crate::domain::plan::generate::workouts::Event;
use crate::domain::plan::rules;
use crate::domain::vocabulary::Phase;

/// The week's volume and long-run targets, and why.
pub struct Targets {
    pub km: f64,
    pub long_km: Option<f64>,
    pub reason: String,
    pub loading_index: Option<usize>,
}

fn pct(value: f64) -> String {
    format!("{:.0}%", 100.0 * value)
}

/// The targets of week `index` from the plan and what came before.
pub(super) fn targets(ctx: &Context, history: &History, index: usize, phase: Phase) -> Targets {
    let previous = *history.weeks_km.last().expect("the week before the plan");
    let reference = history.reference_km();
    let floor = crate::domain::plan::validate::VOLUME_CAP_FLOOR_KM;
    match phase {
        Phase::Recovery => Targets {
            km: 0.75 * previous,
            long_km: Some(0.7 * history.last_long_km.max(3.0)),
            reason: format!(
                "Week {}, recovery: 75% of last week's {previous:.1} km, so that the training of the weeks before can be absorbed (rule {}).",
                index + 1,
                rules::RECOVERY_WEEKS
            ),
            loading_index: None,
        },
        Phase::Taper => {
            let position = index + ctx.taper_weeks - ctx.phases.len();
            let share = periodization::taper_fraction(position, ctx.taper_weeks);
            // The plan's own peak week; without loading weeks, the week before it.
            let peak = if history.best_loading_km > 0.0 {
                history.best_loading_km
            } else {
                ctx.request.current_weekly_km
            };
            let race_week = position + 1 == ctx.taper_weeks;
            // A short race week holds fewer days.
            let days = days_in_week(ctx, index);
            let km = share
                * peak
                * if race_week {
                    (days as f64 - 1.0).max(1.0) / 6.0
                } else {
                    1.0
                };
            let long_share: &[f64] = match ctx.event {
                Event::Marathon => &[0.65, 0.5],
                Event::Half => &[0.65],
                _ => &[],
            };
            let long_km = long_share
                .get(position)
                .filter(|_| !race_week)
                .map(|s| s * history.peak_long_km);
            Targets {
                km,
                long_km,
                reason: if race_week {
                    format!(
                        "Race week: {} of the {peak:.1} km peak week before the race; the last two days hold only short easy runs and no lower-body strength comes in the last four (rules {}, {}, {}).",
                        pct(share),
                        rules::RACE_WEEK_VOLUME,
                        rules::RACE_WEEK_EASY_DAYS,
                        rules::RACE_WEEK_NO_LEG_STRENGTH
                    )
                } else {
                    format!(
                        "Taper week {} of {}: {} of the {peak:.1} km peak week; volume falls every taper week while the quality keeps its pace (rule {}).",
                        position + 1,
                        ctx.taper_weeks,
                        pct(share),
                        rules::TAPER
                    )
                },
                loading_index: None,
            }
        }
        _ if index < ctx.walk_run_weeks => Targets {
            km: 0.0,
            long_km: None,
            reason: String::new(),
            loading_index: None,
        },
        _ => {
            let loading = history.loading_done;
            let planned = ctx.volume.week_km(loading);
            let capped = planned.min((1.1 * reference).max(floor));
            let km = capped.max(history.best_loading_km.min((1.1 * reference).max(floor)));
            let change = if reference > 0.0 {
                km / reference - 1.0
            } else {
                0.0
            };
            let goal = if ctx.event == Event::General {
                "the plan's goal".to_owned()
            } else {
                format!("the {}", ctx.event.name())
            };
            let direction = if km >= ctx.volume.peak_km - 0.05 {
                format!("the plan's peak volume for {goal}")
            } else {
                format!(
                    "building to a {:.1} km peak week for {goal}",
                    ctx.volume.peak_km
                )
            };
            let mut reason = format!(
                "Week {}, {phase}: {km:.1} km planned, {:+.1}% on {reference:.1} km (the larger of the two weeks before; at most +10%, rule {}): {direction}.",
                index + 1,
                100.0 * change,
                rules::RUN_VOLUME_10PCT,
            );
            if loading == 0 && index == ctx.walk_run_weeks && ctx.walk_run_weeks == 0 {
                reason.push_str(" The first week starts from the athlete's current volume.");
            }
            Targets {
                km,
                long_km: Some(ctx.volume.long_km(loading)),
                reason,
                loading_index: Some(loading),
            }
        }
    }
}

fn days_in_week(ctx: &Context, index: usize) -> usize {
    let start = ctx.request.start_date + Duration::days(7 * index as i64);
    ((ctx.end_date - start).num_days() + 1).clamp(1, 7) as usize
}
