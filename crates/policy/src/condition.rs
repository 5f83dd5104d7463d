//! The `Condition` element: operators, parsing of their values, and evaluation against a
//! [`Context`].
//!
//! IAM's rules, as the IAM User Guide ("Condition operators", "Conditions with multiple context
//! keys or values") gives them:
//! - several operators, and several keys under one operator: AND;
//! - several values for one key: OR; for a negated operator (`StringNotEquals`, `NotIpAddress`,
//!   `ArnNotLike`, …): NOR, i.e. the negation of the positive operator;
//! - a key absent from the request: the condition is false, except that negated operators, the
//!   `…IfExists` forms and `ForAllValues:` are true, and `Null` tests presence;
//! - `ForAnyValue:` needs one request value to satisfy the operator, `ForAllValues:` every one;
//!   without a qualifier a multi-valued key behaves like `ForAnyValue:` for positive operators
//!   and as the negation of that for negated ones.
//!
//! Policy variables (`${aws:username}`, …) are not substituted: they are compared literally.

use crate::error::PolicyError;
use crate::glob;
use crate::ip::Cidr;
use crate::key::CondKey;
use serde_json::Value;

/// Values of condition keys for one request.
pub trait Context {
    /// The request's values for `key`, or `None` when the request has no such key. An empty
    /// list counts as absent.
    fn values(&self, key: &CondKey) -> Option<Vec<String>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

/// The positive test an operator performs; `negated` on [`Condition`] flips it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    IpAddress,
    ArnLike,
    BinaryEquals,
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    Str(Vec<String>),
    Num(Vec<f64>),
    Date(Vec<i64>),
    Bool(Vec<bool>),
    Ip(Vec<Cidr>),
}

/// One `operator: { key: values }` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub(crate) test: Test,
    pub(crate) negated: bool,
    pub(crate) if_exists: bool,
    pub(crate) qualifier: Qualifier,
    pub(crate) key: CondKey,
    pub(crate) values: Values,
}

/// Splits an operator name into qualifier, test, negation and `IfExists`.
fn operator(name: &str) -> Option<(Qualifier, Test, bool, bool)> {
    let lower = name.to_ascii_lowercase();
    let (qualifier, rest) = if let Some(r) = lower.strip_prefix("foranyvalue:") {
        (Qualifier::ForAnyValue, r)
    } else if let Some(r) = lower.strip_prefix("forallvalues:") {
        (Qualifier::ForAllValues, r)
    } else {
        (Qualifier::None, lower.as_str())
    };
    let (rest, if_exists) = match rest.strip_suffix("ifexists") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (test, negated) = match rest {
        "stringequals" => (Test::StringEquals, false),
        "stringnotequals" => (Test::StringEquals, true),
        "stringequalsignorecase" => (Test::StringEqualsIgnoreCase, false),
        "stringnotequalsignorecase" => (Test::StringEqualsIgnoreCase, true),
        "stringlike" => (Test::StringLike, false),
        "stringnotlike" => (Test::StringLike, true),
        "numericequals" => (Test::NumericEquals, false),
        "numericnotequals" => (Test::NumericEquals, true),
        "numericlessthan" => (Test::NumericLessThan, false),
        "numericlessthanequals" => (Test::NumericLessThanEquals, false),
        "numericgreaterthan" => (Test::NumericGreaterThan, false),
        "numericgreaterthanequals" => (Test::NumericGreaterThanEquals, false),
        "dateequals" => (Test::DateEquals, false),
        "datenotequals" => (Test::DateEquals, true),
        "datelessthan" => (Test::DateLessThan, false),
        "datelessthanequals" => (Test::DateLessThanEquals, false),
        "dategreaterthan" => (Test::DateGreaterThan, false),
        "dategreaterthanequals" => (Test::DateGreaterThanEquals, false),
        "bool" => (Test::Bool, false),
        "ipaddress" => (Test::IpAddress, false),
        "notipaddress" => (Test::IpAddress, true),
        "arnequals" | "arnlike" => (Test::ArnLike, false),
        "arnnotequals" | "arnnotlike" => (Test::ArnLike, true),
        "binaryequals" => (Test::BinaryEquals, false),
        "null" if !if_exists && qualifier == Qualifier::None => (Test::Null, false),
        _ => return None,
    };
    Some((qualifier, test, negated, if_exists))
}

/// Parses a statement's `Condition` object.
pub(crate) fn parse(block: &Value) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = block else {
        return Err(PolicyError::InvalidCondition {
            operator: "Condition".into(),
            value: "must be an object".into(),
        });
    };
    let mut out = Vec::new();
    for (op, keys) in ops {
        let (qualifier, test, negated, if_exists) =
            operator(op).ok_or_else(|| PolicyError::InvalidConditionType(op.clone()))?;
        let bad = |value: String| PolicyError::InvalidCondition {
            operator: op.clone(),
            value,
        };
        let Value::Object(keys) = keys else {
            return Err(bad("must be an object of keys".into()));
        };
        for (key, values) in keys {
            let strings =
                scalars(values).ok_or_else(|| bad(format!("{key} has no valid values")))?;
            let values = typed(test, strings).map_err(bad)?;
            out.push(Condition {
                test,
                negated,
                if_exists,
                qualifier,
                key: CondKey::parse(key),
                values,
            });
        }
    }
    Ok(out)
}

/// A value or non-empty list of strings, numbers or booleans, as strings.
fn scalars(v: &Value) -> Option<Vec<String>> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(items) if !items.is_empty() => items.iter().map(one).collect(),
        Value::Array(_) => None,
        v => one(v).map(|s| vec![s]),
    }
}

fn typed(test: Test, strings: Vec<String>) -> Result<Values, String> {
    fn all<T>(strings: &[String], f: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
        strings
            .iter()
            .map(|s| f(s).ok_or_else(|| s.clone()))
            .collect()
    }
    Ok(match test {
        Test::NumericEquals
        | Test::NumericLessThan
        | Test::NumericLessThanEquals
        | Test::NumericGreaterThan
        | Test::NumericGreaterThanEquals => Values::Num(all(&strings, number)?),
        Test::DateEquals
        | Test::DateLessThan
        | Test::DateLessThanEquals
        | Test::DateGreaterThan
        | Test::DateGreaterThanEquals => Values::Date(all(&strings, date_millis)?),
        Test::Bool | Test::Null => Values::Bool(all(&strings, boolean)?),
        Test::IpAddress => Values::Ip(all(&strings, Cidr::parse)?),
        _ => Values::Str(strings),
    })
}

fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    ok.then(|| s.parse::<f64>().ok())
        .flatten()
        .filter(|f| f.is_finite())
}

fn boolean(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// ISO 8601 (date, date-time with or without offset, fractional seconds) or epoch seconds, as
/// milliseconds since the epoch.
fn date_millis(s: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y%m%dT%H%M%S%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.timestamp_millis());
        }
    }
    let naive = s.strip_suffix('Z').unwrap_or(s);
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y%m%dT%H%M%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    let d = NaiveDate::parse_from_str(naive, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

impl Condition {
    /// Whether the condition holds for the request described by `ctx`.
    pub(crate) fn holds(&self, ctx: &dyn Context) -> bool {
        let present = ctx.values(&self.key).filter(|v| !v.is_empty());
        if self.test == Test::Null {
            let Values::Bool(expect) = &self.values else {
                return false;
            };
            return expect.iter().any(|absent| *absent == present.is_none());
        }
        let Some(request) = present else {
            return self.if_exists || self.negated || self.qualifier == Qualifier::ForAllValues;
        };
        let single = |v: &String| self.positive(v) != self.negated;
        match self.qualifier {
            Qualifier::ForAnyValue => request.iter().any(single),
            Qualifier::ForAllValues => request.iter().all(single),
            Qualifier::None if self.negated => request.iter().all(|v| !self.positive(v)),
            Qualifier::None => request.iter().any(|v| self.positive(v)),
        }
    }

    /// The positive test for one request value against all policy values (OR).
    fn positive(&self, v: &str) -> bool {
        match &self.values {
            Values::Str(ps) => ps.iter().any(|p| self.string_test(p, v)),
            Values::Num(ps) => number(v).is_some_and(|x| ps.iter().any(|p| self.ordered(x, *p))),
            Values::Date(ps) => {
                date_millis(v).is_some_and(|x| ps.iter().any(|p| self.ordered(x as f64, *p as f64)))
            }
            Values::Bool(ps) => boolean(v).is_some_and(|x| ps.contains(&x)),
            Values::Ip(ps) => v
                .trim()
                .parse()
                .is_ok_and(|ip| ps.iter().any(|c| c.contains(ip))),
        }
    }

    fn string_test(&self, p: &str, v: &str) -> bool {
        match self.test {
            Test::StringEquals | Test::BinaryEquals => p == v,
            Test::StringEqualsIgnoreCase => p.to_lowercase() == v.to_lowercase(),
            Test::StringLike => glob::matches(p, v),
            Test::ArnLike => arn_like(p, v),
            _ => false,
        }
    }

    fn ordered(&self, x: f64, p: f64) -> bool {
        match self.test {
            Test::NumericEquals | Test::DateEquals => x == p,
            Test::NumericLessThan | Test::DateLessThan => x < p,
            Test::NumericLessThanEquals | Test::DateLessThanEquals => x <= p,
            Test::NumericGreaterThan | Test::DateGreaterThan => x > p,
            Test::NumericGreaterThanEquals | Test::DateGreaterThanEquals => x >= p,
            _ => false,
        }
    }
}

/// `ArnLike`/`ArnEquals`: each of the six `:`-separated parts matched on its own, so a
/// wildcard never spans a colon (the last part, the resource, may itself contain colons). Values
/// with fewer parts compare part by part too, so they only match a pattern of as many parts.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == a.len() && p.iter().zip(&a).all(|(p, a)| glob::matches(p, a))
}
