//! Redirect loops: a redirect rule whose `Location` is a custom domain bound to a bucket of
//! this server, where the new key would be redirected again (OSS accepts such rules; the
//! console and explain warn about them, and PutBucketWebsite logs the warning).

use ossemu_rules::{RequestFacts, Rule, Website};
use ossemu_store::Meta;

use crate::request::Ctx;

/// Hops followed before giving up (a chain this long is reported as it is).
const MAX_HOPS: usize = 8;

/// One redirect: from `bucket`/`key` by `rule` to `location`, which addresses `next` (a
/// bucket of this server through its custom domain) and `next_key`.
struct Hop {
    bucket: String,
    key: String,
    rule: u32,
    location: String,
    next: Option<Target>,
}

/// Where a Location leads on this server: its host, the bucket bound to it and the key.
#[derive(Clone)]
struct Target {
    host: String,
    bucket: String,
    key: String,
}

/// The bucket's website configuration, read from the store.
fn website(meta: &Meta, bucket: &str) -> Option<Website> {
    crate::handlers::load_config(meta, bucket, crate::handlers::website::KIND)
        .ok()
        .flatten()
}

/// The redirect a GET of the missing `key` in `bucket` gets through host `host`, if a rule
/// answers it with a 3xx, and where that leads on this server.
fn hop(meta: &Meta, site: &Website, bucket: &str, key: &str, host: &str) -> Option<Hop> {
    let facts = RequestFacts {
        key,
        status: 404,
        headers: &[],
        query: "",
        protocol: ossemu_rules::Protocol::Http,
        host,
    };
    let rule = ossemu_rules::first_match(&site.rules, &facts)?;
    let location = ossemu_rules::location(rule, &facts)?.location;
    let next = target(meta, &location);
    Some(Hop {
        bucket: bucket.to_string(),
        key: key.to_string(),
        rule: rule.number,
        location,
        next,
    })
}

/// The bucket (bound to the Location's host) and key a Location addresses on this server.
fn target(meta: &Meta, location: &str) -> Option<Target> {
    let rest = location.split_once("://")?.1;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.split('?').next().unwrap_or_default();
    let bucket = meta.get_domain(&crate::host::normalize(host)).ok()??;
    let key = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    Some(Target {
        host: host.to_string(),
        bucket,
        key,
    })
}

/// Follows redirects from `bucket`/`key` (as if each key were missing) while they land on
/// custom domains of this server; a warning when a redirect is redirected again.
fn follow(meta: &Meta, bucket: &str, key: &str, host: &str) -> Option<String> {
    let mut hops = Vec::new();
    let (mut bucket, mut key, mut host) = (bucket.to_string(), key.to_string(), host.to_string());
    let mut looped = false;
    while hops.len() < MAX_HOPS {
        let site = website(meta, &bucket)?;
        let Some(h) = hop(meta, &site, &bucket, &key, &host) else {
            break;
        };
        let next = h.next.clone();
        hops.push(h);
        let Some(t) = next else { break };
        if hops.iter().any(|h| h.bucket == t.bucket && h.key == t.key) {
            looped = true;
            break;
        }
        (bucket, key, host) = (t.bucket, t.key, t.host);
    }
    if hops.len() < 2 {
        return None;
    }
    let path: Vec<String> = hops
        .iter()
        .map(|h| format!("{}/{} (rule {}) -> {}", h.bucket, h.key, h.rule, h.location))
        .collect();
    Some(format!(
        "{}: {}",
        if looped {
            "redirect loop"
        } else {
            "a redirect is redirected again"
        },
        path.join(", then ")
    ))
}

/// For explain: the chain a missing `key` of `bucket` would start, through the request's
/// host.
pub fn chain(cx: &Ctx, bucket: &str, key: &str) -> Option<String> {
    follow(
        cx.store().meta(),
        bucket,
        key,
        &crate::host::normalize(&cx.host_header),
    )
}

/// For a saved configuration: each redirect rule tried with a key it matches (its
/// KeyPrefixEquals and KeySuffixEquals around `x`), through each custom domain of the bucket
/// (a rule without HostName redirects to the request's own host).
pub fn redirect_warnings(meta: &Meta, bucket: &str, site: &Website) -> Vec<String> {
    let mut hosts: Vec<String> = meta
        .list_domains(bucket)
        .unwrap_or_default()
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    if hosts.is_empty() {
        hosts.push(String::new());
    }
    let mut warnings = Vec::new();
    for rule in site.rules.iter().filter(|r| redirects(r)) {
        let key = format!(
            "{}x{}",
            rule.condition.key_prefix_equals, rule.condition.key_suffix_equals
        );
        for host in &hosts {
            if let Some(w) = follow(meta, bucket, &key, host)
                && !warnings.contains(&w)
            {
                warnings.push(w);
            }
        }
    }
    warnings
}

fn redirects(rule: &Rule) -> bool {
    rule.redirect
        .as_ref()
        .is_some_and(|r| r.redirect_type.is_redirect())
}
