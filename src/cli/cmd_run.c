/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_run.c - `labyrinth run SCENARIO`: simulate a scenario on the real
 * allocator and print the run report.
 *
 *   scenario (name or file) + --set overrides -> lab_sim_create(seed)
 *   -> lab_sim_run (progress bar on a terminal after 1 s of wall time)
 *   -> report (stdout), --json, --map, --plot, --out DIR (/proc files)
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
#include <time.h>
#include <unistd.h>
#include <labyrinth/sim.h>
#include "cli.h"

static const char *const help =
	"usage: labyrinth run SCENARIO [--seed N] [--set KEY=VALUE ...] [--json FILE]\n"
	"                     [--map FILE.png] [--map-at end|first-failure] [--plot FILE.png]\n"
	"                     [--out DIR] [--quiet]\n\n"
	"Simulates SCENARIO (a file, or a name from scenarios/: nic-rx-storm, cardiac-monitor,\n"
	"desktop-uptime, router-16m, dma32-starved) on the real allocator: virtual CPUs,\n"
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

struct progress {
	int tty;
	double start;
	int shown;
};

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A bar on stderr, only on a terminal and only once the run took 1 s. */
static void show_progress(void *arg, uint64_t now, uint64_t end, uint64_t events)
{
	struct progress *p = arg;
	double el = wall() - p->start;
	if (!p->tty || el < 1.0)
		return;
	int width = 30, fill = end ? (int)((double)now / (double)end * width) : width;
	if (fill > width)
		fill = width;
	char bar[64];
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(width - fill));
	bar[width] = '\0';
	fprintf(stderr, "\r[%s] %3.0f%%  %.3f / %.3f s virtual  %.1f M events/s ", bar,
		end ? 100.0 * (double)now / (double)end : 100.0, (double)now / 1e9, (double)end / 1e9,
		(double)events / el / 1e6);
	p->shown = 1;
}

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
	const char *json = NULL, *map = NULL, *plot = NULL, *outdir = NULL;
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	int nsets = 0, quiet = 0, map_ff = 0, c, rc = 0;
	uint64_t seed = 1;

	if (!sets)
		return cli_error("run", "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "hs:o:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_u64(optarg, &seed)) {
				free(sets);
				return cli_error("run", "--seed '%s': expected a number", optarg);
			}
			break;
		case 'S': sets[nsets++] = optarg; break;
		case 'j': json = optarg; break;
		case 'm': map = optarg; break;
		case 'a':
			if (!strcmp(optarg, "first-failure")) {
				map_ff = 1;
			} else if (strcmp(optarg, "end")) {
				free(sets);
				return cli_error("run", "--map-at '%s': expected end or first-failure", optarg);
			}
			break;
		case 'p': plot = optarg; break;
		case 'o': outdir = optarg; break;
		case 'q': quiet = 1; break;
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
	struct lab_sim *sim = cli_sim_create("run", sc, seed);
	if (!sim)
		return 2;

	struct progress pr = { isatty(2), wall(), 0 };
	if (lab_sim_run(sim, 0, show_progress, &pr) != 0) {
		fprintf(stderr, "labyrinth run: lab_mem_check found violations (see the log in --json)\n");
		rc = 1;
	}
	if (pr.shown)
		fprintf(stderr, "\r%-100s\r", "");
	struct lab_sim_run_stats rs;
	lab_sim_get_run_stats(sim, &rs);
	if (!quiet) {
		lab_sim_report_text(sim, stdout);
		fflush(stdout);
	}
	if (json) {
		json_t *j = lab_sim_report_json(sim);
		int jr = !j ? -1 : !strcmp(json, "-") ? json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS)
						       : json_dump_file(j, json, JSON_INDENT(1) | JSON_SORT_KEYS);
		if (!strcmp(json, "-"))
			fputc('\n', stdout);
		json_decref(j);
		if (jr != 0)
			rc = cli_error("run", "cannot write %s", json) ? 1 : 0;
	}
	if (outdir) {
		int e = lab_sim_write_procfs(sim, outdir);
		if (e)
			rc = cli_error("run", "cannot write into %s: %s", outdir, strerror(-e)) ? 1 : 0;
		else if (!quiet)
			printf("\n/proc files written to %s/\n", outdir);
	}
	if (map) {
		int e = lab_sim_write_map(sim, map, map_ff);
		if (e)
			rc = cli_error("run", "cannot write %s: %s", map, strerror(-e)) ? 1 : 0;
		else if (!quiet)
			printf("map of the physical memory written to %s\n", map);
	}
	if (plot) {
		int e = lab_sim_write_plot(sim, plot, 0, 0);
		if (e)
			rc = cli_error("run", "cannot write %s: %s", plot, strerror(-e)) ? 1 : 0;
		else if (!quiet)
			printf("time-series plot written to %s\n", plot);
	}
	fprintf(stderr, "labyrinth run: %llu events in %.2f s of wall time (%.1f M events/s)\n",
		(unsigned long long)rs.events, rs.wall_seconds,
		rs.wall_seconds > 0 ? (double)rs.events / rs.wall_seconds / 1e6 : 0.0);
	lab_sim_destroy(sim);
	return rc;
}
