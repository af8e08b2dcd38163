/* SPDX-License-Identifier: MIT */
/* tests/util/snapshot_zone.c - see snapshot_zone.h. */
#include <stdio.h>
#include "util/snapshot_zone.h"

void snapshot_free_dma32(struct lab_snapshot *s, uint64_t pages, uint64_t min, int min_free_kbytes)
{
	lab_snapshot_init(s);
	snprintf(s->suffix, sizeof(s->suffix), "before");
	s->have = LAB_SNAP_ZONEINFO | LAB_SNAP_BUDDYINFO;
	struct lab_snapshot_zone *z = &s->zone[LAB_ZONE_DMA32];
	z->present_in_file = 1;
	z->start_pfn = 0x1000;
	z->spanned = z->present = z->managed = pages;
	z->free = pages;
	z->min = min;
	z->low = min * 5 / 4;
	z->high = min * 3 / 2;
	z->nr_cpus = 2;
	z->have_buddy = 1;
	z->buddy[10] = pages >> 10;
	s->pageblock_order = 9;
	s->min_free_kbytes = min_free_kbytes;
}
