"""Fixtures: one ossemu binary per test session on a free loopback port, and real clients."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AK, SK = "ossemu", "ossemu-secret"
ALT_AK, ALT_SK = "alt", "alt-secret"


class Ossemu:
    """A running ossemu binary."""

    def __init__(self, args=()):
        binary = os.environ.get("OSSEMU_BIN", os.path.join(ROOT, "target", "debug", "ossemu"))
        self.data = tempfile.mkdtemp(prefix="ossemu-sdk-")
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "warn,ossemu=info"))
        for k in list(env):
            if k.startswith("OSSEMU_") and k != "OSSEMU_BIN":
                del env[k]
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data-dir", self.data,
             "--credential", f"{ALT_AK}:{ALT_SK}:alt", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        self.log = []
        for line in self.proc.stdout:
            self.log.append(line)
            m = re.search(r"listening on http://(\S+)", line)
            if m:
                self.addr = m.group(1)
                break
        else:
            raise RuntimeError("ossemu exited before listening:\n" + "".join(self.log))
        threading.Thread(target=self._drain, daemon=True).start()
        self.endpoint = f"http://{self.addr}"

    def _drain(self):
        for line in self.proc.stdout:
            self.log.append(line)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    s = Ossemu()
    yield s
    s.stop()


@pytest.fixture
def bucket_name():
    """A fresh, valid bucket name."""
    return "t-" + uuid.uuid4().hex[:20]


def s3_client(server, when_required=False, ak=AK, sk=SK):
    import boto3
    from botocore.config import Config

    extra = {}
    if when_required:
        extra = dict(request_checksum_calculation="when_required",
                     response_checksum_validation="when_required")
    return boto3.client(
        "s3", endpoint_url=server.endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **extra),
    )


@pytest.fixture(params=["default", "when_required"])
def s3(server, request):
    """boto3 with default checksum settings and with `when_required`."""
    return s3_client(server, when_required=request.param == "when_required")


@pytest.fixture
def oss2_bucket(server, bucket_name):
    import oss2

    b = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, bucket_name)
    b.create_bucket()
    return b


@pytest.fixture
def v2_client(server):
    import alibabacloud_oss_v2 as oss

    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, SK)
    cfg.region = "cn-hangzhou"
    cfg.endpoint = server.endpoint
    cfg.use_path_style = True
    cfg.retry_max_attempts = 1
    return oss.Client(cfg)
