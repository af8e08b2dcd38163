/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_contig.c - contiguous memory: CMA areas that movable
 * pages borrow and lab_cma_alloc takes back, alloc_contig_range and its
 * -EBUSY, alloc_contig_pages, the DMA helper below a device's address
 * limit; and the highatomic reserve's effect on order-3 atomic failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include "util/fixture.h"
#include "util/owner.h"
#include "util/experiments.h"
#include "core/internal.h"

#define MIB (1ull << 20)

/* 16 MiB, the top 4 MiB a CMA area (pfns 3072..4095). */
static struct fixture *with_cma(void)
{
	static const struct lab_range cma = { 12 * MIB, 4 * MIB };
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 4096, .pageblock_order = 9,
		.min_free_kbytes = -1 });
	fixture_destroy(f);   /* re-create with the CMA area (fixture has no CMA option) */
	struct lab_range r = { 0, 16 * MIB };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .pageblock_order = 9,
		.flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32 | LAB_CFG_NO_PCP, .cma = &cma, .nr_cma = 1 };
	f = calloc(1, sizeof(*f));
	f->arena = aligned_alloc(4096, 16 * MIB);
	cfg.virt_base = f->arena;
	size_t n = lab_mem_metadata_bytes(&cfg);
	f->meta = aligned_alloc(64, (n + 63) & ~(size_t)63);
	cfg.metadata = f->meta;
	cfg.metadata_bytes = n;
	f->mem = lab_mem_init(&cfg, NULL);
	assert_non_null(f->mem);
	return f;
}

/* The CMA pageblocks are counted, reported, and only movable requests use them. */
static void test_contig_cma_only_for_movable(void **state)
{
	(void)state;
	struct fixture *f = with_cma();
	struct lab_mem_stats s;
	lab_mem_get_stats(f->mem, &s);
	assert_int_equal(s.zone[LAB_ZONE_NORMAL].cma, 1024);
	assert_int_equal(s.zone[LAB_ZONE_NORMAL].nr_blocks_mt[LAB_MIGRATE_CMA], 2);
	assert_int_equal(s.zone[LAB_ZONE_NORMAL].free_cma, 1024);
	assert_true(s.cma_enabled);
	/* unmovable requests never get CMA pages, even when nothing else is left */
	struct lab_page *p;
	int n = 0;
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN | LAB___GFP_NORETRY, 0))) {
		assert_true(lab_page_to_pfn(p) < 3072);
		n++;
	}
	assert_true(n > 2800);
	/* a movable request still succeeds, from CMA */
	p = lab_alloc_pages(f->mem, LAB_GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(p);
	assert_true(lab_page_to_pfn(p) >= 3072);
	assert_mem_ok(f);
	lab_mem_fini(f->mem);
	free(f->meta);
	free(f->arena);
	free(f);
}

/* Movable pages spill into CMA; lab_cma_alloc migrates them out and returns
 * exactly the requested range, with every page's contents intact. */
static void test_contig_cma_alloc_migrates_borrowers(void **state)
{
	(void)state;
	struct fixture *f = with_cma();
	struct test_owner o;
	test_owner_init(&o, f->mem, 4096, LAB_LRU_ANON);
	/* fill 2500 pages: the CMA balance rule puts some of them in CMA */
	for (int i = 0; i < 2500; i++)
		assert_true(test_owner_add(&o, LAB_GFP_HIGHUSER_MOVABLE) >= 0);
	unsigned in_cma = 0;
	for (unsigned i = 0; i < o.cap; i++)
		in_cma += o.slot[i] && lab_page_to_pfn(o.slot[i]) >= 3072;
	assert_true(in_cma > 0);
	struct lab_page *buf = lab_cma_alloc(f->mem, 0, 1024, 9);
	assert_non_null(buf);
	assert_int_equal(lab_page_to_pfn(buf), 3072);
	assert_true(o.migrations >= in_cma);
	for (unsigned i = 0; i < o.cap; i++)
		if (o.slot[i])
			assert_true(lab_page_to_pfn(o.slot[i]) < 3072);
	assert_int_equal(test_owner_verify(&o), 0);
	assert_mem_ok(f);
	/* the area is full now */
	assert_null(lab_cma_alloc(f->mem, 0, 1, 0));
	assert_int_equal(lab_cma_release(f->mem, 0, buf, 1024), 0);
	assert_int_equal(lab_cma_release(f->mem, 0, buf, 1024), LAB_EINVAL);   /* twice */
	assert_mem_ok(f);
	test_owner_fini(&o);
	lab_mem_fini(f->mem);
	free(f->meta);
	free(f->arena);
	free(f);
}

/* An unmovable page in the way gives -EBUSY, and nothing is left isolated. */
static void test_contig_range_busy_with_unmovable(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 4096, .pageblock_order = 9 });
	struct lab_mem *m = f->mem;
	struct lab_page *wall = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);   /* pfn 0 */
	uint64_t free_before = fixture_zone_free(f, LAB_ZONE_NORMAL);
	assert_int_equal(lab_alloc_contig_range(m, 0, 2048, LAB_GFP_KERNEL), LAB_EBUSY);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), free_before);
	assert_int_equal(m->zones[LAB_ZONE_NORMAL].nr_isolate_pageblock, 0);
	assert_mem_ok(f);
	/* a range without it works and is exact */
	assert_int_equal(lab_alloc_contig_range(m, 1000, 3000, LAB_GFP_KERNEL), 0);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), free_before - 2000);
	assert_mem_ok(f);
	/* its pages are not ordinary frees */
	assert_int_equal(lab_try_free_pages(m, lab_pfn_to_page(m, 1500), 0), LAB_EINVAL);
	lab_free_contig_range(m, 1000, 2000);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), free_before);
	assert_int_equal(lab_alloc_contig_range(m, 100, 5000, LAB_GFP_KERNEL), LAB_EINVAL);   /* outside */
	lab_free_pages(m, wall, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* alloc_contig_pages finds room beyond MAX_ORDER (8 MiB = 2048 pages) by moving pages. */
static void test_contig_pages_beyond_max_order(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 8192, .pageblock_order = 9,
								   .min_free_kbytes = -1 });
	struct test_owner o;
	test_owner_init(&o, f->mem, 8192, LAB_LRU_ANON);
	for (int i = 0; i < 8192; i += 2)
		test_owner_add(&o, LAB_GFP_HIGHUSER_MOVABLE);
	struct lab_page *p = lab_alloc_contig_pages(f->mem, 2048, LAB_GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(lab_page_to_pfn(p) % 2048, 0);
	assert_int_equal(test_owner_verify(&o), 0);
	assert_mem_ok(f);
	lab_free_contig_range(f->mem, lab_page_to_pfn(p), 2048);
	test_owner_fini(&o);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* lab_dma_alloc: a zeroed, contiguous buffer below the device's limit, with
 * its physical address; 64 KiB for a NIC ring and 4 MiB+ via contig. */
static void test_contig_dma_alloc_below_limit(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 8192, .pageblock_order = 9,
		.use_default_zones = 1, .zone_dma_limit = 4 * MIB, .zone_dma32_limit = 16 * MIB });
	lab_phys_t phys = 0;
	void *ring = lab_dma_alloc(f->mem, 64 * 1024, 16 * MIB, &phys);
	assert_non_null(ring);
	assert_true(phys + 64 * 1024 <= 16 * MIB);
	assert_int_equal(phys % (64 * 1024), 0);
	assert_int_equal(((unsigned char *)ring)[1234], 0);
	void *low = lab_dma_alloc(f->mem, 8192, 4 * MIB, &phys);
	assert_non_null(low);
	assert_true(phys + 8192 <= 4 * MIB);
	void *big = lab_dma_alloc(f->mem, 6 * MIB, 0, &phys);
	assert_non_null(big);
	assert_mem_ok(f);
	lab_dma_free(f->mem, ring, 64 * 1024);
	lab_dma_free(f->mem, low, 8192);
	lab_dma_free(f->mem, big, 6 * MIB);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* The highatomic reserve lowers order-3 atomic failures under fragmentation
 * (tests/util/experiments.c), and never exceeds 1% of the zone plus one
 * pageblock (rounded up to a pageblock). */
static void test_contig_highatomic_reserve_reduces_atomic_failures(void **state)
{
	(void)state;
	struct lab_experiment on, off;
	/* One CPU: the rx buffers freed park on its per-CPU list (order 3 is
	 * cached), and highatomic pages freed there go to the Movable list
	 * (free_unref_page), so the reserve only shows its worth when those
	 * lists are given back before a failure (Labyrinth's option; neither
	 * kernel drains for GFP_ATOMIC, and there the reserve is a wash). */
	lab_exp_atomic_storm(&on, 1, LAB_CFG_DRAIN_BEFORE_FAILURE, 4242);
	lab_exp_atomic_storm(&off, 0, LAB_CFG_DRAIN_BEFORE_FAILURE, 4242);
	printf("order-3 GFP_ATOMIC failures: with highatomic reserve %d, without %d (max reserve %llu pages)\n",
	       on.result, off.result, (unsigned long long)on.max_reserved);
	assert_int_equal(on.check_errors + off.check_errors, 0);
	assert_true(on.result < off.result);
	assert_true(on.max_reserved <= ((16384 / 100 + 512 + 511) / 512) * 512);
	assert_int_equal(off.max_reserved, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contig_cma_only_for_movable),
		cmocka_unit_test(test_contig_cma_alloc_migrates_borrowers),
		cmocka_unit_test(test_contig_range_busy_with_unmovable),
		cmocka_unit_test(test_contig_pages_beyond_max_order),
		cmocka_unit_test(test_contig_dma_alloc_below_limit),
		cmocka_unit_test(test_contig_highatomic_reserve_reduces_atomic_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
