/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_zone.c - per-zone sizing (pcp batch/high, vmstat
 * thresholds: vectors I1-I3, I5, I11, I12) and zone layout from the config.
 */
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

#define MIB (1ull << 20)

/* I1/I2: zone_batchsize. */
static void test_zone_batchsize_vectors(void **state)
{
	(void)state;
	assert_int_equal(lab__zone_batchsize(772808), 63);
	assert_int_equal(lab__zone_batchsize(786432), 63);
	assert_int_equal(lab__zone_batchsize(262144), 63);
	assert_int_equal(lab__zone_batchsize(16777216), 63);
	assert_int_equal(lab__zone_batchsize(100000), 31);
	assert_int_equal(lab__zone_batchsize(16384), 3);
	assert_int_equal(lab__zone_batchsize(4096), 1);
	assert_int_equal(lab__zone_batchsize(3840), 1);
}

/* I3/I5: 6.1 pcp high = low watermark / CPUs (at least 4*batch), or managed/fraction/CPUs. */
static void test_zone_highsize_vectors(void **state)
{
	(void)state;
	struct lab_zone z;
	memset(&z, 0, sizeof(z));
	z.wmark[LAB_WMARK_LOW] = 51;
	assert_int_equal(lab__zone_highsize(&z, 1, 2, 0), 25);
	z.wmark[LAB_WMARK_LOW] = 10441;
	assert_int_equal(lab__zone_highsize(&z, 63, 2, 0), 5220);
	z.wmark[LAB_WMARK_LOW] = 10625;
	assert_int_equal(lab__zone_highsize(&z, 63, 2, 0), 5312);
	z.managed = 786432;
	assert_int_equal(lab__zone_highsize(&z, 63, 2, 8), 49152);
	z.wmark[LAB_WMARK_LOW] = 10;
	assert_int_equal(lab__zone_highsize(&z, 63, 2, 0), 252);   /* floor 4*batch */
}

/* I11/I12: vm stats threshold. */
static void test_zone_vmstat_threshold_vectors(void **state)
{
	(void)state;
	assert_int_equal(lab__zone_vmstat_threshold(3840, 2), 4);
	assert_int_equal(lab__zone_vmstat_threshold(772808, 2), 24);
	assert_int_equal(lab__zone_vmstat_threshold(786432, 2), 24);
	assert_int_equal(lab__zone_vmstat_threshold(786432, 64), 84);
	assert_int_equal(lab__zone_vmstat_threshold(786432, 256), 108);
	assert_int_equal(lab__zone_vmstat_threshold(16777216, 256), 125);
}

/* Default limits: 16 MiB DMA, 4 GiB DMA32, the rest Normal; spanned,
 * present and managed as zoneinfo counts them. */
static void test_zone_default_layout(void **state)
{
	(void)state;
	struct lab_range r = { 4096, 6ull << 30 };   /* pfn 1 .. like a PC: page 0 absent */
	struct lab_range res = { 1 * MIB, 2 * MIB };   /* "kernel image" in DMA */
	struct fixture *f = fixture_create(&(struct fixture_opts){ .ranges = &r, .nr_ranges = 1,
		.reserved = &res, .nr_reserved = 1, .pageblock_order = 9, .use_default_zones = 1,
		.min_free_kbytes = -1, .no_arena = 1 });
	struct lab_zone *z = f->mem->zones;
	assert_int_equal(z[0].start_pfn, 1);
	assert_int_equal(z[0].end_pfn - z[0].start_pfn, 4095);
	assert_int_equal(z[0].present, 4095);
	assert_int_equal(z[0].managed, 4095 - 512);
	assert_int_equal(z[1].start_pfn, 4096);
	assert_int_equal(z[1].end_pfn, 1048576);
	assert_int_equal(z[2].start_pfn, 1048576);
	assert_int_equal(z[2].end_pfn, 1572864 + 1);
	assert_false(z[3].populated);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* movable_bytes carves ZONE_MOVABLE from the top, rounded to 1024 pages. */
static void test_zone_movable_from_top(void **state)
{
	(void)state;
	struct lab_mem_config cfg;
	struct lab_range r = { 0, 64 * MIB };
	memset(&cfg, 0, sizeof(cfg));
	cfg.ranges = &r;
	cfg.nr_ranges = 1;
	cfg.movable_bytes = 16 * MIB + 4096;   /* rounds up to 4100 -> 5120 pages */
	cfg.flags = LAB_CFG_NO_ZONE_DMA;
	size_t n = lab_mem_metadata_bytes(&cfg);
	cfg.metadata = aligned_alloc(64, (n + 63) & ~(size_t)63);
	cfg.metadata_bytes = n;
	struct lab_mem *m = lab_mem_init(&cfg, NULL);
	assert_non_null(m);
	assert_int_equal(m->zones[LAB_ZONE_MOVABLE].managed, 5120);
	assert_int_equal(m->zones[LAB_ZONE_DMA32].managed, 16384 - 5120);
	/* GFP_KERNEL cannot use Movable; GFP_HIGHUSER_MOVABLE prefers it */
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(p->zone, LAB_ZONE_MOVABLE);
	struct lab_page *k = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	assert_int_equal(k->zone, LAB_ZONE_DMA32);
	lab_free_pages(m, p, 0);
	lab_free_pages(m, k, 0);
	assert_int_equal(lab_mem_check(m), 0);
	lab_mem_fini(m);
	free(cfg.metadata);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_batchsize_vectors),
		cmocka_unit_test(test_zone_highsize_vectors),
		cmocka_unit_test(test_zone_vmstat_threshold_vectors),
		cmocka_unit_test(test_zone_default_layout),
		cmocka_unit_test(test_zone_movable_from_top),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
