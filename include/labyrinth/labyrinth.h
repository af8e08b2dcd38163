/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/labyrinth.h - the public API of the Labyrinth page allocator.
 *
 * Labyrinth hands out physically contiguous blocks of 2^order pages, like
 * Linux's alloc_pages(), with Linux's zones, watermarks, migratetypes,
 * highatomic reserve and failure reports. The core is freestanding: it
 * allocates nothing, its metadata lives in memory the embedder provides
 * (lab_mem_metadata_bytes()), and it reaches the world only through
 * struct lab_platform.
 *
 * Errors: functions returning int return 0 or a negative Linux errno value
 * (LAB_EINVAL, LAB_ENOMEM, LAB_EBUSY); allocation failure is a NULL return.
 */
#ifndef LABYRINTH_LABYRINTH_H
#define LABYRINTH_LABYRINTH_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/gfp.h>
#include <labyrinth/kernel.h>
#include <labyrinth/page.h>
#include <labyrinth/stats.h>
#include <labyrinth/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LAB_VERSION "0.1.0"

#define LAB_ENOMEM  (-12)
#define LAB_EBUSY   (-16)
#define LAB_EINVAL  (-22)
#define LAB_ERANGE  (-34)
#define LAB_EOPNOTSUPP (-95)   /* the mechanism is compiled out (LAB_CONFIG_*=0, src/core/config.h) */

/* A physical address range [start, start + size). */
struct lab_range {
	lab_phys_t start;
	uint64_t size;
};

#define LAB_MAX_RANGES 16
#define LAB_MAX_CMA_AREAS 8

/* lab_mem_config.flags */
#define LAB_CFG_NO_ZONE_DMA    0x1u   /* no ZONE_DMA (most non-x86 boards) */
#define LAB_CFG_NO_ZONE_DMA32  0x2u   /* no ZONE_DMA32 */
#define LAB_CFG_NO_HIGHATOMIC  0x4u   /* never reserve highatomic pageblocks (experiments) */
#define LAB_CFG_NO_MOBILITY_GROUPING 0x8u /* page_group_by_mobility_disabled */
#define LAB_CFG_DEBUG_POISON   0x10u  /* poison freed pages, check on allocation (needs a direct map) */
#define LAB_CFG_NO_PCP         0x20u  /* no per-CPU lists: every request takes the zone lock */
#define LAB_CFG_MIGHT_SLEEP_FAIL 0x40u /* a sleeping request from atomic context fails
					  (default: it is reported and degraded to a
					  non-blocking attempt) */
#define LAB_CFG_DRAIN_BEFORE_FAILURE 0x80u /* Labyrinth, not Linux: before reporting a
					  failure, drain every CPU's per-CPU lists (trylock
					  only) and try once more. Neither 6.1 nor 6.12 does
					  this for a request that cannot block; off by default */

struct lab_mem_config {
	/* Physical memory present: up to LAB_MAX_RANGES ranges, page aligned.
	 * Gaps between them are holes (never handed out). */
	const struct lab_range *ranges;
	unsigned nr_ranges;
	/* Present but not the allocator's (firmware, kernel image, ...). */
	const struct lab_range *reserved;
	unsigned nr_reserved;
	/* Virtual address at which the lowest range's first byte is mapped;
	 * phys -> virt is then linear ("lowmem"). NULL = no direct map. */
	void *virt_base;
	/* Pages at or above this physical address have no permanent mapping
	 * (highmem); 0 = everything is lowmem. */
	lab_phys_t highmem_start;
	/* Zone limits (exclusive); 0 = Linux x86-64 defaults 16 MiB / 4 GiB. */
	lab_phys_t zone_dma_limit;
	lab_phys_t zone_dma32_limit;
	/* movablecore=: this many bytes at the top of memory form ZONE_MOVABLE. */
	uint64_t movable_bytes;
	/* 0 = 9 (2 MiB blocks), or smaller for small memories; at most 10. */
	unsigned pageblock_order;
	unsigned nr_cpus;               /* 0 = 1 */
	unsigned flags;                 /* LAB_CFG_* */
	/* Which kernel's allocator to mirror (labyrinth/kernel.h);
	 * LAB_KERNEL_DEFAULT (0) = LAB_KERNEL_DEFAULT_PROFILE. */
	enum lab_kernel kernel;
	int min_free_kbytes;            /* 0 = Linux's default formula */
	const struct lab_platform *platform; /* NULL = no hooks */
	/* CMA areas: page-block aligned ranges whose pageblocks only movable
	 * allocations may use, and lab_cma_alloc() takes back on demand. */
	const struct lab_range *cma;
	unsigned nr_cma;                /* at most LAB_MAX_CMA_AREAS */
	/* Metadata memory: at least lab_mem_metadata_bytes(cfg), 64-byte aligned. */
	void *metadata;
	size_t metadata_bytes;
};

/* Bytes of metadata lab_mem_init() needs for @cfg (about 16 per page plus
 * one byte per pageblock plus the instance); 0 if @cfg is invalid. */
size_t lab_mem_metadata_bytes(const struct lab_mem_config *cfg);

/*
 * Creates an allocator instance over @cfg's memory, inside cfg->metadata.
 * Every usable page starts free. Returns NULL and sets *@err (when non-NULL)
 * to LAB_EINVAL with a reason logged through the platform for a bad config,
 * or to LAB_EOPNOTSUPP when it asks for a mechanism the build compiled out
 * (a highmem_start without LAB_CONFIG_HIGHMEM, CMA areas without
 * LAB_CONFIG_CMA: src/core/config.h).
 */
struct lab_mem *lab_mem_init(const struct lab_mem_config *cfg, int *err);
/* The kernel profile the instance mirrors (LAB_KERNEL_DEFAULT resolved);
 * LAB_KERNEL_DEFAULT (0) for NULL or a bad instance. */
enum lab_kernel lab_mem_kernel(const struct lab_mem *mem);
/* Forgets the instance (for lab_page_address() lookups); frees nothing. */
void lab_mem_fini(struct lab_mem *mem);

/*
 * Allocates 2^@order contiguous pages. Returns NULL on failure (and, unless
 * __GFP_NOWARN, records a rate-limited failure report). Without
 * __GFP_DIRECT_RECLAIM it never sleeps and is callable from any context.
 * Cost: O(MAX_ORDER) list operations, plus zeroing for __GFP_ZERO.
 */
struct lab_page *lab_alloc_pages(struct lab_mem *mem, lab_gfp_t gfp, unsigned order);
/*
 * lab_alloc_pages() that also says why it failed: on failure *@why (when
 * not NULL) gets every zone's refusal in the last attempt (the same record
 * warn_alloc receives, also for __GFP_NOWARN and rate-limited failures);
 * on success why->nr is 0. The record lives in the caller's memory, so
 * concurrent CPUs each get their own. Cost: lab_alloc_pages() plus O(zones)
 * on the refusal paths only.
 */
struct lab_page *lab_alloc_pages_why(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
				     struct lab_alloc_refusals *why);
/* Frees a block from lab_alloc_pages(). A bad free (double free, wrong
 * order, a page inside a block, a foreign page) is reported as
 * "BUG: Bad page state" and refused. */
void lab_free_pages(struct lab_mem *mem, struct lab_page *page, unsigned order);
/* Same, but returns 0 or LAB_EINVAL instead of only logging. */
int lab_try_free_pages(struct lab_mem *mem, struct lab_page *page, unsigned order);

/*
 * alloc_pages_bulk_array: fills the NULL entries of @pages[0..nr) with
 * order-0 pages and returns how many entries are populated (including
 * those that already were). Takes the per-CPU list lock once for the whole
 * batch (NIC RX ring refill). May return fewer than @nr; 0 only if not even
 * one page could be allocated.
 */
unsigned lab_alloc_pages_bulk(struct lab_mem *mem, lab_gfp_t gfp, unsigned nr, struct lab_page **pages);
/* free_unref_page_list: frees @nr order-0 pages under one per-CPU lock
 * hold; NULL entries are skipped. Bad pages are reported and refused. */
void lab_free_pages_bulk(struct lab_mem *mem, unsigned nr, struct lab_page **pages);

/* drain_local_pages / drain_all_pages: return per-CPU list pages to the
 * buddy lists (this CPU's, or every CPU's). Never sleeps. */
void lab_drain_local_pages(struct lab_mem *mem);
void lab_drain_all_pages(struct lab_mem *mem);

/* Address based (Linux __get_free_pages / free_pages): lowmem only. */
void *lab_get_free_pages(struct lab_mem *mem, lab_gfp_t gfp, unsigned order);
void lab_free_pages_addr(struct lab_mem *mem, void *addr, unsigned order);
/* alloc_pages_exact: @size bytes rounded to pages, the unused tail pages of
 * the power-of-two block are given back. */
void *lab_alloc_pages_exact(struct lab_mem *mem, size_t size, lab_gfp_t gfp);
void lab_free_pages_exact(struct lab_mem *mem, void *addr, size_t size);

/* Conversions. lab_page_address() of a highmem page is the address of
 * its kmap() slot while one maps it (Linux's page_address), else NULL. */
void *lab_page_address(const struct lab_page *page);
struct lab_page *lab_virt_to_page(const void *addr);
lab_pfn_t lab_page_to_pfn(const struct lab_page *page);
lab_phys_t lab_page_to_phys(const struct lab_page *page);
struct lab_page *lab_pfn_to_page(struct lab_mem *mem, lab_pfn_t pfn);
/* Order of the compound page headed by @page (0 if not compound). */
unsigned lab_compound_order(const struct lab_page *page);
/* The instance a page belongs to, or NULL. */
struct lab_mem *lab_page_mem(const struct lab_page *page);

/* Tunables: recompute exactly like writing the sysctl. LAB_EINVAL when out
 * of the sysctl's range (nothing changes then). */
int lab_set_min_free_kbytes(struct lab_mem *mem, int kbytes);
int lab_set_watermark_scale_factor(struct lab_mem *mem, int factor);
int lab_set_watermark_boost_factor(struct lab_mem *mem, int factor);
int lab_set_lowmem_reserve_ratio(struct lab_mem *mem, const int ratio[LAB_MAX_NR_ZONES]);
int lab_set_percpu_pagelist_high_fraction(struct lab_mem *mem, int fraction);
int lab_set_extfrag_threshold(struct lab_mem *mem, int threshold);
int lab_set_highatomic_reserve(struct lab_mem *mem, int enabled);
void lab_get_tunables(const struct lab_mem *mem, struct lab_tunables *out);

/* Statistics snapshot (consistent per zone). */
void lab_mem_get_stats(struct lab_mem *mem, struct lab_mem_stats *out);
/* One vm event counter (lab_mem_stats.events[@e]) without building the
 * snapshot: the sum over CPUs, as global_vm_event() reads it. Lockless,
 * O(CPUs); 0 for a bad @mem or @e. */
uint64_t lab_mem_event(const struct lab_mem *mem, enum lab_vm_event e);
/* Free-list operations so far (a block put on or taken off a buddy or
 * per-CPU list), all zones and CPUs: the difference around one call is
 * what it cost in list work. Lockless, O(zones x CPUs); exact when no
 * other CPU allocates or frees meanwhile. */
uint64_t lab_mem_list_ops(const struct lab_mem *mem);
/* Free pages of every zone (NR_FREE_PAGES, as nr_free_pages()), plus the
 * pages parked on per-CPU lists when @with_pcp: what lab_mem_get_stats
 * reports as free and pcp[].count, without building the snapshot.
 * Lockless, O(zones x CPUs); exact when no other CPU allocates or frees. */
uint64_t lab_mem_free_pages(const struct lab_mem *mem, int with_pcp);
/* Pageblocks in pfn order: fills up to @max entries starting with the
 * @first-th pageblock of the span and returns how many were filled (0 at
 * the end). O(pages covered). */
size_t lab_mem_pageblocks(struct lab_mem *mem, size_t first, struct lab_pageblock_info *out, size_t max);
/* Number of pageblocks in the span. */
size_t lab_mem_nr_pageblocks(const struct lab_mem *mem);
/* Span of the instance in pfns: [*start, *end). */
void lab_mem_span(const struct lab_mem *mem, lab_pfn_t *start, lab_pfn_t *end);

/*
 * Snapshot restore, for reconstructing a real kernel's zone (a dmesg
 * report, a /proc snapshot). The parts of zone @zone it rebuilds:
 *   LAB_RESTORE_FREE        exactly @want->nr_free_mt free blocks per
 *                           (order, migratetype); every other usable page
 *                           becomes an allocated order-0 page with no owner
 *   LAB_RESTORE_PAGEBLOCKS  pageblock types: @want->nr_blocks_mt pageblocks
 *                           of each type (counted as pagetypeinfo does; the
 *                           zone's other pageblocks become Movable), or by
 *                           position (lab_zone_restore.pageblock_mt). The
 *                           highatomic reserve follows the HighAtomic
 *                           pageblocks; with FREE, each free block lies in
 *                           a pageblock of its own migratetype where one
 *                           has room, else anywhere but CMA pageblocks
 *   LAB_RESTORE_WATERMARKS  @want->wmark (min, low, high, without boost) and
 *                           @want->boost
 *   LAB_RESTORE_LOWMEM      @want->lowmem_reserve
 *   LAB_RESTORE_HIGHATOMIC  a reserve of @want->nr_reserved_highatomic pages
 *                           rounded up to pageblocks: with PAGEBLOCKS it
 *                           must equal the HighAtomic pageblocks given;
 *                           without, fully allocated pageblocks become
 *                           HighAtomic until it is met
 * Every write is made under the zone lock, so a live instance whose other
 * CPUs are idle may be restored (FREE first drains the per-CPU lists and
 * takes every free page; WATERMARKS/LOWMEM alone touch nothing else).
 * Returns 0; LAB_EINVAL when the request cannot be honoured as given (bad
 * zone or parts, Isolate blocks or pageblocks, more pageblocks than the
 * zone has, CMA pageblocks other than the CMA areas', HighAtomic where a
 * reserve cannot lie, a reserve that disagrees with the pageblocks), the
 * zone unchanged; LAB_EBUSY while a pageblock of the zone is isolated;
 * LAB_ENOMEM when the blocks do not fit (each needs room where its buddy
 * is not free) or the reserve finds too few pageblocks, the zone then
 * consistent with the blocks that did. O(zone pages * MAX_ORDER).
 */
#define LAB_RESTORE_FREE        0x01u
#define LAB_RESTORE_PAGEBLOCKS  0x02u
#define LAB_RESTORE_WATERMARKS  0x04u
#define LAB_RESTORE_LOWMEM      0x08u
#define LAB_RESTORE_HIGHATOMIC  0x10u
#define LAB_RESTORE_ALL         0x1fu

struct lab_zone_restore {
	unsigned parts;                     /* LAB_RESTORE_* */
	const struct lab_zone_stats *want;
	/* optional, for PAGEBLOCKS: the type of each of the zone's pageblocks
	 * ([k] = the one holding start_pfn + k * pageblock pages), instead of
	 * placing @want->nr_blocks_mt */
	const uint8_t *pageblock_mt;
	size_t nr_pageblock_mt;
};
int lab_mem_restore_zone_parts(struct lab_mem *mem, unsigned zone, const struct lab_zone_restore *r);
/* All parts; PAGEBLOCKS only when @want->nr_blocks_mt counts any. */
int lab_mem_restore_zone(struct lab_mem *mem, unsigned zone, const struct lab_zone_stats *want);

/*
 * The allocator's rules as pure functions (plain data in, no instance), for
 * tools that replay a kernel's decision from its numbers:
 * lab_gfp_alloc_flags() is gfp_to_alloc_flags() of the slow path (6.1.192:
 * __GFP_HIGH halves the min, non-blocking takes another quarter, high-order
 * non-blocking __GFP_HIGH may take the highatomic reserve), LAB_ALLOC_CMA
 * added when @cma (a movable request on a machine with CMA).
 */
unsigned lab_gfp_alloc_flags(lab_gfp_t gfp, unsigned order, int cma);
/*
 * zone_watermark_fast() / __zone_watermark_ok() on @z: free pages less the
 * unusable ones above the reduced mark plus lowmem_reserve, for order > 0 a
 * block on a list @alloc_flags may use, and the order-0 __GFP_ATOMIC retry
 * at WMARK_MIN without the boost. Returns 0 when the zone passes, else the
 * enum lab_refusal; fills *@out (when not NULL; zone and reason 0 on pass)
 * with the numbers of the check that decided. O(1).
 */
int lab_zone_watermark_check(const struct lab_wmark_zone *z, unsigned order, unsigned alloc_flags,
			     lab_gfp_t gfp, struct lab_zone_refused *out);

/*
 * Headroom: how many successive allocations of (@gfp, @order) one zone
 * would serve from its free lists as they are now, under the allocator's
 * own rules (labyrinth top's "atomic headroom"). Each success takes 2^order
 * pages and splits a larger block, leaving its remainders on usable lists,
 * so the count is min(chunks, marks): the order-@order chunks the usable
 * lists hold (sum of nr_free[o][mt] << (o - order), o >= order, over the
 * lists rmqueue may take for this request: its own type, its fallbacks,
 * HighAtomic for reserve holders, CMA for movable ALLOC_CMA requests) and
 * the number of successive free counts F, F - 2^order, ... that pass
 * lab_zone_watermark_check() at WMARK_MIN (with the boost, and the order-0
 * atomic retry without it).
 *
 * Only for requests that cannot reclaim or compact (no
 * __GFP_DIRECT_RECLAIM; LAB_EINVAL otherwise, or for a bad order/zone
 * modifier): those are the ones whose outcome the lists decide alone.
 * Not counted: pages on per-CPU lists (the zone's free counter does not
 * hold them either), and a watermark boost that a fallback steal during
 * the sequence would add (orders > 0; see docs/top.md). O(MAX_ORDER *
 * migratetypes + log(free) checks).
 */
struct lab_headroom_zone {
	uint64_t nr_free[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];  /* free blocks per (order, type) */
	uint64_t min;                   /* WMARK_MIN without the boost */
	uint64_t boost;                 /* watermark_boost */
	int64_t lowmem_reserve;         /* lowmem_reserve[gfp_zone(gfp)] */
	uint64_t reserved_highatomic;   /* nr_reserved_highatomic */
	enum lab_kernel kernel;         /* whose rules (0: the default profile) */
};
int64_t lab_zone_headroom(const struct lab_headroom_zone *z, lab_gfp_t gfp, unsigned order);
/*
 * The highest watermark boost boost_watermark() can give a zone whose
 * WMARK_HIGH (unboosted) is @high, under vm.watermark_boost_factor
 * @factor, with @pageblock_pages pages per pageblock and @managed managed
 * pages: max(high * factor / 10000, one pageblock); 0 when the zone is
 * never boosted (factor 0, or fewer than four pageblocks managed). A
 * headroom counted with this boost is what remains when fallback steals
 * during the sequence raise the marks to their cap. O(1).
 */
uint64_t lab_watermark_boost_cap(uint64_t high, int factor, uint64_t pageblock_pages, uint64_t managed);

/* The most recent reported failure record (NOWARN and rate-limited
 * failures are counted but not recorded), or NULL if none (always NULL
 * built with LAB_CONFIG_REPORTS=0). */
const struct lab_alloc_failure *lab_mem_last_failure(const struct lab_mem *mem);

/*
 * Walks the whole state and checks every invariant of DESIGN.md. Returns
 * the number of violations (0 = healthy), logging each through the
 * platform. O(pages): a debugging tool, not for hot paths. Built with
 * LAB_CONFIG_CHECK=0 it checks nothing and returns LAB_EOPNOTSUPP.
 */
int lab_mem_check(struct lab_mem *mem);

/*
 * The core's own freestanding snprintf (the one its log lines use): %s %c
 * %d %i %u %x %X %p %% with l/ll/z, '#', '0', '-' and a width. Writes at
 * most @size bytes, NUL-terminated when @size > 0, and returns the length
 * of the whole string. For embedders without a C library (boards/).
 */
int lab_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Linux's default min_free_kbytes for @lowmem_kbytes (int_sqrt formula
 * with the 128..262144 clamp). */
int lab_default_min_free_kbytes(uint64_t lowmem_kbytes);

#ifdef __cplusplus
}
#endif
#endif
