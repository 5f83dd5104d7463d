//! Every XML request body parser on arbitrary bytes: DeleteMultipleObjects,
//! CompleteMultipartUpload, CreateBucketConfiguration, S3 AccessControlPolicy,
//! BucketCnameConfiguration and CORSConfiguration. No input may panic; an accepted ACL is
//! also mapped to its canned form.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ossemu_xml::acl::AccessControlPolicy;
use ossemu_xml::bucket::CreateBucketConfiguration;
use ossemu_xml::cname::BucketCnameConfiguration;
use ossemu_xml::cors::CorsConfiguration;
use ossemu_xml::from_xml;
use ossemu_xml::multipart::CompleteMultipartUpload;
use ossemu_xml::object::Delete;

const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let _ = from_xml::<Delete>(data, "Delete", LIMIT);
    let _ = from_xml::<CompleteMultipartUpload>(data, "CompleteMultipartUpload", LIMIT);
    let _ = from_xml::<CreateBucketConfiguration>(data, "CreateBucketConfiguration", LIMIT);
    if let Ok(acl) = from_xml::<AccessControlPolicy>(data, "AccessControlPolicy", LIMIT) {
        let _ = acl.canned("owner");
    }
    let _ = from_xml::<BucketCnameConfiguration>(data, "BucketCnameConfiguration", LIMIT);
    let _ = from_xml::<CorsConfiguration>(data, "CORSConfiguration", LIMIT);
});
