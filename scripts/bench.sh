#!/usr/bin/env bash
# The benchmark, as the README runs it: installs what it needs (scripts/install-deps.sh and
# rabbitmq-server), builds Release into build-bench/, and runs `slussen-bench compare` with
# realistic defaults (raw Proton and journal ceilings, Slussen, RabbitMQ 3.10, Slussen in broker
# mode on RabbitMQ; same 1 KB events, fan-out 2, durable). Prints the tables, writes
# bench-results.json in the repository root. About 15 minutes on a 2-core machine (an estimate:
# the broker-mode column has not been timed at full length). Run as root on Debian 12. Extra arguments go to `slussen-bench compare`
# (e.g. --events 50000 --repeat 1, or --skip-rabbitmq).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_BENCH_BUILD_DIR:-$ROOT/build-bench}"
"$ROOT/scripts/install-deps.sh"
if ! dpkg -s rabbitmq-server >/dev/null 2>&1; then
  echo "installing: rabbitmq-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target slussen slussen-bench
cd "$ROOT"
exec "$BUILD/bench/slussen-bench" compare --json "$ROOT/bench-results.json" \
  --hub "$BUILD/hub/slussen" --rabbitmq-script "$ROOT/scripts/rabbitmq-bench.sh" "$@"
