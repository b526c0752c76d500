#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Advances IRQ counts in a fake root's /proc/interrupts, as a busy host would.

    advance_interrupts.py PROC_INTERRUPTS IRQ:RATE [IRQ:RATE ...]

Every 0.1 s adds RATE/10 to the first CPU column of each IRQ's line and
replaces the file atomically (temp file + rename), until killed.
"""
import os
import re
import sys
import time

path = sys.argv[1]
rates = {irq: float(rate) for irq, rate in (arg.split(":") for arg in sys.argv[2:])}
line_re = re.compile(r"^(\s*)(\d+)(:\s+)(\d+)(.*)$")
while True:
    lines = open(path).read().split("\n")
    for i, line in enumerate(lines):
        m = line_re.match(line)
        if m and m.group(2) in rates:
            count = int(m.group(4)) + int(rates[m.group(2)] / 10)
            lines[i] = m.group(1) + m.group(2) + m.group(3) + str(count).rjust(len(m.group(4))) + m.group(5)
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines))
    os.rename(path + ".tmp", path)
    time.sleep(0.1)
