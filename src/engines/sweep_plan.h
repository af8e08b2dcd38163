/* SPDX-License-Identifier: MIT */
/*
 * engines/sweep_plan.h - `labyrinth sweep --plan`, one planned run
 * (--cell/--seed/--result) and `labyrinth sweep --merge`
 * (engines/sweep_plan.c, engines/sweep_merge.c).
 */
#ifndef LAB_SWEEP_PLAN_H
#define LAB_SWEEP_PLAN_H

#include <stdint.h>
#include "engines/sim_command.h"

struct lab_sweep_plan_request {
	const struct lab_sim_sweep_request *sweep;  /* the grid and the seeds */
	const char *const *param_specs;  /* the --param arguments as given, one per param */
	const char *const *sets;         /* the --set arguments */
	int nr_sets;
	const char *binary;              /* the labyrinth the commands run (absolute) */
	const char *scenario;            /* the scenario file (absolute) */
	const char *plan;                /* the plan file, '-' = stdout */
	int slurm;                       /* 0: a GNU parallel job list; 1: a Slurm array script */
	const char *results;             /* the directory the runs write to (absolute) */
};

/* Writes the plan (one command per cell and seed, the in-process order) and
 * creates @rq->results. The exit status: 0, or 2 (message on stderr). */
int lab_sweep_plan_command(const struct lab_scenario *sc, const struct lab_sweep_plan_request *rq);

/* Runs cell @cell of the grid with @seed and writes its result to @result
 * (atomically). 0; 1 when @result could not be written; 2 for a cell or
 * seed outside the plan or a bad grid. */
int lab_sweep_cell_command(const struct lab_scenario *sc, const struct lab_sweep_plan_request *rq, unsigned cell,
			   uint64_t seed, const char *result);

/* Reads every *.json in @dir, checks they are one plan's results, each
 * cell and seed exactly once, and prints the table and the recommendation
 * exactly as the in-process sweep would (and the JSON to @json, if not
 * NULL). 0; 1 when the JSON could not be written; 2 for a missing,
 * corrupt, duplicate or foreign result (named on stderr). */
int lab_sweep_merge_command(const char *dir, const char *json);

#endif
