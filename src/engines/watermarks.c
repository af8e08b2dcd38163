/* SPDX-License-Identifier: MIT */
/*
 * engines/watermarks.c - what Linux would set for given zone sizes and
 * sysctls: the numbers come from the real core, an instance with the
 * requested managed pages per zone, built over metadata only.
 *
 * The zones are laid out back to back at their natural addresses: DMA from
 * pfn 0, DMA32 right after it, ... and the zone limits are moved so each
 * zone gets exactly its managed pages.
 */
#include <stdlib.h>
#include "engines/watermarks.h"

const char *lab_watermarks_compute(const struct lab_watermarks_query *q, struct lab_mem_stats *out)
{
	const uint64_t *managed = q->managed;
	struct lab_range ranges[LAB_MAX_NR_ZONES];
	unsigned nr = 0;
	uint64_t pfn = 0, limit[LAB_MAX_NR_ZONES] = { 0 };
	for (int i = 0; i < LAB_ZONE_DEVICE; i++) {
		if (managed[i]) {
			ranges[nr].start = pfn << 12;
			ranges[nr].size = managed[i] << 12;
			nr++;
			pfn += managed[i];
		}
		limit[i] = pfn << 12;
	}
	struct lab_mem_config cfg = {
		.ranges = ranges, .nr_ranges = nr, .nr_cpus = q->nr_cpus, .min_free_kbytes = q->min_free_kbytes,
		.zone_dma_limit = limit[LAB_ZONE_DMA], .zone_dma32_limit = limit[LAB_ZONE_DMA32],
		.movable_bytes = managed[LAB_ZONE_MOVABLE] << 12,
	};
	if (!managed[LAB_ZONE_DMA])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA;
	if (!managed[LAB_ZONE_DMA32])
		cfg.flags |= LAB_CFG_NO_ZONE_DMA32;
	/* movable zone sizes are rounded to 1024 pages by movablecore=; for an
	 * exact size make the Normal limit the boundary instead */
	if (managed[LAB_ZONE_MOVABLE] % 1024)
		return "Movable zone size must be a multiple of 1024 pages";
	size_t bytes = lab_mem_metadata_bytes(&cfg);
	void *meta = NULL;
	if (!bytes || posix_memalign(&meta, 64, bytes))
		return "cannot size an instance for these zones";
	cfg.metadata = meta;
	cfg.metadata_bytes = bytes;
	int err;
	struct lab_mem *mem = lab_mem_init(&cfg, &err);
	if (!mem) {
		free(meta);
		return "invalid zone layout";
	}
	lab_set_watermark_scale_factor(mem, q->watermark_scale_factor);
	if (q->set_lowmem_reserve_ratio)
		lab_set_lowmem_reserve_ratio(mem, q->lowmem_reserve_ratio);
	lab_mem_get_stats(mem, out);
	lab_mem_fini(mem);
	free(meta);
	return NULL;
}
