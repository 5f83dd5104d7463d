//! The store's error type.

/// Errors returned by the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The bucket does not exist.
    #[error("no such bucket")]
    NoSuchBucket,
    /// A bucket with this name already exists.
    #[error("bucket already exists")]
    BucketExists,
    /// The bucket still holds objects or uploads.
    #[error("bucket not empty")]
    BucketNotEmpty,
    /// The object does not exist.
    #[error("no such key")]
    NoSuchKey,
    /// The multipart upload does not exist.
    #[error("no such upload")]
    NoSuchUpload,
    /// A precondition on the current object failed (e.g. forbid-overwrite, append position).
    #[error("precondition failed: {0}")]
    Conflict(String),
    /// The metadata database failed.
    #[error("metadata store: {0}")]
    Db(String),
    /// A record could not be decoded.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// File-system error.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
