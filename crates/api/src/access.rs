//! Who a request comes from. The access key is parsed from every signature form; whether the
//! signature is verified depends on the auth mode.

use http::HeaderMap;

use crate::request::Query;

/// The requester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// No authorization at all.
    Anonymous,
    /// A signed request by this access key.
    User {
        /// Access key id, which is also the owner id.
        access_key: String,
        /// Owner display name.
        display_name: String,
    },
}

impl Identity {
    /// The owner id, if signed.
    pub fn owner(&self) -> Option<&str> {
        match self {
            Identity::Anonymous => None,
            Identity::User { access_key, .. } => Some(access_key),
        }
    }
}

/// The access key a request claims, from the Authorization header or presigned query.
pub fn claimed_access_key(headers: &HeaderMap, query: &Query) -> Option<String> {
    if let Some(auth) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let auth = auth.trim();
        if let Some(rest) = auth
            .strip_prefix("OSS ")
            .or_else(|| auth.strip_prefix("AWS "))
        {
            return rest.split(':').next().map(|s| s.trim().to_string());
        }
        if let Some(i) = auth.find("Credential=") {
            let rest = &auth[i + "Credential=".len()..];
            return rest.split('/').next().map(|s| s.trim().to_string());
        }
        if let Some(rest) = auth.strip_prefix("OSS2 ") {
            return rest
                .split(',')
                .find_map(|p| p.trim().strip_prefix("AccessKeyId:"))
                .map(|s| s.to_string());
        }
    }
    for name in ["OSSAccessKeyId", "AWSAccessKeyId"] {
        if let Some(v) = query.get(name) {
            return Some(v.to_string());
        }
    }
    for name in ["x-oss-credential", "X-Amz-Credential"] {
        if let Some(v) = query.get(name) {
            return v.split('/').next().map(|s| s.to_string());
        }
    }
    None
}
