use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{accounts, athletes, grants};
use crate::ids::{AccountId, AthleteId, GrantId};

/// What a grant allows and where it stands: the part of a grant that the
/// athlete's view and the coach's view both show.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grants, check_for_backend(diesel::pg::Pg))]
pub struct GrantTermsRow {
    pub access: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A grant as its athlete's owner sees it: joined to the coach's account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grants, check_for_backend(diesel::pg::Pg))]
pub struct GrantRow {
    pub id: GrantId,
    pub athlete_id: AthleteId,
    pub coach_account_id: AccountId,
    #[diesel(select_expression = accounts::email)]
    pub coach_email: String,
    #[diesel(select_expression = accounts::display_name)]
    pub coach_display_name: String,
    #[diesel(embed)]
    pub terms: GrantTermsRow,
}

/// A grant as the coach sees it: joined to the athlete it opens.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grants, check_for_backend(diesel::pg::Pg))]
pub struct CoachGrantRow {
    pub id: GrantId,
    pub athlete_id: AthleteId,
    #[diesel(select_expression = athletes::name)]
    pub athlete_name: String,
    #[diesel(embed)]
    pub terms: GrantTermsRow,
}
