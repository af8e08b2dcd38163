/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_replay.h - throughput of the trace reader and the replay
 * engines (src/formats/ftrace.c, src/engines/replay_*.c).
 */
#ifndef LAB_BENCH_REPLAY_H
#define LAB_BENCH_REPLAY_H

#include <stdio.h>

/*
 * Prints to @out: text parsing in lines/s and MB/s (goal >= 2 M lines/s),
 * and replay of pre-parsed events in events/s for the shadow and what-if
 * engines, with and without their one-time seeding (goal >= 10 M events/s).
 * Uses tests/data/realkernel/atomic-pressure-256M when it can find it (in
 * the source tree the benchmark was built from, or under the working
 * directory), else a synthetic trace of 100k lines. Medians of 5
 * runs. Takes a few seconds.
 */
void lab_bench_replay(FILE *out);

#endif
