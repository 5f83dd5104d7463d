"""Lifecycle rules through real clients (boto3, oss2), run by ossemu's clock endpoint."""

import datetime
import json
import urllib.request

import oss2
import pytest
from botocore.exceptions import ClientError


def run_lifecycle(server, days):
    """POST /_ossemu/lifecycle/run as of `days` from now; the JSON report by bucket."""
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    url = f"{server.endpoint}/_ossemu/lifecycle/run?at={at.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    with urllib.request.urlopen(urllib.request.Request(url, method="POST")) as r:
        assert r.status == 200
        return {b["bucket"]: b for b in json.load(r)["buckets"]}


def test_boto3_rules_expire_and_archive(s3, server, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key="tmp/a", Body=b"short-lived")
    s3.put_object(Bucket=bucket_name, Key="arch/b", Body=b"for the archive")
    rules = [
        {"ID": "tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled",
         "Expiration": {"Days": 1}},
        {"ID": "arch", "Filter": {"Prefix": "arch/"}, "Status": "Enabled",
         "Transitions": [{"Days": 3, "StorageClass": "GLACIER"}]},
    ]
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket_name, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)["Rules"]
    assert [r["ID"] for r in got] == ["tmp", "arch"]
    assert got[1]["Transitions"] == [{"Days": 3, "StorageClass": "GLACIER"}]
    head = s3.head_object(Bucket=bucket_name, Key="tmp/a")
    assert head["Expiration"].endswith('rule-id="tmp"')

    assert run_lifecycle(server, 4)[bucket_name] == {
        "bucket": bucket_name, "expired": 1, "transitioned": 1, "aborted": 0}
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket_name, Key="tmp/a")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert s3.head_object(Bucket=bucket_name, Key="arch/b")["StorageClass"] == "GLACIER"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="arch/b")
    assert e.value.response["Error"]["Code"] == "InvalidObjectState"

    bad = [{"ID": "x", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}}]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket_name, LifecycleConfiguration={"Rules": bad})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    s3.delete_bucket_lifecycle(Bucket=bucket_name)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)
    assert e.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"


def test_oss2_rules_transition_then_expire(server, oss2_bucket):
    b = oss2_bucket
    b.put_object("logs/a.log", b"x" * 100)
    rule = oss2.models.LifecycleRule(
        "logs", "logs/", status=oss2.models.LifecycleRule.ENABLED,
        expiration=oss2.models.LifecycleExpiration(days=5),
        storage_transitions=[oss2.models.StorageTransition(
            days=2, storage_class=oss2.BUCKET_STORAGE_CLASS_IA)])
    b.put_bucket_lifecycle(oss2.models.BucketLifecycle([rule]))
    got = b.get_bucket_lifecycle().rules[0]
    assert (got.id, got.prefix, got.expiration.days) == ("logs", "logs/", 5)
    assert got.storage_transitions[0].storage_class == "IA"

    assert run_lifecycle(server, 3)[b.bucket_name]["transitioned"] == 1
    head = b.head_object("logs/a.log")
    assert head.headers["x-oss-storage-class"] == "IA"
    assert b.get_object("logs/a.log").read() == b"x" * 100
    assert run_lifecycle(server, 6)[b.bucket_name]["expired"] == 1
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object("logs/a.log")
    b.delete_bucket_lifecycle()
    with pytest.raises(oss2.exceptions.NoSuchLifecycle):
        b.get_bucket_lifecycle()
