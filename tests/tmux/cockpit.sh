#!/usr/bin/env bash
# Drives the real binary in tmux at 120x40 the way a person would: waits for the
# Overview, opens a team with Enter, returns with Esc, opens help with ?, quits
# with q; then checks the exit status and that the terminal left the alternate
# screen with the cursor shown. Also checks that SIGTERM restores the terminal.
set -uo pipefail

bin=${1:-target/release/flightdeck}
bin=$(realpath "$bin")
# A fresh tmux server (socket) per run of the cockpit: reusing one right after
# kill-server can race with the old server's exit.
runs=0
sock="flightdeck-test-$$-0"
state=$(mktemp -d)
passed=0
failed=0

t() { tmux -L "$sock" "$@"; }
cleanup() {
  for ((i = 0; i <= runs; i++)); do tmux -L "flightdeck-test-$$-$i" kill-server >/dev/null 2>&1; done
  rm -rf "$state"
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/flightdeck-test-$$-"*
}
trap cleanup EXIT

ok() { echo "ok   - $1"; passed=$((passed + 1)); }
bad() {
  echo "FAIL - $1"
  failed=$((failed + 1))
  echo "---- screen ----"
  t capture-pane -p -t fd 2>/dev/null
  echo "----------------"
}

# wait_for PATTERN [SECONDS]: true when the screen shows PATTERN in time.
wait_for() {
  local deadline=$((SECONDS + ${2:-15}))
  while ((SECONDS < deadline)); do
    if t capture-pane -p -t fd 2>/dev/null | grep -q -- "$1"; then return 0; fi
    sleep 0.2
  done
  return 1
}

check() { if wait_for "$2" "${3:-15}"; then ok "$1"; else bad "$1 (waited for '$2')"; fi; }

start() {
  local args=${1:---seed 7}
  t kill-server >/dev/null 2>&1
  runs=$((runs + 1))
  sock="flightdeck-test-$$-$runs"
  # A plain shell in the pane, so the exit status and the terminal state after
  # exit can be read back.
  t new-session -d -s fd -x 120 -y 40 "env -i HOME=$state XDG_STATE_HOME=$state TERM=tmux-256color PATH=/usr/bin:/bin bash --norc --noprofile"
  t send-keys -t fd "clear; $bin $args; echo FLIGHTDECK_EXIT=\$?" Enter
}

start
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

start
check "the cockpit starts again" "1 Overview"
# Signal exactly the cockpit running in our pane (a child of the pane's shell).
pkill -TERM -P "$(t display -p -t fd '#{pane_pid}')" -x flightdeck || true
check "SIGTERM ends it cleanly" "FLIGHTDECK_EXIT=0"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "0 1" ]]; then ok "terminal restored after SIGTERM"; else bad "terminal state after SIGTERM: $state_after"; fi

start
check "the cockpit starts a third time" "1 Overview"
t send-keys -t fd C-c
check "Ctrl-C quits with status 0" "FLIGHTDECK_EXIT=0"

# An events file read once stays on screen (the store outlives its sources).
start "--events $(realpath tests/fixtures/report_handwritten.ndjson)"
check "the cockpit shows the teams of an events file" "charlie"
sleep 2
if t capture-pane -p -t fd | grep -q "FLIGHTDECK_EXIT"; then bad "the cockpit on an events file exited by itself"; else ok "the cockpit on an events file stays up"; fi
t send-keys -t fd 5
check "the Sources screen shows the file's skipped line" "1 malformed line skipped"
t send-keys -t fd q
check "q quits the events-file cockpit with status 0" "FLIGHTDECK_EXIT=0"

echo "tmux: $passed passed, $failed failed"
((failed == 0))
