#!/usr/bin/env bash
# How fast a campaign's SMS leave: the demo town with N subscribers by SMS on
# its list "travaux" (default 20,000; written straight into its store), its
# SMS provider a fast local double (bench/sms_double.py: HTTP/1.1 keep-alive,
# answers with an id, at once or after DELAY_MS like a real provider), its
# administrator writing an SMS campaign to
# the list through the back office; reports the time from the campaign's
# sending to its last SMS recorded sent, SMS per second, and how many the
# double took (it must be N).
#
#   bench/campaign.sh            # 20,000 subscribers
#   N=100000 bench/campaign.sh
#   DELAY_MS=50 bench/campaign.sh   # the provider answering in 50 ms
#   GUICHET_BIN=/path/to/guichet bench/campaign.sh
# Needs: curl, python3, sqlite3.
set -euo pipefail
# A load generator is one client sending far more than any citizen.
export GUICHET_RATE_LIMITS="${GUICHET_RATE_LIMITS:-off}"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GUICHET_BIN:-$root/target/release/guichet}
n=${N:-20000}
[ -x "$bin" ] || (cd "$root" && cargo build --release)
work=$(mktemp -d "${TMPDIR:-/tmp}/guichet-campaign.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
double=$(free_port)
python3 "$root/bench/sms_double.py" "$double" "${DELAY_MS:-0}" >"$work/double.log" 2>&1 &
pids+=($!)
port=$(free_port)
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --outbox-seconds 3600 >"$work/guichet.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
cat >>"$work/data/tenants/demoville/settings.toml" <<TOML

[sms]
url = "http://127.0.0.1:$double/v1/sms"
sender = "Demoville"
body = '{"to": "{to}", "from": "{from}", "text": "{text}", "ref": "{ref}"}'
id_field = "id"
TOML
db=$work/data/guichet.sqlite3
sqlite3 -cmd ".timeout 10000" "$db" <<SQL
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < $n)
INSERT INTO subscribers (tenant_id, list_code, channel, address, source, state, token, created_at, confirmed_at)
SELECT (SELECT id FROM tenants WHERE slug = 'demoville'), 'travaux', 'sms',
       printf('06%08d', k), 'sms', 'active', printf('%032x', k), '2026-11-22T10:00:00Z', '2026-11-22T10:00:00Z'
FROM i;
SQL
python3 - "http://127.0.0.1:$port/demoville/backoffice" "$db" "$n" "$double" "${DELAY_MS:-0}" <<'PY'
import http.cookiejar, re, sqlite3, sys, time, urllib.parse, urllib.request
base, db, n, double, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
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
            return r.status, r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location")
def token(page):
    return re.search(rb'name="_token" value="([^"]+)"', page).group(1).decode()
assert post("/login", {"_token": token(get("/login")), "login": "admin", "password": "demoville-2026"})[0] == 303
# The settings are read again at the next page: wait until SMS is offered.
for _ in range(100):
    form = get("/campaigns/new?list=travaux")
    if b'id="campaign-sms"' in form:
        break
    time.sleep(0.2)
started = time.monotonic()
status, location = post("/campaigns/new", {"_token": token(form), "list": "travaux", "channel": "sms",
                                           "text": "Demoville - Travaux : la rue des Lilas sera fermee lundi 8 h - 18 h. Deviation par l'avenue Foch.",
                                           "do": "send"})
assert status == 303, status
campaign = int(location.rsplit("/", 1)[1])
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
while True:
    state, = con.execute("SELECT state FROM campaigns WHERE id = ?", (campaign,)).fetchone()
    if state == "sent":
        break
    time.sleep(0.05)
took = time.monotonic() - started
counts = dict(con.execute("SELECT state, count(*) FROM campaign_sends WHERE campaign_id = ? GROUP BY state", (campaign,)))
with urllib.request.urlopen(f"http://127.0.0.1:{double}/count") as r:
    taken = int(r.read())
print(f"campaign of {n} SMS (provider answering in {delay} ms): sent in {took:.2f} s, {n / took:.0f} SMS/s; sends {counts}; the provider took {taken}")
assert counts.get("sent") == n and taken == n, "every SMS sent once"
PY
