#!/usr/bin/env bash
# Drives the real binary in tmux at 120x40 the way a person would: waits for the
# Overview, opens a team with Enter, returns with Esc, opens help with ?, quits
# with q; then checks the exit status and that the terminal left the alternate
# screen with the cursor shown. Also: SIGTERM and SIGQUIT restore the terminal
# and exit 128+n; Ctrl-Z gives the shell back and `fg` redraws a working cockpit.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

start "--seed 7"
check "the Overview appears" "1 Overview"
check "team scorecards are listed" "payments"
check "the organisation row leads the table" "│organisation "
# Row 5 is the organisation (every team pooled); the selection starts on the first team.
first_team=$(t capture-pane -p -t fd | sed -n 6p | sed 's/^│//' | awk '{print $1}')
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
check "SIGTERM ends it with status 143 (128 + 15)" "FLIGHTDECK_EXIT=143"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "0 1" ]]; then ok "terminal restored after SIGTERM"; else bad "terminal state after SIGTERM: $state_after"; fi

start "--seed 7"
check "the cockpit starts for SIGQUIT" "1 Overview"
pkill -QUIT -P "$(t display -p -t fd '#{pane_pid}')" || true
check "SIGQUIT ends it with status 131 (128 + 3)" "FLIGHTDECK_EXIT=131"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "0 1" ]]; then ok "terminal restored after SIGQUIT"; else bad "terminal state after SIGQUIT: $state_after"; fi

# Ctrl-Z and fg, as in a shell with job control: started without the trailing
# echo, which the shell would run as soon as the job stops.
start "--version"
check "a shell with job control is ready" "FLIGHTDECK_EXIT=0"
t send-keys -t fd "clear; $(printf %q "$bin") --seed 7" Enter
check "the cockpit starts under job control" "1 Overview"
t send-keys -t fd C-z
check "Ctrl-Z stops it and the shell reports the job" "Stopped"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "0 1" ]]; then ok "the shell gets a normal screen with a cursor"; else bad "terminal state while suspended: $state_after"; fi
t send-keys -t fd "fg" Enter
check "fg redraws the cockpit" "1 Overview"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "1 0" ]]; then ok "back on the alternate screen, cursor hidden"; else bad "terminal state after fg: $state_after"; fi
t send-keys -t fd 2
check "keys work after fg" "Lanes ·"
t send-keys -t fd q
sleep 0.5
t send-keys -t fd 'echo RESUMED_EXIT=$?' Enter
check "q after fg quits with status 0" "RESUMED_EXIT=0"

start "--seed 7"
check "the cockpit starts a third time" "1 Overview"
t send-keys -t fd C-c
check "Ctrl-C quits with status 0" "FLIGHTDECK_EXIT=0"

# An events file read once stays on screen (the store outlives its sources).
# --fresh: the last run left the cockpit on Lanes, which the next would reopen.
start "--fresh --events $fixtures/report_handwritten.ndjson"
check "the cockpit shows the teams of an events file" "charlie"
sleep 2
if t capture-pane -p -t fd | grep -q "FLIGHTDECK_EXIT"; then bad "the cockpit on an events file exited by itself"; else ok "the cockpit on an events file stays up"; fi
t send-keys -t fd 5
check "the Sources screen shows the file's skipped line" "1 malformed line skipped"
t send-keys -t fd q
check "q quits the events-file cockpit with status 0" "FLIGHTDECK_EXIT=0"

finish
