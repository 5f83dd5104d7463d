//! The back-to-origin fetcher: fetches `MirrorURL + key` from the origin, streams it to every
//! client that asks while writing it into the store, and commits it only when it is complete.
//!
//! One fetch runs per `(bucket, key)` at a time ([`Mirror::fetch`] joins a running one). The
//! fetch is a task of its own: it writes the origin body through to a temp file and publishes
//! how much is on disk; every client, the first one included, follows that file from the start
//! ([`Flight::body`]). A client that goes away only stops following; unless it was the last
//! one (see the bounds below), the fetch completes and the object is stored. A client that
//! comes after the commit reads the stored object. Nothing is held in memory beyond one read
//! chunk per client.
//!
//! The object is committed only when the body is complete, its length matches the origin's
//! `Content-Length`, and (with `MirrorCheckMd5` and an origin `Content-MD5`) its MD5 matches.
//! Otherwise nothing is stored and followers get an error, which aborts their connection.
//!
//! Bounds: no fetch writes more than its bucket's limit ([`MirrorConfig::max_object_size`]):
//! a larger declared length is refused before the body, a body that grows past it is cut
//! off. When the last client has gone, a body whose length the origin declared (and so
//! within the limit) is still fetched and stored, for the next reader; one without a length
//! (chunked: nothing says it ever ends) or one that would not be stored (MirrorProxyPass) is
//! abandoned at once, and its temp file removed. Every connection a fetch makes goes only
//! where [`MirrorConfig::origins`] permits (`guard.rs`), and every origin request names the
//! servers it came through in [`HOP_HEADER`], so a fetch that comes back to its own server is
//! refused instead of waiting on itself (`hop.rs`). Credentials in an origin URL are sent,
//! never shown: tags carry the URL without them, logs a masked form.

mod client;
mod flight;
mod follow;
mod guard;
mod hop;
mod origin;
mod stats;
mod stream;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use flight::{Failure, FailureKind, Flight, FlightFacts, FlightInfo, Head, State};
pub use guard::{ForbiddenAddress, OriginAddresses};
pub use hop::{HOP_HEADER, HopError, MAX_HOPS};
use ossemu_store::Store;
pub use stats::{LATENCY_BUCKETS, MirrorStats, OUTCOMES, StatsSnapshot};
use tokio::sync::watch;

/// The `x-oss-tag` form stored on mirrored objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagStyle {
    /// `MIRROR <percent-encoded origin URL>`, as OSS documented it.
    Url,
    /// `MIRROR`, as newer OSS sends it.
    Bare,
}

/// The largest object a mirror fetch stores by default, and the most a limit may be: OSS's
/// largest single-request upload ("The maximum size of a file that can be uploaded in a
/// single operation is 5 GB", PutObject); a mirrored object is written in one piece.
pub const MAX_OBJECT_SIZE: u64 = 5 << 30;

/// Fetcher settings.
#[derive(Clone, Debug)]
pub struct MirrorConfig {
    /// Connecting to the origin may take this long.
    pub connect_timeout: Duration,
    /// The origin may be silent this long between reads (there is no whole-request timeout).
    pub read_timeout: Duration,
    /// The `x-oss-tag` form.
    pub tag: TagStyle,
    /// Redirects followed when MirrorFollowRedirect is on.
    pub max_redirects: usize,
    /// `User-Agent` sent to origins.
    pub user_agent: String,
    /// The addresses fetches may connect to.
    pub origins: OriginAddresses,
    /// Largest object a fetch writes (at most [`MAX_OBJECT_SIZE`]), unless its bucket has
    /// its own limit.
    pub max_object_size: u64,
    /// Per-bucket limits that replace `max_object_size`.
    pub bucket_max_object_size: HashMap<String, u64>,
}

impl MirrorConfig {
    /// The largest object a fetch into `bucket` writes.
    pub fn max_object_size(&self, bucket: &str) -> u64 {
        self.bucket_max_object_size
            .get(bucket)
            .copied()
            .unwrap_or(self.max_object_size)
            .min(MAX_OBJECT_SIZE)
    }
}

impl Default for MirrorConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            tag: TagStyle::Url,
            max_redirects: 10,
            user_agent: concat!("ossemu-mirror/", env!("CARGO_PKG_VERSION")).to_string(),
            origins: OriginAddresses::default(),
            max_object_size: MAX_OBJECT_SIZE,
            bucket_max_object_size: HashMap::new(),
        }
    }
}

/// What to fetch and how: built by the server from the matched Mirror rule.
#[derive(Clone, Debug, Default)]
pub struct FetchPlan {
    /// Bucket the object is stored in.
    pub bucket: String,
    /// Key it is stored under (the requested key).
    pub key: String,
    /// The rule that matched, for logs.
    pub rule: u32,
    /// Primary origin URL (MirrorURL + key, with the query when passed).
    pub url: String,
    /// Secondary origin URL (MirrorURLSlave + key), tried when the primary fails.
    pub slave_url: Option<String>,
    /// Headers sent to the origin.
    pub headers: Vec<(String, String)>,
    /// MirrorFollowRedirect (default true).
    pub follow_redirects: bool,
    /// MirrorCheckMd5.
    pub check_md5: bool,
    /// MirrorSwitchAllErrors: any status but 200, 206, 301, 302, 303, 307, 404 fails over.
    pub switch_all_errors: bool,
    /// Store the object (false with MirrorProxyPass).
    pub store: bool,
    /// TransparentMirrorResponseCodes: these origin statuses are passed through.
    pub transparent_codes: Vec<u16>,
    /// MirrorUserLastModified: keep the origin's Last-Modified.
    pub keep_last_modified: bool,
    /// MirrorTaggings applied to the stored object.
    pub taggings: Vec<(String, String)>,
    /// Owner of the stored object.
    pub owner: String,
    /// The ossemu servers the request came through ([`Mirror::hops`]); this server's id is
    /// added when the fetch is sent.
    pub hops: Vec<String>,
    /// Called once the fetch has stored the object (event notifications).
    pub on_stored: Option<OnStored>,
}

/// What a fetch calls with the key and record it stored, and waits for, before it reports
/// the object complete.
#[derive(Clone)]
#[allow(clippy::type_complexity)]
pub struct OnStored(
    pub  Arc<
        dyn Fn(
                &str,
                &ossemu_store::ObjectRecord,
            ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            + Send
            + Sync,
    >,
);

impl std::fmt::Debug for OnStored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnStored")
    }
}

/// A fetch in flight: where it stands (the sending side), and what it has found.
type Running = (watch::Sender<State>, Arc<FlightInfo>);

/// The fetcher: HTTP clients, the store, and the fetches in flight.
pub struct Mirror {
    clients: client::Lazy,
    store: Store,
    config: MirrorConfig,
    /// The fetches in flight, by `(bucket, key)`. The map holds the sending side only, so
    /// that [`watch::Sender::receiver_count`] counts the clients still interested.
    flights: Mutex<HashMap<(String, String), Running>>,
    stats: MirrorStats,
    instance: String,
}

impl Mirror {
    /// The fetcher. Its HTTP clients are built on first use, or ahead of it by
    /// [`Mirror::prepare`]. Proxy environment variables are ignored: origins are reached
    /// directly, and only at the addresses `config.origins` permits.
    pub fn new(store: Store, config: MirrorConfig) -> Arc<Self> {
        Arc::new(Self {
            clients: client::Lazy::new(config.clone()),
            store,
            config,
            flights: Mutex::new(HashMap::new()),
            stats: MirrorStats::default(),
            instance: hop::instance_id(),
        })
    }

    /// Builds the HTTP clients (loading the system's root certificates, or the bundled ones)
    /// on a thread of their own shortly after (200 ms), without waiting for it: a server
    /// calls it once it listens, so that neither its start nor its first fetch waits for
    /// them.
    pub fn prepare(&self) {
        self.clients.prepare();
    }

    /// This server's id in [`HOP_HEADER`] (random per process).
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The servers a request carrying `hop_header` ([`HOP_HEADER`]) came through, for
    /// [`FetchPlan::hops`]; an error when the request comes from this server's own mirror
    /// fetch or through too many: such a request must not start a fetch.
    pub fn hops(&self, hop_header: Option<&str>) -> Result<Vec<String>, HopError> {
        hop::chain(&self.instance, hop_header)
    }

    /// The store objects are mirrored into.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Joins the fetch of `plan.bucket/plan.key` if one is running, else starts it. Proxy-pass
    /// plans (nothing stored) are never shared.
    pub fn fetch(self: &Arc<Self>, plan: FetchPlan) -> Arc<Flight> {
        if !plan.store {
            let (flight, tx, info) = Flight::new(plan.bucket.clone(), plan.key.clone(), &plan.url);
            tokio::spawn(flight::run(self.clone(), plan, tx, info, None));
            return flight;
        }
        let id = (plan.bucket.clone(), plan.key.clone());
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((tx, info)) = flights.get(&id) {
            return Flight::joined(tx.subscribe(), plan.bucket, plan.key, info.clone());
        }
        let (flight, tx, info) = Flight::new(plan.bucket.clone(), plan.key.clone(), &plan.url);
        flights.insert(id.clone(), (tx.clone(), info.clone()));
        drop(flights);
        tokio::spawn(flight::run(self.clone(), plan, tx, info, Some(id)));
        flight
    }

    fn finished(&self, id: &(String, String)) {
        self.flights
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Fetch counters.
    pub fn stats(&self) -> &MirrorStats {
        &self.stats
    }

    /// Number of fetches in flight (for tests and metrics).
    pub fn in_flight(&self) -> usize {
        self.flights.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The `x-oss-tag` value for an object mirrored from `url`.
pub fn tag_value(style: TagStyle, url: &str) -> String {
    match style {
        TagStyle::Bare => "MIRROR".to_string(),
        TagStyle::Url => {
            const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'_')
                .remove(b'.')
                .remove(b'~');
            let encoded = percent_encoding::utf8_percent_encode(url, SET).to_string();
            // OSS printed the escapes in lower case (`http%3a%2f%2f...`).
            let mut out = String::with_capacity(encoded.len() + 7);
            out.push_str("MIRROR ");
            let mut chars = encoded.chars();
            while let Some(c) = chars.next() {
                out.push(c);
                if c == '%' {
                    for _ in 0..2 {
                        if let Some(h) = chars.next() {
                            out.push(h.to_ascii_lowercase());
                        }
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_matches_the_documented_example() {
        assert_eq!(
            tag_value(
                TagStyle::Url,
                "http://www.example-domain.com/dir1/image/example_object.jpg"
            ),
            "MIRROR http%3a%2f%2fwww.example-domain.com%2fdir1%2fimage%2fexample_object.jpg"
        );
        assert_eq!(tag_value(TagStyle::Bare, "http://x/"), "MIRROR");
    }
}
