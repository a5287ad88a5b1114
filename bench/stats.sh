#!/usr/bin/env bash
# Statistics page over a large town: a fresh store filled with N requests
# (default 1,000,000) spread over the last 365 days — four in five closed
# after 0 to 29 days, services, channels and departments mixed — then the
# page /demoville/backoffice/stats timed for the last 12 months and for this
# month, as the administrator, REPS times each (median and worst printed),
# with the server's resident memory after.
#
#   bench/stats.sh                     # builds the release binary if needed
#   N=200000 REPS=5 bench/stats.sh
#   DATA=/tmp/stats-town bench/stats.sh  # keeps the filled store there and
#                                        # reuses it on the next run
#
# The rows are written straight into SQLite (python3's sqlite3) beside one
# request submitted over SOAP, whose other columns they copy: the figures
# are realistic in spread, not in form values (the page does not read them).
set -euo pipefail
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GUICHET_BIN:-$root/target/release/guichet}
n=${N:-1000000}
reps=${REPS:-5}
[ -x "$bin" ] || (cd "$root" && cargo build --release)
data=${DATA:-$(mktemp -d)}
mkdir -p "$data"
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; [ -n "${DATA:-}" ] || rm -rf "$data"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start() {
  "$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" --outbox-seconds 3600 2>>"$data/server.log" &
  pid=$!
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

if [ -f "$data/filled-$n" ]; then
  echo "reusing the $n requests in $data"
else
start
curl -fsS -o /dev/null -H 'Content-Type: text/xml; charset=utf-8' \
  --data-binary @"$root/examples/curl/submit-road-incident.xml" "http://127.0.0.1:$port/demoville/soap"
stop

t0=$SECONDS
python3 - "$data/guichet.sqlite3" "$n" <<'PY'
import random, sqlite3, sys, datetime as dt
path, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
cols = [r[1] for r in db.execute("PRAGMA table_info(requests)")]
template = dict(zip(cols, db.execute("SELECT * FROM requests ORDER BY id LIMIT 1").fetchone()))
services = [("road-incident", "voirie", ["repaired", "not-ours"]),
            ("birth-certificate", "etat-civil", ["sent", "refused"]),
            ("room-booking", "vie-associative", ["confirmed", "refused"]),
            ("school-enrolment", "education", ["enrolled", "refused"])]
channels = ["web", "web", "web", "soap", "exchange", "counter"]
today = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
rng = random.Random(42)
varying = ["id", "number", "tracking_digest", "service_code", "department", "channel",
           "submitted_at", "due_date", "step", "entered_at", "finished", "waiting"]
fixed = [c for c in cols if c not in varying]
sql = f"INSERT INTO requests ({', '.join(varying + fixed)}) VALUES ({', '.join('?' * len(varying + fixed))})"
fixed_values = [template[c] for c in fixed]
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
def rows():
    for i in range(n):
        code, dept, finals = services[i % len(services)]
        submitted = today - dt.timedelta(days=rng.randrange(365), seconds=rng.randrange(86400))
        closed = rng.random() < 0.8 and (submitted + dt.timedelta(days=rng.randrange(30))) <= today
        entered = submitted + dt.timedelta(days=rng.randrange(30)) if closed else submitted
        entered = min(entered, today)
        yield [template["id"] + 1 + i, 1000 + i, f"bench{i:08d}", code, dept, rng.choice(channels),
               iso(submitted), (submitted + dt.timedelta(days=15)).date().isoformat(),
               rng.choice(finals) if closed else "new", iso(entered), int(closed),
               int(not closed and rng.random() < 0.1)] + fixed_values
with db:
    db.executemany(sql, rows())
print(f"{n} requests written")
PY
echo "filled in $((SECONDS - t0)) s"
touch "$data/filled-$n"
fi

start
python3 - "http://127.0.0.1:$port/demoville/backoffice" "$reps" "$pid" <<'PY'
import re, sys, time, urllib.request, urllib.parse, http.cookiejar
bo, reps, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
page = opener.open(f"{bo}/login?format=xml").read().decode()
token = re.search(r'token="([^"]+)"', page).group(1)
body = urllib.parse.urlencode({"_token": token, "login": "admin", "password": "demoville-2026"}).encode()
req = urllib.request.Request(f"{bo}/login", data=body, headers={"Sec-Fetch-Site": "same-origin"})
try:
    opener.open(req)
except urllib.error.HTTPError as e:
    assert e.code == 303, e.code
for period in ["year", "month"]:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        html = opener.open(f"{bo}/stats?period={period}").read()
        times.append(time.perf_counter() - t)
    times.sort()
    received = re.search(rb"Demandes re\xc3\xa7ues</th><td[^>]*>(\d+)<", html)
    print(f"stats period={period:5}  median {times[len(times) // 2] * 1000:7.0f} ms  worst {times[-1] * 1000:7.0f} ms"
          f"  (received: {received.group(1).decode() if received else '?'})")
rss = [l for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM")][0].split()[1]
print(f"server peak resident memory: {int(rss) // 1024} MiB")
PY
echo "machine: $(nproc) cores; $n requests"
