//! Method + bucket/key presence + sub-resource → operation.

use http::Method;

use crate::query::Query;
use crate::subresource::{self, Route};

/// What an operation requires of the requester before its handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Checked by the handler itself (service-level operations, object reads that depend on
    /// the object's ACL and on whether it exists, forms that carry their own credential).
    Handler,
    /// The bucket owner.
    Owner,
    /// Permission to list the bucket.
    List,
    /// Permission to write into the bucket.
    Write,
    /// Permission to read the bucket's ACL (S3 READ_ACP).
    ReadAcp,
}

macro_rules! ops {
    ($( $name:ident: $perm:ident ),* $(,)?) => {
        /// Every operation the service distinguishes, with the permission it needs;
        /// `Unsupported` is a known sub-resource this server does not implement, `NotAllowed`
        /// a method the resource does not accept.
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

            /// The permission the operation needs.
            pub fn permission(self) -> Permission {
                match self { $( Op::$name => Permission::$perm, )* }
            }
        }
    };
}

ops! {
    ListBuckets: Handler,
    CreateBucket: Handler,
    DeleteBucket: Owner,
    HeadBucket: List,
    GetBucketInfo: Owner,
    GetBucketLocation: Owner,
    GetBucketAcl: ReadAcp,
    PutBucketAcl: Handler,
    GetBucketVersioning: Owner,
    PutBucketVersioning: Owner,
    PutObjectLockConfiguration: Owner,
    GetObjectLockConfiguration: Owner,
    PutObjectRetention: Write,
    GetObjectRetention: Handler,
    PutObjectLegalHold: Write,
    GetObjectLegalHold: Handler,
    InitiateBucketWorm: Owner,
    AbortBucketWorm: Owner,
    CompleteBucketWorm: Owner,
    ExtendBucketWorm: Owner,
    GetBucketWorm: Owner,
    PutSymlink: Write,
    RestoreObject: Write,
    GetSymlink: Handler,
    ListObjects: List,
    ListObjectsV2: List,
    ListObjectVersions: List,
    ListLiveChannel: List,
    DeleteObjects: Write,
    PutBucketWebsite: Owner,
    GetBucketWebsite: Owner,
    DeleteBucketWebsite: Owner,
    PutBucketAccessMonitor: Owner,
    GetBucketAccessMonitor: Owner,
    PutBucketReferer: Owner,
    GetBucketReferer: Owner,
    GetBucketStat: Owner,
    PutBucketEncryption: Owner,
    GetBucketEncryption: Owner,
    DeleteBucketEncryption: Owner,
    PutBucketOwnershipControls: Owner,
    GetBucketOwnershipControls: Owner,
    DeleteBucketOwnershipControls: Owner,
    PutBucketPublicAccessBlock: Owner,
    GetBucketPublicAccessBlock: Owner,
    DeleteBucketPublicAccessBlock: Owner,
    PutBucketLogging: Owner,
    GetBucketLogging: Owner,
    DeleteBucketLogging: Owner,
    PutBucketNotification: Owner,
    GetBucketNotification: Owner,
    PutUserDefinedLogFieldsConfig: Owner,
    GetUserDefinedLogFieldsConfig: Owner,
    DeleteUserDefinedLogFieldsConfig: Owner,
    PutBucketLifecycle: Owner,
    GetBucketLifecycle: Owner,
    DeleteBucketLifecycle: Owner,
    PutBucketCors: Owner,
    GetBucketCors: Owner,
    DeleteBucketCors: Owner,
    CorsPreflight: Handler,
    PutCname: Owner,
    DeleteCname: Owner,
    ListCname: Owner,
    CreateCnameToken: Owner,
    GetCnameToken: Owner,
    PutBucketPolicy: Owner,
    GetBucketPolicy: Owner,
    DeleteBucketPolicy: Owner,
    GetBucketPolicyStatus: Owner,
    ListMultipartUploads: List,
    PutObject: Write,
    PostObject: Handler,
    CopyObject: Write,
    GetObject: Handler,
    HeadObject: Handler,
    GetObjectMeta: Handler,
    DeleteObject: Write,
    GetObjectAcl: Handler,
    PutObjectAcl: Handler,
    GetObjectTagging: Handler,
    PutObjectTagging: Write,
    DeleteObjectTagging: Write,
    GetBucketTagging: Owner,
    PutBucketTagging: Owner,
    DeleteBucketTagging: Owner,
    InitiateMultipartUpload: Write,
    UploadPart: Write,
    UploadPartCopy: Write,
    CompleteMultipartUpload: Write,
    AbortMultipartUpload: Write,
    ListParts: Write,
    AppendObject: Write,
    DescribeRegions: Handler,
    Unsupported: Handler,
    NotAllowed: Handler,
}

/// Routes a request. `has_bucket`/`has_key` say what the host and path addressed.
pub fn route(method: &Method, has_bucket: bool, has_key: bool, q: &Query, copy_source: bool) -> Op {
    if !has_bucket {
        return match *method {
            Method::GET | Method::HEAD if has(q, "regions") => Op::DescribeRegions,
            // ListBuckets takes `regionList` (every region's buckets; ossemu has one) and the
            // bucket tag filter `tagging` ("k1":"v1",...).
            Method::GET | Method::HEAD if stray(method, q, &["regionList", "tagging"]) => {
                Op::Unsupported
            }
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

/// Whether the request carries a sub-resource ossemu answers 501 for ([`Route::Unsupported`]).
fn unsupported(q: &Query) -> bool {
    subresource::routed(Route::Unsupported).any(|s| q.has(s))
}

/// The sub-resource that made a request `Op::Unsupported`, for its error message.
pub fn unsupported_subresource<'q>(method: &Method, q: &'q Query) -> Option<&'q str> {
    let named = subresource::routed(Route::Unsupported)
        .chain(subresource::routed(Route::Partly))
        .find(|s| q.has(s));
    match named {
        Some(s) => q.pairs.iter().map(|(k, _)| k.as_str()).find(|k| *k == s),
        None => q
            .pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| stray_name(method, q, k, &[])),
    }
}

/// Whether `name` in the query names an operation the request does not select: a known
/// sub-resource (other than an operation's parameter, or one in `allowed`), or, on a method
/// that writes, an unknown name without a value (OSS and S3 write sub-resources that way).
/// Such a request is answered 501 and never reaches a plain object or bucket operation.
fn stray_name(method: &Method, q: &Query, name: &str, allowed: &[&str]) -> bool {
    if allowed.contains(&name) {
        return false;
    }
    match subresource::lookup(name) {
        Some(s) => s.route != Route::Ignored,
        None => {
            let writes = matches!(*method, Method::PUT | Method::POST | Method::DELETE);
            writes && q.get(name) == Some("") && !is_auth_or_vendor(name)
        }
    }
}

/// Query names of signatures and vendor parameters, which never name an operation.
fn is_auth_or_vendor(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("x-oss-") || lower.starts_with("x-amz-") || lower.starts_with("x-id")
}

/// Whether any query name is stray for a request that would otherwise be a plain operation.
fn stray(method: &Method, q: &Query, allowed: &[&str]) -> bool {
    q.pairs
        .iter()
        .any(|(k, _)| stray_name(method, q, k, allowed))
}

/// Whether the request carries `name`, which the sub-resource table must know as routed.
fn has(q: &Query, name: &str) -> bool {
    debug_assert!(
        routed(name),
        "{name} is missing from the sub-resource table"
    );
    q.has(name)
}

/// The value of `name`, which the sub-resource table must know as routed.
fn value<'q>(q: &'q Query, name: &str) -> Option<&'q str> {
    debug_assert!(
        routed(name),
        "{name} is missing from the sub-resource table"
    );
    q.get(name)
}

fn routed(name: &str) -> bool {
    subresource::lookup(name).is_some_and(|s| s.route != Route::Ignored)
}

fn bucket_op(method: &Method, q: &Query) -> Op {
    match *method {
        Method::PUT => bucket_put(q),
        Method::GET => bucket_get(q),
        Method::HEAD => Op::HeadBucket,
        Method::DELETE => bucket_delete(q),
        Method::POST => bucket_post(q),
        _ => Op::NotAllowed,
    }
}

fn bucket_put(q: &Query) -> Op {
    if has(q, "acl") {
        Op::PutBucketAcl
    } else if has(q, "website") {
        Op::PutBucketWebsite
    } else if has(q, "cors") {
        Op::PutBucketCors
    } else if has(q, "lifecycle") {
        Op::PutBucketLifecycle
    } else if has(q, "accessmonitor") {
        Op::PutBucketAccessMonitor
    } else if has(q, "encryption") {
        Op::PutBucketEncryption
    } else if has(q, "logging") {
        Op::PutBucketLogging
    } else if has(q, "userDefinedLogFieldsConfig") {
        Op::PutUserDefinedLogFieldsConfig
    } else if has(q, "notification") {
        Op::PutBucketNotification
    } else if has(q, "tagging") {
        Op::PutBucketTagging
    } else if has(q, "versioning") {
        Op::PutBucketVersioning
    } else if has(q, "object-lock") {
        Op::PutObjectLockConfiguration
    } else if has(q, "referer") {
        Op::PutBucketReferer
    } else if has(q, "policy") {
        Op::PutBucketPolicy
    } else if has(q, "ownershipControls") {
        Op::PutBucketOwnershipControls
    } else if has(q, "publicAccessBlock") {
        Op::PutBucketPublicAccessBlock
    } else if unsupported(q) || stray(&Method::PUT, q, &[]) {
        Op::Unsupported
    } else {
        Op::CreateBucket
    }
}

fn bucket_get(q: &Query) -> Op {
    if has(q, "acl") {
        Op::GetBucketAcl
    } else if has(q, "location") {
        Op::GetBucketLocation
    } else if has(q, "bucketInfo") {
        Op::GetBucketInfo
    } else if has(q, "website") {
        Op::GetBucketWebsite
    } else if has(q, "cors") {
        Op::GetBucketCors
    } else if has(q, "lifecycle") {
        Op::GetBucketLifecycle
    } else if has(q, "accessmonitor") {
        Op::GetBucketAccessMonitor
    } else if has(q, "encryption") {
        Op::GetBucketEncryption
    } else if has(q, "logging") {
        Op::GetBucketLogging
    } else if has(q, "userDefinedLogFieldsConfig") {
        Op::GetUserDefinedLogFieldsConfig
    } else if has(q, "notification") {
        Op::GetBucketNotification
    } else if value(q, "comp") == Some("token") && has(q, "cname") {
        Op::GetCnameToken
    } else if has(q, "cname") {
        Op::ListCname
    } else if has(q, "uploads") {
        Op::ListMultipartUploads
    } else if has(q, "live") {
        Op::ListLiveChannel
    } else if has(q, "versions") {
        Op::ListObjectVersions
    } else if has(q, "versioning") {
        Op::GetBucketVersioning
    } else if has(q, "object-lock") {
        Op::GetObjectLockConfiguration
    } else if has(q, "worm") {
        Op::GetBucketWorm
    } else if has(q, "tagging") {
        Op::GetBucketTagging
    } else if has(q, "referer") {
        Op::GetBucketReferer
    } else if has(q, "stat") {
        Op::GetBucketStat
    } else if has(q, "policy") {
        Op::GetBucketPolicy
    } else if has(q, "policyStatus") {
        Op::GetBucketPolicyStatus
    } else if has(q, "ownershipControls") {
        Op::GetBucketOwnershipControls
    } else if has(q, "publicAccessBlock") {
        Op::GetBucketPublicAccessBlock
    } else if unsupported(q) || stray(&Method::GET, q, &["list-type"]) {
        Op::Unsupported
    } else if value(q, "list-type") == Some("2") {
        Op::ListObjectsV2
    } else {
        Op::ListObjects
    }
}

fn bucket_delete(q: &Query) -> Op {
    if has(q, "website") {
        Op::DeleteBucketWebsite
    } else if has(q, "cors") {
        Op::DeleteBucketCors
    } else if has(q, "lifecycle") {
        Op::DeleteBucketLifecycle
    } else if has(q, "tagging") {
        Op::DeleteBucketTagging
    } else if has(q, "worm") {
        Op::AbortBucketWorm
    } else if has(q, "encryption") {
        Op::DeleteBucketEncryption
    } else if has(q, "logging") {
        Op::DeleteBucketLogging
    } else if has(q, "userDefinedLogFieldsConfig") {
        Op::DeleteUserDefinedLogFieldsConfig
    } else if has(q, "policy") {
        Op::DeleteBucketPolicy
    } else if has(q, "ownershipControls") {
        Op::DeleteBucketOwnershipControls
    } else if has(q, "publicAccessBlock") {
        Op::DeleteBucketPublicAccessBlock
    } else if unsupported(q) || stray(&Method::DELETE, q, &[]) {
        Op::Unsupported
    } else {
        Op::DeleteBucket
    }
}

fn bucket_post(q: &Query) -> Op {
    if has(q, "delete") {
        Op::DeleteObjects
    } else if has(q, "worm") {
        Op::InitiateBucketWorm
    } else if has(q, "wormExtend") {
        Op::ExtendBucketWorm
    } else if has(q, "wormId") {
        Op::CompleteBucketWorm
    } else if has(q, "cname") {
        match value(q, "comp") {
            Some("add") => Op::PutCname,
            Some("delete") => Op::DeleteCname,
            Some("token") => Op::CreateCnameToken,
            _ => Op::Unsupported,
        }
    } else if unsupported(q) || stray(&Method::POST, q, &[]) {
        Op::Unsupported
    } else {
        Op::PostObject
    }
}

fn object_op(method: &Method, q: &Query, copy_source: bool) -> Op {
    match *method {
        Method::PUT => object_put(q, copy_source),
        Method::GET => object_get(q),
        Method::HEAD => {
            if has(q, "objectMeta") {
                Op::GetObjectMeta
            } else if unsupported(q) || stray(method, q, &["partNumber"]) {
                Op::Unsupported
            } else {
                Op::HeadObject
            }
        }
        Method::DELETE => object_delete(q),
        Method::POST => {
            if has(q, "uploads") {
                Op::InitiateMultipartUpload
            } else if has(q, "uploadId") {
                Op::CompleteMultipartUpload
            } else if has(q, "append") {
                Op::AppendObject
            } else if has(q, "restore") {
                Op::RestoreObject
            } else if unsupported(q) || stray(method, q, &[]) {
                Op::Unsupported
            } else {
                Op::NotAllowed
            }
        }
        _ => Op::NotAllowed,
    }
}

fn object_put(q: &Query, copy_source: bool) -> Op {
    if has(q, "partNumber") && has(q, "uploadId") {
        if copy_source {
            Op::UploadPartCopy
        } else {
            Op::UploadPart
        }
    } else if has(q, "acl") {
        Op::PutObjectAcl
    } else if has(q, "tagging") {
        Op::PutObjectTagging
    } else if has(q, "symlink") {
        Op::PutSymlink
    } else if has(q, "retention") {
        Op::PutObjectRetention
    } else if has(q, "legal-hold") {
        Op::PutObjectLegalHold
    } else if unsupported(q) || stray(&Method::PUT, q, &[]) {
        Op::Unsupported
    } else if copy_source {
        Op::CopyObject
    } else {
        Op::PutObject
    }
}

fn object_get(q: &Query) -> Op {
    if has(q, "uploadId") {
        Op::ListParts
    } else if has(q, "acl") {
        Op::GetObjectAcl
    } else if has(q, "tagging") {
        Op::GetObjectTagging
    } else if has(q, "symlink") {
        Op::GetSymlink
    } else if has(q, "retention") {
        Op::GetObjectRetention
    } else if has(q, "legal-hold") {
        Op::GetObjectLegalHold
    } else if unsupported(q) || stray(&Method::GET, q, &["partNumber"]) {
        Op::Unsupported
    } else {
        Op::GetObject
    }
}

fn object_delete(q: &Query) -> Op {
    if has(q, "uploadId") {
        Op::AbortMultipartUpload
    } else if has(q, "tagging") {
        Op::DeleteObjectTagging
    // oss2 keeps `symlink` in a params dict it used for GetSymlink and sends it on the
    // DeleteObject that follows; OSS deletes the object.
    } else if unsupported(q) || stray(&Method::DELETE, q, &["symlink"]) {
        Op::Unsupported
    } else {
        Op::DeleteObject
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
        assert_eq!(r(Method::PUT, true, false, "referer"), Op::PutBucketReferer);
        assert_eq!(r(Method::GET, true, false, "referer"), Op::GetBucketReferer);
        assert_eq!(r(Method::GET, true, false, "stat"), Op::GetBucketStat);
        assert_eq!(r(Method::DELETE, true, false, "referer"), Op::Unsupported);
        assert_eq!(r(Method::PATCH, true, true, ""), Op::NotAllowed);
        assert_eq!(
            route(&Method::PUT, true, true, &Query::parse(""), true),
            Op::CopyObject
        );
    }
}
