#!/usr/bin/env bash
# The Slussen demo: the whole chain, on a fresh Debian 12 (run as root: it installs packages).
#
#   scripts/demo.sh
#
# 1. installs the build dependencies (scripts/install-deps.sh) and builds the hub, the adapters
#    and the demo's far ends into build/ (Release);
# 2. starts the hub with config/demo.xml (Region Halland), its store in demo-run/ (wiped first);
# 3. starts the adapters with their demo configs (config/demo/): slussen-ehr (HL7 over MLLP, XML
#    over HTTP), slussen-municipality for Halmstad, for Varberg and for Vårdcentralen Andersberg,
#    and slussen-letter, whose "fax line" is the fake gateway writing into demo-run/letter/fax/;
# 4. starts the municipal systems behind the adapters — Halmstad's and the vårdcentral's
#    (slussen-demo-municipal-system: they file each XML document and post a receipt back);
#    Varberg's system is down for the whole demo (nothing listens behind its adapter);
# 5. runs slussen-demo-ehr: four patients at different stages of their stay, each message sent
#    when it happens, about twenty seconds in all; then waits for Varberg's missing receipts to
#    turn into letters (30 s in the demo config) and for everything else to be delivered;
# 6. shows what an operator sees (slussenctl status and queues, over the admin API on 8181, where
#    the dashboard is too);
# 7. stops everything with SIGTERM and prints what happened, from the hub's store.
# Exit 0 when every message got its expected answer, everything routed reached a receiving
# system or a letter, and every process stopped cleanly. Patients are synthetic (Skatteverket's
# test personnummer); no output line shows a personnummer or a name.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SLUSSEN_BUILD_DIR:-$ROOT/build}"  # override only to keep a developer's build/ apart
RUN="$ROOT/demo-run"

PIDS=()
NAMES=()
cleanup() {
  # Only the processes this script started, newest first.
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    local pid="${PIDS[$i]}"
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

# start NAME LOG-BASE COMMAND...: runs it in the background and waits for its ready line.
start() {
  local name="$1" base="$2"
  shift 2
  "$@" >"$RUN/$base.out" 2>"$RUN/$base.log" &
  local pid=$!
  PIDS+=("$pid")
  NAMES+=("$name")
  for _ in $(seq 300); do
    if grep -q " ready " "$RUN/$base.out" 2>/dev/null; then
      printf '  %-34s %s\n' "$name" "$(sed -n 's/^[^ ]* ready //p' "$RUN/$base.out" | head -1)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -20 "$RUN/$base.log"; die "$name exited before it was ready"; }
    sleep 0.1
  done
  tail -20 "$RUN/$base.log"
  die "$name did not become ready"
}

# stop_all: SIGTERM to each, newest first; every one must exit 0.
STOP_FAILURES=0
stop_all() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    local pid="${PIDS[$i]}" status=0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || status=$?
    if [ "$status" != 0 ]; then
      echo "  ${NAMES[$i]} exited with status $status"
      STOP_FAILURES=$((STOP_FAILURES + 1))
    fi
  done
  PIDS=()
}

step "dependencies"
"$ROOT/scripts/install-deps.sh"

TARGETS=(slussen slussenctl slussen-ehr slussen-municipality slussen-letter slussen-fake-fax
         slussen-demo-ehr slussen-demo-municipal-system)
step "build (Release, into ${BUILD#"$ROOT"/})"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$BUILD.configure.log" 2>&1 \
  || { cat "$BUILD.configure.log"; die "cmake configure failed"; }
cmake --build "$BUILD" -j2 --target "${TARGETS[@]}" >"$BUILD.build.log" 2>&1 \
  || { tail -50 "$BUILD.build.log"; die "build failed"; }
rm -f "$BUILD.configure.log" "$BUILD.build.log"

rm -rf "$RUN"
mkdir -p "$RUN/cfg" "$RUN/letter/fax" "$RUN/halmstad" "$RUN/andersberg"
# Copies of the configs: the hub's store lands in demo-run/, the letter adapter's relative spool
# and fax inbox become absolute paths in demo-run/letter/.
cp "$ROOT/config/demo.xml" "$RUN/demo.xml"
cp -r "$ROOT/config/agreements" "$RUN/agreements"
cp "$ROOT"/config/demo/*.xml "$RUN/cfg/"
sed -i "s|\.\./\.\./demo-run/|$RUN/|g" "$RUN"/cfg/*.xml
# A demo hub on 5672 unless something else (a RabbitMQ) holds it.
if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "port 5672 is taken; the demo uses 5673"
  sed -i 's/port="5672"/port="5673"/' "$RUN/demo.xml"
  sed -i 's/127\.0\.0\.1:5672/127.0.0.1:5673/' "$RUN"/cfg/*.xml
fi
# The admin listener (dashboard, API) on 8181 unless that is taken: then any free port.
if (exec 3<>/dev/tcp/127.0.0.1/8181) 2>/dev/null; then
  echo "port 8181 is taken; the demo's admin listener takes a free port"
  sed -i 's/<admin host="127.0.0.1" port="8181">/<admin host="127.0.0.1" port="0">/' "$RUN/demo.xml"
fi
# The letter adapter runs its fax command by name (no shell): the fake gateway of this build.
export PATH="$BUILD/adapters/letter:$PATH"

step "starting"
start "hub" hub "$BUILD/hub/slussen" --config "$RUN/demo.xml"
start "Halmstad's system (demo)" halmstad-system "$BUILD/adapters/demo/slussen-demo-municipal-system" \
  --listen 127.0.0.1:8090 --receipt-url http://127.0.0.1:8091/dokument --name Halmstad \
  --hsa-id SE2120001380-SOC1 --inbox "$RUN/halmstad"
start "Andersberg's system (demo)" andersberg-system "$BUILD/adapters/demo/slussen-demo-municipal-system" \
  --listen 127.0.0.1:8093 --receipt-url http://127.0.0.1:8094/dokument --name "VC Andersberg" \
  --hsa-id SE2321000115-VC01 --inbox "$RUN/andersberg"
start "slussen-municipality Halmstad" muni-1380 "$BUILD/adapters/municipality/slussen-municipality" \
  --config "$RUN/cfg/municipality-1380.xml"
start "slussen-municipality Varberg" muni-1383 "$BUILD/adapters/municipality/slussen-municipality" \
  --config "$RUN/cfg/municipality-1383.xml"
start "slussen-municipality Andersberg" vc01 "$BUILD/adapters/municipality/slussen-municipality" \
  --config "$RUN/cfg/primary-care-vc01.xml"
start "slussen-letter" letter "$BUILD/adapters/letter/slussen-letter" --config "$RUN/cfg/letter.xml"
start "slussen-ehr" ehr "$BUILD/adapters/ehr/slussen-ehr" --config "$RUN/cfg/ehr.xml"
MLLP="$(sed -n 's/.* mllp=\([^ ]*\).*/\1/p' "$RUN/ehr.out")"
HTTP="$(sed -n 's/.* http=\([^ ]*\).*/\1/p' "$RUN/ehr.out")"

step "the EHR sends (each message when it happens)"
EHR_STATUS=0
"$BUILD/adapters/demo/slussen-demo-ehr" --mllp "$MLLP" --http "$HTTP" \
  --sender SE2321000115-SH01 --care-unit SE2321000115-SH01 | tee "$RUN/demo-ehr.log" \
  || EHR_STATUS=$?

step "waiting for deliveries, receipts and Varberg's letters"
DB="$RUN/slussen-demo.db"
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$1" 2>/dev/null || echo "?"; }
settled() {
  # Everything routed is delivered, except Varberg's, which must have gone as letters.
  [ "$(q "SELECT count(*) FROM outbox WHERE delivered_at_us IS NULL AND dead_at_us IS NULL
          AND destination <> 'kommun-1383'")" = 0 ] &&
  [ "$(q "SELECT count(*) FROM outbox WHERE destination = 'kommun-1383' AND fallback_seq IS NULL")" = 0 ]
}
for _ in $(seq 120); do settled && break; sleep 1; done

step "what an operator sees (slussenctl, through the hub's admin API)"
ADMIN="$(sed -n 's/.* admin=\([^ ]*\).*/\1/p' "$RUN/hub.out")"
ctl() { "$BUILD/hub/slussenctl" --admin "$ADMIN" --token-file "$ROOT/config/demo/$1.token" "${@:2}"; }
CTL_STATUS=0
ctl viewer status || CTL_STATUS=$?
echo
ctl viewer queues || CTL_STATUS=$?
echo "  (the same live, in a browser: http://$ADMIN/ with the token in config/demo/viewer.token)"

step "stopping (SIGTERM)"
stop_all
echo "  every process stopped (failures: $STOP_FAILURES)"

# ---- summary, from the hub's store ----
step "summary"
when() { q "SELECT strftime('%H:%M:%S', $1 / 1000000, 'unixepoch', 'localtime')"; }
CASES=$(sed -n 's/^  patient \([0-9]\) (case \([^)]*\)).*/\1 \2/p' "$RUN/demo-ehr.log")
while read -r n case_id; do
  story="$(sed -n "s/^  patient $n (case [^)]*): //p" "$RUN/demo-ehr.log")"
  printf 'patient %s: %s\n' "$n" "$story"
  if [ "$(q "SELECT count(*) FROM cases WHERE case_id = '$case_id'")" = 0 ]; then
    echo "    nothing sent to the kommun (the EHR said no support is needed: no inskrivningsmeddelande)"
    continue
  fi
  q "SELECT '    ' || deadline_id || ' (' || rule || '): ' || state ||
            CASE WHEN met_at_us IS NOT NULL THEN ' at ' || strftime('%H:%M:%S', met_at_us / 1000000, 'unixepoch', 'localtime')
                 WHEN due_at_us IS NOT NULL THEN ', due ' || strftime('%Y-%m-%d %H:%M', due_at_us / 1000000, 'unixepoch', 'localtime')
                 ELSE '' END
     FROM deadlines WHERE case_id = '$case_id' AND deadline_id NOT LIKE 'planeringsunderlag-svar:%'
     ORDER BY coalesce(met_at_us, due_at_us)"
  q "SELECT '    ' || e.kind || ' -> ' || o.destination || ': ' ||
            CASE WHEN o.delivered_at_us IS NOT NULL THEN 'delivered ' || strftime('%H:%M:%S', o.delivered_at_us / 1000000, 'unixepoch', 'localtime')
                 ELSE 'not delivered (' || o.attempts || ' attempts)' END ||
            CASE WHEN o.receipt_at_us IS NOT NULL THEN ', receipt ' || strftime('%H:%M:%S', o.receipt_at_us / 1000000, 'unixepoch', 'localtime') ELSE '' END ||
            CASE WHEN o.fallback_seq IS NOT NULL THEN ', no receipt in time: sent as a letter' ELSE '' END
     FROM outbox o JOIN events e ON e.id = o.event_row
     WHERE e.case_id = '$case_id' AND o.destination <> 'letter' ORDER BY o.seq"
done <<<"$CASES"

LETTERS=$(find "$RUN/letter/fax" -name '*.pdf' | wc -l)
echo
printf '%-44s %s\n' "events stored by the hub" "$(q 'SELECT count(*) FROM events')"
printf '%-44s %s\n' "documents filed by Halmstad's system" "$(find "$RUN/halmstad" -name '*.xml' | wc -l)"
printf '%-44s %s\n' "documents filed by Andersberg's system" "$(find "$RUN/andersberg" -name '*.xml' | wc -l)"
printf '%-44s %s\n' "receipts recorded" "$(q 'SELECT count(*) FROM outbox WHERE receipt_at_us IS NOT NULL')"
printf '%-44s %s\n' "letters faxed (fake fax line, demo-run/letter/fax/)" "$LETTERS"
printf '%-44s %s\n' "dead letters" "$(q 'SELECT count(*) FROM outbox WHERE dead_at_us IS NOT NULL')"

ok=1
[ "$EHR_STATUS" = 0 ] || { echo "the EHR did not get every expected answer"; ok=0; }
settled || { echo "not everything was delivered or sent as a letter"; ok=0; }
[ "$LETTERS" -gt 0 ] || { echo "no letter was faxed for Varberg"; ok=0; }
[ "$STOP_FAILURES" = 0 ] || ok=0
[ "$CTL_STATUS" = 0 ] || { echo "slussenctl could not read the hub's status"; ok=0; }
FIRST_CASE="$(echo "$CASES" | head -1 | cut -d' ' -f2)"
if "$BUILD/hub/slussen" --config "$RUN/demo.xml" --report "$FIRST_CASE" --pdf "$RUN/evidence-report.pdf" 2>>"$RUN/hub.log"; then
  printf '%-44s %s\n' "evidence report of patient 1 (PDF)" "demo-run/evidence-report.pdf"
else
  echo "evidence report: could not be written"; ok=0
fi
echo
if [ "$ok" = 1 ]; then
  echo "DEMO OK (logs, store, documents and letters in demo-run/)"
else
  echo "DEMO FAILED (logs in demo-run/)"
  exit 1
fi
