#!/usr/bin/env bash
# Runs alibabacloud-oss-v2's integration tests (tests/integration/ of
# github.com/aliyun/alibabacloud-oss-python-sdk-v2; not in its sdist, so not in CI) against
# ossemu, one fresh `ossemu --memory` per test file, with the alibabacloud-oss-v2 installed in
# .venv. None of that repository's code belongs in this one: check it out into a scratch
# directory outside it and pass that directory (it must hold tests/integration/):
#
#   git -C <clone or mirror of the repository> archive <commit> tests/__init__.py \
#       tests/integration tests/data | tar -x -C /tmp/oss-v2
#   tests/conformance/oss-v2.sh /tmp/oss-v2                     # the files of the record
#   tests/conformance/oss-v2.sh /tmp/oss-v2 test_presign.py     # some of them
#
# It writes a conftest.py into <dir>/tests/integration/ (the suite's tear-down reconnects
# through ListBuckets' scheme-less ExtranetEndpoint, which the SDK would make https://) and
# fails only when a test in tests/conformance/oss-v2-pass.txt does not pass. See
# tests/conformance/oss-v2.md.
set -euo pipefail
[ "$#" -ge 1 ] || { sed -n '2,16p' "$0"; exit 2; }
DIR=$(cd "$1" && pwd)
shift
[ -f "$DIR/tests/integration/__init__.py" ] || { echo "$DIR has no tests/integration/"; exit 2; }
cd "$(dirname "$0")/../.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}

scripts/venv
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/conformance/oss-v2-requirements.txt

cat >"$DIR/tests/integration/conftest.py" <<'PY'
# Written by ossemu's tests/conformance/oss-v2.sh: the tear-down reconnects through
# ListBuckets' scheme-less ExtranetEndpoint ("127.0.0.1:PORT"); use http:// for it.
import alibabacloud_oss_v2.defaults

alibabacloud_oss_v2.defaults.DEFAULT_ENDPOINT_SCHEME = "http"
PY

if [ -z "${OSSEMU_BIN:-}" ]; then
    echo "==> building ossemu"
    cargo build --quiet --bin ossemu
    OSSEMU_BIN=$TARGET_DIR/debug/ossemu
fi

FILES=(test_object_basic.py test_client.py test_paginator.py test_presign.py
       test_bucket_website_client.py test_bucket_cors_client.py test_bucket_cname_client.py
       test_bucket_tags_client.py test_bucket_lifecycle_client.py test_bucket_policy_client.py
       test_client_filelike.py aio/test_bucket_basic_async.py aio/test_multipart_upload_async.py
       aio/test_client_extension_async.py test_bucket_worm_client.py
       test_bucket_access_monitor_client.py test_bucket_referer_client.py
       test_bucket_encryption_client.py test_bucket_logging_client.py
       test_bucket_public_access_block_client.py)
[ "$#" -gt 0 ] && FILES=("$@")

echo "==> alibabacloud-oss-v2 integration tests (one fresh ossemu per file)"
# The suite's date assertions assume its authors' time zone: test_bucket_lifecycle_client.py
# builds a CreatedBeforeDate from datetime.fromtimestamp(1702743657), a naive local time the
# SDK writes as a date, and expects 2023-12-17, which is that instant's date in UTC+8.
export TZ=Asia/Shanghai
exec .venv/bin/python tests/conformance/sdk_suite.py --name oss-v2 --suite "$DIR" \
    --tests-dir tests/integration --ossemu "$OSSEMU_BIN" \
    --pass-list tests/conformance/oss-v2-pass.txt --out target/oss-v2-suite/out "${FILES[@]}"
