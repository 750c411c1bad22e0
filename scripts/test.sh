#!/usr/bin/env bash
# Installs what the tests need, builds everything with warnings as errors, and runs every test
# (unit and integration: the integration tests start the real hub on 127.0.0.1, ephemeral ports).
# Run as root on Debian 12. Exit status is ctest's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_TEST_BUILD_DIR:-$ROOT/build-test}"
"$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON
cmake --build "$BUILD" -j"$(nproc)"
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 300
