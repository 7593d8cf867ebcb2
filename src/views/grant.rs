//! Coach grants as each side sees them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::vocabulary::{GrantAccess, GrantStatus};
use crate::ids::{AccountId, AthleteId, GrantId};

/// A live grant of access to one athlete's data, as its athlete sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grant {
    #[schema(value_type = Uuid)]
    pub id: GrantId,
    #[schema(value_type = Uuid)]
    pub athlete_id: AthleteId,
    #[schema(value_type = Uuid)]
    pub coach_account_id: AccountId,
    pub coach_email: String,
    pub coach_display_name: String,
    pub access: GrantAccess,
    /// `pending` gives the coach nothing until they accept it.
    pub status: GrantStatus,
    pub created_at: DateTime<Utc>,
    /// When the coach accepted; null while pending.
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A live grant as its coach sees it: whose data, and whether accepted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoachGrant {
    #[schema(value_type = Uuid)]
    pub id: GrantId,
    #[schema(value_type = Uuid)]
    pub athlete_id: AthleteId,
    /// The athlete profile's name.
    #[schema(example = "Sam Runner")]
    pub athlete_name: String,
    pub access: GrantAccess,
    pub status: GrantStatus,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}
