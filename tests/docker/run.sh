#!/usr/bin/env bash
# The image tests: builds the release binary, makes sure Docker runs and the Debian base image
# exists (tests/docker/setup.sh), then runs tests/docker with pytest: the image from
# docker/Dockerfile on that binary (boto3 and oss2 round trips, health check, non-root user,
# data volume, SIGTERM) and docker/docker-compose.yml. Prints the image's size. Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/docker/setup.sh
echo "==> cargo build --release (the binary the image ships)"
cargo build --release --locked --bin ossemu
scripts/venv

echo "==> image and compose tests"
OSSEMU_RELEASE_BIN="$PWD/target/release/ossemu" .venv/bin/python -m pytest tests/docker -q -p no:cacheprovider "$@"
# Images of earlier runs, and their build stages (see the label in docker/Dockerfile), are of
# no more use once replaced.
docker image prune -f --filter label=org.ossemu.stage=build >/dev/null
docker image prune -f --filter label=org.ossemu.test >/dev/null
image="${OSSEMU_TEST_IMAGE:-ossemu:test}"
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "==> image $image: $((size / 1000000)) MB ($size bytes)"
