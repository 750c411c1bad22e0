#!/usr/bin/env bash
# Installs what the tests need, builds everything with warnings as errors, and runs every test
# (unit and integration: the integration tests start the real hub on 127.0.0.1, ephemeral ports);
# then the whole suite under ASan and UBSan (scripts/sanitize.sh, in build-sanitize/;
# SLUSSEN_SANITIZE=0 skips it); then the fuzz targets for a bounded time (scripts/fuzz.sh, its
# own clang build in build-fuzz/; SLUSSEN_FUZZ_SECONDS sets the time per target, 0 skips them).
# Run as root on Debian 12. Exit status is non-zero if a test failed (plain or sanitized) or a
# fuzz target crashed; artifacts (the dashboard's screenshot) are in build-test/artifacts/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_TEST_BUILD_DIR:-$ROOT/build-test}"
"$ROOT/scripts/install-deps.sh"
# The builds go through ccache (CMakeLists.txt). Paths below the checkout are hashed relative to
# it, and the working directory not at all, so a fresh checkout elsewhere still hits the cache
# (the price: debug info may name the checkout the object was first built in).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON
cmake --build "$BUILD" -j"$(nproc)"
# One private RabbitMQ node for the broker-mode tests of this run (plain and sanitized), so that
# each test does not start its own (testing/rabbitmq_node.h); stopped when this script ends.
export SLUSSEN_TEST_RABBITMQ_DIR=/tmp/slussen-test-rabbitmq-shared
export SLUSSEN_TEST_RABBITMQ_PORT=${SLUSSEN_TEST_RABBITMQ_PORT:-15682}
rabbit() { RMQ_DIR=$SLUSSEN_TEST_RABBITMQ_DIR AMQP_PORT=$SLUSSEN_TEST_RABBITMQ_PORT "$ROOT/scripts/rabbitmq-node.sh" "$@"; }
rabbit start
trap 'rabbit stop || true' EXIT
status=0
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 300 || status=$?
# What the tests leave for people to look at (the browser test's screenshot of the dashboard).
if [ -d "$BUILD/artifacts" ]; then
  echo "artifacts: $(find "$BUILD/artifacts" -type f | sort | tr '\n' ' ')"
fi
# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer (scripts/sanitize.sh,
# its own build in build-sanitize/); SLUSSEN_SANITIZE=0 skips it.
if [ "${SLUSSEN_SANITIZE:-1}" != 0 ]; then
  "$ROOT/scripts/sanitize.sh" || status=1
fi
# Each fuzz target for a minute, two at a time on two cores (five targets plus their clang build:
# about four and a half minutes); a crash, leak or sanitizer report fails the run.
if [ -x "$ROOT/scripts/fuzz.sh" ] && [ "${SLUSSEN_FUZZ_SECONDS:-60}" != 0 ]; then
  "$ROOT/scripts/fuzz.sh" || status=1
fi
exit "$status"
