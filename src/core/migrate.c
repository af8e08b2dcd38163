/* SPDX-License-Identifier: MIT */
/*
 * core/migrate.c - moving an owned page to another frame (Linux
 * migrate_pages / move_to_new_folio, reduced to what an owner-based
 * allocator needs).
 *
 *   src (isolated, owner O)          dst (allocated for the move)
 *   [contents] ---- copy ----------> [contents]      memcpy through the direct
 *                                                    map, or platform->copy_page
 *   O->migrate(src, dst) == 0 : dst takes src's owner tag and LRU list;
 *                               the caller frees src
 *   otherwise                 : the caller frees dst and puts src back
 *
 * Called without locks held (owners' callbacks may do anything but
 * allocate with __GFP_DIRECT_RECLAIM). Cost: one copy of the block.
 */
#include "internal.h"

bool lab__migrate_page(struct lab_mem *mem, struct lab_page *src, struct lab_page *dst)
{
	void *ctx = NULL;
	const struct lab_page_owner_ops *ops = lab__owner_ops(mem, src, &ctx);
	unsigned order = src->order;
	unsigned long flags;

	if (!ops || !ops->migrate || dst->order != order) {
		count_event(mem, LAB_PGMIGRATE_FAIL, 1ull << order);
		return false;
	}
	void *s = lab__page_lowmem_address(src), *d = lab__page_lowmem_address(dst);
	if (s && d)
		memcpy(d, s, LAB_PAGE_SIZE << order);
	else if (mem->plat.copy_page)
		for (uint64_t i = 0; i < (1ull << order); i++)
			mem->plat.copy_page(mem->plat.ctx, page_pfn(mem, dst) + i, page_pfn(mem, src) + i);
	/*
	 * @dst is the owner's from inside ops->migrate on, but on no LRU yet:
	 * it is tagged and marked isolated first, so that an owner thread
	 * dropping the page meanwhile gets LAB_EBUSY from lab_page_clear_owner
	 * instead of freeing a page this function is about to put on the LRU.
	 */
	struct lab_zone *dz = &mem->zones[dst->zone];
	zone_lock(mem, dz, &flags);
	page_owner_set(dst, (src->owner & ~LAB_OWN_LRU) | LAB_OWN_ISOLATED);
	zone_unlock(mem, dz, flags);
	if (ops->migrate(ctx, src, dst) != 0) {
		zone_lock(mem, dz, &flags);
		page_owner_set(dst, 0);
		zone_unlock(mem, dz, flags);
		count_event(mem, LAB_PGMIGRATE_FAIL, 1ull << order);
		return false;
	}
	zone_lock(mem, dz, &flags);
	page_owner_set(dst, page_owner(dst) & ~LAB_OWN_ISOLATED);
	lab__lru_add(mem, dz, dst, true);
	zone_unlock(mem, dz, flags);
	struct lab_zone *sz = &mem->zones[src->zone];
	zone_lock(mem, sz, &flags);
	page_owner_set(src, page_owner(src) & LAB_OWN_CONTIG);   /* owner words change under the lock */
	zone_unlock(mem, sz, flags);
	count_event(mem, LAB_PGMIGRATE_SUCCESS, 1ull << order);
	return true;
}

/*
 * Frees an allocated head that no owner references any more straight to
 * the buddy lists (not through the per-CPU lists: the point of freeing it
 * is that it merges now). Takes the zone lock.
 */
void lab__free_isolated_page(struct lab_mem *mem, struct lab_page *p, unsigned order)
{
	struct lab_zone *z = &mem->zones[p->zone];
	uint64_t pfn = page_pfn(mem, p);
	unsigned long flags;

	zone_lock(mem, z, &flags);
	lab__unaccount_allocated(mem, p, order, p->flags);
	lab__buddy_free_one(mem, z, pfn, order, get_pageblock_migratetype(mem, pfn), false);
	zone_unlock(mem, z, flags);
}
