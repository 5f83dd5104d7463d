//! Custom domain (CNAME) documents.

use serde::{Deserialize, Serialize};

/// `<Cname>` of a PutCname/DeleteCname/CreateCnameToken request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct CnameRequest {
    /// The domain.
    #[serde(rename = "Domain", default)]
    pub domain: String,
}

/// PutCname/DeleteCname/CreateCnameToken request, root `BucketCnameConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct BucketCnameConfiguration {
    /// The domain to bind, unbind or get a token for.
    #[serde(rename = "Cname", default)]
    pub cname: CnameRequest,
}

/// One `<Cname>` of ListCname.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CnameInfo {
    /// Domain.
    #[serde(rename = "Domain")]
    pub domain: String,
    /// Binding time, ISO 8601.
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// Always `Enabled`.
    #[serde(rename = "Status")]
    pub status: String,
}

/// ListCname response, root `ListCnameResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListCnameResult {
    /// Bucket.
    #[serde(rename = "Bucket")]
    pub bucket: String,
    /// Owner id.
    #[serde(rename = "Owner")]
    pub owner: String,
    /// Bound domains.
    #[serde(rename = "Cname")]
    pub cnames: Vec<CnameInfo>,
}

/// CreateCnameToken/GetCnameToken response, root `CnameToken`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CnameToken {
    /// Bucket.
    #[serde(rename = "Bucket")]
    pub bucket: String,
    /// Domain.
    #[serde(rename = "Cname")]
    pub cname: String,
    /// The token (a DNS TXT record value; never checked here).
    #[serde(rename = "Token")]
    pub token: String,
    /// Expiry, HTTP date.
    #[serde(rename = "ExpireTime")]
    pub expire_time: String,
}
