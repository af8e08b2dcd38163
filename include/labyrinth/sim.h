/* SPDX-License-Identifier: MIT */
/*
 * labyrinth/sim.h - the deterministic simulator: the real allocator core
 * driven by virtual CPUs, interrupts and workloads on a virtual clock.
 *
 *   scenario.yaml --lab_scenario_load--> struct lab_scenario (+ --set overrides)
 *         |
 *   lab_sim_create(scenario, seed)    a lab_mem instance over metadata only
 *         |                           (no page contents: virt_base NULL), and a
 *         v                           struct lab_platform whose hooks answer
 *   lab_sim_run()  ---- events ---->  with the virtual CPU, context, clock
 *   (binary heap of event sources:    and task name of the event running now
 *    interrupts, processes, kswapd,
 *    kcompactd, phases, sampler)
 *         |
 *   lab_sim_report_text / _json / _write_procfs / _write_plot / _write_map
 *
 * Determinism: the same scenario, overrides and seed give the same events
 * and byte-identical reports (nothing reads the wall clock, pointer values
 * or the environment). Wall-clock figures (events per second) are only
 * returned by lab_sim_run_stats() and never printed into a report.
 *
 * A simulator is single-threaded; different simulators may run in
 * different threads at the same time (lab_sweep_run does), up to the core's
 * instance registry (32 instances alive at once).
 *
 * Scenario files, workloads and their parameters: docs/simulator.md.
 * JSON report schema: docs/run-json.md.
 */
#ifndef LABYRINTH_SIM_H
#define LABYRINTH_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include <labyrinth/labyrinth.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- scenarios ----------------------------------------------------------- */

struct lab_scenario;

/* Classes of bad scenario input (lab_sim_error.code). */
enum lab_scenario_errcode {
	LAB_SCN_OK = 0,
	LAB_SCN_ERR_IO,         /* cannot read the file */
	LAB_SCN_ERR_SYNTAX,     /* not YAML (libyaml's message) */
	LAB_SCN_ERR_UNKNOWN,    /* unknown key (or unknown name: phase, workload type) */
	LAB_SCN_ERR_TYPE,       /* wrong type: a list where a number belongs, "abc" for a size */
	LAB_SCN_ERR_VALUE,      /* impossible value: out of range, inconsistent */
	LAB_SCN_ERR_MISSING,    /* a required key is absent */
	LAB_SCN_ERR_NOMEM,      /* out of memory (host) */
	LAB_SCN_ERR_NR
};

/* Where and why input was refused. lab_sim_error_format() renders it as
 * "FILE:LINE:COL: KEY: MESSAGE". */
struct lab_sim_error {
	enum lab_scenario_errcode code;
	char file[256];
	unsigned line, column;          /* 1-based; 0 = not from a file position */
	char key[128];                  /* "workloads[2].rate", "--set foo" */
	char msg[256];
};

/* "FILE:LINE:COL: KEY: MESSAGE" into @buf; returns @buf. */
const char *lab_sim_error_format(const struct lab_sim_error *e, char *buf, size_t size);
/* "io", "syntax", "unknown key", "wrong type", "bad value", "missing key", "nomem". */
const char *lab_scenario_errcode_name(enum lab_scenario_errcode code);

/* Parses a scenario from a YAML file / a buffer (@name is the file name
 * used in messages). NULL with *@err filled on bad input. At most 1 MiB. */
struct lab_scenario *lab_scenario_load(const char *path, struct lab_sim_error *err);
struct lab_scenario *lab_scenario_parse(const char *buf, size_t len, const char *name,
					struct lab_sim_error *err);
struct lab_scenario *lab_scenario_clone(const struct lab_scenario *sc);
void lab_scenario_free(struct lab_scenario *sc);

/*
 * Applies one "key=value" override, as if the file said so:
 *   a tunable by its sysctl name:       min_free_kbytes=4096, highatomic_reserve=0
 *   any key by its path in the file:    machine.memory=1G, sim.samples=500,
 *                                       phases.storm.duration=200ms,
 *                                       workloads.nicrx.rate=200k
 * The value is checked like the file's; 0 or -1 with *@err filled.
 */
int lab_scenario_set(struct lab_scenario *sc, const char *assignment, struct lab_sim_error *err);

/*
 * Finds a scenario: @name itself if it names a file, else NAME.yaml in each
 * of $LAB_SCENARIO_PATH (colon separated) and @dirs (NULL-terminated).
 * Returns 0 with the path in @out, or -1.
 */
int lab_scenario_resolve(const char *name, const char *const *dirs, char *out, size_t size);

const char *lab_scenario_name(const struct lab_scenario *sc);
uint64_t lab_scenario_duration_ns(const struct lab_scenario *sc);
uint64_t lab_scenario_memory_bytes(const struct lab_scenario *sc);

/* ---- running ------------------------------------------------------------- */

struct lab_sim;

struct lab_sim *lab_sim_create(const struct lab_scenario *sc, uint64_t seed, struct lab_sim_error *err);
void lab_sim_destroy(struct lab_sim *sim);

/* Progress: called about every 2^16 events with the virtual time reached. */
typedef void (*lab_sim_progress_fn)(void *arg, uint64_t now_ns, uint64_t end_ns, uint64_t events);

/* Runs every event up to the end of the scenario (or @until_ns if earlier;
 * 0 = the end). Returns 0, or -1 if lab_mem_check found corruption when
 * the scenario asked for checks (sim.check). Resumable. */
int lab_sim_run(struct lab_sim *sim, uint64_t until_ns, lab_sim_progress_fn progress, void *arg);

uint64_t lab_sim_now(const struct lab_sim *sim);
struct lab_mem *lab_sim_mem(struct lab_sim *sim);
const struct lab_scenario *lab_sim_scenario(const struct lab_sim *sim);

/* The headline numbers (what `labyrinth sweep` tabulates). */
struct lab_sim_summary {
	uint64_t seed;
	uint64_t virtual_ns;            /* simulated time reached */
	uint64_t events;                /* as lab_sim_run_stats.events */
	uint64_t atomic_requests;       /* allocations that could not block */
	uint64_t atomic_failures;
	uint64_t requests, failures;    /* all allocations */
	uint64_t held_back_pages;       /* sum of the zones' high watermarks (without boost) */
	uint64_t min_free_kbytes;       /* effective */
	double kswapd_cpu;              /* kswapd busy time / virtual time (1.0 = one CPU) */
	double kcompactd_cpu;
	uint64_t deadline_misses;       /* cardiac-monitor */
	uint64_t first_failure_ns;      /* of an atomic request; UINT64_MAX = none */
};
void lab_sim_get_summary(const struct lab_sim *sim, struct lab_sim_summary *out);

/*
 * Wall-clock figures of the lab_sim_run() calls so far (never in a report).
 * events = queue_events (interrupts, process steps, daemon steps, phases,
 * samples) + every call into the allocator: allocations (a bulk call
 * counts its pages), frees, LRU calls (set_owner, mark_accessed), and the
 * pages the core reclaimed or migrated through the workloads' owner ops.
 */
struct lab_sim_run_stats {
	double wall_seconds;
	uint64_t events;
	uint64_t queue_events;
	uint64_t alloc_calls, free_calls;
	uint64_t lru_calls, owner_callbacks;
};
void lab_sim_get_run_stats(const struct lab_sim *sim, struct lab_sim_run_stats *out);

/* ---- reports ------------------------------------------------------------- */

/* The run report a kernel engineer reads (docs/simulator.md). 0 or -errno. */
int lab_sim_report_text(struct lab_sim *sim, FILE *out);
/* Everything in the text report, machine-readable (docs/run-json.md). */
json_t *lab_sim_report_json(struct lab_sim *sim);
/* buddyinfo, pagetypeinfo, zoneinfo, vmstat, extfrag_index, unusable_index,
 * warn_alloc.txt (the kept failure records) into @dir (created). */
int lab_sim_write_procfs(struct lab_sim *sim, const char *dir);
/* Time-series plot (cairo PNG), @width x @height (0 = 1200 x 900). */
int lab_sim_write_plot(struct lab_sim *sim, const char *path, unsigned width, unsigned height);
/* The labyrinth map (labyrinth/map.h) of the current state, or with
 * @at_first_failure of the snapshot taken right after the first failed
 * atomic allocation (falls back to the current state if none). */
int lab_sim_write_map(struct lab_sim *sim, const char *path, int at_first_failure);

/* ---- sweeps ---------------------------------------------------------------- */

#define LAB_SWEEP_MAX_PARAMS 4
#define LAB_SWEEP_MAX_VALUES 64

struct lab_sweep_param {
	char name[64];                  /* a --set key */
	unsigned nr_values;
	char values[LAB_SWEEP_MAX_VALUES][32];
};

/* Parses "min_free_kbytes=1024..65536" (doubling), "a..b/N" (N points,
 * geometric), "a..b+S" (step S), or "v1,v2,v3". 0 or -1 with *@err. */
int lab_sweep_param_parse(const char *spec, struct lab_sweep_param *out, struct lab_sim_error *err);

struct lab_sweep_opts {
	const struct lab_sweep_param *params;
	unsigned nr_params;
	unsigned nr_seeds;              /* seeds first_seed .. first_seed + nr_seeds - 1 */
	uint64_t first_seed;
	unsigned jobs;                  /* parallel runs; 0 = online CPUs (at most 16) */
	/* called after each run, under a lock, from the worker thread that ran it; may be NULL */
	void (*progress)(void *arg, unsigned done, unsigned total);
	void *arg;
};

/* One grid point, aggregated over the seeds. */
struct lab_sweep_point {
	char values[LAB_SWEEP_MAX_PARAMS][32];
	uint64_t atomic_requests, atomic_failures;  /* summed over seeds */
	unsigned seeds_with_failures;
	double atomic_failure_rate;     /* failures / requests */
	double held_back_mib;           /* mean */
	double kswapd_cpu;              /* mean */
	uint64_t deadline_misses;
	int error;                      /* 0, or the run could not be set up */
};

struct lab_sweep_result {
	unsigned nr_points;
	struct lab_sweep_point *points;         /* row-major over the params */
	int recommended;                        /* index of the smallest setting with
						 * zero atomic failures in every seed; -1 none */
	int fewest;                             /* index with the fewest failures */
	struct lab_sweep_opts opts;             /* copy (params pointer borrowed) */
};

/* Runs the grid (every point x every seed, each run its own simulator).
 * 0, or -1 with *@err (a bad parameter name or value). */
int lab_sweep_run(const struct lab_scenario *sc, const struct lab_sweep_opts *opts,
		  struct lab_sweep_result *out, struct lab_sim_error *err);
void lab_sweep_result_free(struct lab_sweep_result *r);
/* The table and the recommendation. */
void lab_sweep_print(const struct lab_sweep_result *r, FILE *out);
json_t *lab_sweep_json(const struct lab_sweep_result *r);

#ifdef __cplusplus
}
#endif
#endif
