"""Access control through real clients: who may do what under ACLs, bucket policies and users'
own policies, in boto3 and oss2, on the REST endpoint, an S3 website host and a mirrored GET.

The server has, besides the default account `ossemu`: account `partner` (id 200002), a user
`reader` of the default account whose own policy allows reads only, and a user `partnerops`
of the partner account whose own policy allows everything."""

import http.server
import json
import os
import tempfile
import threading
import urllib.request
import uuid

import oss2
import pytest
from botocore.exceptions import ClientError

from conftest import AK, SK, Ossemu, s3_client

ADMIN = json.dumps({"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
READ_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]})

CONFIG = f"""
[[credentials]]
access_key = "partner"
secret_key = "partner-secret"
owner_id = "200002"

[[credentials]]
access_key = "reader"
secret_key = "reader-secret"
owner_id = "ossemu"
user = "reader"
policy = '{READ_ONLY}'

[[credentials]]
access_key = "partnerops"
secret_key = "partnerops-secret"
owner_id = "200002"
user = "partnerops"
policy = '{ADMIN}'
"""

WHO = ["owner", "reader", "partner", "partnerops", "anonymous"]
KEYS = {"owner": (AK, SK), "reader": ("reader", "reader-secret"),
        "partner": ("partner", "partner-secret"),
        "partnerops": ("partnerops", "partnerops-secret")}


@pytest.fixture(scope="module")
def srv():
    d = tempfile.mkdtemp(prefix="ossemu-acl-")
    path = os.path.join(d, "ossemu.toml")
    with open(path, "w") as f:
        f.write(CONFIG)
    s = Ossemu(["--config", path])
    yield s
    s.stop()


def boto(srv, who):
    if who == "anonymous":
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=srv.endpoint, region_name="us-east-1",
                            config=Config(signature_version=UNSIGNED, s3={"addressing_style": "path"},
                                          retries={"max_attempts": 1}))
    ak, sk = KEYS[who]
    return s3_client(srv, ak=ak, sk=sk)


def bucket(srv, who, name):
    auth = oss2.AnonymousAuth() if who == "anonymous" else oss2.Auth(*KEYS[who])
    return oss2.Bucket(auth, srv.endpoint, name)


def boto_status(fn, **kw):
    try:
        fn(**kw)
        return 200
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"]


def oss2_status(fn, *args):
    try:
        fn(*args)
        return 200
    except oss2.exceptions.OssError as e:
        return e.status


def outcomes(srv, name, who):
    """(read public/a, read private/a, write public/new) in boto3 and in oss2."""
    c = boto(srv, who)
    b = bucket(srv, who, name)
    via_boto = (
        boto_status(c.get_object, Bucket=name, Key="public/a"),
        boto_status(c.get_object, Bucket=name, Key="private/a"),
        boto_status(c.put_object, Bucket=name, Key="public/new", Body=b"x"),
    )
    via_oss2 = (
        oss2_status(lambda k: b.get_object(k).read(), "public/a"),
        oss2_status(lambda k: b.get_object(k).read(), "private/a"),
        oss2_status(b.put_object, "public/new", b"x"),
    )
    assert via_boto == via_oss2, f"{who}: boto3 {via_boto} != oss2 {via_oss2}"
    return via_boto


def new_bucket(srv, acl="private"):
    name = "ac-" + uuid.uuid4().hex[:16]
    owner = boto(srv, "owner")
    owner.create_bucket(Bucket=name, ACL=acl)
    b = bucket(srv, "owner", name)  # OSS writes: the objects follow the bucket ACL
    for key in ("public/a", "private/a"):
        b.put_object(key, b"hello")
    return name


def test_private_bucket_without_policy(srv):
    name = new_bucket(srv)
    got = {w: outcomes(srv, name, w) for w in WHO}
    assert got == {
        "owner": (200, 200, 200),
        "reader": (200, 200, 403),       # its own read-only policy
        "partner": (403, 403, 403),
        "partnerops": (403, 403, 403),   # its own policy is not the bucket's consent
        "anonymous": (403, 403, 403),
    }


def test_public_read_acl(srv):
    name = new_bucket(srv, acl="public-read")
    got = {w: outcomes(srv, name, w) for w in WHO}
    assert got == {
        "owner": (200, 200, 200),
        "reader": (200, 200, 403),
        "partner": (200, 200, 403),
        "partnerops": (200, 200, 403),
        "anonymous": (200, 200, 403),
    }


def test_bucket_policy_grants_and_denies(srv):
    name = new_bucket(srv)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::200002:root"},
         "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{name}/public/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{name}/public/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{name}/private/*"},
    ]}
    boto(srv, "owner").put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    got = {w: outcomes(srv, name, w) for w in WHO}
    assert got == {
        "owner": (200, 403, 200),        # an explicit Deny binds the owner too
        "reader": (200, 403, 403),
        "partner": (200, 403, 200),
        "partnerops": (200, 403, 200),   # the account's grant, with its own policy's consent
        "anonymous": (200, 403, 403),
    }
    status = boto(srv, "owner").get_bucket_policy_status(Bucket=name)
    assert status["PolicyStatus"]["IsPublic"] is True
    # The owner can always take the policy back.
    boto(srv, "owner").delete_bucket_policy(Bucket=name)
    assert outcomes(srv, name, "owner") == (200, 200, 200)
    assert outcomes(srv, name, "anonymous") == (403, 403, 403)


def test_oss_policy_document_through_oss2(srv):
    name = new_bucket(srv)
    owner = bucket(srv, "owner", name)
    doc = json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Principal": ["200002"], "Action": ["oss:GetObject", "oss:ListObjects"],
         "Resource": [f"acs:oss:*:*:{name}", f"acs:oss:*:*:{name}/public/*"]}]})
    owner.put_bucket_policy(doc)
    assert owner.get_bucket_policy().policy == doc
    partner = bucket(srv, "partner", name)
    assert partner.get_object("public/a").read() == b"hello"
    with pytest.raises(oss2.exceptions.AccessDenied):
        partner.get_object("private/a")
    assert [o.key for o in oss2.ObjectIterator(partner)] == ["private/a", "public/a"]
    # The same policy binds S3 requests.
    assert boto_status(boto(srv, "partner").get_object, Bucket=name, Key="public/a") == 200
    with pytest.raises(oss2.exceptions.ServerError) as e:
        owner.put_bucket_policy('{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],'
                                '"Resource":["acs:oss:*:*:another-bucket/*"]}]}')
    assert e.value.status == 400 and e.value.code == "MalformedPolicy"
    assert owner.get_bucket_policy().policy == doc
    owner.delete_bucket_policy()
    with pytest.raises(oss2.exceptions.NoSuchBucketPolicy):
        owner.get_bucket_policy()


@pytest.fixture(scope="module")
def origin():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"origin:" + self.path.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
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


def plain_get(srv, path, host=None):
    req = urllib.request.Request(srv.endpoint + path)
    if host:
        req.add_header("Host", host)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_website_and_mirror_decided_by_policy(srv, origin):
    from oss2.models import BucketWebsite, Condition, Redirect, RoutingRule, REDIRECT_TYPE_MIRROR

    name = new_bucket(srv)
    owner = bucket(srv, "owner", name)
    rule = RoutingRule(rule_num=1, condition=Condition(http_err_code_return_equals=404),
                       redirect=Redirect(redirect_type=REDIRECT_TYPE_MIRROR,
                                         mirror_url=f"http://127.0.0.1:{origin.server_address[1]}/"))
    owner.put_bucket_website(BucketWebsite("index.html", "error.html", [rule]))
    # Private: anonymous GETs are refused and never reach the origin.
    assert plain_get(srv, f"/{name}/public/m.txt")[0] == 403
    assert "/public/m.txt" not in origin.hits

    boto(srv, "owner").put_bucket_policy(Bucket=name, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                "Resource": f"arn:aws:s3:::{name}/public/*"}]}))
    anon = bucket(srv, "anonymous", name)
    assert anon.get_object("public/m.txt").read() == b"origin:/public/m.txt"
    assert origin.hits.count("/public/m.txt") == 1
    assert owner.get_object("public/m.txt").read() == b"origin:/public/m.txt"  # stored
    with pytest.raises(oss2.exceptions.AccessDenied):
        anon.get_object("private/m.txt")
    assert "/private/m.txt" not in origin.hits

    # The S3 website host follows the same policy.
    host = f"{name}.s3-website-us-east-1.amazonaws.com"
    assert plain_get(srv, "/public/a", host) == (200, b"hello")
    assert plain_get(srv, "/private/a", host)[0] == 403


def test_public_access_block_in_the_matrix(srv):
    """The same public bucket and public policy, with the block's switches turned on one by
    one: IgnorePublicAcls takes the ACL's public grants away, RestrictPublicBuckets keeps a
    public policy to the owner's account, BlockPublicPolicy refuses a new public policy."""
    name = new_bucket(srv, acl="public-read")
    owner = boto(srv, "owner")
    public_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{name}/public/*"}]})
    owner.put_bucket_policy(Bucket=name, Policy=public_policy)
    before = {w: outcomes(srv, name, w) for w in WHO}
    assert before["anonymous"] == (200, 200, 200)
    assert before["partner"] == (200, 200, 200)

    def block(**switches):
        config = {"BlockPublicAcls": False, "IgnorePublicAcls": False,
                  "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
        config.update(switches)
        owner.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=config)

    block(IgnorePublicAcls=True)
    got = {w: outcomes(srv, name, w) for w in WHO}
    assert got == {
        "owner": (200, 200, 200),
        "reader": (200, 200, 200),       # its own policy; the public policy lets it write public/
        "partner": (403, 403, 200),      # the ACL's public read is ignored; the policy still lets it write
        "partnerops": (403, 403, 200),
        "anonymous": (403, 403, 200),
    }
    block(IgnorePublicAcls=True, RestrictPublicBuckets=True)
    got = {w: outcomes(srv, name, w) for w in WHO}
    assert got == {
        "owner": (200, 200, 200),
        "reader": (200, 200, 200),       # the owner's account keeps the public policy
        "partner": (403, 403, 403),
        "partnerops": (403, 403, 403),
        "anonymous": (403, 403, 403),
    }
    block(BlockPublicPolicy=True)
    with pytest.raises(ClientError) as e:
        owner.put_bucket_policy(Bucket=name, Policy=public_policy)
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    # A policy naming an account is not public: accepted under the block.
    owner.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::200002:root"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{name}/public/*"}]}))
    assert owner.get_bucket_policy_status(Bucket=name)["PolicyStatus"]["IsPublic"] is True  # the ACL
    # OSS reads the same block as one switch, true only when all four are on.
    oss = bucket(srv, "owner", name)
    assert oss.get_bucket_public_access_block().block_public_access is False
    block(BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True)
    assert oss.get_bucket_public_access_block().block_public_access is True
