//! What `Policy::parse` refuses, and the message each refusal carries.

use ossemu_policy::{MAX_POLICY_BYTES, Policy, PolicyError};

fn err(doc: &str) -> PolicyError {
    Policy::parse(doc.as_bytes(), "bkt").expect_err(doc)
}

fn with_statement(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
}

const GOOD: &str =
    r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*""#;

#[test]
fn not_json() {
    for doc in [
        "",
        "[]",
        "\"x\"",
        "{",
        "{\"Statement\":}",
        "nope",
        "{}x",
        "\u{feff}{}",
    ] {
        let e = err(doc);
        assert_eq!(e, PolicyError::InvalidJson, "{doc:?}");
        assert_eq!(
            e.to_string(),
            "Policies must be valid JSON and the first byte must be '{'"
        );
        assert_eq!(e.code(), "MalformedPolicy");
    }
}

#[test]
fn too_large() {
    let padding = "x".repeat(MAX_POLICY_BYTES);
    let doc = with_statement(&format!(r#"{{"Sid":"{padding}",{GOOD}}}"#));
    let e = err(&doc);
    assert_eq!(e, PolicyError::TooLarge);
    assert_eq!(e.to_string(), "Policies must not exceed 20480 bytes");
    // Whitespace does not count.
    let spaced = with_statement(&format!("{{{GOOD}}}{}", " ".repeat(MAX_POLICY_BYTES)));
    Policy::parse(spaced.as_bytes(), "bkt").expect("whitespace is not counted");
}

#[test]
fn top_level_fields() {
    assert_eq!(
        err(r#"{"Version":"2012-10-17"}"#),
        PolicyError::MissingField("Statement")
    );
    assert_eq!(
        err(r#"{"Version":"2012-10-17"}"#).to_string(),
        "Missing required field Statement"
    );
    assert_eq!(
        err(r#"{"Statement":null}"#),
        PolicyError::MissingField("Statement")
    );
    assert_eq!(err(r#"{"Statement":[]}"#), PolicyError::EmptyStatement);
    let extra = format!(r#"{{"Version":"2012-10-17","Foo":1,"Statement":[{{{GOOD}}}]}}"#);
    assert_eq!(err(&extra), PolicyError::UnknownField("Foo".into()));
    assert_eq!(err(&extra).to_string(), "Unknown field Foo");
    let version = format!(r#"{{"Version":"2020-01-01","Statement":[{{{GOOD}}}]}}"#);
    assert_eq!(
        err(&version),
        PolicyError::InvalidVersion("2020-01-01".into())
    );
    let id = format!(r#"{{"Id":5,"Statement":[{{{GOOD}}}]}}"#);
    assert_eq!(err(&id), PolicyError::InvalidStatement);
    assert_eq!(err(r#"{"Statement":[5]}"#), PolicyError::InvalidStatement);
    // No Version, an Id, and a single statement object instead of a list are all fine.
    let single = format!(r#"{{"Id":"p1","Statement":{{{GOOD}}}}}"#);
    Policy::parse(single.as_bytes(), "bkt").expect("single statement object");
}

#[test]
fn statement_fields() {
    let cases: Vec<(String, PolicyError, &str)> = vec![
        (
            format!(r#"{GOOD},"Bogus":1"#),
            PolicyError::UnknownField("Bogus".into()),
            "Unknown field Bogus",
        ),
        (
            r#""Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt""#.into(),
            PolicyError::MissingField("Effect"),
            "Missing required field Effect",
        ),
        (
            GOOD.replace("Allow", "Permit"),
            PolicyError::InvalidEffect("Permit".into()),
            "Invalid effect: Permit",
        ),
        (
            GOOD.replace("\"Allow\"", "true"),
            PolicyError::InvalidEffect("true".into()),
            "Invalid effect: true",
        ),
        (
            GOOD.replace(r#""Principal":"*","#, ""),
            PolicyError::MissingField("Principal"),
            "Missing required field Principal",
        ),
        (
            GOOD.replace(r#""Action":"s3:GetObject","#, ""),
            PolicyError::MissingField("Action"),
            "Missing required field Action",
        ),
        (
            GOOD.replace(r#","Resource":"arn:aws:s3:::bkt/*""#, ""),
            PolicyError::MissingField("Resource"),
            "Missing required field Resource",
        ),
        (
            format!(r#"{GOOD},"NotAction":"s3:PutObject""#),
            PolicyError::Conflict("Action", "NotAction"),
            "A statement cannot contain both Action and NotAction",
        ),
        (
            format!(r#"{GOOD},"NotPrincipal":{{"AWS":"1"}}"#),
            PolicyError::Conflict("Principal", "NotPrincipal"),
            "A statement cannot contain both Principal and NotPrincipal",
        ),
        (
            format!(r#"{GOOD},"Sid":7"#),
            PolicyError::InvalidStatement,
            "Statement must be a JSON object",
        ),
    ];
    for (statement, want, message) in cases {
        let e = err(&with_statement(&format!("{{{statement}}}")));
        assert_eq!(e, want, "{statement}");
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn principals() {
    for p in [
        r#""arn:aws:iam::1:root""#,
        r#"["*"]"#,
        r#"{"AWS":"arn:aws:iam::1:user/*"}"#,
        r#"{}"#,
        "null",
    ] {
        let e = err(&with_statement(&format!(
            r#"{{"Effect":"Allow","Principal":{p},"Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}"#
        )));
        assert_eq!(e, PolicyError::InvalidPrincipal, "{p}");
        assert_eq!(e.to_string(), "Invalid principal in policy");
    }
    let allow_not = r#"{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"s3:*","Resource":"arn:aws:s3:::bkt"}"#;
    assert_eq!(
        err(&with_statement(allow_not)),
        PolicyError::InvalidPrincipal
    );
    let deny_not = allow_not.replace("Allow", "Deny");
    Policy::parse(with_statement(&deny_not).as_bytes(), "bkt").expect("Deny with NotPrincipal");
}

#[test]
fn actions() {
    for a in [
        r#""iam:GetUser""#,
        r#""GetObject""#,
        r#"[]"#,
        r#"["s3:GetObject", 5]"#,
        r#""s3:Get Object""#,
        "{}",
    ] {
        let e = err(&with_statement(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":{a},"Resource":"arn:aws:s3:::bkt"}}"#
        )));
        assert_eq!(e, PolicyError::InvalidAction, "{a}");
        assert_eq!(e.to_string(), "Policy has invalid action");
    }
}

#[test]
fn resources() {
    for r in [
        r#""*""#,
        r#""arn:aws:s3:::other""#,
        r#""arn:aws:s3:::other/*""#,
        r#"["arn:aws:s3:::bkt", "arn:aws:s3:::bkt2/*"]"#,
        r#""acs:oss:*:*:other/*""#,
        r#""bkt/*""#,
        r#"[]"#,
    ] {
        let e = err(&with_statement(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":{r}}}"#
        )));
        assert_eq!(e, PolicyError::InvalidResource, "{r}");
        assert_eq!(e.to_string(), "Policy has invalid resource");
    }
    let not_resource =
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::other/*"}"#;
    assert_eq!(
        err(&with_statement(not_resource)),
        PolicyError::InvalidResource
    );
}

#[test]
fn conditions() {
    let with = |cond: &str| with_statement(&format!(r#"{{{GOOD},"Condition":{cond}}}"#));
    let e = err(&with(r#"{"StringEqualz":{"aws:Referer":"x"}}"#));
    assert_eq!(e, PolicyError::InvalidConditionType("StringEqualz".into()));
    assert_eq!(e.to_string(), "Invalid Condition type : StringEqualz");
    for bad in [
        r#"{"NullIfExists":{"aws:Referer":"true"}}"#,
        r#"{"ForAnyValue:Null":{"aws:Referer":"true"}}"#,
        r#"{"ForSomeValues:StringEquals":{"aws:Referer":"x"}}"#,
    ] {
        assert!(
            matches!(err(&with(bad)), PolicyError::InvalidConditionType(_)),
            "{bad}"
        );
    }
    for bad in [
        r#"{"IpAddress":{"aws:SourceIp":"1.2.3.4/40"}}"#,
        r#"{"IpAddress":{"aws:SourceIp":"not-an-ip"}}"#,
        r#"{"DateLessThan":{"aws:CurrentTime":"yesterday"}}"#,
        r#"{"NumericLessThan":{"s3:max-keys":"ten"}}"#,
        r#"{"Bool":{"aws:SecureTransport":"yes"}}"#,
        r#"{"Null":{"aws:Referer":"maybe"}}"#,
        r#"{"StringEquals":{"aws:Referer":[]}}"#,
        r#"{"StringEquals":{"aws:Referer":{"a":1}}}"#,
        r#"{"StringEquals":"x"}"#,
        r#"[]"#,
    ] {
        assert!(
            matches!(err(&with(bad)), PolicyError::InvalidCondition { .. }),
            "{bad}"
        );
    }
    let e = err(&with(r#"{"IpAddress":{"aws:SourceIp":"1.2.3.4/40"}}"#));
    assert_eq!(
        e.to_string(),
        "Invalid Condition value for IpAddress : 1.2.3.4/40"
    );
    // Operators are accepted whatever their case, and with IfExists / set qualifiers.
    for good in [
        r#"{"stringequals":{"aws:Referer":"x"}}"#,
        r#"{"ForAllValues:StringLikeIfExists":{"s3:RequestObjectTagKeys":"a*"}}"#,
        r#"{"DateGreaterThan":{"aws:CurrentTime":1700000000}}"#,
        r#"{"IpAddress":{"aws:SourceIp":["::1","10.0.0.0/8"]}}"#,
        r#"{}"#,
    ] {
        Policy::parse(with(good).as_bytes(), "bkt").unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}
