//! An account as the API shows it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::vocabulary::Role;
use crate::ids::AccountId;

/// An account as the API shows it (never with its password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Account {
    #[schema(value_type = Uuid)]
    pub id: AccountId,
    #[schema(example = "sam@example.com")]
    pub email: String,
    #[schema(example = "Sam Runner")]
    pub display_name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}
