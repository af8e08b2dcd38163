/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_core.c - the benchmarks of the Labyrinth core against its
 * peers (glibc, tcmalloc, jemalloc, mimalloc) and against the floor of a
 * bare array of page pointers.
 *
 *   order0   order-0 alloc+free pair, GFP_KERNEL, 256 MiB instance,
 *            vs malloc(4096)+free, posix_memalign(4096)+free, the peers
 *            and an array push/pop
 *   pattern  1024 pages live, each operation frees a random one and
 *            allocates its replacement (the same for every contender)
 *   order3   order-3 alloc+free pair vs 32 KiB allocations aligned to 32 KiB
 *   orders   alloc+free pair of order 0..10 and its cost per 4 KiB
 *   scaling  order-0/order-3 pairs and the pattern on 64 MiB .. 16 GiB
 *            instances (metadata only), half allocated in random orders:
 *            the cost must not grow with memory size
 *
 * Four Labyrinth instances of 256 MiB (default x86-64 zones: DMA 16 MiB,
 * DMA32 the rest; GFP_KERNEL is served from DMA32) serve the first four:
 *   host            lab_host_create(): pthread spinlocks, per-CPU lists (the
 *                   default). Orders 0..3 (and pageblock_order) are served
 *                   from the per-CPU lists once the first request has
 *                   refilled a batch: the fast path. The baseline.
 *   host no-pcp     the same with LAB_CFG_NO_PCP, every page free: a pair
 *                   takes the zone lock, splits an order-10 block down to
 *                   the order and merges it back up (the buddy allocator's
 *                   worst case: 10 - k list steps each way);
 *   host no-pcp, 1 page held
 *                   LAB_CFG_NO_PCP with one order-0 page held, which leaves
 *                   a free block of every order 0..9 next to it: a pair
 *                   takes a block of exactly its order and gives it back
 *                   without merging (the zone path of a running system);
 *   bare            lab_mem_init() over metadata only, no platform: the
 *                   host's locks and hooks are gone, what remains is the
 *                   core's own work (with per-CPU lists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/host.h>
#include "bench_core.h"
#include "bench_atomic.h"
#include "bench_background.h"
#include "bench_replay.h"
#include "bench_sim.h"
#include "bench_pool.h"
#include "peers.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define PATTERN_SLOTS 1024u

/* ---- Labyrinth contenders ---------------------------------------------- */

struct lab_arg {
	struct lab_mem *mem;
	lab_gfp_t gfp;
	unsigned order;
	struct lab_page **slot;         /* pattern: PATTERN_SLOTS live blocks */
	uint64_t rng;
};

static void lab_pair(void *arg, uint64_t iters)
{
	const struct lab_arg *a = arg;
	for (uint64_t i = 0; i < iters; i++) {
		struct lab_page *p = lab_alloc_pages(a->mem, a->gfp, a->order);
		if (__builtin_expect(!p, 0))
			bench_die("lab_alloc_pages(order %u) failed", a->order);
		bench_escape(p);
		lab_free_pages(a->mem, p, a->order);
	}
}

static void lab_pattern(void *arg, uint64_t iters)
{
	struct lab_arg *a = arg;
	for (uint64_t i = 0; i < iters; i++) {
		size_t k = (size_t)bench_rand(&a->rng) & (PATTERN_SLOTS - 1);
		lab_free_pages(a->mem, a->slot[k], a->order);
		a->slot[k] = lab_alloc_pages(a->mem, a->gfp, a->order);
		if (__builtin_expect(!a->slot[k], 0))
			bench_die("lab_alloc_pages(order %u) failed", a->order);
		bench_escape(a->slot[k]);
	}
}

static void lab_pattern_init(struct lab_arg *a)
{
	a->slot = calloc(PATTERN_SLOTS, sizeof(*a->slot));
	if (!a->slot)
		bench_die("out of memory");
	a->rng = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < PATTERN_SLOTS; i++) {
		a->slot[i] = lab_alloc_pages(a->mem, a->gfp, a->order);
		if (!a->slot[i])
			bench_die("pattern: lab_alloc_pages failed while filling");
	}
}

static void lab_pattern_fini(struct lab_arg *a)
{
	for (size_t i = 0; i < PATTERN_SLOTS; i++)
		lab_free_pages(a->mem, a->slot[i], a->order);
	free(a->slot);
	a->slot = NULL;
}

/* ---- the floor: an array of page pointers ------------------------------ */

struct floor_arg {
	void *stack[PATTERN_SLOTS];
	size_t top;
	void *slot[PATTERN_SLOTS];      /* pattern */
	uint64_t rng;
};

static struct floor_arg floor_state;

static void floor_init(struct floor_arg *f)
{
	static char fake_pages[PATTERN_SLOTS];
	for (size_t i = 0; i < PATTERN_SLOTS; i++)
		f->stack[i] = &fake_pages[i];
	f->top = PATTERN_SLOTS;
	f->rng = 0x9e3779b97f4a7c15ull;
}

/* pop + push: what any allocator's fast path must at least do */
static void floor_pair(void *arg, uint64_t iters)
{
	struct floor_arg *f = arg;
	for (uint64_t i = 0; i < iters; i++) {
		void *p = f->stack[--f->top];
		bench_escape(p);
		f->stack[f->top++] = p;
	}
}

static void floor_pattern(void *arg, uint64_t iters)
{
	struct floor_arg *f = arg;
	for (uint64_t i = 0; i < iters; i++) {
		size_t k = (size_t)bench_rand(&f->rng) & (PATTERN_SLOTS - 1);
		f->stack[f->top++] = f->slot[k];
		f->slot[k] = f->stack[--f->top];
		bench_escape(f->slot[k]);
	}
}

/* ---- the 256 MiB instances ------------------------------------------------ */

enum { I_HOST, I_NOPCP, I_NOPCP_HELD, I_BARE, NR_INST };

static const char *const inst_name[NR_INST] = {
	"labyrinth host",
	"labyrinth host, no pcp, fresh",
	"labyrinth host, no pcp, 1 page held",
	"labyrinth bare core (no locks)",
};
static struct lab_mem *inst[NR_INST];
static struct lab_page *held_page;
static void *bare_meta;

static struct lab_mem *new_host(unsigned flags)
{
	struct lab_host_config hc = { .mem_bytes = 256 * MiB, .quiet = 1, .flags = flags };
	struct lab_mem *m = lab_host_create(&hc);
	if (!m)
		bench_die("lab_host_create(256 MiB) failed");
	return m;
}

/* An instance over metadata only (no direct map, no platform hooks). */
static struct lab_mem *new_bare(uint64_t bytes, unsigned flags, void **meta_out, size_t *meta_bytes)
{
	struct lab_range r = { 0, bytes };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .flags = flags };
	size_t need = lab_mem_metadata_bytes(&cfg);
	int err = 0;

	if (!need || posix_memalign(meta_out, 64, need))
		bench_die("no metadata for a %llu MiB instance", (unsigned long long)(bytes / MiB));
	cfg.metadata = *meta_out;
	cfg.metadata_bytes = need;
	struct lab_mem *m = lab_mem_init(&cfg, &err);
	if (!m)
		bench_die("lab_mem_init(%llu MiB) failed: %d", (unsigned long long)(bytes / MiB), err);
	if (meta_bytes)
		*meta_bytes = need;
	return m;
}

static void instances_up(void)
{
	if (inst[I_HOST])
		return;
	inst[I_HOST] = new_host(0);
	inst[I_NOPCP] = new_host(LAB_CFG_NO_PCP);
	inst[I_NOPCP_HELD] = new_host(LAB_CFG_NO_PCP);
	inst[I_BARE] = new_bare(256 * MiB, 0, &bare_meta, NULL);
	held_page = lab_alloc_pages(inst[I_NOPCP_HELD], LAB_GFP_KERNEL, 0);
	if (!held_page)
		bench_die("could not hold a page");
}

void bench_core_cleanup(void)
{
	if (!inst[I_HOST])
		return;
	lab_free_pages(inst[I_NOPCP_HELD], held_page, 0);
	for (int i = 0; i < NR_INST; i++)
		if (lab_mem_check(inst[i]))
			bench_die("lab_mem_check found violations in \"%s\" after the benchmarks", inst_name[i]);
	for (int i = 0; i < I_BARE; i++)
		lab_host_destroy(inst[i]);
	lab_mem_fini(inst[I_BARE]);
	free(bare_meta);
	memset(inst, 0, sizeof(inst));
}

/* Labyrinth's rows (one per instance) for an order-@order pair. */
static void lab_rows(struct bench_contender *c, struct lab_arg *a, unsigned order)
{
	for (int i = 0; i < NR_INST; i++) {
		a[i] = (struct lab_arg){ .mem = inst[i], .gfp = LAB_GFP_KERNEL, .order = order };
		c[i] = (struct bench_contender){ .name = inst_name[i], .run = lab_pair, .arg = &a[i] };
	}
}

/* A peer row: @align 0 = malloc(size). */
static void peer_row(struct bench_contender *c, struct bench_peer_arg *a, const struct bench_peer *p,
		     const char *name, size_t size, size_t align, bench_fn fn)
{
	*a = (struct bench_peer_arg){ .peer = p, .size = size, .align = align };
	*c = (struct bench_contender){ .name = name, .run = p->available ? fn : NULL, .arg = a,
				       .why = p->available ? NULL : p->why };
}

/* ---- 1. order0 ------------------------------------------------------------ */

static const char *const malloc_names[BENCH_NR_PEERS] = {
	"glibc malloc(4096)", "tcmalloc tc_malloc(4096)", "jemalloc malloc(4096)", "mimalloc mi_malloc(4096)",
};

static void run_order0(void)
{
	const struct bench_peer *peers = bench_peers_load();
	struct bench_contender c[NR_INST + BENCH_NR_PEERS + 2];
	struct lab_arg la[NR_INST];
	struct bench_peer_arg pa[BENCH_NR_PEERS + 1];
	size_t n = NR_INST;

	instances_up();
	lab_rows(c, la, 0);
	for (int i = 0; i < BENCH_NR_PEERS; i++) {
		peer_row(&c[n++], &pa[i], &peers[i], malloc_names[i], 4096, 0, bench_peer_pair);
		if (i == 0)
			peer_row(&c[n++], &pa[BENCH_NR_PEERS], &peers[0], "glibc posix_memalign(4096, 4096)",
				 4096, 4096, bench_peer_pair);
	}
	floor_init(&floor_state);
	c[n++] = (struct bench_contender){ .name = "array push/pop (floor)", .run = floor_pair,
					   .arg = &floor_state };
	bench_compare(c, n);
	bench_report("order0", "order-0 alloc+free pair (GFP_KERNEL, 256 MiB instance) vs malloc(4096)+free",
		     "alloc + free of one 4 KiB block", c, n, I_HOST);
}

/* ---- 2. pattern ----------------------------------------------------------- */

static void run_pattern(void)
{
	const struct bench_peer *peers = bench_peers_load();
	struct bench_contender c[NR_INST + BENCH_NR_PEERS + 2];
	struct lab_arg la[NR_INST];
	struct bench_peer_arg pa[BENCH_NR_PEERS + 1];
	size_t n = NR_INST;

	instances_up();
	lab_rows(c, la, 0);
	for (int i = 0; i < NR_INST; i++) {
		lab_pattern_init(&la[i]);
		c[i].run = lab_pattern;
	}
	for (int i = 0; i < BENCH_NR_PEERS; i++) {
		peer_row(&c[n++], &pa[i], &peers[i], malloc_names[i], 4096, 0, bench_peer_pattern);
		if (i == 0)
			peer_row(&c[n++], &pa[BENCH_NR_PEERS], &peers[0], "glibc posix_memalign(4096, 4096)",
				 4096, 4096, bench_peer_pattern);
	}
	for (size_t i = NR_INST; i < n; i++) {
		struct bench_peer_arg *a = c[i].arg;
		if (c[i].run && bench_peer_pattern_init(a, PATTERN_SLOTS)) {
			c[i].run = NULL;
			c[i].why = "could not fill the live set";
		}
	}
	floor_init(&floor_state);
	for (size_t i = 0; i < PATTERN_SLOTS; i++)
		floor_state.slot[i] = floor_state.stack[--floor_state.top];
	c[n++] = (struct bench_contender){ .name = "array push/pop (floor)", .run = floor_pattern,
					   .arg = &floor_state };
	bench_compare(c, n);
	bench_report("pattern", "1024 pages live, free a random one and allocate its replacement (order 0)",
		     "one free + one alloc", c, n, I_HOST);
	for (int i = 0; i < NR_INST; i++)
		lab_pattern_fini(&la[i]);
	for (size_t i = NR_INST; i + 1 < n; i++)
		bench_peer_pattern_fini(c[i].arg);
}

/* ---- 3. order3 ------------------------------------------------------------ */

static void run_order3(void)
{
	static const char *const peer_names[BENCH_NR_PEERS] = {
		"glibc posix_memalign(32K, 32K)", "tcmalloc tc_memalign(32K, 32K)",
		"jemalloc posix_memalign(32K, 32K)", "mimalloc mi_malloc_aligned(32K, 32K)",
	};
	const struct bench_peer *peers = bench_peers_load();
	struct bench_contender c[NR_INST + BENCH_NR_PEERS];
	struct lab_arg la[NR_INST];
	struct bench_peer_arg pa[BENCH_NR_PEERS];
	size_t n = NR_INST;

	instances_up();
	lab_rows(c, la, 3);
	for (int i = 0; i < BENCH_NR_PEERS; i++)
		peer_row(&c[n++], &pa[i], &peers[i], peer_names[i], 32768, 32768, bench_peer_pair);
	bench_compare(c, n);
	bench_report("order3", "order-3 alloc+free pair (GFP_KERNEL) vs 32 KiB aligned to 32 KiB",
		     "alloc + free of one 32 KiB block", c, n, I_HOST);
}

/* ---- 4. orders 0..10 ------------------------------------------------------ */

/* the three host instances, then the peers */
#define ORDERS_LAB  3
#define ORDERS_COLS (ORDERS_LAB + BENCH_NR_PEERS)

static void run_orders(void)
{
	static const char *const col[ORDERS_COLS] = {
		"lab", "lab nopcp", "lab held", "glibc", "tcmalloc", "jemalloc", "mimalloc",
	};
	const struct bench_peer *peers = bench_peers_load();
	double ns[LAB_MAX_ORDER][ORDERS_COLS];
	struct bench_contender c[ORDERS_COLS];
	struct lab_arg la[ORDERS_LAB];
	struct bench_peer_arg pa[BENCH_NR_PEERS];

	instances_up();
	for (unsigned k = 0; k < LAB_MAX_ORDER; k++) {
		size_t size = (size_t)4096 << k;
		for (int i = 0; i < ORDERS_LAB; i++) {
			la[i] = (struct lab_arg){ .mem = inst[i], .gfp = LAB_GFP_KERNEL, .order = k };
			c[i] = (struct bench_contender){ .name = col[i], .run = lab_pair, .arg = &la[i] };
		}
		for (int i = 0; i < BENCH_NR_PEERS; i++)
			peer_row(&c[ORDERS_LAB + i], &pa[i], &peers[i], col[ORDERS_LAB + i], size, size,
				 bench_peer_pair);
		bench_compare(c, ORDERS_COLS);
		for (int i = 0; i < ORDERS_COLS; i++) {
			char cs[32];
			double v = c[i].median_ns;
			ns[k][i] = v;
			snprintf(cs, sizeof(cs), "order=%u", k);
			bench_json_row("orders", cs, col[i], v, c[i].min_ns, c[i].max_ns,
				       v >= 0 && c[0].median_ns > 0 ? v / c[0].median_ns : -1, "ns/pair");
			bench_json_row("orders", cs, col[i], v >= 0 ? v / (double)(1u << k) : -1, -1, -1,
				       -1, "ns/4KiB");
		}
	}

	printf("\n== orders: alloc+free pair of order k (GFP_KERNEL; peers: 4 KiB << k aligned to its size) ==\n");
	printf("   median of %d rounds; lab = \"%s\", lab nopcp = \"%s\",\n   lab held = \"%s\" (see order0)\n",
	       bench_quick ? 5 : 7, inst_name[I_HOST], inst_name[I_NOPCP], inst_name[I_NOPCP_HELD]);
	for (int table = 0; table < 3; table++) {
		static const char *const what[3] = { "ns per alloc+free pair", "ns per 4 KiB (pair / 2^k)",
						     "ratio: ns per pair / ns of \"lab\"" };
		printf("\n   %s\n   %-5s %8s", what[table], "order", "size");
		for (int i = 0; i < ORDERS_COLS; i++)
			printf(" %10s", col[i]);
		printf("\n");
		for (unsigned k = 0; k < LAB_MAX_ORDER; k++) {
			unsigned long kib = 4ul << k;
			char sz[16];
			if (kib >= 1024)
				snprintf(sz, sizeof(sz), "%lu MiB", kib / 1024);
			else
				snprintf(sz, sizeof(sz), "%lu KiB", kib);
			printf("   %-5u %8s", k, sz);
			for (int i = 0; i < ORDERS_COLS; i++) {
				double v = ns[k][i];
				if (v < 0)
					printf(" %10s", "n/a");
				else if (table == 0)
					printf(" %10.1f", v);
				else if (table == 1)
					printf(" %10.2f", v / (double)(1u << k));
				else
					printf(" %10.2f", ns[k][0] > 0 ? v / ns[k][0] : -1.0);
			}
			printf("\n");
		}
	}
	fflush(stdout);
}

/* ---- 5. scaling --------------------------------------------------------------- */

#define NR_SCALES 5

struct held_block {
	struct lab_page *page;
	unsigned order;
};

struct scaled {
	uint64_t bytes;
	struct lab_mem *mem;
	void *meta;
	size_t meta_bytes;
	struct held_block *held;
	size_t nr_held;
	uint64_t held_pages, managed;
	double setup_ms;
};

/* Small orders are the common case; large ones carve the big holes. */
static unsigned random_order(uint64_t *rng)
{
	unsigned r = (unsigned)(bench_rand(rng) % 100);
	if (r < 40)
		return 0;
	if (r < 55)
		return 1;
	if (r < 67)
		return 2;
	if (r < 77)
		return 3;
	if (r < 85)
		return 4;
	return 5 + (unsigned)(bench_rand(rng) % 6);
}

/*
 * Fills the instance to 80% with blocks of random orders and mobilities,
 * then frees random blocks until 50% stays allocated: a maze of holes of
 * every size, in pageblocks of every migratetype. The same seed at every
 * size, so each instance gets the same distribution.
 */
static void fragment(struct scaled *s)
{
	static const lab_gfp_t gfps[3] = {
		LAB_GFP_KERNEL, LAB_GFP_HIGHUSER_MOVABLE, LAB_GFP_KERNEL | LAB___GFP_RECLAIMABLE,
	};
	struct lab_mem_stats *st = malloc(sizeof(*st));
	uint64_t rng = 0x2545f4914f6cdd1dull, target;
	size_t cap = 1024;
	unsigned fails = 0;

	if (!st)
		bench_die("out of memory");
	lab_mem_get_stats(s->mem, st);
	s->managed = 0;
	for (int z = 0; z < LAB_MAX_NR_ZONES; z++)
		s->managed += st->zone[z].managed;
	free(st);
	s->held = malloc(cap * sizeof(*s->held));
	if (!s->held)
		bench_die("out of memory");
	target = s->managed * 8 / 10;
	while (s->held_pages < target && fails < 64) {
		unsigned order = random_order(&rng);
		lab_gfp_t gfp = gfps[bench_rand(&rng) % 3] | LAB___GFP_NOWARN;
		struct lab_page *p = lab_alloc_pages(s->mem, gfp, order);
		if (!p) {
			fails++;
			continue;
		}
		if (s->nr_held == cap) {
			cap *= 2;
			s->held = realloc(s->held, cap * sizeof(*s->held));
			if (!s->held)
				bench_die("out of memory");
		}
		s->held[s->nr_held++] = (struct held_block){ p, order };
		s->held_pages += 1ull << order;
	}
	target = s->managed / 2;
	while (s->held_pages > target && s->nr_held) {
		size_t i = (size_t)(bench_rand(&rng) % s->nr_held);
		lab_free_pages(s->mem, s->held[i].page, s->held[i].order);
		s->held_pages -= 1ull << s->held[i].order;
		s->held[i] = s->held[--s->nr_held];
	}
}

static void scaled_down(struct scaled *s)
{
	for (size_t i = 0; i < s->nr_held; i++)
		lab_free_pages(s->mem, s->held[i].page, s->held[i].order);
	if (lab_mem_check(s->mem))
		bench_die("scaling: lab_mem_check found violations (%llu MiB)",
			  (unsigned long long)(s->bytes / MiB));
	lab_mem_fini(s->mem);
	free(s->held);
	free(s->meta);
}

static void run_scaling(void)
{
	static const uint64_t sizes[NR_SCALES] = { 64 * MiB, 256 * MiB, 1 * GiB, 4 * GiB, 16 * GiB };
	static const char *names[NR_SCALES] = { "64 MiB", "256 MiB", "1 GiB", "4 GiB", "16 GiB" };
	static const char *kinds[3] = { "order-0 pair", "order-3 pair", "order-0 pattern" };
	struct scaled s[NR_SCALES];
	struct lab_arg a[3][NR_SCALES];
	struct bench_contender c[3][NR_SCALES];

	memset(s, 0, sizeof(s));
	for (int i = 0; i < NR_SCALES; i++) {
		uint64_t t0 = bench_now_ns();
		s[i].bytes = sizes[i];
		s[i].mem = new_bare(sizes[i], LAB_CFG_NO_ZONE_DMA | LAB_CFG_NO_ZONE_DMA32, &s[i].meta,
				    &s[i].meta_bytes);
		fragment(&s[i]);
		s[i].setup_ms = (double)(bench_now_ns() - t0) / 1e6;
		if (lab_mem_check(s[i].mem))
			bench_die("scaling: lab_mem_check found violations after fragmenting");
	}
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < NR_SCALES; i++) {
			a[k][i] = (struct lab_arg){ .mem = s[i].mem, .gfp = LAB_GFP_KERNEL, .order = k == 1 ? 3 : 0 };
			if (k == 2)
				lab_pattern_init(&a[k][i]);
			c[k][i] = (struct bench_contender){ .name = names[i], .run = k == 2 ? lab_pattern : lab_pair,
							    .arg = &a[k][i] };
		}
		bench_compare(c[k], NR_SCALES);
		if (k == 2)
			for (int i = 0; i < NR_SCALES; i++)
				lab_pattern_fini(&a[k][i]);
	}

	printf("\n== scaling: cost vs memory size (bare core, one Normal zone, 50%% allocated in random orders) ==\n");
	printf("   median of %d rounds, ns per operation; ratio = ns / ns of the 64 MiB instance\n",
	       bench_quick ? 5 : 7);
	printf("   %-8s %9s %9s %6s %8s", "memory", "pages", "metadata", "alloc", "setup");
	for (int k = 0; k < 3; k++)
		printf(" %15s %5s", kinds[k], "ratio");
	printf("\n");
	for (int i = 0; i < NR_SCALES; i++) {
		char meta[16];
		snprintf(meta, sizeof(meta), "%.2f MiB", (double)s[i].meta_bytes / (double)MiB);
		printf("   %-8s %9llu %9s %5.1f%% %6.0fms", names[i], (unsigned long long)(s[i].bytes >> 12), meta,
		       100.0 * (double)s[i].held_pages / (double)s[i].managed, s[i].setup_ms);
		for (int k = 0; k < 3; k++) {
			double v = c[k][i].median_ns, r = v / c[k][0].median_ns;
			printf(" %15.1f %5.2f", v, r);
			bench_json_row("scaling", names[i], kinds[k], v, c[k][i].min_ns, c[k][i].max_ns, r, "ns/op");
		}
		printf("\n");
	}
	fflush(stdout);
	for (int i = 0; i < NR_SCALES; i++)
		scaled_down(&s[i]);
}

static void run_background(void)
{
	lab_bench_background(stdout);
}

static void run_atomic(void)
{
	lab_bench_atomic(stdout);
}

static void run_sim(void)
{
	lab_bench_sim(stdout);
}

static void run_replay(void)
{
	lab_bench_replay(stdout);
}

const struct bench_def bench_defs[] = {
	{ "order0", "order-0 alloc+free pair vs malloc(4096)+free, peers, array floor", run_order0 },
	{ "pattern", "1024 pages live, random free + alloc (order 0)", run_pattern },
	{ "order3", "order-3 alloc+free pair vs 32 KiB aligned allocations", run_order3 },
	{ "orders", "alloc+free pair and cost per 4 KiB for orders 0..10", run_orders },
	{ "scaling", "order-0/3 pairs and pattern on 64 MiB .. 16 GiB fragmented instances", run_scaling },
	{ "background", "Gorman grouping ratio, highatomic effect, compaction rate, 4 MiB DMA cost", run_background },
	{ "atomic", "bulk vs single, 1 vs 2 CPUs, GFP_ATOMIC latency inside signal interrupts", run_atomic },
	{ "sim", "simulated events per second, run time vs memory size and event count", run_sim },
	{ "replay", "ftrace text parsing and replay rates on the atomic-pressure trace", run_replay },
	{ "page_pool", "page_pool pairs (direct, ring) vs the per-CPU lists, tcmalloc, DPDK mempool", bench_run_pool },
};
const size_t bench_nr_defs = sizeof(bench_defs) / sizeof(bench_defs[0]);
