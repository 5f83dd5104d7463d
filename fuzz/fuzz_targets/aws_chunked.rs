//! The aws-chunked body decoder on arbitrary bytes. The first byte picks the configuration
//! (plain, unsigned with a checksum trailer, signed chunks, signed chunks with a signed
//! trailer; the checksum algorithm; whether a decoded length is announced) and the second
//! how the body is cut into pieces. No input may panic; nothing follows an error; a clean
//! end accounts for exactly the bytes yielded.

#![no_main]

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::{Stream, stream};
use libfuzzer_sys::fuzz_target;
use ossemu_api::auth::chunked::{AwsChunkedDecoder, ChecksumAlgorithm, ChunkedConfig};
use ossemu_api::auth::{ChunkSigner, SigningKey};

fn signer() -> ChunkSigner {
    ChunkSigner::new(
        SigningKey::aws("secret", "20240102", "us-east-1", "s3"),
        "20240102T030405Z",
        "20240102/us-east-1/s3/aws4_request",
        &"9".repeat(64),
    )
}

fuzz_target!(|data: &[u8]| {
    let [mode, step, body @ ..] = data else {
        return;
    };
    let alg = ChecksumAlgorithm::ALL[usize::from(mode >> 2) % ChecksumAlgorithm::ALL.len()];
    let length = (mode & 0x80 != 0).then_some(body.len() as u64 / 2);
    let cfg = match mode & 3 {
        0 => ChunkedConfig {
            decoded_length: length,
            ..ChunkedConfig::default()
        },
        1 => ChunkedConfig {
            trailer_checksum: Some(alg),
            decoded_length: length,
            ..ChunkedConfig::default()
        },
        2 => ChunkedConfig {
            signer: Some(signer()),
            decoded_length: length,
            ..ChunkedConfig::default()
        },
        _ => ChunkedConfig {
            signer: Some(signer()),
            signed_trailer: true,
            trailer_checksum: Some(alg),
            decoded_length: length,
            ..ChunkedConfig::default()
        },
    };
    let step = usize::from(*step).max(1);
    let pieces: Vec<Result<Bytes, std::io::Error>> = body
        .chunks(step)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let mut dec = AwsChunkedDecoder::new(stream::iter(pieces), cfg);
    let mut cx = Context::from_waker(Waker::noop());
    let mut yielded = 0u64;
    let mut failed = false;
    loop {
        match Pin::new(&mut dec).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(b))) => {
                assert!(!failed, "data after an error");
                yielded += b.len() as u64;
            }
            Poll::Ready(Some(Err(_))) => {
                assert!(!failed, "two errors");
                failed = true;
            }
            Poll::Ready(None) => break,
            Poll::Pending => unreachable!("the source never waits"),
        }
    }
    assert_eq!(dec.is_complete(), !failed);
    if !failed {
        assert_eq!(dec.decoded_len(), yielded);
    }
});
