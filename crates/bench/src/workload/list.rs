//! `list-flat` and `list-delim`: ListObjectsV2 over a fixture of keys spread over 100
//! prefixes. One operation is a complete listing, following continuation tokens.

use anyhow::Context as _;
use bytes::Bytes;
use http::{Method, StatusCode};

use super::{BoxFut, Ctx, Outcome, Setup, Workload};
use crate::xml;

/// Prefix of the listing fixture.
pub const PREFIX: &str = "list/";
/// Sub-prefixes the keys are spread over.
pub const SUBPREFIXES: u64 = 100;

/// Lists `list/`, flat or with `delimiter=/`.
struct List {
    keys: u64,
    delimiter: bool,
}

/// Builds the flat listing.
pub(super) fn build_flat(setup: &Setup) -> Box<dyn Workload> {
    Box::new(List {
        keys: setup.list_keys as u64,
        delimiter: false,
    })
}

/// Builds the listing with `delimiter=/`.
pub(super) fn build_delim(setup: &Setup) -> Box<dyn Workload> {
    Box::new(List {
        keys: setup.list_keys as u64,
        delimiter: true,
    })
}

/// Name of the `i`th key of the listing fixture: `list/pNN/oIIIIII`.
pub fn key(i: u64) -> String {
    format!("{PREFIX}p{:02}/o{i:06}", i % SUBPREFIXES)
}

/// What a complete listing returned.
#[derive(Debug, Default, PartialEq, Eq)]
struct Listed {
    keys: u64,
    prefixes: u64,
    bytes: u64,
}

impl List {
    async fn list_all(&self, cx: &Ctx) -> Result<Listed, String> {
        let path = format!("/{}", cx.bucket);
        let mut token: Option<String> = None;
        let mut listed = Listed::default();
        // A listing that pages more often than once per key is broken.
        for _ in 0..=self.keys + 1 {
            let mut query: Vec<(&str, &str)> = vec![("list-type", "2"), ("prefix", PREFIX)];
            if self.delimiter {
                query.push(("delimiter", "/"));
            }
            if let Some(t) = token.as_deref() {
                query.push(("continuation-token", t));
            }
            let r = cx
                .client
                .send(Method::GET, &path, &query, Bytes::new())
                .await
                .map_err(|e| format!("ListObjectsV2: {e:#}"))?;
            if r.status != StatusCode::OK {
                return Err(r.unexpected("ListObjectsV2").await);
            }
            let doc = r
                .bytes()
                .await
                .map_err(|e| format!("ListObjectsV2: {e:#}"))?;
            listed.bytes += doc.len() as u64;
            listed.keys += xml::count(&doc, "Contents") as u64;
            listed.prefixes += xml::count(&doc, "CommonPrefixes") as u64;
            if xml::first_text(&doc, "IsTruncated").as_deref() != Some("true") {
                return Ok(listed);
            }
            match xml::first_text(&doc, "NextContinuationToken") {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Err("ListObjectsV2: truncated without NextContinuationToken".into()),
            }
        }
        Err("ListObjectsV2: more pages than keys".into())
    }

    fn expected(&self) -> (u64, u64) {
        if self.delimiter {
            (0, self.keys.min(SUBPREFIXES))
        } else {
            (self.keys, 0)
        }
    }
}

impl Workload for List {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            cx.ensure_fixture(format!("{PREFIX}#{}", self.keys), self.keys, 0, key)
                .await
                .context("preparing the listing fixture")?;
            // The fixture must list exactly as expected before it is timed.
            let got = self.list_all(cx).await.map_err(anyhow::Error::msg)?;
            let (keys, prefixes) = self.expected();
            anyhow::ensure!(
                (got.keys, got.prefixes) == (keys, prefixes),
                "the listing fixture lists {} keys and {} prefixes, expected {keys} and {prefixes}",
                got.keys,
                got.prefixes
            );
            Ok(())
        })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, _seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            match self.list_all(cx).await {
                Ok(got) if (got.keys, got.prefixes) == self.expected() => Outcome::Ok {
                    bytes: got.bytes,
                    ttfb: None,
                },
                Ok(got) => Outcome::Err(format!(
                    "ListObjectsV2: {} keys and {} prefixes, expected {:?}",
                    got.keys,
                    got.prefixes,
                    self.expected()
                )),
                Err(e) => Outcome::Err(e),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_spread_over_prefixes() {
        assert_eq!(key(0), "list/p00/o000000");
        assert_eq!(key(199), "list/p99/o000199");
        let prefixes: std::collections::HashSet<_> =
            (0..10_000).map(|i| key(i)[..9].to_string()).collect();
        assert_eq!(prefixes.len(), 100);
    }
}
