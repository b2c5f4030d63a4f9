#!/usr/bin/env bash
# The gates on the demo: `v` on the Overview shows the gates view (review wait,
# certification, batch sizes, small and large batch failure rates), with the
# teams' review waits differing; Enter on a team opens its drill-down with the
# Gates section and the rows' batch sizes; a lane's detail shows its
# certification against the team median; q quits with status 0.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

start "--demo"
check "the cockpit starts" "1 Overview"
t send-keys -t fd v
check "v shows the gates view" "Overview · gates · "
check "its columns" "REVIEW WAIT.*CERTIFY.*BATCH p50/p90.*FAIL small/large"
# Review waits differ visibly: billing waits days, payments minutes.
check "billing's review wait is in days" "^│billing  *[0-9.]*d "
check "payments' review wait is in minutes" "^│payments  *[0-9]*m "
t send-keys -t fd Enter
check "Enter opens the team with its Gates section" "Gates · review (gate 1)"
check "the section has the batch line" "Batch size .* p90 "
check "deployment rows carry batch and certification" "batch [0-9]"
t send-keys -t fd Escape
t send-keys -t fd v
check "v again shows the key metrics" "DEPLOY FREQUENCY"
t send-keys -t fd 2
check "lanes are listed" "^│[a-z][a-z-]*-[0-9][0-9][0-9][0-9] " 20
t send-keys -t fd Enter
check "the lane detail shows certification against the team median" "certification: .*team .* median"
# q in a drill-down goes back; a second q quits.
t send-keys -t fd q
check "q in the lane goes back to the Lanes" "Lanes · "
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

finish
