//! The answer for requests no route takes: 405 with `Allow` when the path
//! exists with other methods, 404 otherwise, both as problem+json.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::error::ApiError;

/// One segment of a path template: a literal, or a `{parameter}` with
/// perhaps a literal suffix (`{token}.ics`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter { name: String, suffix: String },
}

impl Segment {
    fn parse(segment: &str) -> Self {
        match segment
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
        {
            Some((name, suffix)) => Segment::Parameter {
                name: name.to_owned(),
                suffix: suffix.to_owned(),
            },
            None => Segment::Literal(segment.to_owned()),
        }
    }

    fn matches(&self, actual: &str) -> bool {
        match self {
            Segment::Literal(literal) => literal == actual,
            Segment::Parameter { suffix, .. } => {
                suffix.is_empty() || (actual.len() > suffix.len() && actual.ends_with(suffix))
            }
        }
    }
}

/// One documented path template: its segments, its methods, and those of
/// its methods that demand a bearer token.
#[derive(Debug, Clone)]
struct Route {
    segments: Vec<Segment>,
    methods: Vec<String>,
    protected: Vec<String>,
}

/// Every documented path template with its methods.
#[derive(Debug, Clone, Default)]
pub struct KnownRoutes {
    routes: Vec<Route>,
}

/// Whether an operation demands a token: it names a security requirement
/// and none of them is the empty one (anonymous callers welcome).
fn demands_token(operation: Option<&utoipa::openapi::path::Operation>) -> bool {
    operation
        .and_then(|operation| operation.security.as_ref())
        .is_some_and(|requirements| {
            !requirements.is_empty()
                && requirements.iter().all(|requirement| {
                    serde_json::to_value(requirement).is_ok_and(|value| {
                        value.as_object().is_some_and(|fields| !fields.is_empty())
                    })
                })
        })
}

impl KnownRoutes {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_start_matches('/')
                    .split('/')
                    .map(Segment::parse)
                    .collect();
                let mut methods = Vec::new();
                let mut protected = Vec::new();
                for (name, operation) in [
                    ("GET", item.get.as_ref()),
                    // Every GET route answers HEAD too (`hardening`).
                    ("HEAD", item.get.as_ref()),
                    ("POST", item.post.as_ref()),
                    ("PUT", item.put.as_ref()),
                    ("PATCH", item.patch.as_ref()),
                    ("DELETE", item.delete.as_ref()),
                ] {
                    if operation.is_some() {
                        methods.push(name.to_owned());
                    }
                    if demands_token(operation) {
                        protected.push(name.to_owned());
                    }
                }
                Route {
                    segments,
                    methods,
                    protected,
                }
            })
            .collect();
        KnownRoutes { routes }
    }

    /// The most specific templates of the path's shape
    /// (`/v1/exercises/export` is not `/v1/exercises/{id_or_slug}`).
    fn most_specific(&self, path: &str) -> Vec<&Route> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let literals = |template: &[Segment]| {
            template
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count()
        };
        let matching: Vec<&Route> = self
            .routes
            .iter()
            .filter(|route| {
                route.segments.len() == segments.len()
                    && route
                        .segments
                        .iter()
                        .zip(&segments)
                        .all(|(expected, actual)| expected.matches(actual))
            })
            .collect();
        let most = matching
            .iter()
            .map(|route| literals(&route.segments))
            .max()
            .unwrap_or(0);
        matching
            .into_iter()
            .filter(|route| literals(&route.segments) == most)
            .collect()
    }

    /// Whether `method` on `path` demands a bearer token (so a request
    /// without one is answered 401 before anything else is looked at).
    pub fn requires_token(&self, path: &str, method: &str) -> bool {
        self.most_specific(path)
            .into_iter()
            .any(|route| route.protected.iter().any(|m| m == method))
    }

    /// The methods the path supports: those of its most specific routes.
    pub fn methods_for(&self, path: &str) -> Vec<String> {
        let mut methods: Vec<String> = self
            .most_specific(path)
            .into_iter()
            .flat_map(|route| route.methods.iter().cloned())
            .collect();
        methods.sort();
        methods.dedup();
        methods
    }

    /// The name of the parameter the `index`-th segment of `path` fills,
    /// if a route template has one there.
    pub fn parameter_at(&self, path: &str, index: usize) -> Option<String> {
        self.most_specific(path)
            .into_iter()
            .find_map(|route| match route.segments.get(index) {
                Some(Segment::Parameter { name, .. }) => Some(name.clone()),
                _ => None,
            })
    }
}

pub async fn fallback(request: HttpRequest, routes: web::Data<KnownRoutes>) -> HttpResponse {
    let methods = routes.methods_for(request.path());
    if methods.is_empty() {
        return ApiError::NotFound("no such route".to_owned()).error_response();
    }
    ApiError::method_not_allowed(&methods).error_response()
}

/// For a path that reached a route but whose id did not parse: when a more
/// specific route owns the path (`GET /v1/plans/preview` is not a plan id),
/// the method is what is wrong (405); otherwise the id names nothing (404).
pub fn bad_path(request: &HttpRequest) -> ApiError {
    let methods = request
        .app_data::<web::Data<KnownRoutes>>()
        .map(|routes| routes.methods_for(request.path()))
        .unwrap_or_default();
    if !methods.is_empty() && !methods.iter().any(|m| m == request.method().as_str()) {
        ApiError::method_not_allowed(&methods)
    } else {
        ApiError::NotFound("no resource has that id".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_by_shape() {
        let routes = KnownRoutes::from_spec(&crate::openapi::document());
        assert_eq!(routes.methods_for("/v1/exercises"), ["GET", "HEAD", "POST"]);
        assert_eq!(
            routes.methods_for("/v1/sessions/abc"),
            ["DELETE", "GET", "HEAD", "PUT"]
        );
        assert!(routes.methods_for("/v1/nothing").is_empty());
        assert_eq!(routes.methods_for("/v1/exercises/export"), ["GET", "HEAD"]);
        assert_eq!(routes.methods_for("/v1/exercises/import"), ["POST"]);
        assert_eq!(
            routes.parameter_at("/v1/exercises/squat", 2).as_deref(),
            Some("id_or_slug")
        );
        assert_eq!(routes.parameter_at("/v1/exercises/export", 2), None);
        assert_eq!(routes.parameter_at("/v1/nothing", 1), None);
        assert!(routes.requires_token("/v1/me", "GET"));
        assert!(routes.requires_token("/v1/athletes/abc/load", "GET"));
        assert!(!routes.requires_token("/v1/exercises", "GET"));
        assert!(routes.requires_token("/v1/exercises", "POST"));
        assert!(!routes.requires_token("/v1/tokens", "POST"));
        // A parameter with a suffix matches only segments with the suffix.
        assert_eq!(
            routes.methods_for("/v1/calendar-feeds/abc.ics"),
            ["GET", "HEAD"]
        );
        assert!(routes.methods_for("/v1/calendar-feeds/abc").is_empty());
        assert!(!routes.requires_token("/v1/calendar-feeds/abc.ics", "GET"));
        assert_eq!(
            routes
                .parameter_at("/v1/calendar-feeds/abc.ics", 2)
                .as_deref(),
            Some("token")
        );
    }
}
