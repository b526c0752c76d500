# SPDX-License-Identifier: Apache-2.0
# The smallest scenario: one guest with 2 vCPUs and 2 vifs, traffic, truth,
# a recorded fake root.
lab_guest web01 vcpus=2 vifs=2
lab_snapshot before
lab_traffic web01 5
lab_snapshot after
lab_run xl_info xl info
lab_record
