//! The values of policy condition keys for one request: where it comes from, its headers
//! and query, and the tags of the object it addresses (read from the store only when a
//! condition asks for them).

use std::sync::OnceLock;

use ossemu_policy::{CondKey, Context};
use ossemu_store::ObjectRecord;

use super::Ask;
use crate::request::Ctx;

/// Condition key values for one [`Ask`].
pub struct Facts<'a> {
    cx: &'a Ctx,
    bucket: &'a str,
    key: Option<&'a str>,
    obj: Option<&'a ObjectRecord>,
    loaded: OnceLock<Option<ObjectRecord>>,
    prefix: Option<&'a str>,
}

impl<'a> Facts<'a> {
    /// The facts of `ask` within request `cx`; `prefix` overrides the query's `prefix`.
    pub fn new(cx: &'a Ctx, ask: &Ask<'a>, prefix: Option<&'a str>) -> Self {
        Self {
            cx,
            bucket: &ask.bucket.name,
            key: ask.key,
            obj: ask.obj,
            loaded: OnceLock::new(),
            prefix,
        }
    }

    fn header(&self, name: &str) -> Option<Vec<String>> {
        let all: Vec<String> = self
            .cx
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        (!all.is_empty()).then_some(all)
    }

    fn dialect_header(&self, suffix: &str) -> Option<Vec<String>> {
        self.cx.dheader(suffix).map(|v| vec![v.to_string()])
    }

    fn query(&self, name: &str) -> Option<Vec<String>> {
        self.cx.query.get(name).map(|v| vec![v.to_string()])
    }

    /// The addressed object's tags: the caller's record, else the current version's.
    fn existing_tags(&self) -> Vec<(String, String)> {
        if let Some(o) = self.obj {
            return o.attrs.tagging.clone();
        }
        let loaded = self.loaded.get_or_init(|| {
            let key = self.key?;
            self.cx
                .store()
                .meta()
                .get_object(self.bucket, key)
                .ok()
                .flatten()
        });
        loaded
            .as_ref()
            .map(|o| o.attrs.tagging.clone())
            .unwrap_or_default()
    }

    /// The tags the request sets (`x-amz-tagging` / `x-oss-tagging`, url-encoded).
    fn request_tags(&self) -> Vec<(String, String)> {
        self.cx
            .dheader("tagging")
            .map(|t| {
                form_urlencoded::parse(t.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn tag_value(tags: Vec<(String, String)>, key: &str) -> Option<Vec<String>> {
    tags.into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| vec![v])
}

impl Context for Facts<'_> {
    fn values(&self, key: &CondKey) -> Option<Vec<String>> {
        let now_ms = self.cx.state.clock.now_ms();
        match key {
            CondKey::SourceIp => Some(vec![self.cx.peer.ip().to_string()]),
            CondKey::Referer => self.header("referer"),
            CondKey::SecureTransport => Some(vec!["false".into()]),
            CondKey::CurrentTime => chrono::DateTime::from_timestamp_millis(now_ms)
                .map(|t| vec![t.format("%Y-%m-%dT%H:%M:%SZ").to_string()]),
            CondKey::EpochTime => Some(vec![(now_ms / 1000).to_string()]),
            CondKey::UserAgent => self.header("user-agent"),
            CondKey::Prefix => match self.prefix {
                Some(p) => Some(vec![p.to_string()]),
                None => self.query("prefix"),
            },
            CondKey::Delimiter => self.query("delimiter"),
            CondKey::MaxKeys => self.query("max-keys"),
            CondKey::Acl => self
                .dialect_header("acl")
                .or_else(|| self.dialect_header("object-acl")),
            CondKey::ExistingObjectTag(k) => tag_value(self.existing_tags(), k),
            CondKey::RequestObjectTag(k) => tag_value(self.request_tags(), k),
            CondKey::RequestObjectTagKeys => {
                let keys: Vec<String> = self.request_tags().into_iter().map(|(k, _)| k).collect();
                (!keys.is_empty()).then_some(keys)
            }
            CondKey::VersionId => self.query("versionId"),
            CondKey::CopySource => self.dialect_header("copy-source"),
            CondKey::MetadataDirective => self.dialect_header("metadata-directive"),
            CondKey::GrantFullControl => self.header("x-amz-grant-full-control"),
            CondKey::GrantRead => self.header("x-amz-grant-read"),
            CondKey::GrantWrite => self.header("x-amz-grant-write"),
            CondKey::GrantReadAcp => self.header("x-amz-grant-read-acp"),
            CondKey::GrantWriteAcp => self.header("x-amz-grant-write-acp"),
            CondKey::ServerSideEncryption => self.dialect_header("server-side-encryption"),
            CondKey::StorageClass => self.dialect_header("storage-class"),
            _ => None,
        }
    }
}
