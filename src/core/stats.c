/* SPDX-License-Identifier: MIT */
/*
 * core/stats.c - statistics snapshots (the tunables' setters: sysctl.c).
 *
 * lab_mem_get_stats copies each zone's counters under that zone's lock, so
 * each zone is self-consistent (the snapshot as a whole is not atomic across
 * zones, like /proc). Cost: O(zones * (MAX_ORDER * MIGRATE_TYPES +
 * pageblocks)); the pageblock census walks one byte per pageblock.
 *
 */
#include "internal.h"

void lab_mem_get_stats(struct lab_mem *mem, struct lab_mem_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->pageblock_order = mem->pageblock_order;
	out->nr_cpus = mem->nr_cpus;
	out->tunables = mem->tun;
	out->totalreserve_pages = mem->totalreserve_pages;
	out->highmem_zone = mem->highmem_zone;
	out->kernel = (enum lab_kernel)mem->kernel;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		struct lab_zone_stats *s = &out->zone[i];
		unsigned long flags;

		if (z->cma_pages)
			out->cma_enabled = 1;
		out->populated[i] = z->populated;
		s->start_pfn = z->start_pfn;
		s->spanned = z->end_pfn - z->start_pfn;
		s->present = z->present;
		s->managed = z->managed;
		s->cma = z->cma_pages;
		s->nr_cpus = mem->nr_cpus;
		s->vm_stats_threshold = lab__zone_vmstat_threshold(z->managed, mem->nr_cpus);
		for (unsigned c = 0; c < mem->nr_cpus && c < LAB_MAX_CPUS; c++) {
			s->pcp[c].high = z->pcp_high;
			s->pcp[c].batch = z->pcp_batch;
			if (mem->pcp) {
				s->pcp[c].count = (uint32_t)__atomic_load_n(&pcp_of(mem, c, (unsigned)i)->count,
									   __ATOMIC_RELAXED);
				s->free_pcp += s->pcp[c].count;
			}
		}
		memcpy(s->wmark, z->wmark, sizeof(s->wmark));
		memcpy(s->lowmem_reserve, z->lowmem_reserve, sizeof(s->lowmem_reserve));
		if (!z->populated)
			continue;
		zone_lock(mem, z, &flags);
		s->free = zone_free(z);
		s->free_cma = zone_free_cma(z);
		s->boost = zone_boost(z);
		s->nr_reserved_highatomic = z->nr_reserved_highatomic;
		s->nr_free_highatomic = zone_free_highatomic(z);
		s->kswapd_failures = (uint64_t)kswapd_failures(mem);
		for (int l = 0; l < LAB_NR_LRU; l++)
			s->nr_lru[l] = zone_nr_lru(z, l);
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			s->nr_free[o] = z->nr_free[o];
			for (int m = 0; m < LAB_MIGRATE_TYPES; m++)
				s->nr_free_mt[o][m] = z->nr_free_mt[o][m];
		}
		/* pagetypeinfo: step pageblock_nr_pages from zone_start_pfn */
		for (uint64_t pfn = z->start_pfn; pfn < z->end_pfn; pfn += pageblock_nr_pages(mem)) {
			int mt = get_pageblock_migratetype(mem, pfn);
			if (mt < LAB_MIGRATE_TYPES)
				s->nr_blocks_mt[mt]++;
		}
		zone_unlock(mem, z, flags);
	}
	for (int e = 0; e < LAB_NR_VM_EVENTS; e++)
		out->events[e] = lab_mem_event(mem, (enum lab_vm_event)e);
	/* mechanisms that exist in this core: allocation and freeing counters */
	out->events_valid = 0;
	for (int e = LAB_PGALLOC_DMA; e <= LAB_CMA_ALLOC_FAIL; e++)
		if (e != LAB_PGALLOC_DEVICE && e != LAB_ALLOCSTALL_DEVICE &&
		    ((e != LAB_CMA_ALLOC_SUCCESS && e != LAB_CMA_ALLOC_FAIL) || mem->nr_cma))
			out->events_valid |= LAB_VM_EVENT_BIT(e);
}

size_t lab_mem_nr_pageblocks(const struct lab_mem *mem)
{
	uint64_t nr = 1ull << mem->pageblock_order;
	return (size_t)((mem->end_pfn - mem->pb_base_pfn + nr - 1) / nr);
}

void lab_mem_span(const struct lab_mem *mem, lab_pfn_t *start, lab_pfn_t *end)
{
	*start = mem->base_pfn;
	*end = mem->end_pfn;
}

/* Classifies every page of one pageblock; blocks larger than a pageblock
 * are clipped to it. Caller holds no lock; reads are racy but each page's
 * state is read once (a picture, not an invariant check). */
static void pageblock_census(struct lab_mem *mem, uint64_t start, struct lab_pageblock_info *pb)
{
	uint64_t nr = pageblock_nr_pages(mem), end = start + nr;
	memset(pb, 0, sizeof(*pb));
	pb->start_pfn = start;
	pb->largest_free_order = 0xffff;
	pb->migratetype = (uint8_t)get_pageblock_migratetype(mem, start < mem->base_pfn ? mem->base_pfn : start);
	pb->skip = (pageblock_get(mem, start < mem->base_pfn ? mem->base_pfn : start) & LAB_PB_SKIP) != 0;
	if (start < mem->base_pfn) {
		pb->nr_reserved = (uint16_t)(mem->base_pfn - start);
		start = mem->base_pfn;
	}
	if (end > mem->end_pfn) {
		pb->nr_reserved = (uint16_t)(pb->nr_reserved + (end - mem->end_pfn));
		end = mem->end_pfn;
	}
	pb->zone = pfn_page(mem, start)->zone;
	/* a block that started before this pageblock covers its first pages */
	uint64_t pfn = start;
	for (unsigned o = LAB_MAX_ORDER - 1; o > mem->pageblock_order; o--) {
		uint64_t bstart = start & ~((1ull << o) - 1);
		if (bstart < start && pfn_in_span(mem, bstart)) {
			struct lab_page *bp = pfn_page(mem, bstart);
			if ((bp->flags & (LAB_PG_BUDDY | LAB_PG_HEAD | LAB_PG_PCP)) && bp->order == o) {
				if (bp->flags & LAB_PG_BUDDY) {
					pb->nr_free = (uint16_t)(end - start);
					pb->largest_free_order = (uint16_t)mem->pageblock_order;
				} else if (bp->flags & LAB_PG_HEAD) {
					pb->nr_allocated = (uint16_t)(end - start);
					if (bp->mt < LAB_MIGRATE_PCPTYPES)
						pb->nr_alloc_mt[bp->mt] = pb->nr_allocated;
				} else {
					pb->nr_pcp = (uint16_t)(end - start);
				}
				return;
			}
		}
	}
	while (pfn < end) {
		struct lab_page *p = pfn_page(mem, pfn);
		uint8_t f = p->flags;
		uint64_t n = 1;
		if (f & (LAB_PG_BUDDY | LAB_PG_HEAD | LAB_PG_PCP)) {
			n = 1ull << p->order;
			if (pfn + n > end)
				n = end - pfn;
			if (f & LAB_PG_BUDDY) {
				pb->nr_free = (uint16_t)(pb->nr_free + n);
				if (pb->largest_free_order == 0xffff || p->order > pb->largest_free_order)
					pb->largest_free_order = p->order;
			} else if (f & LAB_PG_HEAD) {
				pb->nr_allocated = (uint16_t)(pb->nr_allocated + n);
				if (p->mt < LAB_MIGRATE_PCPTYPES)
					pb->nr_alloc_mt[p->mt] = (uint16_t)(pb->nr_alloc_mt[p->mt] + n);
			} else {
				pb->nr_pcp = (uint16_t)(pb->nr_pcp + n);
			}
		} else if (f & LAB_PG_RESERVED) {
			pb->nr_reserved++;
		}
		pfn += n;
	}
}

size_t lab_mem_pageblocks(struct lab_mem *mem, size_t first, struct lab_pageblock_info *out, size_t max)
{
	size_t total = lab_mem_nr_pageblocks(mem), n = 0;
	for (size_t i = first; i < total && n < max; i++, n++)
		pageblock_census(mem, mem->pb_base_pfn + ((uint64_t)i << mem->pageblock_order), &out[n]);
	return n;
}

const char *lab_zone_name(const struct lab_mem_stats *s, unsigned z)
{
	if (z >= LAB_MAX_NR_ZONES)
		return "?";
	if (s && s->highmem_zone && z == LAB_ZONE_MOVABLE)
		return "HighMem";
	return lab_zone_names[z];
}

uint64_t lab_mem_free_pages(const struct lab_mem *mem, int with_pcp)
{
	uint64_t n = 0;
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return 0;
	for (unsigned i = 0; i < LAB_MAX_NR_ZONES; i++) {
		if (mem->zones[i].populated)
			n += zone_free(&mem->zones[i]);
		for (unsigned c = 0; with_pcp && mem->pcp && c < mem->nr_cpus; c++)
			n += (uint64_t)__atomic_load_n(&pcp_of((struct lab_mem *)mem, c, i)->count, __ATOMIC_RELAXED);
	}
	return n;
}

#ifdef __OPTIMIZE_SIZE__
/* internal.h's mem_cpu and count_event, out of line when built for size */
unsigned lab__mem_cpu(struct lab_mem *mem)
{
	return mem_cpu_inline(mem);
}

void lab__count_event(struct lab_mem *mem, enum lab_vm_event e, uint64_t n)
{
	count_event_inline(mem, e, n);
}
#endif

uint64_t lab_mem_event(const struct lab_mem *mem, enum lab_vm_event e)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC || (unsigned)e >= LAB_NR_VM_EVENTS)
		return 0;
	return event_sum(mem, e) + lab__pcp_event_sum(mem, e);
}

uint64_t lab_mem_list_ops(const struct lab_mem *mem)
{
	uint64_t n = 0;
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return 0;
	for (unsigned i = 0; i < LAB_MAX_NR_ZONES; i++) {
		n += __atomic_load_n(&mem->zones[i].list_ops, __ATOMIC_RELAXED);
		for (unsigned c = 0; mem->pcp && c < mem->nr_cpus; c++)
			n += __atomic_load_n(&pcp_of((struct lab_mem *)mem, c, i)->list_ops, __ATOMIC_RELAXED);
	}
	return n;
}
