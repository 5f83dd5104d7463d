"""Run ossemu (a local S3- and Alibaba-OSS-compatible object store) for tests.

`OssemuServer` starts the ``ossemu`` binary with ``--memory`` on a free loopback port; the
pytest plugin (``pytest_ossemu.plugin``, loaded automatically once installed) wraps it in
fixtures.
"""

import os
import re
import shutil
import subprocess
import threading
import uuid

__all__ = ["OssemuServer", "find_binary", "unique_bucket_name"]

DEFAULT_ACCESS_KEY = "ossemu"
DEFAULT_SECRET_KEY = "ossemu-secret"
DEFAULT_REGION = "oss-cn-hangzhou"


def find_binary(explicit=None):
    """The ossemu binary: `explicit`, else ``$OSSEMU_BIN``, else ``ossemu`` on ``PATH``."""
    for candidate, origin in ((explicit, "--ossemu-bin"), (os.environ.get("OSSEMU_BIN"), "OSSEMU_BIN")):
        if candidate:
            if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
                raise FileNotFoundError(f"{origin} names {candidate!r}, which is not an executable file")
            return candidate
    found = shutil.which("ossemu")
    if not found:
        raise FileNotFoundError(
            "no ossemu binary: set OSSEMU_BIN, pass --ossemu-bin, or put ossemu on PATH "
            "(cargo install --path . in the ossemu repository, or target/release/ossemu)"
        )
    return found


def unique_bucket_name(prefix="t-"):
    """A fresh valid bucket name (S3 and OSS rules)."""
    return prefix + uuid.uuid4().hex[:20]


class OssemuServer:
    """An ``ossemu --memory`` process on ``127.0.0.1`` and a port the kernel picked.

    Use it as a context manager, or call `start` and `stop`. Nothing is written to disk and
    the ``OSSEMU_*`` environment is not passed on, so every run starts from the same state.
    """

    def __init__(self, binary=None, args=(), access_key=DEFAULT_ACCESS_KEY,
                 secret_key=DEFAULT_SECRET_KEY, region=DEFAULT_REGION, startup_timeout=30):
        self.binary = find_binary(binary)
        self.args = list(args)
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.startup_timeout = startup_timeout
        self.log = []
        self.proc = None
        self.host = self.port = self.endpoint = None

    def start(self):
        """Starts the process and returns once it listens."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OSSEMU_")}
        # The start-up line that names the port is logged at info level.
        env["RUST_LOG"] = "warn,ossemu=info"
        command = [self.binary, "--memory", "--listen", "127.0.0.1:0",
                   "--access-key", self.access_key, "--secret-key", self.secret_key,
                   "--region", self.region, *self.args]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, env=env)
        listening = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.log.append(line)
                m = re.search(r"listening on http://(\S+)", line)
                if m and not listening.is_set():
                    self.host, port = m.group(1).rsplit(":", 1)
                    self.port = int(port)
                    listening.set()
            listening.set()

        threading.Thread(target=read, name="ossemu-log", daemon=True).start()
        if not listening.wait(self.startup_timeout) or self.port is None:
            self.stop()
            raise RuntimeError(f"ossemu did not start ({' '.join(command)}):\n" + "".join(self.log))
        self.endpoint = f"http://{self.host}:{self.port}"
        return self

    def stop(self):
        """Stops the process (SIGTERM: in-flight requests finish) and waits for it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def boto3_client(self, **config):
        """A boto3 S3 client for this server (path-style addressing); `config` goes to
        ``botocore.config.Config``."""
        import boto3
        from botocore.config import Config

        config.setdefault("s3", {"addressing_style": "path"})
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name="us-east-1",
                            config=Config(**config))

    def oss2_auth(self):
        """``oss2.Auth`` with this server's credential."""
        import oss2

        return oss2.Auth(self.access_key, self.secret_key)

    def oss2_service(self):
        """An ``oss2.Service`` (ListBuckets) for this server."""
        import oss2

        return oss2.Service(self.oss2_auth(), self.endpoint)

    def oss2_bucket(self, name):
        """An ``oss2.Bucket`` for bucket `name` (not created)."""
        import oss2

        return oss2.Bucket(self.oss2_auth(), self.endpoint, name)

    def __repr__(self):
        return f"OssemuServer(endpoint={self.endpoint!r}, access_key={self.access_key!r})"
