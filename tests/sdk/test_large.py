"""Large objects through real clients: multipart thresholds, resumable transfers, uploaders,
part listing and AppendObject."""

import hashlib
import os

import alibabacloud_oss_v2 as oss
import oss2
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from conftest import AK, SK, s3_client
from test_awscli import aws


def data_file(tmp_path, name, size):
    p = tmp_path / name
    with open(p, "wb") as f:
        left = size
        while left:
            n = min(left, 4 << 20)
            f.write(os.urandom(n))
            left -= n
    return p


def md5_file(p):
    h = hashlib.md5()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@pytest.mark.parametrize("when_required", [False, True])
def test_boto3_multipart_upload_and_download(server, bucket_name, tmp_path, when_required):
    s3 = s3_client(server, when_required)
    s3.create_bucket(Bucket=bucket_name)
    src = data_file(tmp_path, "big.bin", 21 << 20)
    cfg = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20)
    s3.upload_file(str(src), bucket_name, "big.bin", Config=cfg)
    head = s3.head_object(Bucket=bucket_name, Key="big.bin")
    assert head["ContentLength"] == 21 << 20
    assert head["ETag"].endswith('-3"')
    dst = tmp_path / "back.bin"
    s3.download_file(bucket_name, "big.bin", str(dst), Config=cfg)
    assert md5_file(dst) == md5_file(src)
    r = s3.get_object(Bucket=bucket_name, Key="big.bin", Range="bytes=8388600-8388615")
    with open(src, "rb") as f:
        f.seek(8388600)
        assert r["Body"].read() == f.read(16)


def test_boto3_multipart_api_and_errors(server, bucket_name):
    s3 = s3_client(server)
    s3.create_bucket(Bucket=bucket_name)
    up = s3.create_multipart_upload(Bucket=bucket_name, Key="m")["UploadId"]
    parts = []
    for n in (1, 2, 3):
        body = bytes([n]) * ((5 << 20) if n < 3 else 10)
        e = s3.upload_part(Bucket=bucket_name, Key="m", UploadId=up, PartNumber=n, Body=body)["ETag"]
        parts.append({"PartNumber": n, "ETag": e})
    listed = s3.list_parts(Bucket=bucket_name, Key="m", UploadId=up, MaxParts=2)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2]
    assert listed["IsTruncated"] is True
    rest = s3.list_parts(Bucket=bucket_name, Key="m", UploadId=up, PartNumberMarker=listed["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["Parts"]] == [3]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket_name)["Uploads"]] == [up]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket_name, Key="m", UploadId=up,
                                     MultipartUpload={"Parts": [parts[1], parts[0]]})
    assert e.value.response["Error"]["Code"] == "InvalidPartOrder"
    s3.complete_multipart_upload(Bucket=bucket_name, Key="m", UploadId=up, MultipartUpload={"Parts": parts})
    assert s3.head_object(Bucket=bucket_name, Key="m")["ContentLength"] == (10 << 20) + 10
    up2 = s3.create_multipart_upload(Bucket=bucket_name, Key="gone")["UploadId"]
    s3.upload_part(Bucket=bucket_name, Key="gone", UploadId=up2, PartNumber=1, Body=b"x" * 100)
    s3.abort_multipart_upload(Bucket=bucket_name, Key="gone", UploadId=up2)
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket_name, Key="gone", UploadId=up2)
    assert e.value.response["Error"]["Code"] == "NoSuchUpload"
    # Multipart copy of the completed object, part by part.
    up3 = s3.create_multipart_upload(Bucket=bucket_name, Key="copy")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket_name, Key="copy", UploadId=up3, PartNumber=1,
                             CopySource={"Bucket": bucket_name, "Key": "m"}, CopySourceRange="bytes=0-5242879")
    p2 = s3.upload_part_copy(Bucket=bucket_name, Key="copy", UploadId=up3, PartNumber=2,
                             CopySource={"Bucket": bucket_name, "Key": "m"}, CopySourceRange=f"bytes=5242880-{(10 << 20) + 9}")
    s3.complete_multipart_upload(Bucket=bucket_name, Key="copy", UploadId=up3, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
    a = s3.get_object(Bucket=bucket_name, Key="m")["Body"].read()
    b = s3.get_object(Bucket=bucket_name, Key="copy")["Body"].read()
    assert a == b


def test_awscli_100mib(server, bucket_name, tmp_path):
    aws(server, tmp_path, "s3", "mb", f"s3://{bucket_name}")
    src = data_file(tmp_path, "100m.bin", 100 << 20)
    aws(server, tmp_path, "s3", "cp", str(src), f"s3://{bucket_name}/100m.bin")
    dst = tmp_path / "100m.back"
    aws(server, tmp_path, "s3", "cp", f"s3://{bucket_name}/100m.bin", str(dst))
    assert md5_file(dst) == md5_file(src)


def test_oss2_resumable(server, bucket_name, tmp_path):
    b = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, bucket_name)
    b.create_bucket()
    src = data_file(tmp_path, "r.bin", 3 << 20)
    oss2.resumable_upload(b, "r.bin", str(src), multipart_threshold=1 << 20, part_size=512 * 1024,
                          store=oss2.ResumableStore(root=str(tmp_path)))
    meta = b.head_object("r.bin")
    assert meta.object_type == "Multipart"
    assert meta.content_length == 3 << 20
    dst = tmp_path / "r.back"
    oss2.resumable_download(b, "r.bin", str(dst), multiget_threshold=1 << 20, part_size=256 * 1024,
                            store=oss2.ResumableDownloadStore(root=str(tmp_path)))
    assert md5_file(dst) == md5_file(src)  # oss2 also checks the CRC-64 of every part


def test_oss2_multipart_listing(server, bucket_name):
    b = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, bucket_name)
    b.create_bucket()
    ids = [b.init_multipart_upload(f"k{i}").upload_id for i in range(5)]
    listed = [(u.key, u.upload_id) for u in oss2.MultipartUploadIterator(b, max_uploads=2)]
    assert listed == [(f"k{i}", ids[i]) for i in range(5)]
    for n in range(1, 6):
        b.upload_part("k0", ids[0], n, b"p" * 100)
    assert [p.part_number for p in oss2.PartIterator(b, "k0", ids[0], max_parts=2)] == [1, 2, 3, 4, 5]
    for i, u in enumerate(ids):
        b.abort_multipart_upload(f"k{i}", u)
    assert list(oss2.MultipartUploadIterator(b)) == []


def test_oss_v2_uploader_and_downloader(server, bucket_name, tmp_path):
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, SK)
    cfg.region = "cn-hangzhou"
    cfg.endpoint = server.endpoint
    cfg.use_path_style = True
    c = oss.Client(cfg)
    c.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    src = data_file(tmp_path, "u.bin", 5 << 20)
    up = c.uploader(part_size=1 << 20, parallel_num=3)
    r = up.upload_file(oss.PutObjectRequest(bucket=bucket_name, key="u.bin"), filepath=str(src))
    assert r.upload_id
    head = c.head_object(oss.HeadObjectRequest(bucket=bucket_name, key="u.bin"))
    assert head.content_length == 5 << 20
    dst = tmp_path / "u.back"
    c.downloader(part_size=1 << 20).download_file(oss.GetObjectRequest(bucket=bucket_name, key="u.bin"), filepath=str(dst))
    assert md5_file(dst) == md5_file(src)


def test_oss2_append(server, bucket_name):
    b = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, bucket_name)
    b.create_bucket()
    r = b.append_object("log", 0, b"line 1\n")
    r = b.append_object("log", r.next_position, b"line 2\n", init_crc=r.crc)
    assert r.next_position == 14
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as e:
        b.append_object("log", 3, b"bad")
    assert e.value.next_position == 14
    got = b.get_object("log")
    assert got.read() == b"line 1\nline 2\n"
    assert got.headers["x-oss-object-type"] == "Appendable"
    b.put_object("plain", b"x")
    with pytest.raises(oss2.exceptions.ObjectNotAppendable):
        b.append_object("plain", 1, b"y")
