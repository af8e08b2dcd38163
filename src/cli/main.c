/* SPDX-License-Identifier: MIT */
/*
 * cli/main.c - the labyrinth command: dispatch to one file per subcommand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include "cli.h"
#include "util/text.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", lab_cmd_run, "simulate a scenario on the real allocator: atomic failures, watermarks, fragmentation" },
	{ "sweep", lab_cmd_sweep, "run a scenario over a grid of tunables and seeds; the smallest setting with no atomic failure" },
	{ "map", lab_cmd_map, "run a scenario and draw the labyrinth map (pageblocks) as a PNG" },
	{ "demo", lab_cmd_demo, "fragment a 512 MiB instance under a mixed workload and show the reports" },
	{ "diagnose", lab_cmd_diagnose, "explain page allocation failure reports in a kernel log (dmesg, any version)" },
	{ "replay", lab_cmd_replay, "replay a real kernel page-allocator trace (what-if, or --shadow)" },
	{ "snapshot", lab_cmd_snapshot, "save this machine's /proc page-allocator state as replay and top read it" },
	{ "record", lab_cmd_record, "record this kernel's page-allocator trace and snapshots for replay (root)" },
	{ "gfp", lab_cmd_gfp, "decode a gfp mask (0xa20 -> GFP_ATOMIC) or encode flag names" },
	{ "top", lab_cmd_top, "this machine's page allocator live: GFP_ATOMIC headroom per zone and order, rates" },
	{ "watermarks", lab_cmd_watermarks, "per-zone min/low/high/promo and protection as /proc/zoneinfo" },
};

int cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lab_cmd_verror(cmd, 2, fmt, ap);
	va_end(ap);
	return 2;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: labyrinth <command> [options]   (labyrinth <command> --help)\n\n"
		     "Labyrinth %s: a physical page-frame allocator that behaves like Linux's.\n\n"
		     "commands:\n", LAB_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("labyrinth %s\n", LAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "labyrinth: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
