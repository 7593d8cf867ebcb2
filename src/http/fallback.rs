//! The answer for requests no route takes: 405 with `Allow` when the path
//! exists with other methods, 404 otherwise, both as problem+json.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::error::ApiError;

/// Every documented path template with its methods.
#[derive(Debug, Clone, Default)]
pub struct KnownRoutes {
    routes: Vec<(Vec<Option<String>>, Vec<String>)>,
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
                    .map(|segment| (!segment.starts_with('{')).then(|| segment.to_owned()))
                    .collect();
                let mut methods = Vec::new();
                for (name, present) in [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ] {
                    if present {
                        methods.push(name.to_owned());
                    }
                }
                (segments, methods)
            })
            .collect();
        KnownRoutes { routes }
    }

    /// The methods the path supports: those of the most specific routes of
    /// its shape (`/v1/exercises/export` is not `/v1/exercises/{id_or_slug}`).
    pub fn methods_for(&self, path: &str) -> Vec<String> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let matching: Vec<(usize, &Vec<String>)> = self
            .routes
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(expected, actual)| expected.as_deref().is_none_or(|e| e == *actual))
            })
            .map(|(template, methods)| (template.iter().filter(|s| s.is_some()).count(), methods))
            .collect();
        let most_specific = matching
            .iter()
            .map(|(literals, _)| *literals)
            .max()
            .unwrap_or(0);
        let mut methods: Vec<String> = matching
            .into_iter()
            .filter(|(literals, _)| *literals == most_specific)
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        methods.sort();
        methods.dedup();
        methods
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
        assert_eq!(routes.methods_for("/v1/exercises"), ["GET", "POST"]);
        assert_eq!(
            routes.methods_for("/v1/sessions/abc"),
            ["DELETE", "GET", "PUT"]
        );
        assert!(routes.methods_for("/v1/nothing").is_empty());
        assert_eq!(routes.methods_for("/v1/exercises/export"), ["GET"]);
        assert_eq!(routes.methods_for("/v1/exercises/import"), ["POST"]);
    }
}
