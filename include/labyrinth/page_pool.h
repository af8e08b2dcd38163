/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/page_pool.h - a NIC driver's page recycler (Linux page_pool,
 * net/core/page_pool.c; 6.1 statistics, 6.12's napi-local recycling).
 *
 * A pool hands out pages of one order to one RX queue and takes them back
 * without the page allocator when it can:
 *
 *   owning context (the pool's CPU, in softirq = NAPI)      any context
 *   alloc:  direct cache --> ring --> lab_alloc_pages_bulk
 *   put:    direct cache --> ring --> lab_free_pages          ring --> lab_free_pages
 *
 * The direct cache (128 pages, Linux PP_ALLOC_CACHE_SIZE) is touched only
 * in the owning context: no lock, no atomic read-modify-write. Other CPUs
 * and contexts (process, another CPU's softirq, a hardirq) return pages
 * through a bounded lock-free ring of params.pool_size entries; when it is
 * full the page goes back to the allocator.
 *
 * The core allocates nothing: the pool lives in memory the caller gives
 * (params.memory, lab_page_pool_bytes()). After lab_page_pool_destroy() the
 * pages still in flight keep that memory in use; the last one to come back
 * releases the pool (params.release is called then, Linux's deferred
 * page_pool_release_retry), and lab_page_pool_inflight() says how many a
 * driver never returned.
 *
 * Misuse is reported ("BUG: Bad page state ... page_pool: ...") and
 * refused, the page and the pool as they were: a direct recycle outside the
 * owning context, a page of another pool or of the plain allocator, a put
 * of a page the pool already holds, a second destroy.
 */
#ifndef LABYRINTH_PAGE_POOL_H
#define LABYRINTH_PAGE_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <labyrinth/labyrinth.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LAB_PP_ALLOC_CACHE_SIZE   128   /* PP_ALLOC_CACHE_SIZE */
#define LAB_PP_ALLOC_CACHE_REFILL 64    /* PP_ALLOC_CACHE_REFILL: one slow-path bulk */
#define LAB_PP_RING_MAX           32768 /* page_pool_init's limit on pool_size */
#define LAB_PP_FRAG_ALIGN         8     /* x86-64: max(dma cache alignment 1, alignof skb_shared_info) */

/* lab_page_pool_params.flags */
#define LAB_PP_FLAG_DMA_MAP  0x1u      /* PP_FLAG_DMA_MAP: the platform's dma_map gives each
					* page its bus address once; recycled pages keep it */
#define LAB_PP_FLAG_HARDIRQ  0x100u    /* the owning context is the CPU's hardirq (an
					* embedder whose RX runs in its interrupt routine)
					* instead of its softirq (NAPI) */

struct lab_page_pool;

struct lab_page_pool_params {
	unsigned flags;                 /* LAB_PP_FLAG_* */
	unsigned order;                 /* every page of the pool has this order (< LAB_MAX_ORDER) */
	unsigned pool_size;             /* ring entries, 1..LAB_PP_RING_MAX (rounded up to a power of 2) */
	unsigned cpu;                   /* the CPU whose NAPI context owns the pool */
	/* Where the pool lives: at least lab_page_pool_bytes() bytes, 64-byte
	 * aligned, untouched by the caller until the pool is released. */
	void *memory;
	size_t memory_bytes;
	/* Called once when a destroyed pool has its last page back (may be
	 * from any context: it must not block). NULL = nobody to tell. */
	void (*release)(void *arg, struct lab_page_pool *pool);
	void *release_arg;
};

/* Statistics as `ethtool -S` reports them (struct page_pool_stats). */
struct lab_page_pool_stats {
	struct {
		uint64_t fast;            /* served from the direct cache */
		uint64_t slow;            /* order-0 refills from the allocator (one bulk each) */
		uint64_t slow_high_order; /* order > 0 pages from the allocator */
		uint64_t empty;           /* cache empty and ring empty */
		uint64_t refill;          /* cache refilled from the ring */
		uint64_t waive;           /* ring pages of another NUMA node: one node here, so 0 */
	} alloc_stats;
	struct {
		uint64_t cached;          /* puts into the direct cache */
		uint64_t cache_full;      /* direct puts that found the cache full */
		uint64_t ring;            /* puts into the ring */
		uint64_t ring_full;       /* puts that found the ring full: page to the allocator */
		uint64_t released_refcnt; /* pages released to the allocator because a put could not
					   * recycle them (the pool was destroyed) */
	} recycle_stats;
};
#define LAB_PP_NR_STATS 11
/* The ethtool names in page_pool_ethtool_stats_get's order ("rx_pp_alloc_fast", ...). */
extern const char *const lab_page_pool_stat_names[LAB_PP_NR_STATS];
/* The statistics in that order. */
void lab_page_pool_stats_values(const struct lab_page_pool_stats *s, uint64_t out[LAB_PP_NR_STATS]);

/* Adds @s to @sum, counter by counter (page_pool_get_stats accumulates). */
void lab_page_pool_stats_add(struct lab_page_pool_stats *sum, const struct lab_page_pool_stats *s);

/* Bytes lab_page_pool_create needs for @params (0 if they are invalid). */
size_t lab_page_pool_bytes(const struct lab_page_pool_params *params);
/*
 * page_pool_create: a pool in params->memory. NULL and *@err (when non-NULL)
 * = LAB_EINVAL for bad params (order, pool_size, cpu, memory), with the
 * reason logged through the platform. Any context; O(pool_size).
 */
struct lab_page_pool *lab_page_pool_create(struct lab_mem *mem, const struct lab_page_pool_params *params,
					   int *err);
/*
 * page_pool_alloc_pages: a page of the pool's order, NULL when the pool is
 * empty and the allocator refuses @gfp (its failure record says why). Only
 * in the owning context (elsewhere: reported, NULL). Cost: a cache hit is
 * a few loads and stores; a refill takes up to 64 pages from the ring or
 * one lab_alloc_pages_bulk.
 */
struct lab_page *lab_page_pool_alloc_pages(struct lab_page_pool *pool, lab_gfp_t gfp);
/*
 * page_pool_alloc_frag: @size bytes (rounded up to LAB_PP_FRAG_ALIGN) of a
 * shared page at *@offset; each fragment is one reference of the page,
 * which is recycled when the last is put. Owning context only. NULL when
 * @size exceeds the pool's page size or no page could be had.
 */
struct lab_page *lab_page_pool_alloc_frag(struct lab_page_pool *pool, unsigned *offset, unsigned size,
					  lab_gfp_t gfp);
/*
 * page_pool_put_full_page(pool, page, allow_direct): drops one reference
 * (a fragment's or the whole page's); the last one recycles the page: in
 * the owning context (always with @allow_direct, and without it as 6.12's
 * page_pool_napi_local) into the direct cache, else into the ring, and when
 * both are full back to the allocator. Any context. Returns 0, or
 * LAB_EINVAL (reported, nothing changed) for a page that is not one of
 * this pool's in flight, or @allow_direct outside the owning context.
 */
int lab_page_pool_put_page(struct lab_page_pool *pool, struct lab_page *page, int allow_direct);
/* page_pool_recycle_direct: lab_page_pool_put_page(pool, page, 1). */
int lab_page_pool_recycle_direct(struct lab_page_pool *pool, struct lab_page *page);
/*
 * page_pool_destroy: gives the cached and ringed pages back; the pool is
 * released now if nothing is in flight, else when the last page returns.
 * Call when the owning context no longer allocates (NAPI disabled).
 * LAB_EINVAL (reported) for a pool already destroyed.
 */
int lab_page_pool_destroy(struct lab_page_pool *pool);
/*
 * page_pool_release_retry's check: pages handed out and not yet returned
 * (hold_cnt - release_cnt, cached and ringed pages excluded after destroy).
 * On a destroyed pool still waiting, logs Linux's warning
 * "page_pool_release_retry() stalled pool shutdown: id N, M inflight S sec"
 * when @warn. Any context.
 */
long lab_page_pool_inflight(struct lab_page_pool *pool, int warn);
/* 1 once a destroyed pool has all its pages back (its memory is free). */
int lab_page_pool_released(const struct lab_page_pool *pool);
/*
 * Walks the pool: every cached and ringed page is this pool's, unreferenced
 * and held once; hold_cnt - release_cnt covers them. Returns the number of
 * violations (each logged). Call in the owning context or with the pool
 * quiet; O(cache^2 + ring).
 */
int lab_page_pool_check(struct lab_page_pool *pool);
/* The counters (ring and release counters read locklessly). */
void lab_page_pool_get_stats(const struct lab_page_pool *pool, struct lab_page_pool_stats *out);
/* The page_pool_release tracepoint's counters: pages the pool took from
 * the allocator (hold) and gave back (release). Lockless. */
void lab_page_pool_counts(const struct lab_page_pool *pool, uint64_t *hold, uint64_t *release);
/* page_pool_get_dma_addr: the bus address the platform gave @page (0 without DMA_MAP). */
lab_phys_t lab_page_pool_get_dma_addr(const struct lab_page *page);
/* The pool's id (as page_pool's netlink id: unique per process, from 1). */
unsigned lab_page_pool_id(const struct lab_page_pool *pool);

#ifdef __cplusplus
}
#endif
#endif
