#!/usr/bin/env bash
# Runs a command in a throw-away cgroup-v2 Linux guest (qemu, software emulation) and exits with
# its exit code. The guest sees this machine's files read-only (its node, libraries, tools) and
# the checkout read-write at the same path, mounts cgroup2 alone at /sys/fs/cgroup (cpu, memory
# and the rest on the unified hierarchy), and has no network. It starts, runs and powers off
# by itself; nothing of it survives.
#
# Usage: tools/guest/run.sh [--user] [--timeout 600] -- <shell command run in the checkout>
#   --user   run the command as uid 1000 in a cgroup delegated to it, as systemd's Delegate=yes
#            does (the folder and its cgroup.procs, cgroup.subtree_control, cgroup.threads
#            chowned to the user), instead of as root in the root cgroup
#
# Needs (npm run tools installs them where missing): qemu-system-x86_64, a Debian kernel with the
# 9p modules (linux-image-amd64; the cloud kernel has none), busybox-static.
set -euo pipefail
cd "$(dirname "$0")/../.."
checkout=$(pwd)

as_user=0
timeout=600
while [ $# -gt 0 ]; do
  case "$1" in
    --user) as_user=1; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: tools/guest/run.sh [--user] [--timeout S] -- <command>" >&2; exit 64; }
command="$*"

qemu=$(command -v qemu-system-x86_64 || true)
busybox=$(command -v busybox || true)
kernel=""
for candidate in /boot/vmlinuz-*; do
  version=${candidate#/boot/vmlinuz-}
  if [ -e "/lib/modules/$version/kernel/fs/9p/9p.ko" ] || [ -e "/lib/modules/$version/kernel/fs/9p/9p.ko.xz" ]; then
    kernel=$candidate
  fi
done
missing=()
[ -n "$qemu" ] || missing+=(qemu-system-x86)
[ -n "$kernel" ] || missing+=(linux-image-amd64)
# The initramfs has no libraries: busybox must be the static one (busybox-static).
static() {
  local out
  [ -x "$1" ] || return 1
  out=$(LC_ALL=C ldd "$1" 2>&1 || true)
  [[ $out == *"not a dynamic executable"* ]]
}
if ! static "$busybox"; then
  if static /bin/busybox; then busybox=/bin/busybox; else missing+=(busybox-static); fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "guest: missing ${missing[*]}: run 'npm run tools', or: sudo apt-get install -y ${missing[*]}" >&2
  exit 69
fi
version=${kernel#/boot/vmlinuz-}

work=$(mktemp -d -t laas-guest-XXXXXX)
qemu_pid=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The initramfs: busybox, the virtio and 9p modules (dependencies first), the init script.
root=$work/initramfs
mkdir -p "$root"/{bin,dev,proc,sys,host,modules}
cp "$busybox" "$root/bin/busybox"
for applet in sh mount umount mkdir insmod chroot poweroff sleep cat echo ip; do ln -s busybox "$root/bin/$applet"; done
declare -A seen=()
order=()
add_module() {
  local name=$1 dep
  [ -n "${seen[$name]:-}" ] && return
  seen[$name]=1
  for dep in $(modinfo -k "$version" -F depends "$name" | tr ',' ' '); do add_module "$dep"; done
  order+=("$name")
}
for module in virtio_pci 9pnet_virtio 9p; do add_module "$module"; done
for module in "${order[@]}"; do
  path=$(modinfo -k "$version" -n "$module")
  case "$path" in
    *.xz) xz -dc "$path" > "$root/modules/$module.ko" ;;
    *) cp "$path" "$root/modules/$module.ko" ;;
  esac
done
printf '%s\n' "$command" > "$root/command"
cat > "$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${order[*]}; do insmod /modules/\$m.ko || echo "guest: insmod \$m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /host
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 checkout /host$checkout
for d in tmp run var/tmp; do mount -t tmpfs tmpfs /host/\$d; done
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/shm && mount -t tmpfs tmpfs /host/dev/shm
# Loopback only (the local system's servers talk over 127.0.0.1); no other interface exists.
ip link set lo up
mount -t cgroup2 -o nsdelegate cgroup2 /host/sys/fs/cgroup
cp /command /host/tmp/command
chroot /host /bin/sh -c '
  export HOME=/tmp/home PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LAAS_GUEST=1
  mkdir -p \$HOME && cd $checkout
  echo "guest: \$(uname -r), cgroup2 controllers: \$(cat /sys/fs/cgroup/cgroup.controllers)"
  if [ $as_user = 1 ]; then
    # What systemd does for a unit with Delegate=yes: the folder and three files owned by the user.
    echo "+cpu +memory" > /sys/fs/cgroup/cgroup.subtree_control
    mkdir /sys/fs/cgroup/user-1000
    chown 1000:1000 /sys/fs/cgroup/user-1000 /sys/fs/cgroup/user-1000/cgroup.procs \
      /sys/fs/cgroup/user-1000/cgroup.subtree_control /sys/fs/cgroup/user-1000/cgroup.threads
    echo \$\$ > /sys/fs/cgroup/user-1000/cgroup.procs
    mkdir -p /tmp/u1000 && chown 1000:1000 /tmp/u1000
    HOME=/tmp/u1000 setpriv --reuid 1000 --regid 1000 --clear-groups /bin/sh /tmp/command
  else
    /bin/sh /tmp/command
  fi
  echo "guest: exit \$?"
'
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"

# Software emulation (-accel tcg): nested KVM is not available on every host; -cpu max gives the
# guest the instruction sets the host's node binary expects.
log=$work/console.log
"$qemu" -accel tcg -cpu max -smp 1 -m 2048 -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd "$work/initramfs.gz" \
  -append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$checkout,mount_tag=checkout,security_model=none,multidevs=remap" \
  < /dev/null > "$log" 2>&1 &
qemu_pid=$!
tail -n +1 -f "$log" --pid "$qemu_pid" &
tail_pid=$!
waited=0
while kill -0 "$qemu_pid" 2>/dev/null; do
  if [ "$waited" -ge "$timeout" ]; then
    echo "guest: no power-off after ${timeout}s: stopping it" >&2
    kill "$qemu_pid"
    break
  fi
  sleep 1
  waited=$((waited + 1))
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=""
wait "$tail_pid" 2>/dev/null || true
code=$(sed -n 's/^guest: exit \([0-9]*\).*/\1/p' "$log" | tail -1)
echo "guest: ${waited}s from start to power-off" >&2
exit "${code:-70}"
