//! Method + bucket/key presence + sub-resource → operation.

use http::Method;

use crate::request::Query;

macro_rules! ops {
    ($( $name:ident ),* $(,)?) => {
        /// Every operation the service distinguishes; `Unsupported` is a known sub-resource
        /// this server does not implement, `NotAllowed` a method the resource does not accept.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op {
            $(
                #[allow(missing_docs)]
                $name,
            )*
        }

        impl Op {
            /// The operation's name (OSS/S3 API name), for logs and metrics.
            pub fn name(self) -> &'static str {
                match self { $( Op::$name => stringify!($name), )* }
            }
        }
    };
}

ops! {
    ListBuckets,
    CreateBucket, DeleteBucket, HeadBucket, GetBucketInfo, GetBucketLocation,
    GetBucketAcl, PutBucketAcl, GetBucketVersioning,
    ListObjects, ListObjectsV2, ListObjectVersions, ListLiveChannel, DeleteObjects,
    PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite,
    PutBucketCors, GetBucketCors, DeleteBucketCors, CorsPreflight,
    PutCname, DeleteCname, ListCname, CreateCnameToken, GetCnameToken,
    ListMultipartUploads,
    PutObject, PostObject, CopyObject, GetObject, HeadObject, GetObjectMeta, DeleteObject,
    GetObjectAcl, PutObjectAcl, GetObjectTagging, PutObjectTagging, DeleteObjectTagging,
    GetBucketTagging, PutBucketTagging, DeleteBucketTagging,
    InitiateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
    AbortMultipartUpload, ListParts, AppendObject,
    Unsupported,
    NotAllowed,
}

/// Sub-resources that exist in OSS or S3 but are not implemented here; requests for them get
/// 501 NotImplemented rather than being mistaken for plain object or bucket operations.
const UNSUPPORTED: &[&str] = &[
    "lifecycle",
    "logging",
    "policy",
    "tagging",
    "encryption",
    "referer",
    "replication",
    "inventory",
    "worm",
    "qos",
    "requestPayment",
    "notification",
    "accelerate",
    "analytics",
    "metrics",
    "intelligent-tiering",
    "ownershipControls",
    "publicAccessBlock",
    "object-lock",
    "retention",
    "legal-hold",
    "symlink",
    "restore",
    "select",
    "torrent",
    "attributes",
    "policyStatus",
    "transferAcceleration",
    "stat",
    "regionList",
    "resourceGroup",
    "style",
    "img",
    "x-oss-process",
];

/// Routes a request. `has_bucket`/`has_key` say what the host and path addressed.
pub fn route(method: &Method, has_bucket: bool, has_key: bool, q: &Query, copy_source: bool) -> Op {
    if !has_bucket {
        return match *method {
            Method::GET | Method::HEAD => Op::ListBuckets,
            _ => Op::NotAllowed,
        };
    }
    if *method == Method::OPTIONS {
        return Op::CorsPreflight;
    }
    if has_key {
        object_op(method, q, copy_source)
    } else {
        bucket_op(method, q)
    }
}

fn unsupported(q: &Query) -> bool {
    UNSUPPORTED.iter().any(|s| q.has(s))
}

/// The sub-resource that made a request `Op::Unsupported`, for its error message.
pub fn unsupported_subresource(q: &Query) -> Option<&'static str> {
    UNSUPPORTED
        .iter()
        .chain(&["versioning", "cname"])
        .find(|s| q.has(s))
        .copied()
}

fn bucket_op(method: &Method, q: &Query) -> Op {
    let comp = q.get("comp");
    match *method {
        Method::PUT => {
            if q.has("acl") {
                Op::PutBucketAcl
            } else if q.has("website") {
                Op::PutBucketWebsite
            } else if q.has("cors") {
                Op::PutBucketCors
            } else if q.has("tagging") {
                Op::PutBucketTagging
            } else if unsupported(q) || q.has("versioning") {
                Op::Unsupported
            } else {
                Op::CreateBucket
            }
        }
        Method::GET => {
            if q.has("acl") {
                Op::GetBucketAcl
            } else if q.has("location") {
                Op::GetBucketLocation
            } else if q.has("bucketInfo") {
                Op::GetBucketInfo
            } else if q.has("website") {
                Op::GetBucketWebsite
            } else if q.has("cors") {
                Op::GetBucketCors
            } else if comp == Some("token") && q.has("cname") {
                Op::GetCnameToken
            } else if q.has("cname") {
                Op::ListCname
            } else if q.has("uploads") {
                Op::ListMultipartUploads
            } else if q.has("live") {
                Op::ListLiveChannel
            } else if q.has("versions") {
                Op::ListObjectVersions
            } else if q.has("versioning") {
                Op::GetBucketVersioning
            } else if q.has("tagging") {
                Op::GetBucketTagging
            } else if unsupported(q) {
                Op::Unsupported
            } else if q.get("list-type") == Some("2") {
                Op::ListObjectsV2
            } else {
                Op::ListObjects
            }
        }
        Method::HEAD => Op::HeadBucket,
        Method::DELETE => {
            if q.has("website") {
                Op::DeleteBucketWebsite
            } else if q.has("cors") {
                Op::DeleteBucketCors
            } else if q.has("tagging") {
                Op::DeleteBucketTagging
            } else if unsupported(q) {
                Op::Unsupported
            } else {
                Op::DeleteBucket
            }
        }
        Method::POST => {
            if q.has("delete") {
                Op::DeleteObjects
            } else if q.has("cname") {
                match comp {
                    Some("add") => Op::PutCname,
                    Some("delete") => Op::DeleteCname,
                    Some("token") => Op::CreateCnameToken,
                    _ => Op::Unsupported,
                }
            } else if unsupported(q) {
                Op::Unsupported
            } else {
                Op::PostObject
            }
        }
        _ => Op::NotAllowed,
    }
}

fn object_op(method: &Method, q: &Query, copy_source: bool) -> Op {
    match *method {
        Method::PUT => {
            if q.has("partNumber") && q.has("uploadId") {
                if copy_source {
                    Op::UploadPartCopy
                } else {
                    Op::UploadPart
                }
            } else if q.has("acl") {
                Op::PutObjectAcl
            } else if q.has("tagging") {
                Op::PutObjectTagging
            } else if unsupported(q) {
                Op::Unsupported
            } else if copy_source {
                Op::CopyObject
            } else {
                Op::PutObject
            }
        }
        Method::GET => {
            if q.has("uploadId") {
                Op::ListParts
            } else if q.has("acl") {
                Op::GetObjectAcl
            } else if q.has("tagging") {
                Op::GetObjectTagging
            } else if unsupported(q) {
                Op::Unsupported
            } else {
                Op::GetObject
            }
        }
        Method::HEAD => {
            if q.has("objectMeta") {
                Op::GetObjectMeta
            } else {
                Op::HeadObject
            }
        }
        Method::DELETE => {
            if q.has("uploadId") {
                Op::AbortMultipartUpload
            } else if q.has("tagging") {
                Op::DeleteObjectTagging
            } else if unsupported(q) {
                Op::Unsupported
            } else {
                Op::DeleteObject
            }
        }
        Method::POST => {
            if q.has("uploads") {
                Op::InitiateMultipartUpload
            } else if q.has("uploadId") {
                Op::CompleteMultipartUpload
            } else if q.has("append") {
                Op::AppendObject
            } else if unsupported(q) {
                Op::Unsupported
            } else {
                Op::NotAllowed
            }
        }
        _ => Op::NotAllowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: Method, b: bool, k: bool, q: &str) -> Op {
        route(&m, b, k, &Query::parse(q), false)
    }

    #[test]
    fn routes() {
        assert_eq!(r(Method::GET, false, false, ""), Op::ListBuckets);
        assert_eq!(r(Method::PUT, true, false, ""), Op::CreateBucket);
        assert_eq!(
            r(Method::GET, true, false, "list-type=2"),
            Op::ListObjectsV2
        );
        assert_eq!(r(Method::GET, true, false, "prefix=a"), Op::ListObjects);
        assert_eq!(
            r(Method::PUT, true, false, "website="),
            Op::PutBucketWebsite
        );
        assert_eq!(r(Method::POST, true, false, "cname&comp=add"), Op::PutCname);
        assert_eq!(
            r(Method::GET, true, false, "comp=token&cname=a.b"),
            Op::GetCnameToken
        );
        assert_eq!(r(Method::POST, true, false, "delete"), Op::DeleteObjects);
        assert_eq!(r(Method::HEAD, true, true, "objectMeta"), Op::GetObjectMeta);
        assert_eq!(
            r(Method::PUT, true, true, "partNumber=1&uploadId=x"),
            Op::UploadPart
        );
        assert_eq!(
            r(Method::POST, true, true, "append&position=0"),
            Op::AppendObject
        );
        assert_eq!(r(Method::GET, true, true, "tagging"), Op::GetObjectTagging);
        assert_eq!(r(Method::PUT, true, true, "tagging"), Op::PutObjectTagging);
        assert_eq!(
            r(Method::DELETE, true, true, "tagging"),
            Op::DeleteObjectTagging
        );
        assert_eq!(r(Method::GET, true, false, "tagging"), Op::GetBucketTagging);
        assert_eq!(r(Method::PUT, true, false, "tagging"), Op::PutBucketTagging);
        assert_eq!(
            r(Method::DELETE, true, false, "tagging"),
            Op::DeleteBucketTagging
        );
        assert_eq!(r(Method::PATCH, true, true, ""), Op::NotAllowed);
        assert_eq!(
            route(&Method::PUT, true, true, &Query::parse(""), true),
            Op::CopyObject
        );
    }
}
