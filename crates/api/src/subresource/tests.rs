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

#[test]
fn the_router_does_what_the_table_says() {
    let plain = routes("");
    for s in SUBRESOURCES {
        let with = routes(&format!("{}=x", s.name));
        let unsupported = with.iter().filter(|op| **op == Op::Unsupported).count();
        match s.route {
            Route::Ignored => assert_eq!(with, plain, "{}", s.name),
            Route::Implemented => assert_eq!(unsupported, 0, "{}", s.name),
            Route::Partly => {
                assert!(unsupported > 0, "{}", s.name);
                assert!(
                    with.iter()
                        .any(|op| *op != Op::Unsupported && !plain.contains(op))
                );
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
