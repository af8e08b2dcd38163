/* SPDX-License-Identifier: MIT */
/*
 * report/sweep.c - a sweep's grid as a table and as JSON
 * (lab_sweep_result from engines/sweep.c).
 *
 *   sweep of nic-rx-storm: 4 settings x 1 seeds
 *
 *     min_free_kbytes    held back   atomic failures  failure rate  kswapd CPU  seeds!
 *   *            8192     12.0 MiB             0/380919     0.0000%      53.89%    0/1
 *   ('*' = the recommendation: the smallest setting with no atomic failure)
 *
 *   then the recommendation, or the setting with the fewest failures.
 */
#include <stdio.h>
#include <jansson.h>
#include <labyrinth/sim.h>
#include "report/render.h"

void lab_sweep_print(const struct lab_sweep_result *r, FILE *out)
{
	const struct lab_sweep_opts *o = &r->opts;
	unsigned seeds = o->nr_seeds ? o->nr_seeds : 1;
	fputc(' ', out);
	for (unsigned k = 0; k < o->nr_params; k++)
		fprintf(out, " %24s", o->params[k].name);
	fprintf(out, " %12s %22s %13s %11s %7s\n", "held back", "atomic failures", "failure rate", "kswapd CPU",
		"seeds!");
	for (unsigned p = 0; p < r->nr_points; p++) {
		const struct lab_sweep_point *pt = &r->points[p];
		fputc((int)p == r->recommended ? '*' : ' ', out);
		for (unsigned k = 0; k < o->nr_params; k++)
			fprintf(out, " %24s", pt->values[k]);
		if (pt->error) {
			fprintf(out, "   (the run could not be set up)\n");
			continue;
		}
		char fails[48];
		snprintf(fails, sizeof(fails), "%llu/%llu", (unsigned long long)pt->atomic_failures,
			 (unsigned long long)pt->atomic_requests);
		fprintf(out, " %8.1f MiB %22s %12.4f%% %10.2f%% %4u/%u", pt->held_back_mib, fails,
			100.0 * pt->atomic_failure_rate, 100.0 * pt->kswapd_cpu, pt->seeds_with_failures, seeds);
		if (pt->deadline_misses)
			fprintf(out, "  (%llu deadline misses)", (unsigned long long)pt->deadline_misses);
		fputc('\n', out);
	}
	fprintf(out, "\n  held back: the sum of the zones' high watermarks (memory kswapd keeps free); "
		"seeds!: seeds with atomic failures\n");
	if (r->recommended >= 0) {
		const struct lab_sweep_point *pt = &r->points[r->recommended];
		fprintf(out, "\nrecommendation:");
		for (unsigned k = 0; k < o->nr_params; k++)
			fprintf(out, " %s=%s", o->params[k].name, pt->values[k]);
		fprintf(out, "\n  the smallest setting with no atomic allocation failure in %u seed%s; "
			"it holds back %.1f MiB\n", seeds, seeds > 1 ? "s" : "", pt->held_back_mib);
	} else if (r->fewest >= 0) {
		const struct lab_sweep_point *pt = &r->points[r->fewest];
		fprintf(out, "\nno setting in the grid brings atomic failures to zero; the fewest:");
		for (unsigned k = 0; k < o->nr_params; k++)
			fprintf(out, " %s=%s", o->params[k].name, pt->values[k]);
		fprintf(out, " (%.4f%%)\n", 100.0 * pt->atomic_failure_rate);
	}
}

void lab_report_sweep(FILE *out, const char *scenario, const struct lab_sweep_result *r)
{
	fprintf(out, "sweep of %s: %u settings x %u seeds\n\n", scenario, r->nr_points, r->opts.nr_seeds);
	lab_sweep_print(r, out);
}

json_t *lab_sweep_params_json(const struct lab_sweep_opts *o)
{
	json_t *params = json_array();
	for (unsigned k = 0; k < o->nr_params; k++) {
		json_t *p = json_object(), *v = json_array();
		for (unsigned i = 0; i < o->params[k].nr_values; i++)
			json_array_append_new(v, json_string(o->params[k].values[i]));
		json_object_set_new(p, "name", json_string(o->params[k].name));
		json_object_set_new(p, "values", v);
		json_array_append_new(params, p);
	}
	return params;
}

json_t *lab_sweep_json(const struct lab_sweep_result *r)
{
	const struct lab_sweep_opts *o = &r->opts;
	json_t *root = json_object(), *pts = json_array();
	json_object_set_new(root, "schema", json_string("labyrinth-sweep/1"));
	json_object_set_new(root, "params", lab_sweep_params_json(o));
	json_object_set_new(root, "seeds", json_integer(o->nr_seeds ? o->nr_seeds : 1));
	json_object_set_new(root, "first_seed", json_integer((json_int_t)o->first_seed));
	for (unsigned p = 0; p < r->nr_points; p++) {
		const struct lab_sweep_point *pt = &r->points[p];
		json_t *j = json_object(), *vals = json_object();
		for (unsigned k = 0; k < o->nr_params; k++)
			json_object_set_new(vals, o->params[k].name, json_string(pt->values[k]));
		json_object_set_new(j, "values", vals);
		json_object_set_new(j, "error", json_boolean(pt->error));
		json_object_set_new(j, "atomic_requests", json_integer((json_int_t)pt->atomic_requests));
		json_object_set_new(j, "atomic_failures", json_integer((json_int_t)pt->atomic_failures));
		json_object_set_new(j, "atomic_failure_rate", json_real(pt->atomic_failure_rate));
		json_object_set_new(j, "seeds_with_failures", json_integer(pt->seeds_with_failures));
		json_object_set_new(j, "held_back_mib", json_real(pt->held_back_mib));
		json_object_set_new(j, "kswapd_cpu", json_real(pt->kswapd_cpu));
		json_object_set_new(j, "deadline_misses", json_integer((json_int_t)pt->deadline_misses));
		json_array_append_new(pts, j);
	}
	json_object_set_new(root, "points", pts);
	json_object_set_new(root, "recommended", r->recommended >= 0 ? json_integer(r->recommended) : json_null());
	json_object_set_new(root, "fewest", r->fewest >= 0 ? json_integer(r->fewest) : json_null());
	return root;
}
