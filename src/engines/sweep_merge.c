/* SPDX-License-Identifier: MIT */
/*
 * engines/sweep_merge.c - `labyrinth sweep --merge DIR`: the results of a
 * planned sweep (engines/sweep_plan.c, one JSON file per cell and seed)
 * back into the in-process sweep's table and recommendation.
 *
 *   every DIR/NAME.json (sorted by name)
 *     first file  -> the plan: scenario, params, seeds, first seed, sets
 *     every file  -> same plan? cell < points? seed in range? slot free?
 *                    -> jobs[cell * seeds + seed - first] (+ who filled it)
 *   every slot filled -> sweep_aggregate -> lab_report_sweep (stdout)
 *
 * Any bad file stops the merge with its name (exit 2): a table built from
 * part of the grid would name a recommendation the full grid might not.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "engines/sweep_plan.h"
#include "engines/sweep_int.h"
#include "report/render.h"
#include "util/text.h"

struct merge {
	const char *dir;
	json_t *plan;                   /* the identity of the first result */
	char first[512];                /* its file name */
	char scenario[256];
	struct lab_sweep_param params[LAB_SWEEP_MAX_PARAMS];
	struct lab_sweep_opts opts;
	unsigned points, seeds;
	struct sweep_job *jobs;         /* points * seeds */
	char (*owner)[256];             /* the file that filled each job; "" = none yet */
};

static int bad(const struct merge *m, const char *file, const char *what)
{
	return lab_cmd_error("sweep", 2, "%s/%s: %s", m->dir, file, what);
}

static int is_result_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

/* The plan from the first result's identity; -1 when it is not one. */
static int plan_from(struct merge *m, json_t *id, const char **why)
{
	json_t *sc = json_object_get(id, "scenario"), *ps = json_object_get(id, "params");
	json_t *seeds = json_object_get(id, "seeds"), *first = json_object_get(id, "first_seed");
	size_t np = json_array_size(ps);
	struct lab_sim_error err;
	*why = "a bad scenario, params, seeds or first_seed";
	if (!json_is_string(sc) || strlen(json_string_value(sc)) >= sizeof(m->scenario) || !np ||
	    np > LAB_SWEEP_MAX_PARAMS || !json_is_integer(seeds) || json_integer_value(seeds) < 1 ||
	    json_integer_value(seeds) > 1000 || !json_is_integer(first) || json_integer_value(first) < 0)
		return -1;
	snprintf(m->scenario, sizeof(m->scenario), "%s", json_string_value(sc));
	for (size_t k = 0; k < np; k++) {
		json_t *p = json_array_get(ps, k), *name = json_object_get(p, "name");
		json_t *vals = json_object_get(p, "values");
		size_t nv = json_array_size(vals);
		if (!json_is_string(name) || strlen(json_string_value(name)) >= sizeof(m->params[k].name) ||
		    !nv || nv > LAB_SWEEP_MAX_VALUES)
			return -1;
		snprintf(m->params[k].name, sizeof(m->params[k].name), "%s", json_string_value(name));
		for (size_t v = 0; v < nv; v++) {
			json_t *s = json_array_get(vals, v);
			if (!json_is_string(s) || strlen(json_string_value(s)) >= sizeof(m->params[k].values[0]))
				return -1;
			snprintf(m->params[k].values[v], sizeof(m->params[k].values[0]), "%s", json_string_value(s));
		}
		m->params[k].nr_values = (unsigned)nv;
	}
	m->seeds = (unsigned)json_integer_value(seeds);
	m->opts = (struct lab_sweep_opts){ .params = m->params, .nr_params = (unsigned)np, .nr_seeds = m->seeds,
					   .first_seed = (uint64_t)json_integer_value(first) };
	if (sweep_grid_check(NULL, &m->opts, &m->points, &err) != 0)
		return -1;
	m->jobs = calloc((size_t)m->points * m->seeds, sizeof(*m->jobs));
	m->owner = calloc((size_t)m->points * m->seeds, sizeof(*m->owner));
	*why = "out of memory";
	return m->jobs && m->owner ? 0 : -1;
}

static int get_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* One result file into its slot; the exit status (0 or 2, named). */
static int take(struct merge *m, const char *file)
{
	char path[4200], why[2048];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/%s", m->dir, file);
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(why, sizeof(why), "not a sweep result (line %d: %s)", je.line, je.text);
		return bad(m, file, why);
	}
	json_t *schema = json_object_get(root, "schema"), *sum = json_object_get(root, "summary");
	json_t *err = json_object_get(root, "error"), *ks = json_object_get(sum, "kswapd_cpu");
	json_t *id = json_pack("{sOsOsOsOsO}", "scenario", json_object_get(root, "scenario"), "params",
			       json_object_get(root, "params"), "seeds", json_object_get(root, "seeds"),
			       "first_seed", json_object_get(root, "first_seed"), "sets",
			       json_object_get(root, "sets"));
	uint64_t cell = 0, seed = 0;
	struct sweep_job j = { 0 };
	const char *msg = NULL;
	if (!json_is_string(schema) || strcmp(json_string_value(schema), "labyrinth-sweep-cell/1"))
		msg = "not a sweep result (no schema \"labyrinth-sweep-cell/1\")";
	else if (!id || !json_is_array(json_object_get(id, "sets")))
		msg = "a sweep result without its plan (scenario, params, seeds, first_seed, sets)";
	else if (get_u64(root, "cell", &cell) || get_u64(root, "seed", &seed) || !json_is_boolean(err) ||
		 get_u64(sum, "atomic_requests", &j.sum.atomic_requests) ||
		 get_u64(sum, "atomic_failures", &j.sum.atomic_failures) ||
		 get_u64(sum, "deadline_misses", &j.sum.deadline_misses) ||
		 get_u64(sum, "held_back_pages", &j.sum.held_back_pages) || !json_is_number(ks))
		msg = "a sweep result with a missing or bad cell, seed, error or summary field";
	else if (!m->plan && plan_from(m, id, &msg) == 0) {
		m->plan = json_incref(id);
		snprintf(m->first, sizeof(m->first), "%s", file);
		msg = NULL;
	}
	if (!msg && !json_equal(id, m->plan)) {
		snprintf(why, sizeof(why), "from another plan than %s/%s (scenario, params, seeds or --set differ)",
			 m->dir, m->first);
		msg = why;
	}
	if (!msg && (cell >= m->points || seed < m->opts.first_seed || seed - m->opts.first_seed >= m->seeds)) {
		snprintf(why, sizeof(why), "cell %llu seed %llu is outside the plan (%u cells, seeds %llu..%llu)",
			 (unsigned long long)cell, (unsigned long long)seed, m->points,
			 (unsigned long long)m->opts.first_seed,
			 (unsigned long long)(m->opts.first_seed + m->seeds - 1));
		msg = why;
	}
	size_t slot = msg ? 0 : (size_t)cell * m->seeds + (size_t)(seed - m->opts.first_seed);
	if (!msg && m->owner[slot][0]) {
		snprintf(why, sizeof(why), "a duplicate of %s/%s (cell %llu seed %llu)", m->dir, m->owner[slot],
			 (unsigned long long)cell, (unsigned long long)seed);
		msg = why;
	}
	if (!msg) {
		j.point = (unsigned)cell;
		j.seed = seed;
		j.error = json_is_true(err);
		j.sum.kswapd_cpu = json_number_value(ks);
		m->jobs[slot] = j;
		snprintf(m->owner[slot], sizeof(m->owner[slot]), "%s", file);
	}
	json_decref(id);
	json_decref(root);
	return msg ? bad(m, file, msg) : 0;
}

/* The first slot no file filled, named; 0 when all are. */
static int check_complete(const struct merge *m)
{
	unsigned n = m->points * m->seeds, missing = 0, first = 0;
	for (unsigned i = n; i-- > 0;)
		if (!m->owner[i][0]) {
			missing++;
			first = i;
		}
	if (!missing)
		return 0;
	return lab_cmd_error("sweep", 2, "%s: no result for cell %u seed %llu (cell-%u-seed-%llu.json); %u of %u missing",
			     m->dir, first / m->seeds, (unsigned long long)(m->opts.first_seed + first % m->seeds),
			     first / m->seeds, (unsigned long long)(m->opts.first_seed + first % m->seeds), missing, n);
}

int lab_sweep_merge_command(const char *dir, const char *json)
{
	struct merge m = { .dir = dir };
	struct dirent **names = NULL;
	int n = scandir(dir, &names, is_result_name, alphasort), rc = 0;
	if (n < 0)
		return lab_cmd_error("sweep", 2, "cannot read %s: %s", dir, strerror(errno));
	if (n == 0)
		rc = lab_cmd_error("sweep", 2, "%s: no sweep results (*.json)", dir);
	for (int i = 0; i < n && !rc; i++)
		rc = take(&m, names[i]->d_name);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!rc)
		rc = check_complete(&m);
	if (!rc) {
		struct lab_sweep_result res = { 0 };
		res.points = calloc(m.points, sizeof(*res.points));
		if (!res.points) {
			rc = lab_cmd_error("sweep", 2, "out of memory");
		} else {
			sweep_aggregate(&m.opts, m.jobs, m.points, &res);
			lab_report_sweep(stdout, m.scenario, &res);
			rc = lab_sim_sweep_json_out(&res, json);
			lab_sweep_result_free(&res);
		}
	}
	json_decref(m.plan);
	free(m.jobs);
	free(m.owner);
	return rc;
}
