/* SPDX-License-Identifier: MIT */
/*
 * engines/sweep_int.h - one run of a sweep and the table built from many,
 * shared by the in-process sweep (sweep.c, threads) and the planned one
 * (sweep_plan.c: one process per run, results merged from files).
 *
 *   grid point p (row-major, last param fastest) x seed s
 *      -> job p * seeds + (s - first_seed) -> struct sweep_job
 *      -> sweep_aggregate -> struct lab_sweep_result (the table)
 */
#ifndef LAB_SWEEP_INT_H
#define LAB_SWEEP_INT_H

#include <stdint.h>
#include <labyrinth/sim.h>

struct sweep_job {
	unsigned point;
	uint64_t seed;
	struct lab_sim_summary sum;     /* the fields sweep_aggregate reads */
	int error;                      /* the run could not be set up */
};

/* Checks @opts's grid (1..4096 points) and, when @sc is not NULL, that the
 * scenario accepts every value. 0 with *@nr_points, or -1 with *@err. */
int sweep_grid_check(const struct lab_scenario *sc, const struct lab_sweep_opts *opts, unsigned *nr_points,
		     struct lab_sim_error *err);
/* Runs @j->point of @o's grid over a copy of @sc with seed @j->seed. */
void sweep_run_one(const struct lab_scenario *sc, const struct lab_sweep_opts *o, struct sweep_job *j);
void sweep_aggregate(const struct lab_sweep_opts *opts, const struct sweep_job *jobs, unsigned points,
		     struct lab_sweep_result *out);

#endif
