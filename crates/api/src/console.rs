//! The web console at `/_ossemu/console` (path-style host only, like `/_ossemu/health`): one
//! page whose HTML, CSS and JavaScript are compiled into the binary.
//!
//! - `GET /_ossemu/console`, `/console.js`, `/console.css`: the page (open: it holds no data);
//! - `POST /_ossemu/console/login` with JSON `{"accessKey","secret"}` of a configured
//!   credential: a session cookie (HttpOnly, SameSite=Strict, random id, 8 hours) and the
//!   session's CSRF token;
//! - everything else needs the session (401 without), and every request other than GET and
//!   HEAD its CSRF token in `x-ossemu-csrf` (403 without): `GET /session`, `POST /logout`,
//!   `GET /events` (the request trail as server-sent events, [`events`]), and
//!   `/api/oss/<bucket>/<key>?<query>` or `/api/s3/...`: an OSS or S3 request run through
//!   the normal pipeline as the session's credential ([`Requester::Console`]), so ACLs and
//!   policies decide for console users exactly as for SDK users.
//!
//! `--console off` answers 404 for all of it.

mod events;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
pub use session::Sessions;

use crate::access::Identity;
use crate::body::{Body, full};
use crate::dialect::Dialect;
use crate::handlers::{json, json_error};
use crate::pipeline::{Requester, classify::classify, run};
use crate::state::{AppState, Credential};
use session::{COOKIE, Session, cookie_id};

/// Where the console lives.
pub const PREFIX: &str = "/_ossemu/console";

/// The header carrying the session's CSRF token.
pub const CSRF_HEADER: &str = "x-ossemu-csrf";

const INDEX_HTML: &str = include_str!("console/assets/index.html");
const CONSOLE_JS: &str = include_str!("console/assets/console.js");
const CONSOLE_CSS: &str = include_str!("console/assets/console.css");

/// Largest sign-in body read.
const LOGIN_LIMIT: usize = 16 * 1024;

/// Whether `path` is the console's.
pub fn claims(path: &str) -> bool {
    path == PREFIX || path.starts_with("/_ossemu/console/")
}

/// Answers a console request (the path is [`claims`]ed, the host path-style).
pub(crate) async fn handle(
    state: Arc<AppState>,
    peer: SocketAddr,
    parts: Parts,
    body: Incoming,
    started: Instant,
) -> Response<Body> {
    if !state.config.console {
        return json(
            StatusCode::NOT_FOUND,
            &json_error("the console is off (--console off)"),
        );
    }
    let path = parts.uri.path().strip_prefix(PREFIX).unwrap_or_default();
    let read = parts.method == Method::GET || parts.method == Method::HEAD;
    match path {
        "" | "/" if read => return asset(INDEX_HTML, "text/html; charset=utf-8"),
        "/console.js" if read => return asset(CONSOLE_JS, "text/javascript; charset=utf-8"),
        "/console.css" if read => return asset(CONSOLE_CSS, "text/css; charset=utf-8"),
        "/login" if parts.method == Method::POST => return login(&state, &parts, body).await,
        _ => {}
    }
    let Some((id, session)) =
        cookie_id(&parts.headers).and_then(|id| Some((id.to_string(), state.sessions.get(id)?)))
    else {
        return json(StatusCode::UNAUTHORIZED, &json_error("sign in first"));
    };
    if !read && !csrf_ok(&parts.headers, &session) {
        return json(
            StatusCode::FORBIDDEN,
            &json_error("missing or wrong x-ossemu-csrf token"),
        );
    }
    let Some(credential) = state.config.credential(&session.access_key).cloned() else {
        state.sessions.end(&id);
        return json(StatusCode::UNAUTHORIZED, &json_error("sign in first"));
    };
    let identity = crate::access::identity_of(&state, &credential);
    let rest = path.to_string();
    match (parts.method.clone(), rest.as_str()) {
        (Method::GET, "/session") => json(StatusCode::OK, &session_json(&credential, &session)),
        (Method::POST, "/logout") => logout(&state, &id),
        (Method::GET, "/events") => events::stream(state, id, identity, parts.uri.query()),
        (_, r) if r.starts_with("/api/") => {
            proxy(state, peer, parts, body, identity, &rest, started).await
        }
        _ => json(StatusCode::NOT_FOUND, &json_error("no such console page")),
    }
}

/// Runs `/api/<dialect>/<path>?<query>` as a request of `identity` for `/<path>?<query>`.
async fn proxy(
    state: Arc<AppState>,
    peer: SocketAddr,
    mut parts: Parts,
    body: Incoming,
    identity: Identity,
    rest: &str,
    started: Instant,
) -> Response<Body> {
    let (dialect, path) = if let Some(p) = rest.strip_prefix("/api/oss") {
        (Dialect::Oss, p)
    } else if let Some(p) = rest.strip_prefix("/api/s3") {
        (Dialect::S3, p)
    } else {
        return json(
            StatusCode::NOT_FOUND,
            &json_error("use /api/oss/... or /api/s3/..."),
        );
    };
    let path = if path.is_empty() { "/" } else { path };
    if !path.starts_with('/') {
        return json(
            StatusCode::NOT_FOUND,
            &json_error("use /api/oss/... or /api/s3/..."),
        );
    }
    let target = match parts.uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    parts.uri = match target.parse() {
        Ok(u) => u,
        Err(_) => return json(StatusCode::BAD_REQUEST, &json_error("bad path")),
    };
    // The session stands in for a signature: nothing of the browser's own credentials goes on.
    // Nor its Origin: the console is same-origin and needs no CORS, and a bucket's CORS rule
    // must not let another site (another port of localhost is the same site to a
    // SameSite cookie) read answers made with the session.
    for h in [
        http::header::COOKIE,
        http::header::AUTHORIZATION,
        http::header::ORIGIN,
    ] {
        parts.headers.remove(h);
    }
    parts.headers.remove(CSRF_HEADER);
    let mut c = classify(&state, &parts);
    c.dialect = dialect;
    let mut r = run(
        state,
        peer,
        parts,
        body,
        c,
        Requester::Console(identity),
        started,
    )
    .await;
    // An object read here is shown in the console's origin: it runs sandboxed (an opaque
    // origin: no access to the session), and is never sniffed into HTML.
    let h = r.headers_mut();
    h.insert(
        http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `POST /login`: a session for a configured credential whose secret matches.
async fn login(state: &AppState, parts: &Parts, body: Incoming) -> Response<Body> {
    // JSON only: a form on another site cannot send that content type without a preflight,
    // even from a browser that leaves out Origin.
    let json_body = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !same_origin(parts) || !json_body {
        return json(
            StatusCode::FORBIDDEN,
            &json_error("sign in from the console page"),
        );
    }
    let bytes = match http_body_util::Limited::new(body, LOGIN_LIMIT)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return json(
                StatusCode::PAYLOAD_TOO_LARGE,
                &json_error("request too large"),
            );
        }
    };
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Login {
        access_key: String,
        secret: String,
    }
    let Ok(form) = serde_json::from_slice::<Login>(&bytes) else {
        return json(
            StatusCode::BAD_REQUEST,
            &json_error("send JSON {\"accessKey\": ..., \"secret\": ...}"),
        );
    };
    let credential = state.config.credential(&form.access_key);
    let secret = credential.map_or("", |c| c.secret_key.as_str());
    // Compared either way, so an unknown key takes as long as a wrong secret.
    let matches = crate::handlers::internal::same(secret.as_bytes(), form.secret.as_bytes());
    let Some(credential) = credential.filter(|_| matches) else {
        tracing::info!(access_key = %form.access_key, "console sign-in refused");
        return json(
            StatusCode::UNAUTHORIZED,
            &json_error("The access key or secret is wrong."),
        );
    };
    let (id, session) = state.sessions.start(&credential.access_key);
    let mut r = json(StatusCode::OK, &session_json(credential, &session));
    let cookie = format!(
        "{COOKIE}={id}; Path={PREFIX}; HttpOnly; SameSite=Strict; Max-Age={}",
        session::LIFETIME.as_secs()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(http::header::SET_COOKIE, v);
    }
    r
}

/// A browser's sign-in comes from the console page itself: an `Origin` it sends names this
/// host (a form on another site cannot sign a browser in).
fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get(http::header::ORIGIN) else {
        return true;
    };
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin = origin.to_str().unwrap_or_default();
    let bare = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    bare.is_some_and(|o| o.eq_ignore_ascii_case(host))
}

/// `POST /logout`: ends the session and clears the cookie.
fn logout(state: &AppState, id: &str) -> Response<Body> {
    state.sessions.end(id);
    let mut r = json(StatusCode::OK, &serde_json::json!({"signedOut": true}));
    let cookie = format!("{COOKIE}=; Path={PREFIX}; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(http::header::SET_COOKIE, v);
    }
    r
}

fn session_json(c: &Credential, s: &Session) -> serde_json::Value {
    serde_json::json!({
        "accessKey": c.access_key,
        "displayName": c.display_name,
        "ownerId": c.owner_id,
        "user": c.user,
        "csrf": s.csrf,
        "expiresIn": s.expires.saturating_duration_since(Instant::now()).as_secs(),
    })
}

fn csrf_ok(headers: &http::HeaderMap, s: &Session) -> bool {
    headers
        .get(CSRF_HEADER)
        .is_some_and(|v| crate::handlers::internal::same(v.as_bytes(), s.csrf.as_bytes()))
}

/// A compiled-in page asset. The page may not be framed (clickjacking) and runs only its own
/// script.
fn asset(text: &'static str, content_type: &'static str) -> Response<Body> {
    let mut r = Response::new(full(text));
    let h = r.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    h.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    h.insert(
        http::header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    );
    h.insert(
        http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'",
        ),
    );
    h.insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}
