//! Every query-string sub-resource ossemu knows, in one table that routing, authorization and
//! signing read: the router answers 501 for the ones it does not implement, access refuses a
//! request whose signature leaves out one that selects the operation, and the OSS V1 and S3
//! SigV2 signers put the ones their scheme signs into the CanonicalizedResource.

use self::Route::{Ignored, Implemented, Partly, Unsupported};

/// What the router does with a sub-resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The router does not read it.
    Ignored,
    /// The router matches it to implemented operations; any other request carrying it is
    /// answered 501 NotImplemented (it names an operation the request is not), unless the
    /// plain operation takes it as a parameter (`list-type` on ListObjects, `partNumber` on
    /// GetObject).
    Implemented,
    /// Implemented for some methods; the router answers 501 NotImplemented for others
    /// (PUT `?versioning`, POST `?cname` with an unknown `comp`).
    Partly,
    /// A request carrying it answers 501 NotImplemented unless an implemented operation claims
    /// it first (`tagging` is implemented for GET, PUT and DELETE, and 501 for POST).
    Unsupported,
}

/// A sub-resource name and what each part of the server does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubResource {
    /// The query parameter name.
    pub name: &'static str,
    /// OSS V1 signs it in the CanonicalizedResource (besides every `x-oss-*` name).
    pub oss_v1: bool,
    /// S3 SigV2 signs it in the CanonicalizedResource.
    pub aws_v2: bool,
    /// It selects the operation (or, like `position`, what the operation does), so a signature
    /// must cover it (`list-type` only picks the listing version, which needs the same
    /// permission).
    pub selects_op: bool,
    /// What the router does with it.
    pub route: Route,
}

const NONE: u8 = 0;
const V1: u8 = 1;
const V2: u8 = 2;
const OP: u8 = 4;

/// A table row: `flags` is a union of `V1` (OSS V1 signs it), `V2` (S3 SigV2 signs it) and
/// `OP` (it selects the operation).
const fn sub(name: &'static str, flags: u8, route: Route) -> SubResource {
    SubResource {
        name,
        oss_v1: flags & V1 != 0,
        aws_v2: flags & V2 != 0,
        selects_op: flags & OP != 0,
        route,
    }
}

/// Every sub-resource: the OSS V1 names are the union of the OSS documentation list, oss2's
/// `_subresource_key_set` and the Go/Python v2 SDK lists; the S3 SigV2 names are the AWS
/// documentation's and botocore's (`HmacV1Auth.QSAOfInterest`).
pub const SUBRESOURCES: &[SubResource] = &[
    // Answered 501 NotImplemented unless an implemented operation claims the request first;
    // the error message names the first one present, in this order.
    sub("tagging", V1 | V2 | OP, Unsupported),
    sub("replication", V1 | V2, Unsupported),
    sub("inventory", V1 | V2, Unsupported),
    sub("qos", V1, Unsupported),
    sub("requestPayment", V1 | V2, Unsupported),
    sub("accelerate", V2, Unsupported),
    sub("analytics", V2, Unsupported),
    sub("metrics", V2, Unsupported),
    sub("intelligent-tiering", NONE, Unsupported),
    sub("select", V2, Unsupported),
    sub("torrent", V2, Unsupported),
    sub("attributes", NONE, Unsupported),
    sub("transferAcceleration", V1, Unsupported),
    sub("stat", V1 | OP, Implemented),
    sub("regionList", V1, Unsupported),
    sub("resourceGroup", V1, Unsupported),
    sub("style", V1, Unsupported),
    sub("img", V1, Unsupported),
    sub("x-oss-process", V1, Unsupported),
    // Operations of OSS and S3 that ossemu does not implement (OSS V1 signs some of them).
    sub("accessPoint", V1, Unsupported),
    sub("accessPointPolicy", V1, Unsupported),
    sub("asyncFetch", V1, Unsupported),
    sub("bucketArchiveDirectRead", V1, Unsupported),
    sub("cloudboxes", V1, Unsupported),
    sub("defaultObjectAcl", V2, Unsupported),
    sub("group", V1, Unsupported),
    sub("httpsConfig", V1, Unsupported),
    sub("link", V1, Unsupported),
    sub("metaQuery", V1, Unsupported),
    sub("objectInfo", V1, Unsupported),
    sub("qosInfo", V1, Unsupported),
    sub("qosRequester", V1, Unsupported),
    sub("redundancyTransition", V1, Unsupported),
    sub("replicationLocation", V1, Unsupported),
    sub("replicationProgress", V1, Unsupported),
    sub("requesterQosInfo", V1, Unsupported),
    sub("resourcePool", V1, Unsupported),
    sub("resourcePoolBuckets", V1, Unsupported),
    sub("resourcePoolInfo", V1, Unsupported),
    sub("vod", V1, Unsupported),
    sub("x-oss-async-process", V1, Unsupported),
    sub("x-oss-write-get-object-response", V1, Unsupported),
    sub("overwriteConfig", NONE, Unsupported),
    sub("objectWormConfiguration", NONE, Unsupported),
    sub("callbackPolicy", NONE, Unsupported),
    sub("seal", NONE, Unsupported),
    sub("cleanRestoredObject", NONE, Unsupported),
    sub("dataRedundancyTransition", NONE, Unsupported),
    sub("responseHeader", NONE, Unsupported),
    sub("renameObject", NONE, Unsupported),
    sub("session", NONE, Unsupported),
    sub("metadataTable", NONE, Unsupported),
    sub("metadataConfiguration", NONE, Unsupported),
    // Implemented for some methods; the router answers 501 for others (named after the above).
    sub("cname", V1 | OP, Partly),
    // Routed to implemented operations.
    sub("policy", V1 | V2 | OP, Implemented),
    sub("policyStatus", V1 | OP, Implemented),
    sub("referer", V1 | OP, Implemented),
    sub("accessmonitor", NONE, Implemented),
    sub("acl", V1 | V2 | OP, Implemented),
    sub("append", V1 | OP, Implemented),
    sub("bucketInfo", V1 | OP, Implemented),
    sub("comp", V1 | OP, Implemented),
    sub("cors", V1 | V2 | OP, Implemented),
    sub("delete", V1 | V2 | OP, Implemented),
    sub("lifecycle", V1 | V2 | OP, Implemented),
    sub("list-type", NONE, Implemented),
    sub("live", V1 | OP, Implemented),
    sub("location", V1 | V2 | OP, Implemented),
    sub("objectMeta", V1 | OP, Implemented),
    sub("ownershipControls", NONE, Implemented),
    sub("publicAccessBlock", V1, Implemented),
    sub("partNumber", V1 | V2 | OP, Implemented),
    sub("uploadId", V1 | V2 | OP, Implemented),
    sub("uploads", V1 | V2 | OP, Implemented),
    sub("versioning", V1 | V2 | OP, Implemented),
    sub("versions", V1 | V2 | OP, Implemented),
    sub("wormId", V1, Implemented),
    sub("wormExtend", V1, Implemented),
    sub("legal-hold", NONE, Implemented),
    sub("retention", NONE, Implemented),
    sub("object-lock", V2, Implemented),
    sub("worm", V1, Implemented),
    sub("symlink", V1, Implemented),
    sub("restore", V1 | V2, Implemented),
    sub("website", V1 | V2 | OP, Implemented),
    sub("regions", NONE, Implemented),
    sub("encryption", V1 | OP, Implemented),
    sub("logging", V1 | V2 | OP, Implemented),
    sub("userDefinedLogFieldsConfig", OP | V1, Implemented),
    sub("notification", V2, Implemented),
    // Not routed: parameters of an operation, and names only signatures cover.
    sub("callback", V1, Ignored),
    sub("callback-var", V1, Ignored),
    sub("continuation-token", V1, Ignored),
    sub("endTime", V1, Ignored),
    sub("inventoryId", V1, Ignored),
    sub("position", V1 | OP, Ignored),
    sub("response-cache-control", V1 | V2, Ignored),
    sub("response-content-disposition", V1 | V2, Ignored),
    sub("response-content-encoding", V1 | V2, Ignored),
    sub("response-content-language", V1 | V2, Ignored),
    sub("response-content-type", V1 | V2, Ignored),
    sub("response-expires", V1 | V2, Ignored),
    sub("security-token", V1, Ignored),
    sub("select-type", V2, Ignored),
    sub("sequential", V1, Ignored),
    sub("startTime", V1, Ignored),
    sub("status", V1, Ignored),
    sub("storageClass", V2, Ignored),
    sub("styleName", V1, Ignored),
    sub("versionId", V1 | V2, Ignored),
    sub("x-oss-ac-forward-allow", V1, Ignored),
    sub("x-oss-ac-source-ip", V1, Ignored),
    sub("x-oss-ac-subnet-mask", V1, Ignored),
    sub("x-oss-ac-vpc-id", V1, Ignored),
    sub("x-oss-access-point-name", V1, Ignored),
    sub("x-oss-redundancy-transition-taskid", V1, Ignored),
    sub("x-oss-request-payer", V1, Ignored),
    sub("x-oss-target-redundancy-type", V1, Ignored),
    sub("x-oss-traffic-limit", V1, Ignored),
];

/// The table row for `name` (compared exactly).
pub fn lookup(name: &str) -> Option<&'static SubResource> {
    SUBRESOURCES.iter().find(|s| s.name == name)
}

/// Whether OSS V1 signs `name` as a listed sub-resource (`x-oss-*` names aside).
pub fn oss_v1_signed(name: &str) -> bool {
    lookup(name).is_some_and(|s| s.oss_v1)
}

/// Whether S3 SigV2 signs `name`.
pub fn aws_v2_signed(name: &str) -> bool {
    lookup(name).is_some_and(|s| s.aws_v2)
}

/// Whether `name` selects the operation, so that a signature must cover it.
pub fn selects_op(name: &str) -> bool {
    lookup(name).is_some_and(|s| s.selects_op)
}

/// The names the router treats as `route`, in table order.
pub fn routed(route: Route) -> impl Iterator<Item = &'static str> {
    SUBRESOURCES
        .iter()
        .filter(move |s| s.route == route)
        .map(|s| s.name)
}

#[cfg(test)]
mod tests;
