#!/usr/bin/env bash
# Moving around as a k9s or lazygit user would, on the demo:
# - `/pay` filters the Overview as it is typed; Esc clears it;
# - `o` cycles the sort to lead time (▲ in the header);
# - `:` jumps to an incident by its id, Enter follows it to its deployment's
#   lane, Esc twice walks back to the same row of the Incidents list;
# - a config's `[keys]` moves quit to `x`: `q` no longer quits, `x` does;
# - Ctrl-Z in a shell with job control and `fg` redraws a working cockpit.
# shellcheck source-path=SCRIPTDIR source=harness.bash
source "$(dirname "$0")/harness.bash" "$@"

start "--seed 7"
check "the Overview appears" "1 Overview"
t send-keys -t fd / p a y
check "/pay filters as it is typed: the title counts" "/pay 1 of 8"
if t capture-pane -p -t fd | grep -q "│billing"; then bad "billing is still listed under /pay"; else ok "teams without pay are hidden"; fi
t send-keys -t fd Enter
sleep 0.3
t send-keys -t fd Escape
check "Esc clears the filter" "│billing"
t send-keys -t fd o o o o
check "o four times sorts by lead time" "sorted by lead time ▲"
check "the header marks the sorted column" "LEAD TIME▲"

# The second incident row on the Incidents screen: its id and deployment.
t send-keys -t fd 3
check "Incidents" "STATE"
row=$(t capture-pane -p -t fd | grep -E '^│restored' | grep -v unattributed | head -1)
# The id and the deployment after it, wherever the columns before them end.
id=$(grep -o 'INC-[^ ]*' <<<"$row" | head -1)
dep=$(awk -v id="$id" '{for (i = 1; i < NF; i++) if ($i == id) print $(i + 1)}' <<<"$row")
if [[ $id == INC-* && -n $dep ]]; then ok "an attributed incident: $id from $dep"; else bad "no attributed incident row: '$row'"; fi
t send-keys -t fd 1
check "back on the Overview" "1 Overview"
t send-keys -t fd :
check ": opens the palette" ": .* choose · Enter goes"
t send-keys -t fd -l "$id"
t send-keys -t fd Enter
check ": jumps to the incident" "Incident $id"
t send-keys -t fd Enter
check "Enter follows it to its deployment's lane" "$dep"
check "the breadcrumb names the lane" "› $id › $dep"
# One at a time: two ESC bytes together read as Alt-Esc.
t send-keys -t fd Escape
check "Esc returns to the incident" "Incident $id ·"
t send-keys -t fd Escape
check "Esc again returns to the Incidents list" "Incidents · "
t send-keys -t fd y
check "the list's selected row is the incident (y copies it)" "copied $id"
t send-keys -t fd q
check "q quits" "FLIGHTDECK_EXIT=0"

# What a run leaves in the state directory comes back; --fresh starts clean.
start "--seed 7 --fresh"
check "persistence: the cockpit starts" "1 Overview"
t send-keys -t fd / p a y Enter
check "persistence: /pay" "/pay 1 of 8"
t send-keys -t fd ] 3
check "persistence: Incidents at 90 days" "90d window"
t send-keys -t fd q
check "persistence: q quits" "FLIGHTDECK_EXIT=0"
if [[ $(stat -c %a "$state/flightdeck/view.tsv" 2>/dev/null) == 600 ]]; then ok "the view is saved, mode 600"; else bad "no view.tsv (mode 600) in $state/flightdeck"; fi
start "--seed 7"
check "the next run opens on Incidents at 90 days" "Incidents · .* 90 days"
t send-keys -t fd 1
check "the Overview keeps its filter" "/pay 1 of 8"
t send-keys -t fd q
check "persistence: q quits again" "FLIGHTDECK_EXIT=0"
start "--seed 7 --fresh"
check "--fresh starts on the Overview" "30d window"
if t capture-pane -p -t fd | grep -q "/pay"; then bad "--fresh kept the filter"; else ok "--fresh has no filter"; fi
t send-keys -t fd q
check "--fresh: q quits" "FLIGHTDECK_EXIT=0"

printf '[keys]\nquit = "x"\n' >"$work/keys.toml"
start "--demo --seed 7 --config $work/keys.toml"
check "with quit on x the status bar says so" "x quit"
t send-keys -t fd q
sleep 0.5
if t capture-pane -p -t fd | grep -q "FLIGHTDECK_EXIT"; then bad "q still quits"; else ok "q no longer quits"; fi
t send-keys -t fd x
check "x quits with status 0" "FLIGHTDECK_EXIT=0"
state_after=$(t display -p -t fd '#{alternate_on} #{cursor_flag}')
if [[ $state_after == "0 1" ]]; then ok "terminal restored after x"; else bad "terminal state after x: $state_after"; fi

# Ctrl-Z and fg under job control (started without the trailing echo).
start "--version"
check "a shell with job control is ready" "FLIGHTDECK_EXIT=0"
t send-keys -t fd "clear; $(printf %q "$bin") --seed 7" Enter
check "the cockpit starts under job control" "1 Overview"
t send-keys -t fd C-z
check "Ctrl-Z stops it" "Stopped"
t send-keys -t fd "fg" Enter
check "fg redraws the cockpit" "1 Overview"
t send-keys -t fd Tab
check "Tab after fg goes to the next screen" "Lanes ·"
t send-keys -t fd q
sleep 0.5
t send-keys -t fd 'echo RESUMED_EXIT=$?' Enter
check "q after fg quits with status 0" "RESUMED_EXIT=0"
finish
