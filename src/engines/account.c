/* SPDX-License-Identifier: MIT */
/*
 * engines/account.c - every allocation a workload makes goes through here:
 * counted by order x gfp class x context, judged when it fails, and the
 * machine's state sampled over time.
 *
 *   count[order][class][context] = { requests, failures, verdict[5] }
 *     class   = kind (atomic, nowait, kernel, reclaimable, movable)
 *               x zone modifier (any, DMA32, DMA): "GFP_ATOMIC|GFP_DMA"
 *     context = process, softirq, hardirq (of the running event)
 *
 * The verdict of a failure reads the core's failure record: why each zone
 * it may use refused in the allocator's last attempt (lab_alloc_pages_why).
 * A short lab_alloc_pages_bulk() batch has no record; its verdict comes from
 * the core's own check (lab_zone_watermark_check) on a statistics snapshot
 * taken right after it (O(zones), about half a microsecond):
 *
 *   below_min        free - unusable <= reduced min mark: memory is short
 *   lowmem_reserve   a lower zone has the pages and a block of the order,
 *                    but keeps them back for its own callers (protection)
 *   fragmented       enough free pages, but no free block >= order in the
 *                    lists it may use: the labyrinth
 *   reserved         a big enough block exists, but only in HighAtomic (for
 *                    a request that may not use it), CMA or Isolate
 *   other            it would pass now (a per-CPU list held the pages)
 *
 * The request's verdict is the most hopeful zone's: fragmented > reserved
 * > lowmem_reserve > below_min, so "fragmented" means compaction would
 * have helped somewhere.
 *
 * Fallback direct reclaim: without the core's reclaim (LAB_HAVE_BACKGROUND
 * 0) a blocking request that fails is retried after sim_reclaim(), up to
 * sim.direct_reclaim_retries times, with __GFP_NOWARN on all but the last
 * attempt; the request counts once.
 */
#include <stdlib.h>
#include <string.h>
#include <labyrinth/fragindex.h>
#include "sim_int.h"

int sim_gfp_is_atomic(lab_gfp_t gfp)
{
	return !(gfp & LAB___GFP_DIRECT_RECLAIM);
}

int sim_gfp_class(lab_gfp_t gfp)
{
	int kind, zmod;
	if (!(gfp & LAB___GFP_DIRECT_RECLAIM))
		kind = (gfp & LAB___GFP_HIGH) ? GK_ATOMIC : GK_NOWAIT;
	else if (gfp & LAB___GFP_MOVABLE)
		kind = GK_MOVABLE;
	else if (gfp & LAB___GFP_RECLAIMABLE)
		kind = GK_RECLAIMABLE;
	else
		kind = GK_KERNEL;
	zmod = (gfp & LAB___GFP_DMA) ? GZ_DMA : (gfp & LAB___GFP_DMA32) ? GZ_DMA32 : GZ_ANY;
	return kind * GZ_NR + zmod;
}

const char *sim_class_name(int cls)
{
	static const char *const names[SIM_NR_CLASSES] = {
		"GFP_ATOMIC", "GFP_ATOMIC|GFP_DMA32", "GFP_ATOMIC|GFP_DMA",
		"GFP_NOWAIT", "GFP_NOWAIT|GFP_DMA32", "GFP_NOWAIT|GFP_DMA",
		"GFP_KERNEL", "GFP_KERNEL|GFP_DMA32", "GFP_KERNEL|GFP_DMA",
		"GFP_KERNEL|__GFP_RECLAIMABLE", "RECLAIMABLE|GFP_DMA32", "RECLAIMABLE|GFP_DMA",
		"GFP_HIGHUSER_MOVABLE", "MOVABLE|GFP_DMA32", "MOVABLE|GFP_DMA",
	};
	return cls >= 0 && cls < SIM_NR_CLASSES ? names[cls] : "?";
}

const char *sim_verdict_name(int v)
{
	static const char *const names[V_NR] = {
		"below_min", "lowmem_reserve", "fragmented", "reserved", "other",
	};
	return v >= 0 && v < V_NR ? names[v] : "?";
}

static int ctx_index(int ctx)
{
	return ctx == LAB_CTX_HARDIRQ || ctx == LAB_CTX_NMI ? 2 : ctx == LAB_CTX_SOFTIRQ ? 1 : 0;
}

/* Per-zone hope; higher is more hopeful. ZJ_PROTECTED: the zone has the
 * pages and a block, but its lowmem_reserve for this request's highest
 * zone keeps them back. */
enum { ZJ_NONE = -1, ZJ_BELOW = 0, ZJ_PROTECTED, ZJ_RESERVED, ZJ_FRAGMENTED, ZJ_PASS };

static int zone_hope(const struct lab_zone_refused *r, unsigned order)
{
	switch (r->reason) {
	case LAB_REFUSED_WATERMARK:
		if (r->free - r->unusable <= r->min)
			return ZJ_BELOW;
		/* only the reserve stopped it; without a block it is short anyway */
		return !order || r->blocks == LAB_BLOCKS_USABLE ? ZJ_PROTECTED : ZJ_BELOW;
	case LAB_REFUSED_NO_BLOCK:
		return ZJ_FRAGMENTED;
	case LAB_REFUSED_HIGHATOMIC_ONLY:
		return ZJ_RESERVED;
	case LAB_REFUSED_LISTS_EMPTY:
		return ZJ_PASS;
	default:
		return ZJ_NONE;   /* a zone the request may not use */
	}
}

/* The most hopeful zone's verdict: "fragmented" means compaction would
 * have helped somewhere. */
static int verdict_of(const struct lab_alloc_refusals *why, unsigned order)
{
	int best = ZJ_BELOW;
	for (unsigned i = 0; i < why->nr; i++) {
		int j = zone_hope(&why->zone[i], order);
		if (j > best)
			best = j;
	}
	switch (best) {
	case ZJ_PASS: return V_OTHER;
	case ZJ_FRAGMENTED: return V_FRAGMENTED;
	case ZJ_RESERVED: return V_RESERVED;
	case ZJ_PROTECTED: return V_LOWMEM_RESERVE;
	default: return V_BELOW_MIN;
	}
}

/* A record for a short bulk batch: the core's check of each zone the
 * request may use, on a snapshot (zones that pass: LISTS_EMPTY). */
static void refusals_from_snapshot(struct lab_sim *sim, lab_gfp_t gfp, unsigned order,
				   struct lab_alloc_refusals *why)
{
	struct lab_mem_stats *st = sim->stats_tmp;
	int highest = lab_gfp_zone(gfp);
	if (highest < 0)
		highest = 0;
	lab_mem_get_stats(sim->mem, st);
	unsigned flags = lab_gfp_alloc_flags(gfp, order, (gfp & LAB___GFP_MOVABLE) && st->cma_enabled);
	why->nr = 0;
	for (int zi = highest; zi >= 0; zi--) {
		const struct lab_zone_stats *z = &st->zone[zi];
		if (!st->populated[zi])
			continue;
		struct lab_wmark_zone w = {
			.free = (int64_t)z->free, .mark = z->wmark[LAB_WMARK_MIN] + z->boost, .boost = z->boost,
			.min = z->wmark[LAB_WMARK_MIN], .lowmem_reserve = z->lowmem_reserve[highest],
			.reserved_highatomic = z->nr_reserved_highatomic, .free_cma = z->free_cma,
			.free_highatomic = z->nr_free_highatomic, .kernel = st->kernel,
		};
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
			for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
				if (z->nr_free_mt[o][mt])
					w.nonempty[mt] |= 1u << o;
		struct lab_zone_refused *r = &why->zone[why->nr++];
		if (!lab_zone_watermark_check(&w, order, flags, gfp, r))
			r->reason = LAB_REFUSED_LISTS_EMPTY;
		r->zone = (uint8_t)zi;
	}
}

/* The picture at the first failed atomic allocation (for --map-at). */
static void snapshot_first_failure(struct lab_sim *sim)
{
	size_t n = lab_mem_nr_pageblocks(sim->mem);
	if (n > (1u << 22))
		return;
	sim->ff_blocks = malloc(n * sizeof(*sim->ff_blocks));
	sim->ff_stats = malloc(sizeof(*sim->ff_stats));
	if (!sim->ff_blocks || !sim->ff_stats) {
		free(sim->ff_blocks);
		free(sim->ff_stats);
		sim->ff_blocks = NULL;
		sim->ff_stats = NULL;
		return;
	}
	size_t got = 0, k;
	while (got < n && (k = lab_mem_pageblocks(sim->mem, got, sim->ff_blocks + got, n - got)) > 0)
		got += k;
	sim->ff_nr_blocks = got;
	lab_mem_get_stats(sim->mem, sim->ff_stats);
}

/* @why: the failure record, NULL for a short bulk batch. */
static void count_result(struct lab_sim *sim, struct sim_wl *wl, lab_gfp_t gfp, unsigned order,
			 uint64_t n, uint64_t failed, const struct lab_alloc_refusals *why)
{
	struct sim_count *c = &sim->count[order][sim_gfp_class(gfp)][ctx_index(sim->cur.ctx)];
	int atomic = sim_gfp_is_atomic(gfp);
	c->requests += n;
	sim->requests += n;
	wl->req[order] += n;
	if (atomic)
		sim->atomic_requests += n;
	if (!failed)
		return;
	c->failures += failed;
	sim->failures += failed;
	wl->fail[order] += failed;
	struct lab_alloc_refusals snap;
	if (!why) {
		refusals_from_snapshot(sim, gfp, order, &snap);
		why = &snap;
	}
	c->verdict[verdict_of(why, order)] += failed;
	if (atomic) {
		sim->atomic_failures += failed;
		if (sim->first_atomic_failure_ns == SIM_NEVER) {
			sim->first_atomic_failure_ns = sim->now;
			sim->first_atomic_failure_phase = sim->phase;
			snapshot_first_failure(sim);
		}
	}
}

static void held(struct sim_wl *wl, uint64_t pages)
{
	wl->pages_held += pages;
	if (wl->pages_held > wl->pages_held_max)
		wl->pages_held_max = wl->pages_held;
}

struct lab_page *sim_alloc(struct lab_sim *sim, struct sim_wl *wl, lab_gfp_t gfp, unsigned order)
{
	struct lab_alloc_refusals why;
	struct lab_page *p;

	sim->alloc_calls++;
#if !LAB_HAVE_BACKGROUND
	if ((gfp & LAB___GFP_DIRECT_RECLAIM) && sim->cur.ctx == LAB_CTX_PROCESS &&
	    sim->sc.sim.direct_reclaim_retries) {
		p = lab_alloc_pages_why(sim->mem, gfp | LAB___GFP_NOWARN, order, &why);
		for (unsigned i = 0; !p && i < sim->sc.sim.direct_reclaim_retries; i++) {
			uint64_t got = sim_reclaim(sim, (uint64_t)sim->sc.sim.kswapd_batch << order);
			sim->direct_reclaims++;
			sim->direct_reclaim_pages += got;
			sim->sleep_ns += got * sim->sc.sim.kswapd_ns_per_page;
			if (!got)
				break;
			sim->alloc_calls++;
			p = lab_alloc_pages_why(sim->mem, (i + 1 < sim->sc.sim.direct_reclaim_retries) ?
						gfp | LAB___GFP_NOWARN : gfp, order, &why);
		}
		if (!p && !(gfp & LAB___GFP_NOWARN)) {
			sim->alloc_calls++;
			p = lab_alloc_pages_why(sim->mem, gfp, order, &why);
		}
	} else
#endif
		p = lab_alloc_pages_why(sim->mem, gfp, order, &why);
	count_result(sim, wl, gfp, order, 1, p ? 0 : 1, &why);
	if (p)
		held(wl, 1ull << order);
	return p;
}

unsigned sim_alloc_bulk(struct lab_sim *sim, struct sim_wl *wl, lab_gfp_t gfp, unsigned nr,
			struct lab_page **pages)
{
	unsigned before = 0, got;
	for (unsigned i = 0; i < nr; i++)
		before += pages[i] != NULL;
	sim->alloc_calls += nr - before;
	got = lab_alloc_pages_bulk(sim->mem, gfp, nr, pages);
	count_result(sim, wl, gfp, 0, nr - before, nr - got, NULL);
	held(wl, got - before);
	return got;
}

void sim_free(struct lab_sim *sim, struct sim_wl *wl, struct lab_page *page, unsigned order)
{
	sim->free_calls++;
	lab_free_pages(sim->mem, page, order);
	wl->pages_held -= 1ull << order;
}

/*
 * A page_pool allocation: what the pool took from the allocator on the way
 * (a bulk of order-0 pages, or one high-order block) is counted as the
 * workload's requests, as sim_alloc_bulk and sim_alloc count them; a NULL
 * from the pool is a refused request (the allocator's record says why).
 * Cache and ring hits cost the allocator nothing and count nothing.
 */
struct lab_page *sim_pool_alloc(struct lab_sim *sim, struct sim_wl *wl, struct lab_page_pool *pool,
				lab_gfp_t gfp, unsigned order)
{
	uint64_t h0, h1;
	struct lab_page_pool_stats s0, s1;
	lab_page_pool_counts(pool, &h0, NULL);
	lab_page_pool_get_stats(pool, &s0);
	struct lab_page *p = lab_page_pool_alloc_pages(pool, gfp);
	lab_page_pool_counts(pool, &h1, NULL);
	lab_page_pool_get_stats(pool, &s1);
	uint64_t got = h1 - h0;
	if (order == 0 && (s1.alloc_stats.slow != s0.alloc_stats.slow || !p)) {
		sim->alloc_calls += LAB_PP_ALLOC_CACHE_REFILL;
		count_result(sim, wl, gfp, 0, LAB_PP_ALLOC_CACHE_REFILL, LAB_PP_ALLOC_CACHE_REFILL - got, NULL);
	} else if (order && (got || !p)) {
		sim->alloc_calls++;
		count_result(sim, wl, gfp, order, 1, p ? 0 : 1, NULL);
	}
	held(wl, got << order);
	return p;
}

/* A page_pool put: the pages the pool gave back to the allocator (ring
 * full) leave the workload. Returns 1 when the page stayed in the pool. */
int sim_pool_put(struct lab_sim *sim, struct sim_wl *wl, struct lab_page_pool *pool, struct lab_page *page,
		 unsigned order)
{
	uint64_t r0, r1;
	lab_page_pool_counts(pool, NULL, &r0);
	lab_page_pool_put_page(pool, page, 0);
	lab_page_pool_counts(pool, NULL, &r1);
	sim->free_calls += r1 - r0;
	wl->pages_held -= (r1 - r0) << order;
	return r1 == r0;
}

void sim_forget(struct lab_sim *sim, struct sim_wl *wl, unsigned order)
{
	(void)sim;
	wl->pages_held -= 1ull << order;
}

/* ---- latency histograms --------------------------------------------------- */

void latency_add(struct sim_latency *l, uint64_t ns)
{
	unsigned b = ns ? 63u - (unsigned)__builtin_clzll(ns) : 0;
	if (b >= 40)
		b = 39;
	l->n++;
	l->sum_ns += ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
	l->bucket[b]++;
}

/* Upper bound of the bucket holding the @q quantile (a power of two). */
uint64_t latency_quantile(const struct sim_latency *l, double q)
{
	uint64_t want = (uint64_t)((double)l->n * q), acc = 0;
	if (!l->n)
		return 0;
	for (unsigned b = 0; b < 40; b++) {
		acc += l->bucket[b];
		if (acc > want) {
			uint64_t up = b >= 63 ? UINT64_MAX : (2ull << b) - 1;
			return up < l->max_ns ? up : l->max_ns;
		}
	}
	return l->max_ns;
}

/* ---- the time series -------------------------------------------------------- */

static void sample_fire(struct lab_sim *sim, struct sim_source *src)
{
	sim_sample_now(sim);
	uint64_t next = sim->now + sim->sample_interval_ns;
	src->next_ns = next < sim->end_ns ? next : SIM_NEVER;
}

void sim_samples_init(struct lab_sim *sim)
{
	unsigned n = sim->sc.sim.samples ? sim->sc.sim.samples : 1;
	sim->sample_interval_ns = sim->end_ns / n ? sim->end_ns / n : 1;
	sim->cap_samples = n + 2;
	sim->samples = calloc(sim->cap_samples, sizeof(*sim->samples));
	/* the main zone: the largest */
	struct lab_mem_stats *st = sim->stats_tmp;
	uint64_t best = 0;
	lab_mem_get_stats(sim->mem, st);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (st->populated[z] && st->zone[z].managed > best) {
			best = st->zone[z].managed;
			sim->main_zone = z;
		}
	if (sim->main_zone < 0)
		sim->main_zone = 0;
	sim_source_init(sim, &sim->sample_src, sample_fire, NULL, 0, LAB_CTX_PROCESS, "sampler");
	sim_schedule(sim, &sim->sample_src, 0);
}

/*
 * Records one point: the main zone's free pages and marks, failures and
 * daemon time since the last point, fragmentation index at the highest
 * atomic order. Time below each watermark is credited for the interval
 * since the last point at the state seen now (resolution: the interval).
 */
void sim_sample_now(struct lab_sim *sim)
{
	struct lab_mem_stats *st = sim->stats_tmp;
	uint64_t dt = sim->now - sim->last_sample_ns;

	if (sim->nr_samples && sim->samples[sim->nr_samples - 1].t_ns == sim->now)
		return;
	lab_mem_get_stats(sim->mem, st);
	uint64_t ha = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		const struct lab_zone_stats *zs = &st->zone[z];
		if (!st->populated[z])
			continue;
		ha += zs->nr_reserved_highatomic;
		for (int w = 0; w < 3; w++)
			if (zs->free < zs->wmark[w] + zs->boost)
				sim->below_ns[z][w] += dt;
	}
	if (ha > sim->highatomic_max)
		sim->highatomic_max = ha;
	sim->last_sample_ns = sim->now;
	if (!sim->samples || sim->nr_samples >= sim->cap_samples)
		return;
	struct sim_sample *s = &sim->samples[sim->nr_samples++];
	const struct lab_zone_stats *mz = &st->zone[sim->main_zone];
	s->t_ns = sim->now;
	s->free = mz->free;
	s->min = mz->wmark[LAB_WMARK_MIN] + mz->boost;
	s->low = mz->wmark[LAB_WMARK_LOW] + mz->boost;
	s->high = mz->wmark[LAB_WMARK_HIGH] + mz->boost;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (st->populated[z])
			s->free_all += st->zone[z].free;
	s->atomic_req = sim->atomic_requests - sim->last_atomic_req;
	s->atomic_fail = sim->atomic_failures - sim->last_atomic_fail;
	s->kswapd_ns = sim->kswapd.busy_ns - sim->last_kswapd_ns;
	s->kcompactd_ns = sim->kcompactd.busy_ns - sim->last_kcompactd_ns;
	s->fragidx = lab_fragmentation_index(mz->nr_free, sim->highest_atomic_order);
	s->highatomic = ha;
	s->phase = sim->phase;
	sim->last_atomic_req = sim->atomic_requests;
	sim->last_atomic_fail = sim->atomic_failures;
	sim->last_kswapd_ns = sim->kswapd.busy_ns;
	sim->last_kcompactd_ns = sim->kcompactd.busy_ns;
}
