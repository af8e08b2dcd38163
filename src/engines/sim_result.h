/* SPDX-License-Identifier: MIT */
/*
 * engines/sim_result.h - what a simulator run hands its renderers
 * (report/run.c: text, JSON, /proc files, map; report/plot.c: the
 * timeline PNG). The renderers read this and nothing of struct lab_sim.
 *
 *   lab_sim_result_get(sim)  ---->  struct lab_sim_result
 *     scenario   name, description, seed, machine, phases
 *     run        virtual time and event counts
 *     count      [order][gfp class][context]: requests, failures, verdicts
 *     samples    the time series (one row per sample interval)
 *     below_ns   time each zone spent under min/low/high
 *     daemons    kswapd, kcompactd; highatomic peak
 *     records    failure records (warn_alloc), the kernel log
 *     ff_*       the pageblocks and statistics at the first atomic failure
 *     final      lab_mem_stats read when the result was taken
 *     wl[]       each workload's counts and its type's wl_result
 *
 * Arrays that grow during a run (samples, records, log, the first-failure
 * snapshot) are pointers into the simulator, read-only, valid until its
 * next lab_sim_run or lab_sim_destroy; the rest is copied.
 */
#ifndef LAB_ENGINES_SIM_RESULT_H
#define LAB_ENGINES_SIM_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/sim.h>
#include "engines/wl_result.h"

#define SIM_NEVER UINT64_MAX
#define SIM_MAX_WORKLOADS 32
#define SIM_MAX_PHASES 16
#define SIM_NAME 32
#define SIM_LOG_LINE 256

/* GFP class = kind x zone modifier. */
enum sim_gfp_kind { GK_ATOMIC = 0, GK_NOWAIT, GK_KERNEL, GK_RECLAIMABLE, GK_MOVABLE, GK_NR };
enum sim_gfp_zmod { GZ_ANY = 0, GZ_DMA32, GZ_DMA, GZ_NR };
#define SIM_NR_CLASSES (GK_NR * GZ_NR)
#define SIM_NR_CTX 3    /* process, softirq, hardirq */

/* Why a failed request failed, judged on the zones it may use right after
 * the failure (the checks of __zone_watermark_ok for its alloc_flags). */
enum sim_verdict {
	V_BELOW_MIN = 0,        /* free pages at or under its (reduced) min watermark */
	V_LOWMEM_RESERVE,       /* only the lowmem_reserve protection stops it */
	V_FRAGMENTED,           /* enough free pages, no free block of the order */
	V_RESERVED,             /* a big enough block exists only in a list it may not use
				 * (HighAtomic, CMA, Isolate) */
	V_OTHER,
	V_NR
};

struct sim_count {
	uint64_t requests, failures;
	uint64_t verdict[V_NR];
};

struct sim_sample {
	uint64_t t_ns;
	uint64_t free, min, low, high;  /* main zone; marks include boost */
	uint64_t free_all;              /* all zones */
	uint64_t atomic_req, atomic_fail; /* in the interval */
	uint64_t kswapd_ns, kcompactd_ns; /* busy in the interval */
	int fragidx;                    /* main zone, at the highest atomic order */
	uint64_t highatomic;            /* pages reserved, all zones */
	unsigned phase;
};

/* "GFP_ATOMIC|GFP_DMA32", ... (account.c) */
const char *sim_class_name(int cls);
/* "below_min", ... (account.c) */
const char *sim_verdict_name(int v);

/* What kswapd or kcompactd did over the run. */
struct sim_daemon_result {
	uint64_t wakes, steps, busy_ns, pages;
	uint64_t stuck;                 /* kswapd gave up: nothing reclaimable */
};

/* One workload: its scenario entry, its allocations, its own counts. */
struct sim_wl_summary {
	const char *name;
	const char *type;               /* "nic-rx", "cardiac-monitor", ... */
	uint32_t phase_mask;            /* bit i: active in phase i */
	uint64_t req[LAB_MAX_ORDER], fail[LAB_MAX_ORDER];
	uint64_t pages_held, pages_held_max;
	struct wl_result r;
};

struct lab_sim_result {
	/* the scenario */
	const char *scenario;           /* lab_scenario_name */
	const char *description;        /* as its author wrapped it */
	uint64_t seed;
	uint64_t mem_bytes;
	unsigned nr_cpus;
	int kernel;                     /* enum lab_kernel of the instance (resolved) */
	int drain_before_failure;       /* Labyrinth's LAB_CFG_DRAIN_BEFORE_FAILURE was on */
	int background;                 /* the core's reclaim and compaction run (LAB_HAVE_BACKGROUND) */
	unsigned nr_phases;
	const char *phase_name[SIM_MAX_PHASES];
	uint64_t phase_start[SIM_MAX_PHASES + 1];  /* phase i: [start[i], start[i + 1]) */
	/* the run */
	uint64_t now;                   /* virtual ns */
	uint64_t events, queue_events, alloc_calls, free_calls, lru_calls, owner_callbacks;
	uint64_t nested_irqs, pcp_trylock_failed, pcp_deadlocks;
	/* allocations */
	struct sim_count count[LAB_MAX_ORDER][SIM_NR_CLASSES][SIM_NR_CTX];
	uint64_t atomic_requests, atomic_failures, requests, failures;
	uint64_t first_atomic_failure_ns;       /* SIM_NEVER: none */
	unsigned first_atomic_failure_phase;
	uint64_t deadline_misses;               /* cardiac */
	/* the time series */
	const struct sim_sample *samples;
	unsigned nr_samples;
	uint64_t sample_interval_ns;
	int main_zone;
	unsigned highest_atomic_order;          /* the fragmentation index's order */
	uint64_t below_ns[LAB_MAX_NR_ZONES][3]; /* time under min, low, high */
	/* daemons and the highatomic reserve */
	struct sim_daemon_result kswapd, kcompactd;
	uint64_t highatomic_max;
	/* failure records and the kernel log */
	const struct lab_alloc_failure *warn;
	unsigned nr_warn;
	uint64_t warn_total;
	const char (*log)[SIM_LOG_LINE];
	unsigned nr_log;
	uint64_t log_total, log_errors;
	/* the snapshot at the first failed atomic allocation (ff_blocks NULL: none) */
	const struct lab_pageblock_info *ff_blocks;
	size_t ff_nr_blocks;
	const struct lab_mem_stats *ff_stats;
	/* the end of the run */
	struct lab_mem *mem;                    /* the live instance (the map at the end) */
	struct lab_mem_stats *final;            /* read by lab_sim_result_get */
	/* workloads */
	unsigned nr_wl;
	struct sim_wl_summary wl[SIM_MAX_WORKLOADS];
};

/* @sim's result as it stands (after lab_sim_run); NULL when out of memory.
 * Free it with lab_sim_result_free before @sim runs again or is destroyed. */
struct lab_sim_result *lab_sim_result_get(struct lab_sim *sim);
void lab_sim_result_free(struct lab_sim_result *r);

#endif
