//! Planned sessions as FIT workout files, for the watch.

use actix_web::{HttpResponse, get, http::header, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::PgPool;
use crate::domain::plan::model::PlannedExercise;
use crate::domain::validation::FieldError;
use crate::domain::workout_fit::{self, WorkoutError};
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::ids::PlanId;
use crate::service::plans::{self, Located};

/// The FIT media type (also what the import takes).
const FIT_CONTENT_TYPE: &str = "application/vnd.ant.fit";

/// One session of a plan's day.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanSessionPath {
    /// The stored plan's id.
    #[param(value_type = Uuid)]
    pub plan_id: PlanId,
    /// A day of the plan.
    #[serde(deserialize_with = "crate::domain::dates::date")]
    #[param(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The session's place in the day, from 1 (the order of the plan's
    /// `sessions` for that date).
    #[param(minimum = 1, maximum = 65535)]
    pub n: u16,
}

/// The session's workout as a FIT file for a watch.
///
/// A FIT workout (file type workout) built from the session's `steps`:
/// time or distance durations, speed targets from pace ranges, heart-rate
/// targets, repeat steps for repeat groups. A run without steps is one
/// step of its distance (or minutes) at its target effort. Strength,
/// mobility and circuits give one step per exercise (warm-up, exercises,
/// cool-down) with its reps or hold, followed by its rest and a repeat
/// step for its sets; load, reps in reserve and tempo are in the step's
/// notes. The file is the same on every download of the same plan.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanSessionPath),
    responses(
        (status = 200, description = "The FIT workout file", content_type = "application/vnd.ant.fit",
            body = Vec<u8>,
            headers(("Content-Disposition" = String,
                description = "`attachment` with a file name of the date and the title, e.g. `2027-04-11-long-run.fit`"))),
        (status = 404, description = "No such plan, day or session, a session with nothing a watch can follow (rest, cross-training), or a plan not visible to the caller",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A hand-written session whose steps a watch cannot follow (say why, with a pointer into the plan)",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/plans/{plan_id}/days/{date}/sessions/{n}/workout.fit")]
pub async fn plan_session_workout(
    pool: web::Data<PgPool>,
    token: BearerToken,
    path: web::Path<PlanSessionPath>,
) -> Result<HttpResponse, ApiError> {
    let PlanSessionPath { plan_id, date, n } = path.into_inner();
    let (stored, located, names) =
        plans::planned_session(&pool, token.digest, plan_id, date, n).await?;
    let session = located.session(&stored.plan);
    let exercise_name = |exercise: &PlannedExercise| {
        names
            .get(exercise.exercise_id, &exercise.exercise_slug)
            .map_or_else(|| humanised(&exercise.exercise_slug), str::to_owned)
    };
    let workout = workout_fit::workout_for(session, exercise_name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "session {n} on {date} is {}: it has no workout for a watch",
            session.kind.as_str()
        ))
    })?;
    let bytes = workout_fit::encode(&workout, stored.created_at)
        .map_err(|error| unfollowable(located, error))?;
    Ok(HttpResponse::Ok()
        .content_type(FIT_CONTENT_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                workout_fit::file_name(date, &session.title)
            ),
        ))
        .body(bytes))
}

fn unfollowable(located: Located, error: WorkoutError) -> ApiError {
    ApiError::unprocessable(vec![FieldError::new(
        located.pointer(),
        format!("a watch cannot follow this session: {error}"),
    )])
}

/// A slug no catalog entry names any more, as a readable name
/// (`single-leg-deadlift` → `Single leg deadlift`).
fn humanised(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_slug_without_a_catalog_entry_reads_as_words() {
        assert_eq!(
            super::humanised("single-leg-deadlift"),
            "Single leg deadlift"
        );
        assert_eq!(super::humanised(""), "");
    }
}
