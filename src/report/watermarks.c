/* SPDX-License-Identifier: MIT */
/*
 * report/watermarks.c - `labyrinth watermarks`' output: each zone's
 * watermarks and protection as Linux 6.1's /proc/zoneinfo prints them
 * (marks include the boost, as zoneinfo's do).
 *
 *   # min_free_kbytes 67584, watermark_scale_factor 10, lowmem_reserve_ratio ...
 *   Node 0, zone    DMA32
 *           min      8353
 *           ...
 *           protection: (0, 0, 3018, 3018, 3018)
 */
#include <stdio.h>
#include "report/render.h"

void lab_report_watermarks(FILE *out, const struct lab_mem_stats *s)
{
	fprintf(out, "# min_free_kbytes %d, watermark_scale_factor %d, lowmem_reserve_ratio %d %d %d %d %d\n",
		s->tunables.min_free_kbytes, s->tunables.watermark_scale_factor,
		s->tunables.lowmem_reserve_ratio[0], s->tunables.lowmem_reserve_ratio[1],
		s->tunables.lowmem_reserve_ratio[2], s->tunables.lowmem_reserve_ratio[3],
		s->tunables.lowmem_reserve_ratio[4]);
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		const struct lab_zone_stats *z = &s->zone[i];
		fprintf(out, "Node 0, zone %8s\n", lab_zone_names[i]);
		fprintf(out, "        min      %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_MIN] + z->boost));
		fprintf(out, "        low      %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_LOW] + z->boost));
		fprintf(out, "        high     %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_HIGH] + z->boost));
		fprintf(out, "        promo    %llu\n", (unsigned long long)(z->wmark[LAB_WMARK_PROMO] + z->boost));
		fprintf(out, "        managed  %llu\n", (unsigned long long)z->managed);
		fprintf(out, "        protection: (%lld, %lld, %lld, %lld, %lld)\n",
			(long long)z->lowmem_reserve[0], (long long)z->lowmem_reserve[1],
			(long long)z->lowmem_reserve[2], (long long)z->lowmem_reserve[3],
			(long long)z->lowmem_reserve[4]);
	}
}
