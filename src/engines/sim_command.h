/* SPDX-License-Identifier: MIT */
/*
 * engines/sim_command.h - `labyrinth run` and `labyrinth sweep` from their
 * parsed arguments to their outputs (engines/sim_command.c). The commands
 * in src/cli parse the options, load the scenario and call one of these.
 */
#ifndef LAB_ENGINES_SIM_COMMAND_H
#define LAB_ENGINES_SIM_COMMAND_H

#include <stdint.h>
#include <labyrinth/sim.h>

/* What `labyrinth run` was asked for; NULL paths = not wanted. */
struct lab_sim_run_request {
	uint64_t seed;
	const char *json;               /* '-' = stdout */
	const char *map;
	int map_first_failure;          /* --map-at first-failure */
	const char *plot;
	const char *outdir;             /* the /proc files */
	int quiet;                      /* no report on stdout */
};

/*
 * Simulates @sc (copied) for @req->seed with a progress bar on a terminal
 * after 1 s of wall time, prints the run report to stdout and writes every
 * requested output from one result (engines/sim_result.h, report/run.c,
 * report/plot.c); messages and the wall-clock figures to stderr. Returns
 * the command's exit status: 0; 1 when the allocator's self-check failed
 * or an output could not be written; 2 when the simulator could not be set
 * up from @sc.
 */
int lab_sim_run_command(const struct lab_scenario *sc, const struct lab_sim_run_request *req);

/* What `labyrinth sweep` was asked for. */
struct lab_sim_sweep_request {
	const struct lab_sweep_param *params;
	unsigned nr_params;
	unsigned nr_seeds, jobs;        /* jobs 0 = the machine's CPUs */
	uint64_t first_seed;
	const char *json;               /* NULL = none, '-' = stdout */
};

/*
 * Runs the grid of @req over @sc (engines/sweep.c) with a progress count on
 * a terminal, prints the table and the recommendation (report/sweep.c) to
 * stdout and the JSON to @req->json. Returns the exit status: 0; 1 when
 * the JSON could not be written; 2 when the sweep was refused (message on
 * stderr).
 */
int lab_sim_sweep_command(const struct lab_scenario *sc, const struct lab_sim_sweep_request *req);
/* A sweep's --json output: @res as JSON to @path ('-' = stdout; NULL =
 * none). 0, or 1 when it could not be written (message on stderr). */
int lab_sim_sweep_json_out(const struct lab_sweep_result *res, const char *path);

#endif
