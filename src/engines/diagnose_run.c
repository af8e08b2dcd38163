/* SPDX-License-Identifier: MIT */
/*
 * engines/diagnose_run.c - `labyrinth diagnose` from its parsed arguments
 * to its output: each log is read (formats/dmesg.h), each report in it
 * diagnosed (diagnose.c) and, with --simulate, re-run on its rebuilt zones
 * (simulate.c), and rendered (report/diagnose.c) as text, or gathered into
 * one JSON document {"reports": [...]}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engines/diagnose.h"
#include "engines/simulate.h"
#include "formats/dmesg.h"
#include "report/diagnose.h"

static int run_error(const char *msg)
{
	fprintf(stderr, "labyrinth diagnose: %s\n", msg);
	return 2;
}

/* Every report of @log, rendered to stdout or appended to @arr. 0, or -1
 * when memory ran out. */
static int diagnose_log(const struct lab_diagnose_request *q, const char *name,
			const struct lab_dmesg_log *log, json_t *arr)
{
	for (size_t i = 0; i < log->nr_reports; i++) {
		struct lab_diagnosis *d = malloc(sizeof(*d));
		struct lab_simulation sim;
		if (!d)
			return -1;
		lab_diagnose(log, &log->reports[i], q->kernel, d);
		if (q->simulate)
			lab_diagnose_simulate(&log->reports[i], d, &sim);
		if (arr) {
			json_t *o = lab_diagnosis_to_json(name, log, &log->reports[i], d);
			if (o && q->simulate)
				json_object_set_new(o, "simulation", lab_simulation_to_json(&sim));
			if (o)
				json_array_append_new(arr, o);
		} else {
			lab_report_diagnosis(stdout, name, log, &log->reports[i], d, i);
			if (q->simulate)
				lab_report_simulation(stdout, &sim, d);
		}
		free(d);
	}
	return 0;
}

int lab_diagnose_run(const struct lab_diagnose_request *q)
{
	json_t *doc = NULL, *arr = NULL;
	size_t total = 0;
	int rc = 0;

	if (q->json) {
		doc = json_object();
		arr = json_array();
		if (!doc || !arr)
			return run_error("out of memory");
		json_object_set_new(doc, "reports", arr);
	}
	for (int f = 0; f < q->nr_files; f++) {
		struct lab_dmesg_log log;
		char err[512];
		const char *name = strcmp(q->files[f], "-") == 0 ? "<stdin>" : q->files[f];

		if (lab_dmesg_parse_file(q->files[f], &log, err, sizeof(err)) < 0) {
			rc = run_error(err);
			continue;
		}
		if (log.nr_reports == 0)
			fprintf(stderr, "labyrinth diagnose: %s: no \"page allocation failure\" report found (%zu lines read)\n",
				name, log.nr_lines);
		else if (!q->json)
			printf("labyrinth diagnose: %s: %zu report%s\n\n", name, log.nr_reports,
			       log.nr_reports == 1 ? "" : "s");
		if (diagnose_log(q, name, &log, arr) < 0) {
			lab_dmesg_log_free(&log);
			json_decref(doc);
			return run_error("out of memory");
		}
		total += log.nr_reports;
		lab_dmesg_log_free(&log);
	}
	if (q->json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	}
	fflush(stdout);
	if (rc)
		return rc;
	return total == 0 ? 1 : 0;
}
