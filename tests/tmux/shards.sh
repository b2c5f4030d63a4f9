#!/usr/bin/env bash
# An organisation served by shards, read back in the cockpit: three
# `serve --shard i/3` of the demo at a pinned clock, a real Prometheus on
# 127.0.0.1 scraping them, and the cockpit on a config whose only source is a
# `scorecards` source pointed at that Prometheus. The Overview lists the
# demo's teams with their numbers; a team's drill-down says its records are not
# available through this source and which shard serves it; the Sources screen
# shows the scorecards source; the Findings screen lists each team's open
# findings read back by severity and the Overview's AUDIT column counts them;
# q exits 0. Before that, a shard on a config of per-team sources says which
# source it does not read. Skipped when prometheus is missing
# (failed under FLIGHTDECK_REQUIRE_TOOLS).
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

if ! command -v prometheus >/dev/null 2>&1; then
  if [[ -n ${FLIGHTDECK_REQUIRE_TOOLS:-} ]]; then
    echo "FAIL - prometheus is required (FLIGHTDECK_REQUIRE_TOOLS is set) but not on PATH"
    exit 1
  fi
  echo "notice: prometheus is not installed; skipping tmux shards"
  exit 0
fi

now=2026-03-02T09:30:00Z
pids=()
on_cleanup() { for p in "${pids[@]}"; do kill "$p" >/dev/null 2>&1; done; }

# A free loopback port (bound and released; Prometheus binds it right after).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# GET a URL on loopback; prints the body, fails on an error status.
get() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null; }

targets=()
for i in 1 2 3; do
  XDG_STATE_HOME=$state "$bin" serve --demo --now "$now" --shard "$i/3" --listen 127.0.0.1:0 2>"$state/serve$i.err" >/dev/null &
  pids+=($!)
done
for i in 1 2 3; do
  for _ in $(seq 100); do grep -q 'http://' "$state/serve$i.err" 2>/dev/null && break; sleep 0.1; done
  addr=$(grep -o 'http://[0-9.:]*' "$state/serve$i.err" | head -1)
  if [[ -z $addr ]]; then echo "FAIL - shard $i did not start"; cat "$state/serve$i.err"; exit 1; fi
  targets+=("'${addr#http://}'")
done

# A shard does not read a source whose `teams` are all served by other shards
# (payments: shard 2 of 3; search: shard 1), and says so on start.
for team in payments search; do
  echo "{\"type\":\"deployment\",\"id\":\"$team-1\",\"service\":\"$team-api\",\"team\":\"$team\",\"time\":\"2026-03-01T00:00:00Z\",\"status\":\"success\"}" >"$state/$team.ndjson"
  printf '[[sources]]\nkind = "events"\nname = "%s-log"\npath = "%s"\nteams = ["%s"]\n\n' "$team" "$state/$team.ndjson" "$team" >>"$state/teams.toml"
done
XDG_STATE_HOME=$state "$bin" serve --config "$state/teams.toml" --now "$now" --shard 2/3 --listen 127.0.0.1:0 2>"$state/teams.err" >/dev/null &
pids+=($!)
for _ in $(seq 100); do grep -q 'http://' "$state/teams.err" 2>/dev/null && break; sleep 0.1; done
# shellcheck disable=SC2016 # the backquotes are the message's own
if grep -qF 'source `search-log` (events): not read by shard 2/3: feeds only teams served by other shards (search: shard 1)' "$state/teams.err" \
  && ! grep -q 'payments-log' "$state/teams.err"; then
  ok "shard 2/3 says it does not read the source that feeds only search"
else
  bad "shard 2/3 says it does not read the source that feeds only search"
  cat "$state/teams.err"
fi

port=$(free_port)
cat >"$state/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: flightdeck
    static_configs:
      - targets: [$(IFS=,; echo "${targets[*]}")]
YAML
prometheus --config.file="$state/prometheus.yml" --storage.tsdb.path="$state/data" \
  --web.listen-address="127.0.0.1:$port" >/dev/null 2>&1 &
pids+=($!)
scraped=""
for _ in $(seq 120); do
  if get "http://127.0.0.1:$port/api/v1/query?query=count(flightdeck_info)" | grep -q '"3"\]'; then
    scraped=yes
    break
  fi
  sleep 0.5
done
if [[ -n $scraped ]]; then ok "Prometheus scrapes the three shards"; else bad "Prometheus scrapes the three shards"; fi

cat >"$state/org.toml" <<TOML
[[sources]]
kind = "scorecards"
name = "organisation"
url = "http://127.0.0.1:$port"
selector = 'job="flightdeck"'
interval = "1m"
TOML

start "--config $state/org.toml --now $now"
check "the Overview lists the teams read back" "8 teams"
check "its title says they are read back, with no trends" "read back from the exporters · no previous window"
check "a team's numbers are shown" "payments .*ELITE"
t send-keys -t fd Enter
check "the drill-down opens on billing" "billing · last 30 days"
check "it says records are not available" "Records are not available through the scorecards source"
check "it names the shard serving the team" "billing is served by shard [123] of 3"
t send-keys -t fd Escape
t send-keys -t fd 5
check "the Sources screen shows the scorecards source" "organisation scorecards  ok"
t send-keys -t fd 4
check "the Findings screen lists the counts read back, and from where" \
  "Read back from http://127.0.0.1:$port · 8 teams · 89 open · counts only"
# billing: 27 open (0 critical, 5 high, 9 medium, 8 low, 5 info), served by shard 2.
check "a team's open findings by severity and its shard" "billing *27 *0 *5 *9 *8 *5 *2 *127\.0\.0\.1:"
check "the summary counts them" "89 open read back (1 critical)"
check "the empty list says why" "No findings read here: the 8 teams read back list counts only"
t send-keys -t fd 1
check "the Overview's AUDIT column counts them" "payments .*0\.9% *0 *6 "
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"
finish
