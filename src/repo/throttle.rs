//! Throttles kept in PostgreSQL, so that every instance sees the same
//! counts: the sign-in lockout per email, and registrations and sign-ins
//! per client address.
//!
//! Both count an attempt *before* its password is hashed, in one atomic
//! step (a row lock, or one upsert), so concurrent attempts cannot all
//! pass a check that none of them has counted yet.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::{
    Connection,
    prelude::*,
    sql_types::{Integer, Nullable, Text, Timestamptz},
};

use super::error::{RepoError, RepoResult};

/// The email lockout: at most `max_attempts` sign-ins per email in a
/// window; reaching it locks the email for one window.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_attempts: u32,
    pub window: Duration,
}

/// An email's throttle row. `attempts` counts sign-ins since the window
/// started (the column keeps its first name, `failures`): a successful
/// sign-in deletes the row, so what remains are failures and attempts
/// still being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutRow {
    pub attempts: i32,
    pub window_started_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LockoutRow {
    /// When the row stops mattering, for the retention job.
    pub fn expires_at(&self, policy: &LockoutPolicy) -> DateTime<Utc> {
        let window_end = self.window_started_at + chrono_window(policy.window);
        self.locked_until
            .map_or(window_end, |until| until.max(window_end))
    }
}

fn chrono_window(window: Duration) -> chrono::Duration {
    chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(1))
}

/// Whether an attempt may have its password checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Allowed,
    LockedOut { retry_after_s: u64 },
}

/// The attempt's verdict and the row after counting it. Pure: the row
/// lock in [`reserve_sign_in`] makes it atomic.
pub fn count_attempt(
    row: LockoutRow,
    now: DateTime<Utc>,
    policy: &LockoutPolicy,
) -> (LockoutRow, Attempt) {
    if let Some(until) = row.locked_until.filter(|until| *until > now) {
        return (
            row,
            Attempt::LockedOut {
                retry_after_s: seconds_between(now, until),
            },
        );
    }
    let window = chrono_window(policy.window);
    let (earlier, window_started_at) = if row.window_started_at + window <= now {
        (0, now)
    } else {
        (row.attempts, row.window_started_at)
    };
    let attempts = earlier.saturating_add(1);
    let max = i32::try_from(policy.max_attempts).unwrap_or(i32::MAX);
    if attempts > max {
        let locked_until = now + window;
        let row = LockoutRow {
            attempts,
            window_started_at,
            locked_until: Some(locked_until),
        };
        let verdict = Attempt::LockedOut {
            retry_after_s: seconds_between(now, locked_until),
        };
        return (row, verdict);
    }
    let row = LockoutRow {
        attempts,
        window_started_at,
        locked_until: None,
    };
    (row, Attempt::Allowed)
}

fn seconds_between(now: DateTime<Utc>, later: DateTime<Utc>) -> u64 {
    let millis = (later - now).num_milliseconds().max(0) as u64;
    millis.div_ceil(1000).max(1)
}

fn locked_out(retry_after_s: u64) -> RepoError {
    RepoError::Throttled {
        detail: format!("too many failed sign-ins for this email; try again in {retry_after_s} s"),
        retry_after_s,
    }
}

#[derive(QueryableByName)]
struct StoredLockout {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = Timestamptz)]
    window_started_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    locked_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    now: DateTime<Utc>,
}

/// Counts a sign-in attempt for `email_normalized` under the row's lock;
/// 429 with the time left when the email is locked out (or this attempt
/// is the one too many, which locks it).
pub fn reserve_sign_in(
    connection: &mut PgConnection,
    email_normalized: &str,
    policy: &LockoutPolicy,
) -> RepoResult<()> {
    let verdict = connection.transaction(|connection| {
        diesel::sql_query(
            "INSERT INTO login_throttle (email_normalized, failures, window_started_at, expires_at)
             VALUES ($1, 0, now(), now())
             ON CONFLICT (email_normalized) DO NOTHING",
        )
        .bind::<Text, _>(email_normalized)
        .execute(connection)?;
        let stored: StoredLockout = diesel::sql_query(
            "SELECT failures, window_started_at, locked_until, now() AS now
             FROM login_throttle WHERE email_normalized = $1 FOR UPDATE",
        )
        .bind::<Text, _>(email_normalized)
        .get_result(connection)?;
        let row = LockoutRow {
            attempts: stored.failures,
            window_started_at: stored.window_started_at,
            locked_until: stored.locked_until,
        };
        let (counted, verdict) = count_attempt(row, stored.now, policy);
        if counted != row {
            diesel::sql_query(
                "UPDATE login_throttle
                 SET failures = $2, window_started_at = $3, locked_until = $4, expires_at = $5
                 WHERE email_normalized = $1",
            )
            .bind::<Text, _>(email_normalized)
            .bind::<Integer, _>(counted.attempts)
            .bind::<Timestamptz, _>(counted.window_started_at)
            .bind::<Nullable<Timestamptz>, _>(counted.locked_until)
            .bind::<Timestamptz, _>(counted.expires_at(policy))
            .execute(connection)?;
        }
        Ok::<_, RepoError>(verdict)
    })?;
    match verdict {
        Attempt::Allowed => Ok(()),
        Attempt::LockedOut { retry_after_s } => Err(locked_out(retry_after_s)),
    }
}

/// After a wrong password: the attempt that reached the limit locks the
/// email for one window.
pub fn record_sign_in_failure(
    connection: &mut PgConnection,
    email_normalized: &str,
    policy: &LockoutPolicy,
) -> RepoResult<()> {
    diesel::sql_query(
        "UPDATE login_throttle
         SET locked_until = now() + make_interval(secs => $3),
             expires_at = greatest(expires_at, now() + make_interval(secs => $3))
         WHERE email_normalized = $1 AND failures >= $2
           AND (locked_until IS NULL OR locked_until <= now())",
    )
    .bind::<Text, _>(email_normalized)
    .bind::<Integer, _>(i32::try_from(policy.max_attempts).unwrap_or(i32::MAX))
    .bind::<Integer, _>(window_seconds(policy.window))
    .execute(connection)?;
    Ok(())
}

/// Forgets the attempts of an email after a successful sign-in.
pub fn clear_sign_in(connection: &mut PgConnection, email_normalized: &str) -> RepoResult<()> {
    diesel::sql_query("DELETE FROM login_throttle WHERE email_normalized = $1")
        .bind::<Text, _>(email_normalized)
        .execute(connection)?;
    Ok(())
}

fn window_seconds(window: Duration) -> i32 {
    i32::try_from(window.as_secs()).unwrap_or(i32::MAX)
}

/// What an address throttle counts (the `action` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressAction {
    Register,
    SignIn,
}

impl AddressAction {
    fn as_str(self) -> &'static str {
        match self {
            AddressAction::Register => "register",
            AddressAction::SignIn => "sign_in",
        }
    }

    fn refusal(self, retry_after_s: u64) -> RepoError {
        let what = match self {
            AddressAction::Register => "registrations",
            AddressAction::SignIn => "sign-ins",
        };
        RepoError::Throttled {
            detail: format!(
                "too many {what} from your network address; try again in {retry_after_s} s"
            ),
            retry_after_s,
        }
    }
}

/// At most `limit` attempts per `window` for one action and address.
#[derive(Debug, Clone, Copy)]
pub struct AddressPolicy {
    pub limit: u32,
    pub window: Duration,
}

#[derive(QueryableByName)]
struct AddressCount {
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    expires_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    now: DateTime<Utc>,
}

/// Counts one attempt of `action` from `address` (the client's network,
/// as `http::client_address::ClientAddress` names it) in one upsert (the row
/// lock of `ON CONFLICT DO UPDATE` serializes concurrent attempts); 429
/// with the time left in the window when it is over the limit.
pub fn count_address_attempt(
    connection: &mut PgConnection,
    action: AddressAction,
    address: &str,
    policy: &AddressPolicy,
) -> RepoResult<()> {
    let counted: AddressCount = diesel::sql_query(
        "INSERT INTO address_throttle AS t (action, address, attempts, window_started_at, expires_at)
         VALUES ($1, $2, 1, now(), now() + make_interval(secs => $3))
         ON CONFLICT (action, address) DO UPDATE SET
             attempts = CASE WHEN t.expires_at <= now() THEN 1
                             ELSE least(t.attempts, 1000000000) + 1 END,
             window_started_at = CASE WHEN t.expires_at <= now() THEN now()
                                      ELSE t.window_started_at END,
             expires_at = CASE WHEN t.expires_at <= now() THEN now() + make_interval(secs => $3)
                               ELSE t.expires_at END
         RETURNING attempts, expires_at, now() AS now",
    )
    .bind::<Text, _>(action.as_str())
    .bind::<Text, _>(address)
    .bind::<Integer, _>(window_seconds(policy.window))
    .get_result(connection)?;
    if i64::from(counted.attempts) > i64::from(policy.limit) {
        Err(action.refusal(seconds_between(counted.now, counted.expires_at)))
    } else {
        Ok(())
    }
}

/// Deletes up to `batch` expired rows of each throttle table; returns how
/// many went. Expired rows count nothing: an absent row means the same.
pub fn purge_expired(connection: &mut PgConnection, batch: i64) -> RepoResult<usize> {
    let logins = diesel::sql_query(
        "DELETE FROM login_throttle WHERE email_normalized IN (
             SELECT email_normalized FROM login_throttle
             WHERE expires_at < now() LIMIT $1 FOR UPDATE SKIP LOCKED)",
    )
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .execute(connection)?;
    let addresses = diesel::sql_query(
        "DELETE FROM address_throttle WHERE (action, address) IN (
             SELECT action, address FROM address_throttle
             WHERE expires_at < now() LIMIT $1 FOR UPDATE SKIP LOCKED)",
    )
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .execute(connection)?;
    Ok(logins + addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    const POLICY: LockoutPolicy = LockoutPolicy {
        max_attempts: 3,
        window: Duration::from_secs(60),
    };

    fn fresh(now: DateTime<Utc>) -> LockoutRow {
        LockoutRow {
            attempts: 0,
            window_started_at: now,
            locked_until: None,
        }
    }

    #[test]
    fn the_attempt_over_the_limit_is_refused_and_locks() {
        let mut row = fresh(at(0));
        for second in 0..3 {
            let (next, verdict) = count_attempt(row, at(second), &POLICY);
            assert_eq!(verdict, Attempt::Allowed);
            row = next;
        }
        assert_eq!(row.attempts, 3);
        let (locked, verdict) = count_attempt(row, at(3), &POLICY);
        assert_eq!(verdict, Attempt::LockedOut { retry_after_s: 60 });
        assert_eq!(locked.locked_until, Some(at(63)));
        // Locked: refused with the time left, and nothing more is counted.
        let (still, verdict) = count_attempt(locked, at(33), &POLICY);
        assert_eq!(verdict, Attempt::LockedOut { retry_after_s: 30 });
        assert_eq!(still, locked);
        assert_eq!(locked.expires_at(&POLICY), at(63));
    }

    #[test]
    fn a_new_window_starts_the_count_again() {
        let row = LockoutRow {
            attempts: 3,
            window_started_at: at(0),
            locked_until: Some(at(30)),
        };
        let (next, verdict) = count_attempt(row, at(61), &POLICY);
        assert_eq!(verdict, Attempt::Allowed);
        assert_eq!(next.attempts, 1);
        assert_eq!(next.window_started_at, at(61));
        assert_eq!(next.locked_until, None);
        assert_eq!(next.expires_at(&POLICY), at(121));
    }
}
