#!/usr/bin/env bash
# Drives the release binary in tmux at 120x40 for issue 6's cockpit outputs:
# the snapshot key `s` (text + HTML files in the working directory, named in the
# status bar), `--record` (an NDJSON log that `report` reads back), and `replay`
# (space pauses, > and < change the speed, shown in the status bar; screens work).
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"
# Every pattern here is a plain string (status-bar text, paths with dots).
match=fixed
fixture=$fixtures/report_handwritten.ndjson

# --- the snapshot key, and --record on the live cockpit -----------------------
start "--seed 7 --record $work/recorded.ndjson"
check "the Overview appears" "1 Overview"
check "--record shows the REC badge in the status bar" "● REC"
check "team scorecards are listed" "payments"
t send-keys -t fd s
check "s says where the screen was saved, with the full path" "saved $work/flightdeck-screen-"
txt=$(ls "$work"/flightdeck-screen-*.txt 2>/dev/null | head -1)
html=$(ls "$work"/flightdeck-screen-*.html 2>/dev/null | head -1)
if [[ -n $txt ]] && grep -q "1 Overview" "$txt" && grep -q "payments" "$txt"; then
  ok "the text file holds the screen ($(basename "$txt"))"
else
  bad "the text file holds the screen"
fi
if [[ -n $html ]] && grep -q "<!DOCTYPE html>" "$html" && grep -q "payments" "$html" && grep -q "color:#" "$html"; then
  ok "the HTML file holds the screen with colours ($(basename "$html"))"
else
  bad "the HTML file holds the screen with colours"
fi
# The whole page: the screen's 40 rows and one more per team listed (8).
if [[ $(wc -l <"$txt") -eq 48 ]]; then ok "the text file has the whole page, 48 rows"; else bad "text rows: $(wc -l <"$txt")"; fi
t send-keys -t fd j
cleared=no
for _ in $(seq 1 25); do
  if ! t capture-pane -p -t fd | grep -qF "flightdeck-screen-"; then cleared=yes; break; fi
  sleep 0.2
done
if [[ $cleared == yes ]]; then ok "the next key clears the message"; else bad "the next key clears the message"; fi
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"
if [[ -s $work/recorded.ndjson ]] && "$bin" report --strict --format csv --events "$work/recorded.ndjson" --now 2026-01-01T00:00:00Z 2>/dev/null | grep -q "^payments,"; then
  ok "--record wrote an NDJSON log that report reads strictly ($(wc -l <"$work/recorded.ndjson") lines)"
else
  bad "--record wrote a readable NDJSON log"
fi

# --- replay: space pauses, > and < change the speed ---------------------------
start "replay $fixture --speed 3600"
check "replay shows the teams of the log" "alpha"
check "the status bar shows the replay speed" "▶ replay 3600x"
t send-keys -t fd Space
check "space pauses" "⏸ replay paused 3600x"
clock1=$(t capture-pane -p -t fd | tail -1 | grep -o '20[0-9-]* [0-9:]* UTC')
sleep 1.5
clock2=$(t capture-pane -p -t fd | tail -1 | grep -o '20[0-9-]* [0-9:]* UTC')
if [[ -n $clock1 && $clock1 == "$clock2" ]]; then ok "the paused clock holds still ($clock1)"; else bad "paused clock moved: '$clock1' -> '$clock2'"; fi
t send-keys -t fd '>'
check "> speeds up" "⏸ replay paused 7200x"
t send-keys -t fd '<'
t send-keys -t fd '<'
check "< slows down" "⏸ replay paused 1800x"
t send-keys -t fd Space
check "space resumes" "▶ replay 1800x"
t send-keys -t fd 3
check "the Incidents screen works in a replay" "3 Incidents"
t send-keys -t fd 5
check "the Sources screen lists the replayed file" "report_handwritten.ndjson"
check "as a replay source" "replay"
t send-keys -t fd 1
t send-keys -t fd s
check "s works in a replay too" "flightdeck-screen-"
t send-keys -t fd q
check "q quits the replay with status 0" "FLIGHTDECK_EXIT=0"

# --- a replay at top speed reaches the end of the log and stops there ---------
start "replay $fixture --speed 604800"
check "a fast replay ends" "■ replay ended" 20
check "the ended replay stops at the last event" "2024-03-31 21:00:00 UTC"
check "its scorecards are all there" "charlie"
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

# --- bad input prints a plain error, no screen --------------------------------
start "replay $work/missing.ndjson"
check "a missing log is a one-line error" "flightdeck: cannot read $work/missing.ndjson"
check "and exits 1" "FLIGHTDECK_EXIT=1"

# --- the cockpit as of a past time, and a replay under the config's teams ------
start "--events $fixture --now 2024-04-01T00:00:00Z"
check "--now freezes the cockpit's clock there" "2024-04-01 00:00:00 UTC"
check "with the scorecards as of then" "charlie"
sleep 1.5
check "and the clock holds still" "2024-04-01 00:00:00 UTC" 1
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"
printf '[[teams]]\nname = "delta"\nservices = ["ledger"]\n' >"$work/teams.toml"
start "replay $fixture --speed 604800 --config $work/teams.toml"
check "replay --config applies the config's teams" "delta"
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

finish
