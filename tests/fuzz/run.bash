#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/run.bash NAME BINARY SEED_DIR SECONDS [FLAG...] - one libFuzzer session for
# ctest: a fresh corpus directory corpus_NAME seeded from SEED_DIR, SECONDS of
# fuzzing, then one line with the throughput
#   NAME: RUNS runs in WALL s = RATE exec/s (CPU s CPU: RATE per CPU second)
# (the CPU figure tells a slow target from a busy machine). libFuzzer's own
# output goes to NAME.log; on a crash, a leak or a missing statistics line
# the log (without its progress lines) is printed and the exit status is
# non-zero. Extra libFuzzer flags: the target's own after SECONDS (from
# CMakeLists.txt), then LAB_FUZZ_FLAGS. (.bash, not .sh: every
# tests/*/*.sh is a test of its own.)
#
# -entropic_feature_frequency_threshold=4: libFuzzer's entropic scheduler
# keeps every feature seen fewer than 255 times (the default threshold) in
# a list it searches linearly for each feature of each run; with the
# allocator's ~20000 features that search took half of every run. Lowered,
# the list is trimmed to the 100 rarest as soon as they are seen 4 times.
set -u
name=$1 bin=$2 seeds=$3 secs=$4
shift 4
corpus=corpus_$name log=$name.log
rm -rf "$corpus" && mkdir -p "$corpus" || exit 1
if [ -d "$seeds" ]; then cp -r "$seeds"/. "$corpus"/ || exit 1; fi
TIMEFORMAT='%R %U %S'
# shellcheck disable=SC2086 # LAB_FUZZ_FLAGS is a list of flags
{ time UBSAN_OPTIONS=halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS} "$bin" \
	-max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	-entropic_feature_frequency_threshold=4 \
	"$@" ${LAB_FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1 ; } 2>"$name.time"
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
read -r wall user sys <"$name.time"
if [ "$rc" -ne 0 ] || [ -z "$runs" ]; then
	grep -v '^#[0-9]' "$log"
	echo "$name: FAILED (exit $rc) after ${runs:-?} runs in $wall s; log in $PWD/$log"
	exit $(( rc ? rc : 1 ))
fi
awk -v n="$name" -v r="$runs" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN {
	c = u + s
	printf "%s: %d runs in %.1f s = %d exec/s (%.1f s CPU: %d per CPU second)\n",
	       n, r, w, (w > 0 ? r / w : 0), c, (c > 0 ? r / c : 0) }'
