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
#include <labyrinth/labyrinth.h>

struct lab_demo;

/* `labyrinth demo`: the storm's numbers and the first failure report, then
 * (unless @quiet) buddyinfo, pagetypeinfo, zoneinfo, the extfrag indices,
 * vmstat and Labyrinth's own counters. */
void lab_report_demo(FILE *out, const struct lab_demo *d, int quiet);

/* `labyrinth watermarks`: each zone's min/low/high/promo, managed pages and
 * protection as /proc/zoneinfo prints them, under the tunables used. */
void lab_report_watermarks(FILE *out, const struct lab_mem_stats *s);

#endif
