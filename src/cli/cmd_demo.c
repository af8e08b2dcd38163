/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_demo.c - `labyrinth demo`: the real allocator, a real workload,
 * real reports. The workload is engines/demo.c (boot, uptime churn, a NIC
 * storm of order-3 GFP_ATOMIC refills on a host instance), the output
 * report/demo.c; with --map a picture of the maze (labyrinth/map.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include <labyrinth/map.h>
#include "cli/cli.h"
#include "engines/demo.h"
#include "report/render.h"

static const char *const help =
	"usage: labyrinth demo [--seed N] [--mem MiB] [--map FILE.png] [--quiet]\n\n"
	"Fragments a host instance (default 512 MiB) with boot, uptime churn and a NIC\n"
	"storm of order-3 GFP_ATOMIC requests, then prints the first failure report,\n"
	"/proc/buddyinfo, /proc/pagetypeinfo, zoneinfo watermarks, extfrag indices and\n"
	"counters. --map writes a picture of the physical memory (pageblocks).\n";

/* After the report: the map (if asked) and the instance's own check. */
static int demo_finish(struct lab_demo *d, const char *map)
{
	int rc = 0;
	if (map) {
		int err = lab_map_write_png_mem(map, d->mem, "labyrinth demo: after the NIC storm", 0);
		if (err)
			rc = cli_error("demo", "cannot write %s: %s", map, strerror(-err));
		else
			printf("\nmap of the physical memory written to %s\n", map);
	}
	int bad = lab_mem_check(d->mem);
	if (bad) {
		fprintf(stderr, "labyrinth demo: lab_mem_check found %d violations\n", bad);
		rc = 1;
	}
	return rc;
}

int lab_cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, 0, 's' }, { "mem", required_argument, 0, 'm' },
		{ "map", required_argument, 0, 'p' },  { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },       { 0, 0, 0, 0 },
	};
	uint64_t seed = 42, mem_mib = 512;
	const char *map = NULL;
	int quiet = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_u64(optarg, &seed))
				return cli_error("demo", "--seed '%s': expected a number", optarg);
			break;
		case 'm':
			if (cli_parse_u64(optarg, &mem_mib) || mem_mib < 32 || mem_mib > 65536)
				return cli_error("demo", "--mem '%s': expected 32..65536 (MiB)", optarg);
			break;
		case 'p':
			map = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind < argc)
		return cli_error("demo", "unexpected argument '%s'", argv[optind]);

	struct lab_demo d;
	int rc;
	if (lab_demo_run(&d, seed, mem_mib) != 0) {
		if (d.mem) {
			perror("labyrinth demo");
			rc = 2;
		} else {
			rc = cli_error("demo", "cannot create a %llu MiB host instance", (unsigned long long)mem_mib);
		}
	} else {
		lab_report_demo(stdout, &d, quiet);
		rc = demo_finish(&d, map);
	}
	lab_demo_free(&d);
	return rc;
}
