/* SPDX-License-Identifier: MIT */
/*
 * report/diagnose_summary.h - `labyrinth diagnose --summary`'s output
 * (report/diagnose_summary.c): the counts of engines/diagnose.h's
 * struct lab_diag_summary as text tables or one JSON object. Computes
 * nothing.
 */
#ifndef LAB_REPORT_DIAGNOSE_SUMMARY_H
#define LAB_REPORT_DIAGNOSE_SUMMARY_H

#include <stdio.h>
#include <jansson.h>
#include "engines/diagnose.h"

/* Three tables: reports per verdict; per verdict, kernel, order, context
 * and GFP flags; per call site with its verdicts. @s must be sorted. */
void lab_report_diag_summary(FILE *out, const struct lab_diag_summary *s);

/* The same as {"files", "unreadable", "reports", "verdicts": {NAME: n},
 * "rows": [...], "call_sites": [...]} (new reference, NULL when out of
 * memory). */
json_t *lab_diag_summary_to_json(const struct lab_diag_summary *s);

#endif
