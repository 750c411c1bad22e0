#!/usr/bin/env bash
# The Slussen demo, end to end, on a fresh Debian 12 (run as root: it installs packages).
#
#   scripts/demo.sh [PATIENTS]      (default 50)
#
# 1. installs the build dependencies (scripts/install-deps.sh) and builds the hub and the two demo
#    programs into build/ (Release);
# 2. starts the hub with config/demo.xml (Region Halland, six kommuner, three vårdcentraler), its
#    store in demo-run/ (wiped at every start);
# 3. starts slussen-demo-receiver, which plays the receiving systems of all six kommuner and three
#    vårdcentraler, and slussen-demo-feed, which plays the hospital: the discharge chain of every
#    patient (six events from inskrivningsmeddelande to utskrivningsmeddelande) plus one event
#    with a wrong personnummer check digit that the hub must reject;
# 4. stops the hub with SIGTERM, reads its store (slussen --status) and prints a summary.
# Exit 0 when every valid event was stored and delivered, and the invalid one rejected.
# All patients are synthetic, with Skatteverket's test personnummer; no output line shows a
# personnummer or a name.
set -euo pipefail

PATIENTS="${1:-50}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_BUILD_DIR:-$ROOT/build}"  # override only to keep a developer's build/ apart
RUN="$ROOT/demo-run"
DESTS=(kommun-1315 kommun-1380 kommun-1381 kommun-1382 kommun-1383 kommun-1384
       vc-SE2321000115-VC01 vc-SE2321000115-VC02 vc-SE2321000115-VC03)

HUB_PID=""
RECEIVER_PID=""
FEED_PID=""
cleanup() {
  # Only the processes this script started, by pid.
  for pid in $FEED_PID $RECEIVER_PID $HUB_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

step "dependencies"
"$ROOT/scripts/install-deps.sh"

step "build (Release, into ${BUILD#"$ROOT"/})"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$BUILD.configure.log" 2>&1 \
  || { cat "$BUILD.configure.log"; die "cmake configure failed"; }
cmake --build "$BUILD" -j2 --target slussen slussen-demo-feed slussen-demo-receiver \
  >"$BUILD.build.log" 2>&1 || { tail -50 "$BUILD.build.log"; die "build failed"; }
rm -f "$BUILD.configure.log" "$BUILD.build.log"
HUB="$BUILD/hub/slussen"
FEED="$BUILD/adapters/demo/slussen-demo-feed"
RECEIVER="$BUILD/adapters/demo/slussen-demo-receiver"

step "hub"
rm -rf "$RUN"
mkdir -p "$RUN"
# A copy of the config, so that its relative store path puts the database in demo-run/.
cp "$ROOT/config/demo.xml" "$RUN/demo.xml"
cp -r "$ROOT/config/agreements" "$RUN/agreements"  # demo.xml refers to it relatively
CONFIG="$RUN/demo.xml"

start_hub() {
  "$HUB" --config "$CONFIG" >"$RUN/hub.out" 2>"$RUN/hub.log" &
  HUB_PID=$!
  for _ in $(seq 200); do
    if grep -q '^slussen ready amqp=' "$RUN/hub.out" 2>/dev/null; then return 0; fi
    kill -0 "$HUB_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
if ! start_hub; then
  if grep -qi 'in use' "$RUN/hub.log"; then
    # Something else (e.g. a RabbitMQ) holds 5672: let the demo hub take any free port instead.
    echo "port 5672 is taken; using a free port for the demo"
    sed -i 's/<amqp host="127.0.0.1" port="[0-9]*"/<amqp host="127.0.0.1" port="0"/' "$CONFIG"
    start_hub || { cat "$RUN/hub.log"; die "the hub did not become ready"; }
  else
    cat "$RUN/hub.log"
    die "the hub did not become ready"
  fi
fi
ADDR="$(sed -n 's/^slussen ready amqp=//p' "$RUN/hub.out" | head -1)"
echo "hub ready on $ADDR (log: demo-run/hub.log)"

step "receivers for ${#DESTS[@]} destinations"
"$FEED" --patients "$PATIENTS" --print-expected >"$RUN/expected.txt"
EXPECTED="$(sed -n 's/^expected-total //p' "$RUN/expected.txt")"
dest_args=()
for d in "${DESTS[@]}"; do dest_args+=(--dest "$d"); done
"$RECEIVER" --hub "$ADDR" "${dest_args[@]}" --expect "$EXPECTED" --idle-timeout-ms 15000 \
  >"$RUN/receiver.log" 2>&1 &
RECEIVER_PID=$!
echo "expecting $EXPECTED deliveries (log: demo-run/receiver.log)"

step "feed: $PATIENTS patients"
# In the background and waited for, so that a signal to this script is handled at once (bash
# runs traps only between foreground commands) and the cleanup stops everything.
"$FEED" --hub "$ADDR" --patients "$PATIENTS" >"$RUN/feed.log" 2>&1 &
FEED_PID=$!
FEED_STATUS=0
wait "$FEED_PID" || FEED_STATUS=$?
FEED_PID=""
cat "$RUN/feed.log"

step "waiting for the receivers"
RECEIVER_STATUS=0
wait "$RECEIVER_PID" || RECEIVER_STATUS=$?
RECEIVER_PID=""
echo "first deliveries:"
awk '!/^slussen-demo-receiver:/ && n < 5 { print "  " $0; n++ }' "$RUN/receiver.log"

step "stopping the hub (SIGTERM)"
kill -TERM "$HUB_PID"
HUB_STATUS=0
wait "$HUB_PID" || HUB_STATUS=$?
HUB_PID=""
echo "hub exited with status $HUB_STATUS"

"$HUB" --config "$CONFIG" --status >"$RUN/status.json" 2>>"$RUN/hub.log" \
  || die "slussen --status failed"

# ---- summary ----
json_number() {  # json_number KEY: a top-level number from status.json
  grep -o "\"$1\": *[0-9]*" "$RUN/status.json" | head -1 | grep -o '[0-9]*$' || true
}
dest_field() {  # dest_field DEST FIELD
  grep -o "\"$1\": *{[^}]*}" "$RUN/status.json" | grep -o "\"$2\": *[0-9]*" | grep -o '[0-9]*$' \
    || true
}
feed_count() { sed -n "s/^  $1 *\([0-9]*\)$/\1/p" "$RUN/feed.log"; }

SENT="$(sed -n 's/^sent \([0-9]*\) events.*/\1/p' "$RUN/feed.log")"
ACCEPTED="$(feed_count accepted)"
REJECTED="$(feed_count rejected)"
RATE="$(sed -n 's/^accepted events\/s: //p' "$RUN/feed.log")"
INVALID="$(sed -n 's/^invalid event[^:]*: //p' "$RUN/feed.log")"
INVALID_WHY="$(sed -n '/^invalid event/{n;s/^ *//;p}' "$RUN/feed.log")"
STORED="$(json_number events)"
DEAD="$(json_number dead_letters)"

ok=1
step "summary"
printf '%-30s %s\n' "patients" "$PATIENTS"
printf '%-30s %s\n' "events sent" "${SENT:-?} valid + 1 invalid"
printf '%-30s %s\n' "accepted (feed)" "${ACCEPTED:-?}"
printf '%-30s %s\n' "stored (hub store)" "${STORED:-?}"
printf '%-30s %s\n' "rejected, valid events" "${REJECTED:-?}"
printf '%-30s %s\n' "invalid event" "${INVALID:-?} — ${INVALID_WHY:-?}"
printf '%-30s %s\n' "dead letters (hub store)" "${DEAD:-?}"
printf '%-30s %s\n' "accepted events/s (feed)" "${RATE:-?}"
echo
printf '%-24s %9s %9s %9s %9s\n' destination expected received delivered pending
total=0
for d in "${DESTS[@]}"; do
  exp="$(sed -n "s/^expected $d //p" "$RUN/expected.txt")"; exp="${exp:-0}"
  got="$(sed -n "s/^delivered $d //p" "$RUN/receiver.log")"; got="${got:-0}"
  del="$(dest_field "$d" delivered)"; del="${del:-0}"
  pen="$(dest_field "$d" pending)"; pen="${pen:-0}"
  printf '%-24s %9s %9s %9s %9s\n' "$d" "$exp" "$got" "$del" "$pen"
  total=$((total + got))
  [ "$got" = "$exp" ] && [ "$del" = "$exp" ] && [ "$pen" = 0 ] || ok=0
done
printf '%-24s %9s %9s\n' total "$EXPECTED" "$total"
if [ -n "${SENT:-}" ] && [ "$SENT" -gt 0 ]; then
  awk -v t="$total" -v s="$SENT" \
    'BEGIN { printf "fan-out: %.2f deliveries per event (every event to its kommun, most also to a vårdcentral)\n", t / s }'
fi

# Case tracking (lag 2017:612): the feed replays each patient's history at once, so the hub stores
# every message days after it happened and most legal deadlines show as missed; that is the point
# of proving send times. One evidence report as PDF.
CASES="$(sqlite3 "$RUN/slussen-demo.db" "SELECT COUNT(*) FROM cases" 2>/dev/null || echo '?')"
FIRST_CASE="$(sqlite3 "$RUN/slussen-demo.db" "SELECT case_id FROM cases ORDER BY case_id LIMIT 1" 2>/dev/null || true)"
echo
printf '%-30s %s
' "cases tracked" "$CASES"
sqlite3 -separator ' ' "$RUN/slussen-demo.db" \
  "SELECT '  deadline ' || deadline_id || ':', state, COUNT(*) FROM deadlines
   WHERE deadline_id NOT LIKE 'planeringsunderlag-svar:%' GROUP BY deadline_id, state ORDER BY 1, 2" 2>/dev/null || true
if [ -n "$FIRST_CASE" ] && "$HUB" --config "$CONFIG" --report "$FIRST_CASE" --pdf "$RUN/evidence-report.pdf" 2>>"$RUN/hub.log"; then
  printf '%-30s %s
' "evidence report (PDF)" "demo-run/evidence-report.pdf (case $FIRST_CASE)"
else
  echo "evidence report: could not be written"; ok=0
fi
[ "$CASES" = "$PATIENTS" ] || { echo "cases tracked: $CASES, expected $PATIENTS"; ok=0; }

[ "$FEED_STATUS" = 0 ] || { echo "feed: exit status $FEED_STATUS"; ok=0; }
[ "$RECEIVER_STATUS" = 0 ] || { echo "receiver: exit status $RECEIVER_STATUS"; ok=0; }
[ "$HUB_STATUS" = 0 ] || { echo "hub: exit status $HUB_STATUS"; ok=0; }
[ "${STORED:-x}" = "${SENT:-y}" ] || { echo "store holds ${STORED:-?} events, expected ${SENT:-?}"; ok=0; }
[ "${DEAD:-x}" = 1 ] || { echo "dead letters: ${DEAD:-?}, expected 1"; ok=0; }
echo
if [ "$ok" = 1 ]; then
  echo "DEMO OK (logs and store in demo-run/)"
else
  echo "DEMO FAILED (logs and store in demo-run/)"
  exit 1
fi
