#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# irqfleet-agent metrics against the real consumers: the text passes
# `promtool check metrics`, Debian's node_exporter (on 127.0.0.1, textfile
# collector only) serves the irqfleet series from the file --out wrote, the
# last apply's outcomes appear after an apply, and the example alert rules
# pass `promtool check rules` and their `promtool test rules` unit test.
set -euo pipefail

source "$(dirname "$0")/agent_lib.sh"
exporter=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -n "$exporter" ] || { echo "SKIP: no prometheus-node-exporter (scripts/setup installs it)"; exit 77; }
command -v promtool >/dev/null || { echo "SKIP: no promtool (Debian package prometheus)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }

cp -a "$fixture" "$tmp/root"
root=$tmp/root
textfiles=$tmp/textfile
mkdir "$textfiles"
# Interrupts arrive: IRQ 202 (a vif queue, on CPU 0 until the apply) at ~800/s.
"$PY" "$(dirname "$0")/advance_interrupts.py" "$root/proc/interrupts" 202:800 &
advancer=$!
trap 'kill "$advancer" 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$agent" metrics --help | grep -q -- "--out" || fail "metrics --help does not document --out"

# Standard output, then promtool's linter.
"$agent" metrics --root "$root" --policy "$policy" --sample 0.2 >"$tmp/stdout.prom" || fail "metrics exited $?"
promtool check metrics <"$tmp/stdout.prom" >"$tmp/lint" 2>&1 || fail "promtool check metrics: $(cat "$tmp/lint")"
grep -q '^irqfleet_managed_irqs [1-9]' "$tmp/stdout.prom" || fail "no managed IRQs counted: $(cat "$tmp/stdout.prom")"
grep -q '^irqfleet_last_plan_present 0$' "$tmp/stdout.prom" || fail "a plan is reported before any apply"
! grep -q '^irqfleet_last_apply' "$tmp/stdout.prom" || fail "a last apply is reported before any apply"

# --out replaces the file atomically and leaves no temp file behind.
"$agent" metrics --root "$root" --policy "$policy" --sample 0.2 --out "$textfiles/irqfleet.prom" || fail "metrics --out exited $?"
[ -s "$textfiles/irqfleet.prom" ] || fail "--out wrote nothing"
[ ! -e "$textfiles/irqfleet.prom.tmp" ] || fail "--out left its temp file"
rc=0; "$agent" metrics --root "$root" --sample 0.1 --out "$tmp/missing/dir/x.prom" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "an unwritable --out exited $rc, not 1"
grep -q "missing/dir/x.prom: cannot open its directory $tmp/missing/dir: ENOENT" "$tmp/err" || fail "the error does not name the file: $(cat "$tmp/err")"

# A free port on loopback, then node_exporter with only the textfile collector.
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$exporter" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.textfile \
  --collector.textfile.directory="$textfiles" >"$tmp/exporter.log" 2>&1 &
exporter_pid=$!
trap 'kill "$exporter_pid" "$advancer" 2>/dev/null || true; rm -rf "$tmp"' EXIT
scrape() { curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/scrape"; }
for _ in $(seq 50); do scrape && break; sleep 0.1; done
scrape || fail "node_exporter does not answer on 127.0.0.1:$port: $(cat "$tmp/exporter.log")"

grep -q '^node_textfile_scrape_error 0$' "$tmp/scrape" || fail "node_exporter could not read the file: $(grep textfile "$tmp/scrape")"
for series in 'irqfleet_cpu_interrupts_per_second{cpu="0",irqs="managed"}' 'irqfleet_imbalance_ratio ' \
              'irqfleet_cpu0_managed_share_ratio ' 'irqfleet_managed_irqs ' 'irqfleet_irqs ' 'irqfleet_info{'; do
  grep -qF "$series" "$tmp/scrape" || fail "node_exporter does not serve $series"
done
grep -q '^irqfleet_info{.*policy_hash="pol1-[0-9a-f]\{16\}".*version="[0-9.]*"} 1$' "$tmp/scrape" \
  || fail "info metric without policy hash or version: $(grep irqfleet_info "$tmp/scrape")"
# On the fixture every vif is on CPU 0: all of the managed load is there.
grep -q '^irqfleet_cpu_interrupts_per_second{cpu="0",irqs="managed"} [1-9]' "$tmp/scrape" \
  || fail "no managed rate on CPU 0: $(grep per_second "$tmp/scrape")"
grep -q '^irqfleet_cpu0_managed_share_ratio 1$' "$tmp/scrape" || fail "CPU 0 share: $(grep cpu0 "$tmp/scrape")"

# After an apply: drift 0, the apply's outcomes and time, served by the exporter.
"$agent" plan --root "$root" --policy "$policy" >"$tmp/plan.toml"
rc=0; "$agent" apply --root "$root" --policy "$policy" "$tmp/plan.toml" >"$tmp/apply.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "apply exited $rc: $(cat "$tmp/apply.out")"
"$agent" metrics --root "$root" --policy "$policy" --sample 0.2 --out "$textfiles/irqfleet.prom"
scrape || fail "second scrape failed"
grep -q '^irqfleet_last_plan_present 1$' "$tmp/scrape" || fail "no plan after the apply"
grep -q '^irqfleet_drifted_irqs 0$' "$tmp/scrape" || fail "drift after a clean apply: $(grep drift "$tmp/scrape")"
grep -q '^irqfleet_last_apply_irqs{action="apply",outcome="applied"} [1-9]' "$tmp/scrape" \
  || fail "no applied count: $(grep last_apply "$tmp/scrape")"
now=$(date +%s)
# node_exporter prints it as a float (1.796224941e+09).
stamp=$(awk '/^irqfleet_last_apply_timestamp_seconds /{printf "%d", $2}' "$tmp/scrape")
[ -n "$stamp" ] && [ $((now - stamp)) -ge 0 ] && [ $((now - stamp)) -lt 600 ] || fail "last apply time '$stamp' is not now"
promtool check metrics <"$textfiles/irqfleet.prom" >"$tmp/lint" 2>&1 || fail "promtool after apply: $(cat "$tmp/lint")"

# Move one managed IRQ by hand: it drifts.
irq=$(awk -F' = ' '/^irq = /{print $2; exit}' "$tmp/plan.toml")
echo 0 >"$root/proc/irq/$irq/smp_affinity_list"
target=$(awk -F' = ' '/^cpus = /{gsub(/"/,"",$2); print $2; exit}' "$tmp/plan.toml")
if [ "$target" != 0 ]; then
  "$agent" metrics --root "$root" --policy "$policy" --sample 0.1 --out "$textfiles/irqfleet.prom"
  scrape
  grep -q '^irqfleet_drifted_irqs 1$' "$tmp/scrape" || fail "a moved IRQ is not drift: $(grep drift "$tmp/scrape")"
fi

# The example alert rules.
promtool check rules "$source_dir/docs/prometheus/irqfleet-alerts.yml" >"$tmp/rules" 2>&1 || fail "$(cat "$tmp/rules")"
(cd "$source_dir/tests/fixtures/prometheus" && promtool test rules alerts_test.yml) >"$tmp/rules" 2>&1 \
  || fail "alert rule unit test: $(cat "$tmp/rules")"
echo "ok: metrics served by node_exporter on 127.0.0.1:$port, promtool clean"
