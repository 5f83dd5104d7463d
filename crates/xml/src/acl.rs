//! Access control policies: the OSS form (one canned grant) and the S3 grant list that a
//! canned ACL stands for.

use serde::Deserialize;

use crate::codec::{S3_NS, XML_DECLARATION, escape};

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// The S3 `AccessControlPolicy` for a canned ACL owned by `owner_id`.
pub fn s3_policy(owner_id: &str, display_name: &str, canned: &str) -> String {
    let owner = format!(
        "<ID>{}</ID><DisplayName>{}</DisplayName>",
        escape(owner_id),
        escape(display_name)
    );
    let mut grants = format!(
        "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">{owner}</Grantee><Permission>FULL_CONTROL</Permission></Grant>"
    );
    let group = |uri: &str, perm: &str| {
        format!(
            "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>{uri}</URI></Grantee><Permission>{perm}</Permission></Grant>"
        )
    };
    match canned {
        "public-read" => grants.push_str(&group(ALL_USERS, "READ")),
        "public-read-write" => {
            grants.push_str(&group(ALL_USERS, "READ"));
            grants.push_str(&group(ALL_USERS, "WRITE"));
        }
        "authenticated-read" => grants.push_str(&group(AUTH_USERS, "READ")),
        _ => {}
    }
    format!(
        "{XML_DECLARATION}\n<AccessControlPolicy xmlns=\"{S3_NS}\"><Owner>{owner}</Owner><AccessControlList>{grants}</AccessControlList></AccessControlPolicy>"
    )
}

/// The OSS `AccessControlPolicy` with a single canned grant.
pub fn oss_policy(owner_id: &str, display_name: &str, canned: &str) -> String {
    format!(
        "{XML_DECLARATION}\n<AccessControlPolicy><Owner><ID>{}</ID><DisplayName>{}</DisplayName></Owner><AccessControlList><Grant>{}</Grant></AccessControlList></AccessControlPolicy>",
        escape(owner_id),
        escape(display_name),
        escape(canned)
    )
}

/// A grantee in an S3 PutBucketAcl/PutObjectAcl body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Grantee {
    /// Canonical user id.
    #[serde(rename = "ID")]
    pub id: Option<String>,
    /// Group URI.
    #[serde(rename = "URI")]
    pub uri: Option<String>,
}

/// One `<Grant>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Grant {
    /// Who.
    #[serde(rename = "Grantee")]
    pub grantee: Grantee,
    /// `FULL_CONTROL`, `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`.
    #[serde(rename = "Permission")]
    pub permission: String,
}

/// `<AccessControlList>` of a request body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct GrantList {
    /// Grants.
    #[serde(rename = "Grant", default)]
    pub grants: Vec<Grant>,
}

/// An S3 PutBucketAcl/PutObjectAcl body, root `AccessControlPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct AccessControlPolicy {
    /// Grants.
    #[serde(rename = "AccessControlList", default)]
    pub acl: GrantList,
}

impl AccessControlPolicy {
    /// The canned ACL equivalent to the grants, if there is one: grants to the AllUsers group
    /// decide between `private`, `public-read` and `public-read-write`.
    pub fn canned(&self) -> Option<&'static str> {
        let all = |p: &str| {
            self.acl
                .grants
                .iter()
                .any(|g| g.grantee.uri.as_deref() == Some(ALL_USERS) && g.permission == p)
        };
        let unknown = self
            .acl
            .grants
            .iter()
            .any(|g| match g.grantee.uri.as_deref() {
                Some(ALL_USERS) => !matches!(g.permission.as_str(), "READ" | "WRITE"),
                Some(_) => true,
                None => false,
            });
        if unknown {
            return None;
        }
        Some(match (all("READ"), all("WRITE")) {
            (true, true) => "public-read-write",
            (true, false) => "public-read",
            (false, false) => "private",
            (false, true) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_from_grants() {
        let body = r#"<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant><Grant><Grantee xsi:type="CanonicalUser"><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
        let p: AccessControlPolicy =
            crate::from_xml(body.as_bytes(), "AccessControlPolicy", 4096).unwrap();
        assert_eq!(p.canned(), Some("public-read"));
        assert!(s3_policy("o", "n", "public-read").contains("<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission>"));
        assert_eq!(
            oss_policy("o", "n", "private"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AccessControlPolicy><Owner><ID>o</ID><DisplayName>n</DisplayName></Owner><AccessControlList><Grant>private</Grant></AccessControlList></AccessControlPolicy>"
        );
    }
}
