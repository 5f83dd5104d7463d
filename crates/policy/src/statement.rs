//! One statement: parsing and validating its elements, and matching it against a request.

use crate::condition::{self, Condition};
use crate::error::PolicyError;
use crate::glob;
use crate::principal::{self, Who};
use crate::{Context, Request};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

/// A list of patterns, or (for `NotX`) its complement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Set<T> {
    pub(crate) not: bool,
    pub(crate) items: Vec<T>,
}

/// A resource pattern: the path part (`bucket`, `bucket/key*`, `*`) and, for OSS ARNs, the
/// account part (`*` or an account; S3 ARNs and ceph's tenant part are not compared).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resource {
    pub(crate) account: Option<String>,
    pub(crate) path: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub(crate) effect: Effect,
    pub(crate) principals: Set<Who>,
    /// Lower-cased action patterns (`*` or `ns:name`).
    pub(crate) actions: Set<String>,
    pub(crate) resources: Set<Resource>,
    pub(crate) conditions: Vec<Condition>,
}

const FIELDS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Returns `X` or `NotX`, whichever is present (both is an error, neither is `None`).
fn either<'a>(
    m: &'a Map<String, Value>,
    yes: &'static str,
    no: &'static str,
) -> Result<Option<(bool, &'a Value)>, PolicyError> {
    match (m.get(yes), m.get(no)) {
        (Some(_), Some(_)) => Err(PolicyError::Conflict(yes, no)),
        (Some(v), None) => Ok(Some((false, v))),
        (None, Some(v)) => Ok(Some((true, v))),
        (None, None) => Ok(None),
    }
}

/// Parses one statement of a bucket policy of `bucket`, or (`None`) of an identity policy,
/// which names no principal (it applies to whoever it is attached to) and any bucket.
pub(crate) fn parse(v: &Value, bucket: Option<&str>, oss: bool) -> Result<Statement, PolicyError> {
    let Value::Object(m) = v else {
        return Err(PolicyError::InvalidStatement);
    };
    if let Some(unknown) = m.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(PolicyError::UnknownField(unknown.clone()));
    }
    if m.get("Sid").is_some_and(|s| !s.is_string()) {
        return Err(PolicyError::InvalidStatement);
    }
    let effect = match m.get("Effect") {
        None => return Err(PolicyError::MissingField("Effect")),
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(Value::String(e)) => return Err(PolicyError::InvalidEffect(e.clone())),
        Some(other) => return Err(PolicyError::InvalidEffect(other.to_string())),
    };
    let principals = match either(m, "Principal", "NotPrincipal")? {
        Some(_) if bucket.is_none() => return Err(PolicyError::InvalidPrincipal),
        None if bucket.is_none() => Set {
            not: false,
            items: vec![Who::Anyone],
        },
        Some((true, _)) if effect == Effect::Allow => return Err(PolicyError::InvalidPrincipal),
        Some((not, v)) => Set {
            not,
            items: principal::parse(v, oss)?,
        },
        None if oss => Set {
            not: false,
            items: vec![Who::Anyone],
        },
        None => return Err(PolicyError::MissingField("Principal")),
    };
    let (not, v) = either(m, "Action", "NotAction")?.ok_or(PolicyError::MissingField("Action"))?;
    let actions = Set {
        not,
        items: list(v, PolicyError::InvalidAction, action)?,
    };
    let (not, v) =
        either(m, "Resource", "NotResource")?.ok_or(PolicyError::MissingField("Resource"))?;
    let resources = Set {
        not,
        items: list(v, PolicyError::InvalidResource, |s| resource(s, bucket))?,
    };
    let conditions = match m.get("Condition") {
        Some(c) => condition::parse(c)?,
        None => Vec::new(),
    };
    Ok(Statement {
        effect,
        principals,
        actions,
        resources,
        conditions,
    })
}

/// A string or non-empty list of strings, each converted by `f`.
fn list<T>(
    v: &Value,
    err: PolicyError,
    f: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, PolicyError> {
    let items: Vec<&Value> = match v {
        Value::Array(items) if !items.is_empty() => items.iter().collect(),
        Value::String(_) => vec![v],
        _ => return Err(err),
    };
    items
        .into_iter()
        .map(|i| i.as_str().and_then(&f).ok_or_else(|| err.clone()))
        .collect()
}

/// `*`, or `s3:` / `oss:` followed by letters, digits and wildcards.
fn action(s: &str) -> Option<String> {
    if s == "*" {
        return Some(s.to_string());
    }
    let (ns, name) = s.split_once(':')?;
    let ns_ok = ns.eq_ignore_ascii_case("s3") || ns.eq_ignore_ascii_case("oss");
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?');
    (ns_ok && name_ok).then(|| s.to_ascii_lowercase())
}

/// `arn:<partition>:s3:<region>:<account>:<path>` or `acs:oss:<region>:<account>:<path>`,
/// whose path can match `bucket` or an object of it.
fn resource(s: &str, bucket: Option<&str>) -> Option<Resource> {
    if s == "*" && bucket.is_none() {
        return Some(Resource {
            account: None,
            path: s.to_string(),
        });
    }
    let (account, path) = if let Some(rest) = s.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        match parts.as_slice() {
            [partition, "s3", _region, _account, path] if !partition.is_empty() => (None, *path),
            _ => return None,
        }
    } else if let Some(rest) = s.strip_prefix("acs:oss:") {
        let parts: Vec<&str> = rest.splitn(3, ':').collect();
        match parts.as_slice() {
            [_region, account, path] => {
                let account = (!account.is_empty() && *account != "*").then(|| account.to_string());
                (account, *path)
            }
            _ => return None,
        }
    } else {
        return None;
    };
    let ours = bucket.is_none_or(|bucket| {
        glob::matches(path, bucket) || glob::can_extend(path, &format!("{bucket}/"))
    });
    ours.then(|| Resource {
        account,
        path: path.to_string(),
    })
}

impl Statement {
    /// Whether principal, action, resource and every condition match.
    pub(crate) fn applies(&self, req: &Request<'_>, ctx: &dyn Context) -> bool {
        let who = self
            .principals
            .items
            .iter()
            .any(|w| w.matches(&req.principal));
        let what = self.actions.items.iter().any(|p| {
            req.actions
                .iter()
                .any(|a| p == "*" || glob::matches_fold(p, &a.to_ascii_lowercase()))
        });
        let target = match req.key {
            Some(k) => format!("{}/{}", req.bucket, k),
            None => req.bucket.to_string(),
        };
        let which = self.resources.items.iter().any(|r| {
            glob::matches(&r.path, &target)
                && r.account
                    .as_deref()
                    .is_none_or(|a| glob::matches(a, req.bucket_account))
        });
        who != self.principals.not
            && what != self.actions.not
            && which != self.resources.not
            && self.conditions.iter().all(|c| c.holds(ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions() {
        assert_eq!(action("*"), Some("*".into()));
        assert_eq!(action("s3:GetObject"), Some("s3:getobject".into()));
        assert_eq!(action("S3:Get*"), Some("s3:get*".into()));
        assert_eq!(action("oss:*"), Some("oss:*".into()));
        assert_eq!(action("oss:Get?bject"), Some("oss:get?bject".into()));
        for bad in [
            "",
            "s3:",
            "iam:GetUser",
            "GetObject",
            "s3:Get Object",
            "s3:a:b",
            "**",
        ] {
            assert_eq!(action(bad), None, "{bad}");
        }
    }

    #[test]
    fn resources() {
        let r = |s| resource(s, Some("bkt"));
        assert_eq!(
            r("arn:aws:s3:::bkt"),
            Some(Resource {
                account: None,
                path: "bkt".into()
            })
        );
        assert!(r("arn:aws:s3:::bkt/*").is_some());
        assert!(r("arn:aws:s3:::bkt/a/b:c").is_some());
        assert!(r("arn:aws:s3:::*").is_some());
        assert!(r("arn:aws:s3:::*/*").is_some());
        assert!(r("arn:aws:s3:::b?t/x").is_some());
        assert!(r("arn:aws:s3::tenant:bkt/log/").is_some());
        assert!(r("arn:aws-cn:s3:::bkt").is_some());
        assert_eq!(
            r("acs:oss:*:174649585760:bkt/*"),
            Some(Resource {
                account: Some("174649585760".into()),
                path: "bkt/*".into()
            })
        );
        assert_eq!(
            r("acs:oss:*:*:bkt"),
            Some(Resource {
                account: None,
                path: "bkt".into()
            })
        );
        for bad in [
            "*",
            "bkt",
            "arn:aws:s3:::other",
            "arn:aws:s3:::other/*",
            "arn:aws:s3:::bkt2/*",
            "arn:aws:s3:::bk",
            "arn:aws:iam:::bkt",
            "arn::s3:::bkt",
            "arn:aws:s3:::",
            "acs:oss:*:*:other/*",
            "acs:ecs:*:*:bkt",
            "acs:oss:*:bkt",
        ] {
            assert_eq!(r(bad), None, "{bad}");
        }
    }
}
