/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_sweep.c - `labyrinth sweep SCENARIO --param NAME=VALUES ...`: run a
 * scenario over a grid of tunables and seeds (in parallel) and answer
 * "what setting do I need for zero atomic failures?".
 *
 *   --param min_free_kbytes=1024..65536    doubling: 1024 2048 ... 65536
 *   --param watermark_scale_factor=10,50,200
 *   --seeds 5 (seeds 1..5), --jobs N (default: the machine's CPUs)
 *   -> lab_sim_sweep_command (engines/sim_command.c): table (stdout),
 *      recommendation, --json FILE
 *
 * Exit: 0 (a recommendation or not); 2 for bad usage or a bad scenario.
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
	"usage: labyrinth sweep SCENARIO --param NAME=VALUES [--param ...] [--seeds N]\n"
	"                       [--first-seed N] [--jobs N] [--set KEY=VALUE ...] [--json FILE]\n\n"
	"Runs SCENARIO for every combination of the parameters and every seed, in parallel,\n"
	"and prints the atomic failure rate, the memory held back (sum of high watermarks)\n"
	"and kswapd's CPU share of each, then the smallest setting with no atomic failure.\n\n"
	"  VALUES: 1024..65536 (doubling), 1024..65536/8 (8 geometric points),\n"
	"          0..1000+100 (step 100), or 10,50,200\n"
	"  --seeds N        seeds first-seed .. first-seed+N-1 (default 3, first seed 1)\n"
	"  --jobs N         parallel runs (default: online CPUs, at most 16)\n"
	"  --set KEY=VALUE  a fixed override applied to every run\n"
	"  --json FILE      the grid and the answer as JSON ('-' = stdout)\n";

/* Declared in cli.h too once main.c registers the command; repeated here so
 * this file builds (-Wmissing-prototypes) before that. */
int lab_cmd_sweep(int argc, char **argv);

int lab_cmd_sweep(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "param", required_argument, 0, 'P' }, { "seeds", required_argument, 0, 'n' },
		{ "first-seed", required_argument, 0, 'f' }, { "jobs", required_argument, 0, 'j' },
		{ "set", required_argument, 0, 'S' },   { "json", required_argument, 0, 'J' },
		{ "help", no_argument, 0, 'h' },        { 0, 0, 0, 0 },
	};
	struct lab_sweep_param params[LAB_SWEEP_MAX_PARAMS];
	struct lab_sim_error err;
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	const char *json = NULL;
	unsigned nparams = 0, seeds = 3, jobs = 0;
	uint64_t first = 1;
	int nsets = 0, c;
	char msg[600];

	if (!sets)
		return cli_error("sweep", "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		uint64_t v;
		switch (c) {
		case 'P':
			if (nparams >= LAB_SWEEP_MAX_PARAMS) {
				free(sets);
				return cli_error("sweep", "at most %d --param", LAB_SWEEP_MAX_PARAMS);
			}
			if (lab_sweep_param_parse(optarg, &params[nparams], &err) != 0) {
				free(sets);
				return cli_error("sweep", "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
			}
			nparams++;
			break;
		case 'n':
		case 'j':
		case 'f':
			if (cli_parse_u64(optarg, &v) || (c != 'f' && (v < 1 || v > 1000))) {
				free(sets);
				return cli_error("sweep", "--%s '%s': expected a number%s",
						 c == 'n' ? "seeds" : c == 'j' ? "jobs" : "first-seed", optarg,
						 c != 'f' ? " 1..1000" : "");
			}
			if (c == 'n')
				seeds = (unsigned)v;
			else if (c == 'j')
				jobs = (unsigned)v;
			else
				first = v;
			break;
		case 'S': sets[nsets++] = optarg; break;
		case 'J': json = optarg; break;
		case 'h':
		default:
			free(sets);
			return cli_help(help, c == 'h');
		}
	}
	if (optind != argc - 1 || !nparams) {
		free(sets);
		return cli_help(help, 0);
	}
	struct lab_scenario *sc = cli_scenario_load("sweep", argv[optind], sets, nsets);
	free(sets);
	if (!sc)
		return 2;
	struct lab_sim_sweep_request req = {
		.params = params, .nr_params = nparams, .nr_seeds = seeds, .first_seed = first,
		.jobs = jobs, .json = json,
	};
	int rc = lab_sim_sweep_command(sc, &req);
	lab_scenario_free(sc);
	return rc;
}
