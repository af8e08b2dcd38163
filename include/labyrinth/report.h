/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/report.h - Linux's text formats (and a JSON form) of the
 * allocator's statistics and failure records.
 *
 * Input is plain data (struct lab_mem_stats, struct lab_alloc_failure from
 * labyrinth/stats.h), so these work equally on a live instance's snapshot,
 * on a simulator's and on numbers read back from a real kernel's files.
 * Output is byte-for-byte what Linux 6.1 writes for the same numbers, for
 * the lines Labyrinth has data for; docs/formats.md lists what is exact and
 * which lines are left out (and why). Page size: LAB_PAGE_SIZE (4 KiB).
 *
 * Not freestanding: this is the host side (stdio, jansson). Nothing here
 * allocates except the JSON builders (the caller json_decref()s the result).
 * Every function tolerates any numbers (no division by an unchecked value).
 */
#ifndef LABYRINTH_REPORT_H
#define LABYRINTH_REPORT_H

#include <stdio.h>
#include <jansson.h>
#include <labyrinth/gfp.h>
#include <labyrinth/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel whose layout a report follows: Linux 6.1's is the one
 * implemented (later kernels add zoneinfo's high_min/high_max lines). */
enum lab_report_kernel { LAB_REPORT_6_1 = 0 };

/* /proc/buddyinfo (frag_show): one line per populated zone. */
void lab_report_buddyinfo(FILE *out, const struct lab_mem_stats *s);

/* /proc/pagetypeinfo (pagetypeinfo_show): free counts per (zone, type,
 * order) capped at ">100000", then pageblocks per type. The CMA row and
 * column appear only when s->cma_enabled (a kernel without CONFIG_CMA has
 * none); Isolate always. */
void lab_report_pagetypeinfo(FILE *out, const struct lab_mem_stats *s);

/* /proc/zoneinfo (zoneinfo_show_print), 6.1 layout, node 0, all five zones
 * populated or not. Lines Labyrinth has no data for (per-node stats, LRU
 * and NUMA zone stats) are left out rather than printed as zeros, so the
 * output is a subsequence of a real 6.1 file's lines. */
void lab_report_zoneinfo(FILE *out, const struct lab_mem_stats *s);

/* /proc/vmstat (vmstat_show): nr_free_pages, nr_free_cma, then the events
 * whose bit is set in s->events_valid, by Linux name in Linux order.
 * Labyrinth's own counters (LAB_EV_*) are never printed here. */
void lab_report_vmstat(FILE *out, const struct lab_mem_stats *s);

/* debugfs extfrag/extfrag_index and extfrag/unusable_index: one line per
 * populated zone, orders 0..10, "%2d.%03d " / "%d.%03d " with C's
 * truncating division (so -1000 prints "-1.000" and -500 " 0.-500"). */
void lab_report_extfrag_index(FILE *out, const struct lab_mem_stats *s);
void lab_report_unusable_index(FILE *out, const struct lab_mem_stats *s);

/* lab_report_warn_alloc_header() flags */
#define LAB_REPORT_CPUSET 0x1u  /* append ",cpuset=/,mems_allowed=0" (CONFIG_CPUSETS, as Debian) */

/*
 * The first line of Linux warn_alloc():
 *   "<comm>: page allocation failure: order:%u, mode:%#x(%pGg), nodemask=(null)"
 * with the gfp string of @era (lab_gfp_format). LAB_GFP_ERA_3_X prints
 * "mode:%#x" with no names and no nodemask, as 2.6/3.x kernels did.
 */
void lab_report_warn_alloc_header(FILE *out, const struct lab_alloc_failure *f,
				  enum lab_gfp_era era, unsigned flags);

/*
 * Linux show_mem() as warn_alloc calls it: "Mem-Info:", the global block,
 * the node line, per populated zone <= @max_zone_idx the zone line and
 * "lowmem_reserve[]:", then the free-area lines ("Node 0 DMA: 1*4kB (U) ...
 * = 4kB"), then "pages RAM" / "HighMem/MovableOnly" / "reserved" (and
 * "cma reserved" when s->cma_enabled). Counters Labyrinth does not keep
 * (LRU, slab, page tables, ...) print 0: the block's layout is fixed and
 * readers index it by position.
 */
void lab_report_show_mem(FILE *out, const struct lab_mem_stats *s, int max_zone_idx);

/*
 * The whole warn_alloc block for @f: the header line (without cpuset), one
 * line of Labyrinth's own ("labyrinth: context: softirq, failure #3 at
 * 1.000000000s"; Labyrinth has no stack to dump, so it says so instead of
 * imitating dump_stack), then lab_report_show_mem(f->highest_zoneidx).
 */
void lab_report_warn_alloc(FILE *out, const struct lab_alloc_failure *f, enum lab_gfp_era era);

/* "pgalloc_dma", ... for Linux events; Labyrinth's own names ("alloc_fail",
 * ...) for LAB_EV_*; NULL when out of range. */
const char *lab_vm_event_name(enum lab_vm_event ev);
/* True (1) for the events /proc/vmstat has (not LAB_EV_*). */
int lab_vm_event_is_linux(enum lab_vm_event ev);
/* "process", "softirq", "hardirq", "nmi"; "?" when out of range. */
const char *lab_context_name(enum lab_context ctx);

/*
 * JSON forms (schema: docs/json-schema.md). New references; NULL only when
 * jansson cannot allocate. Keys are Linux's names in snake_case.
 */
json_t *lab_report_stats_json(const struct lab_mem_stats *s);
json_t *lab_report_failure_json(const struct lab_alloc_failure *f);

#ifdef __cplusplus
}
#endif
#endif
