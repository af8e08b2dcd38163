#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `labyrinth record DIR` on this machine's real kernel: a recording around a
# command has the trace and the before/after snapshots replay reads (the
# trace and snapshot readers load them as they are); a signal ends it
# cleanly; and every bad situation (not root, tracefs not mounted, an event
# the kernel lacks, a full disk, lost events, a command that cannot run) is
# one line and exit 2, with no tracefs instance and no file left behind. The
# user's own tracing (the top-level buffer's switches) is not touched.
# Skipped (exit 77) without root or a writable tracefs. Run by ctest, LAB_CLI set.
set -uo pipefail
cli=${LAB_CLI:?LAB_CLI must name the labyrinth binary}
T=/sys/kernel/tracing
if [ "$(id -u)" != 0 ]; then echo "SKIP: record needs root"; exit 77; fi
if ! [ -w $T/instances ] || ! grep -q " $T tracefs " /proc/mounts; then
	echo "SKIP: no writable tracefs at $T"; exit 77
fi
fail=0
tmp=$(mktemp -d)
cleanup() { mountpoint -q "$tmp/small" && umount "$tmp/small"; rm -rf "$tmp"; }
trap cleanup EXIT
bad() { echo "FAIL: $*"; fail=1; }
# A record's instance is labyrinth-record-PID. One whose process is gone was
# left behind (by us: a record of ours has ended by the time we look); one
# whose process lives belongs to a record running beside this test (another
# build's ctest) and is none of our business.
ours() {
	local i
	for i in $(ls $T/instances | grep '^labyrinth-record-[0-9]*$'); do
		kill -0 "${i#labyrinth-record-}" 2>/dev/null || echo "$i"
	done
}
user_state() { cat $T/tracing_on $T/buffer_size_kb $T/set_event $T/trace_clock; ls $T/instances | grep -v '^labyrinth-record-'; }
running=$(ls $T/instances | grep '^labyrinth-record-' || true)
[ -z "$running" ] || echo "note: instances of other records: $running"
before_user=$(user_state)
before_ours=$(ours)

# 1. a recording around a command that allocates (dd's 16 MiB buffer); a large
#    buffer, as the whole machine is traced and ctest may run other tests beside
"$cli" record "$tmp/ok" --buffer-kb 65536 -- dd if=/dev/zero of=/dev/null bs=16M count=4 status=none 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || bad "record -- dd: exit $rc: $(cat "$tmp/err")"
for f in trace.txt zoneinfo.before buddyinfo.before pagetypeinfo.before vm_sysctl.before meminfo.before \
	 zoneinfo.after buddyinfo.after trace_stats.txt events_enabled.txt meta.txt uname.txt; do
	[ -s "$tmp/ok/$f" ] || bad "the recording has no $f"
done
grep -qE 'mm_page_alloc: page=[0-9a-f]+ pfn=0x[0-9a-f]+ order=[0-9]+ migratetype=[0-9]+ gfp_flags=' "$tmp/ok/trace.txt" ||
	bad "trace.txt has no mm_page_alloc event"
grep -q 'kmem:mm_page_alloc$' "$tmp/ok/events_enabled.txt" || bad "events_enabled.txt lacks kmem:mm_page_alloc"
grep -q '^lost_events: 0 ' "$tmp/ok/meta.txt" || bad "meta.txt: $(grep lost "$tmp/ok/meta.txt")"
grep -qE 'labyrinth record: .* [0-9]+ events, 0 lost' "$tmp/err" || bad "no progress/summary line: $(cat "$tmp/err")"
n=$(grep -c 'mm_page_alloc:' "$tmp/ok/trace.txt")
[ "$n" -ge 4096 ] || bad "only $n mm_page_alloc events for 16 MiB of dd buffer"
# replay's readers take it as it is (the trace and both snapshots)
if [ -x "${LAB_BUILD:-}/tests/capture_test_record_read" ]; then
	"$LAB_BUILD/tests/capture_test_record_read" "$tmp/ok" || bad "the readers refuse the recording"
fi
[ "$(ours)" = "$before_ours" ] || bad "an instance is left: $(ours)"

# recording PID DIR: waits until record PID's instance is tracing (up to 20 s).
# A new instance starts with tracing on; record switches it off, writes the
# snapshot and creates DIR/trace.txt, then switches it on: both are needed.
recording() {
	local i
	for i in $(seq 200); do
		[ -e "$2/trace.txt" ] && [ "$(cat $T/instances/labyrinth-record-$1/tracing_on 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
	done
	bad "record $1 did not start tracing in 20 s"
}

# 2. a signal ends a --duration recording early, cleanly (SIGINT and SIGTERM)
for sig in INT TERM; do
	"$cli" record "$tmp/sig$sig" --duration 60 --quiet --accept-lost 2> "$tmp/err" &
	pid=$!
	recording $pid "$tmp/sig$sig"
	kill -$sig $pid
	wait $pid; rc=$?
	[ $rc -eq 0 ] || bad "SIG$sig: exit $rc: $(cat "$tmp/err")"
	[ -s "$tmp/sig$sig/buddyinfo.after" ] || bad "SIG$sig: no snapshot after"
	[ "$(ours)" = "$before_ours" ] || bad "SIG$sig: an instance is left: $(ours)"
done
# a SIGTERM to record is passed on to COMMAND; it ends, and so does the recording
"$cli" record "$tmp/fwd" --quiet --accept-lost -- sleep 60 2> "$tmp/err" &
pid=$!
recording $pid "$tmp/fwd"
for _ in $(seq 100); do pgrep -P $pid -x sleep > /dev/null && break; sleep 0.1; done
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 1 ] || bad "SIGTERM with COMMAND: exit $rc (want 1: sleep was killed): $(cat "$tmp/err")"
grep -q '^command_exit: 143' "$tmp/fwd/meta.txt" || bad "SIGTERM with COMMAND: $(grep command_exit "$tmp/fwd/meta.txt")"
[ "$(ours)" = "$before_ours" ] || bad "SIGTERM with COMMAND: an instance is left: $(ours)"

# an instance left by a record that was killed (SIGKILL) is removed by the next one
mkdir $T/instances/labyrinth-record-4194301 2>/dev/null ||
	bad "cannot make a stale instance to test its removal"
"$cli" record "$tmp/stale" --duration 0.3 --accept-lost 2> "$tmp/err" || bad "record after a killed one: $(cat "$tmp/err")"
[ ! -e $T/instances/labyrinth-record-4194301 ] || { bad "the stale instance is still there"; rmdir $T/instances/labyrinth-record-4194301; }
grep -q 'left by a record that was killed' "$tmp/err" || bad "no note on the stale instance: $(cat "$tmp/err")"

# 3. a command that fails: recorded, exit 1
"$cli" record "$tmp/false" --quiet --accept-lost -- false 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] && [ -s "$tmp/false/trace_stats.txt" ] || bad "record -- false: exit $rc, want 1 and the files"

# expect_fail WORD DIR ARGS...: exit 2, one line naming WORD, DIR not created, no instance left
expect_fail() {
	local word=$1 dir=$2; shift 2
	local rc
	"$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
	[ $rc -eq 2 ] || bad "$*: exit $rc, want 2"
	grep -qF -- "$word" "$tmp/err" || bad "$*: stderr '$(cat "$tmp/err")' should name '$word'"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || bad "$*: not one line: $(cat "$tmp/err")"
	[ ! -e "$dir" ] || bad "$*: left $dir behind: $(ls -A "$dir")"
	[ "$(ours)" = "$before_ours" ] || bad "$*: an instance is left: $(ours)"
}

# 4. bad situations
if command -v setpriv > /dev/null; then
	expect_fail "needs root" "$tmp/nr" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$cli" record "$tmp/nr" --duration 1
fi
mkdir "$tmp/plain"
expect_fail "not a mounted tracefs" "$tmp/r1" "$cli" record "$tmp/r1" --tracefs "$tmp/plain" --duration 1
expect_fail "kmem:mm_no_such_event" "$tmp/r2" "$cli" record "$tmp/r2" --event kmem:mm_no_such_event --duration 1
expect_fail "cannot run" "$tmp/r3" "$cli" record "$tmp/r3" -- /nonexistent/command
# lost events: a 4 KiB buffer per CPU cannot hold dd's burst between two drains
expect_fail "lost" "$tmp/r4" "$cli" record "$tmp/r4" --buffer-kb 4 -- dd if=/dev/zero of=/dev/null bs=64M count=2 status=none
grep -qE 'lost [0-9]+ events \(overrun [0-9]+, commit overrun [0-9]+, dropped [0-9]+' "$tmp/err" ||
	bad "lost events: the counts are not in '$(cat "$tmp/err")'"
# ... unless they are accepted: kept, with the counts in meta.txt and the trace header
"$cli" record "$tmp/acc" --buffer-kb 4 --accept-lost --quiet -- dd if=/dev/zero of=/dev/null bs=64M count=2 status=none
rc=$?
[ $rc -eq 0 ] || bad "--accept-lost: exit $rc"
grep -qE '^lost_events: [1-9]' "$tmp/acc/meta.txt" || bad "--accept-lost: meta.txt $(grep lost "$tmp/acc/meta.txt")"
# a full disk: a 64 KiB tmpfs fills with the trace
mkdir "$tmp/small"
if mount -t tmpfs -o size=64k tmpfs "$tmp/small"; then
	expect_fail "No space left on device" "$tmp/small/r" "$cli" record "$tmp/small/r" --buffer-kb 1024 -- \
		dd if=/dev/zero of=/dev/null bs=16M count=4 status=none
	[ -z "$(ls -A "$tmp/small")" ] || bad "full disk: left $(ls -A "$tmp/small")"
	umount "$tmp/small"
fi
mkdir "$tmp/used" && touch "$tmp/used/x"
"$cli" record "$tmp/used" --duration 1 > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'not empty' "$tmp/err" && [ -e "$tmp/used/x" ] || bad "a folder in use: exit $rc, $(cat "$tmp/err")"
"$cli" record "$tmp/both" --duration 1 -- true > /dev/null 2>&1; [ $? -eq 2 ] || bad "--duration with COMMAND accepted"

[ "$(user_state)" = "$before_user" ] || bad "the top-level tracing state changed: $before_user -> $(user_state)"
[ $fail -eq 0 ] && echo "record: recorded, signals clean, every bad case exit 2 with nothing left"
exit $fail
