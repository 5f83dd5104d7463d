#!/usr/bin/env bash
# Runs oss2's own test suite against ossemu: the `tests/` shipped in the oss2 sdist on PyPI
# (pinned version and hash, downloaded once into target/oss2-suite/), one fresh
# `ossemu --memory` per test file. Fails only when a test listed in
# tests/conformance/oss2-pass.txt does not pass; tests outside the list that pass are
# printed so the list can grow. See tests/conformance/oss2.md.
#
#   tests/conformance/oss2.sh                      # the 18 files of the record
#   tests/conformance/oss2.sh test_object.py       # some of them
#   OSSEMU_BIN=/path/to/ossemu tests/conformance/oss2.sh   # skip the cargo build
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=2.19.1
SHA256=a8ab9ee7eb99e88a7e1382edc6ea641d219d585a7e074e3776e9dec9473e59c1
OUT=target/oss2-suite
SUITE=$OUT/oss2-$VERSION
TARGET_DIR=${CARGO_TARGET_DIR:-target}

scripts/venv
PY=.venv/bin/python

if [ ! -f "$SUITE/tests/common.py" ]; then
    echo "==> downloading the oss2 $VERSION sdist for its tests"
    mkdir -p "$OUT/dl"
    "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        -d "$OUT/dl" "oss2==$VERSION"
    echo "$SHA256  $OUT/dl/oss2-$VERSION.tar.gz" | sha256sum -c --quiet
    # only tests/: the sdist's oss2/ package must not shadow the installed one
    rm -rf "$SUITE" && tar -xzf "$OUT/dl/oss2-$VERSION.tar.gz" -C "$OUT" "oss2-$VERSION/tests"
fi

if [ -z "${OSSEMU_BIN:-}" ]; then
    echo "==> building ossemu"
    cargo build --quiet --bin ossemu
    OSSEMU_BIN=$TARGET_DIR/debug/ossemu
fi

FILES=(test_object.py test_bucket.py test_multipart.py test_website.py test_bucket_cname.py
       test_list_objects_v2.py test_iterator.py test_upload.py test_download.py test_chinese.py
       test_headers.py test_put_object_chunked.py test_object_versioning.py
       test_bucket_versioning.py test_sign.py test_bucket_worm.py
       test_lifecycle_versioning.py test_bucket_access_monitor.py)
[ "$#" -gt 0 ] && FILES=("$@")

echo "==> oss2 $VERSION test suite (one fresh ossemu per file)"
exec "$PY" tests/conformance/sdk_suite.py --name oss2 --suite "$SUITE" --tests-dir tests \
    --plugin oss2_plugin --proxy --example-jpg --ossemu "$OSSEMU_BIN" \
    --pass-list tests/conformance/oss2-pass.txt --out "$OUT/out" "${FILES[@]}"
