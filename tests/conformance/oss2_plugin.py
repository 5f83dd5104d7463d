"""pytest plugin for oss2's own suite (loaded by sdk_suite.py with `-p oss2_plugin`). It
changes nothing in the suite; it fixes two things about where its requests go.

1. test_upload.py and test_download.py pick the bucket of each test with
   `random.choice([self.bucket, self.rsa_crypto_bucket, self.kms_crypto_bucket])`. The KMS one
   needs Alibaba Cloud's KMS service (cloud-only), and a random pick makes a result depend on
   luck. Every collected test module gets a `random` whose `choice` returns the plain
   `oss2.Bucket` whenever it is offered a list with `oss2.CryptoBucket`s in it; every other use
   of `random` is untouched.

2. Two tests hard-code the endpoint `http://oss-cn-shanghai.aliyuncs.com`. The runner sets
   `HTTP_PROXY` to ossemu, which serves the `oss-<region>.aliyuncs.com` virtual hosts itself,
   so they reach ossemu and nothing leaves the machine. Only `*.aliyuncs.com` goes through
   that proxy: any other host is contacted directly, so test_request_error's made-up host
   still fails to resolve, as it does in the cloud.
"""

import random
from urllib.parse import urlparse

import oss2
import requests.utils


class _PlainBucketRandom:
    """The `random` module, except that a choice among buckets is the plain bucket."""

    def __getattr__(self, name):
        return getattr(random, name)

    @staticmethod
    def choice(seq):
        if any(isinstance(x, oss2.CryptoBucket) for x in seq):
            return next(x for x in seq if not isinstance(x, oss2.CryptoBucket))
        return random.choice(seq)


def pytest_collection_modifyitems(session, config, items):
    for module in {getattr(item, "module", None) for item in items}:
        if module is not None and getattr(module, "random", None) is random:
            module.random = _PlainBucketRandom()


_should_bypass_proxies = requests.utils.should_bypass_proxies


def _bypass_unless_aliyuncs(url, no_proxy):
    host = (urlparse(url).hostname or "").lower()
    if not host.endswith(".aliyuncs.com"):
        return True
    return _should_bypass_proxies(url, no_proxy=no_proxy)


# requests.utils.get_environ_proxies and resolve_proxies look this name up at call time.
requests.utils.should_bypass_proxies = _bypass_unless_aliyuncs
