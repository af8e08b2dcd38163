/* SPDX-License-Identifier: MIT */
/*
 * core/highatomic.c - the MIGRATE_HIGHATOMIC reserve (Linux 4.4+, Mel
 * Gorman's "mm, page_alloc: reserve pageblocks for high-order atomic
 * allocations on demand").
 *
 * When a high-order atomic allocation succeeds in the slow path, the
 * pageblock it came from is set aside as HighAtomic: from then on only
 * requests with ALLOC_HIGHATOMIC (high-order, cannot block, __GFP_HIGH) or
 * ALLOC_OOM take from it first, and everybody else falls back to it only as
 * a last resort (ALLOC_NON_BLOCK/ALLOC_OOM in rmqueue_buddy, 6.1.116+). The
 * NIC's next order-3 GFP_ATOMIC request thus finds a block even after the
 * rest of memory has fragmented.
 *
 *   zone: [M][M][H][U][M][H][M] ...   H = reserved: at most
 *   nr_reserved_highatomic = 2 * 512    managed/100 + one pageblock
 *
 * Bound: reservations stop once nr_reserved_highatomic >= managed/100 +
 * pageblock_nr_pages; since the test precedes the increment, the reserve
 * can end one pageblock above that (Linux 6.1 identical; vector M1).
 * Linux 6.12 (since 6.8): managed/100 rounded up to a pageblock, and no
 * reserve at all in a zone whose 1% is less than a pageblock (a 256 MiB
 * machine's DMA32 zone of 43667 pages: none); highatomic_max().
 * The reserve is given back under pressure by unreserve_highatomic_pageblock.
 */
#include "internal.h"

/* The reserve's limit in the profile's kernel (0: none). */
static uint64_t highatomic_max(const struct lab_mem *mem, const struct lab_zone *z)
{
	uint64_t pb = pageblock_nr_pages(mem), pct = z->managed / 100;

	if (mem->kernel != LAB_KERNEL_6_12)
		return pct + pb;
	return pct < pb ? 0 : (pct + pb - 1) & ~(pb - 1);   /* ALIGN(pct, pageblock) */
}

/* reserve_highatomic_pageblock. Takes the zone lock. */
void lab__reserve_highatomic_pageblock(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p)
{
	uint64_t max_managed = highatomic_max(mem, z);
	unsigned long flags;

	if (!LAB_CONFIG_HIGHATOMIC || !mem->tun.highatomic_reserve || zone_reserved_highatomic(z) >= max_managed)
		return;
	zone_lock(mem, z, &flags);
	uint64_t pfn = page_pfn(mem, p), pb = pfn & ~((uint64_t)pageblock_nr_pages(mem) - 1);
	/* a pageblock that straddles a zone boundary (limits not pageblock
	 * aligned) is never reserved: its type is shared by two zones */
	bool inside = pb >= z->start_pfn && pb + pageblock_nr_pages(mem) <= z->end_pfn;
	if (inside && z->nr_reserved_highatomic < max_managed) {
		int mt = get_pageblock_migratetype(mem, pfn);
		/* only ordinary pageblocks (they can merge with others) */
		if (migratetype_is_mergeable(mt)) {
			zone_set_reserved_highatomic(z, z->nr_reserved_highatomic + pageblock_nr_pages(mem));
			set_pageblock_migratetype(mem, pfn, LAB_MIGRATE_HIGHATOMIC);
			lab__move_freepages_block(mem, z, pfn, LAB_MIGRATE_HIGHATOMIC, NULL);
			count_event(mem, LAB_EV_HIGHATOMIC_RESERVE, 1);
		}
	}
	zone_unlock(mem, z, flags);
}

/*
 * unreserve_highatomic_pageblock: give one HighAtomic pageblock back to
 * @migratetype, walking the zones a request of @highest_zoneidx may use.
 * Without @force a zone keeps its last reserved pageblock. Returns true if
 * free pages were moved. Takes each zone's lock. O(zones * MAX_ORDER) plus
 * one pageblock walk.
 */
bool lab__unreserve_highatomic_pageblock(struct lab_mem *mem, int highest_zoneidx, int migratetype, bool force)
{
	if (!LAB_CONFIG_HIGHATOMIC)
		return false;   /* nothing was ever reserved (config.h) */
	for (int zi = highest_zoneidx; zi >= 0; zi--) {
		struct lab_zone *z = &mem->zones[zi];
		unsigned long flags;

		if (!z->populated)
			continue;
		if (!force && zone_reserved_highatomic(z) <= pageblock_nr_pages(mem))
			continue;
		zone_lock(mem, z, &flags);
		for (unsigned order = 0; order < LAB_MAX_ORDER; order++) {
			uint32_t head = z->free_head[order][LAB_MIGRATE_HIGHATOMIC];
			if (head == LAB_NIL)
				continue;
			uint64_t pfn = page_pfn(mem, &mem->pages[head]);
			if (get_pageblock_migratetype(mem, pfn) == LAB_MIGRATE_HIGHATOMIC) {
				uint64_t nr = pageblock_nr_pages(mem);
				zone_set_reserved_highatomic(z, z->nr_reserved_highatomic -
							     (nr < z->nr_reserved_highatomic ? nr : z->nr_reserved_highatomic));
			}
			set_pageblock_migratetype(mem, pfn, migratetype);
			if (lab__move_freepages_block(mem, z, pfn, migratetype, NULL)) {
				zone_unlock(mem, z, flags);
				count_event(mem, LAB_EV_HIGHATOMIC_UNRESERVE, 1);
				return true;
			}
		}
		zone_unlock(mem, z, flags);
	}
	return false;
}
