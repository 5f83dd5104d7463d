"""Fixtures for the image tests: the ossemu image built from docker/Dockerfile on the release
binary, and containers on host networking at free loopback ports. tests/docker/run.sh makes
the base image and the binary first; nothing is pulled from a registry."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AK, SK = "ossemu", "ossemu-secret"
BASE_IMAGE = os.environ.get("OSSEMU_BASE_IMAGE", "ossemu-base:bookworm")
IMAGE = os.environ.get("OSSEMU_TEST_IMAGE", "ossemu:test")
BINARY = os.environ.get("OSSEMU_RELEASE_BIN", os.path.join(ROOT, "target", "release", "ossemu"))
USER_ID = 10001


def docker(*args, check=True, timeout=300):
    """Runs `docker ARGS`; returns its stdout."""
    p = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return p.stdout


def free_port():
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_image():
    """docker/Dockerfile's runtime stage on the release binary (debug info stripped, as the
    Dockerfile's own build stage does), in a context holding only `prebuilt/ossemu`."""
    ctx = tempfile.mkdtemp(prefix="ossemu-image-")
    try:
        os.mkdir(os.path.join(ctx, "prebuilt"))
        subprocess.run(["objcopy", "--strip-debug", BINARY, os.path.join(ctx, "prebuilt", "ossemu")],
                       check=True)
        docker("build", "--network", "host", "-q", "-f", os.path.join(ROOT, "docker", "Dockerfile"),
               "--build-arg", f"BUILD_IMAGE={BASE_IMAGE}", "--build-arg", f"BASE_IMAGE={BASE_IMAGE}",
               "--label", "org.ossemu.test=1", "--target", "runtime", "-t", IMAGE, ctx)
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
    return IMAGE


@pytest.fixture(scope="session")
def image():
    return build_image()


class Container:
    """A container of the image on host networking, listening on 127.0.0.1:port."""

    def __init__(self, image, volume, port=None, env=(), name=None):
        self.port = port or free_port()
        self.name = name or "ossemu-test-" + uuid.uuid4().hex[:10]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        args = ["run", "-d", "--name", self.name, "--network", "host",
                "-e", f"OSSEMU_LISTEN=127.0.0.1:{self.port}", "-v", f"{volume}:/data"]
        for e in env:
            args += ["-e", e]
        self.started = time.monotonic()
        docker(*args, image)

    def inspect(self):
        return json.loads(docker("inspect", self.name))[0]

    def wait_healthy(self, timeout=60):
        """Waits until Docker's HEALTHCHECK says healthy; returns the seconds it took."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.inspect()["State"]
            if not state["Running"]:
                raise AssertionError(f"container exited ({state['ExitCode']}):\n{self.logs()}")
            if state.get("Health", {}).get("Status") == "healthy":
                return time.monotonic() - self.started
            time.sleep(0.2)
        raise AssertionError(f"not healthy within {timeout} s: {self.inspect()['State']}\n{self.logs()}")

    def logs(self):
        p = subprocess.run(["docker", "logs", self.name], capture_output=True, text=True)
        return p.stdout + p.stderr

    def stop(self):
        """`docker stop`; returns the seconds it took."""
        t = time.monotonic()
        docker("stop", "-t", "10", self.name)
        return time.monotonic() - t

    def remove(self):
        docker("rm", "-f", self.name, check=False)


@pytest.fixture
def volume():
    name = "ossemu-test-" + uuid.uuid4().hex[:10]
    docker("volume", "create", name)
    yield name
    # Whatever the fixtures' teardown order, no container keeps it.
    users = docker("ps", "-aq", "--filter", f"volume={name}").split()
    if users:
        docker("rm", "-f", *users, check=False)
    docker("volume", "rm", "-f", name)


@pytest.fixture
def containers(image):
    """Starts containers of the image; removes them afterwards."""
    made = []

    def start(volume, **kw):
        c = Container(image, volume, **kw)
        made.append(c)
        return c

    yield start
    for c in made:
        c.remove()


def s3_client(endpoint):
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=AK, aws_secret_access_key=SK,
                        region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def oss2_bucket(endpoint, name):
    import oss2

    return oss2.Bucket(oss2.Auth(AK, SK), endpoint, name)
