//! ossemu's own endpoints, on the path-style host only: `/_ossemu/health` and
//! `/_ossemu/metrics` (Prometheus text).

use http::{HeaderMap, HeaderValue, Response, StatusCode};
use ossemu_mirror::HOP_HEADER;

use crate::body::{Body, full};
use crate::state::AppState;

/// Answers `/_ossemu/health` and `/_ossemu/metrics`; `None` for other paths. A mirror fetch
/// (of any ossemu: it carries [`HOP_HEADER`]) is refused with 403 whatever led it here (a
/// MirrorURL or an origin's redirect): ossemu's own pages are never an origin.
pub fn internal(state: &AppState, path: &str, headers: &HeaderMap) -> Option<Response<Body>> {
    if !path.starts_with("/_ossemu/") {
        return None;
    }
    if headers.contains_key(HOP_HEADER) {
        return Some(plain(
            StatusCode::FORBIDDEN,
            "ossemu's own endpoints do not answer mirror fetches\n".to_string(),
        ));
    }
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

fn plain(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
