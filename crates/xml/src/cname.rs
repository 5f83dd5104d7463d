//! Custom domain (CNAME) documents.

use serde::{Deserialize, Serialize};

/// `<Cname>` of a PutCname/DeleteCname/CreateCnameToken request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CnameRequest {
    /// The domain.
    #[serde(default)]
    pub domain: String,
}

/// PutCname/DeleteCname/CreateCnameToken request, root `BucketCnameConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketCnameConfiguration {
    /// The domain to bind, unbind or get a token for.
    #[serde(default)]
    pub cname: CnameRequest,
}

/// One `<Cname>` of ListCname.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CnameInfo {
    /// Domain.
    pub domain: String,
    /// Binding time, ISO 8601.
    pub last_modified: String,
    /// Always `Enabled`.
    pub status: String,
}

/// ListCname response, root `ListCnameResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListCnameResult {
    /// Bucket.
    pub bucket: String,
    /// Owner id.
    pub owner: String,
    /// Bound domains.
    #[serde(rename = "Cname")]
    pub cnames: Vec<CnameInfo>,
}

/// CreateCnameToken/GetCnameToken response, root `CnameToken`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CnameToken {
    /// Bucket.
    pub bucket: String,
    /// Domain.
    pub cname: String,
    /// The token (a DNS TXT record value; never checked here).
    pub token: String,
    /// Expiry, HTTP date.
    pub expire_time: String,
}
