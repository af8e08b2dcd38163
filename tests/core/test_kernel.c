/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_kernel.c - kernel profiles (src/core/kernel.c): names,
 * the nearest profile of a release string, the profile an instance gets.
 * The behaviour each profile changes is proven next to its mechanism
 * (test_watermark.c, test_gfp.c, ...); docs/kernels.md lists the vectors.
 */
#include <stdio.h>
#include <stdlib.h>
#include "util/fixture.h"
#include "core/internal.h"

static void test_kernel_names_round_trip(void **state)
{
	(void)state;
	enum lab_kernel k = LAB_KERNEL_DEFAULT;
	assert_string_equal(lab_kernel_name(LAB_KERNEL_6_1), "6.1");
	assert_string_equal(lab_kernel_name(LAB_KERNEL_6_12), "6.12");
	assert_string_equal(lab_kernel_version(LAB_KERNEL_6_1), "6.1.192");
	assert_string_equal(lab_kernel_version(LAB_KERNEL_6_12), "6.12.118");
	assert_int_equal(lab_kernel_parse("6.1", &k), 0);
	assert_int_equal(k, LAB_KERNEL_6_1);
	assert_int_equal(lab_kernel_parse("6.12", &k), 0);
	assert_int_equal(k, LAB_KERNEL_6_12);
	/* the default is a profile, and the name says which */
	assert_int_equal(lab_kernel_resolve(LAB_KERNEL_DEFAULT), LAB_KERNEL_DEFAULT_PROFILE);
	assert_string_equal(lab_kernel_name(LAB_KERNEL_DEFAULT), lab_kernel_name(LAB_KERNEL_DEFAULT_PROFILE));
}

static void test_kernel_parse_refuses_non_profiles(void **state)
{
	(void)state;
	enum lab_kernel k = LAB_KERNEL_6_12;
	static const char *const bad[] = { "", "6", "6.", "6.2", "6.10", "6.1.192", "6.12x", " 6.1", "6.1 ", "v6.1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lab_kernel_parse(bad[i], &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_parse(NULL, &k), LAB_EINVAL);
	assert_int_equal(k, LAB_KERNEL_6_12);   /* untouched */
	assert_null(lab_kernel_name((enum lab_kernel)7));
	assert_null(lab_kernel_version((enum lab_kernel)-1));
}

/* 4.x-6.2 -> 6.1, 6.3 and newer -> 6.12; the first N.M of the string. */
static void test_kernel_for_release_picks_nearest(void **state)
{
	(void)state;
	static const struct { const char *rel; enum lab_kernel k; } v[] = {
		{ "6.1.0-56-amd64", LAB_KERNEL_6_1 },    { "4.19", LAB_KERNEL_6_1 },
		{ "3.10.0-327.el7", LAB_KERNEL_6_1 },    { "5.10.0-30-amd64", LAB_KERNEL_6_1 },
		{ "6.2.16", LAB_KERNEL_6_1 },            { "6.3", LAB_KERNEL_6_12 },
		{ "6.6.58", LAB_KERNEL_6_12 },           { "6.8.0-49-generic", LAB_KERNEL_6_12 },
		{ "6.12.118+deb13-amd64", LAB_KERNEL_6_12 }, { "6.18.44", LAB_KERNEL_6_12 },
		{ "7.0", LAB_KERNEL_6_12 },              { "Linux version 6.1.192 (debian)", LAB_KERNEL_6_1 },
		{ "kernel 16.1 ... 6.12.1", LAB_KERNEL_6_12 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		enum lab_kernel k = LAB_KERNEL_DEFAULT;
		assert_int_equal(lab_kernel_for_release(v[i].rel, &k), 0);
		if (k != v[i].k)
			fail_msg("%s -> %d, expected %d", v[i].rel, k, v[i].k);
	}
}

static void test_kernel_for_release_refuses_no_version(void **state)
{
	(void)state;
	enum lab_kernel k = LAB_KERNEL_6_1;
	assert_int_equal(lab_kernel_for_release("", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release("amd64", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release("6", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release("6.x", &k), LAB_EINVAL);
	assert_int_equal(lab_kernel_for_release(NULL, &k), LAB_EINVAL);
	assert_int_equal(k, LAB_KERNEL_6_1);
}

/* The instance reports its profile; a zeroed config gets the default. */
static void test_kernel_instance_has_its_profile(void **state)
{
	(void)state;
	for (int k = LAB_KERNEL_DEFAULT; k < LAB_KERNEL_NR; k++) {
		struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .kernel = (enum lab_kernel)k });
		assert_int_equal(lab_mem_kernel(f->mem), lab_kernel_resolve((enum lab_kernel)k));
		fixture_destroy(f);
	}
	assert_int_equal(lab_mem_kernel(NULL), LAB_KERNEL_DEFAULT);
}

/* A value that is no profile is refused with a reason. */
static char last_log[256];
static void keep_log(void *ctx, enum lab_log_level l, const char *line)
{
	(void)ctx;
	(void)l;
	snprintf(last_log, sizeof(last_log), "%s", line);
}

static void test_kernel_bad_profile_refused_by_init(void **state)
{
	(void)state;
	static char meta[1 << 16] __attribute__((aligned(64)));
	static const struct lab_platform plat = { .log = keep_log };
	struct lab_range r = { 0, 1 << 20 };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .kernel = (enum lab_kernel)3, .platform = &plat,
				      .metadata = meta, .metadata_bytes = sizeof(meta) };
	int err = 0;
	assert_int_equal(lab_mem_metadata_bytes(&cfg), 0);
	assert_null(lab_mem_init(&cfg, &err));
	assert_int_equal(err, LAB_EINVAL);
	assert_non_null(strstr(last_log, "kernel"));
}

/* ---- the differences (docs/kernels.md), each failing under the other profile ---- */

/* K-BOOST (pure): zone_watermark_fast's unboosted retry. 6.1 keys it on
 * __GFP_ATOMIC (0x200), 6.3+ on ALLOC_MIN_RESERVE (__GFP_HIGH): 6.12's
 * GFP_ATOMIC (0x820) and a blocking __GFP_HIGH request get it there only. */
static void test_kernel_boost_exemption_by_min_reserve(void **state)
{
	(void)state;
	struct lab_zone_refused r;
	struct lab_wmark_zone b = { .free = 300, .mark = 1000, .boost = 600, .min = 400 };
	const lab_gfp_t atomic_612 = LAB___GFP_HIGH | LAB___GFP_KSWAPD_RECLAIM;          /* 0x820 */
	const lab_gfp_t kernel_high = LAB_GFP_KERNEL | LAB___GFP_HIGH;                  /* 0xce0 */
	unsigned fa = lab_gfp_alloc_flags(atomic_612, 0, 0), fk = lab_gfp_alloc_flags(kernel_high, 0, 0);

	b.kernel = LAB_KERNEL_6_12;
	assert_int_equal(lab_zone_watermark_check(&b, 0, fa, atomic_612, &r), 0);
	assert_int_equal(r.mark, 400);                       /* checked at the unboosted min */
	b.free = 200;                     /* atomic: 400 -> 200 -> 150; blocking __GFP_HIGH: 200 */
	assert_int_equal(lab_zone_watermark_check(&b, 0, fa, atomic_612, NULL), 0);
	assert_int_equal(lab_zone_watermark_check(&b, 0, fk, kernel_high, &r), LAB_REFUSED_WATERMARK);
	b.free = 201;
	assert_int_equal(lab_zone_watermark_check(&b, 0, fk, kernel_high, NULL), 0);
	/* the same numbers under 6.1: no __GFP_ATOMIC, the boost stays */
	b.kernel = LAB_KERNEL_6_1;
	assert_int_equal(lab_zone_watermark_check(&b, 0, fa, atomic_612, &r), LAB_REFUSED_WATERMARK);
	assert_int_equal(r.mark, 1000);
	assert_int_equal(lab_zone_watermark_check(&b, 0, fk, kernel_high, NULL), LAB_REFUSED_WATERMARK);
	assert_int_equal(lab_zone_watermark_check(&b, 0, fa | 0, LAB_GFP_ATOMIC, NULL), 0);   /* 0xa20 */
	/* neither exempts order > 0 nor a request without __GFP_HIGH */
	b.kernel = LAB_KERNEL_6_12;
	b.free = 999;
	assert_int_equal(lab_zone_watermark_check(&b, 0, lab_gfp_alloc_flags(LAB___GFP_KSWAPD_RECLAIM, 0, 0),
						  LAB___GFP_KSWAPD_RECLAIM, NULL), LAB_REFUSED_WATERMARK);
}

/* Memory at 800 free pages of a zone with min 1024 and a boost of 2048:
 * GFP_ATOMIC order 0 needs 1152 boosted, 384 unboosted. */
static struct fixture *boosted_zone(enum lab_kernel k)
{
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 16384, .pageblock_order = 9,
									.kernel = k, .min_free_kbytes = 4096 });
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	assert_int_equal(z->wmark[LAB_WMARK_MIN], 1024);
	while (zone_free(z) > 800)
		assert_non_null(lab_alloc_pages(f->mem, LAB___GFP_MEMALLOC | LAB___GFP_NOWARN, 0));
	z->boost = 2048;
	return f;
}

/* K-BOOST (instance): the allocator itself follows the profile. */
static void test_kernel_boost_exemption_in_the_allocator(void **state)
{
	(void)state;
	const lab_gfp_t atomic_612 = LAB___GFP_HIGH | LAB___GFP_KSWAPD_RECLAIM | LAB___GFP_NOWARN;
	struct fixture *f = boosted_zone(LAB_KERNEL_6_12);
	assert_non_null(lab_alloc_pages(f->mem, atomic_612, 0));
	fixture_destroy(f);
	f = boosted_zone(LAB_KERNEL_6_1);
	assert_null(lab_alloc_pages(f->mem, atomic_612, 0));
	assert_non_null(lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 0));   /* 0xa20 */
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* K-HAFREE: __zone_watermark_unusable_free keeps nr_reserved_highatomic
 * (6.1) or nr_free_highatomic (6.12) from callers without reserves: a
 * reserve whose pages are all allocated costs a 6.12 caller nothing. */
static void test_kernel_unusable_highatomic_is_free_pages_6_12(void **state)
{
	(void)state;
	struct lab_zone_refused r;
	struct lab_wmark_zone z = { .free = 1200, .mark = 1000, .min = 1000, .reserved_highatomic = 512,
				    .free_highatomic = 0 };
	unsigned fk = lab_gfp_alloc_flags(LAB_GFP_KERNEL, 0, 0);

	z.kernel = LAB_KERNEL_6_12;
	assert_int_equal(lab_zone_watermark_check(&z, 0, fk, LAB_GFP_KERNEL, &r), 0);
	assert_int_equal(r.unusable, 0);
	z.free_highatomic = 300;
	assert_int_equal(lab_zone_watermark_check(&z, 0, fk, LAB_GFP_KERNEL, &r), LAB_REFUSED_WATERMARK);
	assert_int_equal(r.unusable, 300);
	z.kernel = LAB_KERNEL_6_1;
	z.free_highatomic = 0;
	assert_int_equal(lab_zone_watermark_check(&z, 0, fk, LAB_GFP_KERNEL, &r), LAB_REFUSED_WATERMARK);
	assert_int_equal(r.unusable, 512);
}

/* K-HAFREE (instance): nr_free_highatomic follows the HighAtomic lists. */
static void test_kernel_free_highatomic_counts_highatomic_lists(void **state)
{
	(void)state;
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 65536, .pageblock_order = 9,
									.kernel = LAB_KERNEL_6_12, .no_arena = 1 });
	struct lab_mem *m = f->mem;
	struct lab_zone *z = &m->zones[LAB_ZONE_NORMAL];
	/* an order-1 GFP_ATOMIC allocation that needed ALLOC_HIGHATOMIC
	 * reserves its pageblock (get_page_from_freelist) */
	struct lab_page *p = lab_alloc_pages(m, LAB_GFP_ATOMIC, 1);
	assert_non_null(p);
	lab__reserve_highatomic_pageblock(m, z, p);
	assert_int_equal(z->nr_reserved_highatomic, 512);
	assert_int_equal(zone_free_highatomic(z), 512 - 2);
	struct lab_mem_stats st;
	lab_mem_get_stats(m, &st);
	assert_int_equal(st.zone[LAB_ZONE_NORMAL].nr_free_highatomic, 510);
	assert_int_equal(st.kernel, LAB_KERNEL_6_12);
	lab_free_pages(m, p, 1);
	assert_int_equal(zone_free_highatomic(z), 512);
	assert_mem_ok(f);
	fixture_destroy(f);
}

/* K-GFP: 6.12 has no __GFP_ATOMIC (0x200 unused since 6.3): a 6.12
 * instance clears it, so Labyrinth's LAB_GFP_ATOMIC is recorded as 6.12's
 * 0x820; a 6.1 instance keeps 0xa20. */
static void test_kernel_gfp_atomic_bit_dropped_on_6_12(void **state)
{
	(void)state;
	for (int k = LAB_KERNEL_6_1; k <= LAB_KERNEL_6_12; k++) {
		struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 64, .kernel = (enum lab_kernel)k });
		assert_non_null(lab_alloc_pages(f->mem, LAB_GFP_KERNEL, 6));
		assert_null(lab_alloc_pages(f->mem, LAB_GFP_ATOMIC | LAB___GFP_COMP, 3));
		assert_int_equal(f->nwarn, 1);
		assert_int_equal(f->last_warn.gfp, k == LAB_KERNEL_6_12 ? 0x40820u : 0x40a20u);
		assert_int_equal(f->last_warn.mem.kernel, k);
		assert_int_equal(lab_gfp_era_for_kernel((enum lab_kernel)k),
				 k == LAB_KERNEL_6_12 ? LAB_GFP_ERA_6_8 : LAB_GFP_ERA_6_1);
		fixture_destroy(f);
	}
}

/* Reserves pageblock after pageblock until the limit stops it. */
static unsigned long reserve_all_you_can(enum lab_kernel k, uint64_t pages)
{
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = pages, .pageblock_order = 9,
									.kernel = k, .no_arena = 1 });
	struct lab_zone *z = &f->mem->zones[LAB_ZONE_NORMAL];
	for (uint64_t pfn = 0; pfn < pages; pfn += 512)
		lab__reserve_highatomic_pageblock(f->mem, z, pfn_page(f->mem, pfn));
	unsigned long n = z->nr_reserved_highatomic;
	assert_mem_ok(f);
	fixture_destroy(f);
	return n;
}

/* K-HAMAX: reserve_highatomic_pageblock's limit. 6.1: managed/100 plus a
 * pageblock (checked before the increment); 6.12: managed/100 aligned up
 * to a pageblock, none when 1% is under a pageblock. */
static void test_kernel_highatomic_limit(void **state)
{
	(void)state;
	/* 64 MiB: 1% = 163 pages */
	assert_int_equal(reserve_all_you_can(LAB_KERNEL_6_1, 16384), 1024);
	assert_int_equal(reserve_all_you_can(LAB_KERNEL_6_12, 16384), 0);
	/* 256 MiB: 1% = 655 pages: 6.1 stops at >= 1167, 6.12 at >= 1024 */
	assert_int_equal(reserve_all_you_can(LAB_KERNEL_6_1, 65536), 1536);
	assert_int_equal(reserve_all_you_can(LAB_KERNEL_6_12, 65536), 1024);
}

/* 1 GiB, the top 512 MiB movablecore=, min_free_kbytes 8192 (2048 pages). */
static void movable_wmarks(enum lab_kernel k, uint64_t *normal_min, uint64_t *movable_min)
{
	struct lab_range r = { 0, 1ull << 30 };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .movable_bytes = 512ull << 20, .kernel = k,
				      .flags = LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32 | LAB_CFG_NO_PCP,
				      .min_free_kbytes = 8192 };
	cfg.metadata_bytes = lab_mem_metadata_bytes(&cfg);
	cfg.metadata = aligned_alloc(64, (cfg.metadata_bytes + 63) & ~(size_t)63);
	struct lab_mem *m = lab_mem_init(&cfg, NULL);
	assert_non_null(m);
	struct lab_mem_stats *st = malloc(sizeof(*st));
	lab_mem_get_stats(m, st);
	assert_int_equal(st->zone[LAB_ZONE_NORMAL].managed, 131072);
	assert_int_equal(st->zone[LAB_ZONE_MOVABLE].managed, 131072);
	*normal_min = st->zone[LAB_ZONE_NORMAL].wmark[LAB_WMARK_MIN];
	*movable_min = st->zone[LAB_ZONE_MOVABLE].wmark[LAB_WMARK_MIN];
	free(st);
	lab_mem_fini(m);
	free(cfg.metadata);
}

/* K-WMOVABLE: __setup_per_zone_wmarks. 6.1 shares min_free_kbytes between
 * Normal and Movable by size; 6.12 gives it all to the lowmem zones and
 * caps Movable's min like highmem's (managed/1024 within 32..128). */
static void test_kernel_movable_zone_watermark(void **state)
{
	(void)state;
	uint64_t n, mv;
	movable_wmarks(LAB_KERNEL_6_1, &n, &mv);
	assert_int_equal(n, 1024);
	assert_int_equal(mv, 1024);
	movable_wmarks(LAB_KERNEL_6_12, &n, &mv);
	assert_int_equal(n, 2048);
	assert_int_equal(mv, 128);
	/* an empty Movable zone: min 32 in 6.12 (as the zoneinfo of
	 * real 6.12 runs print it), 0 in 6.1 */
	for (int k = LAB_KERNEL_6_1; k <= LAB_KERNEL_6_12; k++) {
		struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 1024, .kernel = (enum lab_kernel)k,
									  .min_free_kbytes = 1024 });
		assert_int_equal(f->mem->zones[LAB_ZONE_MOVABLE].wmark[LAB_WMARK_MIN], k == LAB_KERNEL_6_12 ? 32 : 0);
		fixture_destroy(f);
	}
}

/* Order @order on an instance of pageblock order 10 with per-CPU lists:
 * does a freed block park on the per-CPU list? */
static bool parks_on_pcp(enum lab_kernel k, unsigned order)
{
	struct fixture *f = fixture_create(&(struct fixture_opts){ .pages = 8192, .pageblock_order = 10, .pcp = 1,
								    .no_arena = 1, .kernel = k });
	struct lab_pcp *pcp = pcp_of(f->mem, 0, LAB_ZONE_NORMAL);
	pcp->batch = 63;
	pcp->high = 5312;   /* room for a 4 MiB block (as test_pcp's) */
	struct lab_page *p = lab_alloc_pages(f->mem, LAB_GFP_HIGHUSER_MOVABLE, order);
	assert_non_null(p);
	lab_drain_local_pages(f->mem);
	lab_free_pages(f->mem, p, order);
	bool parked = pcp->count != 0;
	assert_mem_ok(f);
	fixture_destroy(f);
	return parked;
}

/* K-PCPTHP: pcp_allowed_order caches pageblock_order (6.1) or
 * HPAGE_PMD_ORDER (6.12); with 4 MiB pageblocks they differ. */
static void test_kernel_pcp_thp_order(void **state)
{
	(void)state;
	assert_true(parks_on_pcp(LAB_KERNEL_6_1, 10));
	assert_false(parks_on_pcp(LAB_KERNEL_6_1, 9));
	assert_true(parks_on_pcp(LAB_KERNEL_6_12, 9));
	assert_false(parks_on_pcp(LAB_KERNEL_6_12, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_names_round_trip),
		cmocka_unit_test(test_kernel_parse_refuses_non_profiles),
		cmocka_unit_test(test_kernel_for_release_picks_nearest),
		cmocka_unit_test(test_kernel_for_release_refuses_no_version),
		cmocka_unit_test(test_kernel_instance_has_its_profile),
		cmocka_unit_test(test_kernel_bad_profile_refused_by_init),
		cmocka_unit_test(test_kernel_gfp_atomic_bit_dropped_on_6_12),
		cmocka_unit_test(test_kernel_highatomic_limit),
		cmocka_unit_test(test_kernel_movable_zone_watermark),
		cmocka_unit_test(test_kernel_pcp_thp_order),
		cmocka_unit_test(test_kernel_boost_exemption_by_min_reserve),
		cmocka_unit_test(test_kernel_boost_exemption_in_the_allocator),
		cmocka_unit_test(test_kernel_unusable_highatomic_is_free_pages_6_12),
		cmocka_unit_test(test_kernel_free_highatomic_counts_highatomic_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
