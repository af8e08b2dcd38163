/* SPDX-License-Identifier: MIT */
/*
 * core/kswapd.c - background reclaim (mm/vmscan.c: wakeup_kswapd,
 * pgdat_balanced, balance_pgdat, kswapd_try_to_sleep) as a step function.
 *
 *   allocation below low ---wakeup_kswapd(order, zone)---> platform->wake_kswapd
 *                                                              |
 *   host thread / sim event / RTOS task:  while (lab_kswapd_balance_once(mem, 32) == LAB_BG_MORE);
 *
 *   each step: balanced at high (+boost) for the woken order in some eligible
 *   zone? -> NAP (done: boost cleared, kcompactd woken, skip hints reset)
 *   else reclaim up to the budget at the current priority (12 down to 0);
 *   a full pass without progress counts a failure; 16 = node_unreclaimable
 *   (STUCK) until an allocation's direct reclaim makes progress again.
 *
 * Bounded: each call reclaims at most @budget pages and scans at most
 * (LRU size >> priority) + 32 per zone.
 */
#include "internal.h"

static bool zone_balanced(struct lab_mem *mem, struct lab_zone *z, int order, int highest_zoneidx)
{
	uint64_t mark = zone_wmark(z, LAB_WMARK_HIGH);
	return lab__zone_watermark_ok_free(z, (unsigned)order, mark, highest_zoneidx, 0, (int64_t)zone_free(z));
}

/* pgdat_balanced: any eligible managed zone balanced is enough. */
static bool pgdat_balanced(struct lab_mem *mem, int order, int highest_zoneidx)
{
	bool any_managed = false;
	for (int i = 0; i <= highest_zoneidx; i++) {
		struct lab_zone *z = &mem->zones[i];
		if (!z->populated)
			continue;
		any_managed = true;
		if (zone_balanced(mem, z, order, highest_zoneidx))
			return true;
	}
	return !any_managed;
}

static bool pgdat_watermark_boosted(struct lab_mem *mem, int highest_zoneidx)
{
	for (int i = highest_zoneidx; i >= 0; i--)
		if (mem->zones[i].populated && zone_boost(&mem->zones[i]))
			return true;
	return false;
}

/*
 * wakeup_kswapd: record the order and zone kswapd must balance for, and
 * wake it unless the node is balanced already (then, for a non-blocking
 * caller, kcompactd instead) or hopeless. Never blocks.
 */
void lab__wakeup_kswapd(struct lab_mem *mem, struct lab_zone *z, lab_gfp_t gfp, unsigned order, int highest_zoneidx)
{
	if (!z->populated)
		return;
	/* record the request: the larger order and zone win, the generation
	 * moves on, so a kswapd finishing the previous one keeps this one */
	uint32_t old = kswapd_req_load(mem), req;
	do {
		int hz = kswapd_req_zone(old) > highest_zoneidx ? kswapd_req_zone(old) : highest_zoneidx;
		unsigned o = kswapd_req_order(old) > order ? kswapd_req_order(old) : order;
		req = (((old >> 16) + 1u) << 16) | (o & 0xffu) << 8 | (uint32_t)(hz + 1);
	} while (!__atomic_compare_exchange_n(&mem->kswapd_req, &old, req, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	if (kswapd_failures(mem) >= LAB_MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(mem, (int)order, highest_zoneidx) && !pgdat_watermark_boosted(mem, highest_zoneidx))) {
		if (!(gfp & LAB___GFP_DIRECT_RECLAIM))
			lab__wakeup_kcompactd(mem, order, highest_zoneidx);
		return;
	}
	if (mem->plat.wake_kswapd)
		mem->plat.wake_kswapd(mem->plat.ctx, order, highest_zoneidx);
}

int lab_kswapd_wanted(struct lab_mem *mem)
{
	if (!LAB_CONFIG_RECLAIM || !mem || mem->magic != LAB_MEM_MAGIC)
		return 0;
	uint32_t req = kswapd_req_load(mem);
	int hz = kswapd_req_zone(req);
	if (hz < 0 || kswapd_failures(mem) >= LAB_MAX_RECLAIM_RETRIES)
		return 0;
	int order = (int)kswapd_req_order(req);
	return pgdat_watermark_boosted(mem, hz) || !pgdat_balanced(mem, order, hz);
}

void lab_kswapd_nap_cut_short(struct lab_mem *mem, int woken_during_nap)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return;
	count_event(mem, woken_during_nap ? LAB_KSWAPD_LOW_WMARK_HIT_QUICKLY : LAB_KSWAPD_HIGH_WMARK_HIT_QUICKLY, 1);
}

/* reset_isolation_suitable: every zone's skip hints go. Under the zone lock
 * (pageblock bytes change only under it), 256 pageblocks per hold so that a
 * terabyte does not keep interrupts waiting. */
static void reset_isolation_suitable(struct lab_mem *mem)
{
	uint64_t nr = pageblock_nr_pages(mem);
	for (int zi = 0; zi < LAB_MAX_NR_ZONES; zi++) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated)
			continue;
		uint64_t pfn = z->start_pfn;
		while (pfn < z->end_pfn) {
			unsigned long flags;
			zone_lock(mem, z, &flags);
			for (unsigned k = 0; k < 256 && pfn < z->end_pfn; k++, pfn = (pfn & ~(nr - 1)) + nr)
				pageblock_update(mem, pfn, LAB_PB_SKIP, 0);
			zone_unlock(mem, z, flags);
		}
	}
}

enum lab_bg_result lab_kswapd_balance_once(struct lab_mem *mem, unsigned long budget)
{
	if (!LAB_CONFIG_RECLAIM || !mem || mem->magic != LAB_MEM_MAGIC)
		return LAB_BG_IDLE;
	uint32_t req = kswapd_req_load(mem);
	int hz = kswapd_req_zone(req);
	int order = (int)kswapd_req_order(req);
	if (hz < 0)
		return LAB_BG_IDLE;
	if (kswapd_failures(mem) >= LAB_MAX_RECLAIM_RETRIES)
		return LAB_BG_STUCK;
	if (!budget)
		budget = LAB_SWAP_CLUSTER_MAX;
	if (mem->kswapd_priority <= 0 && !mem->kswapd_reclaimed && !mem->kswapd_boosted) {
		/* a new balance_pgdat run */
		mem->kswapd_priority = LAB_DEF_PRIORITY;
		mem->kswapd_boosted = pgdat_watermark_boosted(mem, hz);
		count_event(mem, LAB_PAGEOUTRUN, 1);
	}
	bool boosted = pgdat_watermark_boosted(mem, hz);
	/* order fallback: after compact_gap pages, balance at order 0 and let
	 * compaction build the high-order block */
	if (order && mem->kswapd_reclaimed >= lab__compact_gap((unsigned)order))
		order = 0;
	if (!boosted && pgdat_balanced(mem, order, hz)) {
		bool was_boosted = mem->kswapd_boosted;
		unsigned woken_order = kswapd_req_order(req);
		/* the request is done, unless a wake came since it was read:
		 * then look again (the new request may be for more) */
		if (!__atomic_compare_exchange_n(&mem->kswapd_req, &req, req & 0xffff0000u, false, __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			return LAB_BG_MORE;
		mem->kswapd_priority = 0;
		mem->kswapd_reclaimed = 0;
		mem->kswapd_boosted = 0;
		/* kswapd_try_to_sleep: reset skip hints, wake kcompactd */
		reset_isolation_suitable(mem);
		if (woken_order || was_boosted)
			lab__wakeup_kcompactd(mem, was_boosted ? mem->pageblock_order : woken_order, hz);
		return LAB_BG_NAP;
	}
	/* kswapd_shrink_node: reclaim towards high (+boost) of each eligible zone */
	unsigned long reclaimed = 0, scanned = 0;
	for (int zi = hz; zi >= 0 && reclaimed < budget; zi--) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated)
			continue;
		uint64_t high = zone_wmark(z, LAB_WMARK_HIGH);
		if (!zone_boost(z) && zone_free(z) > high)
			continue;
		reclaimed += lab__shrink_zone_lru(mem, z, budget - reclaimed, mem->kswapd_priority, &scanned);
	}
	lab__shrink_slab(mem, mem->kswapd_priority);
	count_event(mem, LAB_PGSCAN_KSWAPD, scanned);
	count_event(mem, LAB_PGSTEAL_KSWAPD, reclaimed);
	mem->kswapd_reclaimed += reclaimed;
	if (boosted) {
		/* boosted reclaim: done once the boost's worth is reclaimed or nothing is left */
		bool done = reclaimed < budget;
		for (int zi = hz; zi >= 0; zi--) {
			struct lab_zone *z = &mem->zones[zi];
			if (zone_boost(z) && (done || zone_free(z) > zone_wmark(z, LAB_WMARK_HIGH)))
				zone_set_boost(z, 0);
		}
		if (done)
			lab__wakeup_kcompactd(mem, mem->pageblock_order, hz);
	}
	if (reclaimed < budget) {
		if (mem->kswapd_priority > 0) {
			mem->kswapd_priority--;
		} else {
			/* a whole run at every priority */
			if (!mem->kswapd_reclaimed)
				__atomic_store_n(&mem->kswapd_failures, kswapd_failures(mem) + 1, __ATOMIC_RELAXED);
			mem->kswapd_reclaimed = 0;
			mem->kswapd_priority = LAB_DEF_PRIORITY;
			if (kswapd_failures(mem) >= LAB_MAX_RECLAIM_RETRIES) {
				/* hopeless: kswapd_try_to_sleep still resets the skip
				 * hints and hands a high-order request to kcompactd
				 * (prepare_kswapd_sleep is true for such a node) */
				reset_isolation_suitable(mem);
				lab__wakeup_kcompactd(mem, kswapd_req_order(kswapd_req_load(mem)), hz);
				return LAB_BG_STUCK;
			}
		}
	}
	if (reclaimed)
		__atomic_store_n(&mem->kswapd_failures, 0, __ATOMIC_RELAXED);
	return LAB_BG_MORE;
}
