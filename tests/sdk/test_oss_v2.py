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


def test_v4_signing_region_must_be_the_servers(server, v2_client, bucket_name):
    """OSS V4 signs for one region: ossemu's (cn-hangzhou by default). A client set to another
    region, or none, is refused as OSS refuses it; oss2's V4 presigned URL with no region
    too."""
    import alibabacloud_oss_v2 as oss
    import oss2

    v2_client.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider("ossemu", "ossemu-secret")
    cfg.region = "cn-beijing"
    cfg.endpoint = server.endpoint
    cfg.use_path_style = True
    cfg.retry_max_attempts = 1
    other = oss.Client(cfg)
    with pytest.raises(oss.exceptions.OperationError) as e:
        other.put_object(oss.PutObjectRequest(bucket=bucket_name, key="k", body=b"x"))
    err = e.value.unwrap()
    assert err.status_code == 403
    assert err.message == "The signing region in credential is invalid."

    auth = oss2.AuthV4("ossemu", "ossemu-secret")
    no_region = oss2.Bucket(auth, server.endpoint, bucket_name)
    url = no_region.sign_url("PUT", "v4.txt", 600, slash_safe=True)
    with pytest.raises(oss2.exceptions.ServerError) as e:
        no_region.put_object_with_url(url, b"Hello OSS")
    assert e.value.status == 403
    assert e.value.message == "The signing region in credential is invalid."

    with_region = oss2.Bucket(auth, server.endpoint, bucket_name, region="cn-hangzhou")
    url = with_region.sign_url("PUT", "v4.txt", 600, slash_safe=True)
    assert with_region.put_object_with_url(url, b"Hello OSS").status == 200
