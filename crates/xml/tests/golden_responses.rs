//! Golden tests for every response type: each is serialised fully populated (every optional
//! element present, every list with two entries) and, where elements are optional, also
//! minimal, and compared byte for byte with the output reviewed when the test was written.
//! They pin the element names, their order and the dialect differences (`xmlns`), so that a
//! change to the serde attributes that alters the wire format fails here.
//!
//! Roots are the ones the API handlers pass to [`to_xml_as`]; the website types use their own
//! serialisers.

use ossemu_xml::bucket::{
    BucketEntry, BucketInfo, BucketInfoBucket, BucketPolicy, Buckets, ListAllMyBucketsResult,
    ListLiveChannelResult, LocationConstraint, OssAccessControlList, OssAccessControlPolicy, Owner,
    SseRule,
};
use ossemu_xml::cname::{CnameInfo, CnameToken, ListCnameResult};
use ossemu_xml::cors::{CorsConfiguration, CorsRule};
use ossemu_xml::list::{
    CommonPrefix, Contents, DeleteMarkerEntry, ListBucketResult, ListVersionsResult, Version,
    VersionListing,
};
use ossemu_xml::multipart::{
    CompleteResult, InitiateResult, ListPartsResult, ListUploadsResult, PartEntry, UploadEntry,
};
use ossemu_xml::object::{CopyResult, DeleteError, DeleteResult, Deleted};
use ossemu_xml::tagging::{Tag, TagSet, Tagging};
use ossemu_xml::website::{
    Condition, ErrorDocument, IncludeHeader, IndexDocument, KeyValue, LuaConfig, MirrorAuth,
    MirrorHeaders, MirrorMultiAlternate, MirrorMultiAlternates, MirrorReturnHeaders,
    MirrorTaggings, Redirect, RoutingRule, RoutingRules, S3Condition, S3ErrorDocument,
    S3IndexDocument, S3Redirect, S3RedirectAllRequestsTo, S3RoutingRule, S3RoutingRules,
    S3WebsiteConfiguration, WebsiteConfiguration,
};
use ossemu_xml::{S3_NS, to_xml, to_xml_as};

/// Compares `actual` with the reviewed output.
#[track_caller]
fn golden(actual: &str, expected: &str) {
    assert_eq!(actual, expected, "\nactual output:\n{actual}\n");
}

fn s(v: &str) -> String {
    v.to_owned()
}

fn owner(n: u32) -> Owner {
    Owner {
        id: format!("owner-id-{n}"),
        display_name: format!("owner-name-{n}"),
    }
}

// ---------------------------------------------------------------------------------------------
// bucket
// ---------------------------------------------------------------------------------------------

fn bucket_entry(n: u32) -> BucketEntry {
    BucketEntry {
        creation_date: format!("2024-01-0{n}T00:00:00.000Z"),
        extranet_endpoint: Some(format!("extranet-{n}")),
        intranet_endpoint: Some(format!("intranet-{n}")),
        location: Some(format!("oss-location-{n}")),
        name: format!("bucket-{n}"),
        region: Some(format!("region-{n}")),
        storage_class: Some(format!("class-{n}")),
        resource_group_id: Some(format!("rg-{n}")),
    }
}

#[test]
fn list_all_my_buckets_result() {
    let full = ListAllMyBucketsResult {
        xmlns: Some(S3_NS),
        prefix: Some(s("prefix")),
        marker: Some(s("marker")),
        max_keys: Some(7),
        is_truncated: Some(true),
        next_marker: Some(s("next-marker")),
        owner: owner(1),
        buckets: Buckets {
            bucket: vec![bucket_entry(1), bucket_entry(2)],
        },
        continuation_token: Some(s("token")),
    };
    golden(
        &to_xml_as("ListAllMyBucketsResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Prefix>prefix</Prefix><Marker>marker</Marker><MaxKeys>7</MaxKeys><IsTruncated>true</IsTruncated><NextMarker>next-marker</NextMarker><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner><Buckets><Bucket><CreationDate>2024-01-01T00:00:00.000Z</CreationDate><ExtranetEndpoint>extranet-1</ExtranetEndpoint><IntranetEndpoint>intranet-1</IntranetEndpoint><Location>oss-location-1</Location><Name>bucket-1</Name><Region>region-1</Region><StorageClass>class-1</StorageClass><ResourceGroupId>rg-1</ResourceGroupId></Bucket><Bucket><CreationDate>2024-01-02T00:00:00.000Z</CreationDate><ExtranetEndpoint>extranet-2</ExtranetEndpoint><IntranetEndpoint>intranet-2</IntranetEndpoint><Location>oss-location-2</Location><Name>bucket-2</Name><Region>region-2</Region><StorageClass>class-2</StorageClass><ResourceGroupId>rg-2</ResourceGroupId></Bucket></Buckets><ContinuationToken>token</ContinuationToken></ListAllMyBucketsResult>"#,
    );
    let minimal = ListAllMyBucketsResult {
        xmlns: None,
        prefix: None,
        marker: None,
        max_keys: None,
        is_truncated: None,
        next_marker: None,
        owner: owner(1),
        buckets: Buckets {
            bucket: vec![BucketEntry {
                creation_date: s("2024-01-01T00:00:00.000Z"),
                extranet_endpoint: None,
                intranet_endpoint: None,
                location: None,
                name: s("bucket"),
                region: None,
                storage_class: None,
                resource_group_id: None,
            }],
        },
        continuation_token: None,
    };
    golden(
        &to_xml_as("ListAllMyBucketsResult", &minimal),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner><Buckets><Bucket><CreationDate>2024-01-01T00:00:00.000Z</CreationDate><Name>bucket</Name></Bucket></Buckets></ListAllMyBucketsResult>"#,
    );
    let empty = ListAllMyBucketsResult {
        buckets: Buckets { bucket: vec![] },
        ..minimal
    };
    golden(
        &to_xml_as("ListAllMyBucketsResult", &empty),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner><Buckets/></ListAllMyBucketsResult>"#,
    );
}

#[test]
fn location_constraint() {
    let s3 = LocationConstraint {
        xmlns: Some(S3_NS),
        location: s("eu-west-1"),
    };
    golden(
        &to_xml_as("LocationConstraint", &s3),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>"#,
    );
    let oss = LocationConstraint {
        xmlns: None,
        location: s("oss-cn-hangzhou"),
    };
    golden(
        &to_xml_as("LocationConstraint", &oss),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<LocationConstraint>oss-cn-hangzhou</LocationConstraint>"#,
    );
}

#[test]
fn bucket_info() {
    let info = BucketInfo {
        bucket: BucketInfoBucket {
            access_monitor: s("access-monitor"),
            creation_date: s("creation-date"),
            extranet_endpoint: s("extranet-endpoint"),
            intranet_endpoint: s("intranet-endpoint"),
            location: s("location"),
            storage_class: s("storage-class"),
            transfer_acceleration: s("transfer-acceleration"),
            cross_region_replication: s("cross-region-replication"),
            data_redundancy_type: s("data-redundancy-type"),
            name: s("name"),
            resource_group_id: s("resource-group-id"),
            versioning: Some(s("Enabled")),
            owner: owner(1),
            acl: OssAccessControlList { grant: s("grant") },
            comment: s("comment"),
            block_public_access: true,
            bucket_policy: BucketPolicy {
                log_bucket: s("log-bucket"),
                log_prefix: s("log-prefix"),
            },
            sse: SseRule {
                sse_algorithm: s("sse-algorithm"),
                ..SseRule::default()
            },
        },
    };
    golden(
        &to_xml_as("BucketInfo", &info),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<BucketInfo><Bucket><AccessMonitor>access-monitor</AccessMonitor><CreationDate>creation-date</CreationDate><ExtranetEndpoint>extranet-endpoint</ExtranetEndpoint><IntranetEndpoint>intranet-endpoint</IntranetEndpoint><Location>location</Location><StorageClass>storage-class</StorageClass><TransferAcceleration>transfer-acceleration</TransferAcceleration><CrossRegionReplication>cross-region-replication</CrossRegionReplication><DataRedundancyType>data-redundancy-type</DataRedundancyType><Name>name</Name><ResourceGroupId>resource-group-id</ResourceGroupId><Versioning>Enabled</Versioning><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner><AccessControlList><Grant>grant</Grant></AccessControlList><Comment>comment</Comment><BlockPublicAccess>true</BlockPublicAccess><BucketPolicy><LogBucket>log-bucket</LogBucket><LogPrefix>log-prefix</LogPrefix></BucketPolicy><ServerSideEncryptionRule><SSEAlgorithm>sse-algorithm</SSEAlgorithm></ServerSideEncryptionRule></Bucket></BucketInfo>"#,
    );
}

#[test]
fn oss_access_control_policy() {
    let policy = OssAccessControlPolicy {
        owner: owner(1),
        acl: OssAccessControlList {
            grant: s("public-read"),
        },
    };
    golden(
        &to_xml_as("AccessControlPolicy", &policy),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner><AccessControlList><Grant>public-read</Grant></AccessControlList></AccessControlPolicy>"#,
    );
}

#[test]
fn list_live_channel_result() {
    let doc = ListLiveChannelResult {
        prefix: s("prefix"),
        marker: s("marker"),
        max_keys: 9,
        is_truncated: false,
        next_marker: s("next-marker"),
    };
    golden(
        &to_xml_as("ListLiveChannelResult", &doc),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListLiveChannelResult><Prefix>prefix</Prefix><Marker>marker</Marker><MaxKeys>9</MaxKeys><IsTruncated>false</IsTruncated><NextMarker>next-marker</NextMarker></ListLiveChannelResult>"#,
    );
}

// ---------------------------------------------------------------------------------------------
// cname
// ---------------------------------------------------------------------------------------------

#[test]
fn list_cname_result() {
    let cname = |n: u32| CnameInfo {
        domain: format!("www{n}.example.com"),
        last_modified: format!("2024-01-0{n}T00:00:00.000Z"),
        status: s("Enabled"),
    };
    let doc = ListCnameResult {
        bucket: s("bucket"),
        owner: s("owner"),
        cnames: vec![cname(1), cname(2)],
    };
    golden(
        &to_xml_as("ListCnameResult", &doc),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListCnameResult><Bucket>bucket</Bucket><Owner>owner</Owner><Cname><Domain>www1.example.com</Domain><LastModified>2024-01-01T00:00:00.000Z</LastModified><Status>Enabled</Status></Cname><Cname><Domain>www2.example.com</Domain><LastModified>2024-01-02T00:00:00.000Z</LastModified><Status>Enabled</Status></Cname></ListCnameResult>"#,
    );
    let empty = ListCnameResult {
        cnames: vec![],
        ..doc
    };
    golden(
        &to_xml_as("ListCnameResult", &empty),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListCnameResult><Bucket>bucket</Bucket><Owner>owner</Owner></ListCnameResult>"#,
    );
}

#[test]
fn cname_token() {
    let doc = CnameToken {
        bucket: s("bucket"),
        cname: s("www.example.com"),
        token: s("token"),
        expire_time: s("Wed, 01 Jan 2025 00:00:00 GMT"),
    };
    golden(
        &to_xml_as("CnameToken", &doc),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CnameToken><Bucket>bucket</Bucket><Cname>www.example.com</Cname><Token>token</Token><ExpireTime>Wed, 01 Jan 2025 00:00:00 GMT</ExpireTime></CnameToken>"#,
    );
}

// ---------------------------------------------------------------------------------------------
// cors
// ---------------------------------------------------------------------------------------------

#[test]
fn cors_configuration() {
    let full = CorsConfiguration {
        xmlns: Some(S3_NS.to_owned()),
        rules: vec![
            CorsRule {
                id: Some(s("rule-1")),
                allowed_origins: vec![s("https://a.example"), s("*.b.example")],
                allowed_methods: vec![s("GET"), s("PUT")],
                allowed_headers: vec![s("x-amz-*"), s("content-type")],
                expose_headers: vec![s("ETag"), s("x-amz-request-id")],
                max_age_seconds: Some(300),
            },
            CorsRule {
                id: None,
                allowed_origins: vec![s("*")],
                allowed_methods: vec![s("HEAD")],
                allowed_headers: vec![],
                expose_headers: vec![],
                max_age_seconds: None,
            },
        ],
        response_vary: Some(s("true")),
    };
    golden(
        &to_xml_as("CORSConfiguration", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>rule-1</ID><AllowedOrigin>https://a.example</AllowedOrigin><AllowedOrigin>*.b.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>content-type</AllowedHeader><ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-request-id</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule><ResponseVary>true</ResponseVary></CORSConfiguration>"#,
    );
    let empty = CorsConfiguration {
        xmlns: None,
        rules: vec![],
        response_vary: None,
    };
    golden(
        &to_xml_as("CORSConfiguration", &empty),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration/>"#,
    );
}

// ---------------------------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------------------------

fn contents(n: u32, full: bool) -> Contents {
    Contents {
        key: format!("key-{n}"),
        last_modified: format!("2024-01-0{n}T00:00:00.000Z"),
        etag: format!("\"etag-{n}\""),
        kind: full.then(|| s("Normal")),
        size: u64::from(n) * 100,
        storage_class: s("STANDARD"),
        owner: full.then(|| owner(n)),
        restore_info: None,
    }
}

fn common_prefix(n: u32) -> CommonPrefix {
    CommonPrefix {
        prefix: format!("dir-{n}/"),
    }
}

#[test]
fn list_bucket_result() {
    let full = ListBucketResult {
        xmlns: Some(S3_NS),
        name: s("bucket"),
        prefix: s("prefix"),
        marker: Some(s("marker")),
        continuation_token: Some(s("continuation-token")),
        start_after: Some(s("start-after")),
        max_keys: 2,
        delimiter: Some(s("/")),
        encoding_type: Some(s("url")),
        is_truncated: true,
        next_marker: Some(s("next-marker")),
        next_continuation_token: Some(s("next-continuation-token")),
        key_count: Some(4),
        contents: vec![contents(1, true), contents(2, true)],
        common_prefixes: vec![common_prefix(1), common_prefix(2)],
    };
    golden(
        &to_xml_as("ListBucketResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>prefix</Prefix><Marker>marker</Marker><ContinuationToken>continuation-token</ContinuationToken><StartAfter>start-after</StartAfter><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextMarker>next-marker</NextMarker><NextContinuationToken>next-continuation-token</NextContinuationToken><KeyCount>4</KeyCount><Contents><Key>key-1</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag-1"</ETag><Type>Normal</Type><Size>100</Size><StorageClass>STANDARD</StorageClass><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner></Contents><Contents><Key>key-2</Key><LastModified>2024-01-02T00:00:00.000Z</LastModified><ETag>"etag-2"</ETag><Type>Normal</Type><Size>200</Size><StorageClass>STANDARD</StorageClass><Owner><ID>owner-id-2</ID><DisplayName>owner-name-2</DisplayName></Owner></Contents><CommonPrefixes><Prefix>dir-1/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>dir-2/</Prefix></CommonPrefixes></ListBucketResult>"#,
    );
    let minimal = ListBucketResult {
        xmlns: None,
        name: s("bucket"),
        prefix: s(""),
        marker: None,
        continuation_token: None,
        start_after: None,
        max_keys: 1000,
        delimiter: None,
        encoding_type: None,
        is_truncated: false,
        next_marker: None,
        next_continuation_token: None,
        key_count: None,
        contents: vec![contents(1, false)],
        common_prefixes: vec![],
    };
    golden(
        &to_xml_as("ListBucketResult", &minimal),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult><Name>bucket</Name><Prefix/><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>key-1</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag-1"</ETag><Size>100</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>"#,
    );
}

#[test]
fn list_versions_result() {
    let version = |n: u32, full: bool| Version {
        key: format!("key-{n}"),
        version_id: s("null"),
        is_latest: true,
        last_modified: format!("2024-01-0{n}T00:00:00.000Z"),
        etag: format!("\"etag-{n}\""),
        kind: full.then(|| s("Multipart")),
        size: u64::from(n),
        storage_class: s("STANDARD"),
        restore_info: None,
        owner: owner(n),
    };
    let full = ListVersionsResult {
        xmlns: Some(S3_NS),
        name: s("bucket"),
        prefix: s("prefix"),
        key_marker: s("key-marker"),
        version_id_marker: s("version-id-marker"),
        next_key_marker: Some(s("next-key-marker")),
        next_version_id_marker: Some(s("next-version-id-marker")),
        max_keys: 2,
        delimiter: Some(s("/")),
        encoding_type: Some(s("url")),
        is_truncated: true,
        versions: vec![
            VersionListing::DeleteMarker(DeleteMarkerEntry {
                key: s("key-1"),
                version_id: s("marker-1"),
                is_latest: true,
                last_modified: s("2024-01-03T00:00:00.000Z"),
                owner: owner(1),
            }),
            VersionListing::Version(version(1, true)),
            VersionListing::Version(version(2, true)),
        ],
        common_prefixes: vec![common_prefix(1), common_prefix(2)],
    };
    golden(
        &to_xml_as("ListVersionsResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>prefix</Prefix><KeyMarker>key-marker</KeyMarker><VersionIdMarker>version-id-marker</VersionIdMarker><NextKeyMarker>next-key-marker</NextKeyMarker><NextVersionIdMarker>next-version-id-marker</NextVersionIdMarker><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><DeleteMarker><Key>key-1</Key><VersionId>marker-1</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-03T00:00:00.000Z</LastModified><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner></DeleteMarker><Version><Key>key-1</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag-1"</ETag><Type>Multipart</Type><Size>1</Size><StorageClass>STANDARD</StorageClass><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner></Version><Version><Key>key-2</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-02T00:00:00.000Z</LastModified><ETag>"etag-2"</ETag><Type>Multipart</Type><Size>2</Size><StorageClass>STANDARD</StorageClass><Owner><ID>owner-id-2</ID><DisplayName>owner-name-2</DisplayName></Owner></Version><CommonPrefixes><Prefix>dir-1/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>dir-2/</Prefix></CommonPrefixes></ListVersionsResult>"#,
    );
    let minimal = ListVersionsResult {
        xmlns: None,
        name: s("bucket"),
        prefix: s(""),
        key_marker: s(""),
        version_id_marker: s(""),
        next_key_marker: None,
        next_version_id_marker: None,
        max_keys: 1000,
        delimiter: None,
        encoding_type: None,
        is_truncated: false,
        versions: vec![VersionListing::Version(version(1, false))],
        common_prefixes: vec![],
    };
    golden(
        &to_xml_as("ListVersionsResult", &minimal),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult><Name>bucket</Name><Prefix/><KeyMarker/><VersionIdMarker/><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Version><Key>key-1</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag-1"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Owner><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Owner></Version></ListVersionsResult>"#,
    );
}

// ---------------------------------------------------------------------------------------------
// multipart
// ---------------------------------------------------------------------------------------------

#[test]
fn initiate_result() {
    let full = InitiateResult {
        xmlns: Some(S3_NS),
        bucket: s("bucket"),
        key: s("key"),
        upload_id: s("upload-id"),
        encoding_type: Some(s("url")),
    };
    golden(
        &to_xml_as("InitiateMultipartUploadResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>bucket</Bucket><Key>key</Key><UploadId>upload-id</UploadId><EncodingType>url</EncodingType></InitiateMultipartUploadResult>"#,
    );
    let minimal = InitiateResult {
        xmlns: None,
        encoding_type: None,
        ..full
    };
    golden(
        &to_xml_as("InitiateMultipartUploadResult", &minimal),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>key</Key><UploadId>upload-id</UploadId></InitiateMultipartUploadResult>"#,
    );
}

#[test]
fn complete_result() {
    let full = CompleteResult {
        xmlns: Some(S3_NS),
        encoding_type: Some(s("url")),
        location: s("http://bucket.localhost/key"),
        bucket: s("bucket"),
        key: s("key"),
        etag: s("\"etag-2\""),
    };
    golden(
        &to_xml_as("CompleteMultipartUploadResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Location>http://bucket.localhost/key</Location><Bucket>bucket</Bucket><Key>key</Key><ETag>"etag-2"</ETag></CompleteMultipartUploadResult>"#,
    );
    let minimal = CompleteResult {
        xmlns: None,
        encoding_type: None,
        ..full
    };
    golden(
        &to_xml_as("CompleteMultipartUploadResult", &minimal),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult><Location>http://bucket.localhost/key</Location><Bucket>bucket</Bucket><Key>key</Key><ETag>"etag-2"</ETag></CompleteMultipartUploadResult>"#,
    );
}

#[test]
fn list_parts_result() {
    let part = |n: u32, full: bool| PartEntry {
        part_number: n,
        last_modified: format!("2024-01-0{n}T00:00:00.000Z"),
        etag: format!("\"etag-{n}\""),
        crc64: full.then(|| format!("{n}234567890")),
        size: u64::from(n) * 1024,
    };
    let full = ListPartsResult {
        xmlns: Some(S3_NS),
        encoding_type: None,
        bucket: s("bucket"),
        key: s("key"),
        upload_id: s("upload-id"),
        part_number_marker: 3,
        next_part_number_marker: 5,
        max_parts: 2,
        is_truncated: true,
        storage_class: s("STANDARD"),
        initiator: Some(owner(1)),
        owner: Some(owner(2)),
        parts: vec![part(4, true), part(5, true)],
    };
    golden(
        &to_xml_as("ListPartsResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>bucket</Bucket><Key>key</Key><UploadId>upload-id</UploadId><PartNumberMarker>3</PartNumberMarker><NextPartNumberMarker>5</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated><StorageClass>STANDARD</StorageClass><Initiator><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Initiator><Owner><ID>owner-id-2</ID><DisplayName>owner-name-2</DisplayName></Owner><Part><PartNumber>4</PartNumber><LastModified>2024-01-04T00:00:00.000Z</LastModified><ETag>"etag-4"</ETag><HashCrc64ecma>4234567890</HashCrc64ecma><Size>4096</Size></Part><Part><PartNumber>5</PartNumber><LastModified>2024-01-05T00:00:00.000Z</LastModified><ETag>"etag-5"</ETag><HashCrc64ecma>5234567890</HashCrc64ecma><Size>5120</Size></Part></ListPartsResult>"#,
    );
    let minimal = ListPartsResult {
        xmlns: None,
        encoding_type: Some(s("url")),
        initiator: None,
        owner: None,
        parts: vec![part(1, false)],
        ..full
    };
    golden(
        &to_xml_as("ListPartsResult", &minimal),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult><EncodingType>url</EncodingType><Bucket>bucket</Bucket><Key>key</Key><UploadId>upload-id</UploadId><PartNumberMarker>3</PartNumberMarker><NextPartNumberMarker>5</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated><StorageClass>STANDARD</StorageClass><Part><PartNumber>1</PartNumber><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag-1"</ETag><Size>1024</Size></Part></ListPartsResult>"#,
    );
}

#[test]
fn list_uploads_result() {
    let upload = |n: u32, full: bool| UploadEntry {
        key: format!("key-{n}"),
        upload_id: format!("upload-id-{n}"),
        initiated: format!("2024-01-0{n}T00:00:00.000Z"),
        storage_class: s("STANDARD"),
        initiator: full.then(|| owner(n)),
        owner: full.then(|| owner(n + 10)),
    };
    let full = ListUploadsResult {
        xmlns: Some(S3_NS),
        encoding_type: Some(s("url")),
        bucket: s("bucket"),
        key_marker: s("key-marker"),
        upload_id_marker: s("upload-id-marker"),
        next_key_marker: s("next-key-marker"),
        next_upload_id_marker: s("next-upload-id-marker"),
        delimiter: Some(s("/")),
        prefix: s("prefix"),
        max_uploads: 2,
        is_truncated: true,
        uploads: vec![upload(1, true), upload(2, true)],
        common_prefixes: vec![common_prefix(1), common_prefix(2)],
    };
    golden(
        &to_xml_as("ListMultipartUploadsResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Bucket>bucket</Bucket><KeyMarker>key-marker</KeyMarker><UploadIdMarker>upload-id-marker</UploadIdMarker><NextKeyMarker>next-key-marker</NextKeyMarker><NextUploadIdMarker>next-upload-id-marker</NextUploadIdMarker><Delimiter>/</Delimiter><Prefix>prefix</Prefix><MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated><Upload><Key>key-1</Key><UploadId>upload-id-1</UploadId><Initiated>2024-01-01T00:00:00.000Z</Initiated><StorageClass>STANDARD</StorageClass><Initiator><ID>owner-id-1</ID><DisplayName>owner-name-1</DisplayName></Initiator><Owner><ID>owner-id-11</ID><DisplayName>owner-name-11</DisplayName></Owner></Upload><Upload><Key>key-2</Key><UploadId>upload-id-2</UploadId><Initiated>2024-01-02T00:00:00.000Z</Initiated><StorageClass>STANDARD</StorageClass><Initiator><ID>owner-id-2</ID><DisplayName>owner-name-2</DisplayName></Initiator><Owner><ID>owner-id-12</ID><DisplayName>owner-name-12</DisplayName></Owner></Upload><CommonPrefixes><Prefix>dir-1/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>dir-2/</Prefix></CommonPrefixes></ListMultipartUploadsResult>"#,
    );
    let minimal = ListUploadsResult {
        xmlns: None,
        encoding_type: None,
        bucket: s("bucket"),
        key_marker: s(""),
        upload_id_marker: s(""),
        next_key_marker: s(""),
        next_upload_id_marker: s(""),
        delimiter: None,
        prefix: s(""),
        max_uploads: 1000,
        is_truncated: false,
        uploads: vec![upload(1, false)],
        common_prefixes: vec![],
    };
    golden(
        &to_xml_as("ListMultipartUploadsResult", &minimal),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult><Bucket>bucket</Bucket><KeyMarker/><UploadIdMarker/><NextKeyMarker/><NextUploadIdMarker/><Prefix/><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated><Upload><Key>key-1</Key><UploadId>upload-id-1</UploadId><Initiated>2024-01-01T00:00:00.000Z</Initiated><StorageClass>STANDARD</StorageClass></Upload></ListMultipartUploadsResult>"#,
    );
}

// ---------------------------------------------------------------------------------------------
// object
// ---------------------------------------------------------------------------------------------

#[test]
fn copy_result() {
    let s3 = CopyResult {
        xmlns: Some(S3_NS),
        last_modified: s("2024-01-01T00:00:00.000Z"),
        etag: s("\"etag\""),
    };
    golden(
        &to_xml_as("CopyObjectResult", &s3),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag"</ETag></CopyObjectResult>"#,
    );
    let oss = CopyResult { xmlns: None, ..s3 };
    golden(
        &to_xml_as("CopyPartResult", &oss),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CopyPartResult><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag"</ETag></CopyPartResult>"#,
    );
}

#[test]
fn delete_result() {
    let full = DeleteResult {
        xmlns: Some(S3_NS),
        encoding_type: Some(s("url")),
        deleted: vec![
            Deleted {
                key: s("key-1"),
                version_id: Some(s("null")),
                delete_marker: None,
                delete_marker_version_id: None,
            },
            Deleted {
                key: s("key-2"),
                version_id: None,
                delete_marker: Some(true),
                delete_marker_version_id: Some(s("marker-2")),
            },
        ],
        errors: vec![
            DeleteError {
                key: s("key-3"),
                version_id: Some(s("bad")),
                code: s("AccessDenied"),
                message: s("Access Denied"),
            },
            DeleteError {
                key: s("key-4"),
                version_id: None,
                code: s("InternalError"),
                message: s("We encountered an internal error & failed."),
            },
        ],
    };
    golden(
        &to_xml_as("DeleteResult", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><Deleted><Key>key-1</Key><VersionId>null</VersionId></Deleted><Deleted><Key>key-2</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>marker-2</DeleteMarkerVersionId></Deleted><Error><Key>key-3</Key><VersionId>bad</VersionId><Code>AccessDenied</Code><Message>Access Denied</Message></Error><Error><Key>key-4</Key><Code>InternalError</Code><Message>We encountered an internal error &amp; failed.</Message></Error></DeleteResult>"#,
    );
    let quiet = DeleteResult {
        xmlns: None,
        encoding_type: None,
        deleted: vec![],
        errors: vec![],
    };
    golden(
        &to_xml_as("DeleteResult", &quiet),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult/>"#,
    );
}

// ---------------------------------------------------------------------------------------------
// tagging
// ---------------------------------------------------------------------------------------------

#[test]
fn tagging() {
    let full = Tagging {
        xmlns: Some(S3_NS.to_owned()),
        tag_set: Some(TagSet {
            tags: vec![
                Tag {
                    key: s("k1"),
                    value: s("v1"),
                },
                Tag {
                    key: s("k2"),
                    value: s(""),
                },
            ],
        }),
    };
    golden(
        &to_xml_as("Tagging", &full),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value/></Tag></TagSet></Tagging>"#,
    );
    let bare = Tagging {
        xmlns: None,
        tag_set: None,
    };
    golden(
        &to_xml_as("Tagging", &bare),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Tagging><TagSet/></Tagging>"#,
    );
}

// ---------------------------------------------------------------------------------------------
// website
// ---------------------------------------------------------------------------------------------

fn kv(k: &str, v: &str) -> KeyValue {
    KeyValue {
        key: Some(s(k)),
        value: Some(s(v)),
    }
}

fn alternate(n: i64) -> MirrorMultiAlternate {
    MirrorMultiAlternate {
        dst_region: Some(format!("alt-region-{n}")),
        number: Some(n),
        url: Some(format!("http://alt{n}.example/")),
        vpc_id: Some(format!("alt-vpc-{n}")),
    }
}

/// A redirect with every field set (the booleans alternate so that both spellings show).
fn full_redirect() -> Redirect {
    Redirect {
        redirect_type: Some(s("Mirror")),
        pass_query_string: Some(true),
        replace_key_with: Some(s("replace-key-with")),
        replace_key_prefix_with: Some(s("replace-key-prefix-with")),
        enable_replace_prefix: Some(false),
        protocol: Some(s("https")),
        host_name: Some(s("host-name")),
        http_redirect_code: Some(302),
        mirror_url: Some(s("http://primary.example/")),
        mirror_url_slave: Some(s("http://secondary.example/")),
        mirror_url_probe: Some(s("http://probe.example/")),
        mirror_pass_query_string: Some(false),
        mirror_pass_original_slashes: Some(true),
        mirror_follow_redirect: Some(false),
        mirror_check_md5: Some(true),
        mirror_headers: Some(MirrorHeaders {
            pass_all: Some(true),
            pass: vec![s("pass-1"), s("pass-2")],
            remove: vec![s("remove-1"), s("remove-2")],
            set: vec![kv("set-1", "one"), kv("set-2", "two")],
        }),
        mirror_sni: Some(false),
        mirror_switch_all_errors: Some(true),
        mirror_allow_head_object: Some(false),
        mirror_allow_get_image_info: Some(true),
        mirror_allow_video_snapshot: Some(false),
        mirror_using_role: Some(true),
        mirror_role: Some(s("mirror-role")),
        mirror_auth: Some(MirrorAuth {
            auth_type: Some(s("S3V4")),
            region: Some(s("auth-region")),
            access_key_id: Some(s("access-key-id")),
            access_key_secret: Some(s("access-key-secret")),
        }),
        mirror_save_oss_meta: Some(false),
        mirror_user_last_modified: Some(true),
        mirror_proxy_pass: Some(false),
        mirror_async_status: Some(404),
        mirror_taggings: Some(MirrorTaggings {
            taggings: vec![kv("tag-1", "${key}"), kv("tag-2", "constant")],
        }),
        mirror_return_headers: Some(MirrorReturnHeaders {
            return_headers: vec![kv("return-1", "r1"), kv("return-2", "r2")],
        }),
        transparent_mirror_response_codes: Some(s("400,404")),
        mirror_multi_alternates: Some(MirrorMultiAlternates {
            alternates: vec![alternate(1), alternate(2)],
        }),
        mirror_is_express_tunnel: Some(true),
        mirror_dst_region: Some(s("dst-region")),
        mirror_dst_vpc_id: Some(s("dst-vpc-id")),
        mirror_dst_slave_vpc_id: Some(s("dst-slave-vpc-id")),
        mirror_tunnel_id: Some(s("tunnel-id")),
    }
}

fn full_oss_website() -> WebsiteConfiguration {
    WebsiteConfiguration {
        index_document: Some(IndexDocument {
            suffix: Some(s("index.html")),
            support_sub_dir: Some(true),
            index_type: Some(1),
        }),
        error_document: Some(ErrorDocument {
            key: Some(s("error.html")),
            http_status: Some(404),
        }),
        routing_rules: Some(RoutingRules {
            rules: vec![
                RoutingRule {
                    rule_number: Some(1),
                    condition: Some(Condition {
                        key_prefix_equals: Some(s("prefix/")),
                        key_suffix_equals: Some(s(".jpg")),
                        http_error_code_returned_equals: Some(404),
                        include_headers: vec![
                            IncludeHeader {
                                key: Some(s("header-1")),
                                equals: Some(s("equals")),
                                starts_with: Some(s("starts-with")),
                                ends_with: Some(s("ends-with")),
                            },
                            IncludeHeader {
                                key: Some(s("header-2")),
                                equals: Some(s("value-2")),
                                starts_with: None,
                                ends_with: None,
                            },
                        ],
                    }),
                    redirect: Some(full_redirect()),
                    lua_config: Some(LuaConfig {
                        script: Some(s("script.lua")),
                    }),
                },
                RoutingRule {
                    rule_number: Some(2),
                    condition: None,
                    redirect: Some(Redirect {
                        redirect_type: Some(s("External")),
                        ..Redirect::default()
                    }),
                    lua_config: None,
                },
            ],
        }),
    }
}

#[test]
fn oss_website_configuration() {
    let full = full_oss_website();
    golden(
        &to_xml(&full).unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration>
  <IndexDocument>
    <Suffix>index.html</Suffix>
    <SupportSubDir>true</SupportSubDir>
    <Type>1</Type>
  </IndexDocument>
  <ErrorDocument>
    <Key>error.html</Key>
    <HttpStatus>404</HttpStatus>
  </ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition>
        <KeyPrefixEquals>prefix/</KeyPrefixEquals>
        <KeySuffixEquals>.jpg</KeySuffixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
        <IncludeHeader>
          <Key>header-1</Key>
          <Equals>equals</Equals>
          <StartsWith>starts-with</StartsWith>
          <EndsWith>ends-with</EndsWith>
        </IncludeHeader>
        <IncludeHeader>
          <Key>header-2</Key>
          <Equals>value-2</Equals>
        </IncludeHeader>
      </Condition>
      <Redirect>
        <RedirectType>Mirror</RedirectType>
        <PassQueryString>true</PassQueryString>
        <ReplaceKeyWith>replace-key-with</ReplaceKeyWith>
        <ReplaceKeyPrefixWith>replace-key-prefix-with</ReplaceKeyPrefixWith>
        <EnableReplacePrefix>false</EnableReplacePrefix>
        <Protocol>https</Protocol>
        <HostName>host-name</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <MirrorURL>http://primary.example/</MirrorURL>
        <MirrorURLSlave>http://secondary.example/</MirrorURLSlave>
        <MirrorURLProbe>http://probe.example/</MirrorURLProbe>
        <MirrorPassQueryString>false</MirrorPassQueryString>
        <MirrorPassOriginalSlashes>true</MirrorPassOriginalSlashes>
        <MirrorFollowRedirect>false</MirrorFollowRedirect>
        <MirrorCheckMd5>true</MirrorCheckMd5>
        <MirrorHeaders>
          <PassAll>true</PassAll>
          <Pass>pass-1</Pass>
          <Pass>pass-2</Pass>
          <Remove>remove-1</Remove>
          <Remove>remove-2</Remove>
          <Set>
            <Key>set-1</Key>
            <Value>one</Value>
          </Set>
          <Set>
            <Key>set-2</Key>
            <Value>two</Value>
          </Set>
        </MirrorHeaders>
        <MirrorSNI>false</MirrorSNI>
        <MirrorSwitchAllErrors>true</MirrorSwitchAllErrors>
        <MirrorAllowHeadObject>false</MirrorAllowHeadObject>
        <MirrorAllowGetImageInfo>true</MirrorAllowGetImageInfo>
        <MirrorAllowVideoSnapshot>false</MirrorAllowVideoSnapshot>
        <MirrorUsingRole>true</MirrorUsingRole>
        <MirrorRole>mirror-role</MirrorRole>
        <MirrorAuth>
          <AuthType>S3V4</AuthType>
          <Region>auth-region</Region>
          <AccessKeyId>access-key-id</AccessKeyId>
          <AccessKeySecret>access-key-secret</AccessKeySecret>
        </MirrorAuth>
        <MirrorSaveOssMeta>false</MirrorSaveOssMeta>
        <MirrorUserLastModified>true</MirrorUserLastModified>
        <MirrorProxyPass>false</MirrorProxyPass>
        <MirrorAsyncStatus>404</MirrorAsyncStatus>
        <MirrorTaggings>
          <Taggings>
            <Key>tag-1</Key>
            <Value>${key}</Value>
          </Taggings>
          <Taggings>
            <Key>tag-2</Key>
            <Value>constant</Value>
          </Taggings>
        </MirrorTaggings>
        <MirrorReturnHeaders>
          <ReturnHeader>
            <Key>return-1</Key>
            <Value>r1</Value>
          </ReturnHeader>
          <ReturnHeader>
            <Key>return-2</Key>
            <Value>r2</Value>
          </ReturnHeader>
        </MirrorReturnHeaders>
        <TransparentMirrorResponseCodes>400,404</TransparentMirrorResponseCodes>
        <MirrorMultiAlternates>
          <MirrorMultiAlternate>
            <MirrorMultiAlternateDstRegion>alt-region-1</MirrorMultiAlternateDstRegion>
            <MirrorMultiAlternateNumber>1</MirrorMultiAlternateNumber>
            <MirrorMultiAlternateURL>http://alt1.example/</MirrorMultiAlternateURL>
            <MirrorMultiAlternateVpcId>alt-vpc-1</MirrorMultiAlternateVpcId>
          </MirrorMultiAlternate>
          <MirrorMultiAlternate>
            <MirrorMultiAlternateDstRegion>alt-region-2</MirrorMultiAlternateDstRegion>
            <MirrorMultiAlternateNumber>2</MirrorMultiAlternateNumber>
            <MirrorMultiAlternateURL>http://alt2.example/</MirrorMultiAlternateURL>
            <MirrorMultiAlternateVpcId>alt-vpc-2</MirrorMultiAlternateVpcId>
          </MirrorMultiAlternate>
        </MirrorMultiAlternates>
        <MirrorIsExpressTunnel>true</MirrorIsExpressTunnel>
        <MirrorDstRegion>dst-region</MirrorDstRegion>
        <MirrorDstVpcId>dst-vpc-id</MirrorDstVpcId>
        <MirrorDstSlaveVpcId>dst-slave-vpc-id</MirrorDstSlaveVpcId>
        <MirrorTunnelId>tunnel-id</MirrorTunnelId>
      </Redirect>
      <LuaConfig>
        <Script>script.lua</Script>
      </LuaConfig>
    </RoutingRule>
    <RoutingRule>
      <RuleNumber>2</RuleNumber>
      <Redirect>
        <RedirectType>External</RedirectType>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#,
    );
    // The GetBucketWebsite form: Condition filled in, PassQueryString mirrored, secret masked.
    golden(
        &full.to_response_xml().unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration>
  <IndexDocument>
    <Suffix>index.html</Suffix>
    <SupportSubDir>true</SupportSubDir>
    <Type>1</Type>
  </IndexDocument>
  <ErrorDocument>
    <Key>error.html</Key>
    <HttpStatus>404</HttpStatus>
  </ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition>
        <KeyPrefixEquals>prefix/</KeyPrefixEquals>
        <KeySuffixEquals>.jpg</KeySuffixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
        <IncludeHeader>
          <Key>header-1</Key>
          <Equals>equals</Equals>
          <StartsWith>starts-with</StartsWith>
          <EndsWith>ends-with</EndsWith>
        </IncludeHeader>
        <IncludeHeader>
          <Key>header-2</Key>
          <Equals>value-2</Equals>
        </IncludeHeader>
      </Condition>
      <Redirect>
        <RedirectType>Mirror</RedirectType>
        <PassQueryString>false</PassQueryString>
        <ReplaceKeyWith>replace-key-with</ReplaceKeyWith>
        <ReplaceKeyPrefixWith>replace-key-prefix-with</ReplaceKeyPrefixWith>
        <EnableReplacePrefix>false</EnableReplacePrefix>
        <Protocol>https</Protocol>
        <HostName>host-name</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <MirrorURL>http://primary.example/</MirrorURL>
        <MirrorURLSlave>http://secondary.example/</MirrorURLSlave>
        <MirrorURLProbe>http://probe.example/</MirrorURLProbe>
        <MirrorPassQueryString>false</MirrorPassQueryString>
        <MirrorPassOriginalSlashes>true</MirrorPassOriginalSlashes>
        <MirrorFollowRedirect>false</MirrorFollowRedirect>
        <MirrorCheckMd5>true</MirrorCheckMd5>
        <MirrorHeaders>
          <PassAll>true</PassAll>
          <Pass>pass-1</Pass>
          <Pass>pass-2</Pass>
          <Remove>remove-1</Remove>
          <Remove>remove-2</Remove>
          <Set>
            <Key>set-1</Key>
            <Value>one</Value>
          </Set>
          <Set>
            <Key>set-2</Key>
            <Value>two</Value>
          </Set>
        </MirrorHeaders>
        <MirrorSNI>false</MirrorSNI>
        <MirrorSwitchAllErrors>true</MirrorSwitchAllErrors>
        <MirrorAllowHeadObject>false</MirrorAllowHeadObject>
        <MirrorAllowGetImageInfo>true</MirrorAllowGetImageInfo>
        <MirrorAllowVideoSnapshot>false</MirrorAllowVideoSnapshot>
        <MirrorUsingRole>true</MirrorUsingRole>
        <MirrorRole>mirror-role</MirrorRole>
        <MirrorAuth>
          <AuthType>S3V4</AuthType>
          <Region>auth-region</Region>
          <AccessKeyId>access-key-id</AccessKeyId>
          <AccessKeySecret>******</AccessKeySecret>
        </MirrorAuth>
        <MirrorSaveOssMeta>false</MirrorSaveOssMeta>
        <MirrorUserLastModified>true</MirrorUserLastModified>
        <MirrorProxyPass>false</MirrorProxyPass>
        <MirrorAsyncStatus>404</MirrorAsyncStatus>
        <MirrorTaggings>
          <Taggings>
            <Key>tag-1</Key>
            <Value>${key}</Value>
          </Taggings>
          <Taggings>
            <Key>tag-2</Key>
            <Value>constant</Value>
          </Taggings>
        </MirrorTaggings>
        <MirrorReturnHeaders>
          <ReturnHeader>
            <Key>return-1</Key>
            <Value>r1</Value>
          </ReturnHeader>
          <ReturnHeader>
            <Key>return-2</Key>
            <Value>r2</Value>
          </ReturnHeader>
        </MirrorReturnHeaders>
        <TransparentMirrorResponseCodes>400,404</TransparentMirrorResponseCodes>
        <MirrorMultiAlternates>
          <MirrorMultiAlternate>
            <MirrorMultiAlternateDstRegion>alt-region-1</MirrorMultiAlternateDstRegion>
            <MirrorMultiAlternateNumber>1</MirrorMultiAlternateNumber>
            <MirrorMultiAlternateURL>http://alt1.example/</MirrorMultiAlternateURL>
            <MirrorMultiAlternateVpcId>alt-vpc-1</MirrorMultiAlternateVpcId>
          </MirrorMultiAlternate>
          <MirrorMultiAlternate>
            <MirrorMultiAlternateDstRegion>alt-region-2</MirrorMultiAlternateDstRegion>
            <MirrorMultiAlternateNumber>2</MirrorMultiAlternateNumber>
            <MirrorMultiAlternateURL>http://alt2.example/</MirrorMultiAlternateURL>
            <MirrorMultiAlternateVpcId>alt-vpc-2</MirrorMultiAlternateVpcId>
          </MirrorMultiAlternate>
        </MirrorMultiAlternates>
        <MirrorIsExpressTunnel>true</MirrorIsExpressTunnel>
        <MirrorDstRegion>dst-region</MirrorDstRegion>
        <MirrorDstVpcId>dst-vpc-id</MirrorDstVpcId>
        <MirrorDstSlaveVpcId>dst-slave-vpc-id</MirrorDstSlaveVpcId>
        <MirrorTunnelId>tunnel-id</MirrorTunnelId>
      </Redirect>
      <LuaConfig>
        <Script>script.lua</Script>
      </LuaConfig>
    </RoutingRule>
    <RoutingRule>
      <RuleNumber>2</RuleNumber>
      <Condition>
        <KeyPrefixEquals/>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>External</RedirectType>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#,
    );
    golden(
        &WebsiteConfiguration::default().to_response_xml().unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration/>"#,
    );
}

#[test]
fn s3_website_configuration() {
    let rules = S3WebsiteConfiguration {
        xmlns: None,
        redirect_all_requests_to: None,
        index_document: Some(S3IndexDocument {
            suffix: Some(s("index.html")),
        }),
        error_document: Some(S3ErrorDocument {
            key: Some(s("error.html")),
        }),
        routing_rules: Some(S3RoutingRules {
            rules: vec![
                S3RoutingRule {
                    condition: Some(S3Condition {
                        http_error_code_returned_equals: Some(404),
                        key_prefix_equals: Some(s("docs/")),
                    }),
                    redirect: Some(S3Redirect {
                        host_name: Some(s("example.com")),
                        http_redirect_code: Some(302),
                        protocol: Some(s("https")),
                        replace_key_prefix_with: Some(s("documents/")),
                        replace_key_with: Some(s("replace-key-with")),
                    }),
                },
                S3RoutingRule {
                    condition: None,
                    redirect: Some(S3Redirect {
                        host_name: Some(s("other.example")),
                        http_redirect_code: None,
                        protocol: None,
                        replace_key_prefix_with: None,
                        replace_key_with: None,
                    }),
                },
            ],
        }),
    };
    golden(
        &rules.to_response_xml().unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <IndexDocument>
    <Suffix>index.html</Suffix>
  </IndexDocument>
  <ErrorDocument>
    <Key>error.html</Key>
  </ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <Condition>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
        <KeyPrefixEquals>docs/</KeyPrefixEquals>
      </Condition>
      <Redirect>
        <HostName>example.com</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <Protocol>https</Protocol>
        <ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith>
        <ReplaceKeyWith>replace-key-with</ReplaceKeyWith>
      </Redirect>
    </RoutingRule>
    <RoutingRule>
      <Redirect>
        <HostName>other.example</HostName>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#,
    );
    let redirect_all = S3WebsiteConfiguration {
        xmlns: Some(s("urn:ignored-on-output")),
        redirect_all_requests_to: Some(S3RedirectAllRequestsTo {
            host_name: Some(s("example.com")),
            protocol: Some(s("https")),
        }),
        index_document: None,
        error_document: None,
        routing_rules: None,
    };
    golden(
        &redirect_all.to_response_xml().unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <RedirectAllRequestsTo>
    <HostName>example.com</HostName>
    <Protocol>https</Protocol>
  </RedirectAllRequestsTo>
</WebsiteConfiguration>"#,
    );
    // Through `to_xml` the stored namespace is kept as it is.
    golden(
        &to_xml(&redirect_all).unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WebsiteConfiguration xmlns="urn:ignored-on-output">
  <RedirectAllRequestsTo>
    <HostName>example.com</HostName>
    <Protocol>https</Protocol>
  </RedirectAllRequestsTo>
</WebsiteConfiguration>"#,
    );
}
