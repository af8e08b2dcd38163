/* SPDX-License-Identifier: MIT */
/* tests/util/experiments.c - see experiments.h. */
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include "util/experiments.h"
#include "util/owner.h"
#include "util/rng.h"

struct inst {
	struct lab_mem *mem;
	void *meta;
};

/* One Normal zone over metadata only (no contents: migration copies nothing). */
static struct lab_mem *inst_new(struct inst *in, uint64_t pages, unsigned flags)
{
	struct lab_range r = { 0, pages << 12 };
	/* 6.1: its highatomic reserve exists on these small (64 MiB) zones;
	 * 6.12 reserves nothing below 1% = one pageblock (test_kernel.c) */
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .pageblock_order = 9, .nr_cpus = 1,
				      .flags = flags | LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32,
				      .kernel = LAB_KERNEL_6_1 };
	size_t n = lab_mem_metadata_bytes(&cfg);
	in->meta = aligned_alloc(64, (n + 63) & ~(size_t)63);
	cfg.metadata = in->meta;
	cfg.metadata_bytes = n;
	in->mem = lab_mem_init(&cfg, NULL);
	if (!in->mem)
		abort();
	return in->mem;
}

static void inst_free(struct inst *in)
{
	lab_mem_fini(in->mem);
	free(in->meta);
}

void lab_exp_gorman(struct lab_experiment *out, unsigned flags, uint64_t pages, uint64_t seed)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, pages, flags);
	struct test_owner cache, anon;
	struct lab_page **kern = calloc(pages, sizeof(*kern)), **hp = calloc(pages / 512 + 1, sizeof(*hp));
	const lab_gfp_t movable = LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM;
	size_t nk = 0;
	uint64_t rng = seed;

	memset(out, 0, sizeof(*out));
	test_owner_init(&cache, m, (unsigned)pages, LAB_LRU_FILE);
	test_owner_init(&anon, m, (unsigned)pages, LAB_LRU_ANON);
	for (uint64_t i = 0; i < pages * 92 / 100; i++) {
		uint64_t r = test_xorshift64(&rng) % 100;
		int ok;
		if (r < 60)
			ok = test_owner_add(&cache, movable) >= 0;
		else if (r < 85)
			ok = test_owner_add(&anon, movable) >= 0;
		else {
			lab_gfp_t g = (r < 95 ? LAB_GFP_NOWAIT : LAB_GFP_NOWAIT | LAB___GFP_RECLAIMABLE) | LAB___GFP_NOWARN;
			kern[nk] = lab_alloc_pages(m, g, 0);
			ok = kern[nk] != NULL;
			nk += (size_t)ok;
		}
		if (!ok)
			break;
	}
	for (unsigned s = 0; s < cache.cap; s++)
		test_owner_remove(&cache, (int)s);
	struct lab_mem_stats *st = malloc(sizeof(*st));
	lab_mem_get_stats(m, st);
	out->unmovable_blocks = (int)st->zone[LAB_ZONE_NORMAL].nr_blocks_mt[LAB_MIGRATE_UNMOVABLE];
	free(st);
	int got = 0;
	while ((hp[got] = lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN | LAB___GFP_RETRY_MAYFAIL, 9)))
		got++;
	out->result = got;
	out->verify_errors = test_owner_verify(&anon);
	out->check_errors = lab_mem_check(m);
	for (int i = 0; i < got; i++)
		lab_free_pages(m, hp[i], 9);
	for (size_t i = 0; i < nk; i++)
		lab_free_pages(m, kern[i], 0);
	test_owner_fini(&anon);
	test_owner_fini(&cache);
	out->check_errors += lab_mem_check(m);
	free(hp);
	free(kern);
	inst_free(&in);
}

static lab_gfp_t churn_gfp(uint64_t *rng)
{
	return ((test_xorshift64(rng) % 4 == 0) ? LAB_GFP_KERNEL : LAB_GFP_HIGHUSER_MOVABLE) |
	       LAB___GFP_NORETRY | LAB___GFP_NOWARN;
}

void lab_exp_atomic_storm(struct lab_experiment *out, int reserve, unsigned flags, uint64_t seed)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, 16384, flags);
	struct lab_page **pool = calloc(16384, sizeof(*pool));
	struct lab_page *rx[64] = { 0 };
	uint64_t rng = seed;
	int n = 0;

	memset(out, 0, sizeof(*out));
	lab_set_highatomic_reserve(m, reserve);
	/* boot: memory fills with kernel objects and page cache (one reclaim try, no reserves) */
	for (struct lab_page *p; (p = lab_alloc_pages(m, churn_gfp(&rng), 0));)
		pool[n++] = p;
	/* uptime: 2% is freed at random; memory stays near the watermarks */
	for (int i = 0, drop = n / 50; i < drop; i++) {
		size_t k = (size_t)(test_xorshift64(&rng) % (uint64_t)n);
		lab_free_pages(m, pool[k], 0);
		pool[k] = pool[--n];
	}
	/* the storm: churn, and order-3 GFP_ATOMIC rx buffers in a ring */
	for (int step = 0; step < 100000; step++) {
		uint64_t r = test_xorshift64(&rng) % 100;
		if (r < 50) {
			struct lab_page *p = lab_alloc_pages(m, churn_gfp(&rng), 0);
			if (p)
				pool[n++] = p;
		} else if (r < 96 && n) {
			size_t k = (size_t)(test_xorshift64(&rng) % (uint64_t)n);
			lab_free_pages(m, pool[k], 0);
			pool[k] = pool[--n];
		} else {
			unsigned slot = (unsigned)(test_xorshift64(&rng) % 64);
			if (rx[slot])
				lab_free_pages(m, rx[slot], 3);
			rx[slot] = lab_alloc_pages(m, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3);
			out->result += rx[slot] == NULL;
		}
		struct lab_mem_stats st;
		if ((step & 1023) == 0) {
			lab_mem_get_stats(m, &st);
			if (st.zone[LAB_ZONE_NORMAL].nr_reserved_highatomic > out->max_reserved)
				out->max_reserved = st.zone[LAB_ZONE_NORMAL].nr_reserved_highatomic;
		}
	}
	for (int i = 0; i < 64; i++)
		if (rx[i])
			lab_free_pages(m, rx[i], 3);
	for (int i = 0; i < n; i++)
		lab_free_pages(m, pool[i], 0);
	out->check_errors = lab_mem_check(m);
	free(pool);
	inst_free(&in);
}
