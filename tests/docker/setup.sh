#!/usr/bin/env bash
# Makes Docker usable for tests/docker without any image registry: starts dockerd when it is
# not running (as root; containers use host networking, so it runs without a bridge or
# iptables rules), then makes the base image the Dockerfiles are built on from Debian's
# packages, once: `debootstrap --variant=minbase bookworm` trimmed as debian:bookworm-slim is
# (no apt lists, docs, man pages or locales) and `docker import`ed as $OSSEMU_BASE_IMAGE
# (default ossemu-base:bookworm). The tag is the cache: delete the image to remake it.
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE_IMAGE="${OSSEMU_BASE_IMAGE:-ossemu-base:bookworm}"
MIRROR="${OSSEMU_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

mkdir -p target/docker
if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v dockerd >/dev/null; then
        echo "tests/docker: no Docker daemon answers and this script cannot start one" \
             "(needs root and dockerd: apt-get install docker.io)" >&2
        exit 1
    fi
    echo "==> starting dockerd (log: target/docker/dockerd.log)"
    setsid dockerd --bridge=none --iptables=false --ip-masq=false \
        >target/docker/dockerd.log 2>&1 </dev/null &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 0.5
    done
    docker info >/dev/null 2>&1 || { tail -20 target/docker/dockerd.log >&2; exit 1; }
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || {
        echo "tests/docker: debootstrap is missing (apt-get install debootstrap)" >&2
        exit 1
    }
    root="$(mktemp -d /var/tmp/ossemu-rootfs.XXXXXX)"
    trap 'rm -rf "$root"' EXIT
    echo "==> debootstrap --variant=minbase bookworm (once; becomes $BASE_IMAGE)"
    debootstrap --variant=minbase bookworm "$root" "$MIRROR" >target/docker/debootstrap.log 2>&1 || {
        tail -20 target/docker/debootstrap.log >&2
        exit 1
    }
    rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
        "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/usr/share/info/*
    tar -C "$root" -c . | docker import \
        --change 'CMD ["bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$BASE_IMAGE" >/dev/null
fi
docker image inspect -f "==> base image $BASE_IMAGE: {{.Size}} bytes" "$BASE_IMAGE"
