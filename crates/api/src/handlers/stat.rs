//! GetBucketStat (`GET /?stat`): the bucket's figures, counted from the store on each call.
//!
//! Every version counts (a versioned bucket's noncurrent versions too), delete markers
//! apart. Per storage class, `*Storage` is what OSS bills (an IA or colder object of less
//! than 64 KiB counts as 64 KiB) and `*RealStorage` the bytes stored; `Storage` is the
//! bytes of all objects. Parts of unfinished multipart uploads are counted in
//! `MultipartUploadCount` and `MultipartPartCount`, not in `Storage`. `LastModifiedTime` is
//! the newest write among the bucket's objects and delete markers, Unix seconds (0 for an
//! empty bucket). ossemu has no live channels.

use http::Response;
use ossemu_store::{BucketRecord, ObjectRecord, Version};
use serde::Serialize;

use super::{storage, xml_ok};
use crate::body::Body;
use crate::dialect::Dialect;
use crate::error::ApiResult;
use crate::request::Ctx;

/// The smallest size OSS bills an IA, Archive, ColdArchive or DeepColdArchive object at.
const MIN_BILLED: u64 = 64 * 1024;

/// Storage and object count of one class.
#[derive(Debug, Default, Clone, Copy)]
struct ClassStat {
    billed: u64,
    real: u64,
    count: u64,
}

impl ClassStat {
    fn add(&mut self, size: u64, min_billed: u64) {
        self.billed += size.max(min_billed);
        self.real += size;
        self.count += 1;
    }
}

/// `<BucketStat>`, in OSS's element order.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
struct BucketStat {
    storage: u64,
    object_count: u64,
    multipart_upload_count: u64,
    live_channel_count: u64,
    last_modified_time: i64,
    standard_storage: u64,
    standard_object_count: u64,
    infrequent_access_storage: u64,
    infrequent_access_real_storage: u64,
    infrequent_access_object_count: u64,
    archive_storage: u64,
    archive_real_storage: u64,
    archive_object_count: u64,
    cold_archive_storage: u64,
    cold_archive_real_storage: u64,
    cold_archive_object_count: u64,
    deep_cold_archive_storage: u64,
    deep_cold_archive_real_storage: u64,
    deep_cold_archive_object_count: u64,
    multipart_part_count: u64,
    delete_marker_count: u64,
}

/// What the scan of a bucket found.
#[derive(Debug, Default)]
struct Totals {
    storage: u64,
    objects: u64,
    last_ms: i64,
    markers: u64,
    /// Standard, IA, Archive, ColdArchive, DeepColdArchive.
    classes: [ClassStat; 5],
}

impl Totals {
    fn object(&mut self, bucket: &BucketRecord, rec: &ObjectRecord) {
        self.storage += rec.size;
        self.objects += 1;
        self.last_ms = self.last_ms.max(rec.modified_ms);
        let class = storage::reported(Dialect::Oss, &storage::of(bucket, rec));
        let i = match class.as_str() {
            "IA" => 1,
            "Archive" => 2,
            "ColdArchive" => 3,
            "DeepColdArchive" => 4,
            _ => 0,
        };
        let min = if i == 0 { 0 } else { MIN_BILLED };
        self.classes[i].add(rec.size, min);
    }
}

/// GetBucketStat.
pub async fn get_bucket_stat(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let meta = cx.store().meta();
    let mut t = Totals::default();
    for entry in meta.scan_versions(&bucket.name, "", false) {
        match entry?.version {
            Version::Object(rec) => t.object(&bucket, &rec),
            Version::Marker(m) => {
                t.markers += 1;
                t.last_ms = t.last_ms.max(m.modified_ms);
            }
        }
    }
    let (mut uploads, mut parts) = (0u64, 0u64);
    for up in meta.scan_uploads(&bucket.name, None) {
        let up = up?;
        uploads += 1;
        for p in meta.scan_parts(&up.upload_id, 0) {
            p?;
            parts += 1;
        }
    }
    let [std, ia, ar, ca, dca] = t.classes;
    let doc = BucketStat {
        storage: t.storage,
        object_count: t.objects,
        multipart_upload_count: uploads,
        live_channel_count: 0,
        last_modified_time: t.last_ms.div_euclid(1000),
        standard_storage: std.billed,
        standard_object_count: std.count,
        infrequent_access_storage: ia.billed,
        infrequent_access_real_storage: ia.real,
        infrequent_access_object_count: ia.count,
        archive_storage: ar.billed,
        archive_real_storage: ar.real,
        archive_object_count: ar.count,
        cold_archive_storage: ca.billed,
        cold_archive_real_storage: ca.real,
        cold_archive_object_count: ca.count,
        deep_cold_archive_storage: dca.billed,
        deep_cold_archive_real_storage: dca.real,
        deep_cold_archive_object_count: dca.count,
        multipart_part_count: parts,
        delete_marker_count: t.markers,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("BucketStat", &doc)))
}
