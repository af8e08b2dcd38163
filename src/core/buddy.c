/* SPDX-License-Identifier: MIT */
/*
 * core/buddy.c - buddy free lists: add, remove, split (expand) and merge.
 *
 * Knuth's binary buddy system (TAOCP vol. 1, 2.5) as Linux runs it: a free
 * block of order k starts at a pfn aligned to 2^k; its buddy is pfn ^ 2^k;
 * two free buddies of the same order and zone merge into one block of order
 * k+1, up to order LAB_MAX_ORDER-1 (4 MiB with 4 KiB pages).
 *
 *   zone->free_head[o][mt]          zone->nonempty[mt] (bit o)
 *   o=0  [U] -> idx -> idx          U: 0b00000000101
 *   o=1  [U]    (empty)             M: 0b10000000000
 *   o=2  [U] -> idx                    ^ order 10
 *   ...
 *   o=10 [M] -> idx -> idx -> ...
 *
 * rmqueue's buddy half lives here too, beside the removal it calls:
 * __rmqueue (own type, CMA, fallback with stealing) and rmqueue_buddy (the
 * highatomic reserve first or last), under the zone lock.
 *
 * Lists are doubly linked through struct lab_page.next/prev (page indices,
 * LAB_NIL at the ends) so struct lab_page stays 16 bytes. The nonempty
 * bitmap makes "smallest order >= k with a block of type mt" one ctz, so
 * every operation here is O(MAX_ORDER) at worst, whatever the memory size.
 *
 * Free-page accounting lives here, with the lists: a block on any list but
 * MIGRATE_ISOLATE counts in zone->free_pages (NR_FREE_PAGES), a block on the
 * CMA list also in zone->free_cma, on the HighAtomic list in
 * zone->free_highatomic (6.12's nr_free_highatomic). Splitting and moving therefore keep the
 * counters right by construction (invariant 3).
 *
 * All functions: call with the zone lock held.
 */
#include "internal.h"

static void account(struct lab_zone *z, unsigned order, int mt, int sign)
{
	unsigned long pages = 1ul << order;
	/* zone lock held: plain reads, atomic stores for the lockless readers */
	if (mt != LAB_MIGRATE_ISOLATE)
		__atomic_store_n(&z->free_pages, sign > 0 ? z->free_pages + pages : z->free_pages - pages,
				 __ATOMIC_RELAXED);
	if (mt == LAB_MIGRATE_CMA)
		__atomic_store_n(&z->free_cma, sign > 0 ? z->free_cma + pages : z->free_cma - pages,
				 __ATOMIC_RELAXED);
	else if (mt == LAB_MIGRATE_HIGHATOMIC)   /* 6.12's account_freepages */
		__atomic_store_n(&z->free_highatomic,
				 sign > 0 ? z->free_highatomic + pages : z->free_highatomic - pages, __ATOMIC_RELAXED);
}

/* Puts a free block on list (order, mt) at its head or tail. */
void lab__buddy_list_add(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p,
		    unsigned order, int mt, bool tail)
{
	/* debug tier: a page still on a buddy or per-CPU list would be linked
	 * twice (a double free reaching the lists) */
	if (LAB_BUG_ON(p->flags & (LAB_PG_BUDDY | LAB_PG_PCP), p, "add to a free list: page already listed"))
		return;
	page_set_state(p, LAB_PG_BUDDY, order, mt);
	page_owner_set(p, 0);
	idx_list_add(mem->pages, &z->free_head[order][mt], &z->free_tail[order][mt], p, page_idx(mem, p), tail);
	z->nr_free_mt[order][mt]++;
	__atomic_store_n(&z->nr_free[order], z->nr_free[order] + 1, __ATOMIC_RELAXED);   /* read locklessly */
	__atomic_store_n(&z->nonempty[mt], (uint16_t)(z->nonempty[mt] | (1u << order)), __ATOMIC_RELAXED);
	__atomic_store_n(&z->list_ops, z->list_ops + 1, __ATOMIC_RELAXED);
	account(z, order, mt, +1);
}

/* Takes a free block off its list; it keeps no flags (the caller decides). */
void lab__buddy_list_del(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p)
{
	unsigned order = p->order;
	int mt = p->mt;

	/* debug tier: a page of the wrong state or list would corrupt the
	 * lists and counters it names; refuse and leave everything as it is */
	if (LAB_BUG_ON(!(p->flags & LAB_PG_BUDDY) || order >= LAB_MAX_ORDER || mt >= LAB_MIGRATE_TYPES ||
		       p->zone != z->idx, p, "buddy page state") ||
	    LAB_BUG_ON(!idx_list_linked(mem->pages, &z->free_head[order][mt], &z->free_tail[order][mt], p),
		       p, "free list membership (prev/next)") ||
	    LAB_BUG_ON(!z->nr_free_mt[order][mt] || !z->nr_free[order], p, "nr_free not negative"))
		return;
	idx_list_del(mem->pages, &z->free_head[order][mt], &z->free_tail[order][mt], p);
	page_set_flags(p, 0);
	z->nr_free_mt[order][mt]--;
	__atomic_store_n(&z->nr_free[order], z->nr_free[order] - 1, __ATOMIC_RELAXED);
	if (z->free_head[order][mt] == LAB_NIL)
		__atomic_store_n(&z->nonempty[mt], (uint16_t)(z->nonempty[mt] & ~(1u << order)), __ATOMIC_RELAXED);
	__atomic_store_n(&z->list_ops, z->list_ops + 1, __ATOMIC_RELAXED);
	account(z, order, mt, -1);
}

/* __isolate_free_page + split_page: takes a free block off its list and
 * leaves it as 2^order allocated order-0 pages of type @mt, unowned. */
void lab__buddy_take_as_pages(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, int mt)
{
	unsigned order = p->order;
	lab__buddy_list_del(mem, z, p);
	for (uint64_t i = 0; i < (1ull << order); i++) {
		page_set_state(&p[i], LAB_PG_HEAD, 0, mt);
		page_owner_set(&p[i], 0);
	}
}

/* move_to_free_list: same block, other migratetype list. */
void lab__buddy_list_move(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p, int mt, bool tail)
{
	unsigned order = p->order;
	lab__buddy_list_del(mem, z, p);
	lab__buddy_list_add(mem, z, p, order, mt, tail);
}

/*
 * expand(): the block at @p of order @high is cut down to order @low; each
 * upper half becomes a free block at the head of list (half's order, mt).
 * Allocating order 0 from an order-3 block at P returns P and frees P+4
 * (order 2), P+2 (order 1), P+1 (order 0) - vector K3.
 */
static void buddy_expand(struct lab_mem *mem, struct lab_zone *z, struct lab_page *p,
			 unsigned low, unsigned high, int mt)
{
	while (high > low) {
		high--;
		lab__buddy_list_add(mem, z, p + (1u << high), high, mt, false);
	}
}

/*
 * __rmqueue_smallest: the head block of the smallest non-empty list
 * (o >= order, mt), split down to @order. NULL if there is none. O(1) find
 * through the nonempty bitmap, then O(order) to split.
 */
struct lab_page *lab__buddy_rmqueue_smallest(struct lab_mem *mem, struct lab_zone *z,
					unsigned order, int mt)
{
	uint32_t mask = (uint32_t)z->nonempty[mt] >> order;
	if (!mask)
		return NULL;
	unsigned o = order + lab_ctz32(mask);
	struct lab_page *p = &mem->pages[z->free_head[o][mt]];
	if (LAB_BUG_ON(!(p->flags & LAB_PG_BUDDY) || p->order != o || p->mt != mt || p->zone != z->idx,
		       p, "buddy page state (flag, order, zone, list type)"))
		return NULL;
	lab__buddy_list_del(mem, z, p);
	buddy_expand(mem, z, p, order, o, mt);
	/* p->mt still names the list the pages came from, as it did on the
	 * list (get_pcppage_migratetype) */
	return p;
}

/* __rmqueue: own type, then CMA, then fallback with stealing. Zone lock held. */
struct lab_page *lab__rmqueue_locked(struct lab_mem *mem, struct lab_zone *z, unsigned order,
				       int mt, unsigned alloc_flags)
{
	struct lab_page *p;

	/* balance movable allocations between CMA and the rest (CMA first
	 * when it holds more than half of the zone's free pages) */
	if ((alloc_flags & ALLOC_CMA) && zone_free_cma(z) > zone_free(z) / 2) {
		p = lab__buddy_rmqueue_smallest(mem, z, order, LAB_MIGRATE_CMA);
		if (p)
			return p;
	}
	for (;;) {
		p = lab__buddy_rmqueue_smallest(mem, z, order, mt);
		if (p)
			return p;
		if (alloc_flags & ALLOC_CMA) {
			p = lab__buddy_rmqueue_smallest(mem, z, order, LAB_MIGRATE_CMA);
			if (p)
				return p;
		}
		if (!lab__rmqueue_fallback(mem, z, order, mt, alloc_flags))
			return NULL;
	}
}

/* rmqueue_buddy: the highatomic reserve first for those who may use it,
 * and as a last resort for non-blocking and OOM requests. Takes the zone
 * lock. */
struct lab_page *lab__rmqueue_buddy(struct lab_mem *mem, struct lab_zone *z, unsigned order,
				   int mt, unsigned alloc_flags)
{
	struct lab_page *p = NULL;
	unsigned long flags;

	zone_lock(mem, z, &flags);
	if (alloc_flags & ALLOC_HIGHATOMIC)
		p = lab__buddy_rmqueue_smallest(mem, z, order, LAB_MIGRATE_HIGHATOMIC);
	if (!p) {
		p = lab__rmqueue_locked(mem, z, order, mt, alloc_flags);
		if (!p && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
			p = lab__buddy_rmqueue_smallest(mem, z, order, LAB_MIGRATE_HIGHATOMIC);
	}
	zone_unlock(mem, z, flags);
	return p;
}

/* Is there a free block of exactly @order at @pfn, in zone @z? */
static bool is_free_buddy(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn, unsigned order)
{
	if (!pfn_in_span(mem, pfn))
		return false;
	struct lab_page b = page_state(pfn_page(mem, pfn));   /* another CPU may be changing it */
	return (b.flags & LAB_PG_BUDDY) && b.order == order && b.zone == z->idx;
}

/*
 * __free_one_page: merges the block [pfn, pfn + 2^order) with free buddies
 * as far as possible and puts the result on list (order, @mt).
 *
 * Merging stops at order MAX_ORDER-1, at a buddy that is not a free block of
 * the same order in the same zone, and - from pageblock_order up - when the
 * buddy's pageblock type differs and either type is not mergeable
 * (HighAtomic, CMA, Isolate), exactly as Linux. The merged block goes to the
 * tail when the next-higher buddy is free too (buddy_merge_likely: it will
 * probably merge soon, so keep it out of allocations' way), else the head;
 * @to_tail forces the tail (FPI_TO_TAIL, used when memory is first freed).
 * O(MAX_ORDER).
 */
void lab__buddy_free_one(struct lab_mem *mem, struct lab_zone *z, uint64_t pfn,
		    unsigned order, int mt, bool to_tail)
{
	uint64_t buddy_pfn = pfn;

	while (order < LAB_MAX_ORDER - 1) {
		buddy_pfn = pfn ^ (1ull << order);
		if (!is_free_buddy(mem, z, buddy_pfn, order))
			break;
		if (order >= mem->pageblock_order) {
			int bmt = get_pageblock_migratetype(mem, buddy_pfn);
			if (mt != bmt && (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(bmt)))
				break;
		}
		lab__buddy_list_del(mem, z, pfn_page(mem, buddy_pfn));
		pfn &= buddy_pfn;
		order++;
	}
	if (!to_tail && order < LAB_MAX_ORDER - 2) {
		/* buddy_merge_likely(): is the buddy of the order+1 block free? */
		uint64_t higher = pfn & ~(1ull << order);
		to_tail = is_free_buddy(mem, z, higher ^ (1ull << (order + 1)), order + 1);
	}
	lab__buddy_list_add(mem, z, pfn_page(mem, pfn), order, mt, to_tail);
}

/*
 * Frees the pages [start, end) of zone @z in the largest aligned blocks,
 * each with its pageblock's migratetype (memblock_free_all's way; also used
 * to give back the parts of a block around a contiguous range). Zone lock
 * held. O((end - start) / 2^(MAX_ORDER-1) + MAX_ORDER).
 */
void lab__buddy_free_range(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end, bool to_tail)
{
	while (start < end) {
		unsigned order = start ? (unsigned)__builtin_ctzll(start) : LAB_MAX_ORDER - 1;
		if (order > LAB_MAX_ORDER - 1)
			order = LAB_MAX_ORDER - 1;
		while ((1ull << order) > end - start)
			order--;
		lab__buddy_free_one(mem, z, start, order, get_pageblock_migratetype(mem, start), to_tail);
		start += 1ull << order;
	}
}
