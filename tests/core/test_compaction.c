/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_compaction.c - compaction: order-9 allocations that only
 * compaction can satisfy, owners seeing every migration with contents
 * intact, suitability and deferral vectors (N1-N7), and Gorman's
 * anti-fragmentation measurement with a fixed seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include "util/fixture.h"
#include "util/owner.h"
#include "util/experiments.h"
#include "core/internal.h"

/* 4096 pages (8 pageblocks), Normal only, default min_free_kbytes. */
static struct fixture *zone16m(unsigned flags)
{
	return fixture_create(&(struct fixture_opts){ .pages = 4096, .pageblock_order = 9,
						      .min_free_kbytes = -1, .flags = flags });
}

/* Fill with owned anon pages, then free every other one: free memory is
 * plentiful but no free block is larger than order 0. */
static void checkerboard(struct fixture *f, struct test_owner *o)
{
	int s;
	while ((s = test_owner_add(o, LAB_GFP_HIGHUSER_MOVABLE)) >= 0)
		;
	for (unsigned i = 0; i < o->cap; i += 2)
		test_owner_remove(o, (int)i);
	lab_drain_all_pages(f->mem);
}

/* An order-9 request that cannot compact (GFP_NOIO) fails; GFP_KERNEL
 * compacts and succeeds; the owner saw the migrations and every byte of
 * every page survived them. */
static void test_compaction_order9_only_with_compaction(void **state)
{
	(void)state;
	struct fixture *f = zone16m(0);
	struct test_owner o;
	test_owner_init(&o, f->mem, 4096, LAB_LRU_ANON);
	checkerboard(f, &o);
	assert_true(fixture_zone_free(f, LAB_ZONE_NORMAL) > 1800);
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_NOIO | LAB___GFP_NOWARN, 9));
	assert_int_equal(o.migrations, 0);
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 9);
	assert_non_null(p);
	assert_true(o.migrations >= 256);
	assert_int_equal(test_owner_verify(&o), 0);
	struct lab_mem_stats s;
	lab_mem_get_stats(f->mem, &s);
	assert_true(s.events[LAB_COMPACT_STALL] >= 1);
	assert_true(s.events[LAB_COMPACT_SUCCESS] >= 1);
	assert_int_equal(s.events[LAB_PGMIGRATE_SUCCESS], o.migrations);
	lab_free_pages(f->mem, p, 9);
	assert_mem_ok(f);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* compact_memory rebuilds maximal blocks from a checkerboard. */
static void test_compaction_compact_memory_rebuilds_blocks(void **state)
{
	(void)state;
	struct fixture *f = zone16m(0);
	struct test_owner o;
	test_owner_init(&o, f->mem, 4096, LAB_LRU_ANON);
	checkerboard(f, &o);
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	assert_int_equal(z->nr_free[9] + z->nr_free[10], 0);
	unsigned long moved = lab_compact_memory(f->mem);
	assert_true(moved >= 700);   /* the lower half empties into the upper half */
	assert_true(z->nr_free[9] + 2 * z->nr_free[10] >= 3);
	assert_int_equal(test_owner_verify(&o), 0);
	assert_mem_ok(f);
	test_owner_fini(&o);
	fixture_destroy(f);
}

/* A busy owner (isolate refuses) blocks migration: nothing moves, nothing is lost. */
static void test_compaction_busy_owner_not_migrated(void **state)
{
	(void)state;
	struct fixture *f = zone16m(0);
	struct test_owner o;
	test_owner_init(&o, f->mem, 4096, LAB_LRU_ANON);
	checkerboard(f, &o);
	o.busy = 1;
	assert_int_equal(lab_compact_memory(f->mem), 0);
	assert_true(o.putbacks > 0);
	assert_int_equal(o.migrations, 0);
	o.busy = 0;
	assert_mem_ok(f);
	test_owner_fini(&o);
	fixture_destroy(f);
}

/* N1: compact_gap(order) = 2 << order. */
static void test_compaction_gap_vectors(void **state)
{
	(void)state;
	assert_int_equal(lab__compact_gap(0), 2);
	assert_int_equal(lab__compact_gap(3), 16);
	assert_int_equal(lab__compact_gap(9), 1024);
	assert_int_equal(lab__compact_gap(10), 2048);
}

/* N7/N8: after k failures 2^k - 1 attempts are skipped, capped at 63; orders
 * below compact_order_failed are never deferred. */
static void test_compaction_deferral_vectors(void **state)
{
	(void)state;
	struct lab_zone z;
	memset(&z, 0, sizeof(z));
	z.compact_order_failed = LAB_MAX_ORDER;
	lab__defer_compaction(&z, 9);
	assert_true(lab__compaction_deferred(&z, 9));
	assert_false(lab__compaction_deferred(&z, 9));
	lab__defer_compaction(&z, 9);
	int skipped = 0;
	while (lab__compaction_deferred(&z, 9))
		skipped++;
	assert_int_equal(skipped, 3);
	for (int i = 0; i < 10; i++)
		lab__defer_compaction(&z, 9);
	assert_int_equal(z.compact_defer_shift, 6);
	skipped = 0;
	while (lab__compaction_deferred(&z, 9))
		skipped++;
	assert_int_equal(skipped, 63);
	assert_false(lab__compaction_deferred(&z, 8));   /* N8 */
	lab__compaction_defer_reset(&z, 9, true);
	assert_int_equal(z.compact_defer_shift, 0);
	assert_int_equal(z.compact_order_failed, 10);
}

/* N2/N3/N4: suitability needs free above the mark + gap, and for costly
 * orders a fragmentation index above extfrag_threshold. */
static void test_compaction_suitable_gates(void **state)
{
	(void)state;
	struct fixture *f = zone16m(0);
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	/* all memory free in big blocks: order 9 is available -> SUCCESS */
	assert_int_equal(lab__compaction_suitable(f->mem, z, 9, ALLOC_WMARK_MIN, 2), COMPACT_SUCCESS);
	/* take everything but 500 pages: below low + 1024 -> SKIPPED */
	struct lab_page *big[8];
	int n = 0;
	while (n < 7 && (big[n] = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 9)))
		n++;
	struct lab_page *rest = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 8);
	assert_int_equal(lab__compaction_suitable(f->mem, z, 9, ALLOC_WMARK_MIN, 2), COMPACT_SKIPPED);
	assert_int_equal(lab__compaction_suitable(f->mem, z, -1, ALLOC_WMARK_MIN, 2), COMPACT_CONTINUE);
	if (rest)
		lab_free_pages(f->mem, rest, 8);
	for (int i = 0; i < n; i++)
		lab_free_pages(f->mem, big[i], 9);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Mobility grouping + compaction yields more order-9 blocks than no grouping
 * (Gorman's measurement, tests/util/experiments.c; contents intact, no
 * invariant broken). */
static void test_compaction_gorman_grouping_beats_no_grouping(void **state)
{
	(void)state;
	struct lab_experiment g, u;
	lab_exp_gorman(&g, 0, 16384, 777);
	lab_exp_gorman(&u, LAB_CFG_NO_MOBILITY_GROUPING, 16384, 777);
	printf("gorman: order-9 blocks allocatable of 32: grouping+compaction %d, no grouping %d "
	       "(Unmovable pageblocks %d vs %d)\n", g.result, u.result, g.unmovable_blocks, u.unmovable_blocks);
	assert_int_equal(g.check_errors + u.check_errors, 0);
	assert_int_equal(g.verify_errors + u.verify_errors, 0);
	assert_true(g.result > u.result);
	assert_true(g.unmovable_blocks < u.unmovable_blocks);
}

static unsigned kcompactd_wakes;
static void count_kcompactd_wake(void *ctx, unsigned order, int highest_zoneidx)
{
	(void)ctx;
	(void)order;
	(void)highest_zoneidx;
	kcompactd_wakes++;
}

/* wakeup_kcompactd, as Linux: an order-0 request wakes nobody (there is no
 * block to build); a high-order one records the request and wakes. */
static void test_compaction_kcompactd_not_woken_for_order0(void **state)
{
	(void)state;
	struct fixture *f = zone16m(0);
	f->mem->tun.compaction_proactiveness = 0;   /* no proactive work either */
	f->mem->plat.wake_kcompactd = count_kcompactd_wake;
	kcompactd_wakes = 0;
	lab__wakeup_kcompactd(f->mem, 0, LAB_ZONE_NORMAL);
	assert_int_equal(kcompactd_wakes, 0);
	assert_false(lab_kcompactd_wanted(f->mem));
	lab__wakeup_kcompactd(f->mem, 3, LAB_ZONE_NORMAL);
	assert_int_equal(kcompactd_wakes, 1);
	assert_true(lab_kcompactd_wanted(f->mem));
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compaction_order9_only_with_compaction),
		cmocka_unit_test(test_compaction_compact_memory_rebuilds_blocks),
		cmocka_unit_test(test_compaction_busy_owner_not_migrated),
		cmocka_unit_test(test_compaction_gap_vectors),
		cmocka_unit_test(test_compaction_kcompactd_not_woken_for_order0),
		cmocka_unit_test(test_compaction_deferral_vectors),
		cmocka_unit_test(test_compaction_suitable_gates),
		cmocka_unit_test(test_compaction_gorman_grouping_beats_no_grouping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
