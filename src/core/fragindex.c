/* SPDX-License-Identifier: MIT */
/*
 * core/fragindex.c - the fragmentation, unusable-free and extfrag indices of
 * one zone's free lists (labyrinth/fragindex.h).
 *
 * They live in the core, not in the report layer, because compaction asks
 * the same question the debugfs files answer: "would compacting help an
 * order-N request, or is memory simply short?" (Linux compaction_suitable
 * consults fragmentation_index for costly orders; proactive compaction
 * scores zones with extfrag_for_order). Integer arithmetic and truncation
 * match Linux 6.1 mm/vmstat.c exactly, so the numbers agree with a real
 * kernel's /sys/kernel/debug/extfrag/ for the same buddyinfo line.
 *
 * Freestanding: no libc, no state, O(LAB_MAX_ORDER) per call.
 */
#include <labyrinth/fragindex.h>

/* What Linux's struct contig_page_info holds, for one requested order. */
struct contig_info {
	uint64_t free_pages;            /* sum of nr_free[o] << o */
	uint64_t free_blocks_total;     /* sum of nr_free[o] */
	uint64_t free_blocks_suitable;  /* free blocks of @order a split could yield */
};

/*
 * Mirrors Linux fill_contig_page_info(): one pass over the orders, counting
 * how many order-@order blocks the free blocks of order >= @order hold.
 * Cost: LAB_MAX_ORDER iterations.
 */
static struct contig_info contig_info_fill(const uint64_t nr_free[LAB_MAX_ORDER], unsigned order)
{
	struct contig_info info = { 0, 0, 0 };
	for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
		info.free_blocks_total += nr_free[o];
		info.free_pages += nr_free[o] << o;
		if (o >= order)
			info.free_blocks_suitable += nr_free[o] << (o - order);
	}
	return info;
}

/*
 * Mirrors Linux __fragmentation_index(). The kernel computes the final
 * subtraction in unsigned long and returns it as int, which is how values
 * such as -500 arise; here the same value is computed in signed 64 bits.
 * The quotient is bounded (every free block is smaller than 2^order when no
 * suitable block exists, so it is below 2000), so the int cannot overflow.
 */
int lab_fragmentation_index(const uint64_t nr_free[LAB_MAX_ORDER], unsigned order)
{
	if (order >= LAB_MAX_ORDER)
		return 0;
	struct contig_info info = contig_info_fill(nr_free, order);
	if (info.free_blocks_total == 0)
		return 0;
	if (info.free_blocks_suitable > 0)
		return -1000;
	uint64_t requested = 1ull << order;
	uint64_t q = (1000 + info.free_pages * 1000 / requested) / info.free_blocks_total;
	return (int)(1000 - (int64_t)q);
}

/*
 * Pages in free blocks too small for @order, per @scale of all free pages
 * (the common body of Linux unusable_free_index and extfrag_for_order).
 * @order >= LAB_MAX_ORDER counts every free page as unusable. Call only
 * with info->free_pages != 0.
 */
static int unusable_share(const struct contig_info *info, unsigned order, uint64_t scale)
{
	uint64_t usable = order < LAB_MAX_ORDER ? info->free_blocks_suitable << order : 0;
	return (int)((info->free_pages - usable) * scale / info->free_pages);
}

/* Mirrors Linux unusable_free_index(). */
int lab_unusable_index(const uint64_t nr_free[LAB_MAX_ORDER], unsigned order)
{
	struct contig_info info = contig_info_fill(nr_free, order);
	if (info.free_pages == 0)
		return 1000;
	return unusable_share(&info, order, 1000);
}

/* Mirrors Linux extfrag_for_order(). */
int lab_extfrag_for_order(const uint64_t nr_free[LAB_MAX_ORDER], unsigned order)
{
	struct contig_info info = contig_info_fill(nr_free, order);
	if (info.free_pages == 0)
		return 0;
	return unusable_share(&info, order, 100);
}
