//! Start-up preparation of the database: create it when it does not exist,
//! then, under an advisory lock so that instances starting together take
//! turns, apply the embedded migrations and seed the catalog.
//!
//! All of it needs a session of its own, so it runs on the direct URL
//! (`Config::direct_database_url`), never through a transaction pooler:
//! `pg_advisory_lock` is held by a session, and through PgBouncer in
//! transaction mode the unlock could run on another server connection
//! than the lock (which would then stay held by a pooled connection
//! nobody owns); `CREATE DATABASE` needs the server's `postgres` database,
//! which a pooler rarely lists; and a migration may run longer than the
//! pooler lets one transaction hold a server connection.

use diesel::{
    PgConnection, QueryableByName, RunQueryDsl,
    sql_types::{BigInt, Bool, Text},
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the advisory lock held while migrating and seeding ("runstrng").
const MIGRATION_LOCK_KEY: i64 = 0x7275_6e73_7472_6e67;

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("DATABASE_URL must look like postgres://user@host:port/database, got {0:?}")]
    BadUrl(String),
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("catalog seed failed: {0}")]
    Seed(String),
}

/// Splits `postgres://…/name?params` into the URL of the server's
/// `postgres` maintenance database and the name of the target database.
pub fn split_database_url(url: &str) -> Result<(String, String), PrepareError> {
    // The error is logged at start-up: never with the password in it.
    let bad = || PrepareError::BadUrl(without_password(url));
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").ok_or_else(bad)? + 3;
    let slash = base[scheme_end..].rfind('/').ok_or_else(bad)? + scheme_end;
    let name = &base[slash + 1..];
    if name.is_empty() {
        return Err(bad());
    }
    let mut maintenance = format!("{}/postgres", &base[..slash]);
    if let Some(query) = query {
        maintenance.push('?');
        maintenance.push_str(query);
    }
    Ok((maintenance, name.to_owned()))
}

/// `url` with the password of its user info (`user:password@`), if any,
/// replaced by `***`.
pub fn without_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|at| at + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |at| at + scheme_end);
    let authority = &url[scheme_end..authority_end];
    match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &authority[..colon],
                &url[scheme_end + at..]
            ),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

fn database_exists(
    connection: &mut PgConnection,
    name: &str,
) -> Result<bool, diesel::result::Error> {
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<Text, _>(name)
        .get_result::<Exists>(connection)
        .map(|row| row.exists)
}

/// Creates the database named in `url` unless it exists. Two instances may
/// race here; the loser sees "already exists" and carries on.
pub fn create_database_if_missing(url: &str) -> Result<(), PrepareError> {
    let (maintenance_url, name) = split_database_url(url)?;
    let mut connection = super::establish(&maintenance_url)?;
    if database_exists(&mut connection, &name)? {
        return Ok(());
    }
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    match diesel::sql_query(format!("CREATE DATABASE {quoted}")).execute(&mut connection) {
        Ok(_) => {
            tracing::info!(database = %name, "created database");
            Ok(())
        }
        Err(error) if database_exists(&mut connection, &name)? => {
            tracing::debug!(%error, "database created concurrently by another instance");
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// Applies pending migrations and seeds the catalog while holding a
/// session-level advisory lock, released when this connection closes even
/// if this process dies half-way.
pub fn migrate_and_seed(url: &str) -> Result<(), PrepareError> {
    let mut connection = super::establish(url)?;
    // Migrations are not requests: the limits stored for the role behind
    // a pooler (`store_session_limits`) must not cut one short.
    diesel::sql_query("SET statement_timeout = 0").execute(&mut connection)?;
    under_preparation_lock(&mut connection, apply_under_lock)
}

/// Runs `work` while holding the session-level advisory lock that
/// instances starting together take turns on.
fn under_preparation_lock(
    connection: &mut PgConnection,
    work: impl FnOnce(&mut PgConnection) -> Result<(), PrepareError>,
) -> Result<(), PrepareError> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(connection)?;
    let outcome = work(connection);
    let unlock = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(connection);
    outcome?;
    unlock?;
    Ok(())
}

fn apply_under_lock(connection: &mut PgConnection) -> Result<(), PrepareError> {
    let applied = connection
        .run_pending_migrations(MIGRATIONS)
        .map_err(|error| PrepareError::Migration(error.to_string()))?;
    for version in &applied {
        tracing::info!(%version, "applied migration");
    }
    crate::seed::apply(connection).map_err(|error| PrepareError::Seed(error.to_string()))
}

/// Everything start-up does to the database, in order.
pub fn prepare_database(url: &str) -> Result<(), PrepareError> {
    create_database_if_missing(url)?;
    migrate_and_seed(url)
}

/// Stores `statement_timeout` and `lock_timeout` as defaults of the
/// connecting role in the target database (`ALTER ROLE CURRENT_USER IN
/// DATABASE … SET`, which a role may do for itself). Behind a transaction
/// pooler the pooled connections cannot `SET` them (a session setting
/// stays on whichever server connection ran it), but PostgreSQL applies
/// role defaults to every new session, PgBouncer's server connections
/// included. Instances configured alike store the same values; server
/// connections the pooler opened before this keep what they had until
/// it recycles them (`server_lifetime`). The pooler must connect as the
/// same role as the direct URL.
pub fn store_session_limits(
    url: &str,
    statement_timeout: std::time::Duration,
    lock_timeout: std::time::Duration,
) -> Result<(), PrepareError> {
    let (_, name) = split_database_url(url)?;
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    let mut connection = super::establish(url)?;
    // Under the preparation lock: two instances altering the same role
    // setting at once collide on the catalog's unique index
    // (pg_db_role_setting) instead of one overwriting the other.
    under_preparation_lock(&mut connection, |connection| {
        for (setting, value) in [
            ("statement_timeout", statement_timeout),
            ("lock_timeout", lock_timeout),
        ] {
            diesel::sql_query(format!(
                "ALTER ROLE CURRENT_USER IN DATABASE {quoted} SET {setting} = {}",
                value.as_millis()
            ))
            .execute(connection)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_splits_into_maintenance_url_and_name() {
        let (maintenance, name) =
            split_database_url("postgres://postgres@127.0.0.1:5432/runstrong?sslmode=disable")
                .unwrap();
        assert_eq!(
            maintenance,
            "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
        );
        assert_eq!(name, "runstrong");
        assert!(split_database_url("postgres://host:5432/").is_err());
        assert!(split_database_url("runstrong").is_err());
    }

    #[test]
    fn a_bad_url_is_reported_without_its_password() {
        let error = split_database_url("postgres://app:s3cret@db:5432").unwrap_err();
        assert!(!error.to_string().contains("s3cret"), "{error}");
        assert!(error.to_string().contains("postgres://app:***@db:5432"));
        assert_eq!(
            without_password("postgres://app:p@ss:w@rd@db/x?sslmode=require"),
            "postgres://app:***@db/x?sslmode=require"
        );
        assert_eq!(
            without_password("postgres://app@db/x"),
            "postgres://app@db/x"
        );
        assert_eq!(without_password("not a url"), "not a url");
    }
}
