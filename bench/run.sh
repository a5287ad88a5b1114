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
#   REPS=3               rounds; each round measures every server once, in turn (both operations)
#   WRK_ARGS="-t2 -c32 -d10s"   measured wrk run (the anchors' default)
#   ANCHOR_TARGETS="gsoap-strict spyne-gunicorn"   compare.sh targets to run ("" to skip)
#   DURABILITIES="full normal"   Guichet variants to run ("" to skip)
#   DATA_PARENT=dir      where Guichet's fresh data folders go (default: the temporary work
#                        folder, under $TMPDIR or /tmp); must be a real disk for `full` to mean fsync
#   IDLE_MIN=85 IDLE_WAIT=180   before each measurement, wait (up to IDLE_WAIT s) until the two
#                        cores are at least IDLE_MIN % idle
#   NOISE_MAX=5 RETRIES=3       a measurement during which other processes used more than
#                        NOISE_MAX % of a core on average is set aside (results-disturbed.tsv) and
#                        redone, up to RETRIES times; after that it is kept and flagged
#   OUT=dir              where results and logs are kept (default: bench/out, git-ignored)
#   KEEP_WORK=1          keep the temporary work folder
# Needs: wrk, curl, python3, gsoap + libgsoap-dev (wsdl2h, soapcpp2, gcc), python3-venv; the spyne
# virtualenv is created once in ${XDG_CACHE_HOME:-~/.cache}/guichet-bench/venv (pip, network).
set -euo pipefail
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors/soap}
REPS=${REPS:-3}
WRK_ARGS=${WRK_ARGS:-"-t2 -c32 -d10s"}
export WRK_ARGS
ANCHOR_TARGETS=${ANCHOR_TARGETS-"gsoap-strict spyne-gunicorn"}
DURABILITIES=${DURABILITIES-"full normal"}
IDLE_MIN=${IDLE_MIN:-85}
IDLE_WAIT=${IDLE_WAIT:-180}
NOISE_MAX=${NOISE_MAX:-5}
RETRIES=${RETRIES:-3}
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guichet-bench}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/bench/out}
DUR=$(sed -n 's/.*-d *\([0-9][0-9]*\)s.*/\1/p' <<<"$WRK_ARGS"); DUR=${DUR:-10}

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

for tool in wrk curl python3; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y --no-install-recommends wrk curl python3)"; done
[ -f "$ANCHORS/bench/compare.sh" ] || die "anchors not found at $ANCHORS (set ANCHORS=)"

# ---------------------------------------------------------------- work folder and cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/guichet-bench.XXXXXX")
declare -A GPID=() GURL=() GDATA=() GYEAR=()
cleanup() {
  set +e
  for v in "${!GPID[@]}"; do kill "${GPID[$v]}" 2>/dev/null && wait "${GPID[$v]}" 2>/dev/null; done
  # anything still running from the work folder was started by this script: compare.sh starts
  # the anchors in the background (they survive an interrupted compare.sh), and the noise watcher
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
BIN_SRC=$BIN
cp "$BIN" "$WORK/guichet"
BIN=$WORK/guichet

# ---------------------------------------------------------------- anchors (copy, build, venv)
cp -r "$ANCHORS" "$WORK/anchors"
chmod -R u+w "$WORK/anchors"
A=$WORK/anchors
rm -f "$A/bench/results.tsv"
touch "$A/bench/results.tsv" "$WORK/results-disturbed.tsv" "$WORK/conditions.tsv"
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
anchor_port() { case $1 in gsoap-strict) echo 8102;; gsoap-nonstrict) echo 8103;; spyne-gunicorn) echo 8111;; spyne-waitress) echo 8112;; spyne-wsgiref) echo 8110;; esac; }

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
  printf '%s\t%s\t%s\n' "$(date +%H:%M:%S)" "$label" "before: $note" >>"$WORK/conditions.tsv"
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
  while [ "$hi" -le 99999999 ] && exists "$hi"; do lo=$hi; hi=$((hi * 2)); done
  while [ $((hi - lo)) -gt 1 ]; do mid=$(((lo + hi) / 2)); if exists "$mid"; then lo=$mid; else hi=$mid; fi; done
  echo "$lo"
}

# ---------------------------------------------------------------- machine
{
  echo "date:     $(date -Is)"
  echo "host:     $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel:   $(uname -sr)"
  echo "guichet:  $("$BIN" --version 2>/dev/null), binary ${GUICHET_BIN:-target/release/guichet} modified $(date -u -r "$BIN_SRC" '+%F %T UTC'), sha256 $(sha256sum "$BIN" | cut -c1-16); repo HEAD $(cd "$ROOT" && git log -1 --format='%h (%ci)' 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ', src modified since')"
  echo "gsoap:    $(dpkg-query -W -f '${Version}' gsoap 2>/dev/null || echo '?'); wrk: $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo "wrk args: $WRK_ARGS, REPS=$REPS rounds"
  probe=$(mktemp -d "${DATA_PARENT:-$WORK}/fsync-probe.XXXXXX")
  t0=$(date +%s%N); dd if=/dev/zero of="$probe/f" bs=4k count=500 oflag=dsync status=none; t1=$(date +%s%N)
  echo "disk:     $(stat -f -c %T "$probe") under ${DATA_PARENT:-$WORK}; 500 x 4 KiB O_DSYNC writes: $(( (t1 - t0) / 500000 )) us each"
  rm -rf "$probe"
} | tee "$WORK/machine.txt" >&2

# CPU used by anything else during the runs (someone compiling, other servers): see noise.py
(cd "$WORK" && exec python3 "$ROOT/bench/noise.py" watch "$WORK" "$WORK/noise.log") &

# ---------------------------------------------------------------- Guichet servers
# Each variant runs for the whole session with a fresh data folder, in its own folder holding the
# anchors' run_bench.sh and soap.lua (they read bench/<op>.xml from the current folder) and its
# own envelopes; every folder's bench/results.tsv is the same file, so summarize.py shows one table.
for dur in $DURABILITIES; do
  label=guichet-$dur
  G=$WORK/$label
  mkdir -p "$G/bench"
  cp "$A/bench/run_bench.sh" "$A/bench/soap.lua" "$G/bench/"
  cp "$ROOT/bench/submit.xml" "$G/bench/submit.xml"
  ln -s "$A/bench/results.tsv" "$G/bench/results.tsv"
  data=$(mktemp -d "${DATA_PARENT:-$WORK}/data-$dur.XXXXXX")
  port=$(free_port)
  url=http://127.0.0.1:$port/demoville/soap
  (cd "$WORK" && exec "$BIN" serve --listen "127.0.0.1:$port" --data-dir "$data" --durability "$dur") >"$WORK/$label.log" 2>&1 &
  GPID[$dur]=$!
  for _ in $(seq 100); do
    kill -0 "${GPID[$dur]}" 2>/dev/null || { cat "$WORK/$label.log" >&2; die "Guichet exited at start"; }
    curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.1
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url?wsdl")" = 200 ] || die "no WSDL at $url?wsdl"

  # one submit to check the envelope and get a tracking code for GetRequestStatus
  resp=$(soap_post "$url" "$G/bench/submit.xml")
  code=$(head -1 <<<"$resp")
  ref=$(sed -n 's|.*<reference>\([^<]*\)</reference>.*|\1|p' <<<"$resp" | head -1)
  tc=$(sed -n 's|.*<trackingCode>\([^<]*\)</trackingCode>.*|\1|p' <<<"$resp" | head -1)
  [ "$code" = 200 ] && [ -n "$ref" ] && [ -n "$tc" ] || { echo "$resp" >&2; die "bench/submit.xml was not accepted by $label (HTTP $code)"; }
  printf '%s' "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:g=\"urn:guichet:demoville\"><soapenv:Body><g:GetRequestStatus><g:trackingCode>$tc</g:trackingCode></g:GetRequestStatus></soapenv:Body></soapenv:Envelope>" >"$G/bench/get_status.xml"
  resp=$(soap_post "$url" "$G/bench/get_status.xml")
  [ "$(head -1 <<<"$resp")" = 200 ] && grep -q "<reference>$ref</reference>" <<<"$resp" || { echo "$resp" >&2; die "GetRequestStatus for $tc failed on $label"; }
  GURL[$dur]=$url; GDATA[$dur]=$data; GYEAR[$dur]=${ref%%-*}
  echo "   $label on $url, data in $data ($(stat -f -c %T "$data")); submit -> $ref / $tc, GetRequestStatus -> 200 with that reference" >&2
done

# ---------------------------------------------------------------- measurements
measure_once() {  # target -> one repetition (both operations) appended to results.tsv
  local t=$1 p
  case $t in
    guichet-*)
      (cd "$WORK/$t" && bench/run_bench.sh "$t" "${GURL[${t#guichet-}]}" $WRK_ARGS);;
    *)
      p=$(anchor_port "$t")
      if [ -n "$p" ] && port_busy "$p"; then die "port $p (used by compare.sh for $t) is already taken on this machine"; fi
      # compare.sh ends with `wait` on a server that is not its child (non-zero status): the check
      # is on the lines it adds to results.tsv, in measure()
      (cd "$A" && REPS=1 TARGETS=$t bench/compare.sh) || true
      # let the server go away (compare.sh cannot wait for it; gunicorn stops gracefully)
      for _ in $(seq 50); do { [ -n "$p" ] && port_busy "$p"; } || break; sleep 0.2; done
      sleep 1;;
  esac
}
measure() {  # target round: measure once; set aside and redo a disturbed measurement
  local t=$1 round=$2 attempt=0 before
  while :; do
    quiet_check "$t"
    before=$(wc -l <"$A/bench/results.tsv")
    measure_once "$t"
    [ $(($(wc -l <"$A/bench/results.tsv") - before)) -eq 2 ] || die "no results recorded for $t"
    if python3 "$ROOT/bench/noise.py" check "$WORK/noise.log" "$A/bench/results.tsv" "$DUR" "$before" "$NOISE_MAX" >"$WORK/check.txt"; then
      printf '%s\t%s\tround %s: clean (attempt %s)\n' "$(date +%H:%M:%S)" "$t" "$round" $((attempt + 1)) >>"$WORK/conditions.tsv"
      return
    fi
    cat "$WORK/check.txt" >&2
    if [ "$attempt" -ge "$RETRIES" ]; then
      printf '%s\t%s\tround %s: DISTURBED, kept after %s attempts\n' "$(date +%H:%M:%S)" "$t" "$round" $((attempt + 1)) >>"$WORK/conditions.tsv"
      return
    fi
    echo "   $t was disturbed by other processes: setting that measurement aside and redoing it" >&2
    tail -n +$((before + 1)) "$A/bench/results.tsv" >>"$WORK/results-disturbed.tsv"
    head -n "$before" "$A/bench/results.tsv" >"$WORK/results.tmp"
    cat "$WORK/results.tmp" >"$A/bench/results.tsv"
    printf '%s\t%s\tround %s: disturbed, redone\n' "$(date +%H:%M:%S)" "$t" "$round" >>"$WORK/conditions.tsv"
    attempt=$((attempt + 1))
  done
}

TARGETS=()
for t in $ANCHOR_TARGETS; do TARGETS+=("$t"); done
for dur in $DURABILITIES; do TARGETS+=("guichet-$dur"); done
for round in $(seq "$REPS"); do
  say "round $round of $REPS: ${TARGETS[*]}"
  for t in "${TARGETS[@]}"; do measure "$t" "$round"; done
done

# ---------------------------------------------------------------- stop Guichet, count what it stored
STORED_ARGS=()
STORED_TEXT=""
for dur in $DURABILITIES; do
  kill "${GPID[$dur]}"; wait "${GPID[$dur]}" 2>/dev/null || true; unset "GPID[$dur]"
  n=$(highest_reference "${GDATA[$dur]}" "${GYEAR[$dur]}")
  extra=""
  if command -v sqlite3 >/dev/null && [ -f "${GDATA[$dur]}/guichet.sqlite3" ]; then
    extra="; sqlite3: $(sqlite3 "${GDATA[$dur]}/guichet.sqlite3" 'SELECT count(*) FROM requests' 2>&1) rows in requests"
  fi
  STORED_ARGS+=("guichet-$dur=$n")
  STORED_TEXT+="guichet-$dur: highest stored reference ${GYEAR[$dur]}-$(printf %06d "$n")$extra"$'\n'
done

# ---------------------------------------------------------------- results
mkdir -p "$OUT"
cp "$A/bench/results.tsv" "$OUT/results-$STAMP.tsv"
cp "$WORK/results-disturbed.tsv" "$OUT/results-disturbed-$STAMP.tsv"
cp "$WORK/machine.txt" "$OUT/machine-$STAMP.txt"
cp "$WORK/conditions.tsv" "$OUT/conditions-$STAMP.tsv"
python3 "$ROOT/bench/noise.py" report "$WORK/noise.log" "$A/bench/results.tsv" "$DUR" "$NOISE_MAX" >"$OUT/noise-$STAMP.txt" 2>&1 || true
for dur in $DURABILITIES; do cp "$WORK/guichet-$dur.log" "$OUT/guichet-$dur-$STAMP.log"; done

say "medians (anchors' summarize.py)"
(cd "$A" && python3 bench/summarize.py)
say "ratios to gsoap-strict, median p99, errors (bench/ratios.py)"
python3 "$ROOT/bench/ratios.py" "$A/bench/results.tsv"
say "sanity check: requests stored by Guichet"
printf '%s' "$STORED_TEXT"
cat "$A/bench/results.tsv" "$WORK/results-disturbed.tsv" >"$WORK/results-all.tsv"  # set-aside runs stored requests too
if [ ${#STORED_ARGS[@]} -gt 0 ]; then python3 "$ROOT/bench/ratios.py" --stored "$WORK/results-all.tsv" "${STORED_ARGS[@]}"; fi
for dur in $DURABILITIES; do
  problems=$(grep -cE ' (WARN|ERROR) ' "$WORK/guichet-$dur.log" || true)
  if [ "$problems" -gt 0 ]; then
    echo "guichet-$dur logged $problems WARN/ERROR lines, first ones:"
    grep -E ' (WARN|ERROR) ' "$WORK/guichet-$dur.log" | head -5
  else
    echo "guichet-$dur logged no WARN/ERROR line"
  fi
done
say "conditions (idle before each measurement; measurements set aside because other processes used the CPU)"
cat "$WORK/conditions.tsv"
echo
echo "CPU used by other processes during each kept measurement (100 = one core; DISTURBED = mean above NOISE_MAX=$NOISE_MAX):"
cat "$OUT/noise-$STAMP.txt"
echo
echo "results kept in $OUT/*-$STAMP.*"
if grep -vq $'\tok$' "$A/bench/results.tsv"; then
  echo "WARNING: some runs had non-2xx responses or socket errors:" >&2
  grep -v $'\tok$' "$A/bench/results.tsv" >&2
fi
