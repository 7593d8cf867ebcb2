use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::exercises;
use crate::ids::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exercises, check_for_backend(diesel::pg::Pg))]
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
    pub owner_account_id: Option<AccountId>,
    pub equipment_alternatives: serde_json::Value,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = exercises, treat_none_as_null = true)]
pub struct NewExerciseRow {
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
    pub origin: String,
    /// Null means the global catalog; `treat_none_as_null` so that an
    /// update can also make an exercise global again.
    pub owner_account_id: Option<AccountId>,
}
