//! Property tests for the aws-chunked decoder beyond the signed-stream split and bit-flip
//! properties of its unit tests (`src/auth/chunked/tests.rs`):
//! - unsigned streams with a checksum trailer (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`, what the
//!   AWS SDKs send by default over HTTP), for every checksum algorithm, hex sizes in either
//!   letter case and any delivery split, decode to the payload and report its checksum;
//! - a wrong trailer checksum or decoded length is an error, never a clean end;
//! - arbitrary bytes under every configuration never panic, never yield data after an
//!   error, and a clean end always accounts for exactly the bytes yielded.

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::{Stream, stream};
use ossemu_api::auth::chunked::{
    AwsChunkedDecoder, ChecksumAlgorithm, Checksummer, ChunkedConfig, PayloadError,
};
use ossemu_api::auth::{ChunkSigner, SigningKey};
use proptest::prelude::*;

/// What a decoder produced.
struct Outcome {
    data: Vec<u8>,
    error: Option<PayloadError>,
    items_after_error: usize,
    complete: bool,
    decoded_len: u64,
    checksum: Option<String>,
}

/// Feeds `body` cut at `cuts` (sorted offsets) to a decoder and polls it to the end.
fn decode(body: &[u8], cuts: &[usize], cfg: ChunkedConfig) -> Outcome {
    let mut pieces = Vec::new();
    let mut last = 0;
    for &c in cuts {
        let c = c.min(body.len());
        if c > last {
            pieces.push(Ok::<_, std::io::Error>(Bytes::copy_from_slice(
                &body[last..c],
            )));
            last = c;
        }
    }
    pieces.push(Ok(Bytes::copy_from_slice(&body[last..])));
    let mut dec = AwsChunkedDecoder::new(stream::iter(pieces), cfg);
    let mut cx = Context::from_waker(Waker::noop());
    let mut out = Outcome {
        data: Vec::new(),
        error: None,
        items_after_error: 0,
        complete: false,
        decoded_len: 0,
        checksum: None,
    };
    loop {
        match Pin::new(&mut dec).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(b))) => {
                if out.error.is_some() {
                    out.items_after_error += 1;
                }
                out.data.extend_from_slice(&b);
            }
            Poll::Ready(Some(Err(e))) => {
                if out.error.is_some() {
                    out.items_after_error += 1;
                } else {
                    out.error = Some(e);
                }
            }
            Poll::Ready(None) | Poll::Pending => break,
        }
    }
    out.complete = dec.is_complete();
    out.decoded_len = dec.decoded_len();
    out.checksum = dec.checksum().map(|c| c.to_base64());
    out
}

fn algorithm() -> impl Strategy<Value = ChecksumAlgorithm> {
    prop::sample::select(ChecksumAlgorithm::ALL.to_vec())
}

/// An unsigned aws-chunked body with a checksum trailer.
fn unsigned_trailer_body(
    chunks: &[Vec<u8>],
    alg: ChecksumAlgorithm,
    upper_hex: bool,
    trailer_value: &str,
) -> Vec<u8> {
    let mut body = Vec::new();
    for c in chunks {
        let size = if upper_hex {
            format!("{:X}", c.len())
        } else {
            format!("{:x}", c.len())
        };
        body.extend_from_slice(size.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(c);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n");
    body.extend_from_slice(format!("{}:{trailer_value}\r\n\r\n", alg.header_name()).as_bytes());
    body
}

fn unsigned_cfg(alg: ChecksumAlgorithm, len: Option<u64>) -> ChunkedConfig {
    ChunkedConfig {
        signer: None,
        signed_trailer: false,
        trailer_checksum: Some(alg),
        expected_checksum: None,
        decoded_length: len,
    }
}

fn signer() -> ChunkSigner {
    ChunkSigner::new(
        SigningKey::aws("secret", "20240102", "us-east-1", "s3"),
        "20240102T030405Z",
        "20240102/us-east-1/s3/aws4_request",
        &"9".repeat(64),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn unsigned_trailer_streams_decode_under_any_split(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..200), 0..5),
        alg in algorithm(),
        upper_hex in any::<bool>(),
        announce_length in any::<bool>(),
        cuts in proptest::collection::vec(0usize..1200, 0..10),
    ) {
        let data = chunks.concat();
        let sum = Checksummer::compute(alg, &data).to_base64();
        let body = unsigned_trailer_body(&chunks, alg, upper_hex, &sum);
        let mut cuts = cuts;
        cuts.sort_unstable();
        let len = announce_length.then_some(data.len() as u64);
        let out = decode(&body, &cuts, unsigned_cfg(alg, len));
        prop_assert!(out.error.is_none(), "{:?}", out.error);
        prop_assert!(out.complete);
        prop_assert_eq!(out.decoded_len, data.len() as u64);
        prop_assert_eq!(out.checksum, Some(sum));
        prop_assert_eq!(out.data, data);
    }

    #[test]
    fn wrong_trailer_checksum_or_length_is_an_error(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..100), 1..4),
        alg in algorithm(),
        other in proptest::collection::vec(any::<u8>(), 0..50),
        wrong_length in any::<bool>(),
    ) {
        let data = chunks.concat();
        let (sum, len) = if wrong_length {
            (Checksummer::compute(alg, &data).to_base64(), data.len() as u64 + 1)
        } else {
            prop_assume!(other != data);
            (Checksummer::compute(alg, &other).to_base64(), data.len() as u64)
        };
        let body = unsigned_trailer_body(&chunks, alg, false, &sum);
        let out = decode(&body, &[], unsigned_cfg(alg, Some(len)));
        prop_assert!(out.error.is_some());
        prop_assert!(!out.complete);
        prop_assert_eq!(out.items_after_error, 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..400),
            "([0-9a-fA-F]{1,4}(;chunk-signature=[0-9a-f]{0,64})?\r?\n[a-z]{0,8}\r?\n|x-amz-[a-z0-9-]{1,16}:[A-Za-z0-9+/=]{0,12}\r\n|\r\n|0\r\n){0,8}"
                .prop_map(String::into_bytes),
        ],
        config in 0usize..4,
        alg in algorithm(),
        length in proptest::option::of(0u64..400),
        cuts in proptest::collection::vec(0usize..400, 0..6),
    ) {
        let cfg = match config {
            0 => ChunkedConfig { decoded_length: length, ..ChunkedConfig::default() },
            1 => unsigned_cfg(alg, length),
            2 => ChunkedConfig { signer: Some(signer()), decoded_length: length, ..ChunkedConfig::default() },
            _ => ChunkedConfig {
                signer: Some(signer()),
                signed_trailer: true,
                trailer_checksum: Some(alg),
                expected_checksum: None,
                decoded_length: length,
            },
        };
        let mut cuts = cuts;
        cuts.sort_unstable();
        let out = decode(&body, &cuts, cfg);
        prop_assert_eq!(out.items_after_error, 0);
        prop_assert_eq!(out.complete, out.error.is_none());
        if out.complete {
            prop_assert_eq!(out.decoded_len, out.data.len() as u64);
            if let Some(n) = length {
                prop_assert_eq!(n, out.data.len() as u64);
            }
        }
    }
}
