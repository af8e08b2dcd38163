/* SPDX-License-Identifier: MIT */
/*
 * core/free.c - freeing, with the bad-page checks (free_pages_prepare,
 * free_page_is_bad, __free_pages_ok).
 *
 * A free is accepted only if @page is the head of an allocated block of
 * exactly @order in this instance. Anything else - a double free, a wrong
 * order, a page inside a block, a compound tail, a reserved page, a pointer
 * outside the page array - is reported as Linux reports it
 * ("BUG: Bad page state in process ...") and refused: the block stays
 * allocated (Linux leaks a bad page too), no list changes, and
 * lab_mem_check() still passes. All checks run under the zone lock, so a
 * racing double free is caught too.
 *
 * Cost: O(MAX_ORDER) merge steps plus O(2^order) to clear compound tails.
 */
#include "internal.h"

/* Debug poisoning (LAB_CFG_DEBUG_POISON): freed pages are filled with
 * LAB_POISON_FREE; an allocation finds them intact or reports a
 * use-after-free (check_poison in alloc.c). Lowmem pages only. */
static void poison_block(struct lab_mem *mem, struct lab_page *p, unsigned order)
{
	if (!(mem->flags & LAB_CFG_DEBUG_POISON))
		return;
	void *va = lab__page_lowmem_address(p);
	if (va)
		memset(va, LAB_POISON_FREE, LAB_PAGE_SIZE << order);
}

/* unaccount_allocated without PGFREE: a free through the per-CPU lists
 * counts it there, under the pcp lock. */
static void clear_allocated(struct lab_mem *mem, struct lab_page *p, unsigned order, uint8_t flags_before)
{
	poison_block(mem, p, order);
	if (flags_before & LAB_PG_COMPOUND)
		for (uint32_t i = 1; i < (1u << order); i++) {
			page_set_flags(&p[i], 0);
			p[i].next = LAB_NIL;
		}
	page_set_flags(p, 0);
	page_owner_set(p, 0);
}

/*
 * The block headed by @p stops being an allocation: compound tails and the
 * head lose their state, PGFREE follows. @flags_before: the head's flags
 * while allocated (COMPOUND says whether there are tails to clear). The
 * caller owns the block (zone lock held, or claimed by compare-and-swap)
 * and then gives it to a free list.
 */
void lab__unaccount_allocated(struct lab_mem *mem, struct lab_page *p, unsigned order, uint8_t flags_before)
{
	clear_allocated(mem, p, order, flags_before);
	count_event(mem, LAB_PGFREE, 1ull << order);
}

/* free_page_is_bad + the order check: why a page with @f and @alloc_order
 * may not be freed with @order, or NULL. */
static const char *bad_free_reason(uint8_t f, unsigned alloc_order, unsigned order)
{
	if (f & LAB_PG_RESERVED)
		return LAB_WHY("PG_reserved: page is reserved (hole, firmware or kernel)");
	if (f & LAB_PG_BUDDY)
		return LAB_WHY("page is already free (double free)");
	if (f & LAB_PG_PCP)
		return LAB_WHY("page is on a per-CPU free list (double free)");
	if (f & LAB_PG_TAIL)
		return LAB_WHY("PageTail: freeing a tail page of a compound page");
	if (!(f & LAB_PG_HEAD))
		return LAB_WHY("not the first page of an allocated block (interior or already merged)");
	if (alloc_order != order)
		return LAB_WHY("freed with a different order than allocated");
	return NULL;
}

static int refuse(struct lab_mem *mem, struct lab_page *page, const char *why, uint8_t f,
		  unsigned alloc_order, unsigned order)
{
	if (LAB_CONFIG_REPORTS && (f & LAB_PG_HEAD) && !(f & (LAB_PG_BUDDY | LAB_PG_PCP)) && alloc_order != order) {
		char msg[96];
		lab__snprintf(msg, sizeof(msg), "freed with order %u but allocated with order %u", order, alloc_order);
		lab__report_bad_page(mem, page, msg);
	} else {
		lab__report_bad_page(mem, page, why);
	}
	return LAB_EINVAL;
}

/*
 * __free_pages. The page is validated without a lock and claimed with one
 * compare-and-swap of its flags (allocated head -> no state): of two racing
 * frees of the same block exactly one wins, the other is reported as a
 * double free. The common case then touches only this CPU's per-CPU list
 * (no zone lock), so CPUs freeing in parallel do not contend.
 */
/* Validates @page for a free of @order and claims it (see above): 0 and the
 * block is ours (unaccounted, no flags), or LAB_EINVAL after a report.
 * PGFREE is the caller's: the per-CPU path counts it under its lock. */
static int claim_for_free(struct lab_mem *mem, struct lab_page *page, unsigned order)
{
	const char *why;
	unsigned long flags;

	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return LAB_EINVAL;
	why = lab__foreign_page(mem, page);
	if (!why && order >= LAB_MAX_ORDER)
		why = LAB_WHY("order >= MAX_ORDER");
	if (why) {
		lab__report_bad_page(mem, NULL, why);
		return LAB_EINVAL;
	}
	struct lab_zone *z = &mem->zones[page->zone];
	struct lab_page snap;
	snap.state = __atomic_load_n(&page->state, __ATOMIC_ACQUIRE);
	uint8_t f = snap.flags;
	unsigned alloc_order = snap.order;
	why = bad_free_reason(f, alloc_order, order);
	if (why)
		return refuse(mem, page, why, f, alloc_order, order);
	uint32_t owner = page_owner(page);
	if (LAB_CONFIG_OWNERS && (owner & LAB_OWN_LRU)) {
		/*
		 * The owner forgot lab_page_clear_owner: take it off the LRU
		 * here, under the zone lock, and only if reclaim or compaction
		 * (kswapd, kcompactd, another CPU) has not isolated it since
		 * the unlocked look above. Off the LRU, nobody can take it.
		 */
		zone_lock(mem, z, &flags);
		owner = page_owner(page);
		if ((owner & LAB_OWN_LRU) && !(owner & LAB_OWN_ISOLATED))
			lab__lru_del(mem, z, page);
		zone_unlock(mem, z, flags);
	}
	if (owner & LAB_OWN_ISOLATED) {
		/* reclaim or compaction holds it right now: the owner raced */
		lab__report_bad_page(mem, page, "page freed while isolated for reclaim or migration");
		return LAB_EINVAL;
	}
	if (owner & LAB_OWN_PAGE_POOL) {
		lab__report_bad_page(mem, page, "page_pool page freed to the allocator: put it with page_pool_put_page");
		return LAB_EINVAL;
	}
	if (owner & LAB_OWN_CONTIG) {
		lab__report_bad_page(mem, page, "page of a contiguous range: free it with lab_free_contig_range");
		return LAB_EINVAL;
	}
	struct lab_page claimed = snap;
	claimed.flags = 0;
	uint32_t expected = snap.state;
	if (!__atomic_compare_exchange_n(&page->state, &expected, claimed.state, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		snap.state = expected;
		return refuse(mem, page, "page is already being freed (concurrent double free)", snap.flags,
			      snap.order, order);
	}
	clear_allocated(mem, page, order, f);
	return 0;
}

/*
 * __free_pages. The page is validated without a lock and claimed with one
 * compare-and-swap of its state word (allocated head -> no state): of two
 * racing frees of the same block exactly one wins, the other is reported as
 * a double free. The common case then touches only this CPU's per-CPU list
 * (no zone lock), so CPUs freeing in parallel do not contend.
 */
int lab_try_free_pages(struct lab_mem *mem, struct lab_page *page, unsigned order)
{
	unsigned long flags;
	int err = claim_for_free(mem, page, order);
	if (err)
		return err;
	struct lab_zone *z = &mem->zones[page->zone];
	if (pcp_allowed_order(mem, order)) {
		lab__free_unref_page(mem, z, page, order);   /* counts PGFREE */
		return 0;
	}
	count_event(mem, LAB_PGFREE, 1ull << order);
	uint64_t pfn = page_pfn(mem, page);
	zone_lock(mem, z, &flags);
	lab__buddy_free_one(mem, z, pfn, order, get_pageblock_migratetype(mem, pfn), false);
	zone_unlock(mem, z, flags);
	return 0;
}

/* free_unref_page_list: each page validated and claimed, then all onto this
 * CPU's lists under one lock hold. Bad pages are reported and skipped. */
void lab_free_pages_bulk(struct lab_mem *mem, unsigned nr, struct lab_page **pages)
{
	struct lab_page *batch[64];
	unsigned n = 0;
	for (unsigned i = 0; i < nr; i++) {
		if (!pages[i])
			continue;
		if (!mem || !mem->pcp) {
			lab_free_pages(mem, pages[i], 0);
			continue;
		}
		if (claim_for_free(mem, pages[i], 0))
			continue;
		/* on its way to this CPU's list: a duplicate later in the
		 * array is then refused as a double free */
		page_set_flags(pages[i], LAB_PG_PCP);
		batch[n++] = pages[i];
		if (n == 64) {
			lab__free_unref_page_list(mem, batch, n);
			n = 0;
		}
	}
	if (n)
		lab__free_unref_page_list(mem, batch, n);   /* counts PGFREE */
}

void lab_free_pages(struct lab_mem *mem, struct lab_page *page, unsigned order)
{
	(void)lab_try_free_pages(mem, page, order);
}

void lab_free_pages_addr(struct lab_mem *mem, void *addr, unsigned order)
{
	struct lab_page *p;

	if (!addr)
		return;   /* free_pages(0, order) is a no-op in Linux too */
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return;
	p = lab_virt_to_page(addr);
	if (!p || lab__mem_of_page(p) != mem || ((uintptr_t)addr & (LAB_PAGE_SIZE - 1))) {
		char msg[96];
		lab__snprintf(msg, sizeof(msg), "free_pages: address %p is not a page of this allocator", addr);
		lab__report_bad_page(mem, NULL, msg);
		return;
	}
	lab_free_pages(mem, p, order);
}
