/* SPDX-License-Identifier: MIT */
/*
 * core/page.c - conversions between page descriptors, pfns, physical and
 * virtual addresses (page_address, virt_to_page, page_to_pfn, ...).
 *
 *   struct lab_page *  <-- idx -->  pfn = base_pfn + idx  <-->  phys = pfn << 12
 *                                                           <-->  va = virt_base + (pfn - base_pfn) << 12
 *                                                                 (lowmem only: pfn < highmem_start_pfn)
 *
 * A page finds its instance through the registry in init.c (O(instances)).
 * All O(1) apart from that; callable from any context.
 */
#include "internal.h"

lab_pfn_t lab_page_to_pfn(const struct lab_page *page)
{
	struct lab_mem *mem = lab__mem_of_page(page);
	return mem ? page_pfn(mem, page) : 0;
}

lab_phys_t lab_page_to_phys(const struct lab_page *page)
{
	return lab_page_to_pfn(page) << LAB_PAGE_SHIFT;
}

struct lab_page *lab_pfn_to_page(struct lab_mem *mem, lab_pfn_t pfn)
{
	if (!mem || !pfn_in_span(mem, pfn))
		return NULL;
	return pfn_page(mem, pfn);
}

struct lab_mem *lab_page_mem(const struct lab_page *page)
{
	return page ? lab__mem_of_page(page) : NULL;
}

/* lowmem_page_address(): the direct-map address, NULL for highmem. The
 * core's own users (zeroing, poisoning, migration, kmap's lowmem test) want
 * exactly this and never the pkmap lookup. */
void *lab__page_lowmem_address(const struct lab_page *page)
{
	struct lab_mem *mem = page ? lab__mem_of_page(page) : NULL;
	if (!mem || !mem->virt_base)
		return NULL;
	uint64_t pfn = page_pfn(mem, page);
	if (pfn >= mem->highmem_start_pfn)
		return NULL;
	return (void *)(mem->virt_base + ((uintptr_t)(pfn - mem->base_pfn) << LAB_PAGE_SHIFT));
}

/* page_address(): a highmem page has an address while a pkmap slot maps it
 * (kmap()ed, or unmapped but not yet flushed), as Linux's
 * page_address_htable says; kmap_local addresses belong to their task and
 * are not returned, as in Linux. */
void *lab_page_address(const struct lab_page *page)
{
	void *va = lab__page_lowmem_address(page);
	if (va || !page)
		return va;
	struct lab_mem *mem = lab__mem_of_page(page);
	return mem && mem->magic == LAB_MEM_MAGIC ? lab__pkmap_page_address(mem, page) : NULL;
}

struct lab_page *lab_virt_to_page(const void *addr)
{
	/* search the registry: the instance whose direct map holds addr */
	for (unsigned i = 0; i < LAB_MAX_INSTANCES; i++) {
		struct lab_mem *m = lab__registry_at(i);
		if (!m || !m->virt_base)
			continue;
		uintptr_t a = (uintptr_t)addr;
		uint64_t lowmem_end = m->highmem_start_pfn < m->end_pfn ? m->highmem_start_pfn : m->end_pfn;
		uintptr_t size = (uintptr_t)(lowmem_end - m->base_pfn) << LAB_PAGE_SHIFT;
		if (a >= m->virt_base && a - m->virt_base < size)
			return &m->pages[(a - m->virt_base) >> LAB_PAGE_SHIFT];
	}
	return NULL;
}

unsigned lab_compound_order(const struct lab_page *page)
{
	if (!page || !(page->flags & LAB_PG_COMPOUND))
		return 0;
	return page->order;
}
