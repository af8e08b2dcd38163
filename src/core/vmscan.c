/* SPDX-License-Identifier: MIT */
/*
 * core/vmscan.c - page reclaim (mm/vmscan.c, reduced to owners' pages):
 * shrink_zone_lru for kswapd and direct reclaim, try_to_free_pages.
 *
 *   active file  --(deactivate when inactive < active)-->  inactive file
 *                                                             | scan from the tail,
 *                                                             v  32 at a time
 *                 owner->isolate ? owner->reclaim ? free : rotate to the head
 *
 * Anon pages need swap, which Labyrinth does not have: like Linux without
 * swap, reclaim leaves them alone (compaction may still move them).
 * Owners' callbacks run with no lock held. The scan is bounded: at most
 * (list size >> priority) + SWAP_CLUSTER_MAX pages per call.
 */
#include "internal.h"

/* Takes up to @n pages from the tail of list @l, isolated; returns them
 * linked through next (caller's private list). Zone lock held. */
static uint32_t isolate_lru_tail(struct lab_mem *mem, struct lab_zone *z, int l, unsigned n, unsigned *got)
{
	uint32_t list = LAB_NIL;
	*got = 0;
	while (*got < n && z->lru_tail[l] != LAB_NIL) {
		struct lab_page *p = &mem->pages[z->lru_tail[l]];
		lab__lru_del(mem, z, p);
		page_owner_set(p, page_owner(p) | LAB_OWN_ISOLATED);
		p->next = list;
		list = page_idx(mem, p);
		(*got)++;
	}
	return list;
}

static void putback(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, bool activate)
{
	unsigned long flags;
	zone_lock(mem, z, &flags);
	page_owner_set(p, page_owner(p) & ~LAB_OWN_ISOLATED);
	if (activate)
		page_owner_set(p, page_owner(p) | LAB_OWN_ACTIVE);
	lab__lru_add(mem, z, p, true);
	zone_unlock(mem, z, flags);
}

/* shrink_active_list: age the active file list into the inactive one. */
static void shrink_active_file(struct lab_mem *mem, struct lab_zone *z, unsigned long nr)
{
	unsigned long flags;
	zone_lock(mem, z, &flags);
	while (nr-- && zone_nr_lru(z, LAB_LRU_ACTIVE_FILE) > zone_nr_lru(z, LAB_LRU_INACTIVE_FILE) &&
	       z->lru_tail[LAB_LRU_ACTIVE_FILE] != LAB_NIL) {
		struct lab_page *p = &mem->pages[z->lru_tail[LAB_LRU_ACTIVE_FILE]];
		lab__lru_del(mem, z, p);
		page_owner_set(p, page_owner(p) & ~LAB_OWN_ACTIVE);
		lab__lru_add(mem, z, p, true);
	}
	zone_unlock(mem, z, flags);
}

/*
 * shrink_zone_lru: reclaim up to @nr_to_reclaim pages of zone @z's file
 * LRU at @priority (scan size >> priority). Returns pages reclaimed; adds
 * the pages scanned to *@nr_scanned. No lock held by the caller.
 */
unsigned long lab__shrink_zone_lru(struct lab_mem *mem, struct lab_zone *z, unsigned long nr_to_reclaim,
			      int priority, unsigned long *nr_scanned)
{
	unsigned long reclaimed = 0, scanned = 0, flags;
	uint64_t size = zone_nr_lru(z, LAB_LRU_INACTIVE_FILE) + zone_nr_lru(z, LAB_LRU_ACTIVE_FILE);
	uint64_t target = (size >> priority) + LAB_SWAP_CLUSTER_MAX;

	if (!size)
		return 0;
	shrink_active_file(mem, z, target);
	while (scanned < target && reclaimed < nr_to_reclaim) {
		unsigned got;
		zone_lock(mem, z, &flags);
		uint32_t list = isolate_lru_tail(mem, z, LAB_LRU_INACTIVE_FILE, LAB_SWAP_CLUSTER_MAX, &got);
		zone_unlock(mem, z, flags);
		if (!got)
			break;
		while (list != LAB_NIL) {
			struct lab_page *p = &mem->pages[list];
			void *ctx = NULL;
			const struct lab_page_owner_ops *ops = lab__owner_ops(mem, p, &ctx);
			unsigned order = p->order;
			list = p->next;
			scanned += 1ull << order;
			if (!ops || (ops->isolate && ops->isolate(ctx, p) != 0)) {
				putback(mem, z, p, false);   /* busy: rotate */
				continue;
			}
			if (ops->reclaim && ops->reclaim(ctx, p) == 0) {
				lab__free_isolated_page(mem, p, order);
				reclaimed += 1ull << order;
				continue;
			}
			if (ops->putback)
				ops->putback(ctx, p);
			putback(mem, z, p, true);            /* referenced or dirty: keep */
		}
	}
	if (nr_scanned)
		*nr_scanned += scanned;
	return reclaimed;
}

/* zone_reclaimable_pages (6.1.124+): file LRU (anon needs swap); a zone
 * with no LRU pages at all counts its free pages. */
uint64_t lab__zone_reclaimable_pages(const struct lab_zone *z)
{
	uint64_t n = zone_nr_lru(z, LAB_LRU_INACTIVE_FILE) + zone_nr_lru(z, LAB_LRU_ACTIVE_FILE);
	uint64_t all = n + zone_nr_lru(z, LAB_LRU_INACTIVE_ANON) + zone_nr_lru(z, LAB_LRU_ACTIVE_ANON) +
		       zone_nr_lru(z, LAB_LRU_UNEVICTABLE_LIST);
	return all ? n : zone_free(z);
}

/*
 * try_to_free_pages: direct reclaim for a blocking allocation. Priorities
 * DEF_PRIORITY..0 over the zones the request may use, until
 * SWAP_CLUSTER_MAX pages are reclaimed. Counts allocstall for the
 * request's highest zone. Returns pages reclaimed (did_some_progress).
 */
unsigned long lab__try_to_free_pages(struct lab_mem *mem, unsigned order, lab_gfp_t gfp, int highest_zoneidx)
{
	unsigned long reclaimed = 0, scanned = 0;
	(void)order;
	(void)gfp;
	count_event(mem, (enum lab_vm_event)(LAB_ALLOCSTALL_DMA + highest_zoneidx), 1);
	for (int prio = LAB_DEF_PRIORITY; prio >= 0 && reclaimed < LAB_SWAP_CLUSTER_MAX; prio--) {
		for (int zi = highest_zoneidx; zi >= 0; zi--) {
			struct lab_zone *z = &mem->zones[zi];
			if (z->populated)
				reclaimed += lab__shrink_zone_lru(mem, z, LAB_SWAP_CLUSTER_MAX - (reclaimed < 32 ? reclaimed : 32),
							     prio, &scanned);
		}
		lab__shrink_slab(mem, prio);
	}
	count_event(mem, LAB_PGSCAN_DIRECT, scanned);
	count_event(mem, LAB_PGSTEAL_DIRECT, reclaimed);
	if (reclaimed)
		__atomic_store_n(&mem->kswapd_failures, 0, __ATOMIC_RELAXED);   /* progress: the node is not hopeless */
	return reclaimed;
}
