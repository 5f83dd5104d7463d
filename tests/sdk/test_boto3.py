"""boto3 against ossemu (S3 dialect), with default checksum settings and `when_required`."""

import datetime
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError


def code(e):
    return e.response["Error"]["Code"]


def test_bucket_and_object_crud(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    s3.head_bucket(Bucket=bucket_name)
    assert bucket_name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    body = b"hello from boto3"
    put = s3.put_object(Bucket=bucket_name, Key="dir/a b+c.txt", Body=body,
                        ContentType="text/plain", Metadata={"colour": "red", "n": "1"},
                        CacheControl="no-cache")
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    head = s3.head_object(Bucket=bucket_name, Key="dir/a b+c.txt")
    assert head["ContentLength"] == len(body)
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"colour": "red", "n": "1"}
    assert head["CacheControl"] == "no-cache"
    got = s3.get_object(Bucket=bucket_name, Key="dir/a b+c.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == put["ETag"]
    s3.delete_object(Bucket=bucket_name, Key="dir/a b+c.txt")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="dir/a b+c.txt")
    assert code(e.value) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket_name, Key="dir/a b+c.txt")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.delete_bucket(Bucket=bucket_name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=bucket_name)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_unicode_and_odd_keys(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    keys = ["中文/文件.txt", "a%2Fb", "sp ace", "plus+sign", "q?uestion", "hash#tag", "tilde~"]
    for k in keys:
        s3.put_object(Bucket=bucket_name, Key=k, Body=k.encode())
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket_name)["Contents"]]
    assert sorted(listed) == sorted(keys)
    for k in keys:
        assert s3.get_object(Bucket=bucket_name, Key=k)["Body"].read() == k.encode()


def test_range_and_conditionals(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key="r", Body=b"0123456789")
    r = s3.get_object(Bucket=bucket_name, Key="r", Range="bytes=2-5")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert r["ContentRange"] == "bytes 2-5/10"
    assert r["Body"].read() == b"2345"
    etag = s3.head_object(Bucket=bucket_name, Key="r")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="r", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="r", IfMatch='"nope"')
    assert code(e.value) == "PreconditionFailed"
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="r", IfModifiedSince=future)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="r", Range="bytes=100-200")
    assert code(e.value) == "InvalidRange"


def test_copy_and_batch_delete(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key="src", Body=b"copy me", Metadata={"k": "v"})
    s3.copy_object(Bucket=bucket_name, Key="dst", CopySource={"Bucket": bucket_name, "Key": "src"})
    got = s3.get_object(Bucket=bucket_name, Key="dst")
    assert got["Body"].read() == b"copy me"
    assert got["Metadata"] == {"k": "v"}
    s3.copy_object(Bucket=bucket_name, Key="dst2", CopySource=f"{bucket_name}/src",
                   MetadataDirective="REPLACE", Metadata={"z": "1"}, ContentType="text/x")
    head = s3.head_object(Bucket=bucket_name, Key="dst2")
    assert head["Metadata"] == {"z": "1"}
    assert head["ContentType"] == "text/x"
    r = s3.delete_objects(Bucket=bucket_name, Delete={"Objects": [{"Key": k} for k in ["src", "dst", "ghost"]]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["dst", "ghost", "src"]
    r = s3.delete_objects(Bucket=bucket_name, Delete={"Objects": [{"Key": "dst2"}], "Quiet": True})
    assert "Deleted" not in r
    assert s3.list_objects_v2(Bucket=bucket_name)["KeyCount"] == 0


def test_listing_and_pagination_over_1500_keys(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    keys = [f"p{i % 3}/k{i:05d}" for i in range(1500)] + ["top1", "top2"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket_name, Key=k, Body=b""), keys))
    seen = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket_name, PaginationConfig={"PageSize": 400}):
        seen += [o["Key"] for o in page.get("Contents", [])]
    assert seen == sorted(keys)
    seen = []
    for page in s3.get_paginator("list_objects").paginate(Bucket=bucket_name, PaginationConfig={"PageSize": 333}):
        seen += [o["Key"] for o in page.get("Contents", [])]
    assert seen == sorted(keys)
    r = s3.list_objects_v2(Bucket=bucket_name, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["p0/", "p1/", "p2/"]
    assert [o["Key"] for o in r["Contents"]] == ["top1", "top2"]
    r = s3.list_objects_v2(Bucket=bucket_name, Prefix="p1/", MaxKeys=10, StartAfter="p1/k00100")
    assert r["Contents"][0]["Key"] == "p1/k00103"
    assert r["IsTruncated"] is True
    prefixes = []
    for page in s3.get_paginator("list_objects").paginate(Bucket=bucket_name, Delimiter="/", PaginationConfig={"PageSize": 1}):
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert prefixes == ["p0/", "p1/", "p2/"]


def test_upload_and_download_file(s3, bucket_name, tmp_path):
    s3.create_bucket(Bucket=bucket_name)
    src = tmp_path / "up.bin"
    data = bytes(range(256)) * 4096  # 1 MiB, below the multipart threshold
    src.write_bytes(data)
    s3.upload_file(str(src), bucket_name, "up.bin")
    assert s3.head_object(Bucket=bucket_name, Key="up.bin")["ContentLength"] == len(data)
    dst = tmp_path / "down.bin"
    s3.download_file(bucket_name, "up.bin", str(dst))
    assert dst.read_bytes() == data


def test_errors_are_s3_shaped(s3, bucket_name):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="k")
    assert code(e.value) == "NoSuchBucket"
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="Bad_Name")
    assert code(e.value) == "InvalidBucketName"
    s3.create_bucket(Bucket=bucket_name)
    # us-east-1 (no LocationConstraint): re-creating your own bucket succeeds ...
    s3.create_bucket(Bucket=bucket_name)
    # ... elsewhere it is BucketAlreadyOwnedByYou.
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(e.value) == "BucketAlreadyOwnedByYou"
    s3.put_object(Bucket=bucket_name, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket_name)
    assert code(e.value) == "BucketNotEmpty"


def test_object_tagging(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
    got = s3.get_object_tagging(Bucket=bucket_name, Key="t")["TagSet"]
    assert got == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "two words"}]
    assert s3.head_object(Bucket=bucket_name, Key="t")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    s3.put_object_tagging(Bucket=bucket_name, Key="t", Tagging={"TagSet": [{"Key": "env", "Value": ""}]})
    assert s3.get_object_tagging(Bucket=bucket_name, Key="t")["TagSet"] == [{"Key": "env", "Value": ""}]
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket_name, Key="t", Tagging={"TagSet": too_many})
    assert code(e.value) == "InvalidTag"
    s3.delete_object_tagging(Bucket=bucket_name, Key="t")
    assert s3.get_object_tagging(Bucket=bucket_name, Key="t")["TagSet"] == []
    assert s3.get_object(Bucket=bucket_name, Key="t")["Body"].read() == b"x"


def test_bucket_tagging(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket_name)
    assert code(e.value) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=bucket_name, Tagging={"TagSet": [{"Key": "Hello", "Value": "World"}]})
    assert s3.get_bucket_tagging(Bucket=bucket_name)["TagSet"] == [{"Key": "Hello", "Value": "World"}]
    assert s3.delete_bucket_tagging(Bucket=bucket_name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket_name)
    assert code(e.value) == "NoSuchTagSet"
