//! An athlete profile as the API serves it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::profile::AthleteProfile;
use crate::ids::{AccountId, AthleteId};

/// An athlete profile as the API serves it.
#[derive(Debug, Clone, Serialize)]
pub struct Athlete {
    pub id: AthleteId,
    /// The account that owns the profile: the athlete's own, or their coach's.
    pub owner_account_id: AccountId,
    #[serde(flatten)]
    pub profile: AthleteProfile,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl utoipa::PartialSchema for Athlete {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use crate::domain::schema::{date_time, flattened, uuid};
        flattened::<AthleteProfile>(
            "An athlete profile as the API serves it.",
            vec![
                ("id", uuid()),
                ("owner_account_id", uuid()),
                ("created_at", date_time()),
                ("updated_at", date_time()),
            ],
        )
    }
}

impl ToSchema for Athlete {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <AthleteProfile as ToSchema>::schemas(schemas);
    }
}
