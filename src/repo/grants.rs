//! Coach grants on athlete profiles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{accounts, grants};
use crate::domain::validation::FieldError;
use crate::domain::vocabulary::{GrantAccess, Role};
use crate::error::ApiError;

/// A live grant of access to one athlete's data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grant {
    pub id: Uuid,
    pub athlete_id: Uuid,
    pub coach_account_id: Uuid,
    pub coach_email: String,
    pub coach_display_name: String,
    pub access: GrantAccess,
    pub created_at: DateTime<Utc>,
}

type GrantColumns = (
    grants::id,
    grants::athlete_id,
    grants::coach_account_id,
    accounts::email,
    accounts::display_name,
    grants::access,
    grants::created_at,
);

const GRANT_COLUMNS: GrantColumns = (
    grants::id,
    grants::athlete_id,
    grants::coach_account_id,
    accounts::email,
    accounts::display_name,
    grants::access,
    grants::created_at,
);

type GrantRow = (Uuid, Uuid, Uuid, String, String, String, DateTime<Utc>);

fn grant_from_row(row: GrantRow) -> Result<Grant, ApiError> {
    Ok(Grant {
        id: row.0,
        athlete_id: row.1,
        coach_account_id: row.2,
        coach_email: row.3,
        coach_display_name: row.4,
        access: row.5.parse().map_err(ApiError::internal)?,
        created_at: row.6,
    })
}

/// Grants `access` to the coach with `coach_email_normalized`, or changes
/// the access of their live grant. Returns the grant and whether it is new.
pub fn grant(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    athlete_owner: Uuid,
    coach_email_normalized: &str,
    access: GrantAccess,
) -> Result<(Grant, bool), ApiError> {
    let coach: Option<(Uuid, String)> = accounts::table
        .filter(accounts::email_normalized.eq(coach_email_normalized))
        .select((accounts::id, accounts::role))
        .first(connection)
        .optional()?;
    let coach_id = match coach {
        Some((id, role)) if role == Role::Coach.as_str() && id != athlete_owner => id,
        Some((id, _)) if id == athlete_owner => {
            return Err(ApiError::unprocessable(vec![FieldError::new(
                "/coach_email",
                "the owner already has full access",
            )]));
        }
        _ => {
            return Err(ApiError::unprocessable(vec![FieldError::new(
                "/coach_email",
                "no coach account has that email",
            )]));
        }
    };
    connection.transaction(|connection| {
        let updated: Option<Uuid> = diesel::update(
            grants::table
                .filter(grants::athlete_id.eq(athlete_id))
                .filter(grants::coach_account_id.eq(coach_id))
                .filter(grants::revoked_at.is_null()),
        )
        .set(grants::access.eq(access.as_str()))
        .returning(grants::id)
        .get_result(connection)
        .optional()?;
        let (id, created) = match updated {
            Some(id) => (id, false),
            None => {
                let id = Uuid::now_v7();
                diesel::insert_into(grants::table)
                    .values((
                        grants::id.eq(id),
                        grants::athlete_id.eq(athlete_id),
                        grants::coach_account_id.eq(coach_id),
                        grants::access.eq(access.as_str()),
                    ))
                    .execute(connection)?;
                (id, true)
            }
        };
        let row: GrantRow = grants::table
            .inner_join(accounts::table.on(accounts::id.eq(grants::coach_account_id)))
            .filter(grants::id.eq(id))
            .select(GRANT_COLUMNS)
            .first(connection)?;
        Ok((grant_from_row(row)?, created))
    })
}

/// The live grants of one athlete.
pub fn list(connection: &mut PgConnection, athlete_id: Uuid) -> Result<Vec<Grant>, ApiError> {
    grants::table
        .inner_join(accounts::table.on(accounts::id.eq(grants::coach_account_id)))
        .filter(grants::athlete_id.eq(athlete_id))
        .filter(grants::revoked_at.is_null())
        .order(grants::id.asc())
        .select(GRANT_COLUMNS)
        .load::<GrantRow>(connection)?
        .into_iter()
        .map(grant_from_row)
        .collect()
}

/// Revokes a live grant of this athlete; false when there is none.
pub fn revoke(
    connection: &mut PgConnection,
    athlete_id: Uuid,
    grant_id: Uuid,
) -> Result<bool, ApiError> {
    let revoked = diesel::update(
        grants::table
            .filter(grants::id.eq(grant_id))
            .filter(grants::athlete_id.eq(athlete_id))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(diesel::dsl::now))
    .execute(connection)?;
    Ok(revoked == 1)
}
