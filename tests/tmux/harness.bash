# The harness every tests/tmux/*.sh sources as its first command:
#   source "$(dirname "$0")/harness.bash" "$@"
# It takes the binary as $1 (default target/release/flightdeck) and gives:
#   bin          the binary, an absolute path
#   fixtures     tests/fixtures, an absolute path
#   state, work  fresh temp dirs: the pane's HOME/XDG_STATE_HOME, and its cwd
#   t ARGS       tmux on this run's server
#   start ARGS   a fresh tmux server with a 120x40 session `fd` whose pane is a
#                plain shell in $work; runs `$bin ARGS` (with `$env_vars`
#                before it, e.g. env_vars="NO_COLOR=1"), then echoes
#                FLIGHTDECK_EXIT=<status> so the exit status and the terminal
#                state after exit can be read back
#   ok NAME, bad NAME   count a pass or a failure (bad prints the screen)
#   wait_for PATTERN [SECONDS]   true when the screen shows PATTERN in time
#                                (default 15 s)
#   check NAME PATTERN [SECONDS] wait_for, then ok or bad
#   match        how PATTERN is matched: regex (grep's basic regexes, the
#                default) or fixed (set match=fixed for plain strings)
#   on_cleanup   a function a script may define; the exit trap calls it first
#   finish       prints `tmux <suite>: N passed, N failed`; returns non-zero
#                on any failure (a script's last command)
set -uo pipefail

bin=$(realpath "${1:-target/release/flightdeck}")
# shellcheck disable=SC2034 # for the scripts
fixtures=$(realpath "$(dirname "$0")/../fixtures")
suite=$(basename "$0" .sh)
match=regex
env_vars=""
passed=0
failed=0
# A fresh tmux server (socket) per start: reusing one right after kill-server
# can race with the old server's exit.
runs=0
sock="flightdeck-$suite-$$-0"
state=$(mktemp -d)
work=$(mktemp -d)

t() { tmux -L "$sock" "$@"; }

cleanup() {
  if declare -F on_cleanup >/dev/null; then on_cleanup; fi
  local i
  for ((i = 0; i <= runs; i++)); do tmux -L "flightdeck-$suite-$$-$i" kill-server >/dev/null 2>&1; done
  # The killed cockpits may still be writing their last log line: retry.
  for _ in 1 2 3 4 5 6 7 8 9 10; do rm -rf "$state" "$work" 2>/dev/null && break; sleep 0.2; done
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/flightdeck-$suite-$$-"*
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

wait_for() {
  local deadline=$((SECONDS + ${2:-15})) flags
  case $match in
    regex) flags=-q ;;
    fixed) flags=-qF ;;
    *) echo "harness: match=$match, want regex or fixed" >&2; return 2 ;;
  esac
  while ((SECONDS < deadline)); do
    if t capture-pane -p -t fd 2>/dev/null | grep "$flags" -- "$1"; then return 0; fi
    sleep 0.2
  done
  return 1
}

check() { if wait_for "$2" "${3:-15}"; then ok "$1"; else bad "$1 (waited for '$2')"; fi; }

start() {
  t kill-server >/dev/null 2>&1
  runs=$((runs + 1))
  sock="flightdeck-$suite-$$-$runs"
  t new-session -d -s fd -x 120 -y 40 -c "$work" "env -i HOME=$state XDG_STATE_HOME=$state TERM=tmux-256color LANG=C.UTF-8 PATH=/usr/bin:/bin bash --norc --noprofile"
  # The binary's path quoted for the pane's shell (a checkout path may hold
  # spaces); ARGS are words on purpose.
  t send-keys -t fd "clear; cd $(printf %q "$work") && $env_vars $(printf %q "$bin") $1; echo FLIGHTDECK_EXIT=\$?" Enter
}

finish() {
  echo "tmux $suite: $passed passed, $failed failed"
  ((failed == 0))
}
