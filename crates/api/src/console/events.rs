//! `GET /_ossemu/console/events`: the request trail as server-sent events, one `data:` line
//! of [`TrailEvent`] JSON per finished request. A session sees the requests of buckets its
//! account owns and those naming no bucket. `?bucket=NAME` keeps one bucket's,
//! `?status=404` one status, `?status=4xx` a class, `?status=error` every status from 400.
//! A comment line every 15 seconds keeps the stream alive; a watcher that fell behind gets an
//! `event: lagged` with the number missed. The stream ends when the session does or the
//! server shuts down.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use tokio::sync::broadcast::error::RecvError;

use crate::access::Identity;
use crate::body::Body;
use crate::state::AppState;
use crate::trail::TrailEvent;

/// Time between keep-alive comments.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Which events a watcher asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Filter {
    bucket: Option<String>,
    status: Option<StatusFilter>,
}

#[derive(Debug, PartialEq, Eq)]
enum StatusFilter {
    Exact(u16),
    Class(u16),
    Error,
}

impl Filter {
    /// From the query string (unknown or empty parameters are ignored).
    pub(super) fn parse(query: Option<&str>) -> Self {
        let mut f = Filter::default();
        for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match k.as_ref() {
                "bucket" => f.bucket = Some(v.to_string()),
                "status" => f.status = StatusFilter::parse(v),
                _ => {}
            }
        }
        f
    }

    /// Whether `e` passes.
    pub(super) fn passes(&self, e: &TrailEvent) -> bool {
        let bucket = self.bucket.as_deref().is_none_or(|b| b == e.bucket);
        let status = match self.status {
            None => true,
            Some(StatusFilter::Exact(s)) => e.status == s,
            Some(StatusFilter::Class(c)) => e.status / 100 == c,
            Some(StatusFilter::Error) => e.status >= 400,
        };
        bucket && status
    }
}

impl StatusFilter {
    fn parse(v: &str) -> Option<Self> {
        if v.eq_ignore_ascii_case("error") {
            return Some(Self::Error);
        }
        if let Some(c) = v.strip_suffix("xx").or_else(|| v.strip_suffix("XX")) {
            return c
                .parse()
                .ok()
                .filter(|c| (1..=5).contains(c))
                .map(Self::Class);
        }
        v.parse().ok().map(Self::Exact)
    }
}

/// Whether `identity` may see `e`: it names no bucket, or one its account owns and the
/// session is the account's own (a user of the account, whose policy may allow it only some
/// buckets, sees no bucket's requests).
pub(super) fn visible(identity: &Identity, e: &TrailEvent) -> bool {
    e.bucket.is_empty() || (e.owner.is_some() && e.owner.as_deref() == identity.account_root())
}

struct Watch {
    state: Arc<AppState>,
    session: String,
    identity: Identity,
    filter: Filter,
    rx: tokio::sync::broadcast::Receiver<Arc<TrailEvent>>,
    closing: tokio::sync::watch::Receiver<bool>,
    started: bool,
}

impl Watch {
    /// The next chunk of the stream; `None` ends it.
    async fn next(&mut self) -> Option<Bytes> {
        if !self.started {
            self.started = true;
            return Some(Bytes::from_static(
                b"retry: 2000\n: ossemu request trail\n\n",
            ));
        }
        loop {
            if *self.closing.borrow() || self.state.sessions.get(&self.session).is_none() {
                return None;
            }
            let got = tokio::select! {
                got = tokio::time::timeout(KEEPALIVE, self.rx.recv()) => got,
                _ = self.closing.changed() => return None,
            };
            match got {
                Err(_) => return Some(Bytes::from_static(b": keep-alive\n\n")),
                Ok(Ok(e)) => {
                    if !visible(&self.identity, &e) || !self.filter.passes(&e) {
                        continue;
                    }
                    let json = serde_json::to_string(&*e).ok()?;
                    return Some(Bytes::from(format!("data: {json}\n\n")));
                }
                Ok(Err(RecvError::Lagged(n))) => {
                    return Some(Bytes::from(format!(
                        "event: lagged\ndata: {{\"missed\":{n}}}\n\n"
                    )));
                }
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    }
}

/// The event stream for a session.
pub(super) fn stream(
    state: Arc<AppState>,
    session: String,
    identity: Identity,
    query: Option<&str>,
) -> Response<Body> {
    let watch = Watch {
        rx: state.trail.subscribe(),
        closing: state.trail.closing(),
        state,
        session,
        identity,
        filter: Filter::parse(query),
        started: false,
    };
    let body = futures_util::stream::unfold(watch, |mut w| async move {
        let chunk = w.next().await?;
        Some((Ok::<_, std::io::Error>(chunk), w))
    });
    let mut r = Response::new(crate::body::stream(body));
    *r.status_mut() = StatusCode::OK;
    let h = r.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(bucket: &str, status: u16) -> TrailEvent {
        TrailEvent {
            time: String::new(),
            id: String::new(),
            dialect: "oss",
            operation: "GetObject",
            method: "GET".into(),
            bucket: bucket.into(),
            key: String::new(),
            status,
            bytes_in: 0,
            bytes_out: 0,
            duration_ms: 0.0,
            rule: None,
            location: None,
            mirror: None,
            owner: Some("o".into()),
        }
    }

    #[test]
    fn filters_by_bucket_and_status() {
        let f = Filter::parse(Some("bucket=b&status=4xx"));
        assert!(f.passes(&event("b", 404)));
        assert!(!f.passes(&event("b", 200)));
        assert!(!f.passes(&event("c", 404)));
        let f = Filter::parse(Some("status=302"));
        assert!(f.passes(&event("x", 302)) && !f.passes(&event("x", 301)));
        let f = Filter::parse(Some("status=error&bucket="));
        assert!(f.passes(&event("x", 500)) && f.passes(&event("x", 403)));
        assert!(!f.passes(&event("x", 304)));
        assert!(Filter::parse(Some("status=junk")).passes(&event("x", 200)));
    }

    #[test]
    fn a_session_sees_its_accounts_buckets_and_bucketless_requests() {
        let me = Identity::User {
            access_key: "k".into(),
            owner_id: "o".into(),
            display_name: "o".into(),
            user: None,
        };
        let other = Identity::User {
            access_key: "k2".into(),
            owner_id: "p".into(),
            display_name: "p".into(),
            user: None,
        };
        assert!(visible(&me, &event("b", 200)));
        assert!(!visible(&other, &event("b", 200)));
        assert!(visible(&other, &event("", 200)));
        let mut unknown = event("gone", 404);
        unknown.owner = None;
        assert!(!visible(&me, &unknown));
    }
}
