/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_replay.c - how fast real kernel traces are read and replayed.
 *
 *   parse     lab_ftrace_parse_text over the decompressed text in memory
 *             (no I/O, no decompression): lines/s and MB/s;
 *   seed      lab_replay_seed: the probe pass over all events plus the
 *             placement of the initial free blocks (once per replay);
 *   shadow    lab_replay_shadow, whole, and per event once the seed's cost
 *             is taken away;
 *   what-if   lab_replay_whatif, whole (it also builds and fills a
 *             Labyrinth instance like the traced machine), and per event
 *             without the seed.
 *
 * Each figure is the median of 5 runs. The input is the atomic-pressure
 * trace of the corpus (165k lines, 51717 failed GFP_ATOMIC allocations)
 * when found, else a synthetic trace (alloc/free/pcp traffic over a 256 MiB
 * zone) so the benchmark runs anywhere.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_replay.h"
#include "formats/ftrace.h"
#include "formats/snapshot.h"
#include "engines/replay.h"
#include "util/rng.h"
#include "util/snapshot_zone.h"

#define RUNS 5

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t median(uint64_t *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_u64);
	return v[RUNS / 2];
}

/* The run in the repository's tests/data/realkernel/: first beside this
 * file's bench/ (the source tree it was built from), then under the working
 * directory (a checkout's root). */
static const char *find_corpus(char *buf, size_t n)
{
	const char *here = __FILE__, *slash = strrchr(here, '/');
	char src[512];
	snprintf(src, sizeof(src), "%.*s/..", slash ? (int)(slash - here) : 1, slash ? here : ".");
	const char *const base[] = { src, "." };
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		snprintf(buf, n, "%s/tests/data/realkernel/atomic-pressure-256M", base[i]);
		char p[4200];
		snprintf(p, sizeof(p), "%s/trace.txt.xz", buf);
		FILE *f = fopen(p, "r");
		if (f) {
			fclose(f);
			return buf;
		}
	}
	return NULL;
}

/* A synthetic trace: 200k lines of zone_locked/alloc/free/drain over 64k pages. */
static char *synth_trace(size_t *len, struct lab_snapshot *s)
{
	size_t cap = 64u << 20, n = 0;
	char *b = malloc(cap);
	uint64_t held[4096], nheld = 0, next = 0x1000, x = 88172645463325292ull;
	if (!b)
		return NULL;
	for (unsigned i = 0; i < 50000 && n + 1024 < cap; i++) {
		x = test_xorshift64(&x);
		unsigned cpu = (unsigned)(x >> 40) & 1;
		uint64_t us = 1000000ull + i * 10ull;
		if ((x & 3) && nheld < 4096 && next < 0x1000 + 60000) {
			uint64_t pfn = next++;
			n += (size_t)snprintf(b + n, cap - n,
				"       work-%u     [%03u] d..1.  %llu.%06llu: mm_page_alloc_zone_locked: page=00000000deadbeef pfn=%#llx order=0 migratetype=1 percpu_refill=1\n"
				"       work-%u     [%03u] .....  %llu.%06llu: mm_page_alloc: page=00000000deadbeef pfn=%#llx order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO\n",
				100 + cpu, cpu, (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
				(unsigned long long)pfn, 100 + cpu, cpu, (unsigned long long)(us / 1000000),
				(unsigned long long)(us % 1000000 + 1), (unsigned long long)pfn);
			held[nheld++] = pfn;
		} else if (nheld) {
			uint64_t k = (x >> 20) % nheld, pfn = held[k];
			held[k] = held[--nheld];
			n += (size_t)snprintf(b + n, cap - n,
				"       work-%u     [%03u] .....  %llu.%06llu: mm_page_free: page=00000000deadbeef pfn=%#llx order=0\n"
				"       work-%u     [%03u] d..3.  %llu.%06llu: mm_page_pcpu_drain: page=00000000deadbeef pfn=%#llx order=0 migratetype=1\n",
				100 + cpu, cpu, (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
				(unsigned long long)pfn, 100 + cpu, cpu, (unsigned long long)(us / 1000000),
				(unsigned long long)(us % 1000000 + 1), (unsigned long long)pfn);
		}
	}
	*len = n;
	snapshot_free_dma32(s, 65536, 256, 1024);
	return b;
}

void lab_bench_replay(FILE *out)
{
	char dir[4096], path[4200], err[512];
	static struct lab_snapshot snaps[16];
	int nsnaps = 0, before = -1;
	char *text = NULL;
	size_t len = 0;
	const char *src;

	if (find_corpus(dir, sizeof(dir))) {
		snprintf(path, sizeof(path), "%s/trace.txt.xz", dir);
		if (lab_read_file_decompressed(path, &text, &len, err, sizeof(err))) {
			fprintf(out, "bench replay: %s\n", err);
			return;
		}
		char names[16][32];
		nsnaps = lab_snapshot_list(dir, names, 16);
		for (int i = 0; i < nsnaps; i++) {
			if (lab_snapshot_read(dir, names[i], &snaps[i], err, sizeof(err))) {
				fprintf(out, "bench replay: %s\n", err);
				free(text);
				return;
			}
			if (!strcmp(names[i], "before"))
				before = i;
		}
		src = "corpus atomic-pressure-256M";
	} else {
		text = synth_trace(&len, &snaps[0]);
		nsnaps = 1;
		before = 0;
		src = "synthetic (tests/data/realkernel not found)";
	}
	if (!text || before < 0) {
		fprintf(out, "bench replay: no input\n");
		free(text);
		return;
	}

	uint64_t t_parse[RUNS], t_seed[RUNS], t_shadow[RUNS], t_whatif[RUNS];
	struct lab_ftrace t;
	struct lab_ftrace_opts fo = { .era = LAB_GFP_ERA_6_1 };
	uint64_t lines = 0;
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();
		if (lab_ftrace_parse_text(text, len, "bench", &fo, &t, err, sizeof(err))) {
			fprintf(out, "bench replay: %s\n", err);
			free(text);
			return;
		}
		t_parse[r] = now_ns() - t0;
		lines = t.lines;
		if (r < RUNS - 1)
			lab_ftrace_free(&t);
	}
	struct lab_replay_opts o;
	memset(&o, 0, sizeof(o));
	o.before = &snaps[before];
	lab_replay_settings_default(&o.set);
	o.nr_samples = 24;
	lab_replay_match_snapshots(&t, snaps, (unsigned)nsnaps, &o);
	for (int r = 0; r < RUNS; r++) {
		struct lab_replay_seed seed;
		struct lab_shadow_result sr;
		struct lab_whatif_result wr;
		uint64_t t0 = now_ns();
		if (lab_replay_seed(&t, &o, &seed, err, sizeof(err)))
			goto fail;
		t_seed[r] = now_ns() - t0;
		lab_replay_seed_free(&seed);
		t0 = now_ns();
		if (lab_replay_shadow(&t, &o, &sr, err, sizeof(err)))
			goto fail;
		t_shadow[r] = now_ns() - t0;
		lab_shadow_result_free(&sr);
		t0 = now_ns();
		if (lab_replay_whatif(&t, &o, &wr, err, sizeof(err)))
			goto fail;
		t_whatif[r] = now_ns() - t0;
		lab_whatif_result_free(&wr);
	}
	uint64_t mp = median(t_parse), ms = median(t_seed), msh = median(t_shadow), mw = median(t_whatif);
	double ev = (double)t.nr;
	fprintf(out, "replay benchmark: %s, %llu lines, %.1f MB of text, %zu events (median of %d runs)\n", src,
		(unsigned long long)lines, (double)len / 1e6, t.nr, RUNS);
	fprintf(out, "  %-34s %10.2f ms  %8.2f M lines/s  %7.1f MB/s   (goal >= 2 M lines/s)\n",
		"parse text (in memory)", mp / 1e6, (double)lines / (mp / 1e9) / 1e6, (double)len / (mp / 1e9) / 1e6);
	fprintf(out, "  %-34s %10.2f ms\n", "seed (probe pass + placement)", ms / 1e6);
	fprintf(out, "  %-34s %10.2f ms  %8.2f M events/s\n", "shadow replay, whole", msh / 1e6, ev / (msh / 1e9) / 1e6);
	if (msh > ms)
		fprintf(out, "  %-34s %10.2f ms  %8.2f M events/s (goal >= 10 M events/s)\n", "shadow replay, events only",
			(msh - ms) / 1e6, ev / ((msh - ms) / 1e9) / 1e6);
	fprintf(out, "  %-34s %10.2f ms  %8.2f M events/s\n", "what-if replay, whole", mw / 1e6, ev / (mw / 1e9) / 1e6);
	if (mw > ms)
		fprintf(out, "  %-34s %10.2f ms  %8.2f M events/s (instance build and fill included)\n",
			"what-if replay, without seed", (mw - ms) / 1e6, ev / ((mw - ms) / 1e9) / 1e6);
	lab_ftrace_free(&t);
	free(text);
	return;
fail:
	fprintf(out, "bench replay: %s\n", err);
	lab_ftrace_free(&t);
	free(text);
}
