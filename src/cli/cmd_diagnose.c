/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_diagnose.c - `labyrinth diagnose FILE|-`: explains every "page
 * allocation failure" report in a kernel log.
 *
 * This file parses the arguments; lab_diagnose_run (engines/diagnose_run.c)
 * reads the logs (formats/dmesg.c), computes the verdicts
 * (engines/diagnose.c) and prints them (report/diagnose.c): one block per
 * report, or with --json the same as one JSON document.
 *
 * --summary counts many logs in one table (engines/diagnose_summary.c);
 * --follow diagnoses a growing log report by report (engines/diagnose_follow.c).
 *
 * Exit: 0 every report diagnosed (UNDETERMINED included), 1 no report found,
 * 2 bad usage or unreadable input.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engines/diagnose.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: labyrinth diagnose [--kernel VERSION] [--json] [--simulate] FILE|- ...\n"
		"       labyrinth diagnose --summary [--kernel VERSION] [--json] FILE...\n"
		"       labyrinth diagnose --follow [--kernel VERSION] [--json] [FILE|-]\n"
		"\n"
		"Finds every \"page allocation failure\" report in a kernel log (dmesg, syslog,\n"
		"journalctl, dmesg -T, Android logcat, a mail quoting one; .gz and .xz are read\n"
		"transparently; - reads stdin) and says why each allocation failed:\n"
		"\n"
		"  LOW_MEMORY              free pages below the watermark this caller may use\n"
		"  FRAGMENTATION           enough free pages, but no free block of the order\n"
		"  RESERVE_OR_MIGRATETYPE  blocks exist only as highatomic or CMA reserve\n"
		"  UNDETERMINED            the report lacks the numbers, or does not explain it\n"
		"\n"
		"with the numbers behind the verdict and what to tune or change.\n"
		"\n"
		"options:\n"
		"  --kernel VERSION  the kernel that printed the log (e.g. 5.4.0), when the\n"
		"                    report does not say or says it wrongly: picks the GFP flag\n"
		"                    layout and the allocator rules of that version\n"
		"  --json            one JSON document {\"reports\": [...]} on stdout\n"
		"  --simulate        rebuild each report's zones in Labyrinth, re-run the failing\n"
		"                    request with 6.1.192's rules, and search min_free_kbytes and\n"
		"                    lowmem_reserve_ratio for the settings that would serve it\n"
		"  --summary         many machines' logs at once: one table of reports by\n"
		"                    verdict, kernel, order, context and gfp, and the call sites\n"
		"                    (first frame outside the allocator) that fail most\n"
		"  --follow          read a growing log (a FILE as tail -f does, or - / no FILE:\n"
		"                    stdin, e.g. from journalctl -k -f or dmesg -w) and print each\n"
		"                    report's diagnosis as soon as the report is complete; with\n"
		"                    --json one JSON object per line\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 every report diagnosed, 1 no report found, 2 bad usage or\n"
		"unreadable input. See docs/diagnose.md for how verdicts are computed.\n");
}

int lab_cmd_diagnose(int argc, char **argv)
{
	const char *files[256];
	struct lab_diagnose_request q = { .files = files };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--json") == 0) {
			q.json = true;
		} else if (strcmp(a, "--simulate") == 0) {
			q.simulate = true;
		} else if (strcmp(a, "--summary") == 0) {
			q.summary = true;
		} else if (strcmp(a, "--follow") == 0) {
			q.follow = true;
		} else if (strcmp(a, "--kernel") == 0 || strncmp(a, "--kernel=", 9) == 0) {
			q.kernel = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!q.kernel || !(q.kernel[0] >= '0' && q.kernel[0] <= '9') || !strchr(q.kernel, '.'))
				return cli_error("diagnose", "--kernel needs a version like 5.4.0 (got %s)",
						 q.kernel ? q.kernel : "nothing");
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_error("diagnose", "unknown option %s (see --help)", a);
		} else if (q.nr_files < (int)(sizeof(files) / sizeof(files[0]))) {
			files[q.nr_files++] = a;
		} else {
			return cli_error("diagnose", "too many files (at most 256)");
		}
	}
	if (q.summary && q.follow)
		return cli_error("diagnose", "--summary and --follow exclude each other");
	if ((q.summary || q.follow) && q.simulate)
		return cli_error("diagnose", "--simulate works on whole logs, not with --%s",
				 q.summary ? "summary" : "follow");
	if (q.follow) {
		if (q.nr_files > 1)
			return cli_error("diagnose", "--follow reads one log (got %d)", q.nr_files);
		if (q.nr_files == 0)
			files[q.nr_files++] = "-";
		return lab_diagnose_follow_run(&q);
	}
	if (q.nr_files == 0)
		return cli_error("diagnose", "no input: give a log FILE or - for stdin (see --help)");
	if (q.summary)
		return lab_diagnose_summary_run(&q);
	return lab_diagnose_run(&q);
}
