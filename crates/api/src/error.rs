//! The API error type: a code (which fixes the status and default message) plus context.
//! Every failure in the service ends as an [`ApiError`], rendered once in [`ApiError::render`].

use std::borrow::Cow;

use base64::Engine;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use ossemu_store::{StoreError, TxError};
use ossemu_xml::ErrorBody;

use crate::body::{Body, full};
use crate::dialect::Dialect;

macro_rules! codes {
    ($( $name:ident => $status:literal, $msg:literal; )*) => {
        /// OSS/S3 error codes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Code {
            $(
                #[doc = $msg]
                $name,
            )*
        }

        impl Code {
            /// The code as it appears in `<Code>`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$name => stringify!($name), )* }
            }

            /// The HTTP status.
            pub fn status(self) -> StatusCode {
                match self {
                    $( Code::$name => StatusCode::from_u16($status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), )*
                }
            }

            /// The provider's default message.
            pub fn default_message(self) -> &'static str {
                match self { $( Code::$name => $msg, )* }
            }
        }
    };
}

codes! {
    AccessDenied => 403, "Access Denied";
    AccessForbidden => 403, "CORSResponse: This CORS request is not allowed.";
    AuthorizationHeaderMalformed => 400, "The authorization header is malformed.";
    AuthorizationQueryParametersError => 400, "The query-string authentication parameters are malformed.";
    BadDigest => 400, "The Content-MD5 you specified did not match what we received.";
    BucketAlreadyExists => 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.";
    BucketAlreadyOwnedByYou => 409, "Your previous request to create the named bucket succeeded and you already own it.";
    CallbackFailed => 203, "The callback request failed.";
    BucketNotEmpty => 409, "The bucket you tried to delete is not empty.";
    CnameAlreadyExists => 409, "The domain is already bound to another bucket.";
    EntityTooLarge => 400, "Your proposed upload exceeds the maximum allowed size.";
    EntityTooSmall => 400, "Your proposed upload is smaller than the minimum allowed object size.";
    ExternalRedirectForbidden => 400, "3xx redirect to public network is not allowed using the OSS endpoint, please use CNAME instead.";
    FileAlreadyExists => 409, "The object you specified already exists and can not be overwritten.";
    FileImmutable => 409, "The object you specified is immutable.";
    IncompleteBody => 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.";
    InsufficientStorage => 507, "There is not enough free space on the server's disk to store this request. Delete objects to free space, then try again.";
    InternalError => 500, "We encountered an internal error. Please try again.";
    InvalidAccessKeyId => 403, "The Access Key Id you provided does not exist in our records.";
    InvalidArgument => 400, "Invalid Argument.";
    InvalidBucketName => 400, "The specified bucket is not valid.";
    InvalidBucketState => 409, "The request is not valid with the current state of the bucket.";
    InvalidDigest => 400, "The Content-MD5 you specified was invalid.";
    InvalidEncodingType => 400, "The encoding type you specified is not valid.";
    InvalidEncryptionAlgorithmError => 400, "The encryption request you specified is not valid.";
    InvalidObjectName => 400, "The specified object is not valid.";
    InvalidObjectState => 403, "The operation is not valid for the object's state";
    InvalidPolicyDocument => 400, "The content of the form does not meet the conditions specified in the policy document.";
    InvalidPart => 400, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.";
    InvalidPartNumber => 416, "The requested partnumber is not satisfiable";
    InvalidPartOrder => 400, "The list of parts was not in ascending order. Parts list must be specified in order by part number.";
    InvalidRange => 416, "The requested range cannot be satisfied.";
    InvalidRequest => 400, "Invalid Request.";
    InvalidRetentionPeriod => 400, "The retention period must be a positive integer value.";
    InvalidStorageClass => 400, "The storage class you specified is not valid";
    InvalidTargetBucketForLogging => 400, "The target bucket for logging does not exist, is not owned by you, or does not reside in the same region as the bucket being logged.";
    InvalidTag => 400, "The tag provided was not a valid tag.";
    InvalidTargetType => 400, "The symbolic link's target is a symbolic link.";
    InvalidURI => 400, "Couldn't parse the specified URI.";
    InvalidWORMConfiguration => 400, "The WORM Configuration is invalid.";
    KeyTooLongError => 400, "Your key is too long.";
    MalformedPOSTRequest => 400, "The body of your POST request is not well-formed multipart/form-data.";
    MalformedTrailerError => 400, "The request contained trailing data that was not well-formed or did not conform to our published schema.";
    MalformedXML => 400, "The XML you provided was not well-formed or did not validate against our published schema.";
    MaxPOSTPreDataLengthExceeded => 400, "Your POST request fields preceding the upload file were too large.";
    MaxMessageLengthExceeded => 400, "Your request was too big.";
    MetadataTooLarge => 400, "Your metadata headers exceed the maximum allowed metadata size.";
    MethodNotAllowed => 405, "The specified method is not allowed against this resource.";
    MirrorFailed => 424, "Mirroring failed, please check your mirror configuration";
    MissingContentLength => 411, "You must provide the Content-Length HTTP header.";
    MissingSecurityHeader => 400, "Your request is missing a required header.";
    NoSuchBucket => 404, "The specified bucket does not exist.";
    NoSuchCORSConfiguration => 404, "The CORS configuration does not exist.";
    NoSuchCname => 404, "The specified cname does not exist.";
    NoSuchCnameToken => 404, "The token for this domain does not exist.";
    ServerSideEncryptionConfigurationNotFoundError => 404, "The server side encryption configuration was not found";
    NoSuchServerSideEncryptionRule => 404, "The server side encryption configuration was not found.";
    NoSuchObjectLockConfiguration => 404, "The specified object does not have a ObjectLock configuration";
    NoSuchTagSet => 404, "The TagSet does not exist.";
    NoSuchBucketPolicy => 404, "The bucket policy does not exist";
    MalformedPolicy => 400, "Policy has invalid resource";
    NoSuchLifecycle => 404, "The bucket you specified does not have lifecycle configuration.";
    NoSuchLifecycleConfiguration => 404, "The lifecycle configuration does not exist";
    NoSuchKey => 404, "The specified key does not exist.";
    NoSuchUpload => 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.";
    NoSuchUserDefinedLogFieldsConfig => 404, "The specified bucket does not have user defined log fields configuration.";
    NoSuchVersion => 404, "The specified version does not exist.";
    NoSuchWORMConfiguration => 404, "The WORM Configuration does not exist.";
    NoSuchWebsiteConfiguration => 404, "The specified bucket does not have a website configuration.";
    NotImplemented => 501, "A header you provided implies functionality that is not implemented.";
    NotModified => 304, "Not Modified";
    NotSymlink => 400, "The specified object is not a symlink.";
    ObjectLockConfigurationNotFoundError => 404, "Object Lock configuration does not exist for this bucket";
    ObjectNotAppendable => 409, "The object is not appendable.";
    OperationNotSupported => 400, "The operation is not supported for this resource";
    PartAlreadyExist => 409, "For sequential multipart upload, you can't overwrite uploaded parts.";
    PartNotSequential => 400, "For sequential multipart upload, you must upload or complete parts with consecutive part numbers.";
    PositionNotEqualToLength => 409, "Position is not equal to file length.";
    PreconditionFailed => 412, "At least one of the pre-conditions you specified did not hold.";
    RequestTimeTooSkewed => 403, "The difference between the request time and the current time is too large.";
    RequestTimeout => 400, "Your socket connection to the server was not read from or written to within the timeout period.";
    RestoreAlreadyInProgress => 409, "The restore operation is in progress.";
    ServiceUnavailable => 503, "Please reduce your request rate.";
    SlowDown => 503, "Please reduce your request rate.";
    SignatureDoesNotMatch => 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
    SymlinkTargetNotExist => 404, "The symbolic link's target object does not exist.";
    TooManyBuckets => 400, "You have attempted to create more buckets than allowed.";
    AccessControlListNotSupported => 400, "The bucket does not allow ACLs";
    InvalidBucketAclWithObjectOwnership => 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting";
    MalformedACLError => 400, "The XML you provided was not well-formed or did not validate against our published schema";
    NoSuchPublicAccessBlockConfiguration => 404, "The public access block configuration was not found";
    OwnershipControlsNotFoundError => 404, "The bucket ownership controls were not found";
    UnresolvableGrantByEmailAddress => 400, "The email address you provided does not match any account on record.";
    WORMConfigurationAlreadyExists => 409, "The WORM Configuration already exists.";
    WORMConfigurationLocked => 403, "The WORM Configuration is locked.";
    XAmzContentSHA256Mismatch => 400, "The provided 'x-amz-content-sha256' header does not match what was computed.";
}

/// A failed request: code, message and context for the error body and headers.
#[derive(Debug)]
pub struct ApiError {
    /// The error code.
    pub code: Code,
    /// Message; `None` uses the code's default.
    pub message: Option<Cow<'static, str>>,
    /// Extra `<Error>` elements (`BucketName`, `Key`, `StringToSign`, ...).
    pub fields: Vec<(&'static str, String)>,
    /// Extra response headers (e.g. `Location` on ExternalRedirectForbidden).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The routing rule that produced this error, if one did.
    pub rule: Option<u32>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let msg = self
            .message
            .as_deref()
            .unwrap_or_else(|| self.code.default_message());
        write!(f, "{}: {msg}", self.code.as_str())
    }
}

impl std::error::Error for ApiError {}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with the code's default message.
    pub fn new(code: Code) -> Self {
        Self {
            code,
            message: None,
            fields: Vec::new(),
            headers: Vec::new(),
            rule: None,
        }
    }

    /// An error with a specific message.
    pub fn msg(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: Some(message.into()),
            ..Self::new(code)
        }
    }

    /// Adds an `<Error>` element.
    pub fn field(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    /// Adds a response header (ignored when the value is not a valid header value).
    pub fn header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// Marks the error as produced by a routing rule (see [`crate::request::MatchedRule`]).
    pub fn rule(mut self, number: u32) -> Self {
        self.rule = Some(number);
        self
    }

    /// An internal error; the cause is logged, not sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(Code::InternalError)
    }

    fn has_field(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, _)| *k == name)
    }

    /// Adds `BucketName` / `Key` for the codes that carry them, unless already given.
    fn add_context(&mut self, bucket: Option<&str>, key: Option<&str>) {
        let (name, value) = match self.code {
            Code::NoSuchBucket
            | Code::BucketNotEmpty
            | Code::BucketAlreadyExists
            | Code::BucketAlreadyOwnedByYou
            | Code::NoSuchWebsiteConfiguration
            | Code::NoSuchCORSConfiguration
            | Code::NoSuchLifecycle
            | Code::NoSuchBucketPolicy
            | Code::NoSuchLifecycleConfiguration => ("BucketName", bucket),
            Code::NoSuchKey => ("Key", key),
            _ => return,
        };
        if let Some(v) = value
            && !self.has_field(name)
        {
            self.fields.push((name, v.to_string()));
        }
    }

    /// The message in the dialect's wording.
    fn message_in(&self, dialect: Dialect) -> String {
        match (&self.message, self.code, dialect) {
            (Some(m), _, _) => m.to_string(),
            (None, Code::InvalidAccessKeyId, Dialect::Oss) => {
                "The OSS Access Key Id you provided does not exist in our records.".into()
            }
            (None, Code::InvalidAccessKeyId, Dialect::S3) => {
                "The AWS Access Key Id you provided does not exist in our records.".into()
            }
            (None, code, _) => code.default_message().to_string(),
        }
    }

    /// Renders the error response. `bucket`/`key` are added as context for the codes that
    /// carry them; HEAD responses have no body and, in OSS, carry the body base64 in `x-oss-err`.
    pub fn render(
        mut self,
        dialect: Dialect,
        request_id: &str,
        host: &str,
        bucket: Option<&str>,
        key: Option<&str>,
        head: bool,
    ) -> Response<Body> {
        self.add_context(bucket, key);
        let ec = self
            .fields
            .iter()
            .find(|(k, _)| *k == "EC")
            .map(|(_, v)| v.clone());
        let xml = ErrorBody {
            code: self.code.as_str().to_string(),
            message: self.message_in(dialect),
            request_id: request_id.to_string(),
            host_id: host.to_string(),
            fields: std::mem::take(&mut self.fields)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
        .to_xml();
        let bodiless = head || self.code == Code::NotModified;
        let mut resp = Response::new(if bodiless {
            crate::body::empty()
        } else {
            full(xml.clone())
        });
        *resp.status_mut() = self.code.status();
        let h = resp.headers_mut();
        if self.code != Code::NotModified {
            h.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            );
        }
        if bodiless {
            h.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        if dialect == Dialect::Oss {
            oss_error_headers(h, head.then_some(xml.as_str()), ec.as_deref());
        }
        for (k, v) in self.headers {
            h.insert(k, v);
        }
        if let Some(n) = self.rule {
            resp.extensions_mut().insert(crate::request::MatchedRule(n));
        }
        resp
    }
}

/// OSS's error headers: `x-oss-err` (the body, base64, on HEAD) and `x-oss-ec`.
fn oss_error_headers(h: &mut http::HeaderMap, head_body: Option<&str>, ec: Option<&str>) {
    if let Some(xml) = head_body
        && let Ok(v) = HeaderValue::from_str(&base64::engine::general_purpose::STANDARD.encode(xml))
    {
        h.insert(HeaderName::from_static("x-oss-err"), v);
    }
    if let Some(ec) = ec
        && let Ok(v) = HeaderValue::from_str(ec)
    {
        h.insert(HeaderName::from_static("x-oss-ec"), v);
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSuchBucket => ApiError::new(Code::NoSuchBucket),
            StoreError::BucketExists => ApiError::new(Code::BucketAlreadyExists),
            StoreError::BucketNotEmpty => ApiError::new(Code::BucketNotEmpty),
            StoreError::NoSuchKey => ApiError::new(Code::NoSuchKey),
            StoreError::NoSuchUpload => ApiError::new(Code::NoSuchUpload),
            StoreError::NoSuchVersion => ApiError::new(Code::NoSuchVersion),
            StoreError::VersioningNotEnabled => ApiError::msg(
                Code::InvalidBucketState,
                "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
            ),
            StoreError::ObjectLocked => ApiError::msg(
                Code::InvalidBucketState,
                "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
            ),
            // S3: a copy source that is a delete marker is answered as a missing key.
            StoreError::SourceIsDeleteMarker => ApiError::msg(
                Code::NoSuchKey,
                "The specified version of the copy source is a delete marker.",
            ),
            StoreError::DomainTaken => ApiError::new(Code::CnameAlreadyExists),
            StoreError::PartsChanged => ApiError::msg(
                Code::InvalidPart,
                "a part was written during completion; complete the upload again with the current part list.",
            ),
            e @ StoreError::Busy => ApiError::msg(Code::InvalidRequest, e.to_string()),
            StoreError::NoSpace => ApiError::new(Code::InsufficientStorage),
            StoreError::Unavailable(why) => {
                tracing::warn!(%why, "metadata store unavailable");
                ApiError::msg(
                    Code::ServiceUnavailable,
                    "The metadata store failed and is being reopened. Please try again.",
                )
            }
            e @ (StoreError::Db(_) | StoreError::Corrupt(_) | StoreError::Io(_)) => {
                ApiError::internal(e)
            }
        }
    }
}

/// A write refused by a handler's own closure keeps the handler's error; a store failure is
/// mapped as above.
impl From<TxError<ApiError>> for ApiError {
    fn from(e: TxError<ApiError>) -> Self {
        match e {
            TxError::Abort(e) => e,
            TxError::Store(e) => e.into(),
        }
    }
}

/// A body that could not be stored: [`Code::InsufficientStorage`] when the disk is full, else
/// an internal error.
impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<ossemu_xml::CodecError> for ApiError {
    fn from(e: ossemu_xml::CodecError) -> Self {
        tracing::debug!(error = %e, "rejected XML body");
        ApiError::new(Code::MalformedXML)
    }
}
