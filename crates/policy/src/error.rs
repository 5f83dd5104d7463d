//! The one error type of the crate: why a policy document was refused.

use std::fmt;

/// Why [`crate::Policy::parse`] refused a document. S3 answers all of these with
/// `400 MalformedPolicy` (see [`PolicyError::code`]); `Display` gives the message, worded as S3
/// words it where that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// Not JSON, or not a JSON object.
    InvalidJson,
    /// Larger than [`crate::MAX_POLICY_BYTES`] once insignificant whitespace is removed.
    TooLarge,
    /// `Version` is neither `2012-10-17`, `2008-10-17` (S3) nor `1` (OSS).
    InvalidVersion(String),
    /// A required field is absent (`Statement`, `Effect`, `Principal`, `Action`, `Resource`).
    MissingField(&'static str),
    /// `Statement` is an empty list.
    EmptyStatement,
    /// A field the language does not have (top level or in a statement).
    UnknownField(String),
    /// A statement, or the `Statement` field, is not a JSON object (or list of objects).
    InvalidStatement,
    /// Both `X` and `NotX` in one statement.
    Conflict(&'static str, &'static str),
    /// `Effect` is not `Allow` or `Deny`.
    InvalidEffect(String),
    /// A principal value that is not one of the accepted forms, or `NotPrincipal` with `Allow`.
    InvalidPrincipal,
    /// An action outside the `s3:` / `oss:` namespaces, or malformed.
    InvalidAction,
    /// A resource that is not an S3/OSS ARN of this bucket or its objects.
    InvalidResource,
    /// An unknown condition operator.
    InvalidConditionType(String),
    /// A condition whose shape or value does not fit its operator.
    InvalidCondition {
        /// The operator as written.
        operator: String,
        /// The offending value, or a short description of the problem.
        value: String,
    },
}

impl PolicyError {
    /// The S3 error code to answer with (`MalformedPolicy` for every variant).
    pub fn code(&self) -> &'static str {
        "MalformedPolicy"
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::InvalidJson => {
                f.write_str("Policies must be valid JSON and the first byte must be '{'")
            }
            PolicyError::TooLarge => write!(
                f,
                "Policies must not exceed {} bytes",
                crate::MAX_POLICY_BYTES
            ),
            PolicyError::InvalidVersion(v) => {
                write!(f, "The policy must contain a valid version string: {v}")
            }
            PolicyError::MissingField(name) => write!(f, "Missing required field {name}"),
            PolicyError::EmptyStatement => {
                f.write_str("Could not parse the policy: Statement is empty!")
            }
            PolicyError::UnknownField(name) => write!(f, "Unknown field {name}"),
            PolicyError::InvalidStatement => f.write_str("Statement must be a JSON object"),
            PolicyError::Conflict(a, b) => {
                write!(f, "A statement cannot contain both {a} and {b}")
            }
            PolicyError::InvalidEffect(e) => write!(f, "Invalid effect: {e}"),
            PolicyError::InvalidPrincipal => f.write_str("Invalid principal in policy"),
            PolicyError::InvalidAction => f.write_str("Policy has invalid action"),
            PolicyError::InvalidResource => f.write_str("Policy has invalid resource"),
            PolicyError::InvalidConditionType(op) => write!(f, "Invalid Condition type : {op}"),
            PolicyError::InvalidCondition { operator, value } => {
                write!(f, "Invalid Condition value for {operator} : {value}")
            }
        }
    }
}

impl std::error::Error for PolicyError {}
