/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_gfp.c - `labyrinth gfp`: decode a gfp mask the way a given kernel
 * printed it ("mode:0xa20(GFP_ATOMIC)"), or encode flag names to a value.
 *
 * A number (0xa20, 2592) is decoded to the "%pGg" names; anything else is
 * read as names joined by '|' and encoded to its value. Both directions use
 * the flag layout of one era (default 6.1), chosen by --era or --kernel;
 * --all-eras shows every era side by side, which is how one spots a report
 * being read with the wrong kernel's table. All the knowledge lives in
 * src/core/gfp.c, the printing in report/gfp.c; this file parses arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <labyrinth/gfp.h>
#include "cli/cli.h"
#include "report/render.h"

static const char *const help =
	"usage: labyrinth gfp [--era ERA | --kernel VERSION] [--all-eras] VALUE...\n\n"
	"Decodes a gfp mask into the names a kernel prints for it (mode:%#x(%pGg)),\n"
	"or encodes names joined by '|' into the value:\n"
	"  labyrinth gfp 0xa20                      -> GFP_ATOMIC\n"
	"  labyrinth gfp 'GFP_ATOMIC|__GFP_COMP'    -> 0x40a20\n"
	"  labyrinth gfp --era 6.3 0xa20            -> GFP_ATOMIC|0x200\n"
	"  labyrinth gfp --kernel 4.9.0 0x2280020   -> GFP_ATOMIC|__GFP_NOTRACK\n\n"
	"The flags' bits and the names' order changed between kernels; the era\n"
	"selects the table (default 6.1):\n"
	"  --era ERA          3.x (2.6-4.3), 4.x (4.4-4.9), 4.10 (4.10-4.12), 4.13,\n"
	"                     4.14, 4.15 (4.15-4.17), 4.18 (4.18-5.0), 6.1 (5.1-6.2),\n"
	"                     6.3 (6.3-6.7), 6.8 (6.8-6.12), 6.13 (after 6.12)\n"
	"  --kernel VERSION   the era of a kernel version, e.g. 6.1.0-56-amd64\n"
	"  --all-eras         one line per era: era name, then the result\n"
	"  -h, --help         this text\n\n"
	"A value the kernel prints no name for ends in hex (GFP_ATOMIC|0x200); 0\n"
	"prints an empty line, as mode:0x0() does. Exit status 2 names a bad\n"
	"argument or an unknown flag name on stderr.\n";

/* Eras in chronological order, for --all-eras. */
static const enum lab_gfp_era chrono[] = {
	LAB_GFP_ERA_3_X, LAB_GFP_ERA_4_X, LAB_GFP_ERA_4_10, LAB_GFP_ERA_4_13,
	LAB_GFP_ERA_4_14, LAB_GFP_ERA_4_15, LAB_GFP_ERA_4_18, LAB_GFP_ERA_6_1,
	LAB_GFP_ERA_6_3, LAB_GFP_ERA_6_8, LAB_GFP_ERA_6_13,
};
_Static_assert(sizeof(chrono) / sizeof(chrono[0]) == LAB_GFP_NR_ERAS,
	       "every era appears in --all-eras");

/*
 * Prints the result of @arg in @era (report/gfp.c). Returns 0, or 2 after
 * a message naming the bad token (the message is replaced by an inline
 * note when @quiet is set, as --all-eras wants).
 */
static int show(const char *arg, enum lab_gfp_era era, const char *prefix, int quiet)
{
	const char *bad = NULL;
	size_t bad_len = 0;
	lab_gfp_t v;

	if (lab_gfp_parse(arg, era, &v, &bad, &bad_len) != 0) {
		if (quiet) {
			lab_report_gfp_unknown(stdout, prefix, bad, bad_len);
			return 2;
		}
		if (bad_len == 0)
			return cli_error("gfp", "'%s': empty flag name at offset %zu (expected NAME|NAME or a number)",
					 arg, (size_t)(bad - arg));
		return cli_error("gfp", "'%s': unknown flag name or bad number '%.*s' for era %s",
				 arg, (int)bad_len, bad, lab_gfp_era_name(era));
	}
	lab_report_gfp(stdout, prefix, arg, v, era);
	return 0;
}

int lab_cmd_gfp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "era", required_argument, 0, 'e' },
		{ "kernel", required_argument, 0, 'k' },
		{ "all-eras", no_argument, 0, 'a' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	enum lab_gfp_era era = LAB_GFP_ERA_6_1;
	int all = 0, have_era = 0, c, rc = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (lab_gfp_era_from_name(optarg, &era) != 0)
				return cli_error("gfp", "--era '%s': expected one of 3.x 4.x 4.10 4.13 4.14 "
						 "4.15 4.18 6.1 6.3 6.8 6.13", optarg);
			have_era = 1;
			break;
		case 'k':
			era = lab_gfp_era_for_version(optarg);
			have_era = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		case ':':
			return cli_error("gfp", "%s needs an argument", argv[optind - 1]);
		default:
			return cli_error("gfp", "unknown option '%s' (see labyrinth gfp --help)",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_error("gfp", "expected a value (0xa20) or flag names (GFP_ATOMIC|__GFP_COMP); "
				 "see labyrinth gfp --help");
	if (all && have_era)
		return cli_error("gfp", "--all-eras and --era/--kernel exclude each other");

	for (int i = optind; i < argc; i++) {
		if (!all) {
			if (show(argv[i], era, "", 0) != 0)
				return 2;
			continue;
		}
		int ok = 0;

		if (argc - optind > 1)
			printf("%s\n", argv[i]);
		for (size_t e = 0; e < sizeof(chrono) / sizeof(chrono[0]); e++) {
			char prefix[16];

			snprintf(prefix, sizeof(prefix), "%-7s", lab_gfp_era_name(chrono[e]));
			if (show(argv[i], chrono[e], prefix, 1) == 0)
				ok = 1;
		}
		if (!ok)
			rc = cli_error("gfp", "'%s': not valid in any era", argv[i]);
	}
	return rc;
}
