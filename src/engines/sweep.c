/* SPDX-License-Identifier: MIT */
/*
 * engines/sweep.c - "what min_free_kbytes do I need?": run a scenario over a
 * grid of settings and seeds, and find the smallest setting that brings
 * atomic allocation failures to zero.
 *
 *   params  min_free_kbytes = 1024 2048 ... 65536      (lab_sweep_param_parse)
 *           watermark_scale_factor = 10 50 200
 *   grid    every combination (row-major, last param fastest) x every seed
 *   jobs    one simulator per (point, seed), each with its own instance;
 *           `jobs` pthreads take jobs from a shared counter
 *   result  per point: atomic failures summed over seeds, failure rate,
 *           memory held back (sum of high watermarks), kswapd CPU share
 *   answer  among points with no atomic failure in any seed, the one that
 *           holds back the least memory (ties: the earlier point)
 *
 * The runs are deterministic, so the table is too, whatever `jobs` is.
 * At most 16 parallel runs: the core's instance registry holds 32.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim_int.h"
#include "sweep_int.h"

static int add_value(struct lab_sweep_param *p, long long v)
{
	if (p->nr_values >= LAB_SWEEP_MAX_VALUES)
		return -1;
	for (unsigned i = 0; i < p->nr_values; i++)
		if (atoll(p->values[i]) == v)
			return 0;
	snprintf(p->values[p->nr_values++], sizeof(p->values[0]), "%lld", v);
	return 0;
}

int lab_sweep_param_parse(const char *spec, struct lab_sweep_param *out, struct lab_sim_error *err)
{
	const char *eq = strchr(spec, '=');
	char vals[256];
	memset(out, 0, sizeof(*out));
	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(out->name)) {
		sim_error_set(err, LAB_SCN_ERR_TYPE, "--param", 0, 0, spec, "expected NAME=VALUES");
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%.*s", (int)(eq - spec), spec);
	snprintf(vals, sizeof(vals), "%s", eq + 1);
	char *dots = strstr(vals, "..");
	if (!dots) {
		for (char *save = NULL, *t = strtok_r(vals, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (out->nr_values >= LAB_SWEEP_MAX_VALUES || strlen(t) >= sizeof(out->values[0])) {
				sim_error_set(err, LAB_SCN_ERR_VALUE, "--param", 0, 0, out->name,
					      "at most %d values of at most 31 characters", LAB_SWEEP_MAX_VALUES);
				return -1;
			}
			snprintf(out->values[out->nr_values++], sizeof(out->values[0]), "%s", t);
		}
		if (!out->nr_values) {
			sim_error_set(err, LAB_SCN_ERR_VALUE, "--param", 0, 0, out->name, "no values");
			return -1;
		}
		return 0;
	}
	*dots = '\0';
	char *hi_s = dots + 2, *end;
	long long lo = strtoll(vals, &end, 10);
	if (end == vals || *end) {
		sim_error_set(err, LAB_SCN_ERR_TYPE, "--param", 0, 0, out->name, "'%s' is not an integer", vals);
		return -1;
	}
	char mode = 0;
	long long arg = 0;
	char *sep = strpbrk(hi_s, "/+");
	if (sep) {
		mode = *sep;
		*sep = '\0';
		arg = strtoll(sep + 1, &end, 10);
		if (end == sep + 1 || *end || arg <= 0) {
			sim_error_set(err, LAB_SCN_ERR_TYPE, "--param", 0, 0, out->name, "'%s' is not a positive integer",
				      sep + 1);
			return -1;
		}
	}
	long long hi = strtoll(hi_s, &end, 10);
	if (end == hi_s || *end || hi < lo || lo < 0) {
		sim_error_set(err, LAB_SCN_ERR_VALUE, "--param", 0, 0, out->name, "expected LOW..HIGH with 0 <= LOW <= HIGH");
		return -1;
	}
	int rc = 0;
	if (mode == '+') {
		for (long long v = lo; v <= hi && !rc; v += arg)
			rc = add_value(out, v);
	} else if (mode == '/') {
		if (arg == 1) {
			rc = add_value(out, lo);
		} else {
			double a = lo > 0 ? (double)lo : 1.0;
			for (long long i = 0; i < arg && !rc; i++)
				rc = add_value(out, llround(a * pow((double)hi / a, (double)i / (double)(arg - 1))));
		}
	} else {
		long long v = lo > 0 ? lo : 1;
		if (lo == 0)
			rc = add_value(out, 0);
		for (; v < hi && !rc; v *= 2)
			rc = add_value(out, v);
		if (!rc)
			rc = add_value(out, hi);
	}
	if (rc) {
		sim_error_set(err, LAB_SCN_ERR_VALUE, "--param", 0, 0, out->name, "more than %d values",
			      LAB_SWEEP_MAX_VALUES);
		return -1;
	}
	return 0;
}

struct sweep_ctx {
	const struct lab_scenario *sc;
	const struct lab_sweep_opts *opts;
	struct sweep_job *jobs;
	unsigned nr_jobs;
	unsigned next, done;
	pthread_mutex_t lock;
	unsigned nr_points;
};

/* The values of point @pt, last param fastest. */
static void point_values(const struct lab_sweep_opts *o, unsigned pt, unsigned idx[LAB_SWEEP_MAX_PARAMS])
{
	for (int k = (int)o->nr_params - 1; k >= 0; k--) {
		idx[k] = pt % o->params[k].nr_values;
		pt /= o->params[k].nr_values;
	}
}

static int apply_point(struct lab_scenario *sc, const struct lab_sweep_opts *o, unsigned pt,
		       struct lab_sim_error *err)
{
	unsigned idx[LAB_SWEEP_MAX_PARAMS];
	char buf[160];
	point_values(o, pt, idx);
	for (unsigned k = 0; k < o->nr_params; k++) {
		snprintf(buf, sizeof(buf), "%s=%s", o->params[k].name, o->params[k].values[idx[k]]);
		if (lab_scenario_set(sc, buf, err) != 0)
			return -1;
	}
	return 0;
}

void sweep_run_one(const struct lab_scenario *base, const struct lab_sweep_opts *o, struct sweep_job *j)
{
	struct lab_scenario *sc = lab_scenario_clone(base);
	struct lab_sim_error err;
	if (!sc) {
		j->error = 1;
		return;
	}
	if (apply_point(sc, o, j->point, &err) != 0) {
		j->error = 1;
		lab_scenario_free(sc);
		return;
	}
	struct lab_sim *sim = lab_sim_create(sc, j->seed, &err);
	lab_scenario_free(sc);
	if (!sim) {
		j->error = 1;
		return;
	}
	lab_sim_run(sim, 0, NULL, NULL);
	lab_sim_get_summary(sim, &j->sum);
	lab_sim_destroy(sim);
}

static void *worker(void *arg)
{
	struct sweep_ctx *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->lock);
		unsigned i = c->next < c->nr_jobs ? c->next++ : c->nr_jobs;
		pthread_mutex_unlock(&c->lock);
		if (i >= c->nr_jobs)
			return NULL;
		sweep_run_one(c->sc, c->opts, &c->jobs[i]);
		pthread_mutex_lock(&c->lock);
		c->done++;
		if (c->opts->progress)
			c->opts->progress(c->opts->arg, c->done, c->nr_jobs);
		pthread_mutex_unlock(&c->lock);
	}
}

/* The table's rows from the runs: @jobs[p * seeds + s] is point p, seed
 * first_seed + s. Whether the runs were threads here or processes
 * elsewhere (sweep_plan.c merges their results), the same numbers in give
 * the same table out. @out->points must hold @points entries. */
void sweep_aggregate(const struct lab_sweep_opts *opts, const struct sweep_job *jobs, unsigned points,
		     struct lab_sweep_result *out)
{
	unsigned seeds = opts->nr_seeds ? opts->nr_seeds : 1;
	out->nr_points = points;
	out->opts = *opts;
	out->recommended = -1;
	out->fewest = -1;
	for (unsigned p = 0; p < points; p++) {
		struct lab_sweep_point *pt = &out->points[p];
		unsigned idx[LAB_SWEEP_MAX_PARAMS];
		double held = 0, ks = 0;
		point_values(opts, p, idx);
		for (unsigned k = 0; k < opts->nr_params; k++)
			snprintf(pt->values[k], sizeof(pt->values[k]), "%s", opts->params[k].values[idx[k]]);
		for (unsigned s = 0; s < seeds; s++) {
			const struct sweep_job *j = &jobs[p * seeds + s];
			if (j->error) {
				pt->error = 1;
				continue;
			}
			pt->atomic_requests += j->sum.atomic_requests;
			pt->atomic_failures += j->sum.atomic_failures;
			pt->seeds_with_failures += j->sum.atomic_failures > 0;
			pt->deadline_misses += j->sum.deadline_misses;
			held += (double)j->sum.held_back_pages * LAB_PAGE_SIZE / 1048576.0;
			ks += j->sum.kswapd_cpu;
		}
		pt->held_back_mib = held / seeds;
		pt->kswapd_cpu = ks / seeds;
		pt->atomic_failure_rate = pt->atomic_requests ?
					  (double)pt->atomic_failures / (double)pt->atomic_requests : 0;
		if (pt->error)
			continue;
		if (out->fewest < 0 || pt->atomic_failure_rate < out->points[out->fewest].atomic_failure_rate)
			out->fewest = (int)p;
		if (!pt->seeds_with_failures && !pt->deadline_misses &&
		    (out->recommended < 0 || pt->held_back_mib < out->points[out->recommended].held_back_mib - 1e-9))
			out->recommended = (int)p;
	}
}


int sweep_grid_check(const struct lab_scenario *sc, const struct lab_sweep_opts *opts, unsigned *nr_points,
		     struct lab_sim_error *err)
{
	unsigned points = 1;
	if (opts->nr_params < 1 || opts->nr_params > LAB_SWEEP_MAX_PARAMS) {
		sim_error_set(err, LAB_SCN_ERR_VALUE, "--param", 0, 0, "", "1 to %d parameters", LAB_SWEEP_MAX_PARAMS);
		return -1;
	}
	for (unsigned k = 0; k < opts->nr_params; k++) {
		points *= opts->params[k].nr_values;
		if (!opts->params[k].nr_values || points > 4096) {
			sim_error_set(err, LAB_SCN_ERR_VALUE, "--param", 0, 0, opts->params[k].name,
				      "the grid must have 1 to 4096 points");
			return -1;
		}
		/* every value must be accepted before anything runs */
		for (unsigned v = 0; sc && v < opts->params[k].nr_values; v++) {
			struct lab_scenario *t = lab_scenario_clone(sc);
			char buf[160];
			snprintf(buf, sizeof(buf), "%s=%s", opts->params[k].name, opts->params[k].values[v]);
			int rc = t ? lab_scenario_set(t, buf, err) : -1;
			lab_scenario_free(t);
			if (rc)
				return -1;
		}
	}
	*nr_points = points;
	return 0;
}

int lab_sweep_run(const struct lab_scenario *sc, const struct lab_sweep_opts *opts,
		  struct lab_sweep_result *out, struct lab_sim_error *err)
{
	struct lab_sim_error dummy;
	struct sweep_ctx c;
	unsigned points = 1, seeds = opts->nr_seeds ? opts->nr_seeds : 1;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	if (sweep_grid_check(sc, opts, &points, err) != 0)
		return -1;
	memset(&c, 0, sizeof(c));
	c.sc = sc;
	c.opts = opts;
	c.nr_points = points;
	c.nr_jobs = points * seeds;
	c.jobs = calloc(c.nr_jobs, sizeof(*c.jobs));
	out->points = calloc(points, sizeof(*out->points));
	if (!c.jobs || !out->points) {
		free(c.jobs);
		free(out->points);
		out->points = NULL;
		sim_error_set(err, LAB_SCN_ERR_NOMEM, "", 0, 0, "", "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < c.nr_jobs; i++) {
		c.jobs[i].point = i / seeds;
		c.jobs[i].seed = opts->first_seed + i % seeds;
	}
	pthread_mutex_init(&c.lock, NULL);
	unsigned jobs = opts->jobs;
	if (!jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned)n : 1;
	}
	if (jobs > 16)
		jobs = 16;
	if (jobs > c.nr_jobs)
		jobs = c.nr_jobs;
	pthread_t th[16];
	unsigned started = 0;
	for (unsigned t = 1; t < jobs; t++)
		if (pthread_create(&th[started], NULL, worker, &c) == 0)
			started++;
	worker(&c);
	for (unsigned t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&c.lock);

	sweep_aggregate(opts, c.jobs, points, out);
	free(c.jobs);
	return 0;
}

void lab_sweep_result_free(struct lab_sweep_result *r)
{
	free(r->points);
	r->points = NULL;
	r->nr_points = 0;
}
