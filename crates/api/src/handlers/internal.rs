//! ossemu's own endpoints, on the path-style host only: `/_ossemu/health`,
//! `/_ossemu/metrics` (Prometheus text, as `--metrics` allows) and
//! `POST /_ossemu/lifecycle/run?at=<RFC 3339 time>` (one lifecycle pass as of that time) and
//! `POST /_ossemu/logs/flush` (write the buffered access logs now).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use ossemu_mirror::HOP_HEADER;
use ossemu_store::Degraded;

use crate::body::{Body, full};
use crate::state::{AppState, MetricsAccess};

/// Answers `/_ossemu/health`, `/_ossemu/metrics`, `/_ossemu/lifecycle/run` and
/// `/_ossemu/logs/flush`; `None` for other paths. Mirror fetches never get here
/// ([`refuse_mirror_fetch`]).
pub async fn internal(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<Response<Body>> {
    let path = uri.path();
    if !path.starts_with("/_ossemu/") {
        return None;
    }
    let (status, content_type, body) = match path {
        "/_ossemu/health" => health(state),
        "/_ossemu/metrics" => {
            if let Some(refused) = metrics_refusal(state, headers) {
                return Some(refused);
            }
            let mut text = state.metrics.render(&state.mirror, &state.buffers);
            state.notify.render(&mut text);
            (StatusCode::OK, "text/plain; version=0.0.4", text)
        }
        "/_ossemu/lifecycle/run" => lifecycle_run(state, method, uri.query()).await,
        crate::callback::PUB_KEY_PATH => (
            StatusCode::OK,
            "application/x-pem-file",
            crate::callback::key().pem.clone(),
        ),
        "/_ossemu/logs/flush" => logs_flush(state, method).await,
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

/// `--metrics`: open to all, only with HTTP Basic authorization naming a configured
/// credential (access key as user, secret as password; what a Prometheus scrape config's
/// `basic_auth` sends), or off (404). The refusal, if the request gets one.
fn metrics_refusal(state: &AppState, headers: &HeaderMap) -> Option<Response<Body>> {
    match state.config.metrics {
        MetricsAccess::Open => None,
        MetricsAccess::Off => Some(plain(
            StatusCode::NOT_FOUND,
            "metrics are off (--metrics off)\n".to_string(),
        )),
        MetricsAccess::Auth => {
            let given = headers
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Basic "))
                .and_then(|b| BASE64.decode(b.trim()).ok());
            let known = given.as_deref().is_some_and(|pair| {
                state.config.credentials.iter().any(|c| {
                    let want = format!("{}:{}", c.access_key, c.secret_key);
                    same(want.as_bytes(), pair)
                })
            });
            if known {
                return None;
            }
            let mut r = plain(
                StatusCode::UNAUTHORIZED,
                "metrics need HTTP Basic authorization with an access key and its secret\n"
                    .to_string(),
            );
            r.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"ossemu metrics\""),
            );
            Some(r)
        }
    }
}

/// A mirror fetch (of any ossemu: it carries [`HOP_HEADER`]) for one of ossemu's own
/// endpoints (health, metrics, explain, the console, ...) is refused with 403, whatever led
/// it here (a MirrorURL or an origin's redirect): they are never an origin.
pub fn refuse_mirror_fetch(path: &str, headers: &HeaderMap) -> Option<Response<Body>> {
    (path.starts_with("/_ossemu/") && headers.contains_key(HOP_HEADER)).then(|| {
        plain(
            StatusCode::FORBIDDEN,
            "ossemu's own endpoints do not answer mirror fetches\n".to_string(),
        )
    })
}

/// Equal bytes, compared without an early exit (secrets, CSRF tokens).
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && std::hint::black_box(a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y))) == 0
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

/// `POST /_ossemu/lifecycle/run?at=<RFC 3339 time>`: one lifecycle pass over every bucket
/// as if it were `at` (now on the server clock when absent); 200 with the JSON report of
/// what it did, 400 for a bad `at`, 405 for another method.
async fn lifecycle_run(
    state: &AppState,
    method: &Method,
    query: Option<&str>,
) -> (StatusCode, &'static str, String) {
    let json = |status, v: serde_json::Value| (status, "application/json", format!("{v}\n"));
    if method != Method::POST {
        let e = serde_json::json!({"error": "use POST"});
        return json(StatusCode::METHOD_NOT_ALLOWED, e);
    }
    let at = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "at")
        .map(|(_, v)| v.into_owned());
    let at = match at.as_deref().map(chrono::DateTime::parse_from_rfc3339) {
        None => state.clock.now_ms(),
        Some(Ok(t)) => t.timestamp_millis(),
        Some(Err(e)) => {
            let e = serde_json::json!({"error": format!("at must be an RFC 3339 time: {e}")});
            return json(StatusCode::BAD_REQUEST, e);
        }
    };
    match crate::lifecycle::run::run_once(state, at).await {
        Ok(report) => match serde_json::to_value(&report) {
            Ok(v) => json(StatusCode::OK, v),
            Err(e) => json(
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({"error": e.to_string()}),
            ),
        },
        Err(e) => {
            let message = e
                .message
                .as_deref()
                .unwrap_or(e.code.default_message())
                .to_string();
            let e = serde_json::json!({"error": e.code.as_str(), "message": message});
            json(StatusCode::INTERNAL_SERVER_ERROR, e)
        }
    }
}

/// `POST /_ossemu/logs/flush`: writes the buffered access logs now; 200 with
/// `{"written":["<bucket>/<key>",...]}`, 405 for another method.
async fn logs_flush(state: &AppState, method: &Method) -> (StatusCode, &'static str, String) {
    let json = |status, v: serde_json::Value| (status, "application/json", format!("{v}\n"));
    if method != Method::POST {
        return json(
            StatusCode::METHOD_NOT_ALLOWED,
            serde_json::json!({"error": "use POST"}),
        );
    }
    match crate::access_log::flush(state).await {
        Ok(written) => json(StatusCode::OK, serde_json::json!({ "written": written })),
        Err(e) => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": e.code.as_str()}),
        ),
    }
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
