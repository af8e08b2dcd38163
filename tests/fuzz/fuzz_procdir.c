/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_procdir.c - `labyrinth top`'s readers and computation on
 * arbitrary /proc text: the input is zoneinfo, buddyinfo, pagetypeinfo,
 * vm sysctls and vmstat separated by lines "====". Every file is parsed
 * (a refusal is fine), and when zoneinfo parsed the refresh is computed and
 * rendered three ways. Oracles: the headroom never exceeds the free-list
 * chunks of its order nor falls below the boosted headroom, both are 0
 * for a zone GFP_ATOMIC may not use, and nothing crashes or leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engines/top.h"
#include "report/top.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lab_top *top;

static void check(const struct lab_top *t)
{
	for (int zi = 0; zi < t->nr_zones; zi++) {
		const struct lab_top_zone *z = &t->zone[zi];
		for (int o = 0; o < LAB_MAX_ORDER; o++) {
			uint64_t chunks = 0;
			for (int j = o; j < LAB_MAX_ORDER; j++)
				chunks += z->nr_free[j] << (j - o);
			if (z->headroom[o] < z->headroom_boosted[o] || z->headroom_boosted[o] < 0 ||
			    (uint64_t)z->headroom[o] > chunks || (!z->allowed && z->headroom[o]))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum lab_proc_file kinds[] = {
		LAB_PROC_ZONEINFO, LAB_PROC_BUDDYINFO, LAB_PROC_PAGETYPEINFO, LAB_PROC_SYSCTL, LAB_PROC_VMSTAT_FILE,
	};
	if (!top && !(top = lab_top_new()))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	struct lab_procdir *p = lab_top_next(top);
	memset(p, 0, sizeof(*p));
	char err[256], *part = text;
	int ok = 1;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && part; k++) {
		char *sep = strstr(part, "\n====\n");
		if (sep)
			*sep = 0;
		if (lab_procdir_parse(p, kinds[k], part, "fuzz", err, sizeof(err)) && k == 0)
			ok = 0;
		part = sep ? sep + 6 : NULL;
	}
	if (ok) {
		lab_top_commit(top, (double)top->refreshes);
		check(top);
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull) {
			lab_report_top_text(devnull, top, 1.0);
			lab_report_top_prometheus(devnull, top);
			fclose(devnull);
		}
		json_decref(lab_report_top_json(top));
	}
	free(text);
	return 0;
}
