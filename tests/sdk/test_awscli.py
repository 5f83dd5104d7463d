"""The AWS CLI (v1 from PyPI) against ossemu: high-level `s3` and `s3api` commands."""

import json
import os
import subprocess
import sys

from conftest import AK, SK


def aws(server, tmp_path, *args, check=True, env=None):
    cfg = tmp_path / "aws-config"
    cfg.write_text("[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n")
    extra_env = env
    env = dict(os.environ, AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK,
               AWS_CONFIG_FILE=str(cfg), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
               AWS_EC2_METADATA_DISABLED="true")
    env.update(extra_env or {})
    aws_bin = os.path.join(os.path.dirname(sys.executable), "aws")
    p = subprocess.run([aws_bin, "--endpoint-url", server.endpoint, *args],
                       capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed: {p.stdout}\n{p.stderr}")
    return p


def test_cli_wrong_secret_is_refused(server, bucket_name, tmp_path):
    aws(server, tmp_path, "s3", "mb", f"s3://{bucket_name}")
    p = aws(server, tmp_path, "s3", "ls", f"s3://{bucket_name}", check=False,
            env={"AWS_SECRET_ACCESS_KEY": "wrong"})
    assert p.returncode != 0 and "SignatureDoesNotMatch" in p.stderr


def test_cli_copy_list_remove(server, bucket_name, tmp_path):
    aws(server, tmp_path, "s3", "mb", f"s3://{bucket_name}")
    src = tmp_path / "file.bin"
    data = os.urandom(20 << 20)  # above the CLI's 8 MiB multipart threshold
    src.write_bytes(data)
    aws(server, tmp_path, "s3", "cp", str(src), f"s3://{bucket_name}/dir/file.bin")
    out = aws(server, tmp_path, "s3", "ls", f"s3://{bucket_name}/dir/").stdout
    assert "file.bin" in out and str(len(data)) in out
    head = json.loads(aws(server, tmp_path, "s3api", "head-object", "--bucket", bucket_name,
                          "--key", "dir/file.bin").stdout)
    assert head["ContentLength"] == len(data)
    dst = tmp_path / "back.bin"
    aws(server, tmp_path, "s3", "cp", f"s3://{bucket_name}/dir/file.bin", str(dst))
    assert dst.read_bytes() == data
    aws(server, tmp_path, "s3", "rm", f"s3://{bucket_name}/dir/file.bin")
    p = aws(server, tmp_path, "s3api", "head-object", "--bucket", bucket_name, "--key", "dir/file.bin", check=False)
    assert p.returncode != 0 and "404" in p.stderr
    aws(server, tmp_path, "s3", "rb", f"s3://{bucket_name}")
