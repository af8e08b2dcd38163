/* SPDX-License-Identifier: MIT */
/*
 * core/alloc.c - the allocation path: __alloc_pages, get_page_from_freelist,
 * rmqueue, and the slow path as far as the mechanisms behind it exist.
 *
 *   lab_alloc_pages(gfp, order)
 *     |  fast path: low watermark, ALLOC_NOFRAGMENT when Normal is preferred
 *     v
 *   get_page_from_freelist -- for zone in Normal, DMA32, DMA (<= gfp_zone):
 *     |                         zone_watermark_fast? -> rmqueue -> prep page
 *     v  (nothing)
 *   slow path: gfp_to_alloc_flags (min watermark; __GFP_HIGH: 1/2 min;
 *     |        cannot block: 3/8 min and the highatomic reserve), wake
 *     |        kswapd, retry; __GFP_MEMALLOC: no watermarks; blocking
 *     |        callers give highatomic pageblocks back before failing
 *     v
 *   NULL + failure record (warn_alloc), unless __GFP_NOWARN
 *
 * Mirrors mm/page_alloc.c of Linux 6.1.192. Direct reclaim (vmscan.c),
 * compaction (compaction.c), kswapd (kswapd.c) and the per-CPU lists
 * (pcp.c) are separate mechanisms in their own files; this file is the
 * order in which the fast and slow paths call them.
 *
 * Cost: O(zones * MAX_ORDER) list operations in the worst case, plus
 * zeroing for __GFP_ZERO and tail setup for __GFP_COMP. Never sleeps unless
 * the request has __GFP_DIRECT_RECLAIM (and then only in platform->sleep,
 * which this version does not call).
 */
#include "internal.h"
#include <labyrinth/kmap.h>

struct alloc_context {
	int highest_zoneidx;
	int migratetype;
	int preferred_zoneidx;          /* first populated zone <= highest */
	/* by zone index: how each zone refused in the latest walk (the mark
	 * and flags it was asked with); written on the refusal branches
	 * only, NULL = not recorded. The record's numbers and reason are
	 * worked out from these once, when the call has failed. */
	struct zone_note *refused;
};

/* One zone's refusal in the latest get_page_from_freelist walk. */
struct zone_note {
	uint64_t mark;
	unsigned alloc_flags;
	bool checked;                   /* the watermark passed, rmqueue found nothing */
};

/* gfp_to_alloc_flags (6.1.157+ / 6.3+ semantics; CMA added by the caller). */
unsigned lab__gfp_to_alloc_flags(lab_gfp_t gfp, unsigned order)
{
	unsigned flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	flags |= gfp & (LAB___GFP_HIGH | LAB___GFP_KSWAPD_RECLAIM);
	if (!(gfp & LAB___GFP_DIRECT_RECLAIM)) {
		if (!(gfp & LAB___GFP_NOMEMALLOC)) {
			flags |= ALLOC_NON_BLOCK;
			if (order > 0 && (flags & ALLOC_MIN_RESERVE))
				flags |= ALLOC_HIGHATOMIC;
		}
		if (flags & ALLOC_MIN_RESERVE)
			flags &= ~ALLOC_CPUSET;
	}
	return flags;
}

/*
 * gfp_zone for this instance: with a highmem zone, __GFP_HIGHMEM requests
 * (GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE) reach it, as the x86-32 table maps
 * them; everything else stops at Normal. -1 for invalid zone bits.
 */
static bool mem_has_cma(const struct lab_mem *mem)
{
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		if (mem->zones[i].cma_pages)
			return true;
	return false;
}

static unsigned alloc_flags_cma(const struct lab_mem *mem, const struct alloc_context *ac, unsigned flags)
{
	if (LAB_CONFIG_CMA && ac->migratetype == LAB_MIGRATE_MOVABLE && mem_has_cma(mem))
		flags |= ALLOC_CMA;
	return flags;
}

/*
 * rmqueue: the per-CPU list for small orders (CMA pages only for those who
 * may use them), else the buddy lists. The block becomes an allocated head.
 * A zone whose watermark was boosted by a fragmenting fallback wakes kswapd.
 */
static struct lab_page *rmqueue(struct lab_mem *mem, struct lab_zone *z, unsigned order,
				int mt, unsigned alloc_flags)
{
	struct lab_page *p = NULL;

	if (pcp_allowed_order(mem, order) &&
	    (!z->cma_pages || (alloc_flags & ALLOC_CMA) || mt != LAB_MIGRATE_MOVABLE))
		p = lab__rmqueue_pcplist(mem, z, order, mt, alloc_flags);
	if (!p) {   /* (the pcp path counts its own PGALLOC) */
		p = lab__rmqueue_buddy(mem, z, order, mt, alloc_flags);
		if (p)
			count_event(mem, (enum lab_vm_event)(LAB_PGALLOC_DMA + z->idx), 1ull << order);
	}
	if (p) {
		page_set_state(p, LAB_PG_HEAD, order, mt);
	}
	if (__atomic_load_n(&z->flags, __ATOMIC_RELAXED) & LAB_ZONE_BOOSTED_WATERMARK) {
		/* as Linux: wakeup_kswapd(zone, 0, 0, zone_idx(zone)), which
		 * records the request kswapd is to balance for, then wakes it */
		__atomic_fetch_and(&z->flags, ~LAB_ZONE_BOOSTED_WATERMARK, __ATOMIC_RELAXED);
		if (LAB_CONFIG_RECLAIM)
			lab__wakeup_kswapd(mem, z, 0, 0, (int)z->idx);
	}
	return p;
}

/* check_new_page's poison half: a byte that changed while the block was
 * free is a write after free; reported (the block is still handed out). */
static void check_poison(struct lab_mem *mem, struct lab_page *p, unsigned order)
{
	const unsigned char *va = lab__page_lowmem_address(p);
	if (!va)
		return;
	for (size_t i = 0; i < (LAB_PAGE_SIZE << order); i++)
		if (va[i] != LAB_POISON_FREE) {
			char msg[96] = "";
			if (LAB_CONFIG_REPORTS)   /* else no text: the formatting goes too */
				lab__snprintf(msg, sizeof(msg),
					      "poison overwritten at byte %zu of the block: written after free", i);
			lab__report_bad_page(mem, p + i / LAB_PAGE_SIZE, msg);
			return;
		}
}

/* prep_new_page: poison check, zeroing and compound setup. */
static __attribute__((noinline)) void prep_new_page_work(struct lab_mem *mem, struct lab_page *p, unsigned order,
							  lab_gfp_t gfp)
{
	if (mem->flags & LAB_CFG_DEBUG_POISON)
		check_poison(mem, p, order);
	if (gfp & LAB___GFP_ZERO) {
		void *va = lab__page_lowmem_address(p);
		if (va) {
			memset(va, 0, LAB_PAGE_SIZE << order);
		} else {
			/* highmem: zero each page through a short-lived mapping
			 * (clear_highpage); without mapping hooks there is no way */
			for (uint32_t i = 0; i < (1u << order); i++) {
				void *a = lab_kmap_local(p + i);
				if (!a)
					break;
				memset(a, 0, LAB_PAGE_SIZE);
				lab_kunmap_local(a);
			}
		}
	}
	if ((gfp & LAB___GFP_COMP) && order) {
		uint32_t head = page_idx(mem, p);
		page_set_flags(p, (uint8_t)(page_state(p).flags | LAB_PG_COMPOUND));
		for (uint32_t i = 1; i < (1u << order); i++) {
			page_set_flags(&p[i], LAB_PG_TAIL);
			p[i].next = head;
		}
	}
}

/* Most allocations need none of it: one test, no call. */
static inline void prep_new_page(struct lab_mem *mem, struct lab_page *p, unsigned order, lab_gfp_t gfp)
{
	if ((mem->flags & LAB_CFG_DEBUG_POISON) || (gfp & (LAB___GFP_ZERO | LAB___GFP_COMP)))
		prep_new_page_work(mem, p, order, gfp);
}

/* A zone refused in get_page_from_freelist: note how it was asked (three
 * stores; a failing atomic request walks the zones several times, and only
 * the last walk goes into the record). @checked: the watermark check passed
 * (or was skipped) and rmqueue found nothing. */
static inline void note_refusal(const struct alloc_context *ac, const struct lab_zone *z,
				uint64_t mark, unsigned alloc_flags, bool checked)
{
	struct zone_note *n = &ac->refused[z->idx];

	n->mark = mark;
	n->alloc_flags = alloc_flags;
	n->checked = checked;
}

static struct lab_page *get_page_from_freelist(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
					       unsigned alloc_flags, const struct alloc_context *ac)
{
	for (;;) {
		bool no_fallback = (alloc_flags & ALLOC_NOFRAGMENT) != 0;
		for (int zi = ac->highest_zoneidx; zi >= 0; zi--) {
			struct lab_zone *z = &mem->zones[zi];
			if (!z->populated)
				continue;
			uint64_t mark = zone_wmark(z, (int)(alloc_flags & ALLOC_WMARK_MASK));
			if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
			    !zone_watermark_fast(z, order, mark, ac->highest_zoneidx, alloc_flags, gfp)) {
				if (ac->refused)
					note_refusal(ac, z, mark, alloc_flags, false);
				continue;
			}
			struct lab_page *p = rmqueue(mem, z, order, ac->migratetype, alloc_flags);
			if (p) {
				prep_new_page(mem, p, order, gfp);
				if (alloc_flags & ALLOC_HIGHATOMIC)
					lab__reserve_highatomic_pageblock(mem, z, p);
				return p;
			}
			if (ac->refused)
				note_refusal(ac, z, mark, alloc_flags, true);
		}
		/* locality does not apply (one node): retry allowing fragmentation */
		if (!no_fallback)
			return NULL;
		alloc_flags &= ~ALLOC_NOFRAGMENT;
	}
}

/* wake_all_kswapds: once per node; here one node. */
static void wake_all_kswapds(struct lab_mem *mem, lab_gfp_t gfp, unsigned order, const struct alloc_context *ac)
{
	for (int zi = ac->highest_zoneidx; LAB_CONFIG_RECLAIM && zi >= 0; zi--)
		if (mem->zones[zi].populated) {
			lab__wakeup_kswapd(mem, &mem->zones[zi], gfp, order, ac->highest_zoneidx);
			return;
		}
}

/* __alloc_pages_direct_compact */
static struct lab_page *direct_compact(struct lab_mem *mem, lab_gfp_t gfp, unsigned order, unsigned alloc_flags,
				       const struct alloc_context *ac, enum compact_priority prio,
				       enum compact_result *result)
{
	if (!order || !LAB_CONFIG_COMPACTION) {
		*result = COMPACT_SKIPPED;
		return NULL;
	}
	*result = lab__try_to_compact_pages(mem, gfp, order, alloc_flags, ac->highest_zoneidx, ac->migratetype, prio);
	if (*result == COMPACT_SKIPPED)
		return NULL;
	count_event(mem, LAB_COMPACT_STALL, 1);
	struct lab_page *p = get_page_from_freelist(mem, gfp, order, alloc_flags, ac);
	if (p) {
		lab__compaction_defer_reset(&mem->zones[p->zone], (int)order, true);
		count_event(mem, LAB_COMPACT_SUCCESS, 1);
		return p;
	}
	count_event(mem, LAB_COMPACT_FAIL, 1);
	return NULL;
}

/* __alloc_pages_direct_reclaim: reclaim, try, then once drain the per-CPU
 * lists and give a highatomic pageblock back, and try again. */
static struct lab_page *direct_reclaim(struct lab_mem *mem, lab_gfp_t gfp, unsigned order, unsigned alloc_flags,
				       const struct alloc_context *ac, unsigned long *progress)
{
	*progress = LAB_CONFIG_RECLAIM ? lab__try_to_free_pages(mem, order, gfp, ac->highest_zoneidx) : 0;
	if (!*progress)
		return NULL;
	struct lab_page *p = get_page_from_freelist(mem, gfp, order, alloc_flags, ac);
	if (!p) {
		lab__unreserve_highatomic_pageblock(mem, ac->highest_zoneidx, ac->migratetype, false);
		lab_drain_all_pages(mem);
		p = get_page_from_freelist(mem, gfp, order, alloc_flags, ac);
	}
	return p;
}

/* should_reclaim_retry (6.1.76+: exhaust the highatomic reserve before giving up). */
static bool should_reclaim_retry(struct lab_mem *mem, unsigned order, const struct alloc_context *ac,
				 unsigned alloc_flags, bool did_some_progress, int *no_progress_loops)
{
	if (did_some_progress && order <= LAB_PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > LAB_MAX_RECLAIM_RETRIES)
		return lab__unreserve_highatomic_pageblock(mem, ac->highest_zoneidx, ac->migratetype, true);
	for (int zi = ac->highest_zoneidx; zi >= 0; zi--) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated)
			continue;
		uint64_t available = (LAB_CONFIG_RECLAIM ? lab__zone_reclaimable_pages(z) : 0) + zone_free(z);
		if (lab__zone_watermark_ok_free(z, order, zone_wmark(z, LAB_WMARK_MIN), ac->highest_zoneidx,
					   alloc_flags, (int64_t)available))
			return true;
	}
	return lab__unreserve_highatomic_pageblock(mem, ac->highest_zoneidx, ac->migratetype, true);
}

/* should_compact_retry */
static bool should_compact_retry(unsigned order, enum compact_result result, enum compact_priority *prio,
				 int *compaction_retries)
{
	int max_retries = LAB_MAX_COMPACT_RETRIES;
	enum compact_priority min_priority;

	if (!order)
		return false;
	if (result == COMPACT_SUCCESS)
		(*compaction_retries)++;
	if (result == COMPACT_SKIPPED)
		return false;   /* needs reclaim: should_reclaim_retry decides (Linux retries when suitable) */
	if (result == COMPACT_COMPLETE || result == COMPACT_DEFERRED || result == COMPACT_CONTENDED ||
	    result == COMPACT_PARTIAL_SKIPPED)
		goto check_priority;
	if (order > LAB_PAGE_ALLOC_COSTLY_ORDER)
		max_retries /= 4;
	if (*compaction_retries <= max_retries)
		return true;
check_priority:
	min_priority = order > LAB_PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY;
	if (*prio > min_priority) {
		(*prio)--;
		*compaction_retries = 0;
		return true;
	}
	return false;
}

/*
 * __alloc_pages_slowpath (6.1.192). Non-blocking callers: wake kswapd, one
 * attempt at the min watermark with their reserve rights, done. Blocking
 * callers: direct compaction, direct reclaim, the retry rules, the OOM
 * hook, __GFP_NOFAIL. The loop is bounded by the retry counters (and a
 * hard cap of 1000 rounds against owners that refill as fast as reclaim
 * frees).
 */
static struct lab_page *alloc_pages_slowpath(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
					     const struct alloc_context *ac)
{
	bool can_direct_reclaim = (gfp & LAB___GFP_DIRECT_RECLAIM) != 0;
	bool costly = order > LAB_PAGE_ALLOC_COSTLY_ORDER;
	bool can_compact = (gfp & LAB___GFP_IO) != 0;   /* 6.1.84+: gfp_compaction_allowed */
	unsigned alloc_flags = alloc_flags_cma(mem, ac, lab__gfp_to_alloc_flags(gfp, order));
	enum compact_priority compact_priority = DEF_COMPACT_PRIORITY;
	enum compact_result compact_result = COMPACT_SKIPPED;
	int compaction_retries = 0, no_progress_loops = 0, rounds = 0;
	unsigned long did_some_progress = 0;
	struct lab_page *p;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(mem, gfp, order, ac);
	p = get_page_from_freelist(mem, gfp, order, alloc_flags, ac);
	if (p)
		return p;
	bool memalloc = (gfp & LAB___GFP_MEMALLOC) && !(gfp & LAB___GFP_NOMEMALLOC);
	if (can_direct_reclaim && can_compact && (costly || (order > 0 && ac->migratetype != LAB_MIGRATE_MOVABLE)) &&
	    !memalloc) {
		p = direct_compact(mem, gfp, order, alloc_flags, ac, INIT_COMPACT_PRIORITY, &compact_result);
		if (p)
			return p;
		if (costly && (gfp & LAB___GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED)
				goto nopage;
			compact_priority = INIT_COMPACT_PRIORITY;
		}
	}
retry:
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(mem, gfp, order, ac);
	if (memalloc) {
		/* __gfp_pfmemalloc_flags: __GFP_MEMALLOC ignores the watermarks */
		alloc_flags = alloc_flags_cma(mem, ac, ALLOC_NO_WATERMARKS) | (alloc_flags & ALLOC_KSWAPD);
	}
	p = get_page_from_freelist(mem, gfp, order, alloc_flags, ac);
	if (p)
		return p;
	if (!can_direct_reclaim)
		goto nopage;
	p = direct_reclaim(mem, gfp, order, alloc_flags, ac, &did_some_progress);
	if (p)
		return p;
	if (can_compact) {
		p = direct_compact(mem, gfp, order, alloc_flags, ac, compact_priority, &compact_result);
		if (p)
			return p;
	}
	if (gfp & LAB___GFP_NORETRY)
		goto nopage;
	if (costly && (!can_compact || !(gfp & LAB___GFP_RETRY_MAYFAIL)))
		goto nopage;
	if (++rounds > 1000)
		goto nopage;
	if (should_reclaim_retry(mem, order, ac, alloc_flags, did_some_progress > 0, &no_progress_loops))
		goto retry;
	if (did_some_progress > 0 && can_compact &&
	    should_compact_retry(order, compact_result, &compact_priority, &compaction_retries))
		goto retry;
	/* __alloc_pages_may_oom: one last try at the high watermark, then the hook */
	{
		struct alloc_context oac = *ac;
		oac.refused = NULL;   /* the high-mark probe is not the request's own attempt */
		p = get_page_from_freelist(mem, gfp & ~LAB___GFP_DIRECT_RECLAIM, order,
					   ALLOC_WMARK_HIGH | (alloc_flags & ALLOC_CMA), &oac);
		if (p)
			return p;
		if (!costly && !(gfp & (LAB___GFP_RETRY_MAYFAIL | LAB___GFP_THISNODE)) &&
		    ac->highest_zoneidx >= LAB_ZONE_NORMAL && mem->plat.oom &&
		    mem->plat.oom(mem->plat.ctx, gfp, order)) {
			no_progress_loops = 0;
			goto retry;
		}
	}
nopage:
	if (gfp & LAB___GFP_NOFAIL) {
		/* never fails: keep trying with the min reserve, sleeping between
		 * rounds; without a sleep hook Labyrinth cannot wait, so it reports
		 * and fails rather than spin forever */
		if (!can_direct_reclaim || !mem->plat.sleep) {
			lab__log(mem, LAB_LOG_WARNING, "labyrinth: __GFP_NOFAIL order %u cannot be honoured %s", order,
				can_direct_reclaim ? "without a platform sleep hook" : "without __GFP_DIRECT_RECLAIM");
			return NULL;
		}
		p = get_page_from_freelist(mem, gfp, order, alloc_flags | ALLOC_MIN_RESERVE, ac);
		if (p)
			return p;
		mem->plat.sleep(mem->plat.ctx, 1000000);
		rounds = 0;
		goto retry;
	}
	return NULL;
}

static void collect_refusals(const struct lab_mem *mem, const struct alloc_context *ac, lab_gfp_t gfp,
			     unsigned order, struct lab_alloc_refusals *why);

/* A failed call: the record into @why (the caller's) or a local one, and
 * the warn_alloc report. */
static __attribute__((noinline, cold)) void fail_record(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
							const struct alloc_context *ac,
							struct lab_alloc_refusals *why)
{
	struct lab_alloc_refusals local;

	if (!why)
		why = &local;
	collect_refusals(mem, ac, gfp, order, why);
	lab__report_alloc_failure(mem, gfp, order, why);
}

/*
 * The failure record in fallback order: the populated zones above the
 * request's (not allowed), then the last walk's refusal of each zone it
 * tried, highest first, judged by the core's watermark check with the mark
 * and flags that walk used, on the zone as it is when the call fails (as
 * warn_alloc's show_mem reads it: a blocking request's retry decisions may
 * have given a highatomic pageblock back since its last walk).
 */
static __attribute__((noinline, cold)) void collect_refusals(const struct lab_mem *mem, const struct alloc_context *ac,
							     lab_gfp_t gfp, unsigned order,
							     struct lab_alloc_refusals *why)
{
	unsigned alloc_flags = lab__gfp_to_alloc_flags(gfp, order);

	why->nr = 0;
	for (int zi = LAB_MAX_NR_ZONES - 1; zi >= 0; zi--) {
		if (!mem->zones[zi].populated)
			continue;
		struct lab_zone_refused *r = &why->zone[why->nr++];
		if (zi <= ac->highest_zoneidx) {
			const struct zone_note *n = &ac->refused[zi];
			lab__zone_refusal(&mem->zones[zi], order, n->mark, ac->highest_zoneidx, n->alloc_flags, gfp, r);
			if (n->checked && r->reason == LAB_REFUSED_WATERMARK)
				r->reason = LAB_REFUSED_LISTS_EMPTY;   /* it passed when it was asked */
			continue;
		}
		memset(r, 0, sizeof(*r));
		r->zone = (uint8_t)zi;
		r->reason = LAB_REFUSED_NOT_ALLOWED;
		r->alloc_flags = alloc_flags;
		r->free = (int64_t)zone_free(&mem->zones[zi]);
	}
}

/* __alloc_pages; @why (may be NULL) gets the failure record. Inlined into
 * both entry points, so lab_alloc_pages carries no extra argument. */
static inline __attribute__((always_inline)) struct lab_page *
alloc_pages(struct lab_mem *mem, lab_gfp_t gfp, unsigned order, struct lab_alloc_refusals *why)
{
	struct zone_note refused[LAB_MAX_NR_ZONES];
	struct alloc_context ac;
	struct lab_page *p;

	if (why)
		why->nr = 0;
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return NULL;
	gfp &= ~mem->gfp_unused;   /* the profile's layout: no __GFP_ATOMIC in 6.12 */
	if (order >= LAB_MAX_ORDER) {
		if (!(gfp & LAB___GFP_NOWARN))
			lab__log(mem, LAB_LOG_WARNING,
				"labyrinth: alloc_pages: order %u >= MAX_ORDER (%d) refused", order, LAB_MAX_ORDER);
		return NULL;
	}
	if ((gfp & LAB___GFP_DIRECT_RECLAIM) && mem->plat.in_atomic && mem->plat.in_atomic(mem->plat.ctx)) {
		/* might_sleep(): a sleeping request from atomic context */
		lab__report_might_sleep(mem, __FILE__, __LINE__);
		if (mem->flags & LAB_CFG_MIGHT_SLEEP_FAIL)
			return NULL;
		gfp &= ~LAB___GFP_DIRECT_RECLAIM;   /* degrade: try without sleeping */
	}
	ac.highest_zoneidx = gfp_highest_zone(mem, gfp);
	if (ac.highest_zoneidx < 0) {
		lab__log(mem, LAB_LOG_WARNING,
			"labyrinth: alloc_pages: invalid zone modifiers in gfp %#x (GFP_ZONE_BAD)", gfp);
		ac.highest_zoneidx = LAB_ZONE_DMA;   /* the table's answer for bad bits */
	}
	ac.migratetype = mem->tun.page_group_by_mobility_disabled ? LAB_MIGRATE_UNMOVABLE :
			 gfp_migratetype(gfp);
	if (ac.migratetype >= LAB_MIGRATE_PCPTYPES)
		ac.migratetype = LAB_MIGRATE_UNMOVABLE;
	ac.preferred_zoneidx = -1;
	ac.refused = refused;
	for (int zi = ac.highest_zoneidx; zi >= 0; zi--)
		if (mem->zones[zi].populated) {
			ac.preferred_zoneidx = zi;
			break;
		}
	if (ac.preferred_zoneidx >= 0) {
		/* fast path: low watermark; alloc_flags_nofragment on UMA */
		unsigned alloc_flags = ALLOC_WMARK_LOW | (gfp & LAB___GFP_KSWAPD_RECLAIM);
		if (ac.preferred_zoneidx == LAB_ZONE_NORMAL)
			alloc_flags |= ALLOC_NOFRAGMENT;
		alloc_flags = alloc_flags_cma(mem, &ac, alloc_flags);
		p = get_page_from_freelist(mem, gfp, order, alloc_flags, &ac);
		if (!p)
			p = alloc_pages_slowpath(mem, gfp, order, &ac);
		if (p)
			return p;
	}
	/*
	 * LAB_CFG_DRAIN_BEFORE_FAILURE (Labyrinth's option, off in both
	 * profiles): before reporting a failure, make sure no per-CPU list
	 * holds what was asked for, with trylocks only (never spins). Linux
	 * 6.1 and 6.12 drain only in __alloc_pages_direct_reclaim, after
	 * reclaim made progress and the retry failed (direct_reclaim above):
	 * a request that cannot block fails with pages parked on other CPUs.
	 */
	if ((mem->flags & LAB_CFG_DRAIN_BEFORE_FAILURE) && ac.preferred_zoneidx >= 0 &&
	    lab__drain_all_pages_nonblocking(mem, ac.highest_zoneidx)) {
		unsigned alloc_flags = alloc_flags_cma(mem, &ac, lab__gfp_to_alloc_flags(gfp, order));
		p = get_page_from_freelist(mem, gfp, order, alloc_flags, &ac);
		if (p)
			return p;
	}
	count_event(mem, LAB_EV_ALLOC_FAIL, 1);
	if (!(gfp & LAB___GFP_DIRECT_RECLAIM))
		count_event(mem, LAB_EV_ALLOC_FAIL_ATOMIC, 1);
	if (why || LAB_CONFIG_REPORTS)   /* else no warn_alloc record: counted only */
		fail_record(mem, gfp, order, &ac, why);
	return NULL;
}

struct lab_page *lab_alloc_pages(struct lab_mem *mem, lab_gfp_t gfp, unsigned order)
{
	return alloc_pages(mem, gfp, order, NULL);
}

struct lab_page *lab_alloc_pages_why(struct lab_mem *mem, lab_gfp_t gfp, unsigned order,
				     struct lab_alloc_refusals *why)
{
	return alloc_pages(mem, gfp, order, why);
}

void *lab_get_free_pages(struct lab_mem *mem, lab_gfp_t gfp, unsigned order)
{
	struct lab_page *p = lab_alloc_pages(mem, gfp & ~LAB___GFP_HIGHMEM, order);
	if (!p)
		return NULL;
	void *va = lab__page_lowmem_address(p);
	if (!va) {
		/* highmem page: not addressable, give it back */
		lab_free_pages(mem, p, order);
		return NULL;
	}
	return va;
}

/* get_order(): the order of the smallest block holding @size bytes;
 * LAB_MAX_ORDER (too big) for sizes whose page count would overflow. */
static unsigned size_to_order(size_t size)
{
	if (size > SIZE_MAX - (LAB_PAGE_SIZE - 1))
		return LAB_MAX_ORDER;
	size_t pages = (size + LAB_PAGE_SIZE - 1) >> LAB_PAGE_SHIFT;
	unsigned order = 0;
	while ((1ull << order) < pages && order < LAB_MAX_ORDER)
		order++;
	return order;
}

/*
 * alloc_pages_exact: a block of the next power of two, whose unused tail
 * pages go back to the allocator one by one (split_page + free), so that
 * a 12 KiB request costs 12 KiB, not 16.
 */
void *lab_alloc_pages_exact(struct lab_mem *mem, size_t size, lab_gfp_t gfp)
{
	if (!size)
		return NULL;
	unsigned order = size_to_order(size);
	if (order >= LAB_MAX_ORDER)
		return NULL;
	void *va = lab_get_free_pages(mem, gfp & ~LAB___GFP_COMP, order);
	if (!va)
		return NULL;
	struct lab_page *head = lab_virt_to_page(va);
	uint64_t used = (size + LAB_PAGE_SIZE - 1) >> LAB_PAGE_SHIFT;
	struct lab_zone *z = &mem->zones[head->zone];
	unsigned long flags;

	/* split_page: every page becomes an order-0 allocation */
	zone_lock(mem, z, &flags);
	for (uint64_t i = 0; i < (1ull << order); i++) {
		page_set_state(&head[i], LAB_PG_HEAD, 0, page_state(head).mt);
	}
	zone_unlock(mem, z, flags);
	for (uint64_t i = used; i < (1ull << order); i++)
		lab_free_pages(mem, head + i, 0);
	return va;
}

void lab_free_pages_exact(struct lab_mem *mem, void *addr, size_t size)
{
	struct lab_page *p = lab_virt_to_page(addr);
	if (size_to_order(size) >= LAB_MAX_ORDER) {
		lab__report_bad_page(mem, p, "free_pages_exact: size larger than any allocation");
		return;
	}
	uint64_t used = (size + LAB_PAGE_SIZE - 1) >> LAB_PAGE_SHIFT;
	if (!p) {
		lab_free_pages_addr(mem, addr, 0);   /* reports the foreign address */
		return;
	}
	for (uint64_t i = 0; i < used; i++)
		lab_free_pages(mem, p + i, 0);
}

/*
 * __alloc_pages_bulk: order-0 pages into the NULL slots of @pages, from the
 * preferred zone's per-CPU list under one lock hold. Falls back to single
 * allocations when the batch path does not apply (no pcp, a zone below the
 * watermark plus the batch, a busy pcp lock) so that at least one page is
 * returned whenever lab_alloc_pages would return one.
 */
unsigned lab_alloc_pages_bulk(struct lab_mem *mem, lab_gfp_t gfp, unsigned nr, struct lab_page **pages)
{
	unsigned populated = 0, i;

	if (!mem || mem->magic != LAB_MEM_MAGIC || !pages)
		return 0;
	gfp &= ~mem->gfp_unused;
	for (i = 0; i < nr; i++)
		populated += pages[i] != NULL;
	if (populated == nr)
		return nr;
	int zi = gfp_highest_zone(mem, gfp);
	int mt = mem->tun.page_group_by_mobility_disabled ? LAB_MIGRATE_UNMOVABLE : gfp_migratetype(gfp);
	bool atomic_caller = (gfp & LAB___GFP_DIRECT_RECLAIM) && mem->plat.in_atomic &&
			     mem->plat.in_atomic(mem->plat.ctx);
	if (zi < 0 || mt >= LAB_MIGRATE_PCPTYPES || !mem->pcp || nr - populated == 1 || atomic_caller ||
	    (gfp & LAB___GFP_ZERO))
		goto single;
	/* the first zone that passes the low watermark with room for the batch */
	struct lab_zone *z = NULL;
	unsigned alloc_flags = ALLOC_WMARK_LOW | (gfp & LAB___GFP_KSWAPD_RECLAIM);
	for (; zi >= 0; zi--) {
		struct lab_zone *c = &mem->zones[zi];
		if (c->populated && zone_watermark_fast(c, 0, zone_wmark(c, LAB_WMARK_LOW) + (nr - populated),
							zi, alloc_flags, gfp)) {
			z = c;
			break;
		}
	}
	if (!z || (z->cma_pages && mt == LAB_MIGRATE_MOVABLE))
		goto single;
	/* gather the NULL slots, fill them under one per-CPU lock hold */
	struct lab_page *got[64];
	unsigned before = populated;
	i = 0;
	while (i < nr) {
		unsigned want = 0, first = i;
		for (; i < nr && want < 64; i++)
			want += pages[i] == NULL;
		unsigned n = lab__rmqueue_pcplist_bulk(mem, z, mt, alloc_flags, want, got);
		for (unsigned k = 0, j = first; k < n; j++) {
			if (pages[j])
				continue;
			struct lab_page *p = got[k++];
			page_set_state(p, LAB_PG_HEAD, 0, mt);
			prep_new_page(mem, p, 0, gfp);
			pages[j] = p;
		}
		populated += n;
		if (n < want)
			break;
	}
	if (populated > before)
		return populated;
single:
	for (i = 0; i < nr; i++) {
		if (pages[i])
			continue;
		pages[i] = lab_alloc_pages(mem, gfp, 0);
		if (!pages[i])
			break;
		populated++;
	}
	return populated;
}

