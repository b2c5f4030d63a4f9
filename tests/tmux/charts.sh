#!/usr/bin/env bash
# The charts on the demo (issue 16): Enter on a team then `t` shows its weekly
# chart with the DORA 2023 bands named, `m` moves to lead time, `h` selects the
# last week and lists its records, `t` goes back to the numbers; Incidents
# shows time to restore as bars with the organisation median; q quits with
# status 0.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

start "--demo"
check "the cockpit starts" "1 Overview"
t send-keys -t fd Enter
check "Enter opens the first team" "Records behind the numbers"
t send-keys -t fd t
check "t shows the weekly chart" "deployments, per week · 12 weeks · DORA 2023 bands"
check "the bands are named" "• elite ≥7 • high ≥1 • medium ≥0.2"
t send-keys -t fd m
check "m shows lead time" "lead time, hours · 12 weeks"
t send-keys -t fd h
check "h selects the last week" "Records of week 12, "
t send-keys -t fd t
check "t shows the numbers again" "Deployment frequency"
t send-keys -t fd Escape
t send-keys -t fd 3
check "Incidents shows the bars" "Time to restore by team · last 30 days · ┆ median "
check "with the organisation median" "^│organisation median  *[0-9]"
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

finish
