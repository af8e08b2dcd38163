/* SPDX-License-Identifier: MIT */
/*
 * core/watermark.c - min_free_kbytes, per-zone watermarks, lowmem reserve,
 * watermark boost and the watermark checks (Linux 6.1.192).
 *
 *   free pages
 *     ^
 *     |  high  -- kswapd stops here (plus boost)
 *     |  low   -- kswapd is woken below here; the fast path needs free > low
 *     |  min   -- the slow path needs free > min; __GFP_HIGH callers may go to
 *     |           min/2, atomic ones to min/2 - min/8 (3/8 min); __GFP_MEMALLOC
 *     |           ignores it
 *     0
 *   plus lowmem_reserve[highest zone of the request] when the request falls
 *   back from a higher zone into this one.
 *
 * Formulas: facts §4 and §5; every integer division is the kernel's, so the
 * same managed page counts and sysctls give the same numbers as
 * /proc/zoneinfo (vectors E, F, G, H).
 */
#include "internal.h"

static void calculate_totalreserve_pages(struct lab_mem *mem);

/* int_sqrt: floor(sqrt(x)), bit by bit. */
static uint64_t int_sqrt(uint64_t x)
{
	uint64_t res = 0, bit = 1ull << 62;
	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= res + bit) {
			x -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return res;
}

/* mult_frac(x, n, d) without overflow of x * n. */
static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
	return (x / d) * n + ((x % d) * n) / d;
}

int lab_default_min_free_kbytes(uint64_t lowmem_kbytes)
{
	uint64_t v = int_sqrt(lowmem_kbytes * 16);
	if (v < 128)
		v = 128;
	if (v > 262144)
		v = 262144;
	return (int)v;
}

/* nr_free_buffer_pages(): managed - high of every zone <= Normal. */
static uint64_t nr_free_buffer_pages(const struct lab_mem *mem)
{
	uint64_t sum = 0;
	for (int i = 0; i <= LAB_ZONE_NORMAL; i++) {
		const struct lab_zone *z = &mem->zones[i];
		uint64_t high = zone_wmark(z, LAB_WMARK_HIGH);
		if (z->managed > high)
			sum += z->managed - high;
	}
	return sum;
}

/* __setup_per_zone_wmarks: min/low/high/promo of every zone; boost reset. */
void lab__setup_per_zone_wmarks(struct lab_mem *mem)
{
	uint64_t pages_min = (uint64_t)mem->tun.min_free_kbytes >> (LAB_PAGE_SHIFT - 10);
	uint64_t lowmem_pages = 0;
	/* 6.1: ZONE_MOVABLE counts as lowmem, a HighMem zone does not; 6.12
	 * (since 6.4) treats ZONE_MOVABLE like highmem: not in lowmem_pages,
	 * and the small capped min (zone index 3 is either) */
	bool zone3_highmem = mem->highmem_zone || mem->kernel == LAB_KERNEL_6_12;

	for (int i = 0; i < LAB_MAX_NR_ZONES; i++)
		if (!(zone3_highmem && i == LAB_ZONE_MOVABLE))
			lowmem_pages += mem->zones[i].managed;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		uint64_t share = lowmem_pages ? pages_min * z->managed / lowmem_pages : 0;
		uint64_t gap = share >> 2;
		uint64_t scaled = mult_frac(z->managed, (uint64_t)mem->tun.watermark_scale_factor, 10000);
		uint64_t min = share;
		if (zone3_highmem && i == LAB_ZONE_MOVABLE) {
			/* highmem (6.12: also movable): a small min (SWAP_CLUSTER_MAX..128) since lowmem
			 * cannot be served from it; the gap still uses share (F8) */
			min = z->managed / 1024;
			if (min < LAB_SWAP_CLUSTER_MAX)
				min = LAB_SWAP_CLUSTER_MAX;
			if (min > 128)
				min = 128;
		}
		if (scaled > gap)
			gap = scaled;
		z->wmark[LAB_WMARK_MIN] = min;
		z->wmark[LAB_WMARK_LOW] = min + gap;
		z->wmark[LAB_WMARK_HIGH] = min + 2 * gap;
		z->wmark[LAB_WMARK_PROMO] = min + 3 * gap;
		zone_set_boost(z, 0);
	}
	calculate_totalreserve_pages(mem);
	lab__zone_pcp_update_sizes(mem);
}

/* setup_per_zone_lowmem_reserve ("protection"). */
void lab__setup_per_zone_lowmem_reserve(struct lab_mem *mem)
{
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		int ratio = mem->tun.lowmem_reserve_ratio[i];
		uint64_t managed_above = 0;
		for (int j = 0; j < LAB_MAX_NR_ZONES; j++)
			z->lowmem_reserve[j] = 0;
		for (int j = i + 1; j < LAB_MAX_NR_ZONES; j++) {
			managed_above += mem->zones[j].managed;
			if (ratio > 0 && z->managed)
				z->lowmem_reserve[j] = (int64_t)(managed_above / (uint64_t)ratio);
		}
	}
	calculate_totalreserve_pages(mem);
}

/* calculate_totalreserve_pages: what MemAvailable keeps back. */
static void calculate_totalreserve_pages(struct lab_mem *mem)
{
	uint64_t total = 0;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		struct lab_zone *z = &mem->zones[i];
		int64_t max = 0;
		for (int j = i; j < LAB_MAX_NR_ZONES; j++)
			if (z->lowmem_reserve[j] > max)
				max = z->lowmem_reserve[j];
		uint64_t v = (uint64_t)max + z->wmark[LAB_WMARK_HIGH];
		if (v > z->managed)
			v = z->managed;
		total += v;
	}
	mem->totalreserve_pages = total;
}

/*
 * init_per_zone_wmark_min / the min_free_kbytes sysctl: recompute the
 * default from lowmem (unless the user's value is larger, which then
 * stays), then watermarks and lowmem reserve.
 */
void lab__init_per_zone_wmark_min(struct lab_mem *mem)
{
	int def = lab_default_min_free_kbytes(nr_free_buffer_pages(mem) * (LAB_PAGE_SIZE >> 10));
	if (def > mem->tun.user_min_free_kbytes) {
		mem->tun.min_free_kbytes = def;
	} else {
		mem->tun.min_free_kbytes = mem->tun.user_min_free_kbytes;
		if (def != mem->tun.user_min_free_kbytes)
			lab__log(mem, LAB_LOG_WARNING,
				"min_free_kbytes is not updated to %d because user defined value %d is preferred",
				def, mem->tun.user_min_free_kbytes);
	}
	lab__setup_per_zone_wmarks(mem);
	lab__setup_per_zone_lowmem_reserve(mem);
}

/*
 * boost_watermark: a fragmenting fallback happened; raise the zone's
 * watermarks by a pageblock (up to watermark_boost_factor/10000 of high)
 * so kswapd reclaims and compacts before the damage spreads. Zone lock held.
 */
uint64_t lab_watermark_boost_cap(uint64_t high, int factor, uint64_t pageblock_pages, uint64_t managed)
{
	if (factor <= 0 || pageblock_pages * 4 > managed)
		return 0;
	uint64_t max_boost = mult_frac(high, (uint64_t)factor, 10000);
	if (!max_boost)
		return 0;
	return max_boost < pageblock_pages ? pageblock_pages : max_boost;
}

bool lab__boost_watermark(struct lab_mem *mem, struct lab_zone *z)
{
	uint64_t nr = pageblock_nr_pages(mem);
	uint64_t max_boost = lab_watermark_boost_cap(z->wmark[LAB_WMARK_HIGH], mem->tun.watermark_boost_factor, nr,
						     z->managed);

	if (!max_boost)
		return false;
	zone_set_boost(z, zone_boost(z) + nr < max_boost ? zone_boost(z) + nr : max_boost);
	return true;
}

/* The public flag values are the core's (one set of bits). */
_Static_assert(LAB_ALLOC_WMARK_LOW == ALLOC_WMARK_LOW && LAB_ALLOC_WMARK_HIGH == ALLOC_WMARK_HIGH &&
	       LAB_ALLOC_NO_WATERMARKS == ALLOC_NO_WATERMARKS && LAB_ALLOC_OOM == ALLOC_OOM &&
	       LAB_ALLOC_NON_BLOCK == ALLOC_NON_BLOCK && LAB_ALLOC_MIN_RESERVE == ALLOC_MIN_RESERVE &&
	       LAB_ALLOC_CPUSET == ALLOC_CPUSET && LAB_ALLOC_CMA == ALLOC_CMA &&
	       LAB_ALLOC_NOFRAGMENT == ALLOC_NOFRAGMENT && LAB_ALLOC_HIGHATOMIC == ALLOC_HIGHATOMIC &&
	       LAB_ALLOC_KSWAPD == ALLOC_KSWAPD, "LAB_ALLOC_* differ from the core's ALLOC_*");

/* __zone_watermark_ok's reductions of the mark for the caller's reserves. */
static inline int64_t reduced_min(uint64_t mark, unsigned alloc_flags)
{
	int64_t min = (int64_t)mark;

	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	return min;
}

/* The order > 0 test: the orders with a block on a list this caller may
 * take from (bit o = order o), from the per-type non-empty bitmaps. */
static inline uint32_t usable_lists(const uint32_t nonempty[LAB_MIGRATE_TYPES], unsigned alloc_flags)
{
	uint32_t lists = nonempty[LAB_MIGRATE_UNMOVABLE] | nonempty[LAB_MIGRATE_MOVABLE] |
			 nonempty[LAB_MIGRATE_RECLAIMABLE];
	if (alloc_flags & ALLOC_CMA)
		lists |= nonempty[LAB_MIGRATE_CMA];
	if (alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM))
		lists |= nonempty[LAB_MIGRATE_HIGHATOMIC];
	return lists;
}

/* zone_watermark_fast's retry: an order-0 request checked at WMARK_MIN of
 * a boosted zone is checked again without the boost when it has
 * __GFP_ATOMIC (6.1: @ex_gfp) or ALLOC_MIN_RESERVE (6.3+: @ex_alloc). */
static inline bool boost_exempt(unsigned order, lab_gfp_t gfp, uint64_t boost, unsigned alloc_flags,
				uint32_t ex_gfp, uint32_t ex_alloc)
{
	return !order && ((gfp & ex_gfp) || (alloc_flags & ex_alloc)) && boost &&
	       (alloc_flags & ALLOC_WMARK_MASK) == ALLOC_WMARK_MIN;
}

/*
 * __zone_watermark_ok: free pages above the (reduced) mark plus the lowmem
 * reserve, and for order > 0 a free block of at least @order on a list this
 * caller may use. O(1) through the nonempty bitmaps.
 */
bool lab__zone_watermark_ok_free(const struct lab_zone *z, unsigned order, uint64_t mark,
			    int highest_zoneidx, unsigned alloc_flags, int64_t free_pages)
{
	free_pages -= zone_watermark_unusable_free(z, order, alloc_flags);
	if (free_pages <= reduced_min(mark, alloc_flags) + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	uint32_t nonempty[LAB_MIGRATE_TYPES] = {
		[LAB_MIGRATE_UNMOVABLE] = zone_nonempty(z, LAB_MIGRATE_UNMOVABLE),
		[LAB_MIGRATE_MOVABLE] = zone_nonempty(z, LAB_MIGRATE_MOVABLE),
		[LAB_MIGRATE_RECLAIMABLE] = zone_nonempty(z, LAB_MIGRATE_RECLAIMABLE),
		[LAB_MIGRATE_HIGHATOMIC] = (alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) ?
					   zone_nonempty(z, LAB_MIGRATE_HIGHATOMIC) : 0,
		[LAB_MIGRATE_CMA] = (alloc_flags & ALLOC_CMA) ? zone_nonempty(z, LAB_MIGRATE_CMA) : 0,
	};
	return (usable_lists(nonempty, alloc_flags) >> order) != 0;
}

/*
 * zone_watermark_fast past its order-0 shortcut (internal.h): the full
 * check, and the 6.1 exception that lets order-0 __GFP_ATOMIC requests at
 * WMARK_MIN ignore a boost (a boost exists to make kswapd work, not to fail
 * atomics). @free_pages: the snapshot the shortcut read.
 */
bool lab__zone_watermark_fast_full(const struct lab_zone *z, unsigned order, uint64_t mark,
			      int highest_zoneidx, unsigned alloc_flags, lab_gfp_t gfp, int64_t free_pages)
{
	if (lab__zone_watermark_ok_free(z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	if (boost_exempt(order, gfp, zone_boost(z), alloc_flags, z->boost_exempt_gfp, z->boost_exempt_alloc))
		return lab__zone_watermark_ok_free(z, order, z->wmark[LAB_WMARK_MIN], highest_zoneidx,
					      alloc_flags, free_pages);
	return false;
}

/* __zone_watermark_ok on plain numbers, saying why it refused. */
static int watermark_refusal(const struct lab_wmark_zone *z, unsigned order, uint64_t mark, unsigned alloc_flags,
			     struct lab_zone_refused *out)
{
	uint32_t usable = usable_lists(z->nonempty, alloc_flags) >> order, any = 0;

	for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		any |= z->nonempty[mt] >> order;
	out->alloc_flags = alloc_flags;
	out->free = z->free;
	out->unusable = watermark_unusable_free(order, alloc_flags,
						lab_kernel_resolve(z->kernel) == LAB_KERNEL_6_12 ? z->free_highatomic :
												    z->reserved_highatomic,
						z->free_cma);
	out->mark = (int64_t)mark;
	out->min = reduced_min(mark, alloc_flags);
	out->lowmem_reserve = z->lowmem_reserve;
	out->blocks = !order || usable ? LAB_BLOCKS_USABLE : any ? LAB_BLOCKS_RESERVED_ONLY : LAB_BLOCKS_NONE;
	if (z->free - out->unusable <= out->min + z->lowmem_reserve)
		out->reason = LAB_REFUSED_WATERMARK;
	else if (order && !usable)
		out->reason = any ? LAB_REFUSED_HIGHATOMIC_ONLY : LAB_REFUSED_NO_BLOCK;
	else
		out->reason = 0;
	return out->reason;
}

unsigned lab_gfp_alloc_flags(lab_gfp_t gfp, unsigned order, int cma)
{
	return lab__gfp_to_alloc_flags(gfp, order) | (cma ? ALLOC_CMA : 0);
}

int lab_zone_watermark_check(const struct lab_wmark_zone *z, unsigned order, unsigned alloc_flags,
			     lab_gfp_t gfp, struct lab_zone_refused *out)
{
	struct lab_zone_refused tmp;

	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	if (order >= LAB_MAX_ORDER)
		return out->reason = LAB_REFUSED_NO_BLOCK;
	if (!watermark_refusal(z, order, z->mark, alloc_flags, out))
		return 0;
	bool v6_12 = lab_kernel_resolve(z->kernel) == LAB_KERNEL_6_12;
	if (boost_exempt(order, gfp, z->boost, alloc_flags, v6_12 ? 0 : LAB___GFP_ATOMIC, v6_12 ? ALLOC_MIN_RESERVE : 0))
		return watermark_refusal(z, order, z->min, alloc_flags, out);
	return out->reason;
}

/*
 * Why zone @z refused an attempt at @mark (get_page_from_freelist's
 * refusal branch): the public check on the zone's numbers, read again
 * (lockless, as the check itself read them).
 */
void lab__zone_refusal(const struct lab_zone *z, unsigned order, uint64_t mark, int highest_zoneidx,
		       unsigned alloc_flags, lab_gfp_t gfp, struct lab_zone_refused *out)
{
	struct lab_wmark_zone w = {
		.free = (int64_t)zone_free(z),
		.mark = mark,
		.boost = zone_boost(z),
		.min = z->wmark[LAB_WMARK_MIN],
		.lowmem_reserve = z->lowmem_reserve[highest_zoneidx],
		.reserved_highatomic = zone_reserved_highatomic(z),
		.free_cma = zone_free_cma(z),
		.free_highatomic = zone_free_highatomic(z),
		.kernel = z->unusable_free_highatomic ? LAB_KERNEL_6_12 : LAB_KERNEL_6_1,
	};

	for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		w.nonempty[mt] = zone_nonempty(z, mt);
	if (!lab_zone_watermark_check(&w, order, alloc_flags, gfp, out))
		out->reason = LAB_REFUSED_LISTS_EMPTY;   /* passes now: raced with a free */
	out->zone = (uint8_t)z->idx;
}
