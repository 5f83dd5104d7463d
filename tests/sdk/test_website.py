"""Website configuration round trips through oss2, alibabacloud-oss-v2 and boto3, and the
behaviour oss2's own live tests expect."""

import uuid

import alibabacloud_oss_v2 as oss
import oss2
import pytest
import requests
from oss2.models import (
    BucketWebsite, Condition, ConditionInlcudeHeader, MirrorHeadersSet, Redirect,
    RedirectMirrorHeaders, RoutingRule, REDIRECT_TYPE_ALICDN, REDIRECT_TYPE_EXTERNAL,
    REDIRECT_TYPE_INTERNAL, REDIRECT_TYPE_MIRROR,
)

from conftest import s3_client

SPECIAL = "1~!@#$%^&*()-_=+|\\[]{}<>,./?`~"


def test_oss2_index_and_error_and_delete(oss2_bucket):
    b = oss2_bucket
    b.put_object("index+中文.html", b"index page")
    b.put_bucket_website(BucketWebsite("index+中文.html", "error.中文"))
    got = b.get_bucket_website()
    assert (got.index_file, got.error_file) == ("index+中文.html", "error.中文")
    # A signed GET of a missing "<dir>/" returns the root index (oss2's live test).
    assert b.get_object(f"{uuid.uuid4().hex}/").read() == b"index page"
    b.delete_bucket_website()
    b.delete_bucket_website()
    with pytest.raises(oss2.exceptions.NoSuchWebsite):
        b.get_bucket_website()


def test_oss2_mirror_rules_round_trip(oss2_bucket):
    b = oss2_bucket
    headers = [ConditionInlcudeHeader("host", "test.oss-cn-beijing-internal.aliyuncs.com"),
               ConditionInlcudeHeader("host", "test.oss-cn-shenzhen-internal.aliyuncs.com")]
    rule1 = RoutingRule(rule_num=1,
                        condition=Condition(key_prefix_equals=SPECIAL, http_err_code_return_equals=404,
                                            include_header_list=headers),
                        redirect=Redirect(redirect_type=REDIRECT_TYPE_MIRROR, mirror_url="http://www.test.com/",
                                          mirror_pass_query_string=True, mirror_follow_redirect=True,
                                          mirror_check_md5=False))
    mh = RedirectMirrorHeaders(pass_all=True, pass_list=["myheader-key1", "myheader-key2"],
                               remove_list=["myheader-key3", "myheader-key4"],
                               set_list=[MirrorHeadersSet("myheader-key5", "myheader-value5"),
                                         MirrorHeadersSet("myheader-key6", "myheader-value6")])
    rule2 = RoutingRule(rule_num=2,
                        condition=Condition(key_prefix_equals="abc/", http_err_code_return_equals=404,
                                            include_header_list=headers),
                        redirect=Redirect(redirect_type=REDIRECT_TYPE_MIRROR, mirror_url="http://www.test.com/",
                                          mirror_url_slave="http://www.slave.com/", mirror_url_probe="http://www.test.com/index.html",
                                          mirror_pass_query_string=False, mirror_follow_redirect=False,
                                          mirror_check_md5=True, mirror_headers=mh))
    b.put_bucket_website(BucketWebsite("index.html", "error.html", [rule1, rule2]))
    got = b.get_bucket_website()
    assert len(got.rules) == 2
    r1, r2 = sorted(got.rules, key=lambda r: r.rule_num)
    assert r1.condition.key_prefix_equals == SPECIAL
    assert r1.condition.http_err_code_return_equals == 404
    assert [(h.key, h.equals) for h in r1.condition.include_header_list] == [(h.key, h.equals) for h in headers]
    assert r1.redirect.mirror_url == "http://www.test.com/"
    assert r1.redirect.mirror_pass_query_string is True
    assert r1.redirect.pass_query_string is True  # covered by MirrorPassQueryString for Mirror rules
    assert r1.redirect.mirror_follow_redirect is True
    assert r1.redirect.mirror_check_md5 is False
    assert r2.redirect.mirror_url_slave == "http://www.slave.com/"
    assert r2.redirect.mirror_url_probe == "http://www.test.com/index.html"
    assert r2.redirect.mirror_follow_redirect is False
    assert r2.redirect.mirror_check_md5 is True
    assert r2.redirect.mirror_headers.pass_all is True
    assert r2.redirect.mirror_headers.pass_list == ["myheader-key1", "myheader-key2"]
    assert r2.redirect.mirror_headers.remove_list == ["myheader-key3", "myheader-key4"]
    assert [(x.key, x.value) for x in r2.redirect.mirror_headers.set_list] == [
        ("myheader-key5", "myheader-value5"), ("myheader-key6", "myheader-value6")]


def test_oss2_alicdn_external_internal_round_trip(oss2_bucket):
    b = oss2_bucket
    rules = [
        RoutingRule(rule_num=1, condition=Condition(key_prefix_equals="a/", http_err_code_return_equals=404),
                    redirect=Redirect(redirect_type=REDIRECT_TYPE_ALICDN, replace_key_with="${key}.suffix", proto="http",
                                      host_name="oss.aliyuncs.com", http_redirect_code=302, pass_query_string=True)),
        RoutingRule(rule_num=2, condition=Condition(key_prefix_equals="b/", http_err_code_return_equals=404),
                    redirect=Redirect(redirect_type=REDIRECT_TYPE_EXTERNAL, replace_key_prefix_with="abc", proto="https",
                                      host_name="oss.aliyuncs.com", http_redirect_code=302)),
        RoutingRule(rule_num=3, condition=Condition(key_prefix_equals="c/", http_err_code_return_equals=404),
                    redirect=Redirect(redirect_type=REDIRECT_TYPE_INTERNAL, replace_key_with="${key}.suffix")),
    ]
    for _ in range(3):
        b.put_bucket_website(BucketWebsite("index.html", "error.html", rules))
        got = sorted(b.get_bucket_website().rules, key=lambda r: r.rule_num)
        assert [r.redirect.redirect_type for r in got] == ["AliCDN", "External", "Internal"]
        assert got[0].redirect.replace_key_with == "${key}.suffix"
        assert got[0].redirect.proto == "http" and got[0].redirect.http_redirect_code == 302
        assert got[0].redirect.pass_query_string is True
        assert got[1].redirect.replace_key_prefix_with == "abc" and got[1].redirect.proto == "https"
        assert got[2].redirect.replace_key_with == "${key}.suffix"
        b.delete_bucket_website()


def test_oss2_redirect_followed_through_custom_domain(server, oss2_bucket):
    """oss2 (through requests) follows a 302 like a browser; ExternalRedirectForbidden otherwise."""
    b = oss2_bucket
    b.put_object("target.txt", b"landed")
    rule = RoutingRule(rule_num=1, condition=Condition(key_prefix_equals="old/", http_err_code_return_equals=404),
                       redirect=Redirect(redirect_type=REDIRECT_TYPE_EXTERNAL, host_name=server.addr,
                                         replace_key_with=f"{b.bucket_name}/target.txt", proto="http",
                                         http_redirect_code=302))
    b.put_bucket_website(BucketWebsite("index.html", "error.html", [rule]))
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.get_object("old/x")
    assert e.value.status == 400 and e.value.code == "ExternalRedirectForbidden"
    assert e.value.headers["location"] == f"http://{server.addr}/{b.bucket_name}/target.txt"
    b.put_bucket_cname(oss2.models.PutBucketCnameRequest("cdn.example.test"))
    b.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
    r = requests.get(f"{server.endpoint}/old/x", headers={"Host": "cdn.example.test"}, allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["x-ossemu-rule"] == "1"
    followed = requests.get(r.headers["location"])
    assert followed.content == b"landed"


def test_oss_v2_round_trip(v2_client, bucket_name):
    c = v2_client
    c.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    cfg = oss.WebsiteConfiguration(
        index_document=oss.IndexDocument(suffix="index.html", support_sub_dir=True, type=0),
        error_document=oss.ErrorDocument(key="error.html", http_status=404),
        routing_rules=oss.RoutingRules(routing_rules=[
            oss.RoutingRule(rule_number=1,
                            condition=oss.RoutingRuleCondition(key_prefix_equals="abc/", key_suffix_equals=".txt",
                                                               http_error_code_returned_equals=404),
                            redirect=oss.RoutingRuleRedirect(redirect_type="Mirror", mirror_url="http://www.test.com/",
                                                             mirror_pass_original_slashes=True,
                                                             mirror_allow_head_object=True,
                                                             mirror_user_last_modified=True,
                                                             transparent_mirror_response_codes="400,500",
                                                             mirror_headers=oss.MirrorHeaders(pass_all=True, removes=["a-b"]))),
            oss.RoutingRule(rule_number=2,
                            condition=oss.RoutingRuleCondition(http_error_code_returned_equals=404),
                            redirect=oss.RoutingRuleRedirect(redirect_type="External", protocol="https",
                                                             host_name="www.example.com", replace_key_with="prefix/${key}",
                                                             http_redirect_code=307)),
        ]))
    c.put_bucket_website(oss.PutBucketWebsiteRequest(bucket=bucket_name, website_configuration=cfg))
    got = c.get_bucket_website(oss.GetBucketWebsiteRequest(bucket=bucket_name)).website_configuration
    assert got.index_document.suffix == "index.html"
    assert got.index_document.support_sub_dir is True and got.index_document.type == 0
    assert got.error_document.http_status == 404
    r1, r2 = sorted(got.routing_rules.routing_rules, key=lambda r: r.rule_number)
    assert r1.condition.key_suffix_equals == ".txt"
    assert r1.redirect.mirror_pass_original_slashes is True
    assert r1.redirect.mirror_allow_head_object is True
    assert r1.redirect.transparent_mirror_response_codes == "400,500"
    assert r1.redirect.mirror_headers.removes == ["a-b"]
    assert r2.redirect.http_redirect_code == 307 and r2.redirect.replace_key_with == "prefix/${key}"
    c.delete_bucket_website(oss.DeleteBucketWebsiteRequest(bucket=bucket_name))
    with pytest.raises(oss.exceptions.OperationError) as e:
        c.get_bucket_website(oss.GetBucketWebsiteRequest(bucket=bucket_name))
    assert e.value.unwrap().code == "NoSuchWebsiteConfiguration"


@pytest.mark.parametrize("when_required", [False, True])
def test_boto3_round_trip(server, bucket_name, when_required):
    s3 = s3_client(server, when_required)
    s3.create_bucket(Bucket=bucket_name)
    cfg = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "error.html"},
        "RoutingRules": [
            {"Condition": {"KeyPrefixEquals": "docs/", "HttpErrorCodeReturnedEquals": "404"},
             "Redirect": {"Protocol": "https", "HostName": "example.com", "ReplaceKeyPrefixWith": "documents/",
                          "HttpRedirectCode": "302"}},
            {"Condition": {"KeyPrefixEquals": "img/"}, "Redirect": {"ReplaceKeyWith": "missing.png"}},
        ],
    }
    s3.put_bucket_website(Bucket=bucket_name, WebsiteConfiguration=cfg)
    got = s3.get_bucket_website(Bucket=bucket_name)
    assert got["IndexDocument"] == {"Suffix": "index.html"}
    assert got["ErrorDocument"] == {"Key": "error.html"}
    assert got["RoutingRules"] == cfg["RoutingRules"]
    s3.put_bucket_website(Bucket=bucket_name, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "example.org", "Protocol": "https"}})
    assert s3.get_bucket_website(Bucket=bucket_name)["RedirectAllRequestsTo"] == {"HostName": "example.org", "Protocol": "https"}
    s3.delete_bucket_website(Bucket=bucket_name)
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as e:
        s3.get_bucket_website(Bucket=bucket_name)
    assert e.value.response["Error"]["Code"] == "NoSuchWebsiteConfiguration"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_website(Bucket=bucket_name, WebsiteConfiguration={"RoutingRules": [
            {"Condition": {"KeyPrefixEquals": "a"}, "Redirect": {"ReplaceKeyWith": "x", "ReplaceKeyPrefixWith": "y"}}]})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
