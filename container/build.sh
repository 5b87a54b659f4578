#!/usr/bin/env bash
# Builds the `kushki-conformance` image without pulling anything: the binary is compiled here,
# statically linked (glibc's `crt-static` on x86_64-unknown-linux-gnu), and the image is
# `FROM scratch` around it. Usage: container/build.sh [TAG]   (default: kushki-conformance:latest)
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-kushki-conformance:latest}"
target=x86_64-unknown-linux-gnu
# An explicit --target keeps RUSTFLAGS off build scripts and proc macros (they stay dynamic).
# A static, non-PIE executable: no start-up relocations to carry or to apply.
RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
  cargo build --profile container --locked -p kushki-conformance --target "$target"

bin="target/$target/container/kushki-conformance"
ctx=target/container-context
rm -rf "$ctx"
mkdir -p "$ctx/rootfs/usr/bin" "$ctx/rootfs/usr/share/kushki-conformance" "$ctx/rootfs/data" "$ctx/rootfs/tmp"
objcopy --strip-all "$bin" "$ctx/rootfs/usr/bin/kushki-conformance"
cp -r features "$ctx/rootfs/usr/share/kushki-conformance/features"
cp container/Dockerfile "$ctx/Dockerfile"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
docker build --quiet \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" \
  -t "$tag" "$ctx" >/dev/null
docker image inspect "$tag" --format "built $tag: {{.Size}} bytes"
