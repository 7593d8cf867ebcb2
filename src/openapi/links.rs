//! Links from an answer to the requests that can follow it (OpenAPI
//! `links`), so clients and schemathesis can chain calls.

use utoipa::openapi::{RefOr, link::LinkBuilder, path::Operation};

/// The id of the resource in the answer's body.
const BODY_ID: &str = "$response.body#/id";
/// The answer's version tag, which the next write must send as `If-Match`.
const ETAG: &str = "$response.header.ETag";

/// A link from an answer to an operation that can follow it: its name,
/// the target `operationId`, and the target's parameters as runtime
/// expressions (`header.` marks a header parameter).
type LinkSpec = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// What can follow an answer carrying an athlete profile.
const ATHLETE_LINKS: &[LinkSpec] = &[
    ("GetAthlete", "get_athlete", &[("athlete_id", BODY_ID)]),
    (
        "PatchAthlete",
        "patch_athlete",
        &[("athlete_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
    (
        "DeleteAthlete",
        "delete_athlete",
        &[("athlete_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
    ("CreateGrant", "create_grant", &[("athlete_id", BODY_ID)]),
    ("ListGrants", "list_grants", &[("athlete_id", BODY_ID)]),
    ("CreatePlan", "create_plan", &[("athlete_id", BODY_ID)]),
    ("ListPlans", "list_plans", &[("athlete_id", BODY_ID)]),
    (
        "CreateCalendarFeed",
        "create_calendar_feed",
        &[("athlete_id", BODY_ID)],
    ),
    (
        "ListCalendarFeeds",
        "list_calendar_feeds",
        &[("athlete_id", BODY_ID)],
    ),
    (
        "CreateSession",
        "create_session",
        &[("athlete_id", BODY_ID)],
    ),
    ("ListSessions", "list_sessions", &[("athlete_id", BODY_ID)]),
    ("LoadReport", "load_report", &[("athlete_id", BODY_ID)]),
];

/// What can follow an answer carrying a stored plan.
const PLAN_LINKS: &[LinkSpec] = &[
    ("GetPlan", "get_plan", &[("plan_id", BODY_ID)]),
    ("PlanCalendar", "plan_calendar", &[("plan_id", BODY_ID)]),
    (
        "FirstWorkout",
        "plan_session_workout",
        &[
            ("plan_id", BODY_ID),
            ("date", "$response.body#/plan/start_date"),
            ("n", "1"),
        ],
    ),
    ("AdaptPlan", "adapt_plan", &[("plan_id", BODY_ID)]),
    ("DeletePlan", "delete_plan", &[("plan_id", BODY_ID)]),
    (
        "Adherence",
        "adherence",
        &[
            ("athlete_id", "$response.body#/athlete_id"),
            ("plan_id", BODY_ID),
        ],
    ),
];

/// What can follow an answer carrying a logged session with its ETag.
const SESSION_LINKS: &[LinkSpec] = &[
    ("GetSession", "get_session", &[("session_id", BODY_ID)]),
    (
        "ReplaceSession",
        "replace_session",
        &[("session_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
    (
        "DeleteSession",
        "delete_session",
        &[("session_id", BODY_ID), ("header.If-Match", ETAG)],
    ),
];

/// What can follow an answer carrying an exercise with its ETag.
const EXERCISE_LINKS: &[LinkSpec] = &[
    ("GetExercise", "get_exercise", &[("id_or_slug", BODY_ID)]),
    (
        "GetProgression",
        "get_progression",
        &[("id_or_slug", BODY_ID)],
    ),
    (
        "ReplaceExercise",
        "replace_exercise",
        &[("id_or_slug", BODY_ID), ("header.If-Match", ETAG)],
    ),
    (
        "DeleteExercise",
        "delete_exercise",
        &[("id_or_slug", BODY_ID), ("header.If-Match", ETAG)],
    ),
];

/// A grant can be revoked by the id in the answer, for the athlete of the request.
const GRANT_LINKS: &[LinkSpec] = &[(
    "RevokeGrant",
    "revoke_grant",
    &[
        ("athlete_id", "$request.path.athlete_id"),
        ("grant_id", BODY_ID),
    ],
)];

/// What can follow an answer carrying a calendar feed. Its URL cannot be
/// a link: a runtime expression takes a whole field, and the URL is a path.
const CALENDAR_FEED_LINKS: &[LinkSpec] = &[
    (
        "GetCalendarFeed",
        "get_calendar_feed",
        &[
            ("athlete_id", "$response.body#/athlete_id"),
            ("feed_id", BODY_ID),
        ],
    ),
    (
        "DeleteCalendarFeed",
        "delete_calendar_feed",
        &[
            ("athlete_id", "$response.body#/athlete_id"),
            ("feed_id", BODY_ID),
        ],
    ),
];

/// The OpenAPI links of each operation's answers, by `operationId` and
/// status: which answer feeds which next request. Clients can read them;
/// schemathesis' stateful phase follows them to chain create → read →
/// change → delete.
const LINKS: &[(&str, &str, &[LinkSpec])] = &[
    ("create_athlete", "201", ATHLETE_LINKS),
    ("get_athlete", "200", ATHLETE_LINKS),
    ("patch_athlete", "200", ATHLETE_LINKS),
    ("create_grant", "200", GRANT_LINKS),
    ("create_grant", "201", GRANT_LINKS),
    ("create_plan", "201", PLAN_LINKS),
    ("adapt_plan", "201", PLAN_LINKS),
    ("get_plan", "200", PLAN_LINKS),
    ("create_calendar_feed", "201", CALENDAR_FEED_LINKS),
    ("get_calendar_feed", "200", CALENDAR_FEED_LINKS),
    ("create_session", "201", SESSION_LINKS),
    ("get_session", "200", SESSION_LINKS),
    ("replace_session", "200", SESSION_LINKS),
    ("create_exercise", "201", EXERCISE_LINKS),
    ("get_exercise", "200", EXERCISE_LINKS),
    ("replace_exercise", "200", EXERCISE_LINKS),
];

pub(super) fn add_links(operation: &mut Operation) {
    let Some(id) = operation.operation_id.clone() else {
        return;
    };
    for (_, status, links) in LINKS.iter().filter(|(source, _, _)| *source == id) {
        let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status) else {
            panic!("{id} has no {status} answer to link from");
        };
        for (name, target, parameters) in links.iter() {
            let link = parameters
                .iter()
                .fold(
                    LinkBuilder::new().operation_id(*target),
                    |link, (name, value)| link.parameter(*name, *value),
                )
                .build();
            response.links.insert((*name).to_owned(), RefOr::T(link));
        }
    }
}
