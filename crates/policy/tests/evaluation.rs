//! Evaluation order, principals, actions and resources.

mod common;
use common::{Ctx, alice, decide};
use ossemu_policy::{Decision, Principal};

const ROOT: Principal<'static> = Principal::User {
    account: "222",
    user: None,
};
const BOB: Principal<'static> = Principal::User {
    account: "222",
    user: Some("bob"),
};
const STRANGER: Principal<'static> = Principal::User {
    account: "333",
    user: Some("carol"),
};
const ANON: Principal<'static> = Principal::Anonymous;

fn s3(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn get(p: Principal<'_>, doc: &str, ctx: &Ctx) -> Decision {
    decide(
        doc,
        p,
        &["s3:GetObject", "oss:GetObject"],
        Some("photos/a.jpg"),
        ctx,
    )
}

/// AWS's documented cases for one policy: explicit deny beats allow, NotPrincipal, NotAction,
/// NotResource, IfExists, ForAllValues on an empty set, Null.
#[test]
fn evaluation_order_table() {
    let allow_all =
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt/*"}"#;
    let deny_alice = r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::222:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}"#;
    let deny_but_root = r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::222:root"},"Action":"s3:*","Resource":"arn:aws:s3:::bkt/*"}"#;
    let allow_not_delete = r#"{"Effect":"Allow","Principal":"*","NotAction":"s3:Delete*","Resource":"arn:aws:s3:::bkt/*"}"#;
    let allow_not_private = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::bkt/private/*"}"#;
    let deny_http = r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;
    let allow_referer_if_exists = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*","Condition":{"StringLikeIfExists":{"aws:Referer":"https://site/*"}}}"#;
    let allow_tags_subset = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*","Condition":{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}}"#;
    let deny_unencrypted = r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}"#;

    let none = Ctx::default();
    let http = Ctx::default().with("aws:SecureTransport", &["false"]);
    let https = Ctx::default().with("aws:SecureTransport", &["true"]);
    let bad_referer = Ctx::default().with("aws:Referer", &["https://evil/"]);
    let tags = Ctx::default().with("s3:RequestObjectTagKeys", &["a", "b"]);
    let sse = Ctx::default().with("s3:x-amz-server-side-encryption", &["AES256"]);

    let two = |a: &str, b: &str| s3(&format!("{a},{b}"));
    let table: Vec<(&str, String, Principal<'_>, &Ctx, Decision)> = vec![
        (
            "nothing applies",
            s3(deny_alice),
            BOB,
            &none,
            Decision::Implicit,
        ),
        ("plain allow", s3(allow_all), ANON, &none, Decision::Allow),
        (
            "deny beats allow",
            two(allow_all, deny_alice),
            alice(),
            &none,
            Decision::Deny,
        ),
        (
            "deny order irrelevant",
            two(deny_alice, allow_all),
            alice(),
            &none,
            Decision::Deny,
        ),
        (
            "deny for others only",
            two(allow_all, deny_alice),
            BOB,
            &none,
            Decision::Allow,
        ),
        (
            "NotPrincipal spares root",
            two(allow_all, deny_but_root),
            ROOT,
            &none,
            Decision::Allow,
        ),
        (
            "NotPrincipal account spares its users",
            two(allow_all, deny_but_root),
            BOB,
            &none,
            Decision::Allow,
        ),
        (
            "NotPrincipal hits others",
            two(allow_all, deny_but_root),
            STRANGER,
            &none,
            Decision::Deny,
        ),
        (
            "NotPrincipal hits anonymous",
            two(allow_all, deny_but_root),
            ANON,
            &none,
            Decision::Deny,
        ),
        (
            "NotAction allows the rest",
            s3(allow_not_delete),
            ANON,
            &none,
            Decision::Allow,
        ),
        (
            "NotResource allows the rest",
            s3(allow_not_private),
            ANON,
            &none,
            Decision::Allow,
        ),
        (
            "deny over http",
            two(allow_all, deny_http),
            ANON,
            &http,
            Decision::Deny,
        ),
        (
            "allow over https",
            two(allow_all, deny_http),
            ANON,
            &https,
            Decision::Allow,
        ),
        (
            "Bool on an absent key fails",
            two(allow_all, deny_http),
            ANON,
            &none,
            Decision::Allow,
        ),
        (
            "IfExists: absent",
            s3(allow_referer_if_exists),
            ANON,
            &none,
            Decision::Allow,
        ),
        (
            "IfExists: mismatch",
            s3(allow_referer_if_exists),
            ANON,
            &bad_referer,
            Decision::Implicit,
        ),
        (
            "ForAllValues on empty",
            s3(allow_tags_subset),
            ANON,
            &none,
            Decision::Allow,
        ),
        (
            "ForAllValues not subset",
            s3(allow_tags_subset),
            ANON,
            &tags,
            Decision::Implicit,
        ),
        (
            "Null: absent denies",
            two(allow_all, deny_unencrypted),
            ANON,
            &none,
            Decision::Deny,
        ),
        (
            "Null: present passes",
            two(allow_all, deny_unencrypted),
            ANON,
            &sse,
            Decision::Allow,
        ),
    ];
    for (name, doc, who, ctx, want) in table {
        assert_eq!(get(who, &doc, ctx), want, "{name}");
    }
}

#[test]
fn not_action_and_not_resource_exclude() {
    let not_delete = s3(
        r#"{"Effect":"Allow","Principal":"*","NotAction":["s3:Delete*","oss:Delete*"],"Resource":"arn:aws:s3:::bkt/*"}"#,
    );
    let del = decide(
        &not_delete,
        ANON,
        &["s3:DeleteObject", "oss:DeleteObject"],
        Some("k"),
        &Ctx::default(),
    );
    assert_eq!(del, Decision::Implicit);
    let not_private = s3(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::bkt/private/*"}"#,
    );
    let private = decide(
        &not_private,
        ANON,
        &["s3:GetObject"],
        Some("private/x"),
        &Ctx::default(),
    );
    assert_eq!(private, Decision::Implicit);
}

#[test]
fn principal_forms() {
    let allow = |principal: &str| {
        s3(&format!(
            r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}}"#
        ))
    };
    let none = Ctx::default();
    let cases: Vec<(&str, Principal<'_>, Decision)> = vec![
        (r#""*""#, ANON, Decision::Allow),
        (r#"{"AWS":"*"}"#, ANON, Decision::Allow),
        (
            r#"{"AWS":"*"}"#,
            Principal::Service("logging.s3.amazonaws.com"),
            Decision::Allow,
        ),
        (r#"{"AWS":"222"}"#, ROOT, Decision::Allow),
        (r#"{"AWS":"222"}"#, alice(), Decision::Allow),
        (r#"{"AWS":"222"}"#, STRANGER, Decision::Implicit),
        (r#"{"AWS":"222"}"#, ANON, Decision::Implicit),
        (r#"{"AWS":"arn:aws:iam::222:root"}"#, BOB, Decision::Allow),
        (
            r#"{"AWS":["111","arn:aws:iam::333:root"]}"#,
            STRANGER,
            Decision::Allow,
        ),
        (r#"{"CanonicalUser":"222"}"#, alice(), Decision::Allow),
        (
            r#"{"AWS":"arn:aws:iam::222:user/alice"}"#,
            alice(),
            Decision::Allow,
        ),
        (
            r#"{"AWS":"arn:aws:iam::222:user/team/alice"}"#,
            alice(),
            Decision::Allow,
        ),
        (
            r#"{"AWS":"arn:aws:iam::222:user/alice"}"#,
            BOB,
            Decision::Implicit,
        ),
        (
            r#"{"AWS":"arn:aws:iam::222:user/alice"}"#,
            ROOT,
            Decision::Implicit,
        ),
        (
            r#"{"AWS":"arn:aws:iam::333:user/alice"}"#,
            alice(),
            Decision::Implicit,
        ),
        (
            r#"{"AWS":"arn:aws:iam:::role/r"}"#,
            ROOT,
            Decision::Implicit,
        ),
        (
            r#"{"Service":"logging.s3.amazonaws.com"}"#,
            Principal::Service("logging.s3.amazonaws.com"),
            Decision::Allow,
        ),
        (
            r#"{"Service":"logging.s3.amazonaws.com"}"#,
            ROOT,
            Decision::Implicit,
        ),
    ];
    for (p, who, want) in cases {
        assert_eq!(get(who, &allow(p), &none), want, "{p} for {who:?}");
    }
}

#[test]
fn oss_principals_and_resources() {
    let allow = |principal: &str, resource: &str| {
        format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":["oss:GetObject"],"Principal":{principal},"Resource":["{resource}"]}}]}}"#
        )
    };
    let none = Ctx::default();
    let any = "acs:oss:*:*:bkt/*";
    let owned = "acs:oss:*:1746:bkt/*";
    let foreign = "acs:oss:*:9999:bkt/*";
    let cases: Vec<(&str, &str, Principal<'_>, Decision)> = vec![
        (r#"["*"]"#, any, ANON, Decision::Allow),
        (r#"["222"]"#, any, ROOT, Decision::Allow),
        (r#"["222"]"#, any, alice(), Decision::Allow),
        (r#"["alice"]"#, any, alice(), Decision::Allow),
        (r#"["alice"]"#, any, BOB, Decision::Implicit),
        (
            r#"["acs:ram::222:user/alice"]"#,
            any,
            alice(),
            Decision::Allow,
        ),
        (
            r#"["acs:ram::222:user/alice"]"#,
            any,
            ROOT,
            Decision::Implicit,
        ),
        (r#"["*"]"#, owned, ANON, Decision::Allow),
        (r#"["*"]"#, foreign, ANON, Decision::Implicit),
    ];
    for (p, r, who, want) in cases {
        assert_eq!(get(who, &allow(p, r), &none), want, "{p} {r} for {who:?}");
    }
    // No Principal in an OSS document means everyone.
    let open = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:bkt/*"]}]}"#;
    assert_eq!(get(ANON, open, &none), Decision::Allow);
}

#[test]
fn actions_match_case_insensitively_across_namespaces() {
    let doc = |action: &str| {
        s3(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"arn:aws:s3:::bkt/*"}}"#
        ))
    };
    let none = Ctx::default();
    for (action, want) in [
        ("*", Decision::Allow),
        ("s3:*", Decision::Allow),
        ("S3:GETOBJECT", Decision::Allow),
        ("s3:Get*", Decision::Allow),
        ("s3:GetObjec?", Decision::Allow),
        ("oss:GetObject", Decision::Allow),
        ("oss:*", Decision::Allow),
        ("s3:Put*", Decision::Implicit),
        ("s3:GetObjectAcl", Decision::Implicit),
    ] {
        assert_eq!(get(ANON, &doc(action), &none), want, "{action}");
    }
}

#[test]
fn resources_match_bucket_and_keys() {
    let doc = |resource: &str| {
        s3(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"{resource}"}}"#
        ))
    };
    let none = Ctx::default();
    let list = |r: &str| decide(&doc(r), ANON, &["s3:ListBucket"], None, &none);
    let get_key = |r: &str, k: &str| decide(&doc(r), ANON, &["s3:GetObject"], Some(k), &none);
    assert_eq!(list("arn:aws:s3:::bkt"), Decision::Allow);
    assert_eq!(list("arn:aws:s3:::bkt/*"), Decision::Implicit);
    assert_eq!(list("arn:aws:s3:::*"), Decision::Allow);
    assert_eq!(get_key("arn:aws:s3:::bkt", "k"), Decision::Implicit);
    assert_eq!(get_key("arn:aws:s3:::bkt/*", "a/b/c"), Decision::Allow);
    assert_eq!(get_key("arn:aws:s3:::*/*", "a"), Decision::Allow);
    assert_eq!(get_key("arn:aws:s3:::*", "a"), Decision::Allow);
    assert_eq!(
        get_key("arn:aws:s3:::bkt/public/*", "public/x"),
        Decision::Allow
    );
    assert_eq!(
        get_key("arn:aws:s3:::bkt/public/*", "Public/x"),
        Decision::Implicit
    );
    assert_eq!(get_key("arn:aws:s3:::bkt/mpobj", "mpobj"), Decision::Allow);
    assert_eq!(
        get_key("arn:aws:s3:::bkt/mpobj", "mpobj2"),
        Decision::Implicit
    );
    assert_eq!(get_key("arn:aws:s3:::bkt/?.txt", "a.txt"), Decision::Allow);
    // ceph's tenant form: the tenant part is not compared.
    assert_eq!(
        get_key("arn:aws:s3::tenant:bkt/log/*", "log/1"),
        Decision::Allow
    );
}
