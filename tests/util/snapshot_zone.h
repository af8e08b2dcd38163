/* SPDX-License-Identifier: MIT */
/*
 * tests/util/snapshot_zone.h - a made-up "before" snapshot of one DMA32
 * zone, for replaying hand-made traces (tests/engines/test_replay.c) and
 * synthetic ones (bench/bench_replay.c) without a recorded machine.
 */
#ifndef LAB_TEST_SNAPSHOT_ZONE_H
#define LAB_TEST_SNAPSHOT_ZONE_H

#include <stdint.h>
#include "formats/snapshot.h"

/* DMA32 of @pages pages (a multiple of 1024) at pfn 0x1000, all free in
 * order-10 blocks, min @min pages (low = 5/4, high = 3/2 of it), 2 CPUs,
 * pageblock order 9, min_free_kbytes @min_free_kbytes. */
void snapshot_free_dma32(struct lab_snapshot *s, uint64_t pages, uint64_t min, int min_free_kbytes);

#endif
