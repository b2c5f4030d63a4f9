#!/usr/bin/env bash
# Drives the release binary on the demo at --speed 60: presses 2 for Lanes,
# checks the region columns in rollout order, waits for a lane to change state,
# opens a lane with Enter and reads its detail, goes back, turns release-window
# mode on with w, and quits with q checking the exit status.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

# Each lane row reduced to its id and its stage glyphs: elapsed times tick
# every second, a change here is a change of state (or a lane coming or going).
signature() {
  t capture-pane -p -t fd | grep -E '^│[a-z]' | grep -v DEPLOYMENT |
    while IFS= read -r line; do
      id=$(echo "$line" | sed 's/^│//' | awk '{print $1}')
      glyphs=$(echo "$line" | grep -o '[◎▶⏸★✓✗↺■·]' | tr -d '\n')
      echo "$id:$glyphs"
    done
}

start "--demo --speed 60"
check "the cockpit starts" "1 Overview"
t send-keys -t fd 2
check "2 shows the Lanes screen" "Lanes · "
# The demo's history arrives first; then the lane rows (ids end in -NNNN).
check "lanes are listed" "^│[a-z][a-z-]*-[0-9][0-9][0-9][0-9] " 20
header=$(t capture-pane -p -t fd | grep DEPLOYMENT)
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

t send-keys -t fd Enter
check "Enter opens a lane: stages" "Stages"
check "the lane detail shows the canary analysis" "Canary analysis"
check "the lane detail shows the changes shipped" "Changes shipped"
check "the breadcrumb names the deployment" "› [a-z]"
t send-keys -t fd Escape
check "Esc returns to the Lanes" "Lanes · "
t send-keys -t fd w
check "w turns release-window mode on" "Release window · "
# With alerts unacknowledged, q asks first; q again quits.
t send-keys -t fd q
sleep 0.5
if t capture-pane -p -t fd | grep -q "not acknowledged: q again quits"; then t send-keys -t fd q; fi
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

finish
