//! Catalog queries. Private exercises live in their coach's namespace: a
//! slug is unique in the global catalog and within each coach's exercises,
//! so one viewer may see the same slug more than once (the global
//! exercise, their own, those of coaches who accepted them). Where a slug
//! must name one exercise, it resolves in this order: the viewer's own
//! private exercise, then the global one, then a coach's (the oldest
//! first). An id always names exactly one.

use std::collections::{HashMap, HashSet};

use diesel::{
    dsl::sql,
    pg::Pg,
    prelude::*,
    sql_types::{Bool, Integer, Jsonb, Text},
};
use uuid::Uuid;

use crate::ids::AccountId;

use super::access::visible_exercises;
use super::error::{RepoError, RepoResult};
use crate::db::schema::exercises;
use crate::domain::catalog::{
    Exercise, ExerciseDefinition, Prescription, ProgressionNode, ProgressionStep, Variation,
};
use crate::domain::catalog_filter::{ExerciseFilter, MuscleRole, impact_rank};
use crate::domain::vocabulary::{Category, Equipment, InjuryArea, MovementPattern, Muscle};
use crate::models::exercise::ExerciseRow;

fn names<T: Copy>(values: &[T], name: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    values.iter().map(|v| name(*v)).collect()
}

type ResolutionRank = diesel::expression::SqlLiteral<
    Integer,
    diesel::expression::UncheckedBind<
        diesel::expression::SqlLiteral<Integer>,
        diesel::dsl::AsExprOf<AccountId, diesel::sql_types::Uuid>,
    >,
>;

/// The order in which exercises sharing a slug answer to it, for
/// `viewer`: their own first (0), then the global one (1), then the
/// others they see (2). Without a viewer every visible exercise is global.
fn resolution_rank(viewer: Option<AccountId>) -> ResolutionRank {
    sql::<Integer>("CASE WHEN exercises.owner_account_id = ")
        .bind::<diesel::sql_types::Uuid, _>(viewer.unwrap_or(AccountId::from(Uuid::nil())))
        .sql(" THEN 0 WHEN exercises.owner_account_id IS NULL THEN 1 ELSE 2 END")
}

/// One page of exercises in (slug, id) order, after `after`; fetches one
/// row more than `limit` to tell whether another page follows.
pub fn list(
    connection: &mut PgConnection,
    viewer: Option<AccountId>,
    filter: &ExerciseFilter,
    after: Option<(&str, Uuid)>,
    limit: i64,
) -> RepoResult<(Vec<Exercise>, bool)> {
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
    if let Some((slug, id)) = after {
        query = query.filter(
            exercises::slug.gt(slug.to_owned()).or(exercises::slug
                .eq(slug.to_owned())
                .and(exercises::id.gt(id))),
        );
    }
    let mut rows: Vec<ExerciseRow> = query
        .order((exercises::slug.asc(), exercises::id.asc()))
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

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Matches `key`: an id, or (when `key` is not a UUID) a slug.
fn by_key(key: &str) -> Box<dyn BoxableExpression<exercises::table, Pg, SqlType = Bool>> {
    match Uuid::parse_str(key) {
        Ok(id) => Box::new(exercises::id.eq(id)),
        Err(_) => Box::new(exercises::slug.eq(key.to_owned())),
    }
}

/// One exercise `viewer` may see, by id or, when `key` is not a UUID, by
/// slug (in the resolution order of this module).
pub fn find(
    connection: &mut PgConnection,
    viewer: Option<AccountId>,
    key: &str,
) -> RepoResult<Option<Exercise>> {
    exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(viewer))
        .filter(by_key(key))
        .order((resolution_rank(viewer), exercises::id.asc()))
        .first(connection)
        .optional()?
        .map(exercise_from_row)
        .transpose()
}

/// The exercise a link by `slug` names in the namespace of `owner` (a
/// coach's own exercises, then the global catalog; the global catalog
/// alone for a global exercise), if `viewer` may see it.
fn find_in_namespace(
    connection: &mut PgConnection,
    viewer: Option<AccountId>,
    owner: Option<AccountId>,
    slug: &str,
) -> RepoResult<Option<Exercise>> {
    let in_namespace: Box<dyn BoxableExpression<exercises::table, Pg, SqlType = Bool>> = match owner
    {
        Some(owner) => Box::new(
            exercises::owner_account_id
                .is_null()
                .or(exercises::owner_account_id.eq(owner).assume_not_null()),
        ),
        None => Box::new(exercises::owner_account_id.is_null()),
    };
    exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(viewer))
        .filter(in_namespace)
        .filter(exercises::slug.eq(slug.to_owned()))
        .order(resolution_rank(owner))
        .first(connection)
        .optional()?
        .map(exercise_from_row)
        .transpose()
}

/// Every exercise `viewer` may see, in (slug, id) order (export).
pub fn all(connection: &mut PgConnection, viewer: Option<AccountId>) -> RepoResult<Vec<Exercise>> {
    exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(viewer))
        .order((exercises::slug.asc(), exercises::id.asc()))
        .load(connection)?
        .into_iter()
        .map(exercise_from_row)
        .collect()
}

/// Every exercise `viewer` may see, one per slug (the one the slug
/// resolves to), for the plan engine, which names exercises by slug.
pub fn resolved(
    connection: &mut PgConnection,
    viewer: Option<AccountId>,
) -> RepoResult<Vec<Exercise>> {
    let rows: Vec<ExerciseRow> = exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(viewer))
        .order((
            exercises::slug.asc(),
            resolution_rank(viewer),
            exercises::id.asc(),
        ))
        .load(connection)?;
    let mut exercises: Vec<Exercise> = Vec::with_capacity(rows.len());
    for row in rows {
        // Rows of one slug are adjacent, the one it resolves to first.
        if exercises
            .last()
            .is_some_and(|last| last.definition.slug == row.slug)
        {
            continue;
        }
        exercises.push(exercise_from_row(row)?);
    }
    Ok(exercises)
}

/// The easier → harder chain of `start`, through exercises `viewer` sees;
/// its links name exercises in `start`'s namespace.
pub fn progression(
    connection: &mut PgConnection,
    viewer: Option<AccountId>,
    start: &Exercise,
) -> RepoResult<Vec<ProgressionStep>> {
    let mut failure = None;
    let owner = start.owner_account_id;
    let chain = crate::domain::catalog::progression_chain(progression_node(start), |slug| {
        match find_in_namespace(connection, viewer, owner, slug) {
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
pub fn new_row(id: Uuid, definition: &ExerciseDefinition, origin: &str) -> ExerciseRow {
    let d = definition;
    ExerciseRow {
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
fn exercise_from_row(row: ExerciseRow) -> RepoResult<Exercise> {
    fn parse<T: std::str::FromStr>(value: &str) -> RepoResult<T>
    where
        T::Err: std::fmt::Display,
    {
        value
            .parse()
            .map_err(|e: T::Err| RepoError::internal(format!("corrupt exercise row: {e}")))
    }
    fn parse_all<T: std::str::FromStr>(values: &[String]) -> RepoResult<Vec<T>>
    where
        T::Err: std::fmt::Display,
    {
        values.iter().map(|v| parse(v)).collect()
    }
    fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> RepoResult<T> {
        serde_json::from_value(value)
            .map_err(|e| RepoError::internal(format!("corrupt exercise row: {e}")))
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
            difficulty: u8::try_from(row.difficulty).map_err(RepoError::internal)?,
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

/// Inserts a new exercise (global when `owner` is None); a slug taken in
/// the same namespace (the global catalog, or the coach's own) is 409.
pub fn create(
    connection: &mut PgConnection,
    id: Uuid,
    owner: Option<AccountId>,
    origin: &str,
    definition: &ExerciseDefinition,
) -> RepoResult<Exercise> {
    let row = ExerciseRow {
        owner_account_id: owner,
        ..new_row(id, definition, origin)
    };
    let inserted = diesel::insert_into(exercises::table)
        .values(&row)
        .returning(ExerciseRow::as_returning())
        .get_result(connection);
    written_exercise(inserted, owner)
}

/// Replaces every field of exercise `id`.
pub fn update(
    connection: &mut PgConnection,
    id: Uuid,
    owner: Option<AccountId>,
    origin: &str,
    definition: &ExerciseDefinition,
) -> RepoResult<Exercise> {
    let row = ExerciseRow {
        owner_account_id: owner,
        ..new_row(id, definition, origin)
    };
    let updated = diesel::update(exercises::table.find(id))
        .set((&row, exercises::updated_at.eq(diesel::dsl::now)))
        .returning(ExerciseRow::as_returning())
        .get_result(connection);
    written_exercise(updated, owner)
}

/// The exercise an insert or a replace wrote back, or the 409 its slug
/// raised in `owner`'s namespace.
fn written_exercise(
    written: QueryResult<ExerciseRow>,
    owner: Option<AccountId>,
) -> RepoResult<Exercise> {
    exercise_from_row(written.map_err(|error| slug_conflict(error, owner))?)
}

pub fn delete(connection: &mut PgConnection, id: Uuid) -> RepoResult<()> {
    diesel::delete(exercises::table.find(id)).execute(connection)?;
    Ok(())
}

/// Locks the exercise with this id or slug (in the resolution order) for a
/// write, if `viewer` may see it.
pub fn find_visible_for_update(
    connection: &mut PgConnection,
    viewer: AccountId,
    key: &str,
) -> RepoResult<Option<Exercise>> {
    exercises::table
        .select(ExerciseRow::as_select())
        .filter(visible_exercises(Some(viewer)))
        .filter(by_key(key))
        .order((resolution_rank(Some(viewer)), exercises::id.asc()))
        .for_update()
        .first(connection)
        .optional()?
        .map(exercise_from_row)
        .transpose()
}

/// What an import item matches: the exercise with its id (of any owner:
/// ids are unique across namespaces), else the global exercise with its
/// slug. Private slugs never match, so they never block an import.
pub fn find_for_import(
    connection: &mut PgConnection,
    id: Option<Uuid>,
    slug: &str,
) -> RepoResult<Option<(Uuid, Option<AccountId>)>> {
    if let Some(id) = id {
        let by_id = exercises::table
            .find(id)
            .select((exercises::id, exercises::owner_account_id))
            .first(connection)
            .optional()?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    Ok(exercises::table
        .filter(exercises::owner_account_id.is_null())
        .filter(exercises::slug.eq(slug.to_owned()))
        .select((exercises::id, exercises::owner_account_id))
        .first(connection)
        .optional()?)
}

/// The slugs a link in `owner`'s namespace may name: the global catalog's,
/// and the coach's own (the global catalog's alone when `owner` is None).
/// Another coach's exercises are never linked: not every athlete of this
/// one sees them.
pub fn namespace_slugs(
    connection: &mut PgConnection,
    owner: Option<AccountId>,
) -> RepoResult<Vec<String>> {
    let query = exercises::table.select(exercises::slug).into_boxed::<Pg>();
    Ok(match owner {
        Some(owner) => query.filter(
            exercises::owner_account_id
                .is_null()
                .or(exercises::owner_account_id.eq(owner).assume_not_null()),
        ),
        None => query.filter(exercises::owner_account_id.is_null()),
    }
    .load(connection)?)
}

/// A unique violation names only what the writer may know of: their own
/// namespace (or, for an import, an id).
fn slug_conflict(error: diesel::result::Error, owner: Option<AccountId>) -> RepoError {
    match RepoError::from(error) {
        RepoError::Conflict(_) => RepoError::Conflict(match owner {
            Some(_) => "you already have a private exercise with that slug".to_owned(),
            None => "the global catalog already has an exercise with that slug or id".to_owned(),
        }),
        other => other,
    }
}

/// Display names of exercises, by id and by slug.
#[derive(Debug, Default)]
pub struct ExerciseNames {
    by_id: HashMap<Uuid, String>,
    by_slug: HashMap<String, String>,
}

impl ExerciseNames {
    /// The name of the exercise with `id`, else of the one `slug` resolves to.
    pub fn get(&self, id: Option<Uuid>, slug: &str) -> Option<&str> {
        id.and_then(|id| self.by_id.get(&id))
            .or_else(|| self.by_slug.get(slug))
            .map(String::as_str)
    }
}

/// Display names of exercises `viewer` may see: by id for `ids`, and by
/// slug (resolved in this module's order) for `slugs`. What is not found
/// or not visible is left out.
pub fn display_names(
    connection: &mut PgConnection,
    viewer: Option<AccountId>,
    ids: &[Uuid],
    slugs: &[String],
) -> RepoResult<ExerciseNames> {
    let by_id: HashMap<Uuid, String> = exercises::table
        .select((exercises::id, exercises::name))
        .filter(visible_exercises(viewer))
        .filter(exercises::id.eq_any(ids))
        .load::<(Uuid, String)>(connection)?
        .into_iter()
        .collect();
    let mut by_slug = HashMap::new();
    let rows: Vec<(String, String)> = exercises::table
        .select((exercises::slug, exercises::name))
        .filter(visible_exercises(viewer))
        .filter(exercises::slug.eq_any(slugs))
        .order((
            exercises::slug.asc(),
            resolution_rank(viewer),
            exercises::id.asc(),
        ))
        .load(connection)?;
    for (slug, name) in rows {
        // The first row of a slug is the one it resolves to.
        by_slug.entry(slug).or_insert(name);
    }
    Ok(ExerciseNames { by_id, by_slug })
}

/// Which of `wanted` are exercises of the catalog `owner` sees (the
/// global one and the account's own).
pub fn visible_ids(
    connection: &mut PgConnection,
    owner: AccountId,
    wanted: &[Uuid],
) -> RepoResult<HashSet<Uuid>> {
    Ok(exercises::table
        .filter(visible_exercises(Some(owner)))
        .filter(exercises::id.eq_any(wanted))
        .select(exercises::id)
        .load::<Uuid>(connection)?
        .into_iter()
        .collect())
}
