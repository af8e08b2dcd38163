/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_run.c - `labyrinth run SCENARIO`: simulate a scenario on the real
 * allocator and print the run report.
 *
 *   options -> scenario (name or file) + --set overrides
 *   -> lab_sim_run_command (engines/sim_command.c): the run, the report
 *      (stdout), --json, --map, --plot, --out DIR (/proc files)
 *
 * Exit: 0; 1 when the allocator's self-check failed (sim.check) or an
 * output file could not be written; 2 for bad usage or a bad scenario.
 * The report is deterministic; wall-clock figures go to stderr only.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/sim.h>
#include "cli.h"
#include "engines/sim_command.h"

static const char *const help =
	"usage: labyrinth run SCENARIO [--seed N] [--set KEY=VALUE ...] [--json FILE]\n"
	"                     [--map FILE.png] [--map-at end|first-failure] [--plot FILE.png]\n"
	"                     [--out DIR] [--quiet]\n\n"
	"Simulates SCENARIO (a file, or a name from scenarios/: nic-rx-storm,\n"
	"nic-rx-storm-page-pool, cardiac-monitor, desktop-uptime, router-16m, dma32-starved)\n"
	"on the real allocator: virtual CPUs,\n"
	"interrupts and workloads on a virtual clock, deterministic for a seed. Prints the run\n"
	"report: atomic failures by order x gfp class x context and why they failed,\n"
	"watermarks and kswapd/kcompactd over time, fragmentation, the first failure in\n"
	"warn_alloc format and the final /proc/buddyinfo and pagetypeinfo.\n\n"
	"  --seed N          random seed (default 1)\n"
	"  --set KEY=VALUE   override a tunable (min_free_kbytes=8192) or any scenario key\n"
	"                    (machine.memory=1G, phases.storm.duration=2s, workloads.rx.rate=300k)\n"
	"  --json FILE       the report as JSON (docs/run-json.md); '-' = stdout\n"
	"  --map FILE.png    the labyrinth map (pageblocks) at the end, or with\n"
	"  --map-at first-failure  at the first failed atomic allocation\n"
	"  --plot FILE.png   free memory vs watermarks, failures, kswapd, fragmentation over time\n"
	"  --out DIR         buddyinfo, pagetypeinfo, zoneinfo, vmstat, extfrag_index,\n"
	"                    unusable_index and warn_alloc.txt in the kernel's formats\n"
	"  --quiet           no report on stdout (files only)\n";

/* Declared in cli.h too once main.c registers the command; repeated here so
 * this file builds (-Wmissing-prototypes) before that. */
int lab_cmd_run(int argc, char **argv);

int lab_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, 0, 's' }, { "set", required_argument, 0, 'S' },
		{ "json", required_argument, 0, 'j' }, { "map", required_argument, 0, 'm' },
		{ "map-at", required_argument, 0, 'a' }, { "plot", required_argument, 0, 'p' },
		{ "out", required_argument, 0, 'o' },  { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },       { 0, 0, 0, 0 },
	};
	struct lab_sim_run_request req = { .seed = 1 };
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	int nsets = 0, c;

	if (!sets)
		return cli_error("run", "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "hs:o:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_u64(optarg, &req.seed)) {
				free(sets);
				return cli_error("run", "--seed '%s': expected a number", optarg);
			}
			break;
		case 'S': sets[nsets++] = optarg; break;
		case 'j': req.json = optarg; break;
		case 'm': req.map = optarg; break;
		case 'a':
			if (!strcmp(optarg, "first-failure")) {
				req.map_first_failure = 1;
			} else if (strcmp(optarg, "end")) {
				free(sets);
				return cli_error("run", "--map-at '%s': expected end or first-failure", optarg);
			}
			break;
		case 'p': req.plot = optarg; break;
		case 'o': req.outdir = optarg; break;
		case 'q': req.quiet = 1; break;
		case 'h':
		default:
			free(sets);
			return cli_help(help, c == 'h');
		}
	}
	if (optind != argc - 1) {
		free(sets);
		if (optind >= argc)
			return cli_help(help, 0);
		return cli_error("run", "expected one scenario, got '%s'%s", argv[optind],
				 optind + 1 < argc ? " and more" : "");
	}
	struct lab_scenario *sc = cli_scenario_load("run", argv[optind], sets, nsets);
	free(sets);
	if (!sc)
		return 2;
	int rc = lab_sim_run_command(sc, &req);
	lab_scenario_free(sc);
	return rc;
}
