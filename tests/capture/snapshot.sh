#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `labyrinth snapshot DIR`: the /proc files are saved byte for byte under
# the names formats/snapshot.c reads (checked on a fake root built from a
# realkernel run of tests/data, and on this machine's /proc), the vm.*
# sysctls as the key=value lines of that run; a bad situation (a folder in
# use, a missing or malformed /proc file, a full disk) is one line and exit
# 2 with nothing left behind. Run by ctest with LAB_CLI set.
set -uo pipefail
cli=${LAB_CLI:?LAB_CLI must name the labyrinth binary}
src=${LAB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
run=$src/tests/data/realkernel/fragment-256M
fail=0
tmp=$(mktemp -d)
cleanup() { mountpoint -q "$tmp/small" && umount "$tmp/small"; rm -rf "$tmp"; }
trap cleanup EXIT
bad() { echo "FAIL: $*"; fail=1; }

# a fake ROOT/proc and ROOT/sys from the run's "before" files
root=$tmp/root
mkdir -p "$root/proc/sys/vm" "$root/sys/kernel/mm/transparent_hugepage"
for k in zoneinfo buddyinfo pagetypeinfo meminfo vmstat; do cp "$run/$k.before" "$root/proc/$k"; done
while IFS='=' read -r k v; do printf '%s\n' "$v" > "$root/proc/sys/vm/$k"; done < "$run/vm_sysctl.before"
printf '256\t256\t32\t0\t0\n' > "$root/proc/sys/vm/lowmem_reserve_ratio"   # the kernel's tabs
echo "console=ttyS0 nokaslr" > "$root/proc/cmdline"
cp "$run/thp_enabled.txt" "$root/sys/kernel/mm/transparent_hugepage/enabled"

# 1. saved as they are, with the names replay reads
"$cli" snapshot "$tmp/s" --root "$root" > "$tmp/out" 2> "$tmp/err" || bad "snapshot of the fake root: exit $? ($(cat "$tmp/err"))"
for k in zoneinfo buddyinfo pagetypeinfo meminfo vmstat; do
	cmp -s "$run/$k.before" "$tmp/s/$k.before" || bad "$k.before is not /proc/$k byte for byte"
done
diff <(sort "$run/vm_sysctl.before") <(sort "$tmp/s/vm_sysctl.before") > "$tmp/d" ||
	bad "vm_sysctl.before differs from the run's: $(cat "$tmp/d")"
cmp -s "$root/proc/cmdline" "$tmp/s/cmdline.txt" || bad "cmdline.txt"
cmp -s "$run/thp_enabled.txt" "$tmp/s/thp_enabled.txt" || bad "thp_enabled.txt"
[ ! -e "$tmp/s/uname.txt" ] || bad "uname.txt written for a --root (it is this machine's uname)"
grep -q "zoneinfo.before" "$tmp/out" || bad "the files written are not listed: $(cat "$tmp/out")"

# --suffix NAME
"$cli" snapshot "$tmp/s2" --root "$root" --suffix peak > /dev/null 2>&1 && [ -s "$tmp/s2/buddyinfo.peak" ] ||
	bad "--suffix peak: no buddyinfo.peak"

# 2. this machine's own /proc
if [ -r /proc/zoneinfo ]; then
	"$cli" snapshot "$tmp/live" > /dev/null 2> "$tmp/err" || bad "snapshot of this machine: $(cat "$tmp/err")"
	for f in zoneinfo.before buddyinfo.before meminfo.before vmstat.before vm_sysctl.before uname.txt; do
		[ -s "$tmp/live/$f" ] || bad "live snapshot has no $f"
	done
	grep -q '^min_free_kbytes=[0-9]' "$tmp/live/vm_sysctl.before" || bad "live vm_sysctl.before has no min_free_kbytes"
	if [ "$(id -u)" = 0 ]; then
		[ -s "$tmp/live/pagetypeinfo.before" ] || bad "root, but no pagetypeinfo.before"
	fi
fi

# expect_fail WORD DIR ARGS...: exit 2, WORD in the one-line message, DIR as before
expect_fail() {
	local word=$1 dir=$2; shift 2
	local before rc
	before=$(ls -A "$dir" 2>/dev/null; echo "exists=$([ -e "$dir" ] && echo 1)")
	"$cli" snapshot "$dir" "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
	[ $rc -eq 2 ] || bad "snapshot $dir $*: exit $rc, want 2"
	grep -qF -- "$word" "$tmp/err" || bad "snapshot $dir $*: stderr '$(cat "$tmp/err")' should name '$word'"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || bad "snapshot $dir $*: more than one line: $(cat "$tmp/err")"
	[ "$(ls -A "$dir" 2>/dev/null; echo "exists=$([ -e "$dir" ] && echo 1)")" = "$before" ] ||
		bad "snapshot $dir $*: left something behind: $(ls -A "$dir")"
}

# 3. bad situations
mkdir "$tmp/used" && echo keep > "$tmp/used/notes"
expect_fail "not empty" "$tmp/used" --root "$root"
mkdir -p "$tmp/noroot/proc"
expect_fail "zoneinfo" "$tmp/new1" --root "$tmp/noroot"
cp -r "$root" "$tmp/badroot" && printf 'Node 0, zone   Normal\n  pages free     x\n' > "$tmp/badroot/proc/zoneinfo"
expect_fail "zoneinfo.before" "$tmp/new2" --root "$tmp/badroot"
cp -r "$root" "$tmp/nosys" && rm -rf "$tmp/nosys/proc/sys"
expect_fail "proc/sys/vm" "$tmp/new3" --root "$tmp/nosys"
expect_fail "--suffix" "$tmp/new4" --suffix a/b
# a full disk: a 16 KiB tmpfs (root only: mount)
mkdir "$tmp/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16k tmpfs "$tmp/small" 2>/dev/null; then
	expect_fail "No space left on device" "$tmp/small/s" --root "$root"
	[ -z "$(ls -A "$tmp/small")" ] || bad "full disk: $tmp/small not empty: $(ls -A "$tmp/small")"
	umount "$tmp/small"
else
	echo "note: not root or no tmpfs mount: the full-disk case is not run"
fi

[ $fail -eq 0 ] && echo "snapshot: files as /proc has them, sysctls as key=value, every bad case exit 2 and clean"
exit $fail
