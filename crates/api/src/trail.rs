//! The live request trail: every finished request (except the console's own) as a
//! [`TrailEvent`], broadcast to whoever watches (the console's server-sent events). With
//! nobody watching nothing is built; a watcher that falls behind loses the oldest events, and
//! a request never waits for one.
//!
//! Back-to-origin facts come from where they are known: the matched rule from the response's
//! [`crate::request::MatchedRule`], why it matched from the bucket's website configuration
//! ([`describe_rule`]), the redirect from `Location`, and the mirror fetch from the flight the
//! request asked or joined ([`Notes::mirror`]).

use std::sync::{Arc, Mutex};

use ossemu_mirror::FlightInfo;
use ossemu_rules::{RedirectType, Rule};
use serde::Serialize;
use tokio::sync::broadcast;

/// How many events a watcher may fall behind before it loses the oldest.
const BACKLOG: usize = 1024;

/// One finished request, as the console shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TrailEvent {
    /// When it arrived, RFC 3339 (UTC, milliseconds).
    pub time: String,
    /// Request id.
    pub id: String,
    /// `oss` or `s3`.
    pub dialect: &'static str,
    /// The operation (`GetObject`, ...).
    pub operation: &'static str,
    /// HTTP method.
    pub method: String,
    /// Bucket (empty for service requests).
    pub bucket: String,
    /// Object key (empty for bucket requests).
    pub key: String,
    /// Response status.
    pub status: u16,
    /// Request body bytes read.
    pub bytes_in: u64,
    /// Response body bytes sent.
    pub bytes_out: u64,
    /// From arrival to the end of the response body, milliseconds.
    pub duration_ms: f64,
    /// The routing rule that produced the response.
    pub rule: Option<RuleFact>,
    /// `Location` of a redirect (a rule's, or an origin's passed on).
    pub location: Option<String>,
    /// The mirror fetch the request started or joined.
    pub mirror: Option<MirrorFact>,
    /// The bucket's owner (who may watch the event); not sent.
    #[serde(skip)]
    pub owner: Option<String>,
}

/// A matched routing rule: its number, why it matched and what it does.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RuleFact {
    /// `RuleNumber`.
    pub number: u32,
    /// Why it matched: its condition as the request met it.
    pub why: String,
    /// What it does.
    pub action: String,
}

/// A mirror fetch as the request saw it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MirrorFact {
    /// The origin URL asked (credentials masked).
    pub origin_url: String,
    /// The origin's status (0: not reached).
    pub origin_status: u16,
    /// Body bytes fetched from the origin.
    pub bytes_fetched: u64,
    /// Clients of the fetch (single-flight): the first and every one that joined it.
    pub clients: u32,
    /// How the fetch ended (`stored`, `not-found`, ...), `running` if it had not.
    pub outcome: &'static str,
}

impl MirrorFact {
    /// The facts of a flight as they stand.
    pub fn of(info: &FlightInfo) -> Self {
        let f = info.facts();
        Self {
            origin_url: f.url,
            origin_status: f.origin_status,
            bytes_fetched: f.bytes,
            clients: f.clients,
            outcome: f.outcome.unwrap_or("running"),
        }
    }
}

/// The broadcast channel of finished requests, held in [`crate::AppState`].
pub struct Trail {
    tx: broadcast::Sender<Arc<TrailEvent>>,
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for Trail {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(BACKLOG).0,
            closing: tokio::sync::watch::Sender::new(false),
        }
    }
}

impl Trail {
    /// Whether anyone watches (events are built only then).
    pub fn watched(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// Sends an event to every watcher; never waits.
    pub fn publish(&self, event: TrailEvent) {
        let _ = self.tx.send(Arc::new(event));
    }

    /// A new watcher, which sees the events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<TrailEvent>> {
        self.tx.subscribe()
    }

    /// Ends every watcher's stream (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Becomes true when the server shuts down.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

/// Facts a request gathers while it runs, for its trail event (a [`crate::request::Ctx`]
/// field).
#[derive(Debug, Default)]
pub struct Notes {
    flight: Mutex<Option<Arc<FlightInfo>>>,
}

impl Notes {
    /// The request started or joined this mirror fetch.
    pub fn mirror(&self, info: Arc<FlightInfo>) {
        *self.flight.lock().unwrap_or_else(|e| e.into_inner()) = Some(info);
    }

    /// The mirror fetch, if the request had one.
    pub fn flight(&self) -> Option<Arc<FlightInfo>> {
        self.flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Why rule `rule` matched a request for `key`, and what it does, in words.
pub fn describe_rule(rule: &Rule, key: &str) -> RuleFact {
    RuleFact {
        number: rule.number,
        why: describe_condition(rule, key),
        action: describe_action(rule),
    }
}

fn describe_condition(rule: &Rule, key: &str) -> String {
    let c = &rule.condition;
    let mut parts = Vec::new();
    if !c.key_prefix_equals.is_empty() {
        parts.push(format!(
            "key {key:?} starts with {:?} (KeyPrefixEquals)",
            c.key_prefix_equals
        ));
    }
    if !c.key_suffix_equals.is_empty() {
        parts.push(format!(
            "key {key:?} ends with {:?} (KeySuffixEquals)",
            c.key_suffix_equals
        ));
    }
    // Rule::error_code: the element, or 404 for a Mirror rule without one.
    match (c.http_error_code_returned_equals, rule.error_code()) {
        (Some(code), _) => parts.push(format!(
            "the request would get {code} (HttpErrorCodeReturnedEquals)"
        )),
        (None, Some(_)) => parts.push("the key is missing (a Mirror rule answers 404s)".into()),
        (None, None) => {}
    }
    for h in &c.include_headers {
        let test = match h.describe() {
            t if t.is_empty() => "present".to_string(),
            t => t,
        };
        parts.push(format!("header {} {test} (IncludeHeader)", h.key));
    }
    if parts.is_empty() {
        return "no condition: every request".into();
    }
    parts.join("; ")
}

fn describe_action(rule: &Rule) -> String {
    let Some(r) = &rule.redirect else {
        return "none (LuaConfig only)".into();
    };
    match r.redirect_type {
        RedirectType::Mirror => {
            let url = r.mirror.url.as_deref().unwrap_or_default();
            format!("Mirror from {}", ossemu_rules::path::masked_userinfo(url))
        }
        RedirectType::Internal => match &r.replace_key_with {
            Some(k) => format!("Internal: serve {k:?}"),
            None => "Internal".into(),
        },
        t => {
            let host = r.host_name.as_deref().unwrap_or("the same host");
            format!("{} {} to {host}", t.as_str(), r.status())
        }
    }
}

#[cfg(test)]
mod tests;
