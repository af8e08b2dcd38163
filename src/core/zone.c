/* SPDX-License-Identifier: MIT */
/*
 * core/zone.c - zone geometry helpers, zonelists and per-zone sizing of
 * the per-CPU lists and vmstat thresholds.
 *
 * Zones on x86-64, by physical address:
 *
 *   0        16 MiB                4 GiB                          end
 *   |  DMA   |        DMA32        |           Normal            |Movable|
 *
 * A request may use its highest zone (gfp_zone) and every zone below it,
 * in that order (the zonelist: Normal -> DMA32 -> DMA); a lower zone keeps
 * lowmem_reserve[highest zone of the request] pages back from such
 * fallbacks, so that DMA-only users still find memory.
 */
#include "internal.h"

const char *const lab_zone_names[LAB_MAX_NR_ZONES] = { "DMA", "DMA32", "Normal", "Movable", "Device" };
const char *const lab_migratetype_names[LAB_MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"
};

static unsigned fls64(uint64_t x)
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

static uint32_t rounddown_pow_of_two(uint32_t x)
{
	return x ? 1u << (31 - __builtin_clz(x)) : 0;
}

/* zone_batchsize: pages moved between a per-CPU list and the buddy at once. */
uint32_t lab__zone_batchsize(uint64_t managed)
{
	uint64_t batch = managed >> 10;
	if (batch > (1024 * 1024) / LAB_PAGE_SIZE)
		batch = (1024 * 1024) / LAB_PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = rounddown_pow_of_two((uint32_t)(batch + batch / 2)) - 1;
	return batch < 1 ? 1 : (uint32_t)batch;
}

/* zone_highsize (6.1): per-CPU high mark: the low watermark split over CPUs. */
uint32_t lab__zone_highsize(const struct lab_zone *z, uint32_t batch, unsigned nr_cpus, int fraction)
{
	uint64_t total = fraction ? z->managed / (uint64_t)fraction : zone_wmark(z, LAB_WMARK_LOW);
	uint64_t high = total / (nr_cpus ? nr_cpus : 1);
	if (high < 4ull * batch)
		high = 4ull * batch;
	return (uint32_t)high;
}

/* calculate_normal_threshold: per-CPU vmstat counter drift allowed. */
uint32_t lab__zone_vmstat_threshold(uint64_t managed, unsigned nr_cpus)
{
	uint32_t t = 2 * fls64(nr_cpus) * (1 + fls64(managed >> (27 - LAB_PAGE_SHIFT)));
	return t < 125 ? t : 125;
}

void lab__zone_pcp_update_sizes(struct lab_mem *mem)
{
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		z->pcp_batch = lab__zone_batchsize(z->managed);
		z->pcp_high = lab__zone_highsize(z, z->pcp_batch, mem->nr_cpus,
					    mem->tun.percpu_pagelist_high_fraction);
	}
	lab__pcp_update_sizes(mem);
}
