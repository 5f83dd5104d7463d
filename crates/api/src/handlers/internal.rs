//! ossemu's own endpoints, on the path-style host only: `/_ossemu/health` and
//! `/_ossemu/metrics` (Prometheus text).

use http::{HeaderValue, Response, StatusCode};

use crate::body::{Body, full};
use crate::state::AppState;

/// Answers `/_ossemu/health` and `/_ossemu/metrics`; `None` for other paths.
pub fn internal(state: &AppState, path: &str) -> Option<Response<Body>> {
    let (status, content_type, body) = match path {
        "/_ossemu/health" => match state.store.meta().get_bucket("_ossemu") {
            Ok(_) => (
                StatusCode::OK,
                "application/json",
                "{\"status\":\"ok\"}\n".to_string(),
            ),
            Err(e) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "application/json",
                format!(
                    "{{\"status\":\"unavailable\",\"error\":{:?}}}\n",
                    e.to_string()
                ),
            ),
        },
        "/_ossemu/metrics" => (
            StatusCode::OK,
            "text/plain; version=0.0.4",
            state.metrics.render(&state.mirror),
        ),
        _ => return None,
    };
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    Some(r)
}
