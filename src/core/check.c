/* SPDX-License-Identifier: MIT */
/*
 * core/check.c - lab_mem_check(): walks the whole state and verifies every
 * invariant of DESIGN.md, logging each violation. Needs no memory of its
 * own (the core allocates nothing), so it walks the page array twice:
 *
 *   1. by pfn, zone by zone: each page is the head of exactly one free
 *      block, allocated block, per-CPU block, or is reserved; blocks are
 *      aligned, inside their zone, their interior pages carry no state
 *      (compound tails point at their head), and no two free buddies of the
 *      same order are left unmerged below pageblock order (see
 *      merge_may_be_incomplete);
 *   2. by list: every list element is a free block of that list's order,
 *      type and zone, lists are NIL-terminated and back-linked, and their
 *      lengths equal the counters;
 *
 * then the equations:
 *   free_pages == sum of non-Isolate list pages     free_cma == CMA list pages
 *   nr_free[o] == sum over types of nr_free_mt[o][t]
 *   nonempty[t] bit o <=> list (o, t) non-empty
 *   free + allocated + per-CPU + isolated == managed    (no page lost)
 *   nr_reserved_highatomic == HighAtomic pageblocks * pageblock_nr_pages
 *                             (+ Linux 6.1's counted drift, check_highatomic)
 *
 * and logs how often the debug tier (debug.h) fired.
 *
 * Cost O(pages). Takes each zone's lock while checking it.
 */
#include "internal.h"

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			errors++;                          \
			if (errors <= 20)                  \
				lab__log(mem, LAB_LOG_ERR, __VA_ARGS__); \
		}                                          \
	} while (0)

/*
 * At pageblock order and above, Linux decides whether to merge by the
 * freeing type against the buddy's pageblock type at that moment; a later
 * type change (unreserving a highatomic block, a steal, a stale per-CPU
 * type) moves free blocks between lists without merging them. Unmerged
 * buddies are therefore legal there, as in Linux; below pageblock order
 * merging is unconditional and a pair of free buddies is a bug.
 */
static bool merge_may_be_incomplete(const struct lab_mem *mem, unsigned order)
{
	return order >= mem->pageblock_order;
}

/* What pass 1 found, by pfn, for the equations of the later phases. */
struct zone_census {
	uint64_t free_pages, free_cma, isolated, allocated, pcp, reserved;
	uint64_t blocks[LAB_MAX_ORDER][LAB_MIGRATE_TYPES];   /* free blocks by list */
};

/* Pass 1, one block's interior: compound tails point at their head, other
 * interior pages carry no state. */
static int check_block_interior(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, uint64_t n)
{
	int errors = 0;
	const char *zn = lab_zone_names[z->idx];
	uint64_t pfn = page_pfn(mem, p);
	uint32_t head = page_idx(mem, p);

	for (uint64_t i = 1; i < n; i++) {
		struct lab_page *t = p + i;
		if ((p->flags & LAB_PG_COMPOUND)) {
			CHECK(t->flags == LAB_PG_TAIL && t->next == head,
			      "check: compound tail %#llx not linked to its head",
			      (unsigned long long)(pfn + i));
		} else {
			CHECK(t->flags == 0, "check: zone %s pfn %#llx inside block %#llx has flags %#x",
			      zn, (unsigned long long)(pfn + i), (unsigned long long)pfn, t->flags);
		}
	}
	return errors;
}

/* Pass 1, a free block: counted by list and kind; merging is complete
 * below pageblock order (invariant 2). */
static int check_free_block(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, unsigned o,
			    uint64_t n, struct zone_census *c)
{
	int errors = 0;
	const char *zn = lab_zone_names[z->idx];
	uint64_t pfn = page_pfn(mem, p);

	CHECK(p->mt < LAB_MIGRATE_TYPES, "check: free block %#llx bad type", (unsigned long long)pfn);
	if (p->mt < LAB_MIGRATE_TYPES)
		c->blocks[o][p->mt]++;
	if (p->mt == LAB_MIGRATE_ISOLATE)
		c->isolated += n;
	else
		c->free_pages += n;
	if (p->mt == LAB_MIGRATE_CMA)
		c->free_cma += n;
	uint64_t b = pfn ^ (1ull << o);
	if (o < LAB_MAX_ORDER - 1 && pfn_in_span(mem, b)) {
		struct lab_page *bp = pfn_page(mem, b);
		bool unmerged = (bp->flags & LAB_PG_BUDDY) && bp->order == o && bp->zone == z->idx;
		CHECK(!unmerged || merge_may_be_incomplete(mem, o),
		      "check: zone %s free buddies %#llx and %#llx (order %u) not merged", zn,
		      (unsigned long long)pfn, (unsigned long long)b, o);
	}
	return errors;
}

/*
 * Pass 1, by pfn: each page is the head of exactly one free, allocated or
 * per-CPU block, or reserved; blocks are aligned and inside the zone.
 */
static int check_pages(struct lab_mem *mem, struct lab_zone *z, struct zone_census *c)
{
	int errors = 0;
	const char *zn = lab_zone_names[z->idx];

	for (uint64_t pfn = z->start_pfn; pfn < z->end_pfn;) {
		struct lab_page *p = pfn_page(mem, pfn);
		uint64_t n = 1;
		CHECK(p->zone == z->idx, "check: zone %s pfn %#llx has zone %u", zn,
		      (unsigned long long)pfn, p->zone);
		if (p->flags & LAB_PG_RESERVED) {
			c->reserved++;
		} else if (p->flags & (LAB_PG_BUDDY | LAB_PG_HEAD | LAB_PG_PCP)) {
			unsigned o = p->order;
			int kinds = !!(p->flags & LAB_PG_BUDDY) + !!(p->flags & LAB_PG_HEAD) +
				    !!(p->flags & LAB_PG_PCP);
			CHECK(kinds == 1, "check: zone %s pfn %#llx in several states (flags %#x)", zn,
			      (unsigned long long)pfn, p->flags);
			CHECK(o < LAB_MAX_ORDER, "check: pfn %#llx bad order %u", (unsigned long long)pfn, o);
			if (o >= LAB_MAX_ORDER)
				o = 0;
			n = 1ull << o;
			CHECK((pfn & (n - 1)) == 0, "check: zone %s block %#llx order %u misaligned", zn,
			      (unsigned long long)pfn, o);
			CHECK(pfn + n <= z->end_pfn, "check: zone %s block %#llx order %u crosses the zone end",
			      zn, (unsigned long long)pfn, o);
			if (pfn + n > z->end_pfn)
				n = z->end_pfn - pfn;
			errors += check_block_interior(mem, z, p, n);
			if (p->flags & LAB_PG_BUDDY)
				errors += check_free_block(mem, z, p, o, n, c);
			else if (p->flags & LAB_PG_HEAD)
				c->allocated += n;
			else
				c->pcp += n;
		} else {
			CHECK(0, "check: zone %s pfn %#llx belongs to no block (lost page, flags %#x)", zn,
			      (unsigned long long)pfn, p->flags);
		}
		pfn += n;
	}
	return errors;
}

/*
 * Pass 2, by list: every element is a free block of the list's order, type
 * and zone; lists are NIL-terminated and back-linked; their lengths equal
 * the counters and what pass 1 found; then the free-page equations.
 */
static int check_free_lists(struct lab_mem *mem, struct lab_zone *z, const struct zone_census *c)
{
	int errors = 0;
	const char *zn = lab_zone_names[z->idx];
	uint64_t list_pages = 0, list_cma = 0, list_highatomic = 0, span = z->end_pfn - z->start_pfn;

	for (int o = 0; o < LAB_MAX_ORDER; o++) {
		uint64_t per_order = 0;
		for (int m = 0; m < LAB_MIGRATE_TYPES; m++) {
			uint64_t len = 0;
			uint32_t prev = LAB_NIL;
			for (uint32_t i = z->free_head[o][m]; i != LAB_NIL; i = mem->pages[i].next) {
				struct lab_page *p = &mem->pages[i];
				if (len > span || (uint64_t)i >= mem->end_pfn - mem->base_pfn) {
					CHECK(0, "check: zone %s list (%d, %s) corrupt or cyclic", zn, o,
					      lab_migratetype_names[m]);
					break;
				}
				CHECK((p->flags & LAB_PG_BUDDY) && p->order == o && p->mt == m && p->zone == z->idx,
				      "check: zone %s list (%d, %s) holds pfn %#llx (flags %#x order %u type %u)", zn,
				      o, lab_migratetype_names[m], (unsigned long long)page_pfn(mem, p), p->flags,
				      p->order, p->mt);
				CHECK(p->prev == prev, "check: zone %s list (%d, %s) back link broken", zn, o,
				      lab_migratetype_names[m]);
				prev = i;
				len++;
			}
			CHECK(z->free_tail[o][m] == prev, "check: zone %s list (%d, %s) tail wrong", zn, o,
			      lab_migratetype_names[m]);
			CHECK(len == z->nr_free_mt[o][m] && len == c->blocks[o][m],
			      "check: zone %s list (%d, %s): %llu on list, counter %u, %llu found by pfn", zn, o,
			      lab_migratetype_names[m], (unsigned long long)len, (unsigned)z->nr_free_mt[o][m],
			      (unsigned long long)c->blocks[o][m]);
			CHECK(!!(z->nonempty[m] & (1u << o)) == (len != 0),
			      "check: zone %s nonempty bit (%d, %s) wrong", zn, o, lab_migratetype_names[m]);
			per_order += z->nr_free_mt[o][m];
			if (m != LAB_MIGRATE_ISOLATE)
				list_pages += len << o;
			if (m == LAB_MIGRATE_CMA)
				list_cma += len << o;
			if (m == LAB_MIGRATE_HIGHATOMIC)
				list_highatomic += len << o;
		}
		CHECK(per_order == z->nr_free[o], "check: zone %s nr_free[%d] %u != %llu", zn, o,
		      (unsigned)z->nr_free[o], (unsigned long long)per_order);
	}
	CHECK(z->free_pages == c->free_pages && c->free_pages == list_pages,
	      "check: zone %s free_pages %llu, blocks %llu, lists %llu", zn,
	      (unsigned long long)z->free_pages, (unsigned long long)c->free_pages,
	      (unsigned long long)list_pages);
	CHECK(z->free_cma == c->free_cma && c->free_cma == list_cma, "check: zone %s free_cma wrong", zn);
	CHECK(z->free_highatomic == list_highatomic, "check: zone %s free_highatomic %llu, HighAtomic lists %llu",
	      zn, (unsigned long long)z->free_highatomic, (unsigned long long)list_highatomic);
	return errors;
}

/* No page lost: free + allocated + per-CPU + isolated == managed. */
static int check_conservation(struct lab_mem *mem, struct lab_zone *z, const struct zone_census *c)
{
	int errors = 0;
	const char *zn = lab_zone_names[z->idx];

	CHECK(c->free_pages + c->allocated + c->pcp + c->isolated == z->managed,
	      "check: zone %s free %llu + allocated %llu + pcp %llu + isolated %llu != managed %llu", zn,
	      (unsigned long long)c->free_pages, (unsigned long long)c->allocated, (unsigned long long)c->pcp,
	      (unsigned long long)c->isolated, (unsigned long long)z->managed);
	CHECK(z->end_pfn - z->start_pfn - c->reserved == z->managed,
	      "check: zone %s spanned - reserved != managed", zn);
	uint64_t pcp_listed = 0;
	errors += lab__pcp_check(mem, z, &pcp_listed);
	CHECK(pcp_listed == c->pcp, "check: zone %s pcp lists hold %llu pages, %llu marked per-CPU", zn,
	      (unsigned long long)pcp_listed, (unsigned long long)c->pcp);
	return errors;
}

/* The LRU lists: owned allocated heads, counted right. */
static int check_lru(struct lab_mem *mem, struct lab_zone *z)
{
	int errors = 0;
	const char *zn = lab_zone_names[z->idx];
	uint64_t span = z->end_pfn - z->start_pfn;

	for (int l = 0; l < LAB_NR_LRU; l++) {
		uint64_t pages = 0, len = 0;
		uint32_t prev = LAB_NIL;
		for (uint32_t i = z->lru_head[l]; i != LAB_NIL; i = mem->pages[i].next) {
			struct lab_page *p = &mem->pages[i];
			if (++len > span || !(p->flags & LAB_PG_HEAD) || !(p->owner & LAB_OWN_LRU) ||
			    lab__lru_index(p) != l || p->zone != z->idx || p->prev != prev) {
				CHECK(0, "check: zone %s LRU list %d corrupt at pfn %#llx", zn, l,
				      (unsigned long long)page_pfn(mem, p));
				break;
			}
			prev = i;
			pages += 1ull << p->order;
		}
		CHECK(z->lru_tail[l] == prev && pages == z->nr_lru[l], "check: zone %s LRU list %d: %llu pages, counter %llu",
		      zn, l, (unsigned long long)pages, (unsigned long long)z->nr_lru[l]);
	}
	return errors;
}

/*
 * nr_reserved_highatomic == HighAtomic pageblocks (wholly inside the zone,
 * highatomic.c) plus the pageblocks Linux 6.1 retyped without uncounting
 * them (migratetype.c, change_pageblock_range): a known, named drift,
 * logged but not a violation.
 */
static int check_highatomic(struct lab_mem *mem, struct lab_zone *z)
{
	int errors = 0;
	const char *zn = lab_zone_names[z->idx];
	uint64_t ha_blocks = 0, nr = pageblock_nr_pages(mem);

	for (uint64_t pb = z->start_pfn & ~(nr - 1); pb < z->end_pfn; pb += nr)
		if (pb >= z->start_pfn && pb + nr <= z->end_pfn &&
		    get_pageblock_migratetype(mem, pb) == LAB_MIGRATE_HIGHATOMIC)
			ha_blocks++;
	uint64_t drift = z->highatomic_drift;
	CHECK(z->nr_reserved_highatomic == (ha_blocks + drift) * nr,
	      "check: zone %s nr_reserved_highatomic %llu but %llu HighAtomic pageblocks (+%llu drift)", zn,
	      (unsigned long long)z->nr_reserved_highatomic, (unsigned long long)ha_blocks,
	      (unsigned long long)drift);
	if (drift)
		lab__log(mem, LAB_LOG_INFO,
			 "check: zone %s highatomic drift: %llu pageblocks counted in nr_reserved_highatomic "
			 "but retyped by change_pageblock_range (Linux 6.1 accounting, not corruption)", zn,
			 (unsigned long long)drift);
	return errors;
}

/* The phases in order; pass 1's census feeds the equations. */
static int check_zone(struct lab_mem *mem, struct lab_zone *z)
{
	struct zone_census c;
	int errors;

	memset(&c, 0, sizeof(c));
	errors = check_pages(mem, z, &c);
	errors += check_free_lists(mem, z, &c);
	errors += check_conservation(mem, z, &c);
	errors += check_lru(mem, z);
	errors += check_highatomic(mem, z);
	return errors;
}

int lab_mem_check(struct lab_mem *mem)
{
	int errors = 0;
	if (!LAB_CONFIG_CHECK)
		return LAB_EOPNOTSUPP;   /* compiled out: nothing was checked */
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return 1;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		unsigned long flags;
		if (!z->populated)
			continue;
		zone_lock(mem, z, &flags);
		errors += check_zone(mem, z);
		zone_unlock(mem, z, flags);
	}
	/* the debug tier's checks refuse instead of corrupting, so a firing is
	 * reported here but is not itself a violation of the state */
	unsigned long bugs = __atomic_load_n(&mem->debug_vm_bugs, __ATOMIC_RELAXED);
	unsigned long warns = __atomic_load_n(&mem->debug_vm_warnings, __ATOMIC_RELAXED);
	if (bugs || warns)
		lab__log(mem, LAB_LOG_WARNING, "check: debug_vm: %lu BUG_ON and %lu WARN_ON fired so far", bugs, warns);
	return errors;
}
