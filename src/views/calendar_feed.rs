//! A calendar feed as its list shows it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{AccountId, AthleteId};

/// A calendar feed as its list shows it: never its token or URL, which
/// only the answer that created it carries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarFeed {
    pub id: Uuid,
    #[schema(value_type = Uuid)]
    pub athlete_id: AthleteId,
    /// The label given when it was created, if any.
    #[schema(example = "Google Calendar")]
    pub name: Option<String>,
    /// Who created it: the athlete's owner or a coach with a grant.
    #[schema(value_type = Uuid)]
    pub created_by_account_id: AccountId,
    /// False once its creator may no longer read the athlete (a coach
    /// whose grant ended): its URL then answers 404, also if the coach is
    /// granted access again later.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// When a calendar app last fetched it, to within an hour; null if
    /// never.
    pub last_fetched_at: Option<DateTime<Utc>>,
}
