/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_headroom.c - lab_zone_headroom counts the successive
 * non-blocking allocations a zone's free lists serve: limited by the marks
 * (reduced min, lowmem_reserve, free CMA unusable, the order-0 atomic
 * retry without the boost) or by the order-k chunks on the lists the
 * request may take (blocks below the order never count, CMA not for
 * unmovable requests, HighAtomic for GFP_ATOMIC); blocking requests and
 * bad orders are refused. A seeded random half (LAB_HEADROOM_SEED=N) restores random free lists
 * into a real instance and allocates until failure: the count is the
 * headroom for every order (prints its seed; passes for any seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/fixture.h"
#include "util/rng.h"

static struct lab_headroom_zone zone_of(uint64_t min)
{
	struct lab_headroom_zone z;
	memset(&z, 0, sizeof(z));
	z.min = min;
	return z;
}

/* Order 0, plenty of blocks: free minus the GFP_ATOMIC mark (min/2, then
 * a quarter less: 100 -> 38) and the lowmem reserve. */
static void test_headroom_order0_is_free_above_reduced_min(void **state)
{
	(void)state;
	struct lab_headroom_zone z = zone_of(100);
	z.nr_free[10][LAB_MIGRATE_MOVABLE] = 4;
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 0), 4096 - 38);
	z.lowmem_reserve = 1000;
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 0), 4096 - 1038);
	z.lowmem_reserve = 5000;
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 0), 0);
}

/* Blocks below the order are no chunks: 100 order-2 blocks and one
 * order-5 block serve 4 order-3 requests, not 54. */
static void test_headroom_counts_chunks_of_order_or_above(void **state)
{
	(void)state;
	struct lab_headroom_zone z = zone_of(0);
	z.nr_free[2][LAB_MIGRATE_UNMOVABLE] = 100;
	z.nr_free[5][LAB_MIGRATE_RECLAIMABLE] = 1;
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 3), 4);
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 6), 0);
}

/* CMA: not a list an unmovable request takes, and its free pages do not
 * count against the mark; a movable non-blocking request takes them. */
static void test_headroom_cma_only_for_movable(void **state)
{
	(void)state;
	struct lab_headroom_zone z = zone_of(0);
	z.nr_free[10][LAB_MIGRATE_CMA] = 2;
	z.nr_free[0][LAB_MIGRATE_UNMOVABLE] = 10;
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 0), 10);
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE, 0), 2058);
}

/* The highatomic reserve is GFP_ATOMIC's: its lists count, its pages are
 * not taken out of the free count. */
static void test_headroom_highatomic_serves_atomic(void **state)
{
	(void)state;
	struct lab_headroom_zone z = zone_of(16);
	z.nr_free[9][LAB_MIGRATE_HIGHATOMIC] = 1;
	z.reserved_highatomic = 512;
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 0), 512 - 6);
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 3), (512 - 7 - 6 + 7) / 8);
}

/* A boost raises the mark for order > 0; order-0 atomic requests are
 * checked again without it (zone_watermark_fast). */
static void test_headroom_boost_spares_order0_atomic(void **state)
{
	(void)state;
	struct lab_headroom_zone z = zone_of(64);
	z.nr_free[10][LAB_MIGRATE_MOVABLE] = 1;
	z.boost = 512;
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 0), 1024 - 24);
	/* order 1: (64 + 512) -> 288 -> 216; free - 1 > 216 */
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 1), (1024 - 218) / 2 + 1);
}

/* The boost's cap (boost_watermark): high * factor / 10000, at least a
 * pageblock; none with factor 0 or under four pageblocks managed. */
static void test_headroom_boost_cap_is_boost_watermarks_limit(void **state)
{
	(void)state;
	assert_int_equal(lab_watermark_boost_cap(16200, 15000, 512, 1u << 20), 24300);
	assert_int_equal(lab_watermark_boost_cap(44, 15000, 512, 1u << 20), 512);
	assert_int_equal(lab_watermark_boost_cap(16200, 0, 512, 1u << 20), 0);
	assert_int_equal(lab_watermark_boost_cap(16200, 15000, 512, 2047), 0);
	assert_int_equal(lab_watermark_boost_cap(16200, 15000, 512, 2048), 24300);
	/* the allocator's boosts stop there: small fallback steals, one after
	 * another, in a zone of 16-page pageblocks with only order-2 Movable
	 * blocks free, high 1000 */
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 16384, .pageblock_order = 4,
								.no_arena = 1 });
	struct lab_zone_stats want;
	memset(&want, 0, sizeof(want));
	want.nr_free_mt[2][LAB_MIGRATE_MOVABLE] = 1000;
	want.wmark[LAB_WMARK_HIGH] = 1000;
	assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want), 0);
	while (lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 0))
		;
	struct lab_mem_stats *st = malloc(sizeof(*st));
	lab_mem_get_stats(f->mem, st);
	assert_int_equal(st->zone[LAB_ZONE_NORMAL].boost, lab_watermark_boost_cap(1000, 15000, 16, 16384));
	free(st);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Requests that may reclaim, orders past the top and invalid zone bits
 * are refused. */
static void test_headroom_refuses_blocking_and_bad_requests(void **state)
{
	(void)state;
	struct lab_headroom_zone z = zone_of(0);
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_KERNEL, 0), LAB_EINVAL);
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, LAB_MAX_ORDER), LAB_EINVAL);
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC | LAB___GFP_DMA | LAB___GFP_DMA32, 0), LAB_EINVAL);
	assert_int_equal(lab_zone_headroom(NULL, LAB_GFP_ATOMIC, 0), LAB_EINVAL);
	assert_int_equal(lab_zone_headroom(&z, LAB_GFP_ATOMIC, 0), 0);
}

/* Random lists in a real 64 MiB zone: the allocator serves exactly the
 * headroom, for every order. */
static void test_headroom_is_what_a_restored_zone_serves(void **state)
{
	(void)state;
	const char *env = getenv("LAB_HEADROOM_SEED");
	uint64_t seed0 = env ? strtoull(env, NULL, 0) : 0x4ea0d00full ^ (uint64_t)time(NULL);
	printf("headroom: seed %llu (LAB_HEADROOM_SEED=%llu replays it)\n", (unsigned long long)seed0,
	       (unsigned long long)seed0);
	int restored = 0;
	for (int round = 0; round < 12; round++) {
		uint64_t rng = seed0 + (uint64_t)round * 7919 + 1;
		struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 16384, .pageblock_order = 9,
									.no_arena = 1 });
		lab_set_watermark_boost_factor(f->mem, 0);
		struct lab_zone_stats want;
		struct lab_headroom_zone z;
		memset(&want, 0, sizeof(want));
		memset(&z, 0, sizeof(z));
		for (int o = 0; o < LAB_MAX_ORDER; o++)
			for (int mt = 0; mt < LAB_MIGRATE_PCPTYPES; mt++) {
				uint64_t n = test_xorshift64(&rng) % (o < 9 ? 6 : 2);
				want.nr_free_mt[o][mt] = z.nr_free[o][mt] = n;
			}
		want.wmark[LAB_WMARK_MIN] = z.min = test_xorshift64(&rng) % 2000;
		want.wmark[LAB_WMARK_LOW] = z.min * 5 / 4;
		want.wmark[LAB_WMARK_HIGH] = z.min * 3 / 2;
		want.boost = z.boost = test_xorshift64(&rng) % 2 ? 512 : 0;
		int rc = lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want);
		if (rc) {              /* lists that do not fit 64 MiB: draw again */
			fixture_destroy(f);
			continue;
		}
		restored++;
		for (unsigned o = 0; o < LAB_MAX_ORDER; o++) {
			int64_t served = 0;
			struct lab_page *pages[16384];
			while ((pages[served] = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, o)))
				served++;
			if (served != lab_zone_headroom(&z, LAB_GFP_ATOMIC, o))
				fail_msg("seed %llu round %d order %u: served %lld, headroom %lld", (unsigned long long)seed0,
					 round, o, (long long)served, (long long)lab_zone_headroom(&z, LAB_GFP_ATOMIC, o));
			assert_mem_ok(f);
			while (served--)
				lab_free_pages(f->mem, pages[served], o);
			/* the frees merged blocks: restore the lists for the next order */
			assert_int_equal(lab_mem_restore_zone(f->mem, LAB_ZONE_NORMAL, &want), 0);
		}
		fixture_destroy(f);
	}
	printf("headroom: %d of 12 random zones restored and confirmed\n", restored);
	assert_true(restored >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headroom_order0_is_free_above_reduced_min),
		cmocka_unit_test(test_headroom_counts_chunks_of_order_or_above),
		cmocka_unit_test(test_headroom_cma_only_for_movable),
		cmocka_unit_test(test_headroom_highatomic_serves_atomic),
		cmocka_unit_test(test_headroom_boost_spares_order0_atomic),
		cmocka_unit_test(test_headroom_boost_cap_is_boost_watermarks_limit),
		cmocka_unit_test(test_headroom_refuses_blocking_and_bad_requests),
		cmocka_unit_test(test_headroom_is_what_a_restored_zone_serves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
