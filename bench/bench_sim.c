/* SPDX-License-Identifier: MIT */
/*
 * bench/bench_sim.c - how fast the simulator runs, and how big it gets.
 *
 *   1. default scenario: nic-rx-storm (scenarios/), seed 1, no picture:
 *      events per second, where an event is a queue event (an interrupt,
 *      a process step, a daemon step, a phase, a sample) or an allocator
 *      call (allocation or free) - the counters of lab_sim_get_run_stats
 *   2. event count: one storm workload for 0.25, 0.5, 1 and 2 s of virtual
 *      time on the same machine: wall time should grow linearly
 *   3. memory size: the same workload on 1 GiB ... 256 GiB (1 TiB with
 *      LAB_BENCH_SIM_TIB=1): set-up time (lab_mem_init is O(pages)), run
 *      time, and resident memory while the simulator is alive (VmRSS;
 *      metadata is 16 bytes a page, nothing else grows with memory)
 *
 * Wall-clock numbers on a shared machine vary; each row is the best of
 * three runs (one for the big machines).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <labyrinth/sim.h>
#include "bench_sim.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident set of this process, MiB (Linux /proc/self/status). */
static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtod(line + 6, NULL);
	fclose(f);
	return kb / 1024.0;
}

struct result {
	double setup_s, run_s, rss;
	uint64_t events;
	int ok;
};

static struct result run_once(struct lab_scenario *sc)
{
	struct result r = { 0 };
	struct lab_sim_error err;
	double t0 = wall();
	struct lab_sim *sim = lab_sim_create(sc, 1, &err);
	if (!sim) {
		char buf[600];
		fprintf(stderr, "bench_sim: %s\n", lab_sim_error_format(&err, buf, sizeof(buf)));
		return r;
	}
	double t1 = wall();
	lab_sim_run(sim, 0, NULL, NULL);
	double t2 = wall();
	struct lab_sim_run_stats rs;
	lab_sim_get_run_stats(sim, &rs);
	r.rss = rss_mib();
	lab_sim_destroy(sim);
	r.setup_s = t1 - t0;
	r.run_s = t2 - t1;
	r.events = rs.events;
	r.ok = 1;
	return r;
}

static struct result best_of(struct lab_scenario *sc, int n)
{
	struct result best = { 0 };
	for (int i = 0; i < n; i++) {
		struct result r = run_once(sc);
		if (r.ok && (!best.ok || r.run_s < best.run_s))
			best = r;
	}
	return best;
}

static struct lab_scenario *inline_scenario(const char *yaml)
{
	struct lab_sim_error err;
	struct lab_scenario *sc = lab_scenario_parse(yaml, strlen(yaml), "bench.yaml", &err);
	if (!sc) {
		char buf[600];
		fprintf(stderr, "bench_sim: %s\n", lab_sim_error_format(&err, buf, sizeof(buf)));
	}
	return sc;
}

static void set(struct lab_scenario *sc, const char *kv)
{
	struct lab_sim_error err;
	if (lab_scenario_set(sc, kv, &err) != 0) {
		char buf[600];
		fprintf(stderr, "bench_sim: %s\n", lab_sim_error_format(&err, buf, sizeof(buf)));
	}
}

/* The repository's scenarios/ directory, next to this file's bench/. */
static const char *scenario_path(const char *name, char *buf, size_t size)
{
	const char *here = __FILE__, *slash = strrchr(here, '/');
	int dir = slash ? (int)(slash - here) : 1;
	const char *const dirs[] = { NULL, NULL };
	char d[512];
	snprintf(d, sizeof(d), "%.*s/../scenarios", dir, slash ? here : ".");
	const char *const search[] = { d, "scenarios", NULL };
	(void)dirs;
	if (lab_scenario_resolve(name, search, buf, size) != 0)
		return NULL;
	return buf;
}

/* One storm workload (and a slab to give it walls), sized by --set. */
static const char storm_yaml[] =
	"name: bench-storm\n"
	"machine: {memory: 1G, cpus: 4}\n"
	"duration: 1s\n"
	"sim: {samples: 100}\n"
	"workloads:\n"
	"  - {type: slab, target: 64M, grow_rate: 1M, churn: 0.2}\n"
	"  - {type: nic-rx, rate: 500k, hold: 100us, orders: {0: 0.5, 2: 0.25, 3: 0.25}}\n";

void lab_bench_sim(FILE *out)
{
	char path[1024];
	fprintf(out, "\n== simulator (bench_sim) ==\n");

	/* 1. the default scenario */
	if (scenario_path("nic-rx-storm", path, sizeof(path))) {
		struct lab_sim_error err;
		struct lab_scenario *sc = lab_scenario_load(path, &err);
		if (sc) {
			struct result r = best_of(sc, 3);
			fprintf(out, "default scenario nic-rx-storm (%.1f s virtual, no picture):\n",
				(double)lab_scenario_duration_ns(sc) / 1e9);
			fprintf(out, "  %llu events in %.3f s: %.2f M events/s (set-up %.3f s, RSS %.0f MiB)\n",
				(unsigned long long)r.events, r.run_s, r.run_s > 0 ? (double)r.events / r.run_s / 1e6 : 0,
				r.setup_s, r.rss);
			lab_scenario_free(sc);
		}
	} else {
		fprintf(out, "default scenario: scenarios/nic-rx-storm.yaml not found\n");
	}

	/* 2. growth with the number of events */
	fprintf(out, "run time vs event count (nic-rx storm on 1 GiB, 4 CPUs):\n");
	fprintf(out, "  %10s %12s %10s %14s\n", "virtual s", "events", "wall s", "M events/s");
	static const char *const durs[] = { "250ms", "500ms", "1s", "2s" };
	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		struct lab_scenario *sc = inline_scenario(storm_yaml);
		char kv[64];
		if (!sc)
			break;
		snprintf(kv, sizeof(kv), "duration=%s", durs[i]);
		set(sc, kv);
		struct result r = best_of(sc, 3);
		fprintf(out, "  %10.2f %12llu %10.3f %14.2f\n", (double)lab_scenario_duration_ns(sc) / 1e9,
			(unsigned long long)r.events, r.run_s, r.run_s > 0 ? (double)r.events / r.run_s / 1e6 : 0);
		lab_scenario_free(sc);
	}

	/* 3. growth with memory size (sparse: metadata only) */
	fprintf(out, "run time and RSS vs memory size (same workload, 250 ms virtual):\n");
	fprintf(out, "  %10s %10s %10s %12s %12s\n", "memory", "set-up s", "run s", "RSS MiB", "metadata MiB");
	const char *tib = getenv("LAB_BENCH_SIM_TIB");
	static const char *const sizes[] = { "1G", "16G", "64G", "256G", "1T" };
	static const double gib[] = { 1, 16, 64, 256, 1024 };
	size_t n = sizeof(sizes) / sizeof(sizes[0]) - (tib && *tib == '1' ? 0 : 1);
	for (size_t i = 0; i < n; i++) {
		struct lab_scenario *sc = inline_scenario(storm_yaml);
		char kv[64];
		if (!sc)
			break;
		snprintf(kv, sizeof(kv), "machine.memory=%s", sizes[i]);
		set(sc, kv);
		set(sc, "duration=250ms");
		struct result r = best_of(sc, gib[i] >= 64 ? 1 : 3);
		fprintf(out, "  %10s %10.3f %10.3f %12.0f %12.0f\n", sizes[i], r.setup_s, r.run_s, r.rss,
			gib[i] * 262144.0 * 16 / 1048576.0);
		lab_scenario_free(sc);
	}
	if (!(tib && *tib == '1'))
		fprintf(out, "  (1 TiB: run with LAB_BENCH_SIM_TIB=1; it needs 4 GiB of metadata)\n");
}
