/* SPDX-License-Identifier: MIT */
/*
 * core/page_pool.c - a NIC RX queue's page recycler (Linux page_pool,
 * net/core/page_pool.c: 6.1's statistics and fragment bias, 6.12's
 * napi-local recycling of puts without allow_direct).
 *
 *   struct lab_page_pool (in the caller's memory)
 *   +-----------------------------+
 *   | owner line: count, cache[]  |  (o) direct cache, LIFO, 128 pages:
 *   |  alloc stats, hold_cnt,     |      alloc pops, owner puts push
 *   |  frag_page/offset/users     |
 *   +-----------------------------+
 *   | ring_head (consumers)       |  (a) Vyukov bounded queue of page idx:
 *   | ring_tail (producers)       |      slot k is ready for the consumer at
 *   | release_cnt, recycle stats  |      position p when seq == p + 1, free
 *   +-----------------------------+      for the producer at p when seq == p
 *   | ring[pool_size] {seq, idx}  |
 *   +-----------------------------+
 *
 * A pool page is an allocated head of the allocator whose owner word is
 * LAB_OWN_PAGE_POOL | tag << 16 (owner id 0: reclaim, compaction and
 * contiguous ranges leave it alone). While the pool has it, its free-list
 * links are the pool's:
 *   next  references (pp_ref_count): 0 = in the cache or the ring,
 *         n = n users (1 for a whole page; BIAS - handed out + put for a
 *         fragment page the pool is still cutting)
 *   prev  bus address >> LAB_PAGE_SHIFT (LAB_PP_FLAG_DMA_MAP)
 *
 * Invariants (checked by tests/core/test_page_pool.c after every path):
 *   hold_cnt - release_cnt == cached + ringed + in flight
 *   a page is in at most one of: cache, ring, a user's hands
 *
 * Locks: (o) the owning context only (the pool's CPU in softirq, or hardirq
 * with LAB_PP_FLAG_HARDIRQ): plain loads and stores, relaxed atomics where
 * a reader elsewhere looks (statistics); (a) atomics, any context.
 */
#include "internal.h"
#include <labyrinth/page_pool.h>

#define PP_MAGIC        0x50706f6fu    /* "Ppoo" */
#define PP_BIAS         0x40000000u    /* BIAS_MAX: references of a page being cut */
#define PP_TAG_SHIFT    16

enum pp_state { PP_LIVE = 1, PP_DESTROYING, PP_DESTROYED, PP_RELEASED };

struct pp_slot {
	uint32_t seq;                       /* (a) */
	uint32_t idx;                       /* page index in mem->pages */
};

struct lab_page_pool {
	/* owner line(s): what alloc and a direct put touch */
	uint32_t count;                     /* (o) pages in cache[] */
	uint32_t order;                     /* (i) */
	uint32_t cpu;                       /* (i) */
	uint32_t flags;                     /* (i) LAB_PP_FLAG_* */
	struct lab_mem *mem;                /* (i) */
	struct lab_page *pages;             /* (i) mem->pages */
	uintptr_t span_bytes;               /* (i) bytes of mem->pages[] */
	/* (i) the platform's context hooks, copied: the fast path's only calls */
	unsigned (*cpu_id)(void *ctx);
	unsigned (*preempt_count)(void *ctx);
	enum lab_context (*context)(void *ctx);
	void *plat_ctx;
	uint32_t owner_word;                /* (i) LAB_OWN_PAGE_POOL | tag << 16 */
	uint32_t id;                        /* (i) */
	unsigned long hold_cnt;             /* (o) pages taken from the allocator */
	unsigned long a_fast, a_slow, a_slow_ho, a_empty, a_refill, a_waive;   /* (o) */
	unsigned long r_cached, r_cache_full;                                   /* (o) */
	struct lab_page *frag_page;         /* (o) page being cut into fragments */
	uint32_t frag_offset;               /* (o) */
	uint32_t frag_users;                /* (o) fragments handed out of frag_page */
	/* the ring and what any context writes */
	uint32_t ring_head __attribute__((aligned(64)));   /* (a) next slot to consume */
	uint32_t ring_tail __attribute__((aligned(64)));   /* (a) next slot to produce */
	uint32_t ring_mask;                 /* (i) */
	uint32_t magic;                     /* (i) PP_MAGIC */
	uint32_t state;                     /* (a) enum pp_state */
	unsigned long release_cnt;          /* (a) pages given back to the allocator */
	unsigned long r_ring, r_ring_full, r_released;   /* (a) */
	uint64_t defer_start_ns;            /* (a) when destroy found pages in flight */
	void (*release)(void *arg, struct lab_page_pool *pool);   /* (i) */
	void *release_arg;                  /* (i) */
	struct lab_page *cache[LAB_PP_ALLOC_CACHE_SIZE] __attribute__((aligned(64)));   /* (o) */
	struct pp_slot ring[];              /* [ring_mask + 1] */
};

const char *const lab_page_pool_stat_names[LAB_PP_NR_STATS] = {
	"rx_pp_alloc_fast", "rx_pp_alloc_slow", "rx_pp_alloc_slow_ho", "rx_pp_alloc_empty",
	"rx_pp_alloc_refill", "rx_pp_alloc_waive", "rx_pp_recycle_cached", "rx_pp_recycle_cache_full",
	"rx_pp_recycle_ring", "rx_pp_recycle_ring_full", "rx_pp_recycle_released_ref",
};

static uint32_t pp_last_id;             /* (a) ids handed out so far */

/* ---- small helpers ---------------------------------------------------------- */

/* An owner-only counter that other CPUs read: a relaxed load and store, no
 * locked instruction (Linux's alloc_stat_inc is a plain increment). */
static inline void own_inc(unsigned long *c, unsigned long n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline void any_inc(unsigned long *c, unsigned long n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static inline uint32_t pp_ref(const struct lab_page *p)
{
	return __atomic_load_n(&p->next, __ATOMIC_ACQUIRE);
}

static inline void pp_ref_set(struct lab_page *p, uint32_t v)
{
	__atomic_store_n(&((struct lab_page *)p)->next, v, __ATOMIC_RELEASE);
}

static inline uint32_t pool_state(const struct lab_page_pool *pool)
{
	return __atomic_load_n(&pool->state, __ATOMIC_ACQUIRE);
}

/*
 * Is the caller the pool's owning context? The pool's CPU, serving its
 * softirq (or bh-disabled) and not in a hardirq or NMI above it; with
 * LAB_PP_FLAG_HARDIRQ, in its hardirq. A platform without preempt_count
 * answers with its context hook; one with neither hook has one context.
 * Two indirect calls on the host (thread-local reads).
 */
static inline bool in_owner_context(const struct lab_page_pool *pool)
{
	bool hardirq = pool->flags & LAB_PP_FLAG_HARDIRQ;

	if (pool->cpu_id && pool->cpu_id(pool->plat_ctx) != pool->cpu)
		return false;
	if (pool->preempt_count) {
		unsigned pc = pool->preempt_count(pool->plat_ctx);
		if (hardirq)
			return (pc & (LAB_HARDIRQ_MASK | LAB_NMI_MASK)) && !(pc & LAB_NMI_MASK);
		return (pc & (LAB_SOFTIRQ_MASK | LAB_HARDIRQ_MASK | LAB_NMI_MASK)) &&
		       !(pc & (LAB_HARDIRQ_MASK | LAB_NMI_MASK));
	}
	if (pool->context)
		return pool->context(pool->plat_ctx) == (hardirq ? LAB_CTX_HARDIRQ : LAB_CTX_SOFTIRQ);
	return true;
}

/* One of this pool's pages? A range check (the pointer may be anything)
 * and the owner word, which only this pool's pages carry. */
static inline bool is_pool_page(const struct lab_page_pool *pool, const struct lab_page *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)pool->pages;
	return off < pool->span_bytes && !(off % sizeof(struct lab_page)) && page_owner(page) == pool->owner_word;
}

static void pp_misuse(struct lab_page_pool *pool, struct lab_page *page, const char *why)
{
	lab__report_bad_page(pool->mem, page, why);
}

/* ---- the ring: a bounded multi-producer multi-consumer queue ---------------- */

/* One page into the ring; false when it is full. Lock-free: a producer
 * never waits for another; a slot a consumer has not yet released reads
 * as full. Any context (an interrupt on a CPU that was mid-produce only
 * finds that slot taken and moves on). */
static bool ring_produce(struct lab_page_pool *pool, uint32_t idx)
{
	uint32_t pos = __atomic_load_n(&pool->ring_tail, __ATOMIC_RELAXED);
	for (;;) {
		struct pp_slot *s = &pool->ring[pos & pool->ring_mask];
		uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		int32_t dif = (int32_t)(seq - pos);
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&pool->ring_tail, &pos, pos + 1, true, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				s->idx = idx;
				__atomic_store_n(&s->seq, pos + 1, __ATOMIC_RELEASE);
				return true;
			}
		} else if (dif < 0) {
			return false;
		} else {
			pos = __atomic_load_n(&pool->ring_tail, __ATOMIC_RELAXED);
		}
	}
}

/* Up to @max pages out of the ring into @out: the ready slots from the
 * head are claimed with one compare-and-swap. Returns how many. */
static unsigned ring_consume(struct lab_page_pool *pool, struct lab_page **out, unsigned max)
{
	uint32_t pos = __atomic_load_n(&pool->ring_head, __ATOMIC_RELAXED);
	unsigned n;
	for (;;) {
		for (n = 0; n < max; n++) {
			struct pp_slot *s = &pool->ring[(pos + n) & pool->ring_mask];
			if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != pos + n + 1)
				break;
		}
		if (!n)
			return 0;
		if (__atomic_compare_exchange_n(&pool->ring_head, &pos, pos + n, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
	}
	for (unsigned k = 0; k < n; k++) {
		struct pp_slot *s = &pool->ring[(pos + k) & pool->ring_mask];
		out[k] = &pool->pages[s->idx];
		__atomic_store_n(&s->seq, pos + k + pool->ring_mask + 1, __ATOMIC_RELEASE);
	}
	return n;
}

static uint32_t ring_count(const struct lab_page_pool *pool)
{
	return __atomic_load_n(&pool->ring_tail, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&pool->ring_head, __ATOMIC_ACQUIRE);
}

/* ---- pages entering and leaving the pool ------------------------------------ */

/* page_pool_set_pp_info + page_pool_dma_map: a page from the allocator
 * becomes the pool's (held, in no one's hands yet). false: the platform
 * could not map it and it went back. (o) */
static bool pp_take(struct lab_page_pool *pool, struct lab_page *p)
{
	const struct lab_platform *pl = &pool->mem->plat;
	uint32_t dma_pfn = 0;

	if ((pool->flags & LAB_PP_FLAG_DMA_MAP) && pl->dma_map) {
		lab_phys_t dma = pl->dma_map(pl->ctx, page_pfn(pool->mem, p), pool->order);
		if (dma == LAB_DMA_MAPPING_ERROR || (dma >> LAB_PAGE_SHIFT) >= 0xffffffffull ||
		    (dma & (LAB_PAGE_SIZE - 1))) {
			if (dma != LAB_DMA_MAPPING_ERROR && pl->dma_unmap)
				pl->dma_unmap(pl->ctx, dma, pool->order);
			lab_free_pages(pool->mem, p, pool->order);
			return false;
		}
		dma_pfn = (uint32_t)(dma >> LAB_PAGE_SHIFT);
	} else if (pool->flags & LAB_PP_FLAG_DMA_MAP) {
		dma_pfn = (uint32_t)page_pfn(pool->mem, p);
	}
	__atomic_store_n(&p->prev, dma_pfn, __ATOMIC_RELAXED);
	pp_ref_set(p, 0);
	page_owner_set(p, pool->owner_word);
	own_inc(&pool->hold_cnt, 1);
	return true;
}

static void maybe_release_pool(struct lab_page_pool *pool);

/* page_pool_return_page: unmap, forget, free; the last page of a destroyed
 * pool releases it. Any context. */
static void pp_return(struct lab_page_pool *pool, struct lab_page *p)
{
	const struct lab_platform *pl = &pool->mem->plat;
	if ((pool->flags & LAB_PP_FLAG_DMA_MAP) && pl->dma_unmap)
		pl->dma_unmap(pl->ctx, (lab_phys_t)__atomic_load_n(&p->prev, __ATOMIC_RELAXED) << LAB_PAGE_SHIFT,
			      pool->order);
	page_owner_set(p, 0);
	__atomic_store_n(&p->prev, LAB_NIL, __ATOMIC_RELAXED);
	pp_ref_set(p, LAB_NIL);
	lab_free_pages(pool->mem, p, pool->order);
	any_inc(&pool->release_cnt, 1);
	maybe_release_pool(pool);
}

/* The destroyed pool's last page is back: released, exactly once. */
static void maybe_release_pool(struct lab_page_pool *pool)
{
	uint32_t st = PP_DESTROYED;
	if (pool_state(pool) != PP_DESTROYED)
		return;
	if (__atomic_load_n(&pool->release_cnt, __ATOMIC_ACQUIRE) != __atomic_load_n(&pool->hold_cnt, __ATOMIC_RELAXED))
		return;
	if (!__atomic_compare_exchange_n(&pool->state, &st, PP_RELEASED, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	if (pool->release)
		pool->release(pool->release_arg, pool);
}

/* Pages put into the ring while destroy was emptying it go back too. */
static void drain_ring(struct lab_page_pool *pool)
{
	struct lab_page *batch[16];
	unsigned n;
	while ((n = ring_consume(pool, batch, 16)))
		for (unsigned k = 0; k < n; k++)
			pp_return(pool, batch[k]);
}

/* ---- allocation --------------------------------------------------------------- */

/* page_pool_refill_alloc_cache: up to PP_ALLOC_CACHE_REFILL pages from the
 * ring; one is returned, the rest cached. (o) */
static struct lab_page *refill_from_ring(struct lab_page_pool *pool)
{
	unsigned n = ring_consume(pool, pool->cache, LAB_PP_ALLOC_CACHE_REFILL);
	if (!n) {
		own_inc(&pool->a_empty, 1);
		return NULL;
	}
	pool->count = n - 1;
	own_inc(&pool->a_refill, 1);
	return pool->cache[n - 1];
}

/* __page_pool_alloc_pages_slow: order 0 takes a bulk of 64 from the
 * per-CPU lists into the cache; a higher order one compound block. (o) */
static struct lab_page *alloc_slow(struct lab_page_pool *pool, lab_gfp_t gfp)
{
	if (pool->order) {
		struct lab_page *p = lab_alloc_pages(pool->mem, gfp | LAB___GFP_COMP, pool->order);
		if (!p || !pp_take(pool, p))
			return NULL;
		own_inc(&pool->a_slow_ho, 1);
		return p;
	}
	struct lab_page **c = pool->cache;
	for (unsigned i = 0; i < LAB_PP_ALLOC_CACHE_REFILL; i++)
		c[i] = NULL;
	lab_alloc_pages_bulk(pool->mem, gfp, LAB_PP_ALLOC_CACHE_REFILL, c);
	unsigned n = 0;
	for (unsigned i = 0; i < LAB_PP_ALLOC_CACHE_REFILL; i++)
		if (c[i] && pp_take(pool, c[i]))
			c[n++] = c[i];
	if (!n)
		return NULL;
	pool->count = n - 1;
	own_inc(&pool->a_slow, 1);
	return c[n - 1];
}

/* The cache, the ring, the allocator; the page is handed out with one
 * reference. (o) */
static inline struct lab_page *pp_get(struct lab_page_pool *pool, lab_gfp_t gfp)
{
	struct lab_page *p;
	if (__builtin_expect(pool->count != 0, 1)) {
		p = pool->cache[--pool->count];
		own_inc(&pool->a_fast, 1);
	} else {
		p = refill_from_ring(pool);
		if (!p)
			p = alloc_slow(pool, gfp);
		if (!p)
			return NULL;
	}
	pp_ref_set(p, 1);
	return p;
}

static bool alloc_allowed(struct lab_page_pool *pool)
{
	if (!pool || pool->magic != PP_MAGIC)
		return false;
	if (__builtin_expect(pool_state(pool) != PP_LIVE, 0)) {
		pp_misuse(pool, NULL, "page_pool: allocation from a destroyed pool");
		return false;
	}
	if (__builtin_expect(!in_owner_context(pool), 0)) {
		pp_misuse(pool, NULL, "page_pool: allocation outside the pool's NAPI context");
		return false;
	}
	return true;
}

static __attribute__((noinline)) struct lab_page *alloc_checked(struct lab_page_pool *pool, lab_gfp_t gfp)
{
	if (!alloc_allowed(pool))
		return NULL;
	return pp_get(pool, gfp);
}

struct lab_page *lab_page_pool_alloc_pages(struct lab_page_pool *pool, lab_gfp_t gfp)
{
	/* the fast path: a cache hit in the owning context of a live pool */
	if (__builtin_expect(pool && pool->magic == PP_MAGIC && pool->count && pool_state(pool) == PP_LIVE &&
			     in_owner_context(pool), 1)) {
		struct lab_page *p = pool->cache[--pool->count];
		own_inc(&pool->a_fast, 1);
		pp_ref_set(p, 1);
		return p;
	}
	return alloc_checked(pool, gfp);
}

/* Drops @n references of @p (any context); true when they were the last. A
 * put of a page with none left is refused by the caller. */
static bool pp_unref(struct lab_page *p, uint32_t n, bool *bad)
{
	uint32_t r = pp_ref(p);
	do {
		if (r < n || r == LAB_NIL) {
			*bad = true;
			return false;
		}
	} while (!__atomic_compare_exchange_n(&p->next, &r, r - n, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return r == n;
}

/* page_pool_drain_frag: the pool stops cutting @p; true when every
 * fragment is already back (the page is the pool's again, unreferenced). */
static bool drain_frag(struct lab_page_pool *pool, struct lab_page *p)
{
	bool bad = false;
	bool last = pp_unref(p, PP_BIAS - pool->frag_users, &bad);
	if (bad)
		pp_misuse(pool, p, "page_pool: fragment page has more puts than fragments");
	return last;
}

struct lab_page *lab_page_pool_alloc_frag(struct lab_page_pool *pool, unsigned *offset, unsigned size,
					  lab_gfp_t gfp)
{
	unsigned max_size = (unsigned)(LAB_PAGE_SIZE << (pool ? pool->order : 0));
	if (!offset || !alloc_allowed(pool))
		return NULL;
	if (!size || size > max_size) {
		pp_misuse(pool, NULL, "page_pool: fragment size is 0 or larger than the pool's pages");
		return NULL;
	}
	size = (size + LAB_PP_FRAG_ALIGN - 1) & ~(unsigned)(LAB_PP_FRAG_ALIGN - 1);
	struct lab_page *p = pool->frag_page;
	*offset = pool->frag_offset;
	if (p && *offset + size > max_size) {
		pool->frag_page = NULL;
		if (drain_frag(pool, p)) {
			own_inc(&pool->a_fast, 1);
			goto reset;
		}
		p = NULL;
	}
	if (!p) {
		p = pp_get(pool, gfp);
		if (!p)
			return NULL;
reset:
		pool->frag_page = p;
		pool->frag_users = 1;
		pool->frag_offset = size;
		*offset = 0;
		pp_ref_set(p, PP_BIAS);
		return p;
	}
	pool->frag_users++;
	pool->frag_offset = *offset + size;
	own_inc(&pool->a_fast, 1);
	return p;
}

/* ---- recycling ---------------------------------------------------------------- */

/* Is @page one of @pool's, handed out? NULL, or why not. */
static const char *not_pool_page(const struct lab_page_pool *pool, const struct lab_page *page)
{
	const char *why = lab__foreign_page(pool->mem, page);
	if (why)
		return why;
	if (!(page_state(page).flags & LAB_PG_HEAD))
		return "page_pool: put of a page that is not allocated";
	uint32_t own = page_owner(page);
	if (!(own & LAB_OWN_PAGE_POOL))
		return "page_pool: put of a page that is not a page_pool page";
	if (own != pool->owner_word)
		return "page_pool: put of a page of another page_pool";
	return NULL;
}

/* The last reference is gone, not direct-cached: the ring, or the
 * allocator when it is full or the pool is going away. Any context. */
static void recycle_to_ring(struct lab_page_pool *pool, struct lab_page *p)
{
	if (pool_state(pool) != PP_LIVE) {
		any_inc(&pool->r_released, 1);
		pp_return(pool, p);
		return;
	}
	if (!ring_produce(pool, page_idx(pool->mem, p))) {
		any_inc(&pool->r_ring_full, 1);
		pp_return(pool, p);
		return;
	}
	any_inc(&pool->r_ring, 1);
	if (pool_state(pool) != PP_LIVE)      /* destroy emptied the ring meanwhile */
		drain_ring(pool);
}

static __attribute__((noinline)) int put_refused(struct lab_page_pool *pool, struct lab_page *page)
{
	if (!pool || pool->magic != PP_MAGIC)
		return LAB_EINVAL;
	const char *why = not_pool_page(pool, page);
	pp_misuse(pool, lab__foreign_page(pool->mem, page) ? NULL : page,
		  why ? why : "page_pool: put of a page that is not this pool's");
	return LAB_EINVAL;
}

static int put_slow(struct lab_page_pool *pool, struct lab_page *page, int allow_direct, bool direct);

int lab_page_pool_put_page(struct lab_page_pool *pool, struct lab_page *page, int allow_direct)
{
	if (__builtin_expect(!pool || pool->magic != PP_MAGIC || !is_pool_page(pool, page), 0))
		return put_refused(pool, page);
	bool direct = in_owner_context(pool);
	/* the fast path: the owner's sole reference, room in the cache; no
	 * atomic read-modify-write */
	if (__builtin_expect(direct && pp_ref(page) == 1 && pool->count < LAB_PP_ALLOC_CACHE_SIZE &&
			     pool_state(pool) == PP_LIVE, 1)) {
		pp_ref_set(page, 0);
		pool->cache[pool->count++] = page;
		own_inc(&pool->r_cached, 1);
		return 0;
	}
	return put_slow(pool, page, allow_direct, direct);
}

static __attribute__((noinline)) int put_slow(struct lab_page_pool *pool, struct lab_page *page, int allow_direct,
					      bool direct)
{
	if (allow_direct && !direct) {
		pp_misuse(pool, page, "page_pool: direct recycle outside the pool's NAPI context");
		return LAB_EINVAL;
	}
	uint32_t r = pp_ref(page);
	if (direct && r == 1 && pool_state(pool) == PP_LIVE) {
		/* the owner's sole reference: no atomic read-modify-write */
		if (__builtin_expect(pool->count < LAB_PP_ALLOC_CACHE_SIZE, 1)) {
			pp_ref_set(page, 0);
			pool->cache[pool->count++] = page;
			own_inc(&pool->r_cached, 1);
			return 0;
		}
		own_inc(&pool->r_cache_full, 1);
		pp_ref_set(page, 0);
		recycle_to_ring(pool, page);
		return 0;
	}
	bool bad = false;
	if (!pp_unref(page, 1, &bad)) {
		if (bad) {
			pp_misuse(pool, page, "page_pool: double put (the pool already holds the page)");
			return LAB_EINVAL;
		}
		return 0;                       /* other fragments still use it */
	}
	if (direct && pool_state(pool) == PP_LIVE) {
		if (pool->count < LAB_PP_ALLOC_CACHE_SIZE) {
			pool->cache[pool->count++] = page;
			own_inc(&pool->r_cached, 1);
			return 0;
		}
		own_inc(&pool->r_cache_full, 1);
	}
	recycle_to_ring(pool, page);
	return 0;
}

int lab_page_pool_recycle_direct(struct lab_page_pool *pool, struct lab_page *page)
{
	return lab_page_pool_put_page(pool, page, 1);
}

/* ---- life cycle ---------------------------------------------------------------- */

static uint32_t ring_entries(unsigned pool_size)
{
	uint32_t n = 1;
	while (n < pool_size)
		n <<= 1;
	return n;
}

static const char *bad_params(const struct lab_mem *mem, const struct lab_page_pool_params *pp)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return "no allocator instance";
	if (!pp)
		return "no parameters";
	if (pp->order >= LAB_MAX_ORDER)
		return "order >= MAX_ORDER";
	if (!pp->pool_size || pp->pool_size > LAB_PP_RING_MAX)
		return "pool_size must be 1..32768";
	if (pp->cpu >= mem->nr_cpus)
		return "cpu is not one of the instance's CPUs";
	if (pp->flags & ~(LAB_PP_FLAG_DMA_MAP | LAB_PP_FLAG_HARDIRQ))
		return "unknown flags";
	return NULL;
}

size_t lab_page_pool_bytes(const struct lab_page_pool_params *params)
{
	if (!params || !params->pool_size || params->pool_size > LAB_PP_RING_MAX)
		return 0;
	return sizeof(struct lab_page_pool) + (size_t)ring_entries(params->pool_size) * sizeof(struct pp_slot);
}

struct lab_page_pool *lab_page_pool_create(struct lab_mem *mem, const struct lab_page_pool_params *params,
					   int *err)
{
	const char *why = bad_params(mem, params);
	if (!why && (!params->memory || ((uintptr_t)params->memory & 63)))
		why = "memory is NULL or not 64-byte aligned";
	if (!why && params->memory_bytes < lab_page_pool_bytes(params))
		why = "memory_bytes < lab_page_pool_bytes()";
	if (why) {
		if (mem && mem->magic == LAB_MEM_MAGIC)
			lab__log(mem, LAB_LOG_ERR, "page_pool_create: %s", why);
		if (err)
			*err = LAB_EINVAL;
		return NULL;
	}
	struct lab_page_pool *pool = params->memory;
	uint32_t n = ring_entries(params->pool_size);
	memset(pool, 0, sizeof(*pool));
	pool->order = params->order;
	pool->cpu = params->cpu;
	pool->flags = params->flags;
	pool->mem = mem;
	pool->pages = mem->pages;
	pool->span_bytes = (uintptr_t)(mem->end_pfn - mem->base_pfn) * sizeof(struct lab_page);
	pool->cpu_id = mem->plat.cpu_id;
	pool->preempt_count = mem->plat.preempt_count;
	pool->context = mem->plat.context;
	pool->plat_ctx = mem->plat.ctx;
	pool->id = __atomic_add_fetch(&pp_last_id, 1, __ATOMIC_RELAXED);
	pool->owner_word = LAB_OWN_PAGE_POOL | ((pool->id & 0xffffu) << PP_TAG_SHIFT);
	pool->ring_mask = n - 1;
	pool->release = params->release;
	pool->release_arg = params->release_arg;
	for (uint32_t i = 0; i < n; i++)
		pool->ring[i].seq = i;
	pool->magic = PP_MAGIC;
	__atomic_store_n(&pool->state, PP_LIVE, __ATOMIC_RELEASE);
	if (err)
		*err = 0;
	return pool;
}

int lab_page_pool_destroy(struct lab_page_pool *pool)
{
	uint32_t st = PP_LIVE;
	if (!pool || pool->magic != PP_MAGIC)
		return LAB_EINVAL;
	if (!__atomic_compare_exchange_n(&pool->state, &st, PP_DESTROYING, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		pp_misuse(pool, NULL, "page_pool_destroy: the pool is already destroyed");
		return LAB_EINVAL;
	}
	struct lab_page *fp = pool->frag_page;
	pool->frag_page = NULL;
	if (fp && drain_frag(pool, fp))
		pp_return(pool, fp);
	while (pool->count)
		pp_return(pool, pool->cache[--pool->count]);
	drain_ring(pool);
	if (pool->mem->plat.now_ns)
		pool->defer_start_ns = pool->mem->plat.now_ns(pool->mem->plat.ctx);
	__atomic_store_n(&pool->state, PP_DESTROYED, __ATOMIC_RELEASE);
	drain_ring(pool);                   /* a put that saw LIVE and produced late */
	maybe_release_pool(pool);
	return 0;
}

/* One cached or ringed page: the pool's, unreferenced. */
static int check_held_page(struct lab_page_pool *pool, const struct lab_page *p, const char *where)
{
	if (!is_pool_page(pool, p)) {
		lab__log(pool->mem, LAB_LOG_ERR, "page_pool check: %s page %p is not the pool's", where,
			 (const void *)p);
		return 1;
	}
	if (pp_ref(p) != 0) {
		lab__log(pool->mem, LAB_LOG_ERR, "page_pool check: %s pfn %#llx has %u references", where,
			 (unsigned long long)page_pfn(pool->mem, p), (unsigned)pp_ref(p));
		return 1;
	}
	return 0;
}

int lab_page_pool_check(struct lab_page_pool *pool)
{
	int errors = 0;
	if (!pool || pool->magic != PP_MAGIC)
		return 1;
	/* unsigned, not uint32_t: %u on every target (Cortex-M's uint32_t is a long) */
	unsigned n = pool->count, head = __atomic_load_n(&pool->ring_head, __ATOMIC_ACQUIRE);
	unsigned tail = __atomic_load_n(&pool->ring_tail, __ATOMIC_ACQUIRE);
	if (n > LAB_PP_ALLOC_CACHE_SIZE || tail - head > pool->ring_mask + 1) {
		lab__log(pool->mem, LAB_LOG_ERR, "page_pool check: cache count %u, ring %u..%u", n, head, tail);
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		errors += check_held_page(pool, pool->cache[i], "cached");
		for (unsigned j = 0; j < i; j++)
			if (pool->cache[j] == pool->cache[i]) {
				lab__log(pool->mem, LAB_LOG_ERR, "page_pool check: page cached twice");
				errors++;
			}
	}
	for (unsigned pos = head; pos != tail; pos++) {
		const struct pp_slot *sl = &pool->ring[pos & pool->ring_mask];
		if (__atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE) != pos + 1)
			continue;                   /* a producer is filling it */
		errors += check_held_page(pool, &pool->pages[sl->idx], "ringed");
	}
	long held = (long)(__atomic_load_n(&pool->hold_cnt, __ATOMIC_RELAXED) -
			   __atomic_load_n(&pool->release_cnt, __ATOMIC_ACQUIRE));
	if (held < (long)n + (long)(tail - head)) {
		lab__log(pool->mem, LAB_LOG_ERR, "page_pool check: holds %ld pages, %u cached and %u ringed", held, n,
			 tail - head);
		errors++;
	}
	return errors;
}

long lab_page_pool_inflight(struct lab_page_pool *pool, int warn)
{
	if (!pool || pool->magic != PP_MAGIC)
		return 0;
	uint32_t st = pool_state(pool);
	long held = (long)(__atomic_load_n(&pool->hold_cnt, __ATOMIC_RELAXED) -
			   __atomic_load_n(&pool->release_cnt, __ATOMIC_ACQUIRE));
	if (st == PP_LIVE)
		held -= (long)__atomic_load_n(&pool->count, __ATOMIC_RELAXED) + (long)ring_count(pool);
	if (warn && st == PP_DESTROYED && held > 0) {
		const struct lab_platform *pl = &pool->mem->plat;
		uint64_t now = pl->now_ns ? pl->now_ns(pl->ctx) : 0;
		lab__log(pool->mem, LAB_LOG_WARNING,
			 "page_pool_release_retry() stalled pool shutdown: id %u, %ld inflight %llu sec",
			 (unsigned)pool->id, held, (unsigned long long)((now - pool->defer_start_ns) / 1000000000ull));
	}
	return held;
}

int lab_page_pool_released(const struct lab_page_pool *pool)
{
	return pool && pool_state(pool) == PP_RELEASED;
}

void lab_page_pool_get_stats(const struct lab_page_pool *pool, struct lab_page_pool_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!pool || pool->magic != PP_MAGIC)
		return;
#define LD(f) ((uint64_t)__atomic_load_n(&pool->f, __ATOMIC_RELAXED))
	out->alloc_stats.fast = LD(a_fast);
	out->alloc_stats.slow = LD(a_slow);
	out->alloc_stats.slow_high_order = LD(a_slow_ho);
	out->alloc_stats.empty = LD(a_empty);
	out->alloc_stats.refill = LD(a_refill);
	out->alloc_stats.waive = LD(a_waive);
	out->recycle_stats.cached = LD(r_cached);
	out->recycle_stats.cache_full = LD(r_cache_full);
	out->recycle_stats.ring = LD(r_ring);
	out->recycle_stats.ring_full = LD(r_ring_full);
	out->recycle_stats.released_refcnt = LD(r_released);
#undef LD
}

void lab_page_pool_stats_values(const struct lab_page_pool_stats *s, uint64_t out[LAB_PP_NR_STATS])
{
	const uint64_t v[LAB_PP_NR_STATS] = {
		s->alloc_stats.fast, s->alloc_stats.slow, s->alloc_stats.slow_high_order, s->alloc_stats.empty, s->alloc_stats.refill,
		s->alloc_stats.waive, s->recycle_stats.cached, s->recycle_stats.cache_full, s->recycle_stats.ring,
		s->recycle_stats.ring_full, s->recycle_stats.released_refcnt,
	};
	memcpy(out, v, sizeof(v));
}

void lab_page_pool_counts(const struct lab_page_pool *pool, uint64_t *hold, uint64_t *release)
{
	int ok = pool && pool->magic == PP_MAGIC;
	if (hold)
		*hold = ok ? __atomic_load_n(&pool->hold_cnt, __ATOMIC_RELAXED) : 0;
	if (release)
		*release = ok ? __atomic_load_n(&pool->release_cnt, __ATOMIC_ACQUIRE) : 0;
}

void lab_page_pool_stats_add(struct lab_page_pool_stats *sum, const struct lab_page_pool_stats *s)
{
	uint64_t v[LAB_PP_NR_STATS], w[LAB_PP_NR_STATS];
	lab_page_pool_stats_values(sum, v);
	lab_page_pool_stats_values(s, w);
	sum->alloc_stats.fast = v[0] + w[0];
	sum->alloc_stats.slow = v[1] + w[1];
	sum->alloc_stats.slow_high_order = v[2] + w[2];
	sum->alloc_stats.empty = v[3] + w[3];
	sum->alloc_stats.refill = v[4] + w[4];
	sum->alloc_stats.waive = v[5] + w[5];
	sum->recycle_stats.cached = v[6] + w[6];
	sum->recycle_stats.cache_full = v[7] + w[7];
	sum->recycle_stats.ring = v[8] + w[8];
	sum->recycle_stats.ring_full = v[9] + w[9];
	sum->recycle_stats.released_refcnt = v[10] + w[10];
}

lab_phys_t lab_page_pool_get_dma_addr(const struct lab_page *page)
{
	if (!page || !(page_owner(page) & LAB_OWN_PAGE_POOL))
		return 0;
	return (lab_phys_t)__atomic_load_n(&page->prev, __ATOMIC_RELAXED) << LAB_PAGE_SHIFT;
}

unsigned lab_page_pool_id(const struct lab_page_pool *pool)
{
	return pool ? pool->id : 0;
}
