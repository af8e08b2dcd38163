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
 *   --plan FILE [--plan-format parallel|slurm] [--results DIR]
 *      -> one command per cell and seed (engines/sweep_plan.c), each
 *         `sweep ... --cell K --seed S --result DIR/cell-K-seed-S.json`
 *   --merge DIR -> the same table from those results (engines/sweep_merge.c)
 *
 * Exit: 0 (a recommendation or not); 2 for bad usage or a bad scenario.
 */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <labyrinth/sim.h>
#include "cli.h"
#include "engines/sim_command.h"
#include "engines/sweep_plan.h"

static const char *const help =
	"usage: labyrinth sweep SCENARIO --param NAME=VALUES [--param ...] [--seeds N]\n"
	"                       [--first-seed N] [--jobs N] [--set KEY=VALUE ...] [--json FILE]\n"
	"                       [--plan FILE [--plan-format parallel|slurm] [--results DIR]]\n"
	"       labyrinth sweep --merge DIR [--json FILE]\n\n"
	"Runs SCENARIO for every combination of the parameters and every seed, in parallel,\n"
	"and prints the atomic failure rate, the memory held back (sum of high watermarks)\n"
	"and kswapd's CPU share of each, then the smallest setting with no atomic failure.\n\n"
	"  VALUES: 1024..65536 (doubling), 1024..65536/8 (8 geometric points),\n"
	"          0..1000+100 (step 100), or 10,50,200\n"
	"  --seeds N        seeds first-seed .. first-seed+N-1 (default 3, first seed 1)\n"
	"  --jobs N         parallel runs (default: online CPUs, at most 16)\n"
	"  --set KEY=VALUE  a fixed override applied to every run\n"
	"  --json FILE      the grid and the answer as JSON ('-' = stdout)\n"
	"  --plan FILE      run nothing: write one command per cell and seed to FILE ('-' = stdout)\n"
	"  --plan-format F  parallel (a job list: parallel -j N < FILE, the default) or\n"
	"                   slurm (an array script: sbatch FILE)\n"
	"  --results DIR    where the plan's runs write their results (default sweep-results)\n"
	"  --merge DIR      the table and recommendation from a plan's results, as the\n"
	"                   in-process sweep prints them\n"
	"  --cell K --seed S --result FILE\n"
	"                   one run of a plan: cell K (row-major) with seed S, its result to FILE\n";

/* Declared in cli.h too once main.c registers the command; repeated here so
 * this file builds (-Wmissing-prototypes) before that. */
int lab_cmd_sweep(int argc, char **argv);

struct sweep_args {
	struct lab_sweep_param params[LAB_SWEEP_MAX_PARAMS];
	const char *specs[LAB_SWEEP_MAX_PARAMS];
	const char **sets;
	int nsets;
	unsigned nparams, seeds, jobs;
	uint64_t first, cell, seed;
	int have_cell, have_seed, slurm;
	const char *json, *plan, *results, *merge, *result;
};

/* A number option's value into @a; 0 or the exit status. */
static int number_arg(struct sweep_args *a, int c, const char *arg)
{
	static const char *const names[] = { ['n'] = "seeds", ['j'] = "jobs", ['f'] = "first-seed",
					     ['k'] = "cell", ['s'] = "seed" };
	uint64_t v;
	int bounded = c == 'n' || c == 'j';
	if (cli_parse_u64(arg, &v) || (bounded && (v < 1 || v > 1000)) || (c == 'k' && v > UINT_MAX))
		return cli_error("sweep", "--%s '%s': expected a number%s", names[c], arg, bounded ? " 1..1000" : "");
	switch (c) {
	case 'n': a->seeds = (unsigned)v; break;
	case 'j': a->jobs = (unsigned)v; break;
	case 'f': a->first = v; break;
	case 'k': a->cell = v; a->have_cell = 1; break;
	default: a->seed = v; a->have_seed = 1; break;
	}
	return 0;
}

/* The options into @a; 0, -1 for --help, or the exit status. */
static int parse_args(struct sweep_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "param", required_argument, 0, 'P' },   { "seeds", required_argument, 0, 'n' },
		{ "first-seed", required_argument, 0, 'f' }, { "jobs", required_argument, 0, 'j' },
		{ "set", required_argument, 0, 'S' },     { "json", required_argument, 0, 'J' },
		{ "plan", required_argument, 0, 'p' },    { "plan-format", required_argument, 0, 'F' },
		{ "results", required_argument, 0, 'R' }, { "merge", required_argument, 0, 'M' },
		{ "cell", required_argument, 0, 'k' },    { "seed", required_argument, 0, 's' },
		{ "result", required_argument, 0, 'r' },  { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct lab_sim_error err;
	char msg[600];
	int c, rc;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (a->nparams >= LAB_SWEEP_MAX_PARAMS)
				return cli_error("sweep", "at most %d --param", LAB_SWEEP_MAX_PARAMS);
			if (lab_sweep_param_parse(optarg, &a->params[a->nparams], &err) != 0)
				return cli_error("sweep", "%s", lab_sim_error_format(&err, msg, sizeof(msg)));
			a->specs[a->nparams++] = optarg;
			break;
		case 'n': case 'j': case 'f': case 'k': case 's':
			if ((rc = number_arg(a, c, optarg)) != 0)
				return rc;
			break;
		case 'F':
			if (strcmp(optarg, "parallel") && strcmp(optarg, "slurm"))
				return cli_error("sweep", "--plan-format '%s': expected parallel or slurm", optarg);
			a->slurm = !strcmp(optarg, "slurm");
			break;
		case 'S': a->sets[a->nsets++] = optarg; break;
		case 'J': a->json = optarg; break;
		case 'p': a->plan = optarg; break;
		case 'R': a->results = optarg; break;
		case 'M': a->merge = optarg; break;
		case 'r': a->result = optarg; break;
		case 'h': return -1;
		default: return cli_help(help, 0);
		}
	}
	return 0;
}

/* @path made absolute against the working directory (it need not exist). */
static int absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];
	if (path[0] == '/')
		return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, size, "%s/%s", cwd, path) < (int)size ? 0 : -1;
}

/* --plan or --cell: the commands must run anywhere, so every path in them is absolute. */
static int planned(const struct lab_scenario *sc, const struct sweep_args *a, const char *scenario,
		   const struct lab_sim_sweep_request *req)
{
	char bin[PATH_MAX], found[PATH_MAX], scn[PATH_MAX], res[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", bin, sizeof(bin) - 1);
	snprintf(bin + (n > 0 ? n : 0), sizeof(bin) - (size_t)(n > 0 ? n : 0), "%s", n > 0 ? "" : "labyrinth");
	if (cli_scenario_path("sweep", scenario, found, sizeof(found)) != 0)
		return 2;
	if (absolute(found, scn, sizeof(scn)) != 0 || absolute(a->results ? a->results : "sweep-results", res, sizeof(res)))
		return cli_error("sweep", "a path is too long");
	struct lab_sweep_plan_request pr = {
		.sweep = req, .param_specs = a->specs, .sets = a->sets, .nr_sets = a->nsets, .binary = bin,
		.scenario = scn, .plan = a->plan, .slurm = a->slurm, .results = res,
	};
	if (a->plan)
		return lab_sweep_plan_command(sc, &pr);
	return lab_sweep_cell_command(sc, &pr, (unsigned)a->cell, a->seed, a->result);
}

int lab_cmd_sweep(int argc, char **argv)
{
	struct sweep_args a = { .seeds = 3, .first = 1 };
	a.sets = calloc((size_t)argc + 1, sizeof(*a.sets));
	if (!a.sets)
		return cli_error("sweep", "out of memory");
	int rc = parse_args(&a, argc, argv);
	if (rc) {
		free(a.sets);
		return rc < 0 ? cli_help(help, 1) : rc;
	}
	int cellish = a.have_cell || a.have_seed || a.result != NULL;
	if (a.merge) {
		free(a.sets);
		if (optind != argc || a.nparams || a.plan || cellish)
			return cli_error("sweep", "--merge DIR takes no scenario, --param, --plan or --cell");
		return lab_sweep_merge_command(a.merge, a.json);
	}
	if (optind != argc - 1 || !a.nparams) {
		free(a.sets);
		return cli_help(help, 0);
	}
	if (cellish && (!a.have_cell || !a.have_seed || !a.result || a.plan)) {
		free(a.sets);
		return cli_error("sweep", "a planned run needs --cell, --seed and --result (and no --plan)");
	}
	struct lab_scenario *sc = cli_scenario_load("sweep", argv[optind], a.sets, a.nsets);
	if (!sc) {
		free(a.sets);
		return 2;
	}
	struct lab_sim_sweep_request req = {
		.params = a.params, .nr_params = a.nparams, .nr_seeds = a.seeds, .first_seed = a.first,
		.jobs = a.jobs, .json = a.json,
	};
	if (a.plan || cellish)
		rc = planned(sc, &a, argv[optind], &req);
	else
		rc = lab_sim_sweep_command(sc, &req);
	lab_scenario_free(sc);
	free(a.sets);
	return rc;
}
