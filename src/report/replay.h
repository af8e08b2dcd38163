/* SPDX-License-Identifier: MIT */
/*
 * report/replay.h - `labyrinth replay`'s output (report/replay.c): the
 * trace header, then the shadow or the what-if replay's results
 * (engines/replay.h), as text and as JSON objects.
 */
#ifndef LAB_REPORT_REPLAY_H
#define LAB_REPORT_REPLAY_H

#include <stdio.h>
#include <jansson.h>
#include "engines/replay.h"

/* The trace: its format, events, CPUs, time span, losses (trace_stats.txt
 * when @have_ts) and the events by type. */
void lab_report_replay_trace(FILE *out, const char *path, const struct lab_ftrace *t,
			     const struct lab_trace_stats *ts, int have_ts);
/* Which kernel's rules the replay applies and where the traced kernel was
 * read; with another kernel's rules, what the answer means. */
void lab_report_replay_kernel(FILE *out, const struct lab_replay_kernel *k, int shadow);
json_t *lab_report_replay_kernel_json(const struct lab_replay_kernel *k);
json_t *lab_report_replay_trace_json(const char *path, const struct lab_ftrace *t,
				     const struct lab_trace_stats *ts, int have_ts);

/* The state at trace start, then the shadow model against every snapshot
 * and what it could not explain (@b: zoneinfo.before). */
void lab_report_replay_shadow(FILE *out, const struct lab_ftrace *t, const struct lab_replay_opts *o,
			      const struct lab_shadow_result *r, const struct lab_snapshot *b);
json_t *lab_report_replay_shadow_json(const struct lab_replay_opts *o, const struct lab_shadow_result *r);

/* The state at trace start, the instance's settings and watermarks next to
 * the kernel's, the demand, failures next to the kernel's, fragmentation
 * over time and at each snapshot (@b: zoneinfo.before). */
void lab_report_replay_whatif(FILE *out, const struct lab_ftrace *t, const struct lab_replay_opts *o,
			      const struct lab_whatif_result *r, const struct lab_snapshot *b);
json_t *lab_report_replay_whatif_json(const struct lab_ftrace *t, const struct lab_replay_opts *o,
				      const struct lab_whatif_result *r);

#endif
