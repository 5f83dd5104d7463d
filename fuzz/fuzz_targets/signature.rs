//! Signature parsing and canonicalization on arbitrary requests. The input is read as lines:
//! method, raw path, raw query, then `name:value` headers (names lower-cased, as the server
//! sees them). Everything the server runs on authentication runs here, for path-style,
//! virtual-hosted and service-level targets. No input may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ossemu_api::auth::{Request, Target, decode_path, parse_auth};
use ossemu_api::request::Query;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or_default();
    let raw_path = lines.next().unwrap_or_default();
    let query = Query::parse(lines.next().unwrap_or_default()).pairs;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let req = Request {
        method,
        raw_path,
        query: &query,
        headers: &headers,
    };
    let decoded = decode_path(raw_path);
    let path = decoded.trim_start_matches('/');
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let targets = [
        Target::default(),
        Target {
            bucket: Some(bucket),
            key: Some(key),
            virtual_host: false,
        },
        Target {
            bucket: Some("bucket"),
            key: Some(path),
            virtual_host: true,
        },
    ];
    if let Ok(Some(auth)) = parse_auth(&req) {
        for target in &targets {
            if let Ok(forms) = auth.canonical_forms(&req, target) {
                assert!(!forms.is_empty());
                let signature = auth.sign(&forms[0], "secret");
                assert!(!signature.is_empty());
            }
            let _ = auth.verify(&req, target, "secret");
        }
        // A server clock between 1970 and year 36812.
        for now in [0, 1_704_165_845, 1 << 40] {
            let _ = auth.check_time(&req, now, 900);
        }
    }
});
