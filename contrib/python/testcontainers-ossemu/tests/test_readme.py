"""The README's examples are tests: each ```python block naming its file is written to a fresh
directory and run with pytest. Needs Docker and the image in OSSEMU_IMAGE."""

import os
import re
import subprocess

import pytest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def test_the_readme_examples_pass(pytester):
    text = open(README, encoding="utf-8").read()
    tests = 0
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        m = re.match(r"# (test_\S+)\.py\n", block)
        assert m, f"a python block in the README does not name its test file:\n{block}"
        pytester.makepyfile(**{m.group(1): block})
        tests += len(re.findall(r"^def test_", block, re.M))
    assert tests >= 3
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=tests)


def test_signatures_are_checked_and_the_container_goes_away():
    import oss2

    from testcontainers_ossemu import OssemuContainer

    with OssemuContainer().with_bucket("checked") as ossemu:
        cid = ossemu.get_wrapped_container().id
        wrong = oss2.Bucket(oss2.Auth("ossemu", "wrong"), ossemu.get_endpoint(), "checked")
        with pytest.raises(oss2.exceptions.ServerError) as e:
            wrong.put_object("k", b"v")
        assert e.value.code == "SignatureDoesNotMatch"
        right = ossemu.get_oss2_bucket("checked")
        right.put_object("k", b"v")
        assert right.get_object("k").read() == b"v"
    gone = subprocess.run(["docker", "inspect", cid], capture_output=True)
    assert gone.returncode != 0


def test_a_bad_configuration_is_reported_with_the_logs():
    from testcontainers_ossemu import OssemuContainer

    with pytest.raises(RuntimeError, match=r"(?s)did not become healthy.*Bad_Name"):
        with OssemuContainer(startup_timeout=15).with_bucket("Bad_Name"):
            pass
