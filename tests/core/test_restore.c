/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_restore.c - lab_mem_restore_zone rebuilds exactly the
 * free lists, pageblock types, watermarks and reserves it is given, keeps
 * every invariant, and a request the snapshot cannot serve fails the way
 * the kernel's did. lab_mem_restore_zone_parts restores only the parts
 * asked for, under the zone lock, and refuses what it cannot honour with
 * the zone unchanged.
 */
#include <stdlib.h>
#include <string.h>
#include "util/fixture.h"
#include "core/internal.h"   /* each free block's list type against its pageblock */

static struct fixture *zone64m(void)
{
	return fixture_create(&(struct fixture_opts){ .pages = 16384, .pageblock_order = 9, .no_arena = 1 });
}

/* The restored zone reports exactly the wanted lists, marks and reserve. */
static void test_restore_zone_reproduces_lists_and_marks(void **state)
{
	(void)state;
	struct fixture *f = zone64m();
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_free_mt[0][LAB_MIGRATE_UNMOVABLE] = 5;
	want.nr_free_mt[0][LAB_MIGRATE_MOVABLE] = 7;
	want.nr_free_mt[1][LAB_MIGRATE_MOVABLE] = 3;
	want.nr_free_mt[3][LAB_MIGRATE_HIGHATOMIC] = 2;
	want.nr_free_mt[9][LAB_MIGRATE_MOVABLE] = 1;
	want.nr_free_mt[10][LAB_MIGRATE_UNMOVABLE] = 1;
	want.wmark[LAB_WMARK_MIN] = 100;
	want.wmark[LAB_WMARK_LOW] = 125;
	want.wmark[LAB_WMARK_HIGH] = 150;
	want.boost = 512;
	want.lowmem_reserve[3] = 7;
	want.nr_reserved_highatomic = 1024;
	assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want), 0);
	struct lab_mem_stats *s = malloc(sizeof(*s));
	lab_mem_get_stats(f->mem, s);
	const struct lab_zone_stats *z = &s->zone[LAB_ZONE_NORMAL];
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			assert_int_equal(z->nr_free_mt[o][mt], want.nr_free_mt[o][mt]);
	assert_int_equal(z->free, 5 + 7 + 6 + 16 + 512 + 1024);
	assert_int_equal(z->wmark[LAB_WMARK_MIN], 100);
	assert_int_equal(z->wmark[LAB_WMARK_HIGH], 150);
	assert_int_equal(z->boost, 512);
	assert_int_equal(z->lowmem_reserve[3], 7);
	assert_int_equal(z->nr_reserved_highatomic, 1024);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_HIGHATOMIC], 2);
	free(s);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* All but one page free: fifteen top-order blocks side by side (the top
 * order never merges) and one block of every lower order packed into the
 * last 1024 pages, with no two free buddies meeting. */
static void test_restore_zone_all_but_one_page_free(void **state)
{
	(void)state;
	struct fixture *f = zone64m();
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_free_mt[LAB_MAX_ORDER - 1][LAB_MIGRATE_MOVABLE] = 15;
	for (int o = 0; o < LAB_MAX_ORDER - 1; o++)
		want.nr_free_mt[o][o & 1 ? LAB_MIGRATE_MOVABLE : LAB_MIGRATE_UNMOVABLE] = 1;
	assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want), 0);
	struct lab_mem_stats *s = malloc(sizeof(*s));
	lab_mem_get_stats(f->mem, s);
	const struct lab_zone_stats *z = &s->zone[LAB_ZONE_NORMAL];
	assert_int_equal(z->managed, 16384);
	assert_int_equal(z->free, 16383);
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			assert_int_equal(z->nr_free_mt[o][mt], want.nr_free_mt[o][mt]);
	free(s);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Blocks that cannot fit are refused with LAB_ENOMEM; the state stays consistent. */
static void test_restore_zone_too_many_blocks_refused(void **state)
{
	(void)state;
	struct fixture *f = zone64m();
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_free_mt[10][LAB_MIGRATE_MOVABLE] = 100;
	assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want), LAB_ENOMEM);
	assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_DMA, &want), LAB_EINVAL);   /* unpopulated */
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* A snapshot with only order-0 and order-1 blocks: an order-3 GFP_ATOMIC
 * request fails (fragmentation) while order 0 is served, as in a report. */
static void test_restore_zone_fragmented_snapshot_fails_high_order(void **state)
{
	(void)state;
	struct fixture *f = zone64m();
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_free_mt[0][LAB_MIGRATE_UNMOVABLE] = 1000;
	want.nr_free_mt[1][LAB_MIGRATE_MOVABLE] = 500;
	want.wmark[LAB_WMARK_MIN] = 64;
	want.wmark[LAB_WMARK_LOW] = 80;
	want.wmark[LAB_WMARK_HIGH] = 96;
	assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want), 0);
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3));
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 0);
	assert_non_null(p);
	lab_free_pages(f->mem, p, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* An instance of @pages pages (pageblock order 9, metadata only) with zone
 * lock hooks that count, and optionally one CMA area. */
struct locked {
	struct lab_mem *mem;
	void *meta;
	struct lab_platform plat;
	int depth[LAB_MAX_NR_ZONES], taken[LAB_MAX_NR_ZONES], unbalanced;
};

static void lk_lock(void *ctx, unsigned zone, unsigned long *flags)
{
	struct locked *l = ctx;
	*flags = 0;
	l->unbalanced |= l->depth[zone]++ != 0;
	l->taken[zone]++;
}

static void lk_unlock(void *ctx, unsigned zone, unsigned long flags)
{
	struct locked *l = ctx;
	(void)flags;
	l->unbalanced |= --l->depth[zone] != 0;
}

static struct locked *locked_create(uint64_t pages, const struct lab_range *cma)
{
	struct locked *l = calloc(1, sizeof(*l));
	struct lab_range one = { 0, pages << LAB_PAGE_SHIFT };
	l->plat = (struct lab_platform){ .ctx = l, .zone_lock = lk_lock, .zone_unlock = lk_unlock };
	struct lab_mem_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ranges = &one;
	cfg.nr_ranges = 1;
	cfg.pageblock_order = 9;
	cfg.flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32;
	cfg.platform = &l->plat;
	cfg.cma = cma;
	cfg.nr_cma = cma ? 1 : 0;
	cfg.metadata_bytes = lab_mem_metadata_bytes(&cfg);
	l->meta = aligned_alloc(64, (cfg.metadata_bytes + 63) & ~(size_t)63);
	cfg.metadata = l->meta;
	int err = 0;
	l->mem = lab_mem_init(&cfg, &err);
	assert_non_null(l->mem);
	return l;
}

static void locked_destroy(struct locked *l)
{
	lab_mem_fini(l->mem);
	free(l->meta);
	free(l);
}

static struct lab_zone_stats *stats_of(struct lab_mem *mem)
{
	static struct lab_mem_stats s;
	lab_mem_get_stats(mem, &s);
	return &s.zone[LAB_ZONE_NORMAL];
}

/* Pageblock counts are restored exactly (the rest Movable), the reserve is
 * the HighAtomic pageblocks, and every free block lies in a pageblock of
 * its own type where that type has room. */
static void test_restore_zone_pageblock_counts_hold_their_free_blocks(void **state)
{
	(void)state;
	struct fixture *f = zone64m();   /* 32 pageblocks of 512 */
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_blocks_mt[LAB_MIGRATE_UNMOVABLE] = 5;
	want.nr_blocks_mt[LAB_MIGRATE_RECLAIMABLE] = 2;
	want.nr_blocks_mt[LAB_MIGRATE_HIGHATOMIC] = 1;
	want.nr_blocks_mt[LAB_MIGRATE_MOVABLE] = 20;      /* 4 left over: Movable too */
	want.nr_reserved_highatomic = 512;
	want.nr_free_mt[0][LAB_MIGRATE_UNMOVABLE] = 40;
	want.nr_free_mt[3][LAB_MIGRATE_RECLAIMABLE] = 10;
	want.nr_free_mt[2][LAB_MIGRATE_HIGHATOMIC] = 4;
	want.nr_free_mt[9][LAB_MIGRATE_MOVABLE] = 3;
	want.nr_free_mt[10][LAB_MIGRATE_MOVABLE] = 2;
	want.nr_free_mt[4][LAB_MIGRATE_MOVABLE] = 7;
	assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want), 0);
	const struct lab_zone_stats *z = stats_of(f->mem);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_UNMOVABLE], 5);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_RECLAIMABLE], 2);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_HIGHATOMIC], 1);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_MOVABLE], 24);
	assert_int_equal(z->nr_reserved_highatomic, 512);
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		for (int mt = 0; mt < LAB_MIGRATE_TYPES; mt++)
			assert_int_equal(z->nr_free_mt[o][mt], want.nr_free_mt[o][mt]);
	/* each free block's list type is its pageblock's type */
	for (uint64_t pfn = 0; pfn < 16384;) {
		const struct lab_page *p = pfn_page(f->mem, pfn);
		if (p->flags & LAB_PG_BUDDY) {
			assert_int_equal(p->mt, get_pageblock_migratetype(f->mem, pfn));
			pfn += 1ull << p->order;
		} else {
			pfn++;
		}
	}
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Pageblock types by position are taken as given, the reserve follows. */
static void test_restore_zone_pageblock_positions_taken_as_given(void **state)
{
	(void)state;
	struct fixture *f = zone64m();
	uint8_t types[32];
	for (int k = 0; k < 32; k++)
		types[k] = k % 4 == 0 ? LAB_MIGRATE_UNMOVABLE : k == 7 || k == 9 ? LAB_MIGRATE_HIGHATOMIC : LAB_MIGRATE_MOVABLE;
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_free_mt[0][LAB_MIGRATE_UNMOVABLE] = 3;
	want.nr_free_mt[5][LAB_MIGRATE_MOVABLE] = 2;
	struct lab_zone_restore r = { .parts = LAB_RESTORE_FREE | LAB_RESTORE_PAGEBLOCKS, .want = &want,
				      .pageblock_mt = types, .nr_pageblock_mt = 32 };
	assert_int_equal(lab_mem_restore_zone_parts(f->mem, LAB_ZONE_NORMAL, &r), 0);
	for (int k = 0; k < 32; k++)
		assert_int_equal(get_pageblock_migratetype(f->mem, (uint64_t)k << 9), types[k]);
	const struct lab_zone_stats *z = stats_of(f->mem);
	assert_int_equal(z->nr_reserved_highatomic, 1024);
	assert_int_equal(z->nr_free_mt[0][LAB_MIGRATE_UNMOVABLE], 3);
	assert_int_equal(z->nr_free_mt[5][LAB_MIGRATE_MOVABLE], 2);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Watermarks and lowmem_reserve alone, on a live instance: taken under the
 * zone lock (hooks balanced), free lists, pageblocks and reserve untouched. */
static void test_restore_zone_marks_only_on_live_instance_under_lock(void **state)
{
	(void)state;
	struct locked *l = locked_create(16384, NULL);
	struct lab_page *held[64];
	for (int i = 0; i < 64; i++)
		assert_non_null(held[i] = lab_alloc_pages(l->mem, LAB_GFP_KERNEL, (unsigned)(i % 4)));
	struct lab_zone_stats before = *stats_of(l->mem);
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.wmark[LAB_WMARK_MIN] = 300;
	want.wmark[LAB_WMARK_LOW] = 375;
	want.wmark[LAB_WMARK_HIGH] = 450;
	want.lowmem_reserve[LAB_ZONE_MOVABLE] = 9;
	want.nr_free_mt[3][LAB_MIGRATE_MOVABLE] = 1000;   /* not asked for: ignored */
	int taken = l->taken[LAB_ZONE_NORMAL];
	struct lab_zone_restore r = { .parts = LAB_RESTORE_WATERMARKS | LAB_RESTORE_LOWMEM, .want = &want };
	assert_int_equal(lab_mem_restore_zone_parts(l->mem, LAB_ZONE_NORMAL, &r), 0);
	assert_true(l->taken[LAB_ZONE_NORMAL] > taken);
	assert_false(l->unbalanced);
	const struct lab_zone_stats *z = stats_of(l->mem);
	assert_int_equal(z->wmark[LAB_WMARK_MIN], 300);
	assert_int_equal(z->wmark[LAB_WMARK_LOW], 375);
	assert_int_equal(z->wmark[LAB_WMARK_HIGH], 450);
	assert_int_equal(z->boost, 0);
	assert_int_equal(z->lowmem_reserve[LAB_ZONE_MOVABLE], 9);
	assert_int_equal(z->free, before.free);
	assert_memory_equal(z->nr_free_mt, before.nr_free_mt, sizeof(before.nr_free_mt));
	assert_memory_equal(z->nr_blocks_mt, before.nr_blocks_mt, sizeof(before.nr_blocks_mt));
	assert_int_equal(z->nr_reserved_highatomic, before.nr_reserved_highatomic);
	for (int i = 0; i < 64; i++)
		lab_free_pages(l->mem, held[i], (unsigned)(i % 4));
	assert_int_equal(lab_mem_check(l->mem), 0);
	/* the whole rebuild takes the lock too */
	memset(&want, 0, sizeof(want));
	want.nr_free_mt[2][LAB_MIGRATE_MOVABLE] = 5;
	want.nr_blocks_mt[LAB_MIGRATE_MOVABLE] = 32;
	taken = l->taken[LAB_ZONE_NORMAL];
	assert_int_equal(lab_mem_restore_zone(l->mem, LAB_ZONE_NORMAL, &want), 0);
	assert_true(l->taken[LAB_ZONE_NORMAL] > taken);
	assert_false(l->unbalanced);
	assert_int_equal(lab_mem_check(l->mem), 0);
	locked_destroy(l);
}

/* One refused request: @rc, nothing of the zone changed, invariants hold. */
static void assert_refused(struct lab_mem *mem, unsigned zone, const struct lab_zone_restore *r, int rc)
{
	struct lab_zone_stats before = *stats_of(mem);
	assert_int_equal(lab_mem_restore_zone_parts(mem, zone, r), rc);
	const struct lab_zone_stats *z = stats_of(mem);
	assert_memory_equal(z->nr_free_mt, before.nr_free_mt, sizeof(before.nr_free_mt));
	assert_memory_equal(z->nr_blocks_mt, before.nr_blocks_mt, sizeof(before.nr_blocks_mt));
	assert_memory_equal(z->wmark, before.wmark, sizeof(before.wmark));
	assert_int_equal(z->nr_reserved_highatomic, before.nr_reserved_highatomic);
	assert_int_equal(lab_mem_check(mem), 0);
}

/* What cannot be honoured is LAB_EINVAL with the zone unchanged: a zone
 * index out of range, unknown parts, more pageblocks than the zone has,
 * Isolate, CMA pageblocks where no CMA area is, HighAtomic pageblocks
 * where no reserve may lie, a reserve that disagrees with them, a
 * position list of the wrong length, Isolate free blocks. */
static void test_restore_zone_bad_input_refused_unchanged(void **state)
{
	(void)state;
	struct lab_range cma = { 8ull << (9 + LAB_PAGE_SHIFT), 2ull << (9 + LAB_PAGE_SHIFT) };  /* pageblocks 8, 9 */
	struct locked *l = locked_create(16384 - 100, &cma);   /* last pageblock partial */
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.wmark[LAB_WMARK_MIN] = 77;
	struct lab_zone_restore r = { .parts = LAB_RESTORE_ALL, .want = &want };
	assert_int_equal(lab_mem_restore_zone(l->mem, LAB_MAX_NR_ZONES, &want), LAB_EINVAL);
	assert_refused(l->mem, LAB_MAX_NR_ZONES, &r, LAB_EINVAL);
	assert_refused(l->mem, 1000, &r, LAB_EINVAL);
	r.parts = LAB_RESTORE_ALL << 1;
	assert_refused(l->mem, LAB_ZONE_NORMAL, &r, LAB_EINVAL);
	r.parts = LAB_RESTORE_ALL;
	want.nr_blocks_mt[LAB_MIGRATE_CMA] = 2;
	want.nr_blocks_mt[LAB_MIGRATE_MOVABLE] = 31;               /* 33 > 32 pageblocks */
	assert_refused(l->mem, LAB_ZONE_NORMAL, &r, LAB_EINVAL);
	want.nr_blocks_mt[LAB_MIGRATE_MOVABLE] = 29;
	want.nr_blocks_mt[LAB_MIGRATE_ISOLATE] = 1;
	assert_refused(l->mem, LAB_ZONE_NORMAL, &r, LAB_EINVAL);
	want.nr_blocks_mt[LAB_MIGRATE_ISOLATE] = 0;
	want.nr_blocks_mt[LAB_MIGRATE_CMA] = 3;                    /* the areas hold 2 */
	assert_refused(l->mem, LAB_ZONE_NORMAL, &r, LAB_EINVAL);
	want.nr_blocks_mt[LAB_MIGRATE_CMA] = 2;
	want.nr_blocks_mt[LAB_MIGRATE_MOVABLE] = 0;
	want.nr_blocks_mt[LAB_MIGRATE_HIGHATOMIC] = 30;            /* 29 whole non-CMA pageblocks */
	want.nr_reserved_highatomic = 30 * 512;
	assert_refused(l->mem, LAB_ZONE_NORMAL, &r, LAB_EINVAL);
	want.nr_blocks_mt[LAB_MIGRATE_HIGHATOMIC] = 2;
	want.nr_reserved_highatomic = 512;                          /* disagrees with 2 */
	assert_refused(l->mem, LAB_ZONE_NORMAL, &r, LAB_EINVAL);
	want.nr_reserved_highatomic = 1024;
	want.nr_free_mt[1][LAB_MIGRATE_ISOLATE] = 1;
	assert_refused(l->mem, LAB_ZONE_NORMAL, &r, LAB_EINVAL);
	want.nr_free_mt[1][LAB_MIGRATE_ISOLATE] = 0;
	uint8_t types[32];
	memset(types, LAB_MIGRATE_MOVABLE, sizeof(types));
	types[8] = types[9] = LAB_MIGRATE_CMA;
	struct lab_zone_restore pos = { .parts = LAB_RESTORE_PAGEBLOCKS, .want = &want, .pageblock_mt = types,
					.nr_pageblock_mt = 31 };
	assert_refused(l->mem, LAB_ZONE_NORMAL, &pos, LAB_EINVAL);  /* 31 of 32 */
	pos.nr_pageblock_mt = 32;
	types[9] = LAB_MIGRATE_MOVABLE;                              /* a CMA pageblock made Movable */
	assert_refused(l->mem, LAB_ZONE_NORMAL, &pos, LAB_EINVAL);
	types[9] = LAB_MIGRATE_CMA;
	types[31] = LAB_MIGRATE_HIGHATOMIC;                          /* partial: no reserve there */
	assert_refused(l->mem, LAB_ZONE_NORMAL, &pos, LAB_EINVAL);
	types[31] = LAB_MIGRATE_MOVABLE;
	types[3] = LAB_MIGRATE_CMA;                                  /* CMA outside the areas */
	assert_refused(l->mem, LAB_ZONE_NORMAL, &pos, LAB_EINVAL);
	types[3] = LAB_MIGRATE_MOVABLE;
	/* the request made right is served, CMA blocks in the CMA pageblocks */
	want.nr_free_mt[4][LAB_MIGRATE_CMA] = 20;
	want.nr_free_mt[0][LAB_MIGRATE_HIGHATOMIC] = 3;
	assert_int_equal(lab_mem_restore_zone_parts(l->mem, LAB_ZONE_NORMAL, &r), 0);
	const struct lab_zone_stats *z = stats_of(l->mem);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_CMA], 2);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_HIGHATOMIC], 2);
	assert_int_equal(z->nr_blocks_mt[LAB_MIGRATE_MOVABLE], 28);
	assert_int_equal(z->free_cma, 20 * 16);
	assert_int_equal(z->wmark[LAB_WMARK_MIN], 77);
	assert_int_equal(lab_mem_check(l->mem), 0);
	locked_destroy(l);
}

/* Blocks that do not fit in the zone's pages are LAB_ENOMEM, pageblock
 * types and reserve stay consistent; CMA blocks beyond the CMA pageblocks
 * do not spill elsewhere. */
static void test_restore_zone_blocks_that_do_not_fit_refused(void **state)
{
	(void)state;
	struct lab_range cma = { 0, 1ull << (9 + LAB_PAGE_SHIFT) };
	struct locked *l = locked_create(16384, &cma);
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_blocks_mt[LAB_MIGRATE_CMA] = 1;
	want.nr_blocks_mt[LAB_MIGRATE_MOVABLE] = 31;
	want.nr_free_mt[9][LAB_MIGRATE_CMA] = 2;                   /* one CMA pageblock */
	assert_int_equal(lab_mem_restore_zone(l->mem, LAB_ZONE_NORMAL, &want), LAB_ENOMEM);
	assert_int_equal(stats_of(l->mem)->nr_free_mt[9][LAB_MIGRATE_CMA], 1);
	assert_int_equal(lab_mem_check(l->mem), 0);
	want.nr_free_mt[9][LAB_MIGRATE_CMA] = 0;
	want.nr_free_mt[10][LAB_MIGRATE_MOVABLE] = 16;             /* 16 * 1024 > 31 * 512 */
	assert_int_equal(lab_mem_restore_zone(l->mem, LAB_ZONE_NORMAL, &want), LAB_ENOMEM);
	assert_int_equal(lab_mem_check(l->mem), 0);
	locked_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_zone_reproduces_lists_and_marks),
		cmocka_unit_test(test_restore_zone_all_but_one_page_free),
		cmocka_unit_test(test_restore_zone_too_many_blocks_refused),
		cmocka_unit_test(test_restore_zone_fragmented_snapshot_fails_high_order),
		cmocka_unit_test(test_restore_zone_pageblock_counts_hold_their_free_blocks),
		cmocka_unit_test(test_restore_zone_pageblock_positions_taken_as_given),
		cmocka_unit_test(test_restore_zone_marks_only_on_live_instance_under_lock),
		cmocka_unit_test(test_restore_zone_bad_input_refused_unchanged),
		cmocka_unit_test(test_restore_zone_blocks_that_do_not_fit_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
