"""Runs an OSS SDK's own pytest suite against ossemu, one fresh `ossemu --memory` per test
file, and checks the result against a pass list.

Used by tests/conformance/oss2.sh (oss2's tests from its PyPI sdist, in CI) and
tests/conformance/oss-v2.sh (alibabacloud-oss-v2's integration tests, by hand). Run it
directly to try single files, e.g.

    .venv/bin/python tests/conformance/sdk_suite.py --name oss2 \
        --suite target/oss2-suite/oss2-2.19.1 --tests-dir tests --plugin oss2_plugin \
        --ossemu target/debug/ossemu --pass-list tests/conformance/oss2-pass.txt test_object.py

Test ids are pytest node ids relative to --tests-dir: `test_object.py::TestObject::test_x`.
In the pass list, `#` starts a comment; `# flaky: <id>` names a test known to pass only
sometimes: it is not gated and not reported as a new pass.
Exit status: 1 when an id of the pass list (of the files that ran) did not pass or no longer
exists, else 0. Tests outside the list that pass are printed, so the list can grow.
Everything is kept in --out: per file the junit xml, pytest's output and the server's log,
and `results.tsv` (test id, outcome) for the whole run.
"""

import argparse
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def read_list(path):
    """(ids, flaky): the listed test ids, and those of `# flaky: <id>` comment lines (tests
    known to pass only sometimes, kept out of the list and not reported as new passes)."""
    ids, flaky = [], set()
    with open(path) as f:
        for line in f:
            m = re.match(r"#\s*flaky:\s*(\S+)", line.strip())
            if m:
                flaky.add(m.group(1))
            line = line.split("#", 1)[0].strip()
            if line:
                ids.append(line)
    return ids, flaky


class Server:
    """A fresh `ossemu --memory` on a free loopback port; its log goes to a file."""

    def __init__(self, binary, log_path):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OSSEMU_")}
        env.setdefault("RUST_LOG", "warn,ossemu=info")
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "--memory", "--listen", "127.0.0.1:0"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(log_path) as f:
                m = re.search(r"listening on http://([0-9.]+:[0-9]+)", f.read())
            if m:
                self.addr = m.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        with open(log_path) as f:
            sys.stdout.write(f.read())
        raise RuntimeError("ossemu did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def suite_env(addr, args):
    """The environment a user of these suites sets (see oss2's tests/common.py and
    alibabacloud-oss-v2's tests/integration/__init__.py)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OSS_TEST_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update({
        "OSS_TEST_ENDPOINT": f"http://{addr}",
        "OSS_TEST_ACCESS_KEY_ID": "ossemu",
        "OSS_TEST_ACCESS_KEY_SECRET": "ossemu-secret",
        "OSS_TEST_REGION": "cn-hangzhou",
        "PYTHONPATH": os.pathsep.join(p for p in (HERE, os.environ.get("PYTHONPATH")) if p),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    if args.proxy:
        # Some oss2 tests use a hard-coded http://oss-cn-shanghai.aliyuncs.com endpoint:
        # through ossemu as an HTTP proxy they reach its built-in aliyuncs.com virtual hosts,
        # and nothing leaves the machine. oss2_plugin.py sends only *.aliyuncs.com this way.
        for k in ("HTTP_PROXY", "http_proxy"):
            env[k] = f"http://{addr}"
        for k in ("NO_PROXY", "no_proxy"):
            env[k] = "127.0.0.1,localhost"
    if args.auth_version:
        env["OSS_TEST_AUTH_VERSION"] = args.auth_version  # oss2
        env["OSS_TEST_SIGNATURE_VERSION"] = args.auth_version  # alibabacloud-oss-v2
    return env


def test_id(classname, name, tests_dir):
    """junit ('tests.test_object.TestObject', 'test_x') -> 'test_object.py::TestObject::test_x'."""
    parts = classname.split(".")
    prefix = [p for p in tests_dir.strip("/").split("/") if p]
    if parts[:len(prefix)] == prefix:
        parts = parts[len(prefix):]
    # the module is the last dotted part that starts with "test"; what follows are classes
    mod = max((i for i, p in enumerate(parts) if p.startswith("test")), default=len(parts) - 1)
    path = "/".join(parts[:mod + 1]) + ".py"
    return "::".join([path, *parts[mod + 1:], name])


def parse_junit(path, tests_dir):
    """{test id: 'passed' | 'failed' | 'error' | 'skipped'} from a pytest junit xml file."""
    results = {}
    if not os.path.exists(path):
        return results
    for case in ET.parse(path).getroot().iter("testcase"):
        tid = test_id(case.get("classname", ""), case.get("name", ""), tests_dir)
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                break
            if child.tag == "skipped":
                outcome = "skipped"
        results[tid] = outcome
    return results


def run_file(args, name):
    stem = name[:-3].replace("/", "-")
    junit = os.path.join(args.out, f"{stem}.xml")
    if os.path.exists(junit):
        os.remove(junit)
    server = Server(args.ossemu, os.path.join(args.out, f"{stem}.ossemu.log"))
    start = time.monotonic()
    try:
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--timeout={args.timeout}",
               "-rA", "--junitxml", os.path.abspath(junit), f"{args.tests_dir}/{name}"]
        if args.plugin:
            cmd[3:3] = ["-p", args.plugin]
        with open(os.path.join(args.out, f"{stem}.pytest.txt"), "w") as out:
            try:
                subprocess.run(cmd, cwd=args.suite, env=suite_env(server.addr, args),
                               stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               timeout=args.file_timeout)
            except subprocess.TimeoutExpired:
                out.write(f"\n*** {name}: killed after {args.file_timeout} s\n")
    finally:
        server.stop()
    return parse_junit(junit, args.tests_dir), time.monotonic() - start


def ensure_example_jpg(suite):
    """oss2's test_object.py reads tests/example.jpg, which the repository has and the sdist
    lacks. The test that uploads it needs any bytes (the image-processing ones are cloud-only
    either way), so write a stand-in: a JPEG start marker and 64 KiB of fixed bytes."""
    path = os.path.join(suite, "tests", "example.jpg")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(b"\xff\xd8\xff\xe0" + bytes(i % 251 for i in range(64 * 1024)) + b"\xff\xd9")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--name", required=True, help="the suite's name in the closing line")
    ap.add_argument("--suite", required=True, help="directory pytest runs in")
    ap.add_argument("--tests-dir", default="tests", help="the test files' directory in --suite")
    ap.add_argument("--plugin", default=None, help="a pytest plugin module in tests/conformance")
    ap.add_argument("--proxy", action="store_true", help="set HTTP_PROXY to the ossemu under test")
    ap.add_argument("--example-jpg", action="store_true", help="write oss2's tests/example.jpg stand-in")
    ap.add_argument("--ossemu", required=True, help="the ossemu binary")
    ap.add_argument("--pass-list", required=True)
    ap.add_argument("--out", required=True, help="directory for logs and results")
    ap.add_argument("--timeout", type=int, default=120, help="per test, seconds")
    ap.add_argument("--file-timeout", type=int, default=900, help="per file, seconds")
    ap.add_argument("--auth-version", default=None, help="v1 or v4 (OSS_TEST_AUTH_VERSION / _SIGNATURE_VERSION)")
    ap.add_argument("files", nargs="+", help="test files, relative to --tests-dir")
    args = ap.parse_args()
    args.suite = os.path.abspath(args.suite)
    args.ossemu = os.path.abspath(args.ossemu)
    os.makedirs(args.out, exist_ok=True)
    expected, flaky = read_list(args.pass_list) if os.path.exists(args.pass_list) else ([], set())
    if args.example_jpg:
        ensure_example_jpg(args.suite)

    results = {}
    total_start = time.monotonic()
    for name in args.files:
        got, secs = run_file(args, name)
        results.update(got)
        n_pass = sum(1 for o in got.values() if o == "passed")
        print(f"    {name}: {n_pass}/{len(got)} pass ({secs:.0f} s)", flush=True)
    elapsed = time.monotonic() - total_start

    with open(os.path.join(args.out, "results.tsv"), "w") as f:
        for tid in sorted(results):
            f.write(f"{tid}\t{results[tid]}\n")

    # Only the listed ids of the files that ran are checked.
    ran = tuple(f"{name}::" for name in args.files)
    gate = [tid for tid in expected if tid.startswith(ran)]
    missing = [tid for tid in gate if results.get(tid) != "passed"]
    listed = set(expected)
    new = sorted(tid for tid, o in results.items()
                 if o == "passed" and tid not in listed and tid not in flaky)
    n_flaky = sum(1 for tid in flaky if results.get(tid) == "passed")
    n_pass = sum(1 for o in results.values() if o == "passed")
    print(f"    all {len(args.files)} files: {n_pass}/{len(results)} pass in {elapsed:.0f} s "
          f"(output in {args.out}/)")
    if flaky:
        print(f"    of the {len(flaky)} known flaky tests (not gated), {n_flaky} passed this time")
    for tid in new:
        print(f"    note: {tid} is not in {os.path.basename(args.pass_list)} but passes now")
    for tid in missing:
        print(f"    FAILED (listed): {tid} -> {results.get(tid, 'not run / not found')}")
    print(f"{args.name}: {len(gate) - len(missing)} passed, {len(missing)} failed")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
