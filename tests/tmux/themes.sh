#!/usr/bin/env bash
# Themes and alert acknowledgements in the real terminal, read with
# `capture-pane -e` (the screen with its escape sequences):
# - NO_COLOR=1: no colour code anywhere, the selection and the active tab in
#   reverse video or bold, the legend saying what stands in for colour;
# - --theme light on a 256-colour terminal: the light selection from the
#   256-colour palette;
# - `a` in release-window mode saves the acknowledgement (a 0600 file in the
#   state directory) and a restart shows it acknowledged.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

# The SGR parameters of the screen, one per line (`1;7` gives 1 and 7).
sgr_params() { t capture-pane -e -p -t fd | grep -oE $'\e\\[[0-9;]*m' | tr -d $'\e[m' | tr ';' '\n'; }

env_vars="NO_COLOR=1"
start "--seed 7"
check "NO_COLOR: the Overview appears" "1 Overview"
colours=$(sgr_params | grep -xE '3[0-8]|4[0-8]|9[0-7]|10[0-7]' | sort -u | tr '\n' ' ')
if [[ -z $colours ]]; then ok "NO_COLOR: no colour codes on screen"; else bad "NO_COLOR: colour codes on screen: $colours"; fi
# The selected row (below the top bar and the header) carries reverse or bold.
marked=$(t capture-pane -e -p -t fd | sed -n '3,12p' | grep -cE $'\e\\[([0-9;]*;)?(7|1)(;[0-9;]*)?m')
if ((marked > 0)); then ok "NO_COLOR: the selection is marked by reverse or bold"; else bad "NO_COLOR: no reverse or bold row under the header"; fi
top=$(t capture-pane -e -p -t fd | sed -n 1p)
if grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m[^\e]* 1 Overview' <<<"$top"; then ok "NO_COLOR: the active tab is in reverse video"; else bad "NO_COLOR: the active tab is not reversed"; fi
check "NO_COLOR: the legend says what carries better and worse" "bold = better, underlined = worse"
t send-keys -t fd q
check "NO_COLOR: q quits" "FLIGHTDECK_EXIT=0"

env_vars=""
start "--seed 7 --theme light"
check "light: the Overview appears" "1 Overview"
if sgr_params | tr '\n' ' ' | grep -qE '(^| )48 5 153 '; then ok "light on 256 colours: the selection is palette colour 153"; else bad "light: no 256-colour selection background"; fi
t send-keys -t fd q
check "light: q quits" "FLIGHTDECK_EXIT=0"

acks="$state/flightdeck/acknowledged-alerts.tsv"
start "--seed 7"
check "alerts: the cockpit starts" "1 Overview"
t send-keys -t fd w
if wait_for "unacknowledged of [1-9]"; then
  open=$(t capture-pane -p -t fd | grep -oE '[0-9]+ unacknowledged' | head -1 | cut -d' ' -f1)
  t send-keys -t fd a
  check "a acknowledges the newest alert" "$((open - 1)) unacknowledged"
  sleep 0.5
  mode=$(stat -c %a "$acks" 2>/dev/null)
  if [[ $mode == 600 ]]; then ok "the acknowledgement is saved, mode 600"; else bad "acknowledgements file $acks: mode '$mode'"; fi
  # Alerts still unacknowledged: q asks first, q again quits.
  t send-keys -t fd q
  sleep 0.5
  if t capture-pane -p -t fd | grep -q "not acknowledged: q again quits"; then t send-keys -t fd q; fi
  check "alerts: q quits" "FLIGHTDECK_EXIT=0"
  start "--seed 7"
  check "alerts: the cockpit starts again" "1 Overview"
  t send-keys -t fd w
  check "after a restart the acknowledged alert stays acknowledged" "✓ ack"
  t send-keys -t fd q
else
  bad "the demo's feed holds no alert to acknowledge"
fi
finish
