/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/fragindex.h - how fragmented is a zone's free memory, as numbers.
 *
 * Three integer measures of one zone's free lists, computed exactly as
 * Linux 6.1 computes them (mm/vmstat.c), so that a Labyrinth zone and a real
 * zone with the same /proc/buddyinfo line give the same values:
 *
 *   fragmentation index   why would an allocation of 2^order pages fail?
 *                         near 0: lack of memory; near 1000: fragmentation;
 *                         -1000: it would not fail (a big enough block exists).
 *                         Compaction consults it for costly orders
 *                         (extfrag_threshold, default 500).
 *   unusable index        the share (0..1000) of free pages that sit in blocks
 *                         too small for the order.
 *   extfrag for order     the same share in percent (0..100): the proactive
 *                         compaction score.
 *
 * Input: nr_free[o] = free blocks of order o over all migratetypes (one
 * /proc/buddyinfo line). All three are O(LAB_MAX_ORDER), freestanding, pure.
 * Printed forms (debugfs extfrag/) live in labyrinth/report.h.
 */
#ifndef LABYRINTH_FRAGINDEX_H
#define LABYRINTH_FRAGINDEX_H

#include <stdint.h>
#include <labyrinth/page.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Linux __fragmentation_index(): 0 when there is no free block at all;
 * -1000 when a block of at least @order is free; otherwise
 * 1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks, which is
 * usually 0..1000 but can be negative (one order-3 block, order 4: -500).
 * @order >= LAB_MAX_ORDER returns 0 (Linux warns and returns 0).
 */
int lab_fragmentation_index(const uint64_t nr_free[LAB_MAX_ORDER], unsigned order);

/*
 * Linux unusable_free_index(): 1000 when nothing is free, else
 * (free_pages - pages in blocks >= @order) * 1000 / free_pages.
 */
int lab_unusable_index(const uint64_t nr_free[LAB_MAX_ORDER], unsigned order);

/*
 * Linux extfrag_for_order() (the proactive compaction score): 0 when nothing
 * is free, else (free_pages - pages in blocks >= @order) * 100 / free_pages.
 */
int lab_extfrag_for_order(const uint64_t nr_free[LAB_MAX_ORDER], unsigned order);

#ifdef __cplusplus
}
#endif
#endif
