/* SPDX-License-Identifier: MIT */
/* tests/util/snapshot_machine.c - see snapshot_machine.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/snapshot_machine.h"

static uint64_t zone_pages(const struct lab_snapshot *s, int z)
{
	const struct lab_snapshot_zone *sz = &s->zone[z];
	uint64_t top = 1ull << (LAB_MAX_ORDER - 1), pages = sz->managed, blocks = 0;
	if (!sz->present_in_file || !sz->managed)
		return 0;
	for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		blocks += sz->blocks_mt[mt];
	if (s->pageblock_order > 0 && (blocks << s->pageblock_order) > pages)
		pages = blocks << s->pageblock_order;
	return ((pages + top - 1) & ~(top - 1)) + top;
}

static void zone_want(const struct lab_snapshot *s, int z, struct lab_zone_stats *w)
{
	const struct lab_snapshot_zone *sz = &s->zone[z];
	memset(w, 0, sizeof(*w));
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++) {
			w->nr_free_mt[o][mt] = sz->have_pagetype ? sz->free_mt[o][mt]
					       : mt == LAB_MIGRATE_MOVABLE ? sz->buddy[o] : 0;
			w->nr_free[o] += w->nr_free_mt[o][mt];
		}
	if (sz->have_pagetype)
		memcpy(w->nr_blocks_mt, sz->blocks_mt, sizeof(w->nr_blocks_mt));
	w->boost = sz->boost;
	w->wmark[LAB_WMARK_MIN] = sz->min - sz->boost;
	w->wmark[LAB_WMARK_LOW] = sz->low - sz->boost;
	w->wmark[LAB_WMARK_HIGH] = sz->high - sz->boost;
	memcpy(w->lowmem_reserve, sz->protection, sizeof(w->lowmem_reserve));
	if (sz->have_pagetype && s->pageblock_order > 0)
		w->nr_reserved_highatomic = sz->blocks_mt[LAB_MIGRATE_HIGHATOMIC] << s->pageblock_order;
}

int snapshot_machine_build(struct snapshot_machine *m, const struct lab_snapshot *s, int boost_factor,
			   char *err, size_t errsz)
{
	struct lab_range ranges[LAB_MAX_NR_ZONES];
	unsigned nr = 0;
	uint64_t pfn = 0, pages[LAB_MAX_NR_ZONES];
	memset(m, 0, sizeof(*m));
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		pages[z] = z == LAB_ZONE_DEVICE ? 0 : zone_pages(s, z);
		if (pages[z]) {
			ranges[nr++] = (struct lab_range){ pfn << LAB_PAGE_SHIFT, pages[z] << LAB_PAGE_SHIFT };
			pfn += pages[z];
		}
		m->end[z] = pfn;
	}
	struct lab_mem_config cfg = {
		.ranges = ranges, .nr_ranges = nr, .nr_cpus = 1,
		.pageblock_order = s->pageblock_order > 0 ? (unsigned)s->pageblock_order : 9,
		.zone_dma_limit = m->end[LAB_ZONE_DMA] << LAB_PAGE_SHIFT,
		.zone_dma32_limit = m->end[LAB_ZONE_DMA32] << LAB_PAGE_SHIFT,
		.movable_bytes = (m->end[LAB_ZONE_MOVABLE] - m->end[LAB_ZONE_NORMAL]) << LAB_PAGE_SHIFT,
		.flags = LAB_CFG_NO_PCP | (pages[LAB_ZONE_DMA] ? 0 : LAB_CFG_NO_ZONE_DMA) |
			 (pages[LAB_ZONE_DMA32] ? 0 : LAB_CFG_NO_ZONE_DMA32),
	};
	m->bytes = lab_mem_metadata_bytes(&cfg);
	if (!m->bytes || !(m->meta = aligned_alloc(64, (m->bytes + 63) & ~(size_t)63))) {
		snprintf(err, errsz, "no metadata for %u ranges", nr);
		return LAB_ENOMEM;
	}
	cfg.metadata = m->meta;
	cfg.metadata_bytes = m->bytes;
	int rc = 0;
	if (!(m->mem = lab_mem_init(&cfg, &rc))) {
		snprintf(err, errsz, "lab_mem_init: %d", rc);
		return rc ? rc : LAB_EINVAL;
	}
	lab_set_watermark_boost_factor(m->mem, boost_factor);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		if (!pages[z])
			continue;
		struct lab_zone_stats want;
		zone_want(s, z, &want);
		if ((rc = lab_mem_restore_zone(m->mem, (unsigned)z, &want))) {
			snprintf(err, errsz, "lab_mem_restore_zone(%s): %d", lab_zone_names[z], rc);
			return rc;
		}
	}
	return 0;
}

void snapshot_machine_free(struct snapshot_machine *m)
{
	if (m->mem)
		lab_mem_fini(m->mem);
	free(m->meta);
	memset(m, 0, sizeof(*m));
}

int snapshot_machine_zone(const struct snapshot_machine *m, const struct lab_page *page)
{
	uint64_t pfn = lab_page_to_pfn(page);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		if (pfn < m->end[z])
			return z;
	return -1;
}
