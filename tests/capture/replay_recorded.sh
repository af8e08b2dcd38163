#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `labyrinth replay` runs, in both modes, on what `labyrinth record` wrote
# inside Debian's 6.1 and 6.12 kernels (tests/data/record/), as it is: the
# trace is read whole with no event lost, the machine comes from the
# recording's zoneinfo.before, and shadow mode compares its model with both
# snapshots of the recording (before and after). Run by ctest, LAB_CLI set.
set -uo pipefail
cli=${LAB_CLI:?LAB_CLI must name the labyrinth binary}
src=${LAB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*"; fail=1; }
for d in "$src"/tests/data/record/*/; do
	d=${d%/}
	name=${d##*/}
	kver=$(awk '/^kernel:/ {print $2}' "$d/meta.txt")
	events=$(awk '/^trace_lines:/ {print $2}' "$d/meta.txt")
	for mode in what-if shadow; do
		extra=(); [ $mode = shadow ] && extra=(--shadow)
		"$cli" replay "$d/trace.txt.xz" --kernel "$kver" "${extra[@]}" > "$tmp/out" 2> "$tmp/err"
		rc=$?
		[ $rc -eq 0 ] || { bad "$name $mode: exit $rc: $(head -3 "$tmp/err")"; continue; }
		grep -qE "^  $events events, " "$tmp/out" || bad "$name $mode: not $events events: $(sed -n 2p "$tmp/out")"
		grep -q 'no events lost (entries-in-buffer == entries-written' "$tmp/out" ||
			bad "$name $mode: $(sed -n 3p "$tmp/out")"
		if [ $mode = shadow ]; then
			grep -q '^  before (event 0' "$tmp/out" && grep -q "^  after (event $events" "$tmp/out" ||
				bad "$name shadow: the model is not compared with both snapshots"
		else
			grep -q '^failures: kernel 0, replay 0' "$tmp/out" || bad "$name what-if: $(grep '^failures' "$tmp/out")"
		fi
	done
done
[ $fail -eq 0 ] && echo "replay_recorded: both recordings replay in both modes"
exit $fail
