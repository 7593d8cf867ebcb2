use diesel::{
    dsl::sql,
    pg::Pg,
    prelude::*,
    sql_types::{Bool, Jsonb, Text},
};
use uuid::Uuid;

use super::access::visible_exercises;
use crate::db::schema::exercises;
use crate::domain::catalog::{
    Exercise, ExerciseDefinition, Prescription, ProgressionNode, ProgressionStep, Variation,
};
use crate::domain::vocabulary::{Category, Equipment, Impact, InjuryArea, MovementPattern, Muscle};
use crate::error::ApiError;
use crate::models::exercise::{ExerciseRow, NewExerciseRow};

/// Which muscles a `muscle` filter looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MuscleRole {
    /// Primary or secondary.
    #[default]
    Any,
    Primary,
}

/// A catalog query; every present filter must hold (AND), and a list
/// filter matches any of its values (OR).
#[derive(Debug, Clone, Default)]
pub struct ExerciseFilter {
    pub categories: Vec<Category>,
    pub muscles: Vec<Muscle>,
    pub muscle_role: MuscleRole,
    pub patterns: Vec<MovementPattern>,
    /// What the athlete has; `None` means "do not filter by equipment".
    pub equipment_available: Option<Vec<Equipment>>,
    pub max_difficulty: Option<u8>,
    pub max_impact: Option<Impact>,
    pub unilateral: Option<bool>,
    pub compound: Option<bool>,
    pub safe_for: Vec<InjuryArea>,
    pub text: Option<String>,
}

fn names<T: Copy>(values: &[T], name: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    values.iter().map(|v| name(*v)).collect()
}

fn impact_rank(impact: Impact) -> i16 {
    match impact {
        Impact::Low => 1,
        Impact::Moderate => 2,
        Impact::High => 3,
    }
}

/// One page of exercises in slug order, after `after_slug`; fetches one
/// row more than `limit` to tell whether another page follows.
pub fn list(
    connection: &mut PgConnection,
    viewer: Option<Uuid>,
    filter: &ExerciseFilter,
    after_slug: Option<&str>,
    limit: i64,
) -> Result<(Vec<Exercise>, bool), ApiError> {
    let mut query = exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(viewer))
        .into_boxed::<Pg>();
    if !filter.categories.is_empty() {
        query =
            query.filter(exercises::category.eq_any(names(&filter.categories, Category::as_str)));
    }
    if !filter.muscles.is_empty() {
        let wanted = names(&filter.muscles, Muscle::as_str);
        query = match filter.muscle_role {
            MuscleRole::Primary => query.filter(exercises::primary_muscles.overlaps_with(wanted)),
            MuscleRole::Any => query.filter(
                exercises::primary_muscles
                    .overlaps_with(wanted.clone())
                    .or(exercises::secondary_muscles.overlaps_with(wanted)),
            ),
        };
    }
    if !filter.patterns.is_empty() {
        query = query.filter(
            exercises::movement_pattern.eq_any(names(&filter.patterns, MovementPattern::as_str)),
        );
    }
    if let Some(available) = &filter.equipment_available {
        // Body-weight exercises need `none`, which every athlete has; an
        // exercise qualifies when its own kit or any alternative kit is
        // complete (`<@` on JSON arrays: every element is in the other).
        let mut has = names(available, Equipment::as_str);
        has.push(Equipment::None.as_str());
        let has_json = serde_json::to_value(&has).expect("names serialize");
        query = query.filter(
            exercises::equipment.is_contained_by(has).or(sql::<Bool>(
                "EXISTS (SELECT 1 FROM jsonb_array_elements(exercises.equipment_alternatives) AS kit WHERE kit <@ ",
            )
            .bind::<Jsonb, _>(has_json)
            .sql(")")),
        );
    }
    if let Some(max) = filter.max_difficulty {
        query = query.filter(exercises::difficulty.le(i16::from(max)));
    }
    if let Some(max) = filter.max_impact {
        query = query.filter(exercises::impact_rank.le(impact_rank(max)));
    }
    if let Some(unilateral) = filter.unilateral {
        query = query.filter(exercises::unilateral.eq(unilateral));
    }
    if let Some(compound) = filter.compound {
        query = query.filter(exercises::compound.eq(compound));
    }
    if !filter.safe_for.is_empty() {
        query = query.filter(diesel::dsl::not(
            exercises::avoid_with.overlaps_with(names(&filter.safe_for, InjuryArea::as_str)),
        ));
    }
    if let Some(text) = &filter.text {
        // Full-text match on stemmed words, or a plain substring of the
        // name so that partial words ("deadl") find something too.
        let pattern = format!("%{}%", escape_like(text));
        query = query.filter(
            sql::<Bool>("(search_vector @@ websearch_to_tsquery('english', ")
                .bind::<Text, _>(text.clone())
                .sql(") OR name ILIKE ")
                .bind::<Text, _>(pattern)
                .sql(")"),
        );
    }
    if let Some(after) = after_slug {
        query = query.filter(exercises::slug.gt(after.to_owned()));
    }
    let mut rows: Vec<ExerciseRow> = query
        .order(exercises::slug.asc())
        .limit(limit + 1)
        .load(connection)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let exercises = rows
        .into_iter()
        .map(exercise_from_row)
        .collect::<Result<_, _>>()?;
    Ok((exercises, has_more))
}

impl ExerciseFilter {
    /// Whether the filter needs the database: text search uses
    /// PostgreSQL's stemming, which `matches` cannot reproduce.
    pub fn needs_database(&self) -> bool {
        self.text.is_some()
    }

    /// The filter of `list`, in memory, for the cached global catalog.
    /// Every clause mirrors one of `list`'s SQL clauses; a test runs both
    /// over the seeded catalog and requires the same answers.
    pub fn matches(&self, exercise: &Exercise) -> bool {
        debug_assert!(!self.needs_database(), "text search is PostgreSQL's");
        let d = &exercise.definition;
        let any_of =
            |wanted: &[Muscle], muscles: &[Muscle]| wanted.iter().any(|m| muscles.contains(m));
        (self.categories.is_empty() || self.categories.contains(&d.category))
            && (self.muscles.is_empty()
                || any_of(&self.muscles, &d.primary_muscles)
                || (self.muscle_role == MuscleRole::Any
                    && any_of(&self.muscles, &d.secondary_muscles)))
            && (self.patterns.is_empty() || self.patterns.contains(&d.movement_pattern))
            && self
                .equipment_available
                .as_ref()
                .is_none_or(|available| d.doable_with(available))
            && self.max_difficulty.is_none_or(|max| d.difficulty <= max)
            && self
                .max_impact
                .is_none_or(|max| impact_rank(d.impact) <= impact_rank(max))
            && self.unilateral.is_none_or(|wanted| d.unilateral == wanted)
            && self.compound.is_none_or(|wanted| d.compound == wanted)
            && !d.avoid_with.iter().any(|area| self.safe_for.contains(area))
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One exercise `viewer` may see, by id or, when `key` is not a UUID, by
/// slug.
pub fn find(
    connection: &mut PgConnection,
    viewer: Option<Uuid>,
    key: &str,
) -> Result<Option<Exercise>, ApiError> {
    let query = exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(viewer))
        .into_boxed::<Pg>();
    let query = match Uuid::parse_str(key) {
        Ok(id) => query.filter(exercises::id.eq(id)),
        Err(_) => query.filter(exercises::slug.eq(key.to_owned())),
    };
    query
        .first(connection)
        .optional()?
        .map(exercise_from_row)
        .transpose()
}

/// Every exercise `viewer` may see, in slug order (export).
pub fn all(connection: &mut PgConnection, viewer: Option<Uuid>) -> Result<Vec<Exercise>, ApiError> {
    exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(viewer))
        .order(exercises::slug.asc())
        .load(connection)?
        .into_iter()
        .map(exercise_from_row)
        .collect()
}

/// The easier → harder chain of `start`, through exercises `viewer` sees.
pub fn progression(
    connection: &mut PgConnection,
    viewer: Option<Uuid>,
    start: &Exercise,
) -> Result<Vec<ProgressionStep>, ApiError> {
    let mut failure = None;
    let chain =
        crate::domain::catalog::progression_chain(progression_node(start), |slug| {
            match find(connection, viewer, slug) {
                Ok(found) => found.as_ref().map(progression_node),
                Err(error) => {
                    failure.get_or_insert(error);
                    None
                }
            }
        });
    match failure {
        Some(error) => Err(error),
        None => Ok(chain),
    }
}

fn progression_node(exercise: &Exercise) -> ProgressionNode {
    ProgressionNode {
        step: ProgressionStep {
            id: exercise.id,
            slug: exercise.definition.slug.clone(),
            name: exercise.definition.name.clone(),
            difficulty: exercise.definition.difficulty,
        },
        easier: exercise.definition.easier_link().map(str::to_owned),
        harder: exercise.definition.harder_link().map(str::to_owned),
    }
}

/// The row to insert for `definition`.
pub fn new_row(id: Uuid, definition: &ExerciseDefinition, origin: &str) -> NewExerciseRow {
    let d = definition;
    NewExerciseRow {
        owner_account_id: None,
        id,
        slug: d.slug.clone(),
        name: d.name.clone(),
        summary: d.summary.clone(),
        category: d.category.as_str().to_owned(),
        movement_pattern: d.movement_pattern.as_str().to_owned(),
        primary_muscles: to_strings(&d.primary_muscles, Muscle::as_str),
        secondary_muscles: to_strings(&d.secondary_muscles, Muscle::as_str),
        equipment: to_strings(&d.equipment, Equipment::as_str),
        equipment_alternatives: serde_json::to_value(&d.equipment_alternatives)
            .expect("kits serialize"),
        unilateral: d.unilateral,
        compound: d.compound,
        impact: d.impact.as_str().to_owned(),
        difficulty: i16::from(d.difficulty),
        instructions: d.instructions.clone(),
        cues: d.cues.clone(),
        easier: serde_json::to_value(&d.easier).expect("variations serialize"),
        harder: serde_json::to_value(&d.harder).expect("variations serialize"),
        substitutes: d.substitutes.clone(),
        avoid_with: to_strings(&d.avoid_with, InjuryArea::as_str),
        helps_with: to_strings(&d.helps_with, InjuryArea::as_str),
        benefits: to_strings(&d.benefits, crate::domain::vocabulary::Benefit::as_str),
        default_prescription: serde_json::to_value(&d.default_prescription)
            .expect("prescription serializes"),
        origin: origin.to_owned(),
    }
}

fn to_strings<T: Copy>(values: &[T], name: impl Fn(T) -> &'static str) -> Vec<String> {
    values.iter().map(|v| name(*v).to_owned()).collect()
}

/// A row that does not parse means the database holds what the code cannot
/// understand: an internal error, logged, never shown.
fn exercise_from_row(row: ExerciseRow) -> Result<Exercise, ApiError> {
    fn parse<T: std::str::FromStr>(value: &str) -> Result<T, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        value
            .parse()
            .map_err(|e: T::Err| ApiError::internal(format!("corrupt exercise row: {e}")))
    }
    fn parse_all<T: std::str::FromStr>(values: &[String]) -> Result<Vec<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        values.iter().map(|v| parse(v)).collect()
    }
    fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
        serde_json::from_value(value)
            .map_err(|e| ApiError::internal(format!("corrupt exercise row: {e}")))
    }
    Ok(Exercise {
        id: row.id,
        owner_account_id: row.owner_account_id,
        definition: ExerciseDefinition {
            category: parse(&row.category)?,
            movement_pattern: parse(&row.movement_pattern)?,
            primary_muscles: parse_all(&row.primary_muscles)?,
            secondary_muscles: parse_all(&row.secondary_muscles)?,
            equipment: parse_all(&row.equipment)?,
            equipment_alternatives: from_json::<Vec<Vec<Equipment>>>(row.equipment_alternatives)?,
            impact: parse(&row.impact)?,
            difficulty: u8::try_from(row.difficulty).map_err(ApiError::internal)?,
            easier: from_json::<Vec<Variation>>(row.easier)?,
            harder: from_json::<Vec<Variation>>(row.harder)?,
            avoid_with: parse_all(&row.avoid_with)?,
            helps_with: parse_all(&row.helps_with)?,
            benefits: parse_all(&row.benefits)?,
            default_prescription: from_json::<Prescription>(row.default_prescription)?,
            slug: row.slug,
            name: row.name,
            summary: row.summary,
            unilateral: row.unilateral,
            compound: row.compound,
            instructions: row.instructions,
            cues: row.cues,
            substitutes: row.substitutes,
        },
    })
}

/// Inserts a new exercise (global when `owner` is None); a taken slug is 409.
pub fn create(
    connection: &mut PgConnection,
    id: Uuid,
    owner: Option<Uuid>,
    origin: &str,
    definition: &ExerciseDefinition,
) -> Result<Exercise, ApiError> {
    let mut row = new_row(id, definition, origin);
    row.owner_account_id = owner;
    let inserted: ExerciseRow = diesel::insert_into(exercises::table)
        .values(&row)
        .returning(ExerciseRow::as_returning())
        .get_result(connection)
        .map_err(slug_conflict)?;
    exercise_from_row(inserted)
}

/// Replaces every field of exercise `id`.
pub fn update(
    connection: &mut PgConnection,
    id: Uuid,
    owner: Option<Uuid>,
    origin: &str,
    definition: &ExerciseDefinition,
) -> Result<Exercise, ApiError> {
    let mut row = new_row(id, definition, origin);
    row.owner_account_id = owner;
    let updated: ExerciseRow = diesel::update(exercises::table.find(id))
        .set((&row, exercises::updated_at.eq(diesel::dsl::now)))
        .returning(ExerciseRow::as_returning())
        .get_result(connection)
        .map_err(slug_conflict)?;
    exercise_from_row(updated)
}

pub fn delete(connection: &mut PgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::delete(exercises::table.find(id)).execute(connection)?;
    Ok(())
}

/// Locks the exercise with this id or slug for a write, if `viewer` may
/// see it.
pub fn find_visible_for_update(
    connection: &mut PgConnection,
    viewer: Uuid,
    key: &str,
) -> Result<Option<Exercise>, ApiError> {
    let by_key: Box<dyn BoxableExpression<exercises::table, Pg, SqlType = Bool>> =
        match Uuid::parse_str(key) {
            Ok(id) => Box::new(exercises::id.eq(id)),
            Err(_) => Box::new(exercises::slug.eq(key.to_owned())),
        };
    exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(Some(viewer)))
        .filter(by_key)
        .for_update()
        .first(connection)
        .optional()?
        .map(exercise_from_row)
        .transpose()
}

/// The global exercise with this id or slug, for imports.
pub fn find_global_by_id_or_slug(
    connection: &mut PgConnection,
    id: Option<Uuid>,
    slug: &str,
) -> Result<Option<(Uuid, Option<Uuid>)>, ApiError> {
    let mut query = exercises::table
        .select((exercises::id, exercises::owner_account_id))
        .into_boxed::<Pg>();
    query = match id {
        Some(id) => query.filter(exercises::id.eq(id).or(exercises::slug.eq(slug.to_owned()))),
        None => query.filter(exercises::slug.eq(slug.to_owned())),
    };
    Ok(query.first(connection).optional()?)
}

/// The slugs of every exercise `viewer` may see (all global ones when
/// `viewer` is None).
pub fn visible_slugs(
    connection: &mut PgConnection,
    viewer: Option<Uuid>,
) -> Result<Vec<String>, ApiError> {
    Ok(exercises::table
        .filter(visible_exercises(viewer))
        .select(exercises::slug)
        .load(connection)?)
}

fn slug_conflict(error: diesel::result::Error) -> ApiError {
    match ApiError::from(error) {
        ApiError::Conflict(_) => {
            ApiError::Conflict("an exercise with that slug or id already exists".to_owned())
        }
        other => other,
    }
}
