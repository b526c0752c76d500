# SPDX-License-Identifier: Apache-2.0
# The scenario the real-Xen tests check (tests/script/xen_*_test.sh): two
# guests, the agent's report, a plan on light load, a plan on sampled
# traffic applied and verified under traffic, rollback, a guest restart
# between plan and apply, a guest destroyed between plan and apply, the
# controller applying over SSH from the host, and a recorded fake root. Each
# step records the hypervisor's truth around it.
P=/lab/policy/vif.toml
lab_guest web01 vcpus=2 vifs=2

# What is there: the agent's report beside dom0's own view.
lab_snapshot report
lab_run report irqfleet-agent report --format json
lab_run xl_info xl info
lab_run xl_vcpu_list xl vcpu-list Domain-0
lab_record

# Light load: a fresh guest, counts since boot only.
lab_run plan_light irqfleet-agent plan --policy $P --afresh

lab_guest db01 vcpus=3 vifs=1 disk=64

# Busy: several flows on every vif; the plan weighs sampled rates.
lab_traffic_bg web01 45
lab_traffic_bg db01 45
sleep 5
lab_run plan_busy irqfleet-agent plan --policy $P --afresh --sample 10
lab_wait_traffic
lab_snapshot apply1_before
lab_run apply1 irqfleet-agent apply --format json /results/plan_busy.out
lab_snapshot apply1_after
lab_traffic_bg web01 15
lab_traffic_bg db01 15
lab_wait_traffic
lab_snapshot traffic_after

# Rollback restores what apply1 changed.
lab_run rollback irqfleet-agent rollback --format json
lab_snapshot rollback_after

# Restart: the plan is applied, web01 comes back with a new domid and new
# IRQ numbers, and the same plan applies to them by identity.
lab_run apply2 irqfleet-agent apply --format json /results/plan_busy.out
lab_snapshot restart_before
lab_restart web01
lab_snapshot restart_created
lab_run apply3 irqfleet-agent apply --format json /results/plan_busy.out
lab_snapshot restart_applied
lab_traffic web01 10
lab_snapshot restart_traffic

# Gone: a plan (kept close to the applied one), then db01 is destroyed.
lab_run plan_gone irqfleet-agent plan --policy $P
lab_destroy db01
lab_snapshot gone_before
lab_run apply_gone irqfleet-agent apply --format json /results/plan_gone.out
lab_snapshot gone_after

# The controller over SSH: web01's netback IRQs all on CPU 0 (the layout
# irqfleet exists to fix), then the host runs `irqfleet apply` against this
# dom0 (lab_controller; vif.toml is tests/xen/policy's).
lab_vifs_on 0
lab_snapshot controller_before
lab_controller controller apply --policy vif.toml
lab_snapshot controller_after
