"""Testcontainers module for ossemu: an S3- and Alibaba-OSS-compatible object store in a
container, with its endpoint, credential, buckets declared up front and ready-made clients.

The container uses the host's network (``network_mode="host"``) and listens on a free port
of 127.0.0.1, so it needs a Docker engine on this machine (Linux). The image comes from
``OSSEMU_IMAGE`` (default ``ossemu:latest``, as ``docker build -f docker/Dockerfile -t
ossemu .`` in the ossemu repository tags it).
"""

import os
import socket
import time
import urllib.request
from pathlib import Path
from typing import Optional, Union

from testcontainers.core.container import DockerContainer

__all__ = ["OssemuContainer"]

CONFIG_PATH = "/etc/ossemu/ossemu.toml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class OssemuContainer(DockerContainer):
    """ossemu in a container, in memory (nothing written to a volume).

    >>> with OssemuContainer().with_bucket("demo") as ossemu:  # doctest: +SKIP
    ...     ossemu.get_boto3_client().put_object(Bucket="demo", Key="k", Body=b"v")
    """

    def __init__(self, image: Optional[str] = None, access_key: str = "ossemu",
                 secret_key: str = "ossemu-secret", region: str = "oss-cn-hangzhou",
                 startup_timeout: float = 30, **kwargs):
        super().__init__(image or os.environ.get("OSSEMU_IMAGE", "ossemu:latest"), **kwargs)
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.startup_timeout = startup_timeout
        self.port = 0
        self._config_text = ""
        self._buckets: list[tuple[str, str]] = []
        self.with_kwargs(network_mode="host")

    def with_bucket(self, name: str, acl: str = "private") -> "OssemuContainer":
        """A bucket ensured at start-up (through the configuration file), owned by the
        default credential, with a canned ACL."""
        self._buckets.append((name, acl))
        return self

    def with_config(self, config: Union[str, Path]) -> "OssemuContainer":
        """An ossemu configuration file (a path on this machine): settings, credentials,
        buckets, website rules, CORS. It is copied into the container; a ``website_file`` it
        names is not, so give rules inline. Listening, storage and the default credential
        stay the container's (the environment wins over the file)."""
        self._config_text = Path(config).read_text(encoding="utf-8")
        return self

    def with_credentials(self, access_key: str, secret_key: str) -> "OssemuContainer":
        """The default credential."""
        self.access_key, self.secret_key = access_key, secret_key
        return self

    def config_text(self) -> str:
        """The configuration file the container gets: the one of `with_config` followed by
        the buckets of `with_bucket`."""
        text = self._config_text
        if text and not text.endswith("\n"):
            text += "\n"
        for name, acl in self._buckets:
            text += f"\n[[buckets]]\nname = {_toml_string(name)}\nacl = {_toml_string(acl)}\n"
        return text

    def _configure(self) -> None:
        self.port = _free_port()
        self.with_env("OSSEMU_LISTEN", f"127.0.0.1:{self.port}")
        self.with_env("OSSEMU_MEMORY", "true")
        self.with_env("OSSEMU_ACCESS_KEY", self.access_key)
        self.with_env("OSSEMU_SECRET_KEY", self.secret_key)
        self.with_env("OSSEMU_REGION", self.region)
        text = self.config_text()
        if text:
            self.with_env("OSSEMU_CONFIG", CONFIG_PATH)
            self._transferable_specs = [t for t in self._transferable_specs if t[1] != CONFIG_PATH]
            self.with_copy_into_container(text.encode(), CONFIG_PATH)

    def start(self) -> "OssemuContainer":
        """Starts the container and waits until ``/_ossemu/health`` answers 200."""
        super().start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                with urllib.request.urlopen(self.get_endpoint() + "/_ossemu/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:  # not listening yet, or 503 while degraded
                pass
            self.get_wrapped_container().reload()
            if self.get_wrapped_container().status == "exited" or time.monotonic() > deadline:
                out, err = self.get_logs()
                raise RuntimeError("ossemu did not become healthy:\n" + (out + err).decode(errors="replace"))
            time.sleep(0.1)

    def get_endpoint(self) -> str:
        """``http://127.0.0.1:<port>``; use path-style addressing."""
        return f"http://127.0.0.1:{self.port}"

    def get_access_key(self) -> str:
        """The default credential's access key."""
        return self.access_key

    def get_secret_key(self) -> str:
        """Its secret."""
        return self.secret_key

    def get_region(self) -> str:
        """The OSS region reported (OSS V4 signatures use it without ``oss-``)."""
        return self.region

    def get_config(self) -> dict:
        """Endpoint and credential, for any client."""
        return {"endpoint": self.get_endpoint(), "access_key": self.access_key,
                "secret_key": self.secret_key, "region": self.region}

    def get_boto3_client(self, **config):
        """A boto3 S3 client (path-style); `config` goes to ``botocore.config.Config``."""
        import boto3
        from botocore.config import Config

        config.setdefault("s3", {"addressing_style": "path"})
        return boto3.client("s3", endpoint_url=self.get_endpoint(), aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name="us-east-1",
                            config=Config(**config))

    def get_oss2_bucket(self, name: str):
        """An ``oss2.Bucket`` for `name` (not created)."""
        import oss2

        return oss2.Bucket(oss2.Auth(self.access_key, self.secret_key), self.get_endpoint(), name)

    def get_oss2_service(self):
        """An ``oss2.Service`` (ListBuckets)."""
        import oss2

        return oss2.Service(oss2.Auth(self.access_key, self.secret_key), self.get_endpoint())

