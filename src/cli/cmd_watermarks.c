/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_watermarks.c - `labyrinth watermarks`: what Linux would set for
 * given zone sizes and sysctls, printed as /proc/zoneinfo prints it.
 *
 * The numbers come from the real core (engines/watermarks.c), the output
 * from report/watermarks.c; this file parses the options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include "cli/cli.h"
#include "engines/watermarks.h"
#include "report/render.h"

static const char *const help =
	"usage: labyrinth watermarks --zone NAME:MANAGED_PAGES [--zone ...]\n"
	"                            [--min-free-kbytes N] [--watermark-scale-factor N]\n"
	"                            [--lowmem-reserve-ratio \"256 256 32 0 0\"] [--cpus N]\n\n"
	"Prints each zone's min/low/high/promo and protection exactly as a Linux 6.1\n"
	"/proc/zoneinfo would for zones of that many managed pages (4 KiB).\n"
	"Zones: DMA, DMA32, Normal, Movable. Example (a 6 GiB x86-64 host):\n"
	"  labyrinth watermarks --zone DMA:3840 --zone DMA32:772808 --zone Normal:786432\n";

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

/* --zone NAME:PAGES into q->managed; -1 if it is not that. */
static int parse_zone(const char *arg, struct lab_watermarks_query *q)
{
	const char *colon = strchr(arg, ':');
	int zi = -1;
	uint64_t v;
	if (colon)
		for (int i = 0; i < LAB_ZONE_DEVICE; i++)
			if ((size_t)(colon - arg) == strlen(lab_zone_names[i]) &&
			    !strncasecmp(arg, lab_zone_names[i], (size_t)(colon - arg)))
				zi = i;
	if (zi < 0 || parse_u64(colon + 1, &v))
		return -1;
	q->managed[zi] = v;
	return 0;
}

/* --lowmem-reserve-ratio "256 256 32 0 0" (the leading ones may do). */
static int parse_ratio(const char *arg, struct lab_watermarks_query *q)
{
	const char *s = arg;
	char *end;
	for (int i = 0; i < LAB_MAX_NR_ZONES; i++) {
		long r = strtol(s, &end, 10);
		if (end == s) {
			if (i == 0)
				return cli_error("watermarks", "--lowmem-reserve-ratio '%s': expected numbers", arg);
			break;
		}
		q->lowmem_reserve_ratio[i] = (int)r;
		s = end;
	}
	while (*s == ' ')
		s++;
	if (*s)
		return cli_error("watermarks", "--lowmem-reserve-ratio '%s': unexpected '%s'", arg, s);
	q->set_lowmem_reserve_ratio = 1;
	return 0;
}

int lab_cmd_watermarks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zone", required_argument, 0, 'z' },
		{ "min-free-kbytes", required_argument, 0, 'm' },
		{ "watermark-scale-factor", required_argument, 0, 'w' },
		{ "lowmem-reserve-ratio", required_argument, 0, 'r' },
		{ "cpus", required_argument, 0, 'c' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct lab_watermarks_query q = {
		.watermark_scale_factor = 10, .lowmem_reserve_ratio = { 256, 256, 32, 0, 0 }, .nr_cpus = 1,
	};
	int have_zone = 0, c;
	uint64_t v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (parse_zone(optarg, &q) != 0)
				return cli_error("watermarks", "--zone '%s': expected NAME:PAGES with NAME one of "
							       "DMA, DMA32, Normal, Movable", optarg);
			have_zone = 1;
			break;
		case 'm':
			if (parse_u64(optarg, &v) || v > 0x7fffffff)
				return cli_error("watermarks", "--min-free-kbytes '%s': expected a number of kB", optarg);
			q.min_free_kbytes = (int)v;
			break;
		case 'w':
			if (parse_u64(optarg, &v) || v < 1 || v > 3000)
				return cli_error("watermarks", "--watermark-scale-factor '%s': expected 1..3000", optarg);
			q.watermark_scale_factor = (int)v;
			break;
		case 'r':
			if (parse_ratio(optarg, &q) != 0)
				return 2;
			break;
		case 'c':
			if (parse_u64(optarg, &v) || v < 1 || v > LAB_MAX_CPUS)
				return cli_error("watermarks", "--cpus '%s': expected 1..%d", optarg, LAB_MAX_CPUS);
			q.nr_cpus = (unsigned)v;
			break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind < argc)
		return cli_error("watermarks", "unexpected argument '%s'", argv[optind]);
	if (!have_zone) {
		fputs(help, stderr);
		return cli_error("watermarks", "at least one --zone is required");
	}
	struct lab_mem_stats *s = malloc(sizeof(*s));
	if (!s)
		return 2;
	const char *why = lab_watermarks_compute(&q, s);
	if (why) {
		free(s);
		return cli_error("watermarks", "%s", why);
	}
	lab_report_watermarks(stdout, s);
	free(s);
	return 0;
}
