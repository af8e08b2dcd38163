/* SPDX-License-Identifier: MIT */
/*
 * engines/sweep_plan.c - a sweep that outgrows one machine, without a
 * scheduler of our own: the engines people run (GNU parallel, Slurm) run
 * one process per grid cell and seed, and --merge builds the table.
 *
 *   sweep SCN --param ... --plan FILE --results DIR
 *       FILE (parallel): one command a line, job i = cell i / seeds,
 *                        seed first + i % seeds (the in-process order)
 *       FILE (slurm):    #SBATCH --array=0-(N-1), case $SLURM_ARRAY_TASK_ID
 *       each command:    BIN sweep /abs/SCN.yaml --param SPEC... --seeds N
 *                        --first-seed F [--set KV...] --cell K --seed S
 *                        --result DIR/cell-K-seed-S.json
 *   sweep ... --cell K --seed S --result FILE
 *       one run (sweep_run_one, as a thread of the in-process sweep does)
 *       -> {"schema": "labyrinth-sweep-cell/1", plan identity, cell, seed,
 *           summary}, written to FILE.tmp then renamed (no half files)
 *   sweep --merge DIR
 *       every *.json in DIR -> jobs[cell * seeds + seed - first]
 *       -> sweep_aggregate -> lab_report_sweep: the same bytes as the
 *          in-process sweep (counts are integers and kswapd_cpu is written
 *          with 17 significant digits, so the doubles come back exact)
 *
 * The plan identity (scenario name, params, seeds, first seed, --set
 * values) is in every result; results of two plans in one DIR, a missing
 * cell, a duplicate or a file that is not a result are named, exit 2.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include "engines/sweep_plan.h"
#include "engines/sweep_int.h"
#include "report/render.h"
#include "util/text.h"

#define CELL_SCHEMA "labyrinth-sweep-cell/1"

/* @s quoted for sh when it needs it ('...' with ' as '\''), after a space
 * unless it is the first word (@first). */
static void put_arg(FILE *f, const char *s, int first)
{
	int plain = *s != '\0';
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%", *p))
			plain = 0;
	if (!first)
		fputc(' ', f);
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (const char *p = s; *p; p++)
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	fputc('\'', f);
}

static void put_word(FILE *f, const char *s)
{
	put_arg(f, s, 0);
}

/* One self-contained command: the run of job @i of the plan. */
static void put_command(FILE *f, const struct lab_sweep_plan_request *rq, unsigned i)
{
	const struct lab_sim_sweep_request *sw = rq->sweep;
	unsigned seeds = sw->nr_seeds ? sw->nr_seeds : 1;
	char buf[64], path[4200];
	put_arg(f, rq->binary, 1);
	put_word(f, "sweep");
	put_word(f, rq->scenario);
	for (unsigned k = 0; k < sw->nr_params; k++) {
		put_word(f, "--param");
		put_word(f, rq->param_specs[k]);
	}
	snprintf(buf, sizeof(buf), "%u", seeds);
	put_word(f, "--seeds");
	put_word(f, buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)sw->first_seed);
	put_word(f, "--first-seed");
	put_word(f, buf);
	for (int s = 0; s < rq->nr_sets; s++) {
		put_word(f, "--set");
		put_word(f, rq->sets[s]);
	}
	unsigned long long seed = sw->first_seed + i % seeds;
	snprintf(buf, sizeof(buf), "%u", i / seeds);
	put_word(f, "--cell");
	put_word(f, buf);
	snprintf(buf, sizeof(buf), "%llu", seed);
	put_word(f, "--seed");
	put_word(f, buf);
	snprintf(path, sizeof(path), "%s/cell-%u-seed-%llu.json", rq->results, i / seeds, seed);
	put_word(f, "--result");
	put_word(f, path);
}

int lab_sweep_plan_command(const struct lab_scenario *sc, const struct lab_sweep_plan_request *rq)
{
	const struct lab_sim_sweep_request *sw = rq->sweep;
	struct lab_sweep_opts so = { .params = sw->params, .nr_params = sw->nr_params };
	struct lab_sim_error err;
	unsigned points, seeds = sw->nr_seeds ? sw->nr_seeds : 1;
	char msg[600];

	if (sweep_grid_check(sc, &so, &points, &err) != 0)
		return lab_cmd_error("sweep", 2, "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
	if (mkdir(rq->results, 0777) != 0 && errno != EEXIST)
		return lab_cmd_error("sweep", 2, "cannot create %s: %s", rq->results, strerror(errno));
	FILE *f = !strcmp(rq->plan, "-") ? stdout : fopen(rq->plan, "w");
	if (!f)
		return lab_cmd_error("sweep", 2, "cannot write %s: %s", rq->plan, strerror(errno));
	unsigned n = points * seeds;
	if (rq->slurm) {
		fprintf(f, "#!/bin/bash\n# labyrinth sweep of %s: %u cells x %u seeds = %u runs, one per array index;\n"
			"# then: %s sweep --merge %s\n", lab_scenario_name(sc), points, seeds, n, rq->binary,
			rq->results);
		fprintf(f, "#SBATCH --job-name=labyrinth-sweep\n#SBATCH --array=0-%u\n#SBATCH --ntasks=1\n"
			"#SBATCH --output=%s/slurm-%%A_%%a.out\n", n - 1, rq->results);
		fprintf(f, "case \"$SLURM_ARRAY_TASK_ID\" in\n");
	}
	for (unsigned i = 0; i < n; i++) {
		if (rq->slurm)
			fprintf(f, "%u) exec ", i);
		put_command(f, rq, i);
		fputs(rq->slurm ? " ;;\n" : "\n", f);
	}
	if (rq->slurm)
		fprintf(f, "*) echo \"labyrinth sweep: no run $SLURM_ARRAY_TASK_ID in this plan\" >&2; exit 2 ;;\nesac\n");
	int bad = ferror(f);
	if (f != stdout)
		bad |= fclose(f) != 0;
	else
		bad |= fflush(f) != 0;
	if (bad)
		return lab_cmd_error("sweep", 2, "cannot write %s", rq->plan);
	fprintf(stderr, "labyrinth sweep: %u runs in %s; run them (%s), then: sweep --merge %s\n", n, rq->plan,
		rq->slurm ? "sbatch" : "parallel -j N < PLAN", rq->results);
	return 0;
}

/* What every result of one plan shares. */
static json_t *plan_identity(const char *scenario, const struct lab_sweep_opts *o, const char *const *sets,
			     int nr_sets)
{
	json_t *id = json_object(), *js = json_array();
	for (int s = 0; s < nr_sets; s++)
		json_array_append_new(js, json_string(sets[s]));
	json_object_set_new(id, "scenario", json_string(scenario));
	json_object_set_new(id, "params", lab_sweep_params_json(o));
	json_object_set_new(id, "seeds", json_integer(o->nr_seeds ? o->nr_seeds : 1));
	json_object_set_new(id, "first_seed", json_integer((json_int_t)o->first_seed));
	json_object_set_new(id, "sets", js);
	return id;
}

int lab_sweep_cell_command(const struct lab_scenario *sc, const struct lab_sweep_plan_request *rq, unsigned cell,
			   uint64_t seed, const char *result)
{
	const struct lab_sim_sweep_request *sw = rq->sweep;
	struct lab_sweep_opts so = { .params = sw->params, .nr_params = sw->nr_params, .nr_seeds = sw->nr_seeds,
				     .first_seed = sw->first_seed };
	struct lab_sim_error err;
	unsigned points, seeds = sw->nr_seeds ? sw->nr_seeds : 1;
	char msg[600], tmp[4200];

	if (sweep_grid_check(sc, &so, &points, &err) != 0)
		return lab_cmd_error("sweep", 2, "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
	if (cell >= points)
		return lab_cmd_error("sweep", 2, "--cell %u: the grid has cells 0..%u", cell, points - 1);
	if (seed < sw->first_seed || seed - sw->first_seed >= seeds)
		return lab_cmd_error("sweep", 2, "--seed %llu: the plan's seeds are %llu..%llu",
				     (unsigned long long)seed, (unsigned long long)sw->first_seed,
				     (unsigned long long)(sw->first_seed + seeds - 1));
	struct sweep_job j = { .point = cell, .seed = seed };
	sweep_run_one(sc, &so, &j);
	json_t *root = plan_identity(lab_scenario_name(sc), &so, rq->sets, rq->nr_sets), *sum = json_object();
	json_object_set_new(root, "schema", json_string(CELL_SCHEMA));
	json_object_set_new(root, "cell", json_integer(cell));
	json_object_set_new(root, "seed", json_integer((json_int_t)seed));
	json_object_set_new(root, "error", json_boolean(j.error));
	json_object_set_new(sum, "atomic_requests", json_integer((json_int_t)j.sum.atomic_requests));
	json_object_set_new(sum, "atomic_failures", json_integer((json_int_t)j.sum.atomic_failures));
	json_object_set_new(sum, "deadline_misses", json_integer((json_int_t)j.sum.deadline_misses));
	json_object_set_new(sum, "held_back_pages", json_integer((json_int_t)j.sum.held_back_pages));
	json_object_set_new(sum, "kswapd_cpu", json_real(j.sum.kswapd_cpu));
	json_object_set_new(root, "summary", sum);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", result, (long)getpid());
	int rc = json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (rc != 0 || rename(tmp, result) != 0) {
		unlink(tmp);
		return lab_cmd_error("sweep", 1, "cannot write %s", result);
	}
	return 0;
}
