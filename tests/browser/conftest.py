"""Browser tests of the web console: a real ossemu binary on a free loopback port, a loopback
origin for mirror rules, and headless Chromium (Debian's chromium and chromium-driver) driven
by Selenium."""

import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AK, SK = "ossemu", "ossemu-secret"
ALT_AK, ALT_SK = "alt", "alt-secret"
CHROMIUM = os.environ.get("OSSEMU_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("OSSEMU_CHROMEDRIVER", "/usr/bin/chromedriver")


class Ossemu:
    """A running ossemu binary (memory store)."""

    def __init__(self, args=(), env_extra=None):
        binary = os.environ.get("OSSEMU_BIN", os.path.join(ROOT, "target", "debug", "ossemu"))
        env = dict(os.environ, RUST_LOG="warn,ossemu=info")
        for k in list(env):
            if k.startswith("OSSEMU_") and k != "OSSEMU_BIN":
                del env[k]
        env.update(env_extra or {})
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--memory",
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
        self.console = f"{self.endpoint}/_ossemu/console"

    def _drain(self):
        for line in self.proc.stdout:
            self.log.append(line)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Origin:
    """A loopback HTTP origin serving fixed files, counting the requests it gets."""

    def __init__(self):
        self.files = {}
        self.hits = []
        origin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                origin.hits.append(self.path)
                body = origin.files.get(self.path.split("?")[0])
                if body is None:
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", "image/png")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


@pytest.fixture(scope="session")
def server():
    s = Ossemu()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def origin():
    o = Origin()
    yield o
    o.stop()


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)")
    # Never let Selenium Manager look for a driver online.
    os.environ["SE_OFFLINE"] = "true"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1360,1000", "--force-device-scale-factor=1",
                "--disable-background-networking", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-component-update", "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]:
        opts.add_argument(arg)
    profile = tempfile.mkdtemp(prefix="ossemu-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, server):
    """The browser on the console's sign-in page, with no session."""
    browser.get(server.console)
    browser.delete_all_cookies()
    browser.get(server.console)
    return browser


def oss_bucket(server, name, ak=AK, sk=SK):
    import oss2

    return oss2.Bucket(oss2.Auth(ak, sk), server.endpoint, name, is_cname=False)


@pytest.fixture(scope="session")
def screenshots():
    """Where screenshots go: docs/ (committed, shown in the README) when
    OSSEMU_UPDATE_SCREENSHOTS=1, else target/browser-screenshots/."""
    if os.environ.get("OSSEMU_UPDATE_SCREENSHOTS") == "1":
        d = os.path.join(ROOT, "docs")
    else:
        d = os.path.join(ROOT, "target", "browser-screenshots")
    os.makedirs(d, exist_ok=True)
    return d
