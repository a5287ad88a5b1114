#!/usr/bin/env bash
# A background export of every request of a large town: the town of
# bench/stats.sh (N requests, default 1,000,000; filled by it when DATA does
# not hold it yet), its administrator asking the export page for every
# request (state=all) as CSV, then as XLSX; for each, the time from the
# request to the file being offered, the file's size and rows, and the
# server's peak resident memory (VmHWM) before and after.
#
#   DATA=/tmp/stats-town bench/export.sh
#   N=200000 DATA=/tmp/town-200k bench/export.sh
set -euo pipefail
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GUICHET_BIN:-$root/target/release/guichet}
n=${N:-1000000}
[ -x "$bin" ] || (cd "$root" && cargo build --release)
data=${DATA:-$(mktemp -d)}
mkdir -p "$data"
if [ ! -f "$data/filled-$n" ]; then
  REPS=1 N=$n DATA=$data "$root/bench/stats.sh"
fi
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; [ -n "${DATA:-}" ] || rm -rf "$data"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" --outbox-seconds 3600 2>>"$data/server.log" &
pid=$!
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
python3 - "http://127.0.0.1:$port/demoville/backoffice" "$pid" <<'PY'
import http.cookiejar, re, sys, time, urllib.parse, urllib.request
base, pid = sys.argv[1], sys.argv[2]
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
def get(path):
    with web.open(base + path, timeout=600) as r:
        return r.read()
def post(path, fields):
    data = urllib.parse.urlencode(fields).encode()
    try:
        with web.open(base + path, data, timeout=600) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
def token(page):
    return re.search(rb'name="_token" value="([^"]+)"', page).group(1).decode()
def peak():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
login = get("/login")
assert post("/login", {"_token": token(login), "login": "admin", "password": "demoville-2026"}) == 303
page = "/export?state=all"
for fmt in ("csv", "xlsx"):
    before = peak()
    shown = get(page)
    total = re.search(rb'<strong>(\d+)</strong>', shown).group(1).decode()
    started = time.monotonic()
    columns = ("reference", "service", "step", "received", "due", "state", "department",
               "channel", "link")
    status = post(page, [("_token", token(shown)), ("do", "download"), ("format", fmt)] +
                  [("column", c) for c in columns])
    assert status == 303, status
    while True:
        xml = get(page + "&format=xml")
        ready = re.search(rb'<job [^>]*state="(ready|failed)"[^>]*>', xml)
        if ready and b'format="' + fmt.upper().encode() in ready.group(0):
            break
        time.sleep(0.5)
    took = time.monotonic() - started
    job = ready.group(0).decode()
    assert 'state="ready"' in job, job
    href = re.search(r'href="([^"]+)"', job).group(1)
    rows = re.search(r'rows="(\d+)"', job).group(1)
    with web.open(base.rsplit("/demoville", 1)[0] + href, timeout=600) as r:
        size = len(r.read())
    print(f"{fmt}: {rows} of {total} requests in {took:.1f} s, {size / 2**20:.1f} MiB; "
          f"server peak memory {before} MiB before, {peak()} MiB after")
PY
