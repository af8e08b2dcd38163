/* SPDX-License-Identifier: MIT */
/*
 * engines/replay.h - replaying a real kernel's page-allocator trace
 * (engines/replay_*.c).
 *
 * Two engines over one parsed trace (formats/ftrace.h) and the /proc
 * snapshots taken next to it (formats/snapshot.h):
 *
 *  * what-if (lab_replay_whatif): the trace's *demand* - every
 *    mm_page_alloc (order, gfp, context, task) and every mm_page_free,
 *    matched to its allocation by pfn - drives a real Labyrinth instance
 *    configured like the traced machine (zone spans, managed pages,
 *    tunables, CPUs), which makes its own placement decisions. Changing a
 *    tunable (min_free_kbytes, ...) answers "would this have prevented our
 *    failure?" with the same demand.
 *
 *  * shadow (lab_replay_shadow): the kernel's own *decisions* - pfns and
 *    orders taken from the buddy lists (mm_page_alloc_zone_locked), moved to
 *    and from the per-CPU lists (percpu_refill, mm_page_pcpu_drain), freed,
 *    stolen (mm_page_alloc_extfrag), isolated by compaction - applied to a
 *    model of the zones, which reconstructs the free lists, pcp contents and
 *    pageblock types over time and is compared with the kernel's buddyinfo /
 *    pagetypeinfo / zoneinfo at every snapshot.
 *
 * Both start from the same reconstruction of the moment tracing began
 * (lab_replay_seed): pages whose first traced event shows them free, on a
 * pcp list or allocated are placed so; the remaining free blocks of
 * buddyinfo.before are placed in pages the trace never touches. docs/replay.md
 * states the assumptions and their effect.
 *
 * Host side (malloc, stdio). Results are plain data for the CLI, JSON and
 * tests. Cost: O(events) after an O(pages * MAX_ORDER) seeding.
 */
#ifndef LAB_SIM_REPLAY_H
#define LAB_SIM_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/labyrinth.h>
#include "formats/ftrace.h"
#include "formats/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LAB_REPLAY_MAX_SNAPS 16
#define LAB_REPLAY_MAX_FAILKEYS 64

/* A snapshot to compare with, and where in the trace it was taken. */
struct lab_replay_snap {
	const struct lab_snapshot *snap;
	size_t at_event;                /* state after events [0, at_event) */
	uint64_t ts_ns;
};

/* Tunables to apply in what-if mode; -1 (or nr == 0) = as traced. */
struct lab_replay_settings {
	int min_free_kbytes;
	int watermark_scale_factor;
	int watermark_boost_factor;
	int highatomic_reserve;          /* 0/1 */
	int percpu_pagelist_high_fraction;
	int lowmem_reserve_ratio[LAB_MAX_NR_ZONES];
	int nr_lowmem_reserve_ratio;
};

/* lab_replay_opts.pretrace_frees */
enum lab_replay_pretrace {
	LAB_REPLAY_PRETRACE_SKIP = 0,   /* count and skip (default) */
	LAB_REPLAY_PRETRACE_RELEASE     /* free our seeded page at the same pfn */
};

struct lab_replay_opts {
	const struct lab_snapshot *before;  /* required: the machine at trace start */
	struct lab_replay_snap snaps[LAB_REPLAY_MAX_SNAPS]; /* compare points (optional) */
	unsigned nr_snaps;
	struct lab_replay_settings set;
	enum lab_replay_pretrace pretrace_frees;
	unsigned nr_samples;            /* timeline points; 0 = 40 */
	int kernel_has_cma;             /* trace migratetype 4 = CMA (else Isolate) */
	enum lab_kernel kernel;         /* whose rules: the shadow model's event semantics and the
					 * what-if instance's profile (0 = LAB_KERNEL_DEFAULT_PROFILE) */
};

/* ---- the seed: the state at trace start ---------------------------------- */

/* Per-pfn initial states (lab_replay_seed.init) */
enum {
	LAB_SEED_UNTOUCHED = 0,         /* never in the trace: allocated, reserved or a placed free block */
	LAB_SEED_FREE,                  /* first event took it from the buddy lists */
	LAB_SEED_PCP,                   /* first event took it from / drained it off a pcp list */
	LAB_SEED_ALLOC,                 /* first event freed it */
	LAB_SEED_PLACED                 /* untouched, placed as part of a free block of buddyinfo.before */
};

struct lab_replay_seed {
	uint64_t base_pfn, end_pfn;     /* span of all zones */
	uint8_t *init;                  /* [end - base]: LAB_SEED_* */
	uint8_t *init_cpu;              /* [end - base]: CPU of the revealing event (PCP) */
	uint8_t *pb_mt;                 /* initial pageblock types (lab migratetypes) */
	uint8_t *pb_known;              /* 1 = type seen in the trace, 2 = seen on a 6.1 free list only
					 * (weak), 0 = filled from counts */
	size_t nr_pb;
	unsigned pageblock_order;
	/* initial free blocks, in pfn order */
	struct lab_seed_block { uint64_t pfn; uint8_t order, mt, zone, placed; } *blocks;
	size_t nr_blocks;
	/* accounting per zone */
	uint64_t revealed_free[LAB_MAX_NR_ZONES];   /* pages */
	uint64_t revealed_pcp[LAB_MAX_NR_ZONES];
	uint64_t revealed_alloc[LAB_MAX_NR_ZONES];
	uint64_t placed_free[LAB_MAX_NR_ZONES];     /* untouched pages placed as free */
	uint64_t unplaced_blocks[LAB_MAX_NR_ZONES][LAB_MAX_ORDER]; /* buddyinfo.before blocks with no room */
	uint64_t extra_free[LAB_MAX_NR_ZONES];      /* revealed free pages outside the snapshot's blocks */
	uint64_t events_outside_zones;              /* pfns outside every zone */
	/* replay order: events with equal timestamps on different CPUs are
	 * put in an order the page states allow (the trace clock does not
	 * separate them; tracefs then lists them CPU by CPU) */
	uint32_t *order;                            /* [nr events] original indices */
	uint64_t reordered;                         /* events not at their file position */
	uint64_t tie_groups;                        /* multi-CPU groups of equal timestamps */
};

/* ---- shadow results ------------------------------------------------------- */

enum lab_shadow_fix {
	LAB_FIX_TAKE_NOT_FREE = 0,      /* zone_locked on a page the model holds allocated */
	LAB_FIX_PCP_BYPASS,             /* zone_locked on a page the model holds on a pcp list:
					 * its free went straight to the buddy lists */
	LAB_FIX_ALLOC_FROM_BUDDY,       /* mm_page_alloc of a page the model holds free in buddy
					 * (compaction capture, or a lost zone_locked) */
	LAB_FIX_ALLOC_NOT_PCP,          /* mm_page_alloc of a page the model holds allocated */
	LAB_FIX_FREE_NOT_ALLOCATED,     /* mm_page_free of a page the model holds free / on pcp */
	LAB_FIX_DRAIN_NOT_PCP,          /* mm_page_pcpu_drain of a page not on a pcp list */
	LAB_FIX_EXTFRAG_NOT_FREE,       /* extfrag block not free in the model */
	LAB_FIX_ISOLATE_SHORT,          /* compaction took more free pages than the model has in range */
	LAB_FIX_OUTSIDE_ZONES,          /* pfn in no zone */
	LAB_FIX_HIGHATOMIC_INFERRED,    /* a pageblock became / stopped being HighAtomic (untraced) */
	LAB_FIX_BULK_INFERRED,          /* an order-0 page freed off a pcp list: alloc_pages_bulk took it
					 * (it hands pcp pages out with no mm_page_alloc event) */
	LAB_NR_FIX
};

struct lab_shadow_zone_state {
	uint64_t nr_free[LAB_MAX_ORDER];
	uint64_t nr_free_mt[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];
	uint64_t free_pages;
	uint64_t pcp_pages;
	uint64_t pcp_cpu[LAB_MAX_CPUS];
	uint64_t blocks_mt[LAB_MIGRATE_TYPES];
};

struct lab_shadow_point {
	size_t at_event;
	uint64_t ts_ns;
	struct lab_shadow_zone_state zone[LAB_MAX_NR_ZONES];
};

struct lab_shadow_result {
	struct lab_replay_seed seed;
	uint64_t applied[LAB_FT_NR_TYPES];
	uint64_t fixes[LAB_NR_FIX];
	uint64_t fixes_in_compaction[LAB_NR_FIX]; /* of which between compaction begin/end */
	uint32_t first_fix_line[LAB_NR_FIX];
	uint64_t isolated_by_compaction;          /* pages taken by the free scanner */
	struct lab_shadow_point *snaps;           /* one per opts.snaps, same order */
	unsigned nr_snaps;
	struct lab_shadow_point *timeline;
	unsigned nr_timeline;
	struct lab_shadow_point final;
	int populated[LAB_MAX_NR_ZONES];
};

/* ---- what-if results ------------------------------------------------------- */

/* Outcomes per (order, gfp, context) of mm_page_alloc demand. */
struct lab_replay_failkey {
	unsigned order;
	lab_gfp_t gfp;
	enum lab_context ctx;
	uint64_t requests;
	uint64_t kernel_fail, replay_fail;
	uint64_t both_fail, only_kernel_fail, only_replay_fail;
	uint64_t first_replay_fail_line, first_kernel_fail_line;
};

struct lab_whatif_sample {
	size_t at_event;
	uint64_t ts_ns;
	uint64_t free[LAB_MAX_NR_ZONES];
	uint64_t min[LAB_MAX_NR_ZONES];         /* min watermark incl. boost */
	uint64_t nr_free[LAB_MAX_NR_ZONES][LAB_MAX_ORDER];
	uint64_t replay_fail, kernel_fail;      /* cumulative */
};

struct lab_whatif_result {
	struct lab_replay_seed seed;
	struct lab_tunables tunables;           /* in effect */
	uint64_t wmark[LAB_MAX_NR_ZONES][3];    /* ours: min low high (without boost) */
	uint64_t kernel_wmark[LAB_MAX_NR_ZONES][3]; /* zoneinfo.before, boost removed */
	int64_t protection[LAB_MAX_NR_ZONES][LAB_MAX_NR_ZONES], kernel_protection[LAB_MAX_NR_ZONES][LAB_MAX_NR_ZONES];
	int populated[LAB_MAX_NR_ZONES];
	int kernel_watermarks;                  /* 1: zones use zoneinfo.before's marks as traced */
	uint64_t seeded_free[LAB_MAX_NR_ZONES], kernel_free_before[LAB_MAX_NR_ZONES];
	/* demand */
	uint64_t allocs, kernel_fail, replay_fail;
	uint64_t frees, frees_batched_ignored;
	uint64_t frees_pretrace, frees_pretrace_pages, frees_pretrace_released;
	uint64_t frees_of_replay_failures;      /* kernel freed what we failed to allocate */
	uint64_t frees_partial;                 /* frees of part of an allocation */
	uint64_t phantom_allocs, phantom_pages; /* we succeeded where the kernel failed: held to the end */
	uint64_t realloc_without_free;          /* pfn allocated again without a free */
	uint64_t bad_frees;                     /* refused by our allocator (a bug if non-zero) */
	/* first failures */
	size_t first_replay_fail_event, first_kernel_fail_event;  /* SIZE_MAX = none */
	struct lab_replay_failkey keys[LAB_REPLAY_MAX_FAILKEYS];
	unsigned nr_keys;
	uint64_t keys_overflow;
	/* behaviour next to the kernel's */
	uint64_t kswapd_wakeups;                /* our wake requests (every slow-path entry that may wake it) */
	uint64_t kswapd_boost_clears;           /* zone boosts cleared at the kernel's kswapd sleeps */
	uint64_t kernel_kswapd_wakeups;         /* mm_vmscan_wakeup_kswapd: only when kswapd was asleep */
	uint64_t extfrag, kernel_extfrag;
	uint64_t warn_reports;                  /* failure records (rate limited, !NOWARN) */
	struct lab_alloc_failure first_warn;    /* valid when warn_reports > 0 */
	uint64_t log_lines;
	/* fragmentation over time */
	struct lab_whatif_sample *timeline;
	unsigned nr_timeline;
	/* our state at each compare point and at the end */
	struct lab_mem_stats *snap_stats;       /* [nr_snaps] */
	unsigned nr_snaps;
	struct lab_mem_stats final;
	/* the instance, kept alive for maps (freed by lab_whatif_result_free) */
	struct lab_mem *mem;
	void *priv;
};

/*
 * Builds the initial state from @t and @o->before (see the top comment).
 * Returns 0 or LAB_EINVAL (message in @err) when the snapshot lacks zoneinfo.
 * Cost: one pass over the events plus O(pages * MAX_ORDER).
 */
int lab_replay_seed(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		    struct lab_replay_seed *seed, char *err, size_t errsz);
void lab_replay_seed_free(struct lab_replay_seed *seed);

/* Shadow replay. 0 or LAB_EINVAL/LAB_ENOMEM (message in @err). */
int lab_replay_shadow(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		      struct lab_shadow_result *r, char *err, size_t errsz);
void lab_shadow_result_free(struct lab_shadow_result *r);

/* What-if replay. 0 or LAB_EINVAL/LAB_ENOMEM (message in @err). */
int lab_replay_whatif(const struct lab_ftrace *t, const struct lab_replay_opts *o,
		      struct lab_whatif_result *r, char *err, size_t errsz);
void lab_whatif_result_free(struct lab_whatif_result *r);

/* Fills @o->snaps from the trace's "HARNESS snapshot NAME begin" markers
 * and the snapshots in @snaps (matched by suffix); "after" without a
 * marker is placed at the end of the trace. Returns the number set. */
unsigned lab_replay_match_snapshots(const struct lab_ftrace *t, const struct lab_snapshot *snaps,
				    unsigned nr, struct lab_replay_opts *o);

/* ---- the whole command ------------------------------------------------------- */

/* What `labyrinth replay` was asked (cli/cmd_replay.c parses it). */
struct lab_replay_request {
	const char *trace;              /* the trace file */
	const char *snapdir;            /* the /proc snapshots; NULL = the trace's folder */
	const char *json, *map;         /* optional outputs */
	int shadow, lenient;
	unsigned samples;               /* timeline points; 0 = 24 */
	const char *kernel;             /* --kernel VERSION: whose rules; NULL = the traced kernel's */
	int era_given;                  /* --era: @era names the gfp flags, whatever the kernel */
	enum lab_gfp_era era;
	struct lab_replay_settings set;
	enum lab_replay_pretrace pretrace;
};

/* Which kernel's rules a replay applies, and why (lab_replay_kernel). */
struct lab_replay_kernel {
	char release[128];              /* the traced kernel's release; "" = unknown */
	char source[64];                /* the file it was read from */
	enum lab_kernel traced;         /* its profile; LAB_KERNEL_DEFAULT when unknown */
	enum lab_kernel rules;          /* the profile replayed (resolved) */
	int overridden;                 /* 1: --kernel chose @rules */
	enum lab_gfp_era era;           /* the era the trace's gfp names are read in */
};

/*
 * The kernel of the snapshots in @dir (lab_snapshot_uname) and the rules
 * to replay it with: @kernel_arg (--kernel, a release or "6.1"/"6.12")
 * when given, else the traced kernel's profile, else the default profile.
 * The gfp names are the traced kernel's era unless @era_given. Returns 0,
 * or LAB_EINVAL with the message in @err for a @kernel_arg that names no
 * version.
 */
int lab_replay_kernel(const char *dir, const char *kernel_arg, int era_given, enum lab_gfp_era era,
		      struct lab_replay_kernel *k, char *err, size_t errsz);

/*
 * Loads the trace and its snapshots, runs the shadow or what-if replay and
 * prints the report (report/replay.c) to stdout, the JSON document to
 * @req->json and the map to @req->map (what-if). Messages to stderr.
 * Returns the command's exit status: 0 done, 2 malformed input or an
 * output that cannot be written.
 */
int lab_replay_run(const struct lab_replay_request *req);

void lab_replay_settings_default(struct lab_replay_settings *s);
/* "fix" kind names for reports ("pcp_bypass", ...). */
const char *lab_shadow_fix_name(enum lab_shadow_fix f);
/* 1 for the kinds that are no contradiction but a kernel action the trace
 * does not show, inferred from the events around it (highatomic reserve,
 * bulk allocation); 0 for the contradictions. */
int lab_shadow_fix_is_inferred(enum lab_shadow_fix f);

#ifdef __cplusplus
}
#endif
#endif
