//! Mirroring-based back-to-origin: a GET (or, with MirrorAllowHeadObject, a HEAD) of a missing
//! key that matched a Mirror rule fetches `MirrorURL + key` from the origin through
//! [`ossemu_mirror`], which streams it to the client and keeps it. This module runs the fetch
//! and reports its [`Outcome`]; [`super::object`] turns the outcome into a response.

use std::sync::Arc;

use bytes::Bytes;
use ossemu_mirror::{FetchPlan, HOP_HEADER, Head, State};
use ossemu_rules::{OriginRequest, Rule};
use ossemu_store::{BodyStream, BucketRecord};

use crate::error::{ApiError, ApiResult};
use crate::request::Ctx;

/// How a fetch ended, as far as the client that asked is concerned.
pub enum Outcome {
    /// The object is in the store (fetched now, or already there): serve it like any other.
    Stored,
    /// The body streams from the fetch as it arrives (not stored yet, or MirrorProxyPass).
    Streaming {
        /// The origin's response head.
        head: Arc<Head>,
        /// The body, from its first byte.
        body: BodyStream,
    },
    /// The origin answered 404: go on to the error document.
    NotFound,
    /// The origin answered 3xx and MirrorFollowRedirect is off: pass its `Location` on.
    Redirect(String),
    /// A TransparentMirrorResponseCodes status, passed through.
    Transparent {
        /// The origin's status.
        status: u16,
        /// The origin's Content-Type.
        content_type: Option<String>,
        /// The origin's body (bounded).
        body: Bytes,
    },
    /// The fetch failed: 424 MirrorFailed with this message.
    Failed(String),
}

fn pairs(kv: &Option<Vec<ossemu_rules::KeyValue>>) -> Vec<(String, String)> {
    kv.iter()
        .flatten()
        .filter_map(|p| Some((p.key.clone()?, p.value.clone().unwrap_or_default())))
        .collect()
}

fn plan(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    rule: &Rule,
    origin: OriginRequest,
    hops: Vec<String>,
) -> FetchPlan {
    let m = rule
        .redirect
        .as_ref()
        .map(|r| r.mirror.clone())
        .unwrap_or_default();
    FetchPlan {
        bucket: bucket.name.clone(),
        key: key.to_string(),
        rule: rule.number,
        url: origin.url,
        slave_url: origin.slave_url,
        headers: origin.headers,
        follow_redirects: m.follows_redirects(),
        check_md5: m.check_md5 == Some(true),
        switch_all_errors: m.switch_all_errors == Some(true),
        store: m.proxy_pass != Some(true),
        transparent_codes: m.transparent_codes(),
        keep_last_modified: m.user_last_modified == Some(true),
        taggings: pairs(&m.taggings),
        owner: bucket.owner.clone(),
        hops,
        on_stored: Some(crate::notify::mirrored(cx, bucket)),
    }
}

/// MirrorReturnHeaders: headers the rule adds to every response it produced.
pub fn return_headers(rule: &Rule) -> Vec<(String, String)> {
    rule.redirect
        .as_ref()
        .and_then(|r| r.mirror.return_headers.clone())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|kv| Some((kv.key?, kv.value.unwrap_or_default())))
        .collect()
}

/// Fetches `key` through the rule (joining a fetch of the same key already running). HEAD
/// and Range requests wait for the whole object, which is then served from the store. A
/// request sent by this server's own mirror fetch ([`HOP_HEADER`]) fails at once: fetching
/// for it would wait on the fetch that sent it.
pub async fn fetch(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    rule: &Rule,
    origin: OriginRequest,
) -> ApiResult<Outcome> {
    let hops = match cx.state.mirror.hops(cx.header(HOP_HEADER)) {
        Ok(hops) => hops,
        Err(e) => {
            tracing::warn!(rule = rule.number, bucket = %bucket.name, %key, "{e}");
            return Ok(Outcome::Failed(e.to_string()));
        }
    };
    let flight = cx
        .state
        .mirror
        .fetch(plan(cx, bucket, key, rule, origin, hops));
    cx.trail.mirror(flight.info());
    let whole_first = cx.method == http::Method::HEAD || cx.header("range").is_some();
    let state = if whole_first {
        flight.finished().await
    } else {
        flight.head().await
    };
    Ok(match state {
        State::Present | State::Complete { stored: true, .. } => Outcome::Stored,
        State::Streaming { head, .. } | State::Complete { head, .. } => Outcome::Streaming {
            head,
            body: flight.body(&cx.state.mirror),
        },
        State::NotFound => Outcome::NotFound,
        State::Redirect(location) => Outcome::Redirect(location),
        State::Transparent {
            status,
            content_type,
            body,
        } => Outcome::Transparent {
            status,
            content_type,
            body,
        },
        State::Failed(f) => Outcome::Failed(f.message),
        State::Connecting => return Err(ApiError::internal("mirror head not ready")),
    })
}
