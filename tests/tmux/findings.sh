#!/usr/bin/env bash
# Drives the real binary in tmux at 120x40 on the demo organisation: opens the
# Findings screen with 4, checks the posture tables and the list, filters with
# `/`, opens a finding with Enter and checks its detail, returns with Esc and
# quits with q, checking exit status 0.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

start "--seed 7"
check "the Overview appears" "1 Overview"
check "the Overview has the AUDIT column" "OPEN AUDIT"
t send-keys -t fd 4
check "4 opens the Findings screen" "Posture by team"
check "posture by account is shown" "Posture by account"
check "the posture table has its columns" "PAST SLA OLDEST CRIT"
check "a team row is listed" "│payments "
check "the findings list is shown" "SEV  STATUS AGE / SLA"
# The demo's history arrives shortly after start: wait for a non-zero count.
check "the summary counts open findings" "^ [1-9][0-9]* open "
screen=$(t capture-pane -p -t fd)
open_total=$(echo "$screen" | sed -n 2p | awk '{print $1}')
if [[ $open_total =~ ^[0-9]+$ ]] && ((open_total > 0)); then ok "the summary counts $open_total open findings"; else bad "summary open count: '$open_total'"; fi
# Team open counts add up to the summary's total.
sum=$(echo "$screen" | awk '/Posture by team/{on=1; next} on && /^└/{exit} on && /^│[a-z]/{gsub("│",""); s+=$2} END{print s+0}')
if [[ $sum == "$open_total" ]]; then ok "team open counts add up to $open_total"; else bad "team open counts add up to $sum, summary says $open_total"; fi

t send-keys -t fd /
check "/ opens the filter prompt" "filter / "
t send-keys -t fd "high fw:pci" Enter
check "the filter is applied" "filter: high fw:pci"
rows=$(t capture-pane -p -t fd | awk '/SEV  STATUS/{on=1; next} on && /^└/{exit} on && /^│ *│$/{next} on && /^│/{print}')
if [[ -n $rows ]] && ! echo "$rows" | grep -qv "│HIGH"; then ok "only high findings are listed"; else bad "rows after 'high fw:pci': $rows"; fi
if echo "$rows" | grep -q "PCI"; then ok "the listed findings are PCI DSS ones"; else bad "no PCI framework in: $rows"; fi

t send-keys -t fd Enter
check "Enter opens a finding" "Finding F-"
check "the detail shows the resource" " resource      arn:aws:"
check "the detail shows the controls" "PCI DSS 3.2.1 · 3.4"
check "the detail shows age vs SLA" "SLA"
check "the detail shows the remediation URL" " url           https://"
t send-keys -t fd Escape
check "Esc returns to the list" "Posture by team"
t send-keys -t fd q
check "q quits with status 0" "FLIGHTDECK_EXIT=0"

finish
