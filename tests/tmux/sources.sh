#!/usr/bin/env bash
# The Sources screen against a real local HTTP server that is then stopped:
# a python3 http.server on 127.0.0.1 serves a PagerDuty-shaped incidents list
# and an NDJSON events file; the cockpit polls both; the server is killed; the
# Sources screen (5) shows both sources failing and stale with their last good
# data kept, and p (pause), r (poll now), navigation and q (exit 0) still work.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

www="$state/www"
mkdir -p "$www"
server_pid=""
on_cleanup() { [[ -n $server_pid ]] && kill "$server_pid" >/dev/null 2>&1; }

# row NAME: the Sources screen's line for a source.
row() { t capture-pane -p -t fd | grep -- "$1" | head -1; }

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$www/incidents" <<JSON
{"incidents":[{"id":"PT4KHLK","created_at":"$now","status":"triggered","urgency":"high",
"title":"The server is on fire.","service":{"id":"PIJ90N7","summary":"My Mail Service"}}],
"limit":100,"offset":0,"more":false}
JSON
cat >"$www/events.ndjson" <<JSON
{"type":"deployment","id":"d1","service":"mail","time":"$now","status":"success","team":"messaging"}
{"type":"change","id":"c1","service":"mail","time":"$now","team":"messaging"}
JSON

python3 - "$www" "$state/port" <<'PY' >/dev/null 2>&1 &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
PY
server_pid=$!
for _ in $(seq 50); do [[ -s $state/port ]] && break; sleep 0.1; done
port=$(cat "$state/port" 2>/dev/null)
if [[ -z $port ]]; then echo "FAIL - the test server did not start"; exit 1; fi

cat >"$state/flightdeck.toml" <<TOML
[[teams]]
name = "messaging"
services = ["mail"]

[[sources]]
kind = "pagerduty"
name = "pd"
url = "http://127.0.0.1:$port"
services = { "PIJ90N7" = "mail" }
interval = "1m"
timeout = "2s"

[[sources]]
kind = "events"
name = "feed"
url = "http://127.0.0.1:$port/events.ndjson"
interval = "1m"
timeout = "2s"
TOML

start "--config $state/flightdeck.toml"
check "the cockpit starts on the config's sources" "1 Overview"
check "the config's team is shown" "messaging"
t send-keys -t fd 5
check "5 opens the Sources screen" "Sources"
if wait_for "pd .*pagerduty .*ok" 10; then ok "the PagerDuty source is ok"; else bad "the PagerDuty source is ok"; fi
if wait_for "feed .*events .*ok" 10; then ok "the events URL source is ok"; else bad "the events URL source is ok"; fi
r=$(row "pd ")
if [[ $r =~ " 1 " ]]; then ok "the PagerDuty source counted its incident"; else bad "the PagerDuty source counted 1 event: $r"; fi
if [[ $r =~ "in "[0-9] ]]; then ok "the next poll is shown"; else bad "next poll shown: $r"; fi

kill "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=""
t send-keys -t fd r
if wait_for "pd .*pagerduty .*stale" 15; then ok "after the server stopped, r marks PagerDuty stale"; else bad "PagerDuty stale"; fi
if wait_for "feed .*events .*stale" 15; then ok "the events source is stale too"; else bad "events stale"; fi
r=$(row "pd ")
if [[ $r =~ "cannot connect" ]]; then ok "the error says why: ${r##*ago: }"; else bad "the error names the cause: $r"; fi
if [[ $r =~ [0-9]s\ ago ]]; then ok "the last good poll's age is shown"; else bad "age shown: $r"; fi
r=$(row "pd ")
if [[ $r =~ " 1 " ]]; then ok "the last good data stays (1 event)"; else bad "data kept: $r"; fi

t send-keys -t fd p
check "p pauses polling" "pd .*paused"
t send-keys -t fd p
if wait_for "pd .*stale .*in [0-9]" 10; then ok "p resumes polling (a next poll is planned)"; else bad "p resumes"; fi
t send-keys -t fd j
t send-keys -t fd 1
check "1 returns to the Overview" "Overview · last 30 days"
t send-keys -t fd '?'
check "? lists the p and r keys" "poll every source now"
t send-keys -t fd Escape
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

finish
