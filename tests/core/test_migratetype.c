/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_migratetype.c - fallback order and stealing rules
 * (vectors L1-L8) on one- and two-pageblock zones (pageblock_order 9).
 */
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

static struct fixture *blocks(unsigned n)
{
	return fixture_create(&(struct fixture_opts){ .pages = 512ull * n, .pageblock_order = 9 });
}

/* Splits the whole zone into order-0 allocations of @gfp's type. */
static struct lab_page *split_all(struct fixture *f, lab_gfp_t gfp, size_t pages)
{
	struct lab_page *first = NULL;
	for (size_t done = 0; done < pages; done += 1024) {
		size_t n = pages - done < 1024 ? pages - done : 1024;
		void *va = lab_alloc_pages_exact(f->mem, n * 4096, gfp);
		assert_non_null(va);
		if (!first)
			first = lab_virt_to_page(va);
	}
	return first;
}

/* L1: U -> R, M; M -> R, U; R -> U, M. */
static void test_migratetype_fallback_order(void **state)
{
	(void)state;
	assert_int_equal(lab__fallbacks[LAB_MIGRATE_UNMOVABLE][0], LAB_MIGRATE_RECLAIMABLE);
	assert_int_equal(lab__fallbacks[LAB_MIGRATE_UNMOVABLE][1], LAB_MIGRATE_MOVABLE);
	assert_int_equal(lab__fallbacks[LAB_MIGRATE_MOVABLE][0], LAB_MIGRATE_RECLAIMABLE);
	assert_int_equal(lab__fallbacks[LAB_MIGRATE_MOVABLE][1], LAB_MIGRATE_UNMOVABLE);
	assert_int_equal(lab__fallbacks[LAB_MIGRATE_RECLAIMABLE][0], LAB_MIGRATE_UNMOVABLE);
	assert_int_equal(lab__fallbacks[LAB_MIGRATE_RECLAIMABLE][1], LAB_MIGRATE_MOVABLE);
}

/* L2: can_steal_fallback by the candidate block's order. */
static void test_migratetype_can_steal_fallback(void **state)
{
	(void)state;
	struct fixture *f = blocks(1);
	assert_false(lab__can_steal_fallback(f->mem, 0, LAB_MIGRATE_MOVABLE));
	assert_false(lab__can_steal_fallback(f->mem, 3, LAB_MIGRATE_MOVABLE));
	assert_true(lab__can_steal_fallback(f->mem, 4, LAB_MIGRATE_MOVABLE));
	assert_true(lab__can_steal_fallback(f->mem, 0, LAB_MIGRATE_UNMOVABLE));
	assert_true(lab__can_steal_fallback(f->mem, 0, LAB_MIGRATE_RECLAIMABLE));
	assert_true(lab__can_steal_fallback(f->mem, 9, LAB_MIGRATE_MOVABLE));
	fixture_destroy(f);
}

/* L3: a Movable order-0 request with Unmovable free blocks only at orders
 * 2 and 0 takes the order-0 block; only that buddy moves, the pageblock
 * stays Unmovable. */
static void test_migratetype_small_movable_takes_smallest_fallback(void **state)
{
	(void)state;
	struct fixture *f = blocks(2);
	struct lab_mem *m = f->mem;
	struct lab_page *p = split_all(f, LAB_GFP_KERNEL, 1024);
	set_pageblock_migratetype(m, 0, LAB_MIGRATE_UNMOVABLE);
	set_pageblock_migratetype(m, 512, LAB_MIGRATE_UNMOVABLE);
	for (int i = 4; i < 8; i++)
		lab_free_pages(m, p + i, 0);
	lab_free_pages(m, p + 9, 0);
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	assert_int_equal(z->nr_free_mt[2][LAB_MIGRATE_UNMOVABLE], 1);
	assert_int_equal(z->nr_free_mt[0][LAB_MIGRATE_UNMOVABLE], 1);
	struct lab_page *q = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(lab_page_to_pfn(q), 9);
	assert_int_equal(z->nr_free_mt[2][LAB_MIGRATE_UNMOVABLE], 1);
	assert_int_equal(get_pageblock_migratetype(m, 0), LAB_MIGRATE_UNMOVABLE);
	assert_int_equal(z->boost, 0);   /* zone below 4 pageblocks: no boost */
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* L3b/L8: a fallback block of order >= pageblock_order changes every
 * covered pageblock to the requester's type, without boost. */
static void test_migratetype_whole_block_changes_owner(void **state)
{
	(void)state;
	struct fixture *f = blocks(2);
	struct lab_mem *m = f->mem;
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(get_pageblock_migratetype(m, 0), LAB_MIGRATE_UNMOVABLE);
	assert_int_equal(get_pageblock_migratetype(m, 512), LAB_MIGRATE_UNMOVABLE);
	assert_int_equal(m->zones[LAB_ZONE_NORMAL].boost, 0);
	lab_free_pages(m, p, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* One Movable pageblock: pages [0, nfree) free, [nfree, nfree+nmov)
 * allocated movable, the rest allocated unmovable; then one order-0
 * request of @gfp. Returns the pageblock's type afterwards. */
static int steal_case(lab_gfp_t gfp, int block_type, unsigned nfree, unsigned nmov)
{
	struct fixture *f = blocks(1);
	struct lab_mem *m = f->mem;
	struct lab_page *p = split_all(f, LAB_GFP_HIGHUSER_MOVABLE, 512);
	set_pageblock_migratetype(m, 0, block_type);
	for (unsigned i = nfree + nmov; i < 512; i++)
		p[i].mt = LAB_MIGRATE_UNMOVABLE;   /* in use, not movable */
	for (unsigned i = 0; i < nfree; i++)
		lab_free_pages(m, p + i, 0);
	struct lab_page *q = lab_alloc_pages(m, gfp, 0);
	assert_non_null(q);
	assert_mem_ok(f);
	int t = get_pageblock_migratetype(m, 0);
	fixture_destroy(f);
	return t;
}

/* L4: Unmovable steals from Movable: 100 free + (512-100-300) alike < 256: stays Movable. */
static void test_migratetype_steal_keeps_block_below_half(void **state)
{
	(void)state;
	assert_int_equal(steal_case(LAB_GFP_KERNEL, LAB_MIGRATE_MOVABLE, 100, 300), LAB_MIGRATE_MOVABLE);
}

/* L5: 200 free + 262 alike >= 256: the pageblock becomes Unmovable. */
static void test_migratetype_steal_claims_block_at_half(void **state)
{
	(void)state;
	assert_int_equal(steal_case(LAB_GFP_KERNEL, LAB_MIGRATE_MOVABLE, 200, 50), LAB_MIGRATE_UNMOVABLE);
}

/* L6: a Movable request stealing an order-6 block from an Unmovable
 * pageblock with 100 free and 200 movable pages claims it (300 >= 256). */
static void test_migratetype_movable_claims_with_movable_alike(void **state)
{
	(void)state;
	assert_int_equal(steal_case(LAB_GFP_HIGHUSER_MOVABLE, LAB_MIGRATE_UNMOVABLE, 100, 200),
			 LAB_MIGRATE_MOVABLE);
}

/* L7: Unmovable stealing from Reclaimable: alike 0, 200 free < 256: stays Reclaimable. */
static void test_migratetype_unmovable_from_reclaimable_no_alike(void **state)
{
	(void)state;
	assert_int_equal(steal_case(LAB_GFP_KERNEL, LAB_MIGRATE_RECLAIMABLE, 200, 0), LAB_MIGRATE_RECLAIMABLE);
}

/* A fragmenting steal in a big enough zone boosts the watermark by a pageblock. */
static void test_migratetype_fragmenting_steal_boosts(void **state)
{
	(void)state;
	struct fixture *f = blocks(4);
	struct lab_mem *m = f->mem;
	struct lab_page *p = split_all(f, LAB_GFP_HIGHUSER_MOVABLE, 2048);
	for (unsigned i = 0; i < 16; i++)
		lab_free_pages(m, p + i, 0);
	struct lab_page *q = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	assert_non_null(q);
	assert_int_equal(m->zones[LAB_ZONE_NORMAL].boost, 512);
	struct lab_mem_stats s;
	lab_mem_get_stats(m, &s);
	assert_int_equal(s.events[LAB_EV_EXTFRAG], 1);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* page_group_by_mobility_disabled: every request is Unmovable. */
static void test_migratetype_grouping_disabled_all_unmovable(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .pageblock_order = 9,
		.flags = LAB_CFG_NO_MOBILITY_GROUPING });
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(p->mt, LAB_MIGRATE_UNMOVABLE);
	lab_free_pages(f->mem, p, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migratetype_fallback_order),
		cmocka_unit_test(test_migratetype_can_steal_fallback),
		cmocka_unit_test(test_migratetype_small_movable_takes_smallest_fallback),
		cmocka_unit_test(test_migratetype_whole_block_changes_owner),
		cmocka_unit_test(test_migratetype_steal_keeps_block_below_half),
		cmocka_unit_test(test_migratetype_steal_claims_block_at_half),
		cmocka_unit_test(test_migratetype_movable_claims_with_movable_alike),
		cmocka_unit_test(test_migratetype_unmovable_from_reclaimable_no_alike),
		cmocka_unit_test(test_migratetype_fragmenting_steal_boosts),
		cmocka_unit_test(test_migratetype_grouping_disabled_all_unmovable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
