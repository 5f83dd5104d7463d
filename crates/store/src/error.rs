//! The store's error types.

use std::fmt;
use std::io;

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
    /// The object (or the copy source) does not exist.
    #[error("no such key")]
    NoSuchKey,
    /// The version named does not exist.
    #[error("no such version")]
    NoSuchVersion,
    /// The version named as a copy source is a delete marker.
    #[error("the source version is a delete marker")]
    SourceIsDeleteMarker,
    /// Object Lock needs versioning enabled first.
    #[error("versioning is not enabled on the bucket")]
    VersioningNotEnabled,
    /// The bucket has Object Lock, so its versioning stays enabled.
    #[error("the bucket has Object Lock: versioning cannot change")]
    ObjectLocked,
    /// The multipart upload does not exist.
    #[error("no such upload")]
    NoSuchUpload,
    /// The domain is bound to another bucket.
    #[error("the domain is bound to another bucket")]
    DomainTaken,
    /// A part was written after the caller read the upload's parts (completion).
    #[error("a part was written during completion")]
    PartsChanged,
    /// The object kept changing while it was being opened for reading.
    #[error("object is being rewritten too fast to read")]
    Busy,
    /// The data directory's filesystem is full (or its quota used up): the write was refused
    /// and changed nothing. Deletes still work.
    #[error("no space left on the data directory's filesystem")]
    NoSpace,
    /// The metadata engine failed and could not be reopened yet (or was reopened while this
    /// write was under way); the request changed nothing.
    #[error("metadata store unavailable: {0}")]
    Unavailable(String),
    /// The metadata database failed.
    #[error("metadata store: {0}")]
    Db(String),
    /// A record could not be decoded.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// File-system error.
    #[error("i/o: {0}")]
    Io(std::io::Error),
}

/// Whether an I/O error means the filesystem is full or the quota used up (ENOSPC, EDQUOT).
pub fn is_no_space(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    ) || matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

/// An I/O error becomes [`StoreError::NoSpace`] when the filesystem is full, else
/// [`StoreError::Io`].
impl From<io::Error> for StoreError {
    fn from(e: io::Error) -> Self {
        if is_no_space(&e) {
            StoreError::NoSpace
        } else {
            StoreError::Io(e)
        }
    }
}

/// sled's I/O errors are classified as I/O errors are; its other errors are [`StoreError::Db`].
impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => io.into(),
            e => StoreError::Db(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A failed read-modify-write: the caller's closure refused it (its error comes back
/// unchanged), or the store failed.
#[derive(Debug)]
pub enum TxError<E> {
    /// The closure's own error.
    Abort(E),
    /// The store's error.
    Store(StoreError),
}

impl<E> From<StoreError> for TxError<E> {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

impl<E: fmt::Display> fmt::Display for TxError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxError::Abort(e) => write!(f, "refused: {e}"),
            TxError::Store(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TxError<E> {}

/// Result of a read-modify-write whose closure fails with `E`.
pub type TxResult<T, E> = std::result::Result<T, TxError<E>>;
