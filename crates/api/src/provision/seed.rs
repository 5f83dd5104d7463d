//! Seeding: the files under a directory become objects of a declared bucket at start-up, each
//! only while its key is missing. The key is the file's path relative to the directory (`/`
//! between names), the Content-Type follows the extension, the owner is the bucket's and the
//! ACL inherits the bucket's. An existing object is never replaced, so a file changed on disk
//! does not change its object, and an object deleted is uploaded again at the next start.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use ossemu_store::{ObjectAttrs, ObjectRecord, Store, TxError, now_ms};
use tokio::io::AsyncReadExt;

use super::{ApplyError, store_error};

/// Longest key, in bytes, as in both clouds.
const MAX_KEY: usize = 1023;

/// Bytes read from a file at a time.
const CHUNK: usize = 1 << 20;

/// What seeding a bucket did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Files uploaded as new objects.
    pub uploaded: usize,
    /// Files whose key already had an object.
    pub present: usize,
}

/// Uploads the files under `dir` whose keys are missing from `bucket`, as `owner`.
pub async fn seed(
    store: &Store,
    bucket: &str,
    owner: &str,
    dir: &Path,
) -> Result<Seeded, ApplyError> {
    let refused =
        |m: String| ApplyError::Refused(format!("seed {} of bucket {bucket}: {m}", dir.display()));
    let files = files(dir).map_err(refused)?;
    let mut done = Seeded::default();
    for (key, path) in files {
        let what = || format!("seeding {bucket}/{key} from {}", path.display());
        if store
            .meta()
            .get_object(bucket, &key)
            .map_err(|e| store_error(what(), e))?
            .is_some()
        {
            done.present += 1;
            continue;
        }
        let blob = read(store, &path).await.map_err(|e| match e {
            e if ossemu_store::is_no_space(&e) => ApplyError::NoSpace(format!("{}: {e}", what())),
            e => ApplyError::Refused(format!("{}: {e}", what())),
        })?;
        let attrs = ObjectAttrs {
            content_type: content_type(&key).to_string(),
            ..ObjectAttrs::default()
        };
        let template = ObjectRecord::new(attrs, owner, now_ms());
        let absent = |cur: Option<&ObjectRecord>| if cur.is_some() { Err(()) } else { Ok(()) };
        match store
            .put_object(bucket, &key, template, blob, &absent)
            .await
        {
            Ok(_) => done.uploaded += 1,
            Err(TxError::Abort(())) => done.present += 1,
            Err(TxError::Store(e)) => return Err(store_error(what(), e)),
        }
    }
    Ok(done)
}

/// Streams a file into a new body.
async fn read(store: &Store, path: &Path) -> std::io::Result<ossemu_store::NewBlob> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut writer = store.writer();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        writer.write(Bytes::copy_from_slice(&buf[..n])).await?;
    }
    writer.finish().await
}

/// The regular files under `dir` (symbolic links to files included, to directories not
/// followed) with their keys, in key order.
pub fn files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((at, prefix)) = pending.pop() {
        let entries =
            std::fs::read_dir(&at).map_err(|e| format!("cannot read {}: {e}", at.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", at.display()))?;
            let path = entry.path();
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(format!(
                    "{} is not named in UTF-8, so it cannot be a key",
                    path.display()
                ));
            };
            let key = format!("{prefix}{name}");
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if kind.is_dir() {
                pending.push((path, format!("{key}/")));
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                if key.len() > MAX_KEY {
                    return Err(format!(
                        "{} makes a key longer than {MAX_KEY} bytes",
                        path.display()
                    ));
                }
                out.push((key, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The Content-Type for a key, by its extension (`application/octet-stream` when unknown).
pub fn content_type(key: &str) -> &'static str {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ext = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => return "application/octet-stream",
    };
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" | "map" => "application/json",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "wasm" => "application/wasm",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html");
        assert_eq!(content_type("img/logo.SVG"), "image/svg+xml");
        assert_eq!(content_type("a.b/c"), "application/octet-stream");
        assert_eq!(content_type(".gitignore"), "application/octet-stream");
        assert_eq!(content_type("css/site.css"), "text/css");
        assert_eq!(content_type("archive.tar.gz"), "application/gzip");
    }

    #[test]
    fn keys_are_relative_paths_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::write(dir.path().join("b/c/d.txt"), "d").unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        let keys: Vec<String> = files(dir.path())
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["a.txt", "b/c/d.txt"]);
        assert!(files(&dir.path().join("missing")).is_err());
    }
}
