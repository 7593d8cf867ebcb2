//! The week's structure: which kind of session goes on which day. Solved
//! once per plan by an exhaustive search over the seven days that keeps
//! every hard placement rule (also across the week boundary, since every
//! week repeats it) and scores the soft ones.

/// What one day of the template holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Rest,
    Easy,
    Key,
    Long,
    Strength,
    Hiit,
    /// A quality run in the morning, leg strength in the evening.
    KeyThenStrength,
    /// An easy run in the morning, strength in the evening.
    EasyThenStrength,
}

impl Slot {
    pub fn runs(self) -> u8 {
        match self {
            Slot::Easy
            | Slot::Key
            | Slot::Long
            | Slot::Hiit
            | Slot::KeyThenStrength
            | Slot::EasyThenStrength => 1,
            Slot::Rest | Slot::Strength => 0,
        }
    }

    /// Leg-heavy strength work (every generated strength session is).
    pub fn strength(self) -> u8 {
        match self {
            Slot::Strength | Slot::Hiit | Slot::KeyThenStrength | Slot::EasyThenStrength => 1,
            _ => 0,
        }
    }

    pub fn key(self) -> u8 {
        match self {
            Slot::Key | Slot::Hiit | Slot::KeyThenStrength => 1,
            _ => 0,
        }
    }

    /// What may follow a leg day: rest or an easy run only.
    fn allowed_after_leg_day(self) -> bool {
        matches!(self, Slot::Rest | Slot::Easy)
    }
}

/// What the week must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// Template day index (0 = the plan's first weekday) → may train.
    pub available: [bool; 7],
    pub long_day: Option<usize>,
    pub runs: u8,
    pub strength: u8,
    pub key: u8,
    pub hiit: u8,
    pub min_rest_days: u8,
    pub two_a_days: bool,
    /// Days too short for a quality run and a strength session together
    /// (under 90 minutes): strength then pairs with an easy run instead.
    pub short_days: bool,
}

const SINGLE: &[Slot] = &[
    Slot::Rest,
    Slot::Easy,
    Slot::Key,
    Slot::Long,
    Slot::Strength,
    Slot::Hiit,
];
const DOUBLE: &[Slot] = &[
    Slot::Rest,
    Slot::Easy,
    Slot::Key,
    Slot::Long,
    Slot::Strength,
    Slot::Hiit,
    Slot::KeyThenStrength,
    Slot::EasyThenStrength,
];

/// Whether the template breaks a hard rule between day `day` and the next
/// (cyclically).
fn follows(previous: Slot, next: Slot) -> bool {
    previous.strength() == 0 || next.allowed_after_leg_day()
}

/// Soft-rule penalty of a complete week; lower is better.
fn penalty(week: &[Slot; 7], short_days: bool) -> u32 {
    let mut penalty = 0;
    for day in 0..7 {
        let today = week[day];
        let tomorrow = week[(day + 1) % 7];
        // Alternate strength and running days where possible.
        if today == Slot::EasyThenStrength {
            penalty += 4;
        }
        if today == Slot::KeyThenStrength {
            penalty += if short_days { 8 } else { 2 };
        }
        // Quality the day before the long run, or two quality days in a row.
        if today.key() == 1 && (tomorrow == Slot::Long || tomorrow.key() == 1) {
            penalty += 3;
        }
        // Strength straight after the long run.
        if today == Slot::Long && tomorrow.strength() == 1 {
            penalty += 1;
        }
        // Rest days spread out rather than stacked.
        if today == Slot::Rest && tomorrow == Slot::Rest {
            penalty += 1;
        }
    }
    penalty
}

struct Search<'a> {
    demand: &'a Demand,
    options: &'a [Slot],
    week: [Slot; 7],
    best: Option<([Slot; 7], u32)>,
}

impl Search<'_> {
    fn run(&mut self, day: usize, runs: u8, strength: u8, key: u8, hiit: u8, rest: u8) {
        let d = self.demand;
        let left = (7 - day) as u8;
        // Not enough days left to place what is still owed.
        let owed_rest = d.min_rest_days.saturating_sub(rest);
        if (d.runs - runs).max(d.strength - strength) > left || owed_rest > left {
            return;
        }
        if day == 7 {
            if runs == d.runs
                && strength == d.strength
                && key == d.key
                && hiit == d.hiit
                && rest >= d.min_rest_days
            {
                if !follows(self.week[6], self.week[0]) {
                    return;
                }
                let score = penalty(&self.week, d.short_days);
                if self.best.as_ref().is_none_or(|(_, best)| score < *best) {
                    self.best = Some((self.week, score));
                }
            }
            return;
        }
        let options: &[Slot] = if d.available[day] {
            self.options
        } else {
            &[Slot::Rest]
        };
        for &slot in options {
            let is_long_day = d.long_day == Some(day);
            if (slot == Slot::Long) != is_long_day {
                continue;
            }
            if day > 0 && !follows(self.week[day - 1], slot) {
                continue;
            }
            let (r, s, k, h) = (
                runs + slot.runs(),
                strength + slot.strength(),
                key + slot.key(),
                hiit + u8::from(slot == Slot::Hiit),
            );
            if r > d.runs || s > d.strength || k > d.key || h > d.hiit {
                continue;
            }
            self.week[day] = slot;
            self.run(day + 1, r, s, k, h, rest + u8::from(slot == Slot::Rest));
        }
    }
}

/// The best week for `demand`, or None when no week keeps the hard rules.
pub fn solve(demand: &Demand) -> Option<[Slot; 7]> {
    if demand.runs > 0 && demand.long_day.is_none() {
        return None;
    }
    let mut search = Search {
        demand,
        options: if demand.two_a_days { DOUBLE } else { SINGLE },
        week: [Slot::Rest; 7],
        best: None,
    };
    search.run(0, 0, 0, 0, 0, 0);
    search.best.map(|(week, _)| week)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demand(available: &[usize], long_day: usize, runs: u8, strength: u8, key: u8) -> Demand {
        let mut days = [false; 7];
        for day in available {
            days[*day] = true;
        }
        Demand {
            available: days,
            long_day: Some(long_day),
            runs,
            strength,
            key,
            hiit: 0,
            min_rest_days: 1,
            two_a_days: false,
            short_days: false,
        }
    }

    fn check(week: &[Slot; 7], demand: &Demand) {
        assert_eq!(week.iter().map(|s| s.runs()).sum::<u8>(), demand.runs);
        assert_eq!(
            week.iter().map(|s| s.strength()).sum::<u8>(),
            demand.strength
        );
        for day in 0..7 {
            assert!(follows(week[day], week[(day + 1) % 7]), "{week:?}");
            if !demand.available[day] {
                assert_eq!(week[day], Slot::Rest);
            }
        }
        assert_eq!(week[demand.long_day.unwrap()], Slot::Long);
    }

    #[test]
    fn a_typical_week_keeps_legs_away_from_the_long_run() {
        let demand = demand(&[0, 1, 2, 3, 5, 6], 6, 4, 2, 1);
        let week = solve(&demand).expect("feasible");
        check(&week, &demand);
        assert_ne!(
            week[5].strength(),
            1,
            "no leg day before the long run: {week:?}"
        );
    }

    #[test]
    fn three_strength_sessions_and_a_long_run_in_three_days_is_infeasible() {
        let demand = demand(&[0, 2, 4], 4, 1, 3, 0);
        assert_eq!(solve(&demand), None);
    }

    #[test]
    fn two_a_days_fit_more_into_fewer_days() {
        let mut tight = demand(&[0, 2, 4, 6], 6, 4, 2, 1);
        assert_eq!(solve(&tight), None);
        tight.two_a_days = true;
        let week = solve(&tight).expect("feasible with two-a-days");
        check(&week, &tight);
    }
}
