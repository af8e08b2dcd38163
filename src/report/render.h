/* SPDX-License-Identifier: MIT */
/*
 * report/render.h - the renderers of the commands' own outputs (the kernel
 * formats they build on are public: labyrinth/report.h, labyrinth/map.h).
 * The run report, the plot and the sweep table are public too
 * (labyrinth/sim.h); these are the `labyrinth` command's.
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

/* The run report's lines and JSON object of one workload (report/workloads.c). */
struct wl_result;
void lab_report_wl_text(FILE *out, const struct wl_result *r);
json_t *lab_report_wl_json(const struct wl_result *r);

#endif
