/* SPDX-License-Identifier: MIT */
/*
 * core/isolation.c - MIGRATE_ISOLATE pageblocks (mm/page_isolation.c).
 *
 * To take a physical range for a contiguous allocation, its pageblocks are
 * first isolated: their free pages move to the Isolate lists (no longer
 * counted free, never allocated) and pages freed into them stay there.
 * Then the in-use pages are migrated away, and finally the range is taken
 * and the pageblocks are given their type back.
 *
 *   [ M ][ M ][ M ]   ->   [ I ][ I ][ I ]   ->  migrate  ->  take  ->  [ M ][ M ][ M ]
 *                          free pages: Isolate lists          undo_isolate_page_range
 */
#include "internal.h"

/* has_unmovable_pages: an allocated block nobody can move or reclaim. */
static bool pageblock_has_unmovable(struct lab_mem *mem, struct lab_zone *z, uint64_t pb)
{
	uint64_t end = pb + pageblock_nr_pages(mem);
	if (pb < z->start_pfn)
		pb = z->start_pfn;
	if (end > z->end_pfn)
		end = z->end_pfn;
	for (uint64_t pfn = pb; pfn < end;) {
		struct lab_page *p = pfn_page(mem, pfn);
		if (p->flags & (LAB_PG_BUDDY | LAB_PG_PCP)) {
			pfn += 1ull << p->order;
		} else if (p->flags & LAB_PG_HEAD) {
			const struct lab_page_owner_ops *ops = lab__owner_ops(mem, p, NULL);
			if (!ops || (!ops->migrate && !ops->reclaim) || !(p->owner & LAB_OWN_LRU))
				return true;
			pfn += 1ull << p->order;
		} else if (p->flags & LAB_PG_RESERVED) {
			return true;
		} else {
			pfn++;   /* a tail inside a block that started in the previous pageblock */
		}
	}
	return false;
}

static void unset_migratetype_isolate(struct lab_mem *mem, struct lab_zone *z, uint64_t pb, int mt)
{
	if (get_pageblock_migratetype(mem, pb) != LAB_MIGRATE_ISOLATE)
		return;
	set_pageblock_migratetype(mem, pb, mt);
	lab__move_freepages_block(mem, z, pb, mt, NULL);
	z->nr_isolate_pageblock--;
	/* free blocks that could not merge across the isolated boundary merge now */
	uint64_t end = pb + pageblock_nr_pages(mem);
	for (uint64_t pfn = pb; pfn < end && pfn < z->end_pfn;) {
		struct lab_page *p = pfn_page(mem, pfn);
		if ((p->flags & LAB_PG_BUDDY) && p->order >= mem->pageblock_order) {
			unsigned o = p->order;
			int bmt = p->mt;
			lab__buddy_list_del(mem, z, p);
			lab__buddy_free_one(mem, z, pfn, o, bmt, false);
			pfn += 1ull << o;
		} else {
			pfn++;
			if (p->flags & LAB_PG_BUDDY)
				pfn += (1ull << p->order) - 1;
		}
	}
}

/*
 * start_isolate_page_range: isolate every pageblock touching [start, end).
 * LAB_EBUSY (and nothing left isolated: those done get @undo_mt back) if one
 * holds an unmovable page.
 * Takes the zone lock.
 */
int lab__start_isolate_page_range(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end, int undo_mt)
{
	uint64_t nr = pageblock_nr_pages(mem);
	uint64_t first = start & ~(nr - 1), last = (end + nr - 1) & ~(nr - 1);
	unsigned long flags;

	zone_lock(mem, z, &flags);
	for (uint64_t pb = first; pb < last; pb += nr) {
		int mt = get_pageblock_migratetype(mem, pb < z->start_pfn ? z->start_pfn : pb);
		if (mt == LAB_MIGRATE_ISOLATE || pageblock_has_unmovable(mem, z, pb)) {
			for (uint64_t q = first; q < pb; q += nr)
				unset_migratetype_isolate(mem, z, q, undo_mt);
			zone_unlock(mem, z, flags);
			return LAB_EBUSY;
		}
		if (mt == LAB_MIGRATE_HIGHATOMIC) {
			/* the reserve shrinks by this pageblock */
			uint64_t n = nr < z->nr_reserved_highatomic ? nr : z->nr_reserved_highatomic;
			zone_set_reserved_highatomic(z, z->nr_reserved_highatomic - n);
		}
		set_pageblock_migratetype(mem, pb < z->start_pfn ? z->start_pfn : pb, LAB_MIGRATE_ISOLATE);
		lab__move_freepages_block(mem, z, pb < z->start_pfn ? z->start_pfn : pb, LAB_MIGRATE_ISOLATE, NULL);
		z->nr_isolate_pageblock++;
	}
	zone_unlock(mem, z, flags);
	return 0;
}

void lab__undo_isolate_page_range(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end, int mt)
{
	uint64_t nr = pageblock_nr_pages(mem);
	uint64_t first = start & ~(nr - 1), last = (end + nr - 1) & ~(nr - 1);
	unsigned long flags;

	zone_lock(mem, z, &flags);
	for (uint64_t pb = first; pb < last; pb += nr)
		unset_migratetype_isolate(mem, z, pb < z->start_pfn ? z->start_pfn : pb, mt);
	zone_unlock(mem, z, flags);
}
