/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_map.c - `labyrinth map SCENARIO -o FILE.png`: run a scenario and
 * draw the labyrinth: one cell per pageblock, coloured by migratetype and
 * filled by use (labyrinth/map.h), at the end of the run or at the first
 * failed atomic allocation.
 *
 * Exit: 0; 1 when the picture cannot be written; 2 for bad usage or input.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/sim.h>
#include "cli.h"

static const char *const help =
	"usage: labyrinth map SCENARIO -o FILE.png [--seed N] [--set KEY=VALUE ...]\n"
	"                     [--at end|first-failure]\n\n"
	"Runs SCENARIO (as `labyrinth run`, without the report) and writes the labyrinth map:\n"
	"physical memory as one cell per pageblock, coloured by migratetype, filled by use.\n"
	"docs/map.md says how to read it.\n";

/* Declared in cli.h too once main.c registers the command; repeated here so
 * this file builds (-Wmissing-prototypes) before that. */
int lab_cmd_map(int argc, char **argv);

int lab_cmd_map(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, 0, 'o' }, { "seed", required_argument, 0, 's' },
		{ "set", required_argument, 0, 'S' },    { "at", required_argument, 0, 'a' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 },
	};
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	const char *out = NULL;
	int nsets = 0, at_ff = 0, c;
	uint64_t seed = 1;

	if (!sets)
		return cli_error("map", "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's':
			if (cli_parse_u64(optarg, &seed)) {
				free(sets);
				return cli_error("map", "--seed '%s': expected a number", optarg);
			}
			break;
		case 'S': sets[nsets++] = optarg; break;
		case 'a':
			if (!strcmp(optarg, "first-failure")) {
				at_ff = 1;
			} else if (strcmp(optarg, "end")) {
				free(sets);
				return cli_error("map", "--at '%s': expected end or first-failure", optarg);
			}
			break;
		case 'h':
		default:
			free(sets);
			return cli_help(help, c == 'h');
		}
	}
	if (optind != argc - 1 || !out) {
		free(sets);
		return cli_help(help, 0);
	}
	struct lab_scenario *sc = cli_scenario_load("map", argv[optind], sets, nsets);
	free(sets);
	if (!sc)
		return 2;
	struct lab_sim *sim = cli_sim_create("map", sc, seed);
	if (!sim)
		return 2;
	lab_sim_run(sim, 0, NULL, NULL);
	int e = lab_sim_write_map(sim, out, at_ff), rc = 0;
	if (e) {
		cli_error("map", "cannot write %s: %s", out, strerror(-e));
		rc = 1;
	} else {
		printf("map written to %s\n", out);
	}
	lab_sim_destroy(sim);
	return rc;
}
