#!/usr/bin/env bash
# Links and lists on the demo, as a user reaches them:
# - `u` on the Overview lists the unattributed incidents it counts; Esc back;
# - Findings list open findings; `R` shows the resolved ones too;
# - `o` sorts Incidents, `/status:failing` filters Sources, Enter opens a source;
# - `w` shows the release-window feed, `f` selects an alert, Enter opens its lane.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"
match=fixed

start "--seed 7 --fresh"
check "the Overview counts the unattributed incidents" "u lists them"
count=$(t capture-pane -p -t fd | grep -o '[0-9][0-9]* unattributed incidents' | head -1 | awk '{print $1}')
t send-keys -t fd u
check "u lists the unattributed incidents" "$count unattributed incidents (all time)"
rows=$(t capture-pane -p -t fd | grep -c 'unattributed  *[A-Z]' || true)
if [[ $rows -gt 0 ]]; then ok "the rows say unattributed ($rows on screen)"; else bad "no unattributed rows"; fi
t send-keys -t fd Escape
check "Esc goes back to the Overview" "TIER"

t send-keys -t fd 4
check "Findings list open ones and say how many resolved are hidden" "R shows"
t send-keys -t fd R
check "R lists them all" "R hides resolved"
t send-keys -t fd R

t send-keys -t fd 3
t send-keys -t fd o o o
check "o sorts Incidents by when they opened" "sorted by opened ▲"

t send-keys -t fd 5
t send-keys -t fd Enter
check "Enter opens a source" "Source demo"
check "its detail says what it read, by type" "deployment lines"
t send-keys -t fd Escape

t send-keys -t fd 2
t send-keys -t fd w
check "w shows the release-window feed" "Release window"
if wait_for "f select" 5; then
  t send-keys -t fd f
  check "f selects an alert" "Enter opens · a ack this"
  t send-keys -t fd Enter
  check "Enter opens the lane the alert names" "PgDn scroll · Esc back"
  check "its detail is a lane's" "┌ Lane "
else
  bad "the feed hints f select"
fi
t send-keys -t fd q q
t send-keys -t fd q
check "q quits" "FLIGHTDECK_EXIT="
finish
