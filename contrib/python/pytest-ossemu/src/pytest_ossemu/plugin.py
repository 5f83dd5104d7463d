"""pytest fixtures for ossemu; registered through the ``pytest11`` entry point.

``ossemu`` is one server per test session; ``ossemu_args`` (override it in a conftest.py)
adds flags. The client fixtures are per test; the bucket fixtures create a fresh bucket.
"""

import pytest

from pytest_ossemu import OssemuServer, unique_bucket_name


def pytest_addoption(parser):
    group = parser.getgroup("ossemu")
    group.addoption("--ossemu-bin", default=None,
                    help="the ossemu binary (default: $OSSEMU_BIN, else ossemu on PATH)")


@pytest.fixture(scope="session")
def ossemu_args():
    """Extra flags for the session's server, e.g. ``["--restore-delay", "0"]``."""
    return []


@pytest.fixture(scope="session")
def ossemu(request, ossemu_args):
    """The session's ossemu server: ``endpoint``, ``access_key``, ``secret_key``, ``region``."""
    server = OssemuServer(binary=request.config.getoption("ossemu_bin"), args=ossemu_args)
    with server:
        yield server


@pytest.fixture
def ossemu_bucket_name():
    """A fresh bucket name (not created)."""
    return unique_bucket_name()


@pytest.fixture
def ossemu_s3(ossemu):
    """A boto3 S3 client for the session's server."""
    return ossemu.boto3_client()


@pytest.fixture
def ossemu_s3_bucket(ossemu_s3, ossemu_bucket_name):
    """The name of a bucket created for this test through boto3."""
    ossemu_s3.create_bucket(Bucket=ossemu_bucket_name)
    return ossemu_bucket_name


@pytest.fixture
def ossemu_oss2_service(ossemu):
    """An ``oss2.Service`` for the session's server."""
    return ossemu.oss2_service()


@pytest.fixture
def ossemu_oss2_bucket(ossemu, ossemu_bucket_name):
    """An ``oss2.Bucket`` created for this test."""
    bucket = ossemu.oss2_bucket(ossemu_bucket_name)
    bucket.create_bucket()
    return bucket
