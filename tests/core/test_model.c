/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_model.c - the allocator against a reference model.
 *
 * 10^6 random operations (orders 0..10, every mobility, atomic and
 * blocking, zone-restricted, compound, exact-size) on an instance with three
 * zones, a hole and reserved ranges. The model is a bitmap of allocated
 * pfns: every allocation must lie in usable memory of an allowed zone and
 * overlap nothing allocated; every page carries a stamp that must survive
 * until its free. lab_mem_check() runs every 4096 operations and must stay
 * 0; at the end, after freeing everything, free + per-CPU == managed in every
 * zone, and after draining the per-CPU lists free == managed.
 * LAB_MODEL_OPS=N runs a longer (or shorter) sequence; LAB_MODEL_SEED=N
 * another seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/fixture.h"
#include "util/rng.h"

#define MIB (1ull << 20)

struct held {
	struct lab_page *page;
	unsigned order;
	lab_gfp_t gfp;
};

static uint64_t rng;
static uint64_t rnd(void)
{
	return test_xorshift64(&rng);
}

static const lab_gfp_t gfps[] = {
	LAB_GFP_KERNEL, LAB_GFP_HIGHUSER_MOVABLE, LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE,
	LAB_GFP_ATOMIC, LAB_GFP_ATOMIC | LAB___GFP_COMP, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE,
	LAB_GFP_KERNEL | LAB_GFP_DMA32, LAB_GFP_ATOMIC | LAB_GFP_DMA, LAB_GFP_KERNEL | LAB___GFP_COMP,
	LAB_GFP_ATOMIC | LAB___GFP_NOMEMALLOC, LAB_GFP_USER | LAB___GFP_MOVABLE,
};

/* Stamp each page of a block with its pfn and a generation. */
static void stamp(struct lab_page *p, unsigned order, uint64_t gen)
{
	uint64_t *va = lab_page_address(p);
	for (uint64_t i = 0; i < (1ull << order); i++)
		va[i * 512] = (lab_page_to_pfn(p) + i) ^ gen;
}

static int stamp_ok(struct lab_page *p, unsigned order, uint64_t gen)
{
	uint64_t *va = lab_page_address(p);
	for (uint64_t i = 0; i < (1ull << order); i++)
		if (va[i * 512] != ((lab_page_to_pfn(p) + i) ^ gen))
			return 0;
	return 1;
}

/* ≥ 10^6 random operations agree with the bitmap model, and no page is lost. */
static void test_model_random_operations_match_bitmap(void **state)
{
	(void)state;
	/* 48 MiB: DMA [0,4M) with 1 MiB reserved, DMA32 [4M,16M), Normal after a 2 MiB hole */
	struct lab_range ranges[] = { { 0, 14 * MIB }, { 16 * MIB, 34 * MIB } };
	struct lab_range reserved[] = { { 0, 1 * MIB }, { 20 * MIB + 4096, 3 * 4096 } };
	struct fixture *f = fixture_create(&(struct fixture_opts){
		.ranges = ranges, .nr_ranges = 2, .reserved = reserved, .nr_reserved = 2,
		.pageblock_order = 6, .use_default_zones = 1, .zone_dma_limit = 4 * MIB,
		.zone_dma32_limit = 16 * MIB, .min_free_kbytes = -1, .pcp = 1, .nr_cpus = 1 });
	struct lab_mem *m = f->mem;
	uint64_t span_pages = 50 * MIB / 4096;
	uint8_t *model = calloc(span_pages, 1);
	size_t cap = 1 << 16, n = 0;
	struct held *h = calloc(cap, sizeof(*h));
	const char *env_ops = getenv("LAB_MODEL_OPS"), *env_seed = getenv("LAB_MODEL_SEED");
	uint64_t ops = env_ops ? strtoull(env_ops, NULL, 0) : 1000000;
	rng = env_seed ? strtoull(env_seed, NULL, 0) : 0x1234567;
	if (!rng)
		rng = 1;
	uint64_t allocs = 0, fails = 0, frees = 0, gen = 0xabcdef;
	int zone_limit[] = { LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_NORMAL,
			     LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_DMA32, LAB_ZONE_DMA,
			     LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_NORMAL };
	assert_non_null(model);
	assert_non_null(h);
	f->comm = "model";
	for (uint64_t op = 0; op < ops; op++) {
		/* bias: keep memory around half to fully used, with bursts */
		int do_alloc = n == 0 || (n < cap && (rnd() % 100) < ((op / 50000) % 2 ? 60u : 45u));
		if (do_alloc) {
			unsigned order = (unsigned)(rnd() % 100 < 80 ? rnd() % 4 : rnd() % LAB_MAX_ORDER);
			unsigned gi = (unsigned)(rnd() % (sizeof(gfps) / sizeof(gfps[0])));
			lab_gfp_t gfp = gfps[gi] | LAB___GFP_NOWARN;
			struct lab_page *p = lab_alloc_pages(m, gfp, order);
			if (!p) {
				fails++;
				continue;
			}
			uint64_t pfn = lab_page_to_pfn(p);
			assert_true(pfn + (1ull << order) <= span_pages);
			assert_int_equal(pfn & ((1ull << order) - 1), 0);
			/* allowed zone: the block's last byte below the zone limit */
			uint64_t end = (pfn + (1ull << order)) << 12;
			if (zone_limit[gi] == LAB_ZONE_DMA)
				assert_true(end <= 4 * MIB);
			else if (zone_limit[gi] == LAB_ZONE_DMA32)
				assert_true(end <= 16 * MIB);
			for (uint64_t i = 0; i < (1ull << order); i++) {
				uint64_t q = pfn + i;
				assert_true(q >= 256);                       /* not reserved */
				assert_false(q >= 14 * 256 && q < 16 * 256); /* not the hole */
				assert_false(q >= 20 * 256 + 1 && q < 20 * 256 + 4);
				assert_int_equal(model[q], 0);               /* no overlap */
				model[q] = 1;
			}
			stamp(p, order, gen);
			h[n++] = (struct held){ p, order, gfp };
			allocs++;
		} else {
			size_t k = (size_t)(rnd() % n);
			struct held x = h[k];
			h[k] = h[--n];
			assert_true(stamp_ok(x.page, x.order, gen));
			uint64_t pfn = lab_page_to_pfn(x.page);
			for (uint64_t i = 0; i < (1ull << x.order); i++)
				model[pfn + i] = 0;
			assert_int_equal(lab_try_free_pages(m, x.page, x.order), 0);
			frees++;
		}
		if ((op & 4095) == 0)
			assert_mem_ok(f);
	}
	assert_mem_ok(f);
	while (n) {
		n--;
		assert_true(stamp_ok(h[n].page, h[n].order, gen));
		assert_int_equal(lab_try_free_pages(m, h[n].page, h[n].order), 0);
	}
	assert_mem_ok(f);
	struct lab_mem_stats *s = malloc(sizeof(*s));
	lab_mem_get_stats(m, s);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		assert_int_equal(s->zone[z].free + s->zone[z].free_pcp, s->zone[z].managed);
	lab_drain_all_pages(m);
	assert_mem_ok(f);
	lab_mem_get_stats(m, s);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		assert_int_equal(s->zone[z].free, s->zone[z].managed);
		assert_int_equal(s->zone[z].free_pcp, 0);
	}
	assert_int_equal(s->zone[LAB_ZONE_DMA].managed, 3 * 256);
	assert_int_equal(s->zone[LAB_ZONE_DMA32].managed, 10 * 256);
	assert_int_equal(s->zone[LAB_ZONE_NORMAL].managed, 34 * 256 - 3);
	printf("model: %llu ops, %llu allocations, %llu failures, %llu frees\n",
	       (unsigned long long)ops, (unsigned long long)allocs, (unsigned long long)fails,
	       (unsigned long long)frees);
	assert_true(allocs > ops / 4);
	assert_true(fails > 0);   /* the sequence does reach exhaustion */
	free(s);
	free(model);
	free(h);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_random_operations_match_bitmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
