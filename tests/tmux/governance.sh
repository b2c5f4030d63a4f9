#!/usr/bin/env bash
# Governance on the demo: 6 shows the Governance screen with the violation
# first and a drifted account; Enter on the violation opens the contract
# (consumers, every step), Enter on an account opens it (each component
# against the standard); the lane the gate holds says why on the Lanes
# screen and in its detail; q quits with status 0.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

start "--demo"
check "the cockpit starts" "1 Overview"
check "the Overview has a GOV column" "AUDIT GOV"
t send-keys -t fd 6
check "6 shows the Governance screen" "Contracts · 5 contracts · 1 violation · 1 stalled"
check "the violation comes first" "^│VIOLATION ledger/EntryPosted .*old path removed while reporting had not migrated"
check "a drifted account" "^│456789012345 billing *guardrails *v3.1 *v3.2 *1 "
check "its missing component" "^│ *network *missing *2.0.0 *1 "
check "the declared override" "held for the quarter-end data freeze"
t send-keys -t fd Enter
check "Enter opens the contract" "Contract ledger/EntryPosted · j k scroll"
check "its consumers" "reporting *not migrated"
check "every step" "contract ledger-writer .* taken"
t send-keys -t fd Escape
check "Esc goes back" "Accounts · 4 accounts · 2 drifted"
# The contracts (5), then the first account's first component.
t send-keys -t fd j j j j j
t send-keys -t fd Enter
check "Enter on an account opens it" "Account 456789012345 · j k scroll"
check "its components against the standard" "network *missing *latest 2.0.0 *1 behind since"
t send-keys -t fd Escape
t send-keys -t fd 2
check "the held lane on the Lanes screen" "^│auth-contract-1 .*blocked: contract"
# Failed and paused lanes are listed first: the filter finds the held one.
t send-keys -t fd / auth-contract Enter
check "the filter is on the Lanes title" "/auth-contract"
t send-keys -t fd Enter
check "its detail says why" "gate: blocked by contract auth/TokenClaims would remove the old path"
# q in a drill-down goes back; a second q quits.
t send-keys -t fd q
sleep 0.3
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

finish
