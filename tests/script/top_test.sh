#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet-agent top as a person sees it: on a copy of the bundled dom0 whose
# /proc/interrupts a helper advances (IRQ 204 hot, IRQ 202 warm), the plain
# frames of --iterations list the hottest IRQ first with its identity and
# guest; under tmux the live screen shows the bars and the same order, and
# pressing q ends it with exit 0.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux (scripts/setup installs it)"; exit 77; }

cp -a "$fixture" "$tmp/root"
root=$tmp/root
"$PY" "$(dirname "$0")/advance_interrupts.py" "$root/proc/interrupts" 204:5000 202:800 &
advancer=$!
socket=$tmp/tmux.sock
trap 'kill "$advancer" 2>/dev/null || true; tmux -S "$socket" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
sleep 0.3

"$agent" top --help | grep -q -- "--iterations" || fail "top --help does not document --iterations"

# Scripts: plain frames, no escape sequences, hottest first.
"$agent" top --root "$root" --policy "$policy" --iterations 2 --interval 0.5 >"$tmp/frames" 2>"$tmp/err" \
  || fail "top --iterations exited $?: $(cat "$tmp/err")"
! grep -q $'\x1b' "$tmp/frames" || fail "plain frames carry escape sequences"
[ "$(grep -c '^irqfleet top ' "$tmp/frames")" = 2 ] || fail "not two frames: $(cat "$tmp/frames")"
# The rows after the last frame's header: hottest first.
awk '/^ *IRQ +RATE/{rows=""; on=1; next} on && NF{rows=rows $0 "\n"} END{printf "%s", rows}' "$tmp/frames" >"$tmp/rows"
first=$(sed -n 1p "$tmp/rows"); second=$(sed -n 2p "$tmp/rows")
[[ $first =~ ^\ *204\ .*vif/.*/0/q1/tx$ ]] || fail "the hottest IRQ (204) is not first: $(cat "$tmp/frames")"
[[ $second =~ ^\ *202\ .*vif/.*/0/q0/tx$ ]] || fail "IRQ 202 is not second: $(cat "$tmp/rows")"
[[ $first =~ xen-vif\ +yes ]] || fail "class or managed missing: $first"
grep -Eq '^ *0 \^x +\|#' "$tmp/frames" || fail "CPU 0 (marked ^, excluded x) shows no managed load: $(cat "$tmp/frames")"

# A person: tmux, the live screen, then q.
rm -f "$tmp/exit"
tmux -S "$socket" new-session -d -x 110 -y 40 \
  "'$agent' top --root '$root' --policy '$policy' --interval 0.5; echo \$? >'$tmp/exit'"
screen() { tmux -S "$socket" capture-pane -p >"$tmp/screen" 2>/dev/null || true; }
for _ in $(seq 100); do
  screen
  grep -q '^ *IRQ  *RATE' "$tmp/screen" && grep -q '^ *204 ' "$tmp/screen" && break
  sleep 0.1
done
grep -q '^irqfleet top .*q quits' "$tmp/screen" || fail "no live title on the screen: $(cat "$tmp/screen")"
row=$(awk '/^ *IRQ +RATE/{getline; print; exit}' "$tmp/screen")
[[ $row =~ ^\ *204\ .*vif/ ]] || fail "the first row on the screen is not IRQ 204: $(cat "$tmp/screen")"
grep -Eq '^ *3 +\|' "$tmp/screen" || fail "no bar for CPU 3: $(cat "$tmp/screen")"

tmux -S "$socket" send-keys q
for _ in $(seq 50); do [ -s "$tmp/exit" ] && break; sleep 0.1; done
[ -s "$tmp/exit" ] || fail "q did not end top: $(screen; cat "$tmp/screen")"
[ "$(cat "$tmp/exit")" = 0 ] || fail "top exited $(cat "$tmp/exit") after q"

# Without a terminal and without --once/--iterations: a clear error.
rc=0; "$agent" top --root "$root" </dev/null >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q -- "--once" "$tmp/err" || fail "top without a terminal: exit $rc, $(cat "$tmp/err")"
echo "ok: top shows the hottest IRQ first, under tmux too, and q quits"
