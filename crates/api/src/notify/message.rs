//! The S3 event message (`{"Records":[...]}`, event version 2.1) a webhook receives.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

/// What happened to an object, and its event name without the `s3:` prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// PutObject (and AppendObject).
    Put,
    /// PostObject.
    Post,
    /// CopyObject.
    Copy,
    /// CompleteMultipartUpload.
    CompleteMultipartUpload,
    /// Stored by back-to-origin mirroring (ossemu's own event).
    Mirror,
    /// DeleteObject, DeleteObjects: an object version (or delete marker) removed.
    Delete,
    /// A delete in a versioned bucket that added a delete marker.
    DeleteMarkerCreated,
    /// A lifecycle rule removed an object, a version or a delete marker.
    LifecycleDelete,
    /// A lifecycle rule expired the current object of a versioned bucket (a delete marker).
    LifecycleDeleteMarkerCreated,
}

impl Kind {
    /// `ObjectCreated:Put`, ...: the message's `eventName`.
    pub fn event_name(self) -> &'static str {
        match self {
            Kind::Put => "ObjectCreated:Put",
            Kind::Post => "ObjectCreated:Post",
            Kind::Copy => "ObjectCreated:Copy",
            Kind::CompleteMultipartUpload => "ObjectCreated:CompleteMultipartUpload",
            Kind::Mirror => "ObjectCreated:Mirror",
            Kind::Delete => "ObjectRemoved:Delete",
            Kind::DeleteMarkerCreated => "ObjectRemoved:DeleteMarkerCreated",
            Kind::LifecycleDelete => "LifecycleExpiration:Delete",
            Kind::LifecycleDeleteMarkerCreated => "LifecycleExpiration:DeleteMarkerCreated",
        }
    }

    /// Whether the object exists after the event (its size and ETag are reported).
    pub fn created(self) -> bool {
        matches!(
            self,
            Kind::Put | Kind::Post | Kind::Copy | Kind::CompleteMultipartUpload | Kind::Mirror
        )
    }
}

/// Everything one record says.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// `awsRegion`.
    pub region: String,
    /// Milliseconds since the epoch.
    pub time_ms: i64,
    /// Who made the request (owner id, or `Anonymous`).
    pub principal: String,
    /// The client's address.
    pub source_ip: String,
    /// The request id.
    pub request_id: String,
    /// The bucket.
    pub bucket: String,
    /// The bucket owner's id.
    pub bucket_owner: String,
    /// The key, as stored.
    pub key: String,
    /// Size in bytes (created objects).
    pub size: Option<u64>,
    /// ETag without quotes (created objects).
    pub etag: Option<String>,
    /// Version id, in a versioned bucket.
    pub version_id: Option<String>,
    /// Orders events of the same key: later events have greater values.
    pub sequencer: u64,
}

/// What S3 leaves alone in a key it reports: unreserved characters and `/`; a space becomes
/// `+` (S3 encodes keys in event messages as HTML forms do).
const KEY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/')
    .remove(b' ');

/// A key as event messages carry it (`my photo.jpg` → `my+photo.jpg`).
pub fn encode_key(key: &str) -> String {
    utf8_percent_encode(key, KEY_ENCODE)
        .to_string()
        .replace(' ', "+")
}

/// One record of the message.
pub fn record(kind: Kind, configuration_id: &str, f: &Facts) -> Value {
    let mut object = json!({
        "key": encode_key(&f.key),
        "sequencer": format!("{:016X}", f.sequencer),
    });
    if kind.created() {
        object["size"] = json!(f.size.unwrap_or(0));
        object["eTag"] = json!(f.etag.clone().unwrap_or_default());
    }
    if let Some(v) = &f.version_id {
        object["versionId"] = json!(v);
    }
    // S3 writes its lifecycle events in version 2.3 (compatible with 2.1).
    let version = match kind {
        Kind::LifecycleDelete | Kind::LifecycleDeleteMarkerCreated => "2.3",
        _ => "2.1",
    };
    json!({
        "eventVersion": version,
        "eventSource": "aws:s3",
        "awsRegion": f.region,
        "eventTime": crate::handlers::iso8601_ms(f.time_ms),
        "eventName": kind.event_name(),
        "userIdentity": { "principalId": f.principal },
        "requestParameters": { "sourceIPAddress": f.source_ip },
        "responseElements": {
            "x-amz-request-id": f.request_id,
            "x-amz-id-2": f.request_id,
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": f.bucket,
                "ownerIdentity": { "principalId": f.bucket_owner },
                "arn": format!("arn:aws:s3:::{}", f.bucket),
            },
            "object": object,
        },
    })
}

/// The message body: one record.
pub fn body(kind: Kind, configuration_id: &str, f: &Facts) -> Vec<u8> {
    let msg = json!({ "Records": [record(kind, configuration_id, f)] });
    serde_json::to_vec(&msg).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_encoded_as_s3_encodes_them() {
        assert_eq!(encode_key("a/b c.txt"), "a/b+c.txt");
        assert_eq!(encode_key("x+y=z&é"), "x%2By%3Dz%26%C3%A9");
    }

    #[test]
    fn created_and_removed_records() {
        let f = Facts {
            region: "us-east-1".into(),
            bucket: "b".into(),
            key: "k 1".into(),
            size: Some(3),
            etag: Some("abc".into()),
            sequencer: 26,
            ..Facts::default()
        };
        let r = record(Kind::Put, "c1", &f);
        assert_eq!(r["eventName"], "ObjectCreated:Put");
        assert_eq!(r["s3"]["configurationId"], "c1");
        assert_eq!(r["s3"]["object"]["key"], "k+1");
        assert_eq!(r["s3"]["object"]["size"], 3);
        assert_eq!(r["s3"]["object"]["sequencer"], "000000000000001A");
        assert_eq!(r["s3"]["bucket"]["arn"], "arn:aws:s3:::b");
        let r = record(Kind::DeleteMarkerCreated, "c1", &f);
        assert_eq!(r["eventName"], "ObjectRemoved:DeleteMarkerCreated");
        assert!(r["s3"]["object"].get("size").is_none());
        assert!(r["s3"]["object"].get("eTag").is_none());
    }
}
