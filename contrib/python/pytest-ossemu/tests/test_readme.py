"""The README's examples are tests: each ```python block starting with `# <file>.py` is
written to a fresh directory and the lot is run with pytest, with this plugin loaded from
its entry point as a user would have it."""

import os
import re

import pytest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def readme_files():
    text = open(README, encoding="utf-8").read()
    files = {}
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        m = re.match(r"# (\S+\.py)\n", block)
        assert m, f"a python block in the README does not name its file:\n{block}"
        files[m.group(1)] = block
    return files


def test_the_readme_examples_pass(pytester):
    files = readme_files()
    tests = sum(len(re.findall(r"^def test_", b, re.M)) for b in files.values())
    assert tests >= 5
    for name, body in files.items():
        pytester.makepyfile(**{name[:-3]: body})
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=tests)


def test_flags_reach_the_server(pytester):
    # With --auth off any secret is accepted; with the default it is refused.
    pytester.makepyfile(
        conftest="""
import pytest

@pytest.fixture(scope="session")
def ossemu_args():
    return ["--auth", "off"]
""",
        test_flags="""
import oss2

def test_wrong_secret_accepted(ossemu, ossemu_bucket_name):
    bucket = oss2.Bucket(oss2.Auth(ossemu.access_key, "wrong"), ossemu.endpoint, ossemu_bucket_name)
    bucket.create_bucket()
    bucket.put_object("k", b"v")
""",
    )
    pytester.runpytest_subprocess("-q").assert_outcomes(passed=1)


def test_wrong_secret_refused_by_default(pytester):
    pytester.makepyfile(
        test_refused="""
import oss2
import pytest

def test_wrong_secret_refused(ossemu, ossemu_bucket_name):
    bucket = oss2.Bucket(oss2.Auth(ossemu.access_key, "wrong"), ossemu.endpoint, ossemu_bucket_name)
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.create_bucket()
    assert e.value.code == "SignatureDoesNotMatch"
"""
    )
    pytester.runpytest_subprocess("-q").assert_outcomes(passed=1)


def test_a_missing_binary_is_named(pytester, monkeypatch):
    monkeypatch.setenv("OSSEMU_BIN", str(pytester.path / "no-such-ossemu"))
    pytester.makepyfile(test_x="def test_x(ossemu):\n    pass\n")
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*OSSEMU_BIN names*no-such-ossemu*not an executable file*"])


def test_the_server_stops_with_its_context():
    import socket

    from pytest_ossemu import OssemuServer

    with OssemuServer() as server:
        port = server.port
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        assert server.proc.poll() is None
        proc = server.proc
    assert proc.returncode == 0, "".join(server.log)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
