//! Every enumeration the API speaks, for clients to build pickers from.

use actix_web::{HttpRequest, HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

use super::exercises::IfNoneMatch;
use crate::domain::vocabulary::*;
use crate::error::ApiError;
use crate::http::etag::json_with_etag;

#[derive(Debug, Serialize, ToSchema)]
pub struct Vocabularies {
    pub categories: &'static [Category],
    pub movement_patterns: &'static [MovementPattern],
    pub muscles: &'static [Muscle],
    pub equipment: &'static [Equipment],
    pub impacts: &'static [Impact],
    pub injury_areas: &'static [InjuryArea],
    pub benefits: &'static [Benefit],
    pub goals: &'static [Goal],
    pub experience_levels: &'static [Experience],
    pub session_kinds: &'static [SessionKind],
    pub race_distances: &'static [RaceDistance],
    pub weekdays: &'static [Weekday],
    pub phases: &'static [Phase],
}

pub const VOCABULARIES: Vocabularies = Vocabularies {
    categories: Category::ALL,
    movement_patterns: MovementPattern::ALL,
    muscles: Muscle::ALL,
    equipment: Equipment::ALL,
    impacts: Impact::ALL,
    injury_areas: InjuryArea::ALL,
    benefits: Benefit::ALL,
    goals: Goal::ALL,
    experience_levels: Experience::ALL,
    session_kinds: SessionKind::ALL,
    race_distances: RaceDistance::ALL,
    weekdays: Weekday::ALL,
    phases: Phase::ALL,
};

/// Every vocabulary.
///
/// Answers every enumeration the API uses (categories, movement patterns,
/// muscles, equipment, impacts, injury areas, benefits, goals, experience
/// levels, session kinds, race distances, weekdays, phases), for building
/// forms and filters. Fixed per release, with a strong `ETag`. Needs no
/// token and no database.
#[utoipa::path(
    tag = "catalog",
    params(IfNoneMatch),
    responses(
        (status = 200, description = "All enumerations", body = Vocabularies,
            headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Unchanged since the `If-None-Match` tag"),
    )
)]
#[get("/v1/vocabularies")]
pub async fn vocabularies(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    json_with_etag(&request, &VOCABULARIES)
}
