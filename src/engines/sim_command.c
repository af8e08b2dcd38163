/* SPDX-License-Identifier: MIT */
/*
 * engines/sim_command.c - `labyrinth run` and `labyrinth sweep` from their
 * parsed arguments to their outputs.
 *
 *   run:    lab_sim_create(scenario, seed) -> lab_sim_run (progress bar)
 *           -> one result (engines/sim_result.h) -> report/run.c: text,
 *           --json, --out DIR; report/plot.c: --plot; the map: --map
 *   sweep:  lab_sweep_run (engines/sweep.c, progress count)
 *           -> report/sweep.c: header, table, recommendation, --json
 *           (--plan/--merge: engines/sweep_plan.c, sweep_merge.c)
 *
 * The reports are functions of (scenario, seed); wall-clock figures and
 * progress go to stderr only. Messages read "labyrinth run: ..." as the
 * other commands' do.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <labyrinth/sim.h>
#include "engines/sim_command.h"
#include "engines/sim_result.h"
#include "report/render.h"
#include "util/text.h"

struct progress {
	int tty;
	double start;
	int shown;
};

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A bar on stderr, only on a terminal and only once the run took 1 s. */
static void show_progress(void *arg, uint64_t now, uint64_t end, uint64_t events)
{
	struct progress *p = arg;
	double el = wall() - p->start;
	if (!p->tty || el < 1.0)
		return;
	int width = 30, fill = end ? (int)((double)now / (double)end * width) : width;
	if (fill > width)
		fill = width;
	char bar[64];
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(width - fill));
	bar[width] = '\0';
	fprintf(stderr, "\r[%s] %3.0f%%  %.3f / %.3f s virtual  %.1f M events/s ", bar,
		end ? 100.0 * (double)now / (double)end : 100.0, (double)now / 1e9, (double)end / 1e9,
		(double)events / el / 1e6);
	p->shown = 1;
}

/* @j to @path ('-' = stdout, then a newline); 0 or -1. */
static int dump_json(json_t *j, const char *path, size_t flags)
{
	if (!j)
		return -1;
	return !strcmp(path, "-") ? json_dumpf(j, stdout, flags) : json_dump_file(j, path, flags);
}

/* Every output @req asks for, from @res; the exit status so far. */
static int run_outputs(const struct lab_sim_result *res, const struct lab_sim_run_request *req)
{
	int rc = 0, e;
	if (!req->quiet) {
		lab_report_run_text(stdout, res);
		fflush(stdout);
	}
	if (req->json) {
		json_t *j = lab_report_run_json(res);
		int jr = dump_json(j, req->json, JSON_INDENT(1) | JSON_SORT_KEYS);
		if (!strcmp(req->json, "-"))
			fputc('\n', stdout);
		json_decref(j);
		if (jr != 0)
			rc = lab_cmd_error("run", 1, "cannot write %s", req->json);
	}
	if (req->outdir) {
		if ((e = lab_report_run_procfs(res, req->outdir)) != 0)
			rc = lab_cmd_error("run", 1, "cannot write into %s: %s", req->outdir, strerror(-e));
		else if (!req->quiet)
			printf("\n/proc files written to %s/\n", req->outdir);
	}
	if (req->map) {
		if ((e = lab_report_run_map(res, req->map, req->map_first_failure)) != 0)
			rc = lab_cmd_error("run", 1, "cannot write %s: %s", req->map, strerror(-e));
		else if (!req->quiet)
			printf("map of the physical memory written to %s\n", req->map);
	}
	if (req->plot) {
		if ((e = lab_report_run_plot(res, req->plot, 0, 0)) != 0)
			rc = lab_cmd_error("run", 1, "cannot write %s: %s", req->plot, strerror(-e));
		else if (!req->quiet)
			printf("time-series plot written to %s\n", req->plot);
	}
	return rc;
}

int lab_sim_run_command(const struct lab_scenario *sc, const struct lab_sim_run_request *req)
{
	char msg[600];
	struct lab_sim_error err;
	struct lab_sim *sim = lab_sim_create(sc, req->seed, &err);
	int rc = 0;

	if (!sim) {
		lab_cmd_error("run", 1, "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
		return 2;
	}
	struct progress pr = { isatty(2), wall(), 0 };
	if (lab_sim_run(sim, 0, show_progress, &pr) != 0) {
		fprintf(stderr, "labyrinth run: lab_mem_check found violations (see the log in --json)\n");
		rc = 1;
	}
	if (pr.shown)
		fprintf(stderr, "\r%-100s\r", "");
	struct lab_sim_run_stats rs;
	lab_sim_get_run_stats(sim, &rs);
	struct lab_sim_result *res = lab_sim_result_get(sim);
	if (!res)
		rc = lab_cmd_error("run", 1, "out of memory");
	else if (run_outputs(res, req) != 0)
		rc = 1;
	lab_sim_result_free(res);
	fprintf(stderr, "labyrinth run: %llu events in %.2f s of wall time (%.1f M events/s)\n",
		(unsigned long long)rs.events, rs.wall_seconds,
		rs.wall_seconds > 0 ? (double)rs.events / rs.wall_seconds / 1e6 : 0.0);
	lab_sim_destroy(sim);
	return rc;
}

static void sweep_progress(void *arg, unsigned done, unsigned total)
{
	int *tty = arg;
	if (*tty)
		fprintf(stderr, "\rsweep: %u/%u runs ", done, total);
}

int lab_sim_sweep_command(const struct lab_scenario *sc, const struct lab_sim_sweep_request *req)
{
	char msg[600];
	struct lab_sim_error err;
	int tty = isatty(2), rc;
	struct lab_sweep_opts so = {
		.params = req->params, .nr_params = req->nr_params, .nr_seeds = req->nr_seeds,
		.first_seed = req->first_seed, .jobs = req->jobs, .progress = sweep_progress, .arg = &tty,
	};
	struct lab_sweep_result res;

	if (lab_sweep_run(sc, &so, &res, &err) != 0) {
		lab_cmd_error("sweep", 1, "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
		return 2;
	}
	if (tty)
		fprintf(stderr, "\r%-40s\r", "");
	lab_report_sweep(stdout, lab_scenario_name(sc), &res);
	rc = lab_sim_sweep_json_out(&res, req->json);
	lab_sweep_result_free(&res);
	return rc;
}

int lab_sim_sweep_json_out(const struct lab_sweep_result *res, const char *path)
{
	if (!path)
		return 0;
	json_t *j = lab_sweep_json(res);
	int jr = dump_json(j, path, JSON_INDENT(1));
	json_decref(j);
	return jr != 0 ? lab_cmd_error("sweep", 1, "cannot write %s", path) : 0;
}
