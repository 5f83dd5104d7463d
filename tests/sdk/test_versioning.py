"""Versioning and retention through real clients: boto3 (S3 dialect) and oss2 (OSS dialect)."""

import datetime

import oss2
import pytest
from botocore.exceptions import ClientError


def code(e):
    return e.response["Error"]["Code"]


def test_boto3_versions_markers_and_listing(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket_name)
    s3.put_bucket_versioning(Bucket=bucket_name, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket_name)["Status"] == "Enabled"
    v1 = s3.put_object(Bucket=bucket_name, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket_name, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2
    got = s3.get_object(Bucket=bucket_name, Key="k", VersionId=v1)
    assert got["Body"].read() == b"one" and got["VersionId"] == v1
    d = s3.delete_object(Bucket=bucket_name, Key="k")
    assert d["DeleteMarker"] is True
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket_name, Key="k")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    listing = s3.list_object_versions(Bucket=bucket_name)
    assert [v["VersionId"] for v in listing["Versions"]] == [v2, v1]
    assert listing["DeleteMarkers"][0]["VersionId"] == d["VersionId"]
    assert listing["DeleteMarkers"][0]["IsLatest"] is True
    # The paginator, and a copy from an old version.
    pages = s3.get_paginator("list_object_versions").paginate(
        Bucket=bucket_name, PaginationConfig={"PageSize": 1})
    ids = [v["VersionId"] for p in pages for v in p.get("Versions", []) + p.get("DeleteMarkers", [])]
    assert sorted(ids) == sorted([v1, v2, d["VersionId"]])
    c = s3.copy_object(Bucket=bucket_name, Key="restored",
                       CopySource={"Bucket": bucket_name, "Key": "k", "VersionId": v1})
    assert c["CopySourceVersionId"] == v1
    assert s3.get_object(Bucket=bucket_name, Key="restored")["Body"].read() == b"one"
    # Delete everything by version, then the bucket.
    listing = s3.list_object_versions(Bucket=bucket_name)
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]}
               for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]
    r = s3.delete_objects(Bucket=bucket_name, Delete={"Objects": objects})
    assert len(r["Deleted"]) == len(objects) and "Errors" not in r
    s3.delete_bucket(Bucket=bucket_name)


def test_boto3_object_lock(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=bucket_name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    conf = s3.get_object_lock_configuration(Bucket=bucket_name)["ObjectLockConfiguration"]
    assert conf["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 1}
    v = s3.put_object(Bucket=bucket_name, Key="k", Body=b"kept")["VersionId"]
    assert s3.get_object_retention(Bucket=bucket_name, Key="k", VersionId=v)["Retention"]["Mode"] == "GOVERNANCE"
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=bucket_name, Key="k", VersionId=v)
    assert code(e.value) == "AccessDenied"
    s3.put_object_legal_hold(Bucket=bucket_name, Key="k", VersionId=v, LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=bucket_name, Key="k", VersionId=v)["LegalHold"]["Status"] == "ON"
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=bucket_name, Key="k", VersionId=v, BypassGovernanceRetention=True)
    assert code(e.value) == "AccessDenied"
    s3.put_object_legal_hold(Bucket=bucket_name, Key="k", VersionId=v, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=bucket_name, Key="k", VersionId=v, BypassGovernanceRetention=True)
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    w = s3.put_object(Bucket=bucket_name, Key="c", Body=b"c", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=until)["VersionId"]
    head = s3.head_object(Bucket=bucket_name, Key="c")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=bucket_name, Key="c", VersionId=w, BypassGovernanceRetention=True)
    assert code(e.value) == "AccessDenied"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket=bucket_name, VersioningConfiguration={"Status": "Suspended"})
    assert code(e.value) == "InvalidBucketState"


def test_oss2_versions_and_worm(server, bucket_name):
    b = oss2.Bucket(oss2.Auth("ossemu", "ossemu-secret"), server.endpoint, bucket_name)
    b.create_bucket()
    config = oss2.models.BucketVersioningConfig()
    config.status = oss2.BUCKET_VERSIONING_ENABLE
    b.put_bucket_versioning(config)
    assert b.get_bucket_info().versioning_status == "Enabled"
    v1 = b.put_object("k", b"one").versionid
    v2 = b.put_object("k", b"two").versionid
    assert b.get_object("k", params={"versionId": v1}).read() == b"one"
    r = b.delete_object("k")
    assert r.delete_marker
    versions = b.list_object_versions()
    assert [v.versionid for v in versions.versions] == [v2, v1]
    assert len(versions.delete_marker) == 1
    # A retention policy on a second bucket: objects stay until their period is over.
    w = oss2.Bucket(oss2.Auth("ossemu", "ossemu-secret"), server.endpoint, bucket_name + "-w")
    w.create_bucket()
    w.put_object("kept", b"x")
    worm_id = w.init_bucket_worm(1).worm_id
    w.complete_bucket_worm(worm_id)
    assert w.get_bucket_worm().state == "Locked"
    with pytest.raises(oss2.exceptions.ServerError) as e:
        w.delete_object("kept")
    assert e.value.status == 409 and e.value.code == "FileImmutable"
    with pytest.raises(oss2.exceptions.WORMConfigurationLocked):
        w.abort_bucket_worm()


def test_boto3_storage_class_and_restore(s3, bucket_name):
    s3.create_bucket(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket_name, Key="ia")["StorageClass"] == "STANDARD_IA"
    # rclone's settier: a copy onto itself that changes only the class.
    s3.copy_object(Bucket=bucket_name, Key="ia", CopySource={"Bucket": bucket_name, "Key": "ia"},
                   StorageClass="GLACIER")
    assert s3.head_object(Bucket=bucket_name, Key="ia")["StorageClass"] == "GLACIER"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="ia")
    assert code(e.value) == "InvalidObjectState"
    r = s3.restore_object(Bucket=bucket_name, Key="ia", RestoreRequest={"Days": 1})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert 'ongoing-request="true"' in s3.head_object(Bucket=bucket_name, Key="ia")["Restore"]


def test_boto3_restore_then_read_with_no_delay(bucket_name):
    from conftest import Ossemu, s3_client

    server = Ossemu(args=["--restore-delay", "0"])
    try:
        s3 = s3_client(server)
        s3.create_bucket(Bucket=bucket_name)
        s3.put_object(Bucket=bucket_name, Key="g", Body=b"frozen", StorageClass="GLACIER")
        with pytest.raises(ClientError) as e:
            s3.get_object(Bucket=bucket_name, Key="g")
        assert code(e.value) == "InvalidObjectState"
        r = s3.restore_object(Bucket=bucket_name, Key="g", RestoreRequest={"Days": 1})
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
        assert s3.get_object(Bucket=bucket_name, Key="g")["Body"].read() == b"frozen"
        assert 'ongoing-request="false"' in s3.head_object(Bucket=bucket_name, Key="g")["Restore"]
        r = s3.restore_object(Bucket=bucket_name, Key="g", RestoreRequest={"Days": 2})
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    finally:
        server.stop()
