use std::convert::Infallible;
use std::task::Waker;

use futures_util::stream;

use super::*;
use crate::auth::SigningKey;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const SIGS: [&str; 3] = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];
const TRAILER_SEED: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const TRAILER_SIGS: [&str; 3] = [
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
];
const TRAILER_SIG: &str = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

fn signer(seed: &str) -> ChunkSigner {
    ChunkSigner::new(
        SigningKey::aws(SECRET, "20130524", "us-east-1", "s3"),
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        seed,
    )
}

/// The body of the AWS "Example: PUT Object" chunked upload (64 KiB + 1 KiB of `a`).
fn aws_body(sigs: [&str; 3], trailer: &[u8]) -> Vec<u8> {
    let mut b = format!("10000;chunk-signature={}\r\n", sigs[0]).into_bytes();
    b.extend(vec![b'a'; 65_536]);
    b.extend(format!("\r\n400;chunk-signature={}\r\n", sigs[1]).bytes());
    b.extend(vec![b'a'; 1024]);
    b.extend(format!("\r\n0;chunk-signature={}\r\n", sigs[2]).bytes());
    b.extend_from_slice(trailer);
    b
}

fn signed_cfg() -> ChunkedConfig {
    ChunkedConfig {
        signer: Some(signer(SEED)),
        decoded_length: Some(66_560),
        ..ChunkedConfig::default()
    }
}

fn trailer_cfg() -> ChunkedConfig {
    ChunkedConfig {
        signer: Some(signer(TRAILER_SEED)),
        signed_trailer: true,
        trailer_checksum: Some(ChecksumAlgorithm::Crc32c),
        decoded_length: Some(66_560),
        ..ChunkedConfig::default()
    }
}

struct Outcome {
    data: Vec<u8>,
    error: Option<PayloadError>,
    items_after_error: usize,
    checksum: Option<ChecksumValue>,
}

/// Drives a stream to its end with a no-op waker (the test streams are always ready).
fn drain<St>(mut s: St) -> (Outcome, St)
where
    St: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let mut cx = Context::from_waker(Waker::noop());
    let mut out = Outcome {
        data: Vec::new(),
        error: None,
        items_after_error: 0,
        checksum: None,
    };
    loop {
        match Pin::new(&mut s).poll_next(&mut cx) {
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
            Poll::Ready(None) => return (out, s),
            Poll::Pending => panic!("test stream returned Pending"),
        }
    }
}

fn pieces(body: &[u8], cuts: &[usize]) -> Vec<Result<Bytes, Infallible>> {
    let mut out = Vec::new();
    let mut last = 0;
    for &c in cuts {
        let c = c.min(body.len());
        if c > last {
            out.push(Ok(Bytes::copy_from_slice(&body[last..c])));
            last = c;
        }
    }
    out.push(Ok(Bytes::copy_from_slice(&body[last..])));
    out
}

fn decode(body: &[u8], cuts: &[usize], cfg: ChunkedConfig) -> Outcome {
    let (mut out, dec) = drain(AwsChunkedDecoder::new(
        stream::iter(pieces(body, cuts)),
        cfg,
    ));
    if out.error.is_none() {
        assert!(dec.is_complete());
        out.checksum = dec.checksum().cloned();
    } else {
        assert!(!dec.is_complete());
    }
    out
}

#[test]
fn checksum_algorithms_match_known_values() {
    let cases = [
        (ChecksumAlgorithm::Crc32, "123456789", "y/Q5Jg=="),
        (ChecksumAlgorithm::Crc32c, "123456789", "4waSgw=="),
        // CRC-64/NVME check value 0xAE8B14860A799888 (also what awscrt computes).
        (ChecksumAlgorithm::Crc64Nvme, "123456789", "rosUhgp5mIg="),
        (
            ChecksumAlgorithm::Sha1,
            "abc",
            "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=",
        ),
        (
            ChecksumAlgorithm::Sha256,
            "abc",
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
        ),
    ];
    for (algo, input, b64) in cases {
        assert_eq!(
            Checksummer::compute(algo, input.as_bytes()).to_base64(),
            b64,
            "{algo}"
        );
        assert_eq!(
            ChecksumAlgorithm::from_header_name(algo.header_name()),
            Some(algo)
        );
        assert_eq!(
            ChecksumAlgorithm::from_name(&algo.name().to_lowercase()),
            Some(algo)
        );
    }
    assert_eq!(
        Checksummer::compute(ChecksumAlgorithm::Crc32c, &vec![b'a'; 66_560]).to_base64(),
        "sOO8/Q=="
    );
    assert_eq!(
        ChecksumValue::from_base64(ChecksumAlgorithm::Crc32, "AAAA"),
        None
    );
}

#[test]
fn aws_signed_example_decodes() {
    let body = aws_body(SIGS, b"\r\n");
    let out = decode(&body, &[], signed_cfg());
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.data, vec![b'a'; 66_560]);
}

#[test]
fn aws_trailer_example_decodes_both_layouts() {
    let trailer =
        format!("x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{TRAILER_SIG}\r\n");
    // As the AWS SDKs send it, and as the AWS documentation prints it (an extra empty
    // line before the trailers and none after).
    let sdk = aws_body(TRAILER_SIGS, format!("{trailer}\r\n").as_bytes());
    let doc = aws_body(TRAILER_SIGS, format!("\r\n{trailer}").as_bytes());
    for body in [sdk, doc] {
        let out = decode(&body, &[3, 100, 65_600], trailer_cfg());
        assert!(out.error.is_none(), "{:?}", out.error);
        assert_eq!(out.data.len(), 66_560);
        assert_eq!(
            out.checksum.map(|c| c.to_base64()).as_deref(),
            Some("sOO8/Q==")
        );
    }
}

#[test]
fn flipped_payload_byte_fails_the_chunk() {
    let mut body = aws_body(SIGS, b"\r\n");
    body[88 + 30_000] ^= 1; // inside the first chunk's data (its header line is 88 bytes)
    let out = decode(&body, &[], signed_cfg());
    assert!(matches!(
        out.error,
        Some(PayloadError::ChunkSignatureMismatch { chunk: 1 })
    ));
    assert_eq!(out.items_after_error, 0);
    assert!(out.data.len() < 65_536);
}

#[test]
fn flipped_chunk_signature_fails() {
    let mut sigs = SIGS;
    let bad = format!("1{}", &SIGS[1][1..]);
    sigs[1] = &bad;
    let out = decode(&aws_body(sigs, b"\r\n"), &[], signed_cfg());
    assert!(matches!(
        out.error,
        Some(PayloadError::ChunkSignatureMismatch { chunk: 2 })
    ));
    // Final chunk signature wrong: data all passed, the end is an error.
    let mut sigs = SIGS;
    sigs[2] = SIGS[0];
    let out = decode(&aws_body(sigs, b"\r\n"), &[], signed_cfg());
    assert!(matches!(
        out.error,
        Some(PayloadError::ChunkSignatureMismatch { chunk: 3 })
    ));
    // Missing signature extension.
    let body = b"5\r\nhello\r\n0\r\n\r\n";
    let out = decode(body, &[], signed_cfg());
    assert!(matches!(
        out.error,
        Some(PayloadError::MissingChunkSignature { chunk: 1 })
    ));
}

#[test]
fn wrong_trailer_checksum_and_signature_fail() {
    let bad_crc =
        format!("x-amz-checksum-crc32c:AAAAAA==\r\nx-amz-trailer-signature:{TRAILER_SIG}\r\n\r\n");
    let out = decode(
        &aws_body(TRAILER_SIGS, bad_crc.as_bytes()),
        &[],
        trailer_cfg(),
    );
    // The signature covers the trailer, so it fails first.
    assert!(matches!(
        out.error,
        Some(PayloadError::TrailerSignatureMismatch)
    ));

    let mut cfg = trailer_cfg();
    cfg.signed_trailer = false;
    let out = decode(&aws_body(TRAILER_SIGS, bad_crc.as_bytes()), &[], cfg);
    match out.error {
        Some(PayloadError::ChecksumMismatch {
            algorithm,
            expected,
            computed,
        }) => {
            assert_eq!(algorithm, ChecksumAlgorithm::Crc32c);
            assert_eq!(expected, "AAAAAA==");
            assert_eq!(computed, "sOO8/Q==");
        }
        other => panic!("{other:?}"),
    }

    let no_sig = "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n";
    let out = decode(
        &aws_body(TRAILER_SIGS, no_sig.as_bytes()),
        &[],
        trailer_cfg(),
    );
    assert!(matches!(
        out.error,
        Some(PayloadError::MissingTrailerSignature)
    ));

    let no_crc = format!("x-amz-trailer-signature:{TRAILER_SIG}\r\n\r\n");
    let mut cfg = trailer_cfg();
    cfg.signed_trailer = false;
    let out = decode(&aws_body(TRAILER_SIGS, no_crc.as_bytes()), &[], cfg);
    assert!(matches!(
        out.error,
        Some(PayloadError::MissingChecksum(ChecksumAlgorithm::Crc32c))
    ));
}

#[test]
fn truncated_input_never_ends_cleanly() {
    let body = aws_body(SIGS, b"\r\n");
    for cut in [
        0,
        1,
        10,
        90,
        88 + 65_536,
        88 + 65_537,
        body.len() - 2,
        body.len() - 1,
    ] {
        let out = decode(&body[..cut], &[], signed_cfg());
        assert!(out.error.is_some(), "cut at {cut} ended cleanly");
    }
    let out = decode(&body[..body.len() - 1], &[], signed_cfg());
    assert!(matches!(out.error, Some(PayloadError::Truncated)));
}

#[test]
fn length_mismatch_and_trailing_garbage() {
    let mut cfg = signed_cfg();
    cfg.decoded_length = Some(66_561);
    let out = decode(&aws_body(SIGS, b"\r\n"), &[], cfg);
    assert!(matches!(
        out.error,
        Some(PayloadError::LengthMismatch {
            expected: 66_561,
            actual: 66_560
        })
    ));
    let mut cfg = signed_cfg();
    cfg.decoded_length = Some(1000);
    let out = decode(&aws_body(SIGS, b"\r\n"), &[], cfg);
    assert!(matches!(
        out.error,
        Some(PayloadError::LengthMismatch {
            expected: 1000,
            actual: 65_536
        })
    ));
    assert!(out.data.is_empty());
    let mut body = aws_body(SIGS, b"\r\n");
    body.extend_from_slice(b"x");
    let out = decode(&body, &[], signed_cfg());
    assert!(matches!(out.error, Some(PayloadError::Malformed(_))));
}

#[test]
fn unsigned_trailer_stream_like_botocore() {
    let data = b"hello world, this is a test";
    let crc = Checksummer::compute(ChecksumAlgorithm::Crc32, data).to_base64();
    let body = format!(
        "a\r\n{}\r\n{:x}\r\n{}\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n",
        std::str::from_utf8(&data[..10]).unwrap_or_default(),
        data.len() - 10,
        std::str::from_utf8(&data[10..]).unwrap_or_default()
    );
    let headers = vec![
        (
            "x-amz-trailer".to_owned(),
            "x-amz-checksum-crc32".to_owned(),
        ),
        (
            "x-amz-decoded-content-length".to_owned(),
            data.len().to_string(),
        ),
    ];
    let cfg = ChunkedConfig::from_request(&PayloadHash::StreamingUnsignedTrailer, &headers, None)
        .expect("config");
    let out = decode(body.as_bytes(), &[], cfg.clone());
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.data, data);
    assert_eq!(out.checksum.map(|c| c.to_base64()), Some(crc));
    // Every framing byte matters.
    for i in 0..body.len() {
        let mut bad = body.clone().into_bytes();
        bad[i] = b'#';
        let out = decode(&bad, &[], cfg.clone());
        assert!(out.error.is_some() || out.data != data, "byte {i}");
        assert!(out.error.is_some(), "corrupting byte {i} went unnoticed");
    }
}

#[test]
fn config_from_request_headers() {
    let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let cfg = ChunkedConfig::from_request(
        &PayloadHash::StreamingSignedTrailer,
        &h(&[
            ("x-amz-trailer", "x-amz-checksum-sha256"),
            ("x-amz-decoded-content-length", "5"),
        ]),
        Some(signer(SEED)),
    )
    .expect("cfg");
    assert!(cfg.signed_trailer && cfg.signer.is_some());
    assert_eq!(cfg.trailer_checksum, Some(ChecksumAlgorithm::Sha256));
    assert_eq!(cfg.decoded_length, Some(5));
    assert!(matches!(
        ChunkedConfig::from_request(&PayloadHash::StreamingSigned, &[], None),
        Err(PayloadError::NoSigningContext)
    ));
    assert!(matches!(
        ChunkedConfig::from_request(
            &PayloadHash::StreamingUnsignedTrailer,
            &h(&[("x-amz-trailer", "x-amz-meta-foo")]),
            None
        ),
        Err(PayloadError::InvalidHeader {
            name: "x-amz-trailer",
            ..
        })
    ));
    assert!(matches!(
        ChunkedConfig::from_request(
            &PayloadHash::StreamingUnsignedTrailer,
            &h(&[("x-amz-decoded-content-length", "-1")]),
            None
        ),
        Err(PayloadError::InvalidHeader {
            name: "x-amz-decoded-content-length",
            ..
        })
    ));
    assert!(matches!(
        header_checksum(&h(&[("x-amz-checksum-crc32", "not base64!")])),
        Err(PayloadError::InvalidChecksumValue {
            algorithm: ChecksumAlgorithm::Crc32
        })
    ));
}

#[test]
fn inner_error_is_passed_on() {
    let items: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"5\r\nhel")),
        Err(std::io::Error::other("reset")),
    ];
    let cfg = ChunkedConfig::default();
    let (out, _) = drain(AwsChunkedDecoder::new(stream::iter(items), cfg));
    assert_eq!(out.data, b"hel");
    assert!(matches!(out.error, Some(PayloadError::Body(_))));
    assert_eq!(out.items_after_error, 0);
}

fn plain(body: &[u8], checks: BodyChecks) -> Outcome {
    let items: Vec<Result<Bytes, Infallible>> = body
        .chunks(7)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let (mut out, s) = drain(VerifiedBody::new(stream::iter(items), checks));
    out.checksum = s.checksum().cloned();
    out
}

#[test]
fn verified_body_checks_sha256_checksum_and_length() {
    let body = b"Welcome to Amazon S3.";
    let sha: [u8; 32] = Sha256::digest(body).into();
    let headers = vec![(
        "x-amz-checksum-crc32".to_owned(),
        Checksummer::compute(ChecksumAlgorithm::Crc32, body).to_base64(),
    )];
    let mut checks =
        BodyChecks::from_request(Some(&PayloadHash::Sha256(sha)), &headers).expect("checks");
    checks.length = Some(body.len() as u64);
    let out = plain(body, checks.clone());
    assert!(out.error.is_none());
    assert_eq!(out.data, body);
    assert_eq!(
        out.checksum.map(|c| c.algorithm),
        Some(ChecksumAlgorithm::Crc32)
    );

    let out = plain(b"Welcome to Amazon S3!", checks.clone());
    assert!(matches!(
        out.error,
        Some(PayloadError::ContentSha256Mismatch { .. })
    ));
    let mut c2 = checks.clone();
    c2.sha256 = None;
    let out = plain(b"Welcome to Amazon S3!", c2.clone());
    assert!(matches!(
        out.error,
        Some(PayloadError::ChecksumMismatch {
            algorithm: ChecksumAlgorithm::Crc32,
            ..
        })
    ));
    let out = plain(b"Welcome to Amazon S3.!", c2);
    assert!(matches!(
        out.error,
        Some(PayloadError::LengthMismatch {
            expected: 21,
            actual: 22
        })
    ));
}

mod props {
    use proptest::prelude::*;

    use super::*;

    fn signed_stream(chunks: &[Vec<u8>], trailer: bool) -> (Vec<u8>, ChunkedConfig) {
        let seed = "9".repeat(64);
        let mut s = signer(&seed);
        let mut body = Vec::new();
        let mut all = Vec::new();
        for c in chunks.iter().chain(std::iter::once(&Vec::new())) {
            let sig = s.sign_chunk(&Sha256::digest(c).into());
            s.advance(&sig);
            body.extend(format!("{:x};chunk-signature={sig}\r\n", c.len()).bytes());
            if !c.is_empty() {
                body.extend_from_slice(c);
                body.extend_from_slice(b"\r\n");
            }
            all.extend_from_slice(c);
        }
        let crc = Checksummer::compute(ChecksumAlgorithm::Crc64Nvme, &all).to_base64();
        if trailer {
            let canonical = format!("x-amz-checksum-crc64nvme:{crc}\n");
            let sig = s.sign_trailer(&Sha256::digest(canonical.as_bytes()).into());
            body.extend(
                format!("x-amz-checksum-crc64nvme:{crc}\r\nx-amz-trailer-signature:{sig}\r\n")
                    .bytes(),
            );
        }
        body.extend_from_slice(b"\r\n");
        let cfg = ChunkedConfig {
            signer: Some(signer(&seed)),
            signed_trailer: trailer,
            trailer_checksum: trailer.then_some(ChecksumAlgorithm::Crc64Nvme),
            expected_checksum: None,
            decoded_length: Some(all.len() as u64),
        };
        (body, cfg)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any split of a valid stream decodes to the same payload.
        #[test]
        fn any_split_decodes(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..300), 0..5),
            trailer in any::<bool>(),
            cuts in proptest::collection::vec(0usize..2000, 0..12),
        ) {
            let (body, cfg) = signed_stream(&chunks, trailer);
            let mut cuts = cuts;
            cuts.sort_unstable();
            let out = decode(&body, &cuts, cfg);
            prop_assert!(out.error.is_none(), "{:?}", out.error);
            prop_assert_eq!(out.data, chunks.concat());
        }

        /// Any single flipped byte is an error, never a clean end.
        #[test]
        fn any_flip_is_an_error(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..100), 1..4),
            trailer in any::<bool>(),
            pos in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let (mut body, cfg) = signed_stream(&chunks, trailer);
            let i = pos.index(body.len());
            let before = body[i];
            body[i] ^= 1 << bit;
            let case_flip = before.is_ascii_alphabetic() && body[i].eq_ignore_ascii_case(&before);
            let out = decode(&body, &[], cfg);
            prop_assert_eq!(out.items_after_error, 0);
            if out.error.is_none() {
                // Only a case change in a header name (`X-amz-checksum-…`) is neutral.
                prop_assert!(case_flip, "flip at {} of {} went unnoticed", i, body.len());
                prop_assert_eq!(out.data, chunks.concat());
            }
        }
    }

    /// Every single split point of the AWS example, including inside the header lines,
    /// the signatures and the CRLFs.
    #[test]
    fn every_split_point_of_the_aws_example() {
        let trailer = format!(
            "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{TRAILER_SIG}\r\n\r\n"
        );
        let body = aws_body(TRAILER_SIGS, trailer.as_bytes());
        let interesting: Vec<usize> = (0..200)
            .chain(65_500..65_800)
            .chain(body.len() - 400..=body.len())
            .collect();
        for cut in interesting {
            let out = decode(&body, &[cut], trailer_cfg());
            assert!(out.error.is_none(), "split at {cut}: {:?}", out.error);
            assert_eq!(out.data.len(), 66_560);
            assert_eq!(
                out.checksum.as_ref().map(|c| c.to_base64()).as_deref(),
                Some("sOO8/Q==")
            );
        }
        // Byte-at-a-time delivery.
        let cuts: Vec<usize> = (1..body.len()).collect();
        let out = decode(&body, &cuts, trailer_cfg());
        assert!(out.error.is_none());
        assert_eq!(out.data, vec![b'a'; 66_560]);
    }
}
