//! Signature vectors from `fixtures/sigs/`: published examples (AWS, Alibaba Cloud docs,
//! the Go OSS SDK's tests) and requests signed by the real Python SDKs
//! (`fixtures/sigs/generate.py`).

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use futures_util::{Stream, stream};
use ossemu_api::auth::chunked::{AwsChunkedDecoder, ChunkedConfig, PayloadError};
use ossemu_api::auth::{
    AuthError, ParsedAuth, Request, Target, decode_path, decode_query, parse_auth,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../../fixtures/sigs/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string {key} in {v}"))
}

fn opt<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .expect("header list")
        .iter()
        .map(|h| {
            (
                h[0].as_str().expect("name").to_ascii_lowercase(),
                h[1].as_str().expect("value").to_owned(),
            )
        })
        .collect()
}

struct Owned {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Owned {
    fn from(v: &Value) -> Self {
        let r = &v["request"];
        Self {
            method: s(r, "method").to_owned(),
            path: s(r, "path").to_owned(),
            query: decode_query(s(r, "query")),
            headers: pairs(&r["headers"]),
        }
    }

    fn req(&self) -> Request<'_> {
        Request {
            method: &self.method,
            raw_path: &self.path,
            query: &self.query,
            headers: &self.headers,
        }
    }
}

fn target(v: &Value) -> Target<'_> {
    let t = &v["target"];
    Target {
        bucket: opt(t, "bucket"),
        key: opt(t, "key"),
        virtual_host: t["virtual_host"].as_bool().expect("virtual_host"),
    }
}

/// Checks one vector; returns a description of the first failure.
fn check(v: &Value) -> Result<(), String> {
    let name = s(v, "name");
    let owned = Owned::from(v);
    let req = owned.req();
    let target = target(v);
    let exp = &v["expect"];
    let secret = s(v, "secret");

    // The decoded path gives back the key the SDK signed (oss2 sends `/` as %2F, …).
    if let Some(key) = target.key {
        let decoded = decode_path(req.raw_path);
        let want = match (target.virtual_host, target.bucket) {
            (false, Some(b)) => format!("/{b}/{key}"),
            _ => format!("/{key}"),
        };
        if decoded != want {
            return Err(format!("{name}: decoded path {decoded:?} != {want:?}"));
        }
    }

    let auth = match parse_auth(&req) {
        Ok(Some(a)) => a,
        other => return Err(format!("{name}: parse_auth gave {other:?}")),
    };
    let scheme = format!("{:?}", auth.scheme());
    if scheme != s(exp, "scheme") {
        return Err(format!("{name}: scheme {scheme}"));
    }
    if auth.access_key_id() != s(v, "access_key") {
        return Err(format!("{name}: access key {}", auth.access_key_id()));
    }
    if auth.signature() != s(exp, "signature") {
        return Err(format!("{name}: signature parsed as {}", auth.signature()));
    }
    if let (Some(region), ParsedAuth::V4(a)) = (opt(exp, "region"), &auth)
        && a.credential.region != region
    {
        return Err(format!("{name}: region {}", a.credential.region));
    }
    let canonical = auth
        .canonical(&req, &target)
        .map_err(|e| format!("{name}: canonical: {e:?}"))?;
    if let Some(creq) = opt(exp, "canonical_request")
        && canonical.canonical_request.as_deref() != Some(creq)
    {
        return Err(format!(
            "{name}: canonical request\n--- ours\n{:?}\n--- sdk\n{creq:?}",
            canonical.canonical_request
        ));
    }
    if let Some(sts) = opt(exp, "string_to_sign")
        && canonical.string_to_sign != sts
    {
        return Err(format!(
            "{name}: string to sign\n--- ours\n{:?}\n--- sdk\n{sts:?}",
            canonical.string_to_sign
        ));
    }
    // The standard form alone reproduces the signature, unless the vector documents an
    // SDK quirk that the server accepts as a variant form.
    let ours = auth.sign(&canonical, secret);
    if opt(exp, "nonstandard").is_some() {
        let forms = auth
            .canonical_forms(&req, &target)
            .map_err(|e| format!("{name}: forms: {e:?}"))?;
        if ours == s(exp, "signature") {
            return Err(format!(
                "{name}: marked nonstandard but the standard form matches"
            ));
        }
        if !forms[1..]
            .iter()
            .any(|c| auth.sign(c, secret) == s(exp, "signature"))
        {
            return Err(format!("{name}: no variant form matches"));
        }
    } else if ours != s(exp, "signature") {
        return Err(format!(
            "{name}: signature {ours}\nstring to sign {:?}\ncanonical request {:?}",
            canonical.string_to_sign, canonical.canonical_request
        ));
    }
    auth.verify(&req, &target, secret)
        .map_err(|e| format!("{name}: verify: {e:?}"))?;
    let now = v["now"].as_i64().expect("now");
    auth.check_time(&req, now, 900)
        .map_err(|e| format!("{name}: check_time: {e:?}"))?;

    // A wrong secret, another method or another key must fail.
    match auth.verify(&req, &target, "not-the-secret") {
        Err(AuthError::SignatureDoesNotMatch(c)) if *c == canonical => {}
        other => return Err(format!("{name}: wrong secret gave {other:?}")),
    }
    let other_method = Request {
        method: if req.method == "GET" { "HEAD" } else { "GET" },
        ..req
    };
    if auth.verify(&other_method, &target, secret).is_ok() {
        return Err(format!("{name}: verified with another method"));
    }
    if target.key.is_some() && req.raw_path.len() > 1 {
        let other_path = format!("{}x", req.raw_path);
        let other_key = format!("{}x", target.key.unwrap_or_default());
        let other_req = Request {
            raw_path: &other_path,
            ..req
        };
        let other_target = Target {
            key: Some(&other_key),
            ..target
        };
        if auth.verify(&other_req, &other_target, secret).is_ok() {
            return Err(format!("{name}: verified with another key"));
        }
    }
    if let Some(paths) = exp.get("also_verifies_with_path").and_then(Value::as_array) {
        for p in paths {
            let r = Request {
                raw_path: p.as_str().expect("path"),
                ..req
            };
            auth.verify(&r, &target, secret)
                .map_err(|e| format!("{name}: raw path {p}: {e:?}"))?;
        }
    }
    if let Some(chunks) = exp.get("chunks").and_then(Value::as_array) {
        check_chunks(name, &auth, &req, secret, chunks, exp)?;
    }
    Ok(())
}

fn drain<St>(mut st: St) -> (Vec<u8>, Option<PayloadError>, St)
where
    St: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let mut cx = Context::from_waker(Waker::noop());
    let mut data = Vec::new();
    let mut err = None;
    loop {
        match Pin::new(&mut st).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(b))) => data.extend_from_slice(&b),
            Poll::Ready(Some(Err(e))) => {
                assert!(err.is_none(), "two errors");
                err = Some(e);
            }
            Poll::Ready(None) => return (data, err, st),
            Poll::Pending => panic!("pending"),
        }
    }
}

fn decoder_for(
    auth: &ParsedAuth,
    req: &Request<'_>,
    secret: &str,
    body: Vec<u8>,
    split: usize,
) -> Result<
    AwsChunkedDecoder<impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Unpin>,
    String,
> {
    let ParsedAuth::V4(v4) = auth else {
        return Err("chunked body without a V4 signature".to_owned());
    };
    let payload = v4.payload().map_err(|e| format!("{e:?}"))?;
    let cfg = ChunkedConfig::from_request(&payload, req.headers, Some(v4.chunk_signer(secret)))
        .map_err(|e| format!("{e:?}"))?;
    let pieces: Vec<Result<Bytes, std::convert::Infallible>> = body
        .chunks(split.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Ok(AwsChunkedDecoder::new(stream::iter(pieces), cfg))
}

fn check_chunks(
    name: &str,
    auth: &ParsedAuth,
    req: &Request<'_>,
    secret: &str,
    chunks: &[Value],
    exp: &Value,
) -> Result<(), String> {
    let mut body = Vec::new();
    let mut payload = Vec::new();
    for c in chunks {
        let size = usize::try_from(c["size"].as_u64().expect("size")).expect("usize");
        let byte = s(c, "byte").as_bytes()[0];
        body.extend(format!("{size:x};chunk-signature={}\r\n", s(c, "signature")).bytes());
        if size > 0 {
            body.extend(std::iter::repeat_n(byte, size));
            body.extend_from_slice(b"\r\n");
            payload.extend(std::iter::repeat_n(byte, size));
        }
    }
    body.extend_from_slice(s(exp, "trailer").as_bytes());
    body.extend_from_slice(b"\r\n");
    for split in [1000, 7, 65_536 + 90] {
        let (data, err, dec) = drain(decoder_for(auth, req, secret, body.clone(), split)?);
        if let Some(e) = err {
            return Err(format!("{name}: chunked decode (split {split}): {e:?}"));
        }
        if data != payload {
            return Err(format!("{name}: decoded {} bytes", data.len()));
        }
        let sum = dec.checksum().map(|c| c.to_base64());
        if sum.as_deref() != opt(exp, "checksum") {
            return Err(format!("{name}: checksum {sum:?}"));
        }
    }
    // With a wrong secret the seed is right but every chunk signature is wrong.
    let (_, err, _) = drain(decoder_for(
        auth,
        req,
        "not-the-secret",
        body.clone(),
        4096,
    )?);
    if !matches!(err, Some(PayloadError::ChunkSignatureMismatch { chunk: 1 })) {
        return Err(format!("{name}: wrong secret gave {err:?}"));
    }
    Ok(())
}

fn run(file: &str) -> usize {
    let doc = load(file);
    let vectors = doc["vectors"].as_array().expect("vectors");
    let failures: Vec<String> = vectors.iter().filter_map(|v| check(v).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors in {file} failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n\n")
    );
    vectors.len()
}

#[test]
fn published_examples() {
    assert_eq!(run("published.json"), 19);
}

#[test]
fn sdk_generated_vectors() {
    let n = run("sdk_vectors.json");
    assert!(n >= 150, "only {n} vectors");
}

#[test]
fn sdk_vectors_cover_every_scheme() {
    let doc = load("sdk_vectors.json");
    let mut schemes: Vec<&str> = doc["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .map(|v| s(&v["expect"], "scheme"))
        .collect();
    schemes.sort_unstable();
    schemes.dedup();
    assert_eq!(
        schemes,
        [
            "AwsV2Header",
            "AwsV2Query",
            "AwsV4Header",
            "AwsV4Query",
            "OssV1Header",
            "OssV1Query",
            "OssV4Header",
            "OssV4Query"
        ]
    );
}

/// aws-chunked bodies botocore sends by default (unsigned payload, checksum trailer).
#[test]
fn botocore_chunked_uploads() {
    let doc = load("sdk_chunked.json");
    let streams = doc["streams"].as_array().expect("streams");
    assert_eq!(streams.len(), 5);
    for st in streams {
        let name = s(st, "name");
        let headers = pairs(&st["headers"]);
        let query = Vec::new();
        let req = Request {
            method: "PUT",
            raw_path: "/ex-bucket/chunked.bin",
            query: &query,
            headers: &headers,
        };
        let target = Target {
            bucket: Some("ex-bucket"),
            key: Some("chunked.bin"),
            virtual_host: false,
        };
        let auth = parse_auth(&req).expect("parse").expect("auth");
        auth.verify(&req, &target, "secret/Key+With=odd/chars0001")
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let body = BASE64.decode(s(st, "body_b64")).expect("body");
        let decoded = BASE64.decode(s(st, "decoded_b64")).expect("decoded");
        // `…\r\n0\r\nx-amz-checksum-<algo>:<value>\r\n\r\n`
        let trailer_value = body
            .windows(5)
            .rposition(|w| w == b"\r\n0\r\n")
            .and_then(|i| std::str::from_utf8(&body[i + 5..]).ok())
            .and_then(|t| t.split_once(':'))
            .and_then(|(_, v)| v.split_once('\r'))
            .map(|(v, _)| v.to_owned());
        assert!(trailer_value.is_some(), "{name}: no trailer found");
        for split in [1, 5, 100, body.len()] {
            let (data, err, dec) = drain(
                decoder_for(
                    &auth,
                    &req,
                    "secret/Key+With=odd/chars0001",
                    body.clone(),
                    split,
                )
                .expect("decoder"),
            );
            assert!(err.is_none(), "{name} split {split}: {err:?}");
            assert_eq!(data, decoded, "{name}");
            let computed = dec
                .checksum()
                .map(|c| (c.algorithm.header_name(), c.to_base64()));
            let announced = headers
                .iter()
                .find(|(n, _)| n == "x-amz-trailer")
                .map(|(_, v)| v.as_str());
            assert_eq!(computed.as_ref().map(|c| c.0), announced, "{name}");
            assert_eq!(computed.map(|c| c.1), trailer_value.clone(), "{name}");
        }
        // A flipped payload byte fails the trailer checksum.
        let mut bad = body.clone();
        bad[body.len() / 2] ^= 0x40;
        let (_, err, dec) = drain(
            decoder_for(&auth, &req, "secret/Key+With=odd/chars0001", bad, 64).expect("decoder"),
        );
        assert!(
            matches!(err, Some(PayloadError::ChecksumMismatch { .. })),
            "{name}: {err:?}"
        );
        assert!(!dec.is_complete());
    }
}
