/* SPDX-License-Identifier: MIT */
/*
 * engines/sim_result.c - the simulator's result (engines/sim_result.h) and
 * the public outputs of a run (labyrinth/sim.h: lab_sim_report_text, _json,
 * lab_sim_write_procfs, _map, _plot), each a result handed to its renderer
 * in report/.
 *
 *   struct lab_sim --lab_sim_result_get--> struct lab_sim_result
 *                                            --> report/run.c, report/plot.c
 *
 * The result is taken after the run: counters are copied, the time series,
 * records, log and first-failure snapshot are borrowed, the final
 * statistics are read once, and each workload's ops->result fills its
 * wl_result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engines/sim_int.h"
#include "report/render.h"

static void result_scenario(struct lab_sim_result *r, const struct lab_sim *sim)
{
	r->scenario = lab_scenario_name(&sim->sc);
	r->description = sim->sc.description;
	r->seed = sim->seed;
	r->mem_bytes = sim->sc.mem_bytes;
	r->nr_cpus = sim->nr_cpus;
	r->kernel = (int)lab_mem_kernel(sim->mem);
	r->drain_before_failure = sim->sc.drain_before_failure;
	r->background = LAB_HAVE_BACKGROUND;
	r->nr_phases = sim->sc.nr_phases;
	for (unsigned i = 0; i < sim->sc.nr_phases; i++)
		r->phase_name[i] = sim->sc.phases[i].name;
	memcpy(r->phase_start, sim->phase_start, sizeof(r->phase_start));
}

static void result_run(struct lab_sim_result *r, const struct lab_sim *sim)
{
	r->now = sim->now;
	r->events = sim_events(sim);
	r->queue_events = sim->queue_events;
	r->alloc_calls = sim->alloc_calls;
	r->free_calls = sim->free_calls;
	r->lru_calls = sim->lru_calls;
	r->owner_callbacks = sim->owner_callbacks;
	r->nested_irqs = sim->nested_irqs;
	r->pcp_trylock_failed = sim->pcp_trylock_failed;
	r->pcp_deadlocks = sim->pcp_deadlocks;

	memcpy(r->count, sim->count, sizeof(r->count));
	r->atomic_requests = sim->atomic_requests;
	r->atomic_failures = sim->atomic_failures;
	r->requests = sim->requests;
	r->failures = sim->failures;
	r->first_atomic_failure_ns = sim->first_atomic_failure_ns;
	r->first_atomic_failure_phase = sim->first_atomic_failure_phase;
	r->deadline_misses = sim->deadline_misses;

	r->samples = sim->samples;
	r->nr_samples = sim->nr_samples;
	r->sample_interval_ns = sim->sample_interval_ns;
	r->main_zone = sim->main_zone;
	r->highest_atomic_order = sim->highest_atomic_order;
	memcpy(r->below_ns, sim->below_ns, sizeof(r->below_ns));
}

static void daemon_result(struct sim_daemon_result *out, const struct sim_daemon *d)
{
	out->wakes = d->wakes;
	out->steps = d->steps;
	out->busy_ns = d->busy_ns;
	out->pages = d->pages;
	out->stuck = d->stuck;
}

static void result_records(struct lab_sim_result *r, const struct lab_sim *sim)
{
	daemon_result(&r->kswapd, &sim->kswapd);
	daemon_result(&r->kcompactd, &sim->kcompactd);
	r->highatomic_max = sim->highatomic_max;
	r->warn = sim->warn;
	r->nr_warn = sim->nr_warn;
	r->warn_total = sim->warn_total;
	r->log = (const char (*)[SIM_LOG_LINE])sim->log;
	r->nr_log = sim->nr_log;
	r->log_total = sim->log_total;
	r->log_errors = sim->log_errors;
	r->ff_blocks = sim->ff_blocks;
	r->ff_nr_blocks = sim->ff_nr_blocks;
	r->ff_stats = sim->ff_stats;
}

static void result_workloads(struct lab_sim_result *r, struct lab_sim *sim)
{
	r->nr_wl = sim->nr_wl;
	for (unsigned i = 0; i < sim->nr_wl; i++) {
		struct sim_wl *wl = &sim->wl[i];
		struct sim_wl_summary *o = &r->wl[i];
		o->name = wl->cfg->name;
		o->type = wl_type_name(wl->cfg->type);
		o->phase_mask = wl->cfg->phase_mask;
		memcpy(o->req, wl->req, sizeof(o->req));
		memcpy(o->fail, wl->fail, sizeof(o->fail));
		o->pages_held = wl->pages_held;
		o->pages_held_max = wl->pages_held_max;
		wl->ops->result(sim, wl, &o->r);
	}
}

struct lab_sim_result *lab_sim_result_get(struct lab_sim *sim)
{
	struct lab_sim_result *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->final = malloc(sizeof(*r->final));
	if (!r->final) {
		free(r);
		return NULL;
	}
	result_scenario(r, sim);
	result_run(r, sim);
	result_records(r, sim);
	r->mem = sim->mem;
	lab_mem_get_stats(sim->mem, r->final);
	result_workloads(r, sim);
	return r;
}

void lab_sim_result_free(struct lab_sim_result *r)
{
	if (!r)
		return;
	free(r->final);
	free(r);
}

/* ---- the public outputs: a result, then its renderer ------------------------- */

int lab_sim_report_text(struct lab_sim *sim, FILE *out)
{
	struct lab_sim_result *r = lab_sim_result_get(sim);
	if (!r)
		return -ENOMEM;
	int rc = lab_report_run_text(out, r);
	lab_sim_result_free(r);
	return rc;
}

json_t *lab_sim_report_json(struct lab_sim *sim)
{
	struct lab_sim_result *r = lab_sim_result_get(sim);
	if (!r)
		return NULL;
	json_t *j = lab_report_run_json(r);
	lab_sim_result_free(r);
	return j;
}

int lab_sim_write_procfs(struct lab_sim *sim, const char *dir)
{
	struct lab_sim_result *r = lab_sim_result_get(sim);
	if (!r)
		return -ENOMEM;
	int rc = lab_report_run_procfs(r, dir);
	lab_sim_result_free(r);
	return rc;
}

int lab_sim_write_map(struct lab_sim *sim, const char *path, int at_first_failure)
{
	struct lab_sim_result *r = lab_sim_result_get(sim);
	if (!r)
		return -ENOMEM;
	int rc = lab_report_run_map(r, path, at_first_failure);
	lab_sim_result_free(r);
	return rc;
}

int lab_sim_write_plot(struct lab_sim *sim, const char *path, unsigned width, unsigned height)
{
	struct lab_sim_result *r = lab_sim_result_get(sim);
	if (!r)
		return -ENOMEM;
	int rc = lab_report_run_plot(r, path, width, height);
	lab_sim_result_free(r);
	return rc;
}
