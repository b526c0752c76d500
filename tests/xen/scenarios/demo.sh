# SPDX-License-Identifier: Apache-2.0
# scripts/demo-xen's scenario: one guest with 2 vCPUs and 2 vifs under
# traffic, first with every netback IRQ forced onto CPU 0 (the layout
# irqfleet exists to fix), then as irqfleet plans and applies it.
P=/lab/policy/vif.toml
lab_guest web01 vcpus=2 vifs=2
lab_run report_start irqfleet-agent report
lab_vifs_on 0
lab_snapshot bad_start
lab_traffic web01 20
lab_snapshot bad_end
lab_traffic_bg web01 25
sleep 3
lab_run plan irqfleet-agent plan --policy $P --sample 10
lab_wait_traffic
# The agent measures the rates itself, 10 s before and 10 s after its writes,
# under the same traffic; the traffic outlasts both samples, a read of the
# host again (`xl list` can time out on the emulated dom0) and the writes.
lab_traffic_bg web01 75
sleep 3
lab_run apply irqfleet-agent apply --measure 10 /results/plan.out
lab_wait_traffic
lab_snapshot good_start
lab_traffic web01 20
lab_snapshot good_end
