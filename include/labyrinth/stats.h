/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/stats.h - a plain-data snapshot of the allocator's state.
 *
 * The core fills these structures (lab_mem_get_stats, failure records); the
 * report layer (src/report/) turns them into Linux's text formats. Keeping the
 * boundary a plain struct lets the reports be tested on hand-built data (the
 * reference vectors) and lets a dmesg reader build one from a real report.
 */
#ifndef LABYRINTH_STATS_H
#define LABYRINTH_STATS_H

#include <stdint.h>
#include <labyrinth/page.h>
#include <labyrinth/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LAB_MAX_CPUS 64

struct lab_pcp_stats {
	uint32_t count;   /* pages on this CPU's lists for the zone */
	uint32_t high;
	uint32_t batch;
};

struct lab_zone_stats {
	uint64_t start_pfn;
	uint64_t spanned;
	uint64_t present;
	uint64_t managed;
	uint64_t cma;                       /* pages in CMA pageblocks */
	uint64_t free;                      /* NR_FREE_PAGES */
	uint64_t free_cma;                  /* NR_FREE_CMA_PAGES */
	uint64_t free_pcp;                  /* pages on per-CPU lists */
	uint64_t boost;                     /* watermark_boost */
	uint64_t wmark[LAB_NR_WMARK];       /* without boost (_watermark[]) */
	int64_t lowmem_reserve[LAB_MAX_NR_ZONES];
	uint64_t nr_reserved_highatomic;
	/* free blocks per order and per (order, migratetype) list */
	uint64_t nr_free[LAB_MAX_ORDER];
	uint64_t nr_free_mt[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];
	/* pageblocks by their migratetype */
	uint64_t nr_blocks_mt[LAB_MIGRATE_TYPES];
	uint32_t vm_stats_threshold;
	uint32_t nr_cpus;
	struct lab_pcp_stats pcp[LAB_MAX_CPUS];
	/* in-use pages by owner kind (0 until reclaim/LRU exists) */
	uint64_t nr_alloc_mt[LAB_MIGRATE_TYPES];
	uint64_t kswapd_failures;
	/* pages on the LRU lists of owned pages: inactive anon, active anon,
	 * inactive file, active file, unevictable (Linux enum lru_list) */
	uint64_t nr_lru[5];
};

/* Event counters mirrored from /proc/vmstat, plus Labyrinth's own. The
 * report prints only those whose mechanism exists. */
enum lab_vm_event {
	LAB_PGALLOC_DMA, LAB_PGALLOC_DMA32, LAB_PGALLOC_NORMAL,
	LAB_PGALLOC_MOVABLE, LAB_PGALLOC_DEVICE,
	LAB_PGFREE,
	LAB_ALLOCSTALL_DMA, LAB_ALLOCSTALL_DMA32, LAB_ALLOCSTALL_NORMAL,
	LAB_ALLOCSTALL_MOVABLE, LAB_ALLOCSTALL_DEVICE,
	LAB_PGSTEAL_KSWAPD, LAB_PGSTEAL_DIRECT, LAB_PGSCAN_KSWAPD, LAB_PGSCAN_DIRECT,
	LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY, LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	LAB_PAGEOUTRUN,
	LAB_PGMIGRATE_SUCCESS, LAB_PGMIGRATE_FAIL,
	LAB_COMPACT_MIGRATE_SCANNED, LAB_COMPACT_FREE_SCANNED, LAB_COMPACT_ISOLATED,
	LAB_COMPACT_STALL, LAB_COMPACT_FAIL, LAB_COMPACT_SUCCESS,
	LAB_COMPACT_DAEMON_WAKE,
	LAB_CMA_ALLOC_SUCCESS, LAB_CMA_ALLOC_FAIL,
	/* Labyrinth's own counters (not in /proc/vmstat) */
	LAB_EV_ALLOC_FAIL,          /* allocations that returned NULL */
	LAB_EV_ALLOC_FAIL_ATOMIC,   /* ... of which could not block */
	LAB_EV_EXTFRAG,             /* fallback allocations (mm_page_alloc_extfrag) */
	LAB_EV_HIGHATOMIC_RESERVE,  /* pageblocks reserved for high-order atomic */
	LAB_EV_HIGHATOMIC_UNRESERVE,
	LAB_EV_BAD_PAGE,            /* refused frees (bad page state) */
	LAB_EV_MIGHT_SLEEP,         /* sleeping calls from atomic context */
	LAB_EV_PCP_DRAIN,
	LAB_NR_VM_EVENTS
};

/* Which events have a mechanism behind them in this build/instance; the
 * vmstat report prints only those (no fake zeros). */
#define LAB_VM_EVENT_BIT(e) (1ull << (e))

struct lab_tunables {
	int min_free_kbytes;            /* effective value */
	int user_min_free_kbytes;       /* -1 when never written */
	int watermark_scale_factor;     /* 1..3000, default 10 */
	int watermark_boost_factor;     /* >= 0, default 15000 */
	int lowmem_reserve_ratio[LAB_MAX_NR_ZONES]; /* default 256 256 32 0 0 */
	int percpu_pagelist_high_fraction; /* 0 or >= 8 */
	int extfrag_threshold;          /* 0..1000, default 500 */
	int compaction_proactiveness;   /* 0..100, default 20 */
	int highatomic_reserve;         /* 1 = on (Linux behaviour), 0 = disabled (for experiments) */
	int page_group_by_mobility_disabled;
};

struct lab_mem_stats {
	uint32_t pageblock_order;
	uint32_t nr_cpus;
	int cma_enabled;                /* print the CMA migratetype column/row */
	int highmem_zone;               /* zone index 3 is HighMem (32-bit layout), not Movable */
	struct lab_tunables tunables;
	uint64_t totalreserve_pages;
	int populated[LAB_MAX_NR_ZONES];
	struct lab_zone_stats zone[LAB_MAX_NR_ZONES];
	uint64_t events[LAB_NR_VM_EVENTS];
	uint64_t events_valid;          /* mask of LAB_VM_EVENT_BIT()s with a mechanism */
};

/* One pageblock, for pictures of the labyrinth (lab_mem_pageblocks). */
struct lab_pageblock_info {
	uint64_t start_pfn;
	uint8_t zone;                   /* enum lab_zone_type */
	uint8_t migratetype;            /* pageblock type */
	uint8_t skip;                   /* compaction skip hint */
	uint8_t pad;
	uint16_t nr_free;               /* in free blocks */
	uint16_t nr_allocated;          /* in allocated blocks */
	uint16_t nr_pcp;                /* on per-CPU lists */
	uint16_t nr_reserved;           /* holes and reserved pages */
	uint16_t nr_alloc_mt[LAB_MIGRATE_PCPTYPES]; /* allocated pages by requested mobility */
	uint16_t largest_free_order;    /* 0xffff = no free block */
};

/* The zone's name as /proc prints it: "HighMem" for index 3 when the
 * instance has a highmem boundary, else lab_zone_names[z]. */
const char *lab_zone_name(const struct lab_mem_stats *s, unsigned z);

/* Calling context of an allocation, as Linux's preempt_count tells it. */
enum lab_context {
	LAB_CTX_PROCESS = 0,
	LAB_CTX_SOFTIRQ,
	LAB_CTX_HARDIRQ,
	LAB_CTX_NMI,
	LAB_NR_CTX
};

/*
 * One failed allocation: the data of Linux's warn_alloc() + show_mem().
 * highest_zoneidx limits the zones show_mem prints (gfp_zone(gfp)).
 */
struct lab_alloc_failure {
	unsigned order;
	lab_gfp_t gfp;
	int highest_zoneidx;
	enum lab_context context;
	char comm[16];
	uint64_t seq;                   /* n-th failure of this instance, from 1 */
	uint64_t time_ns;
	struct lab_mem_stats mem;
};

#ifdef __cplusplus
}
#endif
#endif
