/* SPDX-License-Identifier: MIT */
/*
 * engines/diagnose.c - replays the failed allocation of a dmesg report with
 * the numbers the kernel printed, and says why it failed and what to tune.
 *
 * What it mirrors (Linux names; linux-mm-facts §2-§7 and the "How the
 * verdicts were computed" notes of the corpus INDEX):
 *   gfp_zone()                 -> which zones are eligible, fallback order
 *   gfp_to_alloc_flags()       -> ALLOC_HIGH/ALLOC_HARDER (before 6.3) or
 *                                 ALLOC_MIN_RESERVE/ALLOC_NON_BLOCK (6.3+,
 *                                 6.1.116+), ALLOC_CMA, ALLOC_NO_WATERMARKS
 *   __zone_watermark_unusable_free() -> 2^order-1, free CMA, reserved_highatomic
 *   __zone_watermark_ok()      -> the min reductions, lowmem_reserve[], and
 *                                 for order > 0 the per-order loop (< 4.4) or
 *                                 the "a block on a usable list" test (4.4+)
 *   zone_watermark_fast()      -> order-0 atomic retry without the boost
 *   rmqueue()/__rmqueue()      -> which migratetype lists the caller reaches
 *                                 (highatomic only for high-order atomic, and
 *                                 for order-0 atomic after the Oct 2024 fix)
 *
 * For the kernels whose rules are the allocator's own (6.1.157+, 6.18+:
 * rules_core) the core decides: lab_gfp_alloc_flags() is their
 * gfp_to_alloc_flags(), lab_zone_watermark_check() their
 * __zone_watermark_ok() and zone_watermark_fast(); the tables here are the
 * older kernels'. The kernel version picks the rules (diagnose_kernel.c);
 * without one, the flag names (which differ per era) or the report's format
 * give an era. The flag bits of that era come from core/gfp.c (lab_gfp_parse
 * of a single flag name), so no flag table lives here.
 *
 * Cost: O(zones x orders) arithmetic and some snprintf; no allocation.
 */
#include "engines/diagnose.h"
#include "util/text.h"
#include "engines/diagnose_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <labyrinth/labyrinth.h>

/* ---- small helpers ------------------------------------------------------ */

static long kv(int maj, int min, int patch)
{
	return (long)maj * 1000000L + (long)min * 1000L + (patch > 999 ? 999 : patch);
}

static long dkv(const struct lab_diagnosis *d)
{
	return kv(d->kmajor, d->kminor, d->kpatch);
}

/* The bit of flag @name in @era, 0 when the flag does not exist there. */
static lab_gfp_t flag_bit(const char *name, enum lab_gfp_era era)
{
	lab_gfp_t v = 0;
	if (lab_gfp_parse(name, era, &v, NULL, NULL) != 0)
		return 0;
	return v;
}

/* ---- kernel version, flags and rules ------------------------------------ */

static bool rules_pre44(const struct lab_diagnosis *d) { return dkv(d) < kv(4, 4, 0); }

/* ALLOC_MIN_RESERVE / ALLOC_NON_BLOCK semantics: 6.3+, and 6.1.116+. */
static bool rules_min_reserve(const struct lab_diagnosis *d)
{
	return dkv(d) >= kv(6, 3, 0) || (d->kmajor == 6 && d->kminor == 1 && d->kpatch >= 116);
}

/* "mm/page_alloc: let GFP_ATOMIC order-0 allocs access highatomic reserves"
 * (Oct 2024): 6.12, and 6.1.116 in the 6.1.y series. */
static bool rules_order0_highatomic(const struct lab_diagnosis *d)
{
	return dkv(d) >= kv(6, 12, 0) || (d->kmajor == 6 && d->kminor == 1 && d->kpatch >= 116);
}

/*
 * The kernels whose rules are the core's own (Linux 6.1.192 as src/core
 * mirrors it), so that lab_gfp_alloc_flags() and lab_zone_watermark_check()
 * decide for them: ALLOC_MIN_RESERVE/ALLOC_NON_BLOCK, ALLOC_HIGHATOMIC
 * only with __GFP_HIGH (gfp_to_alloc_flags: 6.1.157+ in 6.1.y, mainline
 * ~6.18), order-0 atomic access to the highatomic reserve. Not these:
 * 6.1.116..156 and 6.3..6.17, whose gfp_to_alloc_flags gives
 * ALLOC_HIGHATOMIC to every non-blocking high-order request (GFP_NOWAIT
 * too), nor anything older (ALLOC_HARDER from __GFP_ATOMIC; before 4.4 the
 * per-order loop of __zone_watermark_ok): those keep the tables below.
 */
static bool rules_core(const struct lab_diagnosis *d)
{
	return dkv(d) >= kv(6, 18, 0) || (d->kmajor == 6 && d->kminor == 1 && d->kpatch >= 157);
}

/*
 * The request as the core reads it (6.1 bits; only what gfp_to_alloc_flags
 * and zone_watermark_fast look at). zone_watermark_fast lets order-0
 * requests ignore the boost: 6.1.y (and the core, 6.1.192) key that on the
 * request's own __GFP_ATOMIC bit, 6.3+ (no such bit) on ALLOC_MIN_RESERVE,
 * i.e. __GFP_HIGH: d->boost_exempt is that key in the report's kernel, and
 * the core gets it as __GFP_ATOMIC.
 */
static lab_gfp_t core_request(const struct lab_diagnosis *d)
{
	lab_gfp_t g = (d->high ? LAB___GFP_HIGH : 0) | (d->boost_exempt ? LAB___GFP_ATOMIC : 0);

	if (d->can_block)
		g |= LAB___GFP_DIRECT_RECLAIM;
	if (d->nomemalloc)
		g |= LAB___GFP_NOMEMALLOC;
	return g;
}

/* zone_watermark_fast() ignores the boost for order-0 atomic (5.8+). */
static bool rules_unboost_atomic(const struct lab_diagnosis *d)
{
	return dkv(d) >= kv(5, 8, 0);
}

/*
 * Mirrors gfp_to_alloc_flags() and gfp_migratetype() of the chosen version:
 * whether the caller may block (__GFP_WAIT / __GFP_DIRECT_RECLAIM), gets the
 * __GFP_HIGH half and the atomic quarter (ALLOC_HARDER before 6.3,
 * ALLOC_MIN_RESERVE + ALLOC_NON_BLOCK from 6.3 and 6.1.116), may use CMA
 * (ALLOC_CMA) and the highatomic lists (rmqueue), or ignores watermarks
 * (ALLOC_NO_WATERMARKS). Flag bits come from core/gfp.c's table of the era.
 */
static void request_flags(const struct lab_dmesg_report *r, struct lab_diagnosis *d)
{
	lab_gfp_t m = r->mode;
	enum lab_gfp_era e = d->era;
	lab_gfp_t direct = flag_bit("__GFP_DIRECT_RECLAIM", e) | flag_bit("__GFP_WAIT", e);
	lab_gfp_t atomic = flag_bit("__GFP_ATOMIC", e);

	d->can_block = direct && (m & direct);
	d->high = (m & LAB___GFP_HIGH) != 0;
	d->movable = (m & LAB___GFP_MOVABLE) != 0;
	d->io = (m & LAB___GFP_IO) != 0;
	d->nomemalloc = (m & flag_bit("__GFP_NOMEMALLOC", e)) != 0;
	d->memalloc = (m & flag_bit("__GFP_MEMALLOC", e)) != 0;
	d->boost_exempt = atomic ? (m & atomic) != 0 : d->high;
	d->core_rules = rules_core(d);
	if (d->core_rules) {
		d->core_gfp = core_request(d);
		d->alloc_flags = lab_gfp_alloc_flags(d->core_gfp, d->order, d->movable);
		d->non_block = (d->alloc_flags & LAB_ALLOC_NON_BLOCK) != 0;
	} else {
		d->non_block = !d->can_block && !d->nomemalloc;
	}
	if (rules_pre44(d))
		d->atomic = !d->can_block && !d->nomemalloc;	/* !__GFP_WAIT */
	else if (rules_min_reserve(d))
		d->atomic = d->non_block && d->high;		/* GFP_ATOMIC's reserve rights */
	else
		d->atomic = atomic && (m & atomic) && !d->nomemalloc; /* __GFP_ATOMIC */
	d->no_watermarks = (d->memalloc || r->context == LAB_DMESG_CTX_KSWAPD) && !d->nomemalloc;
	d->may_use_cma = d->core_rules ? (d->alloc_flags & LAB_ALLOC_CMA) != 0 : d->movable;
	if (rules_pre44(d))
		d->may_use_highatomic = false;		/* no such reserve yet */
	else if (d->core_rules)
		d->may_use_highatomic = (d->alloc_flags & LAB_ALLOC_HIGHATOMIC) != 0;
	else if (rules_min_reserve(d))
		d->may_use_highatomic = r->order > 0 && d->non_block;
	else
		d->may_use_highatomic = r->order > 0 && d->atomic;
	d->order0_highatomic_fix = rules_order0_highatomic(d);
	if (d->order0_highatomic_fix && d->non_block && r->order == 0)
		d->may_use_highatomic = true;		/* last resort in rmqueue_buddy */

	{
		struct lab_sbuf sb = { d->policy, sizeof(d->policy), 0 };
		if (d->no_watermarks) {
			lab_sb_printf(&sb, "no watermark (%s)", d->memalloc ? "__GFP_MEMALLOC" : "PF_MEMALLOC: kswapd");
		} else {
			lab_sb_printf(&sb, "min");
			if (d->high)
				lab_sb_printf(&sb, " -> half (__GFP_HIGH)");
			if (rules_min_reserve(d) ? (d->high && d->non_block) : d->atomic)
				lab_sb_printf(&sb, " -> -1/4 (%s)", rules_min_reserve(d) ? "non-blocking" :
					  rules_pre44(d) ? "atomic: no __GFP_WAIT" : "__GFP_ATOMIC");
			if (!d->high && !d->atomic)
				lab_sb_printf(&sb, " (no reduction)");
		}
	}
	if (rules_pre44(d))
		snprintf(d->rules, sizeof(d->rules), "before 4.4: per-order watermark loop, MIGRATE_RESERVE");
	else if (rules_min_reserve(d))
		snprintf(d->rules, sizeof(d->rules), "6.3+ (ALLOC_MIN_RESERVE/NON_BLOCK)%s",
			 d->order0_highatomic_fix ? ", order-0 atomic may use highatomic" : "");
	else
		snprintf(d->rules, sizeof(d->rules), "4.4-6.2 (ALLOC_HARDER from __GFP_ATOMIC), order-0 never highatomic");
}

/* Linux __zone_watermark_ok's reductions of @min for this caller: the
 * core's check computes them for the kernels whose rules it has. */
static int64_t reduce_mark(const struct lab_diagnosis *d, int64_t min)
{
	if (d->no_watermarks)
		return 0;
	if (d->core_rules) {
		struct lab_wmark_zone w = { .mark = (uint64_t)(min > 0 ? min : 0) };
		struct lab_zone_refused out;
		lab_zone_watermark_check(&w, 0, d->alloc_flags, 0, &out);
		return out.min;
	}
	if (rules_min_reserve(d)) {
		if (d->high) {
			min -= min / 2;
			if (d->non_block)
				min -= min / 4;
		}
		return min;
	}
	if (d->high)
		min -= min / 2;
	if (d->atomic)
		min -= min / 4;
	return min;
}

/* ---- zones ----------------------------------------------------------------- */

/*
 * Every number taken from a report is clamped to VAL_MAX pages (16 EiB of
 * 4K pages is far beyond any machine, 2^42 pages is 16 PiB): a fuzzed or
 * corrupt report then cannot overflow the arithmetic below, which multiplies
 * by at most 10000 or a page size of at most 1024 kB.
 */
#define VAL_MAX ((int64_t)1 << 42)

static int64_t clampv(int64_t v)
{
	return v < 0 ? 0 : v > VAL_MAX ? VAL_MAX : v;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}


static int request_highest_type(const struct lab_dmesg_report *r)
{
	unsigned zb = r->mode & LAB_GFP_ZONEMASK;
	bool has_highmem = false, has_movable = false;

	for (int i = 0; i < r->nr_zones; i++) {
		int t = lab_dmesg_zone_type(r->zones[i].name);
		has_highmem |= t == 3;
		has_movable |= t == 4;
	}
	if (zb & LAB___GFP_DMA)
		return 0;
	if (zb & LAB___GFP_DMA32)
		return 1;
	if ((zb & (LAB___GFP_HIGHMEM | LAB___GFP_MOVABLE)) == (LAB___GFP_HIGHMEM | LAB___GFP_MOVABLE))
		return has_movable ? 4 : has_highmem ? 3 : 2;
	if (zb & LAB___GFP_HIGHMEM)
		return has_highmem ? 3 : 2;
	return 2;
}

/*
 * lowmem_reserve[] charged to zone @z for this request. The array is indexed
 * by the kernel's zone numbering, which depends on its config (DMA32,
 * HIGHMEM, DEVICE); instead of guessing it, count the steps: the array only
 * grows at populated zones above @z, so the value for the request's highest
 * eligible zone is the one after as many increases as there are eligible
 * populated zones above @z on the same node.
 */
static int64_t lowmem_reserve_for(const struct lab_dmesg_report *r, const struct lab_dmesg_zone *z,
				  int highest, bool *known)
{
	int above = 0, steps = 0, type = lab_dmesg_zone_type(z->name);
	int64_t v = 0;

	*known = z->nr_reserve > 0;
	for (int i = 0; i < r->nr_zones; i++) {
		const struct lab_dmesg_zone *o = &r->zones[i];
		int t = lab_dmesg_zone_type(o->name);
		if (o != z && o->node == z->node && t > type && t <= highest)
			above++;
	}
	if (above == 0 || !*known)
		return 0;
	for (int i = 1; i < z->nr_reserve; i++) {
		if (clampv(z->reserve[i]) > clampv(z->reserve[i - 1])) {
			v = clampv(z->reserve[i]);
			if (++steps == above)
				return v;
		}
	}
	return v;
}

static int64_t kb_to_pages(uint64_t kb, unsigned page_kb)
{
	uint64_t p = kb / page_kb;
	return p > (uint64_t)VAL_MAX ? VAL_MAX : (int64_t)p;
}

/*
 * The free lists of zone @z at orders >= the request's: how many kB in all
 * and on lists this caller may not take from (rmqueue()/__rmqueue(): H only
 * with may_use_highatomic, C only for movable requests, never I), the
 * largest order overall and on a usable list. A buddy line without
 * letters, or an order without, counts as usable. Returns whether a usable
 * block of the order exists. O(orders).
 */
static bool zone_lists(const struct lab_dmesg_zone *z, const struct lab_diagnosis *d,
		       struct lab_diag_zone *dz)
{
	unsigned usable = LAB_DMESG_MT_U | LAB_DMESG_MT_M | LAB_DMESG_MT_E | LAB_DMESG_MT_R |
			  LAB_DMESG_MT_OTHER;
	bool usable_found = false;

	if (d->may_use_cma)
		usable |= LAB_DMESG_MT_C;
	if (d->may_use_highatomic)
		usable |= LAB_DMESG_MT_H;
	if (!z->has_buddy)
		return false;
	for (int o = 0; o < z->nr_orders; o++) {
		unsigned t = z->types[o];
		bool ok;
		if (!z->nr_free[o])
			continue;
		dz->largest_order = o;
		ok = !z->letters || t == 0 || (t & usable);
		if ((unsigned)o < d->order)
			continue;
		dz->kb_at_order = sat_add(dz->kb_at_order, sat_mul(z->nr_free[o], z->block_kb[o]));
		if (ok) {
			usable_found = true;
			dz->largest_usable_order = o;
		} else {
			dz->kb_reserved_only = sat_add(dz->kb_reserved_only,
						       sat_mul(z->nr_free[o], z->block_kb[o]));
			dz->blocking_types |= t & (LAB_DMESG_MT_H | LAB_DMESG_MT_C | LAB_DMESG_MT_I);
		}
	}
	return usable_found;
}

/*
 * The watermark check of the kernels before the core's rules, in pages:
 * __zone_watermark_unusable_free() (2^order-1, CMA, reserved_highatomic),
 * __zone_watermark_ok()'s reduced min + lowmem_reserve, and
 * zone_watermark_fast()'s unboosted retry for order-0 atomic requests.
 */
static void watermark_table(const struct lab_dmesg_zone *z, const struct lab_diagnosis *d,
			    struct lab_diag_zone *dz)
{
	unsigned ps = d->page_kb, order = d->order;
	int64_t fa;

	if (!d->may_use_cma && (z->have & (1u << LAB_ZF_FREE_CMA)))
		dz->unusable_cma = kb_to_pages(z->kb[LAB_ZF_FREE_CMA], ps);
	if (!rules_pre44(d) && (z->have & (1u << LAB_ZF_RESERVED_HIGHATOMIC)) &&
	    !(rules_min_reserve(d) ? (d->non_block || d->high) : d->atomic))
		dz->unusable_highatomic = kb_to_pages(z->kb[LAB_ZF_RESERVED_HIGHATOMIC], ps);
	dz->unusable = ((int64_t)1 << order) - 1 + dz->unusable_cma + dz->unusable_highatomic;
	fa = dz->free - dz->unusable;
	dz->mark = reduce_mark(d, dz->min);
	dz->wmark_ok = d->no_watermarks || fa > dz->mark + dz->reserve;
	if (!dz->wmark_ok && order == 0 && dz->boost > 0 && dz->boost < dz->min &&
	    rules_unboost_atomic(d) && (rules_min_reserve(d) ? d->boost_exempt : d->atomic)) {
		int64_t m2 = reduce_mark(d, dz->min - dz->boost);
		if (fa > m2 + dz->reserve) {
			dz->mark = m2;
			dz->wmark_ok = true;
			dz->unboosted = true;
		}
	}
}

/* The report's free lists as the core's bitmaps (bit o of [type]: a block
 * of order o), letters read as zone_lists() reads them: none, R and
 * unknown letters as unmovable. */
static void zone_bitmaps(const struct lab_dmesg_zone *z, uint32_t nonempty[LAB_MIGRATE_TYPES])
{
	static const struct { unsigned letters; int mt; } map[] = {
		{ LAB_DMESG_MT_U | LAB_DMESG_MT_R | LAB_DMESG_MT_OTHER, LAB_MIGRATE_UNMOVABLE },
		{ LAB_DMESG_MT_M, LAB_MIGRATE_MOVABLE }, { LAB_DMESG_MT_E, LAB_MIGRATE_RECLAIMABLE },
		{ LAB_DMESG_MT_H, LAB_MIGRATE_HIGHATOMIC }, { LAB_DMESG_MT_C, LAB_MIGRATE_CMA },
		{ LAB_DMESG_MT_I, LAB_MIGRATE_ISOLATE },
	};

	for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
		nonempty[mt] = 0;
	for (int o = 0; z->has_buddy && o < z->nr_orders && o < 32; o++) {
		unsigned t = !z->letters || z->types[o] == 0 ? LAB_DMESG_MT_U : z->types[o];
		if (!z->nr_free[o])
			continue;
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (t & map[i].letters)
				nonempty[map[i].mt] |= 1u << o;
	}
}

/*
 * The watermark check of the kernels with the core's rules (rules_core):
 * lab_zone_watermark_check() is __zone_watermark_ok() with the order-0
 * retry of zone_watermark_fast() at the unboosted min. The printed min
 * includes the printed boost (min_wmark_pages); as for every era here, a
 * boost that is not below it leaves no min to retry at and gets no retry
 * (Linux would retry at 0 when they are equal). When the retry fails too,
 * @dz keeps the numbers of the first check, at the printed min. Returns the
 * core's refusal (enum lab_refusal), 0 when the zone passes.
 */
static int watermark_core(const struct lab_dmesg_zone *z, const struct lab_diagnosis *d,
			  struct lab_diag_zone *dz)
{
	unsigned ps = d->page_kb;
	struct lab_wmark_zone w = {
		.free = dz->free,
		.mark = (uint64_t)dz->min,
		.boost = dz->boost < dz->min ? (uint64_t)dz->boost : 0,
		.lowmem_reserve = dz->reserve,
		/* the era's boost exemption is already in core_gfp's __GFP_ATOMIC
		 * (request_flags), the 6.1 profile's key; the report prints only
		 * reserved_highatomic (both kernels' show_mem) */
		.kernel = LAB_KERNEL_6_1,
	};
	struct lab_zone_refused out;
	int rc;

	w.min = w.mark - w.boost;
	if (z->have & (1u << LAB_ZF_RESERVED_HIGHATOMIC))
		w.reserved_highatomic = (uint64_t)kb_to_pages(z->kb[LAB_ZF_RESERVED_HIGHATOMIC], ps);
	if (z->have & (1u << LAB_ZF_FREE_CMA))
		w.free_cma = (uint64_t)kb_to_pages(z->kb[LAB_ZF_FREE_CMA], ps);
	zone_bitmaps(z, w.nonempty);
	rc = lab_zone_watermark_check(&w, d->order, d->alloc_flags, d->core_gfp, &out);
	dz->unboosted = rc == 0 && out.mark != (int64_t)w.mark;
	if (rc && out.mark != (int64_t)w.mark) {
		w.boost = 0;
		lab_zone_watermark_check(&w, d->order, d->alloc_flags, d->core_gfp, &out);
	}
	dz->mark = out.min;
	dz->unusable = out.unusable;
	dz->unusable_cma = (d->alloc_flags & LAB_ALLOC_CMA) ? 0 : (int64_t)w.free_cma;
	dz->unusable_highatomic = out.unusable - (((int64_t)1 << d->order) - 1) - dz->unusable_cma;
	dz->wmark_ok = rc != LAB_REFUSED_WATERMARK;
	return rc;
}

/*
 * Kernels before 4.4: __zone_watermark_ok() also wants, for each order o
 * below the request's, more than min>>(o+1) pages free in blocks above o.
 * Returns false (the zone FRAGMENTED) at the first order that fails.
 */
static bool pre44_loop(const struct lab_dmesg_zone *z, const struct lab_diagnosis *d,
		       struct lab_diag_zone *dz)
{
	int64_t f = dz->free - dz->unusable, m = dz->mark;

	for (unsigned o = 0; o < d->order && (int)o < z->nr_orders; o++) {
		int64_t sub = z->nr_free[o] > (uint64_t)(VAL_MAX >> o) ? VAL_MAX
			      : (int64_t)(z->nr_free[o] << o);
		f -= sub;
		m >>= 1;
		if (f <= m) {
			dz->loop_fail_order = (int)o;
			dz->loop_free = f;
			dz->loop_min = m;
			return false;
		}
	}
	return true;
}

/*
 * Replays the checks one zone failed, with the printed numbers in pages:
 * the watermark check (the core's for the kernels whose rules it has,
 * else the table of the version), before 4.4 the per-order loop, and
 * whether rmqueue()/__rmqueue() had a block of the order on a list this
 * caller may take from (for order > 0 on the core's kernels, the core's
 * answer). Fills @dz's numbers and outcome. O(orders).
 *
 * The core checks every such zone but two kinds: __GFP_MEMALLOC/kswapd
 * (ALLOC_NO_WATERMARKS: get_page_from_freelist skips the check), and
 * orders its free lists cannot hold (>= LAB_MAX_ORDER: a 64K-page arm64
 * kernel's order-13, which lab_zone_watermark_check refuses as no block);
 * the table's arithmetic for these kernels is the core's, with the core's
 * alloc flags (may_use_*, reduce_mark).
 */
static void zone_check(const struct lab_dmesg_report *r, const struct lab_dmesg_zone *z,
		       struct lab_diagnosis *d, struct lab_diag_zone *dz)
{
	unsigned ps = d->page_kb, order = d->order;
	bool have_free = z->have & (1u << LAB_ZF_FREE), have_min = z->have & (1u << LAB_ZF_MIN);
	bool usable_found, by_core;
	int refused = 0;

	dz->largest_order = dz->largest_usable_order = dz->loop_fail_order = -1;
	dz->type = lab_dmesg_zone_type(z->name);
	dz->reserve = lowmem_reserve_for(r, z, d->highest_type, &dz->reserve_known);
	if (((z->have & (1u << LAB_ZF_PRESENT)) && z->kb[LAB_ZF_PRESENT] == 0) ||
	    ((z->have & (1u << LAB_ZF_MANAGED)) && z->kb[LAB_ZF_MANAGED] == 0 &&
	     (!have_free || z->kb[LAB_ZF_FREE] == 0))) {
		dz->outcome = LAB_ZONE_EMPTY;
		snprintf(dz->why, sizeof(dz->why), "no memory in this zone (present/managed 0)");
		return;
	}
	usable_found = zone_lists(z, d, dz);
	if (!have_free || !have_min) {
		dz->outcome = LAB_ZONE_UNKNOWN;
		snprintf(dz->why, sizeof(dz->why), "no %s: in the zone line", !have_free ? "free" : "min");
		return;
	}
	dz->free = kb_to_pages(z->kb[LAB_ZF_FREE], ps);
	dz->min = kb_to_pages(z->kb[LAB_ZF_MIN], ps);
	dz->boost = (z->have & (1u << LAB_ZF_BOOST)) ? kb_to_pages(z->kb[LAB_ZF_BOOST], ps) : 0;
	by_core = d->core_rules && !d->no_watermarks && order < LAB_MAX_ORDER;
	if (by_core)
		refused = watermark_core(z, d, dz);
	else
		watermark_table(z, d, dz);
	if (!dz->wmark_ok) {
		dz->outcome = dz->free - dz->unusable > dz->mark ? LAB_ZONE_PROTECTED : LAB_ZONE_LOW;
		return;
	}
	if (order > 0 && rules_pre44(d) && z->has_buddy && !d->no_watermarks && !pre44_loop(z, d, dz)) {
		dz->outcome = dz->largest_order < 0 ? LAB_ZONE_NO_FREE : LAB_ZONE_FRAGMENTED;
		return;
	}
	if (!z->has_buddy) {
		dz->outcome = order == 0 ? LAB_ZONE_OK : LAB_ZONE_UNKNOWN;
		snprintf(dz->why, sizeof(dz->why), "no buddy line: free blocks per order unknown");
		return;
	}
	if (by_core && order > 0)
		dz->outcome = refused == LAB_REFUSED_HIGHATOMIC_ONLY ? LAB_ZONE_RESERVED :
			      refused ? LAB_ZONE_FRAGMENTED : LAB_ZONE_OK;
	else if (usable_found)
		dz->outcome = LAB_ZONE_OK;
	else if (dz->kb_reserved_only > 0)
		dz->outcome = LAB_ZONE_RESERVED;
	else
		dz->outcome = LAB_ZONE_FRAGMENTED;
	/* An order-0 request needs one free page, any page: none on its lists
	 * is out of memory. So is a zone with no free block of any order. */
	if (dz->outcome == LAB_ZONE_FRAGMENTED && (order == 0 || dz->largest_order < 0))
		dz->outcome = LAB_ZONE_NO_FREE;
}

/* Eligible zones in zonelist order: node by node, highest zone first. */
static void collect_zones(const struct lab_dmesg_report *r, struct lab_diagnosis *d)
{
	int nodes[LAB_DMESG_MAX_ZONES], nr_nodes = 0;
	struct lab_sbuf inel = { d->ineligible, sizeof(d->ineligible), 0 };

	for (int i = 0; i < r->nr_zones; i++) {
		bool seen = false;
		for (int k = 0; k < nr_nodes; k++)
			seen |= nodes[k] == r->zones[i].node;
		if (!seen)
			nodes[nr_nodes++] = r->zones[i].node;
		{
			int t = lab_dmesg_zone_type(r->zones[i].name);
			if (t < 0 || t > d->highest_type || t == 5)
				lab_sb_printf(&inel, "%s%s", inel.len ? ", " : "", r->zones[i].name);
		}
	}
	for (int k = 0; k < nr_nodes; k++) {
		for (int t = d->highest_type; t >= 0; t--) {
			for (int i = 0; i < r->nr_zones; i++) {
				const struct lab_dmesg_zone *z = &r->zones[i];
				struct lab_diag_zone *dz;
				if (z->node != nodes[k] || lab_dmesg_zone_type(z->name) != t)
					continue;
				dz = &d->zones[d->nr_zones++];
				dz->zi = i;
				zone_check(r, z, d, dz);
			}
		}
	}
}

/* ---- words ----------------------------------------------------------------- */

static const char *zname(const struct lab_dmesg_report *r, const struct lab_diag_zone *dz)
{
	return r->zones[dz->zi].name;
}

static uint64_t order_kb(const struct lab_diagnosis *d, int order)
{
	return order < 0 ? 0 : (uint64_t)d->page_kb << order;
}

/* free > this is what the caller needed (kB). */
static int64_t need_kb(const struct lab_diagnosis *d, const struct lab_diag_zone *dz)
{
	return (dz->mark + dz->reserve + dz->unusable) * (int64_t)d->page_kb;
}

static const char *request_words(const struct lab_dmesg_report *r, const struct lab_diagnosis *d,
				 char *buf, size_t size)
{
	if (r->names_printed && r->names[0])
		snprintf(buf, size, "%.120s", r->names);
	else if (d->decoded[0])
		snprintf(buf, size, "%.120s", d->decoded);
	else
		snprintf(buf, size, "mode %#x", r->mode);
	return buf;
}

/* One line on zone @dz: numbers and outcome. */
static void zone_line(const struct lab_dmesg_report *r, const struct lab_diagnosis *d,
		      const struct lab_diag_zone *dz, struct lab_sbuf *sb)
{
	int64_t ps = d->page_kb;

	switch (dz->outcome) {
	case LAB_ZONE_LOW:
	case LAB_ZONE_PROTECTED:
		lab_sb_printf(sb, "%s: free %lld kB <= %lld kB (watermark %lld kB",
			  zname(r, dz), (long long)(dz->free * ps), (long long)need_kb(d, dz),
			  (long long)(dz->mark * ps));
		if (dz->reserve)
			lab_sb_printf(sb, " + lowmem_reserve %lld kB", (long long)(dz->reserve * ps));
		if (dz->unusable_cma || dz->unusable_highatomic)
			lab_sb_printf(sb, " + unusable %lld kB",
				  (long long)((dz->unusable_cma + dz->unusable_highatomic) * ps));
		lab_sb_printf(sb, ")%s", dz->outcome == LAB_ZONE_PROTECTED ? ", held back by lowmem_reserve" : "");
		break;
	case LAB_ZONE_NO_FREE:
		lab_sb_printf(sb, "%s: free %lld kB %s, but no free page on the lists it may use (%s): out of memory",
			      zname(r, dz), (long long)(dz->free * ps),
			      d->no_watermarks ? "(no watermark for this caller)" : "clears the watermark",
			      dz->largest_order < 0 ? "no free block of any order" : "the buddy line's blocks are on other lists");
		break;
	case LAB_ZONE_FRAGMENTED:
		if (dz->loop_fail_order >= 0)
			lab_sb_printf(sb, "%s: free %lld kB clears the watermark, but the pre-4.4 per-order check fails at order %d: "
				  "%lld pages are free in blocks above order %d, it needs more than %lld (min>>%d)",
				  zname(r, dz), (long long)(dz->free * ps), dz->loop_fail_order,
				  (long long)(dz->loop_free > 0 ? dz->loop_free : 0), dz->loop_fail_order,
				  (long long)dz->loop_min, dz->loop_fail_order + 1);
		else
			lab_sb_printf(sb, "%s: free %lld kB clears the watermark (%lld kB), but no free block of order >= %u (largest: order %d)",
				  zname(r, dz), (long long)(dz->free * ps), (long long)need_kb(d, dz),
				  d->order, dz->largest_order);
		break;
	case LAB_ZONE_RESERVED: {
		char t[12];
		if (d->order == 0)
			lab_sb_printf(sb, "%s: free %lld kB clears the watermark, but every free block (%llu kB) is on %s lists",
				  zname(r, dz), (long long)(dz->free * ps),
				  (unsigned long long)dz->kb_reserved_only,
				  lab_dmesg_types_string(dz->blocking_types, t, sizeof(t)));
		else
			lab_sb_printf(sb, "%s: free %lld kB clears the watermark, but the blocks of order >= %u (%llu kB) are only on %s lists",
				  zname(r, dz), (long long)(dz->free * ps), d->order,
				  (unsigned long long)dz->kb_reserved_only,
				  lab_dmesg_types_string(dz->blocking_types, t, sizeof(t)));
		break;
	}
	case LAB_ZONE_OK:
		lab_sb_printf(sb, "%s: free %lld kB > %lld kB and a usable block of order %d: this zone would have served the request",
			  zname(r, dz), (long long)(dz->free * ps), (long long)need_kb(d, dz),
			  dz->largest_usable_order);
		break;
	case LAB_ZONE_EMPTY:
		lab_sb_printf(sb, "%s: empty", zname(r, dz));
		break;
	default:
		lab_sb_printf(sb, "%s: %s", zname(r, dz), dz->why[0] ? dz->why : "numbers missing");
		break;
	}
}

static void add_advice(struct lab_diagnosis *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_advice(struct lab_diagnosis *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nr_advice >= LAB_DIAG_MAX_ADVICE)
		return;
	va_start(ap, fmt);
	vsnprintf(d->advice[d->nr_advice], sizeof(d->advice[0]), fmt, ap);
	va_end(ap);
	d->nr_advice++;
}

static int64_t div_up(int64_t a, int64_t b)
{
	return b > 0 ? (a + b - 1) / b : 0;
}

/*
 * The unboosted min of zone @z in pages. show_mem prints min with the
 * watermark boost included, and kernels before ~5.8 do not print boost: at
 * all. Since __setup_per_zone_wmarks makes low - min = max(min0/4, wsf
 * term) >= min0/4, the unboosted min0 is at most 4 * (low - min): a printed
 * min above that carries a hidden boost.
 */
int64_t lab_dmesg_zone_unboosted_min(const struct lab_dmesg_zone *z, unsigned page_kb)
{
	int64_t min = kb_to_pages(z->kb[LAB_ZF_MIN], page_kb);
	int64_t boost = (z->have & (1u << LAB_ZF_BOOST)) ? kb_to_pages(z->kb[LAB_ZF_BOOST], page_kb) : 0;
	int64_t m0 = min - boost;

	if (z->have & (1u << LAB_ZF_LOW)) {
		int64_t gap = kb_to_pages(z->kb[LAB_ZF_LOW], page_kb) - min;
		if (gap > 0 && 4 * gap + 3 < m0)
			m0 = 4 * gap + 3;
	}
	return m0 > 0 ? m0 : 0;
}

/*
 * For a LOW_MEMORY failure of a caller that cannot reclaim: how much wider
 * the window between the low watermark (where kswapd is woken) and this
 * caller's floor must get so that the same burst would have been absorbed,
 * expressed as vm.watermark_scale_factor and vm.min_free_kbytes. Mirrors
 * __setup_per_zone_wmarks: min0 = min_free_kbytes share of the zone,
 * gap = max(min0/4, managed * wsf / 10000), low = min + gap, all plus boost.
 */
static void headroom_advice(const struct lab_dmesg_report *r, struct lab_diagnosis *d,
			    const struct lab_diag_zone *dz)
{
	const struct lab_dmesg_zone *z = &r->zones[dz->zi];
	int64_t ps = d->page_kb, short_p, gap, managed, m0, boost, wsf_need, window, target;
	int64_t lo, hi, mfk_now = 0, lowmem_managed = 0, delta_mfk;
	bool wsf_dominates, mfk_known = d->highest_type >= 2;
	char wsf_now[80];

	if (!(z->have & (1u << LAB_ZF_LOW)) || !(z->have & (1u << LAB_ZF_MANAGED)) ||
	    z->kb[LAB_ZF_MANAGED] == 0)
		return;
	short_p = dz->mark + dz->reserve + dz->unusable - dz->free + 1;
	managed = kb_to_pages(z->kb[LAB_ZF_MANAGED], d->page_kb);
	m0 = lab_dmesg_zone_unboosted_min(z, d->page_kb);
	boost = dz->min - m0;
	gap = kb_to_pages(z->kb[LAB_ZF_LOW], d->page_kb) - dz->min;
	if (gap <= 0 || m0 <= 0 || short_p <= 0)
		return;
	wsf_dominates = gap > m0 / 4 + 1;
	if (wsf_dominates)
		snprintf(wsf_now, sizeof(wsf_now), "about %lld", (long long)((gap * 10000 + managed / 2) / managed));
	else
		snprintf(wsf_now, sizeof(wsf_now), "at most %lld, min_free_kbytes sets the gap",
			 (long long)(gap * 10000 / managed));
	wsf_need = div_up((gap + short_p) * 10000, managed);
	/* the same widening through min: window(m0) = m0 + boost + gap(m0) - floor */
	window = dz->min + gap - dz->mark;
	target = window + short_p;
	lo = m0;
	hi = m0 * 64 + 64;
	while (lo < hi) {
		int64_t m = lo + (hi - lo) / 2, g = m / 4;
		if (wsf_dominates && gap > g)
			g = gap;
		if (m + boost + g - reduce_mark(d, dz->unboosted ? m : m + boost) >= target)
			hi = m;
		else
			lo = m + 1;
	}
	for (int i = 0; i < r->nr_zones; i++) {
		const struct lab_dmesg_zone *o = &r->zones[i];
		int t = lab_dmesg_zone_type(o->name);
		if (t < 0 || t > 2 || o->node != z->node || !(o->have & (1u << LAB_ZF_MIN)) ||
		    !(o->have & (1u << LAB_ZF_MANAGED)))
			continue;
		mfk_now += lab_dmesg_zone_unboosted_min(o, d->page_kb) * ps;
		lowmem_managed += kb_to_pages(o->kb[LAB_ZF_MANAGED], d->page_kb);
	}
	/* the zone's min is mfk * managed / lowmem_managed (integer share) */
	delta_mfk = lowmem_managed > 0 ?
		    (int64_t)((double)(lo - m0) * (double)ps * (double)lowmem_managed / (double)managed + 0.999) : 0;
	{
		char mfk[160];
		if (mfk_known && mfk_now > 0)
			snprintf(mfk, sizeof(mfk), "vm.min_free_kbytes >= %lld (now about %lld)",
				 (long long)(mfk_now + delta_mfk), (long long)mfk_now);
		else
			snprintf(mfk, sizeof(mfk), "a vm.min_free_kbytes that raises this zone's min by %lld kB",
				 (long long)((lo - m0) * ps));
		char wsf[200];
		if (dkv(d) >= kv(4, 6, 0))
			snprintf(wsf, sizeof(wsf), "vm.watermark_scale_factor >= %lld (now %s; max 3000), or ",
				 (long long)wsf_need, wsf_now);
		else
			snprintf(wsf, sizeof(wsf), "(no vm.watermark_scale_factor before 4.6) ");
		add_advice(d,
			   "Give atomic bursts more room: kswapd is woken below low (%lld kB in %s) and this caller fails at %lld kB, "
			   "a window of %lld kB that the burst overran by at least %lld kB. To widen it by that much: "
			   "%s%s; add a margin, bursts vary. Both make kswapd start earlier and keep more memory free.",
			   (long long)(z->kb[LAB_ZF_LOW]), zname(r, dz), (long long)need_kb(d, dz),
			   (long long)(window * ps), (long long)(short_p * ps), wsf, mfk);
	}
	if (boost > 0 && !dz->unboosted)
		add_advice(d,
			   "%s's min (%lld kB) includes about %lld kB of watermark boost%s, raised after fragmentation events so that kswapd reclaims and compacts; "
			   "this kernel counted it against the atomic request too (from 5.8 order-0 atomic requests ignore it). "
			   "vm.watermark_boost_factor=0 turns boosting off if such failures follow fragmentation storms.",
			   zname(r, dz), (long long)(dz->min * ps), (long long)(boost * ps),
			   (z->have & (1u << LAB_ZF_BOOST)) ? "" : " (not printed by this kernel: low - min < min/4 gives it away)");
}

static void memory_use(const struct lab_dmesg_report *r, const struct lab_diagnosis *d, struct lab_sbuf *sb)
{
	int64_t ps = d->page_kb;
	bool any = false;
	struct { const char *name; int64_t v; } items[] = {
		{ "anon", r->sum_anon }, { "page cache", r->sum_file },
		{ "unreclaimable slab", r->sum_slab_unreclaimable },
		{ "reclaimable slab", r->sum_slab_reclaimable }, { "shmem", r->sum_shmem },
	};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (items[i].v < 0)
			continue;
		lab_sb_printf(sb, "%s%s %lld MB", any ? ", " : "", items[i].name,
			  (long long)(clampv(items[i].v) * ps / 1024));
		any = true;
	}
	if (!any)
		lab_sb_printf(sb, "(the Mem-Info summary does not say)");
}

/* LOW_MEMORY with no free page on the caller's lists (LAB_ZONE_NO_FREE):
 * no watermark or tunable would have found one. */
static void advice_no_free(const struct lab_dmesg_report *r, struct lab_diagnosis *d)
{
	char req[128], use[256];
	struct lab_sbuf sb = { use, sizeof(use), 0 };

	request_words(r, d, req, sizeof(req));
	memory_use(r, d, &sb);
	add_advice(d, "%s found no free page on the free lists it may use: the zone was out of memory, not fragmented "
		   "(an order-0 request takes any free page). Memory at the time: %s.", req, use);
	if (d->no_watermarks)
		add_advice(d, "The caller ignores watermarks (%s): it already had every reserve, so memory was exhausted below min. "
			   "Find the consumer; a larger min_free_kbytes keeps more back for exactly this caller.",
			   d->memalloc ? "__GFP_MEMALLOC" : "PF_MEMALLOC: kswapd or direct reclaim");
	else
		add_advice(d, "Find the consumer (anon: processes/tmpfs; unreclaimable slab: a kernel leak or cache), add memory or swap.");
}

static void advice_low(const struct lab_dmesg_report *r, struct lab_diagnosis *d,
		       const struct lab_diag_zone *dz)
{
	char req[128], use[256];
	struct lab_sbuf sb = { use, sizeof(use), 0 };
	bool protected_lower = false;
	int64_t prot_kb = 0;

	request_words(r, d, req, sizeof(req));
	memory_use(r, d, &sb);
	if (!d->can_block) {
		add_advice(d,
			   "%s cannot reclaim or compact: it can only take what kswapd kept above its watermark%s%s%s. "
			   "Allocate this buffer in process context (GFP_KERNEL), pre-allocate it (mempool, page_pool, a ring refilled from process context), "
			   "or make the path survive failure (__GFP_NOWARN, retry later).",
			   req, r->context != LAB_DMESG_CTX_PROCESS ? " (it ran in " : "",
			   r->context != LAB_DMESG_CTX_PROCESS ? lab_dmesg_context_name(r->context) : "",
			   r->context != LAB_DMESG_CTX_PROCESS ? ")" : "");
		headroom_advice(r, d, dz);
		if (r->sum_file > 0)
			add_advice(d, "Memory at the time: %s. Page cache is reclaimable, so memory was not exhausted; kswapd was just not fast enough for this burst.", use);
	} else {
		add_advice(d,
			   "%s may reclaim, and still found too little: memory was really used up%s. Memory at the time: %s. "
			   "Find the consumer (anon: processes/tmpfs; unreclaimable slab: a kernel leak or cache), add memory or swap; raising watermarks does not create memory.",
			   req, d->order > 3 ? " (order > 3 is costly: the kernel gives up after one reclaim/compaction pass without OOM-killing)" : "",
			   use);
	}
	for (int i = 0; i < d->nr_zones; i++)
		if (d->zones[i].outcome == LAB_ZONE_PROTECTED) {
			protected_lower = true;
			prot_kb += d->zones[i].free * d->page_kb;
		}
	if (protected_lower)
		add_advice(d, "Lower zones had %lld kB free but lowmem_reserve keeps it for requests that cannot use higher zones (GFP_DMA/GFP_DMA32): that is by design (vm.lowmem_reserve_ratio), rarely worth lowering.",
			   (long long)prot_kb);
	if (dz->largest_usable_order < 0 && dz->kb_reserved_only > 0)
		add_advice(d, "Even above the watermark this request would have failed: every free block of %s was on %s lists it may not use (%llu kB); see RESERVE_OR_MIGRATETYPE in docs/diagnose.md.",
			   zname(r, dz), (dz->blocking_types & LAB_DMESG_MT_H) ? "highatomic (H)" : "CMA/isolated",
			   (unsigned long long)dz->kb_reserved_only);
	if (dz->unusable_cma > 0)
		add_advice(d, "%lld kB of %s's free memory is CMA, which unmovable requests cannot use: count it out when sizing watermarks, or shrink the CMA area.",
			   (long long)(dz->unusable_cma * d->page_kb), zname(r, dz));
}

static void advice_frag(const struct lab_dmesg_report *r, struct lab_diagnosis *d,
			const struct lab_diag_zone *dz)
{
	char req[128];
	bool proactive = dkv(d) >= kv(5, 9, 0);

	request_words(r, d, req, sizeof(req));
	if (!d->can_block && dz->largest_order >= (int)d->order)
		add_advice(d,
			   "%s cannot compact or reclaim: it depends on blocks that happen to be free, and this kernel's watermark check refused the ones there were (below). "
			   "Pre-allocate the buffer at init, use a page pool/mempool, or build it from order-0 pages (scatter-gather, page_frag with smaller chunks).",
			   req);
	else if (!d->can_block)
		add_advice(d,
			   "%s cannot compact: an order-%u block (%llu kB) must already be free, and the largest was order %d. "
			   "Pre-allocate the buffer at init, use a page pool/mempool, or build it from order-0 pages (scatter-gather, page_frag with smaller chunks).",
			   req, d->order, (unsigned long long)order_kb(d, (int)d->order), dz->largest_order);
	else if (d->order > 3)
		add_advice(d,
			   "Order %u (%llu kB) is costly (> 3): the kernel tries compaction once and gives up without OOM-killing. "
			   "If the memory need not be physically contiguous use kvmalloc()/kvzalloc() (vmalloc fallback); otherwise lower the order or allocate once at boot/probe.",
			   d->order, (unsigned long long)order_kb(d, (int)d->order));
	else
		add_advice(d,
			   "Order %u retries reclaim and compaction hard; failing means compaction could not assemble a block: look at /proc/pagetypeinfo for unmovable pageblocks scattered through the zone.",
			   d->order);
	if (d->can_block && !d->io)
		add_advice(d, "%s has no __GFP_IO, so it could not compact at all (compaction needs __GFP_IO): only reclaim ran. Allocate this outside the no-I/O path (e.g. at probe or before suspend) with GFP_KERNEL.",
			   req);
	if (dz->loop_fail_order >= 0 && dz->kb_at_order == 0)
		add_advice(d,
			   "%s had no free block of order >= %u at all; this kernel (before 4.4) would also have wanted more than %lld pages free above order %d.",
			   zname(r, dz), d->order, (long long)dz->loop_min, dz->loop_fail_order);
	else if (dz->loop_fail_order >= 0)
		add_advice(d,
			   "Blocks of order >= %u existed (%llu kB), but this kernel (before 4.4) also demands that the pages free above each order o exceed min>>(o+1): "
			   "above order %d only %lld pages were free against %lld needed. Kernels from 4.4 need a single free block; "
			   "on this one, more free memory (vm.min_free_kbytes) helps only if it ends up in large blocks.",
			   d->order, (unsigned long long)dz->kb_at_order, dz->loop_fail_order,
			   (long long)(dz->loop_free > 0 ? dz->loop_free : 0), (long long)dz->loop_min);
	if (proactive)
		add_advice(d, "Keep high orders available: vm.compaction_proactiveness (default 20; 40-60 compacts in the background more eagerly), "
			   "and `echo 1 > /proc/sys/vm/compact_memory` compacts now. A larger vm.watermark_scale_factor keeps more memory free, which gives buddies more chances to merge.");
	else
		add_advice(d, "This kernel predates proactive compaction (5.9): run `echo 1 > /proc/sys/vm/compact_memory` (e.g. periodically), "
			   "and consider a lower vm.extfrag_threshold (default 500) so that compaction is preferred over reclaim for high orders.");
}

static void advice_reserve(const struct lab_dmesg_report *r, struct lab_diagnosis *d,
			   const struct lab_diag_zone *dz)
{
	const struct lab_dmesg_zone *z = &r->zones[dz->zi];
	char req[128];

	request_words(r, d, req, sizeof(req));
	if (dz->blocking_types & LAB_DMESG_MT_H) {
		char rha[64] = "";
		if (z->have & (1u << LAB_ZF_RESERVED_HIGHATOMIC))
			snprintf(rha, sizeof(rha), " (reserved_highatomic %llu kB)",
				 (unsigned long long)z->kb[LAB_ZF_RESERVED_HIGHATOMIC]);
		if (d->order == 0 && d->non_block && !d->order0_highatomic_fix)
			add_advice(d,
				   "The free memory sits in highatomic pageblocks (H)%s. Until the October 2024 fix \"mm/page_alloc: let GFP_ATOMIC order-0 allocs access highatomic reserves\" "
				   "(6.12; 6.1.116 in 6.1.y; check your stable/vendor tree for the backport) an order-0 atomic request could not take them at all, so this kernel (%s) failed with memory free. "
				   "Upgrade or backport the fix; the reserve itself was built by high-order atomic allocations (up to 1%% of the zone + one pageblock).",
				   rha, d->version[0] ? d->version : "version unknown");
		else
			add_advice(d,
				   "The blocks of order >= %u sit in highatomic pageblocks (H)%s, kept for high-order atomic allocations; %s may not use them. "
				   "The kernel gives them back only when reclaim makes no progress (unreserve_highatomic_pageblock). "
				   "Use a lower order or kvmalloc() for this buffer, and look for the high-order GFP_ATOMIC users (network drivers with large frames) that built the reserve.",
				   d->order, rha, req);
	}
	if (dz->blocking_types & LAB_DMESG_MT_C)
		add_advice(d,
			   "CMA is unusable for unmovable requests: the blocks of order >= %u are in CMA pageblocks (C), which only movable allocations may use. "
			   "Shrink the CMA area (cma= on the command line, or the reserved-memory node of the device tree) or make this allocation movable.",
			   d->order);
	if (dz->blocking_types & LAB_DMESG_MT_I)
		add_advice(d, "Some blocks are isolated (I): a CMA allocation or memory offlining was in progress; this failure may be transient.");
}

static void advice_undetermined(const struct lab_dmesg_report *r, struct lab_diagnosis *d)
{
	char req[128];
	int ok = -1;

	request_words(r, d, req, sizeof(req));
	for (int i = 0; i < d->nr_zones; i++)
		if (d->zones[i].outcome == LAB_ZONE_OK) {
			ok = i;
			break;
		}
	if (ok >= 0) {
		add_advice(d,
			   "Zone %s would have served this request in the snapshot: show_mem runs after the failure, so memory may have been freed in between "
			   "(a short burst), or the request was restricted (nodemask=%s, cpuset=%s, mems_allowed=%s, __GFP_THISNODE). "
			   "If it repeats, capture /proc/buddyinfo and /proc/zoneinfo at the time.",
			   zname(r, &d->zones[ok]), r->nodemask[0] ? r->nodemask : "?",
			   r->cpuset[0] ? r->cpuset : "?", r->mems_allowed[0] ? r->mems_allowed : "?");
		return;
	}
	if (r->has_order && r->has_mode) {
		if (d->order >= 4 && d->can_block)
			add_advice(d, "Likely (not proven): an order-%u %s failure after reclaim and compaction is usually FRAGMENTATION; use kvmalloc() or a lower order if contiguity is not needed.",
				   d->order, req);
		else if (!d->can_block && d->order == 0 && r->sum_free >= 0)
			add_advice(d, "Likely (not proven): an order-0 atomic failure is usually LOW_MEMORY, a burst below the min watermark; "
				   "the Mem-Info summary shows %lld pages (%lld MB) free in all shown zones%s.",
				   (long long)clampv(r->sum_free), (long long)(clampv(r->sum_free) * d->page_kb / 1024),
				   r->sum_free_pcp > 0 ? ", part of it on per-CPU lists" : "");
		else if (!d->can_block && d->order == 0)
			add_advice(d, "Likely (not proven): an order-0 atomic failure is usually LOW_MEMORY, a burst below the min watermark; the zone lines would show it.");
		else if (!d->can_block)
			add_advice(d, "Likely (not proven): an order-%u atomic failure is LOW_MEMORY or FRAGMENTATION; the buddy lines would tell which.",
				   d->order);
	}
	add_advice(d, "Capture the complete report: from the \"page allocation failure\" line through \"pages reserved\"/\"pages hwpoisoned\" "
		   "(dmesg, or journalctl -k; syslog may join lines with #012 and drop continuations).");
}

void lab_diagnose(const struct lab_dmesg_log *log, const struct lab_dmesg_report *r,
		  const char *kernel_override, struct lab_diagnosis *d)
{
	struct lab_sbuf sum = { d->summary, sizeof(d->summary), 0 };
	const struct lab_diag_zone *dz = NULL;
	bool any_ok = false;

	memset(d, 0, sizeof(*d));
	sum.buf = d->summary;
	d->deciding = -1;
	d->version_source = "none";
	d->order = r->has_order ? r->order : 0;
	d->page_kb = r->page_kb ? r->page_kb : 4;
	d->page_kb_assumed = r->page_kb == 0;
	lab_dmesg_describe_missing(r, d->missing, sizeof(d->missing));
	diagnose_pick_kernel(log, r, kernel_override, d);
	if (r->has_mode) {
		lab_gfp_format(d->decoded, sizeof(d->decoded), r->mode, d->era);
		d->decoded_matches = !r->names_printed || strcmp(d->decoded, r->names) == 0;
	} else {
		d->decoded_matches = true;
	}
	request_flags(r, d);
	d->highest_type = request_highest_type(r);
	if (r->has_mode && r->has_order)
		collect_zones(r, d);

	if (!r->has_mode || !r->has_order) {
		lab_sb_printf(&sum, "The failure line lacks %s: the request is unknown.",
			  !r->has_order ? "order:" : "mode:");
		advice_undetermined(r, d);
		return;
	}
	for (int i = 0; i < d->nr_zones; i++) {
		if (d->zones[i].outcome == LAB_ZONE_OK)
			any_ok = true;
		if (d->deciding < 0 && d->zones[i].outcome != LAB_ZONE_EMPTY)
			d->deciding = i;
	}
	if (d->nr_zones == 0) {
		if (r->nr_zones == 0)
			lab_sb_printf(&sum, "No zone lines in the report: %s",
				  r->has_meminfo ? "Mem-Info has only the summary." : "no Mem-Info block.");
		else
			lab_sb_printf(&sum, "None of the printed zones (%s) is one this request may use.", d->ineligible);
		advice_undetermined(r, d);
		return;
	}
	if (d->deciding < 0) {
		lab_sb_printf(&sum, "Every eligible zone is empty (present/managed 0): nothing to allocate from.");
		advice_undetermined(r, d);
		return;
	}
	dz = &d->zones[d->deciding];
	if (any_ok || dz->outcome == LAB_ZONE_UNKNOWN) {
		if (any_ok)
			lab_sb_printf(&sum, "The snapshot does not explain the failure: ");
		else
			lab_sb_printf(&sum, "Numbers missing: ");
		for (int i = 0; i < d->nr_zones; i++) {
			if (i)
				lab_sb_printf(&sum, "; ");
			zone_line(r, d, &d->zones[i], &sum);
		}
		lab_sb_printf(&sum, ".");
		advice_undetermined(r, d);
		return;
	}
	switch (dz->outcome) {
	case LAB_ZONE_LOW:
	case LAB_ZONE_PROTECTED:
	case LAB_ZONE_NO_FREE:
		d->verdict = LAB_VERDICT_LOW_MEMORY;
		break;
	case LAB_ZONE_FRAGMENTED:
		d->verdict = LAB_VERDICT_FRAGMENTATION;
		break;
	case LAB_ZONE_RESERVED:
		d->verdict = LAB_VERDICT_RESERVE_OR_MIGRATETYPE;
		break;
	default:
		break;
	}
	zone_line(r, d, dz, &sum);
	if (d->verdict == LAB_VERDICT_LOW_MEMORY && dz->outcome != LAB_ZONE_NO_FREE)
		lab_sb_printf(&sum, ": %lld kB short", (long long)(need_kb(d, dz) - dz->free * (int64_t)d->page_kb + d->page_kb));
	lab_sb_printf(&sum, ".");
	if (d->nr_zones > 1) {
		lab_sb_printf(&sum, " Fallback:");
		for (int i = 0; i < d->nr_zones; i++) {
			if (i == d->deciding)
				continue;
			lab_sb_printf(&sum, " ");
			zone_line(r, d, &d->zones[i], &sum);
			lab_sb_printf(&sum, ";");
		}
		size_t end = sum.len < sum.size ? sum.len : sum.size - 1;   /* cut text ends at size - 1 */
		if (end > 0 && d->summary[end - 1] == ';')
			d->summary[end - 1] = '.';
	}
	if (d->verdict == LAB_VERDICT_LOW_MEMORY && dz->outcome == LAB_ZONE_NO_FREE)
		advice_no_free(r, d);
	else if (d->verdict == LAB_VERDICT_LOW_MEMORY)
		advice_low(r, d, dz);
	else if (d->verdict == LAB_VERDICT_FRAGMENTATION)
		advice_frag(r, d, dz);
	else
		advice_reserve(r, d, dz);
}
