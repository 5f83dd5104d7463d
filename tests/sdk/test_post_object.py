"""Browser-style form uploads: boto3's presigned POST (SigV4 policy) and OSS web direct upload
(V1 and V4 policies, as the OSS documentation builds them), sent with requests."""

import base64
import datetime
import hashlib
import hmac
import json

import requests

from conftest import AK, SK, s3_client


def test_boto3_presigned_post(server, bucket_name):
    s3 = s3_client(server)
    s3.create_bucket(Bucket=bucket_name)
    post = s3.generate_presigned_post(bucket_name, "uploads/${filename}",
                                      Fields={"Content-Type": "text/plain"},
                                      Conditions=[["starts-with", "$key", "uploads/"],
                                                  {"Content-Type": "text/plain"},
                                                  ["content-length-range", 1, 1024]],
                                      ExpiresIn=300)
    r = requests.post(post["url"], data=post["fields"], files={"file": ("hello.txt", b"hi from a form")})
    assert r.status_code == 204, r.text
    got = s3.get_object(Bucket=bucket_name, Key="uploads/hello.txt")
    assert got["Body"].read() == b"hi from a form"
    assert got["ContentType"] == "text/plain"
    # Over the size the policy allows.
    r = requests.post(post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 2000)})
    assert r.status_code == 400 and "<Code>EntityTooLarge</Code>" in r.text


def oss_v4_post(server, bucket, key, body, secret=SK):
    now = datetime.datetime.now(datetime.timezone.utc)
    date, stamp = now.strftime("%Y%m%d"), now.strftime("%Y%m%dT%H%M%SZ")
    credential = f"{AK}/{date}/cn-hangzhou/oss/aliyun_v4_request"
    policy = {
        "expiration": (now + datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conditions": [{"bucket": bucket}, {"x-oss-signature-version": "OSS4-HMAC-SHA256"},
                       {"x-oss-credential": credential}, {"x-oss-date": stamp},
                       ["content-length-range", 1, 1 << 20]],
    }
    p = base64.b64encode(json.dumps(policy).encode()).decode()

    def h(key_bytes, msg):
        return hmac.new(key_bytes, msg.encode(), hashlib.sha256).digest()

    k = h(("aliyun_v4" + secret).encode(), date)
    for part in ("cn-hangzhou", "oss", "aliyun_v4_request"):
        k = h(k, part)
    signature = hmac.new(k, p.encode(), hashlib.sha256).hexdigest()
    fields = {"key": key, "policy": p, "x-oss-signature-version": "OSS4-HMAC-SHA256",
              "x-oss-credential": credential, "x-oss-date": stamp, "x-oss-signature": signature,
              "success_action_status": "200"}
    return requests.post(f"{server.endpoint}/{bucket}", data=fields, files={"file": ("f.bin", body)})


def test_oss_web_direct_upload_v4(server, oss2_bucket):
    r = oss_v4_post(server, oss2_bucket.bucket_name, "web/v4.bin", b"v4 form body")
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(b"v4 form body").hexdigest().upper()
    assert oss2_bucket.get_object("web/v4.bin").read() == b"v4 form body"
    r = oss_v4_post(server, oss2_bucket.bucket_name, "web/forged.bin", b"x", secret="wrong")
    assert r.status_code == 403 and "SignatureDoesNotMatch" in r.text
    assert not oss2_bucket.object_exists("web/forged.bin")


def test_oss_web_direct_upload_v1(server, oss2_bucket):
    expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    policy = base64.b64encode(json.dumps({"expiration": expiration, "conditions": [
        ["starts-with", "$key", "avatars/"], ["content-length-range", 0, 10240]]}).encode()).decode()
    signature = base64.b64encode(hmac.new(SK.encode(), policy.encode(), hashlib.sha1).digest()).decode()
    r = requests.post(f"{server.endpoint}/{oss2_bucket.bucket_name}",
                      data={"key": "avatars/me.png", "OSSAccessKeyId": AK, "policy": policy,
                            "Signature": signature, "x-oss-object-acl": "public-read",
                            "success_action_status": "201"},
                      files={"file": ("me.png", b"\x89PNG fake")})
    assert r.status_code == 201, r.text
    assert "<Key>avatars/me.png</Key>" in r.text
    # public-read from the form: anonymous readers get it.
    assert requests.get(f"{server.endpoint}/{oss2_bucket.bucket_name}/avatars/me.png").content == b"\x89PNG fake"
