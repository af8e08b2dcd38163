/* SPDX-License-Identifier: MIT */
/*
 * report/render.h - the renderers of the commands' own outputs (the kernel
 * formats they build on are public: labyrinth/report.h, labyrinth/map.h).
 * labyrinth/sim.h's run outputs (lab_sim_report_text, ...) take a
 * simulator's result (engines/sim_result.h) to the lab_report_run_*
 * renderers here.
 */
#ifndef LAB_REPORT_RENDER_H
#define LAB_REPORT_RENDER_H

#include <stdio.h>
#include <stddef.h>
#include <jansson.h>
#include <labyrinth/gfp.h>
#include <labyrinth/labyrinth.h>

struct lab_demo;

/* `labyrinth demo`: the storm's numbers and the first failure report, then
 * (unless @quiet) buddyinfo, pagetypeinfo, zoneinfo, the extfrag indices,
 * vmstat and Labyrinth's own counters. */
void lab_report_demo(FILE *out, const struct lab_demo *d, int quiet);

/* `labyrinth watermarks`: each zone's min/low/high/promo, managed pages and
 * protection as /proc/zoneinfo prints them, under the tunables used. */
void lab_report_watermarks(FILE *out, const struct lab_mem_stats *s);

/* `labyrinth gfp`: @arg (as typed) with its value @v in @era, after @prefix:
 * a number ("0xa20", "2592") is shown as the flag names Linux prints
 * ("%pGg"), names as their value ("0xa20"). */
void lab_report_gfp(FILE *out, const char *prefix, const char *arg, lab_gfp_t v, enum lab_gfp_era era);
/* The note --all-eras shows for an era without flag @bad (@len bytes). */
void lab_report_gfp_unknown(FILE *out, const char *prefix, const char *bad, size_t len);

struct lab_sim_result;
struct lab_sweep_result;
struct lab_sweep_opts;

/* A simulator run (report/run.c): the run report as text and as JSON
 * (docs/run-json.md); the /proc files and warn_alloc.txt into @dir (made if
 * missing); the map at the end or at the first atomic failure. 0 or -errno. */
int lab_report_run_text(FILE *out, const struct lab_sim_result *r);
json_t *lab_report_run_json(const struct lab_sim_result *r);
int lab_report_run_procfs(const struct lab_sim_result *r, const char *dir);
int lab_report_run_map(const struct lab_sim_result *r, const char *path, int at_first_failure);
/* The time-series PNG (report/plot.c); 0 for @width/@height = 1200 x 900.
 * LAB_EINVAL for a size outside 400x300..8192x8192 or under 2 samples. */
int lab_report_run_plot(const struct lab_sim_result *r, const char *path, unsigned width, unsigned height);

/* `labyrinth sweep`'s output (report/sweep.c): the header that names
 * @scenario and the grid's size, then lab_sweep_print's table. */
void lab_report_sweep(FILE *out, const char *scenario, const struct lab_sweep_result *r);
/* A sweep's parameters as JSON: [{"name": ..., "values": [...]}, ...]
 * (in lab_sweep_json and in each planned run's result, engines/sweep_plan.c). */
json_t *lab_sweep_params_json(const struct lab_sweep_opts *o);

/* The run report's lines and JSON object of one workload (report/workloads.c). */
struct wl_result;
void lab_report_wl_text(FILE *out, const struct wl_result *r);
json_t *lab_report_wl_json(const struct wl_result *r);

#endif
