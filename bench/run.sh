#!/bin/bash
# Benchmark Guichet against the reference SOAP servers (gSOAP strict, spyne + gunicorn) on this
# machine, back to back, with the anchors' own harness (compare.sh / run_bench.sh / soap.lua /
# summarize.py from ../shared/anchors/soap, used from a temporary copy).
#
# Usage (from anywhere):  bench/run.sh
# Environment:
#   GUICHET_BIN=path     Guichet binary to measure (default: target/release/guichet, built with
#                        `cargo build --release` if missing). It is copied first, so a rebuild
#                        during the run does not change what is measured.
#   ANCHORS=dir          the anchors folder (default: ../shared/anchors/soap from the repo root)
#   REPS=3               repetitions per server and operation (compare medians of >= 3)
#   WRK_ARGS="-t2 -c32 -d10s"   measured wrk run (the anchors' default)
#   ANCHOR_TARGETS="gsoap-strict spyne-gunicorn"   compare.sh targets to run ("" to skip)
#   DURABILITIES="full normal"   Guichet variants to run ("" to skip)
#   DATA_PARENT=dir      where Guichet's fresh data folders go (default: the temporary work
#                        folder, under $TMPDIR or /tmp); must be a real disk for `full` to mean fsync
#   IDLE_MIN=85          before each server, wait (up to IDLE_WAIT=180 s) until the two cores are
#                        at least this % idle, and say so if they never were
#   OUT=dir              where results and logs are kept (default: bench/out, git-ignored)
#   KEEP_WORK=1          keep the temporary work folder
# Needs: wrk, curl, python3, gsoap + libgsoap-dev (wsdl2h, soapcpp2, gcc), python3-venv; the spyne
# virtualenv is created once in ${XDG_CACHE_HOME:-~/.cache}/guichet-bench/venv (pip, network).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors/soap}
export REPS=${REPS:-3}
export WRK_ARGS=${WRK_ARGS:-"-t2 -c32 -d10s"}
ANCHOR_TARGETS=${ANCHOR_TARGETS-"gsoap-strict spyne-gunicorn"}
DURABILITIES=${DURABILITIES-"full normal"}
IDLE_MIN=${IDLE_MIN:-85}
IDLE_WAIT=${IDLE_WAIT:-180}
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guichet-bench}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/bench/out}

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

for tool in wrk curl python3; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y --no-install-recommends wrk curl python3)"; done
[ -f "$ANCHORS/bench/compare.sh" ] || die "anchors not found at $ANCHORS (set ANCHORS=)"

# ---------------------------------------------------------------- work folder and cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/guichet-bench.XXXXXX")
GPID=""
cleanup() {
  set +e
  [ -n "$GPID" ] && kill "$GPID" 2>/dev/null && wait "$GPID" 2>/dev/null
  # anything still running from the work folder was started by this script (compare.sh starts
  # the anchors in the background; they survive an interrupted compare.sh)
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    case "$(readlink "$p/cwd" 2>/dev/null)" in "$WORK"|"$WORK"/*) kill "$pid" 2>/dev/null;; esac
  done
  sleep 1
  if [ -n "${KEEP_WORK:-}" ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- Guichet binary
BIN=${GUICHET_BIN:-$ROOT/target/release/guichet}
if [ ! -x "$BIN" ]; then
  [ -n "${GUICHET_BIN:-}" ] && die "GUICHET_BIN=$GUICHET_BIN is not an executable"
  say "building Guichet (cargo build --release)"
  (cd "$ROOT" && cargo build --release)
fi
cp "$BIN" "$WORK/guichet"
BIN=$WORK/guichet

# ---------------------------------------------------------------- anchors (copy, build, venv)
cp -r "$ANCHORS" "$WORK/anchors"
chmod -R u+w "$WORK/anchors"
A=$WORK/anchors
rm -f "$A/bench/results.tsv"
if [[ " $ANCHOR_TARGETS " == *" gsoap"* ]]; then
  command -v soapcpp2 >/dev/null || die "gSOAP is missing: apt-get install -y --no-install-recommends gsoap libgsoap-dev"
  say "building the gSOAP anchor"
  "$A/gsoap/build.sh" >"$WORK/gsoap-build.log" 2>&1 || { cat "$WORK/gsoap-build.log" >&2; die "gsoap/build.sh failed"; }
fi
if [[ " $ANCHOR_TARGETS " == *" spyne"* ]]; then
  if [ ! -x "$CACHE/venv/bin/gunicorn" ] || ! "$CACHE/venv/bin/python" -c 'import spyne, lxml, waitress' 2>/dev/null; then
    say "creating the spyne virtualenv in $CACHE/venv"
    mkdir -p "$CACHE"
    python3 -m venv "$CACHE/venv"
    "$CACHE/venv/bin/pip" install -q spyne gunicorn waitress lxml
  fi
  ln -s "$CACHE/venv" "$A/venv"
fi

# Guichet's side of the harness: the anchors' run_bench.sh and soap.lua read bench/<op>.xml from
# the current folder, so Guichet gets its own folder with its own envelopes; results go to the
# same results.tsv so that summarize.py shows everything in one table.
G=$WORK/g
mkdir -p "$G/bench"
cp "$A/bench/run_bench.sh" "$A/bench/soap.lua" "$G/bench/"
cp "$ROOT/bench/submit.xml" "$G/bench/submit.xml"
touch "$A/bench/results.tsv"
ln -s "$A/bench/results.tsv" "$G/bench/results.tsv"

# ---------------------------------------------------------------- helpers
cpu_idle() {  # percentage of idle CPU time over 2 s, all cores
  local a b
  read -r -a a < <(grep '^cpu ' /proc/stat); sleep 2; read -r -a b < <(grep '^cpu ' /proc/stat)
  local tot=0 i
  for i in 1 2 3 4 5 6 7 8; do tot=$((tot + b[i] - a[i])); done
  local idle=$(( (b[4] - a[4]) + (b[5] - a[5]) ))
  echo $(( tot > 0 ? 100 * idle / tot : 0 ))
}
quiet_check() {  # label: wait until the machine is idle enough, log how busy it was
  local label=$1 waited=0 idle
  idle=$(cpu_idle)
  while [ "$idle" -lt "$IDLE_MIN" ] && [ "$waited" -lt "$IDLE_WAIT" ]; do
    echo "   machine busy before $label: ${idle}% idle ($(ps -eo comm= | grep -cE '^(rustc|cc1|cc1plus|ld|cargo)$' || true) compiler processes); waiting" >&2
    sleep 8; waited=$((waited + 10)); idle=$(cpu_idle)
  done
  local note="idle=${idle}% load=$(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$idle" -lt "$IDLE_MIN" ] && note="$note BUSY"
  printf '%s\t%s\t%s\n' "$(date +%H:%M:%S)" "$label" "$note" >>"$WORK/conditions.tsv"
  echo "   before $label: $note" >&2
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
soap_post() {  # url file -> prints "HTTP_CODE" on the first line then the body
  curl -s -m 10 -w '\n%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: ""' \
    --data-binary @"$2" "$1" | awk '{l[NR]=$0} END {print l[NR]; for (i = 1; i < NR; i++) print l[i]}'
}
highest_reference() {  # data-dir year -> highest N such that YEAR-N is stored (binary search with `guichet export`)
  local dir=$1 year=$2 lo=0 hi=1 mid
  exists() { "$BIN" export --data-dir "$dir" "$(printf '%s-%06d' "$year" "$1")" >/dev/null 2>&1; }
  while exists "$hi"; do lo=$hi; hi=$((hi * 2)); [ "$hi" -gt 99999999 ] && break; done
  while [ $((hi - lo)) -gt 1 ]; do mid=$(((lo + hi) / 2)); if exists "$mid"; then lo=$mid; else hi=$mid; fi; done
  echo "$lo"
}

# ---------------------------------------------------------------- machine
{
  echo "date:     $(date -Is)"
  echo "host:     $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel:   $(uname -sr)"
  echo "guichet:  $("$BIN" --version 2>/dev/null) ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD -- src 2>/dev/null || echo '+dirty'))"
  echo "gsoap:    $(dpkg-query -W -f '${Version}' gsoap 2>/dev/null || echo '?'); wrk: $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo "wrk args: $WRK_ARGS, REPS=$REPS"
  probe=$(mktemp -d "${DATA_PARENT:-$WORK}/fsync-probe.XXXXXX")
  t0=$(date +%s%N); dd if=/dev/zero of="$probe/f" bs=4k count=500 oflag=dsync status=none; t1=$(date +%s%N)
  echo "disk:     $(stat -f -c %T "$probe") under ${DATA_PARENT:-$WORK}; 500 x 4 KiB O_DSYNC writes: $(( (t1 - t0) / 500000 )) us each"
  rm -rf "$probe"
} | tee "$WORK/machine.txt" >&2

# CPU used by anything else during the runs (someone compiling, other servers), for the report
(cd "$WORK" && exec python3 "$ROOT/bench/noise.py" watch "$WORK" "$WORK/noise.log") &

# ---------------------------------------------------------------- anchors
for t in $ANCHOR_TARGETS; do
  case $t in gsoap-strict) p=8102;; gsoap-nonstrict) p=8103;; spyne-gunicorn) p=8111;; spyne-waitress) p=8112;; spyne-wsgiref) p=8110;; *) p="";; esac
  [ -n "$p" ] && port_busy "$p" && die "port $p (used by compare.sh for $t) is already taken on this machine"
  say "anchor $t"
  quiet_check "$t"
  before=$(wc -l <"$A/bench/results.tsv")
  # compare.sh ends with `wait` on a server that is not its child, hence a non-zero status: judge by
  # the lines it added to results.tsv instead
  (cd "$A" && TARGETS=$t bench/compare.sh) || true
  [ $(($(wc -l <"$A/bench/results.tsv") - before)) -eq $((2 * REPS)) ] || die "compare.sh did not record $((2 * REPS)) runs for $t"
  # compare.sh cannot wait for its servers (they are not its children): let them go away
  for _ in $(seq 50); do { [ -n "$p" ] && port_busy "$p"; } || break; sleep 0.2; done
  sleep 2
done

# ---------------------------------------------------------------- Guichet
declare -A STORED=()
STORED_ARGS=()
for dur in $DURABILITIES; do
  label=guichet-$dur
  say "$label"
  quiet_check "$label"
  data=$(mktemp -d "${DATA_PARENT:-$WORK}/data-$dur.XXXXXX")
  port=$(free_port)
  url=http://127.0.0.1:$port/demoville/soap
  log=$WORK/$label.log
  (cd "$WORK" && exec "$BIN" serve --listen "127.0.0.1:$port" --data-dir "$data" --durability "$dur") >"$log" 2>&1 &
  GPID=$!
  for _ in $(seq 100); do
    kill -0 "$GPID" 2>/dev/null || { cat "$log" >&2; die "Guichet exited at start"; }
    curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.1
  done
  echo "   $label on $url, data in $data ($(stat -f -c %T "$data") filesystem)" >&2
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url?wsdl")" = 200 ] || die "no WSDL at $url?wsdl"

  # one submit to check the envelope and get a tracking code for GetRequestStatus
  resp=$(soap_post "$url" "$G/bench/submit.xml")
  code=$(head -1 <<<"$resp")
  ref=$(sed -n 's|.*<reference>\([^<]*\)</reference>.*|\1|p' <<<"$resp" | head -1)
  tc=$(sed -n 's|.*<trackingCode>\([^<]*\)</trackingCode>.*|\1|p' <<<"$resp" | head -1)
  [ "$code" = 200 ] && [ -n "$ref" ] && [ -n "$tc" ] || { echo "$resp" >&2; die "bench/submit.xml was not accepted (HTTP $code)"; }
  year=${ref%%-*}
  printf '%s' "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:g=\"urn:guichet:demoville\"><soapenv:Body><g:GetRequestStatus><g:trackingCode>$tc</g:trackingCode></g:GetRequestStatus></soapenv:Body></soapenv:Envelope>" >"$G/bench/get_status.xml"
  resp=$(soap_post "$url" "$G/bench/get_status.xml")
  [ "$(head -1 <<<"$resp")" = 200 ] && grep -q "<reference>$ref</reference>" <<<"$resp" || { echo "$resp" >&2; die "GetRequestStatus for $tc failed"; }
  echo "   submit -> $ref / $tc; GetRequestStatus answers 200 with that reference" >&2

  (cd "$G" && for _ in $(seq "$REPS"); do bench/run_bench.sh "$label" "$url" $WRK_ARGS; done)

  kill "$GPID"; wait "$GPID" 2>/dev/null || true; GPID=""
  n=$(highest_reference "$data" "$year")
  extra=""
  if command -v sqlite3 >/dev/null && [ -f "$data/guichet.sqlite3" ]; then
    extra=", sqlite3 count(*) of requests: $(sqlite3 "$data/guichet.sqlite3" 'SELECT count(*) FROM requests' 2>&1)"
  fi
  STORED[$label]="highest stored reference $year-$(printf %06d "$n")$extra"
  STORED_ARGS+=("$label=$n")
  printf '%s\t%s\tstored=%s\n' "$(date +%H:%M:%S)" "$label" "$n" >>"$WORK/conditions.tsv"
  echo "   $label: ${STORED[$label]}" >&2
  problems=$(grep -cE ' (WARN|ERROR) ' "$log" || true)
  [ "$problems" -gt 0 ] && { echo "   $label logged $problems WARN/ERROR lines, first ones:" >&2; grep -E ' (WARN|ERROR) ' "$log" | head -5 >&2; }
  sleep 2
done

# ---------------------------------------------------------------- results
mkdir -p "$OUT"
cp "$A/bench/results.tsv" "$OUT/results-$STAMP.tsv"
cp "$WORK/machine.txt" "$OUT/machine-$STAMP.txt"
cp "$WORK/conditions.tsv" "$OUT/conditions-$STAMP.tsv" 2>/dev/null || true
dur=$(sed -n 's/.*-d *\([0-9][0-9]*\)s.*/\1/p' <<<"$WRK_ARGS"); dur=${dur:-10}
python3 "$ROOT/bench/noise.py" report "$WORK/noise.log" "$A/bench/results.tsv" "$dur" >"$OUT/noise-$STAMP.txt" 2>&1 || true
for f in "$WORK"/guichet-*.log; do [ -f "$f" ] && cp "$f" "$OUT/$(basename "$f" .log)-$STAMP.log"; done

say "medians (anchors' summarize.py)"
(cd "$A" && python3 bench/summarize.py)
say "ratios to gsoap-strict, median p99, errors (bench/ratios.py)"
python3 "$ROOT/bench/ratios.py" "$A/bench/results.tsv"
say "sanity check: requests stored by Guichet"
for k in "${!STORED[@]}"; do echo "$k: ${STORED[$k]}"; done
python3 "$ROOT/bench/ratios.py" --stored "$A/bench/results.tsv" "${STORED_ARGS[@]}"
echo
echo "conditions before each server (idle over 2 s; BUSY = another load was running):"
cat "$WORK/conditions.tsv"
echo
echo "CPU used by other processes during each measured run (100 = one core; DISTURBED = mean > 15):"
cat "$OUT/noise-$STAMP.txt"
echo "results kept in $OUT/results-$STAMP.tsv"
if grep -vq $'\tok$' "$A/bench/results.tsv"; then
  echo "WARNING: some runs had non-2xx responses or socket errors:" >&2
  grep -v $'\tok$' "$A/bench/results.tsv" >&2
fi
