#!/usr/bin/env bash
# Installs the Debian 12 packages Slussen needs to build, test and run its demo. Run as root.
# Idempotent: skips apt when everything is already installed.
set -euo pipefail
PKGS=(cmake g++ make pkg-config ccache
      libqpid-proton-cpp12-dev libprotobuf-dev protobuf-compiler
      libspdlog-dev libxml2-dev libsqlite3-dev sqlite3 zlib1g-dev libjemalloc-dev
      libgtest-dev libgmock-dev nlohmann-json3-dev libssl-dev libcpp-httplib-dev libargon2-dev libcli11-dev
      libpango1.0-dev libcairo2-dev fonts-dejavu-core poppler-utils openssl
      prometheus chromium chromium-driver
      rabbitmq-server  # broker mode's tests run a private node (scripts/rabbitmq-node.sh)
      python3-qpid-proton python3-protobuf  # the interop test's independent client
      clang libclang-rt-14-dev llvm-14)  # the fuzz targets (scripts/fuzz.sh): libFuzzer, symbolizer
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  # Packages with a service (prometheus, for its promtool) must not start it here: the tests run
  # their own servers on ephemeral ports. policy-rc.d 101 tells invoke-rc.d not to start any.
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy" && own_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$own_policy" ]; then rm -f "$policy"; fi
fi
