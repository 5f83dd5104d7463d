"""docker/docker-compose.yml as users run it, with docker-compose: the ossemu image with its
mounted configuration and seed files, and the example origin. Only what this machine needs is
changed: host networking with loopback ports instead of published ports and service names,
and build arguments for the Debian base image (no registry) and the release binary."""

import copy
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest
import requests
import yaml

from conftest import BASE_IMAGE, BINARY, ROOT, docker, free_port

DOCKER_DIR = os.path.join(ROOT, "docker")


def compose_command():
    """docker-compose (v1), else the `docker compose` plugin."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    pytest.fail("neither docker-compose nor the docker compose plugin is installed")


def for_this_machine(spec, context, ossemu_port, origin_port):
    """The user's compose file with host networking and local builds."""
    spec = copy.deepcopy(spec)
    ossemu, origin = spec["services"]["ossemu"], spec["services"]["origin"]
    assert ossemu.pop("ports") == ["9000:9000"]
    assert ossemu["environment"]["ORIGIN_URL"] == "http://origin:8080/"
    for service in (ossemu, origin):
        service["network_mode"] = "host"
        service["build"]["network"] = "host"
        service["build"]["args"] = {"BASE_IMAGE": BASE_IMAGE}
        service["build"]["labels"] = {"org.ossemu.test": "1"}
    ossemu["environment"]["OSSEMU_LISTEN"] = f"127.0.0.1:{ossemu_port}"
    ossemu["environment"]["ORIGIN_URL"] = f"http://127.0.0.1:{origin_port}/"
    # The build stage takes the release binary instead of compiling (see docker/Dockerfile).
    ossemu["build"]["context"] = context
    ossemu["build"]["dockerfile"] = os.path.join(DOCKER_DIR, "Dockerfile")
    ossemu["build"]["args"]["BUILD_IMAGE"] = BASE_IMAGE
    origin.setdefault("environment", {})["PORT"] = str(origin_port)
    # Fixed tags, so that runs reuse (and replace) one image each.
    ossemu["image"], origin["image"] = "ossemu-compose:test", "ossemu-origin:test"
    return spec


@pytest.fixture
def compose():
    with open(os.path.join(DOCKER_DIR, "docker-compose.yml")) as f:
        spec = yaml.safe_load(f)
    work = tempfile.mkdtemp(prefix="ossemu-compose-")
    os.mkdir(os.path.join(work, "prebuilt"))
    subprocess.run(["objcopy", "--strip-debug", BINARY, os.path.join(work, "prebuilt", "ossemu")],
                   check=True)
    ossemu_port, origin_port = free_port(), free_port()
    path = os.path.join(work, "docker-compose.yml")
    with open(path, "w") as f:
        yaml.safe_dump(for_this_machine(spec, work, ossemu_port, origin_port), f)
    project = "ossemu-compose-" + uuid.uuid4().hex[:8]
    cmd = [*compose_command(), "-p", project, "--project-directory", DOCKER_DIR, "-f", path]

    def run(*args):
        p = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, f"{' '.join(args)}:\n{p.stdout}{p.stderr}"
        return p.stdout

    try:
        run("up", "-d", "--build")
        yield run, f"http://127.0.0.1:{ossemu_port}"
    finally:
        subprocess.run([*cmd, "down", "-v", "-t", "5"], capture_output=True, timeout=120)
        shutil.rmtree(work, ignore_errors=True)


def wait_healthy(container, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = json.loads(docker("inspect", "-f", "{{json .State}}", container))
        if state.get("Health", {}).get("Status") == "healthy":
            return
        if not state["Running"]:
            break
        time.sleep(0.2)
    logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
    raise AssertionError(f"not healthy: {state}\n{logs.stdout}{logs.stderr}")


def read(rel):
    with open(os.path.join(DOCKER_DIR, rel), "rb") as f:
        return f.read()


def test_compose_example_mirrors_redirects_and_seeds(compose):
    run, endpoint = compose
    wait_healthy(run("ps", "-q", "ossemu").strip())
    assets = {"Host": "assets.example.test"}

    # curl -H 'Host: assets.example.test' http://127.0.0.1:9000/img/logo.svg
    r = requests.get(f"{endpoint}/img/logo.svg", headers=assets, timeout=10)
    assert r.status_code == 200, r.text
    assert r.content == read("origin/img/logo.svg")
    assert r.headers["x-oss-tag"].startswith("MIRROR http%3a%2f%2f127.0.0.1")
    # Mirrored once, then stored: the second answer is local.
    r = requests.get(f"{endpoint}/assets/img/logo.svg", timeout=10)
    assert r.content == read("origin/img/logo.svg")

    # curl -i -H 'Host: assets.example.test' http://127.0.0.1:9000/old/page.html
    r = requests.get(f"{endpoint}/old/page.html", headers=assets, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    assert r.headers["location"] == "https://www.example.com/old/page.html"
    assert r.headers["x-ossemu-rule"] == "2"

    # curl -H 'Host: assets.example.test' http://127.0.0.1:9000/index.html
    r = requests.get(f"{endpoint}/index.html", headers=assets, timeout=10)
    assert r.status_code == 200
    assert r.content == read("seed/assets/index.html")
    assert r.headers["content-type"] == "text/html"

    # curl -s http://127.0.0.1:9000/_ossemu/metrics | grep mirror
    metrics = requests.get(f"{endpoint}/_ossemu/metrics", timeout=10).text
    assert 'ossemu_mirror_fetches_total{outcome="stored"} 1' in metrics, metrics
