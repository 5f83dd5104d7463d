//! Property tests: parsing never panics, an added Deny never grants, evaluation is
//! deterministic and independent of statement order.

mod common;
use common::Ctx;
use ossemu_policy::{Decision, Policy, Principal, Request};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let words = prop_oneof![
        Just("Version"),
        Just("Statement"),
        Just("Effect"),
        Just("Allow"),
        Just("Deny"),
        Just("Principal"),
        Just("NotPrincipal"),
        Just("AWS"),
        Just("*"),
        Just("Action"),
        Just("NotAction"),
        Just("s3:GetObject"),
        Just("Resource"),
        Just("NotResource"),
        Just("arn:aws:s3:::bkt/*"),
        Just("acs:oss:*:*:bkt"),
        Just("Condition"),
        Just("StringLike"),
        Just("ForAllValues:IpAddressIfExists"),
        Just("Null"),
        Just("aws:SourceIp"),
        Just("1.2.3.0/24"),
        Just("2012-10-17"),
        Just("1"),
        Just("DateLessThan"),
        Just("NumericEquals"),
        Just("Bool"),
        Just("true"),
    ]
    .prop_map(|s| s.to_string());
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        words.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        let key = prop_oneof![words.clone(), ".{0,6}"];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

const PRINCIPALS: [&str; 5] = [
    r#""Principal":"*""#,
    r#""Principal":{"AWS":"*"}"#,
    r#""Principal":{"AWS":"222"}"#,
    r#""Principal":{"AWS":"arn:aws:iam::222:user/alice"}"#,
    r#""Principal":{"AWS":["333","arn:aws:iam::222:root"]}"#,
];
const NOT_PRINCIPALS: [&str; 2] = [
    r#""NotPrincipal":{"AWS":"222"}"#,
    r#""NotPrincipal":{"AWS":"arn:aws:iam::333:user/carol"}"#,
];
const ACTIONS: [&str; 7] = [
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:PutObject",
    "oss:GetObject",
    "s3:ListBucket",
];
const RESOURCES: [&str; 5] = [
    "arn:aws:s3:::bkt",
    "arn:aws:s3:::bkt/*",
    "arn:aws:s3:::bkt/a*",
    "arn:aws:s3:::*",
    "acs:oss:*:*:bkt/*",
];
const CONDITIONS: [&str; 7] = [
    "",
    r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    r#","Condition":{"StringNotEquals":{"aws:Referer":"r"}}"#,
    r#","Condition":{"StringLikeIfExists":{"aws:UserAgent":"ua*"}}"#,
    r#","Condition":{"Null":{"aws:Referer":"true"}}"#,
    r#","Condition":{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}"#,
    r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#,
];

fn statement(deny: bool) -> impl Strategy<Value = String> {
    let principal = if deny {
        prop::sample::select([&PRINCIPALS[..], &NOT_PRINCIPALS[..]].concat()).boxed()
    } else {
        prop::sample::select(PRINCIPALS.to_vec()).boxed()
    };
    (
        principal,
        any::<bool>(),
        prop::sample::subsequence(ACTIONS.to_vec(), 1..3),
        any::<bool>(),
        prop::sample::subsequence(RESOURCES.to_vec(), 1..3),
        prop::sample::select(CONDITIONS.to_vec()),
    )
        .prop_map(move |(p, not_a, actions, not_r, resources, cond)| {
            let effect = if deny { "Deny" } else { "Allow" };
            let a = if not_a { "NotAction" } else { "Action" };
            let r = if not_r { "NotResource" } else { "Resource" };
            format!(
                r#"{{"Effect":"{effect}",{p},"{a}":{},"{r}":{}{cond}}}"#,
                serde_json::to_string(&actions).unwrap(),
                serde_json::to_string(&resources).unwrap()
            )
        })
}

fn statements() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(any::<bool>().prop_flat_map(statement), 1..5)
}

fn doc(statements: &[String]) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

#[derive(Debug, Clone)]
struct Req {
    principal: Principal<'static>,
    actions: Vec<&'static str>,
    key: Option<&'static str>,
    ctx: Vec<(&'static str, Vec<&'static str>)>,
}

fn request() -> impl Strategy<Value = Req> {
    let principal = prop::sample::select(vec![
        Principal::Anonymous,
        Principal::User {
            account: "222",
            user: None,
        },
        Principal::User {
            account: "222",
            user: Some("alice"),
        },
        Principal::User {
            account: "333",
            user: Some("carol"),
        },
        Principal::Service("logging.s3.amazonaws.com"),
    ]);
    let actions = prop::sample::select(vec![
        vec!["s3:GetObject", "oss:GetObject"],
        vec!["s3:PutObject", "oss:PutObject"],
        vec!["s3:ListBucket", "oss:ListObjects"],
        vec!["s3:DeleteObject"],
    ]);
    let key = prop::sample::select(vec![None, Some("a"), Some("ab/c"), Some("b")]);
    let entry = prop::sample::select(vec![
        ("aws:SourceIp", vec!["10.1.2.3"]),
        ("aws:SourceIp", vec!["192.0.2.1"]),
        ("aws:Referer", vec!["r"]),
        ("aws:Referer", vec!["other"]),
        ("aws:UserAgent", vec!["ua1"]),
        ("aws:UserAgent", vec!["curl"]),
        ("aws:SecureTransport", vec!["true"]),
        ("aws:SecureTransport", vec!["false"]),
        ("s3:RequestObjectTagKeys", vec!["a"]),
        ("s3:RequestObjectTagKeys", vec!["a", "c"]),
    ]);
    let ctx = prop::collection::vec(entry, 0..4);
    (principal, actions, key, ctx).prop_map(|(principal, actions, key, ctx)| Req {
        principal,
        actions,
        key,
        ctx,
    })
}

fn eval(statements: &[String], r: &Req) -> Decision {
    let policy = Policy::parse(doc(statements).as_bytes(), "bkt").expect("generated policy parses");
    let ctx = r.ctx.iter().fold(Ctx::default(), |c, (k, v)| c.with(k, v));
    let req = Request {
        principal: r.principal,
        actions: &r.actions,
        bucket: "bkt",
        key: r.key,
        bucket_account: "1746",
    };
    policy.evaluate(&req, &ctx)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Policy::parse(&bytes, "bkt");
    }

    #[test]
    fn parse_never_panics_on_json(v in json_value(), bucket in "[a-z*?]{0,5}") {
        let text = serde_json::to_string(&v).unwrap();
        if let Ok(p) = Policy::parse(text.as_bytes(), &bucket) {
            let _ = p.is_public();
        }
    }

    #[test]
    fn parse_never_panics_on_policy_shaped_json(
        statement in prop::collection::btree_map(
            prop::sample::select(vec!["Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                "Resource", "NotResource", "Condition", "Sid"]),
            json_value(),
            0..7,
        )
    ) {
        let v = serde_json::json!({"Version": "2012-10-17", "Statement": [statement]});
        let _ = Policy::parse(v.to_string().as_bytes(), "bkt");
    }

    #[test]
    fn an_added_deny_never_grants(base in statements(), deny in statement(true), r in request()) {
        let before = eval(&base, &r);
        let mut more = base.clone();
        more.push(deny);
        let after = eval(&more, &r);
        prop_assert!(after == Decision::Deny || after == before, "{before:?} -> {after:?}");
        if before == Decision::Deny {
            prop_assert_eq!(after, Decision::Deny);
        }
    }

    #[test]
    fn evaluation_is_deterministic_and_order_free(s in statements(), r in request()) {
        let first = eval(&s, &r);
        prop_assert_eq!(eval(&s, &r), first);
        let mut reversed = s.clone();
        reversed.reverse();
        prop_assert_eq!(eval(&reversed, &r), first);
    }
}
