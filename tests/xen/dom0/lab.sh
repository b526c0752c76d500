# SPDX-License-Identifier: Apache-2.0
# The scenario library, sourced by dom0's /init. A scenario (/lab/scenario.sh)
# is a shell script that calls these functions; everything it records goes
# under /results, which lab_main writes to the results disk at the end.
#
#   lab_guest NAME [vcpus=N] [vifs=N] [disk=MiB] [memory=MiB]
#                              create a PV guest and wait until every vif answers;
#                              the scenario stops (exit 1) when it never does
#   lab_destroy NAME           xl destroy
#   lab_restart NAME           xl destroy + xl create of the same config
#   lab_traffic NAME SECONDS [FLOWS]     UDP flows to every vif of NAME (echoed back)
#   lab_traffic_bg NAME SECONDS [FLOWS]  the same in the background (lab_wait_traffic)
#   lab_vifs_on CPU            every netback IRQ's affinity set to CPU (the layout
#                              irqfleet exists to fix)
#   lab_snapshot TAG           the hypervisor's truth now: /proc/interrupts, every
#                              IRQ's affinity files, xl list/info/vcpu-list, xenstore
#   lab_run TAG CMD...         run CMD (time-limited); stdout, stderr, exit status
#                              into /results/TAG.{out,err,rc}
#   lab_record                 a fake root of this dom0 (tests/FAKE_ROOT.md) in
#                              /results/record/root
#   lab_controller TAG ARGS... the host runs `irqfleet --json ARGS` against this
#                              dom0 over SSH (scripts/xen-lab); its stdout,
#                              stderr and exit status land in /results/TAG.{out,err,rc}
# Every wait is bounded; a step that times out is recorded, not fatal.
# Every line of progress starts with dom0's uptime in seconds.

LAB_STEP_TIMEOUT=${LAB_STEP_TIMEOUT:-300}
# This dom0 runs on emulated CPUs beside netback floods: its xl commands have
# taken over 10 s (the agent's default limit) twice in a row under traffic,
# and a plan sampling 10 s took 49 s, 69 s beside a sanitizer build and a benchmark.
export IRQFLEET_COMMAND_TIMEOUT=${IRQFLEET_COMMAND_TIMEOUT:-120}
LAB_HOST_TIMEOUT=${LAB_HOST_TIMEOUT:-240}
lab_log() {
  line="$(cut -d' ' -f1 /proc/uptime) lab: $*"
  echo "$line" >/dev/console; echo "$line" >>/results/lab.log
}

# The index of a guest: its vifs use 10.<index>.<devid>.0/24, dom0 .1, guest .2.
lab_index() {
  [ -f "/run/lab/$1.index" ] || {
    n=$(ls /run/lab/*.index 2>/dev/null | wc -l)
    echo $((n + 1)) >"/run/lab/$1.index"
  }
  cat "/run/lab/$1.index"
}

lab_guest() {
  name=$1; shift
  vcpus=1; vifs=1; disk=0; memory=128
  for kv in "$@"; do
    case $kv in
      vcpus=*) vcpus=${kv#vcpus=} ;;
      vifs=*) vifs=${kv#vifs=} ;;
      disk=*) disk=${kv#disk=} ;;
      memory=*) memory=${kv#memory=} ;;
      *) lab_log "lab_guest $name: unknown setting $kv"; return 1 ;;
    esac
  done
  index=$(lab_index "$name")
  vif_list=""; ips=""
  j=0
  while [ $j -lt "$vifs" ]; do
    mac=$(printf '00:16:3e:%02x:%02x:02' "$index" "$j")
    vif_list="$vif_list${vif_list:+, }'mac=$mac,ip=10.$index.$j.1,script=/etc/xen/scripts/vif-lab'"
    ips="$ips${ips:+,}10.$index.$j.2"
    j=$((j + 1))
  done
  disk_list=""
  if [ "$disk" -gt 0 ]; then
    mkdir -p /run/lab/disks
    dd if=/dev/zero of="/run/lab/disks/$name.img" bs=1M count=0 seek="$disk" 2>/dev/null
    disk_list="'format=raw,vdev=xvda,access=rw,backendtype=phy,script=/etc/xen/scripts/block-lab,target=/run/lab/disks/$name.img'"
  fi
  cat >"/run/lab/$name.cfg" <<CFG
name = "$name"
type = "pv"
kernel = "/lab/guest/vmlinuz"
ramdisk = "/lab/guest/initrd.gz"
extra = "console=hvc0 rdinit=/init quiet lab.ips=$ips"
memory = $memory
vcpus = $vcpus
vif = [ $vif_list ]
disk = [ $disk_list ]
on_crash = "destroy"
CFG
  echo "$vifs" >"/run/lab/$name.vifs"
  # Every later step needs the guest: without it the scenario stops (exit 1).
  lab_create "$name" || { lab_log "guest $name did not come up: the scenario stops"; exit 1; }
}

# xl create, tried 3 times: libxl gives a new backend 10 s to come up,
# which emulated CPUs on a busy machine do not always make.
lab_create() {
  for attempt in 1 2 3; do
    lab_log "xl create $1 (attempt $attempt)"
    log=/results/$1.create.$attempt.log
    if timeout -s KILL 300 xl -vv create "/run/lab/$1.cfg" >"$log" 2>&1; then
      lab_wait_guest "$1"
      return
    fi
    lab_log "xl create $1 failed:"; tail -n 8 "$log" | tee -a /results/lab.log >/dev/console
    timeout -s KILL 60 xl destroy "$1" 2>/dev/null
    sleep 5
  done
  return 1
}

# Waits (at most about 10 minutes) until the guest echoes a datagram on every vif.
lab_wait_guest() {
  index=$(lab_index "$1"); vifs=$(cat "/run/lab/$1.vifs")
  j=0
  while [ $j -lt "$vifs" ]; do
    t=0
    until labnet flood "10.$index.$j.2" 7777 1 0.5 >/dev/null 2>&1; do
      t=$((t + 1))
      [ $t -lt 400 ] || { lab_log "guest $1 vif $j never answered"; return 1; }
      sleep 1
    done
    j=$((j + 1))
  done
  lab_log "guest $1 (domid $(xl domid "$1")) answers on $vifs vif(s)"
}

lab_destroy() { lab_log "xl destroy $1"; timeout -s KILL 60 xl destroy "$1"; }

lab_restart() {
  lab_destroy "$1" || return 1
  lab_create "$1"
}

lab_traffic() {
  lab_log "traffic to $1 for $2 s"
  index=$(lab_index "$1"); vifs=$(cat "/run/lab/$1.vifs")
  j=0
  while [ $j -lt "$vifs" ]; do
    labnet flood "10.$index.$j.2" 7777 "${3:-8}" "$2" >>/results/traffic.log 2>&1 &
    j=$((j + 1))
  done
  wait
}

lab_traffic_bg() { lab_traffic "$@" & echo $! >>/run/lab/traffic.pids; }
lab_wait_traffic() {
  for p in $(cat /run/lab/traffic.pids 2>/dev/null); do wait "$p"; done
  rm -f /run/lab/traffic.pids
}

lab_vifs_on() {
  lab_log "every netback IRQ on CPU $1"
  for irq in $(grep -E ' vif[0-9]+\.[0-9]+' /proc/interrupts | cut -d: -f1); do
    echo "$1" >"/proc/irq/$irq/smp_affinity_list"
  done
}

lab_snapshot() {
  lab_log "snapshot $1"
  d=/results/$1
  mkdir -p "$d"
  cat /proc/interrupts >"$d/interrupts"
  date +%s >"$d/time"   # when the counts were read; the rest takes seconds here
  # read, not $(cat): no process per file (a fork takes a while on
  # emulated CPUs, and dom0 has dozens of IRQs).
  for f in /proc/irq/[0-9]*; do
    n=${f#/proc/irq/} a="" e=""
    read -r a 2>/dev/null <"$f/smp_affinity_list"
    read -r e 2>/dev/null <"$f/effective_affinity_list"
    echo "$n $a $e"
  done >"$d/affinity"
  timeout 30 xl list >"$d/xl_list" 2>&1
  timeout 30 xenstore-ls -f /local/domain >"$d/xenstore" 2>&1
}

lab_run() {
  tag=$1; shift
  lab_log "step $tag: $*"
  timeout "$LAB_STEP_TIMEOUT" "$@" >"/results/$tag.out" 2>"/results/$tag.err"
  echo $? >"/results/$tag.rc"
}

# The host watches the serial log for "lab: host step TAG: irqfleet ARGS
# (waiting for the host)" (whole: the end shows the line is complete),
# runs the controller (with this dom0 as its one host), then copies
# TAG.{out,err,rc} into /results over SSH and creates /run/lab/TAG.done.
lab_controller() {
  tag=$1; shift
  rm -f "/run/lab/$tag.done"
  lab_log "host step $tag: irqfleet $* (waiting for the host)"
  t=0
  until [ -f "/run/lab/$tag.done" ]; do
    t=$((t + 1))
    [ $t -le "$LAB_HOST_TIMEOUT" ] || { lab_log "host step $tag: no answer from the host in $LAB_HOST_TIMEOUT s"; return 1; }
    sleep 1
  done
  lab_log "host step $tag: done, irqfleet exited $(cat "/results/$tag.rc" 2>/dev/null)"
}

# lab_copy_line FILE DEST: a one-line procfs or sysfs file copied without a
# process (a fork takes a while on emulated CPUs; dom0 has hundreds of these
# files), byte for byte as cat copies a line ending in a newline; an empty
# or unreadable FILE gives an empty DEST.
lab_copy_line() {
  [ -f "$1" ] || return 0
  v=""
  if IFS= read -r v 2>/dev/null <"$1" || [ -n "$v" ]; then printf '%s\n' "$v" >"$2"; else : >"$2"; fi
}

lab_record() {
  lab_log "record"
  r=/results/record/root
  mkdir -p "$r/proc/sys/kernel/random" "$r/proc/xen" "$r/commands"
  cat /proc/interrupts >"$r/proc/interrupts"
  cat /proc/xen/capabilities >"$r/proc/xen/capabilities"
  for f in hostname osrelease random/boot_id; do cat "/proc/sys/kernel/$f" >"$r/proc/sys/kernel/$f"; done
  dirs=""
  for f in /proc/irq/[0-9]* /sys/kernel/irq/[0-9]*; do dirs="$dirs $r$f"; done
  mkdir -p $dirs
  for f in /proc/irq/[0-9]*; do
    for g in smp_affinity_list effective_affinity_list smp_affinity effective_affinity node; do
      lab_copy_line "$f/$g" "$r$f/$g"
    done
  done
  for f in /sys/kernel/irq/[0-9]*; do
    for g in chip_name hwirq actions type per_cpu_count name wakeup; do
      lab_copy_line "$f/$g" "$r$f/$g"
    done
  done
  c=/sys/devices/system/cpu
  mkdir -p "$r$c"
  for f in online possible offline isolated present; do [ -f "$c/$f" ] && cat "$c/$f" >"$r$c/$f"; done
  for d in $c/cpu[0-9]*; do
    mkdir -p "$r$d/topology"
    for g in physical_package_id core_id thread_siblings_list; do
      [ -f "$d/topology/$g" ] && cat "$d/topology/$g" >"$r$d/topology/$g"
    done
  done
  for d in /sys/devices/system/node/node[0-9]*; do
    [ -d "$d" ] && mkdir -p "$r$d" && cat "$d/cpulist" >"$r$d/cpulist"
  done
  p=/sys/module/xen_netback/parameters
  mkdir -p "$r$p"
  for f in $p/*; do cat "$f" >"$r$f"; done
  xl info >"$r/commands/xl_info"
  xl vcpu-list Domain-0 >"$r/commands/xl_vcpu-list_Domain-0"
  xl list >"$r/commands/xl_list"
  xenstore-ls -f /local/domain >"$r/commands/xenstore-ls_-f__local_domain"
}

lab_main() {
  # The host reads the uptime: it keeps QEMU running until this deadline
  # (plus the time to write the results), however long the boot took.
  lab_log "scenario start at uptime $(cut -d. -f1 /proc/uptime) s"
  echo started >/results/status
  # The scenario gets until lab.deadline (seconds since boot, from the
  # host's --timeout) so that even a stuck one brings its results back.
  deadline=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^lab\.deadline=//p')
  ( . /lab/scenario.sh ) >/results/scenario.log 2>&1 &
  pid=$!
  while kill -0 $pid 2>/dev/null; do
    if [ -n "$deadline" ] && [ "$(cut -d. -f1 /proc/uptime)" -ge "$deadline" ]; then
      lab_log "scenario still running at the deadline ($deadline s after boot): stopping every process"
      kill -9 -1   # from PID 1: every process but this shell
      break
    fi
    sleep 2
  done
  wait $pid
  echo "scenario exited $?" >/results/status
  lab_log "$(cat /results/status)"
  timeout 20 xl list >/results/xl_list.final 2>&1
  cp /run/dropbear.log /results/ 2>/dev/null
  dmesg >/results/dmesg 2>&1
  (cd /results && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum >SHA256SUMS)
  if [ -b /dev/vda ]; then
    tar -c -C /results -f /dev/vda . && sync && lab_log "results written to the results disk"
  else
    lab_log "no results disk (/dev/vda)"
  fi
  lab_log "powering off"
  poweroff -f
}
