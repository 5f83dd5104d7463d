//! `is_public`, following "The meaning of public" in the S3 User Guide.

use ossemu_policy::Policy;

fn public(statement: &str) -> bool {
    let doc = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
    Policy::parse(doc.as_bytes(), "bkt")
        .unwrap_or_else(|e| panic!("{e}: {doc}"))
        .is_public()
}

fn allow(principal: &str, cond: &str) -> String {
    let cond = if cond.is_empty() {
        String::new()
    } else {
        format!(r#","Condition":{cond}"#)
    };
    format!(
        r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bkt/*"{cond}}}"#
    )
}

#[test]
fn principals() {
    assert!(public(&allow(r#""*""#, "")));
    assert!(public(&allow(r#"{"AWS":"*"}"#, "")));
    assert!(public(&allow(r#"{"AWS":["123","*"]}"#, "")));
    assert!(public(&allow(r#"{"Federated":"graph.facebook.com"}"#, "")));
    assert!(!public(&allow(
        r#"{"AWS":"arn:aws:iam::123456789012:root"}"#,
        ""
    )));
    assert!(!public(&allow(
        r#"{"AWS":"arn:aws:iam::123456789012:user/u"}"#,
        ""
    )));
    assert!(!public(&allow(r#"{"CanonicalUser":"abc"}"#, "")));
    assert!(!public(&allow(
        r#"{"Service":"cloudtrail.amazonaws.com"}"#,
        ""
    )));
    // Deny statements never make a policy public.
    assert!(!public(&allow(r#""*""#, "").replace("Allow", "Deny")));
    let deny_not = r#"{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"Action":"s3:*","Resource":"arn:aws:s3:::bkt/*"}"#;
    assert!(!public(deny_not));
}

#[test]
fn one_public_statement_makes_the_policy_public() {
    let fixed = allow(r#"{"AWS":"123"}"#, "");
    let open = allow(r#""*""#, "");
    assert!(!public(&fixed));
    assert!(public(&format!("{fixed},{open}")));
}

#[test]
fn pinning_conditions() {
    let star = r#""*""#;
    for (cond, want) in [
        // AWS's examples.
        (r#"{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#, true),
        (
            r#"{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#,
            false,
        ),
        // Source IPs: no block broader than /8 (IPv4) or /32 (IPv6).
        (r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/32"}}"#, false),
        (
            r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.1.1"]}}"#,
            false,
        ),
        (r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#, true),
        (r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#, true),
        (
            r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","0.0.0.0/0"]}}"#,
            true,
        ),
        (r#"{"IpAddress":{"acs:SourceIp":"2001:db8::/32"}}"#, false),
        (r#"{"IpAddress":{"aws:SourceIp":"2001::/16"}}"#, true),
        (r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#, true),
        // The other keys.
        (
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::src"}}"#,
            false,
        ),
        (r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"#, true),
        (r#"{"StringEquals":{"aws:SourceAccount":"123"}}"#, false),
        (r#"{"StringEquals":{"aws:SourceOwner":"123"}}"#, false),
        (r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#, false),
        (r#"{"StringEquals":{"aws:PrincipalOrgID":"o-123"}}"#, false),
        (
            r#"{"StringEquals":{"aws:PrincipalOrgID":"${aws:PrincipalTag/org}"}}"#,
            true,
        ),
        (r#"{"StringEquals":{"aws:PrincipalAccount":"123"}}"#, false),
        (
            r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::1:user/u"}}"#,
            false,
        ),
        (r#"{"StringLike":{"aws:userid":"AROAEXAMPLE:*"}}"#, false),
        (r#"{"StringLike":{"aws:userid":"*"}}"#, true),
        (
            r#"{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:r:1:key/k"}}"#,
            false,
        ),
        (
            r#"{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}"#,
            false,
        ),
        (
            r#"{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:*:accesspoint/*"}}"#,
            true,
        ),
        (
            r#"{"StringEquals":{"s3:DataAccessPointAccount":"123456789012"}}"#,
            false,
        ),
        (r#"{"StringEquals":{"acs:SourceVpc":"vpc-1"}}"#, false),
        // Keys that do not narrow who can reach the bucket.
        (r#"{"Bool":{"aws:SecureTransport":"true"}}"#, true),
        (r#"{"StringLike":{"aws:Referer":"https://site/*"}}"#, true),
        (r#"{"StringEquals":{"aws:Referer":"https://site/"}}"#, true),
        // Forms that hold when the key is absent do not pin.
        (
            r#"{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}"#,
            true,
        ),
        (r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}"#, true),
        (
            r#"{"ForAllValues:StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
            true,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
            false,
        ),
        // One pinning key among others is enough.
        (
            r#"{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceAccount":"1"}}"#,
            false,
        ),
    ] {
        assert_eq!(public(&allow(star, cond)), want, "{cond}");
    }
}

#[test]
fn oss_documents() {
    let parse = |doc: &str| Policy::parse(doc.as_bytes(), "bkt").unwrap();
    let open = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:bkt/*"]}]}"#;
    assert!(parse(open).is_public());
    let ip = open.replace(
        r#""Resource""#,
        r#""Condition":{"IpAddress":{"acs:SourceIp":["1.2.3.0/24"]}},"Resource""#,
    );
    assert!(!parse(&ip).is_public());
    let uid = open.replace(r#"["*"]"#, r#"["20214760404935"]"#);
    assert!(!parse(&uid).is_public());
}
