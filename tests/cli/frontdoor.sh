#!/usr/bin/env bash
# The labyrinth command's front doors answer as documented: every
# subcommand has --help (exit 0), an unknown command or option exits 2 with
# a message, and the quick demo, watermarks and diagnose produce their real
# output (a failure report, the host's zoneinfo numbers, a verdict, a
# simulation).
set -euo pipefail
lab=${LAB_CLI:?}
data=${LAB_SOURCE_DIR:?}/tests/data
fail() { echo "FAIL: $*"; exit 1; }
for c in run sweep map demo diagnose replay gfp top watermarks; do
  "$lab" "$c" --help >/dev/null || fail "$c --help"
done
"$lab" --help | grep -q "^  run " || fail "top-level help lists run"
set +e
"$lab" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command must exit 2"
"$lab" demo --mem 7 >/dev/null 2>/tmp/lab_fd_err.$$; rc=$?
set -e
[ $rc -eq 2 ] || fail "demo --mem 7 must exit 2 (got $rc)"
grep -q -- "--mem '7'" /tmp/lab_fd_err.$$ || fail "demo names the bad value"
rm -f /tmp/lab_fd_err.$$
out=$("$lab" demo --mem 64 --quiet)
echo "$out" | grep -q "page allocation failure: order:3, mode:0x40820(GFP_ATOMIC|__GFP_COMP)" || fail "demo shows a warn_alloc line (6.12's GFP_ATOMIC)"
echo "$out" | grep -q "^Mem-Info:" || fail "demo shows Mem-Info"
echo "$out" | grep -q "context: softirq" || fail "demo's storm runs in softirq context"
# the sample host of the reference vectors: F1-F3 and G1
wm=$("$lab" watermarks --zone DMA:3840 --zone DMA32:772808 --zone Normal:786432 --min-free-kbytes 67584 --cpus 2)
echo "$wm" | grep -A1 "zone    DMA32" | grep -q "min      8353" || fail "watermarks DMA32 min"
echo "$wm" | grep -q "protection: (0, 3018, 6090, 6090, 6090)" || fail "watermarks DMA protection"
d=$("$lab" diagnose "$data/dmesg/011-x86_64-kvm-3.8rc2-cat-virtio_net-order0-atomic.txt")
echo "$d" | grep -q "LOW_MEMORY" || fail "diagnose verdict"
s=$("$lab" diagnose --simulate "$data/dmesg/006-arm64-android-5.4-system_server-order0-atomic.txt")
echo "$s" | grep -q "FAILS the same way" || fail "diagnose --simulate re-runs the failure"
echo "$s" | grep -q "served when min_free_kbytes <= " || fail "diagnose --simulate finds the tunable"
s=$("$lab" diagnose --simulate --json "$data/dmesg/009-arm64-android-4.19-binder-order0-atomic-highatomic.txt")
echo "$s" | grep -q '"failed": false' || fail "diagnose --simulate --json: 009 served on 6.1"
echo "frontdoor: ok"
