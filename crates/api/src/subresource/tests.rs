use http::Method;

use super::*;
use crate::query::Query;
use crate::router::{Op, route};

#[test]
fn names_are_unique() {
    for (i, s) in SUBRESOURCES.iter().enumerate() {
        assert!(
            SUBRESOURCES[..i].iter().all(|t| t.name != s.name),
            "{} twice",
            s.name
        );
    }
}

#[test]
fn oss_v1_signs_every_name_that_selects_the_operation() {
    for s in SUBRESOURCES.iter().filter(|s| s.selects_op) {
        assert!(s.oss_v1, "{}", s.name);
    }
}

/// Every method on a bucket and on an object, with and without a copy source: the routing of
/// `?query`.
fn routes(query: &str) -> Vec<Op> {
    let q = Query::parse(query);
    let methods = [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::POST,
        Method::DELETE,
    ];
    let mut out = Vec::new();
    for m in &methods {
        for key in [false, true] {
            for copy in [false, true] {
                out.push(route(m, true, key, &q, copy));
            }
        }
    }
    out
}

/// The plain operations a request reaches when no sub-resource selects another one.
const PLAIN: &[Op] = &[
    Op::CreateBucket,
    Op::ListObjects,
    Op::ListObjectsV2,
    Op::HeadBucket,
    Op::DeleteBucket,
    Op::PostObject,
    Op::PutObject,
    Op::CopyObject,
    Op::GetObject,
    Op::HeadObject,
    Op::DeleteObject,
    Op::NotAllowed,
];

/// Parameters a plain operation takes although the table routes them elsewhere.
fn takes(op: Op, name: &str) -> bool {
    matches!(
        (op, name),
        (Op::ListObjects | Op::ListObjectsV2, "list-type")
            | (Op::GetObject | Op::HeadObject, "partNumber")
            // oss2 sends GetSymlink's `symlink` again on the DeleteObject after it.
            | (Op::DeleteObject, "symlink")
    )
}

#[test]
fn the_router_does_what_the_table_says() {
    let plain = routes("");
    for s in SUBRESOURCES {
        let with = routes(&format!("{}=x", s.name));
        match s.route {
            Route::Ignored => assert_eq!(with, plain, "{}", s.name),
            // A name that selects an operation never reaches a plain operation that does not
            // take it: it reaches its own operation, or 501.
            Route::Implemented | Route::Partly => {
                for op in &with {
                    assert!(
                        !PLAIN.contains(op) || takes(*op, s.name) || *op == Op::HeadBucket,
                        "{} reached {op:?}",
                        s.name
                    );
                }
            }
            Route::Unsupported => {
                let q = Query::parse(s.name);
                for key in [false, true] {
                    let op = route(&Method::POST, true, key, &q, false);
                    assert_eq!(op, Op::Unsupported, "{} key={key}", s.name);
                }
            }
        }
    }
}

/// An unknown sub-resource written the way OSS and S3 write them (a bare name) never reaches
/// a write: `DELETE /b/k?live` must not delete `k`. Names with values are parameters and are
/// ignored; reads ignore unknown names.
#[test]
fn unknown_bare_names_never_write() {
    for m in [Method::PUT, Method::POST, Method::DELETE] {
        for key in [false, true] {
            let op = route(&m, true, key, &Query::parse("somethingNew"), false);
            assert_eq!(op, Op::Unsupported, "{m} key={key}");
            let op = route(&m, true, key, &Query::parse("x-id=PutObject"), false);
            assert_ne!(op, Op::Unsupported, "{m} key={key}");
        }
    }
    let get = route(
        &Method::GET,
        true,
        true,
        &Query::parse("somethingNew"),
        false,
    );
    assert_eq!(get, Op::GetObject);
    let live = |m: &Method| route(m, true, true, &Query::parse("live"), false);
    assert_eq!(live(&Method::PUT), Op::Unsupported);
    assert_eq!(live(&Method::DELETE), Op::Unsupported);
    assert_eq!(live(&Method::GET), Op::Unsupported);
    let regions = route(&Method::GET, false, false, &Query::parse("regions"), false);
    assert_eq!(regions, Op::DescribeRegions);
    let all_regions = route(
        &Method::GET,
        false,
        false,
        &Query::parse("regionList"),
        false,
    );
    assert_eq!(all_regions, Op::ListBuckets);
}
