#!/usr/bin/env bash
# Drives the release binary on the demo at --speed 60: presses 2 for Lanes,
# checks the region columns in rollout order, waits for a lane to change state,
# opens a lane with Enter and reads its detail, goes back, turns release-window
# mode on with w, and quits with q checking the exit status.
set -uo pipefail

bin=${1:-target/release/flightdeck}
bin=$(realpath "$bin")
sock="flightdeck-lanes-$$"
state=$(mktemp -d)
passed=0
failed=0

t() { tmux -L "$sock" "$@"; }
cleanup() {
  t kill-server >/dev/null 2>&1
  sleep 0.3
  rm -rf "$state" 2>/dev/null || { sleep 1; rm -rf "$state"; }
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
}
trap cleanup EXIT

ok() { echo "ok   - $1"; passed=$((passed + 1)); }
bad() {
  echo "FAIL - $1"
  failed=$((failed + 1))
  echo "---- screen ----"
  t capture-pane -p -t lanes 2>/dev/null
  echo "----------------"
}

wait_for() {
  local deadline=$((SECONDS + ${2:-15}))
  while ((SECONDS < deadline)); do
    if t capture-pane -p -t lanes 2>/dev/null | grep -q -- "$1"; then return 0; fi
    sleep 0.2
  done
  return 1
}

check() { if wait_for "$2" "${3:-15}"; then ok "$1"; else bad "$1 (waited for '$2')"; fi; }

# Each lane row reduced to its id and its stage glyphs: elapsed times tick
# every second, a change here is a change of state (or a lane coming or going).
signature() {
  t capture-pane -p -t lanes | grep -E '^│[a-z]' | grep -v DEPLOYMENT |
    while IFS= read -r line; do
      id=$(echo "$line" | sed 's/^│//' | awk '{print $1}')
      glyphs=$(echo "$line" | grep -o '[◎▶⏸★✓✗↺■·]' | tr -d '\n')
      echo "$id:$glyphs"
    done
}

t new-session -d -s lanes -x 120 -y 40 "env -i HOME=$state XDG_STATE_HOME=$state TERM=tmux-256color LANG=C.UTF-8 PATH=/usr/bin:/bin bash --norc --noprofile"
t send-keys -t lanes "clear; $bin --demo --speed 60; echo FLIGHTDECK_EXIT=\$?" Enter
check "the cockpit starts" "1 Overview"
t send-keys -t lanes 2
check "2 shows the Lanes screen" "Lanes · "
# The demo's history arrives first; then the lane rows (ids end in -NNNN).
check "lanes are listed" "^│[a-z][a-z-]*-[0-9][0-9][0-9][0-9] " 20
header=$(t capture-pane -p -t lanes | grep DEPLOYMENT)
order_ok=1
last=-1
for region in us-east-1 eu-west-1 ap-south-1 sa-east-1; do
  pos=$(awk -v h="$header" -v r="$region" 'BEGIN { print index(h, r) }')
  if ((pos <= last)); then order_ok=0; fi
  last=$pos
done
if ((order_ok)); then ok "region columns in rollout order: us-east-1 eu-west-1 ap-south-1 sa-east-1"; else bad "region columns missing or out of order: $header"; fi

before=$(signature)
[[ -n "$before" ]] || bad "no lane rows to watch"
changed=0
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  sleep 1
  now=$(signature)
  if [[ "$now" != "$before" ]]; then
    changed=1
    break
  fi
done
if ((changed)); then
  ok "a lane changed state within $((60 - (deadline - SECONDS)))s at --speed 60"
  diff <(echo "$before") <(echo "$now") | grep '^[<>]' | head -4 | sed 's/^/       /'
else
  bad "no lane changed state in 60 s"
fi

t send-keys -t lanes Enter
check "Enter opens a lane: stages" "Stages"
check "the lane detail shows the canary analysis" "Canary analysis"
check "the lane detail shows the changes shipped" "Changes shipped"
check "the breadcrumb names the deployment" "› [a-z]"
t send-keys -t lanes Escape
check "Esc returns to the Lanes" "Lanes · "
t send-keys -t lanes w
check "w turns release-window mode on" "Release window · "
t send-keys -t lanes q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

echo "tmux lanes: $passed passed, $failed failed"
((failed == 0))
