//! Request payload decoding and verification: aws-chunked bodies (chunk signatures, trailer
//! checksums, decoded length) and plain bodies (`x-amz-content-sha256`, `x-amz-checksum-*`).
//! A body that fails a check ends with an error instead of a clean end, so nothing is stored.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;

use crate::access::Authenticated;
use crate::auth::chunked::{
    AwsChunkedDecoder, BodyChecks, ChecksumValue, ChunkedConfig, PayloadError, VerifiedBody,
};
use crate::auth::{ParsedAuth, PayloadHash};
use crate::body::ReqStream;
use crate::error::{ApiError, ApiResult, Code};

/// Where a verified body's checksum (algorithm, base64 value) lands for the handler.
pub type ChecksumSlot = Arc<Mutex<Option<(String, String)>>>;

/// Decoders that know the checksum of what they passed once it ended cleanly.
trait Checksummed {
    fn final_checksum(&self) -> Option<&ChecksumValue>;
}

impl<S> Checksummed for AwsChunkedDecoder<S> {
    fn final_checksum(&self) -> Option<&ChecksumValue> {
        self.checksum()
    }
}

impl<S> Checksummed for VerifiedBody<S> {
    fn final_checksum(&self) -> Option<&ChecksumValue> {
        self.checksum()
    }
}

/// Maps decoder failures to API errors and reports the checksum at the clean end.
struct Checked<D> {
    inner: D,
    slot: ChecksumSlot,
}

impl<D> Stream for Checked<D>
where
    D: Stream<Item = Result<Bytes, PayloadError>> + Checksummed + Unpin,
{
    type Item = ApiResult<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(b))) => Poll::Ready(Some(Ok(b))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(payload_error(e)))),
            Poll::Ready(None) => {
                if let Some(c) = self.inner.final_checksum() {
                    let value = (c.algorithm.name().to_ascii_lowercase(), c.to_base64());
                    *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
                }
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

fn payload_error(e: PayloadError) -> ApiError {
    match e {
        PayloadError::Body(inner) => match inner.downcast::<ApiError>() {
            Ok(api) => *api,
            Err(other) => ApiError::msg(Code::IncompleteBody, other.to_string()),
        },
        PayloadError::MissingChunkSignature { .. }
        | PayloadError::ChunkSignatureMismatch { .. }
        | PayloadError::MissingTrailerSignature
        | PayloadError::TrailerSignatureMismatch => {
            ApiError::msg(Code::SignatureDoesNotMatch, e.to_string())
        }
        PayloadError::MissingChecksum(_) => {
            ApiError::msg(Code::MalformedTrailerError, e.to_string())
        }
        PayloadError::InvalidChecksumValue { algorithm } => ApiError::msg(
            Code::InvalidRequest,
            format!("Value for {} header is invalid.", algorithm.header_name()),
        ),
        PayloadError::ChecksumMismatch { algorithm, .. } => ApiError::msg(
            Code::BadDigest,
            format!(
                "The {} you specified did not match the calculated checksum.",
                algorithm.name()
            ),
        ),
        PayloadError::ContentSha256Mismatch { .. } => {
            ApiError::msg(Code::XAmzContentSHA256Mismatch, e.to_string())
        }
        PayloadError::LengthMismatch { .. }
        | PayloadError::Truncated
        | PayloadError::Malformed(_) => ApiError::msg(Code::IncompleteBody, e.to_string()),
        PayloadError::InvalidHeader { .. } => ApiError::msg(Code::InvalidArgument, e.to_string()),
        PayloadError::NoSigningContext => ApiError::internal(e),
    }
}

/// The payload mode the request declares: from its V4 signature, else from a bare
/// `x-amz-content-sha256` header.
fn payload_mode(
    auth: &Authenticated,
    headers: &[(String, String)],
) -> ApiResult<Option<PayloadHash>> {
    if let Some(ParsedAuth::V4(v4)) = &auth.parsed {
        return v4
            .payload()
            .map(Some)
            .map_err(|e| ApiError::msg(Code::InvalidArgument, e.to_string()));
    }
    let declared = headers
        .iter()
        .find(|(k, _)| k == "x-amz-content-sha256")
        .map(|(_, v)| v.as_str());
    match declared {
        None => Ok(None),
        Some(v) => PayloadHash::parse(v)
            .map(Some)
            .map_err(|e| ApiError::msg(Code::InvalidArgument, e.to_string())),
    }
}

/// Wraps a raw request body with the decoding and checks its headers and signature call for.
pub fn verified_body(
    raw: ReqStream,
    auth: &Authenticated,
    verify_signatures: bool,
    headers: &[(String, String)],
    slot: ChecksumSlot,
) -> ApiResult<ReqStream> {
    let mode = payload_mode(auth, headers)?;
    let bad = |e: PayloadError| payload_error(e);
    if let Some(m) = mode.as_ref().filter(|m| m.is_streaming()) {
        let cfg = match (&auth.parsed, &auth.secret, verify_signatures) {
            (Some(ParsedAuth::V4(v4)), Some(secret), true) => {
                ChunkedConfig::from_request(m, headers, Some(v4.chunk_signer(secret)))
                    .map_err(bad)?
            }
            // Without verification the chunk signatures are not checked, but the framing,
            // the trailer checksum and the decoded length still are.
            _ => ChunkedConfig::from_request(&PayloadHash::StreamingUnsignedTrailer, headers, None)
                .map_err(bad)?,
        };
        return Ok(Box::pin(Checked {
            inner: AwsChunkedDecoder::new(raw, cfg),
            slot,
        }));
    }
    let checks = BodyChecks::from_request(mode.as_ref(), headers).map_err(bad)?;
    if checks.sha256.is_none() && checks.checksum.is_none() {
        return Ok(raw);
    }
    Ok(Box::pin(Checked {
        inner: VerifiedBody::new(raw, checks),
        slot,
    }))
}

/// Verifies a body against the `x-amz-checksum-*` values in `fields` (form fields of a
/// PostObject, given as header pairs); the stream ends with BadDigest on a mismatch.
pub fn checksum_verified(raw: ReqStream, fields: &[(String, String)]) -> ApiResult<ReqStream> {
    let checks = BodyChecks::from_request(None, fields).map_err(payload_error)?;
    if checks.checksum.is_none() {
        return Ok(raw);
    }
    Ok(Box::pin(Checked {
        inner: VerifiedBody::new(raw, checks),
        slot: ChecksumSlot::default(),
    }))
}
