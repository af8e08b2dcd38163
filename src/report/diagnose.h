/* SPDX-License-Identifier: MIT */
/*
 * report/diagnose.h - `labyrinth diagnose`'s output (report/diagnose.c):
 * one block of text per report (where it is, the task and context, the
 * request, the zones in fallback order with free against the watermark,
 * the VERDICT with its numbers, the advice), the --simulate block, and the
 * same as JSON objects. Reads the engines' results (engines/diagnose.h,
 * engines/simulate.h); computes nothing.
 */
#ifndef LAB_REPORT_DIAGNOSE_H
#define LAB_REPORT_DIAGNOSE_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "engines/diagnose.h"
#include "engines/simulate.h"

/* The names the output uses: "LOW_MEMORY", ..., "ok", "low", ... */
const char *lab_verdict_name(enum lab_verdict v);
const char *lab_zone_outcome_name(enum lab_zone_outcome o);

/* Report @r of @log (the @idx-th, from 0) and its diagnosis @d, as text;
 * @file names the input ("<stdin>" for -). Lines wrap at 100 columns. A
 * @log with nr_reports 0 (a followed log) prints "report N" without "of M". */
void lab_report_diagnosis(FILE *out, const char *file, const struct lab_dmesg_log *log,
			  const struct lab_dmesg_report *r, const struct lab_diagnosis *d, size_t idx);

/* The --simulate block: the request re-run on the rebuilt zones (@s) and
 * what the tunables search found, read next to the verdict of @d. */
void lab_report_simulation(FILE *out, const struct lab_simulation *s, const struct lab_diagnosis *d);

/*
 * The report and its diagnosis as a JSON object (new reference, NULL when
 * out of memory). @file names the input in the object ("<stdin>" for -).
 */
json_t *lab_diagnosis_to_json(const char *file, const struct lab_dmesg_log *log,
			      const struct lab_dmesg_report *r, const struct lab_diagnosis *d);

/* The --simulate result as a JSON object (new reference, NULL when out of
 * memory). */
json_t *lab_simulation_to_json(const struct lab_simulation *s);

#endif
