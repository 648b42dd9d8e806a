#!/usr/bin/env bash
# Quick start 2: install everything, then run the whole test suite (unit; integration and interop as root).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/setup.sh"
cd "$here"
echo "== unit tests"
node --test --test-reporter=spec dist/test/unit
echo "== integration tests (root, real kernel)"
node --test --test-concurrency=1 --test-reporter=spec dist/test/integration
echo "== interop tests (real peer tools driving Berth)"
node --test --test-concurrency=1 --test-reporter=spec dist/test/interop
