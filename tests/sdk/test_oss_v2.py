"""alibabacloud-oss-v2 (OSS dialect, V4 signatures) against ossemu."""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import alibabacloud_oss_v2 as oss
import pytest


def service_code(exc):
    err = exc.unwrap() if hasattr(exc, "unwrap") else exc
    return getattr(err, "code", None)


def test_crud_metadata_range_copy_delete(v2_client, bucket_name):
    c = v2_client
    c.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    body = b"hello from alibabacloud-oss-v2"
    r = c.put_object(oss.PutObjectRequest(bucket=bucket_name, key="a/b.txt", body=body,
                                          metadata={"colour": "red"}, content_type="text/plain"))
    assert r.etag.strip('"') == hashlib.md5(body).hexdigest().upper()
    head = c.head_object(oss.HeadObjectRequest(bucket=bucket_name, key="a/b.txt"))
    assert head.content_length == len(body)
    assert head.metadata == {"colour": "red"}
    assert head.content_type == "text/plain"
    got = c.get_object(oss.GetObjectRequest(bucket=bucket_name, key="a/b.txt"))
    assert got.body.read() == body
    part = c.get_object(oss.GetObjectRequest(bucket=bucket_name, key="a/b.txt", range_header="bytes=0-4"))
    assert part.body.read() == b"hello"
    assert part.content_range == f"bytes 0-4/{len(body)}"
    c.copy_object(oss.CopyObjectRequest(bucket=bucket_name, key="copy", source_bucket=bucket_name, source_key="a/b.txt"))
    assert c.get_object(oss.GetObjectRequest(bucket=bucket_name, key="copy")).body.read() == body
    d = c.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
        bucket=bucket_name, objects=[oss.DeleteObject(key="a/b.txt"), oss.DeleteObject(key="copy")]))
    assert sorted(o.key for o in d.deleted_objects) == ["a/b.txt", "copy"]
    with pytest.raises(oss.exceptions.OperationError) as e:
        c.get_object(oss.GetObjectRequest(bucket=bucket_name, key="a/b.txt"))
    assert service_code(e.value) == "NoSuchKey"
    assert not c.is_object_exist(bucket_name, "copy")
    c.delete_bucket(oss.DeleteBucketRequest(bucket=bucket_name))
    assert not c.is_bucket_exist(bucket_name)


def test_listing_over_1500_keys(v2_client, bucket_name):
    c = v2_client
    c.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    keys = [f"d{i % 2}/k{i:05d}" for i in range(1500)] + ["root"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: c.put_object(oss.PutObjectRequest(bucket=bucket_name, key=k, body=b"")), keys))
    seen = []
    for page in c.list_objects_v2_paginator().iter_page(oss.ListObjectsV2Request(bucket=bucket_name, max_keys=300)):
        seen += [o.key for o in page.contents or []]
    assert seen == sorted(keys)
    seen = []
    for page in c.list_objects_paginator().iter_page(oss.ListObjectsRequest(bucket=bucket_name, max_keys=700)):
        seen += [o.key for o in page.contents or []]
    assert seen == sorted(keys)
    r = c.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket_name, delimiter="/"))
    assert [p.prefix for p in r.common_prefixes] == ["d0/", "d1/"]
    assert [o.key for o in r.contents] == ["root"]


def test_bucket_info_and_conditional(v2_client, bucket_name):
    c = v2_client
    c.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    info = c.get_bucket_info(oss.GetBucketInfoRequest(bucket=bucket_name))
    assert info.bucket_info.name == bucket_name
    c.put_object(oss.PutObjectRequest(bucket=bucket_name, key="k", body=b"v"))
    etag = c.head_object(oss.HeadObjectRequest(bucket=bucket_name, key="k")).etag
    with pytest.raises(oss.exceptions.OperationError) as e:
        c.get_object(oss.GetObjectRequest(bucket=bucket_name, key="k", if_none_match=etag))
    assert "304" in str(e.value)
