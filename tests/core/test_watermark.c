/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_watermark.c - min_free_kbytes, per-zone watermarks,
 * lowmem reserve, boost and the watermark checks against the reference
 * vectors E, F, G, H and M5-M7 (sample host: DMA 3840, DMA32 772808,
 * Normal 786432 managed pages), in the 6.1 profile (test_kernel.c has
 * what 6.12 changes).
 */
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

#define MIB (1ull << 20)

/* An instance whose zones have exactly the host's managed page counts:
 * DMA [0, 3840p), DMA32 next 772808p, Normal next 786432p (no arena). */
static struct fixture *host_zones(int min_free_kbytes)
{
	struct lab_range r = { 0, (3840ull + 772808 + 786432) << 12 };
	return fixture_create(&(struct fixture_opts){
		.ranges = &r, .nr_ranges = 1, .pageblock_order = 9, .use_default_zones = 1,
		.zone_dma_limit = 3840ull << 12, .zone_dma32_limit = (3840ull + 772808) << 12,
		.min_free_kbytes = min_free_kbytes, .no_arena = 1, .kernel = LAB_KERNEL_6_1 });
}

static void assert_wmarks(const struct lab_zone *z, uint64_t min, uint64_t low, uint64_t high, uint64_t promo)
{
	assert_int_equal(z->wmark[LAB_WMARK_MIN], min);
	assert_int_equal(z->wmark[LAB_WMARK_LOW], low);
	assert_int_equal(z->wmark[LAB_WMARK_HIGH], high);
	assert_int_equal(z->wmark[LAB_WMARK_PROMO], promo);
}

/* E1-E7: the int_sqrt default and its clamps. */
static void test_watermark_default_min_free_kbytes(void **state)
{
	(void)state;
	assert_int_equal(lab_default_min_free_kbytes(16384), 512);
	assert_int_equal(lab_default_min_free_kbytes(1048576), 4096);
	assert_int_equal(lab_default_min_free_kbytes(8388608), 11585);
	assert_int_equal(lab_default_min_free_kbytes(16777216), 16384);
	assert_int_equal(lab_default_min_free_kbytes(67108864), 32768);
	assert_int_equal(lab_default_min_free_kbytes(1024), 128);
	assert_int_equal(lab_default_min_free_kbytes(512), 128);
	assert_int_equal(lab_default_min_free_kbytes(4294967296ull), 262144);
	assert_int_equal(lab_default_min_free_kbytes(4294967296ull * 4), 262144);
}

/* E8 + F6: the host's zones with the plain default give 10001 kB and
 * DMA 6/9/12/15, DMA32 1236/2008/2780/3552, Normal 1257/2043/2829/3615. */
static void test_watermark_host_default(void **state)
{
	(void)state;
	struct fixture *f = host_zones(-1);
	assert_int_equal(f->mem->tun.min_free_kbytes, 10001);
	assert_wmarks(&f->mem->zones[0], 6, 9, 12, 15);
	assert_wmarks(&f->mem->zones[1], 1236, 2008, 2780, 3552);
	assert_wmarks(&f->mem->zones[2], 1257, 2043, 2829, 3615);
	fixture_destroy(f);
}

/* F1-F3, F5, F10: min_free_kbytes 67584 reproduces the host's zoneinfo. */
static void test_watermark_host_zoneinfo_numbers(void **state)
{
	(void)state;
	struct fixture *f = host_zones(67584);
	assert_wmarks(&f->mem->zones[0], 41, 51, 61, 71);
	assert_wmarks(&f->mem->zones[1], 8353, 10441, 12529, 14617);
	assert_wmarks(&f->mem->zones[2], 8500, 10625, 12750, 14875);
	assert_wmarks(&f->mem->zones[3], 0, 0, 0, 0);
	assert_int_equal(f->mem->zones[0].wmark[0] + f->mem->zones[1].wmark[0] + f->mem->zones[2].wmark[0], 16894);
	fixture_destroy(f);
}

/* F7: a single 16 GiB Normal zone with the default: 4096/8290/12484/16678. */
static void test_watermark_scale_factor_dominates_big_zone(void **state)
{
	(void)state;
	/* metadata only: 4M pages * 16 B = 64 MiB */
	struct lab_range r = { 0, 4194304ull << 12 };
	struct fixture *f = fixture_create(&(struct fixture_opts){ .ranges = &r, .nr_ranges = 1,
		.pageblock_order = 9, .min_free_kbytes = -1, .no_arena = 1 });
	assert_int_equal(f->mem->tun.min_free_kbytes, 16384);
	assert_wmarks(&f->mem->zones[LAB_ZONE_NORMAL], 4096, 8290, 12484, 16678);
	fixture_destroy(f);
}

/* G1: protection (lowmem_reserve) rows of the host. */
static void test_watermark_lowmem_reserve_host(void **state)
{
	(void)state;
	struct fixture *f = host_zones(67584);
	const int64_t dma[] = { 0, 3018, 6090, 6090, 6090 }, dma32[] = { 0, 0, 3072, 3072, 3072 };
	for (int j = 0; j < 5; j++) {
		assert_int_equal(f->mem->zones[0].lowmem_reserve[j], dma[j]);
		assert_int_equal(f->mem->zones[1].lowmem_reserve[j], dma32[j]);
		assert_int_equal(f->mem->zones[2].lowmem_reserve[j], 0);
		assert_int_equal(f->mem->zones[3].lowmem_reserve[j], 0);
	}
	fixture_destroy(f);
}

/* G3: a ratio written as -5 or 0 is stored as 0 and clears the row. */
static void test_watermark_lowmem_reserve_ratio_nonpositive_clears(void **state)
{
	(void)state;
	struct fixture *f = host_zones(67584);
	int ratio[5] = { -5, 0, 32, 0, 0 };
	assert_int_equal(lab_set_lowmem_reserve_ratio(f->mem, ratio), 0);
	assert_int_equal(f->mem->tun.lowmem_reserve_ratio[0], 0);
	for (int j = 0; j < 5; j++) {
		assert_int_equal(f->mem->zones[0].lowmem_reserve[j], 0);
		assert_int_equal(f->mem->zones[1].lowmem_reserve[j], 0);
	}
	fixture_destroy(f);
}

/* G4: totalreserve = DMA capped at managed 3840 + DMA32 15601 + Normal 12750. */
static void test_watermark_totalreserve_pages(void **state)
{
	(void)state;
	struct fixture *f = host_zones(67584);
	assert_int_equal(f->mem->totalreserve_pages, 3840 + 15601 + 12750);
	fixture_destroy(f);
}

/* E11: a user value above the recomputed default is kept, with Linux's message. */
static void test_watermark_user_min_free_kbytes_preferred(void **state)
{
	(void)state;
	struct fixture *f = host_zones(90000);
	fixture_clear_log(f);
	lab__init_per_zone_wmark_min(f->mem);   /* a recomputation (hotplug, khugepaged) */
	assert_int_equal(f->mem->tun.min_free_kbytes, 90000);
	assert_true(fixture_logged(f, "min_free_kbytes is not updated to"));
	assert_true(fixture_logged(f, "because user defined value 90000 is preferred"));
	fixture_destroy(f);
}

/* Setters refuse out-of-range values and change nothing. */
static void test_watermark_setters_validate_range(void **state)
{
	(void)state;
	struct fixture *f = host_zones(67584);
	assert_int_equal(lab_set_watermark_scale_factor(f->mem, 0), LAB_EINVAL);
	assert_int_equal(lab_set_watermark_scale_factor(f->mem, 3001), LAB_EINVAL);
	assert_int_equal(lab_set_min_free_kbytes(f->mem, -1), LAB_EINVAL);
	assert_int_equal(lab_set_percpu_pagelist_high_fraction(f->mem, 7), LAB_EINVAL);
	assert_int_equal(lab_set_extfrag_threshold(f->mem, 1001), LAB_EINVAL);
	assert_int_equal(lab_set_watermark_boost_factor(f->mem, -1), LAB_EINVAL);
	assert_int_equal(f->mem->tun.watermark_scale_factor, 10);
	assert_int_equal(f->mem->zones[2].wmark[LAB_WMARK_LOW], 10625);
	/* a valid write recomputes: wsf 200 on Normal -> gap max(2125, 15728) */
	assert_int_equal(lab_set_watermark_scale_factor(f->mem, 200), 0);
	assert_wmarks(&f->mem->zones[2], 8500, 8500 + 15728, 8500 + 2 * 15728, 8500 + 3 * 15728);
	fixture_destroy(f);
}

/* A synthetic host Normal zone for the check vectors (H). */
static struct lab_zone host_normal(uint64_t free_pages)
{
	struct lab_zone z;
	memset(&z, 0, sizeof(z));
	z.idx = LAB_ZONE_NORMAL;
	z.managed = 786432;
	z.wmark[0] = 8500;
	z.wmark[1] = 10625;
	z.wmark[2] = 12750;
	z.free_pages = free_pages;
	z.nonempty[LAB_MIGRATE_MOVABLE] = 1u << 0;   /* some order-0 block */
	z.boost_exempt_gfp = LAB___GFP_ATOMIC;       /* the 6.1 profile (kernel.c) */
	return z;
}

/* H1/H2: GFP_KERNEL slow path (0x840) passes at 8501, fails at 8500. */
static void test_watermark_check_strict_comparison(void **state)
{
	(void)state;
	struct lab_zone z = host_normal(0);
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x840, 8501));
	assert_false(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x840, 8500));
}

/* H3-H6: GFP_ATOMIC -> 3188, blocking __GFP_HIGH -> 4250, NOWAIT none, OOM -> 4250. */
static void test_watermark_check_reserve_reductions(void **state)
{
	(void)state;
	struct lab_zone z = host_normal(0);
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x830, 3189));
	assert_false(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x830, 3188));
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x860, 4251));
	assert_false(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x860, 4250));
	assert_false(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x850, 8500));
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x850, 8501));
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8500, 2, ALLOC_OOM, 4251));
	assert_false(lab__zone_watermark_ok_free(&z, 0, 8500, 2, ALLOC_OOM, 4250));
}

/* H9: DMA32 for a Normal request adds lowmem_reserve[2] = 3072. */
static void test_watermark_check_adds_lowmem_reserve(void **state)
{
	(void)state;
	struct lab_zone z = host_normal(0);
	z.lowmem_reserve[2] = 3072;
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8353, 2, 0x840, 11426));
	assert_false(lab__zone_watermark_ok_free(&z, 0, 8353, 2, 0x840, 11425));
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8353, 1, 0x840, 8354));   /* own zone: no reserve */
}

/* H10/H11: the highatomic reserve is unusable for GFP_KERNEL, usable for GFP_ATOMIC. */
static void test_watermark_check_highatomic_reserve_subtracted(void **state)
{
	(void)state;
	struct lab_zone z = host_normal(9000);
	z.nr_reserved_highatomic = 512;
	assert_false(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x840, 9000));
	assert_true(lab__zone_watermark_ok_free(&z, 0, 8500, 2, 0x830, 9000));
}

/* H12-H14: order 3 subtracts 7 pages and needs a usable order>=3 block;
 * a HighAtomic-only block serves only ALLOC_HIGHATOMIC. */
static void test_watermark_check_high_order_needs_usable_block(void **state)
{
	(void)state;
	struct lab_zone z = host_normal(0);
	z.nonempty[LAB_MIGRATE_MOVABLE] = 1u << 3;
	assert_false(lab__zone_watermark_ok_free(&z, 3, 8500, 2, 0x840, 8507));
	assert_true(lab__zone_watermark_ok_free(&z, 3, 8500, 2, 0x840, 8508));
	z.nonempty[LAB_MIGRATE_MOVABLE] = 1u << 2;          /* too small */
	assert_false(lab__zone_watermark_ok_free(&z, 3, 8500, 2, 0x840, 20000));
	z.nonempty[LAB_MIGRATE_MOVABLE] = 0;
	z.nonempty[LAB_MIGRATE_HIGHATOMIC] = 1u << 4;
	assert_false(lab__zone_watermark_ok_free(&z, 3, 8500, 2, 0x840, 20000));
	assert_true(lab__zone_watermark_ok_free(&z, 3, 8500, 2, 0xa30, 20000));
}

/* H15/H16: the order-0 fast path, and the unboosted retry for __GFP_ATOMIC
 * at WMARK_MIN (6.1; test_kernel.c has the 6.12 rule). */
static void test_watermark_fast_boost_exception(void **state)
{
	(void)state;
	struct lab_zone z = host_normal(10626);
	assert_true(zone_watermark_fast(&z, 0, 10625, 2, ALLOC_WMARK_LOW, LAB_GFP_KERNEL));
	z.boost = 512;
	/* GFP_ATOMIC order 0 at min 9012: 3380 effective; free 3300 fails the
	 * boosted check but passes the unboosted one (8500 -> 3188) */
	z.free_pages = 3300;
	assert_true(zone_watermark_fast(&z, 0, 9012, 2, 0x830, LAB_GFP_ATOMIC));
	/* without __GFP_ATOMIC (a 6.3-style 0x820 mask) no exception */
	assert_false(zone_watermark_fast(&z, 0, 9012, 2, 0x830, 0x820));
}

/* F9 + M5: each boost adds a pageblock, capped at high * factor / 10000;
 * zoneinfo's min/low/high include the boost. */
static void test_watermark_boost_steps_and_cap(void **state)
{
	(void)state;
	struct fixture *f = host_zones(67584);
	struct lab_zone *z = &f->mem->zones[2];
	assert_true(lab__boost_watermark(f->mem, z));
	assert_int_equal(z->boost, 512);
	assert_int_equal(zone_wmark(z, LAB_WMARK_MIN), 9012);
	assert_int_equal(zone_wmark(z, LAB_WMARK_LOW), 11137);
	assert_int_equal(zone_wmark(z, LAB_WMARK_HIGH), 13262);
	for (int i = 0; i < 40; i++)
		lab__boost_watermark(f->mem, z);
	assert_int_equal(z->boost, 19125);
	/* M6: DMA: max(512, 91) = 512 */
	assert_true(lab__boost_watermark(f->mem, &f->mem->zones[0]));
	assert_true(lab__boost_watermark(f->mem, &f->mem->zones[0]));
	assert_int_equal(f->mem->zones[0].boost, 512);
	/* M7: factor 0 never boosts */
	assert_int_equal(lab_set_watermark_boost_factor(f->mem, 0), 0);
	assert_false(lab__boost_watermark(f->mem, &f->mem->zones[1]));
	fixture_destroy(f);
}

/* M7: a zone below 4 pageblocks (2048 pages) is never boosted. */
static void test_watermark_small_zone_never_boosted(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 2047, .pageblock_order = 9,
								   .min_free_kbytes = -1 });
	assert_false(lab__boost_watermark(f->mem, &f->mem->zones[LAB_ZONE_NORMAL]));
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watermark_default_min_free_kbytes),
		cmocka_unit_test(test_watermark_host_default),
		cmocka_unit_test(test_watermark_host_zoneinfo_numbers),
		cmocka_unit_test(test_watermark_scale_factor_dominates_big_zone),
		cmocka_unit_test(test_watermark_lowmem_reserve_host),
		cmocka_unit_test(test_watermark_lowmem_reserve_ratio_nonpositive_clears),
		cmocka_unit_test(test_watermark_totalreserve_pages),
		cmocka_unit_test(test_watermark_user_min_free_kbytes_preferred),
		cmocka_unit_test(test_watermark_setters_validate_range),
		cmocka_unit_test(test_watermark_check_strict_comparison),
		cmocka_unit_test(test_watermark_check_reserve_reductions),
		cmocka_unit_test(test_watermark_check_adds_lowmem_reserve),
		cmocka_unit_test(test_watermark_check_highatomic_reserve_subtracted),
		cmocka_unit_test(test_watermark_check_high_order_needs_usable_block),
		cmocka_unit_test(test_watermark_fast_boost_exception),
		cmocka_unit_test(test_watermark_boost_steps_and_cap),
		cmocka_unit_test(test_watermark_small_zone_never_boosted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
