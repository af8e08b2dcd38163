/* SPDX-License-Identifier: MIT */
/*
 * core/init.c - creating an instance: config validation, metadata layout,
 * zone geometry, the first freeing of all usable pages, and the registry
 * that maps a struct lab_page back to its instance.
 *
 *   cfg->metadata (caller's memory, lab_mem_metadata_bytes(cfg) bytes):
 *   +-----------------+-----------------------------+------------------+-----------+-----------+-----+
 *   | struct lab_mem  | struct lab_page [span pages]| pageblock bytes  | per-CPU   | per-CPU   | CMA |
 *   |                 |                             |                  | counters  | lists     | bits|
 *   +-----------------+-----------------------------+------------------+-----------+-----------+-----+
 *     64-byte aligned    16 bytes per pfn of the span  1 per pageblock
 *
 * Memory is described as ranges with holes between them, plus reserved
 * ranges inside them (firmware, kernel image): both become LAB_PG_RESERVED
 * pages that are never handed out. present counts pages inside the ranges,
 * managed excludes reserved ones, spanned is the zone's pfn extent - the
 * three numbers /proc/zoneinfo prints.
 *
 * Like Linux's memblock_free_all, every usable page is then freed in the
 * largest aligned blocks, to the list tails, into Movable pageblocks
 * (memmap_init marks every pageblock Movable at boot).
 */
#include "internal.h"

static struct lab_mem *registry[LAB_MAX_INSTANCES];

static void registry_add(struct lab_mem *mem)
{
	for (int i = 0; i < LAB_MAX_INSTANCES; i++) {
		struct lab_mem *expected = NULL;
		if (__atomic_compare_exchange_n(&registry[i], &expected, mem, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return;
	}
	/* full: lab_page_address() then falls back to NULL for this instance */
}

static void registry_del(struct lab_mem *mem)
{
	for (int i = 0; i < LAB_MAX_INSTANCES; i++) {
		struct lab_mem *expected = mem;
		__atomic_compare_exchange_n(&registry[i], &expected, NULL, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	}
}

struct lab_mem *lab__registry_at(unsigned i)
{
	return i < LAB_MAX_INSTANCES ? __atomic_load_n(&registry[i], __ATOMIC_ACQUIRE) : NULL;
}

/* The instance whose page array holds @p: O(instances), usually one compare. */
struct lab_mem *lab__mem_of_page(const struct lab_page *p)
{
	for (int i = 0; i < LAB_MAX_INSTANCES; i++) {
		struct lab_mem *m = __atomic_load_n(&registry[i], __ATOMIC_ACQUIRE);
		if (m && p >= m->pages && p < m->pages + (m->end_pfn - m->base_pfn))
			return m;
	}
	return NULL;
}

struct layout {
	uint64_t base_pfn, end_pfn, pb_base_pfn, nr_pageblocks;
	unsigned pageblock_order;
	size_t off_pages, off_pb, off_cnt, off_pcp, off_cma, total;
};

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static const char *validate(const struct lab_mem_config *cfg, struct layout *l)
{
	if (!cfg || !cfg->ranges || cfg->nr_ranges == 0)
		return LAB_WHY("no memory ranges given");
	if (cfg->nr_ranges > LAB_MAX_RANGES)
		return LAB_WHY("too many memory ranges (LAB_MAX_RANGES is 16)");
	l->pageblock_order = cfg->pageblock_order ? cfg->pageblock_order : LAB_DEFAULT_PAGEBLOCK_ORDER;
	if (l->pageblock_order < 1 || l->pageblock_order > LAB_MAX_ORDER - 1)
		return LAB_WHY("pageblock_order must be 1..10");
	if (cfg->nr_cpus > LAB_MAX_CPUS)
		return LAB_WHY("nr_cpus above LAB_MAX_CPUS (64)");
	if (cfg->min_free_kbytes < 0)
		return LAB_WHY("min_free_kbytes must not be negative");
	if (!lab_kernel_resolve(cfg->kernel))
		return LAB_WHY("kernel is no profile (LAB_KERNEL_6_1 or LAB_KERNEL_6_12)");
	l->base_pfn = UINT64_MAX;
	l->end_pfn = 0;
	for (unsigned i = 0; i < cfg->nr_ranges; i++) {
		const struct lab_range *r = &cfg->ranges[i];
		if ((r->start | r->size) & (LAB_PAGE_SIZE - 1))
			return LAB_WHY("memory range not page aligned");
		if (r->size == 0 || r->start + r->size < r->start)
			return LAB_WHY("memory range empty or wrapping");
		for (unsigned j = 0; j < i; j++) {
			const struct lab_range *o = &cfg->ranges[j];
			if (r->start < o->start + o->size && o->start < r->start + r->size)
				return LAB_WHY("memory ranges overlap");
		}
		uint64_t s = r->start >> LAB_PAGE_SHIFT, e = (r->start + r->size) >> LAB_PAGE_SHIFT;
		if (s < l->base_pfn)
			l->base_pfn = s;
		if (e > l->end_pfn)
			l->end_pfn = e;
	}
	if (l->end_pfn - l->base_pfn >= LAB_NIL)
		return LAB_WHY("memory span too large (at most 2^32-1 pages, 16 TiB)");
	for (unsigned i = 0; i < cfg->nr_reserved; i++)
		if (!cfg->reserved || cfg->reserved[i].start + cfg->reserved[i].size < cfg->reserved[i].start)
			return LAB_WHY("bad reserved range");
	uint64_t nr = 1ull << l->pageblock_order;
	if (cfg->highmem_start && cfg->movable_bytes)
		return LAB_WHY("highmem_start and movable_bytes cannot be combined (both use zone 3)");
	if (cfg->highmem_start & (LAB_PAGE_SIZE - 1))
		return LAB_WHY("highmem_start not page aligned");
	unsigned nr_cma = LAB_CONFIG_CMA ? cfg->nr_cma : 0;   /* else refused by lab_mem_init */
	if (nr_cma > LAB_MAX_CMA_AREAS || (nr_cma && !cfg->cma))
		return LAB_WHY("too many CMA areas (LAB_MAX_CMA_AREAS is 8)");
	for (unsigned i = 0; i < nr_cma; i++) {
		uint64_t s = cfg->cma[i].start >> LAB_PAGE_SHIFT, n = cfg->cma[i].size >> LAB_PAGE_SHIFT;
		if (!n || (s & (nr - 1)) || (n & (nr - 1)) || (cfg->cma[i].start & (LAB_PAGE_SIZE - 1)) ||
		    (cfg->cma[i].size & (LAB_PAGE_SIZE - 1)))
			return LAB_WHY("CMA area not pageblock aligned");
		if (s < l->base_pfn || s + n > l->end_pfn)
			return LAB_WHY("CMA area outside memory");
	}
	l->pb_base_pfn = l->base_pfn & ~(nr - 1);
	l->nr_pageblocks = (l->end_pfn - l->pb_base_pfn + nr - 1) / nr;
	l->off_pages = align_up(sizeof(struct lab_mem), 64);
	l->off_pb = l->off_pages + (size_t)(l->end_pfn - l->base_pfn) * sizeof(struct lab_page);
	l->off_cnt = align_up(l->off_pb + (size_t)l->nr_pageblocks, 64);
	l->off_pcp = l->off_cnt + (size_t)(cfg->nr_cpus ? cfg->nr_cpus : 1) * sizeof(struct lab_cpu_counters);
	l->off_cma = l->off_pcp;
	if (!(cfg->flags & LAB_CFG_NO_PCP))
		l->off_cma += align_up(lab__pcp_bytes(cfg->nr_cpus ? cfg->nr_cpus : 1), 64);
	l->total = l->off_cma;
	for (unsigned i = 0; i < nr_cma; i++)
		l->total += align_up((size_t)((cfg->cma[i].size >> LAB_PAGE_SHIFT) + 7) / 8, 8);
	l->total = align_up(l->total, 64);
	return NULL;
}

size_t lab_mem_metadata_bytes(const struct lab_mem_config *cfg)
{
	struct layout l;
	return validate(cfg, &l) ? 0 : l.total;
}

static bool pfn_present(const struct lab_mem_config *cfg, uint64_t pfn)
{
	uint64_t a = pfn << LAB_PAGE_SHIFT;
	for (unsigned i = 0; i < cfg->nr_ranges; i++)
		if (a >= cfg->ranges[i].start && a - cfg->ranges[i].start < cfg->ranges[i].size)
			return true;
	return false;
}

static bool pfn_reserved(const struct lab_mem_config *cfg, uint64_t pfn)
{
	uint64_t a = pfn << LAB_PAGE_SHIFT;
	for (unsigned i = 0; i < cfg->nr_reserved; i++) {
		/* a partially covered page is reserved as a whole */
		uint64_t s = cfg->reserved[i].start & ~(uint64_t)(LAB_PAGE_SIZE - 1);
		uint64_t e = cfg->reserved[i].start + cfg->reserved[i].size;
		if (a >= s && a < e)
			return true;
	}
	return false;
}

/* Zone boundaries in pfns (exclusive ends), from the config's limits. */
static void zone_limits(const struct lab_mem_config *cfg, const struct layout *l,
			uint64_t end[LAB_MAX_NR_ZONES])
{
	uint64_t dma = (cfg->zone_dma_limit ? cfg->zone_dma_limit : 16ull << 20) >> LAB_PAGE_SHIFT;
	uint64_t dma32 = (cfg->zone_dma32_limit ? cfg->zone_dma32_limit : 4ull << 30) >> LAB_PAGE_SHIFT;
	uint64_t movable_start = l->end_pfn;

	if (cfg->flags & LAB_CFG_NO_ZONE_DMA)
		dma = l->base_pfn;
	if (cfg->flags & LAB_CFG_NO_ZONE_DMA32)
		dma32 = dma;
	if (LAB_CONFIG_HIGHMEM && cfg->highmem_start) {   /* else refused by lab_mem_init */
		/* highmem is its own zone (index 3, named HighMem), as on 32-bit
		 * Linux: only __GFP_HIGHMEM requests may use it */
		uint64_t h = cfg->highmem_start >> LAB_PAGE_SHIFT;
		movable_start = h < l->base_pfn ? l->base_pfn : (h > l->end_pfn ? l->end_pfn : h);
	} else if (cfg->movable_bytes) {
		uint64_t mp = cfg->movable_bytes >> LAB_PAGE_SHIFT;
		/* movablecore= is rounded to MAX_ORDER_NR_PAGES in Linux */
		mp = (mp + (1u << (LAB_MAX_ORDER - 1)) - 1) & ~(uint64_t)((1u << (LAB_MAX_ORDER - 1)) - 1);
		movable_start = mp >= l->end_pfn - l->base_pfn ? l->base_pfn : l->end_pfn - mp;
	}
	if (dma < l->base_pfn)
		dma = l->base_pfn;
	if (dma32 < dma)
		dma32 = dma;
	end[LAB_ZONE_DMA] = dma < movable_start ? dma : movable_start;
	end[LAB_ZONE_DMA32] = dma32 < movable_start ? dma32 : movable_start;
	if (end[LAB_ZONE_DMA32] < end[LAB_ZONE_DMA])
		end[LAB_ZONE_DMA32] = end[LAB_ZONE_DMA];
	end[LAB_ZONE_NORMAL] = movable_start > end[LAB_ZONE_DMA32] ? movable_start : end[LAB_ZONE_DMA32];
	end[LAB_ZONE_MOVABLE] = l->end_pfn;
	end[LAB_ZONE_DEVICE] = l->end_pfn;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		if (end[i] > l->end_pfn)
			end[i] = l->end_pfn;
}

static void tunables_default(struct lab_tunables *t, const struct lab_mem_config *cfg)
{
	static const int ratio[LAB_MAX_NR_ZONES] = { 256, 256, 32, 0, 0 };
	memset(t, 0, sizeof(*t));
	t->user_min_free_kbytes = -1;
	t->watermark_scale_factor = 10;
	t->watermark_boost_factor = 15000;
	memcpy(t->lowmem_reserve_ratio, ratio, sizeof(ratio));
	t->percpu_pagelist_high_fraction = 0;
	t->extfrag_threshold = 500;
	t->compaction_proactiveness = 20;
	t->highatomic_reserve = LAB_CONFIG_HIGHATOMIC && !(cfg->flags & LAB_CFG_NO_HIGHATOMIC);
	t->page_group_by_mobility_disabled = !!(cfg->flags & LAB_CFG_NO_MOBILITY_GROUPING);
}

/* The zones: empty lists, geometry without leading and trailing holes,
 * and each page's zone and reserved state; present and managed counted. */
static void init_zones(struct lab_mem *mem, const struct lab_mem_config *cfg, const struct layout *l,
		       const uint64_t zend[LAB_MAX_NR_ZONES])
{
	uint64_t zstart = l->base_pfn;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		z->idx = (uint32_t)i;
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			for (int m = 0; m < LAB_MIGRATE_TYPES; m++)
				z->free_head[o][m] = z->free_tail[o][m] = LAB_NIL;
		for (int li = 0; li < LAB_NR_LRU; li++)
			z->lru_head[li] = z->lru_tail[li] = LAB_NIL;
		z->compact_order_failed = LAB_MAX_ORDER;
		/* trim leading and trailing holes: spanned covers present pages only */
		uint64_t s = zstart, e = zend[i];
		while (s < e && !pfn_present(cfg, s))
			s++;
		while (e > s && !pfn_present(cfg, e - 1))
			e--;
		z->start_pfn = s < e ? s : 0;
		z->end_pfn = s < e ? e : 0;
		for (uint64_t pfn = zstart; pfn < zend[i]; pfn++) {
			struct lab_page *p = pfn_page(mem, pfn);
			p->next = p->prev = LAB_NIL;
			bool present = pfn_present(cfg, pfn);
			bool usable = present && !pfn_reserved(cfg, pfn);
			page_init_state(p, usable ? 0 : LAB_PG_RESERVED, i);
			if (!present)
				continue;
			z->present++;
			if (!usable)
				continue;
			z->managed++;
		}
		z->reserved_pages = z->present - z->managed;
		z->populated = z->managed > 0;
		if (zend[i] > zstart)
			zstart = zend[i];
	}

}

/* CMA areas: their pageblocks only serve movable allocations. */
static void init_cma(struct lab_mem *mem, const struct lab_mem_config *cfg, const struct layout *l)
{
	uint8_t *bm = (uint8_t *)cfg->metadata + l->off_cma;
	if (!LAB_CONFIG_CMA)
		return;
	mem->nr_cma = cfg->nr_cma;
	for (unsigned i = 0; i < cfg->nr_cma; i++) {
		uint64_t s = cfg->cma[i].start >> LAB_PAGE_SHIFT, n = cfg->cma[i].size >> LAB_PAGE_SHIFT;
		mem->cma[i].start_pfn = s;
		mem->cma[i].end_pfn = s + n;
		mem->cma[i].bitmap = bm;
		memset(bm, 0, (size_t)(n + 7) / 8);
		bm += align_up((size_t)(n + 7) / 8, 8);
		for (uint64_t pfn = s; pfn < s + n; pfn += pageblock_nr_pages(mem))
			set_pageblock_migratetype(mem, pfn, LAB_MIGRATE_CMA);
		for (uint64_t pfn = s; pfn < s + n; pfn++)
			if (!(pfn_page(mem, pfn)->flags & LAB_PG_RESERVED))
				mem->zones[pfn_page(mem, pfn)->zone].cma_pages++;
	}

}

/* memblock_free_all: every usable page goes free, in runs of non-reserved
 * pages per zone. */
static void free_usable(struct lab_mem *mem)
{
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		uint64_t run = 0;
		bool in_run = false;
		if (!z->populated)
			continue;
		for (uint64_t pfn = z->start_pfn; pfn <= z->end_pfn; pfn++) {
			bool usable = pfn < z->end_pfn && !(pfn_page(mem, pfn)->flags & LAB_PG_RESERVED);
			if (usable && !in_run) {
				run = pfn;
				in_run = true;
			} else if (!usable && in_run) {
				lab__buddy_free_range(mem, z, run, pfn, true);
				in_run = false;
			}
		}
	}
}

struct lab_mem *lab_mem_init(const struct lab_mem_config *cfg, int *err)
{
	struct layout l;
	const char *why = validate(cfg, &l);
	uint64_t zend[LAB_MAX_NR_ZONES];

	int code = LAB_EINVAL;
	if (!why && !LAB_CONFIG_HIGHMEM && cfg->highmem_start) {
		why = LAB_WHY("highmem_start given, but highmem is compiled out (LAB_CONFIG_HIGHMEM=0)");
		code = LAB_EOPNOTSUPP;
	}
	if (!why && !LAB_CONFIG_CMA && cfg->nr_cma) {
		why = LAB_WHY("CMA areas given, but CMA is compiled out (LAB_CONFIG_CMA=0)");
		code = LAB_EOPNOTSUPP;
	}
	if (!why && (!cfg->metadata || ((uintptr_t)cfg->metadata & 63)))
		why = LAB_WHY("metadata missing or not 64-byte aligned");
	if (!why && cfg->metadata_bytes < l.total)
		why = LAB_WHY("metadata too small (see lab_mem_metadata_bytes)");
	if (why) {
		if (LAB_CONFIG_REPORTS && cfg && cfg->platform && cfg->platform->log) {
			char line[160];
			lab__snprintf(line, sizeof(line), "labyrinth: lab_mem_init: %s", why);
			cfg->platform->log(cfg->platform->ctx, LAB_LOG_ERR, line);
		}
		if (err)
			*err = code;
		return NULL;
	}

	struct lab_mem *mem = cfg->metadata;
	memset(mem, 0, sizeof(*mem));
	mem->magic = LAB_MEM_MAGIC;
	mem->flags = cfg->flags;
	if (cfg->platform)
		mem->plat = *cfg->platform;
	mem->base_pfn = l.base_pfn;
	mem->end_pfn = l.end_pfn;
	mem->highmem_start_pfn = LAB_CONFIG_HIGHMEM && cfg->highmem_start ? cfg->highmem_start >> LAB_PAGE_SHIFT : UINT64_MAX;
	mem->highmem_zone = LAB_CONFIG_HIGHMEM && cfg->highmem_start != 0;
	mem->virt_base = (uintptr_t)cfg->virt_base;
	mem->pages = (struct lab_page *)(void *)((char *)cfg->metadata + l.off_pages);
	mem->pageblock_mt = (uint8_t *)cfg->metadata + l.off_pb;
	mem->pb_base_pfn = l.pb_base_pfn;
	mem->pageblock_order = l.pageblock_order;
	mem->nr_cpus = cfg->nr_cpus ? cfg->nr_cpus : 1;
	mem->counters = (struct lab_cpu_counters *)(void *)((char *)cfg->metadata + l.off_cnt);
	memset(mem->counters, 0, mem->nr_cpus * sizeof(*mem->counters));
	mem->nr_zones = LAB_MAX_NR_ZONES;
	mem->kswapd_req = 0;   /* not woken */
	mem->kcompactd_highest_zoneidx = -1;
	tunables_default(&mem->tun, cfg);
	memset(mem->pageblock_mt, LAB_MIGRATE_MOVABLE, (size_t)l.nr_pageblocks);

	zone_limits(cfg, &l, zend);
	init_zones(mem, cfg, &l, zend);
	lab__kernel_setup(mem, cfg->kernel);
	init_cma(mem, cfg, &l);
	free_usable(mem);
	/* with poisoning, every free page starts poisoned */
	if ((mem->flags & LAB_CFG_DEBUG_POISON) && mem->virt_base)
		for (uint64_t pfn = mem->base_pfn; pfn < mem->end_pfn; pfn++)
			if (!(pfn_page(mem, pfn)->flags & LAB_PG_RESERVED) && pfn < mem->highmem_start_pfn)
				memset((void *)(mem->virt_base + ((uintptr_t)(pfn - mem->base_pfn) << LAB_PAGE_SHIFT)),
				       LAB_POISON_FREE, LAB_PAGE_SIZE);
	lab__pcp_init(mem, (cfg->flags & LAB_CFG_NO_PCP) ? NULL : (char *)cfg->metadata + l.off_pcp);
	lab__init_per_zone_wmark_min(mem);
	/* a configured min_free_kbytes acts like writing the sysctl after boot */
	if (cfg->min_free_kbytes)
		lab_set_min_free_kbytes(mem, cfg->min_free_kbytes);
	registry_add(mem);
	if (err)
		*err = 0;
	return mem;
}

void lab_mem_fini(struct lab_mem *mem)
{
	if (!mem || mem->magic != LAB_MEM_MAGIC)
		return;
	registry_del(mem);
	mem->magic = 0;
}
