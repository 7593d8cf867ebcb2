//! Stored plans as the API serves them: whole, and as a line of a list.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::plan::model::Plan;
use crate::domain::plan::request::PlanRequest;
use crate::ids::{AthleteId, PlanId};

/// A plan stored for an athlete, with the request it was made from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredPlan {
    #[schema(value_type = Uuid)]
    pub id: PlanId,
    #[schema(value_type = Uuid)]
    pub athlete_id: AthleteId,
    /// The plan this one was adapted from, if any.
    #[schema(value_type = Option<Uuid>)]
    pub parent_plan_id: Option<PlanId>,
    pub created_at: DateTime<Utc>,
    pub request: PlanRequest,
    pub plan: Plan,
}

/// A line of a plan list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanSummary {
    #[schema(value_type = Uuid)]
    pub id: PlanId,
    #[schema(value_type = Uuid)]
    pub athlete_id: AthleteId,
    #[schema(value_type = String, format = Date)]
    pub start_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub end_date: NaiveDate,
    pub created_at: DateTime<Utc>,
}
