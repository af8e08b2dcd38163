/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_restore.c - lab_mem_restore_zone rebuilds exactly the
 * free lists, watermarks and reserves it is given, keeps every invariant,
 * and a request the snapshot cannot serve fails the way the kernel's did.
 */
#include <stdlib.h>
#include <string.h>
#include "util/fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_zone_reproduces_lists_and_marks),
		cmocka_unit_test(test_restore_zone_all_but_one_page_free),
		cmocka_unit_test(test_restore_zone_too_many_blocks_refused),
		cmocka_unit_test(test_restore_zone_fragmented_snapshot_fails_high_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
