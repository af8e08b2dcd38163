/* SPDX-License-Identifier: MIT */
/*
 * core/contig.c - physically contiguous allocations beyond MAX_ORDER:
 * alloc_contig_range, alloc_contig_pages, CMA areas and the DMA helper
 * (mm/page_alloc.c alloc_contig_range, mm/cma.c).
 *
 *   [start ............................ end)   the wanted pfns
 *   1. isolate the pageblocks around it   (LAB_EBUSY if one is unmovable)
 *   2. drain the per-CPU lists
 *   3. every in-use block inside: migrate it out through its owner
 *      (target allocated elsewhere), or reclaim it; else LAB_EBUSY
 *   4. every page is now free on an Isolate list: take [start, end),
 *      give back what the free blocks had outside it
 *   5. undo the isolation
 *
 * Pages of a taken range are allocated order-0 heads marked
 * LAB_OWN_CONTIG; lab_free_contig_range gives them back. Process context
 * only (owners' callbacks, drains). Cost: O(range + pageblocks around it)
 * plus the migrations.
 */
#include "internal.h"

static int range_zone(struct lab_mem *mem, uint64_t start, uint64_t end)
{
	if (start >= end || !pfn_in_span(mem, start) || !pfn_in_span(mem, end - 1))
		return -1;
	int zi = pfn_page(mem, start)->zone;
	struct lab_zone *z = &mem->zones[zi];
	if (!z->populated || start < z->start_pfn || end > z->end_pfn)
		return -1;
	return zi;
}

/* Moves or reclaims every in-use block in [start, end). 0 or LAB_EBUSY. */
static int migrate_range(struct lab_mem *mem, uint64_t start, uint64_t end, lab_gfp_t gfp)
{
	for (uint64_t pfn = start; pfn < end;) {
		struct lab_page *p = pfn_page(mem, pfn);
		if (p->flags & LAB_PG_BUDDY) {
			pfn += 1ull << p->order;
			continue;
		}
		if (p->flags & LAB_PG_RESERVED)
			return LAB_EBUSY;
		if (!(p->flags & LAB_PG_HEAD)) {
			if (p->flags & LAB_PG_PCP)
				return LAB_EBUSY;   /* drained already: someone freed concurrently */
			pfn++;
			continue;
		}
		void *ctx = NULL;
		const struct lab_page_owner_ops *ops = lab__owner_ops(mem, p, &ctx);
		unsigned order = p->order;
		struct lab_zone *z = &mem->zones[p->zone];
		unsigned long flags;
		if (!ops)
			return LAB_EBUSY;
		/* off the LRU and isolated first, under the lock, as reclaim and
		 * compaction do: a daemon in another thread cannot take it too,
		 * and its owner's lab_page_clear_owner says LAB_EBUSY from now on */
		zone_lock(mem, z, &flags);
		uint32_t own = page_owner(p);
		if (!(own & LAB_OWN_LRU) || (own & LAB_OWN_ISOLATED)) {
			zone_unlock(mem, z, flags);
			return LAB_EBUSY;
		}
		lab__lru_del(mem, z, p);
		page_owner_set(p, page_owner(p) | LAB_OWN_ISOLATED);
		zone_unlock(mem, z, flags);
		if (ops->isolate && ops->isolate(ctx, p) != 0) {
			zone_lock(mem, z, &flags);   /* the owner says busy: back on its LRU */
			page_owner_set(p, page_owner(p) & ~LAB_OWN_ISOLATED);
			lab__lru_add(mem, z, p, true);
			zone_unlock(mem, z, flags);
			return LAB_EBUSY;
		}
		bool done = false;
		if (ops->migrate) {
			lab_gfp_t tgfp = LAB___GFP_MOVABLE | LAB___GFP_NOWARN | (gfp & LAB___GFP_HIGHMEM);
			struct lab_page *dst = lab_alloc_pages(mem, tgfp | LAB___GFP_KSWAPD_RECLAIM, order);
			if (dst) {
				if (lab__migrate_page(mem, p, dst)) {
					lab__free_isolated_page(mem, p, order);
					done = true;
				} else {
					lab_free_pages(mem, dst, order);
				}
			}
		}
		if (!done && ops->reclaim && ops->reclaim(ctx, p) == 0) {
			lab__free_isolated_page(mem, p, order);
			done = true;
		}
		if (!done) {
			if (ops->putback)
				ops->putback(ctx, p);
			zone_lock(mem, z, &flags);
			page_owner_set(p, page_owner(p) & ~LAB_OWN_ISOLATED);
			lab__lru_add(mem, z, p, true);
			zone_unlock(mem, z, flags);
			return LAB_EBUSY;
		}
		pfn += 1ull << order;
	}
	return 0;
}

/* Takes [start, end) out of the Isolate lists; zone lock held. 0, or
 * LAB_EBUSY if a page is not free (test_pages_isolated failed). */
static int take_isolated_range(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end)
{
	/* test_pages_isolated: every page is inside a free Isolate block */
	for (uint64_t pfn = start; pfn < end;) {
		uint64_t head = pfn;
		unsigned o;
		for (o = 0; o < LAB_MAX_ORDER; o++) {
			head = pfn & ~((1ull << o) - 1);
			if (!pfn_in_span(mem, head))
				break;
			struct lab_page *h = pfn_page(mem, head);
			if ((h->flags & LAB_PG_BUDDY) && h->order >= o && head + (1ull << h->order) > pfn) {
				o = h->order;
				break;
			}
		}
		if (o >= LAB_MAX_ORDER || !pfn_in_span(mem, head) || !(pfn_page(mem, head)->flags & LAB_PG_BUDDY) ||
		    pfn_page(mem, head)->mt != LAB_MIGRATE_ISOLATE)
			return LAB_EBUSY;
		pfn = head + (1ull << o);
	}
	/* take them: each free block overlapping the range is removed; its
	 * parts outside the range are freed back (to the Isolate lists) */
	for (uint64_t pfn = start; pfn < end;) {
		uint64_t head = pfn;
		struct lab_page *h = NULL;
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
			head = pfn & ~((1ull << o) - 1);
			h = pfn_page(mem, head);
			if ((h->flags & LAB_PG_BUDDY) && head + (1ull << h->order) > pfn)
				break;
		}
		uint64_t bend = head + (1ull << h->order);
		lab__buddy_list_del(mem, z, h);
		if (head < start)
			lab__buddy_free_range(mem, z, head, start, false);
		if (bend > end)
			lab__buddy_free_range(mem, z, end, bend, false);
		uint64_t a = head < start ? start : head, b = bend > end ? end : bend;
		for (uint64_t q = a; q < b; q++) {
			struct lab_page *pg = pfn_page(mem, q);
			page_set_state(pg, LAB_PG_HEAD, 0, LAB_MIGRATE_MOVABLE);
			page_owner_set(pg, LAB_OWN_CONTIG);
		}
		pfn = b;
	}
	return 0;
}

static int contig_migratetype(struct lab_mem *mem, uint64_t start)
{
	for (unsigned i = 0; i < mem->nr_cma; i++)
		if (start >= mem->cma[i].start_pfn && start < mem->cma[i].end_pfn)
			return LAB_MIGRATE_CMA;
	return LAB_MIGRATE_MOVABLE;
}

int lab_alloc_contig_range(struct lab_mem *mem, lab_pfn_t start, lab_pfn_t end, lab_gfp_t gfp)
{
	unsigned long flags;
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return LAB_EINVAL;
	int zi = range_zone(mem, start, end);
	if (zi < 0)
		return LAB_EINVAL;
	struct lab_zone *z = &mem->zones[zi];
	int mt = contig_migratetype(mem, start);
	int ret = lab__start_isolate_page_range(mem, z, start, end, mt);
	if (ret)
		return ret;
	lab_drain_all_pages(mem);
	ret = migrate_range(mem, start, end, gfp);
	if (!ret) {
		lab_drain_all_pages(mem);   /* migration frees may have gone to per-CPU lists */
		zone_lock(mem, z, &flags);
		ret = take_isolated_range(mem, z, start, end);
		zone_unlock(mem, z, flags);
	}
	lab__undo_isolate_page_range(mem, z, start, end, mt);
	if (!ret)
		count_event(mem, (enum lab_vm_event)(LAB_PGALLOC_DMA + zi), end - start);
	return ret;
}

void lab_free_contig_range(struct lab_mem *mem, lab_pfn_t start, unsigned long nr_pages)
{
	unsigned long flags;
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return;
	uint64_t end = start + nr_pages;
	int zi = range_zone(mem, start, end);
	if (zi < 0) {
		lab__report_bad_page(mem, NULL, "free_contig_range: range outside one zone");
		return;
	}
	struct lab_zone *z = &mem->zones[zi];
	zone_lock(mem, z, &flags);
	for (uint64_t q = start; q < end; q++) {
		struct lab_page *p = pfn_page(mem, q);
		if (!(p->flags & LAB_PG_HEAD) || p->order || !(p->owner & LAB_OWN_CONTIG) || (p->owner & LAB_OWN_LRU)) {
			zone_unlock(mem, z, flags);
			lab__report_bad_page(mem, p, "free_contig_range: page is not part of a contiguous allocation");
			return;
		}
	}
	for (uint64_t q = start; q < end; q++) {
		struct lab_page *p = pfn_page(mem, q);
		void *va = lab__page_lowmem_address(p);
		if ((mem->flags & LAB_CFG_DEBUG_POISON) && va)
			memset(va, LAB_POISON_FREE, LAB_PAGE_SIZE);
		page_set_flags(p, 0);
		page_owner_set(p, 0);
	}
	lab__buddy_free_range(mem, z, start, end, false);
	zone_unlock(mem, z, flags);
	count_event(mem, LAB_PGFREE, nr_pages);
}

/* pfn_range_valid_contig: nothing reserved or unmovable-looking inside. */
static bool range_candidate(struct lab_mem *mem, struct lab_zone *z, uint64_t start, uint64_t end)
{
	for (uint64_t pfn = start; pfn < end;) {
		struct lab_page *p = pfn_page(mem, pfn);
		if (p->zone != z->idx || (p->flags & LAB_PG_RESERVED))
			return false;
		if (p->flags & LAB_PG_HEAD) {
			if (!lab__page_is_movable(mem, p) && !(lab__owner_ops(mem, p, NULL) && (p->owner & LAB_OWN_LRU)))
				return false;
			pfn += 1ull << p->order;
		} else if (p->flags & (LAB_PG_BUDDY | LAB_PG_PCP)) {
			pfn += 1ull << p->order;
		} else {
			pfn++;
		}
	}
	return true;
}

struct lab_page *lab_alloc_contig_pages(struct lab_mem *mem, unsigned long nr_pages, lab_gfp_t gfp)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || !nr_pages)
		return NULL;
	int hz = gfp_highest_zone(mem, gfp);
	if (hz < 0)
		return NULL;
	/* natural alignment of the next power of two, as Linux */
	uint64_t align = 1;
	while (align < nr_pages)
		align <<= 1;
	for (int zi = hz; zi >= 0; zi--) {
		struct lab_zone *z = &mem->zones[zi];
		if (!z->populated || zone_free(z) < nr_pages)
			continue;
		uint64_t pfn = (z->start_pfn + align - 1) & ~(align - 1);
		for (; pfn + nr_pages <= z->end_pfn; pfn += align) {
			if (!range_candidate(mem, z, pfn, pfn + nr_pages))
				continue;
			if (lab_alloc_contig_range(mem, pfn, pfn + nr_pages, gfp) == 0)
				return pfn_page(mem, pfn);
		}
	}
	return NULL;
}

struct lab_page *lab_cma_alloc(struct lab_mem *mem, unsigned area, unsigned long count, unsigned align_order)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || area >= mem->nr_cma || !count || align_order >= 32)
		return NULL;
	uint64_t s = mem->cma[area].start_pfn, e = mem->cma[area].end_pfn, step = 1ull << align_order;
	uint8_t *bm = mem->cma[area].bitmap;
	for (uint64_t pfn = (s + step - 1) & ~(step - 1); pfn + count <= e; pfn += step) {
		bool used = false;
		for (uint64_t i = 0; i < count && !used; i++) {
			uint64_t b = pfn + i - s;
			used = bm[b >> 3] & (1u << (b & 7));
		}
		if (used)
			continue;
		if (lab_alloc_contig_range(mem, pfn, pfn + count, LAB_GFP_KERNEL) == 0) {
			for (uint64_t i = 0; i < count; i++) {
				uint64_t b = pfn + i - s;
				bm[b >> 3] |= (uint8_t)(1u << (b & 7));
			}
			count_event(mem, LAB_CMA_ALLOC_SUCCESS, 1);
			return pfn_page(mem, pfn);
		}
	}
	count_event(mem, LAB_CMA_ALLOC_FAIL, 1);
	return NULL;
}

int lab_cma_release(struct lab_mem *mem, unsigned area, struct lab_page *pages, unsigned long count)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || area >= mem->nr_cma || !pages || lab__mem_of_page(pages) != mem)
		return LAB_EINVAL;
	uint64_t s = mem->cma[area].start_pfn, pfn = page_pfn(mem, pages);
	uint8_t *bm = mem->cma[area].bitmap;
	if (pfn < s || pfn + count > mem->cma[area].end_pfn)
		return LAB_EINVAL;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t b = pfn + i - s;
		if (!(bm[b >> 3] & (1u << (b & 7))))
			return LAB_EINVAL;
	}
	lab_free_contig_range(mem, pfn, count);
	for (uint64_t i = 0; i < count; i++) {
		uint64_t b = pfn + i - s;
		bm[b >> 3] &= (uint8_t)~(1u << (b & 7));
	}
	return 0;
}

void *lab_dma_alloc(struct lab_mem *mem, size_t size, lab_phys_t dma_limit, lab_phys_t *phys)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || !size)
		return NULL;
	uint64_t pages = (size + LAB_PAGE_SIZE - 1) >> LAB_PAGE_SHIFT;
	unsigned order = 0;
	while ((1ull << order) < pages)
		order++;
	/* the lowest zone whose end is within the device's reach */
	lab_gfp_t gfp = LAB_GFP_KERNEL | LAB___GFP_NOWARN;
	uint64_t limit_pfn = dma_limit >> LAB_PAGE_SHIFT;
	if (dma_limit && mem->zones[LAB_ZONE_NORMAL].populated && mem->zones[LAB_ZONE_NORMAL].end_pfn > limit_pfn)
		gfp |= mem->zones[LAB_ZONE_DMA32].populated && mem->zones[LAB_ZONE_DMA32].end_pfn <= limit_pfn ?
		       LAB_GFP_DMA32 : LAB_GFP_DMA;
	else if (dma_limit && mem->zones[LAB_ZONE_DMA32].populated && mem->zones[LAB_ZONE_DMA32].end_pfn > limit_pfn)
		gfp |= LAB_GFP_DMA;
	struct lab_page *p = NULL;
	if (order < LAB_MAX_ORDER) {
		p = lab_alloc_pages(mem, gfp | LAB___GFP_ZERO, order);
		if (p && lab_page_to_pfn(p) + (1ull << order) > limit_pfn && dma_limit) {
			lab_free_pages(mem, p, order);
			p = NULL;
		}
	}
	if (!p) {
		p = lab_alloc_contig_pages(mem, pages, gfp);
		if (p && dma_limit && lab_page_to_pfn(p) + pages > limit_pfn) {
			lab_free_contig_range(mem, lab_page_to_pfn(p), pages);
			p = NULL;
		}
		if (p) {
			void *va = lab__page_lowmem_address(p);
			if (va)
				memset(va, 0, pages << LAB_PAGE_SHIFT);
		}
	}
	if (!p)
		return NULL;
	void *va = lab__page_lowmem_address(p);
	if (!va) {
		if (p->owner & LAB_OWN_CONTIG)
			lab_free_contig_range(mem, lab_page_to_pfn(p), pages);
		else
			lab_free_pages(mem, p, order);
		return NULL;
	}
	if (phys)
		*phys = lab_page_to_phys(p);
	return va;
}

void lab_dma_free(struct lab_mem *mem, void *va, size_t size)
{
	struct lab_page *p = va ? lab_virt_to_page(va) : NULL;
	uint64_t pages = (size + LAB_PAGE_SIZE - 1) >> LAB_PAGE_SHIFT;
	unsigned order = 0;
	if (!p || !mem)
		return;
	while ((1ull << order) < pages)
		order++;
	if (p->owner & LAB_OWN_CONTIG)
		lab_free_contig_range(mem, lab_page_to_pfn(p), pages);
	else
		lab_free_pages(mem, p, order);
}
