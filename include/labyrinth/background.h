/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/background.h - what keeps GFP_ATOMIC working in a fragmented
 * memory: page owners and reclaim, kswapd, compaction and kcompactd, and
 * contiguous (CMA / DMA) allocation.
 *
 * The allocator does not own page contents. A client that allocates
 * movable or reclaimable pages registers page-owner operations (in the
 * spirit of Linux's movable_operations and LRU reclaim) and tags its pages
 * with lab_page_set_owner(); tagged pages sit on per-zone LRU lists and can
 * be migrated (compaction, contiguous allocation) or reclaimed (kswapd,
 * direct reclaim). Slab-like caches register shrinkers.
 *
 * kswapd and kcompactd are step functions: each call does a bounded amount
 * of work and says whether more is wanted. The POSIX host runs them in
 * threads woken by platform->wake_kswapd / wake_kcompactd (with
 * lab_host_config.background; owners' operations must then be
 * thread-safe, see lab_page_clear_owner); the simulator
 * calls them on its virtual clock; an RTOS calls them from a low-priority
 * task. All of this is in the freestanding core.
 *
 * Built without a mechanism (src/core/config.h: -DLAB_CONFIG_OWNERS=0,
 * _RECLAIM=0, _COMPACTION=0), its entry points say so: lab_owner_register,
 * lab_page_set_owner and lab_register_shrinker return LAB_EOPNOTSUPP;
 * lab_kswapd_wanted / lab_kcompactd_wanted return 0, lab_kswapd_balance_once
 * / lab_kcompactd_once LAB_BG_IDLE and lab_compact_memory 0.
 */
#ifndef LABYRINTH_BACKGROUND_H
#define LABYRINTH_BACKGROUND_H

#include <stdint.h>
#include <labyrinth/labyrinth.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- page owners --------------------------------------------------------- */

/*
 * Operations of one owner of pages. Called with no allocator lock held,
 * from the context that runs reclaim/compaction (kswapd, a blocking
 * allocation, lab_compact_memory, a contiguous allocation); never from an
 * atomic allocation.
 *   isolate:  may @page be moved or reclaimed now? 0 = yes (the owner must
 *             not free it until putback/migrate/reclaim returns), else busy.
 *   migrate:  move @page's role to @newpage. The allocator has already
 *             copied the contents when both pages are addressable; the
 *             owner updates its references. 0 = done (the allocator frees
 *             @page), else the migration failed (@newpage is freed).
 *   putback:  isolation ended without migration or reclaim.
 *   reclaim:  drop @page if it is clean (page cache); 0 = dropped (the
 *             allocator frees it), else keep it.
 * Any of migrate/reclaim may be NULL (then the page is not migratable /
 * reclaimable).
 */
struct lab_page_owner_ops {
	int (*isolate)(void *ctx, struct lab_page *page);
	int (*migrate)(void *ctx, struct lab_page *page, struct lab_page *newpage);
	void (*putback)(void *ctx, struct lab_page *page);
	int (*reclaim)(void *ctx, struct lab_page *page);
};

#define LAB_MAX_OWNERS 255

/* LRU kinds for lab_page_set_owner(). */
#define LAB_LRU_ANON 0x1u  /* reclaim needs swap: not reclaimed, only migrated */
#define LAB_LRU_FILE 0x2u  /* page cache: reclaimable when clean */
#define LAB_LRU_UNEVICTABLE 0x4u  /* migratable but never reclaimed (mlocked) */

/* Registers an owner; returns its id (1..LAB_MAX_OWNERS) or LAB_ENOMEM. */
int lab_owner_register(struct lab_mem *mem, const struct lab_page_owner_ops *ops, void *ctx);
/* Tags the allocated block @page (of @order) with @owner and puts it on the
 * zone's LRU (inactive list). 0 or LAB_EINVAL (not an allocated head). */
int lab_page_set_owner(struct lab_mem *mem, struct lab_page *page, int owner, unsigned lru);
/* Untags (takes it off the LRU): 0. Call before freeing a tagged page (or
 * let lab_free_pages do it; but while reclaim or compaction holds the page,
 * lab_free_pages refuses it as a bad page). LAB_EBUSY while reclaim or compaction holds the
 * page isolated (another thread: kswapd, kcompactd, a blocking allocation):
 * the page stays the owner's; call again after the owner's migrate,
 * reclaim or putback for it has returned. LAB_EINVAL for a foreign page. */
int lab_page_clear_owner(struct lab_mem *mem, struct lab_page *page);
/* Marks a tagged page recently used (moves it to the active list). */
void lab_page_mark_accessed(struct lab_mem *mem, struct lab_page *page);

/* Shrinkers for caches of objects (dentries, inodes, slab). */
struct lab_shrinker {
	unsigned long (*count_objects)(void *ctx);
	/* Free up to @nr objects; return how many were freed. */
	unsigned long (*scan_objects)(void *ctx, unsigned long nr);
	void *ctx;
	int seeks;   /* cost to recreate an object; 2 = DEFAULT_SEEKS */
};
int lab_register_shrinker(struct lab_mem *mem, struct lab_shrinker *s);
void lab_unregister_shrinker(struct lab_mem *mem, struct lab_shrinker *s);

/* ---- kswapd ------------------------------------------------------------- */

enum lab_bg_result {
	LAB_BG_IDLE = 0,    /* nothing to do: sleep until woken */
	LAB_BG_MORE = 1,    /* made progress, call again */
	LAB_BG_NAP = 2,     /* balanced just now: short nap (kswapd_try_to_sleep) then sleep */
	LAB_BG_STUCK = 3,   /* no progress possible (node_unreclaimable): sleep until woken */
};

/*
 * One bounded step of balance_pgdat: reclaim up to @budget pages towards
 * the high watermark (+ boost) of every zone kswapd was woken for.
 * Never called from an allocation; may call owners' and shrinkers' ops.
 */
enum lab_bg_result lab_kswapd_balance_once(struct lab_mem *mem, unsigned long budget);
/* Does kswapd have work (was it woken and is some zone below its mark)? */
int lab_kswapd_wanted(struct lab_mem *mem);
/*
 * kswapd_try_to_sleep's verdict on the short nap that follows LAB_BG_NAP
 * (Linux naps HZ/10 before sleeping for good). The nap is the caller's
 * (a thread's timed wait, a simulator's clock), so the caller reports how
 * it ended when it did NOT end in a full sleep:
 *   woken_during_nap != 0  an allocation woke kswapd before the nap was
 *                          over: kswapd_low_wmark_hit_quickly
 *   woken_during_nap == 0  the nap ran out but lab_kswapd_wanted() says
 *                          the node is not balanced: kswapd_high_wmark_hit_quickly
 * A nap that ends balanced, in a full sleep, is not reported. Any context.
 */
void lab_kswapd_nap_cut_short(struct lab_mem *mem, int woken_during_nap);

/* ---- compaction ------------------------------------------------------------ */

/* One bounded step of kcompactd (woken by kswapd, boosted reclaim, or the
 * proactive score): migrates up to @budget pages. */
enum lab_bg_result lab_kcompactd_once(struct lab_mem *mem, unsigned long budget);
int lab_kcompactd_wanted(struct lab_mem *mem);
/* /proc/sys/vm/compact_memory: compact every zone completely. Returns the
 * number of pages migrated. May take long; call from process context. */
unsigned long lab_compact_memory(struct lab_mem *mem);
int lab_set_compaction_proactiveness(struct lab_mem *mem, int value);

/* ---- contiguous and DMA memory ------------------------------------------ */

/*
 * alloc_contig_range: allocate exactly the pfns [start, end): isolate the
 * pageblocks, drain per-CPU lists, migrate movable pages out through their
 * owners, reclaim clean ones, take the range. 0, or LAB_EBUSY when a page
 * in the way cannot be moved (unmovable, owner busy), LAB_EINVAL for a
 * range outside one zone; on error nothing is held and the state is as
 * before (pages may have moved).
 */
int lab_alloc_contig_range(struct lab_mem *mem, lab_pfn_t start, lab_pfn_t end, lab_gfp_t gfp);
void lab_free_contig_range(struct lab_mem *mem, lab_pfn_t start, unsigned long nr_pages);
/* alloc_contig_pages: find and allocate @nr_pages contiguous pages anywhere
 * the gfp allows. NULL on failure. */
struct lab_page *lab_alloc_contig_pages(struct lab_mem *mem, unsigned long nr_pages, lab_gfp_t gfp);

/* CMA areas are declared in struct lab_mem_config (cma_ranges); area ids
 * are their indices. */
struct lab_page *lab_cma_alloc(struct lab_mem *mem, unsigned area, unsigned long count, unsigned align_order);
int lab_cma_release(struct lab_mem *mem, unsigned area, struct lab_page *pages, unsigned long count);

/*
 * DMA convenience for device drivers: a physically contiguous, naturally
 * aligned buffer of @size bytes whose last byte is below @dma_limit (e.g.
 * 1ull << 32 for a 32-bit device), with its physical address in *@phys.
 * Blocking (may compact); NULL on failure.
 */
void *lab_dma_alloc(struct lab_mem *mem, size_t size, lab_phys_t dma_limit, lab_phys_t *phys);
void lab_dma_free(struct lab_mem *mem, void *va, size_t size);

#ifdef __cplusplus
}
#endif
#endif
