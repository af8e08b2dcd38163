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
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64, .kernel = LAB_KERNEL_6_1 });
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

/* The failure record, one reason at a time. */

/* Below the watermark: GFP_KERNEL at min with every page above it taken;
 * the record carries free, the mark (boost included) and the flags, and the
 * same record reaches warn_alloc. */
static void test_alloc_failure_reason_watermark(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .min_free_kbytes = 1024 });
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	struct lab_page *held[1024];
	struct lab_alloc_refusals why;
	int n = 0;
	struct lab_page *p;
	while ((p = lab_alloc_pages(f->mem, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 0)))
		held[n++] = p;
	assert_null(lab_alloc_pages_why(f->mem, LAB_GFP_KERNEL, 0, &why));
	assert_int_equal(why.nr, 1);
	assert_int_equal(why.zone[0].zone, LAB_ZONE_NORMAL);
	assert_int_equal(why.zone[0].reason, LAB_REFUSED_WATERMARK);
	assert_int_equal(why.zone[0].alloc_flags, 0x840);
	assert_int_equal(why.zone[0].free, 256);
	assert_int_equal(why.zone[0].unusable, 0);
	assert_int_equal(why.zone[0].mark, 256 + z->boost);
	assert_int_equal(why.zone[0].min, 256 + z->boost);   /* GFP_KERNEL: no reduction */
	assert_int_equal(why.zone[0].lowmem_reserve, 0);
	assert_int_equal(f->nwarn, 1);
	assert_memory_equal(&f->last_warn.refusals, &why, sizeof(why));
	/* GFP_ATOMIC: min/2 - min/8, and a success returns an empty record */
	p = lab_alloc_pages_why(f->mem, LAB_GFP_ATOMIC, 0, &why);
	assert_non_null(p);
	assert_int_equal(why.nr, 0);
	held[n++] = p;
	for (int i = 0; i < n; i++)
		lab_free_pages(f->mem, held[i], 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* No block: half the pages free, none in a pair: an order-1 request is
 * above its mark and finds no block on any list. */
static void test_alloc_failure_reason_no_block(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64 });
	struct lab_alloc_refusals why;
	struct lab_page *pg[64];
	for (int i = 0; i < 64; i++)
		assert_non_null(pg[i] = lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 0));
	for (int i = 0; i < 64; i += 2)
		lab_free_pages(f->mem, pg[i], 0);
	assert_null(lab_alloc_pages_why(f->mem, LAB_GFP_NOWAIT | LAB___GFP_NOWARN, 1, &why));
	assert_int_equal(f->nwarn, 0);
	assert_int_equal(why.nr, 1);
	assert_int_equal(why.zone[0].reason, LAB_REFUSED_NO_BLOCK);
	assert_int_equal(why.zone[0].blocks, LAB_BLOCKS_NONE);
	assert_int_equal(why.zone[0].alloc_flags, 0x850);
	assert_int_equal(why.zone[0].free, 32);
	assert_int_equal(why.zone[0].unusable, 1);   /* 2^1 - 1 */
	for (int i = 1; i < 64; i += 2)
		lab_free_pages(f->mem, pg[i], 0);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Only highatomic: the free pages sit in a HighAtomic pageblock. GFP_NOWAIT
 * order 1 counts them (non-blocking) but may not take the block; GFP_KERNEL
 * may not even count them (the reserve is unusable free). 6.1: a zone this
 * small gets no reserve in 6.12. */
static void test_alloc_failure_reason_highatomic_only(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .pageblock_order = 9,
								    .kernel = LAB_KERNEL_6_1 });
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	struct lab_alloc_refusals why;
	lab_set_watermark_scale_factor(m, 1);
	struct lab_page *pb = lab_alloc_pages(m, LAB_GFP_KERNEL, 9);
	assert_non_null(pb);
	lab__reserve_highatomic_pageblock(m, z, lab_pfn_to_page(m, 512));
	assert_null(lab_alloc_pages_why(m, LAB_GFP_NOWAIT | LAB___GFP_NOWARN, 1, &why));
	assert_int_equal(why.nr, 1);
	assert_int_equal(why.zone[0].reason, LAB_REFUSED_HIGHATOMIC_ONLY);
	assert_int_equal(why.zone[0].blocks, LAB_BLOCKS_RESERVED_ONLY);
	assert_int_equal(why.zone[0].free, 512);
	assert_int_equal(why.zone[0].unusable, 1);   /* non-blocking: the reserve counts */
	assert_null(lab_alloc_pages_why(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN | LAB___GFP_NORETRY, 0, &why));
	assert_int_equal(why.zone[0].reason, LAB_REFUSED_WATERMARK);
	assert_int_equal(why.zone[0].free, 512);
	assert_int_equal(why.zone[0].unusable, 512);  /* nr_reserved_highatomic */
	lab_free_pages(m, pb, 9);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* Not allowed, and the reserve: a GFP_DMA request lists Normal and DMA32
 * as not allowed; a GFP_KERNEL request is refused by DMA's lowmem_reserve
 * for Normal, with that number in the record. */
static void test_alloc_failure_reason_not_allowed_and_reserve(void **state)
{
	(void)state;
	struct fixture *f = three_zones(0);
	struct lab_mem *m = f->mem;
	int ratio[5] = { 1, 1, 32, 0, 0 };
	struct lab_alloc_refusals why;
	struct lab_page *held[64], *p;
	int n = 0;
	lab_set_lowmem_reserve_ratio(m, ratio);
	while ((p = lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN, 9)))
		held[n++] = p;
	assert_null(lab_alloc_pages_why(m, LAB_GFP_NOWAIT | LAB___GFP_NOWARN, 9, &why));
	assert_int_equal(why.nr, 3);
	assert_int_equal(why.zone[0].zone, LAB_ZONE_NORMAL);
	assert_int_equal(why.zone[1].zone, LAB_ZONE_DMA32);
	assert_int_equal(why.zone[2].zone, LAB_ZONE_DMA);
	assert_int_equal(why.zone[2].reason, LAB_REFUSED_WATERMARK);
	assert_int_equal(why.zone[2].free, 1024);
	assert_int_equal(why.zone[2].lowmem_reserve, m->zones[LAB_ZONE_DMA].lowmem_reserve[LAB_ZONE_NORMAL]);
	assert_true(why.zone[2].lowmem_reserve >= 1024 - 511);
	assert_int_equal(why.zone[2].blocks, LAB_BLOCKS_USABLE);
	/* DMA gives its block to GFP_DMA; the next GFP_DMA finds DMA empty */
	struct lab_page *d = lab_alloc_pages(m, LAB_GFP_DMA, 9);
	struct lab_page *d2 = lab_alloc_pages(m, LAB_GFP_DMA, 9);
	assert_non_null(d);
	assert_non_null(d2);
	assert_null(lab_alloc_pages_why(m, LAB_GFP_DMA | LAB___GFP_NOWARN | LAB___GFP_NORETRY, 0, &why));
	assert_int_equal(why.nr, 3);
	assert_int_equal(why.zone[0].reason, LAB_REFUSED_NOT_ALLOWED);
	assert_int_equal(why.zone[1].reason, LAB_REFUSED_NOT_ALLOWED);
	assert_int_equal(why.zone[1].free, (int64_t)fixture_zone_free(f, LAB_ZONE_DMA32));
	assert_int_equal(why.zone[2].reason, LAB_REFUSED_WATERMARK);
	assert_int_equal(why.zone[2].free, 0);
	lab_free_pages(m, d, 9);
	lab_free_pages(m, d2, 9);
	for (int i = 0; i < n; i++)
		lab_free_pages(m, held[i], 9);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* The rule on plain numbers (6.1): the reductions, the unusable pages, the
 * lowmem reserve, the order > 0 list test, the order-0 atomic retry
 * without the boost. test_kernel.c has 6.12's. */
static void test_alloc_watermark_check_pure(void **state)
{
	(void)state;
	struct lab_zone_refused r;
	struct lab_wmark_zone z = { .free = 996, .mark = 800, .min = 800, .lowmem_reserve = 100,
				    .reserved_highatomic = 64, .free_cma = 32, .kernel = LAB_KERNEL_6_1 };
	z.nonempty[LAB_MIGRATE_MOVABLE] = 0x7;   /* orders 0..2 */
	z.nonempty[LAB_MIGRATE_HIGHATOMIC] = 0x10; /* order 4 */
	unsigned kernel = lab_gfp_alloc_flags(LAB_GFP_KERNEL, 0, 0);
	assert_int_equal(kernel, 0x840);
	/* 996 - 64 - 32 = 900 <= 800 + 100 */
	assert_int_equal(lab_zone_watermark_check(&z, 0, kernel, LAB_GFP_KERNEL, &r), LAB_REFUSED_WATERMARK);
	assert_int_equal(r.unusable, 96);
	assert_int_equal(r.min, 800);
	z.free = 997;
	assert_int_equal(lab_zone_watermark_check(&z, 0, kernel, LAB_GFP_KERNEL, NULL), 0);
	/* GFP_ATOMIC order 4: min 800 -> 400 -> 300, highatomic counted and usable */
	unsigned atomic4 = lab_gfp_alloc_flags(LAB_GFP_ATOMIC, 4, 0);
	assert_int_equal(lab_zone_watermark_check(&z, 4, atomic4, LAB_GFP_ATOMIC, &r), 0);
	/* GFP_NOWAIT order 4: no reduction, the order-4 block is HighAtomic only */
	z.free = 2000;
	unsigned nowait4 = lab_gfp_alloc_flags(LAB_GFP_NOWAIT, 4, 0);
	assert_int_equal(lab_zone_watermark_check(&z, 4, nowait4, LAB_GFP_NOWAIT, &r), LAB_REFUSED_HIGHATOMIC_ONLY);
	assert_int_equal(r.blocks, LAB_BLOCKS_RESERVED_ONLY);
	assert_int_equal(r.unusable, 15 + 32);
	assert_int_equal(lab_zone_watermark_check(&z, 5, nowait4, LAB_GFP_NOWAIT, &r), LAB_REFUSED_NO_BLOCK);
	/* order-0 GFP_ATOMIC in a boosted zone: the retry at the unboosted min */
	struct lab_wmark_zone b = { .free = 300, .mark = 1000, .boost = 600, .min = 400, .kernel = LAB_KERNEL_6_1 };
	unsigned atomic0 = lab_gfp_alloc_flags(LAB_GFP_ATOMIC, 0, 0);
	assert_int_equal(lab_zone_watermark_check(&b, 0, atomic0, LAB_GFP_ATOMIC, &r), 0);
	b.free = 150;   /* 400 -> 200 -> 150: refused at the unboosted mark */
	assert_int_equal(lab_zone_watermark_check(&b, 0, atomic0, LAB_GFP_ATOMIC, &r), LAB_REFUSED_WATERMARK);
	assert_int_equal(r.mark, 400);
	assert_int_equal(r.min, 150);
	/* GFP_NOWAIT has no __GFP_ATOMIC: the boost stays */
	b.free = 999;
	assert_int_equal(lab_zone_watermark_check(&b, 0, lab_gfp_alloc_flags(LAB_GFP_NOWAIT, 0, 0), LAB_GFP_NOWAIT, &r),
			 LAB_REFUSED_WATERMARK);
	assert_int_equal(r.mark, 1000);
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
		cmocka_unit_test(test_alloc_failure_reason_watermark),
		cmocka_unit_test(test_alloc_failure_reason_no_block),
		cmocka_unit_test(test_alloc_failure_reason_highatomic_only),
		cmocka_unit_test(test_alloc_failure_reason_not_allowed_and_reserve),
		cmocka_unit_test(test_alloc_watermark_check_pure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
