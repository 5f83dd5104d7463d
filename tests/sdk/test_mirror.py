"""Reading through a Mirror rule with real clients, against a real HTTP origin on loopback."""

import hashlib
import http.server
import threading

import oss2
import pytest
from botocore.exceptions import ClientError
from oss2.models import BucketWebsite, Condition, Redirect, RoutingRule, REDIRECT_TYPE_MIRROR

from conftest import AK, SK, s3_client

FILES = {"/static/app.js": b"console.log('from the origin');\n" * 1000,
         "/static/logo.png": bytes(range(256)) * 2000}


@pytest.fixture(scope="module")
def origin():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = FILES.get(self.path.split("?")[0])
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript" if self.path.endswith(".js") else "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    srv.hits = hits
    yield srv
    srv.shutdown()


def mirror_bucket(server, origin, name):
    b = oss2.Bucket(oss2.Auth(AK, SK), server.endpoint, name)
    b.create_bucket()
    rule = RoutingRule(rule_num=1, condition=Condition(key_prefix_equals="static/", http_err_code_return_equals=404),
                       redirect=Redirect(redirect_type=REDIRECT_TYPE_MIRROR,
                                         mirror_url=f"http://127.0.0.1:{origin.server_address[1]}/"))
    b.put_bucket_website(BucketWebsite("index.html", "error.html", [rule]))
    return b


def test_oss2_reads_through_mirror(server, origin, bucket_name):
    b = mirror_bucket(server, origin, bucket_name)
    first = b.get_object("static/app.js")
    assert first.read() == FILES["/static/app.js"]
    assert first.headers["x-oss-tag"].startswith("MIRROR http%3a%2f%2f127.0.0.1")
    # The second read is local and carries the ETag of the stored object (oss2 checks CRC-64).
    second = b.get_object("static/app.js")
    assert second.read() == FILES["/static/app.js"]
    assert second.etag == hashlib.md5(FILES["/static/app.js"]).hexdigest().upper()
    assert origin.hits.count("/static/app.js") == 1
    assert [o.key for o in oss2.ObjectIterator(b)] == ["static/app.js"]
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object("static/missing.css")
    with pytest.raises(oss2.exceptions.NoSuchKey):
        b.get_object("private/not-mirrored.txt")
    assert "/private/not-mirrored.txt" not in origin.hits


def test_boto3_reads_through_mirror(server, origin, bucket_name):
    mirror_bucket(server, origin, bucket_name)
    s3 = s3_client(server)
    got = s3.get_object(Bucket=bucket_name, Key="static/logo.png")
    assert got["Body"].read() == FILES["/static/logo.png"]
    assert got["ContentType"] == "image/png"
    part = s3.get_object(Bucket=bucket_name, Key="static/logo.png", Range="bytes=0-99")
    assert part["Body"].read() == FILES["/static/logo.png"][:100]
    assert s3.head_object(Bucket=bucket_name, Key="static/logo.png")["ContentLength"] == len(FILES["/static/logo.png"])
    assert origin.hits.count("/static/logo.png") == 1
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket_name, Key="static/nothing")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
