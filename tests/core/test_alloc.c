/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_alloc.c - the allocation path: alloc flags (vectors D),
 * zone fallback and lowmem reserve, ALLOC_NOFRAGMENT, __GFP_ZERO,
 * __GFP_COMP, the address API, alloc_pages_exact, failure records.
 */
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

#define MIB (1ull << 20)

/* D1-D6: gfp_to_alloc_flags, 6.1.157+ semantics, CMA off. */
static void test_alloc_gfp_to_alloc_flags_vectors(void **state)
{
	(void)state;
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_KERNEL, 0), 0x840);
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_ATOMIC, 0), 0x830);
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_ATOMIC, 3), 0xa30);
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_NOWAIT, 0), 0x850);
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_NOWAIT, 2), 0x850);
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_ATOMIC | LAB___GFP_NOMEMALLOC, 0), 0x820);
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_NOIO, 0), 0x840);
	assert_int_equal(lab__gfp_to_alloc_flags(LAB_GFP_NOFS, 0), 0x840);
	/* a 6.3-style GFP_ATOMIC (0x820) is treated the same */
	assert_int_equal(lab__gfp_to_alloc_flags(0x820, 3), 0xa30);
}

/* Three zones: DMA [0,4M), DMA32 [4M,16M), Normal [16M,32M). */
static struct fixture *three_zones(int min_free_kbytes)
{
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 32 * 256, .pageblock_order = 6,
		.use_default_zones = 1, .zone_dma_limit = 4 * MIB, .zone_dma32_limit = 16 * MIB,
		.min_free_kbytes = min_free_kbytes });
	/* smallest gap: watermarks stay 0 when min_free_kbytes is 0 */
	assert_int_equal(lab_set_watermark_scale_factor(f->mem, 1), 0);
	return f;
}

/* Requests use their highest zone first and fall back downwards. */
static void test_alloc_zone_order_and_limits(void **state)
{
	(void)state;
	struct fixture *f = three_zones(0);
	struct lab_page *k = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	struct lab_page *d32 = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB_GFP_DMA32, 0);
	struct lab_page *d = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB_GFP_DMA, 0);
	assert_int_equal(k->zone, LAB_ZONE_NORMAL);
	assert_int_equal(d32->zone, LAB_ZONE_DMA32);
	assert_int_equal(d->zone, LAB_ZONE_DMA);
	assert_true(lab_page_to_phys(d) < 4 * MIB);
	lab_free_pages(f->mem, k, 0);
	lab_free_pages(f->mem, d32, 0);
	lab_free_pages(f->mem, d, 0);
	/* fill Normal: the next GFP_KERNEL comes from DMA32 */
	struct lab_page *big[4];
	for (int i = 0; i < 4; i++)
		big[i] = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 10);
	assert_int_equal(big[3]->zone, LAB_ZONE_NORMAL);
	struct lab_page *next = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0);
	assert_int_equal(next->zone, LAB_ZONE_DMA32);
	lab_free_pages(f->mem, next, 0);
	for (int i = 0; i < 4; i++)
		lab_free_pages(f->mem, big[i], 10);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* lowmem_reserve keeps DMA back from Normal-capable requests: with Normal
 * and DMA32 full, GFP_KERNEL fails while DMA still has free pages that a
 * GFP_DMA request gets. */
static void test_alloc_lowmem_reserve_protects_dma(void **state)
{
	(void)state;
	struct fixture *f = three_zones(0);
	struct lab_mem *m = f->mem;
	int ratio[5] = { 1, 1, 32, 0, 0 };   /* DMA keeps everything above it back */
	lab_set_lowmem_reserve_ratio(m, ratio);
	struct lab_page *held[64];
	int n = 0;
	struct lab_page *p;
	while ((p = lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 9)))
		held[n++] = p;
	for (int i = 0; i < n; i++)
		assert_int_not_equal(held[i]->zone, LAB_ZONE_DMA);
	assert_true(fixture_zone_free(f, LAB_ZONE_DMA) == 1024);
	p = lab_alloc_pages(m, LAB_GFP_DMA, 9);
	assert_non_null(p);
	lab_free_pages(m, p, 9);
	for (int i = 0; i < n; i++)
		lab_free_pages(m, held[i], 9);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* __GFP_ZERO returns zeroed memory; without it old contents may remain. */
static void test_alloc_gfp_zero_clears(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 2);
	memset(lab_page_address(p), 0xa5, 4 * 4096);
	lab_free_pages(f->mem, p, 2);
	struct lab_page *q = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_ZERO, 2);
	assert_ptr_equal(p, q);
	const unsigned char *b = lab_page_address(q);
	for (int i = 0; i < 4 * 4096; i++)
		assert_int_equal(b[i], 0);
	lab_free_pages(f->mem, q, 2);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* __GFP_COMP: the head records the order; freeing a tail is refused. */
static void test_alloc_compound_head_and_tails(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_COMP, 3);
	assert_int_equal(lab_compound_order(p), 3);
	assert_int_equal(lab_compound_order(p + 1), 0);
	assert_int_equal(lab_try_free_pages(f->mem, p + 5, 0), LAB_EINVAL);
	assert_true(fixture_logged(f, "PageTail"));
	assert_mem_ok(f);
	lab_free_pages(f->mem, p, 3);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 64);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Address API: get_free_pages/virt_to_page/free_pages_addr round trip. */
static void test_alloc_address_api_round_trip(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64, .phys_base = 1 * MIB });
	void *va = lab_get_free_pages(f->mem, LAB_GFP_KERNEL, 1);
	assert_non_null(va);
	struct lab_page *p = lab_virt_to_page(va);
	assert_ptr_equal(lab_page_address(p), va);
	assert_ptr_equal(lab_virt_to_page((char *)va + 4096 + 17), p + 1);
	assert_int_equal(lab_page_to_phys(p), 1 * MIB + ((char *)va - (char *)f->arena));
	assert_ptr_equal(lab_pfn_to_page(f->mem, lab_page_to_pfn(p)), p);
	assert_null(lab_pfn_to_page(f->mem, 0));
	assert_ptr_equal(lab_page_mem(p), f->mem);
	lab_free_pages_addr(f->mem, va, 1);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 64);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* alloc_pages_exact: 5 pages cost 5 pages, not 8, and free back whole. */
static void test_alloc_pages_exact_returns_tail(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	void *va = lab_alloc_pages_exact(f->mem, 5 * 4096 - 100, LAB_GFP_KERNEL);
	assert_non_null(va);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 64 - 5);
	assert_mem_ok(f);
	lab_free_pages_exact(f->mem, va, 5 * 4096 - 100);
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 64);
	assert_int_equal(f->mem->zones[LAB_ZONE_NORMAL].nr_free[6], 1);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Highmem is its own zone: only __GFP_HIGHMEM requests reach it, its pages
 * have no permanent address, and GFP_KERNEL never gets one. */
static void test_alloc_highmem_zone_only_for_highmem_requests(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 4096, .pageblock_order = 9,
								   .highmem_start = 2048 * 4096 });
	struct lab_page **held = calloc(4096, sizeof(*held));
	struct lab_mem_stats s;
	int n = 0, highs = 0;
	struct lab_page *p;
	lab_mem_get_stats(f->mem, &s);
	assert_true(s.highmem_zone);
	assert_string_equal(lab_zone_name(&s, LAB_ZONE_MOVABLE), "HighMem");
	assert_int_equal(s.zone[LAB_ZONE_MOVABLE].managed, 2048);
	assert_int_equal(s.zone[LAB_ZONE_MOVABLE].wmark[LAB_WMARK_MIN], 32);   /* clamp(2048/1024, 32, 128) */
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0))) {
		assert_true(lab_page_to_pfn(p) < 2048);
		assert_non_null(lab_page_address(p));
		held[n++] = p;
	}
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_HIGHUSER | LAB___GFP_NOWARN, 0))) {
		assert_true(lab_page_to_pfn(p) >= 2048);
		assert_null(lab_page_address(p));
		highs++;
		held[n++] = p;
	}
	assert_true(highs > 2000);
	for (int i = 0; i < n; i++)
		lab_free_pages(f->mem, held[i], 0);
	free(held);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* order >= MAX_ORDER is refused with a warning, nothing changes. */
static void test_alloc_order_too_large_refused(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL, LAB_MAX_ORDER));
	assert_true(fixture_logged(f, "MAX_ORDER"));
	assert_int_equal(fixture_zone_free(f, LAB_ZONE_NORMAL), 64);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* A failure produces one record with the request and the zones' state;
 * __GFP_NOWARN produces none; records are rate limited to one per 10 s. */
static void test_alloc_failure_record_and_ratelimit(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	f->comm = "nic-irq";
	f->now = 1000;
	struct lab_page *all = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 6);
	assert_non_null(all);
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 0));
	assert_int_equal(f->nwarn, 0);
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_COMP, 3));
	assert_int_equal(f->nwarn, 1);
	assert_int_equal(f->last_warn.order, 3);
	assert_int_equal(f->last_warn.gfp, LAB_GFP_ATOMIC | LAB___GFP_COMP);
	assert_string_equal(f->last_warn.comm, "nic-irq");
	assert_int_equal(f->last_warn.mem.zone[LAB_ZONE_NORMAL].managed, 64);
	assert_int_equal(f->last_warn.mem.zone[LAB_ZONE_NORMAL].free, 0);
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 0));
	assert_int_equal(f->nwarn, 1);                 /* within 10 s */
	f->now += 10ull * 1000000000ull;
	assert_null(lab_alloc_pages(f->mem, LAB_GFP_ATOMIC, 0));
	assert_int_equal(f->nwarn, 2);
	struct lab_mem_stats s;
	lab_mem_get_stats(f->mem, &s);
	assert_int_equal(s.events[LAB_EV_ALLOC_FAIL], 4);
	assert_int_equal(s.events[LAB_EV_ALLOC_FAIL_ATOMIC], 4);
	lab_free_pages(f->mem, all, 6);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* The fast path needs free > low; the atomic slow path goes down to 3/8 of min. */
static void test_alloc_atomic_dips_below_min(void **state)
{
	(void)state;
	/* 1024 pages, min_free_kbytes 1024 -> min 256, low 320 */
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .min_free_kbytes = 1024 });
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	assert_int_equal(z->wmark[LAB_WMARK_MIN], 256);
	struct lab_page *held[1024];
	int n = 0;
	struct lab_page *p;
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0)))
		held[n++] = p;
	assert_int_equal(z->free_pages, 256);   /* GFP_KERNEL allocates while free > min */
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 0)))
		held[n++] = p;
	assert_int_equal(z->free_pages, 96);    /* 256 - 128 - 32 = 96 */
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_MEMALLOC | LAB___GFP_NOWARN, 0)))
		held[n++] = p;
	assert_int_equal(z->free_pages, 0);          /* __GFP_MEMALLOC: no watermarks */
	for (int i = 0; i < n; i++)
		lab_free_pages(f->mem, held[i], 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_gfp_to_alloc_flags_vectors),
		cmocka_unit_test(test_alloc_zone_order_and_limits),
		cmocka_unit_test(test_alloc_lowmem_reserve_protects_dma),
		cmocka_unit_test(test_alloc_gfp_zero_clears),
		cmocka_unit_test(test_alloc_compound_head_and_tails),
		cmocka_unit_test(test_alloc_address_api_round_trip),
		cmocka_unit_test(test_alloc_pages_exact_returns_tail),
		cmocka_unit_test(test_alloc_highmem_zone_only_for_highmem_requests),
		cmocka_unit_test(test_alloc_order_too_large_refused),
		cmocka_unit_test(test_alloc_failure_record_and_ratelimit),
		cmocka_unit_test(test_alloc_atomic_dips_below_min),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
