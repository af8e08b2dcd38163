/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_background.c - what background memory management buys, in
 * numbers (fixed seeds, so the counts are exactly repeatable; the times
 * are wall-clock medians):
 *
 *   gorman      order-9 blocks allocatable after a mixed workload with the
 *               page cache dropped: mobility grouping + compaction vs
 *               grouping disabled (Gorman's measurement; goal >= 5x)
 *   highatomic  order-3 GFP_ATOMIC failures under fragmentation with the
 *               highatomic reserve vs without (goal <= 0.5x), with and
 *               without per-CPU lists
 *   compaction  pages migrated per second by lab_compact_memory on a 1 GiB
 *               checkerboard of owned pages
 *   dma4m       cost of lab_dma_alloc(4 MiB) in a fragmented 256 MiB zone
 *               (migration of the pages in the way included)
 *
 * Instances are metadata-only where contents do not matter (no direct
 * map: migration then copies nothing, as in a simulation); the DMA case
 * uses a real arena because the buffer is zeroed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <labyrinth/background.h>
#include "bench_background.h"
#include "bench_core.h"

/* ---- a minimal page owner: migratable, reclaimable when "file" ---------- */

struct owner {
	struct lab_mem *mem;
	int id;
	struct lab_page **slot;
	int32_t *slot_of;         /* pfn -> slot */
	unsigned cap, used;
	unsigned lru;
};

static int o_isolate(void *ctx, struct lab_page *p)
{
	struct owner *o = ctx;
	return o->slot_of[lab_page_to_pfn(p)] < 0 ? -1 : 0;
}

static int o_migrate(void *ctx, struct lab_page *p, struct lab_page *np)
{
	struct owner *o = ctx;
	int32_t s = o->slot_of[lab_page_to_pfn(p)];
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot_of[lab_page_to_pfn(np)] = s;
	o->slot[s] = np;
	return 0;
}

static int o_reclaim(void *ctx, struct lab_page *p)
{
	struct owner *o = ctx;
	int32_t s = o->slot_of[lab_page_to_pfn(p)];
	if (!(o->lru & LAB_LRU_FILE) || s < 0)
		return -1;
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot[s] = NULL;
	o->used--;
	return 0;
}

static const struct lab_page_owner_ops owner_ops = { .isolate = o_isolate, .migrate = o_migrate,
						     .reclaim = o_reclaim };

static void owner_init(struct owner *o, struct lab_mem *mem, unsigned cap, unsigned lru)
{
	lab_pfn_t s, e;
	lab_mem_span(mem, &s, &e);
	memset(o, 0, sizeof(*o));
	o->mem = mem;
	o->cap = cap;
	o->lru = lru;
	o->slot = calloc(cap, sizeof(*o->slot));
	o->slot_of = malloc(e * sizeof(*o->slot_of));
	if (!o->slot || !o->slot_of)
		bench_die("out of memory");
	memset(o->slot_of, 0xff, e * sizeof(*o->slot_of));
	o->id = lab_owner_register(mem, &owner_ops, o);
}

static int owner_add(struct owner *o, lab_gfp_t gfp)
{
	if (o->used == o->cap)
		return -1;
	struct lab_page *p = lab_alloc_pages(o->mem, gfp | LAB___GFP_NOWARN, 0);
	if (!p)
		return -1;
	unsigned s = o->used++;
	while (o->slot[s])
		s = (s + 1) % o->cap;
	o->slot[s] = p;
	o->slot_of[lab_page_to_pfn(p)] = (int32_t)s;
	lab_page_set_owner(o->mem, p, o->id, o->lru);
	return (int)s;
}

static void owner_remove(struct owner *o, unsigned s)
{
	struct lab_page *p = o->slot[s];
	if (!p)
		return;
	lab_page_clear_owner(o->mem, p);
	o->slot_of[lab_page_to_pfn(p)] = -1;
	o->slot[s] = NULL;
	o->used--;
	lab_free_pages(o->mem, p, 0);
}

static void owner_fini(struct owner *o)
{
	for (unsigned s = 0; s < o->cap; s++)
		owner_remove(o, s);
	free(o->slot);
	free(o->slot_of);
}

/* ---- instances -------------------------------------------------------------- */

struct inst {
	struct lab_mem *mem;
	void *meta, *arena;
};

static struct lab_mem *inst_new(struct inst *in, uint64_t pages, unsigned flags, int arena)
{
	struct lab_range r = { 0, pages << 12 };
	struct lab_mem_config cfg = { .ranges = &r, .nr_ranges = 1, .flags = flags | LAB_CFG_NO_ZONE_DMA |
				      LAB_CFG_NO_ZONE_DMA32, .nr_cpus = 1 };
	memset(in, 0, sizeof(*in));
	if (arena) {
		in->arena = aligned_alloc(4096, pages << 12);
		cfg.virt_base = in->arena;
	}
	size_t n = lab_mem_metadata_bytes(&cfg);
	in->meta = aligned_alloc(64, (n + 63) & ~(size_t)63);
	cfg.metadata = in->meta;
	cfg.metadata_bytes = n;
	in->mem = lab_mem_init(&cfg, NULL);
	if (!in->mem)
		bench_die("cannot create a %llu-page instance", (unsigned long long)pages);
	return in->mem;
}

static void inst_free(struct inst *in)
{
	lab_mem_fini(in->mem);
	free(in->meta);
	free(in->arena);
}

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- gorman ---------------------------------------------------------------- */

static int gorman(unsigned flags, uint64_t pages)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, pages, flags, 0);
	struct owner cache, anon;
	struct lab_page **kern = calloc(pages, sizeof(*kern));
	size_t nk = 0;
	const lab_gfp_t movable = LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM;
	owner_init(&cache, m, (unsigned)pages, LAB_LRU_FILE);
	owner_init(&anon, m, (unsigned)pages, LAB_LRU_ANON);
	rng = 777;
	for (uint64_t i = 0; i < pages * 92 / 100; i++) {
		uint64_t r = rnd() % 100;
		int ok;
		if (r < 60)
			ok = owner_add(&cache, movable) >= 0;
		else if (r < 85)
			ok = owner_add(&anon, movable) >= 0;
		else {
			kern[nk] = lab_alloc_pages(m, (r < 95 ? LAB_GFP_NOWAIT : LAB_GFP_NOWAIT | LAB___GFP_RECLAIMABLE) |
						       LAB___GFP_NOWARN, 0);
			ok = kern[nk] != NULL;
			nk += (size_t)ok;
		}
		if (!ok)
			break;
	}
	for (unsigned s = 0; s < cache.cap; s++)
		owner_remove(&cache, s);
	int got = 0;
	struct lab_page **hp = calloc(pages / 512 + 1, sizeof(*hp));
	while ((hp[got] = lab_alloc_pages(m, LAB_GFP_KERNEL | LAB___GFP_NOWARN | LAB___GFP_RETRY_MAYFAIL, 9)))
		got++;
	for (int i = 0; i < got; i++)
		lab_free_pages(m, hp[i], 9);
	for (size_t i = 0; i < nk; i++)
		lab_free_pages(m, kern[i], 0);
	owner_fini(&anon);
	owner_fini(&cache);
	free(hp);
	free(kern);
	inst_free(&in);
	return got;
}

/* ---- highatomic -------------------------------------------------------------- */

static int atomic_storm(int reserve, unsigned flags)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, 16384, flags, 0);
	struct lab_page **pool = calloc(16384, sizeof(*pool));
	struct lab_page *rx[64] = { 0 };
	int n = 0, fails = 0;
	lab_set_highatomic_reserve(m, reserve);
	rng = 4242;
	for (;;) {
		lab_gfp_t g = (rnd() % 4 == 0) ? LAB_GFP_KERNEL : LAB_GFP_HIGHUSER_MOVABLE;
		struct lab_page *p = lab_alloc_pages(m, g | LAB___GFP_NORETRY | LAB___GFP_NOWARN, 0);
		if (!p)
			break;
		pool[n++] = p;
	}
	for (int i = 0; i < n / 50; i++) {
		size_t k = (size_t)(rnd() % (uint64_t)n);
		lab_free_pages(m, pool[k], 0);
		pool[k] = pool[--n];
	}
	for (int step = 0; step < 100000; step++) {
		uint64_t r = rnd() % 100;
		if (r < 50) {
			lab_gfp_t g = (rnd() % 4 == 0) ? LAB_GFP_KERNEL : LAB_GFP_HIGHUSER_MOVABLE;
			struct lab_page *p = lab_alloc_pages(m, g | LAB___GFP_NORETRY | LAB___GFP_NOWARN, 0);
			if (p)
				pool[n++] = p;
		} else if (r < 96 && n) {
			size_t k = (size_t)(rnd() % (uint64_t)n);
			lab_free_pages(m, pool[k], 0);
			pool[k] = pool[--n];
		} else {
			unsigned slot = (unsigned)(rnd() % 64);
			if (rx[slot])
				lab_free_pages(m, rx[slot], 3);
			rx[slot] = lab_alloc_pages(m, LAB_GFP_ATOMIC | LAB___GFP_NOWARN, 3);
			fails += rx[slot] == NULL;
		}
	}
	for (int i = 0; i < 64; i++)
		if (rx[i])
			lab_free_pages(m, rx[i], 3);
	for (int i = 0; i < n; i++)
		lab_free_pages(m, pool[i], 0);
	free(pool);
	inst_free(&in);
	return fails;
}

/* ---- compaction throughput and the 4 MiB DMA buffer ----------------------------- */

static double compaction_rate(uint64_t pages, unsigned long *moved)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, pages, 0, 0);
	struct owner o;
	owner_init(&o, m, (unsigned)pages, LAB_LRU_ANON);
	while (owner_add(&o, LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM) >= 0)
		;
	for (unsigned s = 0; s < o.cap; s += 2)
		owner_remove(&o, s);
	uint64_t t0 = bench_now_ns();
	*moved = lab_compact_memory(m);
	uint64_t dt = bench_now_ns() - t0;
	owner_fini(&o);
	inst_free(&in);
	return (double)*moved / ((double)dt / 1e9);
}

static double dma4m_us(void)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, 65536, 0, 1);
	struct owner o;
	owner_init(&o, m, 65536, LAB_LRU_ANON);
	rng = 99;
	while (owner_add(&o, LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM) >= 0)
		;
	for (unsigned s = 0; s < o.cap; s++)
		if (rnd() % 3 == 0)
			owner_remove(&o, s);
	lab_phys_t phys;
	uint64_t t0 = bench_now_ns();
	void *buf = lab_dma_alloc(m, 4u << 20, 0, &phys);
	uint64_t dt = bench_now_ns() - t0;
	if (!buf)
		bench_die("dma4m: lab_dma_alloc(4 MiB) failed");
	lab_dma_free(m, buf, 4u << 20);
	owner_fini(&o);
	inst_free(&in);
	return (double)dt / 1e3;
}

void lab_bench_background(FILE *out)
{
	uint64_t gpages = bench_quick ? 16384 : 65536;
	int g = gorman(0, gpages), u = gorman(LAB_CFG_NO_MOBILITY_GROUPING, gpages);
	fprintf(out, "\n== background: anti-fragmentation (Gorman), %llu MiB, fixed seed ==\n",
		(unsigned long long)(gpages >> 8));
	fprintf(out, "  order-9 blocks allocatable of %llu: grouping+compaction %d, no grouping %d, ratio %.1fx\n",
		(unsigned long long)(gpages / 512), g, u, u ? (double)g / u : (double)g);
	bench_json_row("background", "gorman", "grouping+compaction", g, g, g, u ? (double)g / u : 0, "order-9 blocks");
	bench_json_row("background", "gorman", "no grouping", u, u, u, 1.0, "order-9 blocks");

	int w = atomic_storm(1, 0), wo = atomic_storm(0, 0);
	int wn = atomic_storm(1, LAB_CFG_NO_PCP), won = atomic_storm(0, LAB_CFG_NO_PCP);
	fprintf(out, "\n== background: highatomic reserve, order-3 GFP_ATOMIC under fragmentation (64 MiB, fixed seed) ==\n");
	fprintf(out, "  with per-CPU lists:    failures with reserve %d, without %d, ratio %.2f\n", w, wo,
		wo ? (double)w / wo : 0.0);
	fprintf(out, "  without per-CPU lists: failures with reserve %d, without %d, ratio %.2f\n", wn, won,
		won ? (double)wn / won : 0.0);
	bench_json_row("background", "highatomic pcp", "with reserve", w, w, w, wo ? (double)w / wo : 0, "failures");
	bench_json_row("background", "highatomic pcp", "without reserve", wo, wo, wo, 1.0, "failures");
	bench_json_row("background", "highatomic no pcp", "with reserve", wn, wn, wn, won ? (double)wn / won : 0, "failures");
	bench_json_row("background", "highatomic no pcp", "without reserve", won, won, won, 1.0, "failures");

	unsigned long moved;
	double rate = compaction_rate(bench_quick ? 65536 : 262144, &moved);
	fprintf(out, "\n== background: compaction throughput (%s checkerboard of owned pages) ==\n",
		bench_quick ? "256 MiB" : "1 GiB");
	fprintf(out, "  %lu pages migrated, %.2f M pages/s (metadata only: no contents copied)\n", moved, rate / 1e6);
	bench_json_row("background", "compaction", "lab_compact_memory", rate, rate, rate, 1.0, "pages/s");

	double us = dma4m_us();
	fprintf(out, "\n== background: 4 MiB DMA buffer in a fragmented 256 MiB zone ==\n");
	fprintf(out, "  lab_dma_alloc(4 MiB): %.0f us (including migration and zeroing)\n", us);
	bench_json_row("background", "dma4m", "lab_dma_alloc", us * 1e3, us * 1e3, us * 1e3, 1.0, "ns");
	fflush(out);
}
