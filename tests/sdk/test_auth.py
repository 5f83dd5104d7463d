"""Signatures with real clients: right and wrong secrets, every signature version, presigned
URLs before and after expiry, and ACLs seen through a second credential and anonymously."""

import datetime
import time

import alibabacloud_oss_v2 as oss
import oss2
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import AK, ALT_AK, ALT_SK, SK, s3_client


def v2(server, sk=SK, version=None, ak=AK):
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(ak, sk)
    cfg.region = "cn-hangzhou"
    cfg.endpoint = server.endpoint
    cfg.use_path_style = True
    cfg.retry_max_attempts = 1
    if version:
        cfg.signature_version = version
    return oss.Client(cfg)


def v2_code(exc):
    return exc.unwrap().code


@pytest.mark.parametrize("auth_version", ["v1", "v4"])
def test_oss2_signatures(server, bucket_name, auth_version):
    if auth_version == "v4":
        auth = oss2.AuthV4(AK, SK)
        bad = oss2.AuthV4(AK, "wrong")
    else:
        auth, bad = oss2.Auth(AK, SK), oss2.Auth(AK, "wrong")
    b = oss2.Bucket(auth, server.endpoint, bucket_name, region="cn-hangzhou")
    b.create_bucket()
    b.put_object("dir/a b+c~.txt", b"signed")
    assert b.get_object("dir/a b+c~.txt").read() == b"signed"
    b.put_object_acl("dir/a b+c~.txt", oss2.OBJECT_ACL_PUBLIC_READ)
    assert b.get_object_acl("dir/a b+c~.txt").acl == "public-read"
    assert [o.key for o in oss2.ObjectIterator(b, prefix="dir/")] == ["dir/a b+c~.txt"]
    wrong = oss2.Bucket(bad, server.endpoint, bucket_name, region="cn-hangzhou")
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch):
        wrong.get_object("dir/a b+c~.txt")
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch):
        wrong.put_object("x", b"no")
    assert not b.object_exists("x")


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_oss_v2_signatures(server, bucket_name, version):
    c = v2(server, version=version)
    c.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    c.put_object(oss.PutObjectRequest(bucket=bucket_name, key="k/é", body=b"v2"))
    assert c.get_object(oss.GetObjectRequest(bucket=bucket_name, key="k/é")).body.read() == b"v2"
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2(server, sk="wrong", version=version).get_object(oss.GetObjectRequest(bucket=bucket_name, key="k/é"))
    assert v2_code(e.value) == "SignatureDoesNotMatch"
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2(server, ak="nobody", version=version).get_object(oss.GetObjectRequest(bucket=bucket_name, key="k/é"))
    assert v2_code(e.value) == "InvalidAccessKeyId"


@pytest.mark.parametrize("when_required", [False, True])
def test_boto3_wrong_secret(server, bucket_name, when_required):
    s3_client(server, when_required).create_bucket(Bucket=bucket_name)
    bad = s3_client(server, when_required, sk="wrong")
    with pytest.raises(ClientError) as e:
        bad.put_object(Bucket=bucket_name, Key="x", Body=b"no")
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as e:
        bad.list_objects_v2(Bucket=bucket_name)
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert s3_client(server).list_objects_v2(Bucket=bucket_name)["KeyCount"] == 0


def test_boto3_sigv2(server, bucket_name):
    import boto3
    from botocore.config import Config

    def client(sk):
        return boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=AK,
                            aws_secret_access_key=sk, region_name="us-east-1",
                            config=Config(signature_version="s3", s3={"addressing_style": "path"},
                                          retries={"max_attempts": 1}))

    c = client(SK)
    c.create_bucket(Bucket=bucket_name)
    c.put_object(Bucket=bucket_name, Key="v2 key", Body=b"sigv2", Metadata={"m": "1"})
    assert c.get_object(Bucket=bucket_name, Key="v2 key")["Body"].read() == b"sigv2"
    assert c.list_objects(Bucket=bucket_name)["Contents"][0]["Key"] == "v2 key"
    with pytest.raises(ClientError) as e:
        client("wrong").get_object(Bucket=bucket_name, Key="v2 key")
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_presigned_urls(server, bucket_name):
    b = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, bucket_name)
    b.create_bucket()
    b.put_object("p.txt", b"presigned")
    s3 = s3_client(server)
    c = v2(server)

    # Valid URLs work with plain HTTP and no other credentials.
    urls = [
        b.sign_url("GET", "p.txt", 300),
        oss2.Bucket(oss2.AuthV4(AK, SK), server.endpoint, bucket_name, region="cn-hangzhou").sign_url("GET", "p.txt", 300),
        c.presign(oss.GetObjectRequest(bucket=bucket_name, key="p.txt"), expires=datetime.timedelta(seconds=300)).url,
        s3.generate_presigned_url("get_object", Params={"Bucket": bucket_name, "Key": "p.txt"}, ExpiresIn=300),
    ]
    for url in urls:
        r = requests.get(url)
        assert r.status_code == 200, (url, r.text)
        assert r.content == b"presigned"

    # Presigned PUTs.
    put_oss2 = b.sign_url("PUT", "up-oss2", 300)
    assert requests.put(put_oss2, data=b"from oss2 url").status_code == 200
    put_v2 = c.presign(oss.PutObjectRequest(bucket=bucket_name, key="up-v2"), expires=datetime.timedelta(seconds=300))
    assert requests.put(put_v2.url, data=b"from v2 url", headers=put_v2.signed_headers).status_code == 200
    put_s3 = s3.generate_presigned_url("put_object", Params={"Bucket": bucket_name, "Key": "up-s3"}, ExpiresIn=300)
    assert requests.put(put_s3, data=b"from boto3 url").status_code == 200
    assert b.get_object("up-oss2").read() == b"from oss2 url"
    assert b.get_object("up-v2").read() == b"from v2 url"
    assert b.get_object("up-s3").read() == b"from boto3 url"

    # A tampered signature is refused.
    bad = urls[0].replace("Signature=", "Signature=x")
    assert requests.get(bad).status_code == 403

    # Expired URLs are refused with AccessDenied.
    short = [
        b.sign_url("GET", "p.txt", 2),
        s3.generate_presigned_url("get_object", Params={"Bucket": bucket_name, "Key": "p.txt"}, ExpiresIn=2),
        c.presign(oss.GetObjectRequest(bucket=bucket_name, key="p.txt"), expires=datetime.timedelta(seconds=3)).url,
    ]
    for url in short:
        assert requests.get(url).status_code == 200, url
    time.sleep(4)
    for url in short:
        r = requests.get(url)
        assert r.status_code == 403, (url, r.text)
        assert "<Code>AccessDenied</Code>" in r.text


def test_acls_through_clients(server, bucket_name):
    owner = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, bucket_name)
    alt = oss2.Bucket(oss2.Auth(ALT_AK, ALT_SK), server.endpoint, bucket_name)
    anon = oss2.Bucket(oss2.AnonymousAuth(), server.endpoint, bucket_name)
    owner.create_bucket(oss2.BUCKET_ACL_PRIVATE)
    owner.put_object("o", b"owned")
    for who in (alt, anon):
        with pytest.raises(oss2.exceptions.AccessDenied):
            who.get_object("o")
        with pytest.raises(oss2.exceptions.AccessDenied):
            who.get_object("missing")  # 403, not 404: they may not list
        with pytest.raises(oss2.exceptions.AccessDenied):
            who.put_object("w", b"x")
    owner.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
    assert owner.get_bucket_acl().acl == "public-read"
    assert anon.get_object("o").read() == b"owned"
    with pytest.raises(oss2.exceptions.NoSuchKey):
        anon.get_object("missing")
    with pytest.raises(oss2.exceptions.AccessDenied):
        alt.put_object("w", b"x")
    with pytest.raises(oss2.exceptions.AccessDenied):
        alt.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ_WRITE)
    owner.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ_WRITE)
    alt.put_object("w", b"by alt")
    assert owner.get_object("w").read() == b"by alt"
    # The second credential is a distinct owner: it does not see the bucket in its list.
    service = oss2.Service(oss2.Auth(ALT_AK, ALT_SK), server.endpoint)
    assert bucket_name not in [x.name for x in oss2.BucketIterator(service)]


def test_oss2_object_acl_public_read_write_opens_the_object(server, bucket_name):
    """OSS: an object whose ACL is public-read-write may be written by anyone, even in a private
    bucket; its neighbours stay closed."""
    owner = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, bucket_name)
    anon = oss2.Bucket(oss2.AnonymousAuth(), server.endpoint, bucket_name)
    owner.create_bucket(oss2.BUCKET_ACL_PRIVATE)
    owner.put_object("board.txt", b"v1", headers={"x-oss-object-acl": oss2.OBJECT_ACL_PUBLIC_READ_WRITE})
    assert owner.get_object_acl("board.txt").acl == "public-read-write"
    assert anon.put_object("board.txt", b"v2").status == 200
    assert owner.get_object("board.txt").read() == b"v2"
    with pytest.raises(oss2.exceptions.AccessDenied):
        anon.put_object("other.txt", b"x")
    owner.put_object_acl("board.txt", oss2.OBJECT_ACL_PUBLIC_READ_WRITE)
    assert anon.delete_object("board.txt").status == 204
    assert not owner.object_exists("board.txt")
