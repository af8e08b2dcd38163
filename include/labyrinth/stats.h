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
#include <labyrinth/kernel.h>

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
	uint64_t nr_free_highatomic;        /* pages on HighAtomic free lists (6.12's counter) */
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
	enum lab_kernel kernel;         /* the instance's profile (resolved) */
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
 * alloc_flags of an attempt (Linux's ALLOC_*): which watermark, which
 * reserves. lab_gfp_alloc_flags() gives a request's slow-path flags.
 */
#define LAB_ALLOC_WMARK_MIN      0x00u
#define LAB_ALLOC_WMARK_LOW      0x01u
#define LAB_ALLOC_WMARK_HIGH     0x02u
#define LAB_ALLOC_NO_WATERMARKS  0x04u
#define LAB_ALLOC_WMARK_MASK     0x03u
#define LAB_ALLOC_OOM            0x08u
#define LAB_ALLOC_NON_BLOCK      0x10u   /* -1/4 of the reduced min (with MIN_RESERVE) */
#define LAB_ALLOC_MIN_RESERVE    0x20u   /* __GFP_HIGH: half the min */
#define LAB_ALLOC_CPUSET         0x40u
#define LAB_ALLOC_CMA            0x80u   /* may count and take CMA pages */
#define LAB_ALLOC_NOFRAGMENT     0x100u
#define LAB_ALLOC_HIGHATOMIC     0x200u  /* may take the highatomic reserve */
#define LAB_ALLOC_KSWAPD         0x800u

/* Why one zone refused an allocation attempt (get_page_from_freelist). */
enum lab_refusal {
	LAB_REFUSED_WATERMARK = 1,  /* free - unusable <= reduced mark + lowmem_reserve */
	LAB_REFUSED_NO_BLOCK,       /* above the mark, no free block >= order on a list
				     * this caller may use, nor on any other */
	LAB_REFUSED_HIGHATOMIC_ONLY,/* such a block exists, but only on HighAtomic (for a
				     * caller without the right), CMA or Isolate lists */
	LAB_REFUSED_NOT_ALLOWED,    /* a zone above the request's zone modifier */
	LAB_REFUSED_LISTS_EMPTY,    /* passed the check (or had none), and rmqueue found
				     * nothing: the pages sat on per-CPU lists or went
				     * to another CPU meanwhile */
};

/* What the free lists held at or above the order, for a refused zone. */
enum lab_blocks {
	LAB_BLOCKS_USABLE = 0,      /* on a list this caller may take from */
	LAB_BLOCKS_RESERVED_ONLY,   /* only on HighAtomic/CMA/Isolate lists it may not use */
	LAB_BLOCKS_NONE,
};

/*
 * One zone's refusal, with the numbers of the check (pages). The mark is
 * the watermark the check used, boost included when applied (the order-0
 * atomic retry of zone_watermark_fast uses the unboosted min); min is the
 * mark after the caller's reductions (__GFP_HIGH, non-blocking, OOM).
 * blocks is computed on every refusal of an order > 0 request, even when
 * the free count alone refused, so that "protected, but no block" shows.
 */
struct lab_zone_refused {
	uint8_t zone;               /* enum lab_zone_type */
	uint8_t reason;             /* enum lab_refusal */
	uint8_t blocks;             /* enum lab_blocks */
	uint8_t pad;
	uint32_t alloc_flags;       /* LAB_ALLOC_* of the attempt */
	int64_t free;               /* NR_FREE_PAGES */
	int64_t unusable;           /* __zone_watermark_unusable_free: 2^order-1,
				     * highatomic reserve, free CMA */
	int64_t mark;
	int64_t min;
	int64_t lowmem_reserve;     /* lowmem_reserve[highest_zoneidx] */
};

/* Every zone of the last attempt, in fallback order (zones the request may
 * not use first, then highest_zoneidx down to DMA); nr = 0 when the call
 * never reached the zones (order too large, might_sleep refusal). */
struct lab_alloc_refusals {
	unsigned nr;
	struct lab_zone_refused zone[LAB_MAX_NR_ZONES];
};

/*
 * One failed allocation: the data of Linux's warn_alloc() + show_mem(),
 * and why each zone refused. highest_zoneidx limits the zones show_mem
 * prints (gfp_zone(gfp)).
 */
struct lab_alloc_failure {
	unsigned order;
	lab_gfp_t gfp;
	int highest_zoneidx;
	enum lab_context context;
	char comm[16];
	uint64_t seq;                   /* n-th failure of this instance, from 1 */
	uint64_t time_ns;
	struct lab_alloc_refusals refusals;
	struct lab_mem_stats mem;
};

/*
 * What __zone_watermark_ok reads of one zone, as plain numbers (the
 * allocator fills it from its zone, diagnose from a kernel's report).
 */
struct lab_wmark_zone {
	int64_t free;                   /* NR_FREE_PAGES */
	uint64_t mark;                  /* the watermark, boost included */
	uint64_t boost;                 /* watermark_boost (the order-0 atomic retry) */
	uint64_t min;                   /* WMARK_MIN without boost (same retry) */
	int64_t lowmem_reserve;         /* lowmem_reserve[highest_zoneidx] */
	uint64_t reserved_highatomic;   /* nr_reserved_highatomic */
	uint64_t free_cma;              /* NR_FREE_CMA_PAGES */
	uint32_t nonempty[LAB_MIGRATE_TYPES]; /* bit o: list (order o, type) holds a block */
	uint64_t free_highatomic;       /* nr_free_highatomic (6.12; free pages on HighAtomic lists) */
	/* Whose rules (labyrinth/kernel.h; 0 = the default profile): 6.1 keeps
	 * reserved_highatomic from ordinary callers and exempts order-0
	 * __GFP_ATOMIC at the min mark from the boost; 6.12 keeps
	 * free_highatomic and exempts ALLOC_MIN_RESERVE. */
	enum lab_kernel kernel;
};

#ifdef __cplusplus
}
#endif
#endif
