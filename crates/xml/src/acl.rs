//! Access control policies: the OSS form (one canned grant), the S3 grant list that a canned
//! ACL stands for, and the S3 request body (which grants it names is the server's business).

use serde::Deserialize;

use crate::codec::{S3_NS, XML_DECLARATION, escape};

/// The group of everyone, anonymous requests included.
pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// The group of every signed request.
pub const AUTH_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
/// The group S3's server access logging writes as.
pub const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// Whom a grant of a response names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantTo<'a> {
    /// A canonical user: id and display name.
    User(&'a str, &'a str),
    /// A group, by URI.
    Group(&'a str),
}

/// The S3 `AccessControlPolicy` of `owner` (`(id, display name)`) with these grants
/// (grantee, permission), in order.
pub fn s3_grants_policy(owner: (&str, &str), grants: &[(GrantTo<'_>, &str)]) -> String {
    let mut list = String::new();
    for (to, perm) in grants {
        let grantee = match to {
            GrantTo::User(id, name) => format!(
                "xsi:type=\"CanonicalUser\"><ID>{}</ID><DisplayName>{}</DisplayName>",
                escape(id),
                escape(name)
            ),
            GrantTo::Group(uri) => format!("xsi:type=\"Group\"><URI>{}</URI>", escape(uri)),
        };
        list.push_str(&format!(
            "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" {grantee}</Grantee><Permission>{}</Permission></Grant>",
            escape(perm)
        ));
    }
    format!(
        "{XML_DECLARATION}\n<AccessControlPolicy xmlns=\"{S3_NS}\"><Owner><ID>{}</ID><DisplayName>{}</DisplayName></Owner><AccessControlList>{list}</AccessControlList></AccessControlPolicy>",
        escape(owner.0),
        escape(owner.1)
    )
}

/// The S3 `AccessControlPolicy` for a canned ACL owned by `owner` (`(id, display name)`);
/// `bucket_owner` is granted access by the `bucket-owner-*` object ACLs. Group grants come
/// first and the owner's FULL_CONTROL last, as RGW-compatible clients expect.
pub fn s3_policy(owner: (&str, &str), canned: &str, bucket_owner: (&str, &str)) -> String {
    let user = |(id, name): (&str, &str)| {
        format!(
            "<ID>{}</ID><DisplayName>{}</DisplayName>",
            escape(id),
            escape(name)
        )
    };
    let canonical = |who: (&str, &str), perm: &str| {
        format!(
            "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">{}</Grantee><Permission>{perm}</Permission></Grant>",
            user(who)
        )
    };
    let group = |uri: &str, perm: &str| {
        format!(
            "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>{uri}</URI></Grantee><Permission>{perm}</Permission></Grant>"
        )
    };
    let mut grants = String::new();
    match canned {
        "public-read" => grants.push_str(&group(ALL_USERS, "READ")),
        "public-read-write" => {
            grants.push_str(&group(ALL_USERS, "READ"));
            grants.push_str(&group(ALL_USERS, "WRITE"));
        }
        "authenticated-read" => grants.push_str(&group(AUTH_USERS, "READ")),
        _ => {}
    }
    grants.push_str(&canonical(owner, "FULL_CONTROL"));
    if bucket_owner.0 != owner.0 {
        match canned {
            "bucket-owner-read" => grants.push_str(&canonical(bucket_owner, "READ")),
            "bucket-owner-full-control" => {
                grants.push_str(&canonical(bucket_owner, "FULL_CONTROL"))
            }
            _ => {}
        }
    }
    format!(
        "{XML_DECLARATION}\n<AccessControlPolicy xmlns=\"{S3_NS}\"><Owner>{}</Owner><AccessControlList>{grants}</AccessControlList></AccessControlPolicy>",
        user(owner)
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
#[serde(rename_all = "PascalCase")]
pub struct Grantee {
    /// Canonical user id.
    #[serde(rename = "ID")]
    pub id: Option<String>,
    /// Group URI.
    #[serde(rename = "URI")]
    pub uri: Option<String>,
    /// E-mail address (`xsi:type="AmazonCustomerByEmail"`).
    pub email_address: Option<String>,
}

/// One `<Grant>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Grant {
    /// Who.
    pub grantee: Grantee,
    /// `FULL_CONTROL`, `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`.
    pub permission: String,
}

/// `<AccessControlList>` of a request body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantList {
    /// Grants.
    #[serde(rename = "Grant", default)]
    pub grants: Vec<Grant>,
}

/// An S3 PutBucketAcl/PutObjectAcl body, root `AccessControlPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessControlPolicy {
    /// Grants.
    #[serde(rename = "AccessControlList", default)]
    pub acl: GrantList,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_and_policies() {
        let body = r#"<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant><Grant><Grantee xsi:type="CanonicalUser"><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee xsi:type="AmazonCustomerByEmail"><EmailAddress>a@b.example</EmailAddress></Grantee><Permission>WRITE</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
        let p: AccessControlPolicy =
            crate::from_xml(body.as_bytes(), "AccessControlPolicy", 4096).unwrap();
        let g = &p.acl.grants;
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].grantee.uri.as_deref(), Some(ALL_USERS));
        assert_eq!(g[1].grantee.id.as_deref(), Some("o"));
        assert_eq!(g[2].grantee.email_address.as_deref(), Some("a@b.example"));
        assert_eq!(g[2].permission, "WRITE");
        let empty: AccessControlPolicy = crate::from_xml(
            b"<AccessControlPolicy><AccessControlList/></AccessControlPolicy>",
            "AccessControlPolicy",
            4096,
        )
        .unwrap();
        assert!(empty.acl.grants.is_empty());
        let xml = s3_policy(("o", "n"), "public-read", ("o", "n"));
        let group = xml.find("<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission>").unwrap();
        let owner = xml.find("<Permission>FULL_CONTROL</Permission>").unwrap();
        assert!(group < owner, "group grants first");
        let xml = s3_policy(("w", "writer"), "bucket-owner-read", ("b", "bucket owner"));
        assert!(xml.contains("<ID>b</ID><DisplayName>bucket owner</DisplayName></Grantee><Permission>READ</Permission>"));
        let xml = s3_grants_policy(
            ("o", "n"),
            &[
                (GrantTo::User("a", "A"), "READ"),
                (GrantTo::Group(LOG_DELIVERY), "WRITE"),
            ],
        );
        assert!(xml.contains("<Owner><ID>o</ID><DisplayName>n</DisplayName></Owner><AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>a</ID><DisplayName>A</DisplayName></Grantee><Permission>READ</Permission></Grant><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/s3/LogDelivery</URI></Grantee><Permission>WRITE</Permission></Grant></AccessControlList>"));
        assert_eq!(
            oss_policy("o", "n", "private"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AccessControlPolicy><Owner><ID>o</ID><DisplayName>n</DisplayName></Owner><AccessControlList><Grant>private</Grant></AccessControlList></AccessControlPolicy>"
        );
    }
}
