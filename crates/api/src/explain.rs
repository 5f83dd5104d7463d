//! `POST /_ossemu/explain`: what a request would get, and why, without running it. The
//! question is JSON `{"method", "host", "path", "headers"}`; the answer names the addressing,
//! bucket and key, the requester, whether the bucket and object exist and may be read, every
//! routing rule in order with whether it matched and why not, the action (serve, redirect,
//! mirror, index or error document, an error) and warnings such as redirect loops.
//!
//! The answer comes from the code a real request runs: the pipeline's classify,
//! authenticate, route and authorize stages build the same [`Ctx`]; [`crate::authz::read`]
//! decides the read; [`crate::handlers::website::fallback`] and `before_lookup` decide the
//! website answer, and [`plan`] walks their steps in the order `handlers::object` carries
//! them out, looking at the store but writing nothing and fetching nothing.

mod loops;
mod plan;

use std::net::SocketAddr;
use std::sync::Arc;

use http::{Response, StatusCode};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};

use crate::access::{Identity, SignedParts};
use crate::body::Body;
use crate::handlers::{json, json_error};
use crate::pipeline::{authenticate_stage, classify::classify, context};
use crate::state::AppState;

pub use loops::redirect_warnings;

/// Where the endpoint lives (path-style host only, like health).
pub const PATH: &str = "/_ossemu/explain";

/// Largest question accepted.
const MAX_QUESTION: usize = 64 * 1024;

/// A request to explain.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The Host header (with port, if any).
    pub host: String,
    /// Path and query as sent (`/bucket/key?x=1`).
    pub path: String,
    /// Other headers, as a map or a list of pairs.
    #[serde(default)]
    pub headers: Option<Headers>,
}

/// Request headers in either JSON shape.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Headers {
    /// `{"Name": "value"}`.
    Map(std::collections::BTreeMap<String, String>),
    /// `[["Name", "value"]]`.
    List(Vec<(String, String)>),
}

/// The answer.
#[derive(Debug, Default, Serialize)]
pub struct Answer {
    /// `endpoint`, `virtual-host`, `custom-domain` or `s3-website`.
    pub addressing: String,
    /// `oss` or `s3`.
    pub dialect: String,
    /// The bucket addressed.
    pub bucket: Option<String>,
    /// The key addressed.
    pub key: Option<String>,
    /// The operation the router chose.
    pub operation: String,
    /// Who asks: `anonymous`, or the access key with its account (and user).
    pub requester: String,
    /// Whether the bucket exists.
    pub bucket_exists: Option<bool>,
    /// Whether the object exists.
    pub object_exists: Option<bool>,
    /// Whether the requester may read it (or learn that it is missing): `false` makes a miss
    /// a 403.
    pub readable: Option<bool>,
    /// Why reading is refused.
    pub read_denied: Option<String>,
    /// Every routing rule, by RuleNumber.
    pub rules: Vec<RuleReport>,
    /// What the request gets.
    pub action: Action,
    /// Things to know, such as redirect loops.
    pub warnings: Vec<String>,
}

/// One routing rule as evaluated for the request.
#[derive(Debug, Default, Serialize)]
pub struct RuleReport {
    /// RuleNumber.
    pub rule: u32,
    /// RedirectType (`Mirror`, `External`, ...) or `Lua` for a rule without a Redirect.
    pub kind: String,
    /// Whether its Condition holds for the request.
    pub matched: bool,
    /// Each part of the Condition that does not hold.
    pub why_not: Vec<String>,
    /// Whether it is the rule that decides the answer.
    pub chosen: bool,
    /// Anything else (a matched rule that does not act, an earlier rule that won).
    pub note: Option<String>,
}

/// What the request gets.
#[derive(Debug, Default, Serialize)]
pub struct Action {
    /// `serve`, `redirect`, `mirror`, `index`, `error-document`, `error`, `list` or
    /// `operation` (not a read: explain describes reads).
    pub kind: String,
    /// The status, when known without running it.
    pub status: Option<u16>,
    /// The error code, for `error`.
    pub code: Option<String>,
    /// The error message, for `error`.
    pub message: Option<String>,
    /// The key served (`serve`, `index`, `error-document`, a rule's internal rewrite).
    pub serves: Option<String>,
    /// The `Location` of a redirect (also of a refused one).
    pub location: Option<String>,
    /// The rule that decides.
    pub rule: Option<u32>,
    /// The origin URL a Mirror rule fetches.
    pub origin_url: Option<String>,
    /// The secondary origin URL, if any.
    pub origin_slave_url: Option<String>,
    /// Headers sent to the origin.
    pub origin_headers: Vec<(String, String)>,
    /// For a mirror: what happens when the origin does not have it either.
    pub if_origin_404: Option<Box<Action>>,
}

/// Answers `POST /_ossemu/explain`.
pub async fn answer(
    state: Arc<AppState>,
    peer: SocketAddr,
    method: &http::Method,
    body: hyper::body::Incoming,
) -> Response<Body> {
    if method != http::Method::POST {
        return json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json_error("POST a question"),
        );
    }
    let limited = http_body_util::Limited::new(body, MAX_QUESTION);
    let raw = match limited.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return json(StatusCode::BAD_REQUEST, &json_error(&e.to_string())),
    };
    let question: Question = match serde_json::from_slice(&raw) {
        Ok(q) => q,
        Err(e) => {
            return json(
                StatusCode::BAD_REQUEST,
                &json_error(&format!("bad question: {e}")),
            );
        }
    };
    match explain(state, peer, &question) {
        Ok(a) => json(StatusCode::OK, &a),
        Err(e) => json(StatusCode::BAD_REQUEST, &json_error(&e)),
    }
}

/// Explains `q` as if it arrived from `peer`. `Err` when the question is not a request.
pub fn explain(state: Arc<AppState>, peer: SocketAddr, q: &Question) -> Result<Answer, String> {
    let parts = request_head(q)?;
    let mut c = classify(&state, &parts);
    let pairs = c.query.pairs.clone();
    let signed = SignedParts::new(
        parts.method.as_str(),
        parts.uri.path(),
        &pairs,
        &parts.headers,
    );
    let authn = authenticate_stage(&state, &c, &parts.method, &signed);
    let identity = authn
        .as_ref()
        .map_or(Identity::Anonymous, |a| a.identity.clone());
    let problem = c.problem.take();
    let (cx, op) = context(state, peer, &parts.method, parts.headers, c, identity);
    let mut answer = Answer {
        addressing: addressing(&cx.addressing),
        dialect: cx.dialect.as_str().into(),
        bucket: cx.bucket.clone(),
        key: cx.key.clone(),
        operation: op.name().into(),
        requester: requester(&cx.identity),
        ..Answer::default()
    };
    plan::plan(&cx, op, problem, authn, &mut answer);
    Ok(answer)
}

fn request_head(q: &Question) -> Result<http::request::Parts, String> {
    let mut b = http::Request::builder()
        .method(q.method.to_ascii_uppercase().as_str())
        .uri(&q.path)
        .header(http::header::HOST, &q.host);
    let pairs: Vec<(&String, &String)> = match &q.headers {
        Some(Headers::Map(m)) => m.iter().collect(),
        Some(Headers::List(l)) => l.iter().map(|(k, v)| (k, v)).collect(),
        None => Vec::new(),
    };
    for (k, v) in pairs {
        if !k.eq_ignore_ascii_case("host") {
            b = b.header(k, v);
        }
    }
    let (parts, ()) = b
        .body(())
        .map_err(|e| format!("not a request: {e}"))?
        .into_parts();
    Ok(parts)
}

fn addressing(a: &crate::host::Addressing) -> String {
    use crate::host::Addressing;
    match a {
        Addressing::Path => "endpoint".into(),
        Addressing::CustomDomain(_) => "custom-domain".into(),
        Addressing::S3Website(_) => "s3-website".into(),
        _ => "virtual-host".into(),
    }
}

fn requester(who: &Identity) -> String {
    match who {
        Identity::Anonymous => "anonymous".into(),
        Identity::User {
            access_key,
            owner_id,
            user: None,
            ..
        } => format!("{access_key} (account {owner_id})"),
        Identity::User {
            access_key,
            owner_id,
            user: Some(u),
            ..
        } => format!("{access_key} (user {u} of account {owner_id})"),
    }
}
