/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_dmesg.c - libFuzzer target for the dmesg failure-report
 * reader and the verdict engine.
 *
 * Runs arbitrary bytes through lab_dmesg_parse(), then diagnoses every report
 * found (with the report's own version and with a forced old and new
 * kernel, so both rule sets run), renders the missing-parts text and the
 * JSON object, and re-runs small reports (zones under 64 MiB, so an
 * iteration stays fast) with --simulate. Any crash, sanitizer report or leak is a bug: the reader
 * promises never to crash on any input.
 *
 * Seeds: the files of tests/data/dmesg make good ones.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engines/diagnose.h"
#include "formats/dmesg.h"
#include "engines/simulate.h"
#include "report/diagnose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kernels[] = { NULL, "3.10.0", "6.1.116" };
	struct lab_dmesg_log log;
	static struct lab_diagnosis d;
	char missing[1024];

	if (lab_dmesg_parse((const char *)data, size, &log) != 0)
		return 0;
	for (size_t i = 0; i < log.nr_reports && i < 8; i++) {
		const struct lab_dmesg_report *r = &log.reports[i];
		lab_dmesg_describe_missing(r, missing, sizeof(missing));
		for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
			json_t *o;
			lab_diagnose(&log, r, kernels[k], &d);
			o = lab_diagnosis_to_json("fuzz", &log, r, &d);
			if (o) {
				char *s = json_dumps(o, 0);
				free(s);
				json_decref(o);
			}
		}
		uint64_t kb = 0;
		for (int z = 0; z < r->nr_zones; z++)
			kb += r->zones[z].kb[LAB_ZF_MANAGED] < (1u << 30) ? r->zones[z].kb[LAB_ZF_MANAGED] : (1u << 30);
		if (kb <= 64 * 1024) {
			static struct lab_simulation sim;
			lab_diagnose_simulate(r, &d, &sim);
		}
	}
	lab_dmesg_log_free(&log);
	return 0;
}
