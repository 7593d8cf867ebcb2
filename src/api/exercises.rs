//! Catalog reads: list with filters, one exercise, its progression chain,
//! and export.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::pagination::{decode_cursor, encode_cursor, parse_limit};
use crate::catalog_cache::{CatalogCache, Rendered};
use crate::db::PgPool;
use crate::domain::catalog::{Exercise, ProgressionStep, is_valid_slug};
use crate::domain::catalog_filter::{ExerciseFilter, MuscleRole};
use crate::domain::free_exercise_db::FreeExerciseDbExercise;
use crate::domain::validation::Errors;
use crate::domain::vocabulary::{
    Category, Equipment, Impact, InjuryArea, MovementPattern, Muscle, parse_list,
};
use crate::error::{ApiError, Problem};
use crate::http::auth::OptionalBearerToken;
use crate::http::etag::{json_with_etag, tagged_response};
use crate::service::catalog;

const CURSOR_KIND: &str = "exercise";

/// Catalog query parameters. List parameters are comma-separated and match
/// any of their values; different parameters must all hold.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExerciseListParams {
    /// Categories to include.
    #[param(value_type = Option<Vec<Category>>, style = Form, explode = false, min_items = 1)]
    category: Option<String>,
    /// Muscles worked (see `muscle_role`).
    #[param(value_type = Option<Vec<Muscle>>, style = Form, explode = false, min_items = 1)]
    muscle: Option<String>,
    /// Whether `muscle` must be a primary muscle (`primary`) or may also be
    /// a secondary one (`any`, the default).
    #[param(value_type = Option<MuscleRoleParam>)]
    muscle_role: Option<String>,
    /// Movement patterns to include.
    #[param(value_type = Option<Vec<MovementPattern>>, style = Form, explode = false, min_items = 1)]
    pattern: Option<String>,
    /// The equipment the athlete has: an exercise qualifies when everything
    /// it needs, or everything one of its `equipment_alternatives` needs,
    /// is in this list (body-weight exercises always qualify).
    /// Send an empty value (`equipment=`) for an athlete with nothing.
    #[param(value_type = Option<Vec<Equipment>>, style = Form, explode = false)]
    equipment: Option<String>,
    /// Highest difficulty, 1–5.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 5)]
    max_difficulty: Option<String>,
    /// Highest ground impact.
    #[param(value_type = Option<Impact>)]
    max_impact: Option<String>,
    /// Only single-leg / single-arm work (`true`) or only bilateral (`false`).
    #[param(value_type = Option<bool>)]
    unilateral: Option<String>,
    /// Only multi-joint (`true`) or only isolation (`false`) exercises.
    #[param(value_type = Option<bool>)]
    compound: Option<String>,
    /// Injury areas: exercises to avoid with any of them are left out.
    #[param(value_type = Option<Vec<InjuryArea>>, style = Form, explode = false, min_items = 1)]
    safe_for: Option<String>,
    /// Text search over name and summary (words, `"phrases"`, `-exclusions`).
    #[param(max_length = 200, example = "lunge")]
    q: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u16>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Which muscles a `muscle` filter looks at.
#[derive(ToSchema)]
#[schema(as = MuscleRole)]
#[allow(dead_code)]
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MuscleRoleParam {
    Any,
    Primary,
}

/// One page of exercises.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExercisePage {
    pub items: Vec<Exercise>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

struct ListRequest {
    filter: ExerciseFilter,
    /// The (slug, id) of the last exercise of the previous page.
    after: Option<(String, Uuid)>,
    limit: i64,
}

/// A page position: the last exercise's slug and id (a viewer may see one
/// slug more than once: the global exercise and private ones).
fn encode_position(slug: &str, id: Uuid) -> String {
    encode_cursor(CURSOR_KIND, &format!("{slug} {id}"))
}

/// A position from [`encode_position`]; a cursor from before ids were part
/// of it (a slug alone) continues after every exercise with that slug.
fn decode_position(raw: &str) -> Option<(String, Uuid)> {
    let key = decode_cursor(CURSOR_KIND, raw)?;
    let (slug, id) = match key.split_once(' ') {
        Some((slug, id)) => (slug, Uuid::parse_str(id).ok()?),
        None => (key.as_str(), Uuid::max()),
    };
    is_valid_slug(slug).then(|| (slug.to_owned(), id))
}

fn parse_vocabulary_list<T>(errors: &mut Errors, name: &str, raw: Option<&str>) -> Vec<T>
where
    T: std::str::FromStr<Err = crate::domain::vocabulary::UnknownValue>,
{
    match raw.map(parse_list::<T>) {
        None => Vec::new(),
        Some(Ok(values)) => values,
        Some(Err(error)) => {
            errors.add(format!("/{name}"), error.to_string());
            Vec::new()
        }
    }
}

fn parse_bool(errors: &mut Errors, name: &str, raw: Option<&str>) -> Option<bool> {
    match raw? {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.add(format!("/{name}"), "must be `true` or `false`");
            None
        }
    }
}

impl ExerciseListParams {
    fn parse(&self) -> Result<ListRequest, ApiError> {
        let mut errors = Errors::default();
        let muscle_role = match self.muscle_role.as_deref() {
            None | Some("any") => MuscleRole::Any,
            Some("primary") => MuscleRole::Primary,
            Some(_) => {
                errors.add("/muscle_role", "must be `any` or `primary`");
                MuscleRole::Any
            }
        };
        let equipment_available = self.equipment.as_deref().map(|raw| {
            if raw.trim().is_empty() {
                Vec::new()
            } else {
                parse_vocabulary_list(&mut errors, "equipment", Some(raw))
            }
        });
        let max_difficulty =
            self.max_difficulty
                .as_deref()
                .and_then(|raw| match raw.parse::<u8>() {
                    Ok(value) if (1..=5).contains(&value) => Some(value),
                    _ => {
                        errors.add("/max_difficulty", "must be a whole number between 1 and 5");
                        None
                    }
                });
        let max_impact = self.max_impact.as_deref().and_then(|raw| {
            raw.parse::<Impact>()
                .map_err(|error| errors.add("/max_impact", error.to_string()))
                .ok()
        });
        let text = match self.q.as_deref().map(str::trim) {
            Some(text) if text.chars().count() > 200 => {
                errors.add("/q", "at most 200 characters");
                None
            }
            Some("") | None => None,
            Some(text) => Some(text.to_owned()),
        };
        let after = self
            .cursor
            .as_deref()
            .filter(|raw| !raw.is_empty())
            .and_then(|raw| {
                let decoded = decode_position(raw);
                if decoded.is_none() {
                    errors.add("/cursor", "not a cursor this list gave out");
                }
                decoded
            });
        let filter = ExerciseFilter {
            categories: parse_vocabulary_list(&mut errors, "category", self.category.as_deref()),
            muscles: parse_vocabulary_list(&mut errors, "muscle", self.muscle.as_deref()),
            muscle_role,
            patterns: parse_vocabulary_list(&mut errors, "pattern", self.pattern.as_deref()),
            equipment_available,
            max_difficulty,
            max_impact,
            unilateral: parse_bool(&mut errors, "unilateral", self.unilateral.as_deref()),
            compound: parse_bool(&mut errors, "compound", self.compound.as_deref()),
            safe_for: parse_vocabulary_list(&mut errors, "safe_for", self.safe_for.as_deref()),
            text,
        };
        let limit = parse_limit(self.limit.as_deref(), &mut errors);
        errors.into_result().map_err(ApiError::invalid_fields)?;
        Ok(ListRequest {
            filter,
            after,
            limit,
        })
    }
}

/// Query the catalog.
///
/// Exercises in slug order (then id: a signed-in caller may see a slug
/// twice, a global exercise and a private one), filtered, one page at a
/// time.
#[utoipa::path(
    tag = "catalog",
    security((), ("bearer" = [])),
    params(ExerciseListParams, IfNoneMatch),
    responses(
        (status = 200, description = "A page of exercises", body = ExercisePage,
            headers(("ETag" = String, description = "Strong entity tag of this page"))),
        (status = 304, description = "The page has not changed since the `If-None-Match` tag"),
        (status = 400, description = "An unknown value, a bad limit or a malformed cursor",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/exercises")]
pub async fn list_exercises(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    catalog: web::Data<CatalogCache>,
    token: OptionalBearerToken,
    params: web::Query<ExerciseListParams>,
) -> Result<HttpResponse, ApiError> {
    let ListRequest {
        filter,
        after,
        limit,
    } = params.parse()?;
    // Anonymous callers see only the global catalog, which is in memory,
    // as are the pages rendered from it; text search needs PostgreSQL.
    if token.0.is_none()
        && !filter.needs_database()
        && let Some(snapshot) = catalog.snapshot(&pool).await?
    {
        let page = snapshot.page(request.query_string(), |exercises| {
            let mut matching = exercises.iter().filter(|exercise| {
                filter.matches(exercise)
                    && after.as_ref().is_none_or(|(slug, id)| {
                        (exercise.definition.slug.as_str(), exercise.id) > (slug.as_str(), *id)
                    })
            });
            let items: Vec<Exercise> = matching.by_ref().take(limit as usize).cloned().collect();
            let has_more = matching.next().is_some();
            Rendered::json(&page_of(items, has_more))
        })?;
        return Ok(tagged_response(
            &request,
            page.body,
            &page.etag,
            "application/json",
        ));
    }
    let (items, has_more) = catalog::list(&pool, token.into_digest(), filter, after, limit).await?;
    json_with_etag(&request, &page_of(items, has_more))
}

/// A page, with the cursor of the next one when there is more.
fn page_of(items: Vec<Exercise>, has_more: bool) -> ExercisePage {
    let next_cursor = match items.last() {
        Some(last) if has_more => Some(encode_position(&last.definition.slug, last.id)),
        _ => None,
    };
    ExercisePage { items, next_cursor }
}

/// `If-None-Match` for conditional catalog reads.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfNoneMatch {
    /// An `ETag` from an earlier answer: 304 if the body is unchanged.
    #[param(rename = "If-None-Match")]
    #[serde(rename = "If-None-Match")]
    _if_none_match: Option<String>,
}

/// A path key that is either an exercise's UUID or its slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ExerciseKey {
    /// The exercise's id (UUID) or slug. A slug the caller sees more than
    /// once names, in this order: the caller's own private exercise, the
    /// global one, then a private exercise of a coach who accepted the
    /// caller (the oldest first). An id names exactly one.
    #[param(example = "glute-bridge")]
    pub id_or_slug: String,
}

fn exercise_not_found() -> ApiError {
    ApiError::NotFound("no exercise has that id or slug".to_owned())
}

/// One exercise.
///
/// Looks the exercise up by id or by slug. A slug names the caller's own
/// private exercise first, then the global one, then one of a coach the
/// caller granted access to. Answers the exercise with a strong `ETag`;
/// with `If-None-Match` naming it, 304. Needs no token (anonymous callers
/// see the global catalog).
#[utoipa::path(
    tag = "catalog",
    security((), ("bearer" = [])),
    params(ExerciseKey, IfNoneMatch),
    responses(
        (status = 200, description = "The exercise", body = Exercise,
            headers(("ETag" = String, description = "Strong entity tag of this exercise"))),
        (status = 404, description = "No exercise has that id or slug",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/exercises/{id_or_slug}")]
pub async fn get_exercise(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    catalog: web::Data<CatalogCache>,
    token: OptionalBearerToken,
    key: web::Path<ExerciseKey>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner().id_or_slug;
    // Anonymous callers see only the global catalog, which is in memory.
    if token.0.is_none()
        && let Some(snapshot) = catalog.snapshot(&pool).await?
    {
        let exercise = snapshot.exercise(&key).ok_or_else(exercise_not_found)?;
        return Ok(tagged_response(
            &request,
            exercise.body.clone(),
            &exercise.etag,
            "application/json",
        ));
    }
    let exercise = catalog::find(&pool, token.into_digest(), key).await?;
    json_with_etag(&request, &exercise)
}

/// The easier → harder chain an exercise belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Progression {
    /// The exercise that was asked for.
    pub exercise_id: Uuid,
    /// Its index in `chain`.
    pub position: usize,
    /// From the easiest to the hardest version.
    pub chain: Vec<ProgressionStep>,
}

/// The progression chain of an exercise, easiest first.
///
/// Follows the exercise's `easier` and `harder` links in both directions
/// and answers the whole chain, easiest first, with the position of the
/// asked-for exercise in it, so an app can offer the next step up or down.
/// Needs no token.
#[utoipa::path(
    tag = "catalog",
    security((), ("bearer" = [])),
    params(ExerciseKey, IfNoneMatch),
    responses(
        (status = 200, description = "The chain, easiest first", body = Progression,
            headers(("ETag" = String, description = "Strong entity tag of this chain"))),
        (status = 404, description = "No exercise has that id or slug",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/exercises/{id_or_slug}/progression")]
pub async fn get_progression(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    token: OptionalBearerToken,
    key: web::Path<ExerciseKey>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner().id_or_slug;
    let (exercise_id, position, chain) =
        catalog::progression(&pool, token.into_digest(), key).await?;
    let progression = Progression {
        exercise_id,
        position,
        chain,
    };
    json_with_etag(&request, &progression)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `runstrong` (default: our full model, importable back) or
    /// `free-exercise-db` (that open catalog's shape).
    #[param(value_type = Option<ExportFormat>)]
    format: Option<String>,
}

/// Catalog export formats.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[allow(dead_code)]
pub enum ExportFormat {
    #[serde(rename = "runstrong")]
    Runstrong,
    #[serde(rename = "free-exercise-db")]
    FreeExerciseDb,
}

/// The whole catalog in runstrong's own format.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunstrongCatalog {
    /// Always `runstrong`.
    #[schema(example = "runstrong")]
    pub format: String,
    /// Version of this format.
    #[schema(example = 1, format = Int64, maximum = 4294967295_u64)]
    pub version: u32,
    pub exercises: Vec<Exercise>,
}

/// An export in one of the supported formats.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CatalogExport {
    Runstrong(RunstrongCatalog),
    FreeExerciseDb(Vec<FreeExerciseDbExercise>),
}

/// Export the catalog.
///
/// Answers every exercise the caller sees in one document: the global
/// catalog, and with a token also the caller's private exercises. The
/// default `runstrong` format keeps the whole model and can be imported
/// back with POST /v1/exercises/import; `free-exercise-db` maps it onto
/// that open catalog's shape. Needs no token.
#[utoipa::path(
    tag = "catalog",
    security((), ("bearer" = [])),
    params(ExportParams, IfNoneMatch),
    responses(
        (status = 200, description = "The whole catalog", body = CatalogExport,
            headers(("ETag" = String, description = "Strong entity tag of this export"))),
        (status = 400, description = "Unknown format",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/exercises/export")]
pub async fn export_exercises(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    token: OptionalBearerToken,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let free_exercise_db = match params.format.as_deref() {
        None | Some("runstrong") => false,
        Some("free-exercise-db") => true,
        Some(_) => {
            return Err(ApiError::bad_field(
                "/format",
                "must be `runstrong` or `free-exercise-db`",
            ));
        }
    };
    let exercises = catalog::all(&pool, token.into_digest()).await?;
    let export = if free_exercise_db {
        CatalogExport::FreeExerciseDb(exercises.iter().map(FreeExerciseDbExercise::from).collect())
    } else {
        CatalogExport::Runstrong(RunstrongCatalog {
            format: "runstrong".to_owned(),
            version: 1,
            exercises,
        })
    };
    json_with_etag(&request, &export)
}
