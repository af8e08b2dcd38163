/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_buddy.c - split, merge and list placement of the buddy
 * free lists (vectors K1-K8), on tiny exact zones.
 */
#include "util/fixture.h"
#include "core/internal.h"

/* One Normal zone of 64 pages at pfn 0x2000 (so K3's pfns are literal),
 * 8-page pageblocks, watermarks 0. */
static struct fixture *zone64(unsigned pb_order)
{
	return fixture_create(&(struct fixture_opts){ .pages = 64, .phys_base = 0x2000ull << 12,
						      .pageblock_order = pb_order });
}

static struct lab_zone *normal(struct fixture *f)
{
	return &f->mem->zones[LAB_ZONE_NORMAL];
}

/* K1/K2: the buddy is pfn ^ 2^order, the merged block starts at pfn & buddy. */
static void test_buddy_pfn_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(0x1000 ^ (1 << 0), 0x1001);
	assert_int_equal(0x1003 ^ (1 << 0), 0x1002);
	assert_int_equal(0x1004 ^ (1 << 2), 0x1000);
	assert_int_equal(0x1004 & 0x1000, 0x1000);
}

/* Initial freeing builds maximal aligned blocks: 64 pages = one order-6 block. */
static void test_buddy_initial_free_is_maximal(void **state)
{
	(void)state;
	struct fixture *f = zone64(3);
	struct lab_zone *z = normal(f);
	assert_int_equal(z->nr_free[6], 1);
	assert_int_equal(z->free_pages, 64);
	for (int o = 0; o < LAB_MAX_ORDER; o++)
		if (o != 6)
			assert_int_equal(z->nr_free[o], 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* K3: order 0 from an order-3 block at 0x2000 returns 0x2000 and frees
 * 0x2004 (order 2), 0x2002 (order 1), 0x2001 (order 0) at list heads. */
static void test_buddy_expand_places_upper_halves(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 8, .phys_base = 0x2000ull << 12 });
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	struct lab_zone *z = normal(f);
	assert_int_equal(lab_page_to_pfn(p), 0x2000);
	assert_int_equal(page_pfn(f->mem, &f->mem->pages[z->free_head[2][LAB_MIGRATE_UNMOVABLE]]), 0x2004);
	assert_int_equal(page_pfn(f->mem, &f->mem->pages[z->free_head[1][LAB_MIGRATE_UNMOVABLE]]), 0x2002);
	assert_int_equal(page_pfn(f->mem, &f->mem->pages[z->free_head[0][LAB_MIGRATE_UNMOVABLE]]), 0x2001);
	lab_free_pages(f->mem, p, 0);
	assert_int_equal(z->nr_free[3], 1);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* K4: freeing 0x2001 while 0x2000 is allocated and 0x2002 free at order 1:
 * no merge, and the page goes to the list tail (buddy_merge_likely). */
static void test_buddy_free_merge_likely_goes_to_tail(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 8, .phys_base = 0x2000ull << 12 });
	struct lab_zone *z = normal(f);
	struct lab_page *a = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);   /* 0x2000 */
	struct lab_page *b = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);   /* 0x2001 */
	assert_int_equal(lab_page_to_pfn(b), 0x2001);
	/* make the order-0 list non-empty with another page first */
	struct lab_page *c = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);   /* 0x2002, leaves 0x2003 free */
	assert_int_equal(lab_page_to_pfn(c), 0x2002);
	lab_free_pages(f->mem, c, 0);   /* merges back: 0x2002 order 1 */
	assert_int_equal(z->nr_free[1], 1);
	lab_free_pages(f->mem, b, 0);   /* 0x2001: buddy 0x2000 allocated */
	uint32_t tail = z->free_tail[0][LAB_MIGRATE_UNMOVABLE];
	assert_int_equal(page_pfn(f->mem, &f->mem->pages[tail]), 0x2001);
	lab_free_pages(f->mem, a, 0);
	assert_int_equal(z->nr_free[3], 1);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* K8: merging stops at order 10; two order-10 buddies stay apart. */
static void test_buddy_merge_stops_at_max_order(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 4096, .pageblock_order = 9,
								   .no_arena = 1 });
	struct lab_zone *z = normal(f);
	assert_int_equal(z->nr_free[10], 4);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* K5: at >= pageblock_order a Movable block does not merge with a free
 * buddy in a HighAtomic pageblock. */
static void test_buddy_no_merge_with_highatomic_pageblock(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 16, .pageblock_order = 3 });
	struct lab_zone *z = normal(f);
	struct lab_mem *m = f->mem;
	/* take both order-3 halves, mark the second pageblock HighAtomic */
	struct lab_page *a = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 3);
	struct lab_page *b = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 3);
	assert_non_null(a);
	assert_non_null(b);
	set_pageblock_migratetype(m, lab_page_to_pfn(b), LAB_MIGRATE_HIGHATOMIC);
	z->nr_reserved_highatomic = 8;
	lab_free_pages(m, b, 3);   /* goes to the HighAtomic list */
	lab_free_pages(m, a, 3);   /* Movable: must not merge */
	assert_int_equal(z->nr_free[3], 2);
	assert_int_equal(z->nr_free[4], 0);
	assert_int_equal(z->nr_free_mt[3][LAB_MIGRATE_HIGHATOMIC], 1);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* K6: a Movable order-3 (= pageblock) block merges with a free Unmovable
 * buddy block; the result goes on the Movable list (the freer's type). */
static void test_buddy_merge_mixed_mergeable_types_takes_freers_type(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 16, .pageblock_order = 3 });
	struct lab_zone *z = normal(f);
	struct lab_mem *m = f->mem;
	struct lab_page *a = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 3);
	struct lab_page *b = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 3);
	set_pageblock_migratetype(m, lab_page_to_pfn(b), LAB_MIGRATE_UNMOVABLE);
	lab_free_pages(m, b, 3);
	assert_int_equal(z->nr_free_mt[3][LAB_MIGRATE_UNMOVABLE], 1);
	lab_free_pages(m, a, 3);
	assert_int_equal(z->nr_free_mt[4][LAB_MIGRATE_MOVABLE], 1);
	assert_int_equal(z->nr_free[3], 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* The nonempty bitmap finds the smallest sufficient block in one step: an
 * order-1 request with free blocks at orders 0 and 4 splits the order-4 one. */
static void test_buddy_rmqueue_smallest_skips_smaller_orders(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 32 });
	struct lab_zone *z = normal(f);
	struct lab_mem *m = f->mem;
	/* leave one order-0 page free in the first half, and the second half (order 4) */
	struct lab_page *hold[15];
	for (int i = 0; i < 15; i++)
		hold[i] = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	assert_int_equal(z->nr_free[0], 1);
	assert_int_equal(z->nr_free[4], 1);
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_KERNEL, 1);
	assert_int_equal(lab_page_to_pfn(p), 16);
	assert_int_equal(z->nr_free[0], 1);
	lab_free_pages(m, p, 1);
	for (int i = 0; i < 15; i++)
		lab_free_pages(m, hold[i], 0);
	assert_int_equal(z->nr_free[5], 1);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddy_pfn_arithmetic),
		cmocka_unit_test(test_buddy_initial_free_is_maximal),
		cmocka_unit_test(test_buddy_expand_places_upper_halves),
		cmocka_unit_test(test_buddy_free_merge_likely_goes_to_tail),
		cmocka_unit_test(test_buddy_merge_stops_at_max_order),
		cmocka_unit_test(test_buddy_no_merge_with_highatomic_pageblock),
		cmocka_unit_test(test_buddy_merge_mixed_mergeable_types_takes_freers_type),
		cmocka_unit_test(test_buddy_rmqueue_smallest_skips_smaller_orders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
