/* SPDX-License-Identifier: MIT */
/*
 * core/migratetype.c - pageblocks and anti-fragmentation (Gorman's
 * mobility grouping, Linux 2.6.24+).
 *
 * Memory is cut into pageblocks of 2^pageblock_order pages; each carries a
 * migratetype. Allocations of one mobility (Unmovable, Movable, Reclaimable)
 * are served from pageblocks of that type, so that unmovable kernel objects
 * - the walls of the labyrinth - cluster in few pageblocks and the rest can
 * be compacted into large free blocks again. When a type runs out, it falls
 * back to another type's pageblocks, preferring the LARGEST free block and
 * claiming the whole pageblock when enough of it is free or alike, so the
 * mixing stays rare:
 *
 *   pageblock  [M M M M M M M M][M M M M U U U U][U U U U U U U U]
 *   types          Movable         Movable*           Unmovable
 *                                  (* mixed: a fallback stole half;
 *                                   it becomes U once free+alike >= 1/2)
 *
 * Mirrors mm/page_alloc.c: fallbacks[], can_steal_fallback,
 * find_suitable_fallback, __rmqueue_fallback, steal_suitable_fallback,
 * move_freepages_block (Linux 6.1).
 *
 * All functions: call with the zone lock held. Costs: the fallback search is
 * O(MAX_ORDER * 2); stealing walks one pageblock (bounded by
 * 2^pageblock_order page descriptors, skipping whole free/allocated blocks).
 */
#include "internal.h"

const int lab__fallbacks[LAB_MIGRATE_TYPES][2] = {
	[LAB_MIGRATE_UNMOVABLE] = { LAB_MIGRATE_RECLAIMABLE, LAB_MIGRATE_MOVABLE },
	[LAB_MIGRATE_MOVABLE] = { LAB_MIGRATE_RECLAIMABLE, LAB_MIGRATE_UNMOVABLE },
	[LAB_MIGRATE_RECLAIMABLE] = { LAB_MIGRATE_UNMOVABLE, LAB_MIGRATE_MOVABLE },
	/* HighAtomic, CMA and Isolate never fall back and are never targets */
	[LAB_MIGRATE_HIGHATOMIC] = { -1, -1 },
	[LAB_MIGRATE_CMA] = { -1, -1 },
	[LAB_MIGRATE_ISOLATE] = { -1, -1 },
};

/*
 * can_steal_fallback: may a request of @start_mt take over the pageblock of
 * a fallback block of @order (the candidate block's order, not the
 * request's)? Only small Movable requests may not: they would break big
 * blocks that unmovable requests need.
 */
bool lab__can_steal_fallback(const struct lab_mem *mem, unsigned order, int start_mt)
{
	if (order >= mem->pageblock_order)
		return true;
	if (order >= mem->pageblock_order / 2 || start_mt == LAB_MIGRATE_RECLAIMABLE ||
	    start_mt == LAB_MIGRATE_UNMOVABLE || mem->tun.page_group_by_mobility_disabled)
		return true;
	return false;
}

int lab__find_suitable_fallback(struct lab_mem *mem, struct lab_zone *z, unsigned order,
			   int migratetype, bool only_stealable, bool *can_steal)
{
	*can_steal = false;
	if (!zone_nr_free(z, order))   /* compaction's finish test reads it without the lock */
		return -1;
	for (int i = 0; i < 2; i++) {
		int fmt = lab__fallbacks[migratetype][i];
		if (fmt < 0)
			break;
		if (!(zone_nonempty(z, fmt) & (1u << order)))
			continue;
		if (lab__can_steal_fallback(mem, order, migratetype))
			*can_steal = true;
		if (!only_stealable || *can_steal)
			return fmt;
	}
	return -1;
}

/*
 * move_freepages_block: moves every free block of the pageblock containing
 * @pfn to the tail of @mt's lists and returns the number of pages moved;
 * *@movable_pages (if non-NULL) gets the number of in-use pages that are
 * movable. A pageblock that would start before the zone starts at @pfn; one
 * that ends past the zone moves nothing (returns 0), as Linux.
 */
unsigned lab__move_freepages_block(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn,
			      int mt, unsigned *movable_pages)
{
	uint64_t nr = pageblock_nr_pages(mem);
	uint64_t start = pfn & ~(nr - 1), end = start + nr - 1;
	unsigned moved = 0, movable = 0;

	if (movable_pages)
		*movable_pages = 0;
	if (start < z->start_pfn)
		start = pfn;
	if (end >= z->end_pfn)
		return 0;
	for (uint64_t p = start; p <= end;) {
		struct lab_page *pg = pfn_page(mem, p);
		if (pg->flags & LAB_PG_BUDDY) {
			unsigned o = pg->order;
			lab__buddy_list_move(mem, z, pg, mt, true);
			moved += 1u << o;
			p += 1ull << o;
		} else if (pg->flags & (LAB_PG_HEAD | LAB_PG_PCP)) {
			uint64_t n = 1ull << pg->order;
			if (p + n > end + 1)
				n = end + 1 - p;
			/* in-use movable pages: Linux counts PageLRU/__PageMovable */
			if ((pg->flags & LAB_PG_HEAD) && pg->mt == LAB_MIGRATE_MOVABLE)
				movable += (unsigned)n;
			p += n;
		} else {
			p++;
		}
	}
	if (movable_pages)
		*movable_pages = movable;
	return moved;
}

/*
 * change_pageblock_range: a free block of pageblock order or more changes
 * owner, every pageblock in it.
 *
 * Linux 6.1 rule, kept as is: a HighAtomic pageblock inside the block is
 * retyped too and stays counted in nr_reserved_highatomic. It gets there
 * because free_pcppages_bulk frees a page with the migratetype cached when
 * it went on the per-CPU list (rechecked only for isolated pageblocks), so
 * a page of a pageblock reserved meanwhile comes back as, say, Movable;
 * __free_one_page's merge test from pageblock order up compares that type,
 * not the page's own pageblock's, with the buddy's, and the HighAtomic
 * pageblock merges into a Movable multi-pageblock buddy; the highatomic
 * test in steal_suitable_fallback looks only at the head's pageblock.
 *
 *   [M pageblock][H pageblock]  one free order pb+1 block on the M list
 *         steal ->  [U][U]      nr_reserved_highatomic unchanged
 *
 * Each such retype is counted in zone->highatomic_drift so lab_mem_check
 * can tell the drift from corruption.
 */
static void change_pageblock_range(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn,
				   unsigned order, int mt)
{
	uint64_t nr = pageblock_nr_pages(mem);
	for (uint64_t n = 0; n < (1ull << order); n += nr) {
		if (is_migrate_highatomic(get_pageblock_migratetype(mem, pfn + n)))
			z->highatomic_drift++;
		set_pageblock_migratetype(mem, pfn + n, mt);
	}
}

/*
 * steal_suitable_fallback: the request (@start_type) takes the free block @p
 * of another type. A whole free pageblock (or larger) changes owner. A
 * smaller block boosts the watermark (fragmentation is coming: kswapd should
 * make room) and, when @whole_block, moves all the pageblock's free pages to
 * @start_type and claims the pageblock if free + alike pages reach half.
 */
static void steal_suitable_fallback(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p,
				    unsigned alloc_flags, int start_type, bool whole_block)
{
	unsigned current_order = p->order;
	uint64_t pfn = page_pfn(mem, p);
	int old_block_type = get_pageblock_migratetype(mem, pfn);
	unsigned free_pages, movable_pages, alike_pages;

	if (is_migrate_highatomic(old_block_type))
		goto single_page;
	if (current_order >= mem->pageblock_order) {
		change_pageblock_range(mem, z, pfn, current_order, start_type);
		goto single_page;
	}
	/* only kswapd takes a boost back: without reclaim there is none */
	if (LAB_CONFIG_RECLAIM && lab__boost_watermark(mem, z) && (alloc_flags & ALLOC_KSWAPD))
		__atomic_fetch_or(&z->flags, LAB_ZONE_BOOSTED_WATERMARK, __ATOMIC_RELAXED);
	if (!whole_block)
		goto single_page;
	free_pages = lab__move_freepages_block(mem, z, pfn, start_type, &movable_pages);
	if (!free_pages)
		goto single_page;
	if (start_type == LAB_MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (old_block_type == LAB_MIGRATE_MOVABLE)
		alike_pages = pageblock_nr_pages(mem) - (free_pages + movable_pages);
	else
		alike_pages = 0;
	if (free_pages + alike_pages >= (1u << (mem->pageblock_order - 1)) ||
	    mem->tun.page_group_by_mobility_disabled)
		set_pageblock_migratetype(mem, pfn, start_type);
	return;
single_page:
	lab__buddy_list_move(mem, z, p, start_type, true);
}

/*
 * __rmqueue_fallback: no block of @start_mt is free; take one from a
 * fallback type. Searches from the largest order down (a big block is
 * claimed whole, keeping types apart); a small Movable request that cannot
 * claim searches upward instead for the smallest block, so it breaks as
 * little as possible. With ALLOC_NOFRAGMENT only whole free pageblocks
 * qualify. Returns true when blocks were moved to @start_mt's lists (the
 * caller retries __rmqueue_smallest).
 */
bool lab__rmqueue_fallback(struct lab_mem *mem, struct lab_zone *z, unsigned order,
		      int start_mt, unsigned alloc_flags)
{
	int current_order, min_order = (int)order, fmt = -1;
	bool can_steal = false;

	if (order < mem->pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = (int)mem->pageblock_order;
	for (current_order = LAB_MAX_ORDER - 1; current_order >= min_order; current_order--) {
		fmt = lab__find_suitable_fallback(mem, z, (unsigned)current_order, start_mt, false, &can_steal);
		if (fmt == -1)
			continue;
		if (!can_steal && start_mt == LAB_MIGRATE_MOVABLE && current_order > (int)order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (current_order = (int)order; current_order < LAB_MAX_ORDER; current_order++) {
		fmt = lab__find_suitable_fallback(mem, z, (unsigned)current_order, start_mt, false, &can_steal);
		if (fmt != -1)
			break;
	}
	if (fmt == -1)
		return false;   /* cannot happen: the downward scan found one */

do_steal:;
	struct lab_page *p = &mem->pages[z->free_head[current_order][fmt]];
	steal_suitable_fallback(mem, z, p, alloc_flags, start_mt, can_steal);
	count_event(mem, LAB_EV_EXTFRAG, 1);
	return true;
}
