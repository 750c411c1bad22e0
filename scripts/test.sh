#!/usr/bin/env bash
# Installs what the tests need, builds everything with warnings as errors, and runs every test
# (unit and integration: the integration tests start the real hub on 127.0.0.1, ephemeral ports).
# Run as root on Debian 12. Exit status is ctest's; artifacts (the dashboard's screenshot) are in
# build-test/artifacts/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_TEST_BUILD_DIR:-$ROOT/build-test}"
"$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON
cmake --build "$BUILD" -j"$(nproc)"
status=0
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 300 || status=$?
# What the tests leave for people to look at (the browser test's screenshot of the dashboard).
if [ -d "$BUILD/artifacts" ]; then
  echo "artifacts: $(find "$BUILD/artifacts" -type f | sort | tr '\n' ' ')"
fi
exit "$status"
