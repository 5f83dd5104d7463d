//! The `Principal` / `NotPrincipal` element: its accepted forms and matching a requester.

use crate::Principal;
use crate::error::PolicyError;
use serde_json::Value;

/// One principal a statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Who {
    /// `"*"`, `{"AWS": "*"}`, OSS `["*"]` (and a missing Principal in an OSS document).
    Anyone,
    /// An account and all its users: `"ACCOUNT"` under `AWS`, `arn:aws:iam::ACCOUNT:root`,
    /// `{"CanonicalUser": ID}`, `acs:ram::ACCOUNT:root`.
    Account(String),
    /// An OSS bare UID: the account with that UID (and its users) or the RAM user with it.
    Uid(String),
    /// One user: `arn:aws:iam::ACCOUNT:user/[path/]NAME`, `acs:ram::ACCOUNT:user/NAME`. An empty
    /// account (ceph's tenant-less form) matches that user name in any account.
    User { account: String, name: String },
    /// `{"Service": NAME}`.
    Service(String),
    /// `{"Federated": …}`: accepted, matches no request (ossemu has no federation).
    Federated,
    /// Roles and assumed-role sessions: accepted, match no request (ossemu has no roles).
    Role,
}

impl Who {
    pub(crate) fn matches(&self, p: &Principal<'_>) -> bool {
        match (self, p) {
            (Who::Anyone, _) => true,
            (Who::Account(a), Principal::User { account, .. }) => a == account,
            (Who::Uid(id), Principal::User { account, user }) => {
                id == account || user.is_some_and(|u| u == id)
            }
            (Who::User { account: a, name }, Principal::User { account, user }) => {
                (a.is_empty() || a == account) && user.is_some_and(|u| u == name)
            }
            (Who::Service(s), Principal::Service(name)) => s.eq_ignore_ascii_case(name),
            _ => false,
        }
    }
}

/// Parses a `Principal` / `NotPrincipal` value. `oss` accepts OSS's bare-string and list forms.
pub(crate) fn parse(v: &Value, oss: bool) -> Result<Vec<Who>, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(vec![Who::Anyone]),
        Value::String(s) if oss => Ok(vec![oss_id(s)?]),
        Value::Array(_) if oss => strings(v)?.iter().map(|s| oss_id(s)).collect(),
        Value::Object(map) if !map.is_empty() => {
            let mut out = Vec::new();
            for (kind, ids) in map {
                for id in strings(ids)? {
                    out.push(typed(kind, &id)?);
                }
            }
            Ok(out)
        }
        _ => Err(PolicyError::InvalidPrincipal),
    }
}

fn strings(v: &Value) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(PolicyError::InvalidPrincipal),
    };
    match v {
        Value::Array(items) if !items.is_empty() => items.iter().map(one).collect(),
        v => one(v).map(|s| vec![s]),
    }
}

fn typed(kind: &str, id: &str) -> Result<Who, PolicyError> {
    match kind {
        "AWS" => aws(id),
        "CanonicalUser" if !id.contains('*') => Ok(Who::Account(id.to_string())),
        "Service" if !id.contains('*') => Ok(Who::Service(id.to_string())),
        "Federated" => Ok(Who::Federated),
        _ => Err(PolicyError::InvalidPrincipal),
    }
}

/// An account ID as written under `AWS` or as an OSS UID: letters, digits, `-`, `_`, `$`
/// (ceph writes tenant users as `tenant$user`).
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_$".contains(&b))
}

fn aws(id: &str) -> Result<Who, PolicyError> {
    if id == "*" {
        return Ok(Who::Anyone);
    }
    if is_id(id) {
        return Ok(Who::Account(id.to_string()));
    }
    arn(id, "arn:", "iam").ok_or(PolicyError::InvalidPrincipal)
}

fn oss_id(id: &str) -> Result<Who, PolicyError> {
    if id == "*" {
        return Ok(Who::Anyone);
    }
    if is_id(id) {
        return Ok(Who::Uid(id.to_string()));
    }
    arn(id, "acs:", "ram")
        .or_else(|| arn(id, "arn:", "iam"))
        .ok_or(PolicyError::InvalidPrincipal)
}

/// `<scheme><partition>:<service>::<account>:<root | user/… | role/… | assumed-role/…>` for
/// `arn:aws:iam::…` / `arn:aws:sts::…` and `acs:ram::…` / `acs:sts::…` (the partition is absent
/// in the OSS form).
fn arn(s: &str, scheme: &str, service: &str) -> Option<Who> {
    let rest = s.strip_prefix(scheme)?;
    let rest = if scheme == "arn:" {
        rest.split_once(':')?.1
    } else {
        rest
    };
    let (svc, rest) = rest.split_once(':')?;
    let (region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    let sts = svc == "sts";
    if (svc != service && !sts) || !region.is_empty() || s.contains('*') || s.contains('?') {
        return None;
    }
    if !account.is_empty() && !is_id(account) {
        return None;
    }
    let (kind, name) = resource.split_once('/').unwrap_or((resource, ""));
    match kind {
        "root" if name.is_empty() && !account.is_empty() && !sts => {
            Some(Who::Account(account.to_string()))
        }
        "user" if !name.is_empty() && !sts => Some(Who::User {
            account: account.to_string(),
            name: name.rsplit('/').next().unwrap_or(name).to_string(),
        }),
        "role" | "assumed-role" if !name.is_empty() => Some(Who::Role),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(v: Value, oss: bool) -> Result<Vec<Who>, PolicyError> {
        parse(&v, oss)
    }

    #[test]
    fn s3_forms() {
        assert_eq!(one(json!("*"), false), Ok(vec![Who::Anyone]));
        assert_eq!(one(json!({"AWS": "*"}), false), Ok(vec![Who::Anyone]));
        assert_eq!(
            one(json!({"AWS": "arn:aws:iam::123456789012:root"}), false),
            Ok(vec![Who::Account("123456789012".into())])
        );
        assert_eq!(
            one(
                json!({"AWS": ["111", "arn:aws:iam::s3tenant1:user/path/bob"]}),
                false
            ),
            Ok(vec![
                Who::Account("111".into()),
                Who::User {
                    account: "s3tenant1".into(),
                    name: "bob".into()
                }
            ])
        );
        assert_eq!(
            one(json!({"CanonicalUser": "abc123"}), false),
            Ok(vec![Who::Account("abc123".into())])
        );
        assert_eq!(
            one(json!({"Service": "logging.s3.amazonaws.com"}), false),
            Ok(vec![Who::Service("logging.s3.amazonaws.com".into())])
        );
        assert_eq!(
            one(json!({"AWS": "arn:aws:iam:::role/r"}), false),
            Ok(vec![Who::Role])
        );
        assert_eq!(
            one(json!({"AWS": "arn:aws:sts::1:assumed-role/r/s"}), false),
            Ok(vec![Who::Role])
        );
        assert_eq!(
            one(json!({"Federated": "graph.facebook.com"}), false),
            Ok(vec![Who::Federated])
        );
    }

    #[test]
    fn s3_rejects() {
        for bad in [
            json!("123"),
            json!(["*"]),
            json!({}),
            json!({"AWS": []}),
            json!({"AWS": ""}),
            json!({"AWS": "arn:aws:iam::1:user/*"}),
            json!({"AWS": "arn:aws:iam::1:group/g"}),
            json!({"AWS": "arn:aws:s3:::bucket"}),
            json!({"AWS": "not an id"}),
            json!({"AWS": 5}),
            json!({"Nobody": "1"}),
            json!({"CanonicalUser": "*"}),
            json!(5),
        ] {
            assert_eq!(
                one(bad.clone(), false),
                Err(PolicyError::InvalidPrincipal),
                "{bad}"
            );
        }
    }

    #[test]
    fn oss_forms() {
        assert_eq!(one(json!(["*"]), true), Ok(vec![Who::Anyone]));
        assert_eq!(
            one(
                json!([
                    "27737962156157xxxx",
                    "acs:ram::1746:user/alice",
                    "acs:ram::1746:root"
                ]),
                true
            ),
            Ok(vec![
                Who::Uid("27737962156157xxxx".into()),
                Who::User {
                    account: "1746".into(),
                    name: "alice".into()
                },
                Who::Account("1746".into()),
            ])
        );
        assert_eq!(one(json!("1746"), true), Ok(vec![Who::Uid("1746".into())]));
        assert_eq!(one(json!([]), true), Err(PolicyError::InvalidPrincipal));
        assert_eq!(
            one(json!(["a b"]), true),
            Err(PolicyError::InvalidPrincipal)
        );
    }

    #[test]
    fn matching() {
        let root = Principal::User {
            account: "A",
            user: None,
        };
        let alice = Principal::User {
            account: "A",
            user: Some("alice"),
        };
        let other = Principal::User {
            account: "B",
            user: Some("alice"),
        };
        let svc = Principal::Service("logging.s3.amazonaws.com");
        let anon = Principal::Anonymous;

        let acct = Who::Account("A".into());
        assert!(acct.matches(&root) && acct.matches(&alice) && !acct.matches(&other));
        assert!(!acct.matches(&anon));

        let user = Who::User {
            account: "A".into(),
            name: "alice".into(),
        };
        assert!(user.matches(&alice) && !user.matches(&root) && !user.matches(&other));
        let tenantless = Who::User {
            account: String::new(),
            name: "alice".into(),
        };
        assert!(tenantless.matches(&alice) && tenantless.matches(&other));

        let uid = Who::Uid("alice".into());
        assert!(uid.matches(&alice) && uid.matches(&other) && !uid.matches(&root));
        let uid_account = Who::Uid("A".into());
        assert!(uid_account.matches(&root) && uid_account.matches(&alice));

        assert!(Who::Anyone.matches(&anon) && Who::Anyone.matches(&svc));
        assert!(Who::Service("LOGGING.s3.amazonaws.com".into()).matches(&svc));
        assert!(!Who::Service("x".into()).matches(&root));
        assert!(!Who::Role.matches(&root) && !Who::Federated.matches(&anon));
    }
}
