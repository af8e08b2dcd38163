/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_replay.c - `labyrinth replay TRACE`: replay a real kernel's
 * page-allocator trace, what-if (the trace's demand on our allocator,
 * configured like the traced machine or with --set changes) or shadow
 * (the kernel's own decisions on a model of its zones, compared with its
 * /proc snapshots).
 *
 * This file only parses the arguments; lab_replay_run (engines/replay_run.c)
 * does the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <labyrinth/labyrinth.h>
#include "cli.h"
#include "engines/replay.h"

static const char *const help =
	"usage: labyrinth replay TRACE [--shadow] [--set KEY=VALUE ...] [--snapshot DIR]\n"
	"                        [--json FILE] [--map FILE.png] [--kernel VERSION] [--era ERA]\n"
	"                        [--pretrace-frees skip|release] [--samples N] [--lenient]\n\n"
	"Replays a Linux page-allocator trace: the text of tracefs `trace`, of\n"
	"`trace-cmd report [-l]`, or a binary trace.dat (xz/gzip read transparently),\n"
	"with the kmem:mm_page_* events enabled. The machine (zones, managed pages,\n"
	"watermarks, tunables, CPUs) comes from the /proc snapshots next to the trace\n"
	"(zoneinfo.before, vm_sysctl.before, buddyinfo.*, pagetypeinfo.*), or --snapshot DIR.\n\n"
	"what-if (default): every mm_page_alloc (order, gfp, context, task) and every\n"
	"  mm_page_free (matched to its allocation by pfn) is fed to a Labyrinth\n"
	"  instance configured like the traced machine, which places pages itself.\n"
	"  Reports failures by order/gfp/context next to the kernel's, fragmentation\n"
	"  over time and the state at each snapshot. --set changes a tunable:\n"
	"    min_free_kbytes=N  watermark_scale_factor=N  watermark_boost_factor=N\n"
	"    lowmem_reserve_ratio=\"256 256 32 0 0\"  highatomic_reserve=0|1\n"
	"    percpu_pagelist_high_fraction=N\n"
	"  so `--set min_free_kbytes=8192` answers \"would this have prevented it?\".\n"
	"--shadow: the kernel's own decisions (pfns taken from the buddy lists, per-CPU\n"
	"  refills and drains, frees, steals, compaction isolation) are applied to a\n"
	"  model of its zones; its free lists are compared per order with every\n"
	"  buddyinfo/pagetypeinfo/zoneinfo snapshot the trace marks.\n\n"
	"The kernel's rules (profile 6.1 or 6.12) are the traced kernel's, read from\n"
	"uname, uname.txt, meta.txt's guest_uname or osrelease beside the snapshots;\n"
	"--kernel VERSION replays under another kernel's rules (6.1, 6.12 or a release:\n"
	"4.x-6.2 -> 6.1, 6.3 and newer -> 6.12): `--kernel 6.12` on a 6.1 trace asks\n"
	"\"would 6.12 have failed here?\". The gfp names are read in the traced\n"
	"kernel's era (--era ERA to force one: 6.1, 6.3, 6.8, 6.13+, 4.x, ...).\n\n"
	"Pages allocated before tracing began are unknown: their frees are counted\n"
	"and skipped (--pretrace-frees release frees our seeded page at that pfn).\n"
	"docs/replay.md explains both modes and their assumptions.\n"
	"Exit: 0 done, 2 bad usage or malformed input (file:line named).\n";

static int parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_set(struct lab_replay_request *a, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		return cli_error("replay", "--set needs KEY=VALUE, got '%s'", kv);
	size_t kl = (size_t)(eq - kv);
	const char *v = eq + 1;
#define KEY(name) (kl == strlen(name) && !strncmp(kv, name, kl))
	if (KEY("min_free_kbytes")) {
		if (parse_int(v, 128, 262144 * 4, &a->set.min_free_kbytes))
			return cli_error("replay", "min_free_kbytes must be a number of kB (128..1048576), got '%s'", v);
	} else if (KEY("watermark_scale_factor")) {
		if (parse_int(v, 1, 3000, &a->set.watermark_scale_factor))
			return cli_error("replay", "watermark_scale_factor must be 1..3000, got '%s'", v);
	} else if (KEY("watermark_boost_factor")) {
		if (parse_int(v, 0, 1000000000, &a->set.watermark_boost_factor))
			return cli_error("replay", "watermark_boost_factor must be >= 0, got '%s'", v);
	} else if (KEY("percpu_pagelist_high_fraction")) {
		if (parse_int(v, 0, 1000000, &a->set.percpu_pagelist_high_fraction) ||
		    (a->set.percpu_pagelist_high_fraction && a->set.percpu_pagelist_high_fraction < 8))
			return cli_error("replay", "percpu_pagelist_high_fraction must be 0 or >= 8, got '%s'", v);
	} else if (KEY("highatomic_reserve")) {
		if (!strcmp(v, "on") || !strcmp(v, "1"))
			a->set.highatomic_reserve = 1;
		else if (!strcmp(v, "off") || !strcmp(v, "0"))
			a->set.highatomic_reserve = 0;
		else
			return cli_error("replay", "highatomic_reserve must be 0/1/on/off, got '%s'", v);
	} else if (KEY("lowmem_reserve_ratio")) {
		int n = 0;
		const char *q = v;
		while (*q && n < LAB_MAX_NR_ZONES) {
			char *e;
			long x = strtol(q, &e, 10);
			if (e == q || x < 0 || x > 1000000)
				return cli_error("replay", "lowmem_reserve_ratio: bad number in '%s'", v);
			a->set.lowmem_reserve_ratio[n++] = (int)x;
			q = e;
			while (*q == ' ' || *q == ',')
				q++;
		}
		if (!n || *q)
			return cli_error("replay", "lowmem_reserve_ratio: expected up to 5 numbers, got '%s'", v);
		a->set.nr_lowmem_reserve_ratio = n;
	} else {
		return cli_error("replay", "unknown --set key '%.*s' (min_free_kbytes, watermark_scale_factor, "
			     "watermark_boost_factor, lowmem_reserve_ratio, highatomic_reserve, "
			     "percpu_pagelist_high_fraction)", (int)kl, kv);
	}
#undef KEY
	return 0;
}

/* ---- main ------------------------------------------------------------------------ */

int lab_cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shadow", no_argument, 0, 's' },
		{ "set", required_argument, 0, 'S' },
		{ "snapshot", required_argument, 0, 'd' },
		{ "json", required_argument, 0, 'j' },
		{ "map", required_argument, 0, 'm' },
		{ "kernel", required_argument, 0, 'k' },
		{ "era", required_argument, 0, 'e' },
		{ "pretrace-frees", required_argument, 0, 'p' },
		{ "samples", required_argument, 0, 'n' },
		{ "lenient", no_argument, 0, 'l' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct lab_replay_request a;
	int c;

	memset(&a, 0, sizeof(a));
	lab_replay_settings_default(&a.set);
	a.era = LAB_GFP_ERA_6_1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': a.shadow = 1; break;
		case 'S':
			if (parse_set(&a, optarg))
				return 2;
			break;
		case 'd': a.snapdir = optarg; break;
		case 'j': a.json = optarg; break;
		case 'm': a.map = optarg; break;
		case 'k': a.kernel = optarg; break;
		case 'e':
			if (lab_gfp_era_from_name(optarg, &a.era))
				return cli_error("replay", "unknown gfp era '%s' (6.1, 6.3, 6.8, 6.13+, 4.x, ...)", optarg);
			a.era_given = 1;
			break;
		case 'p':
			if (!strcmp(optarg, "skip"))
				a.pretrace = LAB_REPLAY_PRETRACE_SKIP;
			else if (!strcmp(optarg, "release"))
				a.pretrace = LAB_REPLAY_PRETRACE_RELEASE;
			else
				return cli_error("replay", "--pretrace-frees is skip or release, got '%s'", optarg);
			break;
		case 'n': {
			int n;
			if (parse_int(optarg, 2, 100000, &n))
				return cli_error("replay", "--samples must be 2..100000");
			a.samples = (unsigned)n;
			break;
		}
		case 'l': a.lenient = 1; break;
		case 'h':
		default:
			return cli_help(help, c == 'h');
		}
	}
	if (optind != argc - 1)
		return cli_help(help, 0);
	a.trace = argv[optind];
	return lab_replay_run(&a);
}
