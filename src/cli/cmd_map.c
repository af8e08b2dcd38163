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

#ifndef LAB_SCENARIO_DIR
#define LAB_SCENARIO_DIR "scenarios"
#endif
#ifndef LAB_SCENARIO_INSTALL_DIR
#define LAB_SCENARIO_INSTALL_DIR "/usr/local/share/labyrinth/scenarios"
#endif

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
	char *end, msg[600], path[1024];

	if (!sets)
		return cli_error("map", "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's':
			seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
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
			fputs(help, stdout);
			free(sets);
			return 0;
		default:
			fputs(help, stderr);
			free(sets);
			return 2;
		}
	}
	if (optind != argc - 1 || !out) {
		free(sets);
		fputs(help, stderr);
		return 2;
	}
	const char *const dirs[] = { LAB_SCENARIO_DIR, LAB_SCENARIO_INSTALL_DIR, NULL };
	if (lab_scenario_resolve(argv[optind], dirs, path, sizeof(path)) != 0) {
		free(sets);
		return cli_error("map", "no scenario '%s' (a file, or a name in %s)", argv[optind], LAB_SCENARIO_DIR);
	}
	struct lab_sim_error err;
	struct lab_scenario *sc = lab_scenario_load(path, &err);
	if (!sc) {
		free(sets);
		return cli_error("map", "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
	}
	for (int i = 0; i < nsets; i++)
		if (lab_scenario_set(sc, sets[i], &err) != 0) {
			lab_scenario_free(sc);
			free(sets);
			return cli_error("map", "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
		}
	free(sets);
	struct lab_sim *sim = lab_sim_create(sc, seed, &err);
	lab_scenario_free(sc);
	if (!sim)
		return cli_error("map", "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
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
