//! ossemu's own endpoints, on the path-style host only: `/_ossemu/health` and
//! `/_ossemu/metrics` (Prometheus text).

use http::{HeaderValue, Response, StatusCode};
use ossemu_store::Degraded;

use crate::body::{Body, full};
use crate::state::AppState;

/// Answers `/_ossemu/health` and `/_ossemu/metrics`; `None` for other paths.
pub fn internal(state: &AppState, path: &str) -> Option<Response<Body>> {
    let (status, content_type, body) = match path {
        "/_ossemu/health" => health(state),
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

/// 200 `{"status":"ok"}` when the store serves reads and writes; 503
/// `{"status":"degraded","reason":"no-space"|"metadata","message":...}` when it does not.
fn health(state: &AppState) -> (StatusCode, &'static str, String) {
    let degraded = match state.store.health() {
        Ok(()) => match state.store.meta().get_bucket("_ossemu") {
            Ok(_) => None,
            Err(e) => Some(("metadata", e.to_string())),
        },
        Err(d @ Degraded::NoSpace { .. }) => Some(("no-space", d.to_string())),
        Err(d @ Degraded::Metadata(_)) => Some(("metadata", d.to_string())),
    };
    match degraded {
        None => (
            StatusCode::OK,
            "application/json",
            "{\"status\":\"ok\"}\n".to_string(),
        ),
        Some((reason, message)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "application/json",
            format!(
                "{}\n",
                serde_json::json!({"status": "degraded", "reason": reason, "message": message})
            ),
        ),
    }
}
