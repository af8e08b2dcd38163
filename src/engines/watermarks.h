/* SPDX-License-Identifier: MIT */
/*
 * engines/watermarks.h - what Linux would set for given zone sizes and
 * sysctls (engines/watermarks.c; `labyrinth watermarks`).
 */
#ifndef LAB_ENGINES_WATERMARKS_H
#define LAB_ENGINES_WATERMARKS_H

#include <stdint.h>
#include <labyrinth/labyrinth.h>

struct lab_watermarks_query {
	uint64_t managed[LAB_MAX_NR_ZONES];     /* pages per zone; 0 = no such zone */
	int min_free_kbytes;                    /* 0 = the kernel's formula */
	int watermark_scale_factor;
	int lowmem_reserve_ratio[LAB_MAX_NR_ZONES];
	int set_lowmem_reserve_ratio;           /* else the kernel's default */
	unsigned nr_cpus;
};

/* Builds the instance (metadata only, no arena) and fills @out with its
 * statistics. NULL, or why the layout was refused (a static message). */
const char *lab_watermarks_compute(const struct lab_watermarks_query *q, struct lab_mem_stats *out);

#endif
