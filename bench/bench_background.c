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
#include "util/experiments.h"
#include "util/owner.h"
#include "util/rng.h"

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

/* ---- compaction throughput and the 4 MiB DMA buffer ----------------------------- */

static double compaction_rate(uint64_t pages, unsigned long *moved)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, pages, 0, 0);
	struct test_owner o;
	test_owner_init(&o, m, (unsigned)pages, LAB_LRU_ANON);
	while (test_owner_add(&o, LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM) >= 0)
		;
	for (unsigned s = 0; s < o.cap; s += 2)
		test_owner_remove(&o, (int)s);
	uint64_t t0 = bench_now_ns();
	*moved = lab_compact_memory(m);
	uint64_t dt = bench_now_ns() - t0;
	test_owner_fini(&o);
	inst_free(&in);
	return (double)*moved / ((double)dt / 1e9);
}

static double dma4m_us(void)
{
	struct inst in;
	struct lab_mem *m = inst_new(&in, 65536, 0, 1);
	struct test_owner o;
	uint64_t rng = 99;
	test_owner_init(&o, m, 65536, LAB_LRU_ANON);
	while (test_owner_add(&o, LAB_GFP_HIGHUSER_MOVABLE & ~LAB___GFP_DIRECT_RECLAIM) >= 0)
		;
	for (unsigned s = 0; s < o.cap; s++)
		if (test_xorshift64(&rng) % 3 == 0)
			test_owner_remove(&o, (int)s);
	lab_phys_t phys;
	uint64_t t0 = bench_now_ns();
	void *buf = lab_dma_alloc(m, 4u << 20, 0, &phys);
	uint64_t dt = bench_now_ns() - t0;
	if (!buf)
		bench_die("dma4m: lab_dma_alloc(4 MiB) failed");
	lab_dma_free(m, buf, 4u << 20);
	test_owner_fini(&o);
	inst_free(&in);
	return (double)dt / 1e3;
}

void lab_bench_background(FILE *out)
{
	uint64_t gpages = bench_quick ? 16384 : 65536;
	struct lab_experiment eg, eu, w, wo, wn, won;
	lab_exp_gorman(&eg, 0, gpages, 777);
	lab_exp_gorman(&eu, LAB_CFG_NO_MOBILITY_GROUPING, gpages, 777);
	int g = eg.result, u = eu.result;
	if (eg.check_errors || eu.check_errors || eg.verify_errors || eu.verify_errors)
		bench_die("gorman: lab_mem_check or contents failed");
	fprintf(out, "\n== background: anti-fragmentation (Gorman), %llu MiB, fixed seed ==\n",
		(unsigned long long)(gpages >> 8));
	fprintf(out, "  order-9 blocks allocatable of %llu: grouping+compaction %d, no grouping %d, ratio %.1fx\n",
		(unsigned long long)(gpages / 512), g, u, u ? (double)g / u : (double)g);
	bench_json_row("background", "gorman", "grouping+compaction", g, g, g, u ? (double)g / u : 0, "order-9 blocks");
	bench_json_row("background", "gorman", "no grouping", u, u, u, 1.0, "order-9 blocks");

	lab_exp_atomic_storm(&w, 1, 0, 4242);
	lab_exp_atomic_storm(&wo, 0, 0, 4242);
	lab_exp_atomic_storm(&wn, 1, LAB_CFG_NO_PCP, 4242);
	lab_exp_atomic_storm(&won, 0, LAB_CFG_NO_PCP, 4242);
	fprintf(out, "\n== background: highatomic reserve, order-3 GFP_ATOMIC under fragmentation (64 MiB, fixed seed) ==\n");
	fprintf(out, "  with per-CPU lists:    failures with reserve %d, without %d, ratio %.2f\n", w.result, wo.result,
		wo.result ? (double)w.result / wo.result : 0.0);
	fprintf(out, "  without per-CPU lists: failures with reserve %d, without %d, ratio %.2f\n", wn.result, won.result,
		won.result ? (double)wn.result / won.result : 0.0);
	bench_json_row("background", "highatomic pcp", "with reserve", w.result, w.result, w.result,
		       wo.result ? (double)w.result / wo.result : 0, "failures");
	bench_json_row("background", "highatomic pcp", "without reserve", wo.result, wo.result, wo.result, 1.0, "failures");
	bench_json_row("background", "highatomic no pcp", "with reserve", wn.result, wn.result, wn.result,
		       won.result ? (double)wn.result / won.result : 0, "failures");
	bench_json_row("background", "highatomic no pcp", "without reserve", won.result, won.result, won.result, 1.0,
		       "failures");

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
