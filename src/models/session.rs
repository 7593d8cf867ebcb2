//! The `sessions` row: every column, as the repository
//! reads it before turning it into a `Session` (`repo::sessions`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::db::schema::sessions;
use crate::ids::{AccountId, AthleteId, PlanId, SessionId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    pub id: SessionId,
    pub athlete_id: AthleteId,
    pub planned_plan_id: Option<PlanId>,
    pub planned_date: Option<NaiveDate>,
    pub planned_index: Option<i16>,
    pub kind: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_min: f64,
    pub distance_km: Option<f64>,
    pub avg_hr: Option<i16>,
    pub elevation_gain_m: Option<f64>,
    pub rpe: Option<i16>,
    pub notes: Option<String>,
    pub sets: serde_json::Value,
    pub body_sha256: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub max_hr: Option<i16>,
    pub laps: Option<serde_json::Value>,
    pub source_format: Option<String>,
    pub source_sha256: Option<String>,
    pub trimp: Option<f64>,
}

/// Declares the columns a logged session is written with, once: the
/// `Insertable`/`AsChangeset` struct that the checked create and the
/// replace use, and the column names and binds that the one-statement
/// create (`repo::session_create`) writes into its hand-built insert.
/// Each bind takes its SQL type from the schema's column, so the two can
/// never disagree.
macro_rules! logged_session_columns {
    ($(#[$meta:meta])* pub struct $name:ident { $($column:ident: $type:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Insertable, AsChangeset)]
        #[diesel(table_name = sessions, treat_none_as_null = true)]
        pub struct $name {
            $(pub $column: $type,)*
        }

        impl $name {
            /// The column names, in the order `push_binds` sends the values.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($column)),*];

            /// Pushes every value as a bind parameter, in the order of
            /// `COLUMNS`, each after a comma (the values follow others).
            pub fn push_binds<'b>(
                &'b self,
                out: &mut diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
            ) -> QueryResult<()> {
                $(
                    out.push_sql(", ");
                    out.push_bind_param::<
                        <sessions::$column as diesel::Expression>::SqlType,
                        _,
                    >(&self.$column)?;
                )*
                Ok(())
            }
        }
    };
}

logged_session_columns! {
    /// What a client logs of a session (everything but its id, athlete,
    /// author and times), as it is written on create and on replace.
    pub struct LoggedValues {
        planned_plan_id: Option<PlanId>,
        planned_date: Option<NaiveDate>,
        planned_index: Option<i16>,
        kind: String,
        started_at: DateTime<Utc>,
        finished_at: Option<DateTime<Utc>>,
        duration_min: f64,
        distance_km: Option<f64>,
        avg_hr: Option<i16>,
        elevation_gain_m: Option<f64>,
        rpe: Option<i16>,
        notes: Option<String>,
        sets: serde_json::Value,
        body_sha256: String,
    }
}

/// The columns of an imported session.
#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct ImportedSessionValues {
    pub id: SessionId,
    pub athlete_id: AthleteId,
    pub created_by_account_id: AccountId,
    pub kind: String,
    pub started_at: DateTime<Utc>,
    pub duration_min: f64,
    pub distance_km: Option<f64>,
    pub avg_hr: Option<i16>,
    pub max_hr: Option<i16>,
    pub elevation_gain_m: Option<f64>,
    pub rpe: Option<i16>,
    pub laps: serde_json::Value,
    pub source_format: String,
    pub source_sha256: String,
    pub trimp: Option<f64>,
    /// What tells a repeat from a clash for client ids; for an import, the
    /// file's hash.
    pub body_sha256: String,
}
