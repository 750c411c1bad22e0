#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with Debian's clang (ASan + UBSan, in a build
# directory of their own, build-fuzz/ by default) and runs each for a bounded time from its seed
# corpus. Prints per target the executions, the corpus size at the end and the crashes; exits
# non-zero if any target found a crash, a leak, a timeout or ran out of memory (the input that did
# it is in <build>/fuzz/artifacts/).
#
#   scripts/fuzz.sh                      every target, 60 s each
#   SLUSSEN_FUZZ_SECONDS=600 scripts/fuzz.sh fuzz_hl7     one target, ten minutes
#
# Environment: SLUSSEN_FUZZ_SECONDS (per target, default 60), SLUSSEN_FUZZ_BUILD_DIR (default
# <repo>/build-fuzz), SLUSSEN_FUZZ_RSS_MB (default 2048), SLUSSEN_FUZZ_TIMEOUT (seconds for one
# input, default 10), SLUSSEN_FUZZ_JOBS (targets at once, default the number of cores). Inputs the fuzzer finds go to <build>/fuzz/corpus/<target>/; the committed
# seeds in tests/fuzz/corpus/ are only read.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${SLUSSEN_FUZZ_SECONDS:-60}"
RSS_MB="${SLUSSEN_FUZZ_RSS_MB:-2048}"
TIMEOUT="${SLUSSEN_FUZZ_TIMEOUT:-10}"
ALL_TARGETS=(fuzz_inbound fuzz_amqp_inbound fuzz_config fuzz_hl7 fuzz_xmldoc)
# libFuzzer reads -max_total_time=0 as "no limit": never that here.
case "$SECONDS_PER_TARGET" in
  ''|*[!0-9]*|0) echo "fuzz: SLUSSEN_FUZZ_SECONDS must be a positive number of seconds" >&2; exit 2 ;;
esac
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBUILD_TESTING=OFF -DSLUSSEN_FUZZ=ON >"$BUILD.configure.log" 2>&1 ||
  { cat "$BUILD.configure.log" >&2; exit 2; }
cmake --build "$BUILD" -j"$(nproc)" --target slussen_fuzz

# Symbolized reports (llvm-symbolizer is in Debian's llvm-14).
for s in llvm-symbolizer llvm-symbolizer-14; do
  if command -v "$s" >/dev/null; then export ASAN_SYMBOLIZER_PATH="$(command -v "$s")"; break; fi
done
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# One target: runs it, then writes "<executions> <corpus> <crashes> <exit>" to <build>/fuzz/<t>.result.
run_target() {
  local t="$1" bin="$BUILD/tests/fuzz/$1" work="$BUILD/fuzz/corpus/$1"
  local artifacts="$BUILD/fuzz/artifacts/$1" log="$BUILD/fuzz/$1.log" rc=0
  rm -rf "$artifacts"  # what is there is this run's findings only
  mkdir -p "$work" "$artifacts"
  local args=(-max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT"
              -print_final_stats=1 -artifact_prefix="$artifacts/")
  local dict="$ROOT/tests/fuzz/dict/$t.dict"
  [ -f "$dict" ] && args+=(-dict="$dict")
  "$bin" "${args[@]}" "$work" "$ROOT/tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  # A run cut short by a crash may print neither figure.
  local execs corpus crashes
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)" || true
  corpus="$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)" || true
  crashes="$(find "$artifacts" -type f | wc -l)"
  echo "${execs:-?} ${corpus:-?} $crashes $rc" >"$BUILD/fuzz/$t.result"
}

# As many targets at once as there are cores (SLUSSEN_FUZZ_JOBS): five targets at 60 s take three
# minutes on two cores, not five.
JOBS="${SLUSSEN_FUZZ_JOBS:-$(nproc)}"
status=0
mkdir -p "$BUILD/fuzz"
for t in "${TARGETS[@]}"; do
  rm -f "$BUILD/fuzz/$t.result"
  [ -x "$BUILD/tests/fuzz/$t" ] || { echo "fuzz: no target $t in $BUILD" >&2; status=1; continue; }
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  run_target "$t" &
done
wait

printf '%-18s %12s %8s %8s %s\n' target executions corpus crashes result
for t in "${TARGETS[@]}"; do
  [ -f "$BUILD/fuzz/$t.result" ] || continue
  read -r execs corpus crashes rc <"$BUILD/fuzz/$t.result"
  result=ok
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    result="FAILED (exit $rc; log $BUILD/fuzz/$t.log)"
    status=1
  fi
  printf '%-18s %12s %8s %8s %s\n' "$t" "$execs" "$corpus" "$crashes" "$result"
  if [ "$result" != ok ]; then
    grep -E 'ERROR|runtime error|invariant broken|SUMMARY' "$BUILD/fuzz/$t.log" | head -5 >&2 || true
    find "$BUILD/fuzz/artifacts/$t" -type f -printf '  input: %p\n' >&2
  fi
done
exit "$status"
