"""oss2 (OSS dialect, V1 signatures by default) against ossemu."""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import oss2
import pytest


def test_object_crud_and_metadata(oss2_bucket):
    b = oss2_bucket
    body = b"hello from oss2"
    r = b.put_object("dir/obj.txt", body, headers={"x-oss-meta-colour": "red", "Content-Type": "text/plain"})
    assert r.etag == hashlib.md5(body).hexdigest().upper()
    assert r.crc is not None
    got = b.get_object("dir/obj.txt")
    assert got.read() == body  # oss2 verifies x-oss-hash-crc64ecma here
    assert got.headers["x-oss-meta-colour"] == "red"
    assert got.content_type == "text/plain"
    head = b.head_object("dir/obj.txt")
    assert head.content_length == len(body)
    assert head.object_type == "Normal"
    meta = b.get_object_meta("dir/obj.txt")
    assert meta.content_length == len(body)
    assert meta.etag == r.etag
    assert b.object_exists("dir/obj.txt")
    b.delete_object("dir/obj.txt")
    assert not b.object_exists("dir/obj.txt")
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object("dir/obj.txt")


def test_range_and_conditional(oss2_bucket):
    b = oss2_bucket
    b.put_object("r", b"0123456789")
    assert b.get_object("r", byte_range=(2, 5)).read() == b"2345"
    assert b.get_object("r", byte_range=(7, None)).read() == b"789"
    assert b.get_object("r", byte_range=(None, 3)).read() == b"789"
    etag = b.head_object("r").etag
    with pytest.raises(oss2.exceptions.NotModified):
        b.get_object("r", headers={"If-None-Match": '"%s"' % etag})
    with pytest.raises(oss2.exceptions.PreconditionFailed):
        b.get_object("r", headers={"If-Match": '"0000"'})


def test_copy_and_batch_delete(oss2_bucket):
    b = oss2_bucket
    b.put_object("src", b"copy me", headers={"x-oss-meta-k": "v"})
    b.copy_object(b.bucket_name, "src", "dst")
    got = b.get_object("dst")
    assert got.read() == b"copy me"
    assert got.headers["x-oss-meta-k"] == "v"
    b.copy_object(b.bucket_name, "src", "dst2",
                  headers={"x-oss-metadata-directive": "REPLACE", "x-oss-meta-z": "1"})
    assert b.head_object("dst2").headers.get("x-oss-meta-z") == "1"
    r = b.batch_delete_objects(["src", "dst", "dst2", "ghost"])
    assert sorted(r.deleted_keys) == ["dst", "dst2", "ghost", "src"]
    assert list(oss2.ObjectIterator(b)) == []


def test_listing_and_pagination_over_1500_keys(oss2_bucket):
    b = oss2_bucket
    keys = [f"p{i % 3}/k{i:05d}" for i in range(1500)] + ["top1", "top2", "sp ace+plus"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: b.put_object(k, b""), keys))
    assert [o.key for o in oss2.ObjectIterator(b, max_keys=400)] == sorted(keys)
    assert [o.key for o in oss2.ObjectIteratorV2(b, max_keys=250)] == sorted(keys)
    top = list(oss2.ObjectIterator(b, delimiter="/", max_keys=2))
    assert [o.key for o in top] == ["p0/", "p1/", "p2/", "sp ace+plus", "top1", "top2"]
    assert [o.is_prefix() for o in top] == [True, True, True, False, False, False]
    r = b.list_objects_v2(prefix="p2/", max_keys=5, start_after="p2/k00005")
    assert [o.key for o in r.object_list] == [f"p2/k{i:05d}" for i in (8, 11, 14, 17, 20)]
    assert r.is_truncated


def test_bucket_info_location_and_listing(server, oss2_bucket):
    b = oss2_bucket
    info = b.get_bucket_info()
    assert info.name == b.bucket_name
    assert info.acl.grant == "private"
    assert info.location == "oss-cn-hangzhou"
    assert info.extranet_endpoint == server.addr
    assert b.get_bucket_location().location == "oss-cn-hangzhou"
    service = oss2.Service(oss2.Auth("ossemu", "ossemu-secret"), server.endpoint)
    names = [x.name for x in oss2.BucketIterator(service, prefix=b.bucket_name)]
    assert names == [b.bucket_name]
    b.put_object("x", b"1")
    with pytest.raises(oss2.exceptions.BucketNotEmpty):
        b.delete_bucket()
    b.delete_object("x")
    b.delete_bucket()
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        b.get_bucket_info()


def test_bad_content_md5_is_refused(oss2_bucket):
    b = oss2_bucket
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("m", b"data", headers={"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="})
    assert e.value.status == 400 and e.value.code == "InvalidDigest"
    assert not b.object_exists("m")


def test_object_tagging(oss2_bucket):
    b = oss2_bucket
    b.put_object("t", b"x", headers={"x-oss-tagging": "a=1&b=2"})
    assert b.get_object_tagging("t").tag_set.tagging_rule == {"a": "1", "b": "2"}
    rule = oss2.models.TaggingRule()
    rule.add("env", "prod")
    b.put_object_tagging("t", oss2.models.Tagging(rule))
    assert b.get_object_tagging("t").tag_set.tagging_rule == {"env": "prod"}
    assert b.head_object("t").headers["x-oss-tagging-count"] == "1"
    b.delete_object_tagging("t")
    assert b.get_object_tagging("t").tag_set.tagging_rule == {}
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object_tagging("missing")


def test_bucket_tagging(oss2_bucket):
    b = oss2_bucket
    assert b.get_bucket_tagging().tag_set.tagging_rule == {}
    rule = oss2.models.TaggingRule()
    rule.add("owner", "team-a")
    rule.add("tmp", "1")
    b.put_bucket_tagging(oss2.models.Tagging(rule))
    assert b.get_bucket_tagging().tag_set.tagging_rule == {"owner": "team-a", "tmp": "1"}
    b.delete_bucket_tagging(params={"tagging": "tmp"})
    assert b.get_bucket_tagging().tag_set.tagging_rule == {"owner": "team-a"}
    b.delete_bucket_tagging()
    assert b.get_bucket_tagging().tag_set.tagging_rule == {}
