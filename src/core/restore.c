/* SPDX-License-Identifier: MIT */
/*
 * core/restore.c - lab_mem_restore_zone(): rebuild a zone's free lists,
 * pageblock types, watermarks and reserves from numbers a real kernel
 * printed (buddyinfo/pagetypeinfo/zoneinfo, a dmesg report).
 *
 * The parts (LAB_RESTORE_*), in the order they are applied, all under the
 * zone lock:
 *
 *   1. FREE: every usable page of the zone becomes a filler allocation
 *      (allocated, order 0, no owner)
 *   2. PAGEBLOCKS: pageblock types by count or by position; the highatomic
 *      reserve follows the HighAtomic pageblocks. By count, CMA pageblocks
 *      stay where the CMA areas are and the others are laid out as
 *
 *        zone start                                           zone end
 *        [Unmovable ...][Reclaimable ...][Movable .......][HighAtomic]
 *
 *      (HighAtomic only in pageblocks wholly inside the zone, as
 *      reserve_highatomic_pageblock picks them)
 *   3. FREE: free blocks are carved out of the fillers, largest order
 *      first, at the first 2^order-aligned slot whose buddy is not already
 *      a free block of that order, so no two free buddies meet (invariant
 *      2); smaller blocks fill the buddy halves the larger ones left
 *
 *        order 2:  [FREE][fill][FREE][fill] ...   same-order neighbours alternate
 *        order 1:        [F][f]      [F][f]       inside the halves left over
 *
 *      the top order never merges, so its blocks sit side by side. With
 *      pageblock types given, a block first looks for a slot in pageblocks
 *      of its own migratetype (as the kernel keeps them), then anywhere but
 *      CMA pageblocks; CMA blocks only in CMA pageblocks.
 *   4. HIGHATOMIC without pageblock types: pageblocks holding HighAtomic
 *      (CMA) blocks take that type; filler pageblocks become HighAtomic
 *      until the reserve is met
 *   5. WATERMARKS (min/low/high, boost) and LOWMEM (lowmem_reserve)
 *
 * Input is checked before anything changes: a request that cannot be
 * honoured as given is LAB_EINVAL with the zone untouched; blocks that do
 * not fit are LAB_ENOMEM with the zone consistent (the blocks placed so
 * far, fillers elsewhere). O(zone pages * MAX_ORDER * migratetypes).
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

/* ---- the zone's pageblocks ------------------------------------------------------ */

/* The zone's pageblocks as pagetypeinfo counts them: the one holding
 * zone_start_pfn + k * pageblock_nr_pages, k = 0 .. n-1. */
static uint64_t zone_nr_pb(const struct lab_mem *mem, const struct lab_zone *z)
{
	uint64_t nr = pageblock_nr_pages(mem);
	return (z->end_pfn - z->start_pfn + nr - 1) / nr;
}

static uint64_t zone_pb(const struct lab_mem *mem, const struct lab_zone *z, uint64_t k)
{
	return (z->start_pfn + k * pageblock_nr_pages(mem)) & ~((uint64_t)pageblock_nr_pages(mem) - 1);
}

static bool pb_whole(const struct lab_mem *mem, const struct lab_zone *z, uint64_t pb)
{
	return pb >= z->start_pfn && pb + pageblock_nr_pages(mem) <= z->end_pfn;
}

static bool pb_in_cma(const struct lab_mem *mem, uint64_t pb)
{
	for (unsigned i = 0; i < mem->nr_cma; i++)
		if (pb >= mem->cma[i].start_pfn && pb < mem->cma[i].end_pfn)
			return true;
	return false;
}

/* Pageblock types by position: every entry a type the zone can hold there
 * (no Isolate, CMA exactly in the CMA areas, HighAtomic wholly inside). */
static int check_positions(const struct lab_mem *mem, const struct lab_zone *z, const struct lab_zone_restore *r)
{
	if (!r->pageblock_mt || r->nr_pageblock_mt != zone_nr_pb(mem, z))
		return LAB_EINVAL;
	for (uint64_t k = 0; k < r->nr_pageblock_mt; k++) {
		int mt = r->pageblock_mt[k];
		uint64_t pb = zone_pb(mem, z, k);
		if (mt >= LAB_MIGRATE_TYPES || mt == LAB_MIGRATE_ISOLATE || (mt == LAB_MIGRATE_CMA) != pb_in_cma(mem, pb) ||
		    (mt == LAB_MIGRATE_HIGHATOMIC && !pb_whole(mem, z, pb)))
			return LAB_EINVAL;
	}
	return 0;
}

/* Pageblock types by count: no more than the zone has, no Isolate, CMA
 * exactly the CMA areas' pageblocks, HighAtomic only where it may lie. */
static int check_counts(const struct lab_mem *mem, const struct lab_zone *z, const uint64_t *want)
{
	uint64_t n = zone_nr_pb(mem, z), cma = 0, whole = 0, sum = 0;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t pb = zone_pb(mem, z, k);
		if (pb_in_cma(mem, pb))
			cma++;
		else if (pb_whole(mem, z, pb))
			whole++;
	}
	for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		sum += want[mt];
	if (sum > n || want[LAB_MIGRATE_ISOLATE] || want[LAB_MIGRATE_CMA] != cma ||
	    want[LAB_MIGRATE_HIGHATOMIC] > whole)
		return LAB_EINVAL;
	return 0;
}

static bool counts_given(const struct lab_zone_stats *want)
{
	for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		if (want->nr_blocks_mt[mt])
			return true;
	return false;
}

/* Zone lock held. Sets the types by position or by count (top comment). */
static void set_pageblocks(struct lab_mem *mem, struct lab_zone *z, const struct lab_zone_restore *r)
{
	uint64_t n = zone_nr_pb(mem, z);
	if (r->pageblock_mt) {
		for (uint64_t k = 0; k < n; k++)
			set_pageblock_migratetype(mem, zone_pb(mem, z, k), r->pageblock_mt[k]);
		return;
	}
	const uint64_t *want = r->want->nr_blocks_mt;
	uint64_t ha = want[LAB_MIGRATE_HIGHATOMIC];
	for (uint64_t k = n; k-- > 0;) {
		uint64_t pb = zone_pb(mem, z, k);
		bool take = ha && !pb_in_cma(mem, pb) && pb_whole(mem, z, pb);
		set_pageblock_migratetype(mem, pb, take ? LAB_MIGRATE_HIGHATOMIC :
					  pb_in_cma(mem, pb) ? LAB_MIGRATE_CMA : LAB_MIGRATE_MOVABLE);
		ha -= take;
	}
	uint64_t left[2] = { want[LAB_MIGRATE_UNMOVABLE], want[LAB_MIGRATE_RECLAIMABLE] };
	for (uint64_t k = 0; k < n && (left[0] || left[1]); k++) {
		uint64_t pb = zone_pb(mem, z, k);
		if (get_pageblock_migratetype(mem, pb) != LAB_MIGRATE_MOVABLE)
			continue;
		int i = left[0] ? 0 : 1;
		set_pageblock_migratetype(mem, pb, i ? LAB_MIGRATE_RECLAIMABLE : LAB_MIGRATE_UNMOVABLE);
		left[i]--;
	}
}

/* HighAtomic pageblocks wholly inside the zone (what the reserve counts). */
static uint64_t zone_ha_blocks(struct lab_mem *mem, struct lab_zone *z)
{
	uint64_t nr = pageblock_nr_pages(mem), ha = 0;
	for (uint64_t pb = (z->start_pfn + nr - 1) & ~(nr - 1); pb + nr <= z->end_pfn; pb += nr)
		ha += get_pageblock_migratetype(mem, pb) == LAB_MIGRATE_HIGHATOMIC;
	return ha;
}

/* ---- free blocks ------------------------------------------------------------------- */

/* May a block of type @mt lie at [pfn, pfn + 2^o)? @own: only in pageblocks
 * of type @mt; else anywhere but CMA pageblocks (CMA blocks: only there). */
static bool slot_type_ok(struct lab_mem *mem, uint64_t pfn, unsigned o, int mt, bool own)
{
	uint64_t nr = pageblock_nr_pages(mem);
	for (uint64_t pb = pfn & ~(nr - 1); pb < pfn + (1ull << o); pb += nr) {
		int t = get_pageblock_migratetype(mem, pb);
		if (own ? t != mt : (t == LAB_MIGRATE_CMA) != (mt == LAB_MIGRATE_CMA))
			return false;
	}
	return true;
}

/* Zone lock held. Carves up to *@left blocks of (@o, @mt); @typed: the
 * pageblock types were given (slot rules of slot_type_ok), else any slot,
 * and HighAtomic/CMA blocks give their pageblocks that type. */
static void carve(struct lab_mem *mem, struct lab_zone *z, unsigned o, int mt, uint64_t *left, int typed)
{
	uint64_t nr = pageblock_nr_pages(mem);
	uint64_t cursor = z->start_pfn & ~((1ull << o) - 1);
	for (; *left; (*left)--) {
		while (cursor < z->end_pfn &&
		       (!all_filler(mem, z, cursor, o) || buddy_is_free(mem, z, cursor, o) ||
			(typed && !slot_type_ok(mem, cursor, o, mt, typed == 1))))
			cursor += 1ull << o;
		if (cursor >= z->end_pfn)
			return;
		struct lab_page *p = pfn_page(mem, cursor);
		for (uint64_t i = 0; i < (1ull << o); i++)
			page_set_flags(&p[i], 0);
		if (!typed && (mt == LAB_MIGRATE_HIGHATOMIC || mt == LAB_MIGRATE_CMA))
			for (uint64_t b = cursor & ~(nr - 1); b < cursor + (1ull << o); b += nr)
				set_pageblock_migratetype(mem, b < z->start_pfn ? z->start_pfn : b, mt);
		lab__buddy_list_add(mem, z, p, o, mt, true);
		cursor += 1ull << o;
	}
}

/* Zone lock held. Every usable page becomes a filler, then the free blocks
 * are carved; LAB_ENOMEM when some found no room. */
static int rebuild_free(struct lab_mem *mem, struct lab_zone *z, const struct lab_zone_stats *want, bool typed)
{
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
	int err = 0;
	for (int o = LAB_MAX_ORDER - 1; o >= 0; o--) {
		uint64_t left[LAB_MIGRATE_TYPES];
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			left[mt] = want->nr_free_mt[o][mt];
		for (int pass = typed ? 1 : 0; pass <= (typed ? 2 : 0); pass++)
			for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
				carve(mem, z, (unsigned)o, mt, &left[mt], pass);
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			if (left[mt])
				err = LAB_ENOMEM;
	}
	return err;
}

/* Zone lock held. Without pageblock types: filler pageblocks become
 * HighAtomic until the reserve is met (LAB_ENOMEM when too few). */
static int reserve_highatomic(struct lab_mem *mem, struct lab_zone *z, uint64_t want)
{
	uint64_t nr = pageblock_nr_pages(mem), ha = zone_ha_blocks(mem, z);
	for (uint64_t pb = (z->start_pfn + nr - 1) & ~(nr - 1); pb + nr <= z->end_pfn && ha * nr < want; pb += nr)
		if (get_pageblock_migratetype(mem, pb) < LAB_MIGRATE_PCPTYPES && all_filler(mem, z, pb, mem->pageblock_order)) {
			set_pageblock_migratetype(mem, pb, LAB_MIGRATE_HIGHATOMIC);
			ha++;
		}
	zone_set_reserved_highatomic(z, ha * nr);
	z->highatomic_drift = 0;   /* the count now matches the pageblocks exactly */
	return ha * nr < want ? LAB_ENOMEM : 0;
}

/* ---- the API ------------------------------------------------------------------------ */

/* Everything that makes @r impossible as given, before anything changes. */
static int check_request(struct lab_mem *mem, struct lab_zone *z, const struct lab_zone_restore *r)
{
	const struct lab_zone_stats *want = r->want;
	uint64_t nr = pageblock_nr_pages(mem);
	if (r->parts & LAB_RESTORE_FREE)
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			if (want->nr_free_mt[o][LAB_MIGRATE_ISOLATE])
				return LAB_EINVAL;   /* isolation belongs to a running isolate_migratepages */
	if (!(r->parts & LAB_RESTORE_PAGEBLOCKS))
		return 0;
	if (z->nr_isolate_pageblock)
		return LAB_EBUSY;
	int rc = r->pageblock_mt ? check_positions(mem, z, r) : check_counts(mem, z, want->nr_blocks_mt);
	if (rc || !(r->parts & LAB_RESTORE_HIGHATOMIC))
		return rc;
	uint64_t ha = 0;
	if (r->pageblock_mt) {
		for (uint64_t k = 0; k < r->nr_pageblock_mt; k++)
			ha += r->pageblock_mt[k] == LAB_MIGRATE_HIGHATOMIC;
	} else {
		ha = want->nr_blocks_mt[LAB_MIGRATE_HIGHATOMIC];
	}
	return (want->nr_reserved_highatomic + nr - 1) / nr == ha ? 0 : LAB_EINVAL;
}

int lab_mem_restore_zone_parts(struct lab_mem *mem, unsigned zone, const struct lab_zone_restore *r)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || zone >= LAB_MAX_NR_ZONES || !r || !r->want ||
	    (r->parts & ~LAB_RESTORE_ALL))
		return LAB_EINVAL;
	struct lab_zone *z = &mem->zones[zone];
	const struct lab_zone_stats *want = r->want;
	if (!z->populated)
		return LAB_EINVAL;
	if (r->parts & LAB_RESTORE_FREE)
		lab_drain_all_pages(mem);
	unsigned long flags;
	zone_lock(mem, z, &flags);
	int err = check_request(mem, z, r);
	if (err)
		goto out;
	bool typed = r->parts & LAB_RESTORE_PAGEBLOCKS;
	if (typed) {
		set_pageblocks(mem, z, r);
		zone_set_reserved_highatomic(z, zone_ha_blocks(mem, z) * pageblock_nr_pages(mem));
	}
	if (r->parts & LAB_RESTORE_FREE)
		err = rebuild_free(mem, z, want, typed);
	if ((r->parts & LAB_RESTORE_HIGHATOMIC) && !typed) {
		int e = reserve_highatomic(mem, z, want->nr_reserved_highatomic);
		err = err ? err : e;
	}
	if (r->parts & LAB_RESTORE_WATERMARKS) {
		z->wmark[LAB_WMARK_MIN] = want->wmark[LAB_WMARK_MIN];
		z->wmark[LAB_WMARK_LOW] = want->wmark[LAB_WMARK_LOW];
		z->wmark[LAB_WMARK_HIGH] = want->wmark[LAB_WMARK_HIGH];
		z->wmark[LAB_WMARK_PROMO] = want->wmark[LAB_WMARK_HIGH] +
					    (want->wmark[LAB_WMARK_HIGH] - want->wmark[LAB_WMARK_LOW]);
		zone_set_boost(z, (unsigned long)want->boost);
	}
	if (r->parts & LAB_RESTORE_LOWMEM)
		for (int j = 0; j < LAB_MAX_NR_ZONES; j++)
			z->lowmem_reserve[j] = want->lowmem_reserve[j];
out:
	zone_unlock(mem, z, flags);
	return err;
}

int lab_mem_restore_zone(struct lab_mem *mem, unsigned zone, const struct lab_zone_stats *want)
{
	struct lab_zone_restore r = { .parts = LAB_RESTORE_ALL, .want = want };
	if (want && !counts_given(want))
		r.parts &= ~LAB_RESTORE_PAGEBLOCKS;
	return lab_mem_restore_zone_parts(mem, zone, &r);
}
