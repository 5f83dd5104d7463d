//! Why a website configuration is refused: where ([`Scope`]), what ([`Problem`]), and the
//! error code the response carries.

use std::fmt;

use crate::model::{Dialect, RedirectType};

/// The OSS/S3 error code of a refused configuration (HTTP 400 either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A required element is missing or the document's structure is wrong.
    MalformedXml,
    /// A value is out of range or contradicts another.
    InvalidArgument,
}

impl ErrorCode {
    /// The code as it appears in `<Code>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedXml => "MalformedXML",
            ErrorCode::InvalidArgument => "InvalidArgument",
        }
    }
}

/// The part of the configuration a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The document as a whole.
    Configuration,
    /// `IndexDocument`.
    IndexDocument,
    /// `ErrorDocument`.
    ErrorDocument,
    /// `RedirectAllRequestsTo`.
    RedirectAll,
    /// `RoutingRules`.
    RoutingRules,
    /// The rule with this `RuleNumber` (S3: position from 1).
    Rule(u32),
    /// The rule at this position (from 1), when its `RuleNumber` is the problem.
    RuleAt(usize),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Configuration => f.write_str("WebsiteConfiguration"),
            Scope::IndexDocument => f.write_str("IndexDocument"),
            Scope::ErrorDocument => f.write_str("ErrorDocument"),
            Scope::RedirectAll => f.write_str("RedirectAllRequestsTo"),
            Scope::RoutingRules => f.write_str("RoutingRules"),
            Scope::Rule(n) => write!(f, "RoutingRule {n}"),
            Scope::RuleAt(p) => write!(f, "RoutingRule at position {p}"),
        }
    }
}

/// An element that holds a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlField {
    /// `MirrorURL`
    MirrorUrl,
    /// `MirrorURLSlave`
    MirrorUrlSlave,
    /// `MirrorURLProbe`
    MirrorUrlProbe,
    /// `MirrorMultiAlternateURL`
    MirrorMultiAlternateUrl,
    /// `HostName` (a host, possibly with a port and path)
    HostName,
}

impl UrlField {
    /// The element name.
    pub fn as_str(self) -> &'static str {
        match self {
            UrlField::MirrorUrl => "MirrorURL",
            UrlField::MirrorUrlSlave => "MirrorURLSlave",
            UrlField::MirrorUrlProbe => "MirrorURLProbe",
            UrlField::MirrorMultiAlternateUrl => "MirrorMultiAlternateURL",
            UrlField::HostName => "HostName",
        }
    }
}

/// What is wrong. [`fmt::Display`] gives the sentence used in the error `Message`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Problem {
    /// None of IndexDocument, ErrorDocument, RoutingRules, RedirectAllRequestsTo is set.
    NothingConfigured,
    /// RedirectAllRequestsTo next to other elements.
    RedirectAllExclusive,
    /// A required element is absent or empty.
    Missing(&'static str),
    /// More rules than the dialect allows.
    TooManyRules {
        /// The limit.
        max: usize,
    },
    /// More repeated elements than allowed.
    TooMany {
        /// The element.
        element: &'static str,
        /// The limit.
        max: usize,
    },
    /// `RuleNumber` is not a positive 32-bit integer.
    RuleNumberNotPositive,
    /// Two rules have the same `RuleNumber`.
    DuplicateRuleNumber,
    /// Unknown `RedirectType`.
    UnknownRedirectType(String),
    /// Unknown `Protocol`.
    UnknownProtocol(String),
    /// `HttpRedirectCode` outside the dialect's set.
    HttpRedirectCode(Dialect),
    /// `HttpErrorCodeReturnedEquals` outside 400–599.
    HttpErrorCode,
    /// `IndexDocument/Type` not 0, 1 or 2.
    IndexType,
    /// `ErrorDocument/HttpStatus` not 200 or 404.
    ErrorStatus,
    /// A Mirror rule without `HttpErrorCodeReturnedEquals` 404.
    MirrorNeeds404,
    /// An origin URL that is not `http(s)://host…/` (or, for the probe and alternates, not
    /// `http(s)://host…`).
    BadUrl(UrlField),
    /// A URL or host on an OSS internal endpoint.
    InternalEndpoint(UrlField),
    /// `HostName` that is not a host name (optionally with port and path).
    BadHostName,
    /// `MirrorURLSlave` without `MirrorURLProbe`.
    SlaveNeedsProbe,
    /// Both `ReplaceKeyWith` and `ReplaceKeyPrefixWith`.
    ReplaceKeyWithAndPrefix,
    /// `EnableReplacePrefix` true with a non-empty `ReplaceKeyWith`.
    EnableReplacePrefixWithReplaceKey,
    /// An element the rule's `RedirectType` does not allow.
    NotAllowed {
        /// The element.
        element: &'static str,
        /// The rule's type.
        redirect_type: RedirectType,
    },
    /// An External/AliCDN (or S3) redirect that changes nothing.
    EmptyRedirect,
    /// An Internal rule that does not change the key.
    InternalWithoutNewKey,
    /// A `Redirect` is required (only a `LuaConfig` may replace it).
    RedirectRequired,
    /// A header name in `MirrorHeaders` that is not 1–1024 letters, digits or hyphens.
    BadMirrorHeaderName(&'static str),
    /// A `MirrorHeaders/Set` value over 1024 bytes or with control characters.
    BadSetValue,
    /// An `IncludeHeader/Key` that is not an HTTP header name.
    BadIncludeHeaderKey,
    /// `TransparentMirrorResponseCodes` that is not a comma-separated list of statuses.
    BadTransparentCodes,
}

impl Problem {
    /// The error code for this problem.
    pub fn code(&self) -> ErrorCode {
        match self {
            Problem::NothingConfigured
            | Problem::RedirectAllExclusive
            | Problem::Missing(_)
            | Problem::RedirectRequired => ErrorCode::MalformedXml,
            _ => ErrorCode::InvalidArgument,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NothingConfigured => f.write_str(
                "at least one of IndexDocument, ErrorDocument, RoutingRules or \
                 RedirectAllRequestsTo is required",
            ),
            Problem::RedirectAllExclusive => f.write_str(
                "RedirectAllRequestsTo cannot be combined with IndexDocument, ErrorDocument or \
                 RoutingRules",
            ),
            Problem::Missing(element) => write!(f, "{element} is required"),
            Problem::TooManyRules { max } => {
                write!(f, "at most {max} RoutingRule elements are allowed")
            }
            Problem::TooMany { element, max } => {
                write!(f, "at most {max} {element} elements are allowed")
            }
            Problem::RuleNumberNotPositive => {
                f.write_str("RuleNumber must be a positive integer below 2^32")
            }
            Problem::DuplicateRuleNumber => {
                f.write_str("RuleNumber is used by more than one RoutingRule")
            }
            Problem::UnknownRedirectType(v) => write!(
                f,
                "RedirectType must be Mirror, External, AliCDN or Internal, not `{v}`"
            ),
            Problem::UnknownProtocol(v) => write!(f, "Protocol must be http or https, not `{v}`"),
            Problem::HttpRedirectCode(Dialect::Oss) => {
                f.write_str("HttpRedirectCode must be 301, 302 or 307")
            }
            Problem::HttpRedirectCode(Dialect::S3) => {
                f.write_str("HttpRedirectCode must be 301, 302, 303, 307 or 308")
            }
            Problem::HttpErrorCode => {
                f.write_str("HttpErrorCodeReturnedEquals must be between 400 and 599")
            }
            Problem::IndexType => f.write_str("Type must be 0, 1 or 2"),
            Problem::ErrorStatus => f.write_str("HttpStatus must be 200 or 404"),
            Problem::MirrorNeeds404 => {
                f.write_str("a Mirror rule needs HttpErrorCodeReturnedEquals 404")
            }
            Problem::BadUrl(field @ (UrlField::MirrorUrl | UrlField::MirrorUrlSlave)) => write!(
                f,
                "{} must start with http:// or https://, name a host and end with /",
                field.as_str()
            ),
            Problem::BadUrl(field) => write!(
                f,
                "{} must start with http:// or https:// and name a host",
                field.as_str()
            ),
            Problem::InternalEndpoint(field) => write!(
                f,
                "{} must not be an OSS internal endpoint (*-internal.aliyuncs.com)",
                field.as_str()
            ),
            Problem::BadHostName => f.write_str(
                "HostName must be a host name, optionally with a port and a path, without a \
                 scheme, spaces, `//`, `?` or `#`",
            ),
            Problem::SlaveNeedsProbe => f.write_str("MirrorURLSlave needs MirrorURLProbe"),
            Problem::ReplaceKeyWithAndPrefix => {
                f.write_str("ReplaceKeyWith and ReplaceKeyPrefixWith are mutually exclusive")
            }
            Problem::EnableReplacePrefixWithReplaceKey => {
                f.write_str("EnableReplacePrefix cannot be true when ReplaceKeyWith is set")
            }
            Problem::NotAllowed {
                element,
                redirect_type,
            } => write!(
                f,
                "{element} is not allowed with RedirectType {}",
                redirect_type.as_str()
            ),
            Problem::EmptyRedirect => f.write_str(
                "Redirect needs at least one of Protocol, HostName, ReplaceKeyPrefixWith, \
                 ReplaceKeyWith, EnableReplacePrefix or HttpRedirectCode",
            ),
            Problem::InternalWithoutNewKey => f.write_str(
                "an Internal rule needs ReplaceKeyWith, ReplaceKeyPrefixWith or \
                 EnableReplacePrefix",
            ),
            Problem::RedirectRequired => f.write_str("Redirect is required"),
            Problem::BadMirrorHeaderName(element) => write!(
                f,
                "MirrorHeaders {element} must be 1 to 1024 letters, digits or hyphens"
            ),
            Problem::BadSetValue => f.write_str(
                "MirrorHeaders Set Value must be at most 1024 bytes without control characters",
            ),
            Problem::BadIncludeHeaderKey => f.write_str("IncludeHeader Key must be a header name"),
            Problem::BadTransparentCodes => f.write_str(
                "TransparentMirrorResponseCodes must be HTTP status codes separated by commas",
            ),
        }
    }
}

/// A refused website configuration. Its [`fmt::Display`] is the response's `Message`, e.g.
/// `RoutingRule 3: HttpRedirectCode must be 301, 302 or 307`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConfigError {
    /// Where.
    pub scope: Scope,
    /// What.
    pub problem: Problem,
}

impl ConfigError {
    /// A problem in a scope.
    pub fn new(scope: Scope, problem: Problem) -> ConfigError {
        ConfigError { scope, problem }
    }

    /// The response's error code.
    pub fn code(&self) -> ErrorCode {
        self.problem.code()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.scope, self.problem)
    }
}

impl std::error::Error for ConfigError {}
