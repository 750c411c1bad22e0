#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer (gcc) in its own build
# directory and runs the whole CTest suite under them: a memory error, a leak of ours or undefined
# behaviour fails the run. Third-party caches that live for the process are suppressed by library
# (tests/sanitizers/lsan.supp). Called by scripts/test.sh; run alone after scripts/install-deps.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}"
# -Wno-maybe-uninitialized: gcc 12 reports false positives in std::function and std::regex
# under the sanitizers' instrumentation; the normal build keeps the warning.
FLAGS="-O1 -g0 -fsanitize=address,undefined -fno-omit-frame-pointer"
FLAGS+=" -fno-sanitize-recover=undefined -Wno-maybe-uninitialized"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=None -DBUILD_TESTING=ON -DSLUSSEN_JEMALLOC=OFF \
  -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS="$FLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
# verify_asan_link_order=0: the fault tests preload a small fsync-failing library into the hub.
export ASAN_OPTIONS="detect_leaks=1:verify_asan_link_order=0:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# Not under the sanitizers: the test that starves the hub of file descriptors. UBSan's own vptr
# check opens a pipe to probe memory, fails for want of a descriptor there, and then reports a
# valid object as one with an invalid vptr (the plain run covers the test).
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 600 \
  -E '^HubTransport\.RunningOutOfDescriptorsIsSurvived$'
