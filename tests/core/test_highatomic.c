/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_highatomic.c - the MIGRATE_HIGHATOMIC reserve (vectors
 * M1-M4) and how atomic requests use it, in the 6.1 profile (small zones:
 * 6.12 reserves nothing under 1% = a pageblock; test_kernel.c).
 */
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

/* 2048 pages (4 pageblocks), watermarks above free so every request takes
 * the slow path: min 2000, low 2500 (min_free_kbytes 8000). */
static struct fixture *pressured(void)
{
	return fixture_create(&(struct fixture_opts){ .pages = 2048, .pageblock_order = 9, .kernel = LAB_KERNEL_6_1,
						      .min_free_kbytes = 8000 });
}

/* A high-order GFP_ATOMIC success in the slow path reserves its pageblock. */
static void test_highatomic_reserved_on_atomic_high_order(void **state)
{
	(void)state;
	struct fixture *f = pressured();
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 3);
	assert_non_null(p);
	assert_int_equal(z->nr_reserved_highatomic, 512);
	assert_int_equal(get_pageblock_migratetype(f->mem, lab_page_to_pfn(p)), LAB_MIGRATE_HIGHATOMIC);
	/* the next one comes from the reserve (ALLOC_HIGHATOMIC tries it first) */
	struct lab_page *q = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 3);
	assert_int_equal(lab_page_to_pfn(q) >> 9, lab_page_to_pfn(p) >> 9);
	assert_int_equal(z->nr_reserved_highatomic, 512);   /* limit 20 + 512 reached */
	lab_free_pages(f->mem, p, 3);
	lab_free_pages(f->mem, q, 3);
	assert_int_equal(z->nr_free_mt[10][LAB_MIGRATE_HIGHATOMIC] + z->nr_free_mt[9][LAB_MIGRATE_HIGHATOMIC], 1);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Order-0 and blocking requests never reserve; the reserve can be switched off. */
static void test_highatomic_not_reserved_for_order0_or_when_disabled(void **state)
{
	(void)state;
	struct fixture *f = pressured();
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 0);
	assert_non_null(p);
	assert_int_equal(z->nr_reserved_highatomic, 0);
	assert_int_equal(lab_set_highatomic_reserve(f->mem, 0), 0);
	struct lab_page *q = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 3);
	assert_non_null(q);
	assert_int_equal(z->nr_reserved_highatomic, 0);
	lab_free_pages(f->mem, p, 0);
	lab_free_pages(f->mem, q, 3);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* M1/M3: reservations stop once the reserve reaches managed/100 + one
 * pageblock; the check precedes the increment, so it may end a pageblock above. */
static void test_highatomic_limit_per_zone(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 51200, .pageblock_order = 9, .kernel = LAB_KERNEL_6_1,
								   .no_arena = 1 });
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	/* limit = 512 + 512 = 1024: the third call must not reserve */
	for (int i = 0; i < 5; i++)
		lab__reserve_highatomic_pageblock(m, z, lab_pfn_to_page(m, (uint64_t)i * 512));
	assert_int_equal(z->nr_reserved_highatomic, 1024);
	assert_int_equal(get_pageblock_migratetype(m, 1024), LAB_MIGRATE_MOVABLE);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* M4: without force a zone keeps its last reserved pageblock; with force it goes. */
static void test_highatomic_unreserve_keeps_last_block_unless_forced(void **state)
{
	(void)state;
	struct fixture *f = pressured();
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_ATOMIC, 3);
	assert_int_equal(z->nr_reserved_highatomic, 512);
	assert_false(lab__unreserve_highatomic_pageblock(m, LAB_ZONE_NORMAL, LAB_MIGRATE_MOVABLE, false));
	assert_true(lab__unreserve_highatomic_pageblock(m, LAB_ZONE_NORMAL, LAB_MIGRATE_MOVABLE, true));
	assert_int_equal(z->nr_reserved_highatomic, 0);
	assert_int_equal(get_pageblock_migratetype(m, lab_page_to_pfn(p)), LAB_MIGRATE_MOVABLE);
	lab_free_pages(m, p, 3);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* With every free page in a HighAtomic pageblock: GFP_KERNEL fails (the
 * reserve is not counted), order-0 GFP_ATOMIC succeeds from it as a last
 * resort (6.1.116+ semantics). */
static void test_highatomic_order0_atomic_last_resort(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .pageblock_order = 9, .kernel = LAB_KERNEL_6_1 });
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	lab_set_watermark_scale_factor(m, 1);
	struct lab_page *pb = lab_alloc_pages(m, LAB_GFP_KERNEL, 9);   /* takes one pageblock */
	assert_non_null(pb);
	lab__reserve_highatomic_pageblock(m, z, lab_pfn_to_page(m, 512));
	assert_int_equal(z->nr_reserved_highatomic, 512);
	assert_int_equal(z->nr_free_mt[9][LAB_MIGRATE_HIGHATOMIC], 1);
	assert_null(lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN | LAB___GFP_NORETRY, 0));
	struct lab_page *a = lab_alloc_pages(m, LAB_GFP_ATOMIC, 0);
	assert_non_null(a);
	assert_int_equal(lab_page_to_pfn(a) >> 9, 1);
	lab_free_pages(m, a, 0);
	lab_free_pages(m, pb, 9);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* A blocking request that would fail gets the highatomic pageblocks back
 * (unreserve before giving up) and succeeds. */
static void test_highatomic_blocking_request_unreserves_before_failing(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .pageblock_order = 9, .kernel = LAB_KERNEL_6_1 });
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	lab_set_watermark_scale_factor(m, 1);
	struct lab_page *pb = lab_alloc_pages(m, LAB_GFP_KERNEL, 9);
	lab__reserve_highatomic_pageblock(m, z, lab_pfn_to_page(m, 512));
	struct lab_page *k = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);
	assert_non_null(k);
	assert_int_equal(z->nr_reserved_highatomic, 0);
	lab_free_pages(m, k, 0);
	lab_free_pages(m, pb, 9);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/*
 * The Linux 6.1 highatomic drift, built on purpose (64 pages, 16-page
 * pageblocks, per-CPU lists): a page parked on a per-CPU list keeps its
 * Movable type while its pageblock (pfn 16-31) is reserved HighAtomic; the
 * drain frees it as Movable, so the HighAtomic pageblock merges with the
 * Movable one at pfn 0 into one Movable buddy; an Unmovable fallback steals
 * that buddy whole and retypes both pageblocks, nr_reserved_highatomic
 * untouched. lab_mem_check counts it as named drift, not as a violation.
 */
static void test_highatomic_drift_of_linux_6_1_is_reported_not_a_violation(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64, .pageblock_order = 4, .kernel = LAB_KERNEL_6_1,
								   .pcp = 1, .nr_cpus = 1 });
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	struct lab_page *x = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 4);   /* pageblock 0 */
	assert_int_equal(lab_page_to_pfn(x), 0);
	struct lab_page *a = lab_alloc_pages(m, LAB_GFP_HIGHUSER_MOVABLE, 0);   /* refills the pcp */
	assert_int_equal(lab_page_to_pfn(a) >> 4, 1);
	lab_free_pages(m, a, 0);                  /* back on the pcp list, cached type Movable */
	lab__reserve_highatomic_pageblock(m, z, a);
	assert_int_equal(z->nr_reserved_highatomic, 16);
	assert_int_equal(get_pageblock_migratetype(m, 16), LAB_MIGRATE_HIGHATOMIC);
	lab_free_pages(m, x, 4);
	lab_drain_all_pages(m);                   /* frees pfn 16.. as Movable: merges across */
	assert_int_equal(z->highatomic_drift, 0);
	assert_mem_ok(f);
	struct lab_page *k = lab_alloc_pages(m, LAB_GFP_KERNEL, 0);   /* Unmovable: falls back, steals */
	assert_non_null(k);
	assert_int_equal(get_pageblock_migratetype(m, 16), LAB_MIGRATE_UNMOVABLE);
	assert_int_equal(z->nr_reserved_highatomic, 16);                /* 6.1: still counted */
	assert_int_equal(z->highatomic_drift, 1);
	fixture_clear_log(f);
	assert_mem_ok(f);                                               /* drift, not corruption */
	assert_true(fixture_logged(f, "highatomic drift: 1 pageblocks"));
	assert_true(fixture_logged(f, "change_pageblock_range"));
	/* a count that matches neither the pageblocks nor the drift is corruption */
	z->nr_reserved_highatomic = 48;
	assert_int_equal(lab_mem_check(m), 1);
	z->nr_reserved_highatomic = 16;
	lab_free_pages(m, k, 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_highatomic_reserved_on_atomic_high_order),
		cmocka_unit_test(test_highatomic_not_reserved_for_order0_or_when_disabled),
		cmocka_unit_test(test_highatomic_limit_per_zone),
		cmocka_unit_test(test_highatomic_unreserve_keeps_last_block_unless_forced),
		cmocka_unit_test(test_highatomic_order0_atomic_last_resort),
		cmocka_unit_test(test_highatomic_blocking_request_unreserves_before_failing),
		cmocka_unit_test(test_highatomic_drift_of_linux_6_1_is_reported_not_a_violation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
