"""The image users build from docker/Dockerfile: health check, both SDKs, the non-root user,
the data volume, no CA certificates needed, and a clean, quick stop on SIGTERM."""

import uuid

from conftest import USER_ID, docker, oss2_bucket, s3_client


def test_serves_both_sdks_as_non_root_and_stops_cleanly(containers, volume):
    c = containers(volume)
    c.wait_healthy()

    bucket = "box-" + uuid.uuid4().hex[:8]
    s3 = s3_client(c.endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="from-boto3.txt", Body=b"hello from boto3")
    assert s3.get_object(Bucket=bucket, Key="from-boto3.txt")["Body"].read() == b"hello from boto3"
    b = oss2_bucket(c.endpoint, bucket)
    b.put_object("from-oss2.txt", b"hello from oss2")
    assert b.get_object("from-oss2.txt").read() == b"hello from oss2"
    # One store behind both dialects.
    assert b.get_object("from-boto3.txt").read() == b"hello from boto3"
    assert s3.get_object(Bucket=bucket, Key="from-oss2.txt")["Body"].read() == b"hello from oss2"

    # The server process itself runs as the image's user, and so its files on the volume.
    info = c.inspect()
    assert info["Config"]["User"] == "ossemu"
    with open(f"/proc/{info['State']['Pid']}/status") as f:
        uid_line = next(line for line in f if line.startswith("Uid:"))
    assert [int(u) for u in uid_line.split()[1:]] == [USER_ID] * 4, uid_line
    owners = docker("exec", c.name, "stat", "-c", "%u %n", "/data", "/data/meta").split("\n")
    assert [line.split()[0] for line in owners if line] == [str(USER_ID)] * 2, owners

    # No CA certificates in the image: ossemu says it uses the roots built into it.
    assert docker("exec", c.name, "sh", "-c", "ls /etc/ssl/certs 2>/dev/null | wc -l").strip() == "0"
    assert "Mozilla roots built into ossemu" in c.logs()

    took = c.stop()
    state = c.inspect()["State"]
    assert state["ExitCode"] == 0, c.logs()
    assert "ossemu stopped" in c.logs()
    assert took < 1.0, f"docker stop took {took:.2f} s"
    print(f"docker stop: {took * 1000:.0f} ms")


def test_data_survives_a_new_container_on_the_volume(containers, volume):
    first = containers(volume)
    first.wait_healthy()
    bucket = "keep-" + uuid.uuid4().hex[:8]
    s3 = s3_client(first.endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="kept.bin", Body=b"\x00kept\xff" * 1000)
    first.stop()
    first.remove()

    second = containers(volume)
    second.wait_healthy()
    s3 = s3_client(second.endpoint)
    assert s3.get_object(Bucket=bucket, Key="kept.bin")["Body"].read() == b"\x00kept\xff" * 1000
    assert oss2_bucket(second.endpoint, bucket).get_object("kept.bin").read() == b"\x00kept\xff" * 1000
