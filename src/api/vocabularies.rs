//! Every enumeration the API speaks, for clients to build pickers from.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    )
)]
#[get("/v1/vocabularies")]
pub async fn vocabularies(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    json_with_etag(&request, &VOCABULARIES)
}

/// The name of one vocabulary: a field of [`Vocabularies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VocabularyName {
    Categories,
    MovementPatterns,
    Muscles,
    Equipment,
    Impacts,
    InjuryAreas,
    Benefits,
    Goals,
    ExperienceLevels,
    SessionKinds,
    RaceDistances,
    Weekdays,
    Phases,
}

/// One vocabulary's values, in the order `/v1/vocabularies` gives them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vocabulary {
    pub name: VocabularyName,
    #[schema(example = json!(["glutes", "hamstrings"]))]
    pub values: &'static [&'static str],
}

impl Vocabulary {
    pub fn of(name: VocabularyName) -> Self {
        use VocabularyName as N;
        let values = match name {
            N::Categories => Category::NAMES,
            N::MovementPatterns => MovementPattern::NAMES,
            N::Muscles => Muscle::NAMES,
            N::Equipment => Equipment::NAMES,
            N::Impacts => Impact::NAMES,
            N::InjuryAreas => InjuryArea::NAMES,
            N::Benefits => Benefit::NAMES,
            N::Goals => Goal::NAMES,
            N::ExperienceLevels => Experience::NAMES,
            N::SessionKinds => SessionKind::NAMES,
            N::RaceDistances => RaceDistance::NAMES,
            N::Weekdays => Weekday::NAMES,
            N::Phases => Phase::NAMES,
        };
        Vocabulary { name, values }
    }
}

/// The vocabulary in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VocabularyPath {
    /// Which vocabulary (a field name of `GET /v1/vocabularies`).
    pub name: VocabularyName,
}

/// One vocabulary.
///
/// The values of one enumeration, for a client that needs only one picker
/// (a muscle list, the equipment a profile can name); the same values, in
/// the same order, as that field of `GET /v1/vocabularies`. An unknown
/// name answers 404.
#[utoipa::path(
    tag = "catalog",
    params(VocabularyPath, IfNoneMatch),
    responses(
        (status = 200, description = "The vocabulary", body = Vocabulary,
            headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 404, description = "No vocabulary has that name", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/vocabularies/{name}")]
pub async fn vocabulary(
    request: HttpRequest,
    path: web::Path<VocabularyPath>,
) -> Result<HttpResponse, ApiError> {
    json_with_etag(&request, &Vocabulary::of(path.name))
}
