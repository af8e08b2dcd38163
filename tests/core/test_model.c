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
 *
 * Each run checks several seeds, one cmocka test per seed ("seed N"): the
 * built-in 0x1234567 and three fresh ones (different every run, so the
 * suite explores new sequences each time). A failure says "seed N: op K:
 * what"; the seed line printed before each sequence says how to replay it.
 *   LAB_MODEL_SEED=N       only seed N
 *   LAB_MODEL_SEEDS=a..b   seeds a to b (a soak run)
 *   LAB_MODEL_OPS=N        N operations per seed (10^9 for a long one)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/fixture.h"
#include "util/rng.h"

#define MIB (1ull << 20)
#define BUILTIN_SEED 0x1234567ull
#define FRESH_SEEDS 3

struct held {
	struct lab_page *page;
	unsigned order;
	lab_gfp_t gfp;
};

/* One sequence: its seed and length, and where it stands (for messages). */
struct model_run {
	uint64_t seed, ops;
	uint64_t op;                    /* the operation running, for failure messages */
	char name[40];
};

static uint64_t rng;
static uint64_t rnd(void)
{
	return test_xorshift64(&rng);
}

/* cmocka's assertions, with the seed and operation in the message */
#define MODEL_TRUE(r, cond)                                                                  \
	do {                                                                                 \
		if (!(cond))                                                                 \
			fail_msg("seed %llu: op %llu: %s", (unsigned long long)(r)->seed,    \
				 (unsigned long long)(r)->op, #cond);                        \
	} while (0)
#define MODEL_EQ(r, a, b)                                                                    \
	do {                                                                                 \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (a_ != b_)                                                                \
			fail_msg("seed %llu: op %llu: %s == %s (%llu != %llu)",              \
				 (unsigned long long)(r)->seed, (unsigned long long)(r)->op, #a,    \
				 #b, a_, b_);                                                \
	} while (0)

static const lab_gfp_t gfps[] = {
	LAB_GFP_KERNEL, LAB_GFP_HIGHUSER_MOVABLE, LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE,
	LAB_GFP_ATOMIC, LAB_GFP_ATOMIC | LAB___GFP_COMP, LAB_GFP_NOWAIT | LAB___GFP_MOVABLE,
	LAB_GFP_KERNEL | LAB_GFP_DMA32, LAB_GFP_ATOMIC | LAB_GFP_DMA, LAB_GFP_KERNEL | LAB___GFP_COMP,
	LAB_GFP_ATOMIC | LAB___GFP_NOMEMALLOC, LAB_GFP_USER | LAB___GFP_MOVABLE,
};
/* the highest zone each mask of gfps[] may use */
static const int zone_limit[] = { LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_NORMAL,
				  LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_DMA32, LAB_ZONE_DMA,
				  LAB_ZONE_NORMAL, LAB_ZONE_NORMAL, LAB_ZONE_NORMAL };

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

/* A new block of gfps[gi]: in usable memory of an allowed zone, overlapping
 * nothing the model holds; the model takes it. */
static void model_take(struct model_run *r, uint8_t *model, uint64_t span_pages, struct lab_page *p,
		       unsigned order, unsigned gi)
{
	uint64_t pfn = lab_page_to_pfn(p);
	MODEL_TRUE(r, pfn + (1ull << order) <= span_pages);
	MODEL_EQ(r, pfn & ((1ull << order) - 1), 0);
	/* allowed zone: the block's last byte below the zone limit */
	uint64_t end = (pfn + (1ull << order)) << 12;
	if (zone_limit[gi] == LAB_ZONE_DMA)
		MODEL_TRUE(r, end <= 4 * MIB);
	else if (zone_limit[gi] == LAB_ZONE_DMA32)
		MODEL_TRUE(r, end <= 16 * MIB);
	for (uint64_t i = 0; i < (1ull << order); i++) {
		uint64_t q = pfn + i;
		MODEL_TRUE(r, q >= 256);                       /* not reserved */
		MODEL_TRUE(r, !(q >= 14 * 256 && q < 16 * 256)); /* not the hole */
		MODEL_TRUE(r, !(q >= 20 * 256 + 1 && q < 20 * 256 + 4));
		MODEL_EQ(r, model[q], 0);                      /* no overlap */
		model[q] = 1;
	}
}

/* lab_mem_check() == 0, or a failure with what it logged. */
static void model_mem_ok(struct model_run *r, struct fixture *f)
{
	fixture_clear_log(f);
	int bad = lab_mem_check(f->mem);
	if (!bad)
		return;
	for (int i = 0; i < f->nlog; i++)
		print_error("%s\n", f->log[i]);
	fail_msg("seed %llu: op %llu: lab_mem_check found %d violation(s)", (unsigned long long)r->seed,
		 (unsigned long long)r->op, bad);
}

/* After everything is freed: free + per-CPU == managed, and after draining
 * the per-CPU lists free == managed, in every zone. */
static void model_check_all_free(struct model_run *r, struct fixture *f)
{
	struct lab_mem *m = f->mem;
	struct lab_mem_stats *s = malloc(sizeof(*s));

	MODEL_TRUE(r, s != NULL);
	model_mem_ok(r, f);
	lab_mem_get_stats(m, s);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		MODEL_EQ(r, s->zone[z].free + s->zone[z].free_pcp, s->zone[z].managed);
	lab_drain_all_pages(m);
	model_mem_ok(r, f);
	lab_mem_get_stats(m, s);
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++) {
		MODEL_EQ(r, s->zone[z].free, s->zone[z].managed);
		MODEL_EQ(r, s->zone[z].free_pcp, 0);
	}
	MODEL_EQ(r, s->zone[LAB_ZONE_DMA].managed, 3 * 256);
	MODEL_EQ(r, s->zone[LAB_ZONE_DMA32].managed, 10 * 256);
	MODEL_EQ(r, s->zone[LAB_ZONE_NORMAL].managed, 34 * 256 - 3);
	free(s);
}

/* ≥ 10^6 random operations agree with the bitmap model, and no page is lost. */
static void test_model_random_operations_match_bitmap(void **state)
{
	struct model_run *r = *state;
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
	uint64_t allocs = 0, fails = 0, frees = 0, gen = 0xabcdef;

	printf("model: seed %llu, %llu ops (LAB_MODEL_SEED=%llu LAB_MODEL_OPS=%llu replays it)\n",
	       (unsigned long long)r->seed, (unsigned long long)r->ops, (unsigned long long)r->seed,
	       (unsigned long long)r->ops);
	fflush(stdout);
	rng = r->seed ? r->seed : 1;
	MODEL_TRUE(r, model != NULL);
	MODEL_TRUE(r, h != NULL);
	f->comm = "model";
	for (r->op = 0; r->op < r->ops; r->op++) {
		/* bias: keep memory around half to fully used, with bursts */
		int do_alloc = n == 0 || (n < cap && (rnd() % 100) < ((r->op / 50000) % 2 ? 60u : 45u));
		if (do_alloc) {
			unsigned order = (unsigned)(rnd() % 100 < 80 ? rnd() % 4 : rnd() % LAB_MAX_ORDER);
			unsigned gi = (unsigned)(rnd() % (sizeof(gfps) / sizeof(gfps[0])));
			lab_gfp_t gfp = gfps[gi] | LAB___GFP_NOWARN;
			struct lab_page *p = lab_alloc_pages(m, gfp, order);
			if (!p) {
				fails++;
				continue;
			}
			model_take(r, model, span_pages, p, order, gi);
			stamp(p, order, gen);
			h[n++] = (struct held){ p, order, gfp };
			allocs++;
		} else {
			size_t k = (size_t)(rnd() % n);
			struct held x = h[k];
			h[k] = h[--n];
			MODEL_TRUE(r, stamp_ok(x.page, x.order, gen));
			uint64_t pfn = lab_page_to_pfn(x.page);
			for (uint64_t i = 0; i < (1ull << x.order); i++)
				model[pfn + i] = 0;
			MODEL_EQ(r, lab_try_free_pages(m, x.page, x.order), 0);
			frees++;
		}
		if ((r->op & 4095) == 0)
			model_mem_ok(r, f);
	}
	model_mem_ok(r, f);
	while (n) {
		n--;
		MODEL_TRUE(r, stamp_ok(h[n].page, h[n].order, gen));
		MODEL_EQ(r, lab_try_free_pages(m, h[n].page, h[n].order), 0);
	}
	model_check_all_free(r, f);
	printf("model: seed %llu: %llu ops, %llu allocations, %llu failures, %llu frees\n",
	       (unsigned long long)r->seed, (unsigned long long)r->ops, (unsigned long long)allocs,
	       (unsigned long long)fails, (unsigned long long)frees);
	MODEL_TRUE(r, allocs > r->ops / 4);
	MODEL_TRUE(r, fails > 0);   /* the sequence does reach exhaustion */
	free(model);
	free(h);
	fixture_destroy(f);
}

/* A seed nobody chose: time, pid and a counter through splitmix64. */
static uint64_t fresh_seed(unsigned i)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
		     (uint64_t)getpid() << 32 ^ (uint64_t)i * 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (x & 0xffffffffull) ? x & 0xffffffffull : 1;   /* short enough to type */
}

/* The seeds to run: LAB_MODEL_SEED=N, LAB_MODEL_SEEDS=a..b, or the built-in
 * one and FRESH_SEEDS fresh ones. Returns how many, in a malloc'ed array. */
static size_t pick_seeds(uint64_t **out)
{
	const char *one = getenv("LAB_MODEL_SEED"), *range = getenv("LAB_MODEL_SEEDS");
	uint64_t first, last;
	size_t n;

	if (range) {
		char *end;
		first = strtoull(range, &end, 0);
		last = strncmp(end, "..", 2) == 0 ? strtoull(end + 2, NULL, 0) : first;
		if (last < first || last - first >= 1000000) {
			fprintf(stderr, "LAB_MODEL_SEEDS=%s: want a..b with a <= b\n", range);
			exit(2);
		}
		n = (size_t)(last - first + 1);
		*out = malloc(n * sizeof(**out));
		for (size_t i = 0; *out && i < n; i++)
			(*out)[i] = first + i;
	} else if (one) {
		n = 1;
		*out = malloc(sizeof(**out));
		if (*out)
			(*out)[0] = strtoull(one, NULL, 0);
	} else {
		n = 1 + FRESH_SEEDS;
		*out = malloc(n * sizeof(**out));
		for (size_t i = 0; *out && i < n; i++)
			(*out)[i] = i ? fresh_seed((unsigned)i) : BUILTIN_SEED;
	}
	if (!*out) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return n;
}

int main(void)
{
	const char *env_ops = getenv("LAB_MODEL_OPS");
	uint64_t ops = env_ops ? strtoull(env_ops, NULL, 0) : 1000000, *seeds;
	size_t n = pick_seeds(&seeds);
	struct model_run *runs = calloc(n, sizeof(*runs));
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));

	if (!runs || !tests)
		return 2;
	for (size_t i = 0; i < n; i++) {
		runs[i].seed = seeds[i];
		runs[i].ops = ops;
		snprintf(runs[i].name, sizeof(runs[i].name), "seed %llu", (unsigned long long)seeds[i]);
		tests[i] = (struct CMUnitTest){ .name = runs[i].name,
						.test_func = test_model_random_operations_match_bitmap,
						.initial_state = &runs[i] };
	}
	int failed = _cmocka_run_group_tests("test_model_random_operations_match_bitmap", tests, n, NULL, NULL);
	free(tests);
	free(runs);
	free(seeds);
	return failed;
}
