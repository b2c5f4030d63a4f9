#!/usr/bin/env bash
# Drives the real binary in tmux at 120x40 the way a person would: waits for the
# Overview, opens a team with Enter, returns with Esc, opens help with ?, quits
# with q; then checks the exit status and that the terminal left the alternate
# screen with the cursor shown. Also checks that SIGTERM restores the terminal.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

start "--seed 7"
check "the Overview appears" "1 Overview"
check "team scorecards are listed" "payments"
first_team=$(t capture-pane -p -t fd | sed -n 5p | sed 's/^│//' | awk '{print $1}')
t send-keys -t fd Enter
check "Enter opens the drill-down of $first_team" "Deployments counted"
check "the drill-down names the team" "› $first_team"
t send-keys -t fd Escape
check "Esc returns to the Overview" "Overview · last 30 days"
t send-keys -t fd '?'
check "? shows the keys" "Keys · ? or Esc closes"
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "0 1" ]]; then ok "terminal left the alternate screen, cursor shown"; else bad "terminal state after exit: alternate_on cursor_flag = $state_after"; fi

start "--seed 7"
check "the cockpit starts again" "1 Overview"
# Signal exactly the cockpit running in our pane: the pane's shell has no other
# child now. Not by name: the binary under test may not be called flightdeck.
pkill -TERM -P "$(t display -p -t fd '#{pane_pid}')" || true
check "SIGTERM ends it cleanly" "FLIGHTDECK_EXIT=0"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "0 1" ]]; then ok "terminal restored after SIGTERM"; else bad "terminal state after SIGTERM: $state_after"; fi

start "--seed 7"
check "the cockpit starts a third time" "1 Overview"
t send-keys -t fd C-c
check "Ctrl-C quits with status 0" "FLIGHTDECK_EXIT=0"

# An events file read once stays on screen (the store outlives its sources).
start "--events $fixtures/report_handwritten.ndjson"
check "the cockpit shows the teams of an events file" "charlie"
sleep 2
if t capture-pane -p -t fd | grep -q "FLIGHTDECK_EXIT"; then bad "the cockpit on an events file exited by itself"; else ok "the cockpit on an events file stays up"; fi
t send-keys -t fd 5
check "the Sources screen shows the file's skipped line" "1 malformed line skipped"
t send-keys -t fd q
check "q quits the events-file cockpit with status 0" "FLIGHTDECK_EXIT=0"

finish
