// SPDX-License-Identifier: MIT
/*
 * core/headroom.c - how many successive non-blocking allocations of one
 * order a zone's free lists serve (lab_zone_headroom), from plain numbers.
 *
 *   nr_free[order][type]        the lists rmqueue may take for the request
 *   o=10  . . 3 . . .           (own type, its fallbacks, HighAtomic for
 *   o=9   1 . 1 . . .            reserve holders, CMA for movable ALLOC_CMA)
 *   ...                                  |
 *   o=k   4 2 . . . .  -> chunks = sum nr_free[o][mt] << (o - k), o >= k
 *   o<k   (never usable: nothing merges while only allocating)
 *
 *   F = sum of every list's pages (NR_FREE_PAGES)
 *   marks = #{ i >= 0 : lab_zone_watermark_check(free = F - i * 2^k) passes }
 *   headroom = min(chunks, marks)
 *
 * Why that is exact for the allocator: a request of order k takes one block
 * of order j >= k from a usable list and expand() puts the remainders (one
 * block each of orders k..j-1) back on a usable list (the list it took
 * from, or the requester's own type after a fallback steal; a highatomic
 * reservation moves blocks to HighAtomic, which a reserve holder uses), so
 * every success removes exactly one chunk, whichever block was chosen; and
 * free pages fall by 2^k per success while the marks, the lowmem reserve
 * and the free CMA pages stay. The watermark test is monotone in free
 * pages, so the passing counts are a prefix: a binary search over i finds
 * its length with O(log F) checks. A zone refuses once and forever (no
 * frees), so the zones of a node add up whatever order they serve in.
 *
 * What the count leaves out, on purpose: the per-CPU lists (pages parked
 * there are outside NR_FREE_PAGES, and a refill moves a batch past one
 * watermark check), and the boost a fallback steal of a block below
 * pageblock order adds (boost_watermark) during the sequence, which can
 * only end an order > 0 sequence earlier (order 0 atomic requests retry
 * without the boost).
 *
 * Freestanding, no state; O(MAX_ORDER * types + 64 checks).
 */
#include <labyrinth/labyrinth.h>
#include "internal.h"

/* The lists rmqueue_buddy may take an @mt request from with @alloc_flags
 * (bit = migratetype): its own, its fallbacks (__rmqueue_fallback), CMA for
 * movable ALLOC_CMA requests (__rmqueue), HighAtomic first for
 * ALLOC_HIGHATOMIC and last for non-blocking and OOM requests. */
static unsigned served_types(int mt, unsigned alloc_flags)
{
	unsigned types = 1u << mt;
	for (int i = 0; i < 2; i++)
		if (lab__fallbacks[mt][i] >= 0)
			types |= 1u << lab__fallbacks[mt][i];
	if (mt == LAB_MIGRATE_MOVABLE && (alloc_flags & ALLOC_CMA))
		types |= 1u << LAB_MIGRATE_CMA;
	if (alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM | ALLOC_NON_BLOCK))
		types |= 1u << LAB_MIGRATE_HIGHATOMIC;
	return types;
}

/* Does the check pass with @free pages left? The block test is the
 * chunk count's business: every order is marked non-empty here. */
static bool marks_pass(struct lab_wmark_zone *w, int64_t free, unsigned order, unsigned alloc_flags, lab_gfp_t gfp)
{
	w->free = free;
	return lab_zone_watermark_check(w, order, alloc_flags, gfp, NULL) == 0;
}

int64_t lab_zone_headroom(const struct lab_headroom_zone *z, lab_gfp_t gfp, unsigned order)
{
	int mt = lab_gfp_migratetype(gfp);
	if (!z || order >= LAB_MAX_ORDER || (gfp & LAB___GFP_DIRECT_RECLAIM) || lab_gfp_zone(gfp) < 0 ||
	    mt < 0 || mt >= LAB_MIGRATE_PCPTYPES)
		return LAB_EINVAL;
	unsigned alloc_flags = lab_gfp_alloc_flags(gfp, order, mt == LAB_MIGRATE_MOVABLE);
	unsigned types = served_types(mt, alloc_flags);
	uint64_t chunks = 0, free = 0, free_cma = 0;
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		for (int t = 0; t < LAB_MIGRATE_TYPES; t++) {
			uint64_t n = z->nr_free[o][t];
			if (t == LAB_MIGRATE_ISOLATE)
				continue;               /* outside NR_FREE_PAGES, as Linux counts it */
			free += n << o;
			if (t == LAB_MIGRATE_CMA)
				free_cma += n << o;
			if (o >= order && (types & (1u << t)))
				chunks += n << (o - order);
		}
	}
	struct lab_wmark_zone w = {
		.mark = z->min + z->boost, .boost = z->boost, .min = z->min,
		.lowmem_reserve = z->lowmem_reserve, .reserved_highatomic = z->reserved_highatomic,
		.free_cma = free_cma, .kernel = z->kernel,
	};
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++)
		w.free_highatomic += z->nr_free[o][LAB_MIGRATE_HIGHATOMIC] << o;
	for (int t = 0; t < LAB_MIGRATE_TYPES; t++)
		w.nonempty[t] = ~0u;
	/* marks_pass(i) for i in [0, lo) holds, for i >= hi fails */
	uint64_t lo = 0, hi = (free >> order) + 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (marks_pass(&w, (int64_t)(free - (mid << order)), order, alloc_flags, gfp))
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)(lo < chunks ? lo : chunks);
}
