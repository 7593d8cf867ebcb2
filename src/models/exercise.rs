use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::exercises;
use crate::ids::AccountId;

/// An exercise row, as read and as written: the same struct serves the
/// selects, the insert and the full replace (`AsChangeset` leaves out the
/// primary key).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = exercises,
    check_for_backend(diesel::pg::Pg),
    treat_none_as_null = true
)]
pub struct ExerciseRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub category: String,
    pub movement_pattern: String,
    pub primary_muscles: Vec<String>,
    pub secondary_muscles: Vec<String>,
    pub equipment: Vec<String>,
    pub unilateral: bool,
    pub compound: bool,
    pub impact: String,
    pub difficulty: i16,
    pub instructions: Vec<String>,
    pub cues: Vec<String>,
    pub easier: serde_json::Value,
    pub harder: serde_json::Value,
    pub substitutes: Vec<String>,
    pub avoid_with: Vec<String>,
    pub helps_with: Vec<String>,
    pub benefits: Vec<String>,
    pub default_prescription: serde_json::Value,
    pub equipment_alternatives: serde_json::Value,
    /// Where the row came from: `seed`, `admin`, `import` or `coach`.
    pub origin: String,
    /// Null means the global catalog; `treat_none_as_null` so that an
    /// update can also make an exercise global again.
    pub owner_account_id: Option<AccountId>,
}
