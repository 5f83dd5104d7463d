"""The web console in headless Chromium: sign-in, buckets, browsing by prefix with paging,
uploads (file input, drag and drop, multipart), tags, website rules edited as XML with the
server's error shown inline, and a mirrored GET by a plain HTTP client appearing in the live
request trail with its rule and origin. Each test saves a screenshot (see conftest)."""

import os
import tempfile
import urllib.error
import urllib.request

import oss2
import pytest
from oss2.models import BucketWebsite, Condition, Redirect, RoutingRule, REDIRECT_TYPE_MIRROR
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ALT_AK, ALT_SK, AK, SK, Ossemu, oss_bucket

WAIT = 20


def wait_for(driver, condition, timeout=WAIT):
    # Tables are re-rendered as answers arrive: an element may go stale while a wait looks.
    wait = WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(condition)


def visible(driver, css):
    return wait_for(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def text_in(driver, css, text):
    wait_for(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return driver.find_element(By.CSS_SELECTOR, css)


def rows(driver, css):
    return [r for r in driver.find_elements(By.CSS_SELECTOR, css) if r.is_displayed()]


def sign_in(driver, ak=AK, sk=SK):
    visible(driver, "#login-form")
    driver.find_element(By.ID, "login-access-key").clear()
    driver.find_element(By.ID, "login-access-key").send_keys(ak)
    driver.find_element(By.ID, "login-secret").clear()
    driver.find_element(By.ID, "login-secret").send_keys(sk)
    driver.find_element(By.ID, "login-submit").click()


def signed_in(driver, ak=AK):
    sign_in(driver, ak, {AK: SK, ALT_AK: ALT_SK}[ak])
    text_in(driver, "#whoami", ak)


def go(driver, server, hash_):
    driver.get(f"{server.console}#{hash_}")


def shot(driver, screenshots, name):
    driver.save_screenshot(os.path.join(screenshots, f"console-{name}.png"))


def ensure_bucket(server, name, acl=oss2.BUCKET_ACL_PRIVATE):
    b = oss_bucket(server, name)
    b.create_bucket(acl)
    return b


def test_a_wrong_secret_is_refused_and_the_right_one_signs_in(page, server, screenshots):
    sign_in(page, AK, "not-the-secret")
    err = visible(page, "#login-error")
    assert "wrong" in err.text
    assert not page.find_element(By.ID, "main-nav").is_displayed()
    assert page.get_cookie("ossemu_console") is None
    sign_in(page, AK, SK)
    text_in(page, "#whoami", AK)
    cookie = page.get_cookie("ossemu_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # The page's script cannot read the session cookie.
    assert "ossemu_console" not in page.execute_script("return document.cookie")
    # Create a bucket through the console: it belongs to the signed-in credential.
    page.find_element(By.ID, "new-bucket-name").send_keys("welcome-bucket")
    Select(page.find_element(By.ID, "new-bucket-acl")).select_by_value("public-read")
    page.find_element(By.ID, "create-bucket").click()
    visible(page, 'tr[data-bucket="welcome-bucket"]')
    text_in(page, 'tr[data-bucket="welcome-bucket"] td.acl', "public-read")
    text_in(page, 'tr[data-bucket="welcome-bucket"] td.versioning', "Off")
    assert oss_bucket(server, "welcome-bucket").get_bucket_acl().acl == "public-read"
    ensure_bucket(server, "assets-prod")
    page.refresh()
    visible(page, 'tr[data-bucket="assets-prod"]')
    text_in(page, 'tr[data-bucket="assets-prod"] td.versioning', "Off")
    assert "welcome-bucket" in page.find_element(By.CSS_SELECTOR, 'tr[data-bucket="welcome-bucket"]').text
    shot(page, screenshots, "buckets")


def test_another_credential_gets_access_denied_as_with_an_sdk(page, server):
    ensure_bucket(server, "private-stuff").put_object("secret.txt", b"hidden")
    signed_in(page, ALT_AK)
    go(page, server, "/b/private-stuff/objects")
    err = visible(page, "#objects-error")
    assert "AccessDenied" in err.text
    assert rows(page, "#object-list tr.object-row") == []
    go(page, server, "/b/private-stuff/website")
    assert "AccessDenied" in visible(page, "#website-error").text


def test_browsing_a_bucket_by_prefix_with_paging(page, server, screenshots):
    b = ensure_bucket(server, "gallery")
    for key in ["photos/2024/beach.jpg", "photos/2024/hills.jpg", "photos/cat.png", "readme.txt"]:
        b.put_object(key, b"x" * 1234)
    for i in range(120):
        b.put_object(f"many/k{i:03}", b"")
    signed_in(page)
    go(page, server, "/b/gallery/objects")
    visible(page, 'tr.object-row[data-key="readme.txt"]')
    prefixes = [r.get_attribute("data-prefix") for r in rows(page, "tr.prefix-row")]
    assert prefixes == ["many/", "photos/"]
    page.find_element(By.CSS_SELECTOR, 'tr.prefix-row[data-prefix="photos/"]').click()
    visible(page, 'tr.object-row[data-key="photos/cat.png"]')
    assert [r.get_attribute("data-prefix") for r in rows(page, "tr.prefix-row")] == ["photos/2024/"]
    assert [r.get_attribute("data-key") for r in rows(page, "tr.object-row")] == ["photos/cat.png"]
    assert "photos" in page.find_element(By.ID, "breadcrumbs").text
    page.find_element(By.CSS_SELECTOR, 'tr.object-row[data-key="photos/cat.png"]').click()
    text_in(page, '#meta-table tr[data-meta="content-length"]', "1234")
    text_in(page, "#detail-key", "photos/cat.png")
    shot(page, screenshots, "objects")
    # A prefix typed in, then the next page of a long listing (100 per page).
    box = page.find_element(By.ID, "prefix-input")
    box.clear()
    box.send_keys("many/")
    page.find_element(By.ID, "prefix-go").click()
    wait_for(page, lambda d: len(rows(d, "tr.object-row")) == 100)
    assert rows(page, "tr.object-row")[0].get_attribute("data-key") == "many/k000"
    page.find_element(By.ID, "next-page").click()
    wait_for(page, lambda d: len(rows(d, "tr.object-row")) == 20)
    assert rows(page, "tr.object-row")[0].get_attribute("data-key") == "many/k100"
    assert not page.find_element(By.ID, "next-page").is_displayed()
    assert "Page 2" in page.find_element(By.ID, "page-info").text


def test_uploads_by_file_input_drag_and_drop_and_multipart_then_tags(page, server, screenshots):
    b = ensure_bucket(server, "uploads")
    small = b"hello from the console\n"
    big = os.urandom(12 * 1024 * 1024 + 12345)
    d = tempfile.mkdtemp(prefix="ossemu-upload-")
    paths = []
    for name, data in [("hello.txt", small), ("video.bin", big)]:
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(data)
        paths.append(p)
    signed_in(page)
    go(page, server, "/b/uploads/objects")
    text_in(page, "#upload-target", "uploads/")
    page.find_element(By.ID, "file-input").send_keys("\n".join(paths))
    wait_for(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#uploads .upload.done")) == 2, 60)
    states = {u.get_attribute("data-key"): u.text for u in page.find_elements(By.CSS_SELECTOR, "#uploads .upload")}
    assert "done (multipart, 3 parts)" in states["video.bin"]
    assert b.get_object("hello.txt").read() == small
    head = b.head_object("video.bin")
    assert head.content_length == len(big)
    assert head.etag.endswith("-3"), head.etag
    assert b.get_object("video.bin").read() == big
    # Drag and drop: a drop event carrying a file, as a browser makes it.
    page.execute_script(
        """
        const dt = new DataTransfer();
        dt.items.add(new File([arguments[1]], 'dropped.txt', {type: 'text/plain'}));
        for (const t of ['dragenter', 'dragover', 'drop']) {
          arguments[0].dispatchEvent(new DragEvent(t, {bubbles: true, cancelable: true, dataTransfer: dt}));
        }
        """,
        page.find_element(By.ID, "drop-zone"), "dropped!")
    wait_for(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#uploads .upload.done")) == 3)
    obj = b.get_object("dropped.txt")
    assert obj.read() == b"dropped!"
    assert obj.headers["Content-Type"] == "text/plain"
    visible(page, 'tr.object-row[data-key="video.bin"]')
    shot(page, screenshots, "upload")
    # Tags on an object.
    page.find_element(By.CSS_SELECTOR, 'tr.object-row[data-key="hello.txt"]').click()
    text_in(page, "#tag-table", "No tags")
    page.find_element(By.ID, "tag-key").send_keys("team")
    page.find_element(By.ID, "tag-value").send_keys("blue")
    page.find_element(By.ID, "add-tag").click()
    visible(page, '#tag-table tr[data-tag="team"]')
    assert b.get_object_tagging("hello.txt").tag_set.tagging_rule == {"team": "blue"}
    # Delete from the details panel.
    page.find_element(By.ID, "delete-object").click()
    page.switch_to.alert.accept()
    wait_for(page, lambda d: not d.find_elements(By.CSS_SELECTOR, 'tr.object-row[data-key="hello.txt"]'))
    assert not b.object_exists("hello.txt")


INVALID_WEBSITE = """<WebsiteConfiguration>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
      <Redirect><RedirectType>Mirror</RedirectType></Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"""


def valid_website(origin_url):
    return f"""<WebsiteConfiguration>
  <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
  <ErrorDocument><Key>error.html</Key></ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition>
        <KeyPrefixEquals>img/</KeyPrefixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>Mirror</RedirectType>
        <MirrorURL>{origin_url}</MirrorURL>
      </Redirect>
    </RoutingRule>
    <RoutingRule>
      <RuleNumber>2</RuleNumber>
      <Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition>
      <Redirect>
        <RedirectType>External</RedirectType>
        <Protocol>https</Protocol>
        <HostName>www.example.com</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <ReplaceKeyPrefixWith>new/</ReplaceKeyPrefixWith>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"""


def set_editor(driver, text):
    box = driver.find_element(By.ID, "website-xml")
    driver.execute_script("arguments[0].value = arguments[1];", box, text)


def test_website_rules_edited_as_xml_with_the_servers_error_inline(page, server, origin, screenshots):
    b = ensure_bucket(server, "site")
    signed_in(page)
    go(page, server, "/b/site/website")
    text_in(page, "#website-docs", "No website configuration")
    assert "<RoutingRules>" in page.find_element(By.ID, "website-xml").get_attribute("value")
    set_editor(page, INVALID_WEBSITE)
    page.find_element(By.ID, "save-website").click()
    err = visible(page, "#website-error")
    # The server's own answer to PutBucketWebsite, code and message.
    with pytest.raises(oss2.exceptions.OssError) as refused:
        b.put_bucket_website(BucketWebsite("index.html", "error.html", [RoutingRule(
            rule_num=1, condition=Condition(http_err_code_return_equals=404),
            redirect=Redirect(redirect_type=REDIRECT_TYPE_MIRROR))]))
    assert refused.value.code in err.text
    assert refused.value.message in err.text
    with pytest.raises(oss2.exceptions.NoSuchWebsite):
        b.get_bucket_website()
    shot(page, screenshots, "website-error")
    set_editor(page, valid_website(origin.url))
    page.find_element(By.ID, "save-website").click()
    text_in(page, "#website-status", "Saved")
    assert not page.find_element(By.ID, "website-error").is_displayed()
    rule1 = visible(page, 'tr.rule-row[data-rule="1"]')
    assert "key starts with “img/” and status would be 404" in rule1.text
    assert f"Mirror from {origin.url}" in rule1.text
    rule2 = page.find_element(By.CSS_SELECTOR, 'tr.rule-row[data-rule="2"]')
    assert "External 302 to https://www.example.com" in rule2.text
    assert "index.html" in page.find_element(By.ID, "website-docs").text
    stored = b.get_bucket_website()
    assert [r.rule_num for r in stored.rules] == [1, 2]
    assert stored.rules[0].redirect.mirror_url == origin.url
    # Custom domains are listed from the same bucket.
    page.find_element(By.ID, "sub-domains").click()
    page.find_element(By.ID, "new-domain").send_keys("static.example.com")
    page.find_element(By.ID, "bind-domain").click()
    visible(page, 'tr[data-domain="static.example.com"]')
    page.find_element(By.ID, "sub-website").click()
    visible(page, 'tr.rule-row[data-rule="2"]')
    shot(page, screenshots, "website")


def plain_get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_a_mirrored_get_appears_in_the_trail_with_its_rule_and_origin(page, server, origin, screenshots):
    origin.files["/cdn/img/logo.png"] = b"\x89PNG" + b"\0" * 4096
    b = ensure_bucket(server, "cdn-assets", oss2.BUCKET_ACL_PUBLIC_READ)
    rule = RoutingRule(rule_num=1, condition=Condition(key_prefix_equals="img/", http_err_code_return_equals=404),
                       redirect=Redirect(redirect_type=REDIRECT_TYPE_MIRROR, mirror_url=origin.url + "cdn/"))
    b.put_bucket_website(BucketWebsite("index.html", "error.html", [rule]))
    signed_in(page)
    go(page, server, "/trail")
    text_in(page, "#trail-state", "live")
    # A plain HTTP client, anonymous: a miss mirrored from the origin, then one no rule takes.
    status, body = plain_get(f"{server.endpoint}/cdn-assets/img/logo.png")
    assert (status, len(body)) == (200, 4100)
    status, _ = plain_get(f"{server.endpoint}/cdn-assets/docs/missing.txt")
    assert status == 404
    row = visible(page, 'tr.trail-row[data-key="img/logo.png"]')
    assert row.get_attribute("data-op") == "GetObject"
    assert row.get_attribute("data-status") == "200"
    assert "rule 1" in row.text
    detail = page.find_element(By.CSS_SELECTOR, f'tr.origin-detail[data-id="{row.get_attribute("data-id")}"]')
    assert detail.find_element(By.CSS_SELECTOR, ".fact-rule").text.endswith("#1")
    assert 'starts with "img/"' in detail.find_element(By.CSS_SELECTOR, ".fact-why").text
    assert detail.find_element(By.CSS_SELECTOR, ".fact-origin").text.endswith(origin.url + "cdn/img/logo.png")
    assert detail.find_element(By.CSS_SELECTOR, ".fact-origin-status").text.endswith("200")
    assert detail.find_element(By.CSS_SELECTOR, ".fact-clients").text.endswith("1")
    assert "4.0 KiB" in detail.find_element(By.CSS_SELECTOR, ".fact-bytes").text
    visible(page, 'tr.trail-row[data-key="docs/missing.txt"][data-status="404"]')
    # The console's own requests (its bucket list on sign-in, say) are not in the trail.
    ops = {r.get_attribute("data-op") for r in rows(page, "tr.trail-row")}
    assert "ListBuckets" not in ops
    # Filters: status class, then bucket.
    Select(page.find_element(By.ID, "trail-status")).select_by_value("4xx")
    wait_for(page, lambda d: not rows(d, 'tr.trail-row[data-key="img/logo.png"]'))
    assert rows(page, 'tr.trail-row[data-key="docs/missing.txt"]')
    Select(page.find_element(By.ID, "trail-status")).select_by_value("")
    box = page.find_element(By.ID, "trail-bucket")
    box.send_keys("some-other-bucket")
    wait_for(page, lambda d: not rows(d, "tr.trail-row"))
    box.clear()
    box.send_keys("cdn-assets")
    visible(page, 'tr.trail-row[data-key="img/logo.png"]')
    # The second read is served from the store: no rule, no origin.
    status, _ = plain_get(f"{server.endpoint}/cdn-assets/img/logo.png")
    assert status == 200
    wait_for(page, lambda d: len(rows(d, 'tr.trail-row[data-key="img/logo.png"]')) == 2)
    assert origin.hits.count("/cdn/img/logo.png") == 1
    shot(page, screenshots, "trail")


def test_bucket_acl_and_versioning_from_the_settings_tab(page, server):
    b = ensure_bucket(server, "settings-demo")
    signed_in(page)
    go(page, server, "/b/settings-demo/settings")
    text_in(page, "#versioning-status", "Off")
    Select(page.find_element(By.ID, "bucket-acl")).select_by_value("public-read")
    page.find_element(By.ID, "save-acl").click()
    text_in(page, "#acl-status", "Saved")
    assert b.get_bucket_acl().acl == "public-read"
    page.find_element(By.ID, "enable-versioning").click()
    text_in(page, "#versioning-status", "Enabled")
    assert b.get_bucket_versioning().status == "Enabled"
    page.find_element(By.ID, "suspend-versioning").click()
    text_in(page, "#versioning-status", "Suspended")
    go(page, server, "/buckets")
    text_in(page, 'tr[data-bucket="settings-demo"] td.versioning', "Suspended")
    text_in(page, 'tr[data-bucket="settings-demo"] td.acl', "public-read")


def test_signing_out_ends_the_session(page, server):
    signed_in(page)
    page.find_element(By.ID, "logout").click()
    visible(page, "#login-form")
    page.get(server.console)
    visible(page, "#login-form")
    assert page.get_cookie("ossemu_console") is None


@pytest.mark.parametrize("how", [{"args": ["--console", "off"]}, {"env_extra": {"OSSEMU_CONSOLE": "off"}}])
def test_console_off_by_flag_or_environment_is_404(browser, how):
    off = Ossemu(**how)
    try:
        browser.get(off.console)
        assert "console is off" in browser.page_source
        assert not browser.find_elements(By.ID, "login-form")
        status, _ = plain_get(off.console)
        assert status == 404
        req = urllib.request.Request(off.console + "/login", method="POST",
                                     data=b'{"accessKey":"ossemu","secret":"ossemu-secret"}')
        try:
            urllib.request.urlopen(req, timeout=10)
            raise AssertionError("sign-in answered")
        except urllib.error.HTTPError as e:
            assert e.code == 404 and e.headers.get("set-cookie") is None
        status, _ = plain_get(off.endpoint + "/_ossemu/health")
        assert status == 200
    finally:
        off.stop()


def external_rule(host):
    return RoutingRule(rule_num=1, condition=Condition(http_err_code_return_equals=404),
                       redirect=Redirect(redirect_type="External", host_name=host))


def test_explain_and_a_redirect_loop_warning(page, server, screenshots):
    a = ensure_bucket(server, "loop-one", oss2.BUCKET_ACL_PUBLIC_READ)
    b = ensure_bucket(server, "loop-two", oss2.BUCKET_ACL_PUBLIC_READ)
    a.put_bucket_cname(oss2.models.PutBucketCnameRequest("one.example.org"))
    b.put_bucket_cname(oss2.models.PutBucketCnameRequest("two.example.org"))
    a.put_bucket_website(BucketWebsite("index.html", "error.html", [external_rule("two.example.org")]))
    signed_in(page)
    # Saving loop-two's rule back to one.example.org is accepted, with a loop warning.
    go(page, server, "/b/loop-two/website")
    set_editor(page, """<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber>
<Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
<Redirect><RedirectType>External</RedirectType><HostName>one.example.org</HostName></Redirect>
</RoutingRule></RoutingRules></WebsiteConfiguration>""")
    page.find_element(By.ID, "save-website").click()
    text_in(page, "#website-status", "Saved")
    warning = visible(page, "#website-warning")
    assert "redirect loop: loop-two/x (rule 1) -> http://one.example.org/x" in warning.text
    assert [r.rule_num for r in b.get_bucket_website().rules] == [1]
    # Explain: the custom domain redirects, the endpoint refuses the 3xx, the loop is named.
    go(page, server, "/explain")
    host = page.find_element(By.ID, "explain-host")
    host.clear()
    host.send_keys("one.example.org")
    page.find_element(By.ID, "explain-path").send_keys("/page.html")
    page.find_element(By.ID, "explain-go").click()
    action = text_in(page, "#explain-action", "redirect")
    assert "301" in action.text and "Location http://two.example.org/page.html" in action.text
    chosen = visible(page, '#explain-rules tr.chosen[data-rule="1"]')
    assert "yes, chosen" in chosen.text
    assert "redirect loop" in visible(page, "#explain-warnings li").text
    shot(page, screenshots, "explain")
    host.clear()
    host.send_keys(server.addr)
    path = page.find_element(By.ID, "explain-path")
    path.clear()
    path.send_keys("/loop-one/page.html")
    page.find_element(By.ID, "explain-go").click()
    action = text_in(page, "#explain-action", "ExternalRedirectForbidden")
    assert "400" in action.text
    # A private bucket's missing key: 403, and the rule says why it did not match.
    ensure_bucket(server, "closed-site").put_bucket_website(
        BucketWebsite("index.html", "error.html", [external_rule("two.example.org")]))
    path.clear()
    path.send_keys("/closed-site/page.html")
    page.find_element(By.ID, "explain-go").click()
    text_in(page, "#explain-action", "AccessDenied")
    rule = visible(page, '#explain-rules tr[data-rule="1"]')
    assert "applies to 404" in rule.text and "would get 403" in rule.text
