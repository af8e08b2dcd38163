/* SPDX-License-Identifier: MIT */
/*
 * core/restore.c - lab_mem_restore_zone(): rebuild a zone's free lists,
 * watermarks and reserves from numbers a real kernel printed.
 *
 *   1. every usable page of the zone becomes a filler allocation (order 0)
 *   2. free blocks are carved out of the fillers, largest order first, at
 *      the first 2^order-aligned slot whose buddy is not already a free
 *      block of that order, so no two free buddies meet (invariant 2);
 *      smaller blocks fill the buddy halves the larger ones left
 *
 *      order 2:  [FREE][fill][FREE][fill] ...   same-order neighbours alternate
 *      order 1:        [F][f]      [F][f]       inside the halves left over
 *
 *      the top order never merges, so its blocks sit side by side
 *
 *   3. pageblocks holding HighAtomic (CMA) blocks take that type; more
 *      filler pageblocks become HighAtomic until the reserve matches
 *   4. watermarks, boost and lowmem_reserve are set as given
 *
 * Not for a live instance: it rewrites the zone wholesale. O(zone pages).
 */
#include "internal.h"

/* Is [pfn, pfn + 2^order) entirely filler (allocated order-0, unowned)? */
static bool all_filler(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn, unsigned order)
{
	if (pfn < z->start_pfn || pfn + (1ull << order) > z->end_pfn)
		return false;
	for (uint64_t i = 0; i < (1ull << order); i++) {
		const struct lab_page *p = pfn_page(mem, pfn + i);
		if (p->flags != LAB_PG_HEAD || p->order || p->owner || p->zone != z->idx)
			return false;
	}
	return true;
}

/* Would a free block at @pfn of @order meet a free buddy of the same order?
 * (The top order never merges, so it has no buddy to meet.) Checking every
 * placement is enough: a region made only of free blocks that are never
 * free buddies of each other cannot be wholly free (by induction on its
 * halves), so no merge is ever missed. */
static bool buddy_is_free(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn, unsigned order)
{
	if (order >= LAB_MAX_ORDER - 1)
		return false;
	uint64_t b = pfn ^ (1ull << order);
	if (b < z->start_pfn || b >= z->end_pfn)
		return false;
	const struct lab_page *p = pfn_page(mem, b);
	return (p->flags & LAB_PG_BUDDY) && p->order == order;
}

int lab_mem_restore_zone(struct lab_mem *mem, unsigned zone, const struct lab_zone_stats *want)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || zone >= LAB_MAX_NR_ZONES || !want)
		return LAB_EINVAL;
	struct lab_zone *z = &mem->zones[zone];
	if (!z->populated)
		return LAB_EINVAL;
	lab_drain_all_pages(mem);
	unsigned long flags;
	zone_lock(mem, z, &flags);
	/* 1. everything usable becomes a filler allocation */
	for (uint64_t pfn = z->start_pfn; pfn < z->end_pfn;) {
		struct lab_page *p = pfn_page(mem, pfn);
		if (p->flags & LAB_PG_BUDDY) {
			unsigned o = p->order;
			lab__buddy_take_as_pages(mem, z, p, LAB_MIGRATE_UNMOVABLE);
			pfn += 1ull << o;
		} else {
			pfn++;
		}
	}
	/* 2. carve the free blocks */
	uint64_t nr = pageblock_nr_pages(mem);
	int err = 0;
	for (int o = LAB_MAX_ORDER - 1; o >= 0 && !err; o--) {
		uint64_t cursor = z->start_pfn & ~((1ull << o) - 1);
		for (int mt = 0; mt < LAB_MIGRATE_TYPES && !err; mt++) {
			if (mt == LAB_MIGRATE_ISOLATE)
				continue;
			for (uint64_t k = 0; k < want->nr_free_mt[o][mt]; k++) {
				while (cursor < z->end_pfn && (!all_filler(mem, z, cursor, (unsigned)o) ||
							       buddy_is_free(mem, z, cursor, (unsigned)o)))
					cursor += 1ull << o;
				if (cursor >= z->end_pfn) {
					err = LAB_ENOMEM;
					break;
				}
				struct lab_page *p = pfn_page(mem, cursor);
				for (uint64_t i = 0; i < (1ull << o); i++)
					p[i].flags = 0;
				if (mt == LAB_MIGRATE_HIGHATOMIC || mt == LAB_MIGRATE_CMA)
					for (uint64_t b = cursor & ~(nr - 1); b < cursor + (1ull << o); b += nr)
						set_pageblock_migratetype(mem, b < z->start_pfn ? z->start_pfn : b, mt);
				lab__buddy_list_add(mem, z, p, (unsigned)o, mt, true);
				cursor += 1ull << o;
			}
		}
	}
	/* 3. the highatomic reserve: whole pageblocks inside the zone */
	uint64_t ha = 0;
	for (uint64_t pb = (z->start_pfn + nr - 1) & ~(nr - 1); pb + nr <= z->end_pfn; pb += nr)
		ha += get_pageblock_migratetype(mem, pb) == LAB_MIGRATE_HIGHATOMIC;
	for (uint64_t pb = (z->start_pfn + nr - 1) & ~(nr - 1);
	     pb + nr <= z->end_pfn && ha * nr < want->nr_reserved_highatomic; pb += nr)
		if (get_pageblock_migratetype(mem, pb) < LAB_MIGRATE_PCPTYPES && all_filler(mem, z, pb, mem->pageblock_order)) {
			set_pageblock_migratetype(mem, pb, LAB_MIGRATE_HIGHATOMIC);
			ha++;
		}
	zone_set_reserved_highatomic(z, ha * nr);
	/* 4. watermarks as printed */
	z->wmark[LAB_WMARK_MIN] = want->wmark[LAB_WMARK_MIN];
	z->wmark[LAB_WMARK_LOW] = want->wmark[LAB_WMARK_LOW];
	z->wmark[LAB_WMARK_HIGH] = want->wmark[LAB_WMARK_HIGH];
	z->wmark[LAB_WMARK_PROMO] = want->wmark[LAB_WMARK_HIGH] + (want->wmark[LAB_WMARK_HIGH] -
								  want->wmark[LAB_WMARK_LOW]);
	zone_set_boost(z, (unsigned long)want->boost);
	for (int j = 0; j < LAB_MAX_NR_ZONES; j++)
		z->lowmem_reserve[j] = want->lowmem_reserve[j];
	zone_unlock(mem, z, flags);
	return err;
}
