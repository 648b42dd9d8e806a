#!/usr/bin/env bash
# Quick start 1: install everything, then show a container built from Debian's busybox-static with its own
# pid 1, hostname, mount table and network stack, under a memory and CPU limit; then an image imported, pushed to
# a local registry, pulled back and run from an overlay snapshot.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/setup.sh"
exec node "$here/bin/berth.cjs" demo
