/* SPDX-License-Identifier: MIT */
/*
 * report/top.h - the renderers of `labyrinth top` (engines/top.h's refresh):
 * the screen, one JSON object per refresh, and the node_exporter
 * textfile-collector format (HELP/TYPE lines, labyrinth_ names,
 * node/zone/order labels).
 */
#ifndef LAB_REPORT_TOP_H
#define LAB_REPORT_TOP_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "engines/top.h"

/* The screen (no escapes: the caller clears and homes); @interval 0 for
 * one screen. */
void lab_report_top_text(FILE *out, const struct lab_top *t, double interval);
json_t *lab_report_top_json(const struct lab_top *t);
void lab_report_top_prometheus(FILE *out, const struct lab_top *t);

#endif
